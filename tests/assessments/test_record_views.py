"""Recording COWS, and entering SOWS / SOWS-Gossop for the patient, through the form."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.assessments.forms import AssessmentForm
from clinic.assessments.instruments import COWS, INSTRUMENTS, SOWS, SOWS_GOSSOP
from clinic.assessments.models import Assessment
from clinic.audit.models import AuditEvent
from clinic.patients.models import Visit
from tests.assessments.factories import answers_with_total, form_data, highest, lowest
from tests.conftest import make_patient

SLUGS = {"COWS": "cows", "SOWS": "sows", "SOWS_GOSSOP": "sows-gossop", "CIWA_AR": "ciwa-ar"}
EVERY_INSTRUMENT = list(INSTRUMENTS.values())


def record_url(patient, instrument=COWS) -> str:
    return reverse("assessments:record", kwargs={"pk": patient.pk, "instrument": SLUGS[instrument.code]})


def trends_url(patient) -> str:
    return reverse("assessments:trends", kwargs={"pk": patient.pk})


def item_group(html: str, key: str) -> str:
    """The HTML of one item's fieldset, so a message can be checked to sit next to its item."""
    match = re.search(rf'<fieldset[^>]*id="id_item_{key}_group".*?</fieldset>', html, re.S)
    assert match, f"no fieldset for {key}"
    return match.group(0)


# --- The form shows the declaration ------------------------------------------------------------


def test_the_cows_form_has_one_radio_group_per_item_with_every_legal_value_and_its_meaning(alice_client, patient):
    response = alice_client.get(record_url(patient))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('<fieldset class="assessment-item') == len(COWS.items)
    for item in COWS.items:
        group = item_group(html, item.key)
        assert "<legend" in group and f"{item.number}. {item.prompt}" in group
        assert group.count('type="radio"') == len(item.choices)
        assert group.count(" required") == len(item.choices)
        for choice in item.choices:
            assert f'value="{choice.value}"' in group
            assert f"{choice.value} — {choice.label}" in group
    # Gooseflesh offers 0, 3 and 5 and nothing else.
    assert re.findall(r'value="(\d+)"', item_group(html, "gooseflesh")) == ["0", "3", "5"]


def test_each_form_shown_carries_a_fresh_submission_id_and_defaults_to_now(alice_client, patient):
    first = alice_client.get(record_url(patient)).content.decode()
    second = alice_client.get(record_url(patient)).content.decode()
    ids = [re.search(r'name="submission_id" value="([0-9a-f-]+)"', page).group(1) for page in (first, second)]
    assert ids[0] != ids[1] and all(uuid.UUID(i) for i in ids)
    assert timezone.localtime().strftime("%Y-%m-%dT") in first


def test_showing_the_form_is_audited_as_a_view_of_the_patient(alice_client, alice, patient):
    alice_client.get(record_url(patient))
    assert AuditEvent.objects.filter(actor=alice, action="view", patient_id=patient.pk, detail="COWS form").exists()


def test_the_sows_form_says_the_patients_own_answers_are_being_entered(alice_client, patient):
    html = alice_client.get(record_url(patient, SOWS)).content.decode()
    assert "own answers" in html
    assert html.count('<fieldset class="assessment-item') == 16
    assert "cannot be compared with SOWS-Gossop" in html


def test_the_gossop_form_has_ten_items_and_says_it_is_not_the_sows(alice_client, patient):
    html = alice_client.get(record_url(patient, SOWS_GOSSOP)).content.decode()
    assert html.count('<fieldset class="assessment-item') == 10 and "own answers" in html
    assert "cannot be compared with SOWS totals" in html


def test_an_unknown_instrument_is_not_found(alice_client, patient):
    for slug in ("phq9", "COWS", "sows_gossop"):
        assert (
            alice_client.get(reverse("assessments:record", kwargs={"pk": patient.pk, "instrument": slug})).status_code
            == 404
        )


