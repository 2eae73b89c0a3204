"""Account-wide slowdown: many failed sign-ins for one account from many addresses (hole 8)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from clinic.audit.models import Action, AuditEvent
from tests.security.helpers import password_sign_in

START = dt.datetime(2026, 3, 2, 14, 0, 0, tzinfo=dt.UTC)
# Ten failures from three addresses, never five from one, so django-axes never locks a pair.
SPREAD = [("198.51.100.1", 4), ("198.51.100.2", 3), ("198.51.100.3", 3)]
SLOWED = "This account has had many failed sign-ins"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _spread_failures(client, username: str, spread=SPREAD) -> None:
    for address, times in spread:
        for attempt in range(times):
            password_sign_in(client, username, f"guess-{address}-{attempt}", REMOTE_ADDR=address)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_after_many_failures_from_many_addresses_even_the_right_password_waits(client, alice, clock):
    _spread_failures(client, "alice")
    response = password_sign_in(client, "alice", REMOTE_ADDR="203.0.113.9")
    assert not _signed_in(client)
    assert SLOWED in response.content.decode()
    # 14:00 UTC is 09:00 in New York; one try a minute.
    assert "Try again after 09:01:00" in response.content.decode()
    last = AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED).order_by("-id").first()
    assert last.detail == "refused: account slowed down"


def test_one_try_a_minute_is_still_accepted(client, alice, clock):
    _spread_failures(client, "alice")
    clock.shift(dt.timedelta(seconds=61))
    password_sign_in(client, "alice", REMOTE_ADDR="203.0.113.9")
    assert _signed_in(client)


def test_refused_tries_do_not_push_the_next_accepted_try_back(client, alice, clock):
    _spread_failures(client, "alice")
    for _ in range(5):
        clock.shift(dt.timedelta(seconds=10))
        password_sign_in(client, "alice", "another guess", REMOTE_ADDR="203.0.113.9")
    clock.shift(dt.timedelta(seconds=11))
    password_sign_in(client, "alice", REMOTE_ADDR="203.0.113.10")
    assert _signed_in(client)


def test_many_failures_from_two_addresses_leave_the_account_to_the_per_address_lockout(client, alice, clock):
    _spread_failures(client, "alice", [("198.51.100.1", 5), ("198.51.100.2", 5)])
    password_sign_in(client, "alice", REMOTE_ADDR="203.0.113.9")
    assert _signed_in(client)


def test_failures_older_than_the_window_do_not_count(client, alice, clock):
    _spread_failures(client, "alice", SPREAD[:2])
    clock.shift(dt.timedelta(minutes=61))
    _spread_failures(client, "alice", SPREAD[2:])
    password_sign_in(client, "alice", REMOTE_ADDR="203.0.113.9")
    assert _signed_in(client)


def test_the_person_is_emailed_once_without_detail(client, alice, clock):
    alice.email = "alice@riverside.example"
    alice.save(update_fields=["email"])
    _spread_failures(client, "alice")
    clock.shift(dt.timedelta(seconds=61))
    password_sign_in(client, "alice", "yet another guess", REMOTE_ADDR="203.0.113.9")
    (message,) = mail.outbox
    assert message.to == ["alice@riverside.example"]
    assert "many times with a wrong password" in message.body
    for detail in ("198.51.100", "203.0.113", "10 ", "guess-"):
        assert detail not in message.body
    event = AuditEvent.objects.get(detail__startswith="account-wide slowdown started")
    assert event.detail.endswith("the person was emailed") and event.object_id == str(alice.pk)
    assert event.clinic_id == alice.clinic_id


def test_an_unknown_username_is_slowed_down_the_same_way(client, db, clock):
    _spread_failures(client, "nobody-here")
    response = password_sign_in(client, "nobody-here", REMOTE_ADDR="203.0.113.9")
    assert SLOWED in response.content.decode()
    assert mail.outbox == []


def test_another_account_is_not_slowed_down(client, alice, bob, clock):
    _spread_failures(client, "alice")
    password_sign_in(client, "bob", REMOTE_ADDR="198.51.100.1")
    assert _signed_in(client)
