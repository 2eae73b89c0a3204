"""The layers the README draws are the layers the code has (.importlinter)."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".importlinter"
# In a child process: import-linter configures logging, which must not touch the suite's handlers.
LINT = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(sys.argv[1], no_cache=True))"


def _lint(where: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(where)}
    return subprocess.run(
        [sys.executable, "-c", LINT, str(CONFIG)], cwd=where, env=env, capture_output=True, text=True, check=False
    )


def _layered_modules() -> set[str]:
    parser = configparser.ConfigParser()
    parser.read(CONFIG)
    layers = parser["importlinter:contract:layers"]["layers"]
    return {name.strip() for line in layers.splitlines() for name in line.split("|") if name.strip()}


def test_no_app_imports_from_a_layer_above_it_or_from_a_sibling_and_no_panel_imports_views():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout


def test_every_app_and_top_level_module_of_clinic_has_a_place_in_the_layers():
    packages = {f"clinic.{p.name}" for p in (ROOT / "clinic").iterdir() if (p / "__init__.py").exists()}
    modules = {f"clinic.{p.stem}" for p in (ROOT / "clinic").glob("*.py") if p.stem != "__init__"}
    assert packages | modules == _layered_modules()


@pytest.mark.parametrize(
    ("lower", "higher"),
    [
        ("clinic.audit", "clinic.patients"),
        ("clinic.patients", "clinic.assessments"),
        ("clinic.lib", "clinic.ops"),
        ("clinic.dashboard", "clinic.oversight"),  # siblings on one line
        ("clinic.assessments.panels", "clinic.assessments.views"),
    ],
)
def test_the_contracts_refuse_an_upward_import(tmp_path, lower, higher):
    # A copy of the package with one import added must break a contract.
    shutil.copytree(ROOT / "clinic", tmp_path / "clinic", ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    parts = lower.split(".")[1:]
    package = tmp_path.joinpath("clinic", *parts)
    target = package / "upward.py" if package.is_dir() else package.with_suffix(".py")
    with target.open("a") as module:
        module.write(f"\nimport {higher}  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode == 1, result.stdout
    assert "BROKEN" in result.stdout
