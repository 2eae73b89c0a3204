"""Recording and correcting visits from the patient page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.audit.models import Action, AuditEvent
from clinic.patients.models import Visit
from tests.patients.factories import local_input, make_visit


def visit_data(**extra) -> dict:
    data = {"kind": "intake", "occurred_at": local_input(timezone.now()), "notes": "", "plan": ""}
    data.update(extra)
    return data


def errors(response, name: str) -> list[str]:
    return response.context["form"].errors.get(name, [])


def test_the_visit_form_starts_at_now(alice_client, patient):
    response = alice_client.get(reverse("patients:visit_create", args=[patient.pk]))
    assert response.status_code == 200
    assert response.context["form"]["occurred_at"].value().date() == timezone.localdate()
    html = response.content.decode()
    assert "<legend" in html and "Vital signs (all optional)" in html


def test_a_clinician_records_an_intake_visit_with_vitals_plan_and_follow_up(alice_client, alice, patient):
    url = reverse("patients:visit_create", args=[patient.pk])
    follow_up = timezone.localdate() + dt.timedelta(days=7)
    response = alice_client.post(
        url,
        visit_data(
            pulse="96",
            bp_systolic="138",
            bp_diastolic="88",
            respiratory_rate="16",
            oxygen_saturation="97",
            temperature_c="36.9",
            notes="Uses tablets for back pain.",
            plan="Keep a use diary; talk again next week.",
            next_follow_up=follow_up.isoformat(),
        ),
    )
    visit = Visit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:detail", args=[patient.pk]) + f"#visit-{visit.pk}"
    assert visit.clinician == alice and visit.kind == "intake" and visit.pulse == 96
    assert str(visit.temperature_c) == "36.9" and visit.next_follow_up == follow_up
    assert AuditEvent.objects.filter(action=Action.CREATE, patient_id=patient.pk, object_type="patients.visit").exists()
    page = alice_client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert "Keep a use diary" in page and "BP 138/88 mmHg" in page


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("pulse", "720", "Pulse of 720 beats/min is outside the plausible range 20–250 beats/min"),
        ("respiratory_rate", "2", "Respiratory rate of 2 breaths/min is outside the plausible range 4–60"),
        ("oxygen_saturation", "101", "Oxygen saturation of 101 % is outside the plausible range 50–100"),
        ("temperature_c", "98.6", "Temperature of 98.6 °C is outside the plausible range 30.0–44.0"),
        ("bp_systolic", "400", "Systolic of 400 mmHg is outside the plausible range 50–260"),
    ],
)
def test_an_implausible_vital_sign_is_refused_with_a_clear_message(alice_client, patient, field, value, words):
    data = visit_data(**{field: value})
    if field == "bp_systolic":
        data["bp_diastolic"] = "80"
    response = alice_client.post(reverse("patients:visit_create", args=[patient.pk]), data)
    assert response.status_code == 200
    (message,) = errors(response, field)
    assert message.startswith(words) and "typing slip" in message
    assert not Visit.objects.exists()


def test_blood_pressure_needs_both_numbers_and_the_message_appears_once(alice_client, patient):
    response = alice_client.post(reverse("patients:visit_create", args=[patient.pk]), visit_data(bp_systolic="120"))
    assert errors(response, "bp_diastolic") == ["Give both numbers of the blood pressure, or neither."]
    assert not response.context["form"].non_field_errors()
    response = alice_client.post(
        reverse("patients:visit_create", args=[patient.pk]), visit_data(bp_systolic="80", bp_diastolic="120")
    )
    assert errors(response, "bp_diastolic") == ["The diastolic pressure must be lower than the systolic."]
    assert not Visit.objects.exists()


def test_the_next_follow_up_cannot_be_before_the_visit(alice_client, patient):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = alice_client.post(
        reverse("patients:visit_create", args=[patient.pk]), visit_data(next_follow_up=yesterday.isoformat())
    )
    assert errors(response, "next_follow_up") == ["The next follow-up cannot be before the visit."]


def test_a_visit_cannot_be_recorded_in_the_future_nor_without_kind_or_time(alice_client, patient):
    url = reverse("patients:visit_create", args=[patient.pk])
    response = alice_client.post(url, visit_data(occurred_at=local_input(timezone.now() + dt.timedelta(days=2))))
    assert errors(response, "occurred_at") == ["A visit cannot be recorded in the future."]
    response = alice_client.post(url, {"kind": "", "occurred_at": ""})
    assert errors(response, "occurred_at") == ["Enter the date and time of the visit."]
    assert errors(response, "kind")
    assert not Visit.objects.exists()


def test_a_recorded_visit_can_be_corrected_with_a_reason_and_keeps_its_clinician(bob_client, alice, patient):
    visit = make_visit(patient, alice, kind="intake", pulse=90)
    url = reverse("patients:visit_update", args=[patient.pk, visit.pk])
    form = bob_client.get(url)
    assert form.status_code == 200 and form.context["form"]["pulse"].value() == 90
    data = visit_data(kind="intake", occurred_at=local_input(visit.occurred_at), pulse="92", notes="Corrected.")
    refused = bob_client.post(url, data)
    assert refused.status_code == 200 and refused.context["reason_form"].errors["reason"]
    response = bob_client.post(url, {**data, "reason": "Pulse misread from the monitor."})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.pulse == 92 and visit.clinician == alice
    event = AuditEvent.objects.get(action=Action.UPDATE, object_type="patients.visit")
    assert event.detail == "amended: notes, pulse" and event.actor.username == "bob"


def test_a_visit_is_only_reachable_through_its_own_patient(alice_client, clinic, alice, patient):
    from tests.conftest import make_patient

    other = make_patient(clinic, "R-0002", assigned_clinician=alice)
    visit = make_visit(patient, alice)
    assert alice_client.get(reverse("patients:visit_update", args=[other.pk, visit.pk])).status_code == 404


def test_a_clinician_of_another_clinic_cannot_record_or_correct_visits(dave_client, alice, patient):
    visit = make_visit(patient, alice, pulse=80)
    assert dave_client.get(reverse("patients:visit_create", args=[patient.pk])).status_code == 404
    assert dave_client.post(reverse("patients:visit_create", args=[patient.pk]), visit_data()).status_code == 404
    url = reverse("patients:visit_update", args=[patient.pk, visit.pk])
    assert dave_client.post(url, visit_data(pulse="200")).status_code == 404
    visit.refresh_from_db()
    assert visit.pulse == 80 and Visit.objects.count() == 1


def test_visit_pages_take_only_get_and_post(alice_client, alice, patient):
    visit = make_visit(patient, alice)
    assert alice_client.delete(reverse("patients:visit_create", args=[patient.pk])).status_code == 405
    assert alice_client.delete(reverse("patients:visit_update", args=[patient.pk, visit.pk])).status_code == 405
    assert Visit.objects.count() == 1


# Temperature in °F: converted once to the °C the visit stores.


def _visit_post(patient, **extra) -> dict:
    return {"kind": "follow_up", "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), **extra}


def test_a_temperature_in_fahrenheit_is_stored_in_celsius(alice_client, patient):
    url = reverse("patients:visit_create", args=[patient.pk])
    response = alice_client.post(url, _visit_post(patient, temperature_c="98.6", temperature_scale="F"))
    assert response.status_code == 302
    assert str(Visit.objects.get(patient=patient).temperature_c) == "37.0"


def test_an_implausible_fahrenheit_reading_is_refused_in_fahrenheit(alice_client, patient):
    url = reverse("patients:visit_create", args=[patient.pk])
    response = alice_client.post(url, _visit_post(patient, temperature_c="37", temperature_scale="F"))
    assert response.status_code == 200
    assert response.context["form"].errors["temperature_c"] == [
        "Temperature of 37 °F is outside the plausible range 86.0–111.2 °F. Check for a typing slip."
    ]


def test_celsius_stays_the_default_unit(alice_client, patient):
    url = reverse("patients:visit_create", args=[patient.pk])
    assert alice_client.post(url, _visit_post(patient, temperature_c="37.2")).status_code == 302
    assert str(Visit.objects.get(patient=patient).temperature_c) == "37.2"
