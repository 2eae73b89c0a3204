"""Set-password links sent by email: invitations for new staff, and password resets.

An admin invites a person by name, email and role; Steady emails a one-time link. The person
sets a password there, then signs in and enrols a second factor (required by the two-factor
gate). A password reset (asked for on the sign-in page, or sent by an admin) works the same way
and sets the password only: signing in still needs the second factor the person already has.

Only the sha256 of a link's token is stored. A link works once and only until it expires; the
page it opens shows a form on GET, and the link is used only by the POST that sets a password,
so a mail scanner that follows links cannot burn it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clinic.accounts.models import AccountLink, AccountLinkPurpose, Clinic, PasswordResetRequest, User
from clinic.accounts.sessions import sessions_end_for_user
from clinic.audit.services import Action, audit_record, client_ip

LIFETIME = {
    AccountLinkPurpose.INVITATION: dt.timedelta(hours=72),
    AccountLinkPurpose.PASSWORD_RESET: dt.timedelta(hours=2),
}
# "Forgot password": requests from one address, and reset emails to one person, per hour.
RESET_REQUESTS_PER_ADDRESS_PER_HOUR = 5
RESET_EMAILS_PER_PERSON_PER_HOUR = 3
_HOUR = dt.timedelta(hours=1)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _link_issue(*, user: User, purpose: str, created_by: User | None) -> tuple[AccountLink, str]:
    token = secrets.token_urlsafe(32)
    link = AccountLink.objects.create(
        user=user,
        purpose=purpose,
        token_hash=_token_hash(token),
        created_by=created_by,
        expires_at=timezone.now() + LIFETIME[purpose],
    )
    return link, token


def _link_email(*, link: AccountLink, token: str) -> None:
    """Send the link. Raises if the mail server refuses, so the caller's transaction rolls back."""
    context = {
        "person": link.user,
        "clinic": link.user.clinic,
        "url": settings.SITE_URL + reverse("password_set", kwargs={"token": token}),
        "hours": int(LIFETIME[link.purpose].total_seconds() // 3600),
        "invitation": link.purpose == AccountLinkPurpose.INVITATION,
    }
    subject = "Steady: set your password" if context["invitation"] else "Steady: reset your password"
    send_mail(
        subject=subject,
        message=render_to_string("accounts/email/account_link.txt", context),
        from_email=None,
        recipient_list=[link.user.email],
    )


@transaction.atomic
def staff_invite(
    *, request: HttpRequest, clinic: Clinic, first_name: str, last_name: str, email: str, role: str
) -> User:
    """Add a staff member who has no password yet, and email them a 72-hour set-password link.

    They sign in with their email address as username.
    """
    user = User(
        username=email.lower(), email=email, first_name=first_name, last_name=last_name, clinic=clinic, role=role
    )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    link, token = _link_issue(user=user, purpose=AccountLinkPurpose.INVITATION, created_by=request.user)
    _link_email(link=link, token=token)
    audit_record(
        request=request, action=Action.CREATE, obj=user, clinic=clinic, detail=f"staff member invited, role {role}"
    )
    return user


@transaction.atomic
def reset_link_send(*, request: HttpRequest, member: User) -> AccountLink:
    """An admin emails a staff member a password-reset link. The password stays until it is used."""
    link, token = _link_issue(user=member, purpose=AccountLinkPurpose.PASSWORD_RESET, created_by=request.user)
    _link_email(link=link, token=token)
    audit_record(request=request, action=Action.UPDATE, obj=member, detail="password reset link emailed by an admin")
    return link


class TooManyRequests(Exception):
    """This address asked for too many password resets in the last hour."""


def _person_for_reset(identifier: str) -> User | None:
    """The one active staff member whose username or email is `identifier`, if they have an email."""
    people = list(
        User.objects.filter(is_active=True, clinic__isnull=False)
        .exclude(email="")
        .filter(username__iexact=identifier)[:1]
    ) or list(User.objects.filter(is_active=True, clinic__isnull=False, email__iexact=identifier)[:2])
    return people[0] if len(people) == 1 else None


@transaction.atomic
def password_reset_request(*, request: HttpRequest, identifier: str) -> None:
    """ "Forgot password": email a 2-hour reset link if `identifier` names one person.

    Answers the same way whether or not it does (no account enumeration); the caller shows one
    page either way. Raises TooManyRequests when this address asked too often.
    """
    now = timezone.now()
    address = client_ip(request)
    PasswordResetRequest.objects.filter(created_at__lt=now - _HOUR).delete()
    recent = PasswordResetRequest.objects.filter(ip_address=address, created_at__gte=now - _HOUR).count()
    PasswordResetRequest.objects.create(ip_address=address)
    if recent >= RESET_REQUESTS_PER_ADDRESS_PER_HOUR:
        audit_record(
            request=request,
            action=Action.CREATE,
            object_type="accounts.accountlink",
            username=identifier[:150],
            detail="password reset refused: too many requests from this address",
        )
        raise TooManyRequests
    person = _person_for_reset(identifier)
    sent_lately = (
        person is not None
        and AccountLink.objects.filter(
            user=person, purpose=AccountLinkPurpose.PASSWORD_RESET, created_at__gte=now - _HOUR
        ).count()
        >= RESET_EMAILS_PER_PERSON_PER_HOUR
    )
    if person is None:
        # No clinic: nobody's admin sees what a stranger typed here.
        audit_record(
            request=request,
            action=Action.CREATE,
            object_type="accounts.accountlink",
            username=identifier[:150],
            detail="password reset requested; nothing sent",
        )
        return
    if sent_lately:
        detail = "password reset requested; nothing sent (enough links sent in the last hour)"
    else:
        link, token = _link_issue(user=person, purpose=AccountLinkPurpose.PASSWORD_RESET, created_by=None)
        _link_email(link=link, token=token)
        detail = "password reset link emailed on request"
    # About the person's account (accounts.user), so their clinic admin sees it among account events.
    audit_record(
        request=request,
        action=Action.UPDATE,
        obj=person,
        clinic=person.clinic,
        username=person.username,
        detail=detail,
    )


def account_link_get(token: str) -> AccountLink | None:
    """The unused, unexpired link with this token, of an active person; None otherwise."""
    if not token or len(token) > 100:
        return None
    return (
        AccountLink.objects.select_related("user", "user__clinic")
        .filter(
            token_hash=_token_hash(token), used_at__isnull=True, expires_at__gt=timezone.now(), user__is_active=True
        )
        .first()
    )


class LinkUsed(Exception):
    """The link was used (or expired) between showing the form and posting it."""


@transaction.atomic
def account_link_use(*, request: HttpRequest, link: AccountLink, new_password: str) -> User:
    """Set the person's password from a link; the link and every other open link of theirs die.

    Ends every session of the person. Does not sign them in: they sign in with the new password
    and their second factor (or enrol one, after an invitation).
    """
    link = AccountLink.objects.select_for_update().select_related("user").get(pk=link.pk)
    now = timezone.now()
    if link.used_at is not None or link.expires_at <= now or not link.user.is_active:
        raise LinkUsed
    user = link.user
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    AccountLink.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    ended = sessions_end_for_user(user)
    how = "from an invitation link" if link.purpose == AccountLinkPurpose.INVITATION else "by a reset link"
    audit_record(
        request=request,
        action=Action.UPDATE,
        obj=user,
        actor=user,
        detail=f"password set {how}; {ended} session(s) ended",
    )
    return user
