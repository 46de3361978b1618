"""Progress against targets (任务): 时间进度 against each measure's 任务完成率, per scope (docs/definitions.md,
"Targets"). Queries beside analytics/queries.py, read through `queries._df` so the scope cut applies.

A scope's target is read from the state's `targets` table (one month-0 row per (year, district,
manager) key, and the months when given): a district's own row (manager NULL) when it has one, else the
sum of its managers' rows; the company's is the sum of its districts'; chosen customer managers', the
sum of their rows. Actuals are `queries.summary` of the same scope for the whole year to date, so
every figure is the one the KPI cards show. The segment and month filters do not apply: targets are
set per district and manager for whole years (the pages say so)."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from . import metrics


@dataclass(frozen=True)
class Measure:
    """One target measure: its column in `targets` (and in every frame here), the column of its actual,
    the label key of its name and its unit (a label key, or "%"). A rate (条均价, 网订率) is compared with
    its target value, not with 时间进度; the others add up over months and places."""

    key: str
    target: str
    actual: str
    label: str
    unit: str
    rate: bool = False

    @property
    def completion(self) -> str:
        return f"{self.key}_completion_pct"

    @property
    def gap(self) -> str:
        """完成率 − 时间进度 in pp; a rate's actual − target, in its own unit (元/条, or pp for a %)."""
        return f"{self.key}_gap" if self.unit == "unit_yuan_carton" else f"{self.key}_gap_pp"

    @property
    def pace_target(self) -> str:
        return f"{self.key}_pace_target_cases"

    @property
    def pace_completion(self) -> str:
        return f"{self.key}_pace_completion_pct"


#: the measures a targets extract may give, in the order sentences, charts and tables show them
MEASURES: tuple[Measure, ...] = (
    Measure("volume", "volume_target_cases", "volume_cases", "volume", "unit_cases"),
    Measure("class12", "class12_target_cases", "class12_cases", "class12", "unit_cases"),
    Measure("provincial", "provincial_target_cases", "provincial_cases", "provincial_volume", "unit_cases"),
    Measure("low_tier", "low_tier_target_cases", "low_tier_cases", "low_tier", "unit_cases"),
    Measure("avg_price", "avg_price_target", "avg_price", "avg_price", "unit_yuan_carton", rate=True),
    Measure("online_rate", "online_rate_target_pct", "online_rate_pct", "online_rate", "%", rate=True),
)
BY_KEY: dict[str, Measure] = {m.key: m for m in MEASURES}
VOLUME = BY_KEY["volume"]


@dataclass(frozen=True)
class MeasureProgress:
    """One measure of a scope: the year's target, the actual to date, 完成率 (%), the gap (see
    Measure.gap), and with monthly targets 序时任务 and 序时完成率 (additive measures only)."""

    measure: Measure
    target: float | None
    actual: float | None
    completion_pct: float | None
    gap: float | None
    pace_target: float | None = None
    pace_completion_pct: float | None = None


def _num(v: object) -> float | None:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    return float(v)


def evaluate(m: Measure, target: float | None, actual: float | None, time_pct: float | None,
             monthly: dict[int, float] | None = None, as_of: dt.date | None = None) -> MeasureProgress:
    """A measure's figures from its target (the whole year's), its actual to date, 时间进度 and, for
    序时任务, its monthly targets through the as-of date (docs/definitions.md, "Targets")."""
    completion = metrics.completion_pct(actual, target)
    if m.rate:
        gap = None if actual is None or target is None else actual - target
        return MeasureProgress(m, target, actual, completion, gap)
    pace = metrics.prorated_target(monthly, as_of) if monthly and as_of is not None else None
    return MeasureProgress(m, target, actual, completion, metrics.gap_pp(completion, time_pct),
                           pace, metrics.completion_pct(actual, pace))


@dataclass(frozen=True)
class Progress:
    """A scope's progress against its targets for one year (progress()): the as-of date (YYYY-MM-DD;
    31 December for a complete year), 时间进度 and each loaded measure. `has_targets` is False when
    the year has no targets for the scope (then `measures` is empty); `monthly` when 序时任务 exists."""

    year: int | None
    as_of: str | None
    time_progress_pct: float | None
    has_targets: bool
    monthly: bool
    measures: tuple[MeasureProgress, ...]

    @property
    def whole_year(self) -> bool:
        return bool(self.as_of) and self.as_of[5:] == "12-31"

    def get(self, key: str) -> MeasureProgress | None:
        return next((p for p in self.measures if p.measure.key == key), None)

    def row(self) -> dict[str, object]:
        """One wide row: the as-of date (`through`), 时间进度 (`time_pct`), and per measure its target,
        actual, completion, gap and 序时 columns (the names analytics/columns.py registers)."""
        out: dict[str, object] = {"year": self.year, "through": None if self.as_of is None else dt.date.fromisoformat(self.as_of),
                                  "time_pct": self.time_progress_pct}
        for m in MEASURES:
            p = self.get(m.key)
            out |= {m.target: None if p is None else p.target, m.actual: None if p is None else p.actual,
                    m.completion: None if p is None else p.completion_pct, m.gap: None if p is None else p.gap}
            if not m.rate:
                out |= {m.pace_target: None if p is None else p.pace_target,
                        m.pace_completion: None if p is None else p.pace_completion_pct}
        return out

    def frame(self) -> pd.DataFrame:
        """row() as a one-row frame (none without targets): what a chart, a data tab and a file read."""
        if not self.has_targets:
            return pd.DataFrame(columns=list(self.row()))
        return pd.DataFrame([self.row()]).astype({c: "float64" for c in self.row() if c not in ("year", "through")})

    @classmethod
    def from_row(cls, row: pd.Series | dict, year: int | None = None) -> Progress:
        """The Progress a row() (or a frame's row) was made of: the chart family reads its frame back."""
        through = row.get("through")
        as_of = None if through is None or pd.isna(through) else pd.Timestamp(through).date().isoformat()
        measures = []
        for m in MEASURES:
            target = _num(row.get(m.target))
            if target is None:
                continue
            measures.append(MeasureProgress(m, target, _num(row.get(m.actual)), _num(row.get(m.completion)), _num(row.get(m.gap)),
                                            None if m.rate else _num(row.get(m.pace_target)),
                                            None if m.rate else _num(row.get(m.pace_completion))))
        year = year if year is not None else (None if _num(row.get("year")) is None else int(row.get("year")))
        return cls(year, as_of, _num(row.get("time_pct")), bool(measures),
                   any(p.pace_target is not None for p in measures), tuple(measures))

    def to_json(self) -> dict[str, object]:
        """What `progress --json` prints: the volume's figures at the top, each other loaded measure
        under its key ({target, actual, completion_pct, gap, 序时 when monthly})."""
        v = self.get("volume")
        out: dict[str, object] = {
            "year": self.year, "as_of": self.as_of, "time_progress_pct": self.time_progress_pct,
            "volume_target_cases": v and v.target, "volume_cases": v and v.actual, "completion_pct": v and v.completion_pct,
            "gap_pp": v and v.gap, "pace_target_cases": v and v.pace_target, "pace_completion_pct": v and v.pace_completion_pct,
        }
        for p in self.measures:
            if p.measure.key != "volume":
                out[p.measure.key] = {"target": p.target, "actual": p.actual, "completion_pct": p.completion_pct,
                                      "gap" if p.measure.rate else "gap_pp": p.gap}
                if not p.measure.rate:
                    out[p.measure.key] |= {"pace_target": p.pace_target, "pace_completion_pct": p.pace_completion_pct}
        return out
