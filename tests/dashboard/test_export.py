"""Each list behind a number downloads as CSV: audited, and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

from clinic.audit.models import Action, AuditEvent
from clinic.lib.spreadsheet import safe_cell
from tests.conftest import make_patient
from tests.dashboard.helpers import CSV, record
from tests.patients.factories import make_use_report


def _rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_csv_has_every_patient_of_the_list_with_the_reasons_in_words(bob_client, clinic, alice):
    for i in range(60):  # more than one page of the list
        make_patient(clinic, f"R-{i:03}", name=f"Patient {i:03}", assigned_clinician=alice)
    severe = make_patient(clinic, "R-SEV", name="Sev Ere", assigned_clinician=alice)
    record(severe, alice, "COWS", 40)
    response = bob_client.get(CSV, {"metric": "in_care"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="steady-in-care-')
    assert "no-store" in response["Cache-Control"]
    rows = _rows(response)
    assert len(rows) == 61
    sev = next(row for row in rows if row["record_number"] == "R-SEV")
    assert sev["latest_cows_total"] == "40" and sev["latest_cows_band"] == "Severe"
    assert "Latest COWS is in the severe band (total 40). (" in sev["needs_attention"]


def test_downloading_a_csv_writes_an_export_event_that_names_the_list_not_the_patients(bob_client, bob, patient):
    bob_client.get(CSV, {"metric": "in_care"})
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.actor == bob and event.clinic_id == bob.clinic_id
    assert event.detail == "dashboard list CSV in_care, 1 patients"
    assert patient.name not in event.detail and patient.record_number not in event.detail


def test_cells_a_spreadsheet_would_run_as_formulas_are_defused(bob_client, clinic, alice):
    make_patient(clinic, "=1+1", name='=HYPERLINK("http://evil.example","click")', assigned_clinician=alice)
    make_patient(clinic, "@SUM", name="+cmd|' /C calc'!A0", assigned_clinician=alice)
    make_patient(clinic, "R-9", name="-2+3", assigned_clinician=alice)
    rows = _rows(bob_client.get(CSV, {"metric": "in_care"}))
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value
    assert {row["name"] for row in rows} == {
        '\'=HYPERLINK("http://evil.example","click")',
        "'+cmd|' /C calc'!A0",
        "'-2+3",
    }
    assert safe_cell(-3) == -3 and safe_cell("\tx") == "'\tx"


def test_co_use_reasons_in_the_csv_come_from_the_latest_use_report(bob_client, patient, alice):
    make_use_report(patient, alice, days_ago=2, alcohol="daily")
    make_use_report(patient, alice, days_ago=1, gabapentinoids="weekly")
    [row] = _rows(bob_client.get(CSV, {"metric": "depressant_occasional"}))
    assert "gabapentinoids" in row["needs_attention"] and "alcohol" not in row["needs_attention"]
