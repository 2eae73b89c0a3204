"""Each use-report safety rule holds exactly when its facts hold, from the latest use report only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clinic.patients.models import ProductForm
from clinic.patients.safety import rules_for_patient
from tests.patients.factories import make_use_report

USE_REPORT_RULES = {
    "depressant_frequent",
    "depressant_occasional",
    "alcohol_benzodiazepine_withdrawal",
    "fentanyl_other_opioids",
    "concentrated_product",
    "strength_unknown",
    "past_overdose",
    "overdose_recent",
}
FREQUENT = {"most_days", "daily"}


def flags_for(report):
    """The use-report reasons of the report's patient (the report being the latest), as shown."""
    return [s for s in rules_for_patient(report.patient) if s.key in USE_REPORT_RULES]


def keys(report) -> set[str]:
    return {flag.key for flag in flags_for(report)}


def test_a_patient_without_a_use_report_has_no_use_report_reason(patient):
    assert not {s.key for s in rules_for_patient(patient)} & USE_REPORT_RULES


def test_leaf_with_a_known_strength_and_no_co_use_raises_no_flag(patient, alice):
    assert keys(make_use_report(patient, alice)) == set()


@pytest.mark.parametrize("substance", ["alcohol", "benzodiazepines", "gabapentinoids", "other_sedatives"])
@pytest.mark.parametrize("how_often", ["occasional", "weekly", "most_days", "daily"])
def test_any_use_of_a_depressant_flags_respiratory_depression_risk_by_how_often(patient, alice, substance, how_often):
    report = make_use_report(patient, alice, **{substance: how_often})
    key = "depressant_frequent" if how_often in FREQUENT else "depressant_occasional"
    found = keys(report) - {"alcohol_benzodiazepine_withdrawal"}
    assert found == {key}
    flag = next(f for f in flags_for(report) if f.key == key)
    assert substance.replace("_", " ").split()[0] in flag.text
    assert "breathing" in flag.text


@pytest.mark.parametrize("substance", ["stimulants", "cannabis"])
def test_stimulants_and_cannabis_are_not_depressants(patient, alice, substance):
    assert keys(make_use_report(patient, alice, **{substance: "daily"})) == set()


def test_the_co_use_reason_names_every_depressant_and_how_often(patient, alice):
    report = make_use_report(patient, alice, alcohol="daily", benzodiazepines="most_days", gabapentinoids="weekly")
    flag = next(f for f in flags_for(report) if f.key == "depressant_frequent")
    assert "alcohol (daily) and benzodiazepines (several days a week)" in flag.text
    assert "gabapentinoids" not in flag.text  # weekly use is below the urgent level


@pytest.mark.parametrize(
    "form",
    [ProductForm.TABLET, ProductForm.GUMMY, ProductForm.SHOT_OR_DRINK, ProductForm.EXTRACT_OR_POWDER, ProductForm.VAPE],
)
def test_concentrated_product_forms_are_flagged(patient, alice, form):
    report = make_use_report(patient, alice, product_form=form, strength_mg_per_unit=Decimal("15"))
    assert keys(report) == {"concentrated_product"}
    assert form.label.lower() in flags_for(report)[0].text


@pytest.mark.parametrize("form", [ProductForm.KRATOM_LEAF, ProductForm.OTHER])
def test_leaf_and_other_forms_are_not_flagged_as_concentrated(patient, alice, form):
    assert "concentrated_product" not in keys(make_use_report(patient, alice, product_form=form))


def test_an_unknown_or_untrusted_strength_is_flagged(patient, alice):
    report = make_use_report(patient, alice, strength_unknown=True)
    assert keys(report) == {"strength_unknown"}
    assert "not trusted" in flags_for(report)[0].text


def test_a_report_with_no_strength_at_all_is_flagged_as_strength_unknown(patient, alice):
    # Older or imported reports may have neither; the risk is the same.
    assert keys(make_use_report(patient, alice, strength_mg_per_unit=None)) == {"strength_unknown"}


def test_a_past_overdose_is_flagged(patient, alice):
    report = make_use_report(patient, alice, past_overdose=True)
    assert keys(report) == {"past_overdose"}
    assert "overdose" in flags_for(report)[0].text


def test_every_flag_carries_the_date_of_the_report_behind_it(patient, alice):
    report = make_use_report(
        patient, alice, product_form="tablet", strength_unknown=True, alcohol="daily", past_overdose=True
    )
    flags = flags_for(report)
    assert {flag.key for flag in flags} == {
        "depressant_frequent",
        "alcohol_benzodiazepine_withdrawal",
        "concentrated_product",
        "strength_unknown",
        "past_overdose",
    }
    assert all(flag.at == report.recorded_at for flag in flags)
    assert all(flag.text.endswith(".") for flag in flags)
