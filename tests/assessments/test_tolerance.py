"""The lost-tolerance condition: the latest answer about last use says days without 7-OH, and
the SOWS craving item is 3 or 4 at that assessment or later."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.assessments.instruments import COWS, SOWS, SOWS_GOSSOP
from clinic.assessments.models import Assessment
from clinic.assessments.selectors import lost_tolerance_for_patient
from clinic.assessments.tolerance import SOURCE, lost_tolerance
from tests.assessments.factories import assessment, local

pytestmark = pytest.mark.django_db


def sows(patient, day: int, hour: int = 12, *, craving: int, **last_use):
    return assessment(patient, SOWS, local(2026, 1, day, hour), 30, craving=craving, **last_use)


def cows(patient, day: int, hour: int = 12, **last_use):
    return assessment(patient, COWS, local(2026, 1, day, hour), 10, **last_use)


def test_a_patients_three_to_seven_days_with_strong_craving_on_the_same_sows_holds(patient):
    found = lost_tolerance([sows(patient, 5, craving=3, last_use="3_7d")], days=3)
    assert found is not None and found.craving_value == 3 and found.days == 3
    assert found.last_use is found.craving


def test_a_clinicians_time_of_72_hours_then_a_later_craving_of_4_holds(patient):
    history = [cows(patient, 5, hours=Decimal("72.0"), given_by="clinician"), sows(patient, 6, craving=4)]
    found = lost_tolerance(history, days=3)
    assert found.last_use.instrument == "COWS" and found.craving.instrument == "SOWS" and found.craving_value == 4


def test_just_under_the_days_does_not_hold(patient):
    assert lost_tolerance([cows(patient, 5, hours=Decimal("71.9")), sows(patient, 5, 13, craving=4)], days=3) is None


@pytest.mark.parametrize("craving", [0, 1, 2])
def test_craving_below_3_does_not_hold(patient, craving):
    assert lost_tolerance([sows(patient, 5, craving=craving, last_use="over_7d")], days=3) is None


def test_craving_before_the_answer_does_not_count(patient):
    history = [sows(patient, 4, craving=4, last_use="6_12h"), cows(patient, 8, hours=Decimal("96.0"))]
    assert lost_tolerance(history, days=3) is None


def test_the_latest_answer_decides_even_when_an_older_one_said_days(patient):
    history = [sows(patient, 4, craving=4, last_use="over_7d"), cows(patient, 6, hours=Decimal("5.0"))]
    assert lost_tolerance(history, days=3) is None


@pytest.mark.parametrize("answer", ["unknown", "declined"])
def test_an_unknown_or_declined_latest_answer_does_not_hold(patient, answer):
    history = [sows(patient, 4, craving=4, last_use="over_7d"), sows(patient, 6, craving=4, last_use=answer)]
    assert lost_tolerance(history, days=3) is None


def test_assessments_without_an_answer_are_skipped_not_read_as_abstinence(patient):
    # The latest recorded answer (3 to 7 days) still decides; the later SOWS has no answer of its own.
    history = [cows(patient, 4, last_use="3_7d"), sows(patient, 6, craving=3)]
    assert lost_tolerance(history, days=3) is not None
    assert lost_tolerance([sows(patient, 6, craving=4)], days=3) is None


def test_a_range_counts_only_its_lower_end(patient):
    history = [sows(patient, 5, craving=4, last_use="3_7d")]
    assert lost_tolerance(history, days=4) is None
    assert lost_tolerance([sows(patient, 5, craving=4, last_use="over_7d")], days=7) is not None


def test_the_sows_gossop_never_counts_as_craving(patient):
    gossop = assessment(patient, SOWS_GOSSOP, local(2026, 1, 6), 25)
    assert lost_tolerance([cows(patient, 5, last_use="over_7d"), gossop], days=3) is None


def test_the_days_default_to_the_setting(patient, settings):
    history = [sows(patient, 5, craving=4, last_use="3_7d")]
    settings.LOST_TOLERANCE_DAYS = 3
    assert lost_tolerance(history) is not None
    settings.LOST_TOLERANCE_DAYS = 5
    assert lost_tolerance(history) is None


def test_the_selector_reads_one_patients_history_in_one_query(patient, dave_patient):
    other_patient = dave_patient
    Assessment.objects.bulk_create(
        [sows(patient, 5, craving=4, last_use="3_7d"), sows(other_patient, 5, craving=4, last_use="6_12h")]
    )
    with CaptureQueriesContext(connection) as queries:
        found = lost_tolerance_for_patient(patient)
    assert len(queries) == 1 and found is not None and found.craving.patient_id == patient.pk
    assert lost_tolerance_for_patient(other_patient) is None


def test_the_rule_names_its_source():
    assert "Strang J" in SOURCE and "BMJ 2003;326:959-960" in SOURCE
