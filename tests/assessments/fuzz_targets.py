"""The assessment forms (COWS, SOWS, SOWS-Gossop), for the fuzzer in tests/security/fuzz.py.

An accepted form is one assessment, its audit event and the patient's refreshed summary, all for
the patient in the address; a visit of another patient or clinic, a used submission id, or an
answer outside the instrument's declaration records nothing.
"""

from __future__ import annotations

import uuid

from django.urls import reverse
from django.utils import timezone
from hypothesis import strategies as st

from clinic.assessments.instruments import COWS, INSTRUMENTS, Instrument
from clinic.assessments.links import instrument_slug
from clinic.assessments.models import Assessment, PatientAssessmentSummary
from clinic.assessments.services import assessment_submit
from clinic.audit.models import Action
from clinic.patients.models import Visit
from tests.conftest import make_patient
from tests.security.fuzz import FormTarget, audited, form_data, hillcrest_ids, past_datetime_inputs


def _prepare(client, world) -> None:
    """Another Riverside patient's visit, and a Hillcrest assessment whose submission id is known."""
    other = make_patient(world.clinic, record_number="R-0900", name="Other Person")
    world.other_visit = Visit.objects.create(
        patient=other, clinician=world.alice, occurred_at=timezone.now(), kind="phone"
    )
    world.dave_assessment, _ = assessment_submit(
        request=None,
        patient=world.dave_patient,
        instrument_code=COWS.code,
        answers={item.key: 0 for item in COWS.items},
        taken_at=timezone.now(),
        completed_by="clinician",
        entered_by=world.dave,
        submission_id=uuid.uuid4(),
    )


def _data(instrument: Instrument):
    def data(world) -> st.SearchStrategy[dict]:
        own_visit = st.sampled_from(["", str(world.visit.pk)])
        # Another Riverside patient's visit, or Hillcrest's: refused.
        foreign_visit = st.sampled_from([str(world.other_visit.pk), str(world.dave_visit.pk)])
        fresh_id = st.uuids().map(str)
        fields = {
            "taken_at": past_datetime_inputs(),
            "visit": st.one_of(own_visit, own_visit, foreign_visit),
            # Now and then the id of Hillcrest's assessment: refused, and it stays theirs.
            "submission_id": st.one_of(fresh_id, fresh_id, fresh_id, st.just(str(world.dave_assessment.submission_id))),
            # The answer about last use: "unknown" holds whatever time the answers were taken.
            "last_use_known": st.just("unknown"),
            "last_use_at": st.just(""),
            "last_use_given_by": st.sampled_from(["patient", "clinician"]),
            **{
                # Legal answers: form_data makes one of them hostile (and out of range) at a time.
                f"item_{item.key}": st.sampled_from(item.legal_values).map(str)
                for item in instrument.items
            },
        }
        return form_data(fields, foreign=hillcrest_ids(world))

    return data


def _baseline(instrument: Instrument):
    def baseline(world) -> dict:
        answers = {f"item_{item.key}": str(item.legal_values[1]) for item in instrument.items}
        return {
            "taken_at": "2026-01-05T09:30",
            "visit": str(world.visit.pk),
            "submission_id": str(uuid.uuid4()),
            "last_use_known": "unknown",
            "last_use_at": "",
            "last_use_given_by": "patient",
        } | answers

    return baseline


def _state(world) -> tuple:
    summary = PatientAssessmentSummary.objects.filter(patient=world.patient).values().first()
    return (
        Assessment.objects.count(),
        audited(Action.CREATE, "assessments.assessment"),
        summary,
        Assessment.objects.filter(patient=world.dave_patient).count(),
    )


def _recorded(instrument: Instrument):
    def check(world, before, after) -> None:
        added = after[0] - before[0]
        assert added in (0, 1), "one assessment per submission"  # 0: the same submission again
        assert after[1] - before[1] == added, "every new assessment is audited, in the same transaction"
        assert after[3] == before[3], "nothing recorded for Hillcrest's patient"
        if added:
            newest = Assessment.objects.latest("pk")
            assert (newest.patient_id, newest.entered_by_id, newest.instrument) == (
                world.patient.pk,
                world.alice.pk,
                instrument.code,
            )
            assert newest.visit_id in (None, world.visit.pk)
            assert after[2]["latest_assessment_at"] is not None

    return check


TARGETS = [
    FormTarget(
        name=f"assessment_record_{instrument_slug(instrument)}",
        url=lambda w, slug=instrument_slug(instrument): reverse(  # noqa: B008 (bound per instrument)
            "assessments:record", kwargs={"pk": w.patient.pk, "instrument": slug}
        ),
        actor="alice",
        prepare=_prepare,
        data=_data(instrument),
        state=_state,
        check_saved=_recorded(instrument),
        baseline=_baseline(instrument),
        max_examples=25,
    )
    for instrument in INSTRUMENTS.values()
]
