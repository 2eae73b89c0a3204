"""Writes about taper plans, providers and referrals. Each is one transaction with its audit event.

None of these functions proposes, fills in, checks or schedules anything about a medication:
they store what the clinician wrote and move statuses the clinician chose.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from clinic.accounts.models import Clinic, User
from clinic.audit.models import AuditEvent
from clinic.audit.services import Action, audit_record
from clinic.guidance.models import (
    ENDED_TAPER_STATUSES,
    OPEN_TAPER_STATUSES,
    DeclinedBy,
    Provider,
    Referral,
    ReferralEvent,
    ReferralStatus,
    ReviewDate,
    TaperPlan,
    TaperStatus,
    TaperStep,
)
from clinic.guidance.pages import GuidancePage
from clinic.lib.changes import changed_fields
from clinic.patients.models import CLOCK_SLACK, Correction, CorrectionAction, Patient, PatientStatus

S = ReferralStatus
# The referral's forward path, one step at a time, as the provider and patient report it.
REFERRAL_PATH = [S.DRAFTED, S.SENT, S.CONTACTED, S.APPOINTMENT, S.ATTENDED, S.TREATMENT_STARTED, S.ENGAGED_30_DAYS]
CLOSED_STATUSES = frozenset({S.ENGAGED_30_DAYS, S.DECLINED, S.LOST})
# Declined or lost to follow-up can happen from any open state, and need a reason.
NEEDS_REASON = frozenset({S.DECLINED, S.LOST})
# Once a referral has been sent the patient counts as referred, until it is declined or lost.
REFERRED_STATUSES = frozenset([*REFERRAL_PATH[1:], S.MISSED, S.RESCHEDULED])
# Where each open status may go next, besides declined and lost, as real life goes: an
# appointment may be booked when the referral is sent, missed, or moved to another day.
NEXT_STEPS = {
    S.DRAFTED: [S.SENT],
    S.SENT: [S.CONTACTED, S.APPOINTMENT],
    S.CONTACTED: [S.APPOINTMENT],
    S.APPOINTMENT: [S.ATTENDED, S.MISSED, S.RESCHEDULED],
    S.MISSED: [S.RESCHEDULED],
    S.RESCHEDULED: [S.ATTENDED, S.MISSED, S.RESCHEDULED],
    S.ATTENDED: [S.TREATMENT_STARTED],
    S.TREATMENT_STARTED: [S.ENGAGED_30_DAYS],
}
# Moves whose date is an appointment, which may be still to come.
APPOINTMENT_STATUSES = frozenset({S.APPOINTMENT, S.RESCHEDULED})


def referral_moves_from(status: str) -> list[str]:
    """The statuses a referral in `status` may move to next, forward steps first."""
    if status in CLOSED_STATUSES:
        return []
    return [*NEXT_STEPS[status], S.DECLINED, S.LOST]


class IllegalMove(ValidationError):
    """A referral move the state machine does not allow; the message says what is allowed."""


def _now() -> dt.datetime:
    return timezone.now()


def guidance_page_viewed(*, request: HttpRequest, page: GuidancePage) -> AuditEvent:
    """Record which version of which guidance page a staff member read."""
    return audit_record(
        request=request,
        action=Action.VIEW,
        object_type="guidance.page",
        object_id=page.slug,
        detail=f"version {page.version}",
    )


def patient_status_follow(*, patient: Patient) -> str:
    """Set the patient's status from their referrals and taper plans, in the caller's transaction.

    A sent, still-open (or successful) referral means "referred"; otherwise an active taper plan
    means "tapering"; otherwise a patient we had marked tapering or referred is "active" again.
    A discharged patient is left alone.
    """
    locked = Patient.objects.select_for_update().get(pk=patient.pk)
    if locked.status == PatientStatus.DISCHARGED:
        return locked.status
    if Referral.objects.filter(patient=locked, status__in=REFERRED_STATUSES).exists():
        wanted = PatientStatus.REFERRED
    elif TaperPlan.objects.filter(patient=locked, status=TaperStatus.ACTIVE).exists():
        wanted = PatientStatus.TAPERING
    elif locked.status in (PatientStatus.TAPERING, PatientStatus.REFERRED):
        wanted = PatientStatus.ACTIVE
    else:
        wanted = locked.status
    if wanted != locked.status:
        # Bump the version so an edit form opened before this change cannot silently undo it.
        Patient.objects.filter(pk=locked.pk).update(status=wanted, version=F("version") + 1, updated_at=_now())
    patient.status = wanted
    return wanted


# --- Taper plans ------------------------------------------------------------------------------


def _check_one_open_plan(patient: Patient, status: str, exclude_pk: int | None = None) -> None:
    if status not in OPEN_TAPER_STATUSES:
        return
    # Lock the patient so two people opening a plan at once are checked one after the other.
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    others = TaperPlan.objects.filter(patient=patient, status__in=OPEN_TAPER_STATUSES)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ValidationError(
            {"status": "This patient already has a planned, active or paused taper plan. End that one first."}
        )


@transaction.atomic
def taper_plan_create(
    *,
    request: HttpRequest | None,
    actor: User,
    patient: Patient,
    start_date: dt.date,
    goals: str,
    status: str = TaperStatus.PLANNED,
    outcome_note: str = "",
) -> TaperPlan:
    """Start a taper plan as the clinician wrote it; an active plan makes the patient "tapering"."""
    _check_one_open_plan(patient, status)
    plan = TaperPlan.objects.create(
        patient=patient,
        start_date=start_date,
        goals=goals,
        status=status,
        outcome_note=outcome_note,
        status_changed_at=_now(),
        created_by=actor,
    )
    patient_status_follow(patient=patient)
    audit_record(
        request=request,
        actor=actor,
        clinic=patient.clinic,
        action=Action.CREATE,
        obj=plan,
        detail=f"taper plan, {status}",
    )
    return plan


@transaction.atomic
def taper_plan_update(*, request: HttpRequest | None, actor: User, plan: TaperPlan, fields: dict) -> TaperPlan:
    """Change start date, goals, status or outcome note; the patient's status follows."""
    plan = TaperPlan.objects.select_for_update().get(pk=plan.pk)
    new_status = fields.get("status", plan.status)
    _check_one_open_plan(plan.patient, new_status, exclude_pk=plan.pk)
    changed = changed_fields(plan, fields)
    if new_status != plan.status:
        plan.status_changed_at = _now()
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.save()
    patient_status_follow(patient=plan.patient)
    if changed:
        detail = "changed " + ", ".join(changed)
        if "status" in changed:
            detail += f"; status now {plan.status}"
        audit_record(
            request=request, actor=actor, clinic=plan.patient.clinic, action=Action.UPDATE, obj=plan, detail=detail
        )
    return plan


