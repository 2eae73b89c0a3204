"""Sign-in, failed sign-in and sign-out go to the audit trail."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from clinic.audit.services import Action, audit_record


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs) -> None:
    audit_record(request=request, action=Action.SIGN_IN, actor=user)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(request=request, action=Action.SIGN_OUT, actor=user)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    known = get_user_model().objects.filter(username=username).select_related("clinic").first()
    audit_record(
        request=request,
        action=Action.SIGN_IN_FAILED,
        clinic=known.clinic if known else None,
        username=username,
    )
