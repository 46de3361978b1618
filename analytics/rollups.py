"""The rollups every chart reads, derived at load time from the live order lines.

Grains are chosen so that each chart is answered exactly and from a small table:

- `cube`: one row per (year, month, district, customer manager, area type, business format, tier) with the volume
  split into the measures the charts need (provincial, online, each price class) as columns, so a
  KPI row is a single scan of a table that grows with the segments, not with the lines.
- `sku_cube`: (year, month, segment, SKU) volumes for the top brands and specifications; `cube`
  is derived from it.
- `retailer_month`: one row per retailer and month, for retailer tables and drill-downs.
- `retailer_sku_month`: one row per retailer, SKU and month with a mask of the weeks it was ordered
  in, for brand cultivation (铺货率, 重购率: distinct retailers and weeks, which no coarser rollup keeps).
- `retailer_year`: one row per retailer and year with 12-bit month masks of when it ordered and
  when it ordered online. Distinct-retailer counts do not add up across months, but "ordered
  online in any month from March to June" is `online_mask & 0b111100 != 0`: exact for any month
  range without touching order lines.

Every sum is cast to BIGINT or DOUBLE (DuckDB sums integers to HUGEINT).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from .config import SUSPECTS
from .contract import PRICE_CLASSES
from .metrics import same_day

#: The order lines the line-level rollups read: every live line (an incremental build reads only the
#: years being rebuilt from it; see create_rollups).
LINES = "rollup_lines"


def _class_columns(qty: str, indent: str = "       ") -> str:
    """Each price class's volume as a column `class{k}_qty`, summing `qty` (SKU alias `s`)."""
    return ",\n".join(f"{indent}COALESCE(SUM({qty}) FILTER (s.price_class = {k}), 0)::BIGINT AS class{k}_qty" for k in PRICE_CLASSES)


_CLASS_COLUMNS = _class_columns("c.qty")

#: the retailer master's columns every segment rollup groups by. The customer manager is one of them
#: so that a scope of managers cuts these rollups exactly, as it cuts a district (analytics/queries.py
#: scoped_sql): a retailer has one manager, so a segment never mixes managers. A retailer without a
#: manager (NULL) forms segments of its own, counted for a district and never for a manager.
SEGMENT_COLUMNS = ("district", "manager", "area_type", "business_format", "customer_tier")


def _segment(alias: str) -> str:
    return ", ".join(f"{alias}{c}" for c in SEGMENT_COLUMNS)


SEGMENT = _segment("r.")


#: each price class's volume of a retailer's month (the 代订货 signals compare 一类+二类 with peers')
_LINE_CLASS_COLUMNS = _class_columns("g.qty", " " * 15)
# --- #14 suspects ---
#: retailer_year_months' month columns: volume qty_1..qty_12 and 一类+二类 class12_1..class12_12, in 条
_MONTH_COLUMNS = ",\n".join(
    f"                     SUM(CASE WHEN m.month = {k} THEN m.{col} ELSE 0 END)::BIGINT AS {name}_{k}"
    for name, col in (("qty", "qty"), ("class12", "class1_qty + m.class2_qty")) for k in range(1, 13))
#: each year's months in the data (CTE `d`: first and last month, how many)
_YEAR_MONTHS = """d AS (SELECT year, month(first_date) AS lo, month(last_date) AS hi, month(last_date) - month(first_date) + 1 AS months
                   FROM {p}year_dates)"""


def _sum_months(name: str) -> str:
    """The twelve month columns of retailer_year_months added up (a month outside the data holds 0)."""
    return " + ".join(f"y.{name}_{k}" for k in range(1, 13))


_CLASS_SUMS = ", ".join(f"SUM(class{c}_qty)::BIGINT AS class{c}_qty" for c in PRICE_CLASSES)
_SEGMENT_PLAIN = _segment("")
# segment columns may be NULL (a retailer without a manager): equal segments are NOT DISTINCT, not =
_SAME_SEGMENT = " AND ".join(f"c.{c} IS NOT DISTINCT FROM v.{c}" for c in SEGMENT_COLUMNS)

