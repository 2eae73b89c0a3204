"""The trend and weekly charts put the points where a clinician expects them."""

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.template import Context, Engine
from django.utils import translation

from clinic.assessments.charts import trend_chart, weekly_bar_chart
from clinic.assessments.instruments import COWS, SOWS

# Plot area of a default 640x240 chart: x 40..616 (576 wide), y 16..216 (200 high).
UTC = UTC
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def three_cows_visits():
    return [(at(3), 24, None), (at(4), 12, None), (at(6), 6, None)]


def render(name: str, **context) -> str:
    # A standalone engine so the test does not depend on the project's TEMPLATES setting.
    engine = Engine(dirs=[str(TEMPLATES)], libraries={"l10n": "django.templatetags.l10n"})
    return engine.get_template(name).render(Context(context))


def test_known_points_land_on_known_coordinates():
    chart = trend_chart(three_cows_visits(), instrument=COWS)
    # Four days (3-6 Nov) across 576 px: 144 px a day, noon in the middle of each day.
    # Totals 24, 12, 6 of 48 across 200 px.
    assert [(d.x, d.y) for d in chart.dots] == [(112.0, 116.0), (256.0, 166.0), (544.0, 191.0)]
    assert chart.segments == ["112.0,116.0 256.0,166.0 544.0,191.0"]


def test_axes_run_from_zero_to_the_scale_maximum_with_day_ticks():
    chart = trend_chart(three_cows_visits(), instrument=COWS)
    assert [(t.label, t.at) for t in chart.y_ticks] == [
        ("0", 216.0),
        ("12", 166.0),
        ("24", 116.0),
        ("36", 66.0),
        ("48", 16.0),
    ]
    assert [t.at for t in chart.x_ticks] == [40.0, 184.0, 328.0, 472.0, 616.0]
    assert chart.x_ticks[0].label == "3 Nov"
    assert [t.label for t in trend_chart([], instrument=SOWS).y_ticks][-1] == "64"


def test_the_description_summarises_count_dates_first_and_latest_total():
    chart = trend_chart(three_cows_visits(), instrument=COWS)
    assert chart.description == ("3 COWS assessments from 3 Nov 2026 to 6 Nov 2026; first total 24, latest 6.")
    assert chart.title == "COWS total over time"


def test_points_given_out_of_order_are_drawn_in_time_order():
    chart = trend_chart(list(reversed(three_cows_visits())), instrument=COWS)
    assert chart.segments == ["112.0,116.0 256.0,166.0 544.0,191.0"]
    assert chart.description.endswith("first total 24, latest 6.")


def test_more_than_seven_days_without_an_assessment_breaks_the_line():
    points = [(at(1), 20), (at(2), 16), (at(10), 10), (at(11), 8)]
    chart = trend_chart(points, instrument=COWS)
    assert len(chart.segments) == 2
    assert [len(s.split()) for s in chart.segments] == [2, 2]
    assert len(chart.dots) == 4


def test_exactly_seven_days_apart_is_still_joined():
    chart = trend_chart([(at(1), 20), (at(8), 10)], instrument=COWS)
    assert len(chart.segments) == 1


def test_a_point_alone_between_gaps_is_a_dot_without_a_line():
    points = [(at(1), 20), (at(2), 16), (at(12), 10), (at(25), 8), (at(26), 4)]
    chart = trend_chart(points, instrument=COWS)
    assert len(chart.dots) == 5
    assert [len(s.split()) for s in chart.segments] == [2, 2]


def test_a_custom_gap_threshold_is_respected():
    points = [(at(1), 20), (at(3), 16)]
    assert len(trend_chart(points, instrument=COWS, gap_after=timedelta(days=1)).segments) == 0
    assert len(trend_chart(points, instrument=COWS, gap_after=timedelta(days=2)).segments) == 1


