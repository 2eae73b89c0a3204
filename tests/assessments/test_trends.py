"""The trend page and the patient page panels: charts, tables, changes, grid, pairs, notes."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.assessments.instruments import COWS, SOWS, SOWS_GOSSOP
from clinic.assessments.models import Assessment
from clinic.assessments.services import summary_refresh
from clinic.audit.models import AuditEvent
from clinic.patients.models import UseReport
from tests.assessments.factories import assessment, local


def trends_url(patient, **params) -> str:
    url = reverse("assessments:trends", kwargs={"pk": patient.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def patient_url(patient) -> str:
    return reverse("patients:detail", kwargs={"pk": patient.pk})


def save(*assessments: Assessment) -> None:
    """Store a history and refresh the summary, as assessment_submit would have."""
    Assessment.objects.bulk_create(assessments)
    summary_refresh(patient=assessments[0].patient)


def svg(html: str, prefix: str) -> str:
    match = re.search(rf'<svg[^>]*aria-labelledby="{prefix}-title".*?</svg>', html, re.S)
    assert match, f"no chart {prefix}"
    return match.group(0)


def section(html: str, prefix: str) -> str:
    match = re.search(rf'<section[^>]*aria-labelledby="{prefix}-heading".*?</section>', html, re.S)
    assert match, f"no section {prefix}"
    return match.group(0)


@pytest.fixture
def cows_with_a_gap(patient, alice):
    # Two days, then ten days without an assessment, then two more days.
    save(
        assessment(patient, COWS, local(2026, 1, 5), 8, entered_by=alice),
        assessment(patient, COWS, local(2026, 1, 6), 12, entered_by=alice),
        assessment(patient, COWS, local(2026, 1, 16), 20, entered_by=alice),
        assessment(patient, COWS, local(2026, 1, 17), 16, entered_by=alice),
    )


# --- The chart ---------------------------------------------------------------------------------


def test_the_cows_chart_breaks_the_line_across_a_gap_instead_of_joining_it(alice_client, patient, cows_with_a_gap):
    chart = svg(alice_client.get(trends_url(patient)).content.decode(), "cows-trend")
    # 5-17 Jan across 576 px (13 days); noon in each day; totals of 48 over 200 px.
    assert re.findall(r'<polyline class="chart-line" points="([^"]+)"', chart) == [
        "62.2,182.7 106.5,166.0",
        "549.5,132.7 593.8,149.3",
    ]
    assert re.findall(r'<circle class="chart-dot" cx="([\d.]+)" cy="([\d.]+)"', chart) == [
        ("62.2", "182.7"),
        ("106.5", "166.0"),
        ("549.5", "132.7"),
        ("593.8", "149.3"),
    ]


def test_the_chart_has_a_title_a_description_and_shaded_cows_bands(alice_client, patient, cows_with_a_gap):
    chart = svg(alice_client.get(trends_url(patient)).content.decode(), "cows-trend")
    assert '<title id="cows-trend-title">COWS total over time</title>' in chart
    assert "4 COWS assessments from 5 Jan 2026 to 17 Jan 2026; first total 8, latest 16." in chart
    for css in ("chart-band-mild", "chart-band-moderate", "chart-band-moderately-severe", "chart-band-severe"):
        assert css in chart
    assert "style=" not in chart and "<script" not in chart


def test_a_data_table_beside_the_chart_lists_every_assessment_for_screen_readers(
    alice_client, patient, cows_with_a_gap
):
    html = section(alice_client.get(trends_url(patient)).content.decode(), "cows-trend")
    table = re.search(r'<table class="table table-sm caption-top trend-table">.*?</table>', html, re.S).group(0)
    assert "<caption" in table and 'scope="col"' in table
    rows = re.findall(r"<tr><td>.*?</tr>", table, re.S)
    assert len(rows) == 4
    assert "17 Jan 2026, 12:00" in rows[0] and "<td>16</td>" in rows[0] and "Moderate" in rows[0]
    assert "5 Jan 2026, 12:00" in rows[-1] and "<td>8</td>" in rows[-1] and "Mild" in rows[-1]


def test_change_since_the_previous_and_the_first_assessment_is_stated_in_words(alice_client, patient, cows_with_a_gap):
    html = section(alice_client.get(trends_url(patient)).content.decode(), "cows-trend")
    assert "Latest COWS: total <strong>16</strong> of 48, <strong>moderate</strong>" in html
    assert re.search(r"Since the previous one \(.*?total 20\): down 4 points\.", html)
    assert re.search(r"Since the first one \(.*?total 8\): up 8 points\.", html)


def test_a_band_change_since_the_previous_is_named(alice_client, patient, alice):
    save(
        assessment(patient, COWS, local(2026, 1, 5), 12, entered_by=alice),
        assessment(patient, COWS, local(2026, 1, 6), 13, entered_by=alice),
    )
    html = alice_client.get(trends_url(patient)).content.decode()
    assert "up 1 point; band mild → moderate." in html


def test_low_cows_totals_are_below_the_mild_band_and_sows_never_gets_a_band(alice_client, patient, alice):
    save(
        assessment(patient, COWS, local(2026, 1, 5, 9), 3, entered_by=alice),
        assessment(patient, SOWS, local(2026, 1, 5, 10), 40, entered_by=alice),
        assessment(patient, SOWS_GOSSOP, local(2026, 1, 6, 10), 20, entered_by=alice),
    )
    html = alice_client.get(trends_url(patient)).content.decode()
    assert "total <strong>3</strong> of 48, <strong>below the mild band</strong>" in section(html, "cows-trend")
    for prefix, _instrument in (("sows-trend", SOWS), ("sows-gossop-trend", SOWS_GOSSOP)):
        part = section(html, prefix)
        assert "no published severity bands" in part
        assert "chart-band" not in svg(html, prefix)
        assert not re.search(r"\b(mild|moderate|severe)\b", part, re.I)
    assert "Only one SOWS so far" in html


def test_the_chart_can_be_plotted_against_hours_since_last_use_given_with_each_assessment(alice_client, patient, alice):
    save(
        assessment(patient, COWS, local(2026, 1, 5), 20, entered_by=alice, hours=Decimal("12.0")),
        assessment(patient, COWS, local(2026, 1, 6), 14, entered_by=alice, hours=Decimal("36.0")),
        assessment(patient, COWS, local(2026, 1, 7), 9, entered_by=alice),
    )
    # A use report that would once have supplied hours for the third one: ignored.
    UseReport.objects.create(
        patient=patient, recorded_by=alice, recorded_at=local(2026, 1, 6, 8), last_use_at=local(2026, 1, 1)
    )
    html = alice_client.get(trends_url(patient, x="hours")).content.decode()
    chart = svg(html, "cows-trend")
    assert "COWS total by hours since last use" in chart
    assert "1 assessment without hours since last use is not shown." in chart
    assert len(re.findall(r'<circle class="chart-dot"', chart)) == 2
    assert 'href="?x=hours#assessment-trends" aria-current="true"' in html
    # The table still lists all three, with who gave each answer, and "not recorded" for the old one.
    table = section(html, "cows-trend")
    assert "not recorded" in table and "12.0 h" in table and "patient&#x27;s answer" in table
    assert "120.0 h" not in table and "132.0 h" not in table
    plain = alice_client.get(trends_url(patient, x="nonsense")).content.decode()
    assert "COWS total over time" in plain


def test_the_item_grid_shows_which_cows_items_drive_the_score(alice_client, patient, alice):
    save(
        assessment(patient, COWS, local(2026, 1, 5), 5, entered_by=alice, gooseflesh=5),
        assessment(patient, COWS, local(2026, 1, 6), 9, entered_by=alice, gooseflesh=5, restlessness=3),
    )
    html = alice_client.get(trends_url(patient)).content.decode()
    grid = re.search(
        r'<table class="table table-sm table-bordered caption-top item-grid">.*?</table>', html, re.S
    ).group(0)
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", grid, re.S)
    assert len(rows) == len(COWS.items) + 1  # items, then the total
    gooseflesh = next(r for r in rows if "Gooseflesh skin" in r)
    assert re.findall(r'<td class="item-high">5<span class="visually-hidden"> \(high\)</span></td>', gooseflesh) != []
    assert gooseflesh.count("item-high") == 2
    restlessness = next(r for r in rows if "Restlessness" in r)
    assert re.findall(r"<td[^>]*>(\d)", restlessness) == ["0", "3"]
    assert "(0, 3, 5)" in gooseflesh


def test_the_item_grid_shows_the_latest_ten_and_says_how_many_are_left_out(alice_client, patient, alice):
    save(
        *[
            assessment(patient, COWS, local(2026, 1, 1) + dt.timedelta(hours=6 * n), 10, entered_by=alice)
            for n in range(14)
        ]
    )
    html = alice_client.get(trends_url(patient)).content.decode()
    assert "latest 10 COWS assessments" in html and "4 older ones not shown" in html


def test_cows_and_sows_within_four_hours_are_shown_side_by_side(alice_client, patient, alice):
    save(
        assessment(patient, COWS, local(2026, 1, 5, 9), 14, entered_by=alice),
        assessment(patient, SOWS, local(2026, 1, 5, 12), 30, entered_by=alice),  # 3 h later: a pair
        assessment(patient, COWS, local(2026, 1, 8, 9), 10, entered_by=alice),
        assessment(patient, SOWS, local(2026, 1, 8, 14), 22, entered_by=alice),  # 5 h later: not a pair
    )
    html = alice_client.get(trends_url(patient)).content.decode()
    pairs = re.search(r'<table class="table table-sm caption-top pairs-table">.*?</table>', html, re.S).group(0)
    rows = re.findall(r"<tr><td>.*?</tr>", pairs, re.S)
    assert len(rows) == 1
    assert "5 Jan 2026, 09:00" in rows[0] and "14 (moderate)" in rows[0] and "30 of 64" in rows[0]
    assert "<td>3.0</td>" in rows[0]


def test_viewing_trends_is_audited(alice_client, alice, patient, cows_with_a_gap):
    alice_client.get(trends_url(patient))
    assert AuditEvent.objects.filter(
        actor=alice, action="view", patient_id=patient.pk, detail="assessment trends"
    ).exists()


def test_a_patient_without_assessments_has_a_trend_page_that_says_so(alice_client, patient):
    html = alice_client.get(trends_url(patient)).content.decode()
    assert "No withdrawal checklist recorded yet." in html
    assert "Record COWS" in html and "Enter SOWS for the patient" in html


def test_the_outsider_and_the_clinic_admin_are_refused_the_trend_page(dave_client, carol_client, patient):
    assert dave_client.get(trends_url(patient)).status_code == 404
    assert carol_client.get(trends_url(patient)).status_code == 403
    assert not AuditEvent.objects.filter(action="view", patient_id=patient.pk).exists()


def test_the_trend_page_is_read_only(alice_client, patient):
    assert alice_client.post(trends_url(patient)).status_code == 405


# --- The patient page --------------------------------------------------------------------------


def test_the_patient_page_has_the_trends_panel_and_timeline_entries(alice_client, patient, alice):
    save(
        assessment(patient, COWS, local(2026, 1, 5, 9), 14, entered_by=alice),
        assessment(patient, SOWS, local(2026, 1, 5, 10), 30, entered_by=alice),
    )
    html = alice_client.get(patient_url(patient)).content.decode()
    assert 'id="assessments-heading"' in html and "Withdrawal checklists" in html
    assert svg(html, "cows-trend") and svg(html, "sows-trend")
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    timeline = re.search(r'<ol class="list-unstyled timeline">.*?</ol>', html, re.S).group(0)
    entries = re.findall(r"<li.*?</li>", timeline, re.S)
    assert "SOWS" in entries[0] and "patient-reported" in entries[0] and "total 30" in entries[0]
    assert "COWS" in entries[1] and "patient-reported" not in entries[1] and "total 14, moderate" in entries[1]


def test_the_patient_page_chart_can_use_hours_since_last_use(alice_client, patient, alice):
    save(assessment(patient, COWS, local(2026, 1, 5), 20, entered_by=alice, hours=Decimal("12.0")))
    html = alice_client.get(patient_url(patient) + "?x=hours").content.decode()
    assert "COWS total by hours since last use" in html


@pytest.mark.parametrize(
    "totals,note",
    [
        ((10, 25), "Latest COWS is in the moderately severe band (total 25)."),
        ((10, 40), "Latest COWS is in the severe band (total 40)."),
        ((4, 5), "COWS moved up a band since the previous one: below the mild band (total 4) to mild (total 5)."),
        ((12, 13), "COWS moved up a band since the previous one: mild (total 12) to moderate (total 13)."),
    ],
)
def test_attention_notes_give_their_reason_and_date(alice_client, patient, alice, totals, note):
    save(*[assessment(patient, COWS, local(2026, 1, 5 + n, 9, 30), t, entered_by=alice) for n, t in enumerate(totals)])
    html = alice_client.get(patient_url(patient)).content.decode()
    attention = re.search(r'<section aria-labelledby="safety-heading".*?</section>', html, re.S).group(0)
    assert note in attention
    assert "6 Jan 2026, 09:30" in attention


def test_strong_craving_on_the_latest_sows_is_an_attention_note(alice_client, patient, alice):
    save(assessment(patient, SOWS, local(2026, 1, 5, 10), 20, entered_by=alice, craving=3))
    html = alice_client.get(patient_url(patient)).content.decode()
    assert "SOWS craving item (16, “I want to use right now”) answered 3, “quite a bit”." in html
    assert "5 Jan 2026, 10:00" in html


def test_no_attention_note_when_nothing_calls_for_one(alice_client, patient, alice):
    save(
        assessment(patient, COWS, local(2026, 1, 5), 20, entered_by=alice),
        assessment(patient, COWS, local(2026, 1, 6), 14, entered_by=alice),
        assessment(patient, SOWS, local(2026, 1, 6, 14), 20, entered_by=alice, craving=2),
        # Gossop has no craving item; a severe-sounding total there raises nothing.
        assessment(patient, SOWS_GOSSOP, local(2026, 1, 7), 30, entered_by=alice),
    )
    assert "assessment-attention-heading" not in alice_client.get(patient_url(patient)).content.decode()


# --- Constant queries, however long the history ------------------------------------------------


def history(patient, alice, count: int) -> None:
    start = local(2024, 1, 1)
    rows = []
    for n in range(count):
        instrument = (COWS, SOWS, SOWS_GOSSOP)[n % 3]
        total = (n * 7) % (instrument.max_total + 1)
        rows.append(
            assessment(
                patient,
                instrument,
                start + dt.timedelta(hours=5 * n),
                total,
                entered_by=alice,
                hours=Decimal(n % 50) if n % 4 else None,
            )
        )
    save(*rows)


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("count", [3, 300])
def test_the_trend_page_issues_a_constant_number_of_queries(
    alice_client, patient, alice, count, django_assert_max_num_queries
):
    history(patient, alice, count)
    # Session, user, patient, the history (one query), the clinic for the header, and the audit
    # row: a savepoint, the chain lock, the previous hash, the insert and the release.
    with django_assert_max_num_queries(10):
        assert alice_client.get(trends_url(patient)).status_code == 200


def test_the_trend_page_query_count_does_not_grow_with_history(alice_client, clinic, patient, alice):
    from tests.conftest import make_patient

    small = patient
    large = make_patient(clinic, record_number="R-0300", name="Long History")
    history(small, alice, 3)
    history(large, alice, 300)
    for x in ("time", "hours"):
        assert queries(alice_client, trends_url(small, x=x)) == queries(alice_client, trends_url(large, x=x))


def test_the_patient_page_panels_add_a_constant_number_of_queries(alice_client, clinic, patient, alice):
    from tests.conftest import make_patient

    large = make_patient(clinic, record_number="R-0300", name="Long History")
    history(patient, alice, 3)
    history(large, alice, 300)
    assert queries(alice_client, patient_url(patient)) == queries(alice_client, patient_url(large))


def test_a_thousand_assessments_render(alice_client, patient, alice):
    history(patient, alice, 1000)
    response = alice_client.get(trends_url(patient))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<circle class="chart-dot"') == 1000
    assert alice_client.get(trends_url(patient, x="hours")).status_code == 200
    assert alice_client.get(patient_url(patient)).status_code == 200