#: the week of the year an order line falls in, 0..53: weeks start on Monday, week 0 is the one holding
#: 1 January (so it may start in December; a week spanning New Year is two weeks, one per year)
#: = date_diff('day', date_trunc('week', make_date(year(d), 1, 1)), date_trunc('week', d)) // 7, in integers:
#: with n the days since Monday 1 January of year 1 (never negative: // truncates), n // 7 counts
#: Monday weeks, and 1 January is day n - dayofyear + 1. Per line, the calendar functions cost a
#: sixth of the one pass over the lines.
_DAYS = "(o.order_date - DATE '0001-01-01')"
_WEEK = f"{_DAYS} // 7 - ({_DAYS} - dayofyear(o.order_date) + 1) // 7"

#: The one pass over the order lines: every measure the line rollups need, at their common grain
#: (retailer × SKU × month), as a temporary table they derive from (create_rollups, create_cut_rollups).
#: Each line rollup used to read the lines itself: three 50M-line aggregations, most of a full
#: rebuild (docs/benchmark.md). Every measure adds up or takes a min/max/bit_or, so the derived
#: rollups are the same as those aggregated from the lines directly. The week is computed here since
#: only the lines know their day.
LINE_GRAIN = f"""
    SELECT o.retailer_id, year(o.order_date)::INTEGER AS year, month(o.order_date)::INTEGER AS month, o.sku_id,
           SUM(o.quantity_cartons)::BIGINT AS qty, SUM(o.amount_yuan)::DOUBLE AS amount, COUNT(*)::BIGINT AS lines,
           COALESCE(SUM(o.quantity_cartons) FILTER (o.channel = 'online'), 0)::BIGINT AS online_qty,
           COUNT(*) FILTER (o.channel = 'online')::BIGINT AS online_lines,
           MIN(o.order_date)::DATE AS first_order, MAX(o.order_date)::DATE AS last_order,
           MIN(o.order_date) FILTER (o.channel = 'online')::DATE AS first_online,
           bit_or(1::BIGINT << ({_WEEK}))::BIGINT AS week_mask
    FROM (SELECT * REPLACE (order_date::DATE AS order_date) FROM {{lines}}) o  -- extracts may hold timestamps
    GROUP BY ALL
"""
#: the temporary tables holding LINE_GRAIN of all lines and of the as-of month's (dropped once used)
GRAIN, CUT_GRAIN = "line_grain", "cut_line_grain"

