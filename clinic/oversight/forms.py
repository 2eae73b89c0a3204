from __future__ import annotations

import datetime as dt

from django import forms

from clinic.accounts.models import User
from clinic.audit.models import Action


class AuditSearchForm(forms.Form):
    """Filters for the audit browser. Every choice is limited to the acting user's clinic."""

    person = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Anyone")
    # Steady's patient number or the clinic's record number.
    patient = forms.CharField(required=False, max_length=64, label="Patient no. or record no.")
    action = forms.ChoiceField(choices=[("", "Any action"), *Action.choices], required=False)
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, staff, patients: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = staff
        if not patients:  # a clinic admin searches account events only, never by patient
            del self.fields["patient"]
        self.fields["person"].label_from_instance = lambda u: f"{u.display_name} ({u.username})"

    def clean_patient(self) -> str:
        return self.cleaned_data.get("patient", "").strip()

    def clean_date_from(self) -> dt.date | None:
        return _within_range(self.cleaned_data["date_from"])

    def clean_date_to(self) -> dt.date | None:
        return _within_range(self.cleaned_data["date_to"])

    def clean(self):
        cleaned = super().clean()
        start: dt.date | None = cleaned.get("date_from")
        end: dt.date | None = cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned


EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2999, 12, 31)


def _within_range(day: dt.date | None) -> dt.date | None:
    if day is not None and not EARLIEST <= day <= LATEST:
        raise forms.ValidationError(f"Enter a date between {EARLIEST.year} and {LATEST.year}.")
    return day