@transaction.atomic
def taper_step_add(*, request: HttpRequest | None, actor: User, plan: TaperPlan, date: dt.date, text: str) -> TaperStep:
    """Add a step the clinician wrote: a date and their words, stored as written."""
    step = TaperStep.objects.create(plan=plan, date=date, text=text, written_by=actor)
    audit_record(
        request=request,
        actor=actor,
        clinic=plan.patient.clinic,
        action=Action.CREATE,
        obj=step,
        patient_id=plan.patient_id,
        detail="taper step",
    )
    return step


@transaction.atomic
def taper_step_update(
    *, request: HttpRequest | None, actor: User, step: TaperStep, date: dt.date, text: str
) -> TaperStep:
    """Change a step's date or words."""
    changed = changed_fields(step, {"date": date, "text": text})
    step.date, step.text = date, text
    step.save()
    if changed:
        audit_record(
            request=request,
            actor=actor,
            clinic=step.plan.patient.clinic,
            action=Action.UPDATE,
            obj=step,
            patient_id=step.plan.patient_id,
            detail="changed " + ", ".join(changed),
        )
    return step


@transaction.atomic
def review_date_add(
    *, request: HttpRequest | None, actor: User, plan: TaperPlan, date: dt.date, note: str = ""
) -> ReviewDate:
    """Agree a date to review the plan. One review per plan and date."""
    if ReviewDate.objects.filter(plan=plan, date=date).exists():
        raise ValidationError({"date": "A review is already set for this date."})
    review = ReviewDate.objects.create(plan=plan, date=date, note=note)
    audit_record(
        request=request,
        actor=actor,
        clinic=plan.patient.clinic,
        action=Action.CREATE,
        obj=review,
        patient_id=plan.patient_id,
        detail="review date",
    )
    return review


