"""No sentence anywhere in Steady's instrument texts or guidance ties a medicine to a score.

"Medicate at a CIWA-Ar of N", "give X when the COWS is N or more": symptom-triggered dosing is the
prescriber's protocol, never Steady's. A sentence fails here when it names a medicine or a dosing
act together with a scale (or "score"/"total") and a number. One sentence is allowed, named
below with its reason; any other needs a reviewer and an entry here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from clinic.assessments.instruments import INSTRUMENTS, Instrument
from clinic.assessments.last_use import PATIENT_CHOICES, QUESTION, QUESTION_HELP
from clinic.guidance.pages import PAGES_DIR

MEDICINE = re.compile(
    r"\b(medica\w*|dos(?:e|es|ed|ing|age)|administ\w*|give|given|prescrib\w*|titrat\w*|"
    r"benzodiazepines?|chlordiazepoxide|diazepam|lorazepam|oxazepam|phenobarbital|clonidine|lofexidine|"
    r"buprenorphine|methadone|naltrexone|naloxone|gabapentin\w*|dosis)\b",
    re.IGNORECASE,
)
SCALE = re.compile(r"\b(CIWA(?:-Ar)?|COWS|SOWS(?:-Gossop)?|scores?|totals?|puntaje|puntuaci[oó]n)\b", re.IGNORECASE)
NUMBER = re.compile(r"\d")

# The one sentence allowed, and why: shared/clinical/INSTRUMENTS.md lets Steady display the COWS
# threshold protocols commonly use, as guidance; the sentence says the prescriber decides and
# that Steady never uses the score to approve or time a dose.
ALLOWED = {
    "Protocols commonly wait for objective withdrawal, often a COWS of 8 or more, before a first "
    "buprenorphine dose.": "INSTRUMENTS.md, COWS clinical note: display only, never a gate",
}

TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates" / name for name in ("assessments", "guidance", "selfreport")]


def sentences(text: str) -> list[str]:
    flat = re.sub(r"\s+", " ", re.sub(r"\{[%{#].*?[%}#]\}|<[^>]+>|[*_`#>]", " ", text))
    return [s.strip(" -") for s in re.split(r"(?<=[.!?;:])\s+|\s-\s", flat) if s.strip(" -")]


def medicate_at_a_score(text: str) -> list[str]:
    """The sentences of `text` that tie a medicine or a dose to a scale and a number."""
    return [
        s for s in sentences(text) if MEDICINE.search(s) and SCALE.search(s) and NUMBER.search(s) and s not in ALLOWED
    ]


def instrument_texts(instrument: Instrument) -> list[str]:
    texts = [instrument.name, instrument.short_name, instrument.timeframe, instrument.source]
    texts += [instrument.bands_source, instrument.scope_note, instrument.below_bands_label or ""]
    texts += [band.label for band in instrument.bands]
    for item in instrument.items:
        texts += [item.prompt, item.help] + [choice.label for choice in item.choices]
    return texts


@pytest.mark.parametrize(
    "sentence",
    [
        "Medicate at a CIWA-Ar score of 8 or more.",
        "Give lorazepam when the CIWA-Ar total is 10 or above.",
        "If the COWS is 12, start buprenorphine.",
        "Administre la medicación si el puntaje es 8 o más.",
    ],
)
def test_the_check_catches_a_medicate_at_a_score_sentence(sentence):
    assert medicate_at_a_score(sentence) == [sentence]


@pytest.mark.parametrize("instrument", list(INSTRUMENTS.values()), ids=lambda i: i.code)
@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_no_instrument_text_says_to_medicate_at_a_score(instrument, language):
    with translation.override(language):
        found = [s for text in instrument_texts(instrument) for s in medicate_at_a_score(str(text))]
    assert not found, f"{instrument.code} ({language}): {found}"


def test_the_last_use_question_says_nothing_about_medicine_and_scores():
    texts = [QUESTION, QUESTION_HELP] + [label for _key, label in PATIENT_CHOICES]
    assert not [s for text in texts for s in medicate_at_a_score(str(text))]


@pytest.mark.parametrize("page", sorted(PAGES_DIR.glob("*.md")), ids=lambda p: p.stem)
def test_no_guidance_page_says_to_medicate_at_a_score(page):
    assert not medicate_at_a_score(page.read_text(encoding="utf-8")), page.name


def test_no_guidance_or_assessment_template_says_to_medicate_at_a_score():
    found = {
        str(path.relative_to(settings.BASE_DIR)): hits
        for directory in TEMPLATE_DIRS
        for path in directory.rglob("*.html")
        if (hits := medicate_at_a_score(path.read_text(encoding="utf-8")))
    }
    assert not found


def test_no_guidance_card_wording_says_to_medicate_at_a_score():
    rules = Path(settings.BASE_DIR) / "clinic" / "guidance" / "rules.py"
    assert not medicate_at_a_score(rules.read_text(encoding="utf-8"))


def test_the_allowed_sentence_is_still_on_its_page_and_still_says_who_decides():
    # If the sentence changes, this list must be reviewed again rather than silently outgrown.
    page = (PAGES_DIR / "buprenorphine-referral.md").read_text(encoding="utf-8")
    (sentence,) = ALLOWED
    assert sentence in re.sub(r"\s+", " ", page)
    assert "The prescriber decides." in page and "never uses it to approve or time a dose" in page
