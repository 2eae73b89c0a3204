"""Writing the audit trail. Call these inside the same transaction as the change they describe."""
from __future__ import annotations

from django.db import models
from django.http import HttpRequest

from clinic.audit.models import Action, AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    """The peer address. Behind a proxy, the proxy must set REMOTE_ADDR (see README)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    request: HttpRequest | None,
    action: str,
    obj: models.Model | None = None,
    patient_id: int | None = None,
    detail: str = "",
    actor=None,
    clinic=None,
    username: str = "",
) -> AuditEvent:
    """Append one event. The actor and clinic default to the signed-in user of `request`.

    `detail` must never carry clinical content: name the page, field set or export, not values.
    """
    user = getattr(request, "user", None)
    if actor is None and user is not None and user.is_authenticated:
        actor = user
    if actor is not None:
        clinic = clinic or actor.clinic
        username = username or actor.username
    if patient_id is None and obj is not None:
        patient_id = _patient_id_of(obj)
    return AuditEvent.objects.create(
        clinic=clinic,
        actor=actor,
        username=username[:150],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        patient_id=patient_id,
        detail=detail[:255],
        ip_address=client_ip(request),
    )


def _patient_id_of(obj: models.Model) -> int | None:
    if obj._meta.label_lower == "patients.patient":
        return obj.pk
    return getattr(obj, "patient_id", None)


__all__ = ["Action", "audit_record", "client_ip"]