# --- Every legal value accepted, illegal values refused ----------------------------------------


@pytest.mark.parametrize(
    "instrument,key,value",
    [(i, item.key, v) for i in EVERY_INSTRUMENT for item in i.items for v in item.legal_values],
    ids=lambda x: getattr(x, "code", x),
)
def test_every_legal_value_of_every_item_is_accepted_by_the_form(patient, instrument, key, value):
    answers = lowest(instrument) | {key: value}
    form = AssessmentForm(form_data(instrument, answers), instrument=instrument, patient=patient)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["answers"][key] == value
    assert form.cleaned_data["total"] == sum(answers.values())


@pytest.mark.parametrize(
    "instrument,key",
    [(i, item.key) for i in EVERY_INSTRUMENT for item in i.items],
    ids=lambda x: getattr(x, "code", x),
)
def test_a_value_past_the_top_is_refused_on_every_item_with_a_message_next_to_it_and_nothing_saved(
    alice_client, patient, instrument, key
):
    # Six for the opioid scales (none reaches it on every item); one past the top for the CIWA-Ar.
    legal = instrument.item(key).legal_values
    data = form_data(instrument, lowest(instrument) | {key: 6 if 6 not in legal else max(legal) + 1})
    response = alice_client.post(record_url(patient, instrument), data)
    assert response.status_code == 200
    allowed = ", ".join(str(v) for v in instrument.item(key).legal_values)
    assert f"Choose one of the allowed answers: {allowed}." in item_group(response.content.decode(), key)
    assert Assessment.objects.count() == 0


@pytest.mark.parametrize(
    "key,value",
    [(item.key, v) for item in COWS.items for v in range(0, 6) if v not in item.legal_values],
)
def test_cows_refuses_every_value_its_items_skip(patient, key, value):
    form = AssessmentForm(form_data(COWS, lowest(COWS) | {key: value}), instrument=COWS, patient=patient)
    assert not form.is_valid()
    assert list(form.errors) == [f"item_{key}"]


def test_gooseflesh_four_is_refused_next_to_gooseflesh_and_the_other_answers_are_kept(alice_client, patient):
    answers = lowest(COWS) | {"gooseflesh": 4, "sweating": 3}
    response = alice_client.post(record_url(patient), form_data(COWS, answers))
    html = response.content.decode()
    assert "Choose one of the allowed answers: 0, 3, 5." in item_group(html, "gooseflesh")
    assert "Choose one of the allowed answers" not in item_group(html, "sweating")
    assert re.search(r'value="3"\s+checked', item_group(html, "sweating"))
    assert "Nothing was saved" in html and Assessment.objects.count() == 0


@pytest.mark.parametrize("bad", ["", "abc", "-1", "1.0", "true", " 2x"])
def test_blank_or_non_numeric_answers_are_refused(patient, bad):
    form = AssessmentForm(form_data(COWS, lowest(COWS) | {"tremor": bad}), instrument=COWS, patient=patient)
    assert not form.is_valid() and "item_tremor" in form.errors


def test_a_missing_answer_is_named_next_to_its_item(alice_client, patient):
    data = form_data(COWS, lowest(COWS))
    del data["item_yawning"]
    html = alice_client.post(record_url(patient), data).content.decode()
    assert "Choose an answer for this question." in item_group(html, "yawning")
    assert Assessment.objects.count() == 0


def test_an_empty_post_names_every_item_and_saves_nothing(alice_client, patient):
    html = alice_client.post(record_url(patient), {}).content.decode()
    for item in COWS.items:
        assert "Choose an answer for this question." in item_group(html, item.key)
    assert Assessment.objects.count() == 0


def test_a_time_in_the_future_is_refused(alice_client, patient):
    later = timezone.localtime() + dt.timedelta(hours=2)
    data = form_data(COWS, lowest(COWS), taken_at=later.strftime("%Y-%m-%dT%H:%M"))
    html = alice_client.post(record_url(patient), data).content.decode()
    assert "This time is in the future" in html
    assert Assessment.objects.count() == 0


