"""Reads for the dashboard: counts, who needs attention, referrals, weekly activity, caseloads.

Every read starts from `dashboard_patients`, which starts from `patients_visible_to(user)`: the
clinic is decided there, and a clinician's dashboard is narrowed to the patients assigned to her.
Nothing is cached; each page load reads the database as it is now.

Each function issues a fixed number of queries however many patients there are: per-patient
facts are correlated subqueries or joins inside one statement, never a query per patient.
Each rule (what "silent" means, what counts as depressant co-use) is written once, as a `Q`
over the patient, and used alike by the counts, the lists behind them and their CSV.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format

from clinic.accounts.models import Role, User
from clinic.assessments.instruments import COWS
from clinic.assessments.models import Assessment
from clinic.dashboard.safety_rules import SILENT_AFTER, expired_unanswered
from clinic.guidance.models import Referral, ReferralEvent, ReferralStatus
from clinic.patients import safety
from clinic.patients.models import Patient, PatientStatus, Visit, VisitKind
from clinic.patients.selectors import patients_visible_to

# The chart's default span, and the longest range the filters accept.
DEFAULT_WEEKS = 12
MAX_RANGE_DAYS = 366


# --- Scope and time --------------------------------------------------------------------------


@dataclass(frozen=True)
class DateRange:
    """Whole days in the clinic's time zone, both ends included."""

    start: dt.date
    end: dt.date

    @property
    def starts_at(self) -> dt.datetime:
        return _midnight(self.start)

    @property
    def ends_before(self) -> dt.datetime:
        return _midnight(self.end + dt.timedelta(days=1))

    def weeks(self) -> list[dt.date]:
        """The Monday of every week the range touches, oldest first."""
        monday = week_start(self.start)
        weeks = []
        while monday <= self.end:
            weeks.append(monday)
            monday += dt.timedelta(days=7)
        return weeks


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def week_start(day: dt.date) -> dt.date:
    """The Monday of the week holding `day`."""
    return day - dt.timedelta(days=day.weekday())


def default_range(today: dt.date | None = None) -> DateRange:
    """The last 12 weeks: from the Monday eleven weeks before this week's, to today."""
    today = today or timezone.localdate()
    return DateRange(week_start(today) - dt.timedelta(weeks=DEFAULT_WEEKS - 1), today)


@dataclass(frozen=True)
class Moment:
    """The one "now" a page is computed at, so every number on it agrees with every other."""

    now: dt.datetime
    dates: DateRange

    @property
    def today(self) -> dt.date:
        return timezone.localdate(self.now)

    @property
    def this_week(self) -> dt.date:
        return week_start(self.today)

    @property
    def silent_before(self) -> dt.datetime:
        return self.now - SILENT_AFTER


def moment_at(dates: DateRange | None = None, now: dt.datetime | None = None) -> Moment:
    now = now or timezone.now()
    return Moment(now=now, dates=dates or default_range(timezone.localdate(now)))


def dashboard_patients(user, *, clinician: str | int = "all") -> QuerySet[Patient]:
    """The patients a dashboard counts, from patients_visible_to(user).

    A clinician's dashboard is her caseload (patients assigned to her), whatever `clinician`
    says. A supervisor sees the whole clinic, or with `clinician` one clinician's caseload
    (a staff id) or the patients nobody is assigned to ("none"). Others get no patients.
    """
    patients = patients_visible_to(user)
    if getattr(user, "is_clinician", False):
        return patients.filter(assigned_clinician_id=user.pk)
    if clinician == "none":
        return patients.filter(assigned_clinician__isnull=True)
    if clinician != "all":
        return patients.filter(assigned_clinician_id=clinician)
    return patients


def clinicians_for_dashboard(user) -> list[User]:
    """Clinicians of the user's clinic, active ones first: the caseload rows and the filter's choices."""
    if not getattr(user, "sees_patients", False):
        return []
    return list(
        User.objects.filter(clinic_id=user.clinic_id, role=Role.CLINICIAN, is_superuser=False).order_by(
            "-is_active", "last_name", "first_name", "username"
        )
    )


# --- The facts each rule reads ---------------------------------------------------------------


_LINK = "activity__latest_link__"


