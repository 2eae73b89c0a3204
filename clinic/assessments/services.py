"""Recording assessments. One transaction each, with its audit event."""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from clinic.assessments.instruments import get_instrument
from clinic.assessments.models import Assessment
from clinic.audit.services import Action, audit_record
from clinic.patients.models import Patient, UseReport


class SubmissionConflict(Exception):
    """A submission id that was already used for another patient or instrument."""


def hours_since_last_use(patient: Patient, at: dt.datetime) -> Decimal | None:
    """Hours from the last use the patient reported (latest report made at or before `at`)."""
    last_use = (
        UseReport.objects.filter(patient=patient, recorded_at__lte=at, last_use_at__isnull=False)
        .order_by("-recorded_at", "-pk")
        .values_list("last_use_at", flat=True)
        .first()
    )
    if last_use is None or last_use > at:
        return None
    return Decimal(round((at - last_use).total_seconds() / 3600, 1)).quantize(Decimal("0.1"))


def assessment_submit(
    *,
    request: HttpRequest | None,
    patient: Patient,
    instrument_code: str,
    answers: dict[str, int],
    taken_at: dt.datetime,
    completed_by: str,
    entered_by=None,
    submission_id: uuid.UUID,
    visit=None,
) -> tuple[Assessment, bool]:
    """Score and store one assessment exactly once per submission id.

    Returns (assessment, created). Replaying the same submission id returns the stored row
    with created=False. Raises InvalidAnswers (nothing saved) for missing or illegal answers,
    and SubmissionConflict if the id was used for a different patient or instrument.
    """
    instrument = get_instrument(instrument_code)
    total = instrument.score(answers)
    band = instrument.band_for(total)
    existing = Assessment.objects.filter(submission_id=submission_id).first()
    if existing is not None:
        return _replayed(existing, patient, instrument_code)
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                patient=patient,
                instrument=instrument.code,
                taken_at=taken_at,
                completed_by=completed_by,
                entered_by=entered_by,
                visit=visit,
                answers={item.key: int(answers[item.key]) for item in instrument.items},
                total=total,
                band=band.key if band else "",
                hours_since_last_use=hours_since_last_use(patient, taken_at),
                submission_id=submission_id,
            )
            audit_record(
                request=request,
                action=Action.CREATE,
                obj=assessment,
                actor=entered_by,
                clinic=patient.clinic,
                detail=f"{instrument.code} by {completed_by}",
            )
    except IntegrityError:
        # Two copies of one submission raced; the other one won and is the record.
        existing = Assessment.objects.filter(submission_id=submission_id).first()
        if existing is None:
            raise
        return _replayed(existing, patient, instrument_code)
    return assessment, True


def _replayed(existing: Assessment, patient: Patient, instrument_code: str) -> tuple[Assessment, bool]:
    if existing.patient_id != patient.pk or existing.instrument != instrument_code:
        raise SubmissionConflict("This submission id belongs to another form.")
    return existing, False
