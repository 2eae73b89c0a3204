"""Amending a clinical record, or marking it entered in error: one mechanism for every record type.

A record type joins with one line, `register(RecordKind(...))`, from the app that owns it (the
model inherits clinic.patients.correctable.Correctable). Nothing is ever deleted: an amendment
keeps what each changed field said before, an entry in error keeps every value and only stops
counting. Each action is one service function, one transaction, with its audit event. The
reason (clinical words) is kept on the Correction row, never in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst

from clinic.accounts.models import User
from clinic.audit.services import Action, audit_record
from clinic.lib.changes import changed_fields
from clinic.patients.models import Correction, CorrectionAction, Patient
from clinic.patients.selectors import patient_get_for_user


@dataclass(frozen=True)
class RecordKind:
    """How one record type is corrected.

    `form` edits the record for an amendment (None: it can only be marked in error);
    `values` names the form method returning the fields to save (default: the form's fields).
    `patient_entered` says whether a record is the patient's own submission, which staff may
    mark in error but never change. `after_change` refreshes what is derived from the records
    (inside the same transaction).
    """

    key: str  # in URLs and on Correction rows, e.g. "visit"
    model: type[models.Model]
    label: str  # e.g. "visit", as in "Mark this visit entered in error"
    form: type[forms.ModelForm] | None = None
    values: str = ""
    patient_entered: Callable[[Any], bool] = field(default=lambda record: False)
    after_change: Callable[[Patient], None] = field(default=lambda patient: None)

    def can_amend(self, record) -> bool:
        return self.form is not None and not record.is_in_error and not self.patient_entered(record)

    def form_values(self, form: forms.ModelForm) -> dict[str, Any]:
        if self.values:
            return getattr(form, self.values)()
        return {name: form.cleaned_data[name] for name in form.Meta.fields}


KINDS: dict[str, RecordKind] = {}


def register(kind: RecordKind) -> None:
    """Make a record type correctable. Registering two kinds under one key fails at start-up."""
    if kind.key in KINDS and KINDS[kind.key] is not kind:
        raise ValueError(f"record kind {kind.key!r} is registered twice")
    if "entered_in_error_at" not in {f.name for f in kind.model._meta.concrete_fields}:
        raise TypeError(f"{kind.model.__name__} must inherit Correctable to be corrected")
    KINDS[kind.key] = kind


def kind_of(record: models.Model) -> RecordKind:
    for kind in KINDS.values():
        if isinstance(record, kind.model):
            return kind
    raise LookupError(f"{type(record).__name__} is not a registered record kind")


# --- Reads ---------------------------------------------------------------------------------------


def record_get_for_user(user: User, patient_pk: int, kind_key: str, record_pk: int) -> tuple[RecordKind, Any]:
    """The record (in error or not) of a patient the user may see and edit; 404 otherwise."""
    kind = KINDS.get(kind_key)
    if kind is None:
        raise Http404("No such record.")
    patient = patient_get_for_user(user, patient_pk)
    record = kind.model.every_entry.filter(patient=patient, pk=record_pk).first()
    if record is None:
        raise Http404("No such record.")
    record.patient = patient
    return kind, record


def corrections_of(record: models.Model) -> list[Correction]:
    """Every correction of one record, oldest first."""
    kind = kind_of(record)
    return list(Correction.objects.filter(record_kind=kind.key, record_id=record.pk).select_related("by"))


def corrections_by_record(patient: Patient) -> dict[tuple[str, int], list[Correction]]:
    """Every correction of a patient's records, keyed by (kind, record id). One query."""
    found: dict[tuple[str, int], list[Correction]] = {}
    for correction in Correction.objects.filter(patient=patient).select_related("by"):
        found.setdefault((correction.record_kind, correction.record_id), []).append(correction)
    return found


def entries_in_error(patient: Patient) -> Iterable[tuple[RecordKind, Any]]:
    """The patient's records marked entered in error, of every kind. One query per kind."""
    for kind in KINDS.values():
        for record in kind.model.every_entry.filter(patient=patient, entered_in_error_at__isnull=False):
            yield kind, record


def mark_timeline(patient: Patient, timeline: list) -> None:
    """Say on each timeline entry of a correctable record how it was corrected. One query."""
    found = corrections_by_record(patient)
    for entry in timeline:
        try:
            kind = kind_of(entry.obj)
        except LookupError:
            continue
        entry.correction_kind = kind.key
        entry.corrections = found.get((kind.key, entry.obj.pk), [])
        entry.in_error = entry.obj.is_in_error
        entry.can_amend = kind.can_amend(entry.obj)


# --- Writes --------------------------------------------------------------------------------------


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why, in a few words."})
    return reason


def _locked(kind: RecordKind, record) -> Any:
    return kind.model.every_entry.select_for_update(of=("self",)).get(pk=record.pk)


@transaction.atomic
def record_amend(
    *, request: HttpRequest | None, actor: User, record: models.Model, fields: dict[str, Any], reason: str
) -> Correction | None:
    """Save corrected values onto a record, keeping what each changed field said before.

    Returns None (nothing saved, nothing audited) when no value changed. Raises ValidationError
    (nothing saved) without a reason, when a rule of the record fails, for an entry in error,
    or for a patient's own submission, which staff never change.
    """
    kind = kind_of(record)
    reason = _clean_reason(reason)
    current = _locked(kind, record)
    if not kind.can_amend(current):
        raise ValidationError("This record cannot be amended: mark it entered in error instead.")
    unknown = set(fields) - set(kind.form.Meta.fields if kind.form else ())
    if unknown:
        raise ValueError(f"unexpected fields: {sorted(unknown)}")
    before = {name: describe(current, name) for name in fields}
    changed = changed_fields(current, fields)
    if not changed:
        return None
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean(validate_constraints=False)
    current.save()
    correction = Correction.objects.create(
        patient_id=current.patient_id,
        record_kind=kind.key,
        record_id=current.pk,
        action=CorrectionAction.AMENDED,
        reason=reason,
        changes=[
            {"field": n, "label": label(current, n), "before": before[n], "after": describe(current, n)}
            for n in changed
        ],
        by=actor,
        at=timezone.now(),
    )
    kind.after_change(current.patient)
    audit_record(
        request=request, actor=actor, action=Action.UPDATE, obj=current, detail="amended: " + ", ".join(changed)
    )
    return correction


@transaction.atomic
def record_mark_in_error(*, request: HttpRequest | None, actor: User, record: models.Model, reason: str) -> Correction:
    """Mark a record entered in error: every value is kept, and it stops counting everywhere.

    Raises ValidationError (nothing saved) without a reason or when it is already marked.
    """
    kind = kind_of(record)
    reason = _clean_reason(reason)
    current = _locked(kind, record)
    if current.is_in_error:
        raise ValidationError("This record is already marked entered in error.")
    now = timezone.now()
    current.entered_in_error_at = now
    current.save(update_fields=["entered_in_error_at"])
    correction = Correction.objects.create(
        patient_id=current.patient_id,
        record_kind=kind.key,
        record_id=current.pk,
        action=CorrectionAction.ENTERED_IN_ERROR,
        reason=reason,
        by=actor,
        at=now,
    )
    kind.after_change(current.patient)
    audit_record(request=request, actor=actor, action=Action.UPDATE, obj=current, detail="marked entered in error")
    return correction


# --- Words ---------------------------------------------------------------------------------------

NOT_GIVEN = "not given"


def label(record: models.Model, name: str) -> str:
    return str(capfirst(record._meta.get_field(name).verbose_name))


def describe(record: models.Model, name: str) -> str:
    """One field of a record as words, as the history shows it."""
    value = getattr(record, name)
    model_field = record._meta.get_field(name)
    if value is None or value == "" or value == []:
        return NOT_GIVEN
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "j M Y, H:i")
    if isinstance(value, dt.date):
        return date_format(value, "j M Y")
    if isinstance(value, Decimal):
        text = f"{value:f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, models.Model):
        return str(value)
    return str(value)
