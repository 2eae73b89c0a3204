"""Each rule of issue 13's table: a case where it fires, and one where it does not."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.guidance import services as guidance
from clinic.guidance.models import TaperStatus
from clinic.patients import safety
from clinic.patients.models import NaloxoneRecord, PatientStatus, PregnancyAnswer
from tests.patients.factories import make_use_report, make_visit
from tests.test_safety_line import DOSE_WORDS


def shown(patient) -> dict[str, safety.Shown]:
    return {s.key: s for s in safety.rules_for_patient(patient)}


def keys(patient) -> set[str]:
    return set(shown(patient))


def _months_ago(months: int) -> dt.date:
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


# --- Breathing and sedation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "vitals",
    [{"respiratory_rate": 8}, {"oxygen_saturation": 88}, {"sedation": "3"}, {"sedation": "4"}],
)
def test_breathing_or_sedation_at_the_urgent_threshold_is_urgent(patient, alice, vitals):
    visit = make_visit(patient, alice, **vitals)
    reasons = shown(patient)
    assert "breathing_urgent" in reasons and "breathing_discuss" not in reasons
    assert reasons["breathing_urgent"].rule.level == "urgent"
    assert reasons["breathing_urgent"].at == visit.occurred_at
    assert next(iter(reasons.values())).key == "breathing_urgent"  # urgent first


@pytest.mark.parametrize(
    "vitals", [{"respiratory_rate": 10}, {"respiratory_rate": 11}, {"oxygen_saturation": 93}, {"sedation": "2"}]
)
def test_breathing_or_sedation_at_the_discuss_threshold_is_to_discuss(patient, alice, vitals):
    make_visit(patient, alice, **vitals)
    assert {"breathing_discuss"} <= keys(patient) and "breathing_urgent" not in keys(patient)


@pytest.mark.parametrize(
    "vitals", [{"respiratory_rate": 12}, {"oxygen_saturation": 94}, {"sedation": "1"}, {"sedation": "S"}, {}]
)
def test_breathing_and_sedation_within_range_raise_nothing(patient, alice, vitals):
    make_visit(patient, alice, **vitals)
    assert not {"breathing_urgent", "breathing_discuss"} & keys(patient)


def test_only_the_latest_visit_counts_for_breathing(patient, alice):
    make_visit(patient, alice, days_ago=3, respiratory_rate=8)
    make_visit(patient, alice, days_ago=1, respiratory_rate=16)
    assert "breathing_urgent" not in keys(patient)


def test_the_breathing_thresholds_can_be_changed_in_settings(patient, alice, settings):
    make_visit(patient, alice, respiratory_rate=11)
    settings.SAFETY_THRESHOLDS = {**settings.SAFETY_THRESHOLDS, "respiratory_rate_urgent_below": 12}
    assert "breathing_urgent" in keys(patient)


def test_the_breathing_reason_quotes_the_values_as_recorded(patient, alice):
    make_visit(patient, alice, respiratory_rate=8, oxygen_saturation=88, sedation="3")
    text = shown(patient)["breathing_urgent"].text
    assert "respiratory rate 8/min" in text and "SpO₂ 88%" in text and "POSS 3" in text


# --- Depressants, withdrawal, other opioids ---------------------------------------------------------


@pytest.mark.parametrize("substance", ["alcohol", "benzodiazepines", "gabapentinoids", "other_sedatives"])
@pytest.mark.parametrize("how_often", ["daily", "most_days"])
def test_a_depressant_daily_or_several_days_a_week_is_urgent(patient, alice, substance, how_often):
    make_use_report(patient, alice, **{substance: how_often})
    assert "depressant_frequent" in keys(patient) and "depressant_occasional" not in keys(patient)


@pytest.mark.parametrize("how_often", ["weekly", "occasional"])
def test_a_depressant_weekly_or_less_is_to_discuss_not_urgent(patient, alice, how_often):
    make_use_report(patient, alice, alcohol=how_often)
    assert "depressant_occasional" in keys(patient) and "depressant_frequent" not in keys(patient)


def test_no_depressant_raises_no_depressant_reason(patient, alice):
    make_use_report(patient, alice, stimulants="daily", cannabis="daily", other_opioids="daily")
    assert not {"depressant_frequent", "depressant_occasional"} & keys(patient)


@pytest.mark.parametrize("substance", ["alcohol", "benzodiazepines"])
def test_daily_alcohol_or_benzodiazepines_raise_the_withdrawal_card(patient, alice, substance):
    make_use_report(patient, alice, **{substance: "most_days"})
    reason = shown(patient)["alcohol_benzodiazepine_withdrawal"]
    assert reason.rule.level == "discuss"
    advice = reason.rule.advice
    assert "seizures or delirium" in advice and "CIWA-Ar" in advice and "Never stop benzodiazepines abruptly" in advice


def test_weekly_alcohol_or_daily_gabapentinoids_raise_no_withdrawal_card(patient, alice):
    make_use_report(patient, alice, alcohol="weekly", gabapentinoids="daily")
    assert "alcohol_benzodiazepine_withdrawal" not in keys(patient)


@pytest.mark.parametrize("how_often", ["occasional", "weekly", "most_days", "daily"])
def test_fentanyl_or_other_opioids_at_any_frequency_have_their_own_reason(patient, alice, how_often):
    make_use_report(patient, alice, other_opioids=how_often)
    reasons = shown(patient)
    assert "fentanyl_other_opioids" in reasons and "depressant_frequent" not in reasons
    assert "precipitate withdrawal" in reasons["fentanyl_other_opioids"].rule.advice
    assert "prescriber's decision" in reasons["fentanyl_other_opioids"].rule.advice


def test_no_other_opioids_raise_no_fentanyl_reason(patient, alice):
    make_use_report(patient, alice)
    assert "fentanyl_other_opioids" not in keys(patient)


# --- Overdose -----------------------------------------------------------------------------------------


def test_an_overdose_in_the_last_12_months_is_urgent_with_its_month(patient, alice):
    month = _months_ago(2)
    make_use_report(patient, alice, past_overdose=True, last_overdose_on=month)
    reasons = shown(patient)
    assert "overdose_recent" in reasons and "past_overdose" not in reasons
    assert month.strftime("%B %Y") in reasons["overdose_recent"].text


def test_an_older_or_undated_overdose_is_to_discuss(patient, alice):
    make_use_report(patient, alice, past_overdose=True, last_overdose_on=_months_ago(13))
    assert "past_overdose" in keys(patient) and "overdose_recent" not in keys(patient)
    make_use_report(patient, alice, days_ago=0.5, past_overdose=True)
    assert "past_overdose" in keys(patient) and "month and year not recorded" in shown(patient)["past_overdose"].text


def test_no_overdose_raises_no_overdose_reason(patient, alice):
    make_use_report(patient, alice)
    assert not {"overdose_recent", "past_overdose"} & keys(patient)


def test_the_overdose_month_is_kept_as_entered_on_the_form(alice_client, patient):
    from tests.patients.routes import _use_report_data

    data = {**_use_report_data(None), "past_overdose": "on", "last_overdose_on": "2025-03"}
    response = alice_client.post(reverse("patients:use_report_create", args=[patient.pk]), data)
    assert response.status_code == 302
    assert patient.use_reports.get().last_overdose_on == dt.date(2025, 3, 1)


# --- Pregnancy ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["pregnant", "possibly"])
def test_pregnant_or_possibly_pregnant_is_to_discuss_with_the_date_asked(patient, alice, status):
    asked = timezone.localdate() - dt.timedelta(days=3)
    PregnancyAnswer.objects.create(patient=patient, status=status, asked_on=asked, recorded_by=alice)
    reason = shown(patient)["pregnancy"]
    assert reason.at == asked and reason.rule.level == "discuss"
    assert "buprenorphine or methadone" in reason.rule.advice and "obstetric" in reason.rule.advice


@pytest.mark.parametrize("status", ["not_pregnant", "not_applicable", "not_asked"])
def test_other_pregnancy_answers_raise_nothing(patient, alice, status):
    PregnancyAnswer.objects.create(patient=patient, status="pregnant", asked_on=dt.date(2025, 1, 1), recorded_by=alice)
    PregnancyAnswer.objects.create(patient=patient, status=status, asked_on=timezone.localdate(), recorded_by=alice)
    assert "pregnancy" not in keys(patient)


def test_pregnancy_is_recorded_with_the_date_asked(alice_client, patient):
    url = reverse("patients:pregnancy_create", args=[patient.pk])
    response = alice_client.post(url, {"status": "possibly", "asked_on": timezone.localdate().isoformat()})
    assert response.status_code == 302 and "pregnancy" in keys(patient)
    assert alice_client.post(url, {"status": "possibly"}).status_code == 200  # the date is required


# --- Naloxone ---------------------------------------------------------------------------------------


def test_no_naloxone_in_12_months_is_to_discuss_and_names_what_makes_it_more_urgent(patient, alice):
    make_use_report(patient, alice, alcohol="daily", other_opioids="weekly", past_overdose=True)
    text = shown(patient)["naloxone_none"].text
    assert "co-use with depressants" in text and "fentanyl or other opioids" in text and "a past overdose" in text


def test_naloxone_recorded_in_12_months_clears_the_reason_and_used_does_not(patient, alice):
    NaloxoneRecord.objects.create(patient=patient, event="used", on=timezone.localdate(), recorded_by=alice)
    assert "naloxone_none" in keys(patient)
    NaloxoneRecord.objects.create(patient=patient, event="given", on=timezone.localdate(), recorded_by=alice)
    assert "naloxone_none" not in keys(patient)


def test_naloxone_older_than_12_months_does_not_count(patient, alice):
    NaloxoneRecord.objects.create(patient=patient, event="given", on=_months_ago(13), recorded_by=alice)
    assert "naloxone_none" in keys(patient)


def test_naloxone_is_recorded_from_the_patient_page(alice_client, patient):
    url = reverse("patients:naloxone_create", args=[patient.pk])
    assert url in alice_client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    response = alice_client.post(url, {"event": "prescribed", "on": timezone.localdate().isoformat()})
    assert response.status_code == 302 and "naloxone_none" not in keys(patient)


# --- Lost tolerance ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [TaperStatus.COMPLETED, TaperStatus.STOPPED])
def test_a_taper_plan_completed_or_stopped_raises_lost_tolerance(patient, alice, status):
    guidance.taper_plan_create(
        request=None, actor=alice, patient=patient, start_date=timezone.localdate(), goals="g", status=status
    )
    reason = shown(patient)["lost_tolerance"]
    assert "a usual amount can cause an overdose" in reason.rule.advice and "naloxone" in reason.rule.advice
    assert "lost tolerance" in shown(patient)["naloxone_none"].text


def test_discharge_raises_lost_tolerance(patient):
    type(patient).objects.filter(pk=patient.pk).update(status=PatientStatus.DISCHARGED)
    assert "lost_tolerance" in keys(patient)


def test_an_active_taper_plan_raises_no_lost_tolerance(patient, alice):
    guidance.taper_plan_create(
        request=None, actor=alice, patient=patient, start_date=timezone.localdate(), goals="g", status="active"
    )
    assert "lost_tolerance" not in keys(patient)


# --- Wording ------------------------------------------------------------------------------------------

TREAT_AT_A_SCORE = re.compile(r"\b(medicate|treat|give|start)\w*\b[^.]*\b(score|total) of\b|\bat a score\b", re.I)


# Named on purpose: the strategy's name (issue 13, item 6) and the lost-tolerance warning.
NAMES_NOT_AMOUNTS = ("Low-dose (“micro”) induction", "a usual amount")


def test_no_rule_names_an_amount_a_dose_or_a_medicate_at_score_sentence():
    for rule in safety.rules():
        for text in (rule.title, rule.advice, rule.threshold):
            for name in NAMES_NOT_AMOUNTS:
                text = text.replace(name, "")
            assert not DOSE_WORDS.search(text), (rule.key, text)
            assert not TREAT_AT_A_SCORE.search(text), (rule.key, text)


def test_every_rule_has_a_source_and_a_level():
    for rule in safety.rules():
        assert rule.source and rule.level in {"urgent", "discuss", "information"}
