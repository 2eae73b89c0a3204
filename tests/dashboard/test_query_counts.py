"""The dashboard and its lists cost the same number of queries for 10 patients as for 200."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic.assessments.instruments import COWS, SOWS
from clinic.assessments.models import Assessment, PatientAssessmentSummary
from clinic.guidance.models import Provider, Referral, ReferralEvent, ReviewDate, TaperPlan
from clinic.patients.models import Patient, UseReport, Visit
from clinic.selfreport.models import PatientLink
from tests.assessments.factories import assessment
from tests.dashboard.helpers import CSV, INDEX, LIST


def _fill(clinic, alice, erin, start: int, count: int) -> None:
    """`count` patients, each with every kind of fact the dashboard reads, in bulk."""
    now = timezone.now()
    today = timezone.localdate()
    provider, _ = Provider.objects.get_or_create(clinic=clinic, name="Bridge", defaults={"kind": "otp"})
    patients = Patient.objects.bulk_create(
        Patient(
            clinic=clinic,
            record_number=f"Q-{i:04}",
            name=f"Query Patient {i:04}",
            date_of_birth=dt.date(1990, 1, 1),
            assigned_clinician=alice if i % 2 else erin,
        )
        for i in range(start, start + count)
    )
    Patient.objects.filter(pk__in=[p.pk for p in patients]).update(created_at=now - dt.timedelta(days=30))
    Visit.objects.bulk_create(
        Visit(
            patient=p,
            clinician=alice,
            occurred_at=now - dt.timedelta(days=9),
            kind="intake",
            next_follow_up=today - dt.timedelta(days=1),
        )
        for p in patients
    )
    UseReport.objects.bulk_create(
        UseReport(
            patient=p,
            recorded_by=alice,
            recorded_at=now - dt.timedelta(days=9),
            product_form="tablet",
            strength_unknown=True,
            alcohol="daily",
        )
        for p in patients
    )
    Assessment.objects.bulk_create(
        [
            assessment(p, COWS, now - dt.timedelta(days=10 + k), total)
            for p in patients
            for k, total in ((0, 30), (1, 10))
        ]
        + [assessment(p, SOWS, now - dt.timedelta(days=10), 30, craving=4) for p in patients]
    )
    PatientAssessmentSummary.objects.bulk_create(
        PatientAssessmentSummary(
            patient=p,
            latest_cows_total=30,
            latest_cows_band="moderately_severe",
            latest_cows_taken_at=now - dt.timedelta(days=10),
            previous_cows_total=10,
            previous_cows_band="mild",
            cows_band_went_up=True,
            latest_sows_craving=4,
            latest_sows_taken_at=now - dt.timedelta(days=10),
            latest_assessment_at=now - dt.timedelta(days=10),
        )
        for p in patients
    )
    PatientLink.objects.bulk_create(
        PatientLink(
            patient=p,
            token_hash=uuid.uuid4().hex,
            created_by=alice,
            created_at=now - dt.timedelta(days=5),
            expires_at=now - dt.timedelta(days=2),
        )
        for p in patients
    )
    plans = TaperPlan.objects.bulk_create(
        TaperPlan(
            patient=p,
            start_date=today - dt.timedelta(days=20),
            goals="Goals.",
            status="active",
            status_changed_at=now,
            created_by=alice,
        )
        for p in patients
    )
    ReviewDate.objects.bulk_create(ReviewDate(plan=plan, date=today - dt.timedelta(days=2)) for plan in plans)
    referrals = Referral.objects.bulk_create(
        Referral(patient=p, provider=provider, reason="Why.", status="attended", created_by=alice) for p in patients
    )
    ReferralEvent.objects.bulk_create(
        ReferralEvent(referral=r, from_status=a, to_status=b, at=now - dt.timedelta(days=d), by=alice)
        for r in referrals
        for a, b, d in (("", "drafted", 8), ("drafted", "sent", 7), ("appointment", "attended", 2))
    )


PAGES = [
    (INDEX, {}),
    (INDEX, {"clinician": "all", "start": "2026-01-05", "end": "2026-03-29"}),
    (LIST, {"metric": "attention"}),
    (LIST, {"metric": "attention_silent"}),
    (LIST, {"metric": "referral_sent_days"}),
    (CSV, {"metric": "attention"}),
    (CSV, {"metric": "referral_attended_days"}),
]


def _queries(client, url, query) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, query).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url, query", PAGES)
@pytest.mark.parametrize("who", ["bob", "alice"])
def test_ten_or_two_hundred_patients_cost_the_same_number_of_queries(
    who, url, query, clinic, alice, erin, bob, django_assert_max_num_queries
):
    from tests.conftest import signed_in

    client = signed_in(alice if who == "alice" else bob)
    _fill(clinic, alice, erin, 0, 10)
    ten = _queries(client, url, query)
    _fill(clinic, alice, erin, 10, 190)
    with django_assert_max_num_queries(ten):
        response = client.get(url, query)
    assert _queries(client, url, query) == ten
    if url == INDEX:
        expected = 200 if who == "bob" else 100
        assert response.context["total"]["attention"] == expected
        assert response.context["total"]["attention_taper_review"] == expected
        assert len(response.context["preview"]) == 20
