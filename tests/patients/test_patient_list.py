"""The patient list: find a patient, filter, sort, page through, and see risk flags per row."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.audit.models import Action, AuditEvent
from tests.conftest import make_patient
from tests.patients.factories import make_use_report, make_visit

LIST = reverse("patients:list")


def names(response) -> list[str]:
    return [patient.name for patient, _flags in response.context["rows"]]


def test_a_clinician_first_sees_her_own_patients_and_can_ask_for_the_whole_clinic(alice_client, clinic, alice, erin):
    make_patient(clinic, "R-1", name="Ann Alder", assigned_clinician=alice)
    make_patient(clinic, "R-2", name="Ben Birch", assigned_clinician=erin)
    make_patient(clinic, "R-3", name="Cy Cedar")
    assert names(alice_client.get(LIST)) == ["Ann Alder"]
    assert names(alice_client.get(LIST, {"clinician": "all"})) == ["Ann Alder", "Ben Birch", "Cy Cedar"]
    assert names(alice_client.get(LIST, {"clinician": erin.pk})) == ["Ben Birch"]
    assert names(alice_client.get(LIST, {"clinician": "none"})) == ["Cy Cedar"]


def test_a_supervisor_first_sees_the_whole_clinic(bob_client, clinic, alice, erin):
    make_patient(clinic, "R-1", name="Ann Alder", assigned_clinician=alice)
    make_patient(clinic, "R-2", name="Ben Birch", assigned_clinician=erin)
    response = bob_client.get(LIST)
    assert names(response) == ["Ann Alder", "Ben Birch"]
    assert b"My patients" not in response.content


def test_search_finds_by_part_of_the_name_or_the_record_number_in_any_case(alice_client, clinic, alice):
    make_patient(clinic, "R-0042", name="Jordan Avery", assigned_clinician=alice)
    make_patient(clinic, "R-0777", name="Sam Quinn", assigned_clinician=alice)
    assert names(alice_client.get(LIST, {"q": "avery"})) == ["Jordan Avery"]
    assert names(alice_client.get(LIST, {"q": "r-0777"})) == ["Sam Quinn"]
    response = alice_client.get(LIST, {"q": "nobody"})
    assert names(response) == [] and b"No patients match" in response.content


def test_filtering_by_status(alice_client, clinic, alice):
    make_patient(clinic, "R-1", name="Ann Alder", assigned_clinician=alice, status="tapering")
    make_patient(clinic, "R-2", name="Ben Birch", assigned_clinician=alice)
    assert names(alice_client.get(LIST, {"status": "tapering"})) == ["Ann Alder"]


def test_another_clinics_patients_never_appear_even_when_asked_for_by_clinician_id(alice_client, dave, dave_patient):
    assert names(alice_client.get(LIST, {"clinician": "all"})) == []
    response = alice_client.get(LIST, {"clinician": dave.pk})
    assert response.status_code == 200 and names(response) == []
    assert b"Sam Rivera" not in response.content


def test_sorting_by_last_contact_uses_the_latest_visit(alice_client, clinic, alice):
    recent = make_patient(clinic, "R-1", name="Ann Alder", assigned_clinician=alice)
    longago = make_patient(clinic, "R-2", name="Ben Birch", assigned_clinician=alice)
    make_patient(clinic, "R-3", name="Cy Cedar", assigned_clinician=alice)  # never seen
    make_visit(recent, alice, days_ago=40)
    make_visit(recent, alice, days_ago=1)
    make_visit(longago, alice, days_ago=20)
    assert names(alice_client.get(LIST, {"sort": "recent"})) == ["Ann Alder", "Ben Birch", "Cy Cedar"]
    assert names(alice_client.get(LIST, {"sort": "oldest"})) == ["Cy Cedar", "Ben Birch", "Ann Alder"]
    assert names(alice_client.get(LIST, {"sort": "name"})) == ["Ann Alder", "Ben Birch", "Cy Cedar"]


def test_nonsense_filter_values_fall_back_instead_of_failing(alice_client, clinic, alice):
    make_patient(clinic, "R-1", assigned_clinician=alice)
    response = alice_client.get(LIST, {"sort": "DROP TABLE", "clinician": "x", "status": "zzz", "page": "9999"})
    assert response.status_code == 200
    assert len(names(response)) == 1


def test_the_list_is_paginated_by_25_and_pages_keep_the_filters(alice_client, clinic, alice):
    for i in range(30):
        make_patient(clinic, f"R-{i:03}", name=f"Patient {i:03}", assigned_clinician=alice)
    first = alice_client.get(LIST, {"q": "Patient"})
    assert len(names(first)) == 25
    assert b"Showing 1\xe2\x80\x9325 of 30 patients" in first.content
    assert b"?q=Patient&amp;page=2" in first.content
    second = alice_client.get(LIST, {"q": "Patient", "page": 2})
    assert len(names(second)) == 5


def test_each_row_shows_the_flags_of_the_latest_use_report_only(alice_client, clinic, alice):
    patient = make_patient(clinic, "R-1", name="Ann Alder", assigned_clinician=alice)
    make_use_report(patient, alice, days_ago=10, alcohol="daily", past_overdose=True)
    make_use_report(patient, alice, days_ago=1, product_form="tablet", strength_mg_per_unit=15)
    response = alice_client.get(LIST)
    ((_patient, flags),) = response.context["rows"]
    assert [flag.key for flag in flags] == ["naloxone_none", "concentrated_product"]
    table = response.content.decode().split("<tbody")[1]
    assert "Concentrated 7-OH product" in table
    assert "Respiratory depression risk" not in table


def test_the_list_never_shows_a_reported_daily_intake(alice_client, clinic, alice):
    patient = make_patient(clinic, "R-1", assigned_clinician=alice)
    # 13.7 mg × 7 a day = 95.9: a product no page could show by chance (a CSRF token might hold "60").
    make_use_report(patient, alice, product_form="tablet", strength_mg_per_unit="13.7", units_per_day=7)
    response = alice_client.get(LIST)
    assert b"95.9" not in response.content and b"intake" not in response.content


def test_the_list_offers_a_new_patient_link_and_is_an_accessible_table(alice_client, patient):
    html = alice_client.get(LIST).content.decode()
    assert f'href="{reverse("patients:create")}"' in html and "New patient" in html
    assert "<caption" in html and 'scope="col"' in html


def test_viewing_the_list_is_audited(alice_client, alice, patient):
    alice_client.get(LIST)
    assert AuditEvent.objects.filter(actor=alice, action=Action.VIEW, detail__startswith="patient list").exists()


def test_a_clinic_admin_cannot_see_the_patient_list(carol_client):
    assert carol_client.get(LIST).status_code == 403


def _fill(clinic, alice, erin, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        patient = make_patient(
            clinic, f"R-{i:03}", name=f"Patient {i:03}", assigned_clinician=alice if i % 2 == 0 else erin
        )
        make_visit(patient, alice, days_ago=i + 1)
        make_visit(patient, erin, days_ago=i + 2)
        make_use_report(patient, alice, days_ago=5, alcohol="daily")
        make_use_report(patient, alice, days_ago=2, product_form="gummy", strength_unknown=True, past_overdose=True)


def _queries_for(client, query: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST, query).status_code == 200
    return len(queries)


@pytest.mark.parametrize("count", [3, 60])
@pytest.mark.parametrize(
    "query",
    [
        {},
        {"clinician": "all", "sort": "recent"},
        {"clinician": "all", "q": "Patient"},
        {"clinician": "all", "safety": "level:discuss"},
    ],
)
def test_the_number_of_queries_does_not_grow_with_the_number_of_patients(
    alice_client, clinic, alice, erin, count, query, django_assert_max_num_queries
):
    # Today: session, user, clinicians for the filter, count, page, latest use reports, clinic,
    # audit insert. The baseline is one patient, so the test measures growth, not the total.
    _fill(clinic, alice, erin, 1)
    baseline = _queries_for(alice_client, query)
    _fill(clinic, alice, erin, count, start=1)
    with django_assert_max_num_queries(baseline):
        response = alice_client.get(LIST, query)
    rows = response.context["rows"]
    assert len(rows) == min(count + 1 if query else count // 2 + 1, 25)
    assert all(
        {flag.key for flag in flags} == {"concentrated_product", "strength_unknown", "past_overdose", "naloxone_none"}
        for _, flags in rows
    )


def test_sixty_patients_cost_exactly_as_many_queries_as_three(alice_client, clinic, alice, erin):
    _fill(clinic, alice, erin, 3)
    with CaptureQueriesContext(connection) as few:
        alice_client.get(LIST, {"clinician": "all", "sort": "oldest"})
    for i in range(3, 60):
        patient = make_patient(clinic, f"R-{i:03}", name=f"Patient {i:03}", assigned_clinician=alice)
        make_visit(patient, alice)
        make_use_report(patient, alice, alcohol="daily")
    with CaptureQueriesContext(connection) as many:
        response = alice_client.get(LIST, {"clinician": "all", "sort": "oldest"})
    assert len(response.context["rows"]) == 25
    assert len(many) == len(few)


def test_a_search_with_no_match_among_her_patients_offers_the_whole_clinic(alice_client, clinic, erin):
    make_patient(clinic, "R-1", name="Ben Birch", assigned_clinician=erin)
    response = alice_client.get(LIST, {"q": "birch", "clinician": "mine"})
    assert names(response) == []
    assert b'1 more in the rest of the clinic matches: <a href="?q=birch&amp;clinician=all">' in response.content


def test_the_list_filters_by_the_latest_cows_band_and_shows_it(alice_client, alice, clinic):
    import uuid

    from django.utils import timezone

    from clinic.assessments.instruments import COWS
    from clinic.assessments.services import assessment_submit
    from tests.conftest import make_patient

    def cows(patient, value_index):
        answers = {i.key: i.legal_values[min(value_index, len(i.legal_values) - 1)] for i in COWS.items}
        assessment_submit(
            request=None,
            patient=patient,
            instrument_code="COWS",
            answers=answers,
            taken_at=timezone.now(),
            completed_by="clinician",
            entered_by=alice,
            submission_id=uuid.uuid4(),
        )

    severe = make_patient(clinic, "R-1", name="Severe Sam", assigned_clinician=alice)
    low = make_patient(clinic, "R-2", name="Low Lee", assigned_clinician=alice)
    make_patient(clinic, "R-3", name="Unscored Uma", assigned_clinician=alice)
    cows(severe, 9)  # every item at its highest value: 48, severe
    cows(low, 0)  # 0: below the mild band

    def names(severity):
        response = alice_client.get("/patients/", {"severity": severity})
        return [p.name for p, _ in response.context["rows"]]

    assert names("severe") == ["Severe Sam"]
    assert names("below") == ["Low Lee"]
    assert names("none") == ["Unscored Uma"]
    assert names("moderate") == []
    assert len(names("")) == 3
    body = alice_client.get("/patients/").content.decode()
    assert '48 <span class="small">(Severe)</span>' in body
    assert '0 <span class="small">(below the mild band)</span>' in body
