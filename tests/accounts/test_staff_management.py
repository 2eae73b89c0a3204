from __future__ import annotations

from django.urls import reverse

from clinic.accounts.models import Role, User
from clinic.audit.models import Action, AuditEvent


def test_a_clinic_admin_can_no_longer_choose_a_password_for_someone(carol_client):
    # The old form took a username and a password; an invitation ignores both.
    carol_client.post(
        reverse("staff_invite"),
        {
            "first_name": "Frank",
            "email": "frank@riverside.example",
            "role": Role.CLINICIAN,
            "password": "chosen-by-carol!",
        },
    )
    frank = User.objects.get(email="frank@riverside.example")
    assert not frank.has_usable_password() and not frank.check_password("chosen-by-carol!")


def test_an_empty_form_posted_says_what_is_missing_and_changes_nothing(carol_client, alice):
    # `request.POST or None` used to take an empty POST for a GET and show a blank form, unexplained.
    response = carol_client.post(reverse("staff_invite"), {})
    assert response.context["form"].is_bound and "email" in response.context["form"].errors
    response = carol_client.post(reverse("staff_update", args=[alice.pk]), {})
    assert response.context["form"].is_bound and "role" in response.context["form"].errors
    alice.refresh_from_db()
    assert alice.role == Role.CLINICIAN and alice.is_active and User.objects.count() == 2


def test_deactivating_a_clinician_stops_her_signing_in(carol_client, alice, client):
    from tests.conftest import PASSWORD

    response = carol_client.post(
        reverse("staff_update", args=[alice.pk]),
        {"first_name": "Alice", "last_name": "Moreno", "email": "", "role": Role.CLINICIAN, "confirmed": "yes"},
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
        {
            "first_name": "Alicia",
            "last_name": "Moreno",
            "email": "",
            "role": Role.SUPERVISOR,
            "is_active": "on",
            "confirmed": "yes",
        },
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


def test_an_email_the_username_rules_would_refuse_is_refused_by_the_form(carol_client):
    response = carol_client.post(
        reverse("staff_invite"), {"first_name": "X", "email": "o'brien/x@example.org", "role": Role.CLINICIAN}
    )
    assert response.status_code == 200
    assert b"Steady uses the email address as the username" in response.content
    assert not User.objects.filter(role=Role.CLINICIAN).exists()
