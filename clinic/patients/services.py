"""Writes about patients, visits and use reports. Each is one transaction with its audit event.

Every service checks the whole record (`full_clean`, which runs the model's rules) before
saving, so a caller that skips the form still cannot store what the form would refuse; the
database constraints stay underneath as the last guard. Audit details name fields, never values.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from clinic.accounts.models import Clinic, User
from clinic.audit.services import Action, audit_record
from clinic.lib.changes import changed_fields
from clinic.patients.models import Acknowledgement, NaloxoneRecord, Patient, PregnancyAnswer, UseReport, Visit
from clinic.patients.safety import rules_for_patient

PATIENT_FIELDS = (
    "record_number",
    "name",
    "date_of_birth",
    "preferred_language",
    "phone",
    "email",
    "assigned_clinician",
    "status",
)


class PatientChanged(Exception):
    """Someone saved the patient after the editor loaded it; `current` is what is saved now."""

    def __init__(self, current: Patient) -> None:
        super().__init__(f"patient {current.pk} is at version {current.version}")
        self.current = current


def _save(obj) -> None:
    """Check every rule, then save; a unique race lost at the database reads like the form's message."""
    # The models' rules cover the database constraints with clearer words; the constraints stay
    # as the last line of defence (IntegrityError), so they are not checked twice here.
    obj.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as error:
        if "record_number_unique_in_clinic" in str(error):
            raise ValidationError({"record_number": "This record number is already used at this clinic."}) from None
        raise


@transaction.atomic
def patient_create(
    *,
    request: HttpRequest | None,
    clinic: Clinic,
    record_number: str,
    name: str,
    date_of_birth: dt.date,
    preferred_language: str = "en",
    phone: str = "",
    email: str = "",
    assigned_clinician: User | None = None,
    status: str = "active",
) -> Patient:
    """Add a patient to `clinic`. Raises ValidationError (nothing saved) if any rule fails."""
    patient = Patient(
        clinic=clinic,
        record_number=record_number,
        name=name,
        date_of_birth=date_of_birth,
        preferred_language=preferred_language,
        phone=phone,
        email=email,
        assigned_clinician=assigned_clinician,
        status=status,
    )
    _save(patient)
    audit_record(request=request, action=Action.CREATE, obj=patient, clinic=clinic, detail="patient record")
    return patient


@transaction.atomic
def patient_update(
    *, request: HttpRequest | None, patient: Patient, fields: dict[str, Any], expected_version: int
) -> Patient:
    """Save `fields` onto the patient if nobody saved since `expected_version` was loaded.

    Raises PatientChanged (nothing saved) when the stored version differs: a newer save is never
    silently overwritten. Raises ValidationError (nothing saved) if a rule fails. Each real
    change bumps `version` by one; a save that changes nothing changes nothing.
    """
    _only(fields, PATIENT_FIELDS)
    # The row lock makes check-then-write atomic against a second editor saving at the same moment.
    current = Patient.objects.select_for_update(of=("self",)).select_related("assigned_clinician").get(pk=patient.pk)
    if current.version != expected_version:
        raise PatientChanged(current)
    changed = changed_fields(current, fields)
    if not changed:
        return current
    for name, value in fields.items():
        setattr(current, name, value)
    current.version += 1
    _save(current)
    audit_record(request=request, action=Action.UPDATE, obj=current, detail="changed " + ", ".join(changed))
    return current


# What a visit form may set, in the order the form asks it.
VISIT_FIELDS = (
    "kind",
    "occurred_at",
    "pulse",
    "bp_systolic",
    "bp_diastolic",
    "respiratory_rate",
    "oxygen_saturation",
    "temperature_c",
    "sedation",
    "notes",
    "plan",
    "next_follow_up",
)


@transaction.atomic
def visit_record(*, request: HttpRequest | None, patient: Patient, clinician: User, fields: dict[str, Any]) -> Visit:
    """Record a visit by `clinician`. Raises ValidationError (nothing saved) on implausible values."""
    _only(fields, VISIT_FIELDS)
    visit = Visit(patient=patient, clinician=clinician, **fields)
    _save(visit)
    audit_record(request=request, action=Action.CREATE, obj=visit, clinic=patient.clinic, detail=f"{visit.kind} visit")
    return visit


