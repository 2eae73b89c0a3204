from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from clinic.patients.correctable import Correctable

# A clock set a few minutes differently on two machines should not refuse a visit recorded "now".
CLOCK_SLACK = dt.timedelta(minutes=10)


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"


class PatientStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    TAPERING = "tapering", "Tapering"
    REFERRED = "referred", "Referred"
    DISCHARGED = "discharged", "Discharged"


class PregnancyStatus(models.TextChoices):
    NOT_ASKED = "not_asked", "Not asked"
    PREGNANT = "pregnant", "Pregnant"
    POSSIBLY = "possibly", "Possibly pregnant"
    NOT_PREGNANT = "not_pregnant", "Not pregnant"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


# Answers that record what the patient said on a given day: they need the date asked.
PREGNANCY_ANSWERS_WITH_DATE = frozenset(
    {PregnancyStatus.PREGNANT, PregnancyStatus.POSSIBLY, PregnancyStatus.NOT_PREGNANT}
)


class Problem(NamedTuple):
    field: str  # the field the message is shown next to
    message: str
    reads: tuple[str, ...] = ()  # other entered fields the rule reads


class CheckedModel(models.Model):
    """A model whose rules, `problems()`, run as part of `full_clean`.

    They run in `clean_fields` so that each rule can be skipped when a field it reads already
    failed (or a form left it out): a rule about a value the form could not read would only
    repeat, less clearly, the message already shown next to that field.
    """

    class Meta:
        abstract = True

    def problems(self) -> Iterator[Problem]:
        return iter(())

    def clean_fields(self, exclude=None) -> None:
        errors: dict = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        skip = set(exclude or ()) | set(errors)
        for problem in self.problems():
            if problem.field not in skip and not skip.intersection(problem.reads):
                errors.setdefault(problem.field, []).append(problem.message)
        if errors:
            raise ValidationError(errors)


class Patient(CheckedModel):
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="patients")
    record_number = models.CharField("clinic record number", max_length=32)
    name = models.CharField(max_length=150)
    date_of_birth = models.DateField()
    preferred_language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    assigned_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="caseload"
    )
    status = models.CharField(max_length=12, choices=PatientStatus.choices, default=PatientStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: a save based on an older version is refused, never silently merged.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            # "r-0001" and "R-0001" are the same chart to a person reading them aloud.
            models.UniqueConstraint(
                "clinic",
                Lower("record_number"),
                name="record_number_unique_in_clinic",
                violation_error_message="This record number is already used at this clinic.",
            ),
        ]
        indexes = [
            models.Index(fields=["clinic", "name"], name="patient_clinic_name"),
            models.Index(fields=["clinic", "status"], name="patient_clinic_status"),
            models.Index(fields=["clinic", "assigned_clinician"], name="patient_clinic_clinician"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.record_number})"

    @property
    def audit_patient_id(self) -> int | None:
        """The audit trail files an event about this record under this patient (clinic.audit.services)."""
        return self.pk

    def problems(self) -> Iterator[Problem]:
        if self.name and not self.name.strip():
            yield Problem("name", "Enter the patient's name.")
        if self.date_of_birth is not None:
            if self.date_of_birth > timezone.localdate():
                yield Problem("date_of_birth", "The date of birth cannot be in the future.")
            elif self.date_of_birth.year < 1900:
                yield Problem("date_of_birth", "Check the year: the date of birth is before 1900.")
        if self.record_number and self.clinic_id is not None:
            taken = Patient.objects.filter(clinic_id=self.clinic_id, record_number__iexact=self.record_number.strip())
            if taken.exclude(pk=self.pk).exists():
                yield Problem(
                    "record_number",
                    f"Record number {self.record_number} is already used by another patient at this clinic.",
                )
        if self.assigned_clinician_id is not None:
            clinician = self.assigned_clinician
            if clinician.clinic_id != self.clinic_id or not clinician.is_clinician or not clinician.is_active:
                yield Problem("assigned_clinician", "Choose an active clinician of this clinic.")