def with_facts(patients: QuerySet[Patient], moment: Moment) -> QuerySet[Patient]:
    """Each patient with the facts the rules read, as annotations from joined rows (no query per patient).

    From the patient's PatientActivity row (kept by triggers): last_visit_at, follow_up_due (the
    latest visit's next follow-up date), link_expired_at (when the latest patient link expired
    unanswered, else null), review_passed_on (the earliest review date of an open taper plan
    that passed without being held, else null). Assessment facts come from
    PatientAssessmentSummary. Then every safety rule's annotations (clinic.patients.safety).
    """
    patients = patients.annotate(
        last_visit_at=F("activity__last_visit_at"),
        follow_up_due=F("activity__follow_up_due"),
        link_expired_at=Case(When(expired_unanswered(moment.now, _LINK), then=F(f"{_LINK}expires_at")), default=None),
        review_passed_on=Case(
            When(activity__review_due__lt=moment.today, then=F("activity__review_due")), default=None
        ),
    )
    return safety.with_rules(patients, moment.now)


# --- Metrics: every number on the dashboard, and the patients behind it ----------------------

IN_CARE = ~Q(status=PatientStatus.DISCHARGED)
_SUMMARY = "assessment_summary__"


@dataclass(frozen=True)
class Metric:
    key: str
    label: str  # a few words, as the dashboard shows the number
    heading: str  # what the list behind the number shows
    condition: Callable[[Moment], Q]
    attention: bool = False  # one of the "needs attention" reasons
    # For referral metrics: which of a patient's referrals the number is about (a Q over Referral).
    referrals: Callable[[Moment], Q] | None = None

    @property
    def about_referrals(self) -> bool:
        return self.referrals is not None


def _attention_metric(rule: safety.Rule) -> Metric:
    """A safety rule of urgent or discuss level, as a number of the dashboard (shown, not acknowledged)."""
    return Metric(
        rule.key,
        rule.title,
        f"Patients with “{rule.title}” ({rule.level_label.lower()}): {rule.threshold}",
        lambda m, key=rule.key: safety.shown(key),
        attention=True,
    )


# Every "needs attention" reason is a safety rule (clinic.patients.safety), urgent first. The
# apps registered their rules in AppConfig.ready(), before this module is imported.
ATTENTION_REASONS: list[Metric] = [_attention_metric(rule) for rule in safety.rules(dashboard=True)]


def _any_attention(m: Moment) -> Q:
    return reduce(or_, (reason.condition(m) for reason in ATTENTION_REASONS))


def _band(key: str) -> Callable[[Moment], Q]:
    return lambda m: IN_CARE & Q(**{f"{_SUMMARY}latest_cows_band": key})


def _metrics() -> list[Metric]:
    metrics = [
        Metric("in_care", "In care", "Patients in care (active, tapering or referred)", lambda m: IN_CARE),
        *[
            Metric(f"status_{value}", label, f"Patients with status “{label}”", lambda m, v=value: Q(status=v))
            for value, label in PatientStatus.choices
        ],
        *[
            Metric(
                f"band_{band.key}",
                str(band.label),
                f"Patients in care whose latest COWS is {str(band.label).lower()}",
                _band(band.key),
            )
            for band in reversed(COWS.bands)
        ],
        Metric(
            "band_below_mild",
            "Below mild",
            "Patients in care whose latest COWS is below the mild band (total under 5)",
            lambda m: IN_CARE & Q(**{f"{_SUMMARY}latest_cows_total__isnull": False, f"{_SUMMARY}latest_cows_band": ""}),
        ),
        Metric(
            "band_none",
            "No COWS yet",
            "Patients in care with no COWS recorded",
            lambda m: IN_CARE & Q(**{f"{_SUMMARY}latest_cows_total__isnull": True}),
        ),
        Metric(
            "new_week",
            "New this week",
            "Patients registered this week (since Monday)",
            lambda m: Q(created_at__gte=_midnight(m.this_week)),
        ),
        Metric(
            "new_range",
            "New in the date range",
            "Patients registered in the date range",
            lambda m: Q(created_at__gte=m.dates.starts_at, created_at__lt=m.dates.ends_before),
        ),
        Metric(
            "attention",
            "Need attention",
            "Patients in care who need attention, for any reason",
            lambda m: IN_CARE & _any_attention(m),
        ),
        *[
            Metric(r.key, r.label, r.heading + " (in care)", lambda m, r=r: IN_CARE & r.condition(m), attention=True)
            for r in ATTENTION_REASONS
        ],
    ]
    return metrics


# Counted per patient in one statement (see patient_counts). Referral and weekly lists follow.
COUNTED: dict[str, Metric] = {metric.key: metric for metric in _metrics()}