#: In build order: later rollups read earlier ones. Only the first three are line rollups
#: (LINE_ROLLUPS), derived from the one pass LINE_GRAIN (`{grain}`); the rest derive from those.
ROLLUPS: dict[str, str] = {
    "sku_cube": f"""
        SELECT g.year, g.month, {SEGMENT}, g.sku_id,
               SUM(g.qty)::BIGINT AS qty, SUM(g.amount)::DOUBLE AS amount, SUM(g.lines)::BIGINT AS lines,
               SUM(g.online_qty)::BIGINT AS online_qty
        FROM {{grain}} g JOIN live_retailers r USING (retailer_id)
        GROUP BY ALL
    """,
    "retailer_month": f"""
        SELECT g.retailer_id, g.year, g.month,
               SUM(g.qty)::BIGINT AS qty, SUM(g.amount)::DOUBLE AS amount, SUM(g.lines)::BIGINT AS lines,
               SUM(g.online_qty)::BIGINT AS online_qty, SUM(g.online_lines)::BIGINT AS online_lines,
{_LINE_CLASS_COLUMNS},
               COALESCE(SUM(g.qty) FILTER (s.is_provincial), 0)::BIGINT AS provincial_qty,
               MIN(g.first_order)::DATE AS first_order, MAX(g.last_order)::DATE AS last_order,
               MIN(g.first_online)::DATE AS first_online
        FROM {{grain}} g JOIN live_skus s USING (sku_id)
        GROUP BY ALL
    """,
    # --- #14 brands ---
    # Brand cultivation counts retailers and the weeks they ordered a SKU in: bit w of week_mask is week
    # w of the year (_WEEK), so "ordered in two different weeks" over any months is bit_count(bit_or) >= 2,
    # exactly, also when a week spans two months. No master join: the queries join the retailer master
    # (scope, segment) and the SKU master (brand) on this table's keys.
    "retailer_sku_month": """
        SELECT retailer_id, year, month, sku_id, qty, lines, week_mask FROM {grain}
    """,
    # The first and last order date of each year: the as-of date of an incomplete year, and the
    # data period every page shows, to the day (the other rollups stop at months).
    "year_dates": """
        SELECT year, MIN(first_order)::DATE AS first_date, MAX(last_order)::DATE AS last_date
        FROM {p}retailer_month GROUP BY year
    """,
    # Volume per segment and month split into the measures the charts need (provincial, online,
    # each price class) as columns, so a KPI row is a single scan of a small table.
    "cube": f"""
        SELECT year, month, {_SEGMENT_PLAIN},
               SUM(c.qty)::BIGINT AS qty, SUM(c.amount)::DOUBLE AS amount, SUM(c.lines)::BIGINT AS lines,
               COALESCE(SUM(c.qty) FILTER (s.is_provincial), 0)::BIGINT AS provincial_qty,
               SUM(c.online_qty)::BIGINT AS online_qty,
{_CLASS_COLUMNS}
        FROM {{p}}sku_cube c JOIN live_skus s USING (sku_id)
        GROUP BY ALL
    """,
    "retailer_year": f"""
        SELECT m.retailer_id, m.year, {SEGMENT},
               SUM(m.qty)::BIGINT AS qty, SUM(m.amount)::DOUBLE AS amount, SUM(m.class5_qty)::BIGINT AS class5_qty,
               SUM(m.online_lines)::BIGINT AS online_lines,
               bit_or(CASE WHEN m.online_lines > 0 THEN 1 << (m.month - 1) ELSE 0 END)::INTEGER AS online_mask,
               bit_or(1 << (m.month - 1))::INTEGER AS order_mask,
               MIN(MIN(m.first_online)) OVER (PARTITION BY m.retailer_id)::DATE AS first_online_ever
        FROM {{p}}retailer_month m JOIN live_retailers r USING (retailer_id)
        GROUP BY m.retailer_id, m.year, {SEGMENT}
    """,
    # Retailers per segment and month: a retailer sits in one segment, so for a single month these
    # counts add up across segments exactly (month ranges use the masks of retailer_year instead).
    "month_customers": f"""
        SELECT m.year, m.month, {_segment("y.")},
               COUNT(*) FILTER (m.online_lines > 0)::BIGINT AS online_customers,
               COUNT(*) FILTER (m.qty > 0)::BIGINT AS ordering_customers,
               COUNT(*) FILTER (year(y.first_online_ever) = m.year AND month(y.first_online_ever) = m.month)::BIGINT AS new_online
        FROM {{p}}retailer_month m JOIN {{p}}retailer_year y ON y.retailer_id = m.retailer_id AND y.year = m.year
        GROUP BY ALL
    """,
    # Whole-year views: most pages show whole years, and a table twelve times smaller answers them
    # accordingly. Queries fall back to the monthly tables when a month range is chosen.
    # A retailer sits in one segment, so its yearly online/ordering status adds up across segments:
    # for a whole year the KPI row needs only this table.
    "cube_year": f"""
        WITH v AS (SELECT year, {_SEGMENT_PLAIN}, SUM(qty)::BIGINT AS qty, SUM(amount)::DOUBLE AS amount,
                          SUM(lines)::BIGINT AS lines, SUM(provincial_qty)::BIGINT AS provincial_qty,
                          SUM(online_qty)::BIGINT AS online_qty, {_CLASS_SUMS}
                   FROM {{p}}cube GROUP BY ALL),
             c AS (SELECT year, {_SEGMENT_PLAIN}, COUNT(*) FILTER (online_mask != 0)::BIGINT AS online_customers,
                          COUNT(*)::BIGINT AS ordering_customers
                   FROM {{p}}retailer_year GROUP BY ALL)
        SELECT v.*, COALESCE(c.online_customers, 0)::BIGINT AS online_customers,
               COALESCE(c.ordering_customers, 0)::BIGINT AS ordering_customers
        FROM v LEFT JOIN c ON c.year = v.year AND {_SAME_SEGMENT}
    """,
    "sku_year": f"""
        SELECT year, {_SEGMENT_PLAIN}, sku_id, SUM(qty)::BIGINT AS qty, SUM(amount)::DOUBLE AS amount
        FROM {{p}}sku_cube GROUP BY ALL
    """,
    "brand_year": f"""
        SELECT y.year, {_SEGMENT_PLAIN}, s.brand, s.is_provincial, SUM(y.qty)::BIGINT AS qty, SUM(y.amount)::DOUBLE AS amount
        FROM {{p}}sku_year y JOIN live_skus s USING (sku_id) GROUP BY ALL
    """,
    # --- #14 suspects ---
    # Each retailer's year in one row, its months as columns (volume qty_1..qty_12 and 一类+二类
    # class12_1..class12_12, in 条), with its name and segment: a district's list reads one small row per
    # retailer instead of scanning the year's retailer months (the 100 ms budget at the 50M bench size).
    "retailer_year_months": f"""
        SELECT w.*, r.retailer_name, {SEGMENT}
        FROM (SELECT m.retailer_id, m.year,
{_MONTH_COLUMNS}
              FROM {{p}}retailer_month m GROUP BY m.retailer_id, m.year) w
        JOIN live_retailers r USING (retailer_id)
    """,
    # Peers (同档位、同业态、同城乡, company-wide, per year) for the 代订货 signals (analytics/suspects.py):
    # aggregates only, and none for a group of fewer than SUSPECTS.min_peers retailers, so that no
    # scope learns one retailer's figures from them (queries.UNSCOPED_TABLES; docs/definitions.md).
    # A peer is a retailer with orders in the year; its months are the year's months in the data
    # (a month without its orders counts 0, a month after the data end does not count).
    "peer_year": f"""
        WITH {_YEAR_MONTHS},
             r AS (SELECT y.year, y.area_type, y.business_format, y.customer_tier,
                          ({_sum_months("qty")})::DOUBLE / d.months AS qty, ({_sum_months("class12")})::DOUBLE / d.months AS class12_qty,
                          ({_sum_months("class12")}) * 100.0 / NULLIF({_sum_months("qty")}, 0) AS class12_share_pct
                   FROM {{p}}retailer_year_months y JOIN d USING (year))
        SELECT year, area_type, business_format, customer_tier, COUNT(*)::BIGINT AS peers,
               median(qty)::DOUBLE AS median_qty, mad(qty)::DOUBLE AS mad_qty,
               median(class12_qty)::DOUBLE AS median_class12_qty, mad(class12_qty)::DOUBLE AS mad_class12_qty,
               median(class12_share_pct)::DOUBLE AS median_class12_share_pct, mad(class12_share_pct)::DOUBLE AS mad_class12_share_pct
        FROM r GROUP BY ALL HAVING COUNT(*) >= {SUSPECTS.min_peers}
    """,
    # the peers' band of each month (the drill-down draws a retailer's months against it)
    "peer_month": f"""
        WITH {_YEAR_MONTHS},
             u AS (SELECT year, area_type, business_format, customer_tier, unnest(range(1, 13)) AS month,
                          unnest([{", ".join(f"qty_{k}" for k in range(1, 13))}])::DOUBLE AS qty
                   FROM {{p}}retailer_year_months)
        SELECT year, month, area_type, business_format, customer_tier, peers,
               q[1]::DOUBLE AS p25_qty, q[2]::DOUBLE AS median_qty, q[3]::DOUBLE AS p75_qty
        FROM (SELECT u.year, u.month::INTEGER AS month, area_type, business_format, customer_tier, COUNT(*)::BIGINT AS peers,
                     quantile_cont(qty, [0.25, 0.5, 0.75]) AS q  -- one sort for the three
              FROM u JOIN d ON d.year = u.year AND u.month BETWEEN d.lo AND d.hi
              GROUP BY ALL HAVING COUNT(*) >= {SUSPECTS.min_peers})
    """,
}

