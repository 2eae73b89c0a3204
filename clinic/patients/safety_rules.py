"""The patients app's safety rules: what the latest visit, the latest use report, the patient
record and the naloxone records say.

Registered by PatientsConfig.ready() into clinic.patients.safety. Each rule reads the patient's
LATEST use report (or visit) only: a newer record replaces the older picture. The date shown with
each reason is the date of that record, and acknowledgements are keyed to that record, so a new
visit or report that still holds raises the reason again.

Thresholds and wording come from ../shared/clinical/GUIDANCE_FACTS.md ("Facts for the safety
rules"); the breathing thresholds can be changed in settings (SAFETY_THRESHOLDS). Rules prompt a
person to assess and to talk. They never propose, compute or gate a dose, and no wording here
names an amount, a schedule or a "treat at score N".
"""

from __future__ import annotations

import datetime as dt

from django.db.models import CharField, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.formats import date_format

from clinic.patients.models import (
    CONCENTRATED_FORMS,
    Frequency,
    Level,
    NaloxoneEvent,
    NaloxoneRecord,
    Patient,
    PregnancyAnswer,
    PregnancyStatus,
    Sedation,
    UseReport,
    Visit,
)
from clinic.patients.safety import Rule, Said, register, register_fact, rules, setting

# Substances that, like 7-OH, slow breathing. Each is a field of UseReport holding how often.
# Other opioids (fentanyl included) have their own rule, not this one.
DEPRESSANTS: dict[str, str] = {
    "alcohol": "alcohol",
    "benzodiazepines": "benzodiazepines",
    "gabapentinoids": "gabapentinoids (gabapentin, pregabalin)",
    "other_sedatives": "other sedatives",
}
FREQUENT = [Frequency.DAILY, Frequency.MOST_DAYS]  # daily or several days a week
OCCASIONAL = [Frequency.WEEKLY, Frequency.LESS_THAN_WEEKLY]  # weekly or less
WITHDRAWAL_RISK = {"alcohol": "alcohol", "benzodiazepines": "benzodiazepines"}
SEDATION_URGENT = [Sedation.FREQUENTLY_DROWSY, Sedation.SOMNOLENT]  # POSS 3 and 4
SEDATION_DISCUSS = [Sedation.SLIGHTLY_DROWSY]  # POSS 2
RECENT_MONTHS = 12  # overdose and naloxone look back this far

REPORT_FIELDS = (
    "recorded_at",
    *DEPRESSANTS,
    "other_opioids",
    "past_overdose",
    "last_overdose_on",
    "product_form",
    "strength_unknown",
    "strength_mg_per_unit",
)
VISIT_FIELDS = ("occurred_at", "respiratory_rate", "oxygen_saturation", "sedation")

BREATHING_SOURCE = (
    "Jungquist CR et al. Pain Manag Nurs 2020;21(1):7-25; POSS: Pasero C 1994, "
    "validated in Nisbet AT, Mooney-Cotter F, Pain Manag Nurs 2009"
)
NALOXONE_SOURCE = "SAMHSA Overdose Prevention and Response Toolkit, 2023"


# --- Facts: the latest use report and visit, one subquery each ----------------------------------


def _latest(model, order: str):
    rows = model.objects.filter(patient=OuterRef("pk")).order_by(f"-{order}", "-pk")
    return lambda now: Subquery(rows.values("pk")[:1])


def _field_of(model, fact: str, name: str):
    def build(now: dt.datetime):
        return Subquery(model.objects.filter(pk=OuterRef(f"safety_{fact}")).values(name)[:1])

    return build


def _months_ago(now: dt.datetime, months: int) -> dt.date:
    """The first day of the month `months` before this one: "in the last 12 months" by month."""
    today = timezone.localdate(now)
    index = today.year * 12 + today.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def _report(patient: Patient, name: str):
    return getattr(patient, f"safety_report_{name}")


def _visit(patient: Patient, name: str):
    return getattr(patient, f"safety_visit_{name}")


def _fact_report(now: dt.datetime):
    return F("safety_use_report")


def _fact_visit(now: dt.datetime):
    return F("safety_visit")


def _day(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value)
    return date_format(value, "j M Y")


def _month(value: dt.date) -> str:
    return date_format(value, "F Y")


def _join(parts: list[str]) -> str:
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _any(fields, values) -> Q:
    q = Q(pk__in=[])
    for name in fields:
        q |= Q(**{f"safety_report_{name}__in": list(values)})
    return q


