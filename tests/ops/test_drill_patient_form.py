"""The drill's patient-form adapter (bench/targets.py) against a live server, one patient at a time.

The drill itself (test_drill.py) shows the counts under faults; these show the two ways a patient
resends, each ending with one stored assessment: the confirmation was lost, or the session was.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from bench.client import Session
from bench.targets import TARGETS, PatientForm, Phone
from clinic.assessments.instruments import COWS
from clinic.assessments.models import Assessment, CompletedBy
from clinic.assessments.services import assessment_submit
from clinic.patients.models import Patient
from clinic.selfreport.models import LinkState, PatientLink

TARGET: PatientForm = TARGETS["patient-form"]


@pytest.fixture
def session(live_server, transactional_db, settings) -> Session:
    # The drill's client speaks as the TLS proxy would (X-Forwarded-Proto: https).
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    url = urlsplit(live_server.url)
    return Session(url.hostname, url.port)


def test_the_patient_form_is_the_drills_default_target():
    from bench.drill import parse_args

    assert parse_args([]).target == "patient-form"
    assert parse_args(["--target", "clinician-cows"]).target == "clinician-cows"


def test_a_patient_whose_confirmation_was_lost_sends_the_same_id_again_and_it_is_stored_once(session):
    stream = TARGET.prepare("lost", 2)
    submission_id = uuid.uuid4()

    assert TARGET.submit(session, stream, 1, submission_id) is True
    assert TARGET.submit(session, stream, 1, submission_id) is True  # the first "thank you" never arrived

    assert TARGET.stored(stream) == [(str(submission_id), 1)]
    stored = Assessment.objects.get(submission_id=submission_id)
    assert stored.completed_by == CompletedBy.PATIENT and stored.patient_id == stream.patients[1]
    assert PatientLink.objects.get(pk=stream.links[1]).state == LinkState.COMPLETED
    assert PatientLink.objects.get(pk=stream.links[0]).state == LinkState.WAITING
    assert stream.phones[1].openings == 1


def test_a_patient_whose_session_was_lost_opens_the_link_again_and_sends_the_same_id(session):
    stream = TARGET.prepare("session", 1)
    submission_id = uuid.uuid4()
    phone = stream.phones[0] = Phone(Session(session.host, session.port))
    assert TARGET._confirm_date_of_birth(phone, stream, 0)
    phone.session.cookies.clear()  # the phone's browser dropped its cookies

    assert TARGET.submit(session, stream, 0, submission_id) is False  # "open the link your clinic sent you"
    assert TARGET.submit(session, stream, 0, submission_id) is True

    assert TARGET.stored(stream) == [(str(submission_id), 0)]
    assert phone.openings == 2
    assert TARGET.notes(stream) == ["reopened     1 patients opened their link again (1 extra times)"]


def test_an_assessment_no_patient_sent_through_their_link_counts_against_the_drill(session):
    stream = TARGET.prepare("extra", 1)
    patient = Patient.objects.get(pk=stream.patients[0])
    assessment_submit(
        request=None,
        patient=patient,
        instrument_code="COWS",
        answers={item.key: item.legal_values[0] for item in COWS.items},
        taken_at=timezone.now(),
        completed_by=CompletedBy.CLINICIAN,
        entered_by=patient.assigned_clinician,
        submission_id=uuid.uuid4(),
    )
    assert [n for _, n in TARGET.stored(stream)] == [-1]


def test_only_the_per_address_limit_is_raised_for_the_drill_and_ten_sends_fit_a_links_default_limit(settings):
    assert TARGET.LINK_LIMIT_DEFAULT == settings.PATIENT_LINK_RATE_PER_LINK
    assert TARGET.environment(300, 10) == {"PATIENT_LINK_RATE_PER_ADDRESS": "24000"}
    assert TARGET.environment(300, 12) == {
        "PATIENT_LINK_RATE_PER_ADDRESS": "28800",
        "PATIENT_LINK_RATE_PER_LINK": "48",
    }
