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
        if len(answers) == len(self.instrument.items):
            # The declaration has the last word on what is legal, whatever the widget offered.
            try:
                cleaned["total"] = self.instrument.score(answers)
            except InvalidAnswers as error:
                for key, message in error.errors.items():
                    self.add_error(ITEM_PREFIX + key, message)
            cleaned["answers"] = answers
        return cleaned
