"""Each "needs attention" reason appears exactly when its facts hold, and not otherwise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from clinic.guidance import services as guidance
from clinic.guidance.models import ReviewDate, TaperStatus
from clinic.patients.models import NaloxoneRecord
from clinic.selfreport.models import PatientLink
from clinic.selfreport.services import patient_link_issue, patient_link_revoke
from tests.conftest import make_patient
from tests.dashboard.helpers import ago, flagged, listed, record, registered
from tests.patients.factories import make_use_report, make_visit


@pytest.fixture
def two(clinic, alice):
    """Two of Alice's patients, registered a month ago, seen yesterday, naloxone given: no reason yet."""
    yes = make_patient(clinic, "R-YES", name="Yara Yes", assigned_clinician=alice)
    no = make_patient(clinic, "R-NO", name="Nico No", assigned_clinician=alice)
    for patient in (yes, no):
        registered(patient, 30)
        make_visit(patient, alice, days_ago=1)
        NaloxoneRecord.objects.create(patient=patient, event="given", on=timezone.localdate(), recorded_by=alice)
    return yes, no


def test_nobody_needs_attention_when_nothing_is_wrong(bob_client, two):
    assert listed(bob_client, "attention") == {}


def test_latest_cows_moderately_severe_or_severe_needs_attention_and_a_later_milder_one_clears_it(
    bob_client, alice, two
):
    yes, no = two
    record(yes, alice, "COWS", 20, days_ago=3)
    record(yes, alice, "COWS", 37, days_ago=1)  # severe
    record(no, alice, "COWS", 30, days_ago=3)  # moderately severe, then better
    record(no, alice, "COWS", 24, days_ago=1)  # moderate
    assert flagged(bob_client, "attention_cows_severe") == {"R-YES"}
    record(yes, alice, "COWS", 25, days_ago=0.5)  # moderately severe still counts
    assert flagged(bob_client, "attention_cows_severe") == {"R-YES"}


def test_a_cows_that_moved_up_a_band_needs_attention_one_that_stayed_or_fell_does_not(bob_client, clinic, alice, two):
    yes, no = two
    record(yes, alice, "COWS", 12, days_ago=2)  # mild
    record(yes, alice, "COWS", 13, days_ago=1)  # moderate
    record(no, alice, "COWS", 20, days_ago=2)  # moderate
    record(no, alice, "COWS", 24, days_ago=1)  # still moderate, higher total
    same = make_patient(clinic, "R-DOWN", name="Dee Down", assigned_clinician=alice)
    record(same, alice, "COWS", 30, days_ago=2)
    record(same, alice, "COWS", 10, days_ago=1)
    assert flagged(bob_client, "attention_cows_up") == {"R-YES"}
    reasons = listed(bob_client, "attention")["R-YES"]
    assert reasons == {"attention_cows_up"}


def test_a_strong_craving_on_the_latest_sows_needs_attention(bob_client, alice, two):
    yes, no = two
    record(yes, alice, "SOWS", 20, days_ago=1, craving=3)
    record(no, alice, "SOWS", 20, days_ago=2, craving=4)
    record(no, alice, "SOWS", 10, days_ago=1, craving=2)  # the latest answer is what counts
    assert flagged(bob_client, "attention_craving") == {"R-YES"}


def test_depressant_co_use_on_the_latest_use_report_needs_attention(bob_client, alice, two):
    yes, no = two
    make_use_report(yes, alice, days_ago=2)
    make_use_report(yes, alice, days_ago=1, benzodiazepines="most_days")
    make_use_report(no, alice, days_ago=2, alcohol="daily")
    make_use_report(no, alice, days_ago=1, stimulants="daily", cannabis="daily")  # not depressants
    assert flagged(bob_client, "depressant_frequent") == {"R-YES"}


def test_a_follow_up_date_that_passed_with_no_visit_since_needs_attention(bob_client, clinic, alice, two):
    yes, no = two
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    make_visit(yes, alice, days_ago=0.5, next_follow_up=yesterday + dt.timedelta(days=1))  # due today: not yet
    make_visit(no, alice, days_ago=0.2)  # the latest visit sets no date
    assert flagged(bob_client, "attention_follow_up") == set()
    make_visit(yes, alice, days_ago=0.1)  # a newer visit without a date...
    make_visit(yes, alice, days_ago=8, next_follow_up=yesterday)  # ...then an older one: still not the latest
    assert flagged(bob_client, "attention_follow_up") == set()
    late = make_patient(clinic, "R-LATE", name="Lee Late", assigned_clinician=alice)
    make_visit(late, alice, days_ago=9, next_follow_up=yesterday)
    assert flagged(bob_client, "attention_follow_up") == {"R-LATE"}
    make_visit(late, alice, days_ago=0.1, next_follow_up=timezone.localdate() + dt.timedelta(days=7))
    assert flagged(bob_client, "attention_follow_up") == set()


