from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Action(models.TextChoices):
    VIEW = "view", "View"
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    DELETE = "delete", "Delete"
    EXPORT = "export", "Export"
    SIGN_IN = "sign_in", "Sign-in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGN_OUT = "sign_out", "Sign-out"
    UNLOCK = "unlock", "Lockout lifted"


class AuditEvent(models.Model):
    """One append-only line of the audit trail.

    Rows are never updated or deleted: the ORM refuses it here, and on PostgreSQL a trigger
    (migration 0002) refuses it in the database itself. Each row is chained to the one before
    it by `prev_hash` and `hash`, an HMAC under a key the database never sees
    (clinic/audit/chain.py), so a change made around the trigger is still found by
    `manage.py verify_audit_chain`. The serving database role may only SELECT and INSERT
    here (`manage.py grant_app_role`).
    """

    # Set before saving (not auto_now_add) because the hash covers it.
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, null=True, blank=True)
    # Staff accounts are deactivated, never deleted, so PROTECT keeps every row attributable.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    # The name typed at a failed sign-in, or the actor's username at the time.
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # Kept as a plain number so the trail outlives any clinical table's changes.
    patient_id = models.BigIntegerField(null=True, blank=True)
    detail = models.CharField(max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # Both unique: a second row claiming the same predecessor (a fork) is refused by the database.
    prev_hash = models.CharField(max_length=64, editable=False, unique=True)
    hash = models.CharField(max_length=64, editable=False, unique=True)
    # The id of the audit key (settings.AUDIT_HMAC_KEYS) whose HMAC `hash` is; empty on rows
    # written before the chain was keyed, whose `hash` is a plain sha256.
    key_id = models.CharField(max_length=16, editable=False, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["clinic", "-created_at"], name="audit_clinic_time"),
            models.Index(fields=["clinic", "patient_id", "-created_at"], name="audit_clinic_patient_time"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Audit events are append-only and cannot be changed.")
        if not self.hash:
            # Only audit_record links a row into the chain; a row saved any other way would break it.
            raise ValueError("Write audit events through clinic.audit.services.audit_record.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only and cannot be deleted.")
