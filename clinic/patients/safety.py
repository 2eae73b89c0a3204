"""Safety rules: one list of the dangers Steady records, so each is seen at once by the right person.

Every rule answers two questions with the same SQL: does it hold for this patient (the patient
page's attention region), and which patients of a clinic does it hold for (the dashboard's
"needs attention", the patient list's filter)? Both read `with_rules(patients, now)`, which
annotates a queryset of patients in ONE statement, whatever the number of patients or rules:

- `safety_<fact>` for every registered fact (shared values, e.g. the latest use report's id);
- `safety_fact_<rule>`: the record behind the rule (e.g. "visit 42"), as text;
- `safety_on_<rule>`: whether the rule holds;
- `safety_ack_<rule>`: whether staff acknowledged it for that very fact.

A rule is *shown* when it holds and is not acknowledged (`shown(key)` is that filter). An
acknowledgement is keyed to the rule and the fact behind it, so a newer record (a new visit
with a low respiratory rate, a new use report) raises the rule again.

Rules never act: they prompt a person to assess and to talk. No rule proposes, computes or
checks a dose (tests/test_safety_line.py).

Adding a rule is one change, in the app that owns its fact. Patients sits below assessments,
guidance and dashboard, so it never names them: each app registers its own rules when it
starts: AssessmentsConfig.ready() already calls clinic.assessments.safety_rules.register_all(),
so a new assessments rule is one more entry in that module's RULES list, for example:

    # clinic/assessments/safety_rules.py
    from clinic.patients.safety import Level, Rule, Said

    RULES = [
        ...,
        Rule(
        key="lost_tolerance_craving",
        level=Level.DISCUSS,
        title="Lost tolerance",
        threshold="3 days or more without use, and SOWS craving 3 or 4",
        source="Strang J et al. BMJ 2003;326:959-960",
        condition=lambda now: Q(...),                 # over Patient; may read safety_* facts
        fact=lambda now: F("assessment_summary__latest_sows_id"),  # the record behind it
        describe=lambda patient, now: Said("...", patient.some_annotation),
        values=lambda now: {"lost_tolerance_at": ...},  # annotations describe() reads
        advice="After a taper, a break or a stay in hospital or jail, ...",
        naloxone_reason="lost tolerance",  # named in the naloxone reason while this one holds
        ),
    ]

Conditions and values may read the shared facts of the patients app (`safety_use_report`,
`safety_visit`, `safety_report_<field>`, `safety_visit_<field>`; see safety_rules.py) and any
relation of Patient. Keep each rule's SQL a fixed number of subqueries: the dashboard counts
every rule over the whole clinic in one statement.

A mistake (a duplicate key, an unknown level, a condition that does not build) stops
`manage.py check` and so every start (the `patients.E010` system check).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.checks import Error
from django.core.checks import register as register_check
from django.db.models import BooleanField, CharField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.formats import date_format

from clinic.patients.models import Acknowledgement, Level, Patient

__all__ = [
    "Level",
    "Rule",
    "Said",
    "Shown",
    "register",
    "register_fact",
    "rule",
    "rules",
    "rules_for_patient",
    "said_for",
    "setting",
    "shown",
    "shown_any",
    "with_rules",
]

LEVEL_ORDER = {Level.URGENT: 0, Level.DISCUSS: 1, Level.INFORMATION: 2}


@dataclass(frozen=True)
class Said:
    """What a rule says about one patient: the reason in words, and the date of the fact behind it."""

    text: str
    at: dt.date | dt.datetime | None


@dataclass(frozen=True)
class Rule:
    key: str  # stable, lower_snake_case; names the dashboard metric and the list filter
    level: str  # a Level
    title: str  # a few words: the list's badge, the dashboard's row
    threshold: str  # when it holds, in plain words (shown on the page)
    source: str  # where the threshold or the advice comes from
    condition: Callable[[dt.datetime], Q]  # over Patient annotated by with_rules
    fact: Callable[[dt.datetime], Any]  # an expression naming the record behind it
    describe: Callable[[Patient, dt.datetime], Said]  # reads only annotations and select_related rows
    values: Callable[[dt.datetime], dict[str, Any]] = field(default=lambda now: {})  # annotations for describe
    advice: str = ""  # what to consider, no amounts; shown under the reason
    # Named in the naloxone reason's wording while this rule holds ("more urgent with ...").
    naloxone_reason: str = ""

    @property
    def on_dashboard(self) -> bool:
        """Urgent and discuss reasons are "needs attention"; information stays on the patient page."""
        return self.level != Level.INFORMATION

    @property
    def level_label(self) -> str:
        return Level(self.level).label

    @property
    def rank(self) -> int:
        return LEVEL_ORDER.get(self.level, 99)


@dataclass(frozen=True)
class Shown:
    """One rule holding for one patient, as a page shows it."""

    rule: Rule
    said: Said
    fact: str
    acknowledged: bool

    @property
    def key(self) -> str:
        return self.rule.key

    @property
    def text(self) -> str:
        return self.said.text

    @property
    def at(self):
        return self.said.at

    @property
    def level(self) -> str:
        return self.rule.level

    @property
    def when(self) -> str:
        """The date of the fact behind it, with the time when the fact has one."""
        at = self.said.at
        if at is None:
            return ""
        if isinstance(at, dt.datetime):
            return date_format(timezone.localtime(at), "j M Y, H:i")
        return date_format(at, "j M Y")


_RULES: dict[str, Rule] = {}
_FACTS: dict[str, Callable[[dt.datetime], Any]] = {}
_MISTAKES: list[str] = []


def register(rule: Rule) -> Rule:
    """Add a rule to the one list. Call from the owning app's AppConfig.ready()."""
    if rule.key in _RULES and _RULES[rule.key] is not rule:
        _MISTAKES.append(f"The safety rule {rule.key!r} is registered twice.")
    _RULES[rule.key] = rule
    return rule


