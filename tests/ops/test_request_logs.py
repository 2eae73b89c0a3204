"""Logs say what happened to which URL, never who the patient is or what a link's token was."""

from __future__ import annotations

import json
import logging
import sys

import pytest
from django.test import Client, RequestFactory
from django.urls import ResolverMatch, reverse

from clinic.ops.logs import JsonFormatter
from clinic.ops.middleware import loggable_path


def json_lines(caplog, logger: str = "steady.request") -> list[dict]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(record)) for record in caplog.records if record.name == logger]


def test_each_request_is_one_json_line_with_numeric_ids_and_no_patient_data(alice_client, patient, caplog):
    caplog.set_level(logging.INFO, logger="steady.request")
    alice_client.get(reverse("patients:detail", kwargs={"pk": patient.pk}))

    [line] = json_lines(caplog)
    assert line["method"] == "GET" and line["status"] == 200
    assert line["path"] == f"/patients/{patient.pk}/" and line["route"] == "patients/<int:pk>/"
    assert isinstance(line["duration_ms"], float)
    assert {"time", "level", "logger", "message"} <= line.keys()
    text = json.dumps(line)
    assert patient.name not in text and patient.record_number not in text


def test_query_strings_never_reach_the_log(alice_client, patient, caplog):
    caplog.set_level(logging.INFO, logger="steady.request")
    alice_client.get(reverse("patients:list") + "?q=Jordan+Avery&page=1")
    [line] = json_lines(caplog)
    assert line["path"] == "/patients/"
    assert "Jordan" not in json.dumps(line)


def test_words_and_tokens_in_a_url_are_replaced_by_their_names():
    request = RequestFactory().get("/p/Zq3-secret-token/forms/7/")
    request.resolver_match = ResolverMatch(
        func=lambda r: None,
        args=(),
        kwargs={"token": "Zq3-secret-token", "pk": 7},
        route="p/<str:token>/forms/<int:pk>/",
    )
    assert loggable_path(request) == "/p/<token>/forms/7/"


def test_a_url_that_matches_no_page_is_not_logged_as_typed(client, db, caplog):
    caplog.set_level(logging.INFO, logger="steady.request")
    client.get("/q/Zq3-secret-token-typo/")
    [line] = json_lines(caplog)
    assert line["status"] == 404 and line["path"] == "<unresolved>"
    assert "Zq3" not in json.dumps(line)


def test_a_patient_link_is_logged_without_its_token(client, db, caplog):
    caplog.set_level(logging.INFO, logger="steady.request")
    client.get("/p/Zq3-secret-token-typo/")
    [line] = json_lines(caplog)
    assert line["path"] == "/p/<token>/"
    assert "Zq3" not in json.dumps(line)


def test_health_checks_that_pass_are_not_logged(client, db, caplog):
    caplog.set_level(logging.INFO, logger="steady.request")
    client.get(reverse("healthz"))
    assert json_lines(caplog) == []


def test_a_crash_is_logged_as_its_kind_and_place_without_its_message(alice, patient, caplog, monkeypatch):
    def crash(request, patient):
        raise ValueError(f"cannot draw chart for {patient.name}")

    monkeypatch.setattr("clinic.patients.views.patient_page_context", crash)
    caplog.set_level(logging.INFO, logger="steady.request")
    visitor = Client(raise_request_exception=False)
    visitor.force_login(alice)
    response = visitor.get(reverse("patients:detail", kwargs={"pk": patient.pk}))

    assert response.status_code == 500
    [line] = json_lines(caplog)
    assert line["level"] == "ERROR" and line["status"] == 500 and line["error"] == "ValueError"
    assert any("crash" in frame for frame in line["stack"])
    assert patient.name not in json.dumps(line)


@pytest.mark.parametrize(
    "message",
    ["Error handling request GET /p/Zq3-secret-token/?q=Jordan", "Invalid request from ip=10.0.0.9: bad line '/p/Zq3'"],
)
def test_gunicorn_messages_that_quote_the_request_are_cut_short(message):
    record = logging.LogRecord("gunicorn.error", logging.ERROR, __file__, 1, message, None, None)
    line = json.loads(JsonFormatter().format(record))
    assert "Zq3" not in line["message"] and "Jordan" not in line["message"]


def test_an_exception_message_is_never_formatted():
    try:
        raise RuntimeError('duplicate key: (record_number)=(R-0042) for "Jordan Avery"')
    except RuntimeError:
        record = logging.LogRecord("steady", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    text = JsonFormatter().format(record)
    assert "R-0042" not in text and "Jordan" not in text
    assert json.loads(text)["error"] == "RuntimeError"
