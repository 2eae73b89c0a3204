"""Small helpers for the security proofs: signing in through the real forms, and codes."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD


def password_sign_in(client: Client, username: str, password: str = PASSWORD, **extra):
    """The first step, through the sign-in form (django-axes sees the request)."""
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def current_code(device: TOTPDevice) -> str:
    """What the authenticator app shows right now (time is whatever time_machine says)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def enrol(user, recovery_codes: tuple[str, ...] = ("aaaa2222", "bbbb3333")) -> TOTPDevice:
    """Give `user` a confirmed authenticator and some recovery codes, as enrolment would."""
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    for code in recovery_codes:
        StaticToken.objects.create(device=static, token=code)
    return device


def session_cookie(client: Client) -> str:
    from django.conf import settings

    return client.cookies[settings.SESSION_COOKIE_NAME].value
