"""The safety line, made provable: Steady never proposes, computes, schedules, checks or gates a
dose of any medication or a taper amount.

1. No model field and no form field anywhere in the project may be named (or labelled) like a
   medication dose. A small allowlist covers the patient's own report of their 7-OH use.
2. A guidance card only quotes the recorded facts that triggered it: every number on a card is
   a number that was recorded (a score, a date, a time), and no dose words appear.
3. Every staff page of the demo's patients shows an amount (a number beside mg, units, tablets,
   "a day"...) only as it was entered: never Steady's own strength x units total.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import re
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

import clinic
from clinic.guidance import services
from clinic.guidance.models import TaperPlan, TaperStatus
from clinic.guidance.rules import cards_for_patient
from clinic.patients.models import Patient, UseReport
from tests.guidance.conftest import record_assessment

# Words that name an amount of medicine. Matched as whole words in the field name (underscores
# read as spaces) and in its label, so "redosing" or "overdose" do not trip it but "dose_mg",
# "taper_amount" or "Dosage (units)" do.
DOSE_WORDS = re.compile(
    r"(?<![a-zµ])(dose|doses|dosage|dosages|dosing|mg|mcg|µg|milligrams?|micrograms?|ml|millilit(?:er|re)s?"
    r"|amounts?|units?|titrat\w*)(?![a-z])",
    re.IGNORECASE,
)

# Fields that describe the patient's own, reported 7-OH use. They are a use history for the care
# team and the referral letter, never an input to any dose, schedule or recommendation.
ALLOWED_MODEL_FIELDS = {
    "patients.usereport.strength_mg_per_unit": (
        "the milligrams of 7-OH printed on the label of the product the patient uses, as they report it"
    ),
    "patients.usereport.units_per_day": "how many tablets, gummies or shots of that product the patient says they use a day",
}
# A form may ask the patient (or the clinician) for the same reported quantity under the same name.
ALLOWED_FORM_FIELDS = {label.rsplit(".", 1)[1] for label in ALLOWED_MODEL_FIELDS}


def _suggests_a_dose(*texts) -> bool:
    return any(DOSE_WORDS.search(str(text).replace("_", " ")) for text in texts if text)


def _all_model_fields():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.concrete or field.many_to_many:
                yield f"{model._meta.label_lower}.{field.name}", field


def _all_project_forms() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(clinic.__path__, prefix="clinic."):
        if ".migrations" not in module.name and not module.name.endswith(".wsgi"):
            importlib.import_module(module.name)
    found, todo = set(), [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return sorted(
        (f for f in found if f.__module__.startswith("clinic.")), key=lambda f: f"{f.__module__}.{f.__qualname__}"
    )


def test_the_regex_catches_dose_fields_and_spares_ordinary_words():
    for name in [
        "dose",
        "dose_mg",
        "daily_dosage",
        "taper_amount",
        "Amount (mg)",
        "units",
        "buprenorphine_mcg",
        "titration_step",
    ]:
        assert _suggests_a_dose(name), name
    for name in [
        "overdose_history",
        "past_overdose",
        "hours between uses (redosing interval)",
        "community",
        "emg",
        "uses_per_day",
    ]:
        assert not _suggests_a_dose(name), name


def test_no_model_has_a_field_for_a_medication_dose():
    offending = [
        label
        for label, field in _all_model_fields()
        if label not in ALLOWED_MODEL_FIELDS and _suggests_a_dose(field.name, getattr(field, "verbose_name", ""))
    ]
    assert not offending, f"Fields that look like a medication dose: {offending}. Steady records no doses."


def test_no_form_has_a_field_for_a_medication_dose():
    form_classes = _all_project_forms()
    assert any(f.__name__ == "TaperStepForm" for f in form_classes)  # the walk really found the forms
    offending = [
        f"{form.__module__}.{form.__qualname__}.{name}"
        for form in form_classes
        for name, field in form.base_fields.items()
        if name not in ALLOWED_FORM_FIELDS and _suggests_a_dose(name, field.label)
    ]
    assert not offending, f"Form fields that look like a medication dose: {offending}. Steady records no doses."


@pytest.mark.parametrize("label", sorted(ALLOWED_MODEL_FIELDS))
def test_each_allowlisted_field_still_exists_and_still_needs_its_place_on_the_list(label):
    fields = dict(_all_model_fields())
    assert label in fields, f"{label} is gone: remove it from the allowlist"
    assert _suggests_a_dose(label.rsplit(".", 1)[1], fields[label].verbose_name)
    assert label.startswith("patients.usereport."), "only the patient's reported use may be allowlisted"


def test_the_taper_step_is_free_text_only():
    names = {field.name for field in TaperPlan._meta.get_field("steps").related_model._meta.concrete_fields}
    assert names == {"id", "plan", "date", "text", "written_by", "created_at", "updated_at"}


def test_the_rules_never_read_the_reported_amounts():
    source = (Path(clinic.__file__).parent / "guidance" / "rules.py").read_text()
    for name in ["strength_mg_per_unit", "units_per_day", "uses_per_day", "hours_between_uses", "reported_daily_mg"]:
        assert name not in source


# --- Cards quote, never compute -----------------------------------------------------------------

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _local(year, month, day, hour, minute) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


@pytest.fixture
def patient_with_distinctive_numbers(clinic, alice) -> Patient:
    patient = Patient.objects.create(
        clinic=clinic, record_number="R-4821", name="Quinn Harlow", date_of_birth=dt.date(1983, 6, 27)
    )
    Patient.objects.filter(pk=patient.pk).update(created_at=_local(2026, 1, 8, 8, 15))
    patient.refresh_from_db()
    UseReport.objects.create(
        patient=patient,
        recorded_by=alice,
        recorded_at=_local(2026, 3, 17, 14, 52),
        product_form="tablet",
        strength_mg_per_unit="37.25",
        units_per_day="13.5",
        uses_per_day="9.5",
        hours_between_uses="2.5",
        months_of_use=29,
        alcohol="daily",
        benzodiazepines="weekly",
        other_opioids="occasional",
        gabapentinoids="most_days",
    )
    record_assessment(patient, alice, total=23, at=_local(2026, 3, 19, 16, 41))
    plan = services.taper_plan_create(
        request=None,
        actor=alice,
        patient=patient,
        start_date=dt.date(2026, 2, 3),
        goals="g",
        status=TaperStatus.STOPPED,
        outcome_note="Returned to use",
    )
    TaperPlan.objects.filter(pk=plan.pk).update(status_changed_at=_local(2026, 2, 24, 9, 5))
    return patient


# Every number that may appear: the COWS total, and the parts of the recorded dates and times.
RECORDED = {"23", "17", "2026", "19", "16", "41", "3", "24"}
DERIVED = ["37.25", "13.5", "9.5", "2.5", "29", "502.875", "502.88"]  # reported amounts and their product


def _assert_only_recorded_numbers(text: str) -> None:
    text = text.replace("7-OH", "")
    assert set(NUMBER.findall(text)) <= RECORDED, text
    for number in DERIVED:
        assert number not in text
    assert not DOSE_WORDS.search(text), text


def test_every_number_on_a_card_is_a_recorded_fact(patient_with_distinctive_numbers):
    cards = cards_for_patient(patient_with_distinctive_numbers)
    assert [c.key for c in cards] == [
        "depressant_co_use",
        "concentrated_product",
        "buprenorphine_referral",
        "follow_up",
    ]
    text = " ".join(card.text for card in cards)
    _assert_only_recorded_numbers(text)
    # The facts are really quoted, with their dates.
    assert "Latest COWS: 23 (moderate), taken 19 Mar 2026 at 16:41." in text
    assert "Use report of 17 Mar 2026" in text
    assert "started 3 Feb 2026 was marked stopped (did not work out) on 24 Feb 2026" in text
    assert "Last assessment: COWS, taken 19 Mar 2026." in text


def test_the_cards_as_rendered_on_the_patient_page_quote_only_recorded_numbers(
    alice_client, patient_with_distinctive_numbers
):
    html = alice_client.get(reverse("patients:detail", args=[patient_with_distinctive_numbers.pk])).content.decode()
    section = html[html.rindex("<section", 0, html.index('aria-labelledby="guidance-cards-heading"')) :]
    section = section[: section.index("</section>")]
    text = unescape(re.sub(r"<[^>]+>", " ", section))
    assert "Latest COWS: 23" in text
    _assert_only_recorded_numbers(text)


# --- Every staff page of the demo shows amounts only as entered -----------------------------------

# A number followed by a unit of an amount of a substance (or "a day"): the shape of a dose.
AMOUNT = re.compile(
    r"(?<![\d.])(\d+(?:[.,]\d+)?)\s*(?:mg|mcg|µg|milligrams?|ml|units?|tablets?|gummies|shots?|doses?"
    r"|(?:per|a)\s+day|/\s*day)(?![a-z])",
    re.IGNORECASE,
)


def _numbers_in(value) -> set[str]:
    """How a stored value can be shown: as entered, and as the templates format it (no trailing zeros)."""
    if value is None or isinstance(value, bool):
        return set()
    if isinstance(value, Decimal | int | float):
        shown = {str(value), format(Decimal(str(value)).normalize(), "f")}
        return shown | {s.rstrip("0").rstrip(".") for s in shown if "." in s}
    return set(NUMBER.findall(str(value)))


def _stored_numbers(patient: Patient) -> set[str]:
    """Every number the patient's records hold as entered: amounts, and numbers typed into free text."""
    found: set[str] = set()
    related = [patient, *patient.use_reports.all(), *patient.visits.all()]
    for name in ("taper_plans", "referrals", "naloxone_records", "pregnancy_answers"):
        related += list(getattr(patient, name).all())
    for plan in patient.taper_plans.all():
        related += list(plan.steps.all())
    for obj in related:
        for field in obj._meta.concrete_fields:
            if not field.is_relation:
                found |= _numbers_in(getattr(obj, field.attname))
    return found


