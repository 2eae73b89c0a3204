"""A patient's assessments as CSV, with columns read from the instrument declarations.

Instruments are identified in a local code system owned by this deployment. No LOINC code is
used: none could be verified for COWS or SOWS panels (shared/clinical/INSTRUMENTS.md).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils import timezone

from clinic.assessments.instruments import INSTRUMENTS, Instrument
from clinic.assessments.models import Assessment
from clinic.lib.spreadsheet import safe_cell
from clinic.patients.models import Patient

CODE_SYSTEM = "urn:steady:instrument"

FIXED_COLUMNS = [
    "record_number",
    "instrument_code",
    "instrument",
    "taken_at",
    "completed_by",
    "entered_by",
    "visit_id",
    "last_use_answer",
    "last_use_at",
    "last_use_given_by",
    "hours_since_last_use",
    "total",
    "band",
    "band_label",
]


def instrument_code(instrument: Instrument) -> str:
    return f"{CODE_SYSTEM}:{instrument.code}"


def item_column(instrument: Instrument, key: str) -> str:
    return f"{instrument.code}.{key}"


ITEM_COLUMNS = [item_column(instrument, item.key) for instrument in INSTRUMENTS.values() for item in instrument.items]


def header() -> list[str]:
    """The fixed columns, then one column per item of every instrument, in declaration order."""
    return FIXED_COLUMNS + ITEM_COLUMNS


def _row(patient: Patient, a: Assessment) -> list[object]:
    instrument = a.definition
    answers = {item_column(instrument, key): value for key, value in a.answers.items()}
    fixed = [
        patient.record_number,
        instrument_code(instrument),
        str(instrument.short_name),
        timezone.localtime(a.taken_at).isoformat(),
        a.completed_by,
        a.entered_by.username if a.entered_by else "",
        a.visit_id or "",
        a.last_use_answer or "not_recorded",
        timezone.localtime(a.last_use_at).isoformat() if a.last_use_at else "",
        a.last_use_given_by,
        a.hours_since_last_use if a.hours_since_last_use is not None else "",
        a.total,
        a.band,
        a.band_label,
    ]
    return [safe_cell(v) for v in fixed] + [answers.get(column, "") for column in ITEM_COLUMNS]


def assessments_csv(patient: Patient, assessments: Iterable[Assessment]) -> str:
    """One row per assessment, oldest first as given; items of other instruments left empty."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header())
    for a in assessments:
        writer.writerow(_row(patient, a))
    return out.getvalue()
