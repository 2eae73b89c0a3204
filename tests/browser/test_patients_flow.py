"""A clinician's first meeting with a patient, in the browser: create, intake visit, use report, flags."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_a_clinician_creates_a_patient_records_intake_and_use_and_sees_the_flags(page, alice, erin):
    sign_in(page, "alice", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Patients")
    assert axe_violations(page) == []

    page.get_by_role("link", name="New patient").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New patient")
    assert axe_violations(page) == []
    page.get_by_label("Full name").fill("Morgan Lee")
    page.get_by_label("Clinic record number").fill("R-2040")
    page.get_by_label("Date of birth").fill("2999-01-01")  # a slip: in the future
    page.get_by_role("group", name="Preferred language").get_by_label("Spanish").check()
    page.get_by_label("Assigned clinician").select_option(label="Alice Moreno")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The date of birth cannot be in the future.")).to_be_visible()
    page.get_by_label("Date of birth").fill("1991-07-15")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Morgan Lee")
    expect(page.get_by_text("No use report yet, so Steady cannot check")).to_be_visible()

    page.get_by_role("link", name="Record a visit").click()
    page.get_by_role("group", name="Kind of visit").get_by_label("Intake").check()
    page.get_by_label("Pulse (beats/min)").fill("96")
    page.get_by_label("Oxygen saturation (%)").fill("97")
    page.get_by_label("Plan, in your words").fill("Talk about alcohol with 7-OH. Use diary for a week.")
    page.get_by_role("button", name="Save visit").click()
    expect(page.get_by_text("Recorded the intake visit.")).to_be_visible()
    expect(page.get_by_text("Talk about alcohol with 7-OH.")).to_be_visible()

    page.get_by_role("link", name="Record 7-OH use").click()
    assert axe_violations(page) == []
    page.get_by_role("group", name="Product form").get_by_label("Tablet").check()
    page.get_by_label("Product or brand name").fill("7-Tab Max")
    page.get_by_label("Labelled 7-OH strength per unit (mg)").fill("15")
    page.get_by_label("Unknown / not trusted").check()  # both: the form refuses it
    page.get_by_label("Units per day").fill("4")
    page.get_by_role("button", name="Save use report").click()
    expect(page.get_by_text("Give either the labelled strength or “unknown / not trusted”, not both.")).to_be_visible()
    page.get_by_label("Unknown / not trusted").uncheck()
    page.get_by_label("Alcohol").select_option(label="Daily")
    page.get_by_role("group", name="Why they use it").get_by_label("Pain").check()
    page.get_by_label("Has had an overdose").check()
    page.get_by_role("button", name="Save use report").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Morgan Lee")
    flags = page.get_by_role("region", name="Needs attention")
    expect(flags).to_contain_text("Urgent Depressant daily or several days a week.")
    expect(flags).to_contain_text("alcohol (daily)")
    expect(flags).to_contain_text("Concentrated 7-OH product.")
    expect(flags).to_contain_text("Past overdose.")
    expect(flags).not_to_contain_text("Strength unknown")
    expect(flags).to_contain_text("Alcohol or benzodiazepine withdrawal risk.")
    expect(page.get_by_text("Reported daily intake")).to_have_count(0)  # Steady multiplies nothing
    assert axe_violations(page) == []

    page.get_by_role("link", name="Patients", exact=True).click()
    row = page.get_by_role("row", name="Morgan Lee")
    expect(row).to_contain_text("Urgent: Depressant daily or several days a week")
    expect(row).to_contain_text("R-2040")


def test_two_clinicians_editing_at_once_the_second_sees_both_versions(page, browser, live_server, patient, erin):
    sign_in(page, "alice", PASSWORD)
    other = browser.new_context(base_url=live_server.url).new_page()
    sign_in(other, "erin", PASSWORD)
    edit = f"/patients/{patient.pk}/edit/"
    page.goto(edit)
    other.goto(edit)

    other.get_by_label("Phone").fill("555-0101")
    other.get_by_role("button", name="Save").click()
    expect(other.get_by_role("heading", level=1)).to_have_text(patient.name)

    page.get_by_label("Phone").fill("555-0202")
    page.get_by_role("button", name="Save").click()
    conflict = page.get_by_role("alert")
    expect(conflict).to_contain_text("someone else saved this patient while you were editing")
    expect(conflict).to_contain_text("Erin Walsh saved it")
    expect(conflict.get_by_role("row", name="Phone")).to_contain_text("555-0101")
    expect(conflict.get_by_role("row", name="Phone")).to_contain_text("555-0202")
    expect(page.get_by_label("Phone")).to_have_value("555-0101")
    assert axe_violations(page) == []
    other.context.close()