# --- #14 suspects ---
#: the peers' aggregates: company-wide figures of groups of at least SUSPECTS.min_peers retailers, so
#: unscoped (analytics/queries.py UNSCOPED_TABLES): every scope may set its retailers against them
PEER_TABLES = ("peer_year", "peer_month")
#: one row per retailer and year (its months as columns): a retailer table, cut to the scope's retailers
SUSPECT_RETAILER_TABLES = ("retailer_year_months",)

#: The rollups derived from the order lines (LINE_GRAIN). Every row belongs to one year, so an incremental build
#: recomputes only the years whose lines changed and copies the others from the previous state.
LINE_ROLLUPS = ("sku_cube", "retailer_month", "retailer_sku_month")

def create_rollups(con, previous: Path | None = None, years: Iterable[int] = ()) -> None:
    """Create every rollup as a table on `con` (which must have live_orders, live_retailers and
    live_skus), in order. The build and the empty-state reader connection both use this, so their
    schemas cannot drift apart.

    With `previous` (the directory of a state built from the same masters by this code), only the
    order lines of `years` are read; the line-level rollups keep the previous state's rows for every
    other year. The caller guarantees that no live line outside `years` changed."""
    years = sorted({int(y) for y in years})
    con.execute(f"CREATE OR REPLACE VIEW {LINES} AS SELECT * FROM live_orders")
    # the years to read are bound, so the lines are filtered in each statement (a view takes no
    # parameters). Date ranges rather than year(): the bound values are folded before the scan, so
    # parquet row-group statistics still skip the other years.
    ranges = " OR ".join(f"(order_date >= make_date($y{k}, 1, 1) AND order_date < make_date($y{k} + 1, 1, 1))"
                         for k in range(len(years)))
    picked = {f"y{k}": y for k, y in enumerate(years)}
    lines = LINES if previous is None else f"(SELECT * FROM {LINES} WHERE {ranges or 'false'})"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {GRAIN} AS {LINE_GRAIN.format(lines=lines)}", picked)
    for name, template in ROLLUPS.items():
        sql = template.format(p="", grain=GRAIN)
        if previous is not None and name in LINE_ROLLUPS:
            con.execute(
                f"CREATE TABLE {name} AS SELECT * FROM ({sql}) UNION ALL BY NAME "
                "SELECT * FROM read_parquet($previous) WHERE year NOT IN (SELECT unnest($years::INTEGER[]))",
                {"previous": str(previous / f"{name}.parquet"), "years": years},
            )
        else:
            con.execute(f"CREATE TABLE {name} AS {sql}")
        if name == LINE_ROLLUPS[-1]:
            con.execute(f"DROP TABLE {GRAIN}")  # 19M rows at the 50M bench size, read by nothing else