def _referral_metric(key: str, label: str, heading: str, referrals: Callable[[Moment], Q]) -> Metric:
    def condition(m: Moment) -> Q:
        return Q(Exists(Referral.objects.filter(referrals(m), patient=OuterRef("pk"))))

    return Metric(key, label, heading, condition, referrals=referrals)


def _sent_in_range(m: Moment) -> Q:
    """Over Referral: sent (moved to "sent") within the date range."""
    sent = _happened(ReferralEvent.objects.filter(referral=OuterRef("pk"), to_status=ReferralStatus.SENT)).filter(
        when__gte=m.dates.starts_at, when__lt=m.dates.ends_before
    )
    return Q(Exists(sent))


def _happened(events: QuerySet[ReferralEvent]) -> QuerySet[ReferralEvent]:
    """Events with `when`: the date of the event they report, else (older moves) when entered."""
    return events.annotate(when=Coalesce("happened_at", "at"))


def _attended_after_sent_in_range(m: Moment) -> Q:
    attended = ReferralEvent.objects.filter(referral=OuterRef("pk"), to_status=ReferralStatus.ATTENDED)
    return _sent_in_range(m) & Q(Exists(attended))


LISTED_ONLY: dict[str, Metric] = {
    metric.key: metric
    for metric in [
        *[
            _referral_metric(
                f"referral_{value}", label, f"Patients with a referral at “{label}”", lambda m, v=value: Q(status=v)
            )
            for value, label in ReferralStatus.choices
        ],
        _referral_metric(
            "referral_sent_days",
            "Days from intake to referral sent",
            "Patients with a referral sent in the date range",
            _sent_in_range,
        ),
        _referral_metric(
            "referral_attended_days",
            "Days from referral sent to attended",
            "Patients with a referral sent in the date range and since attended",
            _attended_after_sent_in_range,
        ),
    ]
}

METRICS: dict[str, Metric] = {**COUNTED, **LISTED_ONLY}

# One week of the chart: patients with an assessment taken that week (see metric_for).
WEEK_METRIC = "assessed_week"


def metric_for(key: str, *, week: dt.date | None = None) -> Metric:
    """The metric with this key; WEEK_METRIC needs `week` (a Monday). KeyError if unknown."""
    if key != WEEK_METRIC:
        return METRICS[key]
    if week is None:
        raise KeyError(key)
    start, end = _midnight(week), _midnight(week + dt.timedelta(days=7))
    taken = Assessment.objects.filter(patient=OuterRef("pk"), taken_at__gte=start, taken_at__lt=end)
    return Metric(
        WEEK_METRIC,
        f"Assessed in the week of {_day(week)}",
        f"Patients with an assessment taken in the week of {_day(week)}",
        lambda m: Q(Exists(taken)),
    )


# --- Counts ------------------------------------------------------------------------------------


@dataclass
class Counts:
    """Patient counts per metric key: the total, and per assigned clinician (None = unassigned)."""

    total: dict[str, int]
    by_clinician: dict[int | None, dict[str, int]]


def patient_counts(patients: QuerySet[Patient], moment: Moment) -> Counts:
    """Every COUNTED metric over `patients`, per assigned clinician and in total. One query.

    An inner query computes each patient's facts once, as one true/false column per plain
    metric and per attention reason; the outer query counts them per clinician, combining the
    reason columns for "needs attention" (in care, and any reason) instead of repeating them.
    """
    reason_keys = [reason.key for reason in ATTENTION_REASONS]
    plain = [key for key, metric in COUNTED.items() if key != "attention" and key not in reason_keys]
    conditions = {f"p{i}": COUNTED[key].condition(moment) for i, key in enumerate(plain)}
    conditions |= {f"r{i}": reason.condition(moment) for i, reason in enumerate(ATTENTION_REASONS)}
    inner = (
        with_facts(patients, moment)
        .annotate(
            clinician_id=F("assigned_clinician_id"),
            **{name: ExpressionWrapper(q, output_field=BooleanField()) for name, q in conditions.items()},
        )
        .order_by()
        .values("clinician_id", *conditions)
    )
    in_care = f'facts."p{plain.index("in_care")}"'
    any_reason = " OR ".join(f'facts."r{i}"' for i in range(len(reason_keys)))
    counted = {key: f'facts."p{i}"' for i, key in enumerate(plain)}
    counted["attention"] = f"{in_care} AND ({any_reason})"
    counted |= {key: f'{in_care} AND facts."r{i}"' for i, key in enumerate(reason_keys)}
    keys = list(COUNTED)
    sql, params = inner.query.sql_with_params()
    columns = ", ".join(f"COUNT(*) FILTER (WHERE {counted[key]})" for key in keys)
    # Column names are generated above from constants; every value stays in `params`.
    outer = f'SELECT facts."clinician_id", {columns} FROM ({sql}) facts GROUP BY facts."clinician_id"'  # nosec B608
    with connections[patients.db].cursor() as cursor:
        cursor.execute(outer, params)
        rows = cursor.fetchall()
    by_clinician = {row[0]: dict(zip(keys, row[1:], strict=False)) for row in rows}
    total = {key: sum(group[key] for group in by_clinician.values()) for key in keys}
    return Counts(total=total, by_clinician=by_clinician)