def _none_of(fields, values) -> Q:
    """No field holds any of `values` (a missing answer holds none): spelt out, since NOT over NULL is not true."""
    others = [v for v in Frequency.values if v not in values]
    q = Q()
    for name in fields:
        q &= Q(**{f"safety_report_{name}__isnull": True}) | Q(**{f"safety_report_{name}__in": others})
    return q


def _used(patient: Patient, fields: dict[str, str], values) -> list[str]:
    return [
        f"{name} ({Frequency(_report(patient, field)).label.lower()})"
        for field, name in fields.items()
        if _report(patient, field) in values
    ]


# --- Breathing and sedation at the latest visit ---------------------------------------------------


def _thresholds() -> dict[str, int]:
    return {
        "rr_urgent": setting("respiratory_rate_urgent_below", 10),
        "rr_discuss": setting("respiratory_rate_discuss_below", 12),
        "spo2_urgent": setting("oxygen_saturation_urgent_below", 90),
        "spo2_discuss": setting("oxygen_saturation_discuss_below", 94),
    }


def _breathing_urgent(now: dt.datetime) -> Q:
    t = _thresholds()
    return (
        Q(safety_visit_respiratory_rate__lt=t["rr_urgent"])
        | Q(safety_visit_oxygen_saturation__lt=t["spo2_urgent"])
        | Q(safety_visit_sedation__in=SEDATION_URGENT)
    )


def _not_urgent(now: dt.datetime) -> Q:
    """The negation of _breathing_urgent, spelt out: NOT over a missing value is unknown in SQL, not true."""
    t = _thresholds()
    return (
        (Q(safety_visit_respiratory_rate__isnull=True) | Q(safety_visit_respiratory_rate__gte=t["rr_urgent"]))
        & (Q(safety_visit_oxygen_saturation__isnull=True) | Q(safety_visit_oxygen_saturation__gte=t["spo2_urgent"]))
        & (Q(safety_visit_sedation__isnull=True) | ~Q(safety_visit_sedation__in=SEDATION_URGENT))
    )


def _breathing_discuss(now: dt.datetime) -> Q:
    t = _thresholds()
    return _not_urgent(now) & (
        Q(safety_visit_respiratory_rate__lt=t["rr_discuss"])
        | Q(safety_visit_oxygen_saturation__lt=t["spo2_discuss"])
        | Q(safety_visit_sedation__in=SEDATION_DISCUSS)
    )


def _breathing_said(patient: Patient, now: dt.datetime, *, urgent: bool) -> Said:
    t = _thresholds()
    rr_below, spo2_below = (t["rr_urgent"], t["spo2_urgent"]) if urgent else (t["rr_discuss"], t["spo2_discuss"])
    sedation_levels = SEDATION_URGENT if urgent else SEDATION_DISCUSS
    found = []
    rr, spo2, sedation = (_visit(patient, n) for n in ("respiratory_rate", "oxygen_saturation", "sedation"))
    if rr is not None and rr < rr_below:
        found.append(f"respiratory rate {rr}/min")
    if spo2 is not None and spo2 < spo2_below:
        found.append(f"SpO₂ {spo2}%")
    if sedation in sedation_levels:
        found.append(f"sedation POSS {Sedation(sedation).label}")
    when = _visit(patient, "occurred_at")
    return Said(f"The visit of {_day(when)} recorded {_join(found)}.", when)


BREATHING_ADVICE = (
    "Slow, shallow breathing, pinpoint pupils and reduced responsiveness are signs of opioid toxicity; "
    "sedation comes before breathing slows, and a low SpO₂ is a late sign. Assess the patient now; "
    "in an emergency call 911 and give naloxone if it is at hand."
)


def _breathing_threshold(urgent: bool) -> str:
    t = _thresholds()
    if urgent:
        return (
            f"the latest visit recorded a respiratory rate below {t['rr_urgent']}/min, SpO₂ below "
            f"{t['spo2_urgent']}%, or sedation POSS 3 or 4 (Steady's defaults; the clinic may change them in settings)"
        )
    return (
        f"the latest visit recorded a respiratory rate from {t['rr_urgent']} to {t['rr_discuss'] - 1}/min, SpO₂ from "
        f"{t['spo2_urgent']} to {t['spo2_discuss'] - 1}%, or sedation POSS 2, and nothing at the urgent level "
        "(Steady's defaults; the clinic may change them in settings)"
    )


