"""Posting another clinic's ids, or fields a form does not offer, changes nothing of theirs.

The forms that take an id, and where each is proved:
- staff create/edit (clinic, smuggled): here;
- patient create/edit, assigned_clinician: tests/patients/test_patient_create_and_edit.py (create), here (edit);
- assessment record, visit: tests/assessments/test_record_views.py (another patient's), here (Hillcrest's);
- referral create, provider: tests/guidance/test_referrals.py;
- the patient's form, patient/link ids: tests/selfreport/test_patient_side.py;
- audit search, person/patient: here;
- every POST route with Hillcrest's ids in every id-like field: tests/test_permission_matrix.py;
- every form, fuzzed with Hillcrest's ids smuggled in: tests/<app>/fuzz_targets.py.
"""

from __future__ import annotations

from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from clinic.accounts.models import Role, User
from clinic.assessments.instruments import COWS
from clinic.assessments.models import Assessment
from clinic.audit.models import Action, AuditEvent
from clinic.audit.services import audit_record
from clinic.patients.models import Visit
from tests.assessments.factories import form_data, lowest


def test_a_new_staff_member_always_joins_the_admins_own_clinic(carol_client, carol, other_clinic):
    carol_client.post(
        reverse("staff_invite"),
        {
            "first_name": "Frank",
            "email": "frank@riverside.example",
            "username": "frank",
            "role": Role.CLINICIAN,
            "password": "a-long-enough-passphrase",
            "clinic": other_clinic.pk,
            "clinic_id": other_clinic.pk,
            "is_superuser": "on",
            "is_staff": "on",
        },
    )
    frank = User.objects.get(email="frank@riverside.example")
    assert frank.clinic == carol.clinic and frank.username == "frank@riverside.example"
    assert not frank.has_usable_password()
    assert not frank.is_superuser and not frank.is_staff


def test_editing_staff_ignores_clinic_username_and_superuser_fields(carol_client, alice, other_clinic):
    carol_client.post(
        reverse("staff_update", args=[alice.pk]),
        {
            "first_name": "Alice",
            "last_name": "Moreno",
            "role": Role.CLINICIAN,
            "is_active": "on",
            "clinic": other_clinic.pk,
            "username": "root",
            "is_superuser": "on",
            "password": "x",
        },
    )
    alice.refresh_from_db()
    assert alice.clinic_id != other_clinic.pk and alice.username == "alice" and not alice.is_superuser


def test_an_unknown_role_is_refused(carol_client):
    response = carol_client.post(
        reverse("staff_invite"), {"first_name": "Frank", "email": "frank@riverside.example", "role": "superuser"}
    )
    assert b"Select a valid choice" in response.content
    assert not User.objects.filter(email="frank@riverside.example").exists()


def test_the_audit_browser_refuses_a_person_of_another_clinic(bob_client, dave):
    audit_record(request=None, action=Action.VIEW, actor=dave, detail="hillcrest page")
    response = bob_client.get(reverse("audit:list"), {"person": dave.pk})
    assert b"Select a valid choice" in response.content
    assert b"hillcrest page" not in response.content


def test_the_audit_browser_finds_nothing_for_another_clinics_patient(bob_client, dave, dave_patient):
    audit_record(request=None, action=Action.VIEW, actor=dave, obj=dave_patient, detail="patient page")
    for patient in (str(dave_patient.pk), dave_patient.record_number):
        response = bob_client.get(reverse("audit:list"), {"patient": patient})
        assert b"No events match" in response.content
    export = bob_client.get(reverse("audit:export"), {"patient": dave_patient.pk})
    assert "patient page" not in export.content.decode()


def test_another_clinics_lockout_cannot_be_lifted(bob_client, dave):
    attempt = AccessAttempt.objects.create(
        username="dave",
        ip_address="10.9.9.9",
        user_agent="x",
        http_accept="*/*",
        path_info="/sign-in/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )
    assert bob_client.post(reverse("lockout_unlock", args=[attempt.pk])).status_code == 404
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
    assert not AuditEvent.objects.filter(action=Action.UNLOCK).exists()


def test_an_edit_cannot_assign_another_clinics_clinician(alice_client, patient, dave):
    # Creating is covered in tests/patients; editing takes the same field.
    data = {
        "name": patient.name,
        "record_number": patient.record_number,
        "date_of_birth": str(patient.date_of_birth),
        "preferred_language": "en",
        "status": "active",
        "assigned_clinician": dave.pk,
        "version": patient.version,
    }
    response = alice_client.post(reverse("patients:update", args=[patient.pk]), data)
    assert response.context["form"].errors["assigned_clinician"] == ["Choose an active clinician of this clinic."]
    patient.refresh_from_db()
    assert patient.assigned_clinician.username == "alice" and patient.version == 1


def test_another_clinics_visit_cannot_be_linked_to_an_assessment(alice_client, patient, dave, dave_patient):
    # Another Riverside patient's visit is covered in tests/assessments; Hillcrest's is refused alike.
    theirs = Visit.objects.create(patient=dave_patient, clinician=dave, occurred_at=timezone.now(), kind="intake")
    data = form_data(COWS, lowest(COWS), visit=theirs.pk)
    response = alice_client.post(reverse("assessments:record", kwargs={"pk": patient.pk, "instrument": "cows"}), data)
    assert response.status_code == 200 and "visit" in response.context["form"].errors
    assert not Assessment.objects.exists()
