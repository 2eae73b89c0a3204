"""Data for the server-rendered SVG charts (templates/assessments/_*_chart.svg.html).

Pure functions: they take plain values and return dataclasses of coordinates and text, so the
same input always gives the same SVG and tests can check positions. Coordinates are rounded to
one decimal. Text is translated when the chart is built (call these inside a request).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Literal, NamedTuple

from django.utils import dateformat
from django.utils.translation import gettext, ngettext

from clinic.assessments.instruments import Instrument, Text

# Room for y labels on the left, half an x label on the right, x labels below.
LEFT, RIGHT, TOP, BOTTOM = 40, 24, 16, 24

XMode = Literal["time", "hours_since_use"]


@dataclass(frozen=True)
class Tick:
    at: float  # x for x ticks, y for y ticks
    label: str


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str  # for the circle's <title>
    total: int
    taken_at: datetime


@dataclass(frozen=True)
class BandRect:
    key: str
    y: float
    height: float
    label: Text
    css_class: str
    label_y: float  # baseline for the band's name, just inside its top edge


@dataclass(frozen=True)
class _Frame:
    width: int
    height: int

    @property
    def plot_left(self) -> float:
        return LEFT

    @property
    def plot_top(self) -> float:
        return TOP

    @property
    def plot_right(self) -> float:
        return self.width - RIGHT

    @property
    def plot_bottom(self) -> float:
        return self.height - BOTTOM

    @property
    def plot_width(self) -> float:
        return self.plot_right - self.plot_left

    @property
    def plot_height(self) -> float:
        return self.plot_bottom - self.plot_top

    @property
    def y_label_x(self) -> float:
        return self.plot_left - 6

    @property
    def x_label_y(self) -> float:
        return self.plot_bottom + 16


@dataclass(frozen=True)
class Chart(_Frame):
    title: str
    description: str
    x_mode: XMode
    segments: list[str]  # polyline "x,y x,y" strings; a gap starts a new one
    dots: list[Dot]
    bands: list[BandRect]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    skipped: int  # points left out (no hours since use in that mode)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    count: int
    week_start: date


@dataclass(frozen=True)
class BarChart(_Frame):
    title: str
    description: str
    bars: list[Bar]
    y_ticks: list[Tick]
    x_ticks: list[Tick]


class _Point(NamedTuple):
    taken_at: datetime
    total: int
    hours_since_use: float | None
    # How the answer behind the hours reads, with who gave it ("6 to 12 h (patient's answer)").
    hours_text: str | None = None


def _as_point(p: Any) -> _Point:
    if isinstance(p, tuple):
        return _Point(*p) if len(p) >= 3 else _Point(p[0], p[1], None)
    return _Point(p.taken_at, p.total, getattr(p, "hours_since_use", None), getattr(p, "hours_text", None))


def _seconds(dt: datetime) -> float:
    # Aware datetimes as real elapsed seconds (safe across DST); naive ones as they stand.
    if dt.tzinfo is not None:
        return dt.timestamp()
    return (dt - datetime(1970, 1, 1)).total_seconds()


def _local(dt: datetime, tz: tzinfo | None) -> datetime:
    return dt.astimezone(tz) if tz is not None and dt.tzinfo is not None else dt


def _day(d: date) -> str:
    return dateformat.format(d, "j M Y")


def _short_day(d: date) -> str:
    return dateformat.format(d, "j M")


def _hours(h: float) -> str:
    return f"{h:g}"


def _fmt(x: float, y: float) -> str:
    return f"{x:.1f},{y:.1f}"


def _even_step(top: int) -> int:
    # Split the scale into a few equal whole-number steps (48 -> 12, 64 -> 16, 30 -> 10).
    for parts in (4, 3, 5, 6, 2):
        if top % parts == 0:
            return top // parts
    return top


def _nice_step(top: float, steps: Iterable[int], most: int) -> int:
    for step in steps:
        if top / step <= most:
            return step
    return max(1, math.ceil(top / most))


def trend_chart(
    points: Iterable[Any],
    *,
    instrument: Instrument,
    x_mode: XMode = "time",
    width: int = 640,
    height: int = 240,
    gap_after: timedelta | float | None = None,
    tz: tzinfo | None = None,
) -> Chart:
    """A line chart of totals, over time or against hours since last use.

    `points` are objects with taken_at, total and hours_since_use, or tuples in that order.
    The line breaks into a new segment where consecutive points are more than `gap_after`
    apart (default 7 days; in hours mode 24 hours, and also where the hours go back down,
    i.e. a new period since last use). A point alone between gaps is drawn as a dot only.
    `tz` is the zone for day labels; pass the current time zone from the view.
    """
    frame = _Frame(width, height)
    every = sorted((_as_point(p) for p in points), key=lambda p: _seconds(p.taken_at))
    if x_mode == "time":
        shown = every
    elif x_mode == "hours_since_use":
        shown = [p for p in every if p.hours_since_use is not None]
    else:
        raise ValueError(f"unknown x_mode {x_mode!r}")
    for p in shown:
        if not instrument.min_total <= p.total <= instrument.max_total:
            raise ValueError(f"{instrument.code} total {p.total} is out of range")

    def y_of(value: float) -> float:
        return round(frame.plot_bottom - value / instrument.max_total * frame.plot_height, 1)

    if x_mode == "time":
        if gap_after is None:
            gap_after = timedelta(days=7)
        if not isinstance(gap_after, timedelta):
            raise TypeError("gap_after must be a timedelta in time mode")
        xs, x_ticks, breaks = _time_axis(shown, frame, gap_after, tz)
    else:
        if gap_after is None:
            gap_after = 24.0
        if isinstance(gap_after, timedelta):
            gap_after = gap_after.total_seconds() / 3600
        xs, x_ticks, breaks = _hours_axis(shown, frame, float(gap_after))

    segments: list[str] = []
    current: list[str] = []
    dots: list[Dot] = []
    for p, x, new_segment in zip(shown, xs, breaks, strict=False):
        y = y_of(p.total)
        if new_segment:
            if len(current) > 1:
                segments.append(" ".join(current))
            current = []
        current.append(_fmt(x, y))
        dots.append(Dot(x, y, _dot_label(p, instrument, x_mode, tz), p.total, p.taken_at))
    if len(current) > 1:
        segments.append(" ".join(current))

    bands = []
    for band in instrument.bands:
        # Half a point either side, so each whole-number total sits inside its own band.
        top = y_of(min(band.high + 0.5, instrument.max_total))
        bottom = y_of(max(band.low - 0.5, instrument.min_total))
        css = "chart-band-" + band.key.replace("_", "-")
        bands.append(BandRect(band.key, top, round(bottom - top, 1), band.label, css, round(top + 12, 1)))

    step = _even_step(instrument.max_total)
    y_ticks = [Tick(y_of(v), str(v)) for v in range(0, instrument.max_total + 1, step)]

    name = str(instrument.short_name)
    if x_mode == "time":
        title = gettext("%(instrument)s total over time") % {"instrument": name}
    else:
        title = gettext("%(instrument)s total by hours since last use") % {"instrument": name}

    return Chart(
        width=width,
        height=height,
        title=title,
        description=_trend_description(shown, name, len(every) - len(shown), tz),
        x_mode=x_mode,
        segments=segments,
        dots=dots,
        bands=bands,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        skipped=len(every) - len(shown),
    )


def _time_axis(
    points: list[_Point], frame: _Frame, gap: timedelta, tz: tzinfo | None
) -> tuple[list[float], list[Tick], list[bool]]:
    if not points:
        return [], [], []
    # The axis runs from the first day's midnight to the midnight after the last day, so
    # ticks fall on day boundaries and a single point still has a place.
    first = _local(points[0].taken_at, tz)
    last_day = _local(points[-1].taken_at, tz).date()
    zone = first.tzinfo
    start = _seconds(datetime.combine(first.date(), time(), zone))
    end = _seconds(datetime.combine(last_day + timedelta(days=1), time(), zone))

    def x_of(seconds: float) -> float:
        return round(frame.plot_left + (seconds - start) / (end - start) * frame.plot_width, 1)

    days = (last_day - first.date()).days + 1
    step = _nice_step(days, (1, 2, 7, 14, 28, 56, 91, 182, 364), 8)
    ticks = []
    day = first.date()
    while day <= last_day + timedelta(days=1):
        ticks.append(Tick(x_of(_seconds(datetime.combine(day, time(), zone))), _short_day(day)))
        day += timedelta(days=step)

    xs = [x_of(_seconds(p.taken_at)) for p in points]
    limit = gap.total_seconds()
    breaks = [False] + [
        _seconds(b.taken_at) - _seconds(a.taken_at) > limit for a, b in zip(points, points[1:], strict=False)
    ]
    return xs, ticks, breaks


def _hours_axis(points: list[_Point], frame: _Frame, gap: float) -> tuple[list[float], list[Tick], list[bool]]:
    if not points:
        return [], [], []
    hours = [float(p.hours_since_use) for p in points]  # type: ignore[arg-type]
    if min(hours) < 0:
        raise ValueError("hours since use cannot be negative")
    step = _nice_step(max(hours), (6, 12, 24, 48, 72, 168, 336, 672), 8)
    span = max(step, math.ceil(max(hours) / step) * step)

    def x_of(h: float) -> float:
        return round(frame.plot_left + h / span * frame.plot_width, 1)

    ticks = [Tick(x_of(h), gettext("%(hours)s h") % {"hours": h}) for h in range(0, span + 1, step)]
    # Hours going down means a new use reset the clock: never join the two periods.
    breaks = [False] + [b <= a or b - a > gap for a, b in zip(hours, hours[1:], strict=False)]
    return [x_of(h) for h in hours], ticks, breaks


def _dot_label(p: _Point, instrument: Instrument, x_mode: XMode, tz: tzinfo | None) -> str:
    local = _local(p.taken_at, tz)
    values = {"when": f"{_day(local.date())}, {local:%H:%M}", "total": p.total}
    if instrument.bands:
        band = instrument.band_for(p.total)
        values["band"] = str(band.label if band else instrument.below_bands_label)
        text = gettext("%(when)s: total %(total)d, %(band)s") % values
    else:
        text = gettext("%(when)s: total %(total)d") % values
    if x_mode == "hours_since_use" and p.hours_text:
        text += "; " + gettext("last use: %(answer)s") % {"answer": p.hours_text}
    elif x_mode == "hours_since_use":
        text += "; " + gettext("%(hours)s hours since last use") % {
            "hours": _hours(float(p.hours_since_use))  # type: ignore[arg-type]
        }
    return text


def _trend_description(points: list[_Point], name: str, skipped: int, tz: tzinfo | None) -> str:
    if not points:
        text = gettext("No %(instrument)s assessments to show.") % {"instrument": name}
    else:
        first_day = _local(points[0].taken_at, tz).date()
        last_day = _local(points[-1].taken_at, tz).date()
        values = {
            "count": len(points),
            "instrument": name,
            "first_date": _day(first_day),
            "last_date": _day(last_day),
            "first": points[0].total,
            "latest": points[-1].total,
        }
        if len(points) == 1:
            text = gettext("1 %(instrument)s assessment on %(first_date)s; total %(first)d.")
        elif first_day == last_day:
            text = ngettext(
                "%(count)d %(instrument)s assessment on %(first_date)s; first total %(first)d, latest %(latest)d.",
                "%(count)d %(instrument)s assessments on %(first_date)s; first total %(first)d, latest %(latest)d.",
                len(points),
            )
        else:
            text = ngettext(
                "%(count)d %(instrument)s assessment from %(first_date)s to %(last_date)s; "
                "first total %(first)d, latest %(latest)d.",
                "%(count)d %(instrument)s assessments from %(first_date)s to %(last_date)s; "
                "first total %(first)d, latest %(latest)d.",
                len(points),
            )
        text = text % values
    if skipped:
        text += " " + ngettext(
            "%(count)d assessment without hours since last use is not shown.",
            "%(count)d assessments without hours since last use are not shown.",
            skipped,
        ) % {"count": skipped}
    return text


def weekly_bar_chart(
    weeks: Iterable[tuple[date, int]],
    *,
    width: int = 640,
    height: int = 200,
    title: str | None = None,
) -> BarChart:
    """Bars of assessments per week, in date order.

    Pass every week in the range, including weeks with 0, so quiet weeks show as empty slots.
    """
    frame = _Frame(width, height)
    rows = sorted(weeks)
    if any(count < 0 for _, count in rows):
        raise ValueError("a week cannot have a negative count")
    most = max((count for _, count in rows), default=0)
    step = _nice_step(most, (1, 2, 5, 10, 20, 50, 100, 200, 500), 5)
    top = max(step, math.ceil(most / step) * step)

    def y_of(value: float) -> float:
        return round(frame.plot_bottom - value / top * frame.plot_height, 1)

    bars, x_ticks = [], []
    if rows:
        slot = frame.plot_width / len(rows)
        every_nth = math.ceil(len(rows) / 8)  # keep x labels from overlapping
        for i, (week, count) in enumerate(rows):
            y = y_of(count)
            label = ngettext(
                "Week of %(week)s: %(count)d assessment",
                "Week of %(week)s: %(count)d assessments",
                count,
            ) % {"week": _day(week), "count": count}
            bars.append(
                Bar(
                    x=round(frame.plot_left + (i + 0.15) * slot, 1),
                    y=y,
                    width=round(slot * 0.7, 1),
                    height=round(frame.plot_bottom - y, 1),
                    label=label,
                    count=count,
                    week_start=week,
                )
            )
            if i % every_nth == 0:
                x_ticks.append(Tick(round(frame.plot_left + (i + 0.5) * slot, 1), _short_day(week)))

    if not rows:
        description = gettext("No weeks to show.")
    else:
        total = sum(count for _, count in rows)
        if len(rows) == 1:
            span = gettext("The week of %(first)s.") % {"first": _day(rows[0][0])}
        else:
            span = ngettext(
                "%(count)d week from the week of %(first)s to the week of %(last)s.",
                "%(count)d weeks from the week of %(first)s to the week of %(last)s.",
                len(rows),
            ) % {"count": len(rows), "first": _day(rows[0][0]), "last": _day(rows[-1][0])}
        counts = ngettext(
            "%(count)d assessment in total; at most %(most)d in one week.",
            "%(count)d assessments in total; at most %(most)d in one week.",
            total,
        ) % {"count": total, "most": most}
        description = f"{span} {counts}"

    return BarChart(
        width=width,
        height=height,
        title=title or gettext("Assessments per week"),
        description=description,
        bars=bars,
        y_ticks=[Tick(y_of(v), str(v)) for v in range(0, top + 1, step)],
        x_ticks=x_ticks,
    )
