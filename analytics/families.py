"""The chart families, declared once: 价类结构, 省产烟, 网上订货, 低档烟, 年度进度 and 任务进度.

Each entry names its queries (with their arguments), its figures (with units and axis titles), the
columns its data tab and files carry, its titles and its key numbers. A district page draws every
family's `district` chart, the overview its `overview` chart, the family pages their `chart`, and the
presentation and the PPTX deck one screen or slide per family (`chart` and `numbers`), all by
iterating FAMILIES. Adding a family is one entry here (with its query in queries.py and its labels).

Titles and units are label keys (analytics/labels.py), looked up in the reader's language when drawn.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import pandas as pd
import plotly.graph_objects as go

from . import charts, progress, queries
from .filters import Filters
from .formats import fmt_cases, fmt_count, fmt_pct
from .labels import class_label, t
from .narrative import compared_with, pace_text, progress_text
from .palettes import CLASS_COLORS
from .queries import Summary

# --- figures: how a frame is drawn, with its units and axis title -----------------------------------


def _unit(unit: str, lang: str) -> str:
    """A unit as the hover text shows it: "%" as is, anything else a label key (unit_cases: 箱)."""
    return unit if unit == "%" else t(unit, lang)


@dataclass(frozen=True)
class Lines:
    """One line across the months named after the scope it shows; `value` in `unit`, the y axis
    titled `y_label` (a label key), in `color` or the first series colour."""

    value: str
    unit: str
    y_label: str
    color: str | None = None

    def __call__(self, frame: pd.DataFrame, lang: str, f: Filters, name: str | None = None) -> go.Figure:
        return charts.lines(frame, lang, self.value, _unit(self.unit, lang), y_label=t(self.y_label, lang),
                            colors=None if self.color is None else {None: self.color}, name=name)


@dataclass(frozen=True)
class SmallMultiples:
    """One small line chart per district, `value` in `unit` (the overview)."""

    value: str
    unit: str

    def __call__(self, frame: pd.DataFrame, lang: str, f: Filters, name: str | None = None) -> go.Figure:
        return charts.small_multiples(frame, lang, "district", self.value, _unit(self.unit, lang))


@dataclass(frozen=True)
class ClassBars:
    """Class volumes (箱) or shares (%) stacked per month, year or district, 一类 at the bottom."""

    x: str = "month"
    value: str = "cases"

    def __call__(self, frame: pd.DataFrame, lang: str, f: Filters, name: str | None = None) -> go.Figure:
        return charts.class_bars(frame, lang, x=self.x, value=self.value)


@dataclass(frozen=True)
class PaceLines:
    """Cumulative volume of f.year and f.compare_year against the calendar."""

    def __call__(self, frame: pd.DataFrame, lang: str, f: Filters, name: str | None = None) -> go.Figure:
        return charts.pace(frame, lang, f.year, f.compare_year)


@dataclass(frozen=True)
class Bullets:
    """Each target measure's completion beside 时间进度 (analytics/progress.py's one-row frame)."""

    def __call__(self, frame: pd.DataFrame, lang: str, f: Filters, name: str | None = None) -> go.Figure:
        return charts.progress_bullets(frame, lang, year=f.year)


Figure = Callable[[pd.DataFrame, str, Filters, str | None], go.Figure]


@dataclass(frozen=True)
class Chart:
    """One chart: the query that feeds it and its arguments (besides the connection and the filters),
    the figure drawn from the frame, and what its data tab and files show (`columns` in order, None:
    every registered one; `rename` reads a column as another registered one for a clearer header).
    select="district": clicking a district's bar filters the page to it."""

    query: Callable[..., pd.DataFrame]
    figure: Figure
    kwargs: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    columns: tuple[str, ...] | None = None
    rename: Mapping[str, str] | None = None
    select: str | None = None


# --- key numbers: what a presenter reads out beside the chart ----------------------------------------


def _yoy(v: float | None) -> str:
    return fmt_pct(v, signed=True)


def _mix_numbers(s: Summary, frame: pd.DataFrame, f: Filters, lang: str) -> list[str]:
    return [f"{class_label(c, lang)}: {fmt_cases(s.class_cases[str(c)], lang)} ({_yoy(s.class_yoy_pct[str(c)])}), "
            f"{t('share', lang)} {fmt_pct(s.class_share_pct[str(c)])}" for c in range(1, 6)]


def _against(label: str, now: float | None, before: float | None, s: Summary, lang: str) -> str:
    """A share beside the comparison's: "省产烟占比: 86.94% (2018年 76.54%)"."""
    return f"{t(label, lang)}: {fmt_pct(now)} ({compared_with(s, lang)} {fmt_pct(before)})"


def _provincial_numbers(s: Summary, frame: pd.DataFrame, f: Filters, lang: str) -> list[str]:
    return [f"{t('provincial_cases', lang)}: {fmt_cases(s.provincial_cases, lang)} ({_yoy(s.provincial_yoy_pct)})",
            _against("provincial_share", s.provincial_share_pct, s.provincial_share_pct_prev, s, lang)]


def _online_numbers(s: Summary, frame: pd.DataFrame, f: Filters, lang: str) -> list[str]:
    return [f"{t('online_customers', lang)}: {fmt_count(s.online_customers, lang)} / {fmt_count(s.customers, lang)}",
            _against("online_rate", s.online_rate_pct, s.online_rate_pct_prev, s, lang),
            f"{t('online_rate_ordering', lang)}: {fmt_pct(s.online_rate_ordering_pct)}",
            f"{t('online_volume_share', lang)}: {fmt_pct(s.online_volume_share_pct)}"]


