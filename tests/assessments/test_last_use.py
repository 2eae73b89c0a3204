"""When 7-OH was last used: asked with every assessment, stored with who answered, and the only
source of an assessment's hours since last use."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.assessments.instruments import COWS, SOWS, SOWS_GOSSOP
from clinic.assessments.models import Assessment
from clinic.patients.models import UseReport
from clinic.selfreport.services import patient_link_issue
from tests.assessments.factories import assessment, form_data, local, lowest
from tests.selfreport.conftest import confirmed, sows_answers, submission_id_of


@pytest.fixture
def sows_link(patient, alice):
    return patient_link_issue(request=None, patient=patient, created_by=alice)


def record_url(patient, instrument) -> str:
    slug = instrument.code.lower().replace("_", "-")
    return reverse("assessments:record", kwargs={"pk": patient.pk, "instrument": slug})


def errors_of(response, field: str) -> list[str]:
    return [str(e) for e in response.context["form"].errors.get(field, [])]


def test_a_cows_is_saved_with_the_time_of_last_use_and_who_gave_it(alice_client, patient):
    data = form_data(COWS, lowest(COWS), last_use_at="2026-01-04T09:30", last_use_given_by="clinician")
    response = alice_client.post(record_url(patient, COWS), data)
    assert response.status_code == 302
    saved = Assessment.objects.get()
    assert (saved.last_use_answer, saved.last_use_given_by, float(saved.hours_since_last_use)) == (
        "at_time",
        "clinician",
        24.0,
    )


def test_unknown_is_an_answer_and_stores_no_hours(alice_client, patient):
    data = form_data(COWS, lowest(COWS), last_use_known="unknown", last_use_at="")
    assert alice_client.post(record_url(patient, COWS), data).status_code == 302
    saved = Assessment.objects.get()
    assert saved.last_use_answer == "unknown" and saved.hours_since_last_use is None and saved.last_use_at is None


def test_the_form_refuses_a_missing_answer_or_a_time_that_does_not_fit(alice_client, patient):
    url = record_url(patient, SOWS_GOSSOP)
    no_answer = form_data(SOWS_GOSSOP, lowest(SOWS_GOSSOP), last_use_known="", last_use_given_by="")
    response = alice_client.post(url, no_answer)
    assert errors_of(response, "last_use_known") == ["Say when 7-OH was last used, or that it is unknown."]
    assert errors_of(response, "last_use_given_by") == ["Say who gave the answer about the last use."]
    no_time = form_data(SOWS_GOSSOP, lowest(SOWS_GOSSOP), last_use_at="")
    assert errors_of(alice_client.post(url, no_time), "last_use_at") == [
        "Give the date and time of last use, or choose “Unknown”."
    ]
    after = form_data(SOWS_GOSSOP, lowest(SOWS_GOSSOP), last_use_at="2026-01-05T10:00")
    assert errors_of(alice_client.post(url, after), "last_use_at") == [
        "The last use cannot be after the time the answers were given."
    ]
    ancient = form_data(SOWS_GOSSOP, lowest(SOWS_GOSSOP), last_use_at="0001-01-01T00:00")
    assert errors_of(alice_client.post(url, ancient), "last_use_at") == [
        "That is too long ago to record as a time. Choose “Unknown” instead."
    ]
    both = form_data(SOWS_GOSSOP, lowest(SOWS_GOSSOP), last_use_known="unknown")
    assert errors_of(alice_client.post(url, both), "last_use_at") == [
        "Leave the time empty when the last use is unknown."
    ]
    assert Assessment.objects.count() == 0


def test_the_patients_own_form_stores_their_range_as_the_patients_answer(sows_link, patient):
    client = confirmed(sows_link[1], patient)
    page = client.get("/p/form/")
    assert "When did you last use 7-OH?" in page.content.decode()
    response = client.post("/p/form/", sows_answers(2, last_use="3_7d") | {"submission_id": submission_id_of(page)})
    assert response.status_code == 302
    saved = Assessment.objects.get()
    assert (saved.last_use_answer, saved.last_use_given_by, saved.hours_since_last_use) == ("3_7d", "patient", None)
    assert str(saved.last_use) == "72 to 168 h (patient's answer)"


def test_the_patient_may_rather_not_say_but_must_answer(sows_link, patient):
    client = confirmed(sows_link[1], patient)
    page = client.get("/p/form/")
    missing = sows_answers(1)
    del missing["last_use"]
    response = client.post("/p/form/", missing | {"submission_id": submission_id_of(page)})
    assert response.status_code == 200 and 'href="#id_last_use_0"' in response.content.decode()
    assert Assessment.objects.count() == 0
    response = client.post("/p/form/", sows_answers(1, last_use="declined") | {"submission_id": submission_id_of(page)})
    assert (
        response.status_code == 302
        and str(Assessment.objects.get().last_use) == "would rather not say (patient's answer)"
    )


def test_the_spanish_form_offers_the_choices_in_spanish(sows_link, patient):
    client = confirmed(sows_link[1], patient)
    client.get("/p/form/?lang=es")
    html = client.get("/p/form/").content.decode()
    assert "¿Cuándo usó 7-OH por última vez?" in html and "Prefiero no decirlo" in html and "No lo sé" in html


def test_the_trend_table_and_the_hours_chart_use_only_each_assessments_own_answer(alice_client, patient, alice):
    # The demo's story: a use report says 274 hours without use; later answers say otherwise.
    UseReport.objects.create(
        patient=patient, recorded_by=alice, recorded_at=local(2026, 1, 6, 8), last_use_at=local(2026, 1, 1)
    )
    Assessment.objects.bulk_create(
        [
            assessment(patient, COWS, local(2026, 1, 5), 20, entered_by=alice),  # before the question existed
            assessment(patient, COWS, local(2026, 1, 7), 14, entered_by=alice, hours=6),
            assessment(patient, SOWS, local(2026, 1, 7, 13), 20, last_use="6_12h"),
            assessment(patient, SOWS, local(2026, 1, 8), 10, last_use="unknown"),
        ]
    )
    html = alice_client.get(reverse("assessments:trends", kwargs={"pk": patient.pk}) + "?x=hours").content.decode()
    cows = html[html.index('id="cows-trend-heading"') : html.index('id="sows-trend-heading"')]
    assert "6.0 h" in cows and "not recorded" in cows and "patient&#x27;s answer" in cows
    sows = html[html.index('id="sows-trend-heading"') :]
    assert "6 to 12 h" in sows and "unknown" in sows
    # The range is plotted at its lower end and says so; nothing shows the report's 100+ hours.
    assert "last use: 6 to 12 h (patient&#x27;s answer)" in sows
    assert not re.search(r"\b1[0-9]{2}(\.0)? h", html)


def test_the_patient_page_names_the_latest_answer_and_who_gave_it(alice_client, patient, alice):
    UseReport.objects.create(
        patient=patient,
        recorded_by=alice,
        recorded_at=timezone.now() - dt.timedelta(days=12),
        last_use_at=timezone.now() - dt.timedelta(days=12),
    )
    now = timezone.now().replace(microsecond=0)
    Assessment.objects.bulk_create(
        [assessment(patient, COWS, now - dt.timedelta(hours=1), 9, hours=5, given_by="clinician")]
    )
    html = alice_client.get(reverse("patients:detail", kwargs={"pk": patient.pk})).content.decode()
    line = re.search(r'<p class="mb-2 last-use" id="latest-last-use">(.*?)</p>', html, re.S).group(1)
    assert "5.0 h" in line and "clinician&#x27;s answer" in line
    assert "288" not in html
