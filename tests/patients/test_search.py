"""Finding a patient from any staff page: name, record number or date of birth, in one's own clinic."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from clinic.audit.models import Action, AuditEvent
from clinic.patients.search import parse_date
from tests.conftest import make_patient

SEARCH = reverse("patients:search")


def found(response) -> list[str]:
    return [patient.name for patient in response.context["page"]]


@pytest.fixture
def riverside(clinic, alice, erin):
    make_patient(clinic, "R-0042", name="Jordan Avery", date_of_birth=dt.date(1988, 4, 12), assigned_clinician=alice)
    make_patient(clinic, "R-0777", name="Sam Quinn", date_of_birth=dt.date(1975, 9, 1), assigned_clinician=erin)
    make_patient(clinic, "R-0778", name="Jordan Quinn", date_of_birth=dt.date(1988, 4, 12), status="tapering")


def test_she_finds_anyone_of_the_clinic_by_part_of_the_name(alice_client, riverside):
    assert found(alice_client.get(SEARCH, {"q": "quinn"})) == ["Jordan Quinn", "Sam Quinn"]


def test_she_finds_a_patient_by_record_number_whatever_the_case_or_spacing(alice_client, riverside):
    assert found(alice_client.get(SEARCH, {"q": "r-0777"})) == ["Sam Quinn"]
    assert found(alice_client.get(SEARCH, {"q": "R 0777"})) == ["Sam Quinn"]
    assert found(alice_client.get(SEARCH, {"q": "r0777"})) == ["Sam Quinn"]


@pytest.mark.parametrize("typed", ["1988-04-12", "04/12/1988", "4/12/1988"])
def test_she_finds_patients_by_date_of_birth_as_typed(alice_client, riverside, typed):
    assert found(alice_client.get(SEARCH, {"q": typed})) == ["Jordan Avery", "Jordan Quinn"]


def test_every_word_must_match_so_a_name_and_a_date_narrow_the_search(alice_client, riverside):
    assert found(alice_client.get(SEARCH, {"q": "jordan 1988-04-12 quinn"})) == ["Jordan Quinn"]


def test_the_results_show_what_an_ehr_shows_for_each_patient(alice_client, riverside):
    page = alice_client.get(SEARCH, {"q": "quinn"}).content.decode()
    for text in ["Record number", "Date of birth", "Assigned clinician", "Status"]:
        assert f'<th scope="col">{text}</th>' in page
    assert "R-0778" in page and "12 Apr 1988" in page and "No clinician assigned" in page and "Tapering" in page
    assert "Erin Walsh" in page


def test_a_supervisor_searches_too(bob_client, riverside):
    assert found(bob_client.get(SEARCH, {"q": "avery"})) == ["Jordan Avery"]


def test_dave_finds_nothing_of_riversides(dave_client, riverside, dave_patient):
    for query in ["jordan", "R-0042", "1988-04-12", "quinn"]:
        response = dave_client.get(SEARCH, {"q": query})
        # Hillcrest's own Sam Rivera shares the date of birth; nobody of Riverside's appears.
        assert set(found(response)) <= {"Sam Rivera"} and b"Jordan" not in response.content
        assert b"<td>R-0042</td>" not in response.content and b"<td>R-0778</td>" not in response.content
    assert found(dave_client.get(SEARCH, {"q": "rivera"})) == ["Sam Rivera"]


def test_a_clinic_admin_cannot_search_patients(carol_client):
    assert carol_client.get(SEARCH, {"q": "jordan"}).status_code == 403


def test_an_empty_search_finds_nobody_and_asks_for_a_term(alice_client, riverside):
    response = alice_client.get(SEARCH)
    assert response.status_code == 200 and found(response) == []
    assert b"Type a name, a record number or a date of birth." in response.content


def test_a_search_is_audited_without_the_words_searched_for(alice_client, alice, riverside):
    alice_client.get(SEARCH, {"q": "quinn"})
    event = AuditEvent.objects.filter(action=Action.VIEW, actor=alice).latest("pk")
    assert event.detail == "patient search, page 1" and "quinn" not in str(event.__dict__).lower()


def test_every_staff_page_of_clinicians_and_supervisors_has_the_search_box(alice_client, bob_client, carol_client):
    for client in (alice_client, bob_client):
        for url in [reverse("patients:list"), reverse("dashboard:index"), reverse("guidance:index")]:
            assert b'id="header-search-q"' in client.get(url).content
    assert b'id="header-search-q"' not in carol_client.get(reverse("guidance:index")).content


def test_dates_that_do_not_exist_are_not_dates():
    assert parse_date("1988-02-30") is None and parse_date("13/01/1988") is None
    assert parse_date("1988-2-3") == dt.date(1988, 2, 3)
