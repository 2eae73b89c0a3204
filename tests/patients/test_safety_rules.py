"""The one list of safety rules: registered by the apps that own their facts, read alike by the
patient page, the dashboard and the patient list, and acknowledged by staff until facts change."""

from __future__ import annotations

from django.core.checks import run_checks
from django.db.models import F, Q
from django.urls import reverse

from clinic.audit.models import Action, AuditEvent
from clinic.patients import safety
from clinic.patients.models import Acknowledgement, Level, Patient
from clinic.patients.safety import Rule, Said
from tests.conftest import make_patient
from tests.dashboard.helpers import LIST, listed
from tests.patients.factories import make_use_report


def _ack_url(patient, rule: str) -> str:
    return reverse("patients:acknowledge", args=[patient.pk, rule])


def _shown_fact(patient, rule: str) -> str:
    return next(s.fact for s in safety.rules_for_patient(patient) if s.key == rule)


def test_every_app_registers_its_own_rules_and_urgent_ones_come_first(db):
    keys = [rule.key for rule in safety.rules()]
    for key in (
        "depressant_frequent",
        "past_overdose",
        "naloxone_none",
        "lost_tolerance",
        "breathing_urgent",
        "attention_cows_severe",
        "attention_silent",
    ):
        assert key in keys
    ranks = [rule.rank for rule in safety.rules()]
    assert ranks == sorted(ranks)
    assert all(rule.source and rule.threshold and rule.title for rule in safety.rules())


def test_a_rule_registered_twice_or_with_an_unknown_level_stops_the_start(db, monkeypatch):
    monkeypatch.setattr(safety, "_RULES", dict(safety._RULES))
    monkeypatch.setattr(safety, "_MISTAKES", [])
    bad = Rule(
        key="past_overdose",
        level="someday",
        title="Copy",
        threshold="never",
        source="nowhere",
        condition=lambda now: Q(pk__in=[]),
        fact=lambda now: F("pk"),
        describe=lambda patient, now: Said("", None),
    )
    safety.register(bad)
    messages = [e.msg for e in run_checks() if e.id == "patients.E010"]
    assert any("registered twice" in m for m in messages)
    assert any("'someday' is not one of" in m for m in messages)


def test_a_rule_whose_sql_does_not_build_stops_the_start(db, monkeypatch):
    monkeypatch.setattr(safety, "_RULES", dict(safety._RULES))
    safety.register(
        Rule(
            key="broken_rule",
            level=Level.DISCUSS,
            title="Broken",
            threshold="t",
            source="s",
            condition=lambda now: Q(no_such_field=1),
            fact=lambda now: F("pk"),
            describe=lambda patient, now: Said("", None),
        )
    )
    assert any("broken_rule" in e.msg and "does not build" in e.msg for e in run_checks() if e.id == "patients.E010")


def test_the_rules_are_sound_as_registered(db):
    assert [e for e in run_checks() if e.id == "patients.E010"] == []


def test_an_acknowledged_reason_leaves_the_dashboard_until_a_newer_record_raises_it_again(
    alice_client, bob_client, clinic, alice, bob
):
    patient = make_patient(clinic, "R-ACK", name="Ada Ack", assigned_clinician=alice)
    make_use_report(patient, alice, days_ago=2, past_overdose=True)
    assert "past_overdose" in listed(bob_client, "attention").get("R-ACK", set())
    response = alice_client.post(
        _ack_url(patient, "past_overdose"),
        {"fact": _shown_fact(patient, "past_overdose"), "action_taken": "Talked about naloxone and not using alone."},
    )
    assert response.status_code == 302
    assert "past_overdose" not in listed(bob_client, "attention").get("R-ACK", set())
    # Still on the patient page, marked acknowledged, with the history.
    html = alice_client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert "Acknowledged for these facts" in html and "Talked about naloxone and not using alone." in html
    # A newer use report is a new fact: the reason is back.
    make_use_report(patient, alice, days_ago=1, past_overdose=True)
    assert "past_overdose" in listed(bob_client, "attention")["R-ACK"]


