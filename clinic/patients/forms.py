"""Staff forms for patients, visits and use reports.

The rules themselves live on the models (`problems()`), so the services enforce them too; the
forms add clear wording, widgets and the grouping a clinician reads the form by.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.utils import timezone

from clinic.accounts.selectors import clinicians_of_clinic
from clinic.patients import list_options
from clinic.patients.models import (
    VITAL_RANGES,
    Level,
    Patient,
    PatientStatus,
    Reason,
    Sedation,
    UseReport,
    Visit,
)
from clinic.patients.search import possible_duplicates
from clinic.patients.selectors import ListSort
from clinic.patients.services import VISIT_FIELDS

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_FORMAT)


def _now_local() -> dt.datetime:
    # datetime-local inputs hold minutes; seconds would make the browser show an odd step.
    return timezone.localtime().replace(second=0, microsecond=0)


def _helper(*layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = Layout(*layout)
    return helper


def _drop_blank_choice(field: forms.ChoiceField) -> None:
    # Radio buttons need no "---------" option: nothing ticked already means "not chosen".
    field.choices = [choice for choice in field.choices if choice[0] != ""]


def _row(*fields: str, cols: str = "col-sm") -> Div:
    return Div(*[Div(name, css_class=cols) for name in fields], css_class="row")


_SELECT = forms.Select(attrs={"class": "form-select"})


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m")


class MonthField(forms.DateField):
    """A month and year ("2025-03", or "03/2025" where the browser has no month picker), kept as its first day."""

    widget = MonthInput
    input_formats = ["%Y-%m", "%m/%Y", "%Y-%m-%d"]
    default_error_messages = {"invalid": "Enter a month and year, for example 2025-03."}

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


class PatientFilterForm(forms.Form):
    """The list's search, filters and sort, read from the query string. Bad values fall back."""

    q = forms.CharField(label="Name or record number", required=False, max_length=100)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *PatientStatus.choices], widget=_SELECT
    )
    clinician = forms.ChoiceField(label="Whose patients", required=False, widget=_SELECT)
    # Filters other apps register (clinic.patients.list_options) are added in __init__.
    safety = forms.ChoiceField(label="Needs attention", required=False, widget=_SELECT)
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        widget=_SELECT,
        choices=[
            (ListSort.NAME, "Name"),
            (ListSort.RECENT, "Last contact, most recent first"),
            (ListSort.OLDEST, "Last contact, longest ago first"),
        ],
    )

    def __init__(self, data, *, user, clinicians):
        self.user = user
        # A clinician browses from her own caseload; a supervisor from the whole clinic. A search
        # that names no scope (the header's, a typed address) looks in the whole clinic.
        searching = bool((data.get("q") or "").strip())
        self.default_clinician = "mine" if user.is_clinician and not searching else "all"
        data = data.copy()
        data.setdefault("clinician", self.default_clinician)
        data.setdefault("sort", ListSort.NAME)
        super().__init__(data)
        for list_filter in list_options.filters():
            self.fields[list_filter.name] = forms.ChoiceField(
                label=list_filter.label, required=False, widget=_SELECT, choices=list_filter.choices()
            )
        self.fields["sort"].choices += [(option.key, option.label) for option in list_options.sorts()]
        choices = [("all", "Whole clinic")]
        if user.is_clinician:
            choices.insert(0, ("mine", "My caseload"))
        choices += [(str(c.pk), c.display_name) for c in clinicians]
        choices.append(("none", "No clinician assigned"))
        self.fields["clinician"].choices = choices
        self.fields["safety"].choices = safety_choices()

    def filters(self) -> dict:
        """Keyword arguments for selectors.patients_for_list; an invalid value is ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        clinician = data.get("clinician") or self.default_clinician
        return {
            "search": (data.get("q") or "").strip(),
            "status": data.get("status") or "",
            "clinician": int(clinician) if clinician.isdigit() else clinician,
            "sort": data.get("sort") or ListSort.NAME,
            "safety": data.get("safety") or "",
            **{f.name: data.get(f.name) or "" for f in list_options.filters()},
        }


def safety_choices() -> list[tuple]:
    """Any, a level (urgent, discuss, information: not acknowledged), or one rule, grouped by level."""
    from clinic.patients import safety

    choices: list[tuple] = [("", "Any or none")]
    for value, label in Level.choices:
        choices.append((f"level:{value}", f"Any {label.lower()} reason"))
    for value, label in Level.choices:
        choices.append((label, [(r.key, r.title) for r in safety.rules(level=value)]))
    return choices


class CheckedModelForm(forms.ModelForm):
    """A ModelForm for a CheckedModel: the model's rules give the messages, once, next to the field."""

    def validate_unique(self) -> None:
        # The database constraints are covered by the models' rules with clearer words; checking
        # them here too would add a second, vaguer message. They still guard every save.
        pass


