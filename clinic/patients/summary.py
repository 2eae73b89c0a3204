"""The one-page printable patient summary, assembled from parts that each app contributes.

Like the patient page (page.py), a part provider is a function `(patient) -> SummaryPart | None`
listed by dotted path, so each app keeps its own queries and templates; the page is one view
with one access check. The summary shows what is recorded, as entered; it adds no advice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from importlib import import_module

from django.utils import timezone
from django.utils.formats import date_format

from clinic.patients.models import Patient, Reason, UseReport

SUMMARY_PROVIDERS: list[str] = [
    "clinic.patients.summary.use_part",
    "clinic.assessments.summary.scores_part",
    "clinic.guidance.summary.care_part",
]


@dataclass
class SummaryPart:
    template: str
    context: dict = field(default_factory=dict)


def summary_parts(patient: Patient) -> list[SummaryPart]:
    parts = []
    for dotted in SUMMARY_PROVIDERS:
        module, name = dotted.rsplit(".", 1)
        part = getattr(import_module(module), name)(patient)
        if part is not None:
            parts.append(part)
    return parts


_NOT_SHOWN = {"id", "patient", "recorded_by", "recorded_at", "created_at"}


def use_report_entries(report: UseReport) -> list[tuple[str, str]]:
    """(label, value) for every part of the report that was filled in, in the form's order."""
    entries = []
    for model_field in UseReport._meta.concrete_fields:
        name = model_field.name
        value = getattr(report, name)
        if name in _NOT_SHOWN or value in (None, "", [], False) or value == model_field.default == "none":
            continue
        if name == "reasons":
            labels = dict(Reason.choices)
            shown = ", ".join(str(labels.get(key, key)) for key in value)
        elif model_field.choices:
            shown = str(getattr(report, f"get_{name}_display")())
        elif value is True:
            shown = "Yes"
        elif isinstance(value, Decimal):
            shown = f"{value.normalize():f}"
        elif hasattr(value, "strftime"):
            shown = date_format(timezone.localtime(value), "j M Y, H:i")
        else:
            shown = str(value)
        entries.append((model_field.verbose_name[:1].upper() + model_field.verbose_name[1:], shown))
    return entries


def use_part(patient: Patient) -> SummaryPart:
    report = patient.use_reports.select_related("recorded_by").order_by("-recorded_at", "-pk").first()
    follow_up = (
        patient.visits.exclude(next_follow_up=None)
        .order_by("-occurred_at", "-pk")
        .values_list("next_follow_up", flat=True)
    ).first()
    last_visit = patient.visits.order_by("-occurred_at", "-pk").first()
    return SummaryPart(
        template="patients/_summary_use.html",
        context={
            "report": report,
            "entries": use_report_entries(report) if report else [],
            "next_follow_up": follow_up,
            "last_visit": last_visit,
        },
    )