def test_only_this_patients_visits_can_be_linked(alice_client, alice, clinic, patient):
    other = make_patient(clinic, record_number="R-0002", name="Other Person")
    theirs = Visit.objects.create(patient=other, clinician=alice, occurred_at=timezone.now(), kind="follow_up")
    mine = Visit.objects.create(patient=patient, clinician=alice, occurred_at=timezone.now(), kind="follow_up")
    html = alice_client.post(record_url(patient), form_data(COWS, lowest(COWS), visit=theirs.pk)).content.decode()
    assert "Select a valid choice" in html and Assessment.objects.count() == 0
    response = alice_client.post(record_url(patient), form_data(COWS, lowest(COWS), visit=mine.pk))
    assert response.status_code == 302
    assert Assessment.objects.get().visit == mine


def test_the_form_offers_only_this_patients_visits(alice_client, alice, clinic, patient):
    other = make_patient(clinic, record_number="R-0002", name="Other Person")
    theirs = Visit.objects.create(patient=other, clinician=alice, occurred_at=timezone.now(), kind="phone")
    mine = Visit.objects.create(patient=patient, clinician=alice, occurred_at=timezone.now(), kind="urgent")
    html = alice_client.get(record_url(patient)).content.decode()
    assert f'value="{mine.pk}"' in html and "Urgent visit" in html
    assert f'<option value="{theirs.pk}"' not in html and "Phone visit" not in html


# --- Saving: totals, bands, who, once ----------------------------------------------------------


def test_a_recorded_cows_is_scored_by_the_server_and_shown_on_the_trend_page(alice_client, alice, patient):
    answers = answers_with_total(COWS, 13)
    response = alice_client.post(record_url(patient), form_data(COWS, answers), follow=True)
    assert response.redirect_chain == [(trends_url(patient), 302)]
    a = Assessment.objects.get()
    assert (a.total, a.band, a.completed_by, a.entered_by) == (13, "moderate", "clinician", alice)
    assert a.answers == answers
    html = response.content.decode()
    assert "Saved. COWS total 13, moderate." in html
    assert "Latest COWS: total <strong>13</strong> of 48, <strong>moderate</strong>" in html


def test_the_total_posted_by_a_client_is_ignored(alice_client, patient):
    alice_client.post(record_url(patient), form_data(COWS, lowest(COWS), total="48", band="severe"))
    assert Assessment.objects.get().total == 0 and Assessment.objects.get().band == ""


@pytest.mark.parametrize(
    "total,band,shown",
    [
        (0, "", "below the mild band"),
        (4, "", "below the mild band"),
        (5, "mild", "mild"),
        (12, "mild", "mild"),
        (13, "moderate", "moderate"),
        (24, "moderate", "moderate"),
        (25, "moderately_severe", "moderately severe"),
        (36, "moderately_severe", "moderately severe"),
        (37, "severe", "severe"),
        (48, "severe", "severe"),
    ],
)
def test_cows_band_boundaries_through_the_view(alice_client, patient, total, band, shown):
    response = alice_client.post(record_url(patient), form_data(COWS, answers_with_total(COWS, total)), follow=True)
    a = Assessment.objects.get()
    assert (a.total, a.band) == (total, band)
    assert f"Saved. COWS total {total}, {shown}." in response.content.decode()


@pytest.mark.parametrize("instrument", EVERY_INSTRUMENT, ids=lambda i: i.code)
def test_minimum_and_maximum_totals_through_the_view(alice_client, patient, instrument):
    for answers in (lowest(instrument), highest(instrument)):
        assert alice_client.post(record_url(patient, instrument), form_data(instrument, answers)).status_code == 302
    assert sorted(Assessment.objects.values_list("total", flat=True)) == [instrument.min_total, instrument.max_total]


