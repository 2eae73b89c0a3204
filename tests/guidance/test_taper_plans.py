"""Supervised taper plans: written by the clinician, shown as written, review dates flagged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.audit.models import Action, AuditEvent
from clinic.guidance import services
from clinic.guidance.models import ReviewDate, TaperPlan, TaperStatus, TaperStep
from clinic.patients.models import PatientStatus


def make_plan(patient, by, status=TaperStatus.ACTIVE, **extra) -> TaperPlan:
    values = {"start_date": dt.date(2026, 11, 2), "goals": "Stop before the new job starts", "status": status}
    values.update(extra)
    return services.taper_plan_create(request=None, actor=by, patient=patient, **values)


@pytest.fixture
def plan(patient, alice):
    return make_plan(patient, alice)


def plan_data(**overrides) -> dict:
    data = {
        "start_date": "2026-11-02",
        "goals": "Stop before the new job starts",
        "status": "active",
        "outcome_note": "",
    }
    data.update(overrides)
    return data


def test_a_clinician_starts_an_active_plan_and_the_patient_is_now_tapering(alice_client, patient, alice):
    response = alice_client.post(reverse("guidance:taper_create", args=[patient.pk]), plan_data())
    plan = TaperPlan.objects.get(patient=patient)
    assert response.status_code == 302 and response["Location"] == reverse("guidance:taper_detail", args=[plan.pk])
    assert (plan.goals, plan.status, plan.created_by) == ("Stop before the new job starts", "active", alice)
    patient.refresh_from_db()
    assert patient.status == PatientStatus.TAPERING
    assert AuditEvent.objects.filter(action=Action.CREATE, object_id=str(plan.pk), patient_id=patient.pk).exists()


def test_a_planned_taper_leaves_the_patient_active(alice_client, patient):
    alice_client.post(reverse("guidance:taper_create", args=[patient.pk]), plan_data(status="planned"))
    patient.refresh_from_db()
    assert patient.status == PatientStatus.ACTIVE


def test_the_start_form_opens_on_get_with_todays_date(alice_client, patient):
    response = alice_client.get(reverse("guidance:taper_create", args=[patient.pk]))
    assert response.status_code == 200
    assert timezone.localdate().isoformat().encode() in response.content
    assert not TaperPlan.objects.exists()


def test_a_plan_without_goals_is_refused_next_to_the_field(alice_client, patient):
    response = alice_client.post(reverse("guidance:taper_create", args=[patient.pk]), plan_data(goals=""))
    assert response.status_code == 200
    assert b"This field is required" in response.content
    assert not TaperPlan.objects.exists()


def test_stopping_a_plan_needs_a_word_on_how_it_ended(alice_client, plan):
    response = alice_client.post(reverse("guidance:taper_update", args=[plan.pk]), plan_data(status="stopped"))
    assert b"Say how the plan ended" in response.content
    plan.refresh_from_db()
    assert plan.status == TaperStatus.ACTIVE


def test_a_second_open_plan_is_refused(alice_client, plan, patient):
    response = alice_client.post(reverse("guidance:taper_create", args=[patient.pk]), plan_data(status="planned"))
    assert response.status_code == 200
    assert b"already has a planned, active or paused taper plan" in response.content
    assert TaperPlan.objects.count() == 1


def test_stopping_the_plan_records_when_and_the_patient_is_active_again(alice_client, plan, patient):
    response = alice_client.post(
        reverse("guidance:taper_update", args=[plan.pk]),
        plan_data(status="stopped", outcome_note="Returned to daily use"),
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == TaperStatus.STOPPED and plan.outcome_note == "Returned to daily use"
    assert timezone.now() - plan.status_changed_at < dt.timedelta(minutes=1)
    patient.refresh_from_db()
    assert patient.status == PatientStatus.ACTIVE
    assert AuditEvent.objects.filter(
        action=Action.UPDATE, object_id=str(plan.pk), detail__contains="status now stopped"
    ).exists()


def test_an_active_plan_does_not_overrule_a_referral(patient, alice, provider):
    referral = services.referral_create(request=None, actor=alice, patient=patient, provider=provider, reason="r")
    services.referral_move(request=None, actor=alice, referral=referral, to_status="sent")
    make_plan(patient, alice)
    patient.refresh_from_db()
    assert patient.status == PatientStatus.REFERRED


def test_the_edit_form_opens_on_get_with_the_plan(alice_client, plan):
    response = alice_client.get(reverse("guidance:taper_update", args=[plan.pk]))
    assert response.status_code == 200 and b"Stop before the new job starts" in response.content


def test_steps_are_stored_and_shown_exactly_as_written(alice_client, plan, alice):
    words = "Agreed with Dr Lee: keep the morning use, drop the evening one. Recheck on Friday."
    response = alice_client.post(reverse("guidance:step_create", args=[plan.pk]), {"date": "2026-11-09", "text": words})
    assert response.status_code == 302
    step = TaperStep.objects.get(plan=plan)
    assert (step.text, step.date, step.written_by) == (words, dt.date(2026, 11, 9), alice)
    assert words.encode() in alice_client.get(reverse("guidance:taper_detail", args=[plan.pk])).content
    assert words.encode() in alice_client.get(reverse("patients:detail", args=[plan.patient_id])).content


def test_a_step_without_words_is_refused(alice_client, plan):
    response = alice_client.post(reverse("guidance:step_create", args=[plan.pk]), {"date": "2026-11-09", "text": ""})
    assert response.status_code == 200 and b"This field is required" in response.content
    assert not TaperStep.objects.exists()


def test_the_add_step_form_opens_empty_on_get(alice_client, plan):
    response = alice_client.get(reverse("guidance:step_create", args=[plan.pk]))
    assert response.status_code == 200
    assert not TaperStep.objects.exists()


def test_a_step_can_be_corrected(alice_client, plan, alice):
    step = services.taper_step_add(request=None, actor=alice, plan=plan, date=dt.date(2026, 11, 9), text="First words")
    assert alice_client.get(reverse("guidance:step_update", args=[step.pk])).status_code == 200
    response = alice_client.post(
        reverse("guidance:step_update", args=[step.pk]), {"date": "2026-11-10", "text": "Better words"}
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert (step.text, step.date) == ("Better words", dt.date(2026, 11, 10))


def test_a_passed_review_date_is_flagged_until_it_is_marked_held(alice_client, plan, alice):
    today = timezone.localdate()
    past = services.review_date_add(request=None, actor=alice, plan=plan, date=today - dt.timedelta(days=1))
    services.review_date_add(request=None, actor=alice, plan=plan, date=today + dt.timedelta(days=7))
    patient_page = reverse("patients:detail", args=[plan.patient_id])
    assert b"Review date passed." in alice_client.get(patient_page).content
    assert b"Passed, not held" in alice_client.get(reverse("guidance:taper_detail", args=[plan.pk])).content

    confirm = alice_client.get(reverse("guidance:review_done", args=[past.pk]))
    assert confirm.status_code == 200 and b"What will happen" in confirm.content
    past.refresh_from_db()
    assert not past.done  # the GET only asks
    response = alice_client.post(reverse("guidance:review_done", args=[past.pk]), {"confirm": "on"})
    assert response.status_code == 302
    past.refresh_from_db()
    assert past.done and past.done_at is not None
    assert b"Review date passed." not in alice_client.get(patient_page).content


def test_a_review_date_for_today_or_later_is_not_flagged(alice_client, plan, alice):
    services.review_date_add(request=None, actor=alice, plan=plan, date=timezone.localdate())
    assert b"Review date passed." not in alice_client.get(reverse("patients:detail", args=[plan.patient_id])).content


def test_review_dates_are_added_from_the_form_and_a_duplicate_is_refused(alice_client, plan):
    url = reverse("guidance:review_create", args=[plan.pk])
    assert alice_client.get(url).status_code == 200
    assert alice_client.post(url, {"date": "2026-12-01", "note": "Month review"}).status_code == 302
    response = alice_client.post(url, {"date": "2026-12-01", "note": ""})
    assert response.status_code == 200 and b"A review is already set for this date" in response.content
    assert ReviewDate.objects.filter(plan=plan).count() == 1


def test_opening_the_plan_is_audited(alice_client, plan, alice):
    alice_client.get(reverse("guidance:taper_detail", args=[plan.pk]))
    assert AuditEvent.objects.filter(
        action=Action.VIEW, actor=alice, object_id=str(plan.pk), patient_id=plan.patient_id
    ).exists()


def test_the_patient_page_offers_to_start_a_plan_when_there_is_none(alice_client, patient):
    html = alice_client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert reverse("guidance:taper_create", args=[patient.pk]) in html
    assert "No taper plan." in html


def test_a_clinician_of_another_clinic_cannot_reach_or_change_the_plan(dave_client, plan, patient, alice):
    step = services.taper_step_add(request=None, actor=alice, plan=plan, date=dt.date(2026, 11, 9), text="Words")
    review = services.review_date_add(request=None, actor=alice, plan=plan, date=dt.date(2026, 11, 1))
    refused = [
        dave_client.get(reverse("guidance:taper_detail", args=[plan.pk])),
        dave_client.post(
            reverse("guidance:taper_create", args=[patient.pk]), plan_data(status="completed", outcome_note="x")
        ),
        dave_client.post(
            reverse("guidance:taper_update", args=[plan.pk]), plan_data(status="stopped", outcome_note="x")
        ),
        dave_client.post(reverse("guidance:step_create", args=[plan.pk]), {"date": "2026-11-09", "text": "Dave's"}),
        dave_client.post(reverse("guidance:step_update", args=[step.pk]), {"date": "2026-11-09", "text": "Dave's"}),
        dave_client.post(reverse("guidance:review_create", args=[plan.pk]), {"date": "2026-12-09"}),
        dave_client.post(reverse("guidance:review_done", args=[review.pk]), {"confirm": "on"}),
    ]
    assert [r.status_code for r in refused] == [404] * len(refused)
    plan.refresh_from_db()
    step.refresh_from_db()
    review.refresh_from_db()
    assert plan.status == TaperStatus.ACTIVE and TaperPlan.objects.count() == 1
    assert step.text == "Words" and TaperStep.objects.count() == 1
    assert not review.done and ReviewDate.objects.count() == 1


def test_a_clinic_admin_does_not_see_taper_plans(carol_client, plan):
    assert carol_client.get(reverse("guidance:taper_detail", args=[plan.pk])).status_code == 403


def test_a_review_cannot_be_marked_held_before_its_date_without_a_reason(alice_client, plan, alice):
    future = services.review_date_add(
        request=None, actor=alice, plan=plan, date=timezone.localdate() + dt.timedelta(days=5)
    )
    url = reverse("guidance:review_done", args=[future.pk])
    refused = alice_client.post(url, {"confirm": "on", "early_reason": ""})
    assert refused.status_code == 200 and refused.context["form"].errors["early_reason"]
    future.refresh_from_db()
    assert not future.done
    assert (
        alice_client.post(
            url, {"confirm": "on", "early_reason": "Patient came in early, review done then."}
        ).status_code
        == 302
    )
    future.refresh_from_db()
    assert future.done and future.held_early_reason == "Patient came in early, review done then."


def test_a_review_marked_held_by_mistake_is_opened_again_and_the_mistake_stays_in_its_history(
    alice_client, bob_client, dave_client, plan, alice
):
    from clinic.patients.models import Correction

    review = services.review_date_add(
        request=None, actor=alice, plan=plan, date=timezone.localdate() - dt.timedelta(days=1)
    )
    services.review_date_mark_done(request=None, actor=alice, review=review)
    url = reverse("guidance:review_undo", args=[review.pk])
    assert dave_client.post(url, {"reason": "x"}).status_code == 404
    assert bob_client.get(url).status_code == 200
    assert bob_client.post(url, {"reason": ""}).status_code == 200
    review.refresh_from_db()
    assert review.done
    assert bob_client.post(url, {"reason": "Marked on the wrong plan."}).status_code == 302
    review.refresh_from_db()
    assert not review.done and review.done_at is None
    correction = Correction.objects.get(record_kind="review", record_id=review.pk)
    assert correction.reason == "Marked on the wrong plan." and correction.changes[0]["after"] == "not held"
    page = alice_client.get(reverse("guidance:taper_detail", args=[plan.pk])).content.decode()
    assert "Marked on the wrong plan." in page and "Passed, not held" in page
