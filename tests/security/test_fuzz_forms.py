"""Every form of every app, fuzzed: hostile input never causes a server error or a partial save."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.matrix import setup_world
from tests.security.fuzz import fuzz, load_targets

TARGETS = load_targets()


@pytest.fixture
def world(clinic, other_clinic, alice, bob, carol, dave, erin, patient, dave_patient):
    return setup_world(
        SimpleNamespace(
            clinic=clinic,
            other_clinic=other_clinic,
            alice=alice,
            bob=bob,
            carol=carol,
            dave=dave,
            erin=erin,
            patient=patient,
            dave_patient=dave_patient,
        )
    )


def test_every_fuzz_target_has_a_unique_name():
    names = [target.name for target in TARGETS]
    assert len(names) == len(set(names))


@pytest.mark.slow
@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
def test_hostile_input_never_causes_a_server_error_or_a_partial_save(world, target):
    fuzz(target, world)
