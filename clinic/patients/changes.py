"""What changed between two use reports, field by field, in words a clinician reads at a glance."""

from __future__ import annotations

from decimal import Decimal

from django.utils.text import capfirst

from clinic.patients.models import Reason, UseReport

# The fields that describe the pattern of use, in the order the form asks them. When and by whom
# a report was recorded, and the time of last use, differ on every report and are not "changes".
COMPARED_FIELDS = [
    "product_form",
    "product_name",
    "strength",  # the labelled strength and "unknown / not trusted", read together
    "units_per_day",
    "uses_per_day",
    "hours_between_uses",
    "route",
    "months_of_use",
    "alcohol",
    "benzodiazepines",
    "other_opioids",
    "gabapentinoids",
    "stimulants",
    "cannabis",
    "reasons",
    "previous_attempts_to_stop",
    "past_withdrawal",
    "past_overdose",
    "overdose_history",
    "current_medications",
]

# Each field is named as the model names it; only these read better in a list of changes.
LABEL_OVERRIDES = {
    "strength": "Labelled strength per unit",
    "past_overdose": "Past overdose",
}


def label(field: str) -> str:
    if field in LABEL_OVERRIDES:
        return LABEL_OVERRIDES[field]
    return capfirst(UseReport._meta.get_field(field).verbose_name)


NOT_GIVEN = "not given"


def describe(report: UseReport, field: str) -> str:
    """One field of a report as words, e.g. "15 mg", "daily", "pain, mood", "not given"."""
    if field == "strength":
        if report.strength_unknown:
            return "unknown / not trusted"
        if report.strength_mg_per_unit is None:
            return NOT_GIVEN
        return f"{_number(report.strength_mg_per_unit)} mg"
    if field == "reasons":
        words = [str(Reason(r).label).lower() for r in report.reasons if r in Reason.values and r != "other"]
        if "other" in report.reasons:
            words.append(f"other ({report.reason_other})" if report.reason_other else "other")
        return ", ".join(words) or NOT_GIVEN
    if field == "past_overdose":
        return "yes" if report.past_overdose else "no"
    value = getattr(report, field)
    display = getattr(report, f"get_{field}_display", None)
    if display is not None:
        return str(display()).lower() if field != "product_form" else str(display())
    if value is None or value == "":
        return NOT_GIVEN
    if isinstance(value, Decimal):
        return _number(value)
    return str(value)


def use_report_changes(previous: UseReport | None, current: UseReport) -> list[str]:
    """Sentences like "Alcohol: none → daily", one per changed field; [] if nothing changed.

    With no previous report there is nothing to compare, and the caller says "first report".
    """
    if previous is None:
        return []
    lines = []
    for field in COMPARED_FIELDS:
        before, after = describe(previous, field), describe(current, field)
        if before != after:
            lines.append(f"{label(field)}: {before} → {after}")
    return lines


def _number(value: Decimal) -> str:
    # 15.00 → "15", 2.50 → "2.5": how people say the numbers.
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
