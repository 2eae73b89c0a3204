"""The visit form asks the POSS sedation level with its level descriptions only, never its actions."""

from __future__ import annotations

import re
from html import unescape

from django.urls import reverse

from clinic.patients.models import Sedation
from tests.test_safety_line import DOSE_WORDS

# Words of the published POSS action column (it changes opioid doses); none may reach the form.
ACTION_WORDS = re.compile(
    r"\b(dose|doses|dosage|decrease|reduce|increase|hold|stop|naloxone|opioid order|monitor|supplemental)\b", re.I
)


def test_the_visit_form_offers_every_poss_level_with_its_description(alice_client, patient):
    html = unescape(alice_client.get(reverse("patients:visit_create", args=[patient.pk])).content.decode())
    for level in Sedation:
        assert level.label in html
    assert "Not assessed" in html


def test_the_sedation_question_carries_no_dose_or_action_wording(alice_client, patient):
    html = unescape(alice_client.get(reverse("patients:visit_create", args=[patient.pk])).content.decode())
    fieldset = html[html.index("Sedation level") :]
    fieldset = re.sub(r"<[^>]+>", " ", fieldset[: fieldset.index("</fieldset>")])
    assert not ACTION_WORDS.search(fieldset), ACTION_WORDS.search(fieldset)
    assert not DOSE_WORDS.search(fieldset)
    for level in Sedation:
        assert not ACTION_WORDS.search(level.label)


def test_a_sedation_level_is_saved_and_shown_with_the_vital_signs(alice_client, patient):
    from django.utils import timezone

    from tests.patients.factories import local_input

    url = reverse("patients:visit_create", args=[patient.pk])
    response = alice_client.post(
        url, {"kind": "follow_up", "occurred_at": local_input(timezone.now()), "sedation": "3"}
    )
    assert response.status_code == 302
    assert patient.visits.get().sedation == "3"
    html = alice_client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert "sedation POSS 3" in html