def test_an_acknowledgement_records_who_when_what_and_is_audited(alice_client, clinic, alice):
    patient = make_patient(clinic, "R-AUD", assigned_clinician=alice)
    make_use_report(patient, alice, past_overdose=True)
    alice_client.post(
        _ack_url(patient, "past_overdose"),
        {"fact": _shown_fact(patient, "past_overdose"), "action_taken": "Discussed."},
    )
    (ack,) = Acknowledgement.objects.all()
    assert (ack.by, ack.rule, ack.level, ack.action_taken) == (alice, "past_overdose", "discuss", "Discussed.")
    assert "overdose" in ack.reason
    assert AuditEvent.objects.filter(
        action=Action.CREATE, patient_id=patient.pk, detail="safety acknowledgement past_overdose"
    ).exists()


def test_an_acknowledgement_must_say_what_was_done(alice_client, clinic, alice):
    patient = make_patient(clinic, "R-EMPTY", assigned_clinician=alice)
    make_use_report(patient, alice, past_overdose=True)
    response = alice_client.post(
        _ack_url(patient, "past_overdose"), {"fact": _shown_fact(patient, "past_overdose"), "action_taken": "  "}
    )
    assert response.status_code == 200 and "Say what was done" in response.content.decode()
    assert not Acknowledgement.objects.exists()


def test_facts_that_changed_since_the_page_was_read_are_not_acknowledged_blindly(alice_client, clinic, alice):
    patient = make_patient(clinic, "R-RACE", assigned_clinician=alice)
    make_use_report(patient, alice, days_ago=2, past_overdose=True)
    seen = _shown_fact(patient, "past_overdose")
    make_use_report(patient, alice, days_ago=1, past_overdose=True)  # recorded by someone else meanwhile
    response = alice_client.post(_ack_url(patient, "past_overdose"), {"fact": seen, "action_taken": "Discussed."})
    assert "changed since you opened the page" in response.content.decode()
    assert not Acknowledgement.objects.exists()


def test_a_reason_that_does_not_hold_cannot_be_acknowledged(alice_client, patient):
    response = alice_client.post(_ack_url(patient, "past_overdose"), {"fact": "", "action_taken": "Discussed."})
    assert "nothing to acknowledge" in response.content.decode()
    assert not Acknowledgement.objects.exists()


def test_an_unknown_rule_is_not_found(alice_client, patient):
    assert alice_client.get(_ack_url(patient, "no_such_rule")).status_code == 404


def test_staff_of_another_clinic_cannot_acknowledge(dave_client, alice, patient):
    make_use_report(patient, alice, past_overdose=True)
    response = dave_client.post(
        _ack_url(patient, "past_overdose"),
        {"fact": _shown_fact(patient, "past_overdose"), "action_taken": "Discussed."},
    )
    assert response.status_code == 404 and not Acknowledgement.objects.exists()


def test_the_patient_list_filters_by_rule_and_by_level(alice_client, clinic, alice):
    overdose = make_patient(clinic, "R-OD", name="Olly Overdose", assigned_clinician=alice)
    make_use_report(overdose, alice, past_overdose=True)
    leaf = make_patient(clinic, "R-LEAF", name="Lee Leaf", assigned_clinician=alice)
    make_use_report(leaf, alice)
    tablet = make_patient(clinic, "R-TAB", name="Tam Tablet", assigned_clinician=alice)
    make_use_report(tablet, alice, product_form="tablet")

    def names(**query) -> set[str]:
        rows = alice_client.get(reverse("patients:list"), query).context["rows"]
        return {p.record_number for p, _ in rows} & {"R-OD", "R-LEAF", "R-TAB"}

    assert names(safety="past_overdose") == {"R-OD"}
    assert names(safety="concentrated_product") == {"R-TAB"}
    assert names(safety="level:information") == {"R-TAB"}
    assert names() == {"R-OD", "R-LEAF", "R-TAB"}


def test_the_dashboard_links_each_reason_to_the_patient(bob_client, clinic, alice):
    patient = make_patient(clinic, "R-LINK", assigned_clinician=alice)
    make_use_report(patient, alice, past_overdose=True)
    html = bob_client.get(LIST, {"metric": "past_overdose"}).content.decode()
    assert reverse("patients:detail", args=[patient.pk]) in html
    assert "Discuss" in html


def test_information_level_rules_stay_off_the_dashboard(bob_client, clinic, alice):
    patient = make_patient(clinic, "R-INFO", assigned_clinician=alice)
    make_use_report(patient, alice, product_form="tablet")
    assert "concentrated_product" not in listed(bob_client, "attention").get("R-INFO", set())
    assert Patient.objects.count() == 1
