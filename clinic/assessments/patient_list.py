"""What assessments adds to the patient list: the "Latest COWS" filter and sort.

Registered from AssessmentsConfig.ready() (clinic.patients.list_options), so patients never
names an instrument.
"""

from __future__ import annotations

from django.db.models import F, Q, QuerySet

from clinic.assessments.instruments import COWS
from clinic.patients.list_options import ListFilter, ListSortOption, register_filter, register_sort

SEVERITY_NO_COWS = "none"
SEVERITY_BELOW_BANDS = "below"
_SUMMARY = "assessment_summary"


def severity_choices() -> list[tuple[str, str]]:
    return [
        ("", "Any severity"),
        *[(band.key, band.label) for band in COWS.bands],
        (SEVERITY_BELOW_BANDS, "Below the mild band"),
        (SEVERITY_NO_COWS, "No COWS yet"),
    ]


def with_severity(patients: QuerySet, severity: str) -> QuerySet:
    """Patients whose latest COWS is in this band, below the mild band ("below"), or absent ("none")."""
    if severity == SEVERITY_NO_COWS:
        return patients.filter(
            Q(**{f"{_SUMMARY}__isnull": True}) | Q(**{f"{_SUMMARY}__latest_cows_total__isnull": True})
        )
    if severity == SEVERITY_BELOW_BANDS:
        return patients.filter(**{f"{_SUMMARY}__latest_cows_total__isnull": False, f"{_SUMMARY}__latest_cows_band": ""})
    return patients.filter(**{f"{_SUMMARY}__latest_cows_band": severity})


def register_all() -> None:
    register_filter(
        ListFilter(
            name="severity",
            label="Latest COWS",
            choices=severity_choices,
            apply=with_severity,
            related=(_SUMMARY,),
        )
    )
    register_sort(
        ListSortOption(
            key="cows",  # latest COWS total, highest first (no COWS yet comes last)
            label="Latest COWS, highest first",
            order_by=lambda: [F(f"{_SUMMARY}__latest_cows_total").desc(nulls_last=True)],
            related=(_SUMMARY,),
        )
    )
