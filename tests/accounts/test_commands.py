from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from clinic.accounts.models import Clinic, Role, User


def test_createclinic_makes_a_clinic_and_its_first_admin(db, capsys):
    call_command("createclinic", "Lakeside", "--admin", "lee", "--password", "a-long-enough-passphrase")
    lee = User.objects.get(username="lee")
    assert lee.clinic.name == "Lakeside" and lee.role == Role.CLINIC_ADMIN
    assert lee.check_password("a-long-enough-passphrase")
    assert "Created clinic 'Lakeside'" in capsys.readouterr().out


def test_createclinic_refuses_a_weak_password_and_creates_nothing(db):
    with pytest.raises(CommandError, match="too short"):
        call_command("createclinic", "Lakeside", "--admin", "lee", "--password", "short")
    assert not Clinic.objects.filter(name="Lakeside").exists()


def test_createclinic_refuses_a_duplicate_clinic(clinic):
    with pytest.raises(CommandError, match="already exists"):
        call_command("createclinic", clinic.name, "--admin", "lee", "--password", "a-long-enough-passphrase")


def test_createstaff_adds_a_supervisor(clinic):
    call_command(
        "createstaff", "sue", "--clinic", clinic.name, "--role", "supervisor", "--password", "a-long-enough-passphrase"
    )
    assert User.objects.get(username="sue").role == Role.SUPERVISOR


@pytest.mark.parametrize(
    "args, message",
    [
        (["--clinic", "Nowhere", "--role", "clinician"], "No clinic named"),
        (["--clinic", "Riverside Recovery Clinic", "--role", "nurse"], "Unknown role"),
    ],
)
def test_createstaff_refuses_bad_input_with_a_clear_message(clinic, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("createstaff", "sue", *args, "--password", "a-long-enough-passphrase")


def test_load_demo_twice_adds_nothing_the_second_time(db):
    call_command("load_demo")
    counts = (Clinic.objects.count(), User.objects.count())
    call_command("load_demo")
    assert (Clinic.objects.count(), User.objects.count()) == counts
