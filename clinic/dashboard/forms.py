"""The dashboard's filters, read from the query string: clinician (supervisors) and date range."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.utils import timezone

from clinic.dashboard.selectors import MAX_RANGE_DAYS, DateRange, default_range

_SELECT = forms.Select(attrs={"class": "form-select"})


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(attrs={"class": "form-control"}, format="%Y-%m-%d")


@dataclass(frozen=True)
class Filters:
    clinician: str | int  # "all", "none" or a clinician's id; a clinician's own dashboard ignores it
    dates: DateRange

    def query(self) -> dict[str, str]:
        """The filters as query-string values, for links that keep them."""
        values = {"start": self.dates.start.isoformat(), "end": self.dates.end.isoformat()}
        if self.clinician != "all":
            values["clinician"] = str(self.clinician)
        return values


class DashboardFilterForm(forms.Form):
    """Bad values are reported next to their field, and the default is used in their place."""

    clinician = forms.ChoiceField(label="Clinician", required=False, widget=_SELECT)
    start = forms.DateField(label="From", required=False, widget=DateInput())
    end = forms.DateField(label="To", required=False, widget=DateInput())

    def __init__(self, data, *, user, clinicians):
        self.user = user
        # The inputs show the range in use, the default one when none was asked for.
        self.default_dates = default_range(timezone.localdate())
        data = data.copy()
        data.setdefault("start", self.default_dates.start.isoformat())
        data.setdefault("end", self.default_dates.end.isoformat())
        data.setdefault("clinician", "all")
        super().__init__(data)
        if user.is_clinician:
            # A clinician's dashboard is her caseload: there is nothing to choose.
            del self.fields["clinician"]
        else:
            choices = [("all", "All of the clinic")]
            choices += [(str(c.pk), c.display_name + ("" if c.is_active else " (inactive)")) for c in clinicians]
            choices.append(("none", "No clinician assigned"))
            self.fields["clinician"].choices = choices

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", "The end of the range cannot be before its start.")
            elif (end - start).days >= MAX_RANGE_DAYS:
                self.add_error("start", f"Choose a range of at most {MAX_RANGE_DAYS} days.")
        return data

    def filters(self) -> Filters:
        """The filters to apply: what is valid of what was asked, defaults for the rest."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        dates = self.default_dates
        if not (self.errors.get("start") or self.errors.get("end")) and data.get("start") and data.get("end"):
            dates = DateRange(data["start"], data["end"])
        clinician: str | int = "all"
        if "clinician" in self.fields and not self.errors.get("clinician"):
            chosen = data.get("clinician") or "all"
            clinician = int(chosen) if chosen.isdigit() else chosen
        return Filters(clinician=clinician, dates=dates)


def parse_week(value: str | None) -> dt.date | None:
    """A Monday from the query string, or None."""
    try:
        day = dt.date.fromisoformat(value or "")
    except ValueError:
        return None
    return day if day.weekday() == 0 else None
