"""Issuing, sending, revoking and redeeming patient links. One transaction each, with its audit event.

Audit events written on the patient's side have no actor (the patient has no account) even if a
staff member happens to be signed in in the same browser; they carry the clinic and patient id.
No event, log line or detail ever contains a token.
"""

from __future__ import annotations

import datetime as dt
import enum
import secrets
import uuid

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from clinic.assessments.last_use import LastUseGiven
from clinic.assessments.models import Assessment, CompletedBy
from clinic.assessments.services import SubmissionConflict, assessment_submit
from clinic.audit.services import Action, audit_record
from clinic.patients.models import Patient
from clinic.selfreport.models import (
    DEFAULT_VALID_HOURS,
    LINK_INSTRUMENTS,
    MAX_DOB_ATTEMPTS,
    MAX_VALID_HOURS,
    MIN_VALID_HOURS,
    LinkState,
    PatientLink,
    past_expiry,
    still_open,
    token_hash,
)

TOKEN_BYTES = 32  # 256 bits from the OS's CSPRNG


class LinkUnusable(Exception):
    """The link is not waiting any more; `state` says why (completed, expired, revoked, locked)."""

    def __init__(self, state: str) -> None:
        self.state = state
        super().__init__(state)


class LinkNotSendable(Exception):
    """The link cannot be emailed: wrong token, not waiting, or no address on file."""


class DobCheck(enum.Enum):
    VERIFIED = "verified"
    WRONG = "wrong"
    LOCKED = "locked"


class _PatientSide:
    """The request as seen by the audit trail on the patient's side: its address, never a user."""

    def __init__(self, request: HttpRequest | None) -> None:
        self.META = request.META if request is not None else {}


def _audit_patient_side(request: HttpRequest | None, link: PatientLink, action: str, detail: str) -> None:
    audit_record(request=_PatientSide(request), action=action, obj=link, clinic=link.patient.clinic, detail=detail)


def format_expiry(moment: dt.datetime) -> str:
    """The expiry in the clinic's time zone, written the way the active language writes dates."""
    # Translators: a date format (Django's `date` filter codes) for when a link stops working.
    return date_format(timezone.localtime(moment), gettext("F j, Y, g:i A"))


def patient_link_url(token: str) -> str:
    """The full address a patient opens, built from SITE_URL (the request's host may be internal)."""
    return settings.SITE_URL + reverse("selfreport:start", kwargs={"token": token})


def patient_link_issue(
    *,
    request: HttpRequest | None,
    patient: Patient,
    created_by,
    instrument_code: str = "SOWS",
    valid_hours: int = DEFAULT_VALID_HOURS,
) -> tuple[PatientLink, str]:
    """Create a waiting link and return it with its token, which exists nowhere else afterwards."""
    if instrument_code not in dict(LINK_INSTRUMENTS):
        raise ValueError(f"patients cannot fill in {instrument_code}")
    if not MIN_VALID_HOURS <= valid_hours <= MAX_VALID_HOURS:
        raise ValueError(f"a link is valid for {MIN_VALID_HOURS} to {MAX_VALID_HOURS} hours")
    if created_by.clinic_id != patient.clinic_id:
        raise ValueError("staff can only issue links for their own clinic's patients")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = timezone.now()
    with transaction.atomic():
        link = PatientLink.objects.create(
            patient=patient,
            instrument=instrument_code,
            token_hash=token_hash(token),
            created_by=created_by,
            created_at=now,
            expires_at=now + dt.timedelta(hours=valid_hours),
        )
        audit_record(
            request=request,
            action=Action.CREATE,
            obj=link,
            actor=created_by,
            detail=f"patient link issued ({instrument_code}, valid {valid_hours} h)",
        )
    return link, token


def patient_link_email(*, request: HttpRequest | None, link: PatientLink, token: str, sent_by) -> str:
    """Email the link to the patient's address on file; returns the address.

    The message names no drug, diagnosis, clinic or specialty: a shared inbox or a glance at a
    lock screen must not reveal why someone is seeing a clinician.
    """
    if not secrets.compare_digest(token_hash(token), link.token_hash):
        raise LinkNotSendable("That is not this link's token.")
    if not link.is_waiting:
        raise LinkNotSendable(f"The link is {link.state} and can no longer be sent.")
    address = link.patient.email
    if not address:
        raise LinkNotSendable("The patient has no email address on file.")
    with translation.override(link.patient.preferred_language):
        context = {"url": patient_link_url(token), "expires": format_expiry(link.expires_at)}
        subject = render_to_string("selfreport/email/link_subject.txt", context).strip()
        body = render_to_string("selfreport/email/link_body.txt", context)
    with transaction.atomic():
        audit_record(request=request, action=Action.UPDATE, obj=link, actor=sent_by, detail="patient link emailed")
        # Sent inside the transaction: if the mail server refuses, no event claims it was sent.
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    return address


