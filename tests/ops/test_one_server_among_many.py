"""Any app server can answer any request: nothing lives only on one server's disk or in its memory.

Guards for README "Growing past one machine". A request may land on another server (or a
restarted worker) than the one before it; whatever it needs must be in PostgreSQL.
"""

from __future__ import annotations

import re
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import models

CLINIC = Path(settings.BASE_DIR) / "clinic"
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.filebased.FileBasedCache",
}


def application_sources() -> list[Path]:
    # Management commands run by hand on one machine (backups) may write files; requests may not.
    return [
        path
        for path in CLINIC.rglob("*.py")
        if "migrations" not in path.parts and "management" not in path.parts and path.name != "settings.py"
    ]


def files_matching(pattern: str) -> list[str]:
    regex = re.compile(pattern)
    return [
        str(path.relative_to(settings.BASE_DIR)) for path in application_sources() if regex.search(path.read_text())
    ]


def test_sessions_are_kept_in_the_database():
    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert issubclass(store, db.SessionStore) and store.get_model_class() is Session
    # Flash messages ride in the cookie or the session, never in a server's memory.
    assert getattr(settings, "MESSAGE_STORAGE", "django.contrib.messages.storage.fallback.FallbackStorage") in {
        "django.contrib.messages.storage.fallback.FallbackStorage",
        "django.contrib.messages.storage.cookie.CookieStorage",
        "django.contrib.messages.storage.session.SessionStorage",
    }


def test_no_record_keeps_a_file_on_a_servers_disk():
    file_fields = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]
    assert file_fields == []


def test_no_request_writes_files():
    assert (
        files_matching(r"\bopen\([^)]*['\"][wax]b?\+?['\"]|\.write_(text|bytes)\(|default_storage|FileSystemStorage\(")
        == []
    )


def test_rate_limits_and_counters_live_in_the_database_not_a_per_process_cache():
    # Django's default cache is each process's own memory: a limit counted there would reset on
    # every server and every worker. Sign-in lockouts (django-axes) must use its database handler.
    if settings.CACHES["default"]["BACKEND"] in PER_PROCESS_CACHES:
        assert files_matching(r"django\.core\.cache|cache_page|\bcaches\[") == []
        assert getattr(settings, "AXES_HANDLER", "axes.handlers.database.AxesDatabaseHandler") != (
            "axes.handlers.cache.AxesCacheHandler"
        )
