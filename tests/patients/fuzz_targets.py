"""The patients forms, for the fuzzer in tests/security/fuzz.py.

Patients, visits and use reports are each one row and one audit event, written together or not
at all; every id a form takes (the assigned clinician) or is smuggled (another clinic's patient,
visit, clinician) must leave them attached to Riverside's own people.
"""

from __future__ import annotations

from django.urls import reverse
from hypothesis import strategies as st

from clinic.audit.models import Action, AuditEvent
from clinic.patients.models import (
    Frequency,
    Language,
    Patient,
    PatientStatus,
    ProductForm,
    Reason,
    Route,
    UseReport,
    Visit,
    VisitKind,
)
from tests.security.fuzz import (
    FormTarget,
    audited,
    date_inputs,
    form_data,
    hillcrest_ids,
    past_datetime_inputs,
    words,
)

SUBSTANCES = ("alcohol", "benzodiazepines", "other_opioids", "gabapentinoids", "stimulants", "cannabis")
CHECKBOX = st.sampled_from(["on", ""])


def _optional(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), strategy)


def _number(low: int, high: int) -> st.SearchStrategy[str]:
    """A number near its plausible range, sometimes just outside it."""
    return st.integers(low - 5, high + 5).map(str)


def _decimal(low: float, high: float, places: int = 1) -> st.SearchStrategy[str]:
    return st.floats(low - 1, high + 1, allow_nan=False).map(lambda x: f"{x:.{places}f}")


# --- The patient list's search and filters (GET) ---------------------------------------------


def _list_data(world) -> st.SearchStrategy[dict]:
    people = [str(person.pk) for person in (world.alice, world.erin, world.bob, world.dave)]
    fields = {
        "q": st.one_of(words(20), st.sampled_from(["R-0001", "H-0001", "Sam Rivera", "%", "_"])),
        "status": st.sampled_from(["", *PatientStatus.values]),
        "clinician": st.sampled_from(["all", "mine", "none", *people]),
        "severity": st.sampled_from(["", "mild", "moderate", "none", "below"]),
        "sort": st.sampled_from(["name", "recent", "oldest"]),
        "page": st.integers(-2, 5).map(str),
    }
    return form_data(fields, foreign=hillcrest_ids(world))


def _nothing_but_views(world) -> tuple[int, int]:
    # Reading writes one VIEW event and nothing else.
    return Patient.objects.count(), AuditEvent.objects.exclude(action=Action.VIEW).count()


# --- Patients ---------------------------------------------------------------------------------


def _clinician_ids(world) -> st.SearchStrategy[str]:
    # Riverside's clinicians, but also its supervisor and admin, and Hillcrest's Dave.
    people = (world.alice, world.erin, world.bob, world.carol, world.dave)
    return st.one_of(st.just(""), st.sampled_from([str(person.pk) for person in people]))


def _patient_fields(world) -> dict:
    return {
        "name": st.from_regex(r"[A-Z][a-z]{1,10} [A-Z][a-z]{1,10}", fullmatch=True),
        "record_number": st.from_regex(r"R-[0-9]{4,6}", fullmatch=True),
        "date_of_birth": date_inputs(),
        "preferred_language": st.sampled_from(Language.values),
        "phone": st.sampled_from(["", "555-0142", "+1 (555) 010-0100", "555-0142 ext 12"]),
        "email": _optional(st.emails()),
        "assigned_clinician": _clinician_ids(world),
        "status": st.sampled_from(PatientStatus.values),
    }


def _patient_baseline(world) -> dict:
    return {
        "name": "Morgan Lee",
        "record_number": "R-0500",
        "date_of_birth": "1990-02-03",
        "preferred_language": "es",
        "phone": "555-0142",
        "email": "morgan@example.org",
        "assigned_clinician": str(world.erin.pk),
        "status": "active",
    }


def _patients_state(world) -> tuple[int, int]:
    return Patient.objects.count(), audited(Action.CREATE, "patients.patient")


