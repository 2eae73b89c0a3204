"""When the patient page shows a guidance card, and what it says. All the rules are in this file.

Each card links to one guidance page, says in one sentence why it is shown, and quotes the
recorded facts that triggered it with their dates. A card never calculates anything from the
patient's numbers: it only repeats what was recorded (a COWS total, a product form, a date).
tests/test_safety_line.py checks that every number on a card is one that was recorded.

The rules, in plain words:

1. Depressant co-use → "Harm reduction and naloxone".
   The latest use report records any use of alcohol, benzodiazepines, other opioids or
   gabapentinoids (anything but "None").
2. Concentrated product → "What 7-OH is and why concentrated products are riskier".
   The latest use report's product form is a tablet, gummy, shot or drink, extract or powder,
   or vape.
3. Moderate withdrawal or a taper that did not work → "When and how to refer for buprenorphine".
   The latest COWS total is in the moderate band or worse (13 or more), or the most recent
   taper plan was stopped because it did not work out.
4. No assessment for seven days → follow-up ("Principles of supervised tapering" when a taper
   plan is active, otherwise "Recognizing and scoring 7-OH withdrawal").
   The patient is not discharged, and either the latest assessment of any scale was taken
   more than seven days ago, or none was ever taken and the record was opened (first intake
   visit, or the record's creation) more than seven days ago.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Min
from django.utils import dateformat, timezone

from clinic.assessments.instruments import band_rank
from clinic.assessments.models import Assessment
from clinic.guidance.models import TaperPlan, TaperStatus
from clinic.guidance.selectors import has_open_buprenorphine_referral
from clinic.patients.models import CONCENTRATED_FORMS, Frequency, Patient, PatientStatus, UseReport, VisitKind

DEPRESSANT_FIELDS = ("alcohol", "benzodiazepines", "other_opioids", "gabapentinoids")
MODERATE_OR_WORSE = band_rank("moderate")
NO_ASSESSMENT_DAYS = 7


@dataclass(frozen=True)
class Facts:
    """What the rules look at for one patient, read in a fixed number of queries."""

    now: dt.datetime
    discharged: bool
    opened_at: dt.datetime  # first intake visit, or when the record was created
    latest_use_report: UseReport | None
    latest_cows: Assessment | None
    latest_assessment: Assessment | None
    latest_plan: TaperPlan | None
    has_active_plan: bool
    # A buprenorphine referral that is neither declined, lost nor ended: the card has been acted on.
    open_buprenorphine_referral: bool = False


@dataclass(frozen=True)
class Card:
    key: str
    heading: str
    why: str  # one sentence: why this card is shown
    facts: tuple[str, ...]  # the recorded facts that triggered it, quoted with their dates
    page_slug: str

    @property
    def text(self) -> str:
        """Everything the card says, for tests and screen readers alike."""
        return " ".join((self.heading, self.why, *self.facts))


def gather_facts(patient: Patient, now: dt.datetime | None = None) -> Facts:
    """Read the recorded facts the rules need: seven small queries whatever the record's size."""
    now = now or timezone.now()
    intake = patient.visits.filter(kind=VisitKind.INTAKE).aggregate(first=Min("occurred_at"))["first"]
    opened_at = min(intake, patient.created_at) if intake else patient.created_at
    assessments = Assessment.objects.filter(patient=patient).order_by("-taken_at", "-pk")
    plans = TaperPlan.objects.filter(patient=patient)
    return Facts(
        now=now,
        discharged=patient.status == PatientStatus.DISCHARGED,
        opened_at=opened_at,
        latest_use_report=patient.use_reports.order_by("-recorded_at", "-pk").first(),
        latest_cows=assessments.filter(instrument="COWS").first(),
        latest_assessment=assessments.first(),
        latest_plan=plans.order_by("-start_date", "-pk").first(),
        has_active_plan=plans.filter(status=TaperStatus.ACTIVE).exists(),
        open_buprenorphine_referral=has_open_buprenorphine_referral(patient),
    )