@transaction.atomic
def visit_update(*, request: HttpRequest | None, visit: Visit, fields: dict[str, Any]) -> Visit:
    """Correct a recorded visit. The clinician who saw the patient stays the visit's clinician.

    Compares with the stored row (not `visit`, which a form may already have changed in memory)
    so the audit event names exactly the fields that changed.
    """
    _only(fields, VISIT_FIELDS)
    current = Visit.objects.select_for_update(of=("self",)).select_related("patient").get(pk=visit.pk)
    changed = changed_fields(current, fields)
    if not changed:
        return current
    for name, value in fields.items():
        setattr(current, name, value)
    _save(current)
    audit_record(request=request, action=Action.UPDATE, obj=current, detail="changed " + ", ".join(changed))
    return current


USE_REPORT_FIELDS = tuple(
    f.name
    for f in UseReport._meta.get_fields()
    if f.concrete and f.name not in {"id", "patient", "recorded_by", "created_at"}
)


@transaction.atomic
def use_report_record(
    *, request: HttpRequest | None, patient: Patient, recorded_by: User, fields: dict[str, Any]
) -> UseReport:
    """Record how the patient now uses 7-OH, as they report it. Earlier reports stay as they were.

    Raises ValidationError (nothing saved) if, for example, both a strength and
    "unknown / not trusted" are given.
    """
    _only(fields, USE_REPORT_FIELDS)
    report = UseReport(patient=patient, recorded_by=recorded_by, **fields)
    _save(report)
    audit_record(request=request, action=Action.CREATE, obj=report, clinic=patient.clinic, detail="7-OH use report")
    return report


def _only(fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"unexpected fields: {sorted(unknown)}")


class ReasonChanged(ValidationError):
    """The safety reason no longer holds, or its facts changed since the page was read."""


@transaction.atomic
def acknowledgement_record(
    *,
    request: HttpRequest | None,
    actor: User,
    patient: Patient,
    rule: str,
    fact: str,
    action_taken: str,
    now: dt.datetime | None = None,
) -> Acknowledgement:
    """Record that `actor` saw the safety reason `rule` and what was done, in one transaction.

    `fact` is the fact the actor was shown; if the reason no longer holds, is already
    acknowledged, or now rests on another fact (a newer record), nothing is saved and
    ReasonChanged says so: the actor reads the reason again. Audited in the same transaction.
    """
    action_taken = action_taken.strip()
    if not action_taken:
        raise ValidationError({"action_taken": "Say what was done (for example: discussed, called, referred)."})
    now = now or timezone.now()
    current = next((s for s in rules_for_patient(patient, now) if s.key == rule), None)
    if current is None:
        raise ReasonChanged("This reason does not hold for the patient now, so there is nothing to acknowledge.")
    if current.acknowledged:
        raise ReasonChanged("This reason was already acknowledged for these facts.")
    if current.fact != fact:
        raise ReasonChanged("The facts behind this reason changed since you opened the page. Read it again.")
    acknowledgement = Acknowledgement.objects.create(
        patient=patient,
        rule=rule,
        fact=fact,
        level=current.level,
        reason=current.text,
        action_taken=action_taken,
        by=actor,
        at=now,
    )
    audit_record(
        request=request,
        action=Action.CREATE,
        obj=acknowledgement,
        actor=actor,
        clinic=patient.clinic,
        detail=f"safety acknowledgement {rule}",
    )
    return acknowledgement


@transaction.atomic
def naloxone_record(
    *,
    request: HttpRequest | None,
    patient: Patient,
    recorded_by: User,
    event: str,
    on: dt.date,
    notes: str = "",
) -> NaloxoneRecord:
    """Record naloxone offered, given, prescribed, declined or used. Raises ValidationError, nothing saved."""
    record = NaloxoneRecord(patient=patient, recorded_by=recorded_by, event=event, on=on, notes=notes)
    _save(record)
    audit_record(request=request, action=Action.CREATE, obj=record, clinic=patient.clinic, detail=f"naloxone {event}")
    return record


@transaction.atomic
def pregnancy_answer_record(
    *, request: HttpRequest | None, patient: Patient, recorded_by: User, status: str, asked_on: dt.date
) -> PregnancyAnswer:
    """Record what the patient said about pregnancy on the date asked. Raises ValidationError, nothing saved."""
    answer = PregnancyAnswer(patient=patient, recorded_by=recorded_by, status=status, asked_on=asked_on)
    _save(answer)
    audit_record(request=request, action=Action.CREATE, obj=answer, clinic=patient.clinic, detail="pregnancy status")
    return answer
