"""Assessments are correctable: in error (any), amended only when staff entered them."""

from __future__ import annotations

from clinic.assessments.models import Assessment, CompletedBy
from clinic.assessments.services import summary_refresh
from clinic.patients.corrections import RecordKind, register


def register_all() -> None:
    register(
        RecordKind(
            key="assessment",
            model=Assessment,
            label="assessment",
            # A patient's own answers are never changed by staff; a clinician re-scores with a new one.
            patient_entered=lambda a: a.completed_by == CompletedBy.PATIENT,
            after_change=lambda patient: summary_refresh(patient=patient),
        )
    )
