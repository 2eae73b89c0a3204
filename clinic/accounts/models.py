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
