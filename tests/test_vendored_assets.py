"""The vendored Bootstrap copy is exactly the reviewed one its record names."""

import hashlib
import re
from pathlib import Path

import pytest

VENDOR = Path(__file__).resolve().parent.parent / "static" / "vendor" / "bootstrap"


def _recorded_hashes() -> dict[str, str]:
    text = (VENDOR / "VENDORED.md").read_text()
    return {name: digest for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+)$", text, re.M)}


def test_the_record_names_every_vendored_file():
    on_disk = {str(p.relative_to(VENDOR)) for p in (VENDOR / "css").iterdir()}
    assert set(_recorded_hashes()) == on_disk


@pytest.mark.parametrize("name", sorted(_recorded_hashes()))
def test_each_vendored_file_matches_its_recorded_hash(name):
    digest = hashlib.sha256((VENDOR / name).read_bytes()).hexdigest()
    assert digest == _recorded_hashes()[name], f"{name} differs from the reviewed copy"


def test_the_licence_travels_with_the_copy():
    assert "MIT License" in (VENDOR / "LICENSE").read_text()
    assert "v5.3.8" in (VENDOR / "css" / "bootstrap.min.css").read_text()[:200]
