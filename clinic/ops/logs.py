"""Structured logs: one JSON object per line on stdout, with no patient data in them.

What may appear: time, level, logger, a message, and for requests the method, a path in which
only numeric ids survive, the URL route, the status and the duration. Never query strings (search
terms and patient-link tokens live there), request bodies, or exception messages (a database
error's text can quote the row it refused): an exception is logged as its type and stack frames.

Pure Python, so gunicorn.conf.py can use the formatter before Django is loaded.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import traceback

# Extra attributes a log call may attach (logger.info(..., extra={...})) that reach the JSON line.
EXTRA_FIELDS = ("method", "path", "route", "status", "duration_ms")

# Third-party messages that quote the request line: keep the words, drop what follows them.
REDACTED_PREFIXES = (
    "Error handling request",  # gunicorn adds the method and the full URI with its query string
    "Invalid request from ip=",  # gunicorn adds the parser's complaint, which may quote the request
)


def safe_message(record: logging.LogRecord) -> str:
    message = record.getMessage()
    for prefix in REDACTED_PREFIXES:
        if message.startswith(prefix):
            return prefix.rstrip("=") + " (details withheld from the log)"
    return message


# A patient-link token: in a path under /p/ (but the fixed pages), or standing alone (43 URL-safe
# characters, what secrets.token_urlsafe(32) makes). Django's own warnings quote raw paths
# (django.security.csrf: "Forbidden (...): /p/<the token>/"), so every record passes through here.
_TOKEN_IN_PATH = re.compile(r"(?<=/p/)(?!(?:form|thanks)(?:/|$))[^/\s?#\"'<>]+")
_BARE_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")


def redact_tokens(text: str) -> str:
    return _BARE_TOKEN.sub("<token>", _TOKEN_IN_PATH.sub("<token>", text))


class RedactTokens(logging.Filter):
    """A handler filter: whatever logger wrote the record, no patient-link token leaves in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: keep its template, never its arguments
            message = str(record.msg)
        record.msg, record.args = redact_tokens(message), None
        for field in EXTRA_FIELDS:
            value = getattr(record, field, None)
            if isinstance(value, str):
                setattr(record, field, redact_tokens(value))
        return True


def safe_stack(exc_info) -> list[str]:
    """Where an exception happened, without its message or any local values."""
    _, _, tb = exc_info
    return [f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in traceback.extract_tb(tb)]


class JsonFormatter(logging.Formatter):
    """Formats every record as one line of JSON."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": safe_message(record),
        }
        for field in EXTRA_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__qualname__
            entry["stack"] = safe_stack(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)
