"""Hours stored before the last-use question existed came from the latest use report: the
migration forgets them, so those assessments show "not recorded"."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("assessments", "0003_taken_at_patient_index")]
AFTER = [("assessments", "0004_last_use_answer_per_assessment")]


@pytest.mark.django_db(transaction=True)
def test_hours_taken_from_use_reports_are_forgotten_and_shown_as_not_recorded(clinic, alice):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Patient = old.get_model("patients", "Patient")
    Assessment = old.get_model("assessments", "Assessment")
    patient = Patient.objects.create(
        clinic_id=clinic.pk, record_number="R-MIG", name="Migrated", date_of_birth=dt.date(1990, 1, 1)
    )
    Assessment.objects.create(
        patient=patient,
        instrument="COWS",
        taken_at=timezone.now(),
        completed_by="clinician",
        entered_by_id=alice.pk,
        answers={},
        total=0,
        band="",
        hours_since_last_use=Decimal("274.5"),
        submission_id=uuid.uuid4(),
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("assessments", "Assessment")
    row = new.objects.get(patient_id=patient.pk)
    assert (row.hours_since_last_use, row.last_use_answer, row.last_use_given_by) == (None, "", "")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
