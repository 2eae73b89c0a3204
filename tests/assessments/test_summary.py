"""The per-patient summary stays right as assessments arrive, in any order, even at once."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection, connections

from clinic.assessments.instruments import COWS, SOWS, SOWS_GOSSOP
from clinic.assessments.models import Assessment, PatientAssessmentSummary
from clinic.assessments.services import assessment_submit
from tests.assessments.factories import answers_with_total, local


def submit(patient, instrument, taken_at, total, user=None, **fixed):
    assessment, _ = assessment_submit(
        request=None,
        patient=patient,
        instrument_code=instrument.code,
        answers=answers_with_total(instrument, total, **fixed),
        taken_at=taken_at,
        completed_by=instrument.completed_by,
        entered_by=user,
        submission_id=uuid.uuid4(),
    )
    return assessment


def summary(patient) -> PatientAssessmentSummary:
    return PatientAssessmentSummary.objects.get(patient=patient)


def test_there_is_no_summary_before_the_first_assessment(patient):
    assert not PatientAssessmentSummary.objects.filter(patient=patient).exists()


def test_the_first_cows_fills_the_latest_cows_and_leaves_previous_empty(patient, alice):
    submit(patient, COWS, local(2026, 1, 5), 26, alice)
    s = summary(patient)
    assert (s.latest_cows_total, s.latest_cows_band, s.latest_cows_taken_at) == (
        26,
        "moderately_severe",
        local(2026, 1, 5),
    )
    assert (s.previous_cows_total, s.previous_cows_band, s.cows_band_went_up) == (None, "", False)
    assert s.latest_assessment_at == local(2026, 1, 5)
    assert s.latest_cows_band_label == "Moderately severe"


def test_a_second_cows_in_a_higher_band_marks_the_rise(patient, alice):
    submit(patient, COWS, local(2026, 1, 5), 4, alice)
    submit(patient, COWS, local(2026, 1, 6), 5, alice)
    s = summary(patient)
    assert (s.previous_cows_total, s.previous_cows_band, s.latest_cows_band, s.cows_band_went_up) == (
        4,
        "",
        "mild",
        True,
    )
    assert s.previous_cows_band_label == "Below the mild band"
    submit(patient, COWS, local(2026, 1, 7), 12, alice)
    assert summary(patient).cows_band_went_up is False  # mild to mild


def test_a_back_dated_cows_takes_its_place_in_time_not_the_latest_place(patient, alice):
    submit(patient, COWS, local(2026, 1, 10), 10, alice)
    submit(patient, COWS, local(2026, 1, 2), 40, alice)  # entered late, taken earlier
    s = summary(patient)
    assert (s.latest_cows_total, s.previous_cows_total, s.cows_band_went_up) == (10, 40, False)
    assert s.latest_assessment_at == local(2026, 1, 10)


def test_the_latest_sows_craving_is_kept_and_gossop_does_not_count_as_sows(patient, alice):
    submit(patient, SOWS, local(2026, 1, 5), 30, alice, craving=4)
    submit(patient, SOWS_GOSSOP, local(2026, 1, 6), 30, alice)
    s = summary(patient)
    assert (s.latest_sows_craving, s.latest_sows_taken_at) == (4, local(2026, 1, 5))
    assert s.latest_assessment_at == local(2026, 1, 6)
    assert s.latest_cows_total is None


def test_a_replayed_submission_changes_nothing(patient, alice):
    sid = uuid.uuid4()
    for _ in range(2):
        assessment_submit(
            request=None,
            patient=patient,
            instrument_code="COWS",
            answers=answers_with_total(COWS, 9),
            taken_at=local(2026, 1, 5),
            completed_by="clinician",
            entered_by=alice,
            submission_id=sid,
        )
    assert summary(patient).previous_cows_total is None


def test_an_illegal_answer_leaves_no_summary_behind(patient, alice):
    with pytest.raises(ValueError):
        assessment_submit(
            request=None,
            patient=patient,
            instrument_code="COWS",
            answers=answers_with_total(COWS, 0) | {"gooseflesh": 4},
            taken_at=local(2026, 1, 5),
            completed_by="clinician",
            entered_by=alice,
            submission_id=uuid.uuid4(),
        )
    assert not PatientAssessmentSummary.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
@pytest.mark.django_db(transaction=True)
def test_assessments_submitted_at_the_same_moment_both_reach_the_summary(patient, alice):
    # Several first assessments race to create the summary row, then to update it.
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker(day: int) -> None:
        try:
            start.wait()
            submit(patient, COWS, local(2026, 1, day), day, alice)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(day,)) for day in (5, 6, 7, 8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Assessment.objects.count() == 4
    s = summary(patient)
    assert (s.latest_cows_total, s.previous_cows_total, s.latest_assessment_at) == (8, 7, local(2026, 1, 8))