# --- Who needs attention, in words --------------------------------------------------------------


def _day(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value)
    return date_format(value, "j M Y")


def reasons_for(patient: Patient, moment: Moment) -> list[safety.Shown]:
    """The dashboard reasons of a patient from patients_for_metric/attention_preview, in words.

    Which reasons hold was decided in the database by the safety rules (the `safety_*`
    annotations); this only words them, urgent first, leaving out acknowledged ones.
    """
    return [s for s in safety.said_for(patient, moment.now, acknowledged=False) if s.rule.on_dashboard]


def last_contact(patient: Patient) -> dt.datetime | None:
    """The later of the latest visit and the latest assessment, or None if neither."""
    summary = getattr(patient, "summary_or_none", None)
    moments = [patient.last_visit_at, summary.latest_assessment_at if summary else None]
    moments = [m for m in moments if m is not None]
    return max(moments) if moments else None


@dataclass
class Row:
    patient: Patient
    reasons: list[safety.Shown] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)

    @property
    def last_contact(self) -> dt.datetime | None:
        return last_contact(self.patient)

    @property
    def summary(self):
        return getattr(self.patient, "summary_or_none", None)


def rows_for(patients: list[Patient], moment: Moment, metric: Metric | None = None) -> list[Row]:
    """Rows with reasons in words for patients from patients_for_metric or attention_preview.

    For a referral metric, one query for the referrals the number is about, with their timings.
    """
    for patient in patients:
        _attach_summary(patient)
    rows = [Row(patient, reasons_for(patient, moment)) for patient in patients]
    if metric is not None and metric.referrals is not None and rows:
        chosen = Referral.objects.filter(metric.referrals(moment), patient__in=[p.pk for p in patients])
        by_patient: dict[int, list[Referral]] = {}
        for referral in referral_timings(chosen.select_related("provider")):
            referral.days_to_sent = _days(referral.intake_at, referral.sent_at) if referral.sent_at else None
            referral.days_to_attended = (
                _days(referral.sent_at, referral.attended_at) if referral.sent_at and referral.attended_at else None
            )
            by_patient.setdefault(referral.patient_id, []).append(referral)
        for row in rows:
            row.referrals = by_patient.get(row.patient.pk, [])
    return rows


def _attach_summary(patient: Patient) -> None:
    # The reverse one-to-one raises when the row is missing; a patient without assessments has none.
    try:
        patient.summary_or_none = patient.assessment_summary
    except Patient.assessment_summary.RelatedObjectDoesNotExist:
        patient.summary_or_none = None


def patients_for_metric(patients: QuerySet[Patient], moment: Moment, metric: Metric) -> QuerySet[Patient]:
    """The patients behind one number of the dashboard, by name, with their facts and reason flags."""
    facts = with_facts(patients, moment)
    return (
        facts.filter(metric.condition(moment))
        .select_related("assigned_clinician", "assessment_summary")
        .order_by("name", "pk")
    )


def attention_preview(patients: QuerySet[Patient], moment: Moment, *, limit: int = 20) -> list[Row]:
    """The first `limit` patients in care who need attention, by name. Two queries.

    By name, like the full list behind the count: the database walks the patients in name
    order and stops after `limit`, instead of weighing every patient of the clinic.
    """
    chosen = (
        with_facts(patients, moment)
        .filter(COUNTED["attention"].condition(moment))
        .select_related("assigned_clinician", "assessment_summary")
        .order_by("name", "pk")[:limit]
    )
    return rows_for(list(chosen), moment)


# --- Referrals ---------------------------------------------------------------------------------


def referrals_of(patients: QuerySet[Patient]) -> QuerySet[Referral]:
    return Referral.objects.filter(patient__in=patients.values("pk"))


