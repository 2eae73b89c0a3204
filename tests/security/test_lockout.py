"""Lockout after repeated failures, per username and address, with a cool-off and an unlock."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse

from clinic.audit.models import Action, AuditEvent
from tests.security.helpers import password_sign_in

START = dt.datetime(2026, 3, 2, 14, 0, 0, tzinfo=dt.UTC)
CLINIC_WIFI = "10.0.0.7"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _fail(client, username: str, times: int, address: str = CLINIC_WIFI):
    response = None
    for attempt in range(times):
        response = password_sign_in(client, username, f"not-the-password-{attempt}", REMOTE_ADDR=address)
    return response


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_four_wrong_passwords_still_allow_the_right_one(client, alice, clock):
    _fail(client, "alice", 4)
    password_sign_in(client, "alice", REMOTE_ADDR=CLINIC_WIFI)
    assert _signed_in(client)


def test_the_fifth_wrong_password_locks_out_with_a_page_that_says_when_to_try_again(client, alice, clock):
    response = _fail(client, "alice", 5)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Signing in is paused" in body
    # 14:00 UTC is 09:00 in New York; the pause ends 15 minutes later.
    assert "09:15" in body
    assert body.count("<h1") == 1


def test_a_locked_out_person_is_refused_even_with_the_right_password(client, alice, clock):
    _fail(client, "alice", 5)
    response = password_sign_in(client, "alice", REMOTE_ADDR=CLINIC_WIFI)
    assert response.status_code == 429
    assert not _signed_in(client)
    event = AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED).order_by("-id").first()
    assert event.detail == "refused: locked out"


def test_the_lockout_is_audited(client, alice, clock):
    _fail(client, "alice", 5)
    assert AuditEvent.objects.filter(
        action=Action.SIGN_IN_FAILED, username="alice", detail="locked out after 5 failures"
    ).exists()


def test_the_same_person_from_another_address_is_not_locked_out(client, alice, clock):
    _fail(client, "alice", 5, address="203.0.113.9")  # someone guessing from elsewhere
    password_sign_in(client, "alice", REMOTE_ADDR=CLINIC_WIFI)
    assert _signed_in(client)


def test_a_colleague_on_the_same_clinic_network_is_not_locked_out(client, alice, erin, clock):
    _fail(client, "alice", 5)
    password_sign_in(client, "erin", REMOTE_ADDR=CLINIC_WIFI)
    assert _signed_in(client)


def test_after_the_cool_off_the_right_password_works_again(client, alice, clock):
    _fail(client, "alice", 5)
    clock.shift(dt.timedelta(minutes=14, seconds=59))
    assert password_sign_in(client, "alice", REMOTE_ADDR=CLINIC_WIFI).status_code == 429
    clock.shift(dt.timedelta(seconds=2))
    password_sign_in(client, "alice", REMOTE_ADDR=CLINIC_WIFI)
    assert _signed_in(client)


def test_tries_during_the_lockout_do_not_extend_it(client, alice, clock):
    _fail(client, "alice", 5)
    clock.shift(dt.timedelta(minutes=10))
    _fail(client, "alice", 3)
    clock.shift(dt.timedelta(minutes=5, seconds=1))
    password_sign_in(client, "alice", REMOTE_ADDR=CLINIC_WIFI)
    assert _signed_in(client)


def test_a_supervisor_sees_the_lockouts_of_her_clinic_only(client, bob_client, alice, dave, clock):
    _fail(client, "alice", 5)
    _fail(client, "dave", 5)
    _fail(client, "nobody-here", 5)
    body = bob_client.get(reverse("lockout_list")).content.decode()
    assert "alice" in body and CLINIC_WIFI in body and "Locked until 09:15" in body
    assert "dave" not in body and "nobody-here" not in body


def test_a_clinic_admin_also_sees_lockouts_but_a_clinician_does_not(carol_client, alice_client):
    assert carol_client.get(reverse("lockout_list")).status_code == 200
    assert alice_client.get(reverse("lockout_list")).status_code == 403


def test_a_supervisor_lifts_a_lockout_and_it_is_audited(client, bob_client, bob, alice, clock):
    _fail(client, "alice", 5)
    attempt = AccessAttempt.objects.get(username="alice")
    response = bob_client.post(reverse("lockout_unlock", args=[attempt.pk]))
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="alice").exists()
    password_sign_in(client, "alice", REMOTE_ADDR=CLINIC_WIFI)
    assert _signed_in(client)
    event = AuditEvent.objects.get(action=Action.UNLOCK)
    assert event.actor == bob and event.object_id == str(alice.pk) and CLINIC_WIFI in event.detail


def test_unlocking_rejects_get(bob_client, client, alice, clock):
    _fail(client, "alice", 5)
    attempt = AccessAttempt.objects.get(username="alice")
    assert bob_client.get(reverse("lockout_unlock", args=[attempt.pk])).status_code == 405
    assert AccessAttempt.objects.filter(username="alice").exists()


def test_a_supervisor_of_another_clinic_cannot_unlock(client, alice, other_clinic, clock):
    from tests.conftest import make_staff, signed_in

    other_supervisor = make_staff(other_clinic, "hank", "supervisor")
    _fail(client, "alice", 5)
    attempt = AccessAttempt.objects.get(username="alice")
    assert signed_in(other_supervisor).post(reverse("lockout_unlock", args=[attempt.pk])).status_code == 404
    assert AccessAttempt.objects.filter(username="alice").exists()


def test_an_over_long_username_is_refused_by_the_form_not_by_the_database(client, db):
    response = password_sign_in(client, "a" * 300, "whatever")
    assert response.status_code == 200
    assert b"at most 150 characters" in response.content
    assert not AccessAttempt.objects.exists()
