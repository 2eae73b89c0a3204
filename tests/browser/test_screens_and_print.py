"""What a person sees: a favicon, form-control borders one can see, scroll regions one can reach."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

# Relative luminance and contrast ratio as WCAG 2.2 defines them, computed in the page from the
# computed styles: each form control's border against the background behind it.
BORDER_CONTRASTS = """
() => {
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = (element) => {
    for (let node = element.parentElement; node; node = node.parentElement) {
      const colour = rgb(getComputedStyle(node).backgroundColor);
      if (colour.length === 3 || (colour.length === 4 && colour[3] > 0)) return colour.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const controls = document.querySelectorAll(
    "main input[type=radio], main input[type=checkbox], main input.form-control, main select, main textarea");
  return Array.from(controls).filter((el) => el.offsetParent !== null).map((el) => {
    const style = getComputedStyle(el);
    const a = luminance(rgb(style.borderTopColor)), b = luminance(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    return { name: el.name || el.id, type: el.type, ratio: Math.round(ratio * 100) / 100 };
  });
}
"""


def test_radio_checkbox_and_field_borders_meet_the_3_to_1_non_text_contrast(page, alice, patient):
    sign_in(page, "alice", PASSWORD)
    for url in ["/patients/new/", f"/patients/{patient.pk}/use-reports/new/", f"/patients/{patient.pk}/visits/new/"]:
        page.goto(url)
        contrasts = page.evaluate(BORDER_CONTRASTS)
        kinds = {control["type"] for control in contrasts}
        assert kinds & {"radio", "checkbox"}, kinds
        low = [control for control in contrasts if control["ratio"] < 3]
        assert low == [], f"{url}: {low}"
    # The visit form's temperature takes °F too, converted to the °C the visit stores.
    page.get_by_role("group", name="Kind of visit").get_by_label("Follow-up").check()
    page.get_by_label("Temperature", exact=True).fill("100.4")
    page.get_by_role("group", name="Temperature scale").get_by_label("°F").check()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save visit").click()
    expect(page.get_by_text("Recorded the follow-up visit.")).to_be_visible()
    expect(page.get_by_text("38.0 °C")).to_be_visible()


def test_staff_and_patient_pages_carry_a_favicon_that_is_served(page, alice):
    page.goto("/sign-in/")
    icon = page.locator("link[rel=icon]")
    expect(icon).to_have_attribute("type", "image/svg+xml")
    response = page.request.get(icon.get_attribute("href"))
    assert response.status == 200 and b"<svg" in response.body()


def test_the_audit_trail_scroll_region_is_reachable_by_keyboard_on_a_phone(phone, bob, patient):
    sign_in(phone, "bob", PASSWORD)
    phone.goto("/audit/")
    region = phone.get_by_role("region", name="Audit events")
    expect(region).to_have_attribute("tabindex", "0")
    violations = axe_violations(phone)
    assert [v["id"] for v in violations if v["id"] == "scrollable-region-focusable"] == []


def test_a_patients_link_page_carries_the_favicon_too(page, alice, patient):
    from clinic.selfreport.services import patient_link_issue

    _link, token = patient_link_issue(request=None, patient=patient, created_by=alice, instrument_code="SOWS")
    page.goto(f"/p/{token}/")
    expect(page.locator("link[rel=icon]")).to_have_attribute("type", "image/svg+xml")


def test_a_clinician_finds_a_new_patient_from_another_page_and_prints_her_one_page_summary(page, alice, erin, patient):
    import re

    sign_in(page, "alice", PASSWORD)
    # Register: the form starts with Alice as the clinician; the same name and birth date as an
    # existing patient needs "a different person".
    page.get_by_role("link", name="New patient").click()
    expect(page.get_by_label("Assigned clinician")).to_have_value(str(alice.pk))
    page.get_by_label("Full name").fill("Jordan Avery")
    page.get_by_label("Clinic record number").fill("R-2040")
    page.get_by_label("Date of birth").fill("1988-04-12")
    page.get_by_role("button", name="Save").click()
    duplicates = page.get_by_role("region", name="Possible duplicate: this person may already be registered")
    expect(duplicates.get_by_role("link", name="Jordan Avery")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("This is a different person: register them anyway").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jordan Avery")

    # Find her from the guidance library through the header's search, by record number.
    page.get_by_role("link", name="Guidance").click()
    page.get_by_role("search", name="Find a patient").get_by_role("searchbox").fill("r 2040")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a patient")
    results = page.get_by_role("region", name="Patients found")
    expect(results.get_by_role("row")).to_have_count(2)  # the header and her
    expect(results).to_contain_text("Alice Moreno")
    assert axe_violations(page) == []
    results.get_by_role("link", name="Jordan Avery").click()

    page.get_by_role("link", name="Printable summary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jordan Avery: patient summary")
    assert axe_violations(page) == []
    page.emulate_media(media="print")
    for hidden in ["nav[aria-label=Main]", "button[data-print]", "form[role=search]", "footer"]:
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.get_by_text("Record number")).to_be_visible()
    pdf = page.pdf(format="Letter")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, "the summary prints on one page"


def test_the_header_search_and_its_results_fit_a_phone_without_sideways_scrolling(phone, alice, patient):
    sign_in(phone, "alice", PASSWORD)
    for url in ["/patients/?clinician=all", "/patients/search/?q=jordan", f"/patients/{patient.pk}/summary/"]:
        phone.goto(url)
        expect(phone.get_by_role("searchbox", name="Find a patient")).to_be_visible()
        width = phone.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"{url} is {width} px wide"