# --- the same period of other years (同期) ---------------------------------------------------------
#
# The last year in the data is usually incomplete: a live dashboard's data end on the latest
# extract's last order date. Comparing its half year with a whole previous year would be wrong, so
# every year is also rolled up "to date": only lines up to the same month and day as that as-of
# date. Queries that compare years read these `ytd_` twins (same columns, same SQL) when the
# selected year is the incomplete one; its own rows are the same in both, so one statement still
# answers both years. Only the as-of month needs reading lines again; earlier months are copied.

#: prefix of the to-date twins of the rollups that year comparisons read
CUT_PREFIX = "ytd_"
#: the rollups that get a to-date twin (monthly trend charts keep whole months)
CUT_ROLLUPS = ("sku_cube", "retailer_month", "cube", "retailer_year", "cube_year", "sku_year", "brand_year",
               "retailer_sku_month")  # --- #14 brands ---
#: the twins a state stores; ytd_sku_cube, the largest, is a view (whole months + CUT_MONTH_SKUS)
CUT_STORED = tuple(CUT_PREFIX + n for n in CUT_ROLLUPS if n != "sku_cube")
#: the as-of month of every year up to the as-of day, per segment and SKU
CUT_MONTH_SKUS = "cut_sku_cube"


def as_of_cut(con) -> tuple[int, dt.date] | None:
    """(year, as-of date) of the last year in the data when it ends before 31 December, else None.

    A year followed by data of a later year is complete, whatever its last order date (orders stop
    before the holidays); only the last year can be cut."""
    cur = con.cursor()  # reader connections are shared between threads: one cursor per statement
    try:
        row = cur.execute("SELECT year, last_date FROM year_dates ORDER BY year DESC LIMIT 1").fetchone()
    finally:
        cur.close()
    if row is None or row[1] is None:
        return None
    year, last = int(row[0]), row[1]
    return None if (last.month, last.day) == (12, 31) else (year, last)


