"""Writing the audit trail. Call these inside the same transaction as the change they describe."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.db import connection, models, transaction
from django.http import HttpRequest

from clinic.audit.chain import GENESIS, HASHED_FIELDS, event_mac
from clinic.audit.models import Action, AuditEvent

# Any constant will do: every append takes the same PostgreSQL advisory lock.
_CHAIN_LOCK_KEY = 0x57EAD1A0


def client_ip(request: HttpRequest | None) -> str | None:
    """The peer address. Behind a proxy, the proxy must set REMOTE_ADDR (see README)."""
    if request is None:
        return None
    raw = request.META.get("REMOTE_ADDR") or ""
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


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
    object_type: str = "",
    object_id: str = "",
) -> AuditEvent:
    """Append one event, chained to the one before it and signed with the current audit key. Actor and clinic default to the signed-in user.

    `detail` must never carry clinical content: name the page, field set or export, not values.
    `object_type` and `object_id` name something that is not a model row (a guidance page).

    On PostgreSQL the append holds the chain's advisory lock until the surrounding transaction
    ends, so call this as the last write of a transaction: a transaction that goes on to wait
    for rows another one holds could otherwise deadlock with it.
    """
    user = getattr(request, "user", None)
    if actor is None and user is not None and user.is_authenticated:
        actor = user
    if actor is not None:
        clinic = clinic or actor.clinic
        username = username or actor.username
    if patient_id is None and obj is not None:
        patient_id = _patient_id_of(obj)
    event = AuditEvent(
        clinic=clinic,
        actor=actor,
        username=username[:150],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else object_type,
        object_id=str(obj.pk) if obj is not None else object_id,
        patient_id=patient_id,
        detail=detail[:255],
        ip_address=client_ip(request),
    )
    _normalise(event)
    with transaction.atomic():
        event.prev_hash = _lock_chain_and_read_last_hash()
        event.key_id = settings.AUDIT_HMAC_KEY_ID
        event.hash = event_mac(
            {name: getattr(event, name) for name in HASHED_FIELDS},
            event.prev_hash,
            key_id=event.key_id,
            key=settings.AUDIT_HMAC_KEY,
        )
        event.save(force_insert=True)
    return event


def _lock_chain_and_read_last_hash() -> str:
    """Serialize appends: on PostgreSQL an advisory lock held until the transaction ends.

    SQLite allows one writer at a time, so it needs no lock of its own.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    return last or GENESIS


def _normalise(event: AuditEvent) -> None:
    """Store exactly what is hashed: each value as the database will give it back."""
    for name in HASHED_FIELDS:
        field = event._meta.get_field(name)  # also finds a foreign key by its "_id" name
        value = getattr(event, name)
        if value is None:
            continue
        target = field.target_field if field.is_relation else field
        setattr(event, name, target.to_python(value))


def _patient_id_of(obj: models.Model) -> int | None:
    """The patient a record is about, as the record itself says: its `audit_patient_id` if it
    has one (a patient record names itself), else its `patient_id`. The trail knows no domain."""
    if hasattr(obj, "audit_patient_id"):
        return obj.audit_patient_id
    return getattr(obj, "patient_id", None)


__all__ = ["Action", "audit_record", "client_ip"]
