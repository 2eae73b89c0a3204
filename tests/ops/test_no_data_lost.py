"""Every confirmed submission is stored exactly once, and nothing is ever half written.

Through the service (clinic.assessments.services.assessment_submit) that every form calls; the
drill (bench/drill.py) checks the same promises over HTTP through gunicorn.
"""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import IntegrityError, connection, connections
from django.utils import timezone

from clinic.assessments import services
from clinic.assessments.instruments import COWS
from clinic.assessments.models import Assessment
from clinic.assessments.services import assessment_submit
from clinic.audit.models import AuditEvent


def cows_answers() -> dict[str, int]:
    return {item.key: item.legal_values[1] for item in COWS.items}


def submit(patient, alice, submission_id: uuid.UUID):
    return assessment_submit(
        request=None,
        patient=patient,
        instrument_code="COWS",
        answers=cows_answers(),
        taken_at=timezone.now(),
        completed_by="clinician",
        entered_by=alice,
        submission_id=submission_id,
    )


def assessment_audits() -> int:
    return AuditEvent.objects.filter(object_type="assessments.assessment").count()


def test_one_submission_sent_three_times_is_stored_once_and_confirmed_three_times(patient, alice):
    submission_id = uuid.uuid4()
    confirmations = [submit(patient, alice, submission_id) for _ in range(3)]

    assert Assessment.objects.filter(submission_id=submission_id).count() == 1
    stored = Assessment.objects.get(submission_id=submission_id)
    # Each sender is told the same thing: this is your stored assessment.
    assert [assessment.pk for assessment, _ in confirmations] == [stored.pk] * 3
    assert [created for _, created in confirmations] == [True, False, False]
    assert assessment_audits() == 1


@pytest.mark.parametrize("failure", [RuntimeError("disk full"), IntegrityError("audit insert refused")])
def test_a_failure_after_the_assessment_is_inserted_leaves_nothing_behind(
    transactional_db, patient, alice, monkeypatch, failure
):
    def audit_fails(**kwargs):
        # The assessment row exists at this moment, inside the transaction.
        assert Assessment.objects.filter(submission_id=submission_id).exists()
        raise failure

    submission_id = uuid.uuid4()
    with monkeypatch.context() as patch:
        patch.setattr(services, "audit_record", audit_fails)
        with pytest.raises(type(failure)):
            submit(patient, alice, submission_id)

    assert Assessment.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    # The sender saw no confirmation and sends again: now it is stored, once.
    assessment, created = submit(patient, alice, submission_id)
    assert created and Assessment.objects.count() == 1 and assessment_audits() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_two_copies_of_one_submission_racing_each_other_are_stored_once(transactional_db, patient, alice, monkeypatch):
    # Both copies pass the "already stored?" check before either inserts: the unique submission
    # id in the database decides, and the loser answers with the winner's row.
    both_checked = threading.Barrier(2, timeout=10)
    original = services.last_use_fields

    def wait_for_the_other_copy(*args, **kwargs):
        both_checked.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "last_use_fields", wait_for_the_other_copy)
    submission_id = uuid.uuid4()
    results: list = []
    errors: list = []

    def send() -> None:
        try:
            results.append(submit(patient, alice, submission_id))
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert not errors
    assert sorted(created for _, created in results) == [False, True]
    assert len({assessment.pk for assessment, _ in results}) == 1
    assert Assessment.objects.count() == 1 and assessment_audits() == 1
