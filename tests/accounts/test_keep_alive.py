"""Staying signed in on purpose: the idle warning's button reaches a POST-only, CSRF-checked endpoint."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from clinic.accounts import sessions

KEEP_ALIVE = reverse("keep_alive")


def test_staying_signed_in_counts_as_activity(alice_client, settings):
    session = alice_client.session
    session[sessions.LAST_SEEN] = sessions.now_seconds() - 20 * 60
    session.save()
    response = alice_client.post(KEEP_ALIVE)
    assert response.status_code == 200 and response.json() == {"idle_seconds": settings.SESSION_IDLE_SECONDS}
    assert sessions.now_seconds() - alice_client.session[sessions.LAST_SEEN] < 5


def test_it_cannot_revive_a_session_that_already_ended(alice_client, settings):
    session = alice_client.session
    session[sessions.LAST_SEEN] = sessions.now_seconds() - settings.SESSION_IDLE_SECONDS - 1
    session.save()
    response = alice_client.post(KEEP_ALIVE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_it_refuses_get(alice_client):
    assert alice_client.get(KEEP_ALIVE).status_code == 405


def test_it_needs_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(KEEP_ALIVE).status_code == 403


def test_every_signed_in_staff_page_tells_the_script_the_idle_limit(alice_client, settings):
    page = alice_client.get(reverse("patients:list")).content.decode()
    assert f'data-idle-seconds="{settings.SESSION_IDLE_SECONDS}"' in page
    assert f'data-keep-alive-url="{KEEP_ALIVE}"' in page
    assert '<script src="/static/js/steady.js" defer></script>' in page


def test_the_sign_in_page_names_no_user(client):
    assert b"data-user=" not in client.get(reverse("login")).content
