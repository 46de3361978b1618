"""Chart and KPI queries: pure functions (con, filters, ...) -> DataFrame.

They read the rollups (cube, sku_cube, retailer_month) and the masters; only drill-downs to
single retailers read raw order lines. Values are bound parameters, named (`$year`, `$mask`, the
filters' `$district_0` …); any identifier a caller chooses (a breakdown dimension, a sort key) must
come from the allow-lists here.

Scope (who may see what, analytics/access.py) is enforced twice. `Filters.where()` intersects the
chosen districts with the scope's; and every statement runs through `_df`, which, under a limited
scope, puts in front of it CTEs named like the tables it reads (`WITH cube AS (SELECT * FROM
main.cube WHERE district IN …)`): a CTE shadows the table of its name, so a statement that forgot
its WHERE still reads only the scope's rows. See "Scope" in docs/architecture.md.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import duckdb
import numpy as np
import pandas as pd

from . import metrics
from .access import ALL, EVERYTHING, Scope
from .contract import LOW_TIER_CLASS, PRICE_CLASSES
from .filters import Filters
from .rollups import CUT_MONTH_SKUS, CUT_PREFIX, CUT_ROLLUPS, PEER_TABLES, ROLLUPS, SUSPECT_RETAILER_TABLES, as_of_cut, month_mask

#: breakdown dimensions a caller may ask for -> SQL column (identical in cube, sku_cube, retailers)
DIMENSIONS = {
    "district": "district",
    "area_type": "area_type",
    "business_format": "business_format",
    "customer_tier": "customer_tier",
    "manager": "manager",
}
#: dimensions whose values are named only within a district: a 客户经理 is a person, and two districts
#: may each have one of the same name, so a breakdown by manager groups by district and manager
WITHIN_DISTRICT = ("manager",)
#: retailer-table sort keys a caller may ask for
RETAILER_SORTS = {"volume": "qty DESC", "yoy": "yoy_pct ASC NULLS LAST", "change": "change_cartons ASC", "name": "retailer_name"}


def _dim(name: str) -> str:
    if name not in DIMENSIONS:
        raise ValueError(f"unknown dimension {name!r}; allowed: {', '.join(DIMENSIONS)}")
    return DIMENSIONS[name]


def _by(by: str | None) -> tuple[list[str], str]:
    """The columns a breakdown by `by` groups by (none without one), and the condition its rows meet:
    by manager, the district too, and only retailers with a manager (those without one belong to their
    district's figures, never to a manager's row; a NULL key would also never join its own counts)."""
    if not by:
        return [], ""
    col = _dim(by)
    if by in WITHIN_DISTRICT:
        return ["district", col], f" AND COALESCE({col}, '') <> ''"  # blank: the loader's word for none
    return [col], ""


# --- scope: every table a statement reads, cut to what the scope may see -----------------------

#: tables with one row per retailer (or per order line): cut to the scope's retailers, exactly,
#: whether the scope names districts or customer managers
RETAILER_TABLES = ("retailers", "retailer_month", "retailer_year", f"{CUT_PREFIX}retailer_month",
                   f"{CUT_PREFIX}retailer_year", "orders",
                   *SUSPECT_RETAILER_TABLES,  # --- #14 suspects ---
                   # --- #14 brands ---
                   "retailer_sku_month", f"{CUT_PREFIX}retailer_sku_month")
#: the retailer rollups (one row per retailer and period, no segment columns)
_RETAILER_ROLLUPS = ("retailer_month", "retailer_year", "retailer_sku_month", *SUSPECT_RETAILER_TABLES)
#: tables with one row per segment (district, customer manager, area type, format, tier; see
#: rollups.SEGMENT_COLUMNS): cut by their own district and manager columns, exactly as the master is
SEGMENT_TABLES = tuple(
    [n for n in ROLLUPS if n not in (*_RETAILER_ROLLUPS, "year_dates", *PEER_TABLES)]
    + [CUT_PREFIX + n for n in CUT_ROLLUPS if n not in _RETAILER_ROLLUPS] + [CUT_MONTH_SKUS]
    # 任务 (analytics/state.py::create_targets): a district's own rows (manager NULL) are in no manager's scope
    + ["targets"]
)
#: tables that say nothing about any retailer or district: the SKU master, and each year's first and
#: last order date (the data period every page prints, the same for every scope)
UNSCOPED_TABLES = ("skus", "year_dates",
                   # --- #14 suspects --- the peers' figures: aggregates of at least SUSPECTS.min_peers retailers
                   # of a (year, 城乡, 业态, 档位) company-wide, naming no district, manager or retailer (rollups.py)
                   *PEER_TABLES)


def _names_clause(column: str, names: tuple[str, ...], prefix: str) -> tuple[str, dict]:
    named = {f"{prefix}_{k}": v for k, v in enumerate(names)}
    return (f"{column} IN ({', '.join('$' + n for n in named)})" if named else "FALSE"), named


def scoped_sql(sql: str, scope: Scope) -> tuple[str, dict]:
    """`sql` with the tables it names shadowed by CTEs of the scope's rows, and their parameters
    (`$scope_district_0`, `$scope_manager_0` …). An unlimited scope returns `sql` as it is.
    A row whose district or manager is NULL is in no list, so in no scope that limits that column."""
    if not scope.partial:
        return sql, {}
    used = {name for name in (*RETAILER_TABLES, *SEGMENT_TABLES) if re.search(rf"\b{name}\b", sql)}
    if not used:
        return sql, {}
    parts, params = [], {}
    if scope.districts is not ALL:
        clause, named = _names_clause("district", scope.districts, "scope_district")
        parts.append(clause)
        params |= named
    if scope.managers is not ALL:
        clause, named = _names_clause("manager", scope.managers, "scope_manager")
        parts.append(clause)
        params |= named
    where = " AND ".join(parts)
    # `retailers` first: the other retailer tables keep the rows of its retailers (a retailer not in
    # the master belongs to no district, so to no limited scope)
    ctes = [f"retailers AS (SELECT * FROM main.retailers WHERE {where})"]
    ctes += [f"{n} AS (SELECT * FROM main.{n} WHERE retailer_id IN (SELECT retailer_id FROM retailers))"
             for n in RETAILER_TABLES[1:] if n in used]
    ctes += [f"{n} AS (SELECT * FROM main.{n} WHERE {where})" for n in SEGMENT_TABLES if n in used]
    head = sql.lstrip()
    if re.match(r"(?i)WITH\s", head):
        return f"WITH {', '.join(ctes)}, {head[4:].lstrip()}", params
    return f"WITH {', '.join(ctes)} {head}", params


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: dict, scope: Scope) -> pd.DataFrame:
    """Run a statement under a scope (see scoped_sql): every query's one way to the data."""
    sql, extra = scoped_sql(sql, scope)
    cur = con.cursor()  # one cursor per query: the connection is shared between threads
    try:
        return cur.execute(sql, params | extra).df()
    finally:
        cur.close()


