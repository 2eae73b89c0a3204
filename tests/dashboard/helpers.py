"""Facts for dashboard tests, recorded the way the app records them, and ways to read the page."""

from __future__ import annotations

import datetime as dt
import uuid

from django.urls import reverse
from django.utils import timezone

from clinic.assessments.instruments import CRAVING_ITEM_KEY, get_instrument
from clinic.assessments.services import assessment_submit
from clinic.patients.models import Patient
from tests.assessments.factories import answers_with_total

INDEX = reverse("dashboard:index")
LIST = reverse("dashboard:patients")
CSV = reverse("dashboard:patients_csv")


def ago(days: float = 0, hours: float = 0) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days, hours=hours)


def record(patient, by, code: str, total: int, *, days_ago: float = 1, craving: int | None = None):
    """An assessment through assessment_submit, so the summary row is kept as the app keeps it."""
    instrument = get_instrument(code)
    fixed = {CRAVING_ITEM_KEY: craving} if craving is not None else {}
    assessment, _ = assessment_submit(
        request=None,
        patient=patient,
        instrument_code=code,
        answers=answers_with_total(instrument, total, **fixed),
        taken_at=ago(days_ago),
        completed_by=instrument.completed_by,
        entered_by=by,
        submission_id=uuid.uuid4(),
    )
    return assessment


def registered(patient: Patient, days_ago: float) -> Patient:
    """Move the patient's registration into the past (created_at is set on insert)."""
    Patient.objects.filter(pk=patient.pk).update(created_at=ago(days_ago))
    patient.refresh_from_db()
    return patient


def totals(client, **params) -> dict[str, int]:
    response = client.get(INDEX, params)
    assert response.status_code == 200
    return response.context["total"]


def listed(client, metric: str, **params) -> dict[str, set[str]]:
    """{record number: the attention reason keys shown} for every patient of the list (one page)."""
    response = client.get(LIST, {"metric": metric, **params})
    assert response.status_code == 200
    return {row.patient.record_number: {reason.key for reason in row.reasons} for row in response.context["rows"]}


def flagged(client, reason: str) -> set[str]:
    """Record numbers needing attention for `reason`, checked three ways that must agree."""
    by_list = set(listed(client, reason))
    with_reason = {number for number, keys in listed(client, "attention").items() if reason in keys}
    assert by_list == with_reason, f"the {reason} list and the reasons shown disagree"
    assert totals(client)[reason] == len(by_list)
    return by_list
