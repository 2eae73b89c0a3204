from __future__ import annotations

import pytest
from django.db import IntegrityError
from django.urls import reverse

from clinic.accounts.models import Role, User


def test_each_role_lands_on_its_own_home_page(alice_client, bob_client, carol_client):
    assert alice_client.get("/")["Location"] == reverse("patients:list")
    assert bob_client.get("/")["Location"] == reverse("dashboard:index")
    assert carol_client.get("/")["Location"] == reverse("staff_list")


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/patients/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=/patients/")


def test_signing_in_with_the_right_password_lands_a_clinician_on_her_patients(client, alice):
    from tests.conftest import PASSWORD

    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("patients:list")


def test_a_wrong_password_shows_a_message_and_signs_nobody_in(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_the_database_refuses_a_staff_member_without_a_clinic(db):
    with pytest.raises(IntegrityError):
        User.objects.create(username="loose", role=Role.CLINICIAN)


def test_a_clinic_admin_cannot_open_patient_records(carol_client, patient):
    assert carol_client.get(reverse("patients:list")).status_code == 403
