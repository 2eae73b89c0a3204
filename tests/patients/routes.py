import datetime as dt

from django.utils import timezone

from clinic.patients.models import Visit
from tests.matrix import PATIENT_STAFF, Route


def setup_world(world) -> None:
    world.visit = Visit.objects.create(
        patient=world.patient, clinician=world.alice, occurred_at=timezone.now() - dt.timedelta(days=2), kind="intake"
    )
    # Hillcrest's visit: its id posted in a Riverside form must be ignored or refused.
    world.dave_visit = Visit.objects.create(
        patient=world.dave_patient,
        clinician=world.dave,
        occurred_at=timezone.now() - dt.timedelta(days=3),
        kind="intake",
    )


def _patient_data(w, **extra) -> dict:
    data = {
        "name": "Morgan Lee",
        "record_number": "R-0100",
        "date_of_birth": "1990-02-03",
        "preferred_language": "en",
        "status": "active",
        "assigned_clinician": str(w.alice.pk),
    }
    data.update(extra)
    return data


def _now() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def _visit_data(w) -> dict:
    return {"kind": "follow_up", "occurred_at": _now(), "pulse": "88", "notes": "Doing better."}


def _use_report_data(w) -> dict:
    return {
        "recorded_at": _now(),
        "product_form": "tablet",
        "strength_mg_per_unit": "15",
        "units_per_day": "3",
        "route": "oral",
        **dict.fromkeys(
            ("alcohol", "benzodiazepines", "other_opioids", "gabapentinoids", "stimulants", "cannabis"), "none"
        ),
    }


ROUTES = [
    Route("patients:list", allowed=PATIENT_STAFF),
    Route("patients:create", allowed=PATIENT_STAFF),
    Route("patients:search", allowed=PATIENT_STAFF),
    Route("patients:create", method="POST", allowed=PATIENT_STAFF, data=_patient_data),
    Route("patients:detail", allowed=PATIENT_STAFF, kwargs=lambda w: {"pk": w.patient.pk}),
    Route("patients:update", allowed=PATIENT_STAFF, kwargs=lambda w: {"pk": w.patient.pk}),
    Route("patients:summary", allowed=PATIENT_STAFF, kwargs=lambda w: {"pk": w.patient.pk}),
    Route(
        "patients:update",
        method="POST",
        allowed=PATIENT_STAFF,
        kwargs=lambda w: {"pk": w.patient.pk},
        data=lambda w: _patient_data(w, record_number=w.patient.record_number, version=w.patient.version),
    ),
    Route("patients:visit_create", allowed=PATIENT_STAFF, kwargs=lambda w: {"pk": w.patient.pk}),
    Route(
        "patients:visit_create",
        method="POST",
        allowed=PATIENT_STAFF,
        kwargs=lambda w: {"pk": w.patient.pk},
        data=_visit_data,
    ),
    Route(
        "patients:visit_update", allowed=PATIENT_STAFF, kwargs=lambda w: {"pk": w.patient.pk, "visit_pk": w.visit.pk}
    ),
    Route(
        "patients:visit_update",
        method="POST",
        allowed=PATIENT_STAFF,
        kwargs=lambda w: {"pk": w.patient.pk, "visit_pk": w.visit.pk},
        data=_visit_data,
    ),
    Route("patients:use_report_create", allowed=PATIENT_STAFF, kwargs=lambda w: {"pk": w.patient.pk}),
    Route(
        "patients:use_report_create",
        method="POST",
        allowed=PATIENT_STAFF,
        kwargs=lambda w: {"pk": w.patient.pk},
        data=_use_report_data,
    ),
    Route(
        "patients:acknowledge",
        allowed=PATIENT_STAFF,
        kwargs=lambda w: {"pk": w.patient.pk, "rule": "past_overdose"},
    ),
    Route(
        "patients:acknowledge",
        method="POST",
        allowed=PATIENT_STAFF,
        kwargs=lambda w: {"pk": w.patient.pk, "rule": "past_overdose"},
        data=lambda w: {"fact": "", "action_taken": "Talked it through."},
    ),
    Route("patients:naloxone_create", allowed=PATIENT_STAFF, kwargs=lambda w: {"pk": w.patient.pk}),
    Route(
        "patients:naloxone_create",
        method="POST",
        allowed=PATIENT_STAFF,
        kwargs=lambda w: {"pk": w.patient.pk},
        data=lambda w: {"event": "given", "on": timezone.localdate().isoformat()},
    ),
    Route("patients:pregnancy_create", allowed=PATIENT_STAFF, kwargs=lambda w: {"pk": w.patient.pk}),
    Route(
        "patients:pregnancy_create",
        method="POST",
        allowed=PATIENT_STAFF,
        kwargs=lambda w: {"pk": w.patient.pk},
        data=lambda w: {"status": "not_pregnant", "asked_on": timezone.localdate().isoformat()},
    ),
]


def _correction_routes() -> list[Route]:
    def record(w):
        return {"pk": w.patient.pk, "kind": "visit", "record_pk": w.visit.pk}

    def amended(w):
        return {**_visit_data(w), "reason": "Pulse misread."}

    return [
        Route("patients:record_amend", allowed=PATIENT_STAFF, kwargs=record),
        Route("patients:record_amend", method="POST", allowed=PATIENT_STAFF, kwargs=record, data=amended),
        Route("patients:record_in_error", allowed=PATIENT_STAFF, kwargs=record),
        Route(
            "patients:record_in_error",
            method="POST",
            allowed=PATIENT_STAFF,
            kwargs=record,
            data=lambda w: {"reason": "Recorded on the wrong patient."},
        ),
        Route("patients:record_history", allowed=PATIENT_STAFF, kwargs=record),
    ]


ROUTES += _correction_routes()