BREATHING_URGENT = Rule(
    key="breathing_urgent",
    level=Level.URGENT,
    title="Breathing or sedation at the urgent level",
    threshold=_breathing_threshold(True),
    source=BREATHING_SOURCE,
    condition=_breathing_urgent,
    fact=_fact_visit,
    describe=lambda patient, now: _breathing_said(patient, now, urgent=True),
    advice=BREATHING_ADVICE,
)

BREATHING_DISCUSS = Rule(
    key="breathing_discuss",
    level=Level.DISCUSS,
    title="Breathing or sedation to discuss",
    threshold=_breathing_threshold(False),
    source=BREATHING_SOURCE,
    condition=_breathing_discuss,
    fact=_fact_visit,
    describe=lambda patient, now: _breathing_said(patient, now, urgent=False),
    advice=BREATHING_ADVICE,
)


# --- Depressants, withdrawal, other opioids --------------------------------------------------------

CO_USE_SOURCE = (
    "Hill R et al. Br J Pharmacol 2022; Los Angeles County: alcohol in all six 7-OH-linked deaths (GUIDANCE_FACTS)"
)


def _depressant_said(values):
    def said(patient: Patient, now: dt.datetime) -> Said:
        return Said(
            "Uses 7-OH together with "
            + _join(_used(patient, DEPRESSANTS, values))
            + "; with 7-OH, depressants can slow or stop breathing.",
            _report(patient, "recorded_at"),
        )

    return said


DEPRESSANT_FREQUENT = Rule(
    key="depressant_frequent",
    level=Level.URGENT,
    title="Depressant daily or several days a week",
    threshold="the latest use report records alcohol, benzodiazepines, gabapentinoids or other sedatives "
    "daily or several days a week",
    source=CO_USE_SOURCE,
    condition=lambda now: _any(DEPRESSANTS, FREQUENT),
    fact=_fact_report,
    describe=_depressant_said(FREQUENT),
    advice="Talk about not mixing, not using alone, and carrying naloxone (which may not fully reverse an "
    "overdose involving alcohol or sedatives; call 911).",
    naloxone_reason="co-use with depressants",
)

DEPRESSANT_OCCASIONAL = Rule(
    key="depressant_occasional",
    level=Level.DISCUSS,
    title="Depressant weekly or less",
    threshold="the latest use report records alcohol, benzodiazepines, gabapentinoids or other sedatives "
    "weekly or less often, and none more often",
    source=CO_USE_SOURCE,
    condition=lambda now: _any(DEPRESSANTS, OCCASIONAL) & _none_of(DEPRESSANTS, FREQUENT),
    fact=_fact_report,
    describe=_depressant_said(OCCASIONAL),
    naloxone_reason="co-use with depressants",
)

WITHDRAWAL = Rule(
    key="alcohol_benzodiazepine_withdrawal",
    level=Level.DISCUSS,
    title="Alcohol or benzodiazepine withdrawal risk",
    threshold="the latest use report records alcohol or benzodiazepines daily or several days a week",
    source="GUIDANCE_FACTS (alcohol and benzodiazepines); CIWA-Ar: Sullivan JT et al. Br J Addict 1989;84(11):1353-1357",
    condition=lambda now: _any(WITHDRAWAL_RISK, FREQUENT),
    fact=_fact_report,
    describe=lambda patient, now: Said(
        "Uses " + _join(_used(patient, WITHDRAWAL_RISK, FREQUENT)) + ".", _report(patient, "recorded_at")
    ),
    advice="Stopping alcohol or benzodiazepines after daily or near-daily use can cause seizures or delirium, "
    "and can be fatal; opioid withdrawal scales do not measure it. Assess alcohol withdrawal with the CIWA-Ar. "
    "Never stop benzodiazepines abruptly: plan any change with the prescriber.",
)

OTHER_OPIOIDS = Rule(
    key="fentanyl_other_opioids",
    level=Level.DISCUSS,
    title="Fentanyl or other opioids",
    threshold="the latest use report records other opioids (fentanyl included), at any frequency",
    source="ASAM, Clinical Considerations: Buprenorphine Treatment of Opioid Use Disorder for Individuals "
    "Using High-potency Synthetic Opioids, 2022",
    condition=lambda now: Q(safety_report_other_opioids__in=FREQUENT + OCCASIONAL),
    fact=_fact_report,
    describe=lambda patient, now: Said(
        f"Uses other opioids, fentanyl included ({Frequency(_report(patient, 'other_opioids')).label.lower()}).",
        _report(patient, "recorded_at"),
    ),
    advice="Starting buprenorphine after fentanyl or other high-potency synthetic opioids can precipitate "
    "withdrawal. Low-dose (“micro”) induction and other strategies exist; choosing one is the prescriber's decision.",
    naloxone_reason="fentanyl or other opioids",
)


