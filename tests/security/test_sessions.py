"""Sessions: a new key at sign-in, idle and absolute limits, and every way a session ends."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from clinic.accounts.models import Role
from clinic.audit.models import Action, AuditEvent
from tests.conftest import PASSWORD, signed_in
from tests.security.helpers import password_sign_in, session_cookie

START = dt.datetime(2026, 3, 2, 13, 0, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _sent_to_sign_in(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def _sessions_of(user) -> int:
    return sum(1 for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk))


def test_the_session_key_changes_at_sign_in(client, alice):
    session = client.session
    session["visited"] = True
    session.save()
    before = session_cookie(client)
    password_sign_in(client, "alice")
    assert session_cookie(client) != before
    assert not Session.objects.filter(session_key=before).exists()


def test_half_an_hour_without_activity_ends_the_session(alice, clock):
    client = signed_in(alice)
    clock.shift(dt.timedelta(minutes=29, seconds=59))
    assert client.get(reverse("patients:list")).status_code == 200
    clock.shift(dt.timedelta(minutes=30))
    response = client.get(reverse("patients:list"))
    assert _sent_to_sign_in(response)
    page = client.get(response["Location"])
    assert b"signed out after 30 minutes without activity" in page.content
    assert AuditEvent.objects.filter(action=Action.SIGN_OUT, actor=alice, detail="idle for 30 minutes").exists()


def test_activity_keeps_the_session_alive_but_never_past_twelve_hours(alice, clock):
    client = signed_in(alice)
    for _ in range(35):  # a request every 20 minutes: 11 h 40 min
        clock.shift(dt.timedelta(minutes=20))
        assert client.get(reverse("patients:list")).status_code == 200
    clock.shift(dt.timedelta(minutes=20))  # 12 h after sign-in
    assert _sent_to_sign_in(client.get(reverse("patients:list")))
    assert AuditEvent.objects.filter(action=Action.SIGN_OUT, detail="session limit of 12 hours reached").exists()


def test_signing_out_invalidates_the_old_cookie(alice):
    client = signed_in(alice)
    old_cookie = session_cookie(client)
    client.post(reverse("logout"))
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
    assert _sent_to_sign_in(thief.get(reverse("patients:list")))
    assert not Session.objects.filter(session_key=old_cookie).exists()


def test_a_deactivated_person_is_out_on_their_next_request(alice, carol_client):
    alice_client = signed_in(alice)
    assert alice_client.get(reverse("patients:list")).status_code == 200
    carol_client.post(
        reverse("staff_update", args=[alice.pk]),
        {"first_name": "Alice", "last_name": "Moreno", "email": "", "role": Role.CLINICIAN, "confirmed": "yes"},
    )
    assert _sessions_of(alice) == 0
    assert _sent_to_sign_in(alice_client.get(reverse("patients:list")))


def test_changing_your_password_signs_you_out_everywhere_else(alice):
    here, elsewhere = signed_in(alice), signed_in(alice)
    response = here.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-brand-new-passphrase",
            "new_password2": "a-brand-new-passphrase",
        },
    )
    assert response["Location"] == reverse("account")
    assert here.get(reverse("patients:list")).status_code == 200
    assert _sent_to_sign_in(elsewhere.get(reverse("patients:list")))
    assert _sessions_of(alice) == 1
    assert AuditEvent.objects.filter(action=Action.UPDATE, detail="password changed; 1 other session(s) ended").exists()


def test_a_password_changed_behind_the_sessions_back_still_ends_it(alice):
    # Django's session auth hash: even without our session cleanup, the old session is refused.
    client = signed_in(alice)
    alice.set_password("changed-by-someone-else")
    alice.save()
    assert _sent_to_sign_in(client.get(reverse("patients:list")))


def test_the_password_change_form_refuses_a_wrong_old_password_or_a_weak_new_one(alice_client, alice):
    response = alice_client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "michaeljackson", "new_password2": "michaeljackson"},
    )
    assert response.status_code == 200
    assert b"Your old password was entered incorrectly" in response.content
    response = alice_client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "michaeljackson", "new_password2": "michaeljackson"},
    )
    assert b"too common" in response.content
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_session_and_csrf_cookies_are_httponly_and_samesite(client, alice):
    client.get(reverse("login"))
    csrf = client.cookies[settings.CSRF_COOKIE_NAME]
    password_sign_in(client, "alice")
    session = client.cookies[settings.SESSION_COOKIE_NAME]
    for cookie in (csrf, session):
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"
        assert cookie["path"] == "/"
        assert not cookie["domain"]
    # Dies with the browser: no Max-Age on the session cookie.
    assert not session["max-age"]
