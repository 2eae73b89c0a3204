"""The dashboard's safety rules: contact and follow-through, read from PatientActivity.

Registered by DashboardConfig.ready() into clinic.patients.safety. PatientActivity (kept by
triggers) holds the facts; the rules that read them are here, written once.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format

from clinic.patients.models import Level
from clinic.patients.safety import Rule, Said, register
from clinic.selfreport.models import expired_unanswered as link_expired_unanswered

# No visit and no assessment for this long, and the patient is "silent".
SILENT_AFTER = dt.timedelta(days=7)
_LINK = "activity__latest_link__"
_SUMMARY = "assessment_summary__"


def expired_unanswered(now: dt.datetime, prefix: str = "") -> Q:
    """A patient link (reached through `prefix`) that lapsed unanswered: LinkState.EXPIRED."""
    return Q(**{f"{prefix}pk__isnull": False}) & link_expired_unanswered(now, prefix)


def silent(now: dt.datetime) -> Q:
    cutoff = now - SILENT_AFTER
    return (
        (Q(activity__last_visit_at__lt=cutoff) | Q(activity__last_visit_at__isnull=True))
        & (
            Q(**{f"{_SUMMARY}latest_assessment_at__lt": cutoff})
            | Q(**{f"{_SUMMARY}latest_assessment_at__isnull": True})
        )
        # Someone registered this week has not had the chance to go quiet.
        & Q(created_at__lt=cutoff)
    )


def _day(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value)
    return date_format(value, "j M Y")


def _activity(now: dt.datetime) -> dict:
    return {
        "last_visit_at": F("activity__last_visit_at"),
        "last_assessment_at": F(f"{_SUMMARY}latest_assessment_at"),
        "follow_up_due": F("activity__follow_up_due"),
        "review_due": F("activity__review_due"),
        "link_expires_at": F(f"{_LINK}expires_at"),
    }


def last_contact_of(patient) -> dt.datetime | None:
    moments = [m for m in (patient.safety_last_visit_at, patient.safety_last_assessment_at) if m is not None]
    return max(moments) if moments else None


def _silent_said(patient, now) -> Said:
    last = last_contact_of(patient)
    if last is None:
        return Said(f"No visit or assessment since registered on {_day(patient.created_at)}", patient.created_at)
    return Said(f"No visit or assessment since {_day(last)}", last)


RULES = [
    Rule(
        key="attention_follow_up",
        level=Level.DISCUSS,
        title="Follow-up date passed",
        threshold="the latest visit set a follow-up date that has passed, with no visit since",
        source="the clinic's own follow-up date",
        condition=lambda now: Q(activity__follow_up_due__lt=timezone.localdate(now)),
        fact=lambda now: F("activity__follow_up_due"),
        describe=lambda p, now: Said(
            f"Follow-up was due on {_day(p.safety_follow_up_due)}; no visit since", p.safety_follow_up_due
        ),
        values=_activity,
    ),
    Rule(
        key="attention_silent",
        level=Level.DISCUSS,
        title="Silent for 7 days",
        threshold="no visit and no assessment for 7 days",
        source="Steady's default (GUIDANCE_FACTS: plan follow-up dates)",
        condition=silent,
        fact=lambda now: Coalesce(F("activity__last_visit_at"), F(f"{_SUMMARY}latest_assessment_at"), F("created_at")),
        describe=_silent_said,
        values=_activity,
    ),
    Rule(
        key="attention_link_expired",
        level=Level.DISCUSS,
        title="Patient link expired unanswered",
        threshold="the latest patient link expired without an answer",
        source="the clinic's own patient link",
        condition=lambda now: expired_unanswered(now, _LINK),
        fact=lambda now: F("activity__latest_link_id"),
        describe=lambda p, now: Said(
            f"Patient link expired unanswered on {_day(p.safety_link_expires_at)}", p.safety_link_expires_at
        ),
        values=_activity,
    ),
    Rule(
        key="attention_taper_review",
        level=Level.DISCUSS,
        title="Taper review date passed",
        threshold="a taper plan review date passed without being held",
        source="SAMHSA TIP 63 (plan follow-up; the clinic's own review dates)",
        condition=lambda now: Q(activity__review_due__lt=timezone.localdate(now)),
        fact=lambda now: F("activity__review_due"),
        describe=lambda p, now: Said(
            f"Taper plan review was due on {_day(p.safety_review_due)} and not held", p.safety_review_due
        ),
        values=_activity,
    ),
]


def register_all() -> None:
    for rule in RULES:
        register(rule)
