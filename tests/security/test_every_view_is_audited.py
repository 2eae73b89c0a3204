"""Every page that shows a patient's data, and every oversight page, leaves a row in the audit trail.

The pages come from the permission matrix, which `test_permission_matrix.py` proves covers every
URL pattern of the project; no list of pages is kept here. A page counts as showing patient data
when it is reached through a patient's object (a "scoped" route of the patient-facing roles) or
when its body names the world's patient.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse

from clinic.audit.models import AuditEvent
from tests.conftest import signed_in
from tests.matrix import CLINICIAN, OVERSIGHT, Route, all_routes, setup_world

GETS = [route for route in all_routes() if route.method == "GET" and not route.public]
PATIENT_SCOPED = [route for route in GETS if route.scoped and CLINICIAN in route.allowed]
OVERSIGHT_PAGES = [route for route in GETS if route.allowed == OVERSIGHT]
# Content every clinic shares, or the staff's own settings: nothing of a patient on them.
NOT_PATIENT_DATA = {"guidance:provider_update"}


@pytest.fixture
def world(clinic, other_clinic, alice, bob, carol, dave, patient, dave_patient):
    return setup_world(
        SimpleNamespace(
            clinic=clinic,
            other_clinic=other_clinic,
            alice=alice,
            bob=bob,
            carol=carol,
            dave=dave,
            patient=patient,
            dave_patient=dave_patient,
        )
    )


def _open(user, route: Route, world):
    url = reverse(route.name, kwargs=route.kwargs(world) if route.kwargs else None)
    client = signed_in(user)
    last = AuditEvent.objects.order_by("pk").values_list("pk", flat=True).last() or 0
    response = client.get(url)
    return response, list(AuditEvent.objects.filter(pk__gt=last, actor=user))


def test_the_guard_covers_the_pages_that_were_once_missed():
    names = {route.name for route in PATIENT_SCOPED}
    assert {
        "guidance:taper_create",
        "guidance:taper_update",
        "guidance:step_create",
        "guidance:step_update",
        "guidance:review_create",
        "guidance:referral_create",
        "selfreport:link_issue",
    } <= names
    assert {"audit:list", "lockout_list"} <= {route.name for route in OVERSIGHT_PAGES}


@pytest.mark.parametrize(
    "route", [r for r in PATIENT_SCOPED if r.name not in NOT_PATIENT_DATA], ids=lambda r: f"{r.name} {r.id}"
)
def test_opening_a_patient_scoped_page_writes_an_audit_row_naming_the_patient(world, route):
    response, events = _open(world.alice, route, world)
    assert response.status_code == 200, f"{route.name} answered {response.status_code}"
    assert any(event.patient_id == world.patient.pk for event in events), f"{route.name} wrote no audit row"


@pytest.mark.parametrize("route", [r for r in GETS if CLINICIAN in r.allowed], ids=lambda r: f"{r.name} {r.id}")
def test_any_page_that_shows_a_patients_name_writes_an_audit_row(world, route):
    response, events = _open(world.bob, route, world)
    content = response.content if response.status_code == 200 else b""
    shown = world.patient.name.encode() in content or world.patient.record_number.encode() in content
    assert events or not shown, f"{route.name} shows {world.patient.name} and wrote no audit row"


@pytest.mark.parametrize("route", OVERSIGHT_PAGES, ids=lambda r: r.name)
@pytest.mark.parametrize("role", ["bob", "carol"])
def test_viewing_the_audit_trail_or_the_lockouts_is_itself_recorded(world, route, role):
    response, events = _open(getattr(world, role), route, world)
    assert response.status_code == 200
    assert events, f"{route.name} wrote no audit row"
