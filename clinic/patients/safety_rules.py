"""The patients app's safety rules: what the latest use report and the latest visit record.

Registered by PatientsConfig.ready() into clinic.patients.safety. Each rule reads the patient's
LATEST use report (or visit) only: a newer report replaces the older picture. The date shown
with each reason is when that record was made, and acknowledgements are keyed to that record.

Rules point at a risk to assess and talk about. They never propose, compute or gate a dose.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from clinic.patients.models import CONCENTRATED_FORMS, Frequency, Level, Patient, UseReport
from clinic.patients.safety import Rule, Said, register, register_fact

# Substances that, like 7-OH, slow breathing. Each is a field of UseReport holding how often.
DEPRESSANTS: dict[str, str] = {
    "alcohol": "alcohol",
    "benzodiazepines": "benzodiazepines",
    "other_opioids": "other opioids",
    "gabapentinoids": "gabapentinoids (gabapentin, pregabalin)",
}
REPORT_FIELDS = (
    "recorded_at",
    *DEPRESSANTS,
    "past_overdose",
    "product_form",
    "strength_unknown",
    "strength_mg_per_unit",
)


def _latest_report(now: dt.datetime):
    reports = UseReport.objects.filter(patient=OuterRef("pk")).order_by("-recorded_at", "-pk")
    return Subquery(reports.values("pk")[:1])


def _report_field(name: str):
    def build(now: dt.datetime):
        return Subquery(UseReport.objects.filter(pk=OuterRef("safety_use_report")).values(name)[:1])

    return build


def _report(patient: Patient, name: str):
    return getattr(patient, f"safety_report_{name}")


def _fact_report(now: dt.datetime):
    from django.db.models import F

    return F("safety_use_report")


def _label(field: str, value: str) -> str:
    return Frequency(value).label.lower() if value else ""


def _join(parts: list[str]) -> str:
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


# --- The rules ------------------------------------------------------------------------------------


def _co_use(now: dt.datetime) -> Q:
    q = Q(pk__in=[])
    for field in DEPRESSANTS:
        q |= Q(**{f"safety_report_{field}__in": [f for f in Frequency.values if f != Frequency.NONE]})
    return q


def _co_use_said(patient: Patient, now: dt.datetime) -> Said:
    used = [
        f"{name} ({_label(field, _report(patient, field))})"
        for field, name in DEPRESSANTS.items()
        if _report(patient, field) not in (None, "", Frequency.NONE)
    ]
    return Said(
        "Uses 7-OH together with " + _join(used) + "; combined depressants can slow or stop breathing.",
        _report(patient, "recorded_at"),
    )


DEPRESSANT_CO_USE = Rule(
    key="depressant_co_use",
    level=Level.DISCUSS,
    title="Respiratory depression risk",
    threshold="the latest use report records alcohol, benzodiazepines, other opioids or gabapentinoids",
    source="Hill R et al. Br J Pharmacol 2022; Los Angeles County 7-OH deaths (alcohol in all six)",
    condition=_co_use,
    fact=_fact_report,
    describe=_co_use_said,
)

PAST_OVERDOSE = Rule(
    key="past_overdose",
    level=Level.DISCUSS,
    title="Past overdose",
    threshold="the latest use report says the patient has had an overdose",
    source="SAMHSA Overdose Prevention and Response Toolkit, 2023",
    condition=lambda now: Q(safety_report_past_overdose=True),
    fact=_fact_report,
    describe=lambda patient, now: Said(
        "Has had an overdose before; a past overdose raises the risk of another.", _report(patient, "recorded_at")
    ),
)

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
    source="FDA warning letters of 15 Jul 2025 (labels of 7-OH products are unreliable)",
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


def register_all() -> None:
    register_fact("use_report", _latest_report)
    for name in REPORT_FIELDS:
        register_fact(f"report_{name}", _report_field(name))
    for rule in (DEPRESSANT_CO_USE, PAST_OVERDOSE, CONCENTRATED_PRODUCT, STRENGTH_UNKNOWN):
        register(rule)


def _today(now: dt.datetime) -> dt.date:
    return timezone.localdate(now)
