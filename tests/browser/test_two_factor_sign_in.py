from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _code_for(secret: str) -> str:
    compact = secret.replace(" ", "")
    key = base64.b32decode(compact + "=" * (-len(compact) % 8))
    return f"{TOTP(key).token():06d}"


def test_a_clinician_enrols_an_authenticator_and_lands_on_her_patients(page, alice, settings):
    settings.REQUIRE_2FA = True
    page.goto("/patients/")
    sign_in(page, "alice", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.locator(".qr-code svg")).to_be_visible()
    assert axe_violations(page) == []

    secret = page.locator(".secret-key").inner_text()
    page.get_by_label("Code from your authenticator app").fill(_code_for(secret))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert axe_violations(page) == []
    page.get_by_role("link", name=re.compile("I have saved my codes")).click()
    expect(page).to_have_url("/patients/")


def test_the_code_page_asks_for_a_code_and_has_no_accessibility_violations(page, alice, settings):
    from tests.security.helpers import enrol

    settings.REQUIRE_2FA = True
    enrol(alice, recovery_codes=("rrrr2345",))
    sign_in(page, "alice", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    assert axe_violations(page) == []
    page.get_by_label("Code").fill("rrrr2345")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("You used a recovery code; 0 left")).to_be_visible()


def test_the_lockout_page_and_the_audit_trail_have_no_accessibility_violations(page, alice, bob):
    for attempt in range(5):
        sign_in(page, "alice", f"wrong-{attempt}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Signing in is paused")
    assert axe_violations(page) == []

    page.context.clear_cookies()
    sign_in(page, "bob", PASSWORD)
    page.goto("/staff/lockouts/")
    expect(page.get_by_role("cell", name="alice", exact=True)).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name=re.compile("Unlock")).click()
    expect(page.get_by_text("alice can sign in again")).to_be_visible()
    page.goto("/audit/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Audit trail")
    assert axe_violations(page) == []
