"""Recording how the patient uses 7-OH, and what changed since the last report."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from clinic.audit.models import Action, AuditEvent
from clinic.patients.changes import use_report_changes
from clinic.patients.models import UseReport
from tests.patients.factories import NO_CO_USE, local_input, make_use_report


def report_data(**extra) -> dict:
    data = {
        "recorded_at": local_input(timezone.now()),
        "product_form": "tablet",
        "product_name": "7-Tab Max",
        "strength_mg_per_unit": "15",
        "units_per_day": "4",
        "uses_per_day": "4",
        "hours_between_uses": "3.5",
        "route": "oral",
        "months_of_use": "14",
        "last_use_at": local_input(timezone.now() - dt.timedelta(hours=6)),
        **NO_CO_USE,
        "reasons": ["pain", "energy"],
    }
    data.update(extra)
    return data


def errors(response, name: str) -> list[str]:
    return response.context["form"].errors.get(name, [])


def url_for(patient) -> str:
    return reverse("patients:use_report_create", args=[patient.pk])


def test_the_form_groups_its_questions_and_says_strength_or_unknown_not_both(alice_client, patient):
    html = alice_client.get(url_for(patient)).content.decode()
    for legend in ("The product", "How they use it, as reported", "Other substances, and how often", "Why they use it"):
        assert f"{legend}" in html
    assert html.count("<fieldset") >= 6
    assert len(re.findall(r'<input type="checkbox"[^>]*name="reasons"', html)) == 6
    assert "Give the strength OR tick “Unknown / not trusted”, not both." in html


def test_a_clinician_records_a_use_report_with_every_field(alice_client, alice, patient):
    data = report_data(
        alcohol="daily",
        benzodiazepines="weekly",
        other_opioids="occasional",
        gabapentinoids="most_days",
        stimulants="weekly",
        cannabis="daily",
        reasons=["pain", "opioid_withdrawal", "energy", "mood", "recreation", "other"],
        reason_other="to sleep",
        previous_attempts_to_stop="Two weeks last spring.",
        past_withdrawal="Sweats and cramps.",
        past_overdose="on",
        overdose_history="Fentanyl, 2023.",
        current_medications="Clarithromycin.",
        notes="Brought the packaging.",
    )
    response = alice_client.post(url_for(patient), data)
    assert response.status_code == 302
    report = UseReport.objects.get()
    assert report.recorded_by == alice and report.product_name == "7-Tab Max"
    assert report.strength_mg_per_unit == Decimal("15") and report.hours_between_uses == Decimal("3.5")
    assert report.reasons == ["pain", "opioid_withdrawal", "energy", "mood", "recreation", "other"]
    assert report.past_overdose and report.gabapentinoids == "most_days" and report.months_of_use == 14
    assert report.current_medications == "Clarithromycin."
    assert AuditEvent.objects.filter(
        action=Action.CREATE, object_type="patients.usereport", patient_id=patient.pk
    ).exists()


def test_a_strength_together_with_unknown_is_refused_with_one_clear_message(alice_client, patient):
    response = alice_client.post(url_for(patient), report_data(strength_unknown="on"))
    assert errors(response, "strength_mg_per_unit") == [
        "Give either the labelled strength or “unknown / not trusted”, not both."
    ]
    assert not response.context["form"].non_field_errors()
    assert not UseReport.objects.exists()


def test_neither_a_strength_nor_unknown_is_refused(alice_client, patient):
    response = alice_client.post(url_for(patient), report_data(strength_mg_per_unit=""))
    assert errors(response, "strength_mg_per_unit") == [
        "Give the labelled strength per unit, or tick “unknown / not trusted”."
    ]
    assert not UseReport.objects.exists()


def test_unknown_strength_alone_is_accepted(alice_client, patient):
    assert (
        alice_client.post(url_for(patient), report_data(strength_mg_per_unit="", strength_unknown="on")).status_code
        == 302
    )
    assert UseReport.objects.get().strength_unknown


def test_a_last_use_after_the_report_or_a_report_in_the_future_is_refused(alice_client, patient):
    now = timezone.now()
    response = alice_client.post(
        url_for(patient),
        report_data(recorded_at=local_input(now - dt.timedelta(days=1)), last_use_at=local_input(now)),
    )
    assert errors(response, "last_use_at") == ["The last use cannot be after the time of this report."]
    response = alice_client.post(url_for(patient), report_data(recorded_at=local_input(now + dt.timedelta(days=1))))
    assert errors(response, "recorded_at") == ["A report cannot be recorded in the future."]
    assert not UseReport.objects.exists()


def test_a_report_dated_the_calendars_last_minute_is_refused_not_a_server_error(alice_client, patient):
    # Found by the fuzzer: the last-use check added ten minutes to 9999-12-31 23:59 and overflowed.
    response = alice_client.post(
        url_for(patient), report_data(recorded_at="9999-12-31T23:59", last_use_at="0001-01-01T00:00")
    )
    assert response.status_code == 200
    assert errors(response, "recorded_at") == ["A report cannot be recorded in the future."]
    assert not UseReport.objects.exists()


def test_numbers_outside_their_ranges_and_unknown_choices_are_refused(alice_client, patient):
    response = alice_client.post(
        url_for(patient), report_data(hours_between_uses="500", alcohol="always", reasons=["boredom"])
    )
    assert errors(response, "hours_between_uses") and errors(response, "alcohol") and errors(response, "reasons")
    assert not UseReport.objects.exists()


def test_a_written_other_reason_counts_as_other(alice_client, patient):
    alice_client.post(url_for(patient), report_data(reasons=["pain"], reason_other="to sleep"))
    assert UseReport.objects.get().reasons == ["pain", "other"]


def test_a_new_report_starts_from_the_previous_one_except_times_and_notes(alice_client, alice, patient):
    make_use_report(
        patient, alice, product_form="gummy", strength_mg_per_unit=Decimal("10.00"), alcohol="daily", notes="old"
    )
    form = alice_client.get(url_for(patient)).context["form"]
    assert form["product_form"].value() == "gummy" and form["alcohol"].value() == "daily"
    assert str(form["strength_mg_per_unit"].value()) == "10"
    assert not form["notes"].value() and not form["last_use_at"].value()


def test_the_changes_from_the_previous_report_are_described_field_by_field(patient, alice):
    before = make_use_report(
        patient,
        alice,
        product_form="tablet",
        strength_mg_per_unit=Decimal("15"),
        units_per_day=Decimal("6"),
        alcohol="daily",
        reasons=["pain"],
    )
    after = make_use_report(
        patient,
        alice,
        product_form="gummy",
        strength_unknown=True,
        units_per_day=Decimal("2.5"),
        alcohol="none",
        reasons=["pain", "mood"],
        past_overdose=True,
    )
    assert use_report_changes(before, after) == [
        "Product form: Tablet → Gummy",
        "Labelled strength per unit: 15 mg → unknown / not trusted",
        "Units per day: 6 → 2.5",
        "Alcohol: daily → none",
        "Why they use it: pain → pain, mood",
        "Past overdose: no → yes",
    ]
    assert use_report_changes(None, after) == []
    assert use_report_changes(after, after) == []


def test_the_patient_page_shows_each_reports_changes_and_the_parts_as_entered_never_their_product(
    alice_client, alice, patient
):
    make_use_report(patient, alice, days_ago=9, product_form="tablet", strength_mg_per_unit=15, units_per_day=6)
    make_use_report(patient, alice, days_ago=2, product_form="tablet", strength_mg_per_unit=15, units_per_day=4)
    html = alice_client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert "First use report." in html
    assert "Units per day: 6 → 4" in html
    assert "15 mg per unit" in html
    # Steady's own strength × units (60 mg, or 90 mg before) is shown nowhere: labels are unreliable.
    assert "daily intake" not in html and "60 mg" not in html and "90 mg" not in html


def test_a_clinician_of_another_clinic_cannot_record_a_use_report(dave_client, patient):
    assert dave_client.get(url_for(patient)).status_code == 404
    assert dave_client.post(url_for(patient), report_data()).status_code == 404
    assert not UseReport.objects.exists()


def test_a_clinic_admin_cannot_record_a_use_report(carol_client, patient):
    assert carol_client.post(url_for(patient), report_data()).status_code == 403
    assert not UseReport.objects.exists()


def test_the_use_report_page_takes_only_get_and_post(alice_client, patient):
    assert alice_client.put(url_for(patient)).status_code == 405
