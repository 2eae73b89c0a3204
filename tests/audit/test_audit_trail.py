from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from clinic.audit.models import Action, AuditEvent
from clinic.audit.services import audit_record
from tests.conftest import PASSWORD


def test_signing_in_and_out_is_audited_with_the_address(client, alice):
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    client.post(reverse("logout"))
    events = list(AuditEvent.objects.order_by("id").values_list("action", "actor__username", "ip_address"))
    assert events == [(Action.SIGN_IN, "alice", "10.1.2.3"), (Action.SIGN_OUT, "alice", "127.0.0.1")]


def test_a_failed_sign_in_is_audited_with_the_name_typed_and_the_clinic(client, alice):
    client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    event = AuditEvent.objects.get(action=Action.SIGN_IN_FAILED)
    assert event.username == "alice" and event.clinic == alice.clinic and event.actor is None


def test_the_orm_refuses_to_change_or_delete_an_audit_event(alice):
    event = audit_record(request=None, action=Action.VIEW, actor=alice)
    event.detail = "tampered"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET detail = 'tampered'",
        "DELETE FROM audit_auditevent",
    ],
)
def test_postgresql_itself_refuses_to_change_or_delete_audit_rows(alice, statement):
    audit_record(request=None, action=Action.VIEW, actor=alice, detail="original")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEvent.objects.get().detail == "original"


def test_queryset_bulk_delete_is_refused_on_postgresql_too(alice):
    audit_record(request=None, action=Action.VIEW, actor=alice)
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 1


def test_an_audit_event_saved_around_audit_record_is_refused(alice):
    with pytest.raises(ValueError, match="audit_record"):
        AuditEvent.objects.create(actor=alice, clinic=alice.clinic, action=Action.VIEW)
