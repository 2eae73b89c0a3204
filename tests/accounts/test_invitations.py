"""Invitations: the admin gives name, email and role; the person chooses the password, then enrols."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from clinic.accounts.models import AccountLink, Role, User
from clinic.audit.models import Action, AuditEvent
from tests.security.helpers import password_sign_in

NEW_PASSWORD = "a-long-enough-passphrase"
START = dt.datetime(2026, 3, 2, 14, 0, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _invite(carol_client, email: str = "frank@riverside.example", role: str = Role.CLINICIAN):
    return carol_client.post(
        reverse("staff_invite"), {"first_name": "Frank", "last_name": "Osei", "email": email, "role": role}
    )


def _link_in(message) -> str:
    (url,) = re.findall(r"https?://\S+/account/set-password/\S+/", message.body)
    return urlsplit(url).path


def _set_password(client, path: str, password: str = NEW_PASSWORD):
    return client.post(path, {"new_password1": password, "new_password2": password})


def test_an_invitation_adds_the_person_without_a_password_and_emails_a_link(carol_client, carol):
    response = _invite(carol_client)
    assert response.status_code == 302
    frank = User.objects.get(email="frank@riverside.example")
    assert frank.clinic == carol.clinic and frank.role == Role.CLINICIAN
    assert frank.username == "frank@riverside.example" and not frank.has_usable_password()
    (message,) = mail.outbox
    assert message.to == ["frank@riverside.example"] and "/account/set-password/" in message.body
    assert "72 hours" in message.body
    assert AuditEvent.objects.filter(action=Action.CREATE, object_id=str(frank.pk), actor=carol).exists()


def test_only_a_hash_of_the_link_is_stored(carol_client):
    _invite(carol_client)
    token = _link_in(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    link = AccountLink.objects.get()
    assert token not in link.token_hash and len(link.token_hash) == 64
    assert not AccountLink.objects.filter(token_hash=token).exists()


def test_opening_the_link_shows_a_form_and_uses_nothing(carol_client, client):
    _invite(carol_client)
    path = _link_in(mail.outbox[0])
    for _ in range(3):  # a mail scanner following the link, then the person
        page = client.get(path)
        assert page.status_code == 200 and b"Welcome to Steady" in page.content
        assert page["Referrer-Policy"] == "no-referrer"
    assert AccountLink.objects.get().used_at is None


def test_the_person_sets_a_password_then_signs_in_and_must_enrol_a_second_factor(carol_client, client, settings):
    _invite(carol_client)
    settings.REQUIRE_2FA = True
    response = _set_password(client, _link_in(mail.outbox[0]))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    frank = User.objects.get(email="frank@riverside.example")
    assert frank.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(actor=frank, detail__startswith="password set from an invitation link").exists()
    password_sign_in(client, "frank@riverside.example", NEW_PASSWORD)
    assert client.get(reverse("patients:list"))["Location"].startswith(reverse("two_factor_enrol"))


def test_the_link_works_once(carol_client, client):
    _invite(carol_client)
    path = _link_in(mail.outbox[0])
    _set_password(client, path)
    again = _set_password(client, path, "another-long-passphrase")
    assert again.status_code == 404 and b"This link no longer works" in again.content
    assert client.get(path).status_code == 404
    assert User.objects.get(email="frank@riverside.example").check_password(NEW_PASSWORD)


def test_the_link_expires_after_72_hours(carol_client, client, clock):
    _invite(carol_client)
    path = _link_in(mail.outbox[0])
    clock.shift(dt.timedelta(hours=72, seconds=1))
    assert _set_password(client, path).status_code == 404
    assert not User.objects.get(email="frank@riverside.example").has_usable_password()


def test_a_weak_password_is_refused_next_to_the_field_and_the_link_stays_usable(carol_client, client):
    _invite(carol_client)
    path = _link_in(mail.outbox[0])
    response = _set_password(client, path, "password")
    assert response.status_code == 200 and response.context["form"].errors
    assert AccountLink.objects.get().used_at is None


def test_a_link_of_a_deactivated_person_no_longer_works(carol_client, client):
    _invite(carol_client)
    User.objects.filter(email="frank@riverside.example").update(is_active=False)
    assert client.get(_link_in(mail.outbox[0])).status_code == 404


def test_an_invented_token_opens_nothing(client, db):
    assert client.get(reverse("password_set", kwargs={"token": "x" * 43})).status_code == 404


def test_an_email_already_on_steady_is_refused(carol_client, alice):
    alice.email = "alice@riverside.example"
    alice.save(update_fields=["email"])
    response = _invite(carol_client, email="ALICE@riverside.example")
    assert b"already on Steady" in response.content and mail.outbox == []


def test_inviting_on_get_only_shows_the_form(carol_client):
    response = carol_client.get(
        reverse("staff_invite"), {"first_name": "F", "email": "f@example.org", "role": "clinician"}
    )
    assert response.status_code == 200 and not User.objects.filter(email="f@example.org").exists()


@pytest.mark.parametrize("who", ["alice_client", "bob_client", "dave_client"])
def test_only_a_clinic_admin_of_the_clinic_can_invite(request, who):
    # Dave is a clinician elsewhere; other clinics' admins invite into their own clinic only.
    response = _invite(request.getfixturevalue(who))
    assert response.status_code == 403
    assert not User.objects.filter(email="frank@riverside.example").exists() and mail.outbox == []


def test_the_staff_list_says_who_is_invited_has_two_factor_and_last_signed_in(carol_client, alice, bob, clock):
    from tests.security.helpers import enrol

    enrol(alice)
    User.objects.filter(pk=alice.pk).update(last_login=START)
    _invite(carol_client)
    body = carol_client.get(reverse("staff_list")).content.decode()
    rows = {row.split("</td>")[1].strip().removeprefix("<td>"): row for row in body.split("<tr>")[2:]}
    assert "Set up" in rows["alice"] and "2 Mar 2026 09:00" in rows["alice"]
    assert "Not set up" in rows["bob"] and "Never" in rows["bob"]
    assert "Invited" in rows["frank@riverside.example"]


def test_the_staff_list_takes_the_same_queries_however_many_staff(carol_client, clinic, django_assert_max_num_queries):
    from tests.conftest import make_staff
    from tests.security.helpers import enrol

    for n in range(12):
        enrol(make_staff(clinic, f"person{n}", Role.CLINICIAN))
    with django_assert_max_num_queries(12):
        carol_client.get(reverse("staff_list"))


def test_createstaff_still_adds_the_first_admin_with_a_password(clinic):
    from django.core.management import call_command

    call_command("createstaff", "zoe", "--clinic", clinic.name, "--role", "clinic_admin", "--password", NEW_PASSWORD)
    assert User.objects.get(username="zoe").check_password(NEW_PASSWORD)
