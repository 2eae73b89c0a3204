"""The lost-tolerance safety rule (SQL, for the dashboard and the list) says what the pure
condition in clinic.assessments.tolerance says, history by history."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clinic.assessments.instruments import COWS, SOWS, SOWS_GOSSOP
from clinic.assessments.models import Assessment
from clinic.assessments.tolerance import lost_tolerance
from clinic.patients.safety import rules_for_patient
from tests.assessments.factories import assessment, local

pytestmark = pytest.mark.django_db


def sows(patient, day, hour=12, *, craving, **last_use):
    return assessment(patient, SOWS, local(2026, 1, day, hour), 30, craving=craving, **last_use)


def cows(patient, day, hour=12, **last_use):
    return assessment(patient, COWS, local(2026, 1, day, hour), 10, **last_use)


HISTORIES = {
    "a range of 3 to 7 days with craving 3 on the same SOWS": lambda p: [sows(p, 5, craving=3, last_use="3_7d")],
    "a clinician's 72 hours, then craving 4": lambda p: [
        cows(p, 5, hours=Decimal("72.0"), given_by="clinician"),
        sows(p, 6, craving=4),
    ],
    "71.9 hours": lambda p: [cows(p, 5, hours=Decimal("71.9")), sows(p, 5, 13, craving=4)],
    "craving 2": lambda p: [sows(p, 5, craving=2, last_use="over_7d")],
    "craving before the answer": lambda p: [sows(p, 4, craving=4, last_use="6_12h"), cows(p, 8, hours=Decimal("96"))],
    "a later answer of 5 hours": lambda p: [sows(p, 4, craving=4, last_use="over_7d"), cows(p, 6, hours=Decimal("5"))],
    "a later unknown": lambda p: [sows(p, 4, craving=4, last_use="over_7d"), sows(p, 6, craving=4, last_use="unknown")],
    "no answer at all": lambda p: [sows(p, 6, craving=4)],
    "only a SOWS-Gossop after the answer": lambda p: [
        cows(p, 5, last_use="over_7d"),
        assessment(p, SOWS_GOSSOP, local(2026, 1, 6), 25),
    ],
}


def _shown(patient) -> set[str]:
    return {reason.key for reason in rules_for_patient(patient)}


@pytest.mark.parametrize("story", sorted(HISTORIES))
def test_the_rule_holds_exactly_when_the_pure_condition_does(patient, story):
    history = Assessment.objects.bulk_create(HISTORIES[story](patient))
    expected = lost_tolerance(history) is not None
    assert ("lost_tolerance_craving" in _shown(patient)) is expected


def test_the_rule_fires_with_its_reason_and_follows_the_days_setting(patient, settings):
    Assessment.objects.bulk_create([sows(patient, 5, craving=4, last_use="3_7d")])
    settings.LOST_TOLERANCE_DAYS = 3
    [reason] = [r for r in rules_for_patient(patient) if r.key == "lost_tolerance_craving"]
    assert "72 to 168 h" in reason.text and "answered 4" in reason.text
    settings.LOST_TOLERANCE_DAYS = 5
    assert "lost_tolerance_craving" not in _shown(patient)