def create_cut_sku_view(con, as_of: dt.date) -> None:
    """ytd_sku_cube as a view: copying the largest rollup for one month's difference costs more
    than it saves (the build and the readers both use this). A view takes no parameters: the month
    is an integer, formatted."""
    con.execute(f"CREATE OR REPLACE VIEW {CUT_PREFIX}sku_cube AS SELECT * FROM sku_cube WHERE month < {int(as_of.month)} "
                f"UNION ALL BY NAME SELECT * FROM {CUT_MONTH_SKUS}")


def create_cut_rollups(con) -> tuple[int, dt.date] | None:
    """Create the `ytd_` twins on `con` (after create_rollups) when the last year is incomplete;
    returns the cut, or None when every year is whole (then there are no twins).

    Only the as-of month's lines are read again; months before it are whole in every year and
    come from the rollups already built."""
    cut = as_of_cut(con)
    if cut is None:
        return None
    as_of = cut[1]
    years = [int(r[0]) for r in con.execute("SELECT year FROM year_dates ORDER BY year").fetchall()]
    # the as-of month of every year, up to the as-of day (29 February cuts other years at the 28th)
    bounds = [(dt.date(y, as_of.month, 1), same_day(y, as_of)) for y in years]
    # a view cannot take bound parameters (DuckDB 2.0 still refuses to prepare CREATE VIEW); these
    # literals are dates built from integers, not input
    ranges = " OR ".join(f"(order_date BETWEEN DATE '{lo.isoformat()}' AND DATE '{hi.isoformat()}')" for lo, hi in bounds)
    con.execute(f"CREATE OR REPLACE VIEW cut_lines AS SELECT * FROM live_orders WHERE {ranges}")
    month = int(as_of.month)
    # one pass over the as-of month's lines, as create_rollups does over all of them
    con.execute(f"CREATE OR REPLACE TEMP TABLE {CUT_GRAIN} AS {LINE_GRAIN.format(lines='cut_lines')}")
    con.execute(f"CREATE OR REPLACE TABLE {CUT_MONTH_SKUS} AS {ROLLUPS['sku_cube'].format(grain=CUT_GRAIN)}")
    create_cut_sku_view(con, as_of)
    con.execute(f"CREATE OR REPLACE TABLE {CUT_PREFIX}retailer_month AS SELECT * FROM retailer_month WHERE month < $month "
                f"UNION ALL BY NAME ({ROLLUPS['retailer_month'].format(grain=CUT_GRAIN)})", {"month": month})
    # --- #14 brands ---: brand cultivation's year to date against last year's same period
    con.execute(f"CREATE OR REPLACE TABLE {CUT_PREFIX}retailer_sku_month AS SELECT * FROM retailer_sku_month WHERE month < $month "
                f"UNION ALL BY NAME ({ROLLUPS['retailer_sku_month'].format(grain=CUT_GRAIN)})", {"month": month})
    con.execute(f"DROP TABLE {CUT_GRAIN}")
    # the cube of whole months plus the as-of month's cube, derived from its SKUs alone
    con.execute(f"CREATE OR REPLACE TABLE {CUT_PREFIX}cube AS SELECT * FROM cube WHERE month < $month "
                f"UNION ALL BY NAME ({ROLLUPS['cube'].format(p='cut_')})", {"month": month})
    for name in ("retailer_year", "cube_year", "sku_year", "brand_year"):
        con.execute(f"CREATE OR REPLACE TABLE {CUT_PREFIX}{name} AS {ROLLUPS[name].format(p=CUT_PREFIX)}")
    return cut


def month_mask(month_from: int, month_to: int) -> int:
    """The 12-bit mask of months month_from..month_to (January is bit 0)."""
    return sum(1 << (m - 1) for m in range(int(month_from), int(month_to) + 1))
