"""A role change or a deactivation first shows a page that says what will happen."""

from __future__ import annotations

from django.urls import reverse

from clinic.accounts.models import Role
from clinic.audit.models import Action, AuditEvent


def _edit(carol_client, alice, **changes):
    data = {"first_name": "Alice", "last_name": "Moreno", "email": "", "role": Role.CLINICIAN, "is_active": "on"}
    return carol_client.post(reverse("staff_update", args=[alice.pk]), {**data, **changes})


def test_a_role_change_asks_for_confirmation_and_says_what_the_new_role_reaches(carol_client, alice):
    response = _edit(carol_client, alice, role=Role.SUPERVISOR)
    assert response.status_code == 200
    body = response.content.decode()
    assert "role changes from Clinician to Supervisor" in body and "clinic-wide dashboard" in body
    assert body.count("<h1") == 1
    alice.refresh_from_db()
    assert alice.role == Role.CLINICIAN
    assert not AuditEvent.objects.filter(action=Action.UPDATE).exists()


def test_a_confirmed_role_change_is_saved(carol_client, alice):
    response = _edit(carol_client, alice, role=Role.SUPERVISOR, confirmed="yes")
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.role == Role.SUPERVISOR


def test_the_confirmation_page_posts_back_exactly_what_was_entered(carol_client, alice):
    page = _edit(carol_client, alice, role=Role.CLINIC_ADMIN, first_name="Alicia")
    form = page.context["form"]
    posted = {name: form[name].value() for name in form.fields} | {"confirmed": "yes"}
    posted = {name: value for name, value in posted.items() if value not in (None, False)}
    carol_client.post(reverse("staff_update", args=[alice.pk]), posted)
    alice.refresh_from_db()
    assert (alice.role, alice.first_name, alice.is_active) == (Role.CLINIC_ADMIN, "Alicia", True)


def test_a_deactivation_asks_for_confirmation_and_says_they_are_signed_out(carol_client, alice, alice_client):
    response = _edit(carol_client, alice, is_active="")
    assert b"can no longer sign in, and is signed out everywhere now" in response.content
    alice.refresh_from_db()
    assert alice.is_active
    assert alice_client.get(reverse("patients:list")).status_code == 200


def test_a_confirmed_deactivation_signs_the_person_out(carol_client, alice, alice_client):
    _edit(carol_client, alice, is_active="", confirmed="yes")
    alice.refresh_from_db()
    assert not alice.is_active
    assert alice_client.get(reverse("patients:list"))["Location"].startswith(reverse("login"))


def test_a_name_change_needs_no_confirmation(carol_client, alice):
    assert _edit(carol_client, alice, first_name="Alicia").status_code == 302
    alice.refresh_from_db()
    assert alice.first_name == "Alicia"


def test_a_confirmation_of_another_clinics_staff_is_refused(carol_client, dave):
    response = _edit(carol_client, dave, role=Role.SUPERVISOR, confirmed="yes")
    assert response.status_code == 404
    dave.refresh_from_db()
    assert dave.role == Role.CLINICIAN
