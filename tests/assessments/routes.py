from __future__ import annotations

import uuid

from clinic.assessments.instruments import CIWA_AR, COWS, SOWS, SOWS_GOSSOP
from tests.matrix import PATIENT_STAFF, Route


def answers(instrument, **extra) -> dict:
    data = {
        "taken_at": "2026-01-05T09:30",
        "submission_id": str(uuid.uuid4()),
        "last_use_known": "unknown",
        "last_use_given_by": "patient",
    }
    data.update({f"item_{item.key}": item.legal_values[1] for item in instrument.items})
    data.update(extra)
    return data


def _patient(w) -> dict:
    return {"pk": w.patient.pk}


ROUTES = [
    Route("assessments:trends", allowed=PATIENT_STAFF, kwargs=_patient),
    Route("assessments:export", allowed=PATIENT_STAFF, kwargs=_patient),
    Route("assessments:record", allowed=PATIENT_STAFF, kwargs=lambda w: {"pk": w.patient.pk, "instrument": "cows"}),
    Route(
        "assessments:record",
        method="POST",
        allowed=PATIENT_STAFF,
        kwargs=lambda w: {"pk": w.patient.pk, "instrument": "cows"},
        data=lambda w: answers(COWS),
    ),
    Route("assessments:record", allowed=PATIENT_STAFF, kwargs=lambda w: {"pk": w.patient.pk, "instrument": "sows"}),
    Route(
        "assessments:record",
        method="POST",
        allowed=PATIENT_STAFF,
        kwargs=lambda w: {"pk": w.patient.pk, "instrument": "sows"},
        data=lambda w: answers(SOWS),
    ),
    Route(
        "assessments:record", allowed=PATIENT_STAFF, kwargs=lambda w: {"pk": w.patient.pk, "instrument": "sows-gossop"}
    ),
    Route(
        "assessments:record",
        method="POST",
        allowed=PATIENT_STAFF,
        kwargs=lambda w: {"pk": w.patient.pk, "instrument": "sows-gossop"},
        data=lambda w: answers(SOWS_GOSSOP),
    ),
    Route("assessments:record", allowed=PATIENT_STAFF, kwargs=lambda w: {"pk": w.patient.pk, "instrument": "ciwa-ar"}),
    Route(
        "assessments:record",
        method="POST",
        allowed=PATIENT_STAFF,
        kwargs=lambda w: {"pk": w.patient.pk, "instrument": "ciwa-ar"},
        data=lambda w: answers(CIWA_AR),
    ),
]
