"""Two-factor sign-in with django-otp: an authenticator app (TOTP) and one-time recovery codes.

A TOTP code is accepted once (django-otp remembers the last time step used) and wrong codes
slow further tries down exponentially (django-otp's throttling). Recovery codes are deleted
as they are used.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

import django_otp
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.accounts.models import User
from clinic.accounts.sessions import sessions_end_for_user
from clinic.audit.services import Action, audit_record
from clinic.lib.qr import qr_svg

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def user_has_device(user: User) -> bool:
    """Whether the person has confirmed a second factor."""
    return django_otp.user_has_device(user, confirmed=True)


@transaction.atomic
def enrolment_start(*, user: User) -> TOTPDevice:
    """A new unconfirmed authenticator with a fresh secret; every earlier unconfirmed one is discarded.

    Each enrolment attempt gets its own secret, so whoever saw an earlier QR code (the admin who
    chose the password, a shoulder) holds nothing once the person enrols.
    """
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def enrolment_device(user: User, device_id: object) -> TOTPDevice | None:
    """The unconfirmed authenticator this enrolment attempt started, if it is still there."""
    if not isinstance(device_id, int):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=False, pk=device_id).first()


def secret_for_display(device: TOTPDevice) -> str:
    """The secret as authenticator apps accept it typed in: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The enrolment QR code as inline SVG, drawn on the server (no script, no image request)."""
    return qr_svg(device.config_url, title="QR code for your authenticator app")


@transaction.atomic
def enrolment_confirm(*, request: HttpRequest, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the authenticator with a code from it, and issue recovery codes (returned once).

    Returns None when the code does not match; nothing changes then except the throttle.
    """
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not device.verify_token(code):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # Only one authenticator per person: drop any stale unconfirmed ones.
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    audit_record(request=request, action=Action.CREATE, obj=device, detail="two-factor authenticator enrolled")
    return recovery_codes_issue(request=request, user=device.user)


@transaction.atomic
def recovery_codes_issue(*, request: HttpRequest, user: User) -> list[str]:
    """Replace the person's recovery codes with RECOVERY_CODE_COUNT new ones, returned once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    audit_record(
        request=request, action=Action.CREATE, obj=device, detail=f"{RECOVERY_CODE_COUNT} recovery codes issued"
    )
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@dataclass(frozen=True)
class SecondFactorResult:
    device: TOTPDevice | StaticDevice | None = None
    error: str = ""
    used_recovery_code: bool = False


@transaction.atomic
def second_factor_verify(*, request: HttpRequest, user: User, code: str) -> SecondFactorResult:
    """Check a 6-digit authenticator code or a recovery code; audit the outcome.

    A code already accepted once is refused, and so is any code while django-otp's throttle
    (which doubles its wait after each wrong code) is running.
    """
    recovery = not code.isdigit()
    model = StaticDevice if recovery else TOTPDevice
    devices = list(model.objects.devices_for_user(user, confirmed=True).select_for_update())
    for device in devices:
        allowed, info = device.verify_is_allowed()
        if not allowed:
            until = (info or {}).get("locked_until")
            return SecondFactorResult(error=_throttled_message(until))
    for device in devices:
        if device.verify_token(code):
            kind = "recovery code" if recovery else "authenticator code"
            audit_record(request=request, action=Action.SIGN_IN, actor=user, detail=f"second factor accepted: {kind}")
            return SecondFactorResult(device=device, used_recovery_code=recovery)
    audit_record(
        request=request,
        action=Action.SIGN_IN_FAILED,
        actor=user,
        detail="wrong or already used recovery code" if recovery else "wrong or already used authenticator code",
    )
    return SecondFactorResult(error="That code is not right, or it has already been used. Try the next code.")


def _throttled_message(until: dt.datetime | None) -> str:
    if until is None:
        return "Too many wrong codes. Wait a moment and try again."
    wait = max(1, int((until - timezone.now()).total_seconds()) + 1)
    return f"Too many wrong codes. Wait {wait} seconds and try again."


@transaction.atomic
def two_factor_reset(*, request: HttpRequest, member: User) -> None:
    """Remove a staff member's authenticator and recovery codes (a lost phone) and sign them out.

    They enrol again at their next sign-in.
    """
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=member).delete()
    ended = sessions_end_for_user(member)
    audit_record(
        request=request, action=Action.UPDATE, obj=member, detail=f"two-factor reset; {ended} session(s) ended"
    )
