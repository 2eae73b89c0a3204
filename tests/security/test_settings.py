"""Production configuration, checked by importing the settings in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess  # nosec B404 - runs our own manage.py and settings with fixed arguments
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 20 + "-production-only-not-really-secret-" + "q" * 20,
    "ALLOWED_HOSTS": "steady.example.org",
    "SITE_URL": "https://steady.example.org",
    "AUDIT_HMAC_KEY": "a" * 20 + "-audit-key-not-really-secret-" + "z" * 20,
}
PROBE = """
import json
from clinic import settings as s
print(json.dumps({name: getattr(s, name, None) for name in [
    "DEBUG", "REQUIRE_2FA", "SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME", "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_HTTPONLY", "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_AGE", "SESSION_EXPIRE_AT_BROWSER_CLOSE", "SITE_URL",
]}))
"""


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    # Only what the process needs: the test run's own variables (DEBUG, DJANGO_ALLOW_ASYNC_UNSAFE
    # set by the browser tests...) must not leak into "production".
    base = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    return subprocess.run(  # nosec B603 - fixed arguments, no shell
        [sys.executable, *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def _settings(env: dict[str, str]) -> dict:
    result = _run(["-c", PROBE], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_settings_require_two_factor_and_secure_host_only_cookies():
    values = _settings(PRODUCTION)
    assert values["REQUIRE_2FA"] is True
    assert values["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert values["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["CSRF_COOKIE_HTTPONLY"]
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    # Both cookies end with the browser (shared clinic computers).
    assert values["CSRF_COOKIE_AGE"] is None and values["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True


def test_production_refuses_to_start_without_an_explicit_site_url():
    without = {name: value for name, value in PRODUCTION.items() if name != "SITE_URL"}
    result = _run(["-c", "import clinic.settings"], without)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SITE_URL is not set" in result.stderr
    assert _settings(PRODUCTION)["SITE_URL"] == "https://steady.example.org"
    assert _settings({"DEBUG": "1"})["SITE_URL"] == "http://127.0.0.1:8000"


def test_two_factor_can_be_switched_on_for_development_and_is_off_by_default_there():
    assert _settings({"DEBUG": "1"})["REQUIRE_2FA"] is False
    assert _settings({"DEBUG": "1", "REQUIRE_2FA": "1"})["REQUIRE_2FA"] is True


def test_the_ssl_redirect_can_be_left_to_a_proxy():
    assert _settings({**PRODUCTION, "SECURE_SSL_REDIRECT": "0"})["SECURE_SSL_REDIRECT"] is False


@pytest.mark.parametrize("hosts", ["steady.example.org", "127.0.0.1,steady.example.org", "*"])
def test_debug_is_refused_with_a_public_host(hosts):
    result = _run(["-c", "import clinic.settings"], {"DEBUG": "1", "ALLOWED_HOSTS": hosts})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "DEBUG=1 is refused" in result.stderr


def test_debug_is_allowed_on_a_developers_machine():
    assert _settings({"DEBUG": "1", "ALLOWED_HOSTS": "localhost,127.0.0.1,steady.localhost"})["DEBUG"] is True


def test_the_deployment_checklist_passes_with_production_settings():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_gunicorn_sends_no_server_header():
    # gunicorn.conf.py is what `make serve` and production start gunicorn with.
    result = _run(
        [
            "-c",
            "import runpy, types\n"
            "from gunicorn.http import wsgi\n"
            "runpy.run_path('gunicorn.conf.py')\n"
            "request = types.SimpleNamespace(version=(1, 1), method='GET', should_close=lambda: False)\n"
            "response = wsgi.Response(request, None, None)\n"
            "response.status = '200 OK'\n"
            "response.force_close()\n"
            "print(''.join(response.default_headers()))",
        ],
        {},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("HTTP/1.1 200 OK") and "Date:" in result.stdout
    assert "server" not in result.stdout.lower()


def test_make_serve_names_the_site_url_explicitly():
    makefile = (ROOT / "Makefile").read_text()
    assert 'SITE_URL="$${SITE_URL:-http://127.0.0.1:8000}"' in makefile.split("PROD_ENV = ", 1)[1].split("\n\n")[0]
