"""Two-factor sign-in: enrolment, wrong codes, reused codes, recovery codes, and the gate."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.accounts.models import User
from clinic.audit.models import Action, AuditEvent
from tests.security.helpers import current_code, enrol, password_sign_in, session_cookie

START = dt.datetime(2026, 3, 2, 9, 0, 0, tzinfo=dt.UTC)


@pytest.fixture
def require_2fa(settings):
    settings.REQUIRE_2FA = True


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _secret_from(response) -> str:
    match = re.search(rb'<code class="secret-key">([A-Z2-7 ]+)</code>', response.content)
    assert match, "the enrolment page shows the secret as text"
    return match.group(1).decode()


def test_without_a_device_a_signed_in_person_must_enrol_before_anything_else(client, alice, require_2fa):
    password_sign_in(client, "alice")
    response = client.get(reverse("patients:list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor_enrol") + "?next=/patients/"


def test_enrolment_shows_a_server_drawn_qr_code_and_the_secret_then_ten_recovery_codes_once(
    client, alice, require_2fa, clock
):
    password_sign_in(client, "alice")
    page = client.get(reverse("two_factor_enrol"))
    assert page.status_code == 200
    # The QR code is drawn on the server: the only script is Steady's own idle-warning file.
    assert b"<svg" in page.content
    assert re.findall(rb"<script[^>]*>", page.content) == [b'<script src="/static/js/steady.js" defer>']
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    assert _secret_from(page).replace(" ", "") in device.config_url

    response = client.post(reverse("two_factor_enrol"), {"code": current_code(device)})
    assert response.status_code == 200
    codes = re.findall(rb"<li><code>([a-z2-7]{8})</code></li>", response.content)
    assert len(codes) == 10
    assert set(StaticToken.objects.filter(device__user=alice).values_list("token", flat=True)) == {
        code.decode() for code in codes
    }
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("patients:list")).status_code == 200
    # The codes are never shown again.
    clock.shift(31)
    assert b"<li><code>" not in client.get(reverse("account")).content
    assert AuditEvent.objects.filter(action=Action.CREATE, detail="two-factor authenticator enrolled").count() == 1


def test_a_wrong_enrolment_code_confirms_nothing(client, alice, require_2fa):
    password_sign_in(client, "alice")
    client.get(reverse("two_factor_enrol"))
    response = client.post(reverse("two_factor_enrol"), {"code": "000000"})
    assert b"That code does not match" in response.content
    assert not TOTPDevice.objects.filter(user=alice, confirmed=True).exists()
    assert not StaticToken.objects.exists()
    assert client.get(reverse("patients:list")).status_code == 302


def test_with_a_device_the_person_is_asked_for_a_code_before_reaching_anything(client, alice, require_2fa, clock):
    device = enrol(alice)
    password_sign_in(client, "alice")
    response = client.get(reverse("patients:list"))
    assert response["Location"] == reverse("two_factor_verify") + "?next=/patients/"
    response = client.post(reverse("two_factor_verify"), {"code": current_code(device), "next": "/patients/"})
    assert response.status_code == 302 and response["Location"] == "/patients/"
    assert client.get(reverse("patients:list")).status_code == 200


def test_someone_who_enrolled_is_asked_for_the_code_even_when_two_factor_is_not_required(client, alice, settings):
    settings.REQUIRE_2FA = False
    enrol(alice)
    password_sign_in(client, "alice")
    assert client.get(reverse("patients:list"))["Location"].startswith(reverse("two_factor_verify"))


def test_without_the_requirement_a_person_without_a_device_goes_straight_in(client, alice, settings):
    settings.REQUIRE_2FA = False
    password_sign_in(client, "alice")
    assert client.get(reverse("patients:list")).status_code == 200


def test_a_wrong_code_is_refused_and_slows_the_next_try(client, alice, require_2fa, clock):
    device = enrol(alice)
    password_sign_in(client, "alice")
    response = client.post(
        reverse("two_factor_verify"), {"code": "000000" if current_code(device) != "000000" else "111111"}
    )
    assert b"That code is not right" in response.content
    # Straight away, even the right code waits for the throttle.
    response = client.post(reverse("two_factor_verify"), {"code": current_code(device)})
    assert b"Too many wrong codes" in response.content
    assert client.get(reverse("patients:list")).status_code == 302
    clock.shift(2)
    response = client.post(reverse("two_factor_verify"), {"code": current_code(device)})
    assert response.status_code == 302
    assert client.get(reverse("patients:list")).status_code == 200
    assert AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED, username="alice").exists()


def test_a_code_is_accepted_only_once(client, alice, require_2fa, clock):
    device = enrol(alice)
    code = current_code(device)
    password_sign_in(client, "alice")
    assert client.post(reverse("two_factor_verify"), {"code": code}).status_code == 302
    client.post(reverse("logout"))

    password_sign_in(client, "alice")  # the same 30 seconds: the app still shows the same code
    response = client.post(reverse("two_factor_verify"), {"code": code})
    assert response.status_code == 200
    assert b"already been used" in response.content
    assert client.get(reverse("patients:list")).status_code == 302


def test_a_recovery_code_works_once_and_is_then_gone(client, alice, require_2fa, clock):
    enrol(alice, recovery_codes=("mmmm4444", "nnnn5555"))
    password_sign_in(client, "alice")
    response = client.post(reverse("two_factor_verify"), {"code": "MMMM 4444"}, follow=True)
    assert response.status_code == 200
    assert b"You used a recovery code; 1 left" in response.content
    assert list(StaticToken.objects.values_list("token", flat=True)) == ["nnnn5555"]
    client.post(reverse("logout"))

    clock.shift(5)
    password_sign_in(client, "alice")
    response = client.post(reverse("two_factor_verify"), {"code": "mmmm4444"})
    assert b"already been used" in response.content
    assert client.get(reverse("patients:list")).status_code == 302


def test_the_session_key_changes_when_the_second_factor_is_given(client, alice, require_2fa, clock):
    device = enrol(alice)
    password_sign_in(client, "alice")
    before = session_cookie(client)
    client.post(reverse("two_factor_verify"), {"code": current_code(device)})
    assert session_cookie(client) != before


def test_an_unverified_person_cannot_post_to_a_staff_form(client, carol, require_2fa):
    enrol(carol)
    password_sign_in(client, "carol")
    response = client.post(
        reverse("staff_invite"), {"first_name": "Mallory", "email": "mallory@example.org", "role": "clinician"}
    )
    assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor_verify"))
    assert not User.objects.filter(email="mallory@example.org").exists()


def test_the_next_address_after_the_code_must_be_our_own(client, alice, require_2fa, clock):
    device = enrol(alice)
    password_sign_in(client, "alice")
    response = client.post(
        reverse("two_factor_verify"), {"code": current_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_new_recovery_codes_replace_the_old_ones(alice_client, alice):
    enrol(alice, recovery_codes=("oldc0de2",))
    response = alice_client.post(reverse("recovery_codes_new"))
    codes = re.findall(rb"<li><code>([a-z2-7]{8})</code></li>", response.content)
    assert len(codes) == 10
    assert not StaticToken.objects.filter(token="oldc0de2").exists()


def test_recovery_codes_cannot_be_made_without_an_authenticator(alice_client, alice):
    response = alice_client.post(reverse("recovery_codes_new"))
    assert response["Location"] == reverse("two_factor_enrol")
    assert not StaticToken.objects.exists()


def test_a_clinic_admin_resets_a_lost_authenticator_and_the_person_is_signed_out(carol_client, alice, alice_client):
    enrol(alice)
    response = carol_client.post(reverse("staff_two_factor_reset", args=[alice.pk]), {"confirm": "on"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=alice).exists() and not StaticToken.objects.exists()
    assert alice_client.get(reverse("patients:list"))["Location"].startswith(reverse("login"))
    assert AuditEvent.objects.filter(
        action=Action.UPDATE, object_id=str(alice.pk), detail__startswith="two-factor reset"
    ).exists()


def test_a_clinic_admin_cannot_reset_another_clinics_staff(carol_client, dave):
    enrol(dave)
    response = carol_client.post(reverse("staff_two_factor_reset", args=[dave.pk]), {"confirm": "on"})
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(user=dave).exists()


def test_resetting_two_factor_on_get_only_says_what_will_happen(carol_client, alice):
    enrol(alice)
    response = carol_client.get(reverse("staff_two_factor_reset", args=[alice.pk]))
    assert response.status_code == 200 and b"stop working now" in response.content
    assert TOTPDevice.objects.filter(user=alice).exists()


def test_resetting_two_factor_without_the_confirmation_changes_nothing(carol_client, alice):
    enrol(alice)
    response = carol_client.post(reverse("staff_two_factor_reset", args=[alice.pk]))
    assert response.status_code == 200 and response.context["form"].errors
    assert TOTPDevice.objects.filter(user=alice).exists()


def test_each_enrolment_attempt_gets_a_fresh_secret_so_an_earlier_qr_code_is_worthless(
    client, alice, require_2fa, clock
):
    # The admin who chose Alice's password signs in as her first and sees a QR code...
    snoop = Client()
    password_sign_in(snoop, "alice")
    seen = _secret_from(snoop.get(reverse("two_factor_enrol")))
    snooped_device = TOTPDevice.objects.get(user=alice, confirmed=False)
    # ...then Alice enrols herself: a new secret, and the earlier one is gone.
    password_sign_in(client, "alice")
    page = client.get(reverse("two_factor_enrol"))
    assert _secret_from(page) != seen
    assert not TOTPDevice.objects.filter(pk=snooped_device.pk).exists()
    [device] = TOTPDevice.objects.filter(user=alice)
    assert client.post(reverse("two_factor_enrol"), {"code": current_code(device)}).status_code == 200
    # A code from the snooped secret does not sign anyone in.
    clock.shift(31)
    client.post(reverse("logout"))
    password_sign_in(client, "alice")
    snooped = TOTP(snooped_device.bin_key, snooped_device.step, snooped_device.t0, snooped_device.digits)
    response = client.post(reverse("two_factor_verify"), {"code": f"{snooped.token():06d}"})
    assert b"That code is not right" in response.content
    assert list(TOTPDevice.objects.filter(user=alice).values_list("confirmed", flat=True)) == [True]


def test_reloading_the_enrolment_page_replaces_the_secret_and_keeps_one_unconfirmed_device(client, alice, require_2fa):
    password_sign_in(client, "alice")
    first = _secret_from(client.get(reverse("two_factor_enrol")))
    second = _secret_from(client.get(reverse("two_factor_enrol")))
    assert first != second
    assert TOTPDevice.objects.filter(user=alice, confirmed=False).count() == 1


def test_a_wrong_code_keeps_the_same_secret_for_another_try(client, alice, require_2fa, clock):
    password_sign_in(client, "alice")
    shown = _secret_from(client.get(reverse("two_factor_enrol")))
    response = client.post(reverse("two_factor_enrol"), {"code": "000000"})
    assert _secret_from(response) == shown
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    clock.shift(31)
    assert b"<li><code>" in client.post(reverse("two_factor_enrol"), {"code": current_code(device)}).content