# --- Overdose ---------------------------------------------------------------------------------------


def _recent_overdose(now: dt.datetime) -> Q:
    return Q(safety_report_past_overdose=True, safety_report_last_overdose_on__gte=_months_ago(now, RECENT_MONTHS))


def _overdose_said(patient: Patient, now: dt.datetime) -> Said:
    month = _report(patient, "last_overdose_on")
    when = f"most recent in {_month(month)}" if month else "month and year not recorded"
    return Said(
        f"Has had an overdose ({when}); a past overdose raises the risk of another.", _report(patient, "recorded_at")
    )


OVERDOSE_RECENT = Rule(
    key="overdose_recent",
    level=Level.URGENT,
    title="Overdose in the last 12 months",
    threshold="the latest use report records an overdose in this month or the 12 months before",
    source=NALOXONE_SOURCE,
    condition=_recent_overdose,
    fact=_fact_report,
    describe=_overdose_said,
    advice="Offer naloxone to the patient and the people around them; talk about not using alone.",
    naloxone_reason="a past overdose",
)

PAST_OVERDOSE = Rule(
    key="past_overdose",
    level=Level.DISCUSS,
    title="Past overdose",
    threshold="the latest use report says the patient has had an overdose, longer ago than 12 months or undated",
    source=NALOXONE_SOURCE,
    condition=lambda now: (
        Q(safety_report_past_overdose=True)
        & (
            Q(safety_report_last_overdose_on__isnull=True)
            | Q(safety_report_last_overdose_on__lt=_months_ago(now, RECENT_MONTHS))
        )
    ),
    fact=_fact_report,
    describe=_overdose_said,
    naloxone_reason="a past overdose",
)


# --- Product and strength (information) -------------------------------------------------------------

CONCENTRATED_PRODUCT = Rule(
    key="concentrated_product",
    level=Level.INFORMATION,
    title="Concentrated 7-OH product",
    threshold="the latest use report's product form is a tablet, gummy, shot or drink, extract or powder, or vape",
    source="FDA press materials of 29 Jul 2025",
    condition=lambda now: Q(safety_report_product_form__in=sorted(CONCENTRATED_FORMS)),
    fact=_fact_report,
    describe=lambda patient, now: Said(
        "Uses a concentrated 7-OH product "
        f"({dict(UseReport._meta.get_field('product_form').choices).get(_report(patient, 'product_form'), '').lower()}), "
        "far stronger than kratom leaf.",
        _report(patient, "recorded_at"),
    ),
)

STRENGTH_UNKNOWN = Rule(
    key="strength_unknown",
    level=Level.INFORMATION,
    title="Strength unknown",
    threshold="the latest use report gives no labelled strength, or the label is not trusted",
    source="FDA warning letters of 15 Jul 2025 (7-OH products are not lawful supplements; labels are unreliable)",
    condition=lambda now: (
        Q(safety_use_report__isnull=False)
        & (Q(safety_report_strength_unknown=True) | Q(safety_report_strength_mg_per_unit__isnull=True))
    ),
    fact=_fact_report,
    describe=lambda patient, now: Said(
        "The 7-OH strength per unit is unknown or the label is not trusted, "
        "so how much the patient takes cannot be known.",
        _report(patient, "recorded_at"),
    ),
)


# --- Pregnancy --------------------------------------------------------------------------------------

PREGNANT = [PregnancyStatus.PREGNANT, PregnancyStatus.POSSIBLY]


def _pregnancy(name: str):
    answers = PregnancyAnswer.objects.filter(patient=OuterRef("pk")).order_by("-asked_on", "-pk")
    return lambda now: Subquery(answers.values(name)[:1])