def test_cows_charts_shade_the_four_bands_and_leave_below_mild_unshaded():
    chart = trend_chart(three_cows_visits(), instrument=COWS)
    assert [b.css_class for b in chart.bands] == [
        "chart-band-mild",
        "chart-band-moderate",
        "chart-band-moderately-severe",
        "chart-band-severe",
    ]
    assert [str(b.label) for b in chart.bands][0] == "Mild"
    mild, severe = chart.bands[0], chart.bands[-1]
    # Bands reach half a point past their totals: mild is 4.5..12.5, severe 36.5..48.
    assert (mild.y, mild.height) == (163.9, 33.3)
    assert (severe.y, severe.height) == (16.0, 47.9)
    assert max(b.y + b.height for b in chart.bands) < 216.0  # 0-4 has no band


def test_sows_charts_have_no_bands():
    chart = trend_chart([(at(3), 30), (at(4), 20)], instrument=SOWS)
    assert chart.bands == []
    assert chart.dots[0].y == round(216 - 30 / 64 * 200, 1)


def test_dot_titles_give_when_total_and_band():
    chart = trend_chart([(at(3, 9), 3), (at(3, 15), 18)], instrument=COWS)
    assert chart.dots[0].label == "3 Nov 2026, 09:00: total 3, Below the mild band"
    assert chart.dots[1].label == "3 Nov 2026, 15:00: total 18, Moderate"
    assert trend_chart([(at(3), 20)], instrument=SOWS).dots[0].label == "3 Nov 2026, 12:00: total 20"


def test_dates_follow_the_clinic_time_zone_when_given():
    eastern = timezone(timedelta(hours=-5))
    chart = trend_chart([(datetime(2026, 11, 3, 2, tzinfo=UTC), 10)], instrument=COWS, tz=eastern)
    assert chart.description == "1 COWS assessment on 2 Nov 2026; total 10."
    assert chart.dots[0].label.startswith("2 Nov 2026, 21:00")


def test_one_point_is_a_dot_in_the_middle_of_its_day():
    chart = trend_chart([(at(3), 18)], instrument=COWS)
    assert [(d.x, d.y) for d in chart.dots] == [(328.0, 141.0)]
    assert chart.segments == []
    assert chart.description == "1 COWS assessment on 3 Nov 2026; total 18."


def test_no_points_give_an_empty_chart_that_still_says_so():
    chart = trend_chart([], instrument=SOWS)
    assert chart.dots == [] and chart.segments == [] and chart.x_ticks == []
    assert chart.description == "No SOWS assessments to show."


def test_objects_with_attributes_are_accepted_like_tuples():
    visit = SimpleNamespace(taken_at=at(3), total=18, hours_since_use=30.0)
    assert trend_chart([visit], instrument=COWS).dots[0].y == 141.0


def test_hours_mode_places_points_by_hours_and_skips_those_without():
    points = [(at(3, 0), 6, 12), (at(3, 12), 18, 24), (at(4, 0), 20, None), (at(4, 0), 24, 36)]
    chart = trend_chart(points, instrument=COWS, x_mode="hours_since_use")
    # 0..36 h across 576 px.
    assert [d.x for d in chart.dots] == [232.0, 424.0, 616.0]
    assert chart.skipped == 1
    assert chart.description == (
        "3 COWS assessments from 3 Nov 2026 to 4 Nov 2026; first total 6, latest 24."
        " 1 assessment without hours since last use is not shown."
    )
    assert chart.x_ticks[0].label == "0 h" and chart.x_ticks[-1].label == "36 h"
    assert chart.dots[0].label.endswith("; 12 hours since last use")
    assert chart.title == "COWS total by hours since last use"


def test_hours_mode_starts_a_new_line_when_use_resets_the_clock_or_hours_jump():
    points = [(at(1, 0), 10, 6), (at(1, 12), 20, 18), (at(2, 0), 8, 4), (at(2, 6), 10, 10), (at(4, 0), 12, 52)]
    chart = trend_chart(points, instrument=COWS, x_mode="hours_since_use")
    assert [len(s.split()) for s in chart.segments] == [2, 2]


