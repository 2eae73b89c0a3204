"""The assessment form, generated from an instrument's declaration.

One required radio group per item, offering exactly the item's legal values with their
meanings; anything else posted is refused next to that item. The server scores the answers.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from clinic.assessments.instruments import Instrument, InvalidAnswers, Item
from clinic.assessments.last_use import AT_TIME, UNKNOWN, InvalidLastUse, LastUseGiven
from clinic.patients.models import Patient, Visit

ITEM_PREFIX = "item_"


def item_field_name(item: Item) -> str:
    return ITEM_PREFIX + item.key


def _allowed(item: Item) -> str:
    return ", ".join(str(v) for v in item.legal_values)


class VisitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, visit: Visit) -> str:
        when = timezone.localtime(visit.occurred_at)
        return f"{visit.get_kind_display()} visit, {when:%d %b %Y %H:%M}"


class AssessmentForm(forms.Form):
    """Answers to one instrument for one patient; `cleaned_data["answers"]` maps item key to value."""

    taken_at = forms.DateTimeField(
        label=_("Taken at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("When the answers were given. It cannot be in the future."),
    )
    visit = VisitChoiceField(
        queryset=Visit.objects.none(),
        required=False,
        label=_("At visit (optional)"),
        empty_label=_("Not at a visit"),
    )
    # Asked at every assessment: the only source of this assessment's hours since last use.
    last_use_known = forms.ChoiceField(
        label=_("When was 7-OH last used?"),
        choices=[(AT_TIME, _("At the date and time below")), (UNKNOWN, _("Unknown"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Say when 7-OH was last used, or that it is unknown.")},
    )
    last_use_at = forms.DateTimeField(
        label=_("Date and time of last use"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("As best it is known at this assessment. Do not copy it from an older use report."),
    )
    last_use_given_by = forms.ChoiceField(
        label=_("Who gave this answer"),
        choices=[("patient", _("The patient")), ("clinician", _("The clinician (own knowledge or records)"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Say who gave the answer about the last use.")},
    )
    submission_id = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("This form could not be matched to a submission. Check the answers and save again."),
            "invalid": _("This form could not be matched to a submission. Check the answers and save again."),
        },
    )

    def __init__(self, *args, instrument: Instrument, patient: Patient, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            # A fresh id per form shown: posting it twice records once.
            {"taken_at": timezone.localtime().replace(second=0, microsecond=0), "submission_id": uuid.uuid4()},
        )
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        # Only this patient's visits are choices, so another patient's visit is refused.
        self.fields["visit"].queryset = patient.visits.all()
        for item in instrument.items:
            self.fields[item_field_name(item)] = forms.TypedChoiceField(
                label=format_lazy("{}. {}", item.number, item.prompt),
                help_text=item.help,
                choices=[(choice.value, format_lazy("{} — {}", choice.value, choice.label)) for choice in item.choices],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose an answer for this question."),
                    "invalid_choice": format_lazy(_("Choose one of the allowed answers: {}."), _allowed(item)),
                },
            )

    @property
    def item_fields(self) -> list[forms.BoundField]:
        return [self[item_field_name(item)] for item in self.instrument.items]

    @property
    def other_fields(self) -> list[forms.BoundField]:
        return [self["taken_at"], self["visit"]]

    @property
    def last_use_fields(self) -> list[forms.BoundField]:
        return [self["last_use_known"], self["last_use_at"], self["last_use_given_by"]]

    def clean_taken_at(self) -> dt.datetime:
        taken_at = self.cleaned_data["taken_at"]
        if taken_at > timezone.now():
            raise forms.ValidationError(_("This time is in the future. Give the time the answers were given."))
        return taken_at

    def clean(self) -> dict:
        cleaned = super().clean()
        answers = {
            item.key: cleaned[item_field_name(item)]
            for item in self.instrument.items
            if cleaned.get(item_field_name(item)) is not None
        }
        known, last_use_at, taken_at = (
            cleaned.get("last_use_known"),
            cleaned.get("last_use_at"),
            cleaned.get("taken_at"),
        )
        if known == AT_TIME and last_use_at is None and not self.has_error("last_use_at"):
            self.add_error("last_use_at", _("Give the date and time of last use, or choose “Unknown”."))
        elif known == UNKNOWN and last_use_at is not None:
            self.add_error("last_use_at", _("Leave the time empty when the last use is unknown."))
        elif known and cleaned.get("last_use_given_by") and taken_at is not None:
            given = LastUseGiven(
                answer=known, given_by=cleaned["last_use_given_by"], at=last_use_at if known == AT_TIME else None
            )
            try:
                given.checked(taken_at)  # the service's own check, shown next to the field
            except InvalidLastUse as error:
                self.add_error("last_use_at", str(error))
            else:
                cleaned["last_use"] = given
        if len(answers) == len(self.instrument.items):
            # The declaration has the last word on what is legal, whatever the widget offered.
            try:
                cleaned["total"] = self.instrument.score(answers)
            except InvalidAnswers as error:
                for key, message in error.errors.items():
                    self.add_error(ITEM_PREFIX + key, message)
            cleaned["answers"] = answers
        return cleaned
