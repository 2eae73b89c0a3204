from __future__ import annotations

import json

import pytest
from django.db import OperationalError, connections
from django.test import Client
from django.urls import reverse


def test_health_check_says_ok_when_the_database_answers(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_health_check_says_unavailable_when_the_database_does_not_answer(client, db, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection to server at 10.0.0.5 failed: Connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(connections["default"], "cursor", refuse)
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "error", "database": "unavailable"}
    # Nothing about the database's address or the error's wording reaches the caller.
    assert b"10.0.0.5" not in response.content


def test_health_check_needs_no_sign_in_and_shows_no_page(client, db, patient):
    response = client.get(reverse("healthz"))
    assert response["Content-Type"] == "application/json"
    assert patient.name.encode() not in response.content


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_health_check_only_answers_reads(client, db, method):
    assert getattr(client, method)(reverse("healthz")).status_code == 405


def test_a_plain_http_health_check_is_answered_not_redirected_when_https_is_enforced(db, settings):
    # A load balancer often checks app servers directly over plain HTTP, past the TLS proxy.
    settings.SECURE_SSL_REDIRECT = True
    client = Client()  # built after the setting changes: middleware reads it when it loads
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok"}
    # Everything else still goes to HTTPS.
    other = client.get(reverse("login"))
    assert other.status_code == 301 and other["Location"].startswith("https://")
