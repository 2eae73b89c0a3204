"""Each rule is written once (issue 18, item 4): these find a second definition in clinic/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CLINIC = Path(__file__).resolve().parent.parent / "clinic"

# (what, a pattern that only the rule's one home may contain, the home, any other file allowed)
RULES = [
    ("the CSV formula guard", r"""\(\s*["']=["']\s*,\s*["']\+["']""", "lib/spreadsheet.py", ()),
    ("the changed-fields diff", r"getattr\(\w+, name\) != value", "lib/changes.py", ()),
    ("the QR renderer", r"^\s*(import segno|from segno)", "lib/qr.py", ()),
    (
        "patient link expiry",
        r"expires_at__lte|expires_at <=|expired_at is not None|expired_at__isnull\"?: False",
        "selfreport/models.py",
        ("accounts/invitations.py",),  # staff invitations: a different link with its own rule
    ),
    ("the vital-sign ranges", r"\"pulse\": \(\d+, \d+", "patients/models.py", ()),
]


def _sources():
    for path in CLINIC.rglob("*.py"):
        if "migrations" not in path.parts:
            yield path.relative_to(CLINIC).as_posix(), path.read_text()


@pytest.mark.parametrize(("what", "pattern", "home", "allowed"), RULES, ids=[r[0] for r in RULES])
def test_a_rule_is_written_in_its_one_home_only(what, pattern, home, allowed):
    found = {name for name, text in _sources() if re.search(pattern, text, re.M)}
    assert found - set(allowed) == {home}, f"{what} is written outside {home}: {sorted(found - {home})}"


def test_settings_define_the_middleware_once():
    settings = (CLINIC / "settings.py").read_text()
    assert len(re.findall(r"^MIDDLEWARE\s*[+]?=", settings, re.M)) == 1
