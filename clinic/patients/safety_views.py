"""Acknowledging a safety reason shown on the patient page or the dashboard, and recording naloxone."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from clinic.accounts.access import patient_staff_required
from clinic.audit.services import Action, audit_record
from clinic.lib.forms import posted
from clinic.patients import safety, services
from clinic.patients.forms import DateInput
from clinic.patients.models import NaloxoneEvent, NaloxoneRecord, PregnancyAnswer, PregnancyStatus
from clinic.patients.selectors import patient_get_for_user


class AcknowledgementForm(forms.Form):
    fact = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)
    action_taken = forms.CharField(
        label="What was done",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="For example: assessed and discussed with the patient, called, referred, naloxone given.",
        error_messages={"required": "Say what was done (for example: discussed, called, referred)."},
    )

    def clean_action_taken(self) -> str:
        value = self.cleaned_data["action_taken"].strip()
        if not value:
            raise ValidationError(self.fields["action_taken"].error_messages["required"])
        return value


@patient_staff_required
@require_http_methods(["GET", "POST"])
def acknowledge(request: HttpRequest, pk: int, rule: str) -> HttpResponse:
    patient = patient_get_for_user(request.user, pk)
    try:
        chosen = safety.rule(rule)
    except KeyError:
        raise Http404("No such safety rule.") from None
    current = next((s for s in safety.rules_for_patient(patient) if s.key == rule), None)
    form = AcknowledgementForm(posted(request), initial={"fact": current.fact if current else ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.acknowledgement_record(
                request=request,
                actor=request.user,
                patient=patient,
                rule=rule,
                fact=form.cleaned_data["fact"],
                action_taken=form.cleaned_data["action_taken"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Acknowledged: {chosen.title}.")
            return redirect("patients:detail", pk=patient.pk)
    if request.method == "GET":
        audit_record(request=request, action=Action.VIEW, obj=patient, detail="acknowledge safety reason form")
    return render(
        request,
        "patients/acknowledge.html",
        {"patient": patient, "rule": chosen, "current": current, "form": form},
    )


class NaloxoneForm(forms.ModelForm):
    class Meta:
        model = NaloxoneRecord
        fields = ["event", "on", "notes"]
        widgets = {"event": forms.RadioSelect, "on": DateInput}
        labels = {"on": "Date", "notes": "Notes (optional)"}
        error_messages = {
            "event": {"required": "Choose what happened."},
            "on": {"required": "Enter the date.", "invalid": "Enter a real date."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].choices = list(NaloxoneEvent.choices)
        self.initial.setdefault("on", timezone.localdate())


@patient_staff_required
@require_http_methods(["GET", "POST"])
def naloxone_create(request: HttpRequest, pk: int) -> HttpResponse:
    patient = patient_get_for_user(request.user, pk)
    form = NaloxoneForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.naloxone_record(request=request, patient=patient, recorded_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Naloxone recorded.")
            return redirect("patients:detail", pk=patient.pk)
    if request.method == "GET":
        audit_record(request=request, action=Action.VIEW, obj=patient, detail="naloxone form")
    return render(request, "patients/naloxone_form.html", {"patient": patient, "form": form})


class PregnancyForm(forms.ModelForm):
    class Meta:
        model = PregnancyAnswer
        fields = ["status", "asked_on"]
        widgets = {"status": forms.RadioSelect, "asked_on": DateInput}
        error_messages = {
            "status": {"required": "Choose the answer."},
            "asked_on": {"required": "Enter the date asked.", "invalid": "Enter a real date."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = list(PregnancyStatus.choices)
        self.initial.setdefault("asked_on", timezone.localdate())


@patient_staff_required
@require_http_methods(["GET", "POST"])
def pregnancy_create(request: HttpRequest, pk: int) -> HttpResponse:
    patient = patient_get_for_user(request.user, pk)
    form = PregnancyForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.pregnancy_answer_record(
                request=request, patient=patient, recorded_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Pregnancy status recorded.")
            return redirect("patients:detail", pk=patient.pk)
    if request.method == "GET":
        audit_record(request=request, action=Action.VIEW, obj=patient, detail="pregnancy form")
    return render(request, "patients/pregnancy_form.html", {"patient": patient, "form": form})
