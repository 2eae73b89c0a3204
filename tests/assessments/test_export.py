"""A patient's assessments as CSV: columns from the declaration, a local code system, audited."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.urls import reverse

from clinic.assessments.instruments import COWS, INSTRUMENTS, SOWS, SOWS_GOSSOP
from clinic.assessments.models import Assessment
from clinic.audit.models import AuditEvent
from tests.assessments.factories import assessment, local


def export_url(patient) -> str:
    return reverse("assessments:export", kwargs={"pk": patient.pk})


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_header_has_one_column_per_declared_item_of_every_instrument(alice_client, patient):
    response = alice_client.get(export_url(patient))
    header = next(csv.reader(io.StringIO(response.content.decode())))
    items = [h for h in header if "." in h]
    assert items == [f"{i.code}.{item.key}" for i in INSTRUMENTS.values() for item in i.items]
    assert len(items) == 11 + 16 + 10 + 10  # COWS, SOWS, SOWS-Gossop, CIWA-Ar


def test_each_assessment_is_a_row_with_its_answers_total_and_band_under_a_local_code(alice_client, alice, patient):
    Assessment.objects.bulk_create(
        [
            assessment(patient, COWS, local(2026, 1, 5, 9), 13, entered_by=alice, gooseflesh=3, hours=Decimal("30.5")),
            assessment(patient, SOWS, local(2026, 1, 5, 10), 20, entered_by=alice, craving=4),
            assessment(patient, SOWS_GOSSOP, local(2026, 1, 6, 10), 7, entered_by=alice),
        ]
    )
    response = alice_client.get(export_url(patient))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="assessments-r-0001.csv"'
    cows, sows, gossop = rows(response)
    assert cows["instrument_code"] == "urn:steady:instrument:COWS"
    assert sows["instrument_code"] == "urn:steady:instrument:SOWS"
    assert gossop["instrument_code"] == "urn:steady:instrument:SOWS_GOSSOP"
    assert (cows["total"], cows["band"], cows["band_label"], cows["hours_since_last_use"]) == (
        "13",
        "moderate",
        "Moderate",
        "30.5",
    )
    assert cows["taken_at"] == "2026-01-05T09:00:00-05:00" and cows["entered_by"] == "alice"
    assert cows["COWS.gooseflesh"] == "3" and cows["SOWS.craving"] == ""
    assert sum(int(cows[f"COWS.{item.key}"]) for item in COWS.items) == 13
    assert (sows["completed_by"], sows["band"], sows["SOWS.craving"], sows["COWS.gooseflesh"]) == (
        "patient",
        "",
        "4",
        "",
    )
    assert gossop["SOWS_GOSSOP.trouble_sleeping"] != "" and gossop["band_label"] == ""


def test_no_loinc_code_appears_in_the_export(alice_client, alice, patient):
    Assessment.objects.bulk_create([assessment(patient, COWS, local(2026, 1, 5), 13, entered_by=alice)])
    body = alice_client.get(export_url(patient)).content.decode().lower()
    assert "loinc" not in body and "72514-3" not in body


def test_cells_a_spreadsheet_would_run_as_formulas_are_defused(alice_client, alice, clinic, patient):
    patient.record_number = "=HYPERLINK(1)"
    patient.save()
    Assessment.objects.bulk_create([assessment(patient, COWS, local(2026, 1, 5), 13, entered_by=alice)])
    assert rows(alice_client.get(export_url(patient)))[0]["record_number"] == "'=HYPERLINK(1)"


def test_the_export_is_audited_as_an_export(alice_client, alice, patient):
    alice_client.get(export_url(patient))
    assert AuditEvent.objects.filter(actor=alice, action="export", patient_id=patient.pk).count() == 1


def test_the_outsider_and_the_clinic_admin_get_no_export(dave_client, carol_client, patient):
    assert dave_client.get(export_url(patient)).status_code == 404
    assert carol_client.get(export_url(patient)).status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()
