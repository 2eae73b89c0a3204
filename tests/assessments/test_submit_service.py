from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from clinic.assessments.instruments import COWS, InvalidAnswers
from clinic.assessments.last_use import InvalidLastUse, LastUseGiven
from clinic.assessments.models import Assessment
from clinic.assessments.services import SubmissionConflict, assessment_submit
from clinic.audit.models import AuditEvent
from clinic.patients.models import UseReport


def cows_answers(value_index: int = 0) -> dict[str, int]:
    return {item.key: item.legal_values[min(value_index, len(item.legal_values) - 1)] for item in COWS.items}


def submit(patient, alice, answers, submission_id=None, **extra):
    return assessment_submit(
        request=None,
        patient=patient,
        instrument_code="COWS",
        answers=answers,
        taken_at=extra.pop("taken_at", timezone.now()),
        completed_by="clinician",
        entered_by=alice,
        submission_id=submission_id or uuid.uuid4(),
        **extra,
    )


def test_the_server_scores_and_bands_a_cows_and_audits_it(patient, alice):
    assessment, created = submit(patient, alice, cows_answers(1))
    assert created
    # Ten items at their second value (1) plus gooseflesh at its second value (3).
    assert assessment.total == 13 and assessment.band == "moderate"
    assert AuditEvent.objects.filter(object_id=str(assessment.pk), patient_id=patient.pk, actor=alice).exists()


def test_the_same_submission_three_times_records_once(patient, alice):
    sid = uuid.uuid4()
    results = [submit(patient, alice, cows_answers(2), submission_id=sid) for _ in range(3)]
    assert [created for _, created in results] == [True, False, False]
    assert Assessment.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="assessments.assessment").count() == 1


def test_a_submission_id_cannot_be_reused_for_another_patient(patient, dave_patient, alice):
    sid = uuid.uuid4()
    submit(patient, alice, cows_answers(), submission_id=sid)
    with pytest.raises(SubmissionConflict):
        submit(dave_patient, alice, cows_answers(), submission_id=sid)


def test_an_illegal_answer_saves_nothing(patient, alice):
    answers = cows_answers() | {"gooseflesh": 4}
    with pytest.raises(InvalidAnswers) as error:
        submit(patient, alice, answers)
    assert "gooseflesh" in error.value.errors
    assert Assessment.objects.count() == 0 and AuditEvent.objects.count() == 0


def test_hours_since_last_use_come_from_the_answer_given_with_the_assessment(patient, alice):
    now = timezone.now()
    given = LastUseGiven(answer="at_time", given_by="patient", at=now - dt.timedelta(hours=30))
    assessment, _ = submit(patient, alice, cows_answers(), taken_at=now, last_use=given)
    assert float(assessment.hours_since_last_use) == 30.0
    assert str(assessment.last_use) == "30.0 h (patient's answer)"


def test_a_use_report_never_supplies_the_hours_of_an_assessment(patient, alice):
    now = timezone.now()
    UseReport.objects.create(
        patient=patient,
        recorded_by=alice,
        recorded_at=now - dt.timedelta(hours=1),
        product_form="tablet",
        last_use_at=now - dt.timedelta(hours=274),
    )
    unknown = LastUseGiven(answer="unknown", given_by="clinician")
    assessment, _ = submit(patient, alice, cows_answers(), taken_at=now, last_use=unknown)
    assert assessment.hours_since_last_use is None and assessment.last_use.at_least_hours is None
    assert str(assessment.last_use) == "unknown (clinician's answer)"
    old, _ = submit(patient, alice, cows_answers(), taken_at=now)
    assert str(old.last_use) == "not recorded" and old.hours_since_last_use is None


@pytest.mark.parametrize(
    "given",
    [
        LastUseGiven(answer="at_time", given_by="patient"),  # a time answer without its time
        LastUseGiven(answer="unknown", given_by="patient", at=timezone.now()),  # a time with "unknown"
        LastUseGiven(answer="at_time", given_by="patient", at=timezone.now() + dt.timedelta(days=1)),  # after it
        LastUseGiven(answer="3_7d", given_by="nobody"),
        LastUseGiven(answer="last week-ish", given_by="patient"),
    ],
)
def test_a_last_use_answer_that_does_not_hold_together_saves_nothing(patient, alice, given):
    with pytest.raises(InvalidLastUse):
        submit(patient, alice, cows_answers(), taken_at=timezone.now(), last_use=given)
    assert Assessment.objects.count() == 0 and AuditEvent.objects.count() == 0