def _whole_year(f: Filters) -> bool:
    return (f.month_from, f.month_to) == (1, 12)


def _cube(f: Filters) -> str:
    """The whole-year cube when no month range is chosen (twelve times smaller), else the monthly one."""
    return "cube_year" if _whole_year(f) else "cube"


def _years_clause(f: Filters, alias: str = "") -> tuple[str, dict]:
    """`year IN ($year, $compare_year)` for the years f names (none: no rows)."""
    p = f"{alias}." if alias else ""
    named = {k: v for k, v in (("year", f.year), ("compare_year", f.compare_year)) if v is not None}
    return (f"{p}year IN ({', '.join('$' + k for k in named)})" if named else "FALSE"), named


def _customers(f: Filters, by: str | None = None) -> tuple[str, str, dict]:
    """The master's retailers in f's segment (the 网订率 denominator), per `by` dimension when given:
    the body of a CTE `n` with a `customers` column, the join that attaches it, and its parameters."""
    seg, params = f.where(months=False)
    group, cond = _by(by)
    if group:
        key = ", ".join(group)
        return (f"SELECT {key}, COUNT(*) AS customers FROM retailers WHERE {seg}{cond} GROUP BY ALL", f"LEFT JOIN n USING ({key})",
                params)
    return f"SELECT COUNT(*) AS customers FROM retailers WHERE {seg}", "CROSS JOIN n", params


# --- what the data holds ---------------------------------------------------------------------

def years(con: duckdb.DuckDBPyConnection, scope: Scope = EVERYTHING) -> list[int]:
    """The years with orders (the scope's)."""
    return [int(y) for y in _df(con, "SELECT DISTINCT year FROM cube_year ORDER BY year", {}, scope)["year"]]


def dimension_values(con: duckdb.DuckDBPyConnection, dim: str, scope: Scope = EVERYTHING) -> list:
    """The values of a dimension among the scope's retailers (the sidebar offers nothing else)."""
    col = _dim(dim)
    frame = _df(con, f"SELECT DISTINCT {col} AS v FROM retailers WHERE {col} IS NOT NULL ORDER BY v", {}, scope)
    return frame["v"].tolist()


def districts(con: duckdb.DuckDBPyConnection, scope: Scope = EVERYTHING) -> list[str]:
    return [str(v) for v in dimension_values(con, "district", scope)]


def master_names(con: duckdb.DuckDBPyConnection) -> tuple[list[str], list[str]]:
    """Every district and customer manager of the retailer master: what an access file may name."""
    rows = _df(con, "SELECT DISTINCT district, manager FROM retailers", {}, EVERYTHING)
    return (sorted(str(d) for d in rows["district"].dropna().unique()),
            sorted(str(m) for m in rows["manager"].dropna().unique()))


def data_period(con: duckdb.DuckDBPyConnection) -> tuple[str, str] | None:
    """The first and last order date in the data (YYYY-MM-DD), or None without data."""
    row = _df(con, "SELECT MIN(first_date) lo, MAX(last_date) hi FROM year_dates", {}, EVERYTHING)
    if row.empty or pd.isna(row["lo"].iloc[0]):
        return None
    return pd.Timestamp(row["lo"].iloc[0]).date().isoformat(), pd.Timestamp(row["hi"].iloc[0]).date().isoformat()


@dataclass(frozen=True)
class Catalog:
    """What the data hold, for the sidebar's choices and the link parser: years, districts, segment
    values, the data period (first and last order date) and when the data last changed."""

    years: list[int]
    districts: list[str]
    area_types: list[str]
    business_formats: list[str]
    period: tuple[str, str] | None
    updated: str | None = None
    #: each district's customer managers (of the scope's retailers), for the sidebar's 客户经理 choice
    managers: dict[str, list[str]] = field(default_factory=dict)

    def managers_of(self, districts: Sequence[str] = ()) -> list[str]:
        """The managers of these districts (of every district when none is named), each name once: a
        name two districts share is one choice, and the district filter tells the two apart."""
        names = (m for d, ms in self.managers.items() if not districts or d in districts for m in ms)
        return sorted(set(names))


def district_managers(con: duckdb.DuckDBPyConnection, scope: Scope = EVERYTHING) -> dict[str, list[str]]:
    """Each district's customer managers among the scope's retailers (a retailer without one adds none)."""
    # a blank manager (the loader's for none) is nobody's name: no choice, as NULL is none
    rows = _df(con, "SELECT DISTINCT district, manager FROM retailers WHERE district IS NOT NULL AND COALESCE(manager, '') <> ''"
                    " ORDER BY district, manager", {}, scope)
    out: dict[str, list[str]] = {}
    for district, manager in zip(rows["district"], rows["manager"], strict=True):
        out.setdefault(str(district), []).append(str(manager))
    return out