@transaction.atomic
def review_date_mark_done(
    *, request: HttpRequest | None, actor: User, review: ReviewDate, early_reason: str = ""
) -> ReviewDate:
    """Mark a review as held. Marking it twice changes nothing.

    Before its date it needs a reason (ValidationError on `early_reason`, nothing saved).
    """
    review = ReviewDate.objects.select_for_update().get(pk=review.pk)
    if not review.done:
        early_reason = (early_reason or "").strip()
        if review.date > timezone.localdate() and not early_reason:
            raise ValidationError({"early_reason": "This review is not due yet: say why it is marked held now."})
        review.done, review.done_at = True, _now()
        review.held_early_reason = early_reason or None
        review.save(update_fields=["done", "done_at", "held_early_reason"])
        audit_record(
            request=request,
            actor=actor,
            clinic=review.plan.patient.clinic,
            action=Action.UPDATE,
            obj=review,
            patient_id=review.plan.patient_id,
            detail="review held",
        )
    return review


@transaction.atomic
def review_date_unmark_done(*, request: HttpRequest | None, actor: User, review: ReviewDate, reason: str) -> Correction:
    """Correct a review marked held by mistake: it is open again, and the mistake stays in its history.

    The correcting entry (a Correction of kind "review") keeps when it was marked held and why it
    was wrong. Raises ValidationError without a reason or when the review is not marked held.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why, in a few words."})
    review = ReviewDate.objects.select_for_update().select_related("plan").get(pk=review.pk)
    if not review.done:
        raise ValidationError("This review is not marked held.")
    held_at = timezone.localtime(review.done_at)
    correction = Correction.objects.create(
        patient_id=review.plan.patient_id,
        record_kind="review",
        record_id=review.pk,
        action=CorrectionAction.AMENDED,
        reason=reason,
        changes=[
            {"field": "done", "label": "Held", "before": f"marked held {held_at:%d %b %Y, %H:%M}", "after": "not held"}
        ],
        by=actor,
        at=_now(),
    )
    review.done, review.done_at, review.held_early_reason = False, None, None
    review.save(update_fields=["done", "done_at", "held_early_reason"])
    audit_record(
        request=request,
        actor=actor,
        clinic=review.plan.patient.clinic,
        action=Action.UPDATE,
        obj=review,
        patient_id=review.plan.patient_id,
        detail="review held: corrected, not held",
    )
    return correction


# --- Providers --------------------------------------------------------------------------------


@transaction.atomic
def provider_create(*, request: HttpRequest | None, actor: User, clinic: Clinic, fields: dict) -> Provider:
    """Add a provider to this clinic's directory."""
    provider = Provider(clinic=clinic, **fields)
    provider.full_clean()
    provider.save()
    audit_record(
        request=request,
        actor=actor,
        clinic=clinic,
        action=Action.CREATE,
        obj=provider,
        detail=provider.get_kind_display(),
    )
    return provider


@transaction.atomic
def provider_update(*, request: HttpRequest | None, actor: User, provider: Provider, fields: dict) -> Provider:
    """Change a provider's details."""
    changed = changed_fields(provider, fields)
    for name, value in fields.items():
        setattr(provider, name, value)
    provider.full_clean()
    provider.save()
    if changed:
        audit_record(
            request=request,
            actor=actor,
            clinic=provider.clinic,
            action=Action.UPDATE,
            obj=provider,
            detail="changed " + ", ".join(changed),
        )
    return provider


# --- Referrals --------------------------------------------------------------------------------


@transaction.atomic
def referral_create(
    *, request: HttpRequest | None, actor: User, patient: Patient, provider: Provider, reason: str
) -> Referral:
    """Draft a referral to a provider of the patient's own clinic. Raises ValidationError otherwise."""
    if provider.clinic_id != patient.clinic_id:
        raise ValidationError({"provider": "Choose a provider from your clinic's directory."})
    referral = Referral.objects.create(patient=patient, provider=provider, reason=reason, created_by=actor)
    ReferralEvent.objects.create(referral=referral, from_status="", to_status=S.DRAFTED, at=_now(), by=actor)
    audit_record(
        request=request,
        actor=actor,
        clinic=patient.clinic,
        action=Action.CREATE,
        obj=referral,
        detail="referral drafted",
    )
    return referral


