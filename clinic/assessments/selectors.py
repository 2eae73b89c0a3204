"""Reads of assessment data. Callers pass a patient they already fetched through
clinic.patients.selectors.patient_get_for_user, so the clinic scope is decided there."""

from __future__ import annotations

from clinic.assessments.models import Assessment, PatientAssessmentSummary
from clinic.assessments.tolerance import LostTolerance, lost_tolerance
from clinic.patients.models import Patient


def assessments_for_patient(patient: Patient) -> list[Assessment]:
    """Every assessment of the patient, oldest first, with who entered it. One query."""
    return list(Assessment.objects.filter(patient=patient).select_related("entered_by").order_by("taken_at", "pk"))


def assessment_summary_for_patient(patient: Patient) -> PatientAssessmentSummary | None:
    """The patient's summary row, or None before their first assessment. One query."""
    return PatientAssessmentSummary.objects.filter(patient=patient).first()


def lost_tolerance_for_patient(patient: Patient) -> LostTolerance | None:
    """The lost-tolerance condition (clinic.assessments.tolerance) for the patient. One query."""
    return lost_tolerance(assessments_for_patient(patient))
