"""The one-page printable patient summary, assembled from parts that each app contributes.

Like the patient page (page.py), a part provider is a function `(patient) -> SummaryPart | None`
that its app registers from its own `AppConfig.ready()` with `register_summary_part(provider,
order=...)`, so each app keeps its own queries and templates and patients names none of them; the
page is one view with one access check. A part registered twice, or two at one place, stops
`manage.py check` (the `patients.E031` check). The summary shows what is recorded, as entered;
it adds no advice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.checks import Error
from django.core.checks import register as register_check
from django.utils import timezone
from django.utils.formats import date_format

from clinic.patients.models import Patient, Reason, UseReport


@dataclass
class SummaryPart:
    template: str
    context: dict = field(default_factory=dict)


PartProvider = Callable[[Patient], "SummaryPart | None"]
_PARTS: list[tuple[int, PartProvider]] = []  # (order, provider): smallest first on the page


def register_summary_part(provider: PartProvider, *, order: int) -> PartProvider:
    _PARTS.append((order, provider))
    return provider


def summary_parts(patient: Patient) -> list[SummaryPart]:
    parts = []
    for _order, provider in sorted(_PARTS, key=lambda pair: pair[0]):
        part = provider(patient)
        if part is not None:
            parts.append(part)
    return parts


@register_check()
def check_summary_parts(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    orders = [order for order, _ in _PARTS]
    providers = [provider for _, provider in _PARTS]
    for order, provider in _PARTS:
        name = getattr(provider, "__qualname__", repr(provider))
        if providers.count(provider) > 1 or orders.count(order) > 1:
            errors.append(Error(f"The summary part {name} (place {order}) is registered twice.", id="patients.E031"))
    return errors


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
