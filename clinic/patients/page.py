"""The patient page is assembled from panels that each app contributes.

A panel provider is a function `(request, patient) -> Panel | None`, listed by dotted path in
PANEL_PROVIDERS. It returns the template it renders into one region of the page, its context,
and any timeline entries it adds to the patient's story. This keeps each app's queries and
templates in that app while the page itself stays one view with one access check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, Literal

from django.http import HttpRequest

from clinic.patients.corrections import mark_timeline
from clinic.patients.models import Patient

Region = Literal["attention", "main", "side"]

# Order matters within a region. Apps append their providers here as they land.
PANEL_PROVIDERS: list[str] = [
    "clinic.patients.panels.safety_panel",  # first: the attention region's reasons, urgent first
    "clinic.patients.panels.use_panel",
    "clinic.assessments.panels.assessments_panel",
    "clinic.selfreport.panels.links_panel",
    "clinic.guidance.panels.guidance_cards_panel",
    "clinic.guidance.panels.taper_panel",
    "clinic.guidance.panels.referrals_panel",
    "clinic.patients.correction_panels.in_error_panel",  # entries in error, marked, in their place
]


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


def _providers() -> list[Callable[[HttpRequest, Patient], Panel | None]]:
    functions = []
    for dotted in PANEL_PROVIDERS:
        module, name = dotted.rsplit(".", 1)
        functions.append(getattr(import_module(module), name))
    return functions


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
