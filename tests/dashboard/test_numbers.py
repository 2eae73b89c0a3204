"""The dashboard's numbers, and the lists behind them, for a small clinic whose facts we know."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from clinic.dashboard.selectors import week_start
from clinic.guidance import services as guidance
from clinic.guidance.models import ProviderKind, ReferralEvent
from clinic.patients.models import NaloxoneRecord, VisitKind
from tests.conftest import make_patient
from tests.dashboard.helpers import INDEX, LIST, ago, listed, record, registered, totals
from tests.patients.factories import make_visit


@pytest.fixture
def clinic_of_six(clinic, alice, erin):
    """Six patients: a COWS in each band (and below mild), one without COWS, one discharged."""
    people = {}
    for number, name, clinician, status, cows, days in [
        ("R-1", "Ada Severe", alice, "active", 40, 100),
        ("R-2", "Ben Modsevere", alice, "tapering", 30, 100),
        ("R-3", "Cal Moderate", erin, "referred", 15, 100),
        ("R-4", "Dot Mild", erin, "active", 6, 3),
        ("R-5", "Eve Belowmild", None, "active", 2, 3),
        ("R-6", "Fay Nocows", alice, "active", None, 1),
        ("R-7", "Gus Discharged", alice, "discharged", 40, 100),
    ]:
        patient = registered(make_patient(clinic, number, name=name, assigned_clinician=clinician, status=status), days)
        make_visit(patient, alice, days_ago=0.5, kind=VisitKind.FOLLOW_UP)
        NaloxoneRecord.objects.create(patient=patient, event="given", on=timezone.localdate(), recorded_by=alice)
        if cows is not None:
            record(patient, alice, "COWS", cows, days_ago=0.5)
        people[number] = patient
    return people


def test_counts_by_status_band_and_newness_match_the_facts(bob_client, clinic_of_six):
    total = totals(bob_client)
    assert total["in_care"] == 6
    assert [total[f"status_{s}"] for s in ("active", "tapering", "referred", "discharged")] == [4, 1, 1, 1]
    assert [total[k] for k in ("band_severe", "band_moderately_severe", "band_moderate", "band_mild")] == [1, 1, 1, 1]
    assert total["band_below_mild"] == 1 and total["band_none"] == 1  # the discharged one is not "in care"
    assert total["new_range"] == 3  # registered 3, 3 and 1 days ago; the rest 100 days ago
    # "This week" starts on Monday, so how many are new this week depends on today's weekday.
    monday = week_start(timezone.localdate())
    expected_new = sum(1 for p in clinic_of_six.values() if timezone.localdate(p.created_at) >= monday)
    assert total["new_week"] == expected_new


def test_every_number_lists_exactly_the_patients_it_counts(bob_client, clinic_of_six):
    total = totals(bob_client)
    assert set(listed(bob_client, "band_severe")) == {"R-1"}
    assert set(listed(bob_client, "band_below_mild")) == {"R-5"}
    assert set(listed(bob_client, "band_none")) == {"R-6"}
    assert set(listed(bob_client, "status_discharged")) == {"R-7"}
    assert set(listed(bob_client, "in_care")) == {"R-1", "R-2", "R-3", "R-4", "R-5", "R-6"}
    for key, count in total.items():
        assert len(listed(bob_client, key)) == count, key


def test_the_dashboard_links_each_number_to_its_list_with_the_same_filters(bob_client, clinic_of_six, erin):
    response = bob_client.get(INDEX, {"clinician": erin.pk, "start": "2026-01-05", "end": "2026-02-01"})
    html = response.content.decode()
    assert f"{LIST}?metric=band_moderate&amp;start=2026-01-05&amp;end=2026-02-01&amp;clinician={erin.pk}" in html
    assert response.context["total"]["in_care"] == 2  # Cal and Dot


def test_caseload_per_clinician_counts_each_clinicians_patients(bob_client, clinic_of_six, alice, erin):
    response = bob_client.get(INDEX)
    rows = {row["name"]: [cell.count for cell in row["cells"]] for row in response.context["caseload"]}
    in_care = {name: counts[0] for name, counts in rows.items()}
    assert in_care == {"Alice Moreno": 3, "Erin Walsh": 2, "No clinician assigned": 1}
    assert rows["Alice Moreno"][2] == 2  # Ada severe; Ben moderately severe (Gus is discharged)


def test_assessments_per_week_counts_each_week_of_the_range_with_empty_weeks_as_zero(bob_client, alice, patient):
    for days in (0.2, 1, 7.5, 30):
        record(patient, alice, "SOWS", 5, days_ago=days)
    response = bob_client.get(INDEX)
    weeks = {cell.label: cell.count for cell in response.context["weeks"]}
    assert len(weeks) == 12 and sum(weeks.values()) == 4
    expected: dict[dt.date, int] = {}
    for days in (0.2, 1, 7.5, 30):
        monday = week_start(timezone.localdate(ago(days)))
        expected[monday] = expected.get(monday, 0) + 1
    assert {week: n for week, n in weeks.items() if n} == expected
    chart = response.context["chart"]
    assert [bar.count for bar in chart.bars] == list(weeks.values())
    assert b'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-weekly"' in response.content
    some_week = next(iter(expected))
    assert set(listed(bob_client, "assessed_week", week=some_week.isoformat())) == {"R-0001"}


@pytest.fixture
def provider(clinic, alice):
    return guidance.provider_create(
        request=None, actor=alice, clinic=clinic, fields={"name": "Bridge Clinic", "kind": ProviderKind.BUPRENORPHINE}
    )


def _referral(patient, provider, alice, *, sent_days_ago=None, attended_days_ago=None):
    referral = guidance.referral_create(
        request=None, actor=alice, patient=patient, provider=provider, reason="Assessment."
    )
    for status, days in (
        ("sent", sent_days_ago),
        ("contacted", attended_days_ago),
        ("appointment", attended_days_ago),
        ("attended", attended_days_ago),
    ):
        if days is None:
            break
        # The event's own date, as entered with the move; the click itself is now.
        guidance.referral_move(request=None, actor=alice, referral=referral, to_status=status, happened_at=ago(days))
    return referral


def test_referral_medians_follow_the_dates_of_events_not_the_clicks(bob_client, clinic, alice, provider):
    patient = registered(make_patient(clinic, "R-1", name="Ann", assigned_clinician=alice), 60)
    make_visit(patient, alice, days_ago=30, kind=VisitKind.INTAKE)
    referral = _referral(patient, provider, alice, sent_days_ago=20, attended_days_ago=10)
    # Every move was clicked within the same second; the medians read the dates entered.
    times = bob_client.get(INDEX).context["times"]
    assert (times.sent_days, times.attended_days) == (10.0, 10.0)
    ReferralEvent.objects.filter(referral=referral, to_status="attended").update(happened_at=ago(5))
    times = bob_client.get(INDEX).context["times"]
    assert (times.sent_days, times.attended_days) == (10.0, 15.0)


def test_referral_pipeline_counts_each_status_and_the_median_days(bob_client, clinic, alice, provider):
    first = registered(make_patient(clinic, "R-1", name="Ann", assigned_clinician=alice), 60)
    make_visit(first, alice, days_ago=30, kind=VisitKind.INTAKE)  # intake 30 days ago
    _referral(first, provider, alice, sent_days_ago=20, attended_days_ago=10)  # 10 days to sent, 10 to attended
    second = registered(make_patient(clinic, "R-2", name="Bea", assigned_clinician=alice), 40)  # no intake visit
    _referral(second, provider, alice, sent_days_ago=10)  # 30 days from registration
    third = registered(make_patient(clinic, "R-3", name="Cy", assigned_clinician=alice), 40)
    make_visit(third, alice, days_ago=39, kind=VisitKind.INTAKE)
    _referral(third, provider, alice, sent_days_ago=35, attended_days_ago=31)  # 4 days, then 4 days
    _referral(third, provider, alice)  # drafted only
    old = registered(make_patient(clinic, "R-4", name="Dee", assigned_clinician=alice), 400)
    _referral(old, provider, alice, sent_days_ago=200)  # sent before the range

    response = bob_client.get(INDEX)
    counts = {cell.label: cell.count for cell in response.context["referral_counts"]}
    assert counts["Drafted"] == 1 and counts["Sent"] == 2 and counts["Attended"] == 2
    times = response.context["times"]
    assert (times.sent_count, times.sent_days) == (3, 10.0)  # 4, 10 and 30 days
    assert (times.attended_count, times.attended_days) == (2, 7.0)  # 4 and 10 days
    assert set(listed(bob_client, "referral_sent_days")) == {"R-1", "R-2", "R-3"}
    assert set(listed(bob_client, "referral_attended_days")) == {"R-1", "R-3"}
    assert set(listed(bob_client, "referral_sent")) == {"R-2", "R-4"}
    page = bob_client.get(LIST, {"metric": "referral_sent_days"}).content.decode()
    assert "10.0 days after intake" in page

    wider = bob_client.get(INDEX, {"start": (timezone.localdate() - dt.timedelta(days=300)).isoformat()})
    assert wider.context["times"].sent_count == 4


def test_the_date_range_applies_to_new_patients_the_chart_and_referral_times_and_says_so(bob_client, clinic, alice):
    registered(make_patient(clinic, "R-1", name="Old", assigned_clinician=alice), 100)
    registered(make_patient(clinic, "R-2", name="Recent", assigned_clinician=alice), 2)
    today = timezone.localdate()
    response = bob_client.get(
        INDEX,
        {"start": (today - dt.timedelta(days=120)).isoformat(), "end": (today - dt.timedelta(days=90)).isoformat()},
    )
    assert response.context["total"]["new_range"] == 1 and response.context["total"]["in_care"] == 2
    assert len(response.context["weeks"]) in (5, 6)
    assert (
        "applies to new patients in the range, assessments per week and the referral times" in response.content.decode()
    )


def test_a_bad_date_range_is_explained_next_to_the_field_and_the_default_range_is_used(bob_client):
    response = bob_client.get(INDEX, {"start": "2026-03-01", "end": "2026-02-01"})
    assert response.status_code == 200
    assert "The end of the range cannot be before its start." in response.content.decode()
    assert len(response.context["weeks"]) == 12
    response = bob_client.get(INDEX, {"start": "2024-01-01", "end": "2026-01-01"})
    assert "Choose a range of at most 366 days." in response.content.decode()
    response = bob_client.get(INDEX, {"start": "not a date"})
    assert response.status_code == 200 and "Enter a valid date." in response.content.decode()


def test_an_unknown_number_is_not_found(bob_client):
    assert bob_client.get(LIST, {"metric": "everything"}).status_code == 404
    assert bob_client.get(LIST, {"metric": "assessed_week", "week": "2026-01-06"}).status_code == 404  # not a Monday


def test_the_dashboard_and_its_lists_are_audited_as_views(bob_client, bob, clinic_of_six):
    from clinic.audit.models import Action, AuditEvent

    bob_client.get(INDEX)
    bob_client.get(LIST, {"metric": "band_severe"})
    details = list(AuditEvent.objects.filter(actor=bob, action=Action.VIEW).values_list("detail", flat=True))
    assert details[:2] == ["dashboard list band_severe, page 1", "dashboard"]