def cards_for(facts: Facts) -> list[Card]:
    """The cards these facts call for, in a fixed order."""
    cards = []
    for rule in (_depressant_co_use, _concentrated_product, _buprenorphine_referral, _follow_up):
        card = rule(facts)
        if card is not None:
            cards.append(card)
    return cards


def cards_for_patient(patient: Patient, now: dt.datetime | None = None) -> list[Card]:
    return cards_for(gather_facts(patient, now))


# --- The rules --------------------------------------------------------------------------------


def _depressant_co_use(facts: Facts) -> Card | None:
    report = facts.latest_use_report
    if report is None:
        return None
    used = [
        f"{UseReport._meta.get_field(name).verbose_name}: {getattr(report, f'get_{name}_display')().lower()}"
        for name in DEPRESSANT_FIELDS
        if getattr(report, name) != Frequency.NONE
    ]
    if not used:
        return None
    return Card(
        key="depressant_co_use",
        heading="Co-use with depressants: harm reduction and overdose risk",
        why="Taking 7-OH with alcohol, benzodiazepines, other opioids or gabapentinoids raises the risk of overdose.",
        facts=(f"Use report of {_date(report.recorded_at)} records {'; '.join(used)}.",),
        page_slug="harm-reduction",
    )


def _concentrated_product(facts: Facts) -> Card | None:
    report = facts.latest_use_report
    if report is None or report.product_form not in CONCENTRATED_FORMS:
        return None
    return Card(
        key="concentrated_product",
        heading="Concentrated product: why 7-OH is different",
        why="Concentrated products carry far more 7-OH than kratom leaf, and their strength varies.",
        facts=(
            f"Use report of {_date(report.recorded_at)} records the product form: {report.get_product_form_display().lower()}.",
        ),
        page_slug="what-is-7-oh",
    )


def _buprenorphine_referral(facts: Facts) -> Card | None:
    if facts.open_buprenorphine_referral:
        return None  # already referred: the referral shows on the page, not a suggestion to make one
    found = []
    cows = facts.latest_cows
    if cows is not None and band_rank(cows.band) >= MODERATE_OR_WORSE:
        found.append(f"Latest COWS: {cows.total} ({cows.band_label.lower()}), taken {_date_time(cows.taken_at)}.")
    plan = facts.latest_plan
    if plan is not None and plan.status == TaperStatus.STOPPED:
        found.append(
            f"The taper plan started {_date(plan.start_date)} was marked stopped (did not work out) "
            f"on {_date(plan.status_changed_at)}."
        )
    if not found:
        return None
    return Card(
        key="buprenorphine_referral",
        heading="Consider a buprenorphine referral",
        why="Withdrawal in the moderate band or worse, or a taper that did not work out, is a reason to consider buprenorphine with a prescriber.",
        facts=tuple(found),
        page_slug="buprenorphine-referral",
    )


def _follow_up(facts: Facts) -> Card | None:
    if facts.discharged:
        return None
    cutoff = facts.now - dt.timedelta(days=NO_ASSESSMENT_DAYS)
    last = facts.latest_assessment
    if last is not None:
        if last.taken_at >= cutoff:
            return None
        found = f"Last assessment: {last.definition.short_name}, taken {_date(last.taken_at)}."
    else:
        if facts.opened_at >= cutoff:
            return None
        found = f"No assessment has been recorded since the record was opened on {_date(facts.opened_at)}."
    return Card(
        key="follow_up",
        heading="Follow-up: no withdrawal assessment in the last seven days",
        why="Scoring withdrawal with the same scale at each step keeps the trend meaningful and shows when care needs to change.",
        facts=(found,),
        page_slug="supervised-tapering" if facts.has_active_plan else "recognising-withdrawal",
    )


def _date(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
    return dateformat.format(value, "j M Y")


def _date_time(value: dt.datetime) -> str:
    return dateformat.format(timezone.localtime(value), "j M Y \\a\\t H:i")
