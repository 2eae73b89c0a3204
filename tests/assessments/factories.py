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
    data = {
        "taken_at": "2026-01-05T09:30",
        "submission_id": str(uuid.uuid4()),
        "visit": "",
        "last_use_known": "at_time",
        "last_use_at": "2026-01-04T21:30",
        "last_use_given_by": "patient",
    }
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
    patient,
    instrument: Instrument,
    taken_at: dt.datetime,
    total: int,
    *,
    entered_by=None,
    hours=None,
    last_use: str = "",
    given_by: str = "patient",
    **fixed: int,
) -> Assessment:
    """An unsaved Assessment with exactly `total`, for bulk_create in history and query tests.

    `hours` records a date-and-time answer about last use that many hours before; `last_use`
    another answer (a range key, "unknown", "declined"); neither leaves it "not recorded".
    """
    band = instrument.band_for(total)
    last_use_at = None
    if hours is not None:
        last_use, last_use_at = "at_time", taken_at - dt.timedelta(hours=float(hours))
    return Assessment(
        patient=patient,
        instrument=instrument.code,
        taken_at=taken_at,
        completed_by=instrument.completed_by,
        entered_by=entered_by,
        answers=answers_with_total(instrument, total, **fixed),
        total=total,
        band=band.key if band else "",
        last_use_answer=last_use,
        last_use_at=last_use_at,
        last_use_given_by=given_by if last_use else "",
        hours_since_last_use=hours,
        submission_id=uuid.uuid4(),
    )
