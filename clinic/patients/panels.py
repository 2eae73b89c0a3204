"""The patients app's own contributions to the patient page: visits and 7-OH use reports."""
from __future__ import annotations

from django.http import HttpRequest

from clinic.patients.models import Patient
from clinic.patients.page import Panel, TimelineEntry


def use_panel(request: HttpRequest, patient: Patient) -> Panel:
    visits = list(patient.visits.select_related("clinician"))
    reports = list(patient.use_reports.select_related("recorded_by"))
    timeline = [TimelineEntry(at=v.occurred_at, kind="Visit", template="patients/_timeline_visit.html", obj=v) for v in visits]
    timeline += [
        TimelineEntry(at=r.recorded_at, kind="Use report", template="patients/_timeline_use_report.html", obj=r)
        for r in reports
    ]
    return Panel(
        region="side",
        template="patients/_use_panel.html",
        context={"latest_use_report": reports[0] if reports else None},
        timeline=timeline,
    )
