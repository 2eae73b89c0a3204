"""The assessments app's contributions to the patient page: trends and timeline (its safety rules are in safety_rules.py).

Each provider issues one query whatever the length of the patient's history.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from clinic.assessments.links import record_links
from clinic.assessments.models import CompletedBy
from clinic.assessments.selectors import assessments_for_patient
from clinic.assessments.trends import patient_trends, x_param
from clinic.patients.models import Patient
from clinic.patients.page import Panel, TimelineEntry


def assessments_panel(request: HttpRequest, patient: Patient) -> Panel:
    """Charts and changes for each instrument the patient has, and one timeline entry each."""
    assessments = assessments_for_patient(patient)
    trends = patient_trends(assessments, x=x_param(request.GET.get("x")), tz=timezone.get_current_timezone())
    timeline = [
        TimelineEntry(
            at=a.taken_at,
            kind=str(a.definition.short_name),
            template="assessments/_timeline_assessment.html",
            obj=a,
            patient_reported=a.completed_by == CompletedBy.PATIENT,
        )
        for a in assessments
    ]
    return Panel(
        region="main",
        template="assessments/_panel.html",
        context={
            "trends": trends,
            "record_links": record_links(patient),
            "trends_url": reverse("assessments:trends", kwargs={"pk": patient.pk}),
            "export_url": reverse("assessments:export", kwargs={"pk": patient.pk}),
        },
        timeline=timeline,
    )
