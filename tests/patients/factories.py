"""Small builders for visits and use reports, so each test states only the facts it is about."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from clinic.patients.models import UseReport, Visit

NO_CO_USE = dict.fromkeys(
    ("alcohol", "benzodiazepines", "other_opioids", "gabapentinoids", "stimulants", "cannabis"), "none"
)


def make_visit(patient, clinician, *, days_ago: float = 1, **values) -> Visit:
    values.setdefault("kind", "follow_up")
    return Visit.objects.create(
        patient=patient, clinician=clinician, occurred_at=timezone.now() - dt.timedelta(days=days_ago), **values
    )


def make_use_report(patient, recorded_by, *, days_ago: float = 1, **values) -> UseReport:
    """A leaf report with a known strength and no co-use: no flags unless the test adds facts."""
    base = {
        "product_form": "leaf",
        "strength_mg_per_unit": Decimal("0.5"),
        "units_per_day": Decimal("2"),
        **NO_CO_USE,
    }
    base.update(values)
    if base.get("strength_unknown"):
        base["strength_mg_per_unit"] = None
    return UseReport.objects.create(
        patient=patient, recorded_by=recorded_by, recorded_at=timezone.now() - dt.timedelta(days=days_ago), **base
    )


def local_input(moment: dt.datetime) -> str:
    """A datetime as a datetime-local input sends it."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")