@transaction.atomic
def referral_move(
    *,
    request: HttpRequest | None,
    actor: User,
    referral: Referral,
    to_status: str,
    note: str = "",
    happened_at: dt.datetime | None = None,
    declined_by: str = "",
) -> ReferralEvent:
    """Move a referral one legal step, record who, when it was entered and when it happened.

    `happened_at` is the time of the event the move reports (default: now); only an appointment
    may be in the future. Raises IllegalMove (nothing saved) for a move the state machine does
    not allow, and ValidationError when declining or losing to follow-up without a reason,
    declining without saying by whom, or for an event dated in the future.
    """
    # Lock the row so two people moving the same referral at once cannot both succeed.
    referral = Referral.objects.select_for_update().select_related("patient").get(pk=referral.pk)
    allowed = referral_moves_from(referral.status)
    if to_status not in allowed:
        here = S(referral.status).label
        there = S(to_status).label if to_status in S.values else to_status
        if not allowed:
            raise IllegalMove(f"This referral is closed ({here}); it cannot move to “{there}”.")
        options = ", ".join(f"“{S(s).label}”" for s in allowed)
        raise IllegalMove(f"A referral at “{here}” cannot move to “{there}”. From here it can move to {options}.")
    note = note.strip()
    if to_status in NEEDS_REASON and not note:
        raise ValidationError({"note": "Say why, so the team knows what happened and what to try next."})
    now = _now()
    happened_at = happened_at or now
    if to_status not in APPOINTMENT_STATUSES and happened_at > now + CLOCK_SLACK:
        raise ValidationError({"happened_on": "This cannot have happened in the future; only an appointment can be."})
    if to_status == S.DECLINED and declined_by not in DeclinedBy.values:
        raise ValidationError({"declined_by": "Say who declined: the patient or the provider."})
    if to_status != S.DECLINED:
        declined_by = ""
    event = ReferralEvent.objects.create(
        referral=referral,
        from_status=referral.status,
        to_status=to_status,
        at=now,
        happened_at=happened_at,
        declined_by=declined_by,
        by=actor,
        note=note,
    )
    referral.status = to_status
    referral.save(update_fields=["status", "updated_at"])
    patient_status_follow(patient=referral.patient)
    audit_record(
        request=request,
        actor=actor,
        clinic=referral.patient.clinic,
        action=Action.UPDATE,
        obj=referral,
        detail=f"referral {event.from_status} → {to_status}",
    )
    return event


@transaction.atomic
def referral_move_correct(*, request: HttpRequest | None, actor: User, referral: Referral, reason: str) -> Correction:
    """Undo the latest move, made by mistake: the referral is back where it was, and the mistaken
    move stays in its history marked entered in error, with who, when and why; it counts nowhere.

    Raises ValidationError without a reason, or when there is no move to correct.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why, in a few words."})
    referral = Referral.objects.select_for_update().select_related("patient").get(pk=referral.pk)
    last = ReferralEvent.objects.filter(referral=referral).order_by("-at", "-pk").first()
    if last is None or not last.from_status or last.to_status != referral.status:
        raise ValidationError("There is no move to correct.")
    now = _now()
    last.entered_in_error_at = now
    last.save(update_fields=["entered_in_error_at"])
    correction = Correction.objects.create(
        patient=referral.patient,
        record_kind="referral-move",
        record_id=last.pk,
        action=CorrectionAction.ENTERED_IN_ERROR,
        reason=reason,
        by=actor,
        at=now,
    )
    referral.status = last.from_status
    referral.save(update_fields=["status", "updated_at"])
    patient_status_follow(patient=referral.patient)
    audit_record(
        request=request,
        actor=actor,
        clinic=referral.patient.clinic,
        action=Action.UPDATE,
        obj=referral,
        detail=f"referral move {last.from_status} → {last.to_status} entered in error",
    )
    return correction


__all__ = [
    "CLOSED_STATUSES",
    "ENDED_TAPER_STATUSES",
    "REFERRAL_PATH",
    "IllegalMove",
    "guidance_page_viewed",
    "patient_status_follow",
    "provider_create",
    "provider_update",
    "referral_create",
    "referral_move",
    "referral_moves_from",
    "review_date_add",
    "review_date_mark_done",
    "taper_plan_create",
    "taper_plan_update",
    "taper_step_add",
    "taper_step_update",
]
