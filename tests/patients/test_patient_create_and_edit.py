"""Adding and editing patients: validation next to each field, and no silent overwrite."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clinic.accounts.models import Role
from clinic.audit.models import Action, AuditEvent
from clinic.patients import services
from clinic.patients.models import Patient
from tests.conftest import make_patient, make_staff

CREATE = reverse("patients:create")


def patient_data(**extra) -> dict:
    data = {
        "name": "Morgan Lee",
        "record_number": "R-0100",
        "date_of_birth": "1990-02-03",
        "preferred_language": "es",
        "phone": "555-0142",
        "email": "morgan@example.org",
        "status": "active",
        "assigned_clinician": "",
    }
    data.update(extra)
    return data


def edit_data(patient: Patient, **extra) -> dict:
    data = {
        "name": patient.name,
        "record_number": patient.record_number,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "preferred_language": patient.preferred_language,
        "phone": patient.phone,
        "email": patient.email,
        "status": patient.status,
        "assigned_clinician": patient.assigned_clinician_id or "",
        "version": patient.version,
    }
    data.update(extra)
    return data


def field_errors(response, name: str) -> list[str]:
    return response.context["form"].errors.get(name, [])


# Creating


def test_the_new_patient_form_opens_on_get(alice_client):
    response = alice_client.get(CREATE)
    assert response.status_code == 200
    assert b"<legend" in response.content  # the language radios are grouped under a legend


def test_a_clinician_adds_a_patient_and_lands_on_the_patient_page(alice_client, alice, clinic):
    response = alice_client.post(CREATE, patient_data(assigned_clinician=alice.pk))
    patient = Patient.objects.get(record_number="R-0100")
    assert response.status_code == 302 and response["Location"] == reverse("patients:detail", args=[patient.pk])
    assert patient.clinic == clinic and patient.assigned_clinician == alice
    assert patient.preferred_language == "es" and patient.version == 1
    assert AuditEvent.objects.filter(action=Action.CREATE, patient_id=patient.pk, actor=alice).exists()


def test_a_supervisor_can_add_a_patient_too(bob_client, erin):
    assert bob_client.post(CREATE, patient_data(assigned_clinician=erin.pk)).status_code == 302


def test_a_date_of_birth_in_the_future_is_refused_next_to_the_field(alice_client):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = alice_client.post(CREATE, patient_data(date_of_birth=tomorrow.isoformat()))
    assert response.status_code == 200
    assert field_errors(response, "date_of_birth") == ["The date of birth cannot be in the future."]
    assert b"The date of birth cannot be in the future." in response.content
    assert not Patient.objects.exists()


def test_an_empty_or_blank_name_is_refused(alice_client):
    for name in ("", "   "):
        response = alice_client.post(CREATE, patient_data(name=name))
        assert field_errors(response, "name") == ["Enter the patient's name."]
    assert not Patient.objects.exists()


def test_a_record_number_already_used_in_the_clinic_is_refused_whatever_its_case(alice_client, clinic):
    make_patient(clinic, "R-0100")
    response = alice_client.post(CREATE, patient_data(record_number="r-0100"))
    assert field_errors(response, "record_number") == [
        "Record number r-0100 is already used by another patient at this clinic."
    ]
    assert Patient.objects.count() == 1


def test_the_same_record_number_at_another_clinic_is_fine(alice_client, other_clinic):
    make_patient(other_clinic, "R-0100")
    assert alice_client.post(CREATE, patient_data()).status_code == 302


def test_a_clinician_of_another_clinic_cannot_be_assigned(alice_client, dave):
    response = alice_client.post(CREATE, patient_data(assigned_clinician=dave.pk))
    assert field_errors(response, "assigned_clinician") == ["Choose an active clinician of this clinic."]
    assert not Patient.objects.exists()


def test_a_supervisor_or_a_deactivated_clinician_cannot_be_assigned(alice_client, bob, clinic):
    gone = make_staff(clinic, "gone", Role.CLINICIAN, is_active=False)
    for user in (bob, gone):
        response = alice_client.post(CREATE, patient_data(assigned_clinician=user.pk))
        assert field_errors(response, "assigned_clinician") == ["Choose an active clinician of this clinic."]
    assert not Patient.objects.exists()


def test_an_implausible_phone_number_is_refused(alice_client):
    response = alice_client.post(CREATE, patient_data(phone="call me"))
    assert field_errors(response, "phone")


def test_the_service_refuses_what_the_form_would_even_without_the_form(clinic, dave, alice):
    with pytest.raises(ValidationError) as caught:
        services.patient_create(
            request=None,
            clinic=clinic,
            record_number="R-9",
            name="X",
            date_of_birth=timezone.localdate() + dt.timedelta(days=3),
            assigned_clinician=dave,
        )
    assert set(caught.value.message_dict) == {"date_of_birth", "assigned_clinician"}
    make_patient(clinic, "R-9")
    with pytest.raises(ValidationError) as caught:
        services.patient_create(
            request=None, clinic=clinic, record_number="r-9", name="Y", date_of_birth=dt.date(1990, 1, 1)
        )
    assert "record_number" in caught.value.message_dict
    assert Patient.objects.count() == 1


def test_a_clinic_admin_cannot_add_patients(carol_client):
    assert carol_client.get(CREATE).status_code == 403
    assert carol_client.post(CREATE, patient_data()).status_code == 403
    assert not Patient.objects.exists()


def test_other_methods_than_get_and_post_are_refused(alice_client):
    assert alice_client.put(CREATE).status_code == 405


# Editing


def test_the_edit_form_shows_the_patient_and_carries_its_version(alice_client, patient):
    response = alice_client.get(reverse("patients:update", args=[patient.pk]))
    assert response.status_code == 200
    assert b'name="version" value="1"' in response.content
    assert patient.name.encode() in response.content
    assert AuditEvent.objects.filter(action=Action.VIEW, patient_id=patient.pk, detail="patient edit form").exists()


def test_editing_saves_bumps_the_version_and_audits_which_fields_changed(alice_client, alice, erin, patient):
    url = reverse("patients:update", args=[patient.pk])
    response = alice_client.post(url, edit_data(patient, status="tapering", assigned_clinician=erin.pk))
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.status == "tapering" and patient.assigned_clinician == erin and patient.version == 2
    event = AuditEvent.objects.get(action=Action.UPDATE, patient_id=patient.pk)
    assert event.detail == "changed assigned_clinician, status"


def test_editing_keeps_its_own_record_number_but_refuses_another_patients(alice_client, clinic, patient):
    make_patient(clinic, "R-0002", name="Other Person")
    url = reverse("patients:update", args=[patient.pk])
    assert alice_client.post(url, edit_data(patient, record_number=patient.record_number.lower())).status_code == 302
    patient.refresh_from_db()
    response = alice_client.post(url, edit_data(patient, record_number="r-0002"))
    assert field_errors(response, "record_number")


def test_a_save_that_changes_nothing_keeps_the_version(alice_client, patient):
    alice_client.post(reverse("patients:update", args=[patient.pk]), edit_data(patient))
    patient.refresh_from_db()
    assert patient.version == 1


def test_an_edit_without_its_version_is_refused(alice_client, patient):
    data = edit_data(patient, name="Changed")
    del data["version"]
    response = alice_client.post(reverse("patients:update", args=[patient.pk]), data)
    assert response.status_code == 200 and field_errors(response, "version")
    patient.refresh_from_db()
    assert patient.name == "Jordan Avery"


def test_a_clinician_of_another_clinic_cannot_open_or_save_the_edit_form(dave_client, patient):
    url = reverse("patients:update", args=[patient.pk])
    assert dave_client.get(url).status_code == 404
    assert dave_client.post(url, edit_data(patient, name="Hijacked")).status_code == 404
    patient.refresh_from_db()
    assert patient.name == "Jordan Avery" and patient.version == 1


def test_a_deactivated_assigned_clinician_must_be_replaced_on_edit(alice_client, clinic, patient):
    gone = make_staff(clinic, "gone", Role.CLINICIAN, first_name="Gina", last_name="Gone")
    Patient.objects.filter(pk=patient.pk).update(assigned_clinician=gone)
    gone.is_active = False
    gone.save()
    patient.refresh_from_db()
    url = reverse("patients:update", args=[patient.pk])
    assert b"Gina Gone can no longer hold a caseload" in alice_client.get(url).content


# Two people editing at once


def test_the_second_of_two_concurrent_edits_is_refused_and_shows_both_versions(alice_client, bob_client, bob, patient):
    url = reverse("patients:update", args=[patient.pk])
    loaded_by_alice = edit_data(patient)  # both open the form at version 1
    assert bob_client.post(url, edit_data(patient, phone="555-0101", status="tapering")).status_code == 302

    response = alice_client.post(url, {**loaded_by_alice, "phone": "555-0202"})

    assert response.status_code == 200
    patient.refresh_from_db()
    assert patient.phone == "555-0101" and patient.status == "tapering" and patient.version == 2
    html = response.content.decode()
    assert "someone else saved this patient while you were editing" in html
    assert "Bob Okafor saved it" in html
    rows = {row["label"]: (row["saved"], row["attempted"]) for row in response.context["conflict"]["rows"]}
    assert rows == {"Phone": ("555-0101", "555-0202"), "Status": ("Tapering", "Active")}
    # The form now starts from the newer saved values and version, ready for a deliberate re-apply.
    assert 'name="version" value="2"' in html
    assert response.context["form"]["phone"].value() == "555-0101"
    assert not AuditEvent.objects.filter(action=Action.UPDATE, actor__username="alice").exists()


def test_after_reviewing_a_conflict_the_editor_can_re_apply_her_change(alice_client, bob_client, patient):
    url = reverse("patients:update", args=[patient.pk])
    stale = edit_data(patient, phone="555-0202")
    bob_client.post(url, edit_data(patient, status="tapering"))
    alice_client.post(url, stale)  # refused
    patient.refresh_from_db()
    assert alice_client.post(url, edit_data(patient, phone="555-0202")).status_code == 302
    patient.refresh_from_db()
    assert patient.phone == "555-0202" and patient.status == "tapering" and patient.version == 3


def test_the_update_service_refuses_a_stale_version(patient):
    services.patient_update(request=None, patient=patient, fields={"name": "First Save"}, expected_version=1)
    with pytest.raises(services.PatientChanged) as caught:
        services.patient_update(request=None, patient=patient, fields={"name": "Second Save"}, expected_version=1)
    assert caught.value.current.name == "First Save"
    patient.refresh_from_db()
    assert patient.name == "First Save" and patient.version == 2


def test_discharging_a_patient_says_what_will_happen_and_only_the_confirmation_saves(alice_client, patient):
    from django.urls import reverse as _reverse

    url = _reverse("patients:update", args=[patient.pk])
    data = {
        "name": patient.name,
        "record_number": patient.record_number,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "preferred_language": "en",
        "status": "discharged",
        "assigned_clinician": str(patient.assigned_clinician_id),
        "version": str(patient.version),
    }
    asked = alice_client.post(url, data)
    assert asked.status_code == 200 and "What will happen" in asked.content.decode()
    patient.refresh_from_db()
    assert patient.status == "active"
    assert alice_client.post(url, {**data, "confirm_discharge": "on"}).status_code == 302
    patient.refresh_from_db()
    assert patient.status == "discharged"
