"""Lost tolerance: days without 7-OH, then strong craving. A pure rule over one patient's assessments.

After a taper or a break, tolerance falls, and going back to a usual amount can cause an
overdose (Strang J et al., "Loss of tolerance and overdose mortality after inpatient opiate
detoxification: follow up study", BMJ 2003;326:959-960; shared/clinical/GUIDANCE_FACTS.md).
Steady flags the moment that risk is nearest in its own records: the latest answer about last
use says at least LOST_TOLERANCE_DAYS days without use, and the SOWS craving item (16, "I want
to use right now") is 3 or 4 at that assessment or a later one.

The number of days is a setting (LOST_TOLERANCE_DAYS, default 3). The default comes from issue
13; GUIDANCE_FACTS.md gives no number for it, so a clinic reviews it and may change it.

Nothing here reads the database, a use report or the clock: the caller passes the patient's
assessments (clinic.assessments.selectors.lost_tolerance_for_patient does, in one query).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from clinic.assessments.instruments import CRAVING_ALERT_MIN, CRAVING_ITEM_KEY, SOWS
from clinic.assessments.models import Assessment

SOURCE = (
    "Strang J et al. Loss of tolerance and overdose mortality after inpatient opiate detoxification: "
    "follow up study. BMJ 2003;326:959-960."
)
# Said plainly, with no numbers, as GUIDANCE_FACTS.md asks; every lost-tolerance reason shows it.
ADVICE = (
    "After a taper, a break or a stay in hospital or jail, tolerance falls: a usual amount can cause an "
    "overdose. Carry naloxone; do not use alone."
)


@dataclass(frozen=True)
class LostTolerance:
    """Why the condition holds: the answer about last use, and the strong craving at or after it."""

    last_use: Assessment  # the assessment carrying the latest answer about last use
    craving: Assessment  # the latest SOWS at or after it with item 16 at 3 or 4
    days: int  # the threshold it was checked against

    @property
    def craving_value(self) -> int:
        return self.craving.answers[CRAVING_ITEM_KEY]


def _order(a: Assessment) -> tuple:
    return (a.taken_at, a.pk or 0)


def lost_tolerance(assessments: Iterable[Assessment], *, days: int | None = None) -> LostTolerance | None:
    """The lost-tolerance condition for one patient's assessments, or None when it does not hold.

    Promises:
    - Only answers given with an assessment count; "not recorded" answers are skipped, and the
      latest remaining answer decides. "Unknown" or "I'd rather not say" as that answer means
      the condition does not hold (nothing says how long it has been).
    - A date-and-time answer counts its exact hours; a patient's range counts its lower end
      ("3 to 7 days ago" is at least 3 days), so it never claims more time than was answered.
    - The condition holds when those hours reach `days` x 24 (default settings.LOST_TOLERANCE_DAYS)
      and a 16-item SOWS taken at the same time as that answer or later has item 16 at 3 or 4.
      The SOWS-Gossop has no craving item and never counts.
    - Pure: reads nothing but its arguments and the setting.
    """
    days = settings.LOST_TOLERANCE_DAYS if days is None else days
    history = sorted(assessments, key=_order)
    answered = [a for a in history if a.last_use.recorded]
    if not answered:
        return None
    latest = answered[-1]
    hours = latest.last_use.at_least_hours
    if hours is None or hours < days * 24:
        return None
    craving = [
        a
        for a in history
        if a.instrument == SOWS.code
        and _order(a) >= _order(latest)
        and a.answers.get(CRAVING_ITEM_KEY, 0) >= CRAVING_ALERT_MIN
    ]
    if not craving:
        return None
    return LostTolerance(last_use=latest, craving=craving[-1], days=days)
