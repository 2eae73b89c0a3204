"""Referrals: the state machine, the views, the provider directory, and who may do what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from clinic.audit.models import Action, AuditEvent
from clinic.guidance import services
from clinic.guidance.models import Provider, Referral, ReferralEvent, ReferralStatus, TaperStatus
from clinic.guidance.services import IllegalMove, referral_move, referral_moves_from
from clinic.patients.models import PatientStatus

S = ReferralStatus
FORWARD = [S.SENT, S.CONTACTED, S.APPOINTMENT, S.ATTENDED, S.TREATMENT_STARTED, S.ENGAGED_30_DAYS]


@pytest.fixture
def referral(patient, alice, provider) -> Referral:
    return services.referral_create(
        request=None, actor=alice, patient=patient, provider=provider, reason="Moderate withdrawal"
    )


def move(referral, by, to, note=""):
    declined_by = "patient" if to == S.DECLINED else ""
    return referral_move(request=None, actor=by, referral=referral, to_status=to, note=note, declined_by=declined_by)


# --- The state machine ------------------------------------------------------------------------


def test_a_referral_walks_the_whole_path_and_every_move_is_a_timestamped_event(referral, alice, bob):
    for number, status in enumerate(FORWARD):
        move(referral, bob if number % 2 else alice, status, note=f"step {number}")
    referral.refresh_from_db()
    assert referral.status == S.ENGAGED_30_DAYS
    events = list(referral.events.all())
    assert [(e.from_status, e.to_status) for e in events] == list(
        zip(["", S.DRAFTED, *FORWARD[:-1]], [S.DRAFTED, *FORWARD], strict=False)
    )
    assert [e.by.username for e in events[1:]] == ["alice", "bob"] * 3
    assert all(timezone.now() - e.at < dt.timedelta(minutes=1) for e in events)
    assert AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(referral.pk)).count() == len(FORWARD)


@pytest.mark.parametrize(
    "path, illegal",
    [
        ([], S.CONTACTED),  # drafted cannot skip sending
        ([], S.ATTENDED),
        ([S.SENT], S.DRAFTED),  # no going back
        ([S.SENT, S.CONTACTED], S.SENT),
        ([S.SENT], S.SENT),  # not to itself
        ([S.SENT, S.CONTACTED, S.APPOINTMENT, S.ATTENDED, S.TREATMENT_STARTED, S.ENGAGED_30_DAYS], S.LOST),
        ([S.SENT, S.DECLINED], S.CONTACTED),  # closed stays closed
        ([], "prescribed"),  # not a status at all
    ],
)
def test_illegal_moves_are_refused_with_a_clear_message_and_nothing_saved(referral, alice, path, illegal):
    for status in path:
        move(referral, alice, status, note="why" if status in (S.DECLINED, S.LOST) else "")
    before_events, before_audit = ReferralEvent.objects.count(), AuditEvent.objects.count()
    with pytest.raises(IllegalMove) as refused:
        move(referral, alice, illegal, note="trying")
    message = refused.value.messages[0]
    assert "cannot move to" in message
    referral.refresh_from_db()
    assert referral.status == (path[-1] if path else S.DRAFTED)
    assert (ReferralEvent.objects.count(), AuditEvent.objects.count()) == (before_events, before_audit)


def test_the_refusal_says_which_moves_are_possible(referral, alice):
    with pytest.raises(IllegalMove, match="From here it can move to “Sent”, “Declined”, “Lost to follow-up”"):
        move(referral, alice, S.ATTENDED)


@pytest.mark.parametrize("closing", [S.DECLINED, S.LOST])
@pytest.mark.parametrize("path", [[], [S.SENT], [S.SENT, S.CONTACTED, S.APPOINTMENT, S.ATTENDED, S.TREATMENT_STARTED]])
def test_declined_or_lost_can_close_any_open_referral_with_a_reason(referral, alice, closing, path):
    for status in path:
        move(referral, alice, status)
    event = move(referral, alice, closing, note="Patient chose peer support instead")
    assert event.note == "Patient chose peer support instead"
    assert referral_moves_from(closing) == []


@pytest.mark.parametrize("closing", [S.DECLINED, S.LOST])
def test_declined_or_lost_without_a_reason_is_refused(referral, alice, closing):
    with pytest.raises(ValidationError, match="Say why"):
        move(referral, alice, closing, note="   ")
    referral.refresh_from_db()
    assert referral.status == S.DRAFTED


def test_the_database_itself_refuses_a_closing_event_without_a_reason(referral, alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralEvent.objects.create(
            referral=referral, from_status=S.DRAFTED, to_status=S.DECLINED, at=timezone.now(), by=alice
        )


def test_the_patient_becomes_referred_when_the_referral_is_sent_not_when_drafted(referral, alice, patient):
    patient.refresh_from_db()
    assert patient.status == PatientStatus.ACTIVE
    move(referral, alice, S.SENT)
    patient.refresh_from_db()
    assert patient.status == PatientStatus.REFERRED


def test_a_declined_referral_returns_the_patient_to_tapering_if_a_plan_is_active(referral, alice, patient):
    services.taper_plan_create(
        request=None,
        actor=alice,
        patient=patient,
        start_date=timezone.localdate(),
        goals="g",
        status=TaperStatus.ACTIVE,
    )
    move(referral, alice, S.SENT)
    patient.refresh_from_db()
    assert patient.status == PatientStatus.REFERRED
    move(referral, alice, S.DECLINED, note="Prefers to keep tapering")
    patient.refresh_from_db()
    assert patient.status == PatientStatus.TAPERING


def test_a_discharged_patient_keeps_that_status(referral, alice, patient):
    type(patient).objects.filter(pk=patient.pk).update(status=PatientStatus.DISCHARGED)
    move(referral, alice, S.SENT)
    patient.refresh_from_db()
    assert patient.status == PatientStatus.DISCHARGED


def test_a_status_change_bumps_the_patient_version_so_stale_edits_are_refused(referral, alice, patient):
    version = patient.version
    move(referral, alice, S.SENT)
    patient.refresh_from_db()
    assert patient.version == version + 1


def test_a_provider_of_another_clinic_is_refused_by_the_service(patient, alice, hillcrest_provider):
    with pytest.raises(ValidationError):
        services.referral_create(request=None, actor=alice, patient=patient, provider=hillcrest_provider, reason="r")
    assert not Referral.objects.exists()


# --- Views ------------------------------------------------------------------------------------


def test_a_clinician_drafts_a_referral_from_the_patient_page(alice_client, patient, provider, alice):
    url = reverse("guidance:referral_create", args=[patient.pk])
    assert url.encode() in alice_client.get(reverse("patients:detail", args=[patient.pk])).content
    form = alice_client.get(url)
    assert form.status_code == 200 and provider.name.encode() in form.content
    response = alice_client.post(url, {"provider": provider.pk, "reason": "Asked about medication"})
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "guidance:referral_detail", args=[referral.pk]
    )
    assert (referral.status, referral.created_by, referral.reason) == (S.DRAFTED, alice, "Asked about medication")
    assert referral.events.get().to_status == S.DRAFTED


def test_the_referral_form_offers_only_this_clinics_providers(alice_client, patient, provider, hillcrest_provider):
    content = alice_client.get(reverse("guidance:referral_create", args=[patient.pk])).content
    assert b"Riverside Bridge Clinic" in content and b"Hillcrest Bridge" not in content


def test_a_foreign_provider_id_posted_is_refused(alice_client, patient, hillcrest_provider):
    response = alice_client.post(
        reverse("guidance:referral_create", args=[patient.pk]), {"provider": hillcrest_provider.pk, "reason": "r"}
    )
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert not Referral.objects.exists()


def test_a_referral_without_a_reason_is_refused_next_to_the_field(alice_client, patient, provider):
    response = alice_client.post(
        reverse("guidance:referral_create", args=[patient.pk]), {"provider": provider.pk, "reason": ""}
    )
    assert b"This field is required" in response.content
    assert not Referral.objects.exists()


def test_the_form_says_when_the_directory_is_empty(alice_client, patient):
    assert b"no providers yet" in alice_client.get(reverse("guidance:referral_create", args=[patient.pk])).content


def test_opening_a_referral_shows_its_timeline_and_is_audited(alice_client, referral, alice):
    move(referral, alice, S.SENT, note="Faxed with the latest scores")
    response = alice_client.get(reverse("guidance:referral_detail", args=[referral.pk]))
    assert response.status_code == 200
    assert b"Faxed with the latest scores" in response.content
    assert b"Mark as: Provider contacted the patient" in response.content
    assert AuditEvent.objects.filter(
        action=Action.VIEW, object_id=str(referral.pk), patient_id=referral.patient_id
    ).exists()


def test_a_move_is_made_with_a_post_and_lands_back_on_the_referral(bob_client, referral, bob, patient):
    url = reverse("guidance:referral_move", args=[referral.pk])
    assert bob_client.get(url).status_code == 405
    confirm = bob_client.post(url, {"to_status": "sent", "note": "Emailed"})
    assert confirm.status_code == 200 and "What will happen" in confirm.content.decode()
    assert not referral.events.filter(to_status="sent").exists()  # the first POST only asks
    response = bob_client.post(url, {"to_status": "sent", "note": "Emailed", "confirm": "on"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "guidance:referral_detail", args=[referral.pk]
    )
    event = referral.events.last()
    assert (event.from_status, event.to_status, event.by, event.note) == ("drafted", "sent", bob, "Emailed")
    patient.refresh_from_db()
    assert patient.status == PatientStatus.REFERRED


def test_an_illegal_move_posted_from_a_stale_page_shows_why(alice_client, referral):
    response = alice_client.post(reverse("guidance:referral_move", args=[referral.pk]), {"to_status": "attended"})
    assert response.status_code == 200
    assert "A referral at “Drafted” cannot move to “Attended”".encode() in response.content
    referral.refresh_from_db()
    assert referral.status == S.DRAFTED


def test_declining_without_a_reason_is_refused_next_to_the_note(alice_client, referral):
    response = alice_client.post(
        reverse("guidance:referral_move", args=[referral.pk]),
        {"to_status": "declined", "note": "", "declined_by": "patient"},
    )
    assert response.status_code == 200 and b"Say why" in response.content
    referral.refresh_from_db()
    assert referral.status == S.DRAFTED


def test_the_patient_page_shows_each_referrals_timeline(alice_client, referral, alice, patient):
    move(referral, alice, S.SENT, note="Faxed")
    html = alice_client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert "Referrals" in html and "Riverside Bridge Clinic" in html
    assert html.count('class="small mb-0 referral-history"') == 1  # one timeline row for the referral
    assert "Drafted (Alice Moreno)" in html and "Sent (Alice Moreno): Faxed" in html


def test_a_referral_is_one_row_on_the_patient_timeline_with_its_moves_inside(alice_client, referral, alice, patient):
    move(referral, alice, S.SENT)
    move(referral, alice, S.CONTACTED)
    page = alice_client.get(reverse("patients:detail", args=[patient.pk]))
    rows = [e for e in page.context["timeline"] if e.kind == "Referral"]
    assert len(rows) == 1 and rows[0].obj == referral
    assert [e.to_status for e in rows[0].obj.events.all()] == ["drafted", "sent", "contacted"]


def test_a_clinician_of_another_clinic_cannot_see_or_move_a_referral(dave_client, referral, patient, provider):
    refused = [
        dave_client.get(reverse("guidance:referral_detail", args=[referral.pk])),
        dave_client.post(reverse("guidance:referral_move", args=[referral.pk]), {"to_status": "sent", "confirm": "on"}),
        dave_client.get(reverse("guidance:referral_create", args=[patient.pk])),
        dave_client.post(
            reverse("guidance:referral_create", args=[patient.pk]), {"provider": provider.pk, "reason": "r"}
        ),
    ]
    assert [r.status_code for r in refused] == [404] * 4
    referral.refresh_from_db()
    assert referral.status == S.DRAFTED and Referral.objects.count() == 1


# --- Provider directory -----------------------------------------------------------------------


def test_the_directory_lists_only_this_clinics_providers(alice_client, provider, hillcrest_provider):
    content = alice_client.get(reverse("guidance:provider_list")).content
    assert b"Riverside Bridge Clinic" in content and b"Hillcrest Bridge" not in content


def test_a_supervisor_adds_a_provider(bob_client, bob):
    url = reverse("guidance:provider_create")
    assert bob_client.get(url).status_code == 200
    response = bob_client.post(
        url,
        {
            "name": "Harbour Peer Support",
            "kind": "peer_support",
            "phone": "555-0123",
            "telehealth": "on",
            "notes": "Evenings",
        },
    )
    assert response.status_code == 302
    provider = Provider.objects.get()
    assert (provider.clinic, provider.kind, provider.telehealth) == (bob.clinic, "peer_support", True)
    assert AuditEvent.objects.filter(action=Action.CREATE, object_id=str(provider.pk)).exists()


def test_a_provider_needs_a_name_and_kind_and_a_name_is_unique_in_the_clinic(alice_client, provider):
    url = reverse("guidance:provider_create")
    missing = alice_client.post(url, {"name": "", "kind": ""})
    assert missing.content.count(b"This field is required") == 2
    duplicate = alice_client.post(url, {"name": "riverside bridge clinic", "kind": "otp"})
    assert b"already has a provider with this name" in duplicate.content
    assert Provider.objects.count() == 1


def test_another_clinic_may_use_the_same_provider_name(dave_client, provider):
    response = dave_client.post(reverse("guidance:provider_create"), {"name": "Riverside Bridge Clinic", "kind": "otp"})
    assert response.status_code == 302
    assert Provider.objects.filter(name="Riverside Bridge Clinic").count() == 2


def test_a_provider_is_edited(alice_client, provider):
    url = reverse("guidance:provider_update", args=[provider.pk])
    assert alice_client.get(url).status_code == 200
    response = alice_client.post(
        url, {"name": provider.name, "kind": "buprenorphine", "email": "intake@bridge.example"}
    )
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.email == "intake@bridge.example"


def test_another_clinics_provider_cannot_be_edited(dave_client, provider):
    url = reverse("guidance:provider_update", args=[provider.pk])
    assert dave_client.get(url).status_code == 404
    assert dave_client.post(url, {"name": "Taken over", "kind": "otp"}).status_code == 404
    provider.refresh_from_db()
    assert provider.name == "Riverside Bridge Clinic"


def test_a_clinic_admin_does_not_manage_the_directory(carol_client):
    assert carol_client.get(reverse("guidance:provider_list")).status_code == 403


def test_a_move_records_the_date_of_the_event_not_of_the_click(alice_client, referral):
    url = reverse("guidance:referral_move", args=[referral.pk])
    sent_on = timezone.localdate() - dt.timedelta(days=6)
    data = {"to_status": "sent", "note": "", "happened_on": sent_on.isoformat(), "confirm": "on"}
    assert alice_client.post(url, data).status_code == 302
    event = referral.events.get(to_status="sent")
    assert timezone.localdate(event.happened_at) == sent_on and event.at > event.happened_at


def test_an_appointment_may_be_in_the_future_but_attendance_may_not(alice, referral):
    later = timezone.now() + dt.timedelta(days=10)
    referral_move(request=None, actor=alice, referral=referral, to_status="sent")
    referral_move(request=None, actor=alice, referral=referral, to_status="contacted")
    referral_move(request=None, actor=alice, referral=referral, to_status="appointment", happened_at=later)
    with pytest.raises(ValidationError):
        referral_move(request=None, actor=alice, referral=referral, to_status="attended", happened_at=later)
    referral.refresh_from_db()
    assert referral.status == "appointment"


def test_an_appointment_can_be_booked_when_sent_then_missed_and_rescheduled(referral, alice):
    for status in (S.SENT, S.APPOINTMENT, S.MISSED, S.RESCHEDULED, S.ATTENDED):
        move(referral, alice, status)
    referral.refresh_from_db()
    assert referral.status == S.ATTENDED
    assert referral_moves_from(S.SENT)[:2] == [S.CONTACTED, S.APPOINTMENT]


def test_declining_says_who_declined_and_why(alice_client, referral, alice):
    url = reverse("guidance:referral_move", args=[referral.pk])
    refused = alice_client.post(url, {"to_status": "declined", "note": "Too far to travel.", "confirm": "on"})
    assert refused.status_code == 200 and "Say who declined" in refused.content.decode()
    data = {"to_status": "declined", "note": "Too far to travel.", "declined_by": "patient", "confirm": "on"}
    assert alice_client.post(url, data).status_code == 302
    event = referral.events.get(to_status="declined")
    assert (event.declined_by, event.note) == ("patient", "Too far to travel.")


def test_a_move_made_by_mistake_is_corrected_with_a_reason_and_stays_in_the_history_marked(
    alice_client, dave_client, referral, alice, patient
):
    from clinic.patients.models import Correction

    move(referral, alice, S.SENT)
    mistaken = move(referral, alice, S.CONTACTED)
    url = reverse("guidance:referral_move_correct", args=[referral.pk])
    assert dave_client.post(url, {"reason": "x"}).status_code == 404
    page = alice_client.get(url)
    assert page.status_code == 200 and "What will happen" in page.content.decode()
    assert alice_client.post(url, {"reason": ""}).status_code == 200
    assert alice_client.post(url, {"reason": "Clicked the wrong button."}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == S.SENT
    assert not ReferralEvent.objects.filter(pk=mistaken.pk).exists()  # counts nowhere
    assert (
        Correction.objects.get(record_kind="referral-move", record_id=mistaken.pk).reason == "Clicked the wrong button."
    )
    detail = alice_client.get(reverse("guidance:referral_detail", args=[referral.pk])).content.decode()
    assert "Provider contacted the patient" in detail and "Clicked the wrong button." in detail
    patient.refresh_from_db()
    assert patient.status == PatientStatus.REFERRED
