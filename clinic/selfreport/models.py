from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

# Patients fill in their own instruments only; COWS is a clinician's observation.
LINK_INSTRUMENTS = [("SOWS", "SOWS"), ("SOWS_GOSSOP", "SOWS-Gossop")]

DEFAULT_VALID_HOURS = 72
MIN_VALID_HOURS = 1
MAX_VALID_HOURS = 168
MAX_DOB_ATTEMPTS = 5


def token_hash(token: str) -> str:
    """What we store instead of the token: a leaked table must not open anyone's form."""
    return hashlib.sha256(token.encode()).hexdigest()


class LinkState(models.TextChoices):
    WAITING = "waiting", "Waiting"
    COMPLETED = "completed", "Completed"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"
    LOCKED = "locked", "Locked"


def still_open(prefix: str = "") -> Q:
    """Links neither answered, revoked nor locked. `prefix` reaches a link through a relation."""
    return Q(
        **{
            f"{prefix}completed_at__isnull": True,
            f"{prefix}revoked_at__isnull": True,
            f"{prefix}locked_at__isnull": True,
        }
    )


def past_expiry(now: dt.datetime, prefix: str = "") -> Q:
    """Links whose time ran out: marked expired, or past `expires_at`. The SQL of PatientLink.is_past_expiry."""
    return Q(**{f"{prefix}expired_at__isnull": False}) | Q(**{f"{prefix}expires_at__lte": now})


def expired_unanswered(now: dt.datetime, prefix: str = "") -> Q:
    """Links in LinkState.EXPIRED at `now`: the one rule of link expiry, as SQL (state_at is its Python)."""
    return still_open(prefix) & past_expiry(now, prefix)


class PatientLink(models.Model):
    """A one-time link that lets a patient fill in one form without an account.

    Only the sha256 of the token is stored. The state is derived from the timestamps, so it
    can never disagree with them: completed, then revoked, then locked, then expired, else waiting.
    """

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="links")
    instrument = models.CharField(max_length=16, choices=LINK_INSTRUMENTS, default="SOWS")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    assessment = models.OneToOneField(
        "assessments.Assessment", on_delete=models.PROTECT, null=True, blank=True, related_name="patient_link"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    failed_dob_attempts = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)
    # Set by `expire_patient_links` so the audit trail records each link that lapsed unused.
    expired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["patient", "-created_at"], name="patientlink_patient_time"),
            models.Index(fields=["expires_at"], name="patientlink_expires"),
        ]
        constraints = [
            models.CheckConstraint(
                name="patientlink_expires_after_creation", condition=Q(expires_at__gt=F("created_at"))
            ),
            models.CheckConstraint(
                name="patientlink_completed_has_assessment",
                condition=Q(assessment__isnull=True, completed_at__isnull=True)
                | Q(assessment__isnull=False, completed_at__isnull=False),
            ),
            models.CheckConstraint(
                name="patientlink_dob_attempts_bounded", condition=Q(failed_dob_attempts__lte=MAX_DOB_ATTEMPTS)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} link for patient {self.patient_id} ({self.state})"

    def state_at(self, now: dt.datetime) -> str:
        if self.completed_at is not None:
            return LinkState.COMPLETED
        if self.revoked_at is not None:
            return LinkState.REVOKED
        if self.locked_at is not None:
            return LinkState.LOCKED
        if self.is_past_expiry(now):
            return LinkState.EXPIRED
        return LinkState.WAITING

    def is_past_expiry(self, now: dt.datetime) -> bool:
        """The Python of past_expiry()."""
        return self.expired_at is not None or self.expires_at <= now

    @property
    def state(self) -> str:
        return self.state_at(timezone.now())

    @property
    def state_label(self) -> str:
        return LinkState(self.state).label

    @property
    def is_waiting(self) -> bool:
        return self.state == LinkState.WAITING

    @property
    def dob_attempts_left(self) -> int:
        return max(MAX_DOB_ATTEMPTS - self.failed_dob_attempts, 0)


class RateCounter(models.Model):
    """Hits per key (a link or an address) in one fixed time window.

    Kept in the database, not a per-process cache, so the limit holds across app servers.
    `expire_patient_links` removes old windows.
    """

    key = models.CharField(max_length=100)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="ratecounter_key_window_unique")]
        indexes = [models.Index(fields=["window_start"], name="ratecounter_window")]

    def __str__(self) -> str:
        return f"{self.key} {self.window_start:%Y-%m-%d %H:%M} {self.hits}"
