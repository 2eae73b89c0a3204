"""Session rows: ending someone's sessions is an indexed lookup, strangers cannot make rows at
will, and expired rows are removed by a command.
"""

from __future__ import annotations

import datetime as dt

import time_machine
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from clinic.accounts.sessions import sessions_end_for_user
from clinic.ops.models import SessionOwner
from tests.conftest import make_staff, signed_in
from tests.security.helpers import current_code, enrol, password_sign_in


def test_ending_a_persons_sessions_decodes_no_session_and_costs_the_same_for_many(
    alice, bob, monkeypatch, django_assert_max_num_queries
):
    mine = [signed_in(alice) for _ in range(3)]
    others = [signed_in(make_staff(alice.clinic, f"staff{n}", "clinician")) for n in range(30)] + [signed_in(bob)]

    def no_decoding(self, session_data):
        raise AssertionError("a session was decoded")

    monkeypatch.setattr(SessionBase, "decode", no_decoding)
    with django_assert_max_num_queries(4):
        assert sessions_end_for_user(alice) == 3
    monkeypatch.undo()
    for client in mine:
        assert client.get(reverse("patients:list"))["Location"].startswith(reverse("login"))
    assert all(client.get(reverse("patients:list")).status_code == 200 for client in others[-3:])
    assert not SessionOwner.objects.filter(user=alice).exists()


def test_the_owner_follows_the_session_through_every_new_key(client, alice, settings):
    settings.REQUIRE_2FA = True
    device = enrol(alice)
    password_sign_in(client, "alice")
    client.post(reverse("two_factor_verify"), {"code": current_code(device)})  # a new key again
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert list(SessionOwner.objects.values_list("session_key", "user_id")) == [(key, alice.pk)]
    client.post(reverse("logout"))
    assert not SessionOwner.objects.exists()


def test_choosing_a_language_on_a_patient_page_stores_no_session(db):
    for _ in range(5):
        response = Client().get(reverse("selfreport:thanks") + "?lang=es")
        assert response.status_code == 302
    assert Session.objects.count() == 0
    page = Client().get(reverse("selfreport:thanks"), HTTP_COOKIE="steady_patient_language=es")
    assert '<html lang="es">' in page.content.decode()


def test_over_the_limit_a_patient_page_answers_429_before_anything_else(db, settings):
    settings.PATIENT_LINK_RATE_PER_ADDRESS = 3
    answers = [Client().get(reverse("selfreport:thanks") + "?lang=es").status_code for _ in range(5)]
    assert answers == [302, 302, 302, 429, 429]
    assert Session.objects.count() == 0


def test_expire_sessions_removes_expired_sessions_and_their_owners(alice, bob, capsys):
    signed_in(alice)
    with time_machine.travel(dt.datetime.now(dt.UTC) - dt.timedelta(days=2)):
        signed_in(bob)  # long expired by now
    assert SessionOwner.objects.count() == 2
    call_command("expire_sessions")
    assert list(SessionOwner.objects.values_list("user_id", flat=True)) == [alice.pk]
    assert Session.objects.count() == 1
    assert "1 expired session(s) removed" in capsys.readouterr().out


def test_sessions_started_before_the_owner_table_get_their_owner_at_migration(alice, bob):
    from importlib import import_module

    from django.apps import apps
    from django.contrib.sessions.backends.db import SessionStore as PlainStore
    from django.utils import timezone

    backfill = import_module("clinic.ops.migrations.0002_session_owner_backfill").backfill
    later = timezone.now() + dt.timedelta(hours=1)
    for key, user in (("a" * 32, alice), ("b" * 32, None)):
        data = {"_auth_user_id": str(user.pk)} if user else {"selfreport_link": {"id": 1}}
        Session.objects.create(session_key=key, session_data=PlainStore().encode(data), expire_date=later)
    backfill(apps, None)
    assert list(SessionOwner.objects.values_list("session_key", "user_id")) == [("a" * 32, alice.pk)]
    assert sessions_end_for_user(alice) == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == ["b" * 32]
