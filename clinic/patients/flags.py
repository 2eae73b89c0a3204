"""Risk flags: the rules, in one place, written so a clinician can read and check them.

Every flag comes from the patient's LATEST use report only. A newer report replaces the older
picture: if the patient stopped drinking and says so, the alcohol flag goes away. The date shown
with each flag is when that report was recorded (`recorded_at`), the date of the fact behind it.

Flags point at a risk to talk about. They never propose, compute or gate a dose.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from clinic.patients.models import CONCENTRATED_FORMS, Frequency, UseReport

# Substances that, like 7-OH, slow breathing. Each is a field of UseReport holding how often.
DEPRESSANTS: dict[str, str] = {
    "alcohol": "alcohol",
    "benzodiazepines": "benzodiazepines",
    "other_opioids": "other opioids",
    "gabapentinoids": "gabapentinoids (gabapentin, pregabalin)",
}


@dataclass(frozen=True)
class Flag:
    key: str  # stable name, for tests and styling
    title: str  # a few words, shown in the patient list
    reason: str  # one sentence in plain words, shown on the patient page
    since: dt.datetime  # when the report behind it was recorded


def flags_for(report: UseReport | None) -> list[Flag]:
    """The risk flags of one use report (pass the patient's latest), most serious first."""
    if report is None:
        return []
    flags: list[Flag] = []
    when = report.recorded_at

    # 1. Depressant co-use: 7-OH plus alcohol, benzodiazepines, other opioids or gabapentinoids.
    co_used = [
        f"{name} ({Frequency(getattr(report, field)).label.lower()})"
        for field, name in DEPRESSANTS.items()
        if getattr(report, field) != Frequency.NONE
    ]
    if co_used:
        flags.append(
            Flag(
                key="depressant_co_use",
                title="Respiratory depression risk",
                reason="Uses 7-OH together with "
                + _join(co_used)
                + "; combined depressants can slow or stop breathing.",
                since=when,
            )
        )

    # 2. Past overdose, reported by the patient.
    if report.past_overdose:
        flags.append(
            Flag(
                key="past_overdose",
                title="Past overdose",
                reason="Has had an overdose before; a past overdose raises the risk of another.",
                since=when,
            )
        )

    # 3. A concentrated 7-OH product (tablet, gummy, shot or drink, extract, vape) rather than leaf.
    if report.product_form in CONCENTRATED_FORMS:
        flags.append(
            Flag(
                key="concentrated_product",
                title="Concentrated 7-OH product",
                reason=f"Uses a concentrated 7-OH product ({report.get_product_form_display().lower()}), "
                "far stronger than kratom leaf.",
                since=when,
            )
        )

    # 4. Strength unknown: the patient does not know it, does not trust the label, or none was given.
    if report.strength_unknown or report.strength_mg_per_unit is None:
        flags.append(
            Flag(
                key="strength_unknown",
                title="Strength unknown",
                reason="The 7-OH strength per unit is unknown or the label is not trusted, "
                "so how much the patient takes cannot be known.",
                since=when,
            )
        )

    return flags


def _join(parts: list[str]) -> str:
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
