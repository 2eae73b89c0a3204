"""The withdrawal instruments, declared once.

Forms, scoring, charts, exports and tests all read these declarations, so an item's allowed
values and a scale's bands live in exactly one place. Facts come from
shared/clinical/INSTRUMENTS.md; the wording of prompts and answers is our own.

Pure Python: no models. User-visible text is lazy so it can be translated at render time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

Text = str | Promise


class InvalidAnswers(ValueError):
    """Answers that cannot be scored; `errors` maps each offending item key to a message."""

    def __init__(self, errors: dict[str, Text]) -> None:
        self.errors = errors
        super().__init__(errors)

    def __str__(self) -> str:
        return "; ".join(f"{key}: {message}" for key, message in self.errors.items())


@dataclass(frozen=True)
class Choice:
    value: int
    label: Text


@dataclass(frozen=True)
class Item:
    number: int
    key: str
    prompt: Text
    help: Text
    choices: tuple[Choice, ...]

    @property
    def legal_values(self) -> tuple[int, ...]:
        return tuple(choice.value for choice in self.choices)


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    key: str
    label: Text


@dataclass(frozen=True)
class Instrument:
    code: str
    name: Text
    short_name: Text
    completed_by: Literal["clinician", "patient"]
    items: tuple[Item, ...]
    bands: tuple[Band, ...]
    below_bands_label: Text | None  # shown for totals under the first band; None if no bands
    timeframe: Text
    source: str
    not_comparable_with: tuple[str, ...] = ()  # codes whose totals must never be compared
    bands_source: str = ""  # where the bands come from, when the instrument's own source is not enough
    scope_note: Text = ""  # what the scale is validated for, shown wherever it is offered

    def __post_init__(self) -> None:
        # Catch declaration slips (a duplicated key, a band gap) at import time.
        keys = [item.key for item in self.items]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{self.code}: duplicate item keys")
        if [item.number for item in self.items] != list(range(1, len(self.items) + 1)):
            raise ValueError(f"{self.code}: items must be numbered 1..n in order")
        for before, after in zip(self.bands, self.bands[1:], strict=False):
            if after.low != before.high + 1:
                raise ValueError(f"{self.code}: bands must be contiguous")
        if self.bands and self.bands[-1].high != self.max_total:
            raise ValueError(f"{self.code}: the last band must end at the maximum total")

    @property
    def min_total(self) -> int:
        return sum(min(item.legal_values) for item in self.items)

    @property
    def max_total(self) -> int:
        return sum(max(item.legal_values) for item in self.items)

    def item(self, key: str) -> Item:
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(key)

    def score(self, answers: Mapping[str, int]) -> int:
        """Sum of the answers; raises InvalidAnswers unless every item has a legal value."""
        errors: dict[str, Text] = {}
        for item in self.items:
            if item.key not in answers:
                errors[item.key] = _("This question needs an answer.")
                continue
            value = answers[item.key]
            # bool is an int subclass: True must not sneak in as 1.
            if not isinstance(value, int) or isinstance(value, bool) or (value not in item.legal_values):
                errors[item.key] = format_lazy(
                    _("Choose one of the allowed answers: {allowed}."),
                    allowed=", ".join(str(v) for v in item.legal_values),
                )
        known = {item.key for item in self.items}
        for key in answers:
            if key not in known:
                errors[str(key)] = _("This is not a question on this form.")
        if errors:
            raise InvalidAnswers(errors)
        return sum(answers[item.key] for item in self.items)

    def band_for(self, total: int) -> Band | None:
        """The band holding `total`, or None below the first band (or if there are none)."""
        if not isinstance(total, int) or isinstance(total, bool):
            raise TypeError(f"total must be an int, not {type(total).__name__}")
        if not self.min_total <= total <= self.max_total:
            raise ValueError(f"{self.code} total {total} is outside {self.min_total}..{self.max_total}")
        for band in self.bands:
            if band.low <= total <= band.high:
                return band
        return None


def _item(number: int, key: str, prompt: Text, help: Text, *choices: tuple[int, Text]) -> Item:
    return Item(number, key, prompt, help, tuple(Choice(v, label) for v, label in choices))


# --- COWS -------------------------------------------------------------------------------------
# Values skip on purpose (pulse has no 3, gooseflesh is 0/3/5): a skipped value is illegal.

NONE = _("None")

COWS = Instrument(
    code="COWS",
    name=_("Clinical Opiate Withdrawal Scale"),
    short_name=_("COWS"),
    completed_by="clinician",
    items=(
        _item(
            1,
            "resting_pulse",
            _("Resting pulse rate"),
            _("Beats per minute, measured after the person has sat or lain down for one minute."),
            (0, _("80 or lower")),
            (1, _("81 to 100")),
            (2, _("101 to 120")),
            (4, _("Over 120")),
        ),
        _item(
            2,
            "sweating",
            _("Sweating"),
            _("Over the past half hour, and not explained by room temperature or activity."),
            (0, _("No sweating, chills or flushing")),
            (1, _("Says they have had chills or flushing")),
            (2, _("Face flushed or visibly damp")),
            (3, _("Beads of sweat on the forehead or face")),
            (4, _("Sweat running off the face")),
        ),
        _item(
            3,
            "restlessness",
            _("Restlessness"),
            _("What you see during the assessment."),
            (0, _("Able to sit still")),
            (1, _("Says sitting still is hard, but manages it")),
            (3, _("Shifts often, or keeps moving legs or arms")),
            (5, _("Cannot stay seated for more than a few seconds")),
        ),
        _item(
            4,
            "pupil_size",
            _("Pupil size"),
            _("Judged against the light in the room."),
            (0, _("Pinpoint, or normal for the room light")),
            (1, _("Possibly larger than normal for the room light")),
            (2, _("Moderately dilated")),
            (5, _("So dilated that only the rim of the iris shows")),
        ),
        _item(
            5,
            "bone_joint_aches",
            _("Bone or joint aches"),
            _("If there was pain before, score only the extra part due to withdrawal."),
            (0, NONE),
            (1, _("Mild, spread-out discomfort")),
            (2, _("Reports severe, spread-out aching of joints or muscles")),
            (4, _("Rubbing joints or muscles; cannot sit still for the discomfort")),
        ),
        _item(
            6,
            "runny_nose_tearing",
            _("Runny nose or tearing"),
            _("Not caused by a cold or allergies."),
            (0, NONE),
            (1, _("Stuffy nose or unusually moist eyes")),
            (2, _("Nose running or eyes tearing")),
            (4, _("Nose running all the time or tears streaming down the cheeks")),
        ),
        _item(
            7,
            "gi_upset",
            _("Stomach or bowel upset"),
            _("Over the past half hour."),
            (0, NONE),
            (1, _("Stomach cramps")),
            (2, _("Nausea or loose stools")),
            (3, _("Vomiting or diarrhoea")),
            (5, _("Several bouts of vomiting or diarrhoea")),
        ),
        _item(
            8,
            "tremor",
            _("Tremor"),
            _("With the hands held out in front."),
            (0, NONE),
            (1, _("Can be felt but not seen")),
            (2, _("Slight tremor you can see")),
            (4, _("Marked tremor or muscle twitching")),
        ),
        _item(
            9,
            "yawning",
            _("Yawning"),
            _("What you see during the assessment."),
            (0, NONE),
            (1, _("Once or twice")),
            (2, _("Three or more times")),
            (4, _("Several times a minute")),
        ),
        _item(
            10,
            "anxiety_irritability",
            _("Anxiety or irritability"),
            _("What the person reports and what you see."),
            (0, NONE),
            (1, _("Reports growing irritability or anxiety")),
            (2, _("Clearly irritable or anxious")),
            (4, _("So irritable or anxious that taking part in the assessment is hard")),
        ),
        _item(
            11,
            "gooseflesh",
            _("Gooseflesh skin"),
            _("What you see."),
            (0, _("Skin is smooth")),
            (3, _("Goosebumps can be felt, or hairs stand up on the arms")),
            (5, _("Prominent goosebumps")),
        ),
    ),
    bands=(
        Band(5, 12, "mild", _("Mild")),
        Band(13, 24, "moderate", _("Moderate")),
        Band(25, 36, "moderately_severe", _("Moderately severe")),
        Band(37, 48, "severe", _("Severe")),
    ),
    # The printed form gives 0-4 no band; we say so rather than invent one.
    below_bands_label=_("Below the mild band"),
    timeframe=_("at the time of the assessment"),
    source=(
        "Wesson DR, Ling W. The Clinical Opiate Withdrawal Scale (COWS). "
        "J Psychoactive Drugs 2003;35(2):253-259 (PMID 12924748); "
        "COWS table on the NCBI Bookshelf (NBK64244); VA VistA mental-health instrument 'COWS'; "
        "MDCalc 'COWS Score for Opiate Withdrawal'."
    ),
)

# --- SOWS (Handelsman) --------------------------------------------------------------------------

_SOWS_CHOICES = (
    (0, _("Not at all")),
    (1, _("A little")),
    (2, _("Moderately")),
    (3, _("Quite a bit")),
    (4, _("Extremely")),
)

SOWS = Instrument(
    code="SOWS",
    name=_("Subjective Opiate Withdrawal Scale"),
    short_name=_("SOWS"),
    completed_by="patient",
    items=tuple(
        _item(number, key, prompt, "", *_SOWS_CHOICES)
        for number, (key, prompt) in enumerate(
            (
                ("anxious", _("I feel anxious or on edge")),
                ("yawning", _("I keep wanting to yawn")),
                ("sweating", _("I am sweating")),
                ("teary_eyes", _("My eyes are watering")),
                ("runny_nose", _("My nose is running")),
                ("goosebumps", _("I have goosebumps")),
                ("shaking", _("I feel shaky")),
                ("hot_flushes", _("I have waves of feeling hot")),
                ("cold_flushes", _("I have waves of feeling cold")),
                ("aches", _("My bones and muscles ache")),
                ("restless", _("I feel restless")),
                ("nauseous", _("I feel sick to my stomach")),
                ("vomit_urge", _("I feel like I might throw up")),
                ("twitching", _("My muscles are twitching")),
                ("stomach_cramps", _("I have cramps in my stomach")),
                ("craving", _("I want to use right now")),
            ),
            start=1,
        )
    ),
    bands=(),  # No validated bands for the 16-item scale; show the total and its trend only.
    below_bands_label=None,
    timeframe=_("right now"),
    source=(
        "Handelsman L, Cochrane KJ, Aronson MJ, et al. Two new rating scales for opiate "
        "withdrawal. Am J Drug Alcohol Abuse 1987;13(3):293-308 (PMID 3687892); "
        "EMCDDA drugs library entry for the SOWS."
    ),
    not_comparable_with=("SOWS_GOSSOP",),
)

# The craving item at 3 ("quite a bit") or more is worth surfacing to the care team.
CRAVING_ITEM_KEY = "craving"
CRAVING_ALERT_MIN = 3

# --- SOWS-Gossop --------------------------------------------------------------------------------

_GOSSOP_CHOICES = ((0, _("None")), (1, _("Mild")), (2, _("Moderate")), (3, _("Severe")))
_GOSSOP_GLOSSES = {"feeling_sick": _("That is, sick to your stomach (nauseous).")}

SOWS_GOSSOP = Instrument(
    code="SOWS_GOSSOP",
    name=_("Short Opiate Withdrawal Scale (Gossop)"),
    short_name=_("SOWS-Gossop"),
    completed_by="patient",
    # The published wording is British; where it could mislead, a plain gloss goes beside it.
    items=tuple(
        _item(number, key, prompt, _GOSSOP_GLOSSES.get(key, ""), *_GOSSOP_CHOICES)
        for number, (key, prompt) in enumerate(
            (
                ("feeling_sick", _("Feeling sick")),
                ("stomach_cramps", _("Stomach cramps")),
                ("muscle_spasms", _("Muscle spasms or twitching")),
                ("feeling_cold", _("Feeling cold")),
                ("heart_pounding", _("Heart pounding")),
                ("muscle_tension", _("Tense muscles")),
                ("aches", _("Aches and pains")),
                ("yawning", _("Yawning")),
                ("runny_eyes", _("Runny or watering eyes")),
                ("trouble_sleeping", _("Trouble sleeping")),
            ),
            start=1,
        )
    ),
    bands=(),  # No published bands; a change of 2-4 points is cited as meaningful.
    below_bands_label=None,
    timeframe=_("the past 24 hours"),
    source=(
        "Gossop M. The development of a Short Opiate Withdrawal Scale (SOWS). "
        "Addict Behav 1990;15(5):487-490 (PMID 2248123); "
        "NIDA Data Share instrument 'Short Opiate Withdrawal Scale'. "
        "A different scale from the 16-item SOWS: the two totals are not comparable."
    ),
    not_comparable_with=("SOWS",),
)

# --- CIWA-Ar ------------------------------------------------------------------------------------
# Every integer 0-7 is legal on the first nine items, 0-4 on orientation. Most items carry
# written anchors only at 0, 1, 4 and 7; the steps between are the rater's judgement.

_BETWEEN = _("Between the descriptions above and below")


def _anchored(number: int, key: str, prompt: Text, help: Text, anchors: dict[int, Text], top: int = 7) -> Item:
    return _item(number, key, prompt, help, *((v, anchors.get(v, _BETWEEN)) for v in range(top + 1)))


def _hallucination_steps(very_mild: Text, mild: Text, moderate: Text) -> dict[int, Text]:
    return {
        0: _("Not present"),
        1: very_mild,
        2: mild,
        3: moderate,
        4: _("Moderately severe hallucinations"),
        5: _("Severe hallucinations"),
        6: _("Extremely severe hallucinations"),
        7: _("Continuous hallucinations"),
    }


CIWA_AR = Instrument(
    code="CIWA_AR",
    name=_("Clinical Institute Withdrawal Assessment for Alcohol, revised"),
    short_name=_("CIWA-Ar"),
    completed_by="clinician",
    items=(
        _anchored(
            1,
            "nausea_vomiting",
            _("Nausea and vomiting"),
            _("Ask whether they feel sick to the stomach or have vomited; observe."),
            {
                0: _("No nausea and no vomiting"),
                1: _("Mild nausea, no vomiting"),
                4: _("Nausea that comes and goes, with dry heaves"),
                7: _("Constant nausea, frequent dry heaves and vomiting"),
            },
        ),
        _anchored(
            2,
            "tremor",
            _("Tremor"),
            _("Arms held out, fingers spread apart."),
            {
                0: _("No tremor"),
                1: _("Not visible, but can be felt fingertip to fingertip"),
                4: _("Moderate, with the arms held out"),
                7: _("Severe, even with the arms not held out"),
            },
        ),
        _anchored(
            3,
            "paroxysmal_sweats",
            _("Sweating in bouts"),
            _("What you see."),
            {
                0: _("No sweat visible"),
                1: _("Barely noticeable sweating; palms moist"),
                4: _("Beads of sweat obvious on the forehead"),
                7: _("Drenching sweats"),
            },
        ),
        _anchored(
            4,
            "anxiety",
            _("Anxiety"),
            _("Ask whether they feel nervous; observe."),
            {
                0: _("No anxiety; at ease"),
                1: _("Mildly anxious"),
                4: _("Moderately anxious, or guarded, so anxiety is inferred"),
                7: _("As in an acute panic state, as seen in severe delirium or acute psychotic reactions"),
            },
        ),
        _anchored(
            5,
            "agitation",
            _("Agitation"),
            _("What you see."),
            {
                0: _("Normal activity"),
                1: _("Somewhat more than normal activity"),
                4: _("Moderately fidgety and restless"),
                7: _("Paces back and forth for most of the interview, or constantly thrashes about"),
            },
        ),
        _anchored(
            6,
            "tactile_disturbances",
            _("Touch disturbances"),
            _(
                "Ask about itching, pins and needles, burning, numbness, or a feeling of bugs crawling on or under the skin."
            ),
            _hallucination_steps(
                _("Very mild itching, pins and needles, burning or numbness"),
                _("Mild itching, pins and needles, burning or numbness"),
                _("Moderate itching, pins and needles, burning or numbness"),
            ),
        ),
        _anchored(
            7,
            "auditory_disturbances",
            _("Hearing disturbances"),
            _(
                "Ask whether sounds seem louder or harsher, frighten them, or whether they hear things they know are not there."
            ),
            _hallucination_steps(
                _("Very mild harshness or ability to frighten"),
                _("Mild harshness or ability to frighten"),
                _("Moderate harshness or ability to frighten"),
            ),
        ),
        _anchored(
            8,
            "visual_disturbances",
            _("Visual disturbances"),
            _(
                "Ask whether light seems too bright or a different colour, hurts the eyes, or whether they see things they know are not there."
            ),
            _hallucination_steps(
                _("Very mild sensitivity"),
                _("Mild sensitivity"),
                _("Moderate sensitivity"),
            ),
        ),
        _anchored(
            9,
            "headache",
            _("Headache, fullness in the head"),
            _(
                "Ask whether the head feels different, or as if there is a band around it. Do not rate dizziness or light-headedness."
            ),
            {
                0: _("Not present"),
                1: _("Very mild"),
                2: _("Mild"),
                3: _("Moderate"),
                4: _("Moderately severe"),
                5: _("Severe"),
                6: _("Very severe"),
                7: _("Extremely severe"),
            },
        ),
        _anchored(
            10,
            "orientation",
            _("Orientation and clouding of the senses"),
            _("Ask what day it is, where they are, and who you are."),
            {
                0: _("Oriented, and can do serial additions"),
                1: _("Cannot do serial additions, or is unsure about the date"),
                2: _("Wrong about the date by no more than 2 calendar days"),
                3: _("Wrong about the date by more than 2 calendar days"),
                4: _("Disoriented for place or person"),
            },
            top=4,
        ),
    ),
    # Keys of their own: a CIWA-Ar band is never counted as a COWS band.
    bands=(
        Band(0, 7, "ciwa_minimal_mild", _("Minimal to mild")),
        Band(8, 15, "ciwa_moderate", _("Moderate")),
        Band(16, 67, "ciwa_severe", _("Severe, with risk of seizures and delirium")),
    ),
    below_bands_label=None,
    timeframe=_("at the time of the assessment"),
    source=(
        "Sullivan JT, Sykora K, Schneiderman J, Naranjo CA, Sellers EM. Br J Addict "
        "1989;84(11):1353-1357 (PMID 2597811). Public domain."
    ),
    bands_source=(
        "Bands as commonly cited for the CIWA-Ar (below 8 minimal to mild; 8 to 15 moderate; "
        "above 15 severe, with risk of seizures and delirium); sources differ a little. "
        "Scale: Sullivan et al., Br J Addict 1989."
    ),
    scope_note=_(
        "Validated for alcohol withdrawal; often used, with care, for benzodiazepine withdrawal. "
        "It does not measure opioid withdrawal, and opioid scales do not measure this: alcohol and "
        "benzodiazepine withdrawal can cause seizures or delirium and can kill."
    ),
)

# --- Lookups ------------------------------------------------------------------------------------

INSTRUMENTS: dict[str, Instrument] = {i.code: i for i in (COWS, SOWS, SOWS_GOSSOP, CIWA_AR)}

INSTRUMENT_CHOICES: list[tuple[str, Text]] = [(i.code, i.name) for i in INSTRUMENTS.values()]

BAND_CHOICES: list[tuple[str, Text]] = list(
    {b.key: (b.key, b.label) for i in INSTRUMENTS.values() for b in i.bands}.values()
)

SEVERE_BAND_KEYS = {"moderately_severe", "severe"}

# 0 is "below the mild band" (no band); a higher rank is a worse band.
_BAND_RANKS = {band.key: rank for rank, band in enumerate(COWS.bands, start=1)}


def get_instrument(code: str) -> Instrument:
    """The instrument for `code`; raises KeyError for an unknown code."""
    return INSTRUMENTS[code]


def band_rank(key: str | None) -> int:
    """Order of a COWS band key for "moved up a band" checks; None or "" (no band) is 0."""
    if not key:
        return 0
    return _BAND_RANKS[key]
