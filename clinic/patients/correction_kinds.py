"""The patients app's correctable records: visits, use reports, naloxone records, pregnancy answers."""

from __future__ import annotations

from clinic.patients.corrections import RecordKind, register
from clinic.patients.forms import UseReportForm, VisitForm
from clinic.patients.models import NaloxoneRecord, PregnancyAnswer, UseReport, Visit
from clinic.patients.safety_views import NaloxoneForm, PregnancyForm


def register_all() -> None:
    register(RecordKind(key="visit", model=Visit, label="visit", form=VisitForm, values="visit_fields"))
    register(
        RecordKind(
            key="use-report", model=UseReport, label="use report", form=UseReportForm, values="use_report_fields"
        )
    )
    register(RecordKind(key="naloxone", model=NaloxoneRecord, label="naloxone record", form=NaloxoneForm))
    register(RecordKind(key="pregnancy", model=PregnancyAnswer, label="pregnancy answer", form=PregnancyForm))
