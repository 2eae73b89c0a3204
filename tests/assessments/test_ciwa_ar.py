"""The CIWA-Ar: a fourth, clinician-rated instrument for alcohol withdrawal, declared like the others."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic.assessments.instruments import CIWA_AR, INSTRUMENTS, InvalidAnswers
from clinic.assessments.models import Assessment
from tests.assessments.factories import answers_with_total, assessment, form_data, highest, local, lowest

URL_SLUG = "ciwa-ar"


def record_url(patient) -> str:
    return reverse("assessments:record", kwargs={"pk": patient.pk, "instrument": URL_SLUG})


def test_it_has_the_published_ten_items_rated_by_a_clinician_with_a_total_of_0_to_67():
    assert CIWA_AR.completed_by == "clinician"
    assert [item.key for item in CIWA_AR.items] == [
        "nausea_vomiting",
        "tremor",
        "paroxysmal_sweats",
        "anxiety",
        "agitation",
        "tactile_disturbances",
        "auditory_disturbances",
        "visual_disturbances",
        "headache",
        "orientation",
    ]
    for item in CIWA_AR.items[:9]:
        assert item.legal_values == tuple(range(8)), item.key
    assert CIWA_AR.item("orientation").legal_values == (0, 1, 2, 3, 4)
    assert (CIWA_AR.min_total, CIWA_AR.max_total) == (0, 67)


@pytest.mark.parametrize("key,bad", [("tremor", 8), ("headache", -1), ("orientation", 5), ("orientation", 7)])
def test_a_value_the_item_does_not_have_is_refused(key, bad):
    with pytest.raises(InvalidAnswers) as caught:
        CIWA_AR.score(lowest(CIWA_AR) | {key: bad})
    assert list(caught.value.errors) == [key]


@pytest.mark.parametrize(
    "total,band",
    [
        (0, "ciwa_minimal_mild"),
        (7, "ciwa_minimal_mild"),
        (8, "ciwa_moderate"),
        (15, "ciwa_moderate"),
        (16, "ciwa_severe"),
        (67, "ciwa_severe"),
    ],
)
def test_bands_change_where_the_commonly_cited_interpretation_puts_them(total, band):
    assert CIWA_AR.band_for(total).key == band


def test_its_bands_are_its_own_and_never_counted_as_cows_bands():
    cows_keys = {band.key for band in INSTRUMENTS["COWS"].bands}
    assert not cows_keys & {band.key for band in CIWA_AR.bands}


def test_the_form_says_it_is_validated_for_alcohol_and_shows_where_the_bands_come_from(alice_client, patient):
    html = alice_client.get(record_url(patient)).content.decode()
    assert "Validated for alcohol withdrawal" in html and "does not measure opioid withdrawal" in html
    assert "commonly cited" in html and "sources differ a little" in html
    assert "Sullivan JT" in html and "Br J Addict 1989" in html
    assert html.count('<fieldset class="assessment-item') == 10


def test_a_clinician_records_one_and_it_is_scored_banded_and_has_its_own_trend(alice_client, patient, alice):
    response = alice_client.post(record_url(patient), form_data(CIWA_AR, answers_with_total(CIWA_AR, 17)), follow=True)
    saved = Assessment.objects.get()
    assert (saved.instrument, saved.total, saved.band, saved.completed_by) == (
        "CIWA_AR",
        17,
        "ciwa_severe",
        "clinician",
    )
    html = response.content.decode()
    assert "CIWA-Ar total 17, severe, with risk of seizures and delirium." in html
    assert 'id="ciwa-ar-trend-heading"' in html and "CIWA-Ar total over time" in html


def test_the_patient_page_offers_it_and_the_csv_exports_its_items(alice_client, patient, alice):
    page = alice_client.get(reverse("patients:detail", kwargs={"pk": patient.pk})).content.decode()
    assert record_url(patient) in page and "Record CIWA-Ar" in page
    Assessment.objects.bulk_create([assessment(patient, CIWA_AR, local(2026, 1, 5), 67, entered_by=alice)])
    csv = alice_client.get(reverse("assessments:export", kwargs={"pk": patient.pk})).content.decode()
    assert "urn:steady:instrument:CIWA_AR" in csv and "CIWA_AR.orientation" in csv
    assert ",67,ciwa_severe," in csv


def test_highest_answers_total_sixty_seven(alice_client, patient):
    assert alice_client.post(record_url(patient), form_data(CIWA_AR, highest(CIWA_AR))).status_code == 302
    assert Assessment.objects.get().total == 67