def patient_link_revoke(*, request: HttpRequest | None, link: PatientLink, revoked_by) -> PatientLink:
    """Stop a waiting link from opening. Raises LinkUnusable if it is not waiting."""
    with transaction.atomic():
        link = PatientLink.objects.select_for_update().get(pk=link.pk)
        state = link.state
        if state != LinkState.WAITING:
            raise LinkUnusable(state)
        link.revoked_at = timezone.now()
        link.revoked_by = revoked_by
        link.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(request=request, action=Action.UPDATE, obj=link, actor=revoked_by, detail="patient link revoked")
    return link


def patient_link_record_opened(*, request: HttpRequest | None, link: PatientLink) -> None:
    """Note in the trail that the start page was shown. Changes nothing about the link."""
    with transaction.atomic():
        _audit_patient_side(request, link, Action.VIEW, "patient link opened")


def patient_link_verify_dob(*, request: HttpRequest | None, link_id: int, date_of_birth: dt.date) -> DobCheck:
    """Check the date of birth the patient typed. The fifth wrong answer locks the link.

    Raises LinkUnusable if the link is not waiting.
    """
    with transaction.atomic():
        link = PatientLink.objects.select_for_update(of=("self",)).select_related("patient__clinic").get(pk=link_id)
        state = link.state
        if state != LinkState.WAITING:
            raise LinkUnusable(state)
        if date_of_birth == link.patient.date_of_birth:
            _audit_patient_side(request, link, Action.UPDATE, "patient link verified")
            return DobCheck.VERIFIED
        link.failed_dob_attempts += 1
        if link.failed_dob_attempts >= MAX_DOB_ATTEMPTS:
            link.locked_at = timezone.now()
        link.save(update_fields=["failed_dob_attempts", "locked_at"])
        if link.locked_at is not None:
            _audit_patient_side(request, link, Action.UPDATE, "patient link locked after wrong dates of birth")
            return DobCheck.LOCKED
        _audit_patient_side(request, link, Action.UPDATE, "patient link: wrong date of birth")
        return DobCheck.WRONG


def patient_link_redeem(
    *,
    request: HttpRequest | None,
    link_id: int,
    answers: dict[str, int],
    submission_id: uuid.UUID,
    last_use: LastUseGiven | None = None,
) -> tuple[Assessment, bool]:
    """Record the patient's answers through the link, exactly once, with their answer about last use.

    Returns (assessment, created). The same submission again (a double tap, a resubmitted page)
    returns the recorded assessment with created=False. Raises LinkUnusable if the link is not
    waiting (or was completed by another submission), InvalidAnswers if answers are missing or
    illegal (nothing saved), SubmissionConflict if the submission id belongs to another form.
    """
    with transaction.atomic():
        link = (
            PatientLink.objects.select_for_update(of=("self",))
            .select_related("patient__clinic", "assessment")
            .get(pk=link_id)
        )
        if link.assessment is not None:
            if link.assessment.submission_id == submission_id:
                return link.assessment, False
            raise LinkUnusable(LinkState.COMPLETED)
        state = link.state
        if state != LinkState.WAITING:
            raise LinkUnusable(state)
        now = timezone.now()
        assessment, created = assessment_submit(
            request=_PatientSide(request),
            patient=link.patient,
            instrument_code=link.instrument,
            answers=answers,
            taken_at=now,
            completed_by=CompletedBy.PATIENT,
            entered_by=None,
            submission_id=submission_id,
            last_use=last_use,
        )
        if not created:
            # An id from some earlier form: never attach an old assessment to this link.
            raise SubmissionConflict("This submission id was already used.")
        link.assessment = assessment
        link.completed_at = now
        link.save(update_fields=["assessment", "completed_at"])
        _audit_patient_side(request, link, Action.UPDATE, "patient link submitted")
    return assessment, True


def patient_links_expire(*, now: dt.datetime | None = None) -> int:
    """Mark every waiting link past its expiry as expired, with an audit event each; returns how many."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        lapsed = (
            PatientLink.objects.select_for_update(of=("self",))
            .select_related("patient__clinic")
            .filter(still_open(), past_expiry(now), expired_at__isnull=True)
        )
        for link in lapsed:
            link.expired_at = now
            link.save(update_fields=["expired_at"])
            _audit_patient_side(None, link, Action.UPDATE, "patient link expired unused")
            count += 1
    return count
