"""Supervisors and clinic admins search their clinic's audit trail and export it as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse

from clinic.audit.models import Action, AuditEvent
from clinic.audit.services import audit_record
from tests.conftest import make_patient


@pytest.fixture
def events(alice, bob, erin, dave, patient, dave_patient, clinic):
    second = make_patient(clinic, record_number="R-0002", name="Casey Lee", assigned_clinician=erin)
    moments = {}
    for day, actor, obj, action, detail in [
        (dt.datetime(2026, 1, 5, 15, tzinfo=dt.UTC), alice, patient, Action.VIEW, "patient page"),
        (dt.datetime(2026, 1, 6, 15, tzinfo=dt.UTC), alice, patient, Action.UPDATE, "changed status"),
        (dt.datetime(2026, 1, 7, 15, tzinfo=dt.UTC), erin, second, Action.VIEW, "patient page"),
        (dt.datetime(2026, 1, 8, 15, tzinfo=dt.UTC), bob, patient, Action.VIEW, "patient page"),
        (dt.datetime(2026, 1, 8, 16, tzinfo=dt.UTC), dave, dave_patient, Action.VIEW, "hillcrest page"),
    ]:
        with time_machine.travel(day, tick=False):
            moments[(actor.username, action, obj.pk)] = audit_record(
                request=None, action=action, actor=actor, obj=obj, detail=detail
            )
    return moments


def _details(response) -> list[str]:
    # Signing the test client in is itself audited; leave those rows out.
    return [event.detail for event, _ in response.context["rows"] if event.action != Action.SIGN_IN]


def test_a_supervisor_sees_her_clinics_trail_newest_first_and_nothing_of_another_clinic(bob_client, events):
    response = bob_client.get(reverse("audit:list"))
    assert response.status_code == 200
    assert _details(response) == ["patient page", "patient page", "changed status", "patient page"]
    assert b"hillcrest" not in response.content


def test_a_clinic_admin_may_search_too_but_a_clinician_may_not(carol_client, alice_client):
    assert carol_client.get(reverse("audit:list")).status_code == 200
    assert alice_client.get(reverse("audit:list")).status_code == 403
    assert alice_client.get(reverse("audit:export")).status_code == 403


def test_search_by_person(bob_client, alice, events):
    response = bob_client.get(reverse("audit:list"), {"person": alice.pk})
    assert _details(response) == ["changed status", "patient page"]


@pytest.mark.parametrize("query", ["R-0001", "r-0001", "patient-pk"])
def test_search_by_patient_number_or_record_number(bob_client, patient, events, query):
    response = bob_client.get(reverse("audit:list"), {"patient": str(patient.pk) if query == "patient-pk" else query})
    assert len(response.context["rows"]) == 3
    assert all(event.patient_id == patient.pk for event, _ in response.context["rows"])
    assert b"record R-0001" in response.content


def test_search_by_action_and_date_range(bob_client, events):
    assert _details(bob_client.get(reverse("audit:list"), {"action": Action.UPDATE})) == ["changed status"]
    # 7 January in New York: only Erin's view.
    response = bob_client.get(reverse("audit:list"), {"date_from": "2026-01-07", "date_to": "2026-01-07"})
    assert [event.username for event, _ in response.context["rows"]] == ["erin"]


def test_an_end_date_before_the_start_is_explained_next_to_the_field(bob_client, events):
    response = bob_client.get(reverse("audit:list"), {"date_from": "2026-01-08", "date_to": "2026-01-01"})
    assert b"The end date is before the start date" in response.content
    assert response.context["rows"] == []


def test_the_trail_is_paginated_with_a_flat_number_of_queries(bob_client, bob, patient, django_assert_max_num_queries):
    for n in range(120):
        audit_record(request=None, action=Action.VIEW, actor=bob, obj=patient, detail=f"page {n}")
    with django_assert_max_num_queries(12):
        first = bob_client.get(reverse("audit:list"), {"action": Action.VIEW})
    assert len(first.context["rows"]) == 50
    assert b"page 119" in first.content and b"page 69" not in first.content
    with django_assert_max_num_queries(12):
        third = bob_client.get(reverse("audit:list"), {"action": Action.VIEW, "page": 3})
    # 120 views, and opening the first page was a view too.
    assert len(third.context["rows"]) == 21
    assert b"action=view&amp;page=2" in third.content


def test_the_export_is_a_csv_of_the_search_and_is_itself_audited(bob_client, bob, alice, events):
    response = bob_client.get(reverse("audit:export"), {"person": alice.pk})
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="steady-audit-')
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["time", "person", "action"]
    assert [row[6] for row in rows[1:]] == ["changed status", "patient page"]
    export = AuditEvent.objects.get(action=Action.EXPORT)
    assert export.actor == bob and export.detail == "audit trail CSV; filters: person"


def test_the_export_cannot_smuggle_a_spreadsheet_formula(bob_client, clinic, alice):
    # Names typed at a failed sign-in are the attacker's to choose.
    audit_record(request=None, action=Action.SIGN_IN_FAILED, clinic=clinic, username='=HYPERLINK("http://evil")')
    audit_record(request=None, action=Action.VIEW, actor=alice, detail="@SUM(1+1)")
    rows = list(csv.reader(io.StringIO(bob_client.get(reverse("audit:export")).content.decode())))
    cells = [cell for row in rows[1:] for cell in row]
    assert '\'=HYPERLINK("http://evil")' in cells and "'@SUM(1+1)" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_a_clinic_admin_sees_sign_ins_and_account_changes_but_no_clinical_event(carol_client, carol, alice, events):
    audit_record(request=None, action=Action.SIGN_IN, actor=alice, detail="password accepted")
    audit_record(request=None, action=Action.UPDATE, actor=carol, obj=alice, detail="changed role")
    response = carol_client.get(reverse("audit:list"))
    details = _details(response)
    assert "changed role" in details and "patient page" not in details and "changed status" not in details
    assert {event.action for event, _ in response.context["rows"]} <= {Action.SIGN_IN, Action.UPDATE, Action.VIEW}
    assert all(event.patient_id is None for event, _ in response.context["rows"])
    exported = carol_client.get(reverse("audit:export")).content.decode()
    assert "patient page" not in exported and "changed status" not in exported and "changed role" in exported


@pytest.mark.parametrize("query", ["R-0001", "r-0001", "patient-pk"])
def test_a_clinic_admin_cannot_learn_who_is_a_patient_by_searching_a_record_number(
    carol_client, patient, events, query
):
    value = str(patient.pk) if query == "patient-pk" else query
    response = carol_client.get(reverse("audit:list"), {"patient": value})
    assert "patient" not in response.context["form"].fields
    assert b"record R-0001" not in response.content and b"Jordan" not in response.content
    assert all(event.patient_id is None for event, _ in response.context["rows"])
    exported = carol_client.get(reverse("audit:export"), {"patient": value}).content.decode()
    assert "patient page" not in exported
