"""What the guidance pages must say for the safety net (issue 13), read from the pages themselves."""

from __future__ import annotations

import re

import pytest

from clinic.guidance.pages import all_pages

NOT_RECORDED = "not recorded in Steady's clinical source notes"


def body(slug: str) -> str:
    return re.sub(r"\s+", " ", all_pages()[slug].body)


def test_the_referral_page_names_all_three_medications_and_where_each_is_given():
    text = body("buprenorphine-referral")
    assert "Buprenorphine" in text and "Methadone" in text and "Extended-release naltrexone" in text
    assert "certified opioid treatment program (OTP)" in text
    assert "needs a period without any opioid" in text


def test_low_dose_induction_is_named_as_the_prescribers_decision_with_no_amount():
    text = body("buprenorphine-referral")
    assert 'Low-dose ("micro") induction' in text and "the prescriber's decision (ASAM 2022)" in text
    sentence = next(s for s in text.split(". ") if "micro" in s)
    assert not re.search(r"\d", re.sub(r"\([^)]*\)", "", sentence))


@pytest.mark.parametrize("slug", ["harm-reduction", "supervised-tapering", "buprenorphine-referral"])
def test_lost_tolerance_is_explained_plainly_without_numbers(slug):
    text = body(slug)
    assert "usual amount can cause an overdose" in text or "usual amount can kill" in text
    assert "Strang 2003" in text
    section = text[text.index("Tolerance falls") :].split("##")[0]
    without_citations = re.sub(r"\([^)]*\)", "", section)
    assert not re.search(r"\d", without_citations), section


def test_take_breaks_never_appears_without_the_overdose_warning():
    text = body("harm-reduction")
    bullet = next(line for line in all_pages()["harm-reduction"].body.splitlines() if "Take breaks" in line)
    assert "usual amount can cause an overdose" in bullet
    assert "Carry naloxone." in text and "Do not use alone." in text


@pytest.mark.parametrize("slug", ["harm-reduction", "buprenorphine-referral"])
def test_naloxone_is_for_everyone(slug):
    text = body(slug)
    assert "Naloxone for everyone" in all_pages()[slug].body
    assert "Offer naloxone to every patient who uses 7-OH or any other opioid" in text
    assert "SAMHSA Overdose Prevention and Response Toolkit, 2023" in text


RESOURCE = re.compile(r"\d-\d{3}-\d{3}-\d{4}|\.gov|call or text")


@pytest.mark.parametrize("slug", sorted(all_pages()))
def test_every_citation_has_author_title_publisher_and_year_or_says_which_the_notes_lack(slug):
    for source in all_pages()[slug].sources:
        if RESOURCE.search(source):
            continue  # a phone line or a locator, not a publication
        assert re.search(r"\b(19|20)\d\d\b", source) or "year not recorded" in source, source
        # Author, then title (or a description saying the title is not recorded), then the rest.
        assert len(source.split(". ")) >= 3 or NOT_RECORDED in source, source


def test_every_page_says_what_date_its_content_describes():
    for page in all_pages().values():
        assert page.content_as_of <= page.last_reviewed
    assert all_pages()["regulation"].content_as_of.year == 2025
