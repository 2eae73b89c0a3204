"""The demo data: realistic invented patients that exercise every flag, loaded idempotently."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from clinic.guidance.safety_rules import LOST_TOLERANCE
from clinic.patients import safety
from clinic.patients.models import Patient, UseReport, Visit
from clinic.patients.safety import rules_for_patient
from clinic.patients.safety_rules import RULES as PATIENTS_RULES


def test_loading_the_demo_twice_changes_nothing(db):
    call_command("load_demo", stdout=StringIO())
    counts = (Patient.objects.count(), Visit.objects.count(), UseReport.objects.count())
    call_command("load_demo", stdout=StringIO())
    assert (Patient.objects.count(), Visit.objects.count(), UseReport.objects.count()) == counts
    assert 10 <= Patient.objects.filter(clinic__name="Riverside Recovery Clinic").count() <= 12
    assert Patient.objects.filter(clinic__name="Hillcrest Health Center").count() == 1


def test_the_demo_exercises_every_flag_and_assigns_riverside_patients_to_alice_or_erin(db):
    call_command("load_demo", stdout=StringIO())
    seen = set()
    for patient in Patient.objects.all():
        seen |= {reason.key for reason in rules_for_patient(patient)}
    assert {rule.key for rule in safety.rules() if rule in [*PATIENTS_RULES, LOST_TOLERANCE]} <= seen
    riverside = Patient.objects.filter(clinic__name="Riverside Recovery Clinic")
    assert set(riverside.values_list("assigned_clinician__username", flat=True)) == {"alice", "erin"}


def test_every_demo_record_passes_the_same_rules_as_the_forms(db):
    call_command("load_demo", stdout=StringIO())
    for model in (Patient, Visit, UseReport):
        for obj in model.objects.all():
            obj.full_clean(validate_constraints=False)


def test_the_demo_shows_one_amended_and_one_entered_in_error_record(db):
    from clinic.patients.models import Correction

    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    assert sorted(Correction.objects.values_list("action", flat=True)) == ["amended", "entered_in_error"]
    assert Visit.every_entry.filter(entered_in_error_at__isnull=False).count() == 1


def test_the_demo_referral_carries_the_dates_of_its_events_not_of_the_load(db):
    from clinic.guidance.models import ReferralEvent

    call_command("load_demo", stdout=StringIO())
    moves = ReferralEvent.objects.exclude(from_status="").order_by("pk")
    assert [m.to_status for m in moves] == ["sent", "contacted", "appointment"]
    sent, _contacted, appointment = moves
    assert sent.happened_at < sent.at and appointment.happened_at > appointment.at
