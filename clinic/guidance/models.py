"""Taper plans written by clinicians, the clinic's provider directory, and referrals.

None of these models has a field for an amount of any medication: a taper step is a date and the
clinician's own words (tests/test_safety_line.py keeps it that way).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from clinic.patients.correctable import Correctable


class TaperStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped — did not work out"


OPEN_TAPER_STATUSES = frozenset({TaperStatus.PLANNED, TaperStatus.ACTIVE, TaperStatus.PAUSED})
ENDED_TAPER_STATUSES = frozenset({TaperStatus.COMPLETED, TaperStatus.STOPPED})


class TaperPlan(models.Model):
    """A supervised taper as the clinician wrote it. Steady shows it back; it never fills it in."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="taper_plans")
    start_date = models.DateField()
    goals = models.TextField("goals (in your and the patient's words)")
    status = models.CharField(max_length=12, choices=TaperStatus.choices, default=TaperStatus.PLANNED)
    outcome_note = models.TextField("how it went", blank=True)
    # When the status last changed: quoted by guidance cards ("stopped on ...").
    status_changed_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            # Two open plans for one patient would leave the team unsure which one is followed.
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status__in=["planned", "active", "paused"]),
                name="one_open_taper_plan_per_patient",
            ),
            models.CheckConstraint(
                name="taper_plan_status_known", condition=Q(status__in=[s.value for s in TaperStatus])
            ),
        ]

    def __str__(self) -> str:
        return f"Taper plan from {self.start_date:%Y-%m-%d} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TAPER_STATUSES


class TaperStep(models.Model):
    """One step of the plan: a date and free text. There is deliberately no amount field."""

    plan = models.ForeignKey(TaperPlan, on_delete=models.CASCADE, related_name="steps")
    date = models.DateField()
    text = models.TextField("step (in your words)")
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"Step on {self.date:%Y-%m-%d}"


class ReviewDate(models.Model):
    """A date on which the team has agreed to review the plan with the patient."""

    plan = models.ForeignKey(TaperPlan, on_delete=models.CASCADE, related_name="review_dates")
    date = models.DateField()
    note = models.CharField(max_length=200, blank=True)
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    # Why it was marked held before its date. Nullable (None: held on or after its date) so that
    # SQLite adds the column in place: rebuilding the table would drop the dashboard's triggers.
    held_early_reason = models.TextField("why it was held before its date", null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "date"], name="one_review_per_plan_and_date"),
            models.CheckConstraint(name="review_done_has_time", condition=Q(done=False) | Q(done_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"Review on {self.date:%Y-%m-%d}"

    def is_overdue(self, today: dt.date) -> bool:
        return not self.done and self.date < today


class ProviderKind(models.TextChoices):
    BUPRENORPHINE = "buprenorphine", "Buprenorphine prescriber"
    OTP = "otp", "Opioid treatment program"
    COUNSELLING = "counselling", "Counselling"
    PEER_SUPPORT = "peer_support", "Peer support"
    HARM_REDUCTION = "harm_reduction", "Harm-reduction service"


class Provider(models.Model):
    """A service the clinic refers patients to. Each clinic keeps its own directory."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="providers")
    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=ProviderKind.choices)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=250, blank=True)
    website = models.URLField(blank=True)
    telehealth = models.BooleanField("offers telehealth", default=False)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["clinic", "name"], name="provider_name_unique_in_clinic")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class ReferralStatus(models.TextChoices):
    DRAFTED = "drafted", "Drafted"
    SENT = "sent", "Sent"
    CONTACTED = "contacted", "Provider contacted the patient"
    APPOINTMENT = "appointment", "Appointment scheduled"
    MISSED = "missed", "Appointment missed"
    RESCHEDULED = "rescheduled", "Appointment rescheduled"
    ATTENDED = "attended", "Attended"
    TREATMENT_STARTED = "treatment_started", "Treatment started (as reported)"
    ENGAGED_30_DAYS = "engaged_30_days", "Still engaged at 30 days"
    DECLINED = "declined", "Declined"
    LOST = "lost", "Lost to follow-up"


class DeclinedBy(models.TextChoices):
    PATIENT = "patient", "The patient"
    PROVIDER = "provider", "The provider"


class Referral(models.Model):
    """A referral of one patient to one provider of the same clinic, moved only by referral_move."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="referrals")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="referrals")
    reason = models.TextField("reason for referral")
    status = models.CharField(max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.DRAFTED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="referral_status_known", condition=Q(status__in=[s.value for s in ReferralStatus])
            ),
        ]

    def __str__(self) -> str:
        return f"Referral to {self.provider.name} ({self.get_status_display()})"


class ReferralEvent(Correctable):
    """One move of a referral: from, to, when, by whom, and why. Written only by referral_move.

    A move made by mistake is marked entered in error by referral_move_correct (with a
    Correction saying who and why) and stops counting: `objects` leaves it out, the referral's
    page still shows it, marked.
    """

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=20, choices=ReferralStatus.choices, blank=True)  # "" when created
    to_status = models.CharField(max_length=20, choices=ReferralStatus.choices)
    at = models.DateTimeField()  # when the move was entered
    # When the event it reports happened (the day sent, the appointment, the day attended); null
    # on moves entered before it was asked, which then read `at`. See `when`.
    happened_at = models.DateTimeField("when it happened", null=True, blank=True)
    declined_by = models.CharField(max_length=10, choices=DeclinedBy.choices, blank=True)  # only when declined
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            # Closing a referral without saying why would lose what the team needs to try again.
            models.CheckConstraint(
                name="referral_closed_with_reason",
                condition=~Q(to_status__in=["declined", "lost"]) | ~Q(note=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def when(self) -> dt.datetime:
        """When the event happened, as entered; the time of entry for moves entered without it."""
        return self.happened_at or self.at
