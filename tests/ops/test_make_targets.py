"""The README's commands: what `make` would run, read from the Makefile itself (make -n)."""

import shutil
import subprocess  # nosec B404
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="no make on this machine")


def _plan(*args: str) -> str:
    # -n prints the commands without running them; -W pretends the virtualenv is up to date.
    return subprocess.run(  # nosec B603 B607
        ["make", "-n", "-W", "requirements.txt", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


def test_make_run_on_another_port_serves_there_and_links_point_there():
    plan = _plan("run", "PORT=8101")
    assert "runserver 127.0.0.1:8101" in plan
    assert 'SITE_URL="${SITE_URL:-http://127.0.0.1:8101}"' in plan
    assert "8000" not in plan


def test_installs_use_the_pinned_pip_and_never_build_a_package():
    makefile = (ROOT / "Makefile").read_text()
    assert "PIP_VERSION := " in makefile and "pip==$(PIP_VERSION)" in makefile
    for line in _plan("test").splitlines():
        if "pip install" in line and "-r requirements" in line:
            assert "--only-binary=:all:" in line


def test_make_serve_migrates_as_the_owner_and_serves_as_the_restricted_role():
    plan = _plan("serve", "DATABASE_URL=postgres://postgres@127.0.0.1:5432/steady")
    migrate, grant, serve = (
        next(line for line in plan.splitlines() if marker in line)
        for marker in ("manage.py migrate", "grant_app_role steady_app", "gunicorn")
    )
    assert 'DATABASE_URL="$owner"' in migrate and 'DATABASE_URL="$owner"' in grant
    assert 'DATABASE_URL="$app"' in serve
    assert 'AUDIT_HMAC_KEY="${AUDIT_HMAC_KEY:-$(cat .audit_hmac_key)}"' in serve
