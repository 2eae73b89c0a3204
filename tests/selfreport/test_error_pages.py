"""Every page a patient can land on shows the crisis lines, in their language, with a link to the other.

A mistyped or truncated link (any unmatched path under /p/), a form refused by CSRF, too many
requests (429) and a server error (500). Staff paths keep the staff pages.
"""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import path

import clinic.urls
from clinic.selfreport import ratelimit
from tests.selfreport.conftest import confirmed, sows_answers, start_url

CRISIS_LINES = {
    "en": (
        'Call or text <a href="tel:988">988</a>, the Suicide and Crisis Lifeline, any time.',
        'Poison Help: <a href="tel:+18002221222">1-800-222-1222</a>.',
        'In an emergency, call <a href="tel:911">911</a>.',
    ),
    "es": (
        '<a href="tel:988">988</a>',
        'href="tel:+18002221222"',
        'En una emergencia, llame al <a href="tel:911">911</a>.',
    ),
}
OTHER_LANGUAGE_LINK = {"en": 'href="?lang=es" lang="es"', "es": 'href="?lang=en" lang="en"'}


def assert_crisis_page(response, status: int, language: str) -> str:
    html = response.content.decode()
    assert response.status_code == status
    assert f'<html lang="{language}">' in html and response["Content-Language"] == language
    for line in CRISIS_LINES[language]:
        assert line in html, line
    assert OTHER_LANGUAGE_LINK[language] in html
    assert html.count("<h1") == 1
    assert response["Referrer-Policy"] == "no-referrer" and "no-store" in response["Cache-Control"]
    return html


@pytest.mark.parametrize("address", ["/p/abc/", "/p/form/extra/", "/p/" + "x" * 19 + "/", "/p/nothing/at/all"])
def test_an_unmatched_patient_address_is_a_404_with_the_crisis_lines(client, address, db):
    html = assert_crisis_page(client.get(address), 404, "en")
    assert "This link does not work" in html and "Go to your home page" not in html


def test_the_404_follows_the_browsers_language_and_switches_on_request(db):
    spanish_browser = Client(HTTP_ACCEPT_LANGUAGE="es-US,es;q=0.9")
    html = assert_crisis_page(spanish_browser.get("/p/abc/"), 404, "es")
    assert "Este enlace no funciona" in html
    assert_crisis_page(spanish_browser.get("/p/abc/?lang=en"), 404, "en")


def test_the_404_keeps_the_language_the_patient_chose_on_the_patient_pages(issued, patient):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.get(start_url(issued[1]) + "?lang=es")  # the start page stores the choice
    assert_crisis_page(client.get("/p/form/nope/"), 404, "es")


def test_a_staff_address_that_matches_nothing_keeps_the_staff_404(alice_client):
    response = alice_client.get("/patients/does-not-exist/")
    html = response.content.decode()
    assert response.status_code == 404 and "Page not found" in html and "tel:988" not in html


def test_a_form_refused_by_csrf_says_so_with_the_crisis_lines_in_the_patients_language(issued, patient):
    client = confirmed(issued[1], patient, Client(HTTP_ACCEPT_LANGUAGE="en"))
    client.get("/p/form/?lang=es")
    client.handler.enforce_csrf_checks = True
    client.cookies.pop("csrftoken", None)  # a page left open past its cookie
    response = client.post("/p/form/", sows_answers() | {"submission_id": "6f1c7f0e-8f53-4a4b-9a57-0c6f1b0c1d2e"})
    html = assert_crisis_page(response, 403, "es")
    assert "Esta página estuvo abierta demasiado tiempo" in html


def test_a_refused_date_of_birth_form_shows_the_english_page_to_an_english_browser(issued, patient):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en-US")
    response = client.post(start_url(issued[1]), {"month": "1", "day": "1", "year": "1990"})
    assert "This page was open too long" in assert_crisis_page(response, 403, "en")


def test_staff_csrf_failures_keep_djangos_page(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post("/patients/new/", {})
    assert response.status_code == 403 and "tel:988" not in response.content.decode()


def test_too_many_requests_shows_the_crisis_lines(client, settings, db):
    settings.PATIENT_LINK_RATE_PER_ADDRESS = 1
    ratelimit.rate_limit_hit(ratelimit.address_key("127.0.0.1"), limit=1)
    response = client.get("/p/form/")
    assert "Please wait a few minutes" in assert_crisis_page(response, 429, "en")


def _boom(request):
    raise RuntimeError("a bug on the patient form")


urlpatterns = [path("p/boom/", _boom), path("staff-boom/", _boom), *clinic.urls.urlpatterns]
handler404 = clinic.urls.handler404
handler500 = clinic.urls.handler500


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize("language,accept", [("en", "en-US"), ("es", "es-MX,es;q=0.8")])
def test_a_server_error_on_a_patient_page_shows_the_crisis_lines(language, accept, db):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=accept)
    html = assert_crisis_page(client.get("/p/boom/"), 500, language)
    assert "a bug" not in html


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_on_a_staff_page_keeps_the_staff_page(db):
    response = Client(raise_request_exception=False).get("/staff-boom/")
    assert response.status_code == 500 and "tel:988" not in response.content.decode()


def test_the_404_uses_the_language_on_the_patients_record_once_they_confirmed_their_birth_date(issued, patient):
    patient.preferred_language = "es"
    patient.save()
    client = confirmed(issued[1], patient, Client(HTTP_ACCEPT_LANGUAGE="en-US"))
    assert_crisis_page(client.get("/p/form/typo"), 404, "es")
