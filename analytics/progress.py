"""Progress against targets (任务): 时间进度 against each measure's 任务完成率, per scope (docs/definitions.md,
"Targets"). Queries beside analytics/queries.py, read through `queries._df` so the scope cut applies.

A scope's target is read from the state's `targets` table (one month-0 row per (year, district,
manager) key, and the months when given): a district's own row (manager NULL) when it has one, else the
sum of its managers' rows; the company's is the sum of its districts'; chosen customer managers', the
sum of their rows. Actuals are the KPI cards' figures of the same scope from 1 January to the as-of date
(queries.kpi_totals, with the definitions queries.summary applies). A month range is read as "where were we
at the end of its last month": from 1 January through that month's end (or the data's as-of date, if
earlier). The segment filters do not apply: targets are set per district and manager (the pages say so)."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Literal

import duckdb
import pandas as pd

from . import metrics, queries
from .contract import LOW_TIER_CLASS
from .filters import TIER_MAX, TIER_MIN, Filters


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
#: a progress table's columns after its names (progress_table): the volume in full, then every other
#: measure's completion (a page drops the measures no row has)
TABLE_COLUMNS = ("volume_target_cases", "volume_cases", "volume_completion_pct", "time_pct", "volume_gap_pp",
                 "volume_pace_target_cases", "volume_pace_completion_pct",
                 *(m.completion for m in MEASURES if m.key != "volume"))


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
        """row() as a one-row frame of the loaded measures' columns (none without targets, no 序时
        columns without monthly targets): what the chart, its data tab and its files read."""
        row = self.row()
        loaded = {p.measure.key for p in self.measures}
        keep = ["year", "through", "time_pct"] + [
            c for m in MEASURES if m.key in loaded
            for c in (m.target, m.actual, m.completion, m.gap, *(() if m.rate or not self.monthly else (m.pace_target, m.pace_completion)))]
        if not self.has_targets:
            return pd.DataFrame(columns=keep)
        return pd.DataFrame([{c: row[c] for c in keep}]).astype({c: "float64" for c in keep if c not in ("year", "through")})

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


# --- the queries ----------------------------------------------------------------------------------

def whole_scope(f: Filters) -> Filters:
    """f as targets read it: its year, districts and managers (and scope), from 1 January through the
    end of its last month, without the filters a target is not set by (area type, format, tier) and
    without a comparison year."""
    return f.with_(compare_year=None, month_from=1, area_types=(), business_formats=(), tier_min=TIER_MIN, tier_max=TIER_MAX)


def ignores_filters(f: Filters) -> bool:
    """Whether f sets a segment filter (area type, format, tier), which progress against targets does
    not apply (the pages say so)."""
    return whole_scope(f) != f.with_(compare_year=None, month_from=1)


def reads_months(f: Filters) -> bool:
    """Whether f's month range moves progress from the year to date to the end of its last month
    (read from 1 January, whichever month the range starts: the pages say so)."""
    return (f.month_from, f.month_to) != (1, 12)


def _as_of(con: duckdb.DuckDBPyConnection, g: Filters) -> dt.date | None:
    """The day progress is read at: the end of g's last month, or the incomplete year's as-of date when
    that is earlier; 31 December for a whole complete year; None without data in g.year
    (queries.period: the latest order date of the year, company-wide)."""
    span = queries.period(con, g)
    return None if span is None or span.as_of is None else span.end


def _target_rows(con: duckdb.DuckDBPyConnection, g: Filters) -> pd.DataFrame:
    """Every row of `targets` for g.year within g's districts and managers (and scope)."""
    where, params = g.where(months=False)  # only districts and managers are left in g: the columns targets has
    return queries._df(con, f"SELECT * FROM targets WHERE year = $year AND {where} ORDER BY district, manager NULLS FIRST, month",
                       {"year": int(g.year)} | params, g.scope)


def _pick(rows: pd.DataFrame, managers: bool) -> pd.DataFrame:
    """The rows that make a scope's target: with managers chosen, theirs; else per district its own rows
    (manager NULL) when it has them, or its managers' rows. (Under a scope that names managers the
    districts' own rows are cut already, so its managers' rows are the target.)"""
    if managers:
        return rows[rows["manager"].notna()]
    own = set(rows.loc[rows["manager"].isna(), "district"])
    return rows[rows["manager"].isna() | ~rows["district"].isin(own)]


def _sum(rows: pd.DataFrame, m: Measure) -> float | None:
    """A measure over rows: every row must give it (a partial sum would be no one's target); a rate
    is their mean weighted by the volume targets."""
    if rows.empty or rows[m.target].isna().any():
        return None
    if not m.rate:
        return float(rows[m.target].sum())
    weight = float(rows[VOLUME.target].sum())
    return float((rows[m.target] * rows[VOLUME.target]).sum()) / weight if weight else None


def _monthly(rows: pd.DataFrame, m: Measure) -> dict[int, float] | None:
    """A measure's target per month, when every key summed has monthly rows that give it; else None."""
    keys = rows.loc[rows["month"] == 0, ["district", "manager"]].fillna("\0").drop_duplicates()
    months = rows[rows["month"] > 0]
    with_months = months[["district", "manager"]].fillna("\0").drop_duplicates()
    if months.empty or len(with_months) != len(keys) or months[m.target].isna().any():
        return None
    return {int(month): float(v) for month, v in months.groupby("month")[m.target].sum().items()}