class PatientForm(CheckedModelForm):
    """Create or edit a patient. On edit it carries the version it was loaded at."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Asked only when registering someone who may already be a patient (see `duplicates`).
    different_person = forms.BooleanField(label="This is a different person: register them anyway", required=False)

    class Meta:
        model = Patient
        fields = [
            "name",
            "record_number",
            "date_of_birth",
            "preferred_language",
            "phone",
            "email",
            "assigned_clinician",
            "status",
        ]
        widgets = {
            "date_of_birth": DateInput,
            "preferred_language": forms.RadioSelect,
            "phone": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
        }
        labels = {"name": "Full name"}
        error_messages = {
            "name": {"required": "Enter the patient's name."},
            "record_number": {"required": "Enter the clinic record number."},
            "date_of_birth": {"required": "Enter the date of birth.", "invalid": "Enter a real date."},
        }

    def __init__(self, *args, clinic, registered_by=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        self.instance.clinic = clinic
        field = self.fields["assigned_clinician"]
        self.duplicates: list[Patient] = []
        if self.instance.pk is not None:
            del self.fields["different_person"]
        if self.instance.pk is None and registered_by is not None and registered_by.is_clinician:
            # A new patient joins the caseload of the clinician who registers her, unless changed.
            self.initial.setdefault("assigned_clinician", registered_by.pk)
        # Only active clinicians of this clinic are offered or accepted; any other id is refused.
        field.queryset = clinicians_of_clinic(clinic.pk)
        field.label_from_instance = lambda user: user.display_name
        field.empty_label = "No clinician assigned"
        field.error_messages["invalid_choice"] = "Choose an active clinician of this clinic."
        if self.instance.pk is not None:
            self.fields["version"].initial = self.instance.version
            clinician = self.instance.assigned_clinician
            if clinician is not None and not (clinician.is_active and clinician.is_clinician):
                field.help_text = f"{clinician.display_name} can no longer hold a caseload: choose another clinician."
        self.helper = _helper(
            "version",
            "name",
            _row("record_number", "date_of_birth"),
            "preferred_language",
            _row("phone", "email"),
            _row("assigned_clinician", "status"),
        )

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Enter the patient's name.")
        return name

    def clean_record_number(self) -> str:
        # Uniqueness in the clinic, whatever the case, is the model's rule (Patient.problems).
        number = self.cleaned_data["record_number"].strip()
        if not number:
            raise forms.ValidationError("Enter the clinic record number.")
        return number

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        digits = sum(ch.isdigit() for ch in phone)
        if phone and (digits < 7 or any(ch not in "0123456789 +-().ext" for ch in phone.lower())):
            raise forms.ValidationError("Enter a phone number of at least 7 digits, for example 555-0142.")
        return phone

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and {"name", "record_number", "date_of_birth"} <= set(cleaned):
            self.duplicates = list(
                possible_duplicates(
                    clinic_id=self.clinic.pk,
                    name=cleaned["name"],
                    date_of_birth=cleaned["date_of_birth"],
                    record_number=cleaned["record_number"],
                )
            )
            if self.duplicates and not cleaned.get("different_person"):
                self.add_error(
                    "different_person",
                    "This may be someone already registered (listed above). Open their record, "
                    "or confirm that this is a different person.",
                )
        return cleaned

    def clean_version(self) -> int | None:
        version = self.cleaned_data.get("version")
        if self.instance.pk is not None and version is None:
            raise forms.ValidationError("This form is missing its version; reload the page and try again.")
        return version

    def patient_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


CELSIUS, FAHRENHEIT = "C", "F"


def fahrenheit_to_celsius(value: Decimal) -> Decimal:
    """°F to °C to one decimal place, as the visit stores it."""
    return ((value - 32) * 5 / 9).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class VisitForm(CheckedModelForm):
    # Temperature is stored in °C; a reading in °F is converted once, here. ("Scale", not "unit":
    # the safety-line guard reads "unit" as a dose word.)
    temperature_scale = forms.ChoiceField(
        label="Temperature scale",
        choices=[(CELSIUS, "°C"), (FAHRENHEIT, "°F")],
        initial=CELSIUS,
        required=False,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Visit
        fields = list(VISIT_FIELDS)
        widgets = {
            "kind": forms.RadioSelect,
            "occurred_at": DateTimeInput,
            "next_follow_up": DateInput,
            "notes": forms.Textarea(attrs={"rows": 4}),
            "plan": forms.Textarea(attrs={"rows": 3}),
            "sedation": forms.RadioSelect,
        }
        labels = {
            "kind": "Kind of visit",
            "sedation": "Sedation level (Pasero Opioid-induced Sedation Scale, POSS)",
            "bp_systolic": "Systolic (mmHg)",
            "bp_diastolic": "Diastolic (mmHg)",
            "temperature_c": "Temperature",
            "plan": "Plan, in your words",
        }
        help_texts = {
            "plan": "What you and the patient agreed. Steady never suggests a dose.",
            "sedation": "Optional. Level descriptions from Pasero 1994; sedation comes before breathing slows.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.initial.setdefault("occurred_at", _now_local())
        _drop_blank_choice(self.fields["kind"])
        self.fields["sedation"].choices = [("", "Not assessed"), *Sedation.choices]
        self.fields["occurred_at"].error_messages["required"] = "Enter the date and time of the visit."
        self.fields["kind"].error_messages["required"] = "Choose the kind of visit."
        for name in VITAL_RANGES:
            self.fields[name].widget.attrs.setdefault("inputmode", "decimal" if name == "temperature_c" else "numeric")
        self.helper = _helper(
            _row("occurred_at", "next_follow_up"),
            "kind",
            Fieldset(
                "Vital signs (all optional)",
                _row("pulse", "respiratory_rate", "oxygen_saturation", cols="col-sm-4"),
                HTML('<p class="form-text mt-0">Blood pressure: give both numbers, or neither.</p>'),
                _row("bp_systolic", "bp_diastolic", cols="col-sm-4"),
                _row("temperature_c", "temperature_scale", cols="col-sm-4"),
                "sedation",
            ),
            "notes",
            "plan",
        )

    def clean_occurred_at(self):
        value = self.cleaned_data.get("occurred_at")
        stored = self.instance.occurred_at
        # The input holds minutes only: an untouched time must not count as a change of seconds.
        if value is not None and stored is not None and value == stored.replace(second=0, microsecond=0):
            return stored
        return value

    def _in_range(self, name: str):
        value = self.cleaned_data.get(name)
        low, high, unit = VITAL_RANGES[name]
        if value is not None and not (low <= value <= high):
            label = self.fields[name].label.split(" (")[0]
            raise forms.ValidationError(
                f"{label} of {value} {unit} is outside the plausible range {low}–{high} {unit}. "
                "Check for a typing slip."
            )
        return value

    def clean(self):
        # Every vital sign against its range in VITAL_RANGES (the model's validators read the same
        # table); the temperature is checked in clean_temperature_c, after any °F conversion.
        cleaned = super().clean()
        for name in VITAL_RANGES:
            if name != "temperature_c" and name in cleaned:
                try:
                    self._in_range(name)
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return cleaned

    def clean_temperature_c(self):
        value = self.cleaned_data.get("temperature_c")
        if value is not None and self.data.get(self.add_prefix("temperature_scale")) == FAHRENHEIT:
            low, high, _unit = VITAL_RANGES["temperature_c"]
            celsius = fahrenheit_to_celsius(value)
            if not (low <= celsius <= high):
                raise forms.ValidationError(
                    f"Temperature of {value} °F is outside the plausible range "
                    f"{low * 9 / 5 + 32:.1f}–{high * 9 / 5 + 32:.1f} °F. Check for a typing slip."
                )
            return celsius
        return self._in_range("temperature_c")

    def visit_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class UseReportForm(CheckedModelForm):
    reasons = forms.MultipleChoiceField(
        label="Why they use it", choices=Reason.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = UseReport
        fields = [
            "recorded_at",
            "product_form",
            "product_name",
            "strength_mg_per_unit",
            "strength_unknown",
            "units_per_day",
            "uses_per_day",
            "hours_between_uses",
            "route",
            "months_of_use",
            "last_use_at",
            "alcohol",
            "benzodiazepines",
            "other_opioids",
            "gabapentinoids",
            "other_sedatives",
            "stimulants",
            "cannabis",
            "reasons",
            "reason_other",
            "previous_attempts_to_stop",
            "past_withdrawal",
            "past_overdose",
            "last_overdose_on",
            "overdose_history",
            "current_medications",
            "notes",
        ]
        field_classes = {"last_overdose_on": MonthField}
        widgets = {
            "recorded_at": DateTimeInput,
            "last_use_at": DateTimeInput,
            "product_form": forms.RadioSelect,
            "route": forms.RadioSelect,
            "previous_attempts_to_stop": forms.Textarea(attrs={"rows": 2}),
            "past_withdrawal": forms.Textarea(attrs={"rows": 2}),
            "overdose_history": forms.Textarea(attrs={"rows": 2}),
            "current_medications": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "recorded_at": "Reported on",
            "strength_unknown": "Unknown / not trusted",
            "months_of_use": "How long they have used it (months)",
            "last_use_at": "Date and time of last use",
            "overdose_history": "Overdose history (when, what happened)",
        }
        help_texts = {
            "strength_mg_per_unit": "From the label, as the patient reports it. "
            "Give the strength OR tick “Unknown / not trusted”, not both.",
            "strength_unknown": "The patient does not know the strength, or the label is not trusted.",
            "units_per_day": "Tablets, gummies, shots, grams… as the patient counts them.",
            "current_medications": "Including CYP3A4 inhibitors and inducers, which change how much "
            "mitragynine becomes 7-OH.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("recorded_at", _now_local())
        _drop_blank_choice(self.fields["product_form"])
        _drop_blank_choice(self.fields["other_sedatives"])
        self.initial.setdefault("other_sedatives", "none")
        self.fields["product_form"].error_messages["required"] = "Choose the product form."
        self.helper = _helper(
            "recorded_at",
            Fieldset(
                "The product",
                "product_form",
                "product_name",
                _row("strength_mg_per_unit", "strength_unknown"),
                "route",
            ),
            Fieldset(
                "How they use it, as reported",
                _row("units_per_day", "uses_per_day", "hours_between_uses", cols="col-sm-4"),
                _row("months_of_use", "last_use_at"),
            ),
            Fieldset(
                "Other substances, and how often",
                HTML('<p class="form-text mt-0">Leave “None” where the patient uses none.</p>'),
                _row("alcohol", "benzodiazepines", "other_opioids", cols="col-sm-4"),
                _row("gabapentinoids", "other_sedatives", "stimulants", cols="col-sm-4"),
                _row("cannabis", cols="col-sm-4"),
            ),
            "reasons",
            "reason_other",
            Fieldset(
                "History",
                "previous_attempts_to_stop",
                "past_withdrawal",
                "past_overdose",
                "last_overdose_on",
                "overdose_history",
            ),
            "current_medications",
            "notes",
        )

    def clean(self):
        cleaned = super().clean()
        reasons = list(cleaned.get("reasons") or [])
        if (cleaned.get("reason_other") or "").strip() and "other" not in reasons:
            reasons.append("other")  # a written reason is an "other" reason
        cleaned["reasons"] = reasons
        return cleaned

    def use_report_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
