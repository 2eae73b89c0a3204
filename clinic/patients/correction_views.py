"""Amend a record, mark it entered in error, read its history: the pages of clinic.patients.corrections."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from clinic.accounts.access import patient_staff_required
from clinic.audit.services import Action, audit_record
from clinic.lib.forms import posted
from clinic.patients.corrections import (
    corrections_of,
    record_amend,
    record_get_for_user,
    record_mark_in_error,
)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Say why, in a few words."},
        help_text="Kept with the record and shown on the timeline.",
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why, in a few words.")
        return reason


def _back(record) -> str:
    return reverse("patients:detail", args=[record.patient_id])


@patient_staff_required
@require_http_methods(["GET", "POST"])
def record_amend_view(request: HttpRequest, pk: int, kind: str, record_pk: int) -> HttpResponse:
    kind_, record = record_get_for_user(request.user, pk, kind, record_pk)
    if not kind_.can_amend(record):
        return render(
            request,
            "patients/record_cannot_amend.html",
            {
                "patient": record.patient,
                "kind": kind_,
                "record": record,
                "patient_entered": kind_.patient_entered(record),
            },
        )
    form = kind_.form(posted(request), instance=kind_.model.every_entry.get(pk=record.pk))
    reason_form = ReasonForm(posted(request))
    if request.method == "POST" and form.is_valid() & reason_form.is_valid():
        try:
            done = record_amend(
                request=request,
                actor=request.user,
                record=record,
                fields=kind_.form_values(form),
                reason=reason_form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Amended the {kind_.label}." if done else "Nothing was changed.")
            return redirect(_back(record))
    if request.method == "GET":
        audit_record(request=request, action=Action.VIEW, obj=record, detail=f"amend {kind_.key} form")
    return render(
        request,
        "patients/record_amend.html",
        {"patient": record.patient, "kind": kind_, "record": record, "form": form, "reason_form": reason_form},
    )


@patient_staff_required
@require_http_methods(["GET", "POST"])
def record_in_error_view(request: HttpRequest, pk: int, kind: str, record_pk: int) -> HttpResponse:
    """GET says what will happen; only the POST, with a reason, marks the record."""
    kind_, record = record_get_for_user(request.user, pk, kind, record_pk)
    form = ReasonForm(posted(request))
    if request.method == "POST" and not record.is_in_error and form.is_valid():
        try:
            record_mark_in_error(request=request, actor=request.user, record=record, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Marked the {kind_.label} entered in error.")
            return redirect(_back(record))
    if request.method == "GET":
        audit_record(request=request, action=Action.VIEW, obj=record, detail=f"{kind_.key} entered-in-error form")
    return render(
        request,
        "patients/record_in_error.html",
        {"patient": record.patient, "kind": kind_, "record": record, "form": form},
    )


@patient_staff_required
def record_history_view(request: HttpRequest, pk: int, kind: str, record_pk: int) -> HttpResponse:
    """The record as it stands, and every amendment with what each field said before."""
    kind_, record = record_get_for_user(request.user, pk, kind, record_pk)
    audit_record(request=request, action=Action.VIEW, obj=record, detail=f"{kind_.key} correction history")
    return render(
        request,
        "patients/record_history.html",
        {"patient": record.patient, "kind": kind_, "record": record, "corrections": corrections_of(record)},
    )
