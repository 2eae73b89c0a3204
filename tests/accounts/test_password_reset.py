"""Forgot password by email, and an admin's "send a reset link". A reset sets the password only."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.accounts.models import AccountLink
from clinic.audit.models import AuditEvent
from tests.conftest import PASSWORD
from tests.security.helpers import enrol, password_sign_in

NEW_PASSWORD = "a-brand-new-passphrase"
ALICE_EMAIL = "alice@riverside.example"


@pytest.fixture
def alice(alice):
    alice.email = ALICE_EMAIL
    alice.save(update_fields=["email"])
    return alice


def _forgot(client, identifier: str, address: str = "198.51.100.4"):
    return client.post(reverse("password_forgot"), {"identifier": identifier}, REMOTE_ADDR=address)


def _link_path(message) -> str:
    (url,) = re.findall(r"https?://\S+/account/set-password/\S+/", message.body)
    return urlsplit(url).path


def _reset(client, path: str):
    return client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})


@pytest.mark.parametrize("identifier", ["alice", "ALICE@riverside.example"])
def test_forgot_password_emails_a_link_by_username_or_email(client, alice, identifier):
    response = _forgot(client, identifier)
    assert response.status_code == 200 and b"Check your email" in response.content
    (message,) = mail.outbox
    assert message.to == [ALICE_EMAIL] and "2 hours" in message.body
    event = AuditEvent.objects.get(detail="password reset link emailed on request")
    # An account event of her clinic, which its admin can read; the link's token is nowhere in it.
    assert (event.clinic_id, event.object_type, event.object_id) == (alice.clinic_id, "accounts.user", str(alice.pk))


def test_an_unknown_account_gets_the_same_page_and_no_email(client, alice):
    known = _forgot(client, "alice").content
    mail.outbox.clear()
    unknown = _forgot(client, "nobody@example.org").content
    assert unknown == known and mail.outbox == []
    event = AuditEvent.objects.filter(username="nobody@example.org").get()
    assert event.detail == "password reset requested; nothing sent" and event.clinic_id is None


def test_an_account_without_email_gets_the_same_page_and_no_email(client, bob):
    assert b"Check your email" in _forgot(client, "bob").content and mail.outbox == []


def test_forgot_password_on_get_only_shows_the_form(client, alice):
    response = client.get(reverse("password_forgot"), {"identifier": "alice"})
    assert response.status_code == 200 and mail.outbox == [] and not AccountLink.objects.exists()


def test_one_address_may_ask_five_times_an_hour(client, alice, bob):
    for n in range(5):
        assert _forgot(client, f"someone-{n}").status_code == 200
    refused = _forgot(client, "alice")
    assert refused.status_code == 429 and b"too many requests" in refused.content
    assert mail.outbox == []
    assert _forgot(client, "alice", address="198.51.100.5").status_code == 200 and len(mail.outbox) == 1


def test_one_person_gets_at_most_three_reset_emails_an_hour(client, alice):
    for n in range(5):
        _forgot(client, "alice", address=f"198.51.100.{n + 10}")
    assert len(mail.outbox) == 3


def test_a_reset_sets_the_password_but_signing_in_still_needs_the_second_factor(client, alice, settings):
    device = enrol(alice)
    _forgot(client, "alice")
    response = _reset(client, _link_path(mail.outbox[0]))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD) and TOTPDevice.objects.filter(pk=device.pk).exists()
    settings.REQUIRE_2FA = False  # even then: whoever has enrolled is always asked for a code
    password_sign_in(client, "alice", NEW_PASSWORD)
    assert client.get(reverse("patients:list"))["Location"].startswith(reverse("two_factor_verify"))


def test_a_reset_ends_the_persons_sessions_and_every_other_open_link(client, alice, alice_client):
    _forgot(client, "alice")
    _forgot(client, "alice", address="198.51.100.9")
    first, second = (_link_path(message) for message in mail.outbox)
    _reset(client, second)
    assert alice_client.get(reverse("patients:list"))["Location"].startswith(reverse("login"))
    assert _reset(client, first).status_code == 404
    assert AuditEvent.objects.filter(actor=alice, detail="password set by a reset link; 1 session(s) ended").exists()


def test_the_old_password_works_until_the_link_is_used(client, alice):
    _forgot(client, "alice")
    password_sign_in(client, "alice", PASSWORD)
    assert "_auth_user_id" in client.session


# --- An admin sends a reset link -------------------------------------------------------------


def test_an_admin_sees_what_a_reset_link_does_before_sending_it(carol_client, alice):
    page = carol_client.get(reverse("staff_reset_link", args=[alice.pk]))
    assert page.status_code == 200 and b"Their two-factor sign-in stays as it is" in page.content
    assert mail.outbox == [] and not AccountLink.objects.exists()


def test_an_admin_sends_a_reset_link_and_it_is_audited(carol_client, carol, alice, client):
    response = carol_client.post(reverse("staff_reset_link", args=[alice.pk]), {"confirm": "on"})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == [ALICE_EMAIL]
    assert AuditEvent.objects.filter(actor=carol, object_id=str(alice.pk), detail__contains="reset link").exists()
    assert AccountLink.objects.get().created_by == carol
    _reset(client, _link_path(message))
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_an_admin_cannot_send_a_reset_link_without_confirming(carol_client, alice):
    response = carol_client.post(reverse("staff_reset_link", args=[alice.pk]))
    assert response.status_code == 200 and response.context["form"].errors and mail.outbox == []


def test_a_reset_link_cannot_go_to_someone_without_an_email(carol_client, bob):
    response = carol_client.post(reverse("staff_reset_link", args=[bob.pk]), {"confirm": "on"})
    assert b"has no email address" in response.content and mail.outbox == []


def test_an_admin_cannot_send_a_reset_link_to_another_clinics_staff(carol_client, dave):
    dave.email = "dave@hillcrest.example"
    dave.save(update_fields=["email"])
    assert carol_client.post(reverse("staff_reset_link", args=[dave.pk]), {"confirm": "on"}).status_code == 404
    assert mail.outbox == []


def test_a_supervisor_cannot_send_reset_links(bob_client, alice):
    assert bob_client.post(reverse("staff_reset_link", args=[alice.pk]), {"confirm": "on"}).status_code == 403
    assert mail.outbox == []
