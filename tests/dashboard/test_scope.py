"""Who sees what: a clinician sees her caseload, a supervisor the clinic, nobody another clinic."""

from __future__ import annotations

import pytest

from tests.conftest import make_patient
from tests.dashboard.helpers import CSV, INDEX, LIST, listed, record, totals


@pytest.fixture
def caseloads(clinic, alice, erin, dave_patient, dave):
    mine = make_patient(clinic, "R-A", name="Alice's Patient", assigned_clinician=alice)
    theirs = make_patient(clinic, "R-E", name="Erin's Patient", assigned_clinician=erin)
    nobody = make_patient(clinic, "R-N", name="Nobody's Patient")
    for patient, by in ((mine, alice), (theirs, erin), (nobody, alice), (dave_patient, dave)):
        record(patient, by, "COWS", 40)
    return mine, theirs, nobody


def test_a_clinician_sees_only_the_patients_assigned_to_her(alice_client, caseloads):
    assert totals(alice_client)["in_care"] == 1
    assert set(listed(alice_client, "attention")) == {"R-A"}
    assert set(listed(alice_client, "in_care")) == {"R-A"}


def test_a_clinician_cannot_widen_her_dashboard_with_the_clinician_filter(alice_client, erin, caseloads):
    for clinician in ("all", "none", str(erin.pk)):
        assert totals(alice_client, clinician=clinician)["in_care"] == 1
        assert set(listed(alice_client, "in_care", clinician=clinician)) == {"R-A"}
        body = alice_client.get(CSV, {"metric": "in_care", "clinician": clinician}).content.decode()
        assert "R-A" in body and "R-E" not in body and "R-N" not in body


def test_a_clinicians_dashboard_says_it_is_her_caseload_and_has_no_caseload_table(alice_client, caseloads):
    response = alice_client.get(INDEX)
    assert "Your caseload" in response.content.decode()
    assert response.context["caseload"] is None
    assert 'name="clinician"' not in response.content.decode()


def test_a_supervisor_sees_the_whole_clinic_and_can_narrow_it_to_one_caseload(bob_client, erin, caseloads):
    assert totals(bob_client)["in_care"] == 3
    assert set(listed(bob_client, "attention")) == {"R-A", "R-E", "R-N"}
    assert set(listed(bob_client, "attention", clinician=erin.pk)) == {"R-E"}
    assert set(listed(bob_client, "attention", clinician="none")) == {"R-N"}


def test_another_clinics_patients_never_count_even_when_asked_for_by_clinician_id(bob_client, dave, caseloads):
    assert totals(bob_client)["attention"] == 3
    response = bob_client.get(INDEX, {"clinician": dave.pk})
    assert "clinician" in response.context["form"].errors  # not a choice at this clinic
    assert response.context["total"]["attention"] == 3  # the whole clinic instead, never Dave's
    for url in (LIST, CSV):
        body = bob_client.get(url, {"metric": "attention", "clinician": dave.pk}).content.decode()
        assert "Sam Rivera" not in body and "H-0001" not in body


def test_staff_of_the_other_clinic_see_only_their_own(dave_client, caseloads):
    assert totals(dave_client)["in_care"] == 1
    assert set(listed(dave_client, "attention")) == {"H-0001"}


def test_a_clinic_admin_has_no_dashboard(carol_client):
    assert carol_client.get(INDEX).status_code == 403
    assert carol_client.get(LIST).status_code == 403
    assert carol_client.get(CSV).status_code == 403