def _staff_pages(patient: Patient) -> list[str]:
    pk = patient.pk
    pages = [
        reverse(name, args=[pk])
        for name in (
            "patients:detail",
            "patients:update",
            "patients:visit_create",
            "patients:use_report_create",
            "patients:pregnancy_create",
            "patients:naloxone_create",
            "assessments:trends",
            "assessments:export",
        )
    ]
    pages += [reverse("guidance:taper_create", args=[pk]), reverse("guidance:referral_create", args=[pk])]
    pages += [reverse("patients:visit_update", args=[pk, v.pk]) for v in patient.visits.all()]
    pages += [reverse("guidance:taper_detail", args=[p.pk]) for p in patient.taper_plans.all()]
    pages += [reverse("guidance:referral_detail", args=[r.pk]) for r in patient.referrals.all()]
    from clinic.patients.safety import rules_for_patient

    pages += [reverse("patients:acknowledge", args=[pk, s.key]) for s in rules_for_patient(patient)]
    return pages


def _text_of(response) -> str:
    body = response.content.decode()
    if response.get("Content-Type", "").startswith("text/html"):
        body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
        body = unescape(re.sub(r"<[^>]+>", " ", body))
    return body


def test_no_staff_page_of_the_demo_shows_an_amount_that_was_not_entered(db):
    from io import StringIO

    from django.core.management import call_command
    from django.test import Client

    call_command("load_demo", stdout=StringIO())
    from clinic.accounts.models import User

    riverside = Patient.objects.filter(clinic__name="Riverside Recovery Clinic")
    bob = User.objects.get(username="bob")  # the demo's supervisor: every page of the clinic
    client = Client()
    client.force_login(bob)
    everyone: set[str] = set()
    checked = 0
    for patient in riverside:
        allowed = _stored_numbers(patient)
        everyone |= allowed
        products = {
            _numbers_in(r.strength_mg_per_unit * r.units_per_day).pop()
            for r in patient.use_reports.all()
            if r.strength_mg_per_unit is not None and r.units_per_day is not None
        }
        for url in _staff_pages(patient):
            response = client.get(url)
            assert response.status_code == 200, url
            text = _text_of(response)
            for match in AMOUNT.finditer(text):
                assert match.group(1) in allowed, f"{url}: “{match.group(0)}” is not a value entered for {patient}"
                checked += 1
            for product in products - allowed:
                assert not re.search(rf"(?<![\d.]){re.escape(product)}\s*mg", text), f"{url} shows {product} mg"
    assert checked > 0  # the pages really show amounts, as entered
    for url in [reverse("patients:list") + "?clinician=all", reverse("dashboard:index"), reverse("dashboard:patients")]:
        text = _text_of(client.get(url, {"metric": "attention"}))
        for match in AMOUNT.finditer(text):
            assert match.group(1) in everyone, f"{url}: “{match.group(0)}”"