def _actuals(totals: pd.Series | None, has_data: bool) -> dict[str, float | None]:
    """Each measure's year-to-date figure from a queries.kpi_totals row, by the definitions
    queries.summary applies to the same row (the KPI cards' figures); an additive one is 0 for a
    scope with no sales in a year that has data."""
    def val(col: str) -> float | None:
        return None if totals is None else float(totals[col])

    qty = val("qty")
    out = {"volume": metrics.cases(qty), "provincial": metrics.cases(val("provincial_qty")),
           "low_tier": metrics.cases(val(f"class{LOW_TIER_CLASS}_qty")),
           "class12": None if totals is None else metrics.cases(val("class1_qty") + val("class2_qty")),
           "avg_price": metrics.avg_price(val("amount"), qty),
           "online_rate": metrics.online_rate(val("online_customers"), val("customers"))}
    return {k: 0.0 if v is None and has_data and not BY_KEY[k].rate else v for k, v in out.items()}


def _progress(year: int, as_of: dt.date | None, rows: pd.DataFrame, totals: pd.Series | None) -> Progress:
    """A scope's Progress from its target rows (picked), its kpi_totals row for the year and the as-of date."""
    time_pct = None if as_of is None else metrics.time_progress_pct(as_of)
    iso = None if as_of is None else as_of.isoformat()
    year_rows = rows[rows["month"] == 0]
    if year_rows.empty:
        return Progress(year, iso, time_pct, False, False, ())
    actual = _actuals(totals, as_of is not None)
    out = []
    for m in MEASURES:
        target = _sum(year_rows, m)
        if target is not None:
            out.append(evaluate(m, target, actual[m.key], time_pct, None if m.rate else _monthly(rows, m), as_of))
    return Progress(year, iso, time_pct, True, any(p.pace_target is not None for p in out), tuple(out))


def _year_row(totals: pd.DataFrame) -> pd.Series | None:
    return None if totals.empty else totals.iloc[0]


def progress(con: duckdb.DuckDBPyConnection, f: Filters) -> Progress:
    """f's scope against its targets for f.year, read at the as-of date (docs/definitions.md, "Targets")."""
    if f.year is None:
        return Progress(None, None, None, False, False, ())
    g = whole_scope(f)
    rows = _pick(_target_rows(con, g), bool(g.managers))
    return _progress(f.year, _as_of(con, g), rows, _year_row(queries.kpi_totals(con, g)))


def progress_frame(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """progress() as its one-row frame (none without targets): the targets family's chart reads it."""
    return progress(con, f).frame()


def progress_table(con: duckdb.DuckDBPyConnection, f: Filters, by: Literal["district", "manager"] = "district") -> pd.DataFrame:
    """One row per district (or per customer manager within a district) of f's scope that has targets
    for f.year: the progress() of each (its targets picked from one read of the table, its actuals from
    one kpi_totals by the same key), most behind first (by the volume's 序时进度差, then the name)."""
    if by not in ("district", "manager"):
        raise ValueError("by must be 'district' or 'manager'")
    keys = ["district"] + (["manager"] if by == "manager" else [])
    columns = keys + list(Progress(None, None, None, False, False, ()).row())
    if f.year is None:
        return pd.DataFrame(columns=columns)
    g = whole_scope(f)
    targets, as_of = _target_rows(con, g), _as_of(con, g)
    totals = queries.kpi_totals(con, g, by=by)
    out = []
    for unit, unit_rows in targets.dropna(subset=keys).groupby(keys, sort=False):
        unit = unit if isinstance(unit, tuple) else (unit,)
        match = (totals[keys] == list(unit)).all(axis=1) if not totals.empty else pd.Series([], dtype=bool)
        p = _progress(f.year, as_of, _pick(unit_rows, by == "manager" or bool(g.managers)), _year_row(totals[match]))
        if p.has_targets:
            out.append({**dict(zip(keys, unit, strict=True)), **p.row()})
    frame = pd.DataFrame(out, columns=columns)
    if frame.empty:
        return frame
    numeric = [c for c in columns if c not in (*keys, "year", "through")]
    frame[numeric] = frame[numeric].astype("float64")
    return frame.sort_values([VOLUME.gap, *keys], na_position="last").reset_index(drop=True)


def monthly_vs_target(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Per month of f.year: the volume (箱, queries.pace of the whole scope) and the monthly volume
    target, each also cumulated. Targets are missing (NaN) without monthly targets for the scope."""
    if f.year is None:
        return pd.DataFrame(columns=["year", "month", "cases", "volume_target_cases", "cum_cases", "cum_target_cases"])
    g = whole_scope(f)
    actual = queries.pace(con, g).set_index("month")["qty"]
    monthly = _monthly(_pick(_target_rows(con, g), bool(g.managers)), VOLUME) or {}
    as_of = _as_of(con, g)
    frame = pd.DataFrame({"year": f.year, "month": range(1, 13)})
    # a month through the as-of date without orders sold 0; a month after it has not happened yet
    passed = frame["month"] <= (0 if as_of is None else as_of.month)
    frame["cases"] = metrics.cases(frame["month"].map(actual).astype("float64").fillna(0).where(passed))
    frame["volume_target_cases"] = frame["month"].map(monthly).astype("float64")
    frame["cum_cases"] = frame["cases"].cumsum()
    frame["cum_target_cases"] = frame["volume_target_cases"].cumsum()
    return frame


def with_total(table: pd.DataFrame, total: Progress, label: str, column: str = "district") -> pd.DataFrame:
    """A progress_table with its total row last: the scope's own progress() (its own target, which
    need not be the sum of the rows' targets, and its own actuals), named `label` in `column` (the
    table's other name columns blank). The rows above keep their order; no total without targets."""
    if table.empty or not total.has_targets:
        return table
    row = {k: "" for k in ("district", "manager") if k in table.columns} | {column: label} | total.row()
    return pd.concat([table, pd.DataFrame([row], columns=table.columns).astype(table.dtypes.to_dict())], ignore_index=True)
