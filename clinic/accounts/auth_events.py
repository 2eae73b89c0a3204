"""Sign-in, failed sign-in and sign-out go to the audit trail; sign-in starts the session clock."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from clinic.accounts import sessions, two_factor
from clinic.audit.services import Action, audit_record


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs) -> None:
    expected = two_factor.user_has_device(user)
    if getattr(request, "session", None) is not None:
        now = sessions.now_seconds()
        request.session[sessions.SIGNED_IN_AT] = now
        request.session[sessions.LAST_SEEN] = now
        request.session[sessions.SECOND_FACTOR_EXPECTED] = expected
    detail = "password accepted"
    if expected or settings.REQUIRE_2FA:
        detail += "; second factor still needed"
    audit_record(request=request, action=Action.SIGN_IN, actor=user, detail=detail)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        reason = getattr(request, "steady_sign_out_reason", "")
        audit_record(request=request, action=Action.SIGN_OUT, actor=user, detail=reason)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    known = get_user_model().objects.filter(username=username).select_related("clinic").first()
    audit_record(
        request=request,
        action=Action.SIGN_IN_FAILED,
        clinic=known.clinic if known else None,
        username=username,
        detail=_lockout_note(request),
    )


def _lockout_note(request) -> str:
    if getattr(request, "steady_account_slowed_until", None) is not None:  # clinic.accounts.slowdown
        return "refused: account slowed down"
    # django-axes (whose receiver runs first: it is earlier in INSTALLED_APPS) marks the request.
    if not getattr(request, "axes_locked_out", False):
        return ""
    if getattr(request, "axes_failures_since_start", None) is None:
        return "refused: locked out"
    return f"locked out after {request.axes_failures_since_start} failures"
