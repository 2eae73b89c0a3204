"""Small helpers to record the facts guidance reacts to."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from clinic.assessments.instruments import get_instrument
from clinic.assessments.services import assessment_submit
from clinic.guidance import services
from clinic.guidance.models import ProviderKind
from clinic.patients.models import UseReport


def record_use(patient, by, *, days_ago: float = 1, **fields) -> UseReport:
    values = {"product_form": "leaf"}
    values.update(fields)
    return UseReport.objects.create(
        patient=patient, recorded_by=by, recorded_at=timezone.now() - dt.timedelta(days=days_ago), **values
    )


def answers_totalling(code: str, total: int) -> dict[str, int]:
    """Legal answers for `code` that add up to exactly `total` (filled greedily, item by item)."""
    instrument = get_instrument(code)
    answers, left = {}, total
    for item in instrument.items:
        value = max((v for v in item.legal_values if v <= left), default=0)
        answers[item.key] = value
        left -= value
    assert left == 0, f"cannot reach {total} on {code}"
    return answers


def record_assessment(patient, by, *, code: str = "COWS", total: int = 3, days_ago: float = 1, at=None):
    assessment, _ = assessment_submit(
        request=None,
        patient=patient,
        instrument_code=code,
        answers=answers_totalling(code, total),
        taken_at=at or timezone.now() - dt.timedelta(days=days_ago),
        completed_by="clinician",
        entered_by=by,
        submission_id=uuid.uuid4(),
    )
    return assessment


@pytest.fixture
def provider(clinic, alice):
    return services.provider_create(
        request=None,
        actor=alice,
        clinic=clinic,
        fields={"name": "Riverside Bridge Clinic", "kind": ProviderKind.BUPRENORPHINE},
    )


@pytest.fixture
def hillcrest_provider(other_clinic, dave):
    return services.provider_create(
        request=None, actor=dave, clinic=other_clinic, fields={"name": "Hillcrest Bridge", "kind": ProviderKind.OTP}
    )
