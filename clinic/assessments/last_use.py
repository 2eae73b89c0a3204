"""When 7-OH was last used, as answered with one assessment, declared once.

Every assessment asks it. A clinician gives a date and time, or says it is unknown; a patient
on their own form picks a plain-language range, "I don't know" or "I'd rather not say". The
answer belongs to that assessment and says who gave it: hours since last use are never taken
from a use report or any other record, so an old report cannot pass for days without use.

Pure Python: no models. The ranges are answer choices, not clinical thresholds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Text = str | Promise

# What kind of answer was given. "" is an assessment recorded before the question existed.
NOT_RECORDED = ""
AT_TIME = "at_time"  # a clinician gave a date and time
UNKNOWN = "unknown"  # nobody knew
DECLINED = "declined"  # the patient would rather not say


@dataclass(frozen=True)
class LastUseRange:
    """A patient's answer as a range of hours before the assessment: [low, high), high None = open."""

    key: str
    label: Text  # the patient's wording
    low_hours: int
    high_hours: int | None


RANGES: tuple[LastUseRange, ...] = (
    LastUseRange("under_6h", _("Less than 6 hours ago"), 0, 6),
    LastUseRange("6_12h", _("6 to 12 hours ago"), 6, 12),
    LastUseRange("12_24h", _("12 to 24 hours ago"), 12, 24),
    LastUseRange("1_2d", _("1 to 2 days ago"), 24, 48),
    LastUseRange("2_3d", _("2 to 3 days ago"), 48, 72),
    LastUseRange("3_7d", _("3 to 7 days ago"), 72, 168),
    LastUseRange("over_7d", _("More than a week ago"), 168, None),
)
RANGES_BY_KEY = {r.key: r for r in RANGES}

# The patient form's choices, in the order shown.
PATIENT_CHOICES: list[tuple[str, Text]] = [(r.key, r.label) for r in RANGES] + [
    (UNKNOWN, _("I don't know")),
    (DECLINED, _("I'd rather not say")),
]

ANSWER_CHOICES: list[tuple[str, str]] = [
    (NOT_RECORDED, "Not recorded"),
    (AT_TIME, "A date and time"),
    (UNKNOWN, "Unknown"),
    (DECLINED, "Patient would rather not say"),
] + [
    (r.key, f"{r.low_hours} to {r.high_hours} hours" if r.high_hours else f"{r.low_hours} hours or more")
    for r in RANGES
]

GIVEN_BY_CHOICES: list[tuple[str, str]] = [("patient", "Patient"), ("clinician", "Clinician")]

QUESTION = _("When did you last use 7-OH?")
QUESTION_HELP = _("Any 7-OH product: tablets, gummies, shots, drinks or vapes.")


# What Assessment.hours_since_last_use can hold (7 digits, one after the point).
MAX_HOURS = Decimal("1000000")


def exact_hours(last_use_at: dt.datetime, taken_at: dt.datetime) -> Decimal:
    """Hours from a given time of last use to the assessment, to one decimal place."""
    return Decimal(round((taken_at - last_use_at).total_seconds() / 3600, 1)).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class LastUse:
    """One assessment's answer, read back. Built by Assessment.last_use."""

    answer: str
    given_by: str  # "patient", "clinician" or "" when not recorded
    hours: Decimal | None  # exact hours, for a date-and-time answer only

    @property
    def recorded(self) -> bool:
        return self.answer != NOT_RECORDED

    @property
    def range(self) -> LastUseRange | None:
        return RANGES_BY_KEY.get(self.answer)

    @property
    def at_least_hours(self) -> float | None:
        """The fewest hours without use this answer vouches for; None if it says nothing."""
        if self.answer == AT_TIME and self.hours is not None:
            return float(self.hours)
        if self.range is not None:
            return float(self.range.low_hours)
        return None

    @property
    def given_by_text(self) -> str:
        # Staff pages are in English; only the patient's form is translated.
        return {"patient": "patient's answer", "clinician": "clinician's answer"}.get(self.given_by, "")

    @property
    def value_text(self) -> str:
        """The answer alone, as staff read it: "30.0 h", "6 to 12 h", "unknown", "not recorded"."""
        if self.answer == AT_TIME and self.hours is not None:
            return f"{self.hours} h"
        if self.range is not None:
            if self.range.high_hours is None:
                return f"{self.range.low_hours} h or more"
            return f"{self.range.low_hours} to {self.range.high_hours} h"
        return {UNKNOWN: "unknown", DECLINED: "would rather not say"}.get(self.answer, "not recorded")

    def __str__(self) -> str:
        if not self.recorded:
            return self.value_text
        return f"{self.value_text} ({self.given_by_text})"


class InvalidLastUse(ValueError):
    """A last-use answer that does not hold together (a time without its kind, a time after the assessment)."""


@dataclass(frozen=True)
class LastUseGiven:
    """An answer as a form hands it to assessment_submit: what was said, when (if a time), by whom."""

    answer: str
    given_by: str
    at: dt.datetime | None = None

    def checked(self, taken_at: dt.datetime) -> tuple[str, dt.datetime | None, str, Decimal | None]:
        """(answer, last_use_at, given_by, hours) ready to store; raises InvalidLastUse."""
        if self.given_by not in dict(GIVEN_BY_CHOICES):
            raise InvalidLastUse("say who gave the answer: the patient or the clinician")
        if self.answer == AT_TIME:
            if self.at is None:
                raise InvalidLastUse("a date-and-time answer needs its time")
            if self.at > taken_at:
                raise InvalidLastUse("The last use cannot be after the time the answers were given.")
            hours = exact_hours(self.at, taken_at)
            if hours >= MAX_HOURS:
                raise InvalidLastUse("That is too long ago to record as a time. Choose “Unknown” instead.")
            return AT_TIME, self.at, self.given_by, hours
        if self.at is not None:
            raise InvalidLastUse("only a date-and-time answer carries a time")
        if self.answer not in RANGES_BY_KEY and self.answer not in (UNKNOWN, DECLINED):
            raise InvalidLastUse(f"unknown answer {self.answer!r}")
        return self.answer, None, self.given_by, None