def catalog(con: duckdb.DuckDBPyConnection, updated: str | None = None, scope: Scope = EVERYTHING) -> Catalog:
    """The Catalog of the data behind `con` that `scope` may see (its districts only, so the sidebar
    and the link parser offer no other); `updated` is the store's last change (not in the rollups)."""
    return Catalog(years=years(con, scope), districts=districts(con, scope),
                   area_types=dimension_values(con, "area_type", scope),
                   business_formats=[v for v in dimension_values(con, "business_format", scope) if v],
                   period=data_period(con), updated=updated, managers=district_managers(con, scope))


@dataclass(frozen=True)
class Period:
    """Which days a figure for f.year covers and which days of f.compare_year it is compared with.

    The selected year runs from the first day of the month filter to the end of its last month, or
    to the as-of date when the year is incomplete (the last order date of the last year in the data,
    before 31 December). The comparison is the same month and day range of the comparison year
    (同期); 29 February maps to 28 February."""

    year: int
    start: dt.date
    end: dt.date
    compare_year: int | None
    compare_start: dt.date | None
    compare_end: dt.date | None
    as_of: dt.date | None  # the selected year's last order date in the data (None: no data that year)
    cut: bool  # the year is incomplete, so its comparison is cut at the as-of date


def period(con: duckdb.DuckDBPyConnection, f: Filters) -> Period | None:
    """The days f's figures cover (see Period); None without a selected year."""
    if f.year is None:
        return None
    row = _df(con, "SELECT last_date FROM year_dates WHERE year = $year", {"year": int(f.year)}, EVERYTHING)
    as_of = None if row.empty or pd.isna(row["last_date"].iloc[0]) else pd.Timestamp(row["last_date"].iloc[0]).date()
    start = dt.date(f.year, f.month_from, 1)
    end = metrics.month_end(f.year, f.month_to)
    cut_day = _cut_day(con, f)
    cut = cut_day is not None and cut_day < end
    if cut:
        end = cut_day
    cy = f.compare_year
    return Period(year=f.year, start=start, end=end, compare_year=cy,
                  compare_start=None if cy is None else metrics.same_day(cy, start),
                  compare_end=None if cy is None else metrics.same_day(cy, end), as_of=as_of, cut=cut)


def _cut_day(con: duckdb.DuckDBPyConnection, f: Filters) -> dt.date | None:
    """The day in f.year up to which f's years are compared: the as-of date of the incomplete last
    year when it is f.year or f.compare_year (a whole year against an incomplete one is cut at the
    same month and day too: like for like, whichever side is incomplete), and f's months start
    before it. None: whole months."""
    cut = as_of_cut(con)
    if cut is None or cut[0] not in (f.year, f.compare_year):
        return None
    day = metrics.same_day(f.year, cut[1])
    return None if dt.date(f.year, f.month_from, 1) > day else day


def _t(con: duckdb.DuckDBPyConnection, f: Filters) -> str:
    """The prefix of the rollups a comparison of f.year reads: the to-date twins when f.year is the
    incomplete last year (its own rows are the same in both; other years are cut at its as-of date)."""
    return CUT_PREFIX if _cut_day(con, f) is not None else ""


# --- KPIs --------------------------------------------------------------------------------------

_CUBE_SUMS = (
    "SUM(qty)::BIGINT AS qty, SUM(amount)::DOUBLE AS amount, SUM(provincial_qty)::BIGINT AS provincial_qty,"
    " SUM(online_qty)::BIGINT AS online_qty, "
    + ", ".join(f"SUM(class{c}_qty)::BIGINT AS class{c}_qty" for c in PRICE_CLASSES)
)


def customers(con: duckdb.DuckDBPyConnection, f: Filters) -> int:
    """Retailers in the master within the segment filters (the 网订率 denominator)."""
    sql, _, params = _customers(f)
    return int(_df(con, sql, params, f.scope)["customers"].iloc[0])


def kpi_totals(con: duckdb.DuckDBPyConnection, f: Filters, by: str | None = None) -> pd.DataFrame:
    """Raw sums per year (and per `by` dimension) in one statement: volumes in 条, amount, online and
    ordering customers (whole years: counted in cube_year; month ranges: from retailer_year's month
    masks) and the master's customers."""
    group, cond = _by(by)
    g = "".join(f", {c}" for c in group)
    where, params = f.where()
    where += cond
    seg, _ = f.where(months=False)  # its parameters are among where's
    seg += cond
    ywhere, yparams = _years_clause(f)
    base, join_n, nparams = _customers(f, by)
    params = yparams | params | nparams
    t = _t(con, f)
    if _whole_year(f):
        # whole years: the yearly customer counts are in cube_year (additive across segments)
        frame = _df(
            con,
            f"""WITH v AS (SELECT year{g}, {_CUBE_SUMS}, SUM(online_customers)::BIGINT AS online_customers,
                                  SUM(ordering_customers)::BIGINT AS ordering_customers
                           FROM {t}cube_year WHERE {ywhere} AND {where} GROUP BY ALL),
                     n AS ({base})
                SELECT * FROM v {join_n}""",
            params, f.scope,
        )
    else:
        frame = _df(
            con,
            f"""WITH v AS (SELECT year{g}, {_CUBE_SUMS} FROM {t}cube WHERE {ywhere} AND {where} GROUP BY ALL),
                     c AS (SELECT year{g}, COUNT(*) FILTER (online_mask & $mask != 0) AS online_customers,
                                  COUNT(*) FILTER (order_mask & $mask != 0) AS ordering_customers
                           FROM {t}retailer_year WHERE {ywhere} AND {seg} GROUP BY ALL),
                     n AS ({base})
                SELECT * FROM v FULL JOIN c USING (year{g}) {join_n}""",
            params | {"mask": month_mask(f.month_from, f.month_to)}, f.scope,
        )
    keys = ["year"] + group  # DIMENSIONS name each column as it is called
    num = [c for c in frame.columns if c not in keys]
    frame[num] = frame[num].fillna(0)
    return frame.sort_values(keys).reset_index(drop=True)


