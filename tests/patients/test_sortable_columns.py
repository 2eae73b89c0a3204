"""The patient list sorts by its column headers: name, last contact and latest COWS."""

from __future__ import annotations

from django.urls import reverse

from tests.conftest import make_patient
from tests.guidance.conftest import record_assessment
from tests.patients.factories import make_visit

LIST = reverse("patients:list")


def names(response) -> list[str]:
    return [patient.name for patient, _flags in response.context["rows"]]


def test_sorting_by_latest_cows_puts_the_highest_first_and_the_unscored_last(alice_client, clinic, alice):
    low = make_patient(clinic, "R-1", name="Ann Low", assigned_clinician=alice)
    high = make_patient(clinic, "R-2", name="Ben High", assigned_clinician=alice)
    make_patient(clinic, "R-3", name="Cy None", assigned_clinician=alice)
    record_assessment(low, alice, code="COWS", total=3)
    record_assessment(high, alice, code="COWS", total=20)
    response = alice_client.get(LIST, {"sort": "cows"})
    assert names(response) == ["Ben High", "Ann Low", "Cy None"]
    assert b'aria-sort="descending"><a href="?sort=cows">Latest COWS</a>' in response.content


def test_the_last_contact_header_flips_between_most_recent_and_longest_ago(alice_client, clinic, alice):
    recent = make_patient(clinic, "R-1", name="Ann Recent", assigned_clinician=alice)
    old = make_patient(clinic, "R-2", name="Ben Old", assigned_clinician=alice)
    make_visit(recent, alice, days_ago=1)
    make_visit(old, alice, days_ago=30)
    response = alice_client.get(LIST, {"sort": "recent"})
    assert names(response) == ["Ann Recent", "Ben Old"]
    assert b'aria-sort="descending"><a href="?sort=oldest">Last contact</a>' in response.content
    assert names(alice_client.get(LIST, {"sort": "oldest"})) == ["Ben Old", "Ann Recent"]


def test_the_name_header_is_marked_as_the_default_sort(alice_client, patient):
    assert b'aria-sort="ascending"><a href="?sort=name">Name</a>' in alice_client.get(LIST).content
