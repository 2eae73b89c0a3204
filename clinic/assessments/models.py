from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from clinic.assessments.instruments import BAND_CHOICES, INSTRUMENT_CHOICES, INSTRUMENTS
from clinic.assessments.last_use import ANSWER_CHOICES, AT_TIME, GIVEN_BY_CHOICES, NOT_RECORDED, LastUse
from clinic.patients.correctable import Correctable


class CompletedBy(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    PATIENT = "patient", "Patient"


class Assessment(Correctable):
    """One completed withdrawal checklist, scored by the server from its declared instrument."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="assessments")
    instrument = models.CharField(max_length=16, choices=INSTRUMENT_CHOICES)
    taken_at = models.DateTimeField()
    completed_by = models.CharField(max_length=10, choices=CompletedBy.choices)
    # Null when the patient entered it themselves through a link.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    visit = models.ForeignKey("patients.Visit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    answers = models.JSONField()  # {item key: legal value}, validated against the instrument
    total = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=20, choices=BAND_CHOICES, blank=True)  # "" below the first band or no bands
    # When 7-OH was last used, as answered with this assessment (clinic.assessments.last_use).
    # "" = asked before the question existed: shown as "not recorded", never filled from elsewhere.
    last_use_answer = models.CharField(max_length=10, choices=ANSWER_CHOICES, blank=True, default=NOT_RECORDED)
    last_use_at = models.DateTimeField(null=True, blank=True)  # only with a date-and-time answer
    last_use_given_by = models.CharField(max_length=10, choices=GIVEN_BY_CHOICES, blank=True)
    # Hours from last_use_at to taken_at; kept so the hours chart and the CSV need no arithmetic.
    hours_since_last_use = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    # Sent with the form so a replayed or double-tapped POST records exactly once.
    submission_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-taken_at", "-pk"]
        indexes = [
            models.Index(fields=["patient", "instrument", "-taken_at"], name="assessment_patient_instr_time"),
            models.Index(fields=["patient", "-taken_at"], name="assessment_patient_time"),
            models.Index(fields=["taken_at"], name="assessment_taken_at"),
            # The dashboard's assessments per week: counted from the index alone (index-only scan).
            models.Index(fields=["taken_at", "patient"], name="assessment_taken_at_patient"),
        ]
        constraints = [
            # A time of last use exists exactly when the answer is a date and time, and then it
            # is not after the assessment; every recorded answer says who gave it.
            models.CheckConstraint(
                name="assessment_last_use_time_matches_answer",
                condition=(
                    Q(last_use_answer=AT_TIME, last_use_at__isnull=False, hours_since_last_use__gte=0)
                    | (~Q(last_use_answer=AT_TIME) & Q(last_use_at__isnull=True, hours_since_last_use__isnull=True))
                ),
            ),
            models.CheckConstraint(
                name="assessment_last_use_says_who",
                condition=Q(last_use_answer="", last_use_given_by="")
                | (~Q(last_use_answer="") & ~Q(last_use_given_by="")),
            ),
            models.CheckConstraint(
                name="assessment_total_in_range",
                condition=Q(
                    *[
                        Q(instrument=code, total__gte=i.min_total, total__lte=i.max_total)
                        for code, i in INSTRUMENTS.items()
                    ],
                    _connector=Q.OR,
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.total} on {self.taken_at:%Y-%m-%d %H:%M}"

    @property
    def definition(self):
        return INSTRUMENTS[self.instrument]

    @property
    def last_use(self) -> LastUse:
        """The answer given with this assessment about the last use of 7-OH, and who gave it."""
        return LastUse(self.last_use_answer, self.last_use_given_by, self.hours_since_last_use)

    @property
    def band_label(self) -> str:
        """The band's name, 'below the mild band' for low COWS totals, '' where no bands exist."""
        band = self.definition.band_for(self.total)
        if band is not None:
            return str(band.label)
        return str(self.definition.below_bands_label or "")


class PatientAssessmentSummary(models.Model):
    """The latest scores of one patient, kept up to date by assessment_submit.

    Lists and dashboards read this one row per patient instead of each patient's history.
    "Latest" means latest by taken_at (a back-dated entry does not become the latest).
    """

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.CASCADE, primary_key=True, related_name="assessment_summary"
    )
    latest_cows_total = models.PositiveSmallIntegerField(null=True, blank=True)
    latest_cows_band = models.CharField(max_length=20, choices=BAND_CHOICES, blank=True)  # "" below mild or none
    latest_cows_taken_at = models.DateTimeField(null=True, blank=True)
    # The COWS before the latest one; null total means there is only one (or none).
    previous_cows_total = models.PositiveSmallIntegerField(null=True, blank=True)
    previous_cows_band = models.CharField(max_length=20, choices=BAND_CHOICES, blank=True)
    # Stored so a dashboard can filter on it without reading histories.
    cows_band_went_up = models.BooleanField(default=False)
    latest_sows_craving = models.PositiveSmallIntegerField(null=True, blank=True)  # 16-item SOWS, item 16
    latest_sows_taken_at = models.DateTimeField(null=True, blank=True)
    latest_assessment_at = models.DateTimeField(null=True, blank=True)  # any instrument
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "patient assessment summaries"
        indexes = [
            models.Index(fields=["latest_cows_band"], name="summary_latest_cows_band"),
            models.Index(fields=["-latest_assessment_at"], name="summary_latest_assessment"),
            models.Index(
                fields=["latest_cows_taken_at"], name="summary_cows_went_up", condition=Q(cows_band_went_up=True)
            ),
        ]

    def __str__(self) -> str:
        return f"Assessment summary for patient {self.patient_id}"

    @property
    def latest_cows_band_label(self) -> str:
        if self.latest_cows_total is None:
            return ""
        return Assessment(instrument="COWS", total=self.latest_cows_total).band_label

    @property
    def previous_cows_band_label(self) -> str:
        if self.previous_cows_total is None:
            return ""
        return Assessment(instrument="COWS", total=self.previous_cows_total).band_label
