"""The guidance app's safety rule: lost tolerance after a taper ends, or at discharge.

Registered by GuidanceConfig.ready() into clinic.patients.safety. The lost-tolerance condition
read from assessments (a break of 3 days or more with strong craving) is the assessments app's
own rule, registered there.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import CharField, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.formats import date_format

# The advice and its source are the assessments app's (its own lost-tolerance rule says the same).
from clinic.assessments.tolerance import ADVICE as LOST_TOLERANCE_ADVICE
from clinic.assessments.tolerance import SOURCE as LOST_TOLERANCE_SOURCE
from clinic.guidance.models import ENDED_TAPER_STATUSES, TaperPlan, TaperStatus
from clinic.patients.models import Level, PatientStatus
from clinic.patients.safety import Rule, Said, register


def _latest_plan(name: str):
    plans = TaperPlan.objects.filter(patient=OuterRef("pk")).order_by("-start_date", "-pk")
    return Subquery(plans.values(name)[:1])


def _values(now: dt.datetime) -> dict:
    return {
        "plan": _latest_plan("pk"),
        "plan_status": _latest_plan("status"),
        "plan_changed_at": _latest_plan("status_changed_at"),
    }


def _said(patient, now) -> Said:
    parts = []
    at = None
    if patient.safety_plan_status in ENDED_TAPER_STATUSES:
        at = patient.safety_plan_changed_at
        word = "completed" if patient.safety_plan_status == TaperStatus.COMPLETED else "stopped"
        parts.append(f"The taper plan was marked {word} on {date_format(timezone.localdate(at), 'j M Y')}.")
    if patient.status == PatientStatus.DISCHARGED:
        parts.append("The patient is discharged (the date of discharge is not recorded).")
    return Said(" ".join(parts) + " Tolerance falls after a taper or a break.", at)


LOST_TOLERANCE = Rule(
    key="lost_tolerance",
    level=Level.DISCUSS,
    title="Lost tolerance",
    threshold="the latest taper plan was completed or stopped, or the patient is discharged",
    source=LOST_TOLERANCE_SOURCE,
    condition=lambda now: Q(safety_plan_status__in=sorted(ENDED_TAPER_STATUSES)) | Q(status=PatientStatus.DISCHARGED),
    fact=lambda now: Concat(
        Cast("safety_plan", CharField()), Value(" "), F("safety_plan_status"), Value(" "), "status"
    ),
    describe=_said,
    values=_values,
    advice=LOST_TOLERANCE_ADVICE,
    naloxone_reason="lost tolerance",
)


def register_all() -> None:
    register(LOST_TOLERANCE)
