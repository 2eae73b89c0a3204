"""Forms for taper plans, providers and referrals. Free text where clinicians decide; no amounts."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from clinic.guidance.models import (
    ENDED_TAPER_STATUSES,
    DeclinedBy,
    Provider,
    Referral,
    ReferralStatus,
    ReviewDate,
    TaperPlan,
    TaperStep,
)
from clinic.guidance.services import NEEDS_REASON

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TaperPlanForm(forms.ModelForm):
    class Meta:
        model = TaperPlan
        fields = ["start_date", "goals", "status", "outcome_note"]
        widgets = {
            "start_date": DATE,
            "goals": forms.Textarea(attrs={"rows": 4}),
            "outcome_note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "status": "An active plan marks the patient as tapering (unless they have been referred).",
            "outcome_note": "Needed when the plan is completed or stopped.",
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") in ENDED_TAPER_STATUSES and not cleaned.get("outcome_note", "").strip():
            self.add_error("outcome_note", "Say how the plan ended, in a few words.")
        return cleaned


class TaperStepForm(forms.ModelForm):
    class Meta:
        model = TaperStep
        fields = ["date", "text"]
        widgets = {"date": DATE, "text": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"text": "Written by you and shown back exactly as written. Steady never suggests a step."}


class ReviewDateForm(forms.ModelForm):
    class Meta:
        model = ReviewDate
        fields = ["date", "note"]
        widgets = {"date": DATE}
        labels = {"date": "Review date", "note": "Note (optional)"}


class ProviderForm(forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = Provider
        fields = ["name", "kind", "phone", "email", "address", "website", "telehealth", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.clinic = clinic

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = Provider.objects.filter(clinic=self.clinic, name__iexact=name).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("Your clinic's directory already has a provider with this name.")
        return name


class ReferralForm(forms.ModelForm):
    class Meta:
        model = Referral
        fields = ["provider", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this clinic's providers can be chosen: a foreign id posted is "not one of the choices".
        self.fields["provider"].queryset = providers
        self.fields["provider"].empty_label = "Choose a provider"


class ReferralMoveForm(forms.Form):
    """One move. Every status is a valid choice here; referral_move refuses illegal moves with
    a message that says which moves are possible, which a stale page needs to hear."""

    to_status = forms.ChoiceField(label="New status", choices=ReferralStatus.choices)
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when the referral is declined or lost to follow-up: say why.",
    )

    happened_on = forms.DateField(
        label="Date it happened",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day it was sent, the appointment, the day attended. Empty: today.",
        error_messages={"invalid": "Enter a real date."},
    )
    happened_time = forms.TimeField(
        label="Time (appointments)",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"invalid": "Enter a time such as 14:30."},
    )
    declined_by = forms.ChoiceField(
        label="Declined by", choices=DeclinedBy.choices, required=False, widget=forms.RadioSelect
    )
    # Set by the confirmation step: the first POST only shows what will happen.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("to_status") in NEEDS_REASON and not cleaned.get("note", "").strip():
            self.add_error("note", "Say why, so the team knows what happened and what to try next.")
        if cleaned.get("to_status") == ReferralStatus.DECLINED and not cleaned.get("declined_by"):
            self.add_error("declined_by", "Say who declined: the patient or the provider.")
        return cleaned

    def happened_at(self) -> dt.datetime | None:
        """The moment entered, in the clinic's time zone; None when no date was given (now)."""
        day = self.cleaned_data.get("happened_on")
        if day is None:
            return None
        moment = dt.datetime.combine(day, self.cleaned_data.get("happened_time") or dt.time(12, 0))
        return timezone.make_aware(moment)


class ReviewHeldForm(forms.Form):
    confirm = forms.BooleanField(
        label="Yes, this review took place",
        error_messages={"required": "Tick the box to say the review took place."},
    )
    early_reason = forms.CharField(
        label="Why is it marked held before its date?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )


class ReviewUndoForm(forms.Form):
    reason = forms.CharField(
        label="Why was it marked held by mistake?",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        error_messages={"required": "Say why, in a few words."},
    )
