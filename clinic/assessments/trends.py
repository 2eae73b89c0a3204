"""What the trend page and the patient page panel show, built from one patient's history.

Pure functions over a list of assessments already fetched (one query): nothing here touches
the database, so the pages stay at a constant number of queries however long the history is.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from clinic.assessments.charts import Chart, trend_chart
from clinic.assessments.instruments import (
    COWS,
    INSTRUMENTS,
    Instrument,
    Item,
)
from clinic.assessments.models import Assessment

XParam = Literal["time", "hours"]
X_PARAMS: dict[str, str] = {"time": "time", "hours": "hours_since_use"}

# COWS and a patient's own scale this close together describe the same moment.
PAIR_WINDOW = dt.timedelta(hours=4)
# The item grid shows the latest few COWS; the CSV export has every one.
GRID_COLUMNS = 10


def x_param(value: str | None) -> XParam:
    """The chart's x axis from the `x` GET parameter; anything unknown means time."""
    return "hours" if value == "hours" else "time"


@dataclass(frozen=True)
class Change:
    delta: int
    since: Assessment

    @property
    def direction(self) -> str:
        return "up" if self.delta > 0 else "down" if self.delta < 0 else "same"

    @property
    def amount(self) -> int:
        return abs(self.delta)


@dataclass(frozen=True)
class GridRow:
    item: Item
    values: list[int]
    high_from: int  # values at or above this are marked: the upper half of the item's range


@dataclass(frozen=True)
class Grid:
    columns: list[Assessment]
    rows: list[GridRow]
    hidden: int  # older assessments not shown


@dataclass
class InstrumentTrend:
    instrument: Instrument
    assessments: list[Assessment]  # oldest first
    chart: Chart
    id_prefix: str
    since_first: Change | None = None
    since_previous: Change | None = None
    grid: Grid | None = None

    @property
    def latest(self) -> Assessment:
        return self.assessments[-1]

    @property
    def newest_first(self) -> list[Assessment]:
        return self.assessments[::-1]

    @property
    def band_moved(self) -> tuple[str, str] | None:
        """(previous band label, latest band label) when the COWS band changed."""
        if not self.instrument.bands or self.since_previous is None:
            return None
        before, after = self.since_previous.since, self.latest
        if before.band == after.band:
            return None
        return before.band_label, after.band_label


@dataclass(frozen=True)
class Pair:
    cows: Assessment
    other: Assessment

    @property
    def hours_apart(self) -> float:
        return round(abs((self.other.taken_at - self.cows.taken_at).total_seconds()) / 3600, 1)


@dataclass
class PatientTrends:
    trends: list[InstrumentTrend] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)
    x: XParam = "time"

    latest: Assessment | None = None  # the latest assessment of any instrument

    @property
    def count(self) -> int:
        return sum(len(t.assessments) for t in self.trends)


def _point(a: Assessment) -> tuple[dt.datetime, int, float | None, str]:
    # Only this assessment's own answer places it on the hours axis: a range sits at its lower
    # end (never more hours without use than the answer vouches for), labelled as given.
    last_use = a.last_use
    return (a.taken_at, a.total, last_use.at_least_hours, str(last_use))


def _grid(assessments: list[Assessment]) -> Grid:
    columns = assessments[-GRID_COLUMNS:]
    rows = []
    for item in COWS.items:
        top = max(item.legal_values)
        rows.append(
            GridRow(item=item, values=[a.answers.get(item.key) for a in columns], high_from=max(1, (top + 1) // 2))
        )
    return Grid(columns=columns, rows=rows, hidden=len(assessments) - len(columns))


def _pairs(by_code: dict[str, list[Assessment]]) -> list[Pair]:
    # Each COWS is paired with the nearest patient-reported scale of each kind within the window.
    pairs = []
    for code in ("SOWS", "SOWS_GOSSOP"):
        others = by_code.get(code, [])
        if not others:
            continue
        times = [o.taken_at for o in others]
        for cows in by_code.get("COWS", []):
            i = bisect.bisect_left(times, cows.taken_at)
            near = [others[j] for j in (i - 1, i) if 0 <= j < len(others)]
            near = [o for o in near if abs(o.taken_at - cows.taken_at) <= PAIR_WINDOW]
            if near:
                pairs.append(Pair(cows, min(near, key=lambda o: abs(o.taken_at - cows.taken_at))))
    pairs.sort(key=lambda p: (p.cows.taken_at, p.other.instrument))
    return pairs


def patient_trends(assessments: list[Assessment], *, x: XParam, tz: dt.tzinfo | None) -> PatientTrends:
    """Charts, changes, the COWS item grid and COWS/self-report pairs, per instrument the
    patient has, in declaration order. `assessments` must be oldest first."""
    by_code: dict[str, list[Assessment]] = {}
    for a in assessments:
        by_code.setdefault(a.instrument, []).append(a)
    result = PatientTrends(x=x)
    for code, instrument in INSTRUMENTS.items():
        history = by_code.get(code)
        if not history:
            continue
        chart = trend_chart([_point(a) for a in history], instrument=instrument, x_mode=X_PARAMS[x], tz=tz)
        trend = InstrumentTrend(
            instrument=instrument,
            assessments=history,
            chart=chart,
            id_prefix=f"{code.lower().replace('_', '-')}-trend",
        )
        if len(history) > 1:
            trend.since_first = Change(history[-1].total - history[0].total, history[0])
            trend.since_previous = Change(history[-1].total - history[-2].total, history[-2])
        if instrument is COWS:
            trend.grid = _grid(history)
        result.trends.append(trend)
    result.pairs = _pairs(by_code)
    result.latest = max(assessments, key=lambda a: (a.taken_at, a.pk or 0), default=None)
    return result
