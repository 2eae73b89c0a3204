"""Each audit row is chained to the one before it under a key; the command finds the first broken link.

The head recorded outside the table is in tests/audit/test_audit_head.py, keys and rotation in
tests/audit/test_audit_keys.py.
"""

from __future__ import annotations

from contextlib import contextmanager
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from clinic.audit.chain import GENESIS, HASHED_FIELDS, event_hash, event_mac
from clinic.audit.models import Action, AuditEvent
from clinic.audit.services import audit_record


@contextmanager
def _around_the_trigger():
    """What an attacker with database access would do: switch the append-only trigger off."""
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            # The test's own transaction holds deferred foreign-key checks; ALTER TABLE wants none.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_update_or_delete")
    try:
        yield
    finally:
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_no_update_or_delete")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _tamper(sql: str, params: list) -> None:
    with _around_the_trigger(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def trail(alice, bob, patient) -> list[AuditEvent]:
    return [
        audit_record(request=None, action=Action.VIEW, actor=alice, obj=patient, detail="patient page"),
        audit_record(request=None, action=Action.UPDATE, actor=alice, obj=patient, detail="changed status"),
        audit_record(request=None, action=Action.VIEW, actor=bob, obj=patient, detail="patient page"),
        audit_record(request=None, action=Action.EXPORT, actor=bob, detail="audit trail CSV; no filters"),
    ]


def _verify() -> str:
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    return out.getvalue()


def test_each_row_links_to_the_one_before_it(trail):
    assert trail[0].prev_hash == GENESIS
    for before, after in zip(trail, trail[1:], strict=False):
        assert after.prev_hash == before.hash


def test_the_stored_hash_covers_the_fields_as_read_back_from_the_database(trail):
    for event in AuditEvent.objects.order_by("id"):
        values = {name: getattr(event, name) for name in HASHED_FIELDS}
        key_id = settings.AUDIT_HMAC_KEY_ID
        assert event.key_id == key_id
        assert event_mac(values, event.prev_hash, key_id=key_id, key=settings.AUDIT_HMAC_KEY) == event.hash


def test_an_untouched_trail_verifies_with_its_count(trail):
    assert _verify().startswith("OK: 4 audit event(s), chain intact.\n")


def test_an_empty_trail_verifies(db):
    assert "OK: 0 audit event(s)" in _verify()


def test_a_changed_detail_is_reported_at_that_row(trail):
    _tamper("UPDATE audit_auditevent SET detail = %s WHERE id = %s", ["nothing to see", trail[1].pk])
    with pytest.raises(CommandError, match=f"BROKEN: audit event id {trail[1].pk}: its content"):
        _verify()


def _rehash_forward_without_the_key(from_index: int, trail, *, key_id: str, key: str | None) -> None:
    """What a forger with database access but not the key does: recompute every hash from a row on."""
    rows = list(AuditEvent.objects.order_by("id"))
    prev = rows[from_index - 1].hash if from_index else GENESIS
    for row in rows[from_index:]:
        values = {name: getattr(row, name) for name in HASHED_FIELDS}
        new = event_mac(values, prev, key_id=key_id, key=key) if key else event_hash(values, prev)
        _tamper(
            "UPDATE audit_auditevent SET prev_hash = %s, hash = %s, key_id = %s WHERE id = %s",
            [prev, new, key_id, row.pk],
        )
        prev = new


def test_a_changed_actor_with_a_recomputed_hash_is_reported_at_the_next_row(trail, erin):
    # A forger recomputes the row's own hash (without the key, it does not match anyway), but the
    # next row still points at the old one.
    row = AuditEvent.objects.get(pk=trail[1].pk)
    values = {name: getattr(row, name) for name in HASHED_FIELDS} | {"actor_id": erin.pk, "username": "erin"}
    forged = event_hash(values, row.prev_hash)
    _tamper(
        "UPDATE audit_auditevent SET actor_id = %s, username = %s, hash = %s WHERE id = %s",
        [erin.pk, "erin", forged, row.pk],
    )
    with pytest.raises(CommandError, match=f"BROKEN: audit event id {trail[1].pk}: its content"):
        _verify()


def test_an_edited_row_rehashed_forward_with_plain_sha256_is_reported(trail):
    # The attack that passed before the chain was keyed: edit, then recompute every hash after it.
    _tamper("UPDATE audit_auditevent SET detail = %s WHERE id = %s", ["nothing to see", trail[1].pk])
    _rehash_forward_without_the_key(1, trail, key_id="", key=None)
    with pytest.raises(CommandError, match=f"BROKEN: audit event id {trail[1].pk}: it is unkeyed but comes after"):
        _verify()


def test_an_edited_row_rehashed_forward_under_a_guessed_key_is_reported(trail):
    _tamper("UPDATE audit_auditevent SET detail = %s WHERE id = %s", ["nothing to see", trail[1].pk])
    _rehash_forward_without_the_key(1, trail, key_id=settings.AUDIT_HMAC_KEY_ID, key="a guess")
    with pytest.raises(CommandError, match=f"BROKEN: audit event id {trail[1].pk}: its content"):
        _verify()


def test_a_whole_trail_rehashed_as_unkeyed_is_reported_against_the_recorded_head(trail):
    call_command("record_audit_head", stdout=StringIO())
    _tamper("UPDATE audit_auditevent SET detail = %s WHERE id = %s", ["nothing to see", trail[1].pk])
    _rehash_forward_without_the_key(0, trail, key_id="", key=None)
    with pytest.raises(CommandError, match="BROKEN: event number 4 no longer has the hash recorded"):
        _verify()


def test_a_deleted_row_is_reported_at_the_row_after_it(trail):
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [trail[2].pk])
    with pytest.raises(CommandError, match=f"BROKEN: audit event id {trail[3].pk}"):
        _verify()


