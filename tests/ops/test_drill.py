"""The fault drill (bench/drill.py) run for real: PostgreSQL restarted and a worker killed mid-stream.

It runs its own PostgreSQL cluster and gunicorn on 127.0.0.1, so it disturbs no other database.
The patient-form drill (the default: each patient opens their own link, confirms the date of
birth and sends SOWS) takes about half a minute at this size; the clinician COWS drill gets a short
run so that adapter keeps working.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from django.conf import settings

from bench.drill import postgres_bindir
from bench.targets import TARGETS


def run_drill(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "bench/drill.py", *args], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=300
    )


def count(output: str, scenario: str, name: str) -> int:
    section = output.split(f"scenario: {scenario} ", 1)[1]
    return int(re.search(rf"^  {name} +(\d+)", section, re.MULTILINE).group(1))


@pytest.fixture
def postgres_server_binaries():
    if postgres_bindir() is None:
        pytest.skip("no PostgreSQL server binaries (initdb) for the drill's own cluster")


def test_the_drill_explains_its_scenarios_and_targets():
    result = run_drill("--help")
    assert result.returncode == 0
    assert "postgres-restart" in result.stdout and "worker-kill" in result.stdout
    assert all(name in result.stdout for name in TARGETS)


def test_patients_sending_forms_through_a_postgres_restart_and_a_killed_worker_lose_and_duplicate_nothing(
    postgres_server_binaries,
):
    result = run_drill("--count", "100")

    lines = result.stdout.strip().splitlines()
    assert result.returncode == 0, result.stdout + result.stderr
    assert lines[0].startswith("drill: target patient-form, 100 submissions per scenario")
    assert lines[-1] == "verdict: PASS lost=0 duplicated=0"
    for scenario in ("postgres-restart", "worker-kill"):
        assert count(result.stdout, scenario, "sent") == 100
        assert count(result.stdout, scenario, "stored") >= count(result.stdout, scenario, "confirmed") > 0
    assert count(result.stdout, "postgres-restart", "resent") > 0  # the outage did cost confirmations
    assert "/healthz answered 503 while PostgreSQL was down" in result.stdout
    assert "patient names or record numbers found: 0" in result.stdout


def test_the_clinician_cows_drill_still_runs(postgres_server_binaries):
    result = run_drill("--target", "clinician-cows", "--scenario", "worker-kill", "--count", "20")

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "verdict: PASS lost=0 duplicated=0"
