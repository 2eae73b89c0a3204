"""The patients app's own contributions to the patient page: safety reasons, visits and use reports.

Both providers read the patient's visits and use reports through one prefetch, so the page
costs two queries here however long the story grows.
"""

from __future__ import annotations

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest

from clinic.patients.changes import use_report_changes
from clinic.patients.models import Acknowledgement, NaloxoneRecord, Patient, PregnancyAnswer, UseReport, Visit
from clinic.patients.page import Panel, TimelineEntry
from clinic.patients.safety import rules_for_patient


def _story(patient: Patient) -> tuple[list[Visit], list[UseReport]]:
    """Visits and use reports, newest first, loaded once per patient object."""
    prefetch_related_objects(
        [patient],
        Prefetch("visits", queryset=Visit.objects.select_related("clinician").order_by("-occurred_at", "-pk")),
        Prefetch(
            "use_reports", queryset=UseReport.objects.select_related("recorded_by").order_by("-recorded_at", "-pk")
        ),
    )
    return list(patient.visits.all()), list(patient.use_reports.all())


def use_panel(request: HttpRequest, patient: Patient) -> Panel:
    visits, reports = _story(patient)
    # Each report is compared with the one before it (reports are newest first).
    for newer, older in zip(reports, reports[1:] + [None], strict=False):
        newer.changes = use_report_changes(older, newer)
        newer.is_first = older is None
    timeline = [
        TimelineEntry(at=v.occurred_at, kind="Visit", template="patients/_timeline_visit.html", obj=v) for v in visits
    ]
    timeline += [
        TimelineEntry(at=r.recorded_at, kind="Use report", template="patients/_timeline_use_report.html", obj=r)
        for r in reports
    ]
    next_follow_up = next((v.next_follow_up for v in visits if v.next_follow_up), None)
    return Panel(
        region="side",
        template="patients/_use_panel.html",
        context={
            "latest_use_report": reports[0] if reports else None,
            "last_visit": visits[0] if visits else None,
            "next_follow_up": next_follow_up,
        },
        timeline=timeline,
    )


def safety_panel(request: HttpRequest, patient: Patient) -> Panel:
    """Every safety reason that holds now, urgent first, and the acknowledgements. Five queries."""
    history = list(Acknowledgement.objects.filter(patient=patient).select_related("by"))
    return Panel(
        region="attention",
        template="patients/_safety_panel.html",
        context={
            "reasons": rules_for_patient(patient),
            "history": history,
            "has_reports": patient.use_reports.exists(),
            "pregnancy": PregnancyAnswer.objects.filter(patient=patient).first(),
            "naloxone": list(NaloxoneRecord.objects.filter(patient=patient).select_related("recorded_by")[:5]),
        },
    )
