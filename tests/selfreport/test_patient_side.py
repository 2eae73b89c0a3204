"""The patient opens a link, confirms their date of birth and sends one form, with no account."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.assessments.models import Assessment
from clinic.audit.models import AuditEvent
from clinic.selfreport import ratelimit
from clinic.selfreport.models import LinkState, PatientLink
from clinic.selfreport.services import patient_link_issue, patient_link_revoke
from tests.conftest import make_patient, signed_in
from tests.selfreport.conftest import confirmed, dob_data, sows_answers, start_url, submission_id_of

FORM = reverse("selfreport:form")
THANKS = reverse("selfreport:thanks")


def fill_in(client: Client, value: int = 1):
    page = client.get(FORM)
    assert page.status_code == 200
    return client.post(FORM, sows_answers(value) | {"submission_id": submission_id_of(page)})


def test_opening_the_link_shows_the_start_page_and_uses_nothing_up(client, issued):
    link, token = issued
    for _ in range(3):  # a mail scanner, a preview, then the patient
        response = client.get(start_url(token))
        assert response.status_code == 200
        assert b"date of birth" in response.content
    link.refresh_from_db()
    assert link.state == LinkState.WAITING and link.failed_dob_attempts == 0
    assert AuditEvent.objects.filter(object_id=str(link.pk), detail="patient link opened", actor=None).count() == 3


def test_the_start_page_shows_nothing_about_the_patient_or_the_clinic(client, issued, patient, clinic):
    response = client.get(start_url(issued[1]))
    content = response.content.decode()
    for secret in (patient.name, "Jordan", clinic.name, "Riverside", "1988", patient.record_number, "SOWS", "Opiate"):
        assert secret not in content


def test_the_right_date_of_birth_opens_the_form_and_takes_the_token_out_of_the_address(issued, patient):
    link, token = issued
    client = confirmed(token, patient)
    response = client.get(FORM)
    assert response.status_code == 200
    assert token not in response.content.decode()
    assert response.content.count(b"<fieldset") == 16 + 1  # the items, then when 7-OH was last used
    assert AuditEvent.objects.filter(object_id=str(link.pk), detail="patient link verified", actor=None).exists()


def test_a_wrong_date_of_birth_says_so_and_counts_down(client, issued, patient):
    link, token = issued
    response = client.post(start_url(token), {"month": "1", "day": "2", "year": "1990"})
    assert response.status_code == 200
    assert b"does not match" in response.content and b"4 more times" in response.content
    assert client.get(FORM).context["title"] == "Open the link your clinic sent you"
    link.refresh_from_db()
    assert link.failed_dob_attempts == 1 and link.state == LinkState.WAITING


def test_a_date_that_does_not_exist_is_explained_and_not_counted_as_a_guess(client, issued):
    link, token = issued
    response = client.post(start_url(token), {"month": "2", "day": "31", "year": "1990"})
    assert b"That date does not exist" in response.content
    response = client.post(start_url(token), {"month": "13", "day": "", "year": "19x"})
    assert b"Enter the month as a number from 1 to 12" in response.content
    assert b"Enter the day you were born" in response.content
    # Each message is tied to its box, and the summary links to it.
    assert b'aria-describedby="id_month-error"' in response.content
    assert b'href="#id_month"' in response.content
    link.refresh_from_db()
    assert link.failed_dob_attempts == 0


@pytest.mark.parametrize("year", ["10000", "9" * 40])
def test_a_year_too_long_for_a_date_is_explained_not_a_server_error(client, issued, year):
    # Found by the fuzzer: a 40-digit year overflowed the date check and answered 500.
    link, token = issued
    response = client.post(start_url(token), {"month": "4", "day": "12", "year": year})
    assert response.status_code == 200
    assert b"Enter the year with four digits" in response.content
    link.refresh_from_db()
    assert link.failed_dob_attempts == 0


def test_five_wrong_dates_of_birth_lock_the_link_even_for_the_right_one(client, issued, patient):
    link, token = issued
    for attempt in range(1, 5):
        response = client.post(start_url(token), {"month": "1", "day": str(attempt), "year": "1990"})
        assert response.status_code == 200
    response = client.post(start_url(token), {"month": "1", "day": "5", "year": "1990"})
    assert response.status_code == 410
    assert b"This link is locked" in response.content
    link.refresh_from_db()
    assert link.state == LinkState.LOCKED and link.failed_dob_attempts == 5
    response = Client().post(start_url(token), dob_data(patient))
    assert response.status_code == 410 and b"This link is locked" in response.content
    assert AuditEvent.objects.filter(object_id=str(link.pk), detail__contains="locked").count() == 1


def test_a_link_stops_working_when_it_expires(patient, alice):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as traveller:
        link, token = patient_link_issue(request=None, patient=patient, created_by=alice, valid_hours=24)
        traveller.shift(dt.timedelta(hours=23, minutes=59))
        client = confirmed(token, patient)  # a minute before the end, the form still opens
        assert client.get(FORM).status_code == 200
        traveller.shift(dt.timedelta(minutes=1))
        response = Client().get(start_url(token))
        assert response.status_code == 410 and b"This link has expired" in response.content
        response = client.post(FORM, sows_answers() | {"submission_id": "6f1c7f0e-8f53-4a4b-9a57-0c6f1b0c1d2e"})
        assert response.status_code == 410 and b"This link has expired" in response.content
    assert Assessment.objects.count() == 0


def test_the_form_asks_for_the_date_of_birth_again_after_two_hours(issued, patient):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = confirmed(issued[1], patient)
        assert client.get(FORM).status_code == 200
        traveller.shift(dt.timedelta(hours=2, minutes=1))
        response = client.get(FORM)
        assert b"Open the link your clinic sent you" in response.content


def test_sending_the_form_records_a_patient_reported_assessment_and_thanks_the_patient(issued, patient):
    link, token = issued
    client = confirmed(token, patient)
    response = fill_in(client, value=2)
    assert response.status_code == 302 and response["Location"] == THANKS
    assessment = Assessment.objects.get()
    assert assessment.patient == patient and assessment.instrument == "SOWS"
    assert assessment.completed_by == "patient" and assessment.entered_by is None
    assert assessment.total == 32
    link.refresh_from_db()
    assert link.state == LinkState.COMPLETED and link.assessment == assessment
    thanks = client.get(THANKS)
    assert b"Your answers have been sent to your clinic" in thanks.content
    events = AuditEvent.objects.filter(patient_id=patient.pk, actor=None)
    assert events.filter(detail="patient link submitted").exists()
    assert events.filter(object_type="assessments.assessment", detail="SOWS by patient").exists()


def test_a_double_tap_or_a_resubmitted_page_records_exactly_once(issued, patient):
    client = confirmed(issued[1], patient)
    page = client.get(FORM)
    data = sows_answers(3) | {"submission_id": submission_id_of(page)}
    responses = [client.post(FORM, data) for _ in range(3)]
    assert [r.status_code for r in responses] == [302, 302, 302]
    assert all(r["Location"] == THANKS for r in responses)
    assert Assessment.objects.count() == 1


def test_a_used_link_cannot_be_used_again(issued, patient):
    link, token = issued
    client = confirmed(token, patient)
    fill_in(client)
    # The same browser with a fresh page, and anyone with the link, find it used.
    response = client.get(FORM)
    assert response.status_code == 410 and b"already been sent" in response.content
    response = client.post(FORM, sows_answers(4) | {"submission_id": "0b8f2e0a-7a4e-4b8e-9d8e-1f0e2d3c4b5a"})
    assert response.status_code == 410
    response = Client().get(start_url(token))
    assert response.status_code == 410 and b"already been sent" in response.content
    response = Client().post(start_url(token), dob_data(patient))
    assert response.status_code == 410
    assert Assessment.objects.count() == 1


def test_a_revoked_link_says_so_even_to_a_browser_that_already_confirmed(issued, patient, alice):
    link, token = issued
    client = confirmed(token, patient)
    patient_link_revoke(request=None, link=link, revoked_by=alice)
    for response in (client.get(FORM), Client().get(start_url(token)), fill_in_without_page(client)):
        assert response.status_code == 410
        assert b"This link has been cancelled" in response.content
    assert Assessment.objects.count() == 0


def fill_in_without_page(client):
    return client.post(FORM, sows_answers() | {"submission_id": "a3c4b5d6-e7f8-4a9b-8c0d-1e2f3a4b5c6d"})


@pytest.mark.parametrize("state", ["unknown", "expired", "completed", "revoked", "locked"])
def test_an_unusable_link_shows_a_plain_page_with_nothing_about_the_patient(state, patient, alice, clinic):
    link, token = patient_link_issue(request=None, patient=patient, created_by=alice)
    if state == "unknown":
        token = "x" * 43
    elif state == "expired":
        PatientLink.objects.filter(pk=link.pk).update(
            expires_at=timezone.now() - dt.timedelta(seconds=1), created_at=timezone.now() - dt.timedelta(hours=1)
        )
    elif state == "completed":
        fill_in(confirmed(token, patient))
    elif state == "revoked":
        patient_link_revoke(request=None, link=link, revoked_by=alice)
    elif state == "locked":
        PatientLink.objects.filter(pk=link.pk).update(locked_at=timezone.now(), failed_dob_attempts=5)
    response = Client().get(start_url(token))
    assert response.status_code in (404, 410)
    content = response.content.decode()
    assert "contact your clinic" in content.lower()
    assert "988" in content and "1-800-222-1222" in content and "911" in content
    for secret in (patient.name, clinic.name, "Riverside", patient.record_number, "<form"):
        assert secret not in content


def test_missing_answers_show_a_summary_that_links_to_each_question_and_keep_what_was_chosen(issued, patient):
    client = confirmed(issued[1], patient)
    page = client.get(FORM)
    answers = sows_answers(2)
    del answers["sweating"], answers["craving"]
    response = client.post(FORM, answers | {"submission_id": submission_id_of(page)})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'class="error-summary"' in content
    assert 'href="#id_sweating_0"' in content and 'href="#id_craving_0"' in content
    assert 'aria-describedby="id_sweating-error"' in content and 'id="id_sweating-error"' in content
    assert 'id="id_anxious_2" value="2" checked' in content
    assert Assessment.objects.count() == 0
    # Fixing them with the same page records the one assessment.
    response = client.post(FORM, sows_answers(2) | {"submission_id": submission_id_of(page)})
    assert response.status_code == 302 and Assessment.objects.count() == 1


def test_the_form_is_radio_buttons_labelled_in_words_inside_a_fieldset_per_question(issued, patient):
    client = confirmed(issued[1], patient)
    content = client.get(FORM).content.decode()
    assert content.count("<legend>") == 16 + 1  # the items, then last use
    assert content.count('type="radio"') == 16 * 5 + 9  # nine answers about last use
    assert 'type="range"' not in content and "<script" not in content and "style=" not in content
    for label in ("Not at all", "A little", "Moderately", "Quite a bit", "Extremely"):
        assert content.count(label) == 16


def test_a_sows_gossop_link_opens_the_ten_question_form_with_four_answers(patient, alice):
    link, token = patient_link_issue(request=None, patient=patient, created_by=alice, instrument_code="SOWS_GOSSOP")
    client = confirmed(token, patient)
    content = client.get(FORM).content.decode()
    assert content.count("<legend>") == 10 + 1 and content.count('type="radio"') == 10 * 4 + 9
    assert "past 24 hours" in content


def test_a_link_session_submits_only_its_own_patient_whatever_the_form_says(issued, patient, alice, clinic):
    other = make_patient(clinic, record_number="R-0002", name="Other Person")
    other_link, other_token = patient_link_issue(request=None, patient=other, created_by=alice)
    client = confirmed(issued[1], patient)
    page = client.get(FORM)
    # Extra fields naming another patient or link are ignored: the link comes from the session.
    data = sows_answers() | {
        "submission_id": submission_id_of(page),
        "patient": other.pk,
        "patient_id": other.pk,
        "link": other_link.pk,
        "link_id": other_link.pk,
    }
    client.post(FORM, data)
    assert Assessment.objects.get().patient == patient
    other_link.refresh_from_db()
    assert other_link.state == LinkState.WAITING and not other.assessments.exists()


def test_a_submission_id_of_another_patients_assessment_records_nothing(issued, patient, alice, clinic):
    other = make_patient(clinic, record_number="R-0002", name="Other Person")
    _, other_token = patient_link_issue(request=None, patient=other, created_by=alice)
    other_client = confirmed(other_token, other)
    page = other_client.get(FORM)
    stolen_id = submission_id_of(page)
    other_client.post(FORM, sows_answers(1) | {"submission_id": stolen_id})
    client = confirmed(issued[1], patient)
    response = client.post(FORM, sows_answers(4) | {"submission_id": stolen_id})
    assert response.status_code == 200 and b"Something went wrong" in response.content
    assert not patient.assessments.exists()
    assert other.assessments.get().total == 16


STAFF_PAGES = ["home", "patients:list", "dashboard:index", "staff_list"]


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_a_link_session_reaches_no_staff_page(name, issued, patient):
    client = confirmed(issued[1], patient)
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_link_session_reaches_no_patient_record_and_no_link_management(issued, patient):
    link, token = issued
    client = confirmed(token, patient)
    for url in (
        reverse("patients:detail", kwargs={"pk": patient.pk}),
        reverse("selfreport:link_issue", kwargs={"patient_pk": patient.pk}),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    response = client.post(reverse("selfreport:link_revoke", kwargs={"patient_pk": patient.pk, "pk": link.pk}))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    link.refresh_from_db()
    assert link.state == LinkState.WAITING


def test_a_staff_member_signed_in_in_the_same_browser_is_not_recorded_as_the_patient(issued, patient, alice):
    client = confirmed(issued[1], patient, client=signed_in(alice))
    fill_in(client)
    assert (
        not AuditEvent.objects.filter(patient_id=patient.pk, actor=alice)
        .exclude(detail__startswith="patient link issued")
        .exists()
    )
    assert Assessment.objects.get().entered_by is None


def test_the_patients_preferred_language_comes_first_and_the_page_can_switch(client, patient, alice):
    patient.preferred_language = "es"
    patient.save()
    link, token = patient_link_issue(request=None, patient=patient, created_by=alice)
    response = client.get(start_url(token))
    content = response.content.decode()
    assert '<html lang="es">' in content and response["Content-Language"] == "es"
    assert "Su fecha de nacimiento" in content and "¿Necesita ayuda ahora?" in content
    assert 'href="?lang=en"' in content
    switched = client.get(start_url(token) + "?lang=en")
    assert switched.status_code == 302 and switched["Location"] == start_url(token)
    content = client.get(start_url(token)).content.decode()
    assert '<html lang="en">' in content and "Your date of birth" in content


def test_the_form_reads_properly_in_spanish(issued, patient):
    client = confirmed(issued[1], patient)
    client.get(FORM + "?lang=es")
    content = client.get(FORM).content.decode()
    assert '<html lang="es">' in content
    for text in (
        "¿Cómo se siente?",
        "Siento ansiedad o nervios",
        "Tengo ganas de consumir ahora mismo",
        "Nada",
        "Un poco",
        "Moderadamente",
        "Bastante",
        "Muchísimo",
        "Enviar mis respuestas",
        "oprima 2",
    ):
        assert text in content
    errors = client.post(FORM, {"submission_id": submission_id_of(client.get(FORM))}).content.decode()
    assert "Hay un problema" in errors and "Elija una respuesta para esta pregunta." in errors


def test_a_spanish_page_leaves_the_next_request_in_english(issued, patient, alice_client):
    client = confirmed(issued[1], patient)
    client.get(FORM + "?lang=es")
    assert "¿Cómo se siente?" in client.get(FORM).content.decode()
    from clinic.assessments.instruments import SOWS

    assert str(SOWS.items[0].prompt) == "I feel anxious or on edge"
    assert b"Patients" in alice_client.get(reverse("patients:list")).content


@pytest.mark.parametrize("url", ["start", "form", "thanks", "unknown"])
def test_patient_pages_are_never_cached_and_never_send_a_referrer(url, client, issued):
    target = {
        "start": start_url(issued[1]),
        "form": FORM,
        "thanks": THANKS,
        "unknown": start_url("y" * 43),
    }[url]
    response = client.get(target)
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert b'<meta name="referrer" content="no-referrer">' in response.content


def test_every_patient_page_shows_crisis_help_and_one_heading(client, issued, patient):
    link, token = issued
    confirmed_client = confirmed(token, patient)
    pages = [client.get(start_url(token)), client.get(FORM), client.get(THANKS), confirmed_client.get(FORM)]
    for response in pages:
        content = response.content.decode()
        assert 'href="tel:988"' in content and 'href="tel:+18002221222"' in content and 'href="tel:911"' in content
        assert content.count("<h1") == 1
        assert 'href="#main"' in content
        assert "navbar" not in content  # no staff navigation


def test_one_link_is_limited_to_a_handful_of_requests(client, issued, settings):
    settings.PATIENT_LINK_RATE_PER_LINK = 5
    for _ in range(5):
        assert client.get(start_url(issued[1])).status_code == 200
    response = Client().get(start_url(issued[1]))  # another browser, same link
    assert response.status_code == 429
    assert b"Please wait a few minutes" in response.content and b"988" in response.content


def test_one_address_is_limited_across_links_and_pages(client, issued, settings):
    settings.PATIENT_LINK_RATE_PER_ADDRESS = 4
    for _ in range(4):
        assert client.get(start_url("z" * 43)).status_code == 404
    assert client.get(start_url(issued[1])).status_code == 429
    assert client.get(THANKS).status_code == 429
    # Another address is not held back.
    assert Client(REMOTE_ADDR="10.0.0.9").get(start_url(issued[1])).status_code == 200


def test_the_rate_limit_window_moves_on(client, issued, settings):
    settings.PATIENT_LINK_RATE_PER_LINK = 1
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert client.get(start_url(issued[1])).status_code == 200
        assert client.get(start_url(issued[1])).status_code == 429
        traveller.shift(ratelimit.WINDOW)
        assert client.get(start_url(issued[1])).status_code == 200


def test_the_start_page_refuses_other_methods(client, issued):
    assert client.put(start_url(issued[1])).status_code == 405
    assert client.post(THANKS).status_code == 405


def _csrf_client_with_token(token: str) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.get(start_url(token))
    return client, client.cookies["csrftoken"].value


def test_a_form_posted_from_a_no_referrer_page_passes_the_csrf_check_with_its_token(issued, patient):
    # Browsers send `Origin: null` from a page with Referrer-Policy: no-referrer.
    client, csrf = _csrf_client_with_token(issued[1])
    response = client.post(start_url(issued[1]), dob_data(patient) | {"csrfmiddlewaretoken": csrf}, HTTP_ORIGIN="null")
    assert response.status_code == 302 and response["Location"] == FORM


def test_the_csrf_check_still_refuses_a_missing_token_or_another_sites_origin(issued, patient):
    client, csrf = _csrf_client_with_token(issued[1])
    assert client.post(start_url(issued[1]), dob_data(patient), HTTP_ORIGIN="null").status_code == 403
    response = client.post(
        start_url(issued[1]), dob_data(patient) | {"csrfmiddlewaretoken": csrf}, HTTP_ORIGIN="https://evil.example"
    )
    assert response.status_code == 403
    issued[0].refresh_from_db()
    assert issued[0].failed_dob_attempts == 0


def test_the_rate_limits_default_to_forty_per_link_and_150_per_address_and_come_from_the_environment():
    from tests.security.test_settings import PRODUCTION, _run

    probe = "from clinic import settings as s; print(s.PATIENT_LINK_RATE_PER_LINK, s.PATIENT_LINK_RATE_PER_ADDRESS)"
    assert _run(["-c", probe], PRODUCTION).stdout.split() == ["40", "150"]
    raised = {**PRODUCTION, "PATIENT_LINK_RATE_PER_LINK": "60", "PATIENT_LINK_RATE_PER_ADDRESS": "5000"}
    assert _run(["-c", probe], raised).stdout.split() == ["60", "5000"]
    refused = _run(["-c", probe], {**PRODUCTION, "PATIENT_LINK_RATE_PER_ADDRESS": "0"})
    assert refused.returncode != 0 and "PATIENT_LINK_RATE_PER_ADDRESS=0 is below the minimum" in refused.stderr


def test_the_patients_gossop_form_glosses_feeling_sick_in_both_languages(patient, alice):
    link, token = patient_link_issue(request=None, patient=patient, created_by=alice, instrument_code="SOWS_GOSSOP")
    client = confirmed(token, patient)
    assert "That is, sick to your stomach (nauseous)." in client.get(FORM).content.decode()
    client.get(FORM + "?lang=es")
    assert "Es decir, con malestar de estómago (náuseas)." in client.get(FORM).content.decode()