def referral_status_counts(patients: QuerySet[Patient]) -> dict[str, int]:
    """How many referrals of these patients sit in each status (every status, 0 if none). One query."""
    counts = dict(referrals_of(patients).order_by().values_list("status").annotate(n=Count("pk")))
    return {value: counts.get(value, 0) for value in ReferralStatus.values}


def referral_timings(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    """Referrals with intake_at (the patient's first intake visit, else when the patient was
    registered), sent_at and attended_at (from their ReferralEvents; null if never)."""
    first_intake = Visit.objects.filter(patient=OuterRef("patient_id"), kind=VisitKind.INTAKE).order_by(
        "occurred_at", "pk"
    )

    def moved_to(status: str) -> Subquery:
        events = _happened(ReferralEvent.objects.filter(referral=OuterRef("pk"), to_status=status))
        return Subquery(events.order_by("when", "pk").values("when")[:1])

    return referrals.annotate(
        intake_at=Coalesce(Subquery(first_intake.values("occurred_at")[:1]), F("patient__created_at")),
        sent_at=moved_to(ReferralStatus.SENT),
        attended_at=moved_to(ReferralStatus.ATTENDED),
    )


@dataclass(frozen=True)
class ReferralTimes:
    sent_days: float | None  # median days from intake to sent
    sent_count: int
    attended_days: float | None  # median days from sent to attended
    attended_count: int


def _days(start: dt.datetime, end: dt.datetime) -> float:
    return (end - start).total_seconds() / 86400


def referral_times(patients: QuerySet[Patient], moment: Moment) -> ReferralTimes:
    """Medians over referrals SENT in the date range: intake to sent, and sent to attended. One query.

    Intake is the patient's first intake visit, else when the patient was registered.
    """
    first_intake = Visit.objects.filter(patient=OuterRef("referral__patient_id"), kind=VisitKind.INTAKE).order_by(
        "occurred_at", "pk"
    )
    attended = _happened(
        ReferralEvent.objects.filter(referral=OuterRef("referral_id"), to_status=ReferralStatus.ATTENDED)
    ).order_by("when", "pk")
    # Start from the "sent" moves in the range: few rows, whatever the clinic's history. Every
    # time is the date of the event entered with the move, not the moment of the click.
    sent = (
        _happened(
            ReferralEvent.objects.filter(to_status=ReferralStatus.SENT, referral__patient__in=patients.values("pk"))
        )
        .filter(when__gte=moment.dates.starts_at, when__lt=moment.dates.ends_before)
        .annotate(
            intake_at=Coalesce(Subquery(first_intake.values("occurred_at")[:1]), F("referral__patient__created_at")),
            attended_at=Subquery(attended.values("when")[:1]),
        )
    )
    rows = list(sent.order_by().values_list("intake_at", "when", "attended_at"))
    to_sent = [_days(intake, sent_at) for intake, sent_at, _ in rows]
    to_attended = [_days(sent_at, attended) for _, sent_at, attended in rows if attended is not None]
    return ReferralTimes(
        sent_days=round(statistics.median(to_sent), 1) if to_sent else None,
        sent_count=len(to_sent),
        attended_days=round(statistics.median(to_attended), 1) if to_attended else None,
        attended_count=len(to_attended),
    )


# --- Weekly activity -----------------------------------------------------------------------------


def assessments_per_week(patients: QuerySet[Patient], dates: DateRange) -> list[tuple[dt.date, int]]:
    """(Monday, assessments taken that week) for every week of the range, quiet weeks as 0. One query.

    Weeks are whole weeks in the clinic's time zone, so the first and last may reach outside
    the range's days. Each assessment is put in its week by comparing taken_at with the weeks'
    boundaries (computed here, daylight saving included), which an index on taken_at serves.
    """
    weeks = dates.weeks()
    bounds = [_midnight(monday) for monday in weeks] + [_midnight(weeks[-1] + dt.timedelta(days=7))]
    week_of = Case(
        *[When(taken_at__lt=end, then=Value(i)) for i, end in enumerate(bounds[1:])],
        output_field=IntegerField(),
    )
    counted = (
        Assessment.objects.filter(patient__in=patients.values("pk"), taken_at__gte=bounds[0], taken_at__lt=bounds[-1])
        .annotate(week=week_of)
        .order_by()
        .values_list("week")
        .annotate(n=Count("*"))  # COUNT(*) needs no column outside the index
    )
    found = dict(counted)
    return [(monday, found.get(i, 0)) for i, monday in enumerate(weeks)]
