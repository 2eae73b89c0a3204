from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_an_anonymous_visitor_is_sent_to_sign_in_and_the_clinician_lands_on_her_patients(page, alice):
    page.goto("/patients/")
    expect(page).to_have_url("/sign-in/?next=/patients/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Steady")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url("/patients/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Patients")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Alice Moreno")


def test_a_wrong_password_keeps_the_visitor_on_sign_in_with_a_message(page, alice):
    sign_in(page, "alice", "not-her-password")
    expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()


def test_the_sign_in_page_has_no_accessibility_violations(page, db):
    page.goto("/sign-in/")
    assert axe_violations(page) == []