def test_a_deleted_first_row_is_reported(trail):
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [trail[0].pk])
    with pytest.raises(CommandError, match=f"BROKEN: audit event id {trail[1].pk}"):
        _verify()


def test_the_command_exits_non_zero_when_broken(trail):
    from django.core.management import execute_from_command_line

    _tamper("UPDATE audit_auditevent SET ip_address = %s WHERE id = %s", ["10.6.6.6", trail[0].pk])
    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "verify_audit_chain"])
    assert exit_info.value.code == 1


def test_the_database_refuses_a_fork_in_the_chain(trail, alice):
    # Two rows claiming the same predecessor would mean two appends raced past the lock.
    fork = AuditEvent(actor=alice, action=Action.VIEW, prev_hash=trail[-1].prev_hash, hash="f" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        fork.save(force_insert=True)


def test_addresses_are_stored_as_hashed_whatever_their_spelling(alice, rf):
    request = rf.get("/", REMOTE_ADDR="2001:DB8:0:0:0:0:0:1")
    audit_record(request=request, action=Action.VIEW, actor=alice)
    request = rf.get("/", REMOTE_ADDR="not an address")
    audit_record(request=request, action=Action.VIEW, actor=alice)
    assert list(AuditEvent.objects.order_by("id").values_list("ip_address", flat=True)) == ["2001:db8::1", None]
    assert "OK: 2" in _verify()


def test_a_string_patient_id_is_stored_and_hashed_as_a_number(alice):
    audit_record(request=None, action=Action.VIEW, actor=alice, patient_id="42")
    assert AuditEvent.objects.get().patient_id == 42
    assert "OK: 1" in _verify()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_the_trigger_is_back_on_after_tampering(trail):
    from django.db.utils import DatabaseError

    _tamper("UPDATE audit_auditevent SET detail = %s WHERE id = %s", ["x", trail[0].pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET detail = 'y'")


def test_the_migration_chains_rows_written_before_the_chain_existed(trail):
    from importlib import import_module

    from django.apps import apps

    _tamper("UPDATE audit_auditevent SET prev_hash = 'old-' || id, hash = 'unset-' || id, key_id = ''", [])
    with pytest.raises(CommandError):
        _verify()
    from types import SimpleNamespace

    migration = import_module("clinic.audit.migrations.0003_hash_chain")

    def execute(sql, params=None):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    migration.chain_existing_rows(apps, SimpleNamespace(connection=connection, execute=execute))
    report = _verify()
    assert "OK: 4" in report
    assert "The first 4 event(s) were written before the chain was keyed" in report


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time anyway")
def test_concurrent_appends_still_form_one_chain(transactional_db, clinic):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def append_ten(worker: int) -> None:
        try:
            for n in range(10):
                with transaction.atomic():
                    audit_record(request=None, action=Action.VIEW, clinic=clinic, username=f"w{worker}", detail=str(n))
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(append_ten, range(4)))
    assert "OK: 40 audit event(s)" in _verify()
