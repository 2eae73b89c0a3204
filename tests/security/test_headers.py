"""Security headers on staff pages, the sign-in page and patient pages; the 500 page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from clinic.selfreport.services import patient_link_issue
from tests.security.helpers import enrol, password_sign_in

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def _csp(response) -> dict[str, str]:
    directives = [part.strip() for part in response["Content-Security-Policy"].split(";") if part.strip()]
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] for d in directives}


def _assert_hardened(response) -> None:
    assert _csp(response) == EXPECTED_CSP
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_a_staff_page_sends_every_security_header_and_is_never_cached(alice_client):
    response = alice_client.get(reverse("patients:list"))
    _assert_hardened(response)
    assert response["Referrer-Policy"] == "same-origin"
    assert _no_store(response)


def test_the_sign_in_page_sends_every_security_header(client, db):
    response = client.get(reverse("login"))
    _assert_hardened(response)
    assert response["Referrer-Policy"] == "same-origin"


def test_the_second_factor_pages_are_never_cached(client, alice, settings):
    settings.REQUIRE_2FA = True
    password_sign_in(client, "alice")
    enrolment = client.get(reverse("two_factor_enrol"))  # shows the secret
    assert _no_store(enrolment)
    _assert_hardened(enrolment)


def test_a_redirect_to_a_signed_in_person_is_not_cached_either(alice_client):
    assert _no_store(alice_client.get("/"))


def test_hsts_is_sent_over_https_when_configured(alice_client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = alice_client.get(reverse("patients:list"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.urls("tests.security.urls")
def test_a_page_added_later_is_covered_without_doing_anything(alice_client):
    response = alice_client.get("/later/")
    assert response.status_code == 200
    _assert_hardened(response)
    assert _no_store(response)


@pytest.mark.urls("tests.security.urls")
def test_a_patient_page_is_never_cached_and_sends_no_referrer(client, db):
    response = client.get("/p/some-link-token/")
    assert response.status_code == 200
    _assert_hardened(response)
    assert _no_store(response)
    assert response["Referrer-Policy"] == "no-referrer"


@pytest.mark.urls("tests.security.urls")
def test_a_patient_page_keeps_the_policy_its_view_set(client, db):
    response = client.get("/p/strict/")
    assert response["Referrer-Policy"] == "no-referrer"
    assert _no_store(response)


def test_a_staff_member_who_owes_a_second_factor_may_still_open_a_patient_link(client, alice, patient):
    enrol(alice)
    password_sign_in(client, "alice")
    link, token = patient_link_issue(request=None, patient=patient, created_by=alice)
    assert client.get(reverse("selfreport:start", kwargs={"token": token})).status_code == 200
    assert client.get(reverse("patients:list")).status_code == 302


@pytest.mark.urls("tests.security.urls")
def test_an_address_under_p_lets_nothing_past_the_second_factor_only_the_patient_facing_mark_does(client, alice):
    enrol(alice)
    password_sign_in(client, "alice")
    assert client.get("/p/some-link-token/").status_code == 302
    assert client.get("/later/").status_code == 302


@pytest.mark.urls("tests.security.urls")
def test_the_500_page_leaks_nothing(db, settings):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    for secret in ("secret internals", "SELECT", "Traceback", "RuntimeError", settings.SECRET_KEY, "patients_patient"):
        assert secret not in body
    assert body.count("<h1") == 1
    _assert_hardened(response)
