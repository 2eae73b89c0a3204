"""Registering a patient puts her on the registering clinician's caseload; search covers the clinic."""

from __future__ import annotations

from django.urls import reverse

from clinic.patients.models import Patient
from tests.conftest import make_patient

CREATE = reverse("patients:create")
LIST = reverse("patients:list")


def names(response) -> list[str]:
    return [patient.name for patient, _flags in response.context["rows"]]


def test_the_new_patient_form_assigns_the_registering_clinician_by_default(alice_client, alice, erin):
    form = alice_client.get(CREATE).context["form"]
    assert form["assigned_clinician"].value() == alice.pk


def test_the_registering_clinician_can_assign_someone_else_or_no_one(alice_client, erin):
    base = {"name": "Morgan Lee", "date_of_birth": "1990-02-03", "preferred_language": "en", "status": "active"}
    alice_client.post(CREATE, base | {"record_number": "R-1", "assigned_clinician": erin.pk})
    alice_client.post(CREATE, base | {"record_number": "R-2", "name": "Other One", "assigned_clinician": ""})
    assert Patient.objects.get(record_number="R-1").assigned_clinician == erin
    assert Patient.objects.get(record_number="R-2").assigned_clinician is None


def test_a_supervisor_holds_no_caseload_so_her_form_starts_with_no_clinician(bob_client):
    assert bob_client.get(CREATE).context["form"]["assigned_clinician"].value() is None


def test_a_patient_she_just_registered_is_on_her_own_list(alice_client, alice):
    data = {
        "name": "Morgan Lee",
        "record_number": "R-0100",
        "date_of_birth": "1990-02-03",
        "preferred_language": "en",
        "status": "active",
        "assigned_clinician": alice.pk,
    }
    alice_client.post(CREATE, data)
    assert names(alice_client.get(LIST)) == ["Morgan Lee"]


def test_a_search_without_a_scope_looks_in_the_whole_clinic(alice_client, clinic, alice, erin):
    make_patient(clinic, "R-1", name="Ben Birch", assigned_clinician=erin)
    make_patient(clinic, "R-2", name="Bea Birch")
    response = alice_client.get(LIST, {"q": "birch"})
    assert names(response) == ["Bea Birch", "Ben Birch"]
    assert b'aria-current="true">Whole clinic</a>' in response.content


def test_the_scope_switch_narrows_the_search_to_her_caseload_and_says_how_many_are_elsewhere(
    alice_client, clinic, alice, erin
):
    make_patient(clinic, "R-1", name="Ben Birch", assigned_clinician=erin)
    make_patient(clinic, "R-2", name="Bo Birch", assigned_clinician=alice)
    make_patient(clinic, "R-3", name="Bea Birch")
    response = alice_client.get(LIST, {"q": "birch", "clinician": "mine"})
    assert names(response) == ["Bo Birch"]
    assert b'aria-current="true">My caseload</a>' in response.content
    assert b"2 more in the rest of the clinic match:" in response.content


def test_browsing_without_a_search_still_starts_from_her_caseload(alice_client, clinic, alice, erin):
    make_patient(clinic, "R-1", name="Ben Birch", assigned_clinician=erin)
    make_patient(clinic, "R-2", name="Bo Birch", assigned_clinician=alice)
    assert names(alice_client.get(LIST)) == ["Bo Birch"]


def test_a_supervisor_sees_no_caseload_switch(bob_client):
    assert b"My caseload" not in bob_client.get(LIST).content


def test_a_whole_clinic_search_never_reaches_another_clinic(dave_client, patient):
    response = dave_client.get(LIST, {"q": "jordan"})
    assert names(response) == [] and b"Jordan Avery" not in response.content
