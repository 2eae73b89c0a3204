"""The patient page's entries in error: kept on the timeline, marked, and counted nowhere else."""

from __future__ import annotations

from django.http import HttpRequest

from clinic.patients.corrections import entries_in_error
from clinic.patients.models import Patient
from clinic.patients.page import Panel, TimelineEntry


def _at(record):
    # The time the record describes where it has one, else when it was entered.
    for name in ("occurred_at", "taken_at", "recorded_at"):
        if getattr(record, name, None) is not None:
            return getattr(record, name)
    return None


def in_error_panel(request: HttpRequest, patient: Patient) -> Panel:
    """Every record marked entered in error, as a timeline entry at the time it described."""
    timeline = [
        TimelineEntry(
            at=_at(record),
            kind=f"{kind.label.capitalize()}, entered in error",
            template="patients/_timeline_in_error.html",
            obj=record,
        )
        for kind, record in entries_in_error(patient)
        if _at(record) is not None
    ]
    return Panel(region="main", timeline=timeline)
