from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clinic.assessments.instruments import COWS
from clinic.assessments.models import Assessment
from tests.browser.conftest import axe_violations, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def answer_cows(page, values: dict[str, int], skip: str = "") -> None:
    """Tick each item's radio by its visible label, as a clinician would (all but `skip`)."""
    for item in COWS.items:
        if item.key == skip:
            continue
        value = values.get(item.key, 0)
        label = next(str(c.label) for c in item.choices if c.value == value)
        group = page.get_by_role("group", name=f"{item.number}. {item.prompt}")
        group.get_by_label(f"{value} — {label}", exact=True).check()
    # When 7-OH was last used, asked at every assessment.
    page.get_by_label("Unknown", exact=True).check()
    page.get_by_label("The patient", exact=True).check()


def test_a_clinician_records_two_cows_and_sees_total_band_and_trend(page, alice, patient):
    sign_in(page, "alice", PASSWORD)
    page.goto(f"/patients/{patient.pk}/")
    page.get_by_role("link", name="Record COWS").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a COWS for Jordan Avery")

    # First: pulse 101-120 (2), sweating beads (3), restlessness (3) = 8, mild.
    answer_cows(page, {"resting_pulse": 2, "sweating": 3, "restlessness": 3})
    page.get_by_role("button", name="Save COWS").click()
    expect(page).to_have_url(f"/assessments/patients/{patient.pk}/trends/")
    expect(page.get_by_role("status")).to_contain_text("Saved. COWS total 8, mild.")

    # Second, with gooseflesh: 8 + 5 + 4 (yawning) = 17, moderate.
    page.get_by_role("link", name="Record COWS").click()
    answer_cows(page, {"resting_pulse": 2, "sweating": 3, "restlessness": 3, "gooseflesh": 5, "yawning": 4})
    page.get_by_role("button", name="Save COWS").click()
    expect(page.get_by_role("status")).to_contain_text("Saved. COWS total 17, moderate.")

    cows = page.get_by_role("region", name="Clinical Opiate Withdrawal Scale (COWS)")
    expect(cows).to_contain_text("Latest COWS: total 17 of 48, moderate")
    expect(cows).to_contain_text("up 9 points; band mild → moderate")
    chart = page.get_by_role("img", name="COWS total over time")
    expect(chart).to_be_visible()
    expect(chart.locator("circle.chart-dot")).to_have_count(2)
    expect(chart.locator("polyline.chart-line")).to_have_count(1)
    table = page.get_by_role("table", name="COWS totals, newest first")
    expect(table.get_by_role("row")).to_have_count(3)
    assert sorted(Assessment.objects.values_list("total", flat=True)) == [8, 17]

    # The patient page shows the same trend and a timeline entry for each.
    page.goto(f"/patients/{patient.pk}/")
    expect(page.get_by_role("img", name="COWS total over time")).to_be_visible()
    expect(page.locator("ol.timeline li")).to_have_count(2)


def test_a_missing_answer_is_shown_next_to_its_item_and_nothing_is_saved(page, alice, patient):
    sign_in(page, "alice", PASSWORD)
    page.goto(f"/assessments/patients/{patient.pk}/record/cows/")
    answer_cows(page, {"sweating": 2}, skip="yawning")
    page.get_by_role("button", name="Save COWS").click()
    group = page.get_by_role("group", name="9. Yawning")
    expect(group).to_contain_text("Choose an answer for this question.")
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
    # The answers already given are kept.
    expect(
        page.get_by_role("group", name="2. Sweating").get_by_label("2 — Face flushed or visibly damp")
    ).to_be_checked()
    assert not Assessment.objects.exists()


def test_the_form_and_trend_page_have_no_accessibility_violations(page, alice, patient):
    sign_in(page, "alice", PASSWORD)
    page.goto(f"/assessments/patients/{patient.pk}/record/sows/")
    expect(page.get_by_text("own answers")).to_be_visible()
    assert axe_violations(page) == []
    page.goto(f"/assessments/patients/{patient.pk}/record/cows/")
    answer_cows(page, {"gooseflesh": 3, "tremor": 2})
    page.get_by_role("button", name="Save COWS").click()
    expect(page.get_by_role("status")).to_contain_text("Saved. COWS total 5, mild.")
    assert axe_violations(page) == []
    page.goto(f"/patients/{patient.pk}/")
    assert axe_violations(page) == []
