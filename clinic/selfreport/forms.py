from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.assessments.instruments import Instrument, get_instrument
from clinic.assessments.last_use import PATIENT_CHOICES, QUESTION, QUESTION_HELP, LastUseGiven
from clinic.selfreport.models import DEFAULT_VALID_HOURS, LINK_INSTRUMENTS, MAX_VALID_HOURS, MIN_VALID_HOURS

# --- Staff side (English, like the rest of the staff pages) -------------------------------------


class LinkIssueForm(forms.Form):
    instrument = forms.ChoiceField(
        label="Form to send",
        choices=[
            (code, f"{get_instrument(code).short_name} ({len(get_instrument(code).items)} questions)")
            for code, _ in LINK_INSTRUMENTS
        ],
        initial="SOWS",
        widget=forms.RadioSelect,
    )
    valid_hours = forms.IntegerField(
        label="Link works for (hours)",
        min_value=MIN_VALID_HOURS,
        max_value=MAX_VALID_HOURS,
        initial=DEFAULT_VALID_HOURS,
        help_text=f"From {MIN_VALID_HOURS} hour to {MAX_VALID_HOURS} hours (one week).",
    )


# --- Patient side (translated) -------------------------------------------------------------------


class DateOfBirthForm(forms.Form):
    """Three number boxes, the pattern least likely to trip up someone on a small phone."""

    month = forms.IntegerField(
        label=_("Month"),
        min_value=1,
        max_value=12,
        error_messages={
            "required": _("Enter the month you were born."),
            "invalid": _("Enter the month as a number from 1 to 12."),
            "min_value": _("Enter the month as a number from 1 to 12."),
            "max_value": _("Enter the month as a number from 1 to 12."),
        },
    )
    day = forms.IntegerField(
        label=_("Day"),
        min_value=1,
        max_value=31,
        error_messages={
            "required": _("Enter the day you were born."),
            "invalid": _("Enter the day as a number from 1 to 31."),
            "min_value": _("Enter the day as a number from 1 to 31."),
            "max_value": _("Enter the day as a number from 1 to 31."),
        },
    )
    year = forms.IntegerField(
        label=_("Year"),
        min_value=1900,
        # A bound above: a year of 40 digits would overflow the date check below (a server error).
        max_value=dt.MAXYEAR,
        error_messages={
            "required": _("Enter the year you were born."),
            "invalid": _("Enter the year with four digits, for example 1988."),
            "min_value": _("Enter the year with four digits, for example 1988."),
            "max_value": _("Enter the year with four digits, for example 1988."),
        },
    )

    AUTOCOMPLETE = {"month": "bday-month", "day": "bday-day", "year": "bday-year"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            # Text with a numeric keypad: type=number adds spinners and drops leading zeros.
            field.widget = forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "pattern": "[0-9]*",
                    "autocomplete": self.AUTOCOMPLETE[name],
                    "maxlength": 4 if name == "year" else 2,
                    "size": 4 if name == "year" else 2,
                }
            )

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        try:
            born = dt.date(data["year"], data["month"], data["day"])
        except ValueError:
            raise forms.ValidationError(_("That date does not exist. Check the day and the month.")) from None
        if born > timezone.localdate():
            raise forms.ValidationError(_("The date of birth must be in the past."))
        data["date_of_birth"] = born
        return data


class AnswersForm(forms.Form):
    """One required radio group per item of the instrument, read from its one declaration."""

    submission_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, instrument: Instrument, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for item in instrument.items:
            self.fields[item.key] = forms.TypedChoiceField(
                label=item.prompt,
                choices=[(choice.value, choice.label) for choice in item.choices],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose an answer for this question."),
                    "invalid_choice": _("Choose one of the answers shown."),
                },
            )
        # Asked with every form: the only source of this assessment's time since last use.
        self.fields["last_use"] = forms.ChoiceField(
            label=QUESTION,
            help_text=QUESTION_HELP,
            choices=PATIENT_CHOICES,
            widget=forms.RadioSelect,
            error_messages={
                "required": _("Choose an answer for this question. You can choose “I'd rather not say”."),
                "invalid_choice": _("Choose one of the answers shown."),
            },
        )

    def answers(self) -> dict[str, int]:
        return {item.key: self.cleaned_data[item.key] for item in self.instrument.items}

    def last_use_given(self) -> LastUseGiven:
        return LastUseGiven(answer=self.cleaned_data["last_use"], given_by="patient")

    def items_with_fields(self) -> list[tuple]:
        return [(item, self[item.key]) for item in self.instrument.items]

    def unanswered(self) -> list:
        """The items whose answer is missing or not one of theirs, in form order."""
        return [item for item in self.instrument.items if item.key in self.errors]


class LinkRevokeForm(forms.Form):
    confirm = forms.BooleanField(
        label="Yes, revoke this link",
        error_messages={"required": "Tick the box to revoke the link."},
    )
