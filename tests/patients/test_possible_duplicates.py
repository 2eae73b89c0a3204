"""Registering someone who may already be a patient shows who, and needs "a different person"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from clinic.patients.models import Patient
from tests.conftest import make_patient

CREATE = reverse("patients:create")


def data(**extra) -> dict:
    values = {
        "name": "Jordan Avery",
        "record_number": "R-0100",
        "date_of_birth": "1988-04-12",
        "preferred_language": "en",
        "status": "active",
        "assigned_clinician": "",
    }
    return values | extra


@pytest.fixture
def jordan(clinic, erin):
    return make_patient(
        clinic, "R-0001", name="Jordan Avery", date_of_birth=dt.date(1988, 4, 12), assigned_clinician=erin
    )


def test_the_same_name_and_date_of_birth_is_not_saved_without_confirmation(alice_client, jordan):
    response = alice_client.post(CREATE, data(name="jordan  avery"))
    assert response.status_code == 200 and Patient.objects.count() == 1
    assert response.context["form"].duplicates == [jordan]
    page = response.content.decode()
    assert "Possible duplicate: this person may already be registered" in page
    assert f'href="{reverse("patients:detail", args=[jordan.pk])}">Jordan Avery</a>, record number R-0001' in page
    assert "confirm that this is a different person" in page


def test_confirming_a_different_person_saves_the_new_patient(alice_client, jordan):
    response = alice_client.post(CREATE, data(different_person="on"))
    assert response.status_code == 302 and Patient.objects.count() == 2


@pytest.mark.parametrize("written", ["r 0001", "R0001", "r.0001"])
def test_the_same_record_number_in_other_case_or_spacing_is_a_possible_duplicate(alice_client, jordan, written):
    response = alice_client.post(CREATE, data(name="Someone Else", date_of_birth="1970-01-01", record_number=written))
    assert response.status_code == 200 and response.context["form"].duplicates == [jordan]
    assert Patient.objects.count() == 1


def test_a_different_name_or_date_of_birth_is_no_duplicate(alice_client, jordan):
    assert alice_client.post(CREATE, data(date_of_birth="1988-04-13")).status_code == 302
    assert alice_client.post(CREATE, data(name="Jordan Avers", record_number="R-0101")).status_code == 302


def test_the_confirmation_is_not_offered_when_there_is_no_possible_duplicate(alice_client):
    assert b"This is a different person" not in alice_client.get(CREATE).content


def test_another_clinics_patient_is_never_shown_as_a_duplicate(dave_client, jordan):
    response = dave_client.post(CREATE, data(record_number="R-0001"))
    assert response.status_code == 302
    assert Patient.objects.filter(clinic__name="Hillcrest Health Center").count() == 1


def test_editing_a_patient_asks_nothing_about_duplicates(alice_client, clinic, jordan, alice):
    twin = make_patient(clinic, "R-0002", name="Jordan Avery", date_of_birth=dt.date(1988, 4, 12))
    edit = {**data(record_number="R-0002"), "version": twin.version, "status": "tapering"}
    assert alice_client.post(reverse("patients:update", args=[twin.pk]), edit).status_code == 302
