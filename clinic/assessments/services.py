"""Recording assessments. One transaction each, with its audit event."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from clinic.assessments.instruments import CRAVING_ITEM_KEY, band_rank, get_instrument
from clinic.assessments.last_use import NOT_RECORDED, LastUseGiven
from clinic.assessments.models import Assessment, PatientAssessmentSummary
from clinic.audit.services import Action, audit_record
from clinic.patients.models import Patient


class SubmissionConflict(Exception):
    """A submission id that was already used for another patient or instrument."""


def last_use_fields(last_use: LastUseGiven | None, taken_at: dt.datetime) -> dict:
    """The Assessment fields for an answer about last use; raises InvalidLastUse."""
    if last_use is None:
        return {
            "last_use_answer": NOT_RECORDED,
            "last_use_at": None,
            "last_use_given_by": "",
            "hours_since_last_use": None,
        }
    answer, at, given_by, hours = last_use.checked(taken_at)
    return {"last_use_answer": answer, "last_use_at": at, "last_use_given_by": given_by, "hours_since_last_use": hours}


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
    last_use: LastUseGiven | None = None,
) -> tuple[Assessment, bool]:
    """Score and store one assessment exactly once per submission id.

    Returns (assessment, created). Replaying the same submission id returns the stored row
    with created=False. Raises InvalidAnswers (nothing saved) for missing or illegal answers,
    and SubmissionConflict if the id was used for a different patient or instrument.

    `last_use` is the answer given with this assessment to "when was 7-OH last used?" and who
    gave it; it is the only source of the assessment's hours since last use. None stores "not
    recorded" (the forms always ask; None is for imports and tests). Raises InvalidLastUse
    (nothing saved) for an answer that does not hold together.
    """
    instrument = get_instrument(instrument_code)
    total = instrument.score(answers)
    band = instrument.band_for(total)
    existing = Assessment.objects.filter(submission_id=submission_id).first()
    if existing is not None:
        return _replayed(existing, patient, instrument_code)
    last_use_stored = last_use_fields(last_use, taken_at)
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
                **last_use_stored,
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
            summary_refresh(patient=patient)
    except IntegrityError:
        # Two copies of one submission raced; the other one won and is the record.
        existing = Assessment.objects.filter(submission_id=submission_id).first()
        if existing is None:
            raise
        return _replayed(existing, patient, instrument_code)
    return assessment, True


def summary_refresh(*, patient: Patient) -> PatientAssessmentSummary:
    """Recompute the patient's summary row from their assessments; call inside a transaction.

    The row is created if missing and locked before it is read, so two assessments submitted
    at once for the same patient are applied one after the other and the last writer has
    seen both. Recomputing (rather than adding the new assessment to the old values) keeps
    back-dated entries in their place.
    """
    # INSERT ... ON CONFLICT DO NOTHING: safe when two first assessments race.
    PatientAssessmentSummary.objects.bulk_create([PatientAssessmentSummary(patient=patient)], ignore_conflicts=True)
    summary = PatientAssessmentSummary.objects.select_for_update().get(patient=patient)
    history = Assessment.objects.filter(patient=patient).order_by("-taken_at", "-pk")
    cows = list(history.filter(instrument="COWS").values("total", "band", "taken_at")[:2])
    sows = history.filter(instrument="SOWS").values("answers", "taken_at").first()
    latest_any = history.values_list("taken_at", flat=True).first()

    latest, previous = (cows + [None, None])[:2]
    summary.latest_cows_total = latest["total"] if latest else None
    summary.latest_cows_band = latest["band"] if latest else ""
    summary.latest_cows_taken_at = latest["taken_at"] if latest else None
    summary.previous_cows_total = previous["total"] if previous else None
    summary.previous_cows_band = previous["band"] if previous else ""
    summary.cows_band_went_up = bool(latest and previous and band_rank(latest["band"]) > band_rank(previous["band"]))
    summary.latest_sows_craving = sows["answers"].get(CRAVING_ITEM_KEY) if sows else None
    summary.latest_sows_taken_at = sows["taken_at"] if sows else None
    summary.latest_assessment_at = latest_any
    summary.save()
    return summary


def _replayed(existing: Assessment, patient: Patient, instrument_code: str) -> tuple[Assessment, bool]:
    if existing.patient_id != patient.pk or existing.instrument != instrument_code:
        raise SubmissionConflict("This submission id belongs to another form.")
    return existing, False