def test_no_visit_and_no_assessment_for_seven_days_is_silent(bob_client, clinic, alice, two):
    quiet = registered(make_patient(clinic, "R-QUIET", name="Quinn Quiet", assigned_clinician=alice), 30)
    make_visit(quiet, alice, days_ago=8)
    registered(make_patient(clinic, "R-NEVER", name="Nev Never", assigned_clinician=alice), 9)
    registered(make_patient(clinic, "R-NEW", name="Nell New", assigned_clinician=alice), 3)  # too new to be silent
    assessed = registered(make_patient(clinic, "R-SOWS", name="Sam Sows", assigned_clinician=alice), 30)
    make_visit(assessed, alice, days_ago=20)
    record(assessed, alice, "SOWS", 10, days_ago=6)  # an assessment is contact too
    assert flagged(bob_client, "attention_silent") == {"R-QUIET", "R-NEVER"}
    make_visit(quiet, alice, days_ago=6.9)
    assert flagged(bob_client, "attention_silent") == {"R-NEVER"}


def _expire(link: PatientLink) -> None:
    PatientLink.objects.filter(pk=link.pk).update(created_at=ago(5), expires_at=ago(2))


def test_a_patient_link_that_expired_unanswered_needs_attention_until_a_newer_link_replaces_it(bob_client, alice, two):
    yes, no = two
    expired, _ = patient_link_issue(request=None, patient=yes, created_by=alice)
    _expire(expired)
    waiting, _ = patient_link_issue(request=None, patient=no, created_by=alice)
    revoked, _ = patient_link_issue(request=None, patient=no, created_by=alice)
    patient_link_revoke(request=None, link=revoked, revoked_by=alice)
    _expire(revoked)  # revoked before it lapsed: not "expired unanswered"
    assert flagged(bob_client, "attention_link_expired") == {"R-YES"}
    patient_link_issue(request=None, patient=yes, created_by=alice)
    assert flagged(bob_client, "attention_link_expired") == set()


def test_an_answered_link_never_counts_as_expired(bob_client, alice, two):
    from tests.selfreport.conftest import confirmed, sows_answers

    yes, _no = two
    link, token = patient_link_issue(request=None, patient=yes, created_by=alice)
    browser = confirmed(token, yes)
    form = browser.get("/p/form/")
    data = {**sows_answers(1), "submission_id": form.context["form"]["submission_id"].value()}
    assert browser.post("/p/form/", data).status_code == 302
    PatientLink.objects.filter(pk=link.pk).update(created_at=ago(3), expires_at=ago(0, hours=1))
    assert flagged(bob_client, "attention_link_expired") == set()


def test_a_taper_review_date_that_passed_without_being_held_needs_attention(bob_client, alice, two):
    yes, no = two
    today = timezone.localdate()
    plan = guidance.taper_plan_create(
        request=None,
        actor=alice,
        patient=yes,
        start_date=today - dt.timedelta(days=20),
        goals="Stop by spring.",
        status=TaperStatus.ACTIVE,
    )
    guidance.review_date_add(request=None, actor=alice, plan=plan, date=today - dt.timedelta(days=1))
    other = guidance.taper_plan_create(
        request=None,
        actor=alice,
        patient=no,
        start_date=today - dt.timedelta(days=20),
        goals="Cut down.",
        status=TaperStatus.ACTIVE,
    )
    held = guidance.review_date_add(request=None, actor=alice, plan=other, date=today - dt.timedelta(days=3))
    guidance.review_date_mark_done(request=None, actor=alice, review=held)
    guidance.review_date_add(request=None, actor=alice, plan=other, date=today)  # due today: not passed
    assert flagged(bob_client, "attention_taper_review") == {"R-YES"}
    guidance.taper_plan_update(
        request=None, actor=alice, plan=plan, fields={"status": TaperStatus.COMPLETED, "outcome_note": "Done."}
    )
    assert flagged(bob_client, "attention_taper_review") == set()
    assert ReviewDate.objects.filter(done=False, date__lt=today).count() == 1  # the fact is still there


def test_each_reason_is_worded_with_the_date_of_the_fact_behind_it(bob_client, alice, two):
    yes, _no = two
    make_use_report(yes, alice, days_ago=3, alcohol="weekly", strength_mg_per_unit=Decimal("10"))
    record(yes, alice, "COWS", 40, days_ago=2)
    response = bob_client.get("/dashboard/patients/", {"metric": "attention"})
    reasons = {reason.key: reason for reason in response.context["rows"][0].reasons}
    assert reasons["attention_cows_severe"].text == "Latest COWS is in the severe band (total 40)."
    assert timezone.localdate(reasons["attention_cows_severe"].at) == timezone.localdate(ago(2))
    assert "alcohol (weekly)" in reasons["depressant_occasional"].text
    assert timezone.localdate(reasons["depressant_occasional"].at) == timezone.localdate(ago(3))
    assert "Latest COWS is in the severe band (total 40)." in response.content.decode()


def test_discharged_patients_never_need_attention(bob_client, alice, two):
    yes, _no = two
    record(yes, alice, "COWS", 40)
    yes.status = "discharged"
    yes.save()
    assert flagged(bob_client, "attention_cows_severe") == set()
