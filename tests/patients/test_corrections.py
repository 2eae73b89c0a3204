"""Amending a record or marking it entered in error: reasons, history, and every reader honouring it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clinic.assessments.instruments import INSTRUMENTS
from clinic.assessments.models import Assessment
from clinic.audit.models import Action, AuditEvent
from clinic.dashboard.models import PatientActivity
from clinic.guidance.models import ReferralEvent
from clinic.patients.correctable import Correctable
from clinic.patients.corrections import KINDS, record_amend, record_mark_in_error
from clinic.patients.models import Correction, NaloxoneRecord, PregnancyAnswer, UseReport, Visit
from clinic.patients.safety import rules_for_patient
from clinic.patients.selectors import patients_for_list
from tests.assessments.factories import assessment
from tests.patients.factories import make_use_report, make_visit

pytestmark = pytest.mark.django_db


def _url(name, record, kind):
    return reverse(f"patients:{name}", args=[record.patient_id, kind, record.pk])


def test_every_correctable_record_type_is_registered_once():
    # A referral move is corrected through its referral (guidance:referral_move_correct).
    correctable = {m for m in apps.get_models() if issubclass(m, Correctable)} - {ReferralEvent}
    assert correctable == {kind.model for kind in KINDS.values()}
    assert {Visit, UseReport, NaloxoneRecord, PregnancyAnswer, Assessment} <= correctable


def test_marking_a_visit_in_error_asks_first_then_keeps_it_marked_with_who_when_why(alice_client, alice, patient):
    visit = make_visit(patient, alice, pulse=80)
    url = _url("record_in_error", visit, "visit")
    page = alice_client.get(url)
    assert page.status_code == 200 and "stops counting everywhere" in page.content.decode()
    assert Visit.objects.filter(pk=visit.pk).exists()  # nothing happened on GET
    refused = alice_client.post(url, {"reason": "  "})
    assert refused.status_code == 200 and refused.context["form"].errors["reason"]
    assert Visit.objects.filter(pk=visit.pk).exists()

    response = alice_client.post(url, {"reason": "Recorded on the wrong patient."})
    assert response.status_code == 302
    assert not Visit.objects.filter(pk=visit.pk).exists()  # counts nowhere
    kept = Visit.every_entry.get(pk=visit.pk)
    assert kept.pulse == 80 and kept.is_in_error  # nothing deleted
    correction = Correction.objects.get()
    assert (correction.action, correction.by, correction.reason) == (
        "entered_in_error",
        alice,
        "Recorded on the wrong patient.",
    )
    event = AuditEvent.objects.get(action=Action.UPDATE, object_type="patients.visit")
    assert event.detail == "marked entered in error" and "wrong patient" not in event.detail

    timeline = alice_client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert "Visit, entered in error" in timeline and "Recorded on the wrong patient." in timeline


def test_an_outsider_cannot_correct_and_get_only_confirms(dave_client, alice_client, alice, patient):
    visit = make_visit(patient, alice)
    for name in ("record_in_error", "record_amend", "record_history"):
        assert dave_client.get(_url(name, visit, "visit")).status_code == 404
    assert dave_client.post(_url("record_in_error", visit, "visit"), {"reason": "x"}).status_code == 404
    assert alice_client.delete(_url("record_in_error", visit, "visit")).status_code == 405
    assert (
        alice_client.get(reverse("patients:record_in_error", args=[patient.pk, "nothing", visit.pk])).status_code == 404
    )
    assert not Correction.objects.exists()


def test_a_visit_in_error_is_not_the_latest_on_the_dashboard_nor_in_the_list(alice, patient):
    older = make_visit(patient, alice, days_ago=5, next_follow_up=timezone.localdate() + dt.timedelta(days=3))
    newer = make_visit(patient, alice, days_ago=1, next_follow_up=timezone.localdate() + dt.timedelta(days=9))
    record_mark_in_error(request=None, actor=alice, record=newer, reason="Wrong patient.")
    activity = PatientActivity.objects.get(patient=patient)
    assert activity.last_visit_at == older.occurred_at
    assert activity.follow_up_due == older.next_follow_up
    listed = patients_for_list(alice).get(pk=patient.pk)
    assert listed.last_contact == older.occurred_at


def test_a_use_report_in_error_stops_raising_safety_reasons_and_is_not_latest(alice, patient):
    clean = make_use_report(patient, alice, days_ago=3)
    wrong = make_use_report(patient, alice, days_ago=1, past_overdose=True)
    assert "past_overdose" in {s.rule.key for s in rules_for_patient(patient)}
    assert PatientActivity.objects.get(patient=patient).latest_use_report_id == wrong.pk
    record_mark_in_error(request=None, actor=alice, record=wrong, reason="Another patient's answers.")
    assert "past_overdose" not in {s.rule.key for s in rules_for_patient(patient)}
    assert PatientActivity.objects.get(patient=patient).latest_use_report_id == clean.pk
    assert patient.use_reports.first() == clean


def test_an_assessment_in_error_leaves_the_summary_trends_and_export(alice, alice_client, patient):
    cows = INSTRUMENTS["COWS"]
    now = timezone.now()
    first, second = Assessment.objects.bulk_create(
        [
            assessment(patient, cows, now - dt.timedelta(days=2), 4, entered_by=alice),
            assessment(patient, cows, now - dt.timedelta(days=1), 30, entered_by=alice),
        ]
    )
    from clinic.assessments.services import summary_refresh

    summary_refresh(patient=patient)
    record_mark_in_error(request=None, actor=alice, record=second, reason="Scored the wrong sheet.")
    patient.refresh_from_db()
    summary = patient.assessment_summary
    assert summary.latest_cows_total == 4 and summary.previous_cows_total is None
    assert not summary.cows_band_went_up
    csv = alice_client.get(reverse("assessments:export", args=[patient.pk])).content.decode()
    assert csv.count("\n") == 2  # the header and the one assessment that counts
    trends = alice_client.get(reverse("assessments:trends", args=[patient.pk]))
    assert trends.status_code == 200


def test_a_patients_own_submission_can_be_marked_in_error_but_never_amended(alice, alice_client, patient):
    sows = INSTRUMENTS["SOWS"]
    submitted = assessment(patient, sows, timezone.now() - dt.timedelta(hours=2), 20)
    submitted.completed_by = "patient"
    submitted.save()
    page = alice_client.get(_url("record_amend", submitted, "assessment"))
    assert page.status_code == 200 and "never change a patient's own answers" in page.content.decode()
    with pytest.raises(ValidationError):
        record_amend(request=None, actor=alice, record=submitted, fields={}, reason="Looks wrong.")
    response = alice_client.post(_url("record_in_error", submitted, "assessment"), {"reason": "Filled in by a friend."})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.is_in_error and submitted.total == 20


def test_an_amended_use_report_counts_as_amended_and_keeps_the_original_readable(alice, bob_client, patient):
    report = make_use_report(patient, alice, days_ago=1, alcohol="none")
    url = _url("record_amend", report, "use-report")
    form = bob_client.get(url)
    assert form.status_code == 200
    data = {
        k: v
        for k, v in form.context["form"].initial.items()
        if v is not None and not isinstance(v, list | dt.datetime | bool)
    }
    data.update(
        recorded_at=timezone.localtime(report.recorded_at).strftime("%Y-%m-%dT%H:%M"),
        alcohol="daily",
        reason="Patient corrected the alcohol answer.",
    )
    response = bob_client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    report.refresh_from_db()
    assert report.alcohol == "daily" and not report.is_in_error
    assert "depressant_frequent" in {s.rule.key for s in rules_for_patient(patient)}  # the amended value counts
    correction = Correction.objects.get(action="amended")
    assert {"field": "alcohol", "label": "Alcohol", "before": "None", "after": "Daily"} in correction.changes

    history = bob_client.get(_url("record_history", report, "use-report"))
    assert "Patient corrected the alcohol answer." in history.content.decode()
    assert AuditEvent.objects.filter(action=Action.VIEW, detail="use-report correction history").count() == 1
    page = bob_client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert "amended" in page and "Patient corrected the alcohol answer." in page


def test_naloxone_and_pregnancy_in_error_stop_counting_for_safety(alice, patient):
    today = timezone.localdate()
    kit = NaloxoneRecord.objects.create(patient=patient, event="given", on=today, recorded_by=alice)
    answer = PregnancyAnswer.objects.create(patient=patient, status="pregnant", asked_on=today, recorded_by=alice)
    make_use_report(patient, alice, other_opioids="daily")
    before = {s.rule.key for s in rules_for_patient(patient)}
    assert "pregnancy" in before and "naloxone_none" not in before
    record_mark_in_error(request=None, actor=alice, record=kit, reason="Kit was for another patient.")
    record_mark_in_error(request=None, actor=alice, record=answer, reason="Wrong box ticked.")
    after = {s.rule.key for s in rules_for_patient(patient)}
    assert "pregnancy" not in after and "naloxone_none" in after


def test_a_record_cannot_be_marked_in_error_twice_nor_without_a_reason(alice, patient):
    visit = make_visit(patient, alice)
    with pytest.raises(ValidationError):
        record_mark_in_error(request=None, actor=alice, record=visit, reason="")
    record_mark_in_error(request=None, actor=alice, record=visit, reason="Duplicate.")
    with pytest.raises(ValidationError):
        record_mark_in_error(request=None, actor=alice, record=visit, reason="Again.")
    assert Correction.objects.count() == 1