def _row(totals: pd.DataFrame, year: int | None) -> pd.Series | None:
    if year is None:
        return None
    hit = totals[totals["year"] == year]
    return None if hit.empty else hit.iloc[0]


@dataclass(frozen=True)
class Summary:
    """The seed's annual table for f.year against f.compare_year (queries.summary): what the KPI cards,
    the annual table, the written summary, the key numbers and `summary --json` read. Volumes in 箱,
    shares and YoY in %, prices in 元; None where a figure is missing (no comparison, a zero base).
    The class_* fields are keyed by price class as text, "1" … "5" (the JSON's keys)."""

    year: int | None
    compare_year: int | None
    # which days are compared: the same period of the comparison year when f.year is incomplete
    as_of: str | None
    period_start: str | None
    period_end: str | None
    compare_period_start: str | None
    compare_period_end: str | None
    period_cut: bool
    volume_cases: float | None
    volume_cases_prev: float | None
    volume_yoy_pct: float | None
    volume_change_cases: float | None
    provincial_cases: float | None
    provincial_cases_prev: float | None
    provincial_yoy_pct: float | None
    provincial_share_pct: float | None
    provincial_share_pct_prev: float | None
    avg_price_per_carton: float | None
    avg_price_per_carton_prev: float | None
    avg_price_yoy_pct: float | None
    case_value: float | None
    case_value_prev: float | None
    class_cases: dict[str, float | None]
    class_cases_prev: dict[str, float | None]
    class_yoy_pct: dict[str, float | None]
    class_share_pct: dict[str, float | None]
    class_share_pct_prev: dict[str, float | None]
    online_customers: int | None
    online_customers_prev: int | None
    customers: int
    online_rate_pct: float | None
    online_rate_pct_prev: float | None
    ordering_customers: int | None
    online_rate_ordering_pct: float | None
    online_volume_share_pct: float | None
    low_tier_cases: float | None
    low_tier_yoy_pct: float | None
    low_tier_share_pct: float | None

    def to_dict(self) -> dict:
        """The fields in order, as `summary --json` writes them."""
        return asdict(self)


def summary(con: duckdb.DuckDBPyConnection, f: Filters) -> Summary:
    """The seed's annual table for f.year vs f.compare_year, every definition from metrics."""
    totals = kpi_totals(con, f)
    cur, prev = _row(totals, f.year), _row(totals, f.compare_year)

    def val(row: pd.Series | None, col: str) -> float | None:
        return None if row is None else float(row[col])

    qty, qty_p = val(cur, "qty"), val(prev, "qty")
    prov, prov_p = val(cur, "provincial_qty"), val(prev, "provincial_qty")
    online = val(cur, "online_customers")
    n_customers = int(totals["customers"].iloc[0]) if len(totals) else customers(con, f)
    span = period(con, f)
    iso = lambda d: None if d is None else d.isoformat()  # noqa: E731
    classes = {str(c): metrics.cases(val(cur, f"class{c}_qty")) for c in PRICE_CLASSES}
    class_yoy = {str(c): metrics.yoy_pct(val(cur, f"class{c}_qty"), val(prev, f"class{c}_qty")) for c in PRICE_CLASSES}
    class_share = {str(c): metrics.share_pct(val(cur, f"class{c}_qty"), qty) for c in PRICE_CLASSES}
    low = str(LOW_TIER_CLASS)
    return Summary(
        year=f.year,
        compare_year=f.compare_year,
        as_of=iso(span.as_of) if span else None,
        period_start=iso(span.start) if span else None,
        period_end=iso(span.end) if span else None,
        compare_period_start=iso(span.compare_start) if span else None,
        compare_period_end=iso(span.compare_end) if span else None,
        period_cut=bool(span.cut) if span else False,
        volume_cases=metrics.cases(qty),
        volume_cases_prev=metrics.cases(qty_p),
        volume_yoy_pct=metrics.yoy_pct(qty, qty_p),
        volume_change_cases=None if qty is None or qty_p is None else metrics.cases(qty - qty_p),
        provincial_cases=metrics.cases(prov),
        provincial_cases_prev=metrics.cases(prov_p),
        provincial_yoy_pct=metrics.yoy_pct(prov, prov_p),
        provincial_share_pct=metrics.share_pct(prov, qty),
        provincial_share_pct_prev=metrics.share_pct(prov_p, qty_p),
        avg_price_per_carton=metrics.avg_price(val(cur, "amount"), qty),
        avg_price_per_carton_prev=metrics.avg_price(val(prev, "amount"), qty_p),
        avg_price_yoy_pct=metrics.yoy_pct(metrics.avg_price(val(cur, "amount"), qty), metrics.avg_price(val(prev, "amount"), qty_p)),
        case_value=metrics.case_value(val(cur, "amount"), qty),
        case_value_prev=metrics.case_value(val(prev, "amount"), qty_p),
        class_cases=classes,
        class_cases_prev={str(c): metrics.cases(val(prev, f"class{c}_qty")) for c in PRICE_CLASSES},
        class_yoy_pct=class_yoy,
        class_share_pct=class_share,
        class_share_pct_prev={str(c): metrics.share_pct(val(prev, f"class{c}_qty"), qty_p) for c in PRICE_CLASSES},
        online_customers=None if online is None else int(online),
        online_customers_prev=None if prev is None else int(prev["online_customers"]),
        customers=n_customers,
        online_rate_pct=metrics.online_rate(online, n_customers),
        online_rate_pct_prev=None if prev is None else metrics.online_rate(float(prev["online_customers"]), n_customers),
        ordering_customers=None if cur is None else int(cur["ordering_customers"]),
        online_rate_ordering_pct=None if cur is None
        else metrics.share_pct(float(cur["online_customers"]), float(cur["ordering_customers"])),
        online_volume_share_pct=None if cur is None else metrics.share_pct(float(cur["online_qty"]), qty),
        low_tier_cases=classes[low],
        low_tier_yoy_pct=class_yoy[low],
        low_tier_share_pct=class_share[low],
    )


