"""The patient page tells the story in time order, with flags and hours since the last use."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.audit.models import Action, AuditEvent
from tests.patients.factories import make_use_report, make_visit


def page_of(client, patient):
    return client.get(reverse("patients:detail", args=[patient.pk]))


def test_the_timeline_interleaves_visits_and_use_reports_newest_first(alice_client, alice, patient):
    make_visit(patient, alice, days_ago=10, kind="intake", notes="first visit")
    make_use_report(patient, alice, days_ago=9)
    make_visit(patient, alice, days_ago=3, kind="phone", notes="phone call")
    make_use_report(patient, alice, days_ago=1, alcohol="daily")
    timeline = page_of(alice_client, patient).context["timeline"]
    assert [entry.kind for entry in timeline] == ["Use report", "Visit", "Use report", "Visit"]
    assert [entry.at for entry in timeline] == sorted((entry.at for entry in timeline), reverse=True)


def test_the_use_panel_shows_no_hours_since_use_worked_out_from_a_use_report(alice_client, alice, patient):
    # Hours since last use belong to an assessment's own answer (the assessments panel); an old
    # report must never pass for time without use.
    make_use_report(patient, alice, days_ago=3, last_use_at=timezone.now() - dt.timedelta(days=3, hours=2))
    html = page_of(alice_client, patient).content.decode()
    assert "since the last reported use" not in html and "74 hours" not in html


def test_the_flags_of_the_latest_report_are_shown_at_the_top_with_reason_and_date(alice_client, alice, patient):
    make_use_report(patient, alice, days_ago=8, past_overdose=True)
    latest = make_use_report(
        patient, alice, days_ago=1, product_form="vape", strength_unknown=True, benzodiazepines="daily"
    )
    response = page_of(alice_client, patient)
    (attention,) = [p for p in response.context["panels"]["attention"] if p.template == "patients/_safety_panel.html"]
    assert [reason.key for reason in attention.context["reasons"]] == [
        "depressant_frequent",
        "alcohol_benzodiazepine_withdrawal",
        "naloxone_none",
        "concentrated_product",
        "strength_unknown",
    ]
    html = response.content.decode()
    assert "Depressant daily or several days a week." in html and "benzodiazepines (daily)" in html
    assert f'datetime="{timezone.localtime(latest.recorded_at).isoformat()}"' in html
    assert "Past overdose" not in html.split('id="safety-heading"')[1].split("</section>")[0]


def test_a_patient_without_reports_says_so_beside_the_safety_reasons(alice_client, patient):
    html = page_of(alice_client, patient).content.decode()
    assert "No use report yet, so Steady cannot check" in html


def test_each_view_of_the_patient_page_is_audited(alice_client, alice, patient):
    page_of(alice_client, patient)
    page_of(alice_client, patient)
    assert (
        AuditEvent.objects.filter(action=Action.VIEW, patient_id=patient.pk, actor=alice, detail="patient page").count()
        == 2
    )


def test_the_page_offers_recording_a_visit_and_use_and_editing_details(alice_client, patient):
    html = page_of(alice_client, patient).content.decode()
    for name in ("patients:visit_create", "patients:use_report_create", "patients:update"):
        assert f'href="{reverse(name, args=[patient.pk])}"' in html
    assert html.count("<h1") == 1


def test_a_clinician_of_another_clinic_gets_not_found(dave_client, patient):
    assert page_of(dave_client, patient).status_code == 404
    assert not AuditEvent.objects.filter(patient_id=patient.pk).exists()


def _story(patient, clinician, count: int) -> None:
    for i in range(count):
        make_visit(patient, clinician, days_ago=2 * i + 1, pulse=80, notes=f"visit {i}")
        make_use_report(patient, clinician, days_ago=2 * i + 2, alcohol="daily" if i % 2 else "none")


def _queries_for(client, patient) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert page_of(client, patient).status_code == 200
    return len(queries)


@pytest.mark.parametrize("count", [2, 20])
def test_the_page_costs_the_same_queries_however_long_the_story(
    alice_client, alice, erin, patient, count, django_assert_max_num_queries
):
    # The baseline is the page of a patient with one visit and one report; every app's panels
    # are in it, so this stays true as other apps add theirs (if theirs are flat too).
    _story(patient, erin, 1)
    baseline = _queries_for(alice_client, patient)
    _story(patient, alice, count)
    with django_assert_max_num_queries(baseline):
        response = page_of(alice_client, patient)
    assert len(response.context["timeline"]) >= 2 * count


def test_the_story_is_read_in_as_many_queries_for_five_visits_as_for_one(alice_client, alice, patient):
    def story_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            page_of(alice_client, patient)
        return len(
            [q for q in queries if 'FROM "patients_visit"' in q["sql"] or 'FROM "patients_usereport"' in q["sql"]]
        )

    _story(patient, alice, 1)
    one = story_queries()
    _story(patient, alice, 4)
    assert story_queries() == one
