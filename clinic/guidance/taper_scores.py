"""The withdrawal scores recorded during each step of a taper plan, for the plan's page.

A step runs from its date until the next step's date (the last one until now). The scores are
shown beside the step as recorded; nothing here judges a step or suggests the next one.
Pure: the caller passes the plan's steps and the patient's assessments (one query each).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from clinic.assessments.models import Assessment
from clinic.guidance.models import TaperStep


@dataclass(frozen=True)
class StepScores:
    step: TaperStep
    assessments: list[Assessment]  # oldest first


def scores_by_step(
    steps: list[TaperStep], assessments: list[Assessment], *, tz: dt.tzinfo | None = None
) -> list[StepScores]:
    """Each step (in date order) with the assessments taken on or after its date and before the next step's."""
    ordered = sorted(steps, key=lambda s: (s.date, s.pk or 0))
    by_time = sorted(assessments, key=lambda a: (a.taken_at, a.pk or 0))
    days = [(timezone.localtime(a.taken_at, tz).date(), a) for a in by_time]
    ends = [following.date for following in ordered[1:]] + [None] * bool(ordered)
    return [
        StepScores(step, [a for day, a in days if step.date <= day and (end is None or day < end)])
        for step, end in zip(ordered, ends, strict=True)
    ]