def register_fact(name: str, build: Callable[[dt.datetime], Any]) -> None:
    """A shared annotation `safety_<name>` (e.g. the latest use report's id) that rules may read."""
    if name in _FACTS and _FACTS[name] is not build:
        _MISTAKES.append(f"The safety fact {name!r} is registered twice.")
    _FACTS[name] = build


def rules(*, level: str | None = None, dashboard: bool | None = None) -> list[Rule]:
    """Every registered rule, urgent first, then in the order the apps registered them."""
    found = [r for r in _RULES.values() if (level is None or r.level == level)]
    if dashboard is not None:
        found = [r for r in found if r.on_dashboard == dashboard]
    return sorted(found, key=lambda r: r.rank)


def rule(key: str) -> Rule:
    return _RULES[key]


def setting(name: str, default):
    """A threshold a clinic may change in settings (SAFETY_THRESHOLDS), else the default from the facts file."""
    return getattr(settings, "SAFETY_THRESHOLDS", {}).get(name, default)


# --- The SQL --------------------------------------------------------------------------------------


def with_rules(patients: QuerySet[Patient], now: dt.datetime | None = None) -> QuerySet[Patient]:
    """Every rule's facts, truth and acknowledgement as annotations (see the module's docstring)."""
    now = now or timezone.now()
    patients = patients.annotate(**{f"safety_{name}": build(now) for name, build in _FACTS.items()})
    values: dict[str, Any] = {}
    for r in _RULES.values():
        values |= r.values(now)
    if values:
        patients = patients.annotate(**{f"safety_{name}": expr for name, expr in values.items()})
    patients = patients.annotate(
        **{
            f"safety_fact_{r.key}": Coalesce(Cast(r.fact(now), output_field=CharField()), Value(""))
            for r in _RULES.values()
        }
    )
    annotations = {}
    for r in _RULES.values():
        annotations[f"safety_on_{r.key}"] = ExpressionWrapper(r.condition(now), output_field=BooleanField())
        acknowledged = Acknowledgement.objects.filter(
            patient=OuterRef("pk"), rule=r.key, fact=OuterRef(f"safety_fact_{r.key}")
        )
        annotations[f"safety_ack_{r.key}"] = Exists(acknowledged)
    return patients.annotate(**annotations)


def shown(key: str) -> Q:
    """Over with_rules(): the rule holds and nobody acknowledged it for its current fact."""
    return Q(**{f"safety_on_{key}": True, f"safety_ack_{key}": False})


def shown_any(selected: list[Rule]) -> Q:
    q = Q(pk__in=[])
    for r in selected:
        q |= shown(r.key)
    return q


def said_for(patient: Patient, now: dt.datetime | None = None, *, acknowledged: bool = True) -> list[Shown]:
    """The rules holding for a patient from with_rules(), worded, urgent first. No query.

    `acknowledged=False` leaves out reasons staff acknowledged for their current fact.
    """
    now = now or timezone.now()
    found = []
    for r in rules():
        if not getattr(patient, f"safety_on_{r.key}", False):
            continue
        done = bool(getattr(patient, f"safety_ack_{r.key}", False))
        if done and not acknowledged:
            continue
        found.append(Shown(r, r.describe(patient, now), getattr(patient, f"safety_fact_{r.key}") or "", done))
    return found


def rules_for_patient(patient: Patient, now: dt.datetime | None = None) -> list[Shown]:
    """Every rule holding for one patient, acknowledged ones included, urgent first. One query."""
    now = now or timezone.now()
    annotated = with_rules(Patient.objects.filter(pk=patient.pk), now).select_related("assessment_summary").get()
    return said_for(annotated, now)


# --- Start-up check -------------------------------------------------------------------------------


@register_check()
def safety_rules_are_sound(app_configs, **kwargs) -> list[Error]:
    """Each registered rule has a key, a known level, words and a source, and builds its SQL."""
    errors = [Error(m, id="patients.E010") for m in _MISTAKES]
    now = timezone.now()
    for r in _RULES.values():
        problems = []
        if not r.key.replace("_", "").isalnum() or r.key != r.key.lower():
            problems.append("its key must be lower_snake_case")
        if r.level not in LEVEL_ORDER:
            problems.append(f"its level {r.level!r} is not one of {', '.join(LEVEL_ORDER)}")
        if not r.title or not r.threshold or not r.source:
            problems.append("it needs a title, a threshold and a source")
        try:
            if not isinstance(r.condition(now), Q):
                problems.append("its condition must build a Q")
            r.fact(now)
            with_rules(Patient.objects.all(), now).query.sql_with_params()
        except Exception as error:  # any mistake in building the SQL stops the start
            problems.append(f"its SQL does not build ({error})")
        errors += [Error(f"Safety rule {r.key!r}: {p}.", id="patients.E010") for p in problems]
    return errors
