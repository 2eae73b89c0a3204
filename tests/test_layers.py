"""The layers the README draws are the layers the code has (.importlinter)."""

from __future__ import annotations

import configparser
import shutil
import sys
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".importlinter"


def _layered_modules() -> set[str]:
    parser = configparser.ConfigParser()
    parser.read(CONFIG)
    layers = parser["importlinter:contract:layers"]["layers"]
    return {name.strip() for line in layers.splitlines() for name in line.split("|") if name.strip()}


def test_no_app_imports_from_a_layer_above_it_or_from_a_sibling(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(CONFIG), no_cache=True, no_logo=True) == 0, (
        "an import points up the layers in .importlinter (run lint-imports to see which)"
    )


def test_every_app_and_top_level_module_of_clinic_has_a_place_in_the_layers():
    packages = {f"clinic.{p.name}" for p in (ROOT / "clinic").iterdir() if (p / "__init__.py").exists()}
    modules = {f"clinic.{p.stem}" for p in (ROOT / "clinic").glob("*.py") if p.stem != "__init__"}
    assert packages | modules == _layered_modules()


@pytest.mark.parametrize(
    ("lower", "higher"),
    [("clinic.audit", "clinic.patients"), ("clinic.patients", "clinic.assessments"), ("clinic.lib", "clinic.ops")],
)
def test_the_contract_refuses_an_upward_import(tmp_path, monkeypatch, lower, higher):
    # A copy of the package with one upward import added must break the contract.
    copy = tmp_path / "clinic"
    shutil.copytree(ROOT / "clinic", copy, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    target = copy.joinpath(*lower.split(".")[1:], "upward.py")
    target.write_text(f"import {higher}  # noqa\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in list(sys.modules) if m == "clinic" or m.startswith("clinic.")]:
        monkeypatch.delitem(sys.modules, name)
    assert lint_imports(config_filename=str(CONFIG), no_cache=True, no_logo=True) == 1
