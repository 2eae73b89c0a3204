"""A few weeks of invented COWS, SOWS and SOWS-Gossop for the demo patients.

Patients come from the patients app's demo; this adds assessments to the first few of each
demo clinic (by record number) and creates nothing if there are none. Every assessment goes
through assessment_submit with a fixed submission id, so loading twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from clinic.assessments.instruments import COWS, CRAVING_ITEM_KEY, SOWS, SOWS_GOSSOP, Instrument
from clinic.assessments.last_use import AT_TIME, RANGES, UNKNOWN, LastUseGiven
from clinic.assessments.services import assessment_submit
from clinic.patients.models import Patient

NAMESPACE = uuid.UUID("6f1d3c52-2b1e-4b8e-9a57-8f0d6a1c7e42")

# (days ago, COWS total, SOWS total, SOWS craving, hours since last use at the COWS) — the SOWS
# an hour after the COWS, the patient answering about last use with the matching range.
SETTLING = [
    (21, 18, 30, 3, 10),
    (20, 22, 34, 4, 14),
    (18, 15, 24, 2, 9),
    (14, 11, 18, 2, 12),
    (11, 8, 12, 1, 16),
    (7, 6, 9, 1, 20),
    (4, 4, 6, 0, None),  # the clinician did not know
    (1, 3, 5, 0, 30),
]
# Ten days without an assessment (a gap on the chart), then worse: a band rise and craving.
# The last one comes after more than three days without use, with strong craving: the
# lost-tolerance condition (clinic.assessments.tolerance).
RELAPSING = [(24, 10, 20, 1, 8), (22, 8, 15, 1, 9), (20, 6, 12, 0, 12), (9, 12, 25, 3, 20), (2, 27, 40, 4, 80)]
# SOWS-Gossop only, weekly; the patient's answer about last use.
GOSSOP_WEEKLY = [(14, 14, "6_12h"), (7, 10, "12_24h"), (1, 7, "declined")]


def answers_for(instrument: Instrument, target: int, **fixed: int) -> dict[str, int]:
    """Legal answers whose total is near `target`, spread across the items like real symptoms."""
    answers = {item.key: fixed.get(item.key, 0) for item in instrument.items}
    total = sum(answers.values())
    raised = True
    while raised:
        raised = False
        for item in instrument.items:
            if item.key in fixed:
                continue
            higher = [v for v in item.legal_values if v > answers[item.key]]
            if higher and total + higher[0] - answers[item.key] <= target:
                total += higher[0] - answers[item.key]
                answers[item.key] = higher[0]
                raised = True
    return answers


def _patient_range(hours: float) -> str:
    return next(r.key for r in RANGES if r.high_hours is None or hours < r.high_hours)


def _submit(
    patient: Patient, clinician, instrument: Instrument, n: int, taken_at: dt.datetime, answers, last_use: LastUseGiven
) -> None:
    assessment_submit(
        last_use=last_use,
        request=None,
        patient=patient,
        instrument_code=instrument.code,
        answers=answers,
        taken_at=taken_at,
        completed_by=instrument.completed_by,
        entered_by=clinician,
        submission_id=uuid.uuid5(NAMESPACE, f"{patient.clinic.name}/{patient.record_number}/{instrument.code}/{n}"),
    )


def _course(patient: Patient, clinician, course, morning: dt.datetime) -> None:
    for n, (days_ago, cows, sows, craving, hours) in enumerate(course):
        at = morning - dt.timedelta(days=days_ago)
        if hours is None:
            told, answer = LastUseGiven(answer=UNKNOWN, given_by="clinician"), UNKNOWN
        else:
            told = LastUseGiven(answer=AT_TIME, given_by="patient", at=at - dt.timedelta(hours=hours))
            answer = _patient_range(hours + 1)
        _submit(patient, clinician, COWS, n, at, answers_for(COWS, cows), told)
        _submit(
            patient,
            clinician,
            SOWS,
            n,
            at + dt.timedelta(hours=1),
            answers_for(SOWS, sows, **{CRAVING_ITEM_KEY: craving}),
            LastUseGiven(answer=answer, given_by="patient"),
        )


def load(cast) -> None:
    morning = timezone.localtime().replace(hour=9, minute=30, second=0, microsecond=0)
    if morning > timezone.now():
        morning -= dt.timedelta(days=1)
    for clinic, clinician in ((cast.clinic, cast.alice), (cast.other_clinic, cast.dave)):
        patients = list(Patient.objects.filter(clinic=clinic).order_by("record_number")[:3])
        plans = [RELAPSING, SETTLING, None] if clinic == cast.clinic else [SETTLING]
        for patient, plan in zip(patients, plans, strict=False):
            if plan is None:
                for n, (days_ago, total, answer) in enumerate(GOSSOP_WEEKLY):
                    _submit(
                        patient,
                        clinician,
                        SOWS_GOSSOP,
                        n,
                        morning - dt.timedelta(days=days_ago),
                        answers_for(SOWS_GOSSOP, total),
                        LastUseGiven(answer=answer, given_by="patient"),
                    )
            else:
                _course(patient, clinician, plan, morning)