class VisitKind(models.TextChoices):
    INTAKE = "intake", "Intake"
    FOLLOW_UP = "follow_up", "Follow-up"
    TELEHEALTH = "telehealth", "Telehealth"
    PHONE = "phone", "Phone"
    URGENT = "urgent", "Urgent"


def _range(low, high):
    return [MinValueValidator(low), MaxValueValidator(high)]


# Plausible ranges for vital signs, declared once: the model validators and the form's messages
# both read them. They catch typing slips (a pulse of 720), not unusual patients.
VITAL_RANGES: dict[str, tuple[Decimal | int, Decimal | int, str]] = {
    "pulse": (20, 250, "beats/min"),
    "bp_systolic": (50, 260, "mmHg"),
    "bp_diastolic": (20, 160, "mmHg"),
    "respiratory_rate": (4, 60, "breaths/min"),
    "oxygen_saturation": (50, 100, "%"),
    "temperature_c": (Decimal("30.0"), Decimal("44.0"), "°C"),
}


class Sedation(models.TextChoices):
    """The Pasero Opioid-induced Sedation Scale (POSS; Pasero 1994): the level descriptions only.

    The published scale pairs levels with actions, some of which change an opioid dose; Steady
    never shows that column (tests/patients/test_sedation.py).
    """

    SLEEP = "S", "S: sleep, easy to arouse"
    AWAKE = "1", "1: awake and alert"
    SLIGHTLY_DROWSY = "2", "2: slightly drowsy, easily aroused"
    FREQUENTLY_DROWSY = "3", "3: frequently drowsy, arousable, drifts off to sleep during conversation"
    SOMNOLENT = "4", "4: somnolent, minimal or no response to verbal and physical stimulation"


def _vital(name: str):
    low, high, _unit = VITAL_RANGES[name]
    return _range(low, high)


