"""The assessments app's safety rules, read from the patient's assessment summary row.

Registered by AssessmentsConfig.ready() into clinic.patients.safety (see its docstring).
Acknowledgements are keyed to the time of the assessment behind each reason, so a newer
assessment that still holds raises the reason again.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import CharField, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext as _

from clinic.assessments import last_use, tolerance
from clinic.assessments.instruments import BAND_CHOICES, CRAVING_ALERT_MIN, CRAVING_ITEM_KEY, SEVERE_BAND_KEYS, SOWS
from clinic.assessments.models import Assessment
from clinic.patients.models import Level
from clinic.patients.safety import Rule, Said, register

_S = "assessment_summary__"
_BANDS = {key: str(label) for key, label in BAND_CHOICES}


def _summary(now):
    return {
        f"cows_{name}": F(f"{_S}{field}")
        for name, field in (
            ("total", "latest_cows_total"),
            ("band", "latest_cows_band"),
            ("taken_at", "latest_cows_taken_at"),
            ("previous_total", "previous_cows_total"),
            ("previous_band", "previous_cows_band"),
        )
    } | {"sows_craving": F(f"{_S}latest_sows_craving"), "sows_taken_at": F(f"{_S}latest_sows_taken_at")}


def _band(key: str | None) -> str:
    return _BANDS.get(key or "", "below the mild band").lower()


def _cows_severe(patient, now) -> Said:
    return Said(
        _("Latest COWS is in the %(band)s band (total %(total)d).")
        % {"band": _band(patient.safety_cows_band), "total": patient.safety_cows_total},
        patient.safety_cows_taken_at,
    )


def _cows_up(patient, now) -> Said:
    return Said(
        _("COWS moved up a band since the previous one: %(before)s (total %(was)d) to %(after)s (total %(now)d).")
        % {
            "before": _band(patient.safety_cows_previous_band),
            "was": patient.safety_cows_previous_total,
            "after": _band(patient.safety_cows_band),
            "now": patient.safety_cows_total,
        },
        patient.safety_cows_taken_at,
    )


def _craving(patient, now) -> Said:
    value = patient.safety_sows_craving
    meaning = next((c.label for c in SOWS.item(CRAVING_ITEM_KEY).choices if c.value == value), "")
    return Said(
        _("SOWS craving item (16, “I want to use right now”) answered %(value)d, “%(meaning)s”.")
        % {"value": value, "meaning": str(meaning).lower()},
        patient.safety_sows_taken_at,
    )


COWS_SOURCE = "Wesson DR, Ling W. J Psychoactive Drugs 2003;35(2):253-259"

RULES = [
    Rule(
        key="attention_cows_severe",
        level=Level.DISCUSS,
        title="Latest COWS moderately severe or severe",
        threshold="latest COWS total 25 or more (moderately severe or severe band)",
        source=COWS_SOURCE,
        condition=lambda now: Q(**{f"{_S}latest_cows_band__in": sorted(SEVERE_BAND_KEYS)}),
        fact=lambda now: F(f"{_S}latest_cows_taken_at"),
        describe=_cows_severe,
        values=_summary,
    ),
    Rule(
        key="attention_cows_up",
        level=Level.DISCUSS,
        title="COWS moved up a band",
        threshold="the latest COWS is in a higher band than the one before",
        source=COWS_SOURCE,
        condition=lambda now: Q(**{f"{_S}cows_band_went_up": True}),
        fact=lambda now: F(f"{_S}latest_cows_taken_at"),
        describe=_cows_up,
        values=_summary,
    ),
    Rule(
        key="attention_craving",
        level=Level.DISCUSS,
        title=f"SOWS craving {CRAVING_ALERT_MIN} or more",
        threshold=f"the SOWS craving item (16) answered {CRAVING_ALERT_MIN} or 4 on the latest SOWS",
        source="Handelsman L et al. Am J Drug Alcohol Abuse 1987;13(3):293-308",
        condition=lambda now: Q(**{f"{_S}latest_sows_craving__gte": CRAVING_ALERT_MIN}),
        fact=lambda now: F(f"{_S}latest_sows_taken_at"),
        describe=_craving,
        values=_summary,
    ),
]


# --- Lost tolerance: days without use by the latest answer, then strong craving -------------------
# The same condition as clinic.assessments.tolerance.lost_tolerance (which the tests compare it
# with), written as SQL so the dashboard and the list can ask it of every patient at once.


def _latest_answer():
    answered = Assessment.objects.filter(patient=OuterRef("pk"))
    return answered.exclude(last_use_answer=last_use.NOT_RECORDED).order_by("-taken_at", "-pk")


def _lost_tolerance_values(now):
    latest = _latest_answer()
    answered_at = Subquery(
        Assessment.objects.filter(patient=OuterRef(OuterRef("pk")))
        .exclude(last_use_answer=last_use.NOT_RECORDED)
        .order_by("-taken_at", "-pk")
        .values("taken_at")[:1]
    )
    strong_craving = Assessment.objects.filter(
        patient=OuterRef("pk"),
        instrument=SOWS.code,
        taken_at__gte=answered_at,
        **{f"answers__{CRAVING_ITEM_KEY}__gte": CRAVING_ALERT_MIN},
    ).order_by("-taken_at", "-pk")
    return {
        "lt_answer": Subquery(latest.values("last_use_answer")[:1]),
        "lt_hours": Subquery(latest.values("hours_since_last_use")[:1]),
        "lt_answered_at": Subquery(latest.values("taken_at")[:1]),
        "lt_craving_at": Subquery(strong_craving.values("taken_at")[:1]),
        "lt_craving": Subquery(
            strong_craving.annotate(craving=Cast(KeyTextTransform(CRAVING_ITEM_KEY, "answers"), IntegerField())).values(
                "craving"
            )[:1]
        ),
    }


def _lost_tolerance_condition(now) -> Q:
    hours = settings.LOST_TOLERANCE_DAYS * 24
    long_enough = Q(safety_lt_answer=last_use.AT_TIME, safety_lt_hours__gte=hours) | Q(
        safety_lt_answer__in=[r.key for r in last_use.RANGES if r.low_hours >= hours]
    )
    return long_enough & Q(safety_lt_craving_at__isnull=False)


def _lost_tolerance_said(patient, now) -> Said:
    answer = last_use.LastUse(patient.safety_lt_answer, "", patient.safety_lt_hours)
    return Said(
        _(
            "The latest answer about last use says %(answer)s without 7-OH, and the SOWS craving item "
            "was answered %(craving)s at or after it."
        )
        % {"answer": answer.value_text, "craving": patient.safety_lt_craving},
        patient.safety_lt_craving_at,
    )


LOST_TOLERANCE_CRAVING = Rule(
    key="lost_tolerance_craving",
    level=Level.DISCUSS,
    title="Days without use, then strong craving",
    threshold=(
        f"the latest answer about last use says {settings.LOST_TOLERANCE_DAYS} days or more without use "
        f"(LOST_TOLERANCE_DAYS), and a SOWS at or after it has craving (item 16) {CRAVING_ALERT_MIN} or 4"
    ),
    source=tolerance.SOURCE,
    condition=_lost_tolerance_condition,
    fact=lambda now: Concat(
        Cast("safety_lt_answered_at", CharField()), Value(" "), Cast("safety_lt_craving_at", CharField())
    ),
    describe=_lost_tolerance_said,
    values=_lost_tolerance_values,
    advice=tolerance.ADVICE,
    naloxone_reason="lost tolerance",
)
RULES.append(LOST_TOLERANCE_CRAVING)


def register_all() -> None:
    for rule in RULES:
        register(rule)
