"""The patient page is assembled from panels that each app contributes.

A panel provider is a function `(request, patient) -> Panel | None` that its app registers
from its own `AppConfig.ready()` with `register_panel(provider, order=...)` (patients sits below
the apps that add panels, so it never names them). It returns the template it renders into one region of the page, its context,
and any timeline entries it adds to the patient's story. This keeps each app's queries and
templates in that app while the page itself stays one view with one access check.

A provider registered twice, one that is not callable, or two at the same place stops
`manage.py check` and so every start (the `patients.E030` system check).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.core.checks import Error
from django.core.checks import register as register_check
from django.http import HttpRequest

from clinic.patients.corrections import mark_timeline
from clinic.patients.models import Patient

Region = Literal["attention", "main", "side"]

Provider = Callable[[HttpRequest, "Patient"], "Panel | None"]

# (order, provider). Order matters within a region: smallest first.
_PROVIDERS: list[tuple[int, Provider]] = []


@dataclass
class TimelineEntry:
    at: dt.datetime
    kind: str  # a short word shown as the entry's label, e.g. "Visit", "Use report", "COWS"
    template: str  # renders the entry; gets `entry` and `patient` in its context
    obj: Any = None
    patient_reported: bool = False
    # Filled by clinic.patients.corrections.mark_timeline for records that can be corrected.
    correction_kind: str = ""
    corrections: list = field(default_factory=list)
    in_error: bool = False
    can_amend: bool = False


@dataclass
class Panel:
    region: Region
    template: str | None = None
    context: dict = field(default_factory=dict)
    timeline: list[TimelineEntry] = field(default_factory=list)


def register_panel(provider: Provider, *, order: int) -> Provider:
    """Add a panel to every patient page, at `order` (smallest first within its region)."""
    _PROVIDERS.append((order, provider))
    return provider


def _providers() -> list[Provider]:
    return [provider for _, provider in sorted(_PROVIDERS, key=lambda pair: pair[0])]


@register_check()
def check_panels(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    seen_orders: dict[int, Provider] = {}
    seen: set[Provider] = set()
    for order, provider in _PROVIDERS:
        name = getattr(provider, "__qualname__", repr(provider))
        if not callable(provider):
            errors.append(Error(f"The patient page panel {provider!r} is not callable.", id="patients.E030"))
        if provider in seen:
            errors.append(Error(f"The patient page panel {name} is registered twice.", id="patients.E030"))
        if order in seen_orders and seen_orders[order] is not provider:
            errors.append(Error(f"Two patient page panels share the place {order}: {name}.", id="patients.E030"))
        seen.add(provider)
        seen_orders[order] = provider
    return errors


def patient_page_context(request: HttpRequest, patient: Patient) -> dict:
    """Every panel for this patient, grouped by region, and one timeline, newest first."""
    regions: dict[str, list[Panel]] = {"attention": [], "main": [], "side": []}
    timeline: list[TimelineEntry] = []
    for provider in _providers():
        panel = provider(request, patient)
        if panel is None:
            continue
        if panel.template:
            regions[panel.region].append(panel)
        timeline.extend(panel.timeline)
    timeline.sort(key=lambda entry: entry.at, reverse=True)
    mark_timeline(patient, timeline)
    return {"patient": patient, "panels": regions, "timeline": timeline}
