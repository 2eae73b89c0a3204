"""Reads of the audit trail, always limited to the acting user's clinic."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from clinic.audit.models import Action, AuditEvent
from clinic.patients.models import Patient

# What a clinic admin (who sees no clinical records) may read of the trail: signing in and out,
# and changes to accounts, second factors, lockouts and the trail itself. Never a row about a patient.
ACCOUNT_ACTIONS = (Action.SIGN_IN, Action.SIGN_IN_FAILED, Action.SIGN_OUT, Action.UNLOCK)
ACCOUNT_OBJECT_TYPES = (
    "accounts.user",
    "accounts.clinic",
    "otp_totp.totpdevice",
    "otp_static.staticdevice",
    "axes.accessattempt",
    "audit.auditevent",
)


def audit_events_of_clinic(user) -> QuerySet[AuditEvent]:
    """The clinic's events the user may read: all of them for clinical roles, account events otherwise."""
    events = AuditEvent.objects.filter(clinic_id=user.clinic_id)
    if not user.sees_patients:
        events = events.filter(
            Q(action__in=ACCOUNT_ACTIONS) | Q(object_type__in=ACCOUNT_OBJECT_TYPES), patient_id__isnull=True
        )
    return events


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_events_search(user, *, person=None, patient: str = "", action: str = "", date_from=None, date_to=None):
    """The clinic's events matching the filters, newest first.

    `patient` is Steady's patient number or the clinic's record number for that patient; a
    patient of another clinic matches nothing, and so does any patient for a user who sees no
    patient records (a clinic admin may not learn who is a patient by searching).
    """
    events = audit_events_of_clinic(user)
    if patient and not user.sees_patients:
        return events.none()
    if person is not None:
        events = events.filter(actor_id=person.pk)
    if patient:
        ids = Patient.objects.filter(clinic_id=user.clinic_id, record_number__iexact=patient).values("pk")
        match = Q(patient_id__in=ids)
        if patient.isascii() and patient.isdigit() and len(patient) < 19:
            match |= Q(patient_id=int(patient))
        events = events.filter(match)
    if action:
        events = events.filter(action=action)
    if date_from:
        events = events.filter(created_at__gte=_start_of(date_from))
    if date_to:
        events = events.filter(created_at__lt=_start_of(date_to + dt.timedelta(days=1)))
    return events.order_by("-created_at", "-id")


def record_numbers_for(user, patient_ids) -> dict[int, str]:
    """Record numbers of the clinic's patients among `patient_ids` (one query)."""
    ids = {pid for pid in patient_ids if pid is not None}
    if not ids:
        return {}
    rows = Patient.objects.filter(clinic_id=user.clinic_id, pk__in=ids).values_list("pk", "record_number")
    return dict(rows)