def _patient_created(world, before, after) -> None:
    assert after == (before[0] + 1, before[1] + 1), "a new patient and its audit event, together"
    newest = Patient.objects.latest("pk")
    assert newest.clinic_id == world.clinic.pk
    assert newest.assigned_clinician_id in (None, world.alice.pk, world.erin.pk)


def _current_version(world) -> st.SearchStrategy[str]:
    # Read when drawn: each accepted edit moves the version on.
    return st.builds(lambda: str(Patient.objects.values_list("version", flat=True).get(pk=world.patient.pk)))


def _patient_update_data(world) -> st.SearchStrategy[dict]:
    fields = _patient_fields(world) | {
        "record_number": st.sampled_from([world.patient.record_number, "R-0001", "r-0001", "R-0777"]),
        "version": st.one_of(_current_version(world), _current_version(world), st.integers(-2, 9).map(str)),
    }
    return form_data(fields, foreign=hillcrest_ids(world))


def _patient_row(world) -> dict:
    return Patient.objects.filter(pk=world.patient.pk).values().get()


def _patient_updated(world, before, after) -> None:
    assert after["clinic_id"] == before["clinic_id"]
    assert after["assigned_clinician_id"] in (None, world.alice.pk, world.erin.pk)
    if after["version"] == before["version"]:
        assert after == before, "a save that changes nothing changes nothing"
    else:
        assert after["version"] == before["version"] + 1


# --- Visits -----------------------------------------------------------------------------------


def _visit_fields() -> dict:
    return {
        "kind": st.sampled_from(VisitKind.values),
        "occurred_at": past_datetime_inputs(),
        "pulse": _optional(_number(20, 250)),
        "bp_systolic": _optional(_number(50, 260)),
        "bp_diastolic": _optional(_number(20, 160)),
        "respiratory_rate": _optional(_number(4, 60)),
        "oxygen_saturation": _optional(_number(50, 100)),
        "temperature_c": _optional(_decimal(30, 44)),
        "notes": words(),
        "plan": words(),
        "next_follow_up": _optional(date_inputs()),
    }


def _visit_baseline(world) -> dict:
    return {
        "kind": "follow_up",
        "occurred_at": "2026-01-05T09:30",
        "pulse": "88",
        "bp_systolic": "130",
        "bp_diastolic": "84",
        "respiratory_rate": "16",
        "oxygen_saturation": "97",
        "temperature_c": "36.8",
        "notes": "Doing better.",
        "plan": "Review in two weeks.",
        "next_follow_up": "2026-01-19",
    }


def _visits_state(world) -> tuple[int, int]:
    return Visit.objects.count(), audited(Action.CREATE, "patients.visit")


def _visit_recorded(world, before, after) -> None:
    assert after == (before[0] + 1, before[1] + 1), "a new visit and its audit event, together"
    newest = Visit.objects.latest("pk")
    assert (newest.patient_id, newest.clinician_id) == (world.patient.pk, world.alice.pk)


def _visit_row(world) -> tuple[dict, int]:
    return Visit.objects.filter(pk=world.visit.pk).values().get(), audited(Action.UPDATE, "patients.visit")


def _visit_corrected(world, before, after) -> None:
    (row_before, events_before), (row_after, events_after) = before, after
    assert (row_after["patient_id"], row_after["clinician_id"]) == (world.patient.pk, world.alice.pk)
    assert events_after == events_before + (row_after != row_before), "each correction audited once"


# --- Use reports ------------------------------------------------------------------------------


def _use_report_fields() -> dict:
    return {
        "recorded_at": past_datetime_inputs(days=30),
        "product_form": st.sampled_from(ProductForm.values),
        "product_name": words(40),
        "strength_mg_per_unit": _optional(_decimal(0, 100, places=2)),
        "strength_unknown": CHECKBOX,
        "units_per_day": _optional(_decimal(0, 20, places=2)),
        "uses_per_day": _optional(_decimal(0, 20)),
        "hours_between_uses": _optional(_decimal(0, 24)),
        "route": st.sampled_from(Route.values),
        "months_of_use": _optional(_number(0, 600)),
        "last_use_at": _optional(past_datetime_inputs(days=60)),
        **{name: st.sampled_from(Frequency.values) for name in SUBSTANCES},
        "reasons": st.lists(st.sampled_from(Reason.values), max_size=3, unique=True),
        "reason_other": words(40),
        "previous_attempts_to_stop": words(),
        "past_withdrawal": words(),
        "past_overdose": CHECKBOX,
        "overdose_history": words(),
        "current_medications": words(),
        "notes": words(),
    }