def _low_numbers(s: Summary, frame: pd.DataFrame, f: Filters, lang: str) -> list[str]:
    return [f"{t('low_tier_cases', lang)}: {fmt_cases(s.low_tier_cases, lang)} ({_yoy(s.low_tier_yoy_pct)})",
            _against("low_tier_share", s.low_tier_share_pct, s.class_share_pct_prev["5"], s, lang)]


def _pace_numbers(s: Summary, frame: pd.DataFrame, f: Filters, lang: str) -> list[str]:
    sentence = pace_text(frame, f.year, f.compare_year, lang)
    return [sentence] if sentence else []


def _target_numbers(s: Summary, frame: pd.DataFrame, f: Filters, lang: str) -> list[str]:
    """The sentence on progress against targets, a line per measure (its clauses), or that none are loaded."""
    sentence = None if frame.empty else progress_text(progress.Progress.from_row(frame.iloc[0], f.year), lang)
    if sentence is None:
        return [t("targets_none_for_year", lang, year=f.year)]
    return sentence.split("；" if lang == "zh" else "; ")


# --- the registry -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Family:
    """One chart family. `chart` is its monthly chart of the selection: the family page's main chart,
    the presentation's screen and the deck's slide; `district` what a district page draws; `overview`
    the overview's small multiples across districts (compared with nothing, f.compare_year dropped)."""

    key: str  # the presentation's topic (?topic=…)
    tag: str  # in a district page's widget keys and file names: d-{district}-{tag}.csv
    title: str  # label key: its heading on a district page and in the overview's choice of family
    topic: str  # label key: the title of its presentation screen and deck slide
    chart: Chart
    numbers: Callable[[Summary, pd.DataFrame, Filters, str], list[str]]  # the key numbers (summary, chart frame)
    district: Chart | None = None  # None: the same as chart
    overview: Chart | None = None  # None: not among the overview's small multiples
    section: bool = False  # drawn in a section of its own with its sentence (年度进度), not in the grid

    def __post_init__(self) -> None:
        if self.district is None:
            object.__setattr__(self, "district", self.chart)


def _across_districts(chart: Chart, columns: tuple[str, ...] | None = None) -> Chart:
    """The overview's small multiples of a line chart: the same query and measure per district."""
    line = chart.figure
    if not isinstance(line, Lines):
        raise TypeError("small multiples are drawn of a line chart")
    return replace(chart, figure=SmallMultiples(line.value, line.unit), kwargs=MappingProxyType({"by": "district"}),
                   columns=("district", *(columns or chart.columns or ())))


_MIX_YEAR_COLUMNS = ("year", "price_class", "cases", "share_pct")
_PROVINCIAL = Chart(queries.provincial_by_period, Lines("share_pct", "%", "provincial_share_pct"),
                    columns=("year", "month", "cases", "provincial_cases", "share_pct"),
                    rename=MappingProxyType({"share_pct": "provincial_share_pct"}))  # share_pct here is the provincial share
_ONLINE = Chart(queries.online_by_month, Lines("online_rate_pct", "%", "online_rate_pct"),
                columns=("year", "month", "online_customers", "ordering_customers", "customers", "online_rate_pct"))
_LOW = Chart(queries.low_tier_by_period, Lines("cases", "unit_cases", "low_tier_cases", CLASS_COLORS[5]),
             columns=("year", "month", "cases", "share_pct"),
             rename=MappingProxyType({"cases": "low_tier_cases", "share_pct": "low_tier_share_pct"}))

MIX = Family(
    key="mix", tag="mix", title="page_mix", topic="page_mix",
    chart=Chart(queries.class_by_period, ClassBars(), MappingProxyType({"grain": "month"})),
    district=Chart(queries.class_by_period, ClassBars(x="year"), MappingProxyType({"grain": "year"}), columns=_MIX_YEAR_COLUMNS),
    overview=Chart(queries.class_by_period, ClassBars(x="district", value="share_pct"),
                   MappingProxyType({"grain": "year", "by": "district"}), columns=("district", *_MIX_YEAR_COLUMNS), select="district"),
    numbers=_mix_numbers,
)
PROVINCIAL = Family(key="provincial", tag="prov", title="provincial_share", topic="page_provincial",
                    chart=_PROVINCIAL, overview=_across_districts(_PROVINCIAL), numbers=_provincial_numbers)
ONLINE = Family(key="online", tag="online", title="online_rate", topic="page_online", chart=_ONLINE,
                overview=_across_districts(_ONLINE, ("year", "month", "online_customers", "customers", "online_rate_pct")),
                numbers=_online_numbers)
LOW = Family(key="low", tag="low", title="low_tier_cases", topic="page_low", chart=_LOW, overview=_across_districts(_LOW),
             numbers=_low_numbers)
PACE = Family(key="pace", tag="pace", title="pace", topic="pace",
              chart=Chart(queries.pace, PaceLines(), columns=("year", "month", "cum_cases", "progress_pct", "time_pct")),
              numbers=_pace_numbers, section=True)

# 任务进度: a section of its own on the overview and district pages (pages/widgets.py::targets_section)
TARGETS = Family(key="targets", tag="targets", title="targets", topic="targets",
                 chart=Chart(progress.progress_frame, Bullets()), numbers=_target_numbers, section=True)

#: in the order a presenter steps through them
FAMILIES: tuple[Family, ...] = (MIX, PROVINCIAL, ONLINE, LOW, PACE, TARGETS)
BY_KEY: dict[str, Family] = {family.key: family for family in FAMILIES}
#: the families the overview can show across districts; the first is shown until another is chosen
OVERVIEW_FAMILIES: tuple[Family, ...] = tuple(family for family in FAMILIES if family.overview is not None)
