"""The audit chain's key: from the environment, rotated by id, required in production."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from clinic.audit.models import Action, AuditEvent
from clinic.audit.services import audit_record
from tests.audit.test_hash_chain import _tamper
from tests.security.test_settings import PRODUCTION, _run


def _verify() -> str:
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    return out.getvalue()


def _use_key(settings, key_id: str, key: str, old: dict[str, str] | None = None) -> None:
    settings.AUDIT_HMAC_KEY_ID, settings.AUDIT_HMAC_KEY = key_id, key
    settings.AUDIT_HMAC_KEYS = {key_id: key, **(old or {})}


def test_rows_carry_the_id_of_the_key_that_signed_them(settings, alice):
    _use_key(settings, "2026a", "first key " * 4)
    audit_record(request=None, action=Action.VIEW, actor=alice)
    assert AuditEvent.objects.get().key_id == "2026a"


def test_after_a_rotation_rows_signed_with_the_old_key_still_verify(settings, alice):
    _use_key(settings, "2026a", "first key " * 4)
    audit_record(request=None, action=Action.VIEW, actor=alice)
    _use_key(settings, "2026b", "second key " * 4, old={"2026a": "first key " * 4})
    audit_record(request=None, action=Action.VIEW, actor=alice)
    assert list(AuditEvent.objects.order_by("id").values_list("key_id", flat=True)) == ["2026a", "2026b"]
    assert _verify().startswith("OK: 2 audit event(s), chain intact.")


def test_dropping_an_old_key_too_soon_is_reported(settings, alice):
    _use_key(settings, "2026a", "first key " * 4)
    first = audit_record(request=None, action=Action.VIEW, actor=alice)
    _use_key(settings, "2026b", "second key " * 4)
    with pytest.raises(CommandError, match=f"id {first.pk}: it was signed with audit key id '2026a', which is not"):
        _verify()


def test_a_different_key_under_the_same_id_is_reported(settings, alice):
    row = audit_record(request=None, action=Action.VIEW, actor=alice)
    _use_key(settings, row.key_id, "someone else's key " * 3)
    with pytest.raises(CommandError, match=f"id {row.pk}: its content does not match"):
        _verify()


def test_rows_written_before_the_key_stay_verifiable_as_an_unkeyed_prefix(alice):
    from clinic.audit.chain import GENESIS, HASHED_FIELDS, event_hash

    old = [audit_record(request=None, action=Action.VIEW, actor=alice, detail=f"old {n}") for n in range(2)]
    # As migration 0003 left them: plain sha256, no key id.
    prev = GENESIS
    for row in AuditEvent.objects.filter(pk__in=[r.pk for r in old]).order_by("id"):
        plain = event_hash({name: getattr(row, name) for name in HASHED_FIELDS}, prev)
        _tamper(
            "UPDATE audit_auditevent SET prev_hash = %s, hash = %s, key_id = '' WHERE id = %s", [prev, plain, row.pk]
        )
        prev = plain
    newer = audit_record(request=None, action=Action.VIEW, actor=alice, detail="new")
    assert newer.prev_hash == prev and newer.key_id
    report = _verify()
    assert report.startswith("OK: 3 audit event(s), chain intact.")
    assert "The first 2 event(s) were written before the chain was keyed" in report


def test_production_refuses_to_start_without_the_audit_key():
    env = {name: value for name, value in PRODUCTION.items() if name != "AUDIT_HMAC_KEY"}
    result = _run(["-c", "import clinic.settings"], env)
    assert result.returncode != 0
    assert "AUDIT_HMAC_KEY is not set" in result.stderr


@pytest.mark.parametrize("key", ["short", "steady-development-only-audit-key"])
def test_production_refuses_a_weak_or_development_audit_key(key):
    result = _run(["-c", "import clinic.settings"], PRODUCTION | {"AUDIT_HMAC_KEY": key})
    assert result.returncode != 0
    assert "AUDIT_HMAC_KEY is too weak" in result.stderr


def test_old_keys_are_read_by_id_from_the_environment():
    probe = "from clinic import settings as s; print(sorted(s.AUDIT_HMAC_KEYS), s.AUDIT_HMAC_KEY_ID)"
    env = PRODUCTION | {"AUDIT_HMAC_KEY_ID": "2026b", "AUDIT_HMAC_OLD_KEYS": "2026a:" + "o" * 40 + ",2025:" + "p" * 40}
    result = _run(["-c", probe], env)
    assert result.stdout.strip() == "['2025', '2026a', '2026b'] 2026b", result.stderr


def test_a_malformed_old_key_list_is_refused():
    result = _run(["-c", "import clinic.settings"], PRODUCTION | {"AUDIT_HMAC_OLD_KEYS": "no-colon-here"})
    assert result.returncode != 0 and "AUDIT_HMAC_OLD_KEYS must list id:key pairs" in result.stderr