PREGNANCY = Rule(
    key="pregnancy",
    level=Level.DISCUSS,
    title="Pregnant or possibly pregnant",
    threshold="the latest pregnancy answer is pregnant or possibly pregnant",
    source="ACOG Committee Opinion 711, 2017; SAMHSA, Clinical Guidance for Treating Pregnant and Parenting "
    "Women With Opioid Use Disorder and Their Infants, 2018",
    condition=lambda now: Q(safety_pregnancy_status__in=PREGNANT),
    fact=lambda now: F("safety_pregnancy"),
    describe=lambda patient, now: Said(
        f"{PregnancyStatus(patient.safety_pregnancy_status).label}, as asked on "
        f"{_day(patient.safety_pregnancy_asked_on)}.",
        patient.safety_pregnancy_asked_on,
    ),
    advice="For pregnant people with opioid use disorder, medication (buprenorphine or methadone) is recommended "
    "over medically supervised withdrawal, which carries a high relapse risk. Coordinate with obstetric care; "
    "newborns may have withdrawal (neonatal opioid withdrawal syndrome).",
)


# --- Naloxone ---------------------------------------------------------------------------------------

# "Used" means a kit is gone and an overdose happened: it does not count as naloxone in hand.
NALOXONE_IN_HAND = [e for e in NaloxoneEvent.values if e != NaloxoneEvent.USED]


def _naloxone_recent(now: dt.datetime):
    recent = NaloxoneRecord.objects.filter(
        patient=OuterRef("pk"), event__in=NALOXONE_IN_HAND, on__gte=_months_ago(now, RECENT_MONTHS)
    )
    return Exists(recent)


def _naloxone_latest(now: dt.datetime):
    rows = NaloxoneRecord.objects.filter(patient=OuterRef("pk")).order_by("-on", "-pk")
    return Subquery(rows.values("pk")[:1])


def _naloxone_said(patient: Patient, now: dt.datetime) -> Said:
    on = patient.safety_naloxone_latest_on
    text = "No naloxone recorded in the last 12 months"
    if on is not None:
        event = NaloxoneEvent(patient.safety_naloxone_latest_event).label.lower()
        text += f" (the latest record: {event}, {_day(on)})"
    urgent = []
    for r in rules():
        if r.naloxone_reason and getattr(patient, f"safety_on_{r.key}", False) and r.naloxone_reason not in urgent:
            urgent.append(r.naloxone_reason)
    text += "."
    if urgent:
        text += " More urgent with " + _join(urgent) + "."
    return Said(text, on)


NALOXONE = Rule(
    key="naloxone_none",
    level=Level.DISCUSS,
    title="No naloxone in 12 months",
    threshold="no naloxone offered, given, prescribed or declined is recorded in this month or the 12 months before",
    source=NALOXONE_SOURCE,
    condition=lambda now: Q(safety_naloxone_recent=False),
    fact=lambda now: Coalesce(Cast("safety_naloxone_latest", CharField()), Value("none")),
    describe=_naloxone_said,
    values=lambda now: {
        "naloxone_latest_on": Subquery(
            NaloxoneRecord.objects.filter(pk=OuterRef("safety_naloxone_latest")).values("on")
        ),
        "naloxone_latest_event": Subquery(
            NaloxoneRecord.objects.filter(pk=OuterRef("safety_naloxone_latest")).values("event")
        ),
    },
    advice="Offer naloxone to every person who uses opioids and to the people around them; co-use, a past "
    "overdose and lost tolerance make it more urgent.",
)


def register_all() -> None:
    register_fact("use_report", _latest(UseReport, "recorded_at"))
    for name in REPORT_FIELDS:
        register_fact(f"report_{name}", _field_of(UseReport, "use_report", name))
    register_fact("visit", _latest(Visit, "occurred_at"))
    for name in VISIT_FIELDS:
        register_fact(f"visit_{name}", _field_of(Visit, "visit", name))
    register_fact("pregnancy", _pregnancy("pk"))
    register_fact("pregnancy_status", _pregnancy("status"))
    register_fact("pregnancy_asked_on", _pregnancy("asked_on"))
    register_fact("naloxone_recent", _naloxone_recent)
    register_fact("naloxone_latest", _naloxone_latest)
    for rule in RULES:
        register(rule)


RULES = [
    BREATHING_URGENT,
    BREATHING_DISCUSS,
    DEPRESSANT_FREQUENT,
    DEPRESSANT_OCCASIONAL,
    WITHDRAWAL,
    OTHER_OPIOIDS,
    OVERDOSE_RECENT,
    PAST_OVERDOSE,
    PREGNANCY,
    NALOXONE,
    CONCENTRATED_PRODUCT,
    STRENGTH_UNKNOWN,
]
