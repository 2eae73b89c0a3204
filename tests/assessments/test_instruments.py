"""The three withdrawal scales accept exactly the answers on the published forms."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic.assessments.instruments import (
    BAND_CHOICES,
    COWS,
    INSTRUMENT_CHOICES,
    INSTRUMENTS,
    SEVERE_BAND_KEYS,
    SOWS,
    SOWS_GOSSOP,
    Instrument,
    InvalidAnswers,
    band_rank,
    get_instrument,
)

ALL = list(INSTRUMENTS.values())
by_code = pytest.mark.parametrize("instrument", ALL, ids=lambda i: i.code)


def lowest(instrument: Instrument) -> dict[str, int]:
    return {item.key: min(item.legal_values) for item in instrument.items}


def highest(instrument: Instrument) -> dict[str, int]:
    return {item.key: max(item.legal_values) for item in instrument.items}


def cows_with_total(total: int) -> dict[str, int]:
    """COWS answers adding up to `total`, filled greedily from the first item."""
    answers, left = {}, total
    for item in COWS.items:
        value = max(v for v in item.legal_values if v <= left)
        answers[item.key] = value
        left -= value
    assert left == 0, total
    return answers


def test_the_four_scales_are_registered_under_their_codes():
    assert list(INSTRUMENTS) == ["COWS", "SOWS", "SOWS_GOSSOP", "CIWA_AR"]
    assert [code for code, _ in INSTRUMENT_CHOICES] == ["COWS", "SOWS", "SOWS_GOSSOP", "CIWA_AR"]
    assert get_instrument("SOWS_GOSSOP") is SOWS_GOSSOP
    with pytest.raises(KeyError):
        get_instrument("CIWA")


def test_cows_has_the_published_items_and_uneven_values():
    assert COWS.completed_by == "clinician"
    assert {item.key: item.legal_values for item in COWS.items} == {
        "resting_pulse": (0, 1, 2, 4),
        "sweating": (0, 1, 2, 3, 4),
        "restlessness": (0, 1, 3, 5),
        "pupil_size": (0, 1, 2, 5),
        "bone_joint_aches": (0, 1, 2, 4),
        "runny_nose_tearing": (0, 1, 2, 4),
        "gi_upset": (0, 1, 2, 3, 5),
        "tremor": (0, 1, 2, 4),
        "yawning": (0, 1, 2, 4),
        "anxiety_irritability": (0, 1, 2, 4),
        "gooseflesh": (0, 3, 5),
    }
    assert [item.number for item in COWS.items] == list(range(1, 12))


def test_sows_has_sixteen_items_ending_with_craving_rated_right_now():
    assert len(SOWS.items) == 16
    assert SOWS.items[0].key == "anxious"
    assert SOWS.items[15].key == "craving" and SOWS.items[15].number == 16
    assert all(item.legal_values == (0, 1, 2, 3, 4) for item in SOWS.items)
    assert SOWS.completed_by == "patient"
    assert SOWS.bands == ()


def test_gossop_is_a_separate_ten_item_scale_not_comparable_with_sows():
    assert len(SOWS_GOSSOP.items) == 10
    assert all(item.legal_values == (0, 1, 2, 3) for item in SOWS_GOSSOP.items)
    assert SOWS_GOSSOP.completed_by == "patient"
    assert SOWS_GOSSOP.bands == ()
    assert "SOWS" in SOWS_GOSSOP.not_comparable_with
    assert "SOWS_GOSSOP" in SOWS.not_comparable_with
    assert str(SOWS_GOSSOP.name) == "Short Opiate Withdrawal Scale (Gossop)"
    assert str(SOWS_GOSSOP.name) != str(SOWS.name)


@pytest.mark.parametrize(
    "instrument, low, high",
    [(COWS, 0, 48), (SOWS, 0, 64), (SOWS_GOSSOP, 0, 30)],
    ids=["COWS", "SOWS", "SOWS_GOSSOP"],
)
def test_totals_run_from_the_published_minimum_to_maximum(instrument, low, high):
    assert (instrument.min_total, instrument.max_total) == (low, high)
    assert instrument.score(lowest(instrument)) == low
    assert instrument.score(highest(instrument)) == high


@by_code
def test_every_allowed_answer_to_every_item_is_accepted(instrument):
    for item in instrument.items:
        for value in item.legal_values:
            answers = lowest(instrument) | {item.key: value}
            assert instrument.score(answers) == instrument.min_total + value


@by_code
def test_every_item_has_a_prompt_and_a_meaning_for_each_value(instrument):
    for item in instrument.items:
        assert str(item.prompt)
        assert all(str(choice.label) for choice in item.choices)
        assert len(set(item.legal_values)) == len(item.legal_values)


@pytest.mark.parametrize(
    "key, value",
    [
        ("gooseflesh", 4),
        ("gooseflesh", 1),
        ("resting_pulse", 3),
        ("restlessness", 2),
        ("pupil_size", 3),
        ("gi_upset", 4),
    ],
)
def test_cows_refuses_values_the_form_skips(key, value):
    with pytest.raises(InvalidAnswers) as caught:
        COWS.score(lowest(COWS) | {key: value})
    assert list(caught.value.errors) == [key]


@by_code
@pytest.mark.parametrize("bad", [6, -1, True, False, "2", 2.0, None])
def test_out_of_range_or_non_integer_answers_are_refused_on_every_item(instrument, bad):
    for item in instrument.items:
        if bad == 6 and 6 in item.legal_values:
            continue  # the CIWA-Ar's 0-7 items: past their top is tested on its own
        with pytest.raises(InvalidAnswers) as caught:
            instrument.score(lowest(instrument) | {item.key: bad})
        assert list(caught.value.errors) == [item.key]


@by_code
def test_a_missing_answer_is_named_in_the_error(instrument):
    answers = lowest(instrument)
    missing = instrument.items[-1].key
    del answers[missing]
    with pytest.raises(InvalidAnswers) as caught:
        instrument.score(answers)
    assert list(caught.value.errors) == [missing]
    assert "answer" in str(caught.value.errors[missing])


@by_code
def test_an_answer_to_a_question_not_on_the_form_is_refused(instrument):
    with pytest.raises(InvalidAnswers) as caught:
        instrument.score(lowest(instrument) | {"heart_rate_variability": 1})
    assert list(caught.value.errors) == ["heart_rate_variability"]


def test_every_problem_is_reported_at_once_and_the_error_is_a_value_error():
    answers = lowest(COWS) | {"gooseflesh": 4, "tremor": True}
    del answers["yawning"]
    with pytest.raises(ValueError) as caught:
        COWS.score(answers)
    assert set(caught.value.errors) == {"gooseflesh", "tremor", "yawning"}
    assert "0, 3, 5" in str(caught.value.errors["gooseflesh"])
    assert "gooseflesh" in str(caught.value)


def test_an_empty_form_names_every_item():
    with pytest.raises(InvalidAnswers) as caught:
        SOWS.score({})
    assert list(caught.value.errors) == [item.key for item in SOWS.items]


@pytest.mark.parametrize(
    "total, band",
    [
        (0, None),
        (4, None),
        (5, "mild"),
        (12, "mild"),
        (13, "moderate"),
        (24, "moderate"),
        (25, "moderately_severe"),
        (36, "moderately_severe"),
        (37, "severe"),
        (48, "severe"),
    ],
)
def test_cows_bands_change_exactly_at_the_published_boundaries(total, band):
    assert COWS.score(cows_with_total(total)) == total
    found = COWS.band_for(total)
    assert (found.key if found else None) == band


def test_cows_totals_under_five_are_below_the_mild_band_not_a_band_of_their_own():
    assert COWS.band_for(4) is None
    assert str(COWS.below_bands_label) == "Below the mild band"


def test_cows_bands_cover_five_to_forty_eight_without_gaps():
    assert [(b.low, b.high, b.key) for b in COWS.bands] == [
        (5, 12, "mild"),
        (13, 24, "moderate"),
        (25, 36, "moderately_severe"),
        (37, 48, "severe"),
    ]


@pytest.mark.parametrize("instrument", [SOWS, SOWS_GOSSOP], ids=lambda i: i.code)
def test_scales_without_published_bands_never_report_one(instrument):
    assert all(instrument.band_for(t) is None for t in range(instrument.max_total + 1))


@by_code
def test_a_total_outside_the_scale_has_no_band(instrument):
    with pytest.raises(ValueError):
        instrument.band_for(instrument.max_total + 1)
    with pytest.raises(ValueError):
        instrument.band_for(-1)
    with pytest.raises(TypeError):
        instrument.band_for(True)


def test_band_ranks_order_the_cows_bands_for_moved_up_a_band_checks():
    ranks = [band_rank(k) for k in (None, "", "mild", "moderate", "moderately_severe", "severe")]
    assert ranks == [0, 0, 1, 2, 3, 4]
    assert {"moderately_severe", "severe"} == SEVERE_BAND_KEYS
    assert [key for key, _ in BAND_CHOICES] == [
        "mild",
        "moderate",
        "moderately_severe",
        "severe",
        "ciwa_minimal_mild",
        "ciwa_moderate",
        "ciwa_severe",
    ]
    with pytest.raises(KeyError):
        band_rank("catastrophic")


@by_code
def test_sources_cite_the_original_paper(instrument):
    assert "PMID" in instrument.source


def answers_for(instrument: Instrument):
    return st.fixed_dictionaries({item.key: st.sampled_from(item.legal_values) for item in instrument.items})


@given(data=st.data())
def test_any_legal_answers_score_their_sum_and_land_in_the_matching_band(data):
    instrument = data.draw(st.sampled_from(ALL))
    answers = data.draw(answers_for(instrument))
    total = instrument.score(answers)
    assert total == sum(answers.values())
    assert instrument.min_total <= total <= instrument.max_total
    band = instrument.band_for(total)
    if band is None:
        assert all(not b.low <= total <= b.high for b in instrument.bands)
        assert not instrument.bands or total < instrument.bands[0].low
    else:
        assert band.low <= total <= band.high
