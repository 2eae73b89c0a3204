"""The clinician issues a link from the patient page, shows or emails it once, and sees its state."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from clinic.audit.models import AuditEvent
from clinic.selfreport.models import LinkState, PatientLink, token_hash
from clinic.selfreport.services import patient_link_issue, patient_link_revoke
from tests.selfreport.conftest import confirmed, sows_answers, submission_id_of

TOKEN_IN_URL = re.compile(r"/p/([A-Za-z0-9_-]{43})/")


def issue(client, patient, **data):
    url = reverse("selfreport:link_issue", kwargs={"patient_pk": patient.pk})
    return client.post(url, {"instrument": "SOWS", "valid_hours": "72"} | data)


def link_url(name: str, link) -> str:
    return reverse(f"selfreport:{name}", kwargs={"patient_pk": link.patient_id, "pk": link.pk})


def test_the_patient_page_offers_a_link_and_lists_the_patients_links(alice_client, patient, issued):
    response = alice_client.get(reverse("patients:detail", kwargs={"pk": patient.pk}))
    content = response.content.decode()
    assert "Forms for the patient to fill in" in content
    assert reverse("selfreport:link_issue", kwargs={"patient_pk": patient.pk}) in content
    assert "Waiting" in content
    assert link_url("link_revoke", issued[0]) in content
    assert issued[1] not in content


def test_the_links_panel_costs_the_same_queries_for_one_link_or_many(
    alice_client, patient, alice, django_assert_max_num_queries
):
    url = reverse("patients:detail", kwargs={"pk": patient.pk})
    patient_link_issue(request=None, patient=patient, created_by=alice)
    alice_client.get(url)
    with django_assert_max_num_queries(60) as one:
        alice_client.get(url)
    for _ in range(8):
        patient_link_issue(request=None, patient=patient, created_by=alice)
    with django_assert_max_num_queries(len(one.captured_queries)):
        alice_client.get(url)


STEADY_SCRIPT = '<script src="/static/js/steady.js" defer>'


@pytest.mark.parametrize("who", ["alice_client", "bob_client"])
def test_a_clinician_or_supervisor_issues_a_link_and_sees_it_once(who, request, patient, settings):
    settings.SITE_URL = "https://steady.example.org"
    client = request.getfixturevalue(who)
    page = issue(client, patient, valid_hours="48")
    link = PatientLink.objects.get()
    assert page.status_code == 200
    assert link.instrument == "SOWS" and link.state == LinkState.WAITING
    assert link.expires_at - link.created_at == dt.timedelta(hours=48)
    content = page.content.decode()
    token = TOKEN_IN_URL.search(content).group(1)
    assert f'value="https://steady.example.org/p/{token}/"' in content
    assert token_hash(token) == link.token_hash
    assert "<svg" in content and "<title>QR code of the link</title>" in content
    # Drawn on the server: the only script is Steady's own idle-warning file, on every staff page.
    assert "data:" not in content and re.findall(r"<script[^>]*>", content) == [STEADY_SCRIPT]
    assert "no-store" in page["Cache-Control"]
    # Shown once: the patient page lists the link without its token.
    again = client.get(reverse("patients:detail", kwargs={"pk": patient.pk})).content.decode()
    assert token not in again and "Waiting" in again


def test_a_new_links_token_is_stored_nowhere_not_even_in_the_session(alice_client, patient):
    page = issue(alice_client, patient).content.decode()
    token = TOKEN_IN_URL.search(page).group(1)
    stored = [session.get_decoded() for session in Session.objects.all()]
    assert stored and not any(token in str(data) for data in stored)
    assert not any(token in str(value) for value in PatientLink.objects.values().get().values())


def test_the_issue_form_takes_sows_gossop_and_refuses_a_window_out_of_bounds(alice_client, patient):
    assert issue(alice_client, patient, instrument="SOWS_GOSSOP").status_code == 200
    assert PatientLink.objects.get().instrument == "SOWS_GOSSOP"
    for hours in ("0", "169", "abc"):
        response = issue(alice_client, patient, valid_hours=hours)
        assert response.status_code == 200 and b"invalid-feedback" in response.content
    response = issue(alice_client, patient, instrument="COWS")
    assert response.status_code == 200
    assert PatientLink.objects.count() == 1


def test_the_issue_page_shows_the_form_on_get(alice_client, patient):
    response = alice_client.get(reverse("selfreport:link_issue", kwargs={"patient_pk": patient.pk}))
    assert response.status_code == 200 and b"Link works for (hours)" in response.content
    assert PatientLink.objects.count() == 0


def test_staff_of_another_clinic_cannot_issue_see_email_or_revoke_a_link(dave_client, patient, issued):
    link, token = issued
    assert issue(dave_client, patient).status_code == 404
    assert dave_client.post(link_url("link_email", link), {"token": token}).status_code == 404
    assert dave_client.post(link_url("link_revoke", link), {"confirm": "on"}).status_code == 404
    link.refresh_from_db()
    assert link.state == LinkState.WAITING and len(mail.outbox) == 0


def test_a_clinic_admin_cannot_issue_a_link(carol_client, patient):
    assert issue(carol_client, patient).status_code == 403
    assert PatientLink.objects.count() == 0


def test_revoking_a_waiting_link_stops_it_and_is_audited(alice_client, alice, patient, issued):
    link, token = issued
    response = alice_client.post(link_url("link_revoke", link), {"confirm": "on"})
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.state == LinkState.REVOKED and link.revoked_by == alice
    assert AuditEvent.objects.filter(object_id=str(link.pk), actor=alice, detail="patient link revoked").exists()
    page = alice_client.get(reverse("patients:detail", kwargs={"pk": patient.pk})).content.decode()
    assert "Revoked" in page and link_url("link_revoke", link) not in page


def test_revoking_asks_first_and_needs_a_confirmed_post(alice_client, issued):
    response = alice_client.get(link_url("link_revoke", issued[0]))
    assert response.status_code == 200 and "What will happen" in response.content.decode()
    assert alice_client.post(link_url("link_revoke", issued[0]), {}).status_code == 200
    assert alice_client.delete(link_url("link_revoke", issued[0])).status_code == 405
    issued[0].refresh_from_db()
    assert issued[0].state == LinkState.WAITING


def test_a_completed_link_cannot_be_revoked_and_shows_its_total(alice_client, patient, issued):
    link, token = issued
    client = confirmed(token, patient)
    client.post("/p/form/", sows_answers(1) | {"submission_id": submission_id_of(client.get("/p/form/"))})
    response = alice_client.post(link_url("link_revoke", link), {"confirm": "on"}, follow=True)
    assert b"cannot be revoked" in response.content
    link.refresh_from_db()
    assert link.state == LinkState.COMPLETED
    assert "Completed" in response.content.decode() and "total 16" in response.content.decode()


def test_the_panel_shows_every_state(alice_client, alice, patient):
    now = timezone.now()
    states = {}
    for state in ("waiting", "expired", "revoked", "locked"):
        states[state], _ = patient_link_issue(request=None, patient=patient, created_by=alice)
    PatientLink.objects.filter(pk=states["expired"].pk).update(
        created_at=now - dt.timedelta(hours=5), expires_at=now - dt.timedelta(hours=1)
    )
    patient_link_revoke(request=None, link=states["revoked"], revoked_by=alice)
    PatientLink.objects.filter(pk=states["locked"].pk).update(locked_at=now, failed_dob_attempts=5)
    content = alice_client.get(reverse("patients:detail", kwargs={"pk": patient.pk})).content.decode()
    for label in ("Waiting", "Expired", "Revoked", "Locked"):
        assert f'link-state-{label.lower()}">{label}<' in content


FORBIDDEN_IN_EMAIL = [
    "7-oh",
    "7oh",
    "hydroxymitragynine",
    "mitragynine",
    "kratom",
    "opioid",
    "opiate",
    "withdrawal",
    "sows",
    "cows",
    "gossop",
    "addiction",
    "substance",
    "recovery",
    "treatment",
    "taper",
    "detox",
    "drug",
    "dependence",
    "craving",
    "buprenorphine",
    "riverside",
    "clinic for",
    "jordan",
    "avery",
    "abstinencia",
    "opiáceo",
    "adicción",
    "tratamiento",
    "kratom",
    "consumir",
]


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_email_carries_the_link_and_expiry_and_no_health_information(language, alice_client, patient):
    patient.email = "jordan@example.org"
    patient.preferred_language = language
    patient.save()
    page = issue(alice_client, patient).content.decode()
    token = TOKEN_IN_URL.search(page).group(1)
    link = PatientLink.objects.get()
    response = alice_client.post(link_url("link_email", link), {"token": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:detail", kwargs={"pk": patient.pk})
    [message] = mail.outbox
    assert message.to == ["jordan@example.org"]
    assert f"/p/{token}/" in message.body
    text = f"{message.subject}\n{message.body}".lower()
    for word in FORBIDDEN_IN_EMAIL:
        assert word not in text, word
    # At most one help line, and the one that reveals nothing: 911.
    assert ("En una emergencia, llame al 911." if language == "es" else "In an emergency, call 911.") in message.body
    assert "988" not in text and "poison" not in text
    if language == "es":
        assert "Su clínica le envió un formulario corto" in message.subject
        assert "fecha de nacimiento" in message.body
    else:
        assert message.subject == "Your clinic has sent you a short form"
        assert "date of birth" in message.body
    event = AuditEvent.objects.get(object_id=str(link.pk), detail="patient link emailed")
    assert token not in event.detail


def test_the_email_needs_the_links_own_token(alice_client, patient, issued, alice):
    patient.email = "jordan@example.org"
    patient.save()
    other, other_token = patient_link_issue(request=None, patient=patient, created_by=alice)
    response = alice_client.post(link_url("link_email", issued[0]), {"token": other_token}, follow=True)
    assert b"not this link" in response.content and len(mail.outbox) == 0


def test_a_patient_without_an_email_address_gets_no_email_button(alice_client, patient):
    content = issue(alice_client, patient).content.decode()
    assert "No email address on file" in content
    assert link_url("link_email", PatientLink.objects.get()) not in content


def test_emailing_needs_a_post(alice_client, issued):
    response = alice_client.get(link_url("link_email", issued[0]))
    assert response.status_code == 405 and len(mail.outbox) == 0


def test_no_token_is_ever_written_to_the_audit_trail(alice_client, patient):
    patient.email = "jordan@example.org"
    patient.save()
    token = TOKEN_IN_URL.search(issue(alice_client, patient).content.decode()).group(1)
    link = PatientLink.objects.get()
    alice_client.post(link_url("link_email", link), {"token": token})
    client = confirmed(token, patient)
    client.post("/p/form/", sows_answers() | {"submission_id": submission_id_of(client.get("/p/form/"))})
    for event in AuditEvent.objects.all():
        assert token not in event.detail and token not in event.object_id and token not in event.username
