"""Each guidance card appears exactly when its facts hold, and says why."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.guidance import services
from clinic.guidance.models import TaperStatus
from clinic.guidance.rules import cards_for_patient
from clinic.patients.models import CONCENTRATED_FORMS, Patient, PatientStatus, ProductForm, Visit
from tests.guidance.conftest import record_assessment, record_use


def keys(patient) -> list[str]:
    return [card.key for card in cards_for_patient(patient)]


def card(patient, key):
    return next(c for c in cards_for_patient(patient) if c.key == key)


def opened_days_ago(patient, days: int) -> None:
    Patient.objects.filter(pk=patient.pk).update(created_at=timezone.now() - dt.timedelta(days=days))
    patient.refresh_from_db()


def test_a_new_patient_with_nothing_recorded_has_no_cards(patient):
    assert keys(patient) == []


# --- Depressant co-use ------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["alcohol", "benzodiazepines", "other_opioids", "gabapentinoids"])
def test_any_depressant_on_the_latest_use_report_links_to_harm_reduction(patient, alice, field):
    report = record_use(patient, alice, **{field: "weekly"})
    found = card(patient, "depressant_co_use")
    assert found.page_slug == "harm-reduction"
    assert "raises the risk of overdose" in found.why
    assert f"Use report of {timezone.localtime(report.recorded_at):%-d %b %Y}" in found.facts[0]
    assert ": weekly" in found.facts[0]


@pytest.mark.parametrize("field", ["stimulants", "cannabis"])
def test_stimulants_or_cannabis_alone_are_not_depressant_co_use(patient, alice, field):
    record_use(patient, alice, **{field: "daily"})
    assert "depressant_co_use" not in keys(patient)


def test_only_the_latest_use_report_counts_for_co_use(patient, alice):
    record_use(patient, alice, days_ago=10, alcohol="daily")
    record_use(patient, alice, days_ago=1)
    assert "depressant_co_use" not in keys(patient)


def test_the_co_use_card_quotes_every_depressant_recorded(patient, alice):
    record_use(patient, alice, alcohol="daily", gabapentinoids="occasional")
    fact = card(patient, "depressant_co_use").facts[0]
    assert "alcohol: daily" in fact and "gabapentinoids: less than weekly" in fact
    assert "benzodiazepines" not in fact


# --- Concentrated product ---------------------------------------------------------------------


@pytest.mark.parametrize("form", sorted(CONCENTRATED_FORMS))
def test_a_concentrated_product_links_to_what_7_oh_is(patient, alice, form):
    record_use(patient, alice, product_form=form)
    found = card(patient, "concentrated_product")
    assert found.page_slug == "what-is-7-oh"
    assert ProductForm(form).label.lower() in found.facts[0]


@pytest.mark.parametrize("form", [ProductForm.KRATOM_LEAF, ProductForm.OTHER])
def test_leaf_or_other_products_do_not_call_for_the_concentrated_card(patient, alice, form):
    record_use(patient, alice, product_form=form)
    assert "concentrated_product" not in keys(patient)


def test_only_the_latest_product_form_counts(patient, alice):
    record_use(patient, alice, days_ago=9, product_form="gummy")
    record_use(patient, alice, days_ago=2, product_form="leaf")
    assert "concentrated_product" not in keys(patient)


# --- Buprenorphine referral -------------------------------------------------------------------


@pytest.mark.parametrize("total, shown", [(4, False), (12, False), (13, True), (24, True), (25, True), (40, True)])
def test_a_latest_cows_in_the_moderate_band_or_worse_suggests_a_buprenorphine_referral(patient, alice, total, shown):
    assessment = record_assessment(patient, alice, total=total)
    assert ("buprenorphine_referral" in keys(patient)) is shown
    if shown:
        found = card(patient, "buprenorphine_referral")
        assert found.page_slug == "buprenorphine-referral"
        assert f"Latest COWS: {total} ({assessment.band_label.lower()})" in found.facts[0]
        assert f"{timezone.localtime(assessment.taken_at):%-d %b %Y at %H:%M}" in found.facts[0]


def test_an_open_buprenorphine_referral_stops_the_card_suggesting_one_and_a_declined_one_does_not(
    patient, alice, provider
):
    record_assessment(patient, alice, total=30)
    referral = services.referral_create(request=None, actor=alice, patient=patient, provider=provider, reason="COWS")
    assert "buprenorphine_referral" not in keys(patient)
    services.referral_move(
        request=None,
        actor=alice,
        referral=referral,
        to_status="declined",
        note="Patient said no.",
        declined_by="patient",
    )
    assert "buprenorphine_referral" in keys(patient)


def test_an_earlier_high_cows_does_not_count_once_a_lower_one_is_recorded(patient, alice):
    record_assessment(patient, alice, total=30, days_ago=3)
    record_assessment(patient, alice, total=6, days_ago=1)
    assert "buprenorphine_referral" not in keys(patient)


def test_a_high_patient_rated_sows_does_not_stand_in_for_cows(patient, alice):
    record_assessment(patient, alice, code="SOWS", total=60)
    assert "buprenorphine_referral" not in keys(patient)


def test_a_stopped_taper_suggests_a_buprenorphine_referral_and_says_when(patient, alice):
    plan = services.taper_plan_create(
        request=None,
        actor=alice,
        patient=patient,
        start_date=dt.date(2026, 9, 14),
        goals="Stop",
        status=TaperStatus.ACTIVE,
    )
    assert "buprenorphine_referral" not in keys(patient)
    services.taper_plan_update(
        request=None, actor=alice, plan=plan, fields={"status": TaperStatus.STOPPED, "outcome_note": "Returned to use"}
    )
    plan.refresh_from_db()
    fact = card(patient, "buprenorphine_referral").facts[0]
    assert "taper plan started 14 Sep 2026" in fact
    assert f"{timezone.localtime(plan.status_changed_at):%-d %b %Y}" in fact


def test_a_completed_taper_or_an_older_stopped_one_does_not(patient, alice):
    old = services.taper_plan_create(
        request=None,
        actor=alice,
        patient=patient,
        start_date=dt.date(2026, 6, 1),
        goals="First try",
        status=TaperStatus.STOPPED,
        outcome_note="Too fast",
    )
    assert old.status == TaperStatus.STOPPED and "buprenorphine_referral" in keys(patient)
    services.taper_plan_create(
        request=None,
        actor=alice,
        patient=patient,
        start_date=dt.date(2026, 8, 1),
        goals="Second try",
        status=TaperStatus.COMPLETED,
        outcome_note="Done",
    )
    assert "buprenorphine_referral" not in keys(patient)


def test_moderate_withdrawal_and_a_stopped_taper_make_one_card_quoting_both(patient, alice):
    record_assessment(patient, alice, total=20)
    services.taper_plan_create(
        request=None,
        actor=alice,
        patient=patient,
        start_date=dt.date(2026, 6, 1),
        goals="x",
        status=TaperStatus.STOPPED,
        outcome_note="Too fast",
    )
    assert keys(patient).count("buprenorphine_referral") == 1
    assert len(card(patient, "buprenorphine_referral").facts) == 2


# --- Follow-up --------------------------------------------------------------------------------


def test_no_assessment_for_more_than_seven_days_calls_for_follow_up(patient, alice):
    last = record_assessment(patient, alice, code="SOWS_GOSSOP", total=5, days_ago=8)
    found = card(patient, "follow_up")
    assert found.page_slug == "recognising-withdrawal"
    assert found.facts == (f"Last assessment: SOWS-Gossop, taken {timezone.localtime(last.taken_at):%-d %b %Y}.",)


def test_an_assessment_within_seven_days_means_no_follow_up_card(patient, alice):
    record_assessment(patient, alice, days_ago=6)
    opened_days_ago(patient, 60)
    assert "follow_up" not in keys(patient)


def test_a_record_opened_over_a_week_ago_with_no_assessment_calls_for_follow_up(patient):
    opened_days_ago(patient, 9)
    assert (
        card(patient, "follow_up").facts[0].startswith("No assessment has been recorded since the record was opened on")
    )


def test_a_record_opened_this_week_does_not_yet(patient):
    opened_days_ago(patient, 3)
    assert "follow_up" not in keys(patient)


def test_an_intake_visit_before_the_record_was_typed_in_counts_as_the_opening(patient, alice):
    intake = timezone.now() - dt.timedelta(days=12)
    Visit.objects.create(patient=patient, clinician=alice, occurred_at=intake, kind="intake")
    assert f"opened on {timezone.localtime(intake):%-d %b %Y}" in card(patient, "follow_up").facts[0]


def test_the_follow_up_card_points_at_supervised_tapering_during_an_active_plan(patient, alice):
    opened_days_ago(patient, 30)
    services.taper_plan_create(
        request=None,
        actor=alice,
        patient=patient,
        start_date=dt.date(2026, 11, 1),
        goals="x",
        status=TaperStatus.ACTIVE,
    )
    assert card(patient, "follow_up").page_slug == "supervised-tapering"


def test_a_discharged_patient_is_not_chased_for_follow_up(patient):
    opened_days_ago(patient, 30)
    Patient.objects.filter(pk=patient.pk).update(status=PatientStatus.DISCHARGED)
    patient.refresh_from_db()
    assert "follow_up" not in keys(patient)


# --- On the patient page ----------------------------------------------------------------------


def test_the_cards_show_on_the_patient_page_with_their_reason_and_link(alice_client, patient, alice):
    record_use(patient, alice, product_form="vape", benzodiazepines="daily")
    html = alice_client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert "Guidance for this record" in html
    assert "Shown because the record says:" in html
    assert "benzodiazepines: daily" in html
    assert f'href="{reverse("guidance:page", args=["harm-reduction"])}"' in html
    assert f'href="{reverse("guidance:page", args=["what-is-7-oh"])}"' in html


def test_no_cards_means_no_guidance_heading(alice_client, patient):
    html = alice_client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert "Guidance for this record" not in html


def _page_queries(client, patient) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("patients:detail", args=[patient.pk])).status_code == 200
    return len(queries)


def test_the_patient_page_makes_as_many_queries_for_a_long_record_as_for_a_short_one(
    alice_client, patient, alice, provider
):
    plan = services.taper_plan_create(
        request=None,
        actor=alice,
        patient=patient,
        start_date=dt.date(2026, 11, 1),
        goals="x",
        status=TaperStatus.ACTIVE,
    )

    def add_round(n: int) -> None:
        record_use(patient, alice, days_ago=30 - n, alcohol="daily", product_form="tablet")
        record_assessment(patient, alice, total=20, days_ago=30 - n)
        services.taper_step_add(request=None, actor=alice, plan=plan, date=dt.date(2026, 11, 2 + n), text="As agreed")
        services.review_date_add(request=None, actor=alice, plan=plan, date=dt.date(2026, 11, 2 + n))
        referral = services.referral_create(request=None, actor=alice, patient=patient, provider=provider, reason="r")
        services.referral_move(request=None, actor=alice, referral=referral, to_status="sent")

    add_round(0)
    short = _page_queries(alice_client, patient)
    for n in range(1, 6):
        add_round(n)
    assert _page_queries(alice_client, patient) == short
