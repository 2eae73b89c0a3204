"""Sign-in lockout (django-axes): what the locked-out person sees, and what supervisors see.

Axes counts failures per username AND address (settings.AXES_LOCKOUT_PARAMETERS). After
AXES_FAILURE_LIMIT failures that pair is refused until AXES_COOLOFF_TIME has passed since the
last counted failure, or until a supervisor or clinic admin lifts it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from clinic.accounts.models import User
from clinic.audit.services import Action, audit_record, client_ip


def locked_until(username: str, ip_address: str | None) -> dt.datetime | None:
    last = AccessAttempt.objects.filter(username=username, ip_address=ip_address).aggregate(last=Max("attempt_time"))
    return last["last"] + settings.AXES_COOLOFF_TIME if last["last"] else None


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The page a locked-out person sees instead of the sign-in form (AXES_LOCKOUT_CALLABLE)."""
    username = (get_client_username(request, credentials) or "")[:150]
    until = locked_until(username, client_ip(request))
    context = {"username": username, "until": until, "cooloff_minutes": settings.AXES_COOLOFF_MINUTES}
    return render(request, "registration/locked_out.html", context, status=429)


@dataclass(frozen=True)
class Lockout:
    id: int  # one AccessAttempt of the pair, the handle the unlock form posts back
    username: str
    ip_address: str | None
    failures: int
    last_failure: dt.datetime
    until: dt.datetime

    @property
    def locked(self) -> bool:
        return self.failures >= settings.AXES_FAILURE_LIMIT


def _attempts_of_clinic(user: User):
    usernames = User.objects.filter(clinic_id=user.clinic_id, is_superuser=False).values("username")
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(username__in=usernames, attempt_time__gte=since)


def lockouts_of_clinic(user: User) -> list[Lockout]:
    """Recent failed sign-ins of the acting user's clinic's usernames, per username and address."""
    rows = (
        _attempts_of_clinic(user)
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last_failure=Max("attempt_time"), handle=Min("id"))
        .order_by("-last_failure")
    )
    return [
        Lockout(
            id=row["handle"],
            username=row["username"],
            ip_address=row["ip_address"],
            failures=row["failures"],
            last_failure=row["last_failure"],
            until=row["last_failure"] + settings.AXES_COOLOFF_TIME,
        )
        for row in rows
    ]


def lockout_get_for_user(user: User, pk: int) -> AccessAttempt:
    """A failed-sign-in record of one of the user's clinic's usernames; Http404 otherwise."""
    attempt = AccessAttempt.objects.filter(
        pk=pk, username__in=User.objects.filter(clinic_id=user.clinic_id, is_superuser=False).values("username")
    ).first()
    if attempt is None:
        raise Http404("No such lockout")
    return attempt


@transaction.atomic
def lockout_lift(*, request: HttpRequest, attempt: AccessAttempt) -> int:
    """Forget the failures of this username at this address, so they may sign in again now."""
    count, _ = AccessAttempt.objects.filter(username=attempt.username, ip_address=attempt.ip_address).delete()
    member = User.objects.get(username=attempt.username)
    audit_record(
        request=request,
        action=Action.UNLOCK,
        obj=member,
        detail=f"sign-in lockout lifted for {attempt.username} at {attempt.ip_address or 'unknown address'}",
    )
    return count
