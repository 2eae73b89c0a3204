"""No log line carries a patient-link token, whichever logger writes it.

Django's own CSRF warnings quote the raw path ("Forbidden (CSRF cookie not set.): /p/<token>/"),
so the redaction sits on the handler that writes every line, not in Steady's own log calls.
"""

from __future__ import annotations

import io
import logging
from contextlib import contextmanager

from django.test import Client

from clinic.ops.logs import RedactTokens, redact_tokens
from clinic.selfreport.services import patient_link_issue
from tests.selfreport.conftest import dob_data, start_url


def _writing_handlers() -> list[logging.Handler]:
    """Every handler any configured logger writes through (pytest's capture and null handlers aside)."""
    loggers = [logging.getLogger()] + [
        logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    return [
        handler
        for logger in loggers
        for handler in logger.handlers
        if not isinstance(handler, logging.NullHandler) and type(handler).__module__.split(".")[0] != "_pytest"
    ]


@contextmanager
def console_output():
    """What the configured handlers write, in a string."""
    written = io.StringIO()
    handlers = [h for h in _writing_handlers() if isinstance(h, logging.StreamHandler)]
    previous = [handler.setStream(written) for handler in handlers]
    try:
        yield written
    finally:
        for handler, stream in zip(handlers, previous, strict=True):
            handler.setStream(stream)


def test_every_handler_that_writes_a_line_redacts_tokens():
    handlers = _writing_handlers()
    assert handlers, "the project logs somewhere"
    for handler in handlers:
        assert any(isinstance(f, RedactTokens) for f in handler.filters), f"{handler!r} writes unfiltered lines"


def test_a_csrf_failure_on_a_patient_page_logs_no_token(alice, patient, caplog):
    _link, token = patient_link_issue(request=None, patient=patient, created_by=alice)
    caplog.set_level(logging.INFO)
    browser = Client(enforce_csrf_checks=True)
    with console_output() as written:
        response = browser.post(start_url(token), dob_data(patient))
    assert response.status_code == 403
    warnings = [record for record in caplog.records if record.name == "django.security.csrf"]
    assert warnings, "Django warned about the CSRF failure"
    assert all(token not in record.getMessage() for record in caplog.records)
    assert "/p/<token>/" in written.getvalue()
    assert token not in written.getvalue()


def test_tokens_are_redacted_in_paths_and_alone_but_the_fixed_patient_pages_stay_readable():
    token = "Zq3" + "x" * 40
    assert redact_tokens(f"Forbidden (CSRF token missing.): /p/{token}/") == (
        "Forbidden (CSRF token missing.): /p/<token>/"
    )
    assert redact_tokens(f"token {token} seen") == "token <token> seen"
    assert redact_tokens("/p/short-typo/") == "/p/<token>/"
    assert redact_tokens("POST /p/form/ 302") == "POST /p/form/ 302"
    assert redact_tokens("GET /p/thanks/ 200 and /patients/12/") == "GET /p/thanks/ 200 and /patients/12/"
    # A 64-character hash is not a token.
    assert redact_tokens("a" * 64) == "a" * 64
