from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from clinic.accounts.demo import DEMO_PASSWORD
from clinic.audit.models import Action, AuditEvent
from tests.browser.conftest import axe_violations, sign_in

pytestmark = pytest.mark.browser


def test_the_demo_supervisor_follows_a_number_to_its_patients_and_downloads_them(page):
    call_command("load_demo", stdout=io.StringIO())
    sign_in(page, "bob", DEMO_PASSWORD)

    # A supervisor lands on the dashboard: the whole clinic, live.
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.get_by_text("The whole clinic (Riverside Recovery Clinic)")).to_be_visible()
    attention = page.get_by_role("region", name="Needs attention")
    expect(attention.get_by_role("table", name="Patients in care, by reason")).to_contain_text(
        "Depressant weekly or less"
    )
    expect(page.get_by_role("img", name="Assessments per week")).to_be_visible()
    assert axe_violations(page) == []

    # Every number opens the patients behind it, with the same filters.
    attention.get_by_role("link", name="patients: Depressant weekly or less").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("weekly or less often")
    table = page.get_by_role("table")
    expect(table).to_contain_text("Marcus Bell")
    expect(table).to_contain_text("Uses 7-OH together with alcohol (weekly)")
    expect(table).not_to_contain_text("Sam Rivera")  # Hillcrest's
    assert axe_violations(page) == []

    # ... and downloads as CSV, which the audit trail records.
    with page.expect_download() as downloaded:
        page.get_by_role("link", name="Download CSV").click()
    download = downloaded.value
    assert download.suggested_filename.startswith("steady-depressant-occasional-")
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    listed = {row["name"] for row in rows}
    assert "Marcus Bell" in listed and len(rows) == table.locator("tbody tr").count()
    assert AuditEvent.objects.filter(action=Action.EXPORT, actor__username="bob").count() == 1
