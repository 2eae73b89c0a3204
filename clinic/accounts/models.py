from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class Clinic(models.Model):
    """The tenant: every staff member and every patient belongs to exactly one clinic."""

    name = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    SUPERVISOR = "supervisor", "Supervisor"
    CLINIC_ADMIN = "clinic_admin", "Clinic admin"


class User(AbstractUser):
    """A staff member of one clinic with one role. Superusers (the Django admin) have no clinic."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, null=True, blank=True, related_name="staff")
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="staff_have_clinic_and_role",
                condition=Q(is_superuser=True) | (Q(clinic__isnull=False) & ~Q(role="")),
            ),
        ]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_clinician(self) -> bool:
        return self.role == Role.CLINICIAN

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR

    @property
    def is_clinic_admin(self) -> bool:
        return self.role == Role.CLINIC_ADMIN

    @property
    def sees_patients(self) -> bool:
        """Clinicians and supervisors work with patient records; clinic admins manage staff only."""
        return self.clinic_id is not None and self.role in (Role.CLINICIAN, Role.SUPERVISOR)


class AccountSignInFailures(models.Model):
    """Failed sign-ins for one username from every address, in the current window.

    Kept per username as typed (known or not), so a slowed-down answer never tells whether an
    account exists. Written only by clinic.accounts.slowdown.
    """

    username = models.CharField(max_length=150, unique=True)
    window_started_at = models.DateTimeField()
    failures = models.PositiveIntegerField(default=0)
    # Distinct addresses seen in the window, only as many as the rule needs to count.
    addresses = models.JSONField(default=list)
    last_failure_at = models.DateTimeField(db_index=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.username}: {self.failures} failure(s) since {self.window_started_at:%Y-%m-%d %H:%M}"


class AccountLinkPurpose(models.TextChoices):
    INVITATION = "invitation", "Invitation"
    PASSWORD_RESET = "password_reset", "Password reset"


class AccountLink(models.Model):
    """A one-time set-password link sent by email: an invitation or a password reset.

    Only the sha256 of the token is stored; the token itself is in the email and nowhere else.
    Used once (used_at), and only until expires_at. Written only by clinic.accounts.invitations.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_links")
    purpose = models.CharField(max_length=20, choices=AccountLinkPurpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="account_links_sent"
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "purpose", "-created_at"], name="account_link_user_recent")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} for {self.user}"


class PasswordResetRequest(models.Model):
    """One "forgot password" request, kept an hour, to rate-limit requests from one address."""

    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.ip_address} at {self.created_at:%Y-%m-%d %H:%M}"