def test_hours_mode_with_no_hours_at_all_says_why_it_is_empty():
    chart = trend_chart([(at(3), 10), (at(4), 12)], instrument=COWS, x_mode="hours_since_use")
    assert chart.dots == []
    assert chart.description == (
        "No COWS assessments to show. 2 assessments without hours since last use are not shown."
    )


def test_a_total_outside_the_scale_is_refused_rather_than_drawn_off_the_chart():
    with pytest.raises(ValueError):
        trend_chart([(at(3), 49)], instrument=COWS)


def test_the_same_data_always_gives_the_same_chart():
    assert trend_chart(three_cows_visits(), instrument=COWS) == trend_chart(three_cows_visits(), instrument=COWS)


def weeks():
    return [(date(2026, 11, 2), 2), (date(2026, 11, 9), 5), (date(2026, 11, 16), 0), (date(2026, 11, 23), 2)]


def test_weekly_bars_are_sized_by_their_counts():
    chart = weekly_bar_chart(weeks())
    # 640x200: plot y 16..176; the busiest week (5) reaches the top.
    assert [(b.x, b.y, b.width, b.height) for b in chart.bars] == [
        (61.6, 112.0, 100.8, 64.0),
        (205.6, 16.0, 100.8, 160.0),
        (349.6, 176.0, 100.8, 0.0),
        (493.6, 112.0, 100.8, 64.0),
    ]
    assert chart.bars[1].label == "Week of 9 Nov 2026: 5 assessments"
    assert [t.label for t in chart.y_ticks] == ["0", "1", "2", "3", "4", "5"]
    assert [t.label for t in chart.x_ticks] == ["2 Nov", "9 Nov", "16 Nov", "23 Nov"]


def test_weekly_description_gives_range_total_and_busiest_week():
    assert weekly_bar_chart(weeks()).description == (
        "4 weeks from the week of 2 Nov 2026 to the week of 23 Nov 2026. 9 assessments in total; at most 5 in one week."
    )
    assert weekly_bar_chart([]).description == "No weeks to show."
    assert weekly_bar_chart([]).title == "Assessments per week"


def test_the_trend_template_is_an_accessible_svg_without_inline_styles_or_scripts():
    chart = trend_chart([(at(1), 20), (at(2), 16), (at(10), 10), (at(11), 8)], instrument=COWS)
    html = render("assessments/_trend_chart.svg.html", chart=chart, id_prefix="cows")
    assert 'role="img"' in html
    assert 'aria-labelledby="cows-title"' in html and 'aria-describedby="cows-desc"' in html
    assert '<title id="cows-title">COWS total over time</title>' in html
    assert f'<desc id="cows-desc">{chart.description}</desc>' in html
    assert html.count("<polyline") == 2
    assert html.count("<circle") == 4
    assert 'class="chart-band chart-band-moderately-severe"' in html
    assert "style" not in html and "<script" not in html


def test_two_charts_on_one_page_get_different_ids():
    chart = trend_chart([], instrument=SOWS)
    first = render("assessments/_trend_chart.svg.html", chart=chart, id_prefix="a")
    second = render("assessments/_trend_chart.svg.html", chart=chart, id_prefix="b")
    assert 'id="a-title"' in first and 'id="b-title"' in second
    assert "chart-band" not in first


def test_the_weekly_template_renders_a_bar_per_week_with_its_count():
    html = render("assessments/_weekly_chart.svg.html", chart=weekly_bar_chart(weeks()), id_prefix="weekly")
    assert html.count("<rect") == 4
    assert "<title>Week of 9 Nov 2026: 5 assessments</title>" in html
    assert 'aria-labelledby="weekly-title"' in html
    assert "style" not in html and "<script" not in html


@pytest.mark.skipif(not settings.USE_I18N, reason="needs the project's translation settings")
def test_coordinates_keep_a_decimal_point_in_spanish():
    with translation.override("es"):
        chart = trend_chart(three_cows_visits(), instrument=COWS)
        html = render("assessments/_trend_chart.svg.html", chart=chart, id_prefix="es")
    assert 'y="163.9"' in html and "163,9" not in html