def breakdown(con: duckdb.DuckDBPyConnection, f: Filters, by: str = "district") -> pd.DataFrame:
    """One row per value of `by` (a district, an area type, a format, a tier): each KPI for f.year and
    its YoY against f.compare_year; the district comparison, and the per-segment tables."""
    keys, _ = _by(by)  # by manager: each row names its district too
    totals = kpi_totals(con, f, by=by)
    cur = totals[totals["year"] == f.year]
    prev = totals[totals["year"] == f.compare_year].set_index(keys).reindex(pd.MultiIndex.from_frame(cur[keys]) if len(keys) > 1
                                                                           else cur[by])

    def c(col: str) -> np.ndarray:  # numpy columns: the same definitions, without per-Series overhead
        return cur[col].to_numpy(dtype="float64")

    def p(col: str) -> np.ndarray:
        return prev[col].to_numpy(dtype="float64")

    low = f"class{LOW_TIER_CLASS}_qty"
    price = metrics.avg_price(c("amount"), c("qty"))
    share = metrics.share_pct(c("provincial_qty"), c("qty"))
    rate = metrics.online_rate(c("online_customers"), c("customers"))
    return pd.DataFrame({
        **{k: cur[k].to_numpy() for k in keys},
        "customers": c("customers").astype("int64"),
        "volume_cases": metrics.cases(c("qty")),
        "volume_yoy_pct": metrics.yoy_pct(c("qty"), p("qty")),
        "avg_price": price,
        "avg_price_yoy_pct": metrics.yoy_pct(price, metrics.avg_price(p("amount"), p("qty"))),
        "case_value": metrics.case_value(c("amount"), c("qty")),
        "class12_share_pct": metrics.share_pct(c("class1_qty") + c("class2_qty"), c("qty")),
        "provincial_share_pct": share,
        "provincial_share_change_pp": share - metrics.share_pct(p("provincial_qty"), p("qty")),
        "online_rate_pct": rate,
        "online_rate_change_pp": rate - metrics.online_rate(p("online_customers"), p("customers")),
        "low_tier_cases": metrics.cases(c(low)),
        "low_tier_yoy_pct": metrics.yoy_pct(c(low), p(low)),
    })


# --- 价类结构 ------------------------------------------------------------------------------------

def class_by_period(con: duckdb.DuckDBPyConnection, f: Filters, grain: str = "month", by: str | None = None) -> pd.DataFrame:
    """Class volumes (箱) and shares (%) per month or per year of f.years, optionally per dimension."""
    if grain not in ("month", "year"):
        raise ValueError("grain must be 'month' or 'year'")
    period = "year, month" if grain == "month" else "year"
    cols, cond = _by(by)
    group = "".join(f", {c}" for c in cols)
    where, params = f.where()
    where += cond
    ywhere, yparams = _years_clause(f)
    sums = ", ".join(f"SUM(class{c}_qty)::BIGINT AS \"{c}\"" for c in PRICE_CLASSES)
    # yearly figures compare the same period (同期); monthly series show whole months
    table = _t(con, f) + _cube(f) if grain == "year" else "cube"
    wide = _df(con, f"SELECT {period}{group}, {sums} FROM {table} WHERE {ywhere} AND {where} GROUP BY ALL", yparams | params,
               f.scope)
    keys = ["year"] + (["month"] if grain == "month" else []) + cols
    frame = wide.melt(id_vars=keys, var_name="price_class", value_name="qty")
    frame["price_class"] = frame["price_class"].astype(int)
    frame = frame[frame["qty"] > 0].sort_values(keys + ["price_class"]).reset_index(drop=True)
    frame["cases"] = metrics.cases(frame["qty"])
    frame["share_pct"] = metrics.share_pct(frame["qty"], frame.groupby(keys)["qty"].transform("sum"))
    return frame


