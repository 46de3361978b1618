"""Brand cultivation (品牌培育): how far a brand or specification has spread in a scope and whether
retailers reorder it, month by month, against last year; the year's new products; who lags.

Definitions (docs/definitions.md, "Brand cultivation"; formulas in analytics/metrics.py):

- 铺货率 coverage_pct = retailers of the scope who ordered it ÷ the scope's customers (the master's
  retailers of the selection, ordering or not: the 网订率 denominator, queries._customers) × 100;
- 动销: its order lines, and its volume in 箱;
- 重购率 repeat_pct = retailers who ordered it in at least two different weeks (Monday-based weeks of
  the year, rollups._WEEK) ÷ retailers who ordered it × 100.

Each month has its own figure (who ordered in that month; two weeks within that month) and the
cumulative one from the first month of the period through that month (who ordered at any time so
far; two different weeks so far): the cultivation curve. Everything reads `retailer_sku_month`, whose
week masks make both exact (a week spanning two months counts once).

Queries as in analytics/queries.py: pure functions of (con, Filters, ...), bound values, run through
queries._df so the scope cut applies (retailer_sku_month is a RETAILER table).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from . import metrics, queries
from .access import EVERYTHING
from .filters import Filters
from .queries import _by, _customers, _df, _t, _years_clause, years

#: level -> the SKU master's column that names it (a specification is a sku_name: ids of one name are one)
LEVELS = {"brand": "brand", "sku": "sku_name"}
#: who a brand's coverage is compared across (lagging)
LAG_BY = ("district", "manager")
#: how many close names a failed lookup offers
CANDIDATES = 8


def _col(level: str) -> str:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    return LEVELS[level]


# --- names ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Lookup:
    """A name resolved against the SKU master: `name` when it matched exactly (or, failing that, one
    name case-insensitively), else None with the closest `candidates` (for the CLI's message)."""

    name: str | None
    candidates: list[str] = field(default_factory=list)


def names(con: duckdb.DuckDBPyConnection, level: str = "brand") -> list[str]:
    """Every brand (or specification) name of the SKU master, sorted."""
    col = _col(level)
    frame = _df(con, f"SELECT DISTINCT {col} AS name FROM skus WHERE {col} IS NOT NULL AND {col} <> '' ORDER BY name", {}, EVERYTHING)
    return [str(v) for v in frame["name"]]


def ordered_names(con: duckdb.DuckDBPyConnection, f: Filters, level: str = "brand") -> list[str]:
    """The brands (or specifications) ordered in f.year or f.compare_year anywhere the session may see,
    f.year's best sellers first, then those of the comparison year only: what the page offers. The
    district and segment filters do not narrow the list, so a product chosen stays chosen when they
    change (its figures there may be 0: who lost it is the question)."""
    col = _col(level)
    frame = _df(con, f"""SELECT s.{col} AS name FROM sku_year c JOIN skus s USING (sku_id)
                         WHERE c.year IN ($year, $compare_year) AND s.{col} IS NOT NULL AND s.{col} <> ''
                         GROUP BY ALL HAVING SUM(c.qty) > 0
                         ORDER BY SUM(c.qty) FILTER (c.year = $year) DESC NULLS LAST, SUM(c.qty) DESC, name""",
                {"year": f.year, "compare_year": f.compare_year}, f.scope)
    return [str(v) for v in frame["name"]]


def lookup(con: duckdb.DuckDBPyConnection, text: str, level: str = "brand") -> Lookup:
    """Resolve `text` to a brand or specification name: exact, else the one name equal to it ignoring
    case and spaces at the ends, else candidates (names containing it or it containing them first,
    then the most similar)."""
    all_names = names(con, level)
    text = str(text).strip()
    if text in all_names:
        return Lookup(text)
    folded = [n for n in all_names if n.casefold() == text.casefold()]
    if len(folded) == 1:
        return Lookup(folded[0])
    near = [n for n in all_names if text and (text in n or n in text)]
    near += [n for n in difflib.get_close_matches(text, all_names, n=CANDIDATES, cutoff=0.3) if n not in near]
    return Lookup(None, near[:CANDIDATES])


# --- the figures ------------------------------------------------------------------------------------

def _last_month(con: duckdb.DuckDBPyConnection, year: int) -> int | None:
    """The last month of `year` with data (company-wide, as the data period), or None."""
    row = _df(con, "SELECT last_date FROM year_dates WHERE year = $year", {"year": int(year)}, EVERYTHING)
    return None if row.empty or pd.isna(row["last_date"].iloc[0]) else pd.Timestamp(row["last_date"].iloc[0]).month


def _monthly(con: duckdb.DuckDBPyConnection, f: Filters, picked: list[str], level: str) -> pd.DataFrame:
    """Per name, year (f.year, f.compare_year) and month of f's months: retailers who ordered it, those in ≥ 2 weeks of the
    month, qty, lines; and the retailers reaching their first order (`new_retailers`) and their
    second week (`new_repeaters`) in that month, counted from f.month_from, whose running sums are
    the cumulative figures."""
    col = _col(level)
    seg, params = f.where(months=False)
    ywhere, yparams = _years_clause(f, "c")  # bound values, not a list to unnest: the scan filters them itself
    frame = _df(
        con,
        f"""WITH k AS (SELECT sku_id, {col} AS name FROM skus WHERE {col} IN (SELECT unnest($names::VARCHAR[]))),
                 r AS (SELECT retailer_id FROM retailers WHERE {seg}),
                 m AS (SELECT k.name, c.year, c.month, c.retailer_id, bit_or(c.week_mask) AS weeks,
                              SUM(c.qty) AS qty, SUM(c.lines) AS lines
                       FROM retailer_sku_month c JOIN k USING (sku_id) JOIN r USING (retailer_id)
                       WHERE {ywhere} AND c.month BETWEEN $month_from AND $month_to
                       GROUP BY ALL),
                 -- per retailer and year: its first month, and the month its second different week came,
                 -- the first month holding the year's second-lowest week bit (weeks and months run
                 -- together, so the weeks so far reach two exactly then; a week spanning two months is
                 -- one bit). Two groupings rather than a running window: half the time at 10M lines
                 y AS (SELECT name, year, retailer_id, MIN(month) AS first_month,
                              bit_or(weeks) & (bit_or(weeks) - 1) AS later_weeks
                       FROM m GROUP BY ALL),
                 rep AS (SELECT m.name, m.year, MIN(m.month) AS month FROM m JOIN y USING (name, year, retailer_id)
                         WHERE y.later_weeks != 0 AND m.weeks & (y.later_weeks & -y.later_weeks) != 0
                         GROUP BY m.name, m.year, m.retailer_id),
                 mon AS (SELECT name, year, month, COUNT(*)::BIGINT AS retailers,
                                COUNT(*) FILTER (bit_count(weeks) >= 2)::BIGINT AS repeaters,
                                SUM(qty)::BIGINT AS qty, SUM(lines)::BIGINT AS lines
                         FROM m GROUP BY ALL),
                 nr AS (SELECT name, year, first_month AS month, COUNT(*) AS n FROM y GROUP BY ALL),
                 np AS (SELECT name, year, month, COUNT(*) AS n FROM rep GROUP BY ALL)
            SELECT mon.*, COALESCE(nr.n, 0)::BIGINT AS new_retailers, COALESCE(np.n, 0)::BIGINT AS new_repeaters
            FROM mon LEFT JOIN nr USING (name, year, month) LEFT JOIN np USING (name, year, month)""",
        {"names": list(picked), "month_from": int(f.month_from), "month_to": int(f.month_to)} | params | yparams, f.scope,
    )
    return frame


def _grid(frame: pd.DataFrame, name: str, year: int, months: list[int]) -> pd.DataFrame:
    """One name-year's rows on the months given (0 where nothing was ordered), with running sums."""
    part = frame[(frame["name"] == name) & (frame["year"] == year)].set_index("month")
    cols = ["retailers", "repeaters", "qty", "lines", "new_retailers", "new_repeaters"]
    out = part.reindex(months)[cols].fillna(0).astype("int64")
    out["cum_retailers"] = out["new_retailers"].cumsum()
    out["cum_repeaters"] = out["new_repeaters"].cumsum()
    return out.drop(columns=["new_retailers", "new_repeaters"])


def _rates(out: pd.DataFrame, customers: int, suffix: str = "") -> None:
    out[f"coverage_pct{suffix}"] = metrics.coverage_pct(out[f"retailers{suffix}"], customers)
    out[f"repeat_pct{suffix}"] = metrics.repeat_pct(out[f"repeaters{suffix}"], out[f"retailers{suffix}"])
    out[f"cases{suffix}"] = metrics.cases(out[f"qty{suffix}"])
    out[f"cum_coverage_pct{suffix}"] = metrics.coverage_pct(out[f"cum_retailers{suffix}"], customers)
    out[f"cum_repeat_pct{suffix}"] = metrics.repeat_pct(out[f"cum_repeaters{suffix}"], out[f"cum_retailers{suffix}"])


#: cultivation()'s columns, in order
CULTIVATION_COLUMNS = [
    "month", "customers", "retailers", "coverage_pct", "repeaters", "repeat_pct", "lines", "cases",
    "cum_retailers", "cum_coverage_pct", "cum_repeaters", "cum_repeat_pct",
    "retailers_prev", "coverage_pct_prev", "repeat_pct_prev", "lines_prev", "cases_prev",
    "cum_coverage_pct_prev", "cum_repeat_pct_prev",
    "coverage_change_pp", "repeat_change_pp", "cases_yoy_pct", "cum_coverage_change_pp", "cum_repeat_change_pp",
]


def _curves(con: duckdb.DuckDBPyConnection, f: Filters, picked: list[str], level: str) -> dict[str, pd.DataFrame]:
    """cultivation() of each picked name, from one statement."""
    if f.year is None or not picked:
        return {n: pd.DataFrame(columns=CULTIVATION_COLUMNS) for n in picked}
    last = _last_month(con, f.year)
    months = list(range(int(f.month_from), int(f.month_to) + 1))
    frame = _monthly(con, f, picked, level)
    sql, _, params = _customers(f)
    n = int(_df(con, sql, params, f.scope)["customers"].iloc[0])
    out = {}
    for name in picked:
        cur = _grid(frame, name, f.year, months)
        if last is None:
            cur.loc[:, :] = np.nan  # no data in the year: no figure, rather than 0
        elif last < months[-1]:
            cur.loc[cur.index > last, :] = np.nan  # months after the data end have not happened
        _rates(cur, n)
        if f.compare_year is not None:
            prev = _grid(frame, name, f.compare_year, months).add_suffix("_prev")
            if _last_month(con, f.compare_year) is None:
                prev.loc[:, :] = np.nan
        else:
            prev = pd.DataFrame(np.nan, index=cur.index, columns=[f"{c}_prev" for c in ("retailers", "repeaters", "qty", "lines",
                                                                                        "cum_retailers", "cum_repeaters")])
        _rates(prev, n, "_prev")
        row = cur.join(prev)
        row["customers"] = n
        row["coverage_change_pp"] = row["coverage_pct"] - row["coverage_pct_prev"]
        row["repeat_change_pp"] = row["repeat_pct"] - row["repeat_pct_prev"]
        row["cases_yoy_pct"] = metrics.yoy_pct(row["qty"].astype("float64"), row["qty_prev"].astype("float64"))
        row["cum_coverage_change_pp"] = row["cum_coverage_pct"] - row["cum_coverage_pct_prev"]
        row["cum_repeat_change_pp"] = row["cum_repeat_pct"] - row["cum_repeat_pct_prev"]
        out[name] = row.rename_axis("month").reset_index()[CULTIVATION_COLUMNS]
    return out


def cultivation(con: duckdb.DuckDBPyConnection, f: Filters, name: str, level: str = "brand") -> pd.DataFrame:
    """The cultivation curve of one brand (or specification) in f's scope: one row per month of f's
    range, with the month's own 铺货率 / 重购率 / 动销 and the cumulative ones from f.month_from,
    f.compare_year's same months beside them (`*_prev`) and the change (pp; volume YoY in %).

    Months are whole months of both years (as every monthly chart); months after the data end of
    f.year have no figures (NaN). Totals comparing the same period: `period_figures`."""
    return _curves(con, f, [name], level)[name]


def _year_figures(con: duckdb.DuckDBPyConnection, f: Filters, level: str, by: str | None = None,
                  name: str | None = None) -> pd.DataFrame:
    """Per year of f (the same period when the last year is incomplete), and per `by` group: who
    ordered `name` over f's months (retailers, those in ≥ 2 weeks, qty, lines); every name (a `name`
    column) when none is given."""
    col = _col(level)
    group, cond = _by(by)
    g = "".join(f", {c}" for c in group) + ("" if name is not None else ", name")
    seg, params = f.where(months=False)
    ywhere, yparams = _years_clause(f, "c")
    which = f"{col} = $name" if name is not None else f"{col} IS NOT NULL AND {col} <> ''"
    return _df(
        con,
        f"""WITH k AS (SELECT sku_id, {col} AS name FROM skus WHERE {which}),
                 r AS (SELECT retailer_id{"".join(f", {c}" for c in group)} FROM retailers WHERE {seg}{cond}),
                 x AS (SELECT c.year, c.retailer_id{g}, bit_or(c.week_mask) AS weeks, SUM(c.qty) AS qty, SUM(c.lines) AS lines
                       FROM {_t(con, f)}retailer_sku_month c JOIN k USING (sku_id) JOIN r USING (retailer_id)
                       WHERE {ywhere} AND c.month BETWEEN $month_from AND $month_to GROUP BY ALL)
            SELECT year{g}, COUNT(*)::BIGINT AS retailers, COUNT(*) FILTER (bit_count(weeks) >= 2)::BIGINT AS repeaters,
                   SUM(qty)::BIGINT AS qty, SUM(lines)::BIGINT AS lines
            FROM x GROUP BY ALL""",
        {"month_from": int(f.month_from), "month_to": int(f.month_to)} | ({"name": str(name)} if name is not None else {})
        | params | yparams, f.scope,
    )


def period_figures(con: duckdb.DuckDBPyConnection, f: Filters, name: str, level: str = "brand",
                   by: str | None = None) -> pd.DataFrame:
    """铺货率, 重购率 and 动销 of one brand over f's whole period (its months, through the data end),
    for f.year and f.compare_year, per district or manager when `by` is given: one row per year (and
    group) with customers, retailers, repeaters, lines, qty, cases, coverage_pct, repeat_pct.

    An incomplete last year is compared with the same period (同期: the to-date twin, up to the same
    day), as every year comparison; groups with customers but no order have 0 retailers; a year
    without any data has no row."""
    group = _by(by)[0]
    figures = _year_figures(con, f, level, by, name)
    base, _, nparams = _customers(f, by)
    customers = _df(con, base, nparams, f.scope)
    if not f.years:
        return pd.DataFrame(columns=["year", *group, "customers", "retailers", "coverage_pct", "repeaters", "repeat_pct", "lines",
                                     "qty", "cases"])
    if not group:
        customers = customers.assign(_k=0)
        figures = figures.assign(_k=0)
    keys = group or ["_k"]
    # a year without any data has no figures (None), never zero coverage
    present = [y for y in f.years if _last_month(con, y) is not None]
    grid = pd.concat([customers.assign(year=y) for y in present] or [customers.assign(year=0).iloc[0:0]], ignore_index=True)
    out = grid.merge(figures, on=["year", *keys], how="left")
    for c in ("retailers", "repeaters", "qty", "lines"):
        out[c] = out[c].fillna(0).astype("int64")
    out["customers"] = out["customers"].fillna(0).astype("int64")
    out["coverage_pct"] = metrics.coverage_pct(out["retailers"], out["customers"])
    out["repeat_pct"] = metrics.repeat_pct(out["repeaters"], out["retailers"])
    out["cases"] = metrics.cases(out["qty"])
    out = out.drop(columns=["_k"], errors="ignore")
    return out[["year", *group, "customers", "retailers", "coverage_pct", "repeaters", "repeat_pct", "lines", "qty", "cases"]]


@dataclass(frozen=True)
class Totals:
    """One brand's figures over f's period against the comparison year's same period (the KPI cards,
    the CLI's totals); None where a figure is missing (no comparison year, a zero denominator)."""

    name: str
    level: str
    customers: int
    retailers: int
    coverage_pct: float | None
    repeat_pct: float | None
    lines: int
    cases: float
    retailers_prev: int | None
    coverage_pct_prev: float | None
    repeat_pct_prev: float | None
    lines_prev: int | None
    cases_prev: float | None
    coverage_change_pp: float | None
    repeat_change_pp: float | None
    cases_yoy_pct: float | None


def _num(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def totals(con: duckdb.DuckDBPyConnection, f: Filters, name: str, level: str = "brand") -> Totals:
    """period_figures of f.year against f.compare_year, as one Totals."""
    frame = period_figures(con, f, name, level)
    cur = frame[frame["year"] == f.year]
    prev = frame[frame["year"] == f.compare_year] if f.compare_year is not None else frame.iloc[0:0]
    c = cur.iloc[0] if len(cur) else None
    p = prev.iloc[0] if len(prev) else None

    def get(row: pd.Series | None, column: str) -> float | None:
        return None if row is None else _num(row[column])

    def diff(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None else a - b

    cov, cov_p = get(c, "coverage_pct"), get(p, "coverage_pct")
    rep, rep_p = get(c, "repeat_pct"), get(p, "repeat_pct")
    return Totals(
        name=name, level=level, customers=int(get(c, "customers") or 0), retailers=int(get(c, "retailers") or 0),
        coverage_pct=cov, repeat_pct=rep, lines=int(get(c, "lines") or 0), cases=get(c, "cases") or 0.0,
        retailers_prev=None if p is None else int(p["retailers"]), coverage_pct_prev=cov_p, repeat_pct_prev=rep_p,
        lines_prev=None if p is None else int(p["lines"]), cases_prev=get(p, "cases"),
        coverage_change_pp=diff(cov, cov_p), repeat_change_pp=diff(rep, rep_p),
        cases_yoy_pct=metrics.yoy_pct(get(c, "qty"), get(p, "qty")) if p is not None else None,
    )


def lagging(con: duckdb.DuckDBPyConnection, f: Filters, name: str, level: str = "brand", by: str = "district") -> pd.DataFrame:
    """Who lags in cultivating one brand: per district (or district and manager) its 铺货率 and 重购率
    over f's period, lowest coverage first (then lowest repeat), beside the scope's own figures
    (`scope_coverage_pct`, `scope_repeat_pct`) and the gap to them in percentage points, and the
    change in coverage against f.compare_year's same period."""
    if by not in LAG_BY:
        raise ValueError(f"by must be one of {', '.join(LAG_BY)}, not {by!r}")
    keys = _by(by)[0]
    rows = period_figures(con, f, name, level, by=by)
    whole = totals(con, f, name, level)
    cur = rows[rows["year"] == f.year].drop(columns="year")
    prev = rows[rows["year"] == f.compare_year][[*keys, "coverage_pct"]].rename(columns={"coverage_pct": "coverage_pct_prev"})
    out = cur.merge(prev, on=keys, how="left") if f.compare_year is not None else cur.assign(coverage_pct_prev=np.nan)
    out["coverage_change_pp"] = out["coverage_pct"] - out["coverage_pct_prev"]
    out["scope_coverage_pct"] = whole.coverage_pct if whole.coverage_pct is not None else np.nan
    out["scope_repeat_pct"] = whole.repeat_pct if whole.repeat_pct is not None else np.nan
    out["coverage_gap_pp"] = out["coverage_pct"] - out["scope_coverage_pct"]
    out["repeat_gap_pp"] = out["repeat_pct"] - out["scope_repeat_pct"]
    out = out.sort_values(["coverage_pct", "repeat_pct", *keys], na_position="first", kind="stable")
    return out[[*keys, "customers", "retailers", "coverage_pct", "scope_coverage_pct", "coverage_gap_pp", "repeat_pct",
                "scope_repeat_pct", "repeat_gap_pp", "cases", "coverage_pct_prev", "coverage_change_pp"]].reset_index(drop=True)


def new_products(con: duckdb.DuckDBPyConnection, f: Filters, level: str = "sku") -> pd.DataFrame:
    """Brands (or specifications) first ordered in f.year: ordered in f.year and in no earlier year of
    the data the scope may see (the page's district and segment filters do not change what is new;
    they choose where its figures are read). None when the data hold no earlier year (everything
    would be new). One row each with its first month and its figures over f's period in f's scope,
    widest coverage first; `new_product_curves` gives their cumulative curves."""
    col = _col(level)
    empty = pd.DataFrame(columns=["name", "brand", "first_month", "customers", "retailers", "coverage_pct", "repeat_pct",
                                  "lines", "cases"])
    if f.year is None or not any(y < f.year for y in years(con, f.scope)):
        return empty
    first = _df(
        con,
        f"""SELECT s.{col} AS name, ANY_VALUE(s.brand) AS brand, MIN(c.year) AS first_year,
                   MIN(c.month) FILTER (c.year = $year) AS first_month
            FROM retailer_sku_month c JOIN skus s USING (sku_id)
            WHERE c.year <= $year AND s.{col} IS NOT NULL GROUP BY s.{col} HAVING MIN(c.year) = $year""",
        {"year": int(f.year)}, f.scope,
    )
    if first.empty:
        return empty
    curves = _curves(con, f.with_(compare_year=None), first["name"].tolist(), level)
    rows = []
    for rec in first.itertuples():
        curve = curves[rec.name].dropna(subset=["retailers"])
        last = curve.iloc[-1] if len(curve) else None
        rows.append({"name": rec.name, "brand": rec.brand, "first_month": int(rec.first_month),
                     "customers": int(curve["customers"].iloc[0]) if len(curve) else 0,
                     "retailers": int(last["cum_retailers"]) if last is not None else 0,
                     "coverage_pct": _num(last["cum_coverage_pct"]) if last is not None else None,
                     "repeat_pct": _num(last["cum_repeat_pct"]) if last is not None else None,
                     "lines": int(curve["lines"].sum()), "cases": float(curve["cases"].sum())})
    out = pd.DataFrame(rows)
    if level == "brand":
        out = out.drop(columns="brand")
    return out.sort_values(["coverage_pct", "cases", "name"], ascending=[False, False, True], na_position="last",
                           kind="stable").reset_index(drop=True)


def new_product_curves(con: duckdb.DuckDBPyConnection, f: Filters, level: str = "sku", limit: int = 8) -> pd.DataFrame:
    """The cumulative 铺货率 by month (f.year) of the `limit` widest new products: name, year, month,
    cum_coverage_pct, cum_repeat_pct (long form, for one chart line per product)."""
    top = new_products(con, f, level).head(int(limit))
    if top.empty:
        return pd.DataFrame(columns=["name", "year", "month", "cum_coverage_pct", "cum_repeat_pct"])
    curves = _curves(con, f.with_(compare_year=None), top["name"].tolist(), level)
    parts = [c.dropna(subset=["retailers"]).assign(name=n, year=f.year)[["name", "year", "month", "cum_coverage_pct", "cum_repeat_pct"]]
             for n, c in curves.items()]
    return pd.concat(parts, ignore_index=True)


def default_name(con: duckdb.DuckDBPyConnection, f: Filters, level: str = "sku") -> str | None:
    """What the page opens on, a product whose figures tell something in f's scope: the year's widest
    new product; else the one whose 铺货率 over f's period grew most against the comparison year's
    same period (more retailers of the same customers); else the best seller not yet ordered by every
    customer; else the best seller (ordered_names' first). Never a product at 100% everywhere while
    another has room to grow. None when nothing was ordered."""
    offered = ordered_names(con, f, level)
    if not offered:
        return None
    new = new_products(con, f, level)
    if not new.empty and new["name"].iloc[0] in offered:
        return str(new["name"].iloc[0])
    rows = _year_figures(con, f, level)
    now = rows[rows["year"] == f.year].set_index("name")
    before = rows[rows["year"] == f.compare_year].set_index("name")["retailers"] if f.compare_year is not None else None
    if before is not None and not now.empty:
        growth = (now["retailers"] - before.reindex(now.index).fillna(0)).sort_values(ascending=False, kind="stable")
        grown = growth[growth > 0]
        if len(grown):
            best = grown[grown == grown.iloc[0]].index
            return str(now.loc[best, "qty"].sort_values(ascending=False, kind="stable").index[0])  # a tie: the best seller
    customers = queries.customers(con, f)
    room = [n for n in offered if n in now.index and now.loc[n, "retailers"] < customers]
    return room[0] if room else offered[0]
