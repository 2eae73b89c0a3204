"""Answers and assessments for tests, built from the instrument declarations."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from clinic.assessments.instruments import Instrument
from clinic.assessments.models import Assessment

CLINIC_TZ = ZoneInfo("America/New_York")  # settings.TIME_ZONE's default


def answers_with_total(instrument: Instrument, total: int, **fixed: int) -> dict[str, int]:
    """Legal answers adding up to exactly `total`, with any `fixed` item values kept."""
    # reachable[t] = one choice of answers for the items seen so far that adds up to t
    reachable: dict[int, dict[str, int]] = {0: {}}
    for item in instrument.items:
        values = (fixed[item.key],) if item.key in fixed else item.legal_values
        step: dict[int, dict[str, int]] = {}
        for t, chosen in reachable.items():
            for value in values:
                step.setdefault(t + value, {**chosen, item.key: value})
        reachable = step
    return reachable[total]


def form_data(instrument: Instrument, answers: dict[str, int], **extra) -> dict:
    data = {"taken_at": "2026-01-05T09:30", "submission_id": str(uuid.uuid4()), "visit": ""}
    data.update({f"item_{key}": value for key, value in answers.items()})
    data.update(extra)
    return data


def lowest(instrument: Instrument) -> dict[str, int]:
    return {item.key: min(item.legal_values) for item in instrument.items}


def highest(instrument: Instrument) -> dict[str, int]:
    return {item.key: max(item.legal_values) for item in instrument.items}


def local(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=CLINIC_TZ)


def assessment(
    patient, instrument: Instrument, taken_at: dt.datetime, total: int, *, entered_by=None, hours=None, **fixed: int
) -> Assessment:
    """An unsaved Assessment with exactly `total`, for bulk_create in history and query tests."""
    band = instrument.band_for(total)
    return Assessment(
        patient=patient,
        instrument=instrument.code,
        taken_at=taken_at,
        completed_by=instrument.completed_by,
        entered_by=entered_by,
        answers=answers_with_total(instrument, total, **fixed),
        total=total,
        band=band.key if band else "",
        hours_since_last_use=hours,
        submission_id=uuid.uuid4(),
    )
