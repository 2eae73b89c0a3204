"""Addresses of the assessment forms, shared by the views and the patient page's panel."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from clinic.assessments.instruments import INSTRUMENTS, Instrument


def instrument_slug(instrument: Instrument) -> str:
    return instrument.code.lower().replace("_", "-")


def record_links(patient) -> list[dict]:
    """One link per instrument to its form for this patient, in declaration order."""
    return [
        {
            "url": reverse("assessments:record", kwargs={"pk": patient.pk, "instrument": instrument_slug(i)}),
            "label": (_("Record %(name)s") if i.completed_by == "clinician" else _("Enter %(name)s for the patient"))
            % {"name": i.short_name},
        }
        for i in INSTRUMENTS.values()
    ]
