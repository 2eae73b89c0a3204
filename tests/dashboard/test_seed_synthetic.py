"""The synthetic clinic: built in bulk, obviously invented, and counted right by the dashboard."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Q
from django.utils import timezone

from clinic.accounts.models import Clinic, User
from clinic.assessments.models import Assessment, PatientAssessmentSummary
from clinic.assessments.services import summary_refresh
from clinic.dashboard.models import PatientActivity
from clinic.dashboard.synthetic import CLINIC_NAME
from clinic.guidance.models import Referral, ReviewDate
from clinic.patients.models import Patient, UseReport, Visit
from clinic.patients.safety_rules import DEPRESSANTS
from clinic.selfreport.models import LinkState, PatientLink
from tests.conftest import signed_in

PASSWORD = "synthetic-test-password"


def seed(*extra: str) -> str:
    out = io.StringIO()
    call_command(
        "seed_synthetic",
        "--patients",
        "30",
        "--assessments-per-patient",
        "5",
        "--password",
        PASSWORD,
        *extra,
        stdout=out,
    )
    return out.getvalue()


@pytest.fixture
def synthetic(db):
    output = seed()
    return Clinic.objects.get(name=CLINIC_NAME), output


def test_it_builds_a_clinic_of_obviously_invented_people(synthetic):
    clinic, output = synthetic
    patients = Patient.objects.filter(clinic=clinic)
    assert patients.count() == 30
    assert patients.filter(name__startswith="Synthetic Patient ", record_number__startswith="SYN-").count() == 30
    assert Assessment.objects.filter(patient__clinic=clinic).count() == 150
    assert Visit.objects.filter(patient__clinic=clinic).count() >= 30  # everyone has an intake visit
    assert UseReport.objects.filter(patient__clinic=clinic).count() >= 30
    assert User.objects.filter(clinic=clinic, username="synth-supervisor", role="supervisor").exists()
    assert User.objects.get(username="synth-clinician-1").check_password(PASSWORD)
    assert f"password for all: {PASSWORD}" in output


def test_it_refuses_to_seed_twice_unless_asked_to_reset(synthetic):
    with pytest.raises(CommandError, match="--reset"):
        seed()
    seed("--reset", "--seed", "8")
    clinic, _ = synthetic
    assert Patient.objects.filter(clinic=clinic).count() == 30
    assert Assessment.objects.filter(patient__clinic=clinic).count() == 150


def test_the_summaries_it_writes_are_the_ones_assessment_submit_would_keep(synthetic):
    clinic, _ = synthetic
    fields = [f.name for f in PatientAssessmentSummary._meta.fields if f.name not in ("patient", "updated_at")]
    for patient in Patient.objects.filter(clinic=clinic):
        written = PatientAssessmentSummary.objects.filter(patient=patient).values(*fields).first()
        recomputed = summary_refresh(patient=patient)
        assert written == {name: getattr(recomputed, name) for name in fields}, patient.record_number


def test_its_records_keep_every_rule_of_the_models(synthetic):
    clinic, _ = synthetic
    for model in (Patient, Visit, UseReport, Assessment):
        for row in model.objects.filter(**({"clinic": clinic} if model is Patient else {"patient__clinic": clinic})):
            row.full_clean(exclude=["record_number"] if model is Patient else None)


def test_the_dashboard_counts_of_the_synthetic_clinic_are_what_direct_counts_say(synthetic):
    clinic, _ = synthetic
    client = signed_in(User.objects.get(username="synth-supervisor"))
    response = client.get("/dashboard/")
    total = response.context["total"]
    now, today = timezone.now(), timezone.localdate()
    patients = Patient.objects.filter(clinic=clinic)
    in_care = patients.exclude(status="discharged")
    summaries = {s.patient_id: s for s in PatientAssessmentSummary.objects.filter(patient__clinic=clinic)}
    activity = {a.patient_id: a for a in PatientActivity.objects.filter(patient__clinic=clinic)}

    def latest(model, order, patient):
        return model.objects.filter(patient=patient).order_by(f"-{order}", "-pk").first()

    expected = {"in_care": in_care.count()}
    for status in ("active", "tapering", "referred", "discharged"):
        expected[f"status_{status}"] = patients.filter(status=status).count()
    reasons: dict[str, set[int]] = {
        key: set()
        for key in (
            "attention_cows_severe",
            "attention_cows_up",
            "attention_craving",
            "depressant_frequent",
            "attention_follow_up",
            "attention_silent",
            "attention_link_expired",
            "attention_taper_review",
        )
    }
    for patient in in_care:
        summary = summaries.get(patient.pk)
        visit = latest(Visit, "occurred_at", patient)
        report = latest(UseReport, "recorded_at", patient)
        link = latest(PatientLink, "created_at", patient)
        if summary and summary.latest_cows_band in ("moderately_severe", "severe"):
            reasons["attention_cows_severe"].add(patient.pk)
        if summary and summary.cows_band_went_up:
            reasons["attention_cows_up"].add(patient.pk)
        if summary and (summary.latest_sows_craving or 0) >= 3:
            reasons["attention_craving"].add(patient.pk)
        if report and any(getattr(report, field) in ("daily", "most_days") for field in DEPRESSANTS):
            reasons["depressant_frequent"].add(patient.pk)
        if visit and visit.next_follow_up and visit.next_follow_up < today:
            reasons["attention_follow_up"].add(patient.pk)
        contact = max(
            [m for m in (visit and visit.occurred_at, summary and summary.latest_assessment_at) if m], default=None
        )
        if patient.created_at < now - timezone.timedelta(days=7) and (
            contact is None or contact < now - timezone.timedelta(days=7)
        ):
            reasons["attention_silent"].add(patient.pk)
        if link and link.state == LinkState.EXPIRED:
            reasons["attention_link_expired"].add(patient.pk)
        passed = ReviewDate.objects.filter(
            plan__patient=patient, plan__status__in=["planned", "active", "paused"], done=False, date__lt=today
        )
        if passed.exists():
            reasons["attention_taper_review"].add(patient.pk)
        assert activity.get(patient.pk) is not None
    for key, who in reasons.items():
        expected[key] = len(who)
    assert {key: total[key] for key in expected} == expected
    # Other safety rules (naloxone, overdose, ...) add reasons; these are counted among them.
    assert total["attention"] >= len(set().union(*reasons.values()))
    counts = {cell.label: cell.count for cell in response.context["referral_counts"]}
    assert sum(counts.values()) == Referral.objects.filter(patient__clinic=clinic).count()
    band_total = sum(total[k] for k in total if k.startswith("band_"))
    assert band_total == expected["in_care"]
    weekly = sum(cell.count for cell in response.context["weeks"])
    first_week = response.context["weeks"][0].label
    assert (
        weekly
        == Assessment.objects.filter(
            Q(patient__clinic=clinic),
            taken_at__gte=timezone.make_aware(timezone.datetime.combine(first_week, timezone.datetime.min.time())),
        ).count()
    )
