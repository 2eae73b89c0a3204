from __future__ import annotations

from django.urls import reverse

from clinic.accounts.models import Role, User
from clinic.audit.models import Action, AuditEvent


def test_a_clinic_admin_adds_a_clinician_who_can_then_sign_in(carol_client, carol, client):
    response = carol_client.post(
        reverse("staff_create"),
        {"username": "frank", "first_name": "Frank", "role": Role.CLINICIAN, "password": "a-long-enough-passphrase"},
    )
    assert response.status_code == 302
    frank = User.objects.get(username="frank")
    assert frank.clinic == carol.clinic and frank.role == Role.CLINICIAN
    # Through the sign-in form: django-axes needs the request to count failures.
    client.post(reverse("login"), {"username": "frank", "password": "a-long-enough-passphrase"})
    assert client.session["_auth_user_id"] == str(frank.pk)
    assert AuditEvent.objects.filter(action=Action.CREATE, object_id=str(frank.pk), actor=carol).exists()


def test_a_short_or_common_password_is_refused_next_to_the_field(carol_client):
    response = carol_client.post(
        reverse("staff_create"), {"username": "frank", "role": Role.CLINICIAN, "password": "password123"}
    )
    assert response.status_code == 200
    assert b"too short" in response.content or b"too common" in response.content
    assert not User.objects.filter(username="frank").exists()


def test_a_taken_username_is_refused(carol_client, alice):
    response = carol_client.post(
        reverse("staff_create"), {"username": "ALICE", "role": Role.CLINICIAN, "password": "a-long-enough-passphrase"}
    )
    assert b"That username is taken" in response.content


def test_an_empty_form_posted_says_what_is_missing_and_changes_nothing(carol_client, alice):
    # `request.POST or None` used to take an empty POST for a GET and show a blank form, unexplained.
    response = carol_client.post(reverse("staff_create"), {})
    assert response.context["form"].is_bound and "username" in response.context["form"].errors
    response = carol_client.post(reverse("staff_update", args=[alice.pk]), {})
    assert response.context["form"].is_bound and "role" in response.context["form"].errors
    alice.refresh_from_db()
    assert alice.role == Role.CLINICIAN and alice.is_active and User.objects.count() == 2


def test_deactivating_a_clinician_stops_her_signing_in(carol_client, alice, client):
    from tests.conftest import PASSWORD

    response = carol_client.post(
        reverse("staff_update", args=[alice.pk]),
        {"first_name": "Alice", "last_name": "Moreno", "email": "", "role": Role.CLINICIAN},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert not alice.is_active
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_a_clinic_admin_cannot_deactivate_herself(carol_client, carol):
    response = carol_client.post(
        reverse("staff_update", args=[carol.pk]), {"first_name": "C", "last_name": "N", "role": Role.CLINIC_ADMIN}
    )
    assert b"You cannot deactivate your own account" in response.content
    carol.refresh_from_db()
    assert carol.is_active


def test_a_clinic_admin_cannot_edit_staff_of_another_clinic(carol_client, dave):
    assert carol_client.get(reverse("staff_update", args=[dave.pk])).status_code == 404
    response = carol_client.post(
        reverse("staff_update", args=[dave.pk]), {"first_name": "X", "last_name": "Y", "role": Role.SUPERVISOR}
    )
    assert response.status_code == 404
    dave.refresh_from_db()
    assert dave.role == Role.CLINICIAN and dave.is_active


def test_staff_list_shows_only_this_clinic(carol_client, alice, dave):
    body = carol_client.get(reverse("staff_list")).content
    assert b"alice" in body and b"dave" not in body


def test_editing_staff_rejects_other_methods(carol_client, alice):
    assert carol_client.put(reverse("staff_update", args=[alice.pk])).status_code == 405


def test_editing_a_staff_member_audits_which_fields_changed(carol_client, alice):
    carol_client.post(
        reverse("staff_update", args=[alice.pk]),
        {"first_name": "Alicia", "last_name": "Moreno", "email": "", "role": Role.SUPERVISOR, "is_active": "on"},
    )
    event = AuditEvent.objects.get(action=Action.UPDATE, object_id=str(alice.pk))
    assert event.detail == "changed first_name, role"


def test_a_staff_member_cannot_be_left_without_a_role(carol_client, alice):
    response = carol_client.post(
        reverse("staff_update", args=[alice.pk]), {"first_name": "Alice", "last_name": "Moreno", "is_active": "on"}
    )
    assert response.status_code == 200
    assert b"This field is required" in response.content
    alice.refresh_from_db()
    assert alice.role == Role.CLINICIAN


def test_a_username_the_model_would_refuse_is_refused_by_the_form(carol_client):
    response = carol_client.post(
        reverse("staff_create"),
        {"username": "' OR '1'='1", "role": Role.CLINICIAN, "password": "a-long-enough-passphrase"},
    )
    assert response.status_code == 200
    assert b"Enter a valid username" in response.content
    assert not User.objects.filter(role=Role.CLINICIAN).exists()
