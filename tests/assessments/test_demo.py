"""Demo assessments: only for demo patients that exist, through the service, loaded once."""

from __future__ import annotations

from clinic.accounts import demo as accounts_demo
from clinic.assessments import demo
from clinic.assessments.instruments import COWS, SOWS
from clinic.assessments.models import Assessment, PatientAssessmentSummary
from clinic.assessments.selectors import lost_tolerance_for_patient
from tests.conftest import make_patient


def test_without_demo_patients_nothing_is_created(db):
    demo.load(accounts_demo.load())
    assert not Assessment.objects.exists()


def test_demo_patients_get_weeks_of_cows_and_sows_and_loading_again_adds_nothing(db):
    cast = accounts_demo.load()
    patients = [make_patient(cast.clinic, record_number=f"R-000{n}", name=f"Demo {n}") for n in (1, 2, 3)]
    make_patient(cast.other_clinic, record_number="H-0001", name="Hillcrest Demo")
    demo.load(cast)
    count = Assessment.objects.count()
    demo.load(cast)
    assert Assessment.objects.count() == count > 0
    first = Assessment.objects.filter(patient=patients[0])
    assert {a.instrument for a in first} == {"COWS", "SOWS"}
    span = max(a.taken_at for a in first) - min(a.taken_at for a in first)
    assert span.days >= 14
    # Each went through assessment_submit: scored from its answers, and the summary kept up.
    for a in Assessment.objects.all():
        assert a.total == a.definition.score(a.answers)
    assert PatientAssessmentSummary.objects.count() == 4
    # The first demo patient relapses: a band rise and strong craving for the attention notes.
    summary = PatientAssessmentSummary.objects.get(patient=patients[0])
    assert summary.cows_band_went_up and summary.latest_sows_craving >= 3
    # ...after more than three days without use: the lost-tolerance condition, for `make run`.
    assert lost_tolerance_for_patient(patients[0]) is not None
    assert lost_tolerance_for_patient(patients[1]) is None
    # Every demo assessment carries an answer about last use, with who gave it.
    assert not Assessment.objects.filter(last_use_answer="").exists()
    assert Assessment.objects.filter(patient__clinic=cast.other_clinic, entered_by=cast.dave).exists()


def test_demo_answers_are_legal_and_near_their_target():
    for target in range(0, 49):
        answers = demo.answers_for(COWS, target)
        assert target - 2 <= COWS.score(answers) <= target
    assert demo.answers_for(SOWS, 20, craving=4)["craving"] == 4