def class_yoy(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """The seed's class table: per class this year, last year, change (箱) and YoY (%)."""
    s = summary(con, f)
    rows = []
    for c in PRICE_CLASSES:
        k = str(c)
        cur, prev = s.class_cases[k], s.class_cases_prev[k]
        rows.append({
            "price_class": c,
            "cases": cur,
            "cases_prev": prev,
            "change_cases": None if cur is None or prev is None else cur - prev,
            "yoy_pct": s.class_yoy_pct[k],
            "share_pct": s.class_share_pct[k],
        })
    return pd.DataFrame(rows)


def pace(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Volume progress against time (时间进度 vs 销量进度), month by month, for f.year and
    f.compare_year: cumulative volume, and that volume as % of the compare year's whole-year volume
    (the yardstick when no annual target is loaded) beside the share of the year elapsed by the end
    of each month (by the as-of date in the incomplete last month).

    Pace is about whole years, so the month filter does not apply. progress_pct is missing when the
    data do not cover the whole compare year (a partial year is no yardstick)."""
    where, params = f.where(months=False)
    ywhere, yparams = _years_clause(f)
    frame = _df(con, f"SELECT year, month, SUM(qty)::BIGINT AS qty FROM cube WHERE {ywhere} AND {where} "
                     "GROUP BY ALL ORDER BY ALL", yparams | params, f.scope)
    frame["cum_qty"] = frame.groupby("year")["qty"].cumsum()
    frame["cum_cases"] = metrics.cases(frame["cum_qty"])
    reference = int(frame.loc[frame["year"] == f.compare_year, "qty"].sum()) if _whole(con, f.compare_year) else 0
    frame["progress_pct"] = metrics.share_pct(frame["cum_qty"], reference)  # a zero yardstick gives missing values
    cut = as_of_cut(con)
    # each point stands at the end of its month, or at the as-of date in the incomplete last month
    frame["through"] = [cut[1] if cut and (cut[0], cut[1].month) == (y, m) else metrics.month_end(y, m)
                        for y, m in zip(frame["year"].astype(int), frame["month"].astype(int), strict=True)]
    frame["time_pct"] = [metrics.time_progress_pct(d) for d in frame["through"]]
    return frame


def _whole(con: duckdb.DuckDBPyConnection, year: int | None) -> bool:
    """Whether the data cover `year` from January to its end (not the incomplete last year)."""
    if year is None:
        return False
    row = _df(con, "SELECT first_date FROM year_dates WHERE year = $year", {"year": int(year)}, EVERYTHING)
    if row.empty or pd.Timestamp(row["first_date"].iloc[0]).month != 1:
        return False
    cut = as_of_cut(con)
    return cut is None or cut[0] != year


# --- 省产烟 ----------------------------------------------------------------------------------------

def provincial_by_period(con: duckdb.DuckDBPyConnection, f: Filters, grain: str = "month", by: str | None = None) -> pd.DataFrame:
    """Provincial volume and share per month (or year), optionally per dimension."""
    period = "year, month" if grain == "month" else "year"
    cols, cond = _by(by)
    group = "".join(f", {c}" for c in cols)
    where, params = f.where()
    where += cond
    ywhere, yparams = _years_clause(f)
    frame = _df(
        con,
        f"""SELECT {period}{group}, SUM(qty)::BIGINT AS qty, SUM(provincial_qty)::BIGINT AS provincial_qty
            FROM {_t(con, f) + _cube(f) if grain == "year" else "cube"} WHERE {ywhere} AND {where} GROUP BY ALL ORDER BY ALL""",
        yparams | params, f.scope,
    )
    frame["cases"] = metrics.cases(frame["qty"])
    frame["provincial_cases"] = metrics.cases(frame["provincial_qty"])
    frame["share_pct"] = metrics.share_pct(frame["provincial_qty"], frame["qty"])
    return frame


def top_brands(con: duckdb.DuckDBPyConnection, f: Filters, level: str = "brand", provincial: bool | None = None,
               limit: int = 10) -> pd.DataFrame:
    """Top brands (or specifications) by volume in f.year, with the compare year and YoY."""
    if level not in ("brand", "sku"):
        raise ValueError("level must be 'brand' or 'sku'")
    if level == "brand" and _whole_year(f):
        # brand_year already carries brand and provincial flag: no join, a small table
        source, col, flag = f"{_t(con, f)}brand_year c", "c.brand", "c.is_provincial"
    else:
        table = _t(con, f) + ("sku_year" if _whole_year(f) else "sku_cube")
        source, col, flag = f"{table} c JOIN skus s USING (sku_id)", {"brand": "s.brand", "sku": "s.sku_name"}[level], "s.is_provincial"
    where, params = f.where(alias="c")
    prov = "" if provincial is None else f" AND {flag} = $provincial"
    pparams = {} if provincial is None else {"provincial": bool(provincial)}
    frame = _df(
        con,
        f"""SELECT {col} AS name, ANY_VALUE({flag}) AS is_provincial,
                   COALESCE(SUM(c.qty) FILTER (c.year = $year), 0)::BIGINT AS qty,
                   COALESCE(SUM(c.qty) FILTER (c.year = $compare_year), 0)::BIGINT AS qty_prev,
                   SUM(c.amount) FILTER (c.year = $year) AS amount
            FROM {source}
            WHERE c.year IN ($year, $compare_year) AND {where}{prov}
            GROUP BY {col} HAVING qty > 0 ORDER BY qty DESC, name LIMIT $limit""",
        {"year": f.year, "compare_year": f.compare_year, "limit": int(limit)} | params | pparams, f.scope,
    )
    frame["cases"] = metrics.cases(frame["qty"])
    frame["cases_prev"] = metrics.cases(frame["qty_prev"])
    frame["yoy_pct"] = metrics.yoy_pct(frame["qty"], frame["qty_prev"])
    frame["avg_price"] = metrics.avg_price(frame["amount"], frame["qty"])
    return frame


# --- 网上订货 -----------------------------------------------------------------------------------------

def online_by_month(con: duckdb.DuckDBPyConnection, f: Filters, by: str | None = None) -> pd.DataFrame:
    """Per month: retailers ordering online, ordering at all, newly adopting, online volume share, 网订率."""
    cols, cond = _by(by)
    g = "".join(f", {c}" for c in cols)
    where, params = f.where()
    where += cond
    ywhere, yparams = _years_clause(f)
    base, join_n, nparams = _customers(f, by)
    frame = _df(
        con,
        f"""WITH c AS (SELECT year, month{g}, SUM(online_customers)::BIGINT AS online_customers,
                              SUM(ordering_customers)::BIGINT AS ordering_customers, SUM(new_online)::BIGINT AS new_online
                       FROM month_customers WHERE {ywhere} AND {where} GROUP BY ALL),
                 v AS (SELECT year, month{g}, SUM(online_qty)::BIGINT AS online_qty, SUM(qty)::BIGINT AS qty
                       FROM cube WHERE {ywhere} AND {where} GROUP BY ALL),
                 n AS ({base})
            SELECT c.*, v.online_qty, v.qty, n.customers FROM c JOIN v USING (year, month{g})
            {join_n} ORDER BY ALL""",
        yparams | params | nparams, f.scope,
    )
    frame["online_rate_pct"] = metrics.online_rate(frame["online_customers"], frame["customers"])
    frame["online_volume_share_pct"] = metrics.share_pct(frame["online_qty"], frame["qty"])
    return frame


def online_by_segment(con: duckdb.DuckDBPyConnection, f: Filters, by: str) -> pd.DataFrame:
    """网订率 per dimension value for f.year and f.compare_year."""
    totals = kpi_totals(con, f, by=by)
    totals["online_rate_pct"] = metrics.online_rate(totals["online_customers"], totals["customers"])
    totals["online_volume_share_pct"] = metrics.share_pct(totals["online_qty"], totals["qty"])
    return totals[["year", *_by(by)[0], "online_customers", "customers", "online_rate_pct", "online_volume_share_pct"]]


def retailers_not_online(con: duckdb.DuckDBPyConnection, f: Filters, limit: int = 500) -> pd.DataFrame:
    """Retailers in the segment with no online order line in f.year's months, biggest first: who to visit next."""
    f.scope.require_retailer_level("retailers_not_online")
    rwhere, rparams = f.where(alias="r", months=False)
    if _whole_year(f):
        volume, vparams = "SELECT retailer_id, qty FROM retailer_year WHERE year = $year", {}
    else:
        volume = ("SELECT retailer_id, SUM(qty) AS qty FROM retailer_month"
                  " WHERE year = $year AND month BETWEEN $month_from AND $month_to GROUP BY ALL")
        vparams = {"month_from": int(f.month_from), "month_to": int(f.month_to)}
    frame = _df(
        con,
        f"""WITH v AS ({volume})
            SELECT r.retailer_id, r.retailer_name, r.district, r.manager, r.area_type, r.business_format, r.customer_tier,
                   COALESCE(v.qty, 0)::BIGINT AS qty
            FROM retailers r LEFT JOIN retailer_year y ON y.retailer_id = r.retailer_id AND y.year = $year
                 LEFT JOIN v ON v.retailer_id = r.retailer_id
            WHERE {rwhere} AND COALESCE(y.online_mask, 0) & $mask = 0
            ORDER BY qty DESC, r.retailer_id LIMIT $limit""",
        {"year": f.year, "mask": month_mask(f.month_from, f.month_to), "limit": int(limit)} | vparams | rparams, f.scope,
    )
    frame["cases"] = metrics.cases(frame["qty"])
    return frame


# --- 低档烟 -----------------------------------------------------------------------------------------

def low_tier_by_period(con: duckdb.DuckDBPyConnection, f: Filters, grain: str = "month", by: str | None = None) -> pd.DataFrame:
    frame = class_by_period(con, f, grain=grain, by=by)
    return frame[frame["price_class"] == LOW_TIER_CLASS].reset_index(drop=True)


def retailer_table(con: duckdb.DuckDBPyConnection, f: Filters, sort: str = "volume", limit: int = 1000) -> pd.DataFrame:
    """Retailers with volume, 五类 volume and online status in f.year vs f.compare_year."""
    f.scope.require_retailer_level("retailer_table")
    if sort not in RETAILER_SORTS:
        raise ValueError(f"unknown sort {sort!r}; allowed: {', '.join(RETAILER_SORTS)}")
    rwhere, rparams = f.where(alias="r", months=False)
    mwhere, mparams = f.where(alias="m", segment=False)
    t = _t(con, f)  # the same period of f.compare_year when f.year is incomplete
    if _whole_year(f):
        # one retailer_year row per retailer and year: two lookups, no grouping
        # retailer_year carries the segment columns: filter both years before joining
        seg, _ = f.where(months=False)  # the same parameters as rwhere's
        volumes = f"""SELECT r.*, COALESCE(a.qty, 0)::BIGINT AS qty, COALESCE(b.qty, 0)::BIGINT AS qty_prev,
                             COALESCE(a.class5_qty, 0)::BIGINT AS class5_qty, COALESCE(b.class5_qty, 0)::BIGINT AS class5_qty_prev,
                             COALESCE(a.online_lines, 0) > 0 AS online, a.amount
                      FROM r LEFT JOIN (SELECT * FROM {t}retailer_year WHERE year = $year AND {seg}) a USING (retailer_id)
                             LEFT JOIN (SELECT * FROM {t}retailer_year WHERE year = $compare_year AND {seg}) b USING (retailer_id)"""
    else:
        volumes = f"""SELECT r.*, COALESCE(SUM(m.qty) FILTER (m.year = $year), 0)::BIGINT AS qty,
                             COALESCE(SUM(m.qty) FILTER (m.year = $compare_year), 0)::BIGINT AS qty_prev,
                             COALESCE(SUM(m.class5_qty) FILTER (m.year = $year), 0)::BIGINT AS class5_qty,
                             COALESCE(SUM(m.class5_qty) FILTER (m.year = $compare_year), 0)::BIGINT AS class5_qty_prev,
                             COALESCE(SUM(m.online_lines) FILTER (m.year = $year), 0) > 0 AS online,
                             SUM(m.amount) FILTER (m.year = $year) AS amount
                      FROM r LEFT JOIN {t}retailer_month m
                           ON m.retailer_id = r.retailer_id AND m.year IN ($year, $compare_year) AND {mwhere}
                      GROUP BY ALL"""
    frame = _df(
        con,
        f"""WITH r AS (SELECT r.retailer_id, r.retailer_name, r.district, r.manager, r.area_type, r.business_format,
                              r.customer_tier FROM retailers r WHERE {rwhere}),
                 t AS ({volumes})
            SELECT *, qty - qty_prev AS change_cartons,
                   CASE WHEN qty_prev > 0 THEN (qty - qty_prev) * 100.0 / qty_prev END AS yoy_pct
            FROM t ORDER BY {RETAILER_SORTS[sort]}, retailer_id LIMIT $limit""",
        {"year": f.year, "compare_year": f.compare_year, "limit": int(limit)} | rparams | mparams, f.scope,
    )
    frame["cases"] = metrics.cases(frame["qty"])
    frame["cases_prev"] = metrics.cases(frame["qty_prev"])
    frame["low_tier_cases"] = metrics.cases(frame["class5_qty"])
    frame["low_tier_cases_prev"] = metrics.cases(frame["class5_qty_prev"])
    frame["low_tier_change_cases"] = frame["low_tier_cases"] - frame["low_tier_cases_prev"]
    frame["avg_price"] = metrics.avg_price(frame["amount"], frame["qty"])
    return frame


def low_tier_decliners(con: duckdb.DuckDBPyConnection, f: Filters, limit: int = 20) -> pd.DataFrame:
    """Retailers whose 五类 volume fell most from f.compare_year to f.year (in 箱)."""
    f.scope.require_retailer_level("low_tier_decliners")
    frame = retailer_table(con, f, limit=1_000_000)
    frame = frame[frame["low_tier_change_cases"] < 0].sort_values(["low_tier_change_cases", "retailer_id"])
    return frame.head(limit).reset_index(drop=True)


def retailer_orders(con: duckdb.DuckDBPyConnection, f: Filters, retailer_id: str, year: int | None = None) -> pd.DataFrame:
    """Drill-down: one retailer's order lines in a year (f.year unless given; the only query that
    reads raw lines, on db.connect_lines). A retailer outside f's scope has no lines."""
    f.scope.require_retailer_level("retailer_orders")
    year = f.year if year is None else year
    return _df(
        con,
        """SELECT o.order_date, o.sku_id, s.sku_name, s.brand, s.price_class, o.quantity_cartons, o.amount_yuan, o.channel
           FROM orders o LEFT JOIN skus s USING (sku_id)
           WHERE o.retailer_id = $retailer_id AND o.order_date >= make_date($year, 1, 1) AND o.order_date < make_date($year + 1, 1, 1)
           ORDER BY o.order_date, o.sku_id""",
        {"retailer_id": str(retailer_id), "year": int(year)}, f.scope,
    )


def volume_swings(con: duckdb.DuckDBPyConnection, f: Filters, limit: int = 20, min_months: int = 6) -> pd.DataFrame:
    """Retailers whose monthly volume swings most in f.year (coefficient of variation of monthly
    条, months with no order counted as 0): candidates for a visit, or for 代订货 checks."""
    f.scope.require_retailer_level("volume_swings")
    # months after the data end have not happened yet: they are no months without orders
    last = _cut_day(con, f.with_(compare_year=None))
    months = range(int(f.month_from), min(int(f.month_to), last.month if last else 12) + 1)
    return swings_over(con, f, [(int(f.year), m) for m in months], limit=limit, min_months=min_months)


def swings_over(con: duckdb.DuckDBPyConnection, f: Filters, months: Sequence[tuple[int, int]], limit: int = 20,
                min_months: int = 6) -> pd.DataFrame:
    """volume_swings over any (year, month) list, a new year crossed (the visit list's last twelve months)."""
    f.scope.require_retailer_level("volume_swings")
    rwhere, rparams = f.where(alias="r", months=False)
    frame = _df(
        con,
        f"""WITH grid AS (
              SELECT r.retailer_id, r.retailer_name, r.district, r.manager, r.customer_tier, g.year, g.month
              FROM retailers r CROSS JOIN (SELECT unnest($years::INTEGER[]) AS year, unnest($months::INTEGER[]) AS month) g
              WHERE {rwhere}),
            monthly AS (
              SELECT g.*, COALESCE(m.qty, 0) AS qty FROM grid g
              -- only the years asked for are joined
              LEFT JOIN (SELECT * FROM retailer_month WHERE year BETWEEN $year_lo AND $year_hi) m
                ON m.retailer_id = g.retailer_id AND m.year = g.year AND m.month = g.month)
            SELECT retailer_id, retailer_name, district, manager, customer_tier,
                   SUM(qty)::BIGINT AS qty, COUNT(*) FILTER (qty > 0) AS active_months,
                   stddev_pop(qty) / NULLIF(avg(qty), 0) AS swing, MIN(qty) AS min_month_qty, MAX(qty) AS max_month_qty
            FROM monthly GROUP BY ALL HAVING active_months >= $min_months
            ORDER BY swing DESC NULLS LAST, retailer_id LIMIT $limit""",
        {"years": [int(y) for y, _ in months], "months": [int(m) for _, m in months],
         "year_lo": min((int(y) for y, _ in months), default=0), "year_hi": max((int(y) for y, _ in months), default=0),
         "min_months": min(int(min_months), len(months)), "limit": int(limit)} | rparams, f.scope,
    )
    frame["cases"] = metrics.cases(frame["qty"])
    frame["min_month_cases"] = metrics.cases(frame["min_month_qty"])
    frame["max_month_cases"] = metrics.cases(frame["max_month_qty"])
    return frame


def retailer_monthly(con: duckdb.DuckDBPyConnection, f: Filters, retailer_id: str) -> pd.DataFrame:
    """Drill-down: one retailer's monthly volume, 五类 and online volume in f.years (none for a
    retailer outside f's scope)."""
    f.scope.require_retailer_level("retailer_monthly")
    ywhere, yparams = _years_clause(f)
    frame = _df(
        con,
        f"""SELECT year, month, qty, class5_qty, online_qty, amount FROM retailer_month
            WHERE retailer_id = $retailer_id AND {ywhere} ORDER BY year, month""",
        {"retailer_id": str(retailer_id)} | yparams, f.scope,
    )
    frame["cases"] = metrics.cases(frame["qty"])
    frame["low_tier_cases"] = metrics.cases(frame["class5_qty"])
    frame["online_cases"] = metrics.cases(frame["online_qty"])
    frame["avg_price"] = metrics.avg_price(frame["amount"], frame["qty"])
    return frame