class Visit(Correctable, CheckedModel):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="visits")
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits")
    occurred_at = models.DateTimeField("date and time")
    kind = models.CharField(max_length=12, choices=VisitKind.choices)
    # Vital signs are optional; the ranges refuse typing slips, not unusual patients.
    pulse = models.PositiveSmallIntegerField("pulse (beats/min)", null=True, blank=True, validators=_vital("pulse"))
    bp_systolic = models.PositiveSmallIntegerField(
        "blood pressure, systolic (mmHg)", null=True, blank=True, validators=_vital("bp_systolic")
    )
    bp_diastolic = models.PositiveSmallIntegerField(
        "blood pressure, diastolic (mmHg)", null=True, blank=True, validators=_vital("bp_diastolic")
    )
    respiratory_rate = models.PositiveSmallIntegerField(
        "respiratory rate (breaths/min)", null=True, blank=True, validators=_vital("respiratory_rate")
    )
    oxygen_saturation = models.PositiveSmallIntegerField(
        "oxygen saturation (%)", null=True, blank=True, validators=_vital("oxygen_saturation")
    )
    temperature_c = models.DecimalField(
        "temperature (°C)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=_vital("temperature_c"),
    )
    # Nullable (None: not assessed) so that SQLite adds the column in place: rebuilding the table
    # would drop the triggers other apps keep on it.
    sedation = models.CharField(  # noqa: DJ001
        "sedation level (POSS)", max_length=1, choices=Sedation.choices, null=True, blank=True
    )
    notes = models.TextField(blank=True)
    plan = models.TextField("plan (in your words)", blank=True)
    next_follow_up = models.DateField("next follow-up date", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["patient", "-occurred_at"], name="visit_patient_time")]
        constraints = [
            models.CheckConstraint(
                name="visit_bp_both_or_neither",
                condition=Q(bp_systolic__isnull=True, bp_diastolic__isnull=True)
                | Q(bp_systolic__isnull=False, bp_diastolic__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} visit {self.occurred_at:%Y-%m-%d}"

    @property
    def vital_signs(self) -> list[str]:
        """The vital signs that were taken, each as short words, e.g. "BP 130/84 mmHg"."""
        shown = []
        if self.pulse is not None:
            shown.append(f"pulse {self.pulse}/min")
        if self.bp_systolic is not None:
            shown.append(f"BP {self.bp_systolic}/{self.bp_diastolic} mmHg")
        if self.respiratory_rate is not None:
            shown.append(f"respiratory rate {self.respiratory_rate}/min")
        if self.oxygen_saturation is not None:
            shown.append(f"SpO₂ {self.oxygen_saturation}%")
        if self.temperature_c is not None:
            shown.append(f"{self.temperature_c} °C")
        if self.sedation:
            shown.append(f"sedation POSS {self.sedation}")
        return shown

    def problems(self) -> Iterator[Problem]:
        if self.bp_systolic is None and self.bp_diastolic is not None:
            yield Problem("bp_systolic", "Give both numbers of the blood pressure, or neither.", ("bp_diastolic",))
        elif self.bp_diastolic is None and self.bp_systolic is not None:
            yield Problem("bp_diastolic", "Give both numbers of the blood pressure, or neither.", ("bp_systolic",))
        elif self.bp_systolic is not None and self.bp_systolic <= self.bp_diastolic:
            yield Problem("bp_diastolic", "The diastolic pressure must be lower than the systolic.", ("bp_systolic",))
        if self.occurred_at is not None:
            if self.occurred_at > timezone.now() + CLOCK_SLACK:
                yield Problem("occurred_at", "A visit cannot be recorded in the future.")
            if self.next_follow_up is not None and self.next_follow_up < timezone.localdate(self.occurred_at):
                yield Problem("next_follow_up", "The next follow-up cannot be before the visit.", ("occurred_at",))


class ProductForm(models.TextChoices):
    TABLET = "tablet", "Tablet"
    GUMMY = "gummy", "Gummy"
    SHOT_OR_DRINK = "shot_drink", "Shot or drink"
    EXTRACT_OR_POWDER = "extract", "Extract or powder"
    VAPE = "vape", "Vape"
    KRATOM_LEAF = "leaf", "Kratom leaf or leaf powder"
    OTHER = "other", "Other"


# Product forms that concentrate 7-OH far above what leaf carries.
CONCENTRATED_FORMS = frozenset(
    {ProductForm.TABLET, ProductForm.GUMMY, ProductForm.SHOT_OR_DRINK, ProductForm.EXTRACT_OR_POWDER, ProductForm.VAPE}
)


class Route(models.TextChoices):
    ORAL = "oral", "Swallowed"
    SUBLINGUAL = "sublingual", "Under the tongue or in the cheek"
    INHALED = "inhaled", "Vaped or smoked"
    OTHER = "other", "Other"


class Frequency(models.TextChoices):
    NONE = "none", "None"
    LESS_THAN_WEEKLY = "occasional", "Less than weekly"
    WEEKLY = "weekly", "Weekly"
    MOST_DAYS = "most_days", "Several days a week"
    DAILY = "daily", "Daily"


class Reason(models.TextChoices):
    PAIN = "pain", "Pain"
    OPIOID_WITHDRAWAL = "opioid_withdrawal", "To avoid withdrawal from other opioids"
    ENERGY = "energy", "Energy or work"
    MOOD = "mood", "Mood"
    RECREATION = "recreation", "Recreation"
    OTHER = "other", "Other"


class UseReport(Correctable, CheckedModel):
    """How the patient says they use 7-OH, as reported, at intake and whenever it changes.

    Amounts are the patient's report of their own use. They feed no recommendation and no dose.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="use_reports")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    product_form = models.CharField(max_length=12, choices=ProductForm.choices)
    product_name = models.CharField("product or brand name", max_length=120, blank=True)
    strength_mg_per_unit = models.DecimalField(
        "labelled 7-OH strength per unit (mg)",
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_range(Decimal("0.01"), Decimal("10000")),
    )
    strength_unknown = models.BooleanField("strength unknown or label not trusted", default=False)
    units_per_day = models.DecimalField(
        "units per day", max_digits=6, decimal_places=2, null=True, blank=True, validators=_range(0, 1000)
    )
    uses_per_day = models.DecimalField(
        "times used per day", max_digits=5, decimal_places=1, null=True, blank=True, validators=_range(0, 100)
    )
    hours_between_uses = models.DecimalField(
        "hours between uses (redosing interval)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=_range(0, 168),
    )
    route = models.CharField(max_length=12, choices=Route.choices, default=Route.ORAL)
    months_of_use = models.PositiveSmallIntegerField(
        "how long used (months)", null=True, blank=True, validators=_range(0, 600)
    )
    last_use_at = models.DateTimeField("last use", null=True, blank=True)
    alcohol = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.NONE)
    benzodiazepines = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.NONE)
    other_opioids = models.CharField(
        "other opioids (including fentanyl)", max_length=12, choices=Frequency.choices, default=Frequency.NONE
    )
    gabapentinoids = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.NONE)
    # Nullable (None: not asked, as on reports made before it was asked) so that SQLite adds the
    # column in place: rebuilding the table would drop the triggers other apps keep on it.
    other_sedatives = models.CharField(  # noqa: DJ001
        "other sedatives (sleeping pills, barbiturates)",
        max_length=12,
        choices=Frequency.choices,
        null=True,
        blank=True,
    )
    stimulants = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.NONE)
    cannabis = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.NONE)
    reasons = models.JSONField("why they use it", default=list, blank=True)
    reason_other = models.CharField("other reason", max_length=200, blank=True)
    previous_attempts_to_stop = models.TextField(blank=True)
    past_withdrawal = models.TextField("past withdrawal", blank=True)
    past_overdose = models.BooleanField("has had an overdose", default=False)
    last_overdose_on = models.DateField(
        "most recent overdose (month and year)", null=True, blank=True, help_text="The first of the month is kept."
    )
    overdose_history = models.TextField("overdose history", blank=True)
    current_medications = models.TextField(
        "current medications",
        blank=True,
        help_text="CYP3A4 inhibitors and inducers change how much mitragynine becomes 7-OH.",
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["patient", "-recorded_at"], name="usereport_patient_time")]
        constraints = [
            models.CheckConstraint(
                name="usereport_strength_known_or_flagged",
                condition=~Q(strength_unknown=True, strength_mg_per_unit__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Use report {self.recorded_at:%Y-%m-%d}"

    def problems(self) -> Iterator[Problem]:
        if self.strength_unknown and self.strength_mg_per_unit is not None:
            yield Problem(
                "strength_mg_per_unit",
                "Give either the labelled strength or “unknown / not trusted”, not both.",
                ("strength_unknown",),
            )
        elif not self.strength_unknown and self.strength_mg_per_unit is None:
            yield Problem(
                "strength_mg_per_unit",
                "Give the labelled strength per unit, or tick “unknown / not trusted”.",
                ("strength_unknown",),
            )
        if self.recorded_at is not None:
            if self.recorded_at > timezone.now() + CLOCK_SLACK:
                yield Problem("recorded_at", "A report cannot be recorded in the future.")
            # Only against a report time that is not in the future: adding the slack to the
            # calendar's last minute (9999-12-31 23:59) would overflow.
            elif self.last_use_at is not None and self.last_use_at > self.recorded_at + CLOCK_SLACK:
                yield Problem("last_use_at", "The last use cannot be after the time of this report.", ("recorded_at",))
        if set(self.reasons or []) - set(Reason.values):
            yield Problem("reasons", "Choose reasons from the list.")
        if self.last_overdose_on is not None:
            if self.last_overdose_on > timezone.localdate():
                yield Problem("last_overdose_on", "The overdose cannot be in the future.")
            elif not self.past_overdose:
                yield Problem(
                    "last_overdose_on", "Tick “has had an overdose” too, or leave the month empty.", ("past_overdose",)
                )

    @property
    def is_concentrated(self) -> bool:
        return self.product_form in CONCENTRATED_FORMS


class PregnancyStatus(models.TextChoices):
    PREGNANT = "pregnant", "Pregnant"
    POSSIBLY = "possibly", "Possibly pregnant"
    NOT_PREGNANT = "not_pregnant", "Not pregnant"
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    NOT_ASKED = "not_asked", "Not asked (declined or not possible today)"


class PregnancyAnswer(Correctable, CheckedModel):
    """What the patient said about pregnancy, and the date asked. The latest answer counts."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="pregnancy_answers")
    status = models.CharField("pregnancy", max_length=16, choices=PregnancyStatus.choices)
    asked_on = models.DateField("date asked")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-asked_on", "-pk"]
        indexes = [models.Index(fields=["patient", "-asked_on"], name="pregnancy_patient_date")]

    def __str__(self) -> str:
        return f"Pregnancy {self.status} {self.asked_on:%Y-%m-%d}"

    def problems(self) -> Iterator[Problem]:
        if self.asked_on is not None and self.asked_on > timezone.localdate():
            yield Problem("asked_on", "The date asked cannot be in the future.")


class NaloxoneEvent(models.TextChoices):
    OFFERED = "offered", "Offered"
    GIVEN = "given", "Given (a kit handed over)"
    PRESCRIBED = "prescribed", "Prescribed"
    DECLINED = "declined", "Declined"
    USED = "used", "Used (the patient or someone near them used naloxone)"


class NaloxoneRecord(Correctable, CheckedModel):
    """Naloxone for one patient: offered, given, prescribed, declined or used, on a date."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="naloxone_records")
    event = models.CharField("what happened", max_length=12, choices=NaloxoneEvent.choices)
    on = models.DateField("date")
    notes = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-pk"]
        indexes = [models.Index(fields=["patient", "-on"], name="naloxone_patient_date")]

    def __str__(self) -> str:
        return f"Naloxone {self.event} {self.on:%Y-%m-%d}"

    def problems(self) -> Iterator[Problem]:
        if self.on is not None and self.on > timezone.localdate():
            yield Problem("on", "The date cannot be in the future.")


class Level(models.TextChoices):
    """How soon a safety rule's reason needs a person (clinic.patients.safety). Urgent shows first."""

    URGENT = "urgent", "Urgent"
    DISCUSS = "discuss", "Discuss"
    INFORMATION = "information", "Information"


class Acknowledgement(models.Model):
    """Staff saw a safety reason and say what was done. Keyed to the rule and the fact behind it.

    The reason leaves the dashboard while its fact stays the same; a newer record (a new visit,
    a new use report) is a new fact and raises it again. Rows are never edited or deleted.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="acknowledgements")
    rule = models.CharField(max_length=64)
    fact = models.CharField(max_length=100)  # the record behind the reason, e.g. "visit 42"
    level = models.CharField(max_length=12, choices=Level.choices)
    reason = models.TextField()  # the words shown when it was acknowledged
    action_taken = models.TextField("what was done")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["patient", "rule", "fact"], name="ack_patient_rule_fact")]
        constraints = [
            models.CheckConstraint(name="ack_says_what_was_done", condition=~Q(action_taken="")),
        ]

    def __str__(self) -> str:
        return f"Acknowledgement of {self.rule} {self.at:%Y-%m-%d}"


class CorrectionAction(models.TextChoices):
    AMENDED = "amended", "Amended"
    ENTERED_IN_ERROR = "entered_in_error", "Entered in error"


class Correction(models.Model):
    """One amendment or "entered in error" of a clinical record, with who, when and why.

    Rows are never edited or deleted. An amendment keeps, field by field, what the record said
    before (`changes`), so the original stays readable; the record itself holds the corrected
    values. The record is named by its kind (clinic.patients.corrections) and primary key.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="corrections")
    record_kind = models.CharField(max_length=32)
    record_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=16, choices=CorrectionAction.choices)
    reason = models.TextField("reason")
    # [{"field": name, "label": words, "before": words, "after": words}] for an amendment.
    changes = models.JSONField(default=list, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["record_kind", "record_id"], name="correction_record"),
            models.Index(fields=["patient", "at"], name="correction_patient_time"),
        ]
        constraints = [
            models.CheckConstraint(name="correction_gives_a_reason", condition=~Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.record_kind} {self.record_id}"