@pytest.mark.parametrize("instrument", [SOWS, SOWS_GOSSOP], ids=lambda i: i.code)
def test_a_sows_entered_by_a_clinician_is_the_patients_answers_and_has_no_band(
    alice_client, alice, patient, instrument
):
    response = alice_client.post(
        record_url(patient, instrument), form_data(instrument, highest(instrument)), follow=True
    )
    a = Assessment.objects.get()
    assert (a.completed_by, a.entered_by, a.band) == ("patient", alice, "")
    html = response.content.decode()
    assert f"Saved. {instrument.short_name} total {instrument.max_total}." in html
    for band in ("mild", "moderate", "severe"):
        assert band not in html.lower()


def test_a_double_tapped_post_records_once_and_both_land_on_the_same_result(alice_client, patient):
    data = form_data(COWS, answers_with_total(COWS, 20))
    first = alice_client.post(record_url(patient), data)
    second = alice_client.post(record_url(patient), data, follow=True)
    assert first.status_code == 302 and first["Location"] == trends_url(patient)
    assert second.redirect_chain == [(trends_url(patient), 302)]
    assert Assessment.objects.count() == 1
    assert "This was already saved. COWS total 20, moderate." in second.content.decode()
    assert AuditEvent.objects.filter(action="create", object_type="assessments.assessment").count() == 1


def submission_id_in(html: str) -> str:
    return re.search(r'name="submission_id" value="([^"]*)"', html).group(1)


def test_a_submission_id_already_used_for_another_patient_is_refused_then_a_retry_saves(alice_client, clinic, patient):
    other = make_patient(clinic, record_number="R-0002", name="Other Person")
    data = form_data(COWS, lowest(COWS))
    alice_client.post(record_url(other), data)
    html = alice_client.post(record_url(patient), data).content.decode()
    assert "already used for another record" in html
    assert Assessment.objects.filter(patient=patient).count() == 0
    fresh = submission_id_in(html)
    assert fresh != data["submission_id"]
    assert alice_client.post(record_url(patient), data | {"submission_id": fresh}).status_code == 302
    assert Assessment.objects.filter(patient=patient).count() == 1


def test_a_tampered_submission_id_is_refused_and_replaced(alice_client, patient):
    html = alice_client.post(
        record_url(patient), form_data(COWS, lowest(COWS), submission_id="not-a-uuid")
    ).content.decode()
    assert "could not be matched to a submission" in html and Assessment.objects.count() == 0
    assert uuid.UUID(submission_id_in(html))


def test_a_refused_post_keeps_its_submission_id_so_the_retry_is_still_one_record(alice_client, patient):
    data = form_data(COWS, lowest(COWS))
    del data["item_tremor"]
    html = alice_client.post(record_url(patient), data).content.decode()
    assert submission_id_in(html) == data["submission_id"]


# --- Who may record ----------------------------------------------------------------------------


def test_the_supervisor_may_record_too(bob_client, bob, patient):
    assert bob_client.post(record_url(patient), form_data(COWS, lowest(COWS))).status_code == 302
    assert Assessment.objects.get().entered_by == bob


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_outsider_gets_not_found_and_nothing_is_saved(dave_client, patient, method):
    response = getattr(dave_client, method)(record_url(patient), form_data(COWS, lowest(COWS)))
    assert response.status_code == 404
    assert Assessment.objects.count() == 0


def test_the_clinic_admin_is_refused(carol_client, patient):
    assert carol_client.post(record_url(patient), form_data(COWS, lowest(COWS))).status_code == 403
    assert Assessment.objects.count() == 0


def test_other_methods_are_not_allowed(alice_client, patient):
    assert alice_client.put(record_url(patient)).status_code == 405


def test_the_gossops_british_feeling_sick_keeps_its_wording_with_a_plain_gloss(alice_client, patient):
    group = item_group(alice_client.get(record_url(patient, SOWS_GOSSOP)).content.decode(), "feeling_sick")
    assert "1. Feeling sick" in group and "That is, sick to your stomach (nauseous)." in group
