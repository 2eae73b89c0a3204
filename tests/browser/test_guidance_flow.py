from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clinic.guidance import services
from clinic.guidance.models import ProviderKind
from tests.browser.conftest import axe_violations, sign_in
from tests.conftest import PASSWORD
from tests.guidance.conftest import record_assessment, record_use

pytestmark = pytest.mark.browser


@pytest.fixture
def story(patient, alice, clinic):
    record_use(patient, alice, product_form="gummy", alcohol="most_days")
    record_assessment(patient, alice, total=18, days_ago=2)
    services.provider_create(
        request=None,
        actor=alice,
        clinic=clinic,
        fields={"name": "Riverside Bridge Clinic", "kind": ProviderKind.BUPRENORPHINE},
    )
    return patient


def test_a_clinician_follows_a_card_to_guidance_starts_a_taper_plan_and_moves_a_referral(page, alice, story):
    sign_in(page, "alice", PASSWORD)
    page.goto(f"/patients/{story.pk}/")
    cards = page.get_by_role("region", name="Guidance for this record")
    expect(cards).to_contain_text("Latest COWS: 18 (moderate)")
    expect(cards).to_contain_text("alcohol: several days a week")
    assert axe_violations(page) == []

    # The card says why, and leads to the page that explains.
    cards.get_by_role("link", name="Read “When and how to refer for buprenorphine”").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("When and how to refer for buprenorphine")
    expect(page.get_by_role("note")).to_contain_text("never proposes, computes or schedules a dose")
    expect(page.get_by_role("heading", name="Sources")).to_be_visible()
    assert axe_violations(page) == []
    page.go_back()

    # Start a taper plan in the clinician's own words.
    page.get_by_role("link", name="Start a taper plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a taper plan")
    page.get_by_label("Goals").fill("Off gummies by the new year; sleep through the night.")
    page.get_by_label("Status").select_option(label="Active")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Taper plan for Jordan Avery")
    page.get_by_label("Step (in your words)").fill("As agreed with the prescriber today.")
    page.get_by_role("button", name="Add the step").click()
    expect(page.get_by_role("table")).to_contain_text("As agreed with the prescriber today.")
    assert axe_violations(page) == []

    # Back on the patient page, the plan sits beside the chart and the patient is tapering.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Jordan Avery").click()
    expect(page.get_by_role("region", name="Taper plan")).to_contain_text("As agreed with the prescriber today.")
    expect(page.get_by_text("Record R-0001")).to_contain_text("Tapering")

    # Draft a referral, send it, and record that the provider made contact.
    page.get_by_role("link", name="Make a referral").click()
    page.get_by_label("Provider").select_option(label="Riverside Bridge Clinic (Buprenorphine prescriber)")
    page.get_by_label("Reason for referral").fill("Moderate withdrawal and asked about medication.")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral to Riverside Bridge Clinic")
    page.get_by_label("Note").fill("Faxed with the latest scores.")
    page.get_by_role("button", name="Mark as: Sent").click()
    # Each move first says in words what it will record; only the confirmation makes it.
    expect(page.get_by_role("heading", level=1)).to_have_text("Move the referral to “Sent”?")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Yes, move it to “Sent”").click()
    expect(page.locator("#referral-status")).to_have_text("Sent")
    page.get_by_role("button", name="Mark as: Provider contacted the patient").click()
    page.get_by_role("button", name="Yes, move it to “Provider contacted the patient”").click()
    expect(page.locator("#referral-status")).to_have_text("Provider contacted the patient")

    # Declining needs a reason, said next to the note.
    page.get_by_role("button", name="Mark as: Declined").click()
    expect(page.get_by_text("Say why, so the team knows what happened")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Jordan Avery").click()
    referrals = page.get_by_role("region", name="Referrals")
    expect(referrals).to_contain_text("Sent (Alice Moreno): Faxed with the latest scores.")
    expect(referrals).to_contain_text("Provider contacted the patient")
    expect(page.get_by_text("Record R-0001")).to_contain_text("Referred")
