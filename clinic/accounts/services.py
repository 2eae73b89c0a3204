"""Writes about clinics and staff. Each is one transaction with its audit event."""

from __future__ import annotations

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.http import HttpRequest

from clinic.accounts.models import Clinic, Role, User
from clinic.accounts.sessions import sessions_end_for_user
from clinic.audit.services import Action, audit_record
from clinic.lib.changes import changed_fields


@transaction.atomic
def clinic_create(*, name: str, admin_username: str, admin_password: str) -> tuple[Clinic, User]:
    """Create a clinic and its first clinic admin. Raises ValidationError on a weak password."""
    clinic = Clinic.objects.create(name=name)
    admin = staff_create(
        request=None, clinic=clinic, username=admin_username, password=admin_password, role=Role.CLINIC_ADMIN
    )
    return clinic, admin


@transaction.atomic
def staff_create(
    *,
    request: HttpRequest | None,
    clinic: Clinic,
    username: str,
    password: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """Add a staff member with a password (createclinic, createstaff: the first admin). Must pass the validators.

    In the app, clinic admins invite staff instead (clinic.accounts.invitations.staff_invite).
    """
    user = User(username=username, clinic=clinic, role=role, first_name=first_name, last_name=last_name, email=email)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(request=request, action=Action.CREATE, obj=user, clinic=clinic, detail=f"staff member, role {role}")
    return user


@transaction.atomic
def staff_update(*, request: HttpRequest, user: User, fields: dict) -> User:
    """Change name, email, role or active state of a staff member of the same clinic.

    Deactivating an account ends all of its sessions at once.
    """
    # Compare with the stored row: a ModelForm has already copied the new values onto `user`.
    stored = User.objects.select_for_update().get(pk=user.pk)
    changed = changed_fields(stored, fields)
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()
    detail = "changed " + ", ".join(changed)
    if "is_active" in changed and not user.is_active:
        detail += f"; {sessions_end_for_user(user)} session(s) ended"
    if changed:
        audit_record(request=request, action=Action.UPDATE, obj=user, detail=detail)
    return user


@transaction.atomic
def password_change(*, request: HttpRequest, user: User, new_password: str) -> None:
    """Set a new (already validated) password; end every other session of this person.

    The session that made the change continues, under a new key.
    """
    user.set_password(new_password)
    user.save(update_fields=["password"])
    ended = sessions_end_for_user(user, keep_session_key=request.session.session_key)
    update_session_auth_hash(request, user)
    audit_record(
        request=request, action=Action.UPDATE, obj=user, detail=f"password changed; {ended} other session(s) ended"
    )
