"""Account-wide slowdown: many failed sign-ins for one username from many addresses.

django-axes locks a username *at one address* (clinic.accounts.lockout); it has a single limit
for every lockout parameter, so it cannot also say "slow this account down after more failures
from several addresses". This does, with one small table (AccountSignInFailures):

- a failure whose password was actually checked counts for the username, whatever the address;
- once ACCOUNT_SLOWDOWN_FAILURES failures from at least ACCOUNT_SLOWDOWN_ADDRESSES addresses fall
  within ACCOUNT_SLOWDOWN_WINDOW_MINUTES, the account takes one try per ACCOUNT_SLOWDOWN_SECONDS,
  from anywhere; a try sooner is refused before any password is checked;
- when that starts, the person is emailed once per window, with no detail, and it is audited.

Counted per username as typed, so the slowed-down answer is the same for unknown usernames.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from clinic.accounts.models import AccountSignInFailures, User
from clinic.audit.services import Action, audit_record, client_ip

SLOWED_UNTIL = "steady_account_slowed_until"  # request attribute: refused, password not checked
PASSWORD_CHECKED = "steady_password_checked"  # request attribute: this try reached the password


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.ACCOUNT_SLOWDOWN_WINDOW_MINUTES)


def _is_slowed(row: AccountSignInFailures, now: dt.datetime) -> bool:
    return (
        row.window_started_at > now - _window()
        and row.failures >= settings.ACCOUNT_SLOWDOWN_FAILURES
        and len(row.addresses) >= settings.ACCOUNT_SLOWDOWN_ADDRESSES
    )


def account_slowed_until(username: str) -> dt.datetime | None:
    """When the next try for `username` will be accepted, if that is still in the future."""
    now = timezone.now()
    row = AccountSignInFailures.objects.filter(username=username).first()
    if row is None or not _is_slowed(row, now):
        return None
    until = row.last_failure_at + dt.timedelta(seconds=settings.ACCOUNT_SLOWDOWN_SECONDS)
    return until if until > now else None


class AccountSlowdownBackend:
    """Listed after axes and before the password check: refuses a try that comes too soon.

    It authenticates nobody; raising PermissionDenied stops Django from checking the password.
    No get_user, on purpose: a session is never bound to this backend (force_login skips it).
    """

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password=None, **kwargs):
        if request is None or not username:
            return None
        until = account_slowed_until(username)
        if until is not None:
            setattr(request, SLOWED_UNTIL, until)
            raise PermissionDenied("account slowed down")
        setattr(request, PASSWORD_CHECKED, True)
        return None


def _row_for_update(username: str, now: dt.datetime) -> AccountSignInFailures:
    try:
        with transaction.atomic():
            row, _ = AccountSignInFailures.objects.get_or_create(
                username=username, defaults={"window_started_at": now, "last_failure_at": now}
            )
    except IntegrityError:  # another request created it first
        pass
    return AccountSignInFailures.objects.select_for_update().get(username=username)


@transaction.atomic
def account_failure_record(*, request: HttpRequest | None, username: str) -> bool:
    """Count one checked failure for `username`. True if this one started a slowdown."""
    now = timezone.now()
    AccountSignInFailures.objects.filter(last_failure_at__lt=now - _window()).delete()
    row = _row_for_update(username, now)
    if row.window_started_at <= now - _window():
        row.window_started_at, row.failures, row.addresses = now, 0, []
    was_slowed = _is_slowed(row, now) if row.failures else False
    row.failures += 1
    address = client_ip(request) or "unknown"
    if address not in row.addresses and len(row.addresses) < settings.ACCOUNT_SLOWDOWN_ADDRESSES:
        row.addresses = [*row.addresses, address]
    row.last_failure_at = now
    started = _is_slowed(row, now) and not was_slowed
    notify = started and (row.notified_at is None or row.notified_at < row.window_started_at)
    if notify:
        row.notified_at = now
    row.save()
    if notify:
        _notify(request=request, username=username)
    return started


def _notify(*, request: HttpRequest | None, username: str) -> None:
    person = User.objects.filter(username=username, is_active=True).select_related("clinic").first()
    if person is None:
        return
    emailed = bool(person.email)
    if emailed:
        context = {"person": person, "minutes": settings.ACCOUNT_SLOWDOWN_WINDOW_MINUTES}
        send_mail(
            subject="Steady: failed sign-ins on your account",
            message=render_to_string("accounts/email/account_slowed.txt", context),
            from_email=None,
            recipient_list=[person.email],
            fail_silently=True,  # the sign-in page must answer even if mail is down; the audit row remains
        )
    audit_record(
        request=request,
        action=Action.SIGN_IN_FAILED,
        obj=person,
        clinic=person.clinic,
        username=person.username,
        detail="account-wide slowdown started; " + ("the person was emailed" if emailed else "no email address"),
    )


@receiver(user_login_failed)
def _count_checked_failure(sender, credentials, request=None, **kwargs) -> None:
    # Tries refused by axes or by the slowdown never reached the password: they do not count.
    if request is None or not getattr(request, PASSWORD_CHECKED, False):
        return
    username = str(credentials.get("username", ""))[:150]
    if username:
        account_failure_record(request=request, username=username)
