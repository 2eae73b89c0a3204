from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from clinic.accounts.models import Role, User


def staff_of_clinic(user: User) -> QuerySet[User]:
    """Staff of the acting user's clinic (never superusers or other clinics)."""
    return User.objects.filter(clinic_id=user.clinic_id, is_superuser=False).order_by("last_name", "username")


def staff_get_for_admin(user: User, pk: int) -> User:
    return get_object_or_404(staff_of_clinic(user), pk=pk)


def clinicians_of_clinic(clinic_id: int) -> QuerySet[User]:
    """Active clinicians who can hold a caseload."""
    return User.objects.filter(clinic_id=clinic_id, role=Role.CLINICIAN, is_active=True).order_by(
        "last_name", "first_name", "username"
    )


def staff_of_clinic_with_sign_in_status(user: User) -> QuerySet[User]:
    """The clinic's staff, each with `has_two_factor` and `invited` (no password chosen yet); one query."""
    from django.db.models import Exists, OuterRef, Q
    from django_otp.plugins.otp_totp.models import TOTPDevice

    confirmed = TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)
    # Django marks an unusable password with a leading "!"; an invited person has not chosen one yet.
    return staff_of_clinic(user).annotate(
        has_two_factor=Exists(confirmed),
        invited=Q(password__startswith="!", last_login__isnull=True),
    )