def _use_report_baseline(world) -> dict:
    return {
        "recorded_at": "2026-01-05T09:30",
        "product_form": "tablet",
        "product_name": "7-Tab Max",
        "strength_mg_per_unit": "15",
        "strength_unknown": "",
        "units_per_day": "4",
        "uses_per_day": "4",
        "hours_between_uses": "3.5",
        "route": "oral",
        "months_of_use": "14",
        "last_use_at": "2026-01-05T03:30",
        **dict.fromkeys(SUBSTANCES, "none"),
        "reasons": ["pain", "energy"],
        "reason_other": "",
        "previous_attempts_to_stop": "Once, last spring.",
        "past_withdrawal": "",
        "past_overdose": "",
        "overdose_history": "",
        "current_medications": "None",
        "notes": "",
    }


def _use_reports_state(world) -> tuple[int, int]:
    return UseReport.objects.count(), audited(Action.CREATE, "patients.usereport")


def _use_report_recorded(world, before, after) -> None:
    assert after == (before[0] + 1, before[1] + 1), "a new use report and its audit event, together"
    newest = UseReport.objects.latest("pk")
    assert (newest.patient_id, newest.recorded_by_id) == (world.patient.pk, world.alice.pk)


TARGETS = [
    FormTarget(
        name="patient_list_filters",
        url=lambda w: reverse("patients:list"),
        method="GET",
        actor="alice",
        data=_list_data,
        state=_nothing_but_views,
        baseline=lambda w: {
            "q": "R-0001",
            "status": "active",
            "clinician": "mine",
            "severity": "",
            "sort": "recent",
            "page": "1",
        },
        max_examples=20,
    ),
    FormTarget(
        name="patient_create",
        url=lambda w: reverse("patients:create"),
        actor="alice",
        data=lambda w: form_data(_patient_fields(w), foreign=hillcrest_ids(w)),
        state=_patients_state,
        check_saved=_patient_created,
        baseline=_patient_baseline,
    ),
    FormTarget(
        name="patient_update",
        url=lambda w: reverse("patients:update", args=[w.patient.pk]),
        actor="alice",
        data=_patient_update_data,
        state=_patient_row,
        check_saved=_patient_updated,
        baseline=lambda w: _patient_baseline(w) | {"record_number": "R-0001", "version": str(w.patient.version)},
    ),
    FormTarget(
        name="visit_create",
        url=lambda w: reverse("patients:visit_create", args=[w.patient.pk]),
        actor="alice",
        data=lambda w: form_data(_visit_fields(), foreign=hillcrest_ids(w)),
        state=_visits_state,
        check_saved=_visit_recorded,
        baseline=_visit_baseline,
    ),
    FormTarget(
        name="visit_update",
        url=lambda w: reverse("patients:visit_update", args=[w.patient.pk, w.visit.pk]),
        actor="bob",  # a supervisor correcting Alice's visit: it stays Alice's
        data=lambda w: form_data(_visit_fields() | {"reason": words()}, foreign=hillcrest_ids(w)),
        state=_visit_row,
        check_saved=_visit_corrected,
        baseline=lambda w: _visit_baseline(w) | {"reason": "Pulse misread."},
    ),
    FormTarget(
        name="use_report_create",
        url=lambda w: reverse("patients:use_report_create", args=[w.patient.pk]),
        actor="alice",
        data=lambda w: form_data(_use_report_fields(), foreign=hillcrest_ids(w)),
        state=_use_reports_state,
        check_saved=_use_report_recorded,
        baseline=_use_report_baseline,
    ),
]
