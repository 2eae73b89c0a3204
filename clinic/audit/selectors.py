"""Reads of the audit trail, always limited to the acting user's clinic."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from clinic.audit.models import AuditEvent
from clinic.patients.models import Patient


def audit_events_of_clinic(user) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(clinic_id=user.clinic_id)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_events_search(user, *, person=None, patient: str = "", action: str = "", date_from=None, date_to=None):
    """The clinic's events matching the filters, newest first.

    `patient` is Steady's patient number or the clinic's record number for that patient; a
    patient of another clinic matches nothing.
    """
    events = audit_events_of_clinic(user)
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
