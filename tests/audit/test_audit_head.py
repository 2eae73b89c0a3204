"""The chain's head is recorded outside the table, so a shortened or emptied trail is reported broken."""

from __future__ import annotations

import json
import logging
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from clinic.audit.models import Action
from clinic.audit.services import audit_record
from tests.audit.test_hash_chain import _tamper


@pytest.fixture
def trail(alice, patient):
    return [
        audit_record(request=None, action=Action.VIEW, actor=alice, obj=patient, detail=f"page {n}") for n in range(5)
    ]


def _run(command: str) -> str:
    out = StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


def _heads() -> list[dict]:
    return [json.loads(line) for line in settings.AUDIT_HEAD_FILE.read_text().splitlines()]


def test_recording_the_head_appends_count_and_last_hash_to_the_head_file(trail):
    assert "Recorded audit head: 5 event(s)" in _run("record_audit_head")
    (head,) = _heads()
    assert head["count"] == 5 and head["hash"] == trail[-1].hash
    assert head["key_id"] == settings.AUDIT_HMAC_KEY_ID and len(head["mac"]) == 64


def test_the_head_also_goes_to_the_log(trail, caplog):
    with caplog.at_level(logging.INFO, logger="clinic.audit.head"):
        _run("record_audit_head")
    assert any(trail[-1].hash in record.getMessage() for record in caplog.records)


def test_every_verification_records_the_head(trail):
    _run("verify_audit_chain")
    audit_record(request=None, action=Action.VIEW, actor=trail[0].actor, detail="one more")
    _run("verify_audit_chain")
    assert [head["count"] for head in _heads()] == [5, 6]


def test_a_first_verification_says_that_removal_could_not_be_checked(trail):
    assert "No head was recorded before this check" in _run("verify_audit_chain")
    assert "No head was recorded" not in _run("verify_audit_chain")


def test_a_trail_that_grew_since_the_head_verifies(trail, alice):
    _run("record_audit_head")
    audit_record(request=None, action=Action.VIEW, actor=alice, detail="later")
    assert _run("verify_audit_chain").startswith("OK: 6 audit event(s), chain intact.")


def test_deleting_the_newest_rows_is_reported_broken(trail):
    _run("record_audit_head")
    _tamper("DELETE FROM audit_auditevent WHERE id >= %s", [trail[3].pk])
    with pytest.raises(CommandError, match="BROKEN: the trail has 3 event.s. but 5 were recorded"):
        _run("verify_audit_chain")


def test_emptying_the_table_is_reported_broken(trail):
    _run("record_audit_head")
    # TRUNCATE on PostgreSQL; SQLite has none, and an unqualified DELETE is its equivalent.
    sql = "TRUNCATE audit_auditevent" if connection.vendor == "postgresql" else "DELETE FROM audit_auditevent"
    _tamper(sql, [])
    with pytest.raises(CommandError, match="BROKEN: the trail has 0 event.s. but 5 were recorded"):
        _run("verify_audit_chain")


def test_a_broken_trail_does_not_get_its_head_recorded(trail):
    _run("record_audit_head")
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [trail[-1].pk])
    with pytest.raises(CommandError, match="Head not recorded"):
        _run("record_audit_head")
    with pytest.raises(CommandError):
        _run("verify_audit_chain")
    assert [head["count"] for head in _heads()] == [5]


def test_a_head_written_without_the_key_is_not_believed(trail):
    _run("record_audit_head")
    _tamper("DELETE FROM audit_auditevent WHERE id >= %s", [trail[3].pk])
    forged = _heads()[-1] | {"count": 3, "hash": trail[2].hash}
    with settings.AUDIT_HEAD_FILE.open("a") as file:
        file.write(json.dumps(forged) + "\n")
    with pytest.raises(CommandError, match="signature does not match"):
        _run("verify_audit_chain")


def test_an_unreadable_head_file_is_reported(trail):
    settings.AUDIT_HEAD_FILE.write_text("not json\n")
    with pytest.raises(CommandError, match="is not a recorded head"):
        _run("verify_audit_chain")
