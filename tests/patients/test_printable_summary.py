"""A one-page printable summary of a patient: what is recorded, as entered, for the clinic only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.audit.models import Action, AuditEvent
from clinic.guidance import services as guidance
from clinic.guidance.models import ProviderKind
from tests.guidance.conftest import record_assessment
from tests.patients.factories import make_use_report, make_visit


def summary_of(client, patient):
    return client.get(reverse("patients:summary", args=[patient.pk]))


@pytest.fixture
def story(patient, alice, clinic):
    make_visit(patient, alice, days_ago=2, kind="intake", next_follow_up=timezone.localdate() + dt.timedelta(days=5))
    make_use_report(patient, alice, product_name="7-Tab Max", alcohol="daily", notes="Mostly evenings.")
    record_assessment(patient, alice, code="COWS", total=14, days_ago=1)
    record_assessment(patient, alice, code="SOWS", total=20, days_ago=1)
    plan = guidance.taper_plan_create(
        request=None, actor=alice, patient=patient, start_date=timezone.localdate(), goals="Stop by spring."
    )
    guidance.review_date_add(request=None, actor=alice, plan=plan, date=timezone.localdate() + dt.timedelta(days=7))
    provider = guidance.provider_create(
        request=None, actor=alice, clinic=clinic, fields={"name": "Bridge Clinic", "kind": ProviderKind.BUPRENORPHINE}
    )
    guidance.referral_create(request=None, actor=alice, patient=patient, provider=provider, reason="Buprenorphine.")
    return patient


def test_the_summary_shows_who_the_patient_is_and_what_is_recorded(alice_client, story):
    page = summary_of(alice_client, story).content.decode()
    assert "Jordan Avery: patient summary" in page
    for text in ["R-0001", "12 Apr 1988", "Alice Moreno"]:
        assert text in page
    # Latest scores with their bands (as the instrument declares them) and dates.
    assert '<th scope="row">COWS</th><td>14</td><td>Moderate</td>' in page
    assert '<th scope="row">SOWS</th><td>20</td>' in page
    # The latest use report's parts as entered, the open plan, the referral, the next follow-up.
    assert "7-Tab Max" in page and "Daily" in page and "Mostly evenings." in page
    assert "Open taper plan: planned" in page and "next review" in page
    assert "Referral to Bridge Clinic: drafted" in page
    follow_up = timezone.localdate() + dt.timedelta(days=5)
    assert f'<time datetime="{follow_up:%Y-%m-%d}">' in page


def test_a_patient_with_nothing_recorded_yet_gets_a_summary_that_says_so(alice_client, patient):
    page = summary_of(alice_client, patient).content.decode()
    for text in ["No use report yet.", "No checklist recorded yet.", "No open taper plan.", "No referral.", "none set"]:
        assert text in page


def test_the_summary_is_audited_as_a_view_of_the_patient(alice_client, alice, patient):
    summary_of(alice_client, patient)
    assert AuditEvent.objects.filter(
        action=Action.VIEW, actor=alice, patient_id=patient.pk, detail="printable summary"
    ).exists()


def test_dave_cannot_print_a_riverside_summary(dave_client, patient):
    assert summary_of(dave_client, patient).status_code == 404


def test_the_patient_page_links_to_the_summary(alice_client, patient):
    page = alice_client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert f'href="{reverse("patients:summary", args=[patient.pk])}">Printable summary</a>' in page


def test_the_summary_costs_the_same_queries_however_long_the_story(
    alice_client, story, alice, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        summary_of(alice_client, story)
    for days in range(3, 13):
        make_visit(story, alice, days_ago=days)
        make_use_report(story, alice, days_ago=days)
        record_assessment(story, alice, code="COWS", total=5, days_ago=days)
    with django_assert_max_num_queries(len(before)):
        summary_of(alice_client, story)
