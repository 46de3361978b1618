"""The rollups every chart reads, derived at load time from the live order lines.

Grains are chosen so that each chart is answered exactly and from a small table:

- `cube`: one row per (year, month, district, area type, business format, tier) with the volume
  split into the measures the charts need (provincial, online, each price class) as columns, so a
  KPI row is a single scan of a table that grows with the segments, not with the lines.
- `sku_cube`: (year, month, segment, SKU) volumes for the top brands and specifications; `cube`
  is derived from it.
- `retailer_month`: one row per retailer and month, for retailer tables and drill-downs.
- `retailer_year`: one row per retailer and year with 12-bit month masks of when it ordered and
  when it ordered online. Distinct-retailer counts do not add up across months, but "ordered
  online in any month from March to June" is `online_mask & 0b111100 != 0`: exact for any month
  range without touching order lines.

Every sum is cast to BIGINT or DOUBLE (DuckDB sums integers to HUGEINT).
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .contract import PRICE_CLASSES

#: The order lines the line-level rollups read: every live line for a full build, only the lines of
#: the years being rebuilt for an incremental one (see create_rollups).
LINES = "rollup_lines"

_CLASS_COLUMNS = ",\n".join(
    f"       COALESCE(SUM(c.qty) FILTER (s.price_class = {k}), 0)::BIGINT AS class{k}_qty" for k in PRICE_CLASSES
)

SEGMENT = "r.district, r.area_type, r.business_format, r.customer_tier"


_CLASS_SUMS = ", ".join(f"SUM(class{c}_qty)::BIGINT AS class{c}_qty" for c in PRICE_CLASSES)
_SEGMENT_PLAIN = SEGMENT.replace("r.", "")

#: In build order: later rollups read earlier ones. Only the first two read order lines
#: (LINE_ROLLUPS); the rest derive from those, so a rebuild reads the lines twice and no more.
ROLLUPS: dict[str, str] = {
    # The two rollups that read order lines, each in one pass: everything else derives from them.
    "sku_cube": f"""
        SELECT year(o.order_date)::INTEGER AS year, month(o.order_date)::INTEGER AS month, {SEGMENT}, o.sku_id,
               SUM(o.quantity_cartons)::BIGINT AS qty, SUM(o.amount_yuan)::DOUBLE AS amount, COUNT(*)::BIGINT AS lines,
               COALESCE(SUM(o.quantity_cartons) FILTER (o.channel = 'online'), 0)::BIGINT AS online_qty
        FROM {LINES} o JOIN live_retailers r USING (retailer_id)
        GROUP BY ALL
    """,
    "retailer_month": f"""
        SELECT o.retailer_id, year(o.order_date)::INTEGER AS year, month(o.order_date)::INTEGER AS month,
               SUM(o.quantity_cartons)::BIGINT AS qty, SUM(o.amount_yuan)::DOUBLE AS amount, COUNT(*)::BIGINT AS lines,
               COALESCE(SUM(o.quantity_cartons) FILTER (o.channel = 'online'), 0)::BIGINT AS online_qty,
               COUNT(*) FILTER (o.channel = 'online')::BIGINT AS online_lines,
               COALESCE(SUM(o.quantity_cartons) FILTER (s.price_class = 5), 0)::BIGINT AS class5_qty,
               COALESCE(SUM(o.quantity_cartons) FILTER (s.is_provincial), 0)::BIGINT AS provincial_qty,
               MIN(o.order_date)::DATE AS first_order, MIN(o.order_date) FILTER (o.channel = 'online')::DATE AS first_online
        FROM {LINES} o JOIN live_skus s USING (sku_id)
        GROUP BY ALL
    """,
    # Volume per segment and month split into the measures the charts need (provincial, online,
    # each price class) as columns, so a KPI row is a single scan of a small table.
    "cube": f"""
        SELECT year, month, {_SEGMENT_PLAIN},
               SUM(c.qty)::BIGINT AS qty, SUM(c.amount)::DOUBLE AS amount, SUM(c.lines)::BIGINT AS lines,
               COALESCE(SUM(c.qty) FILTER (s.is_provincial), 0)::BIGINT AS provincial_qty,
               SUM(c.online_qty)::BIGINT AS online_qty,
{_CLASS_COLUMNS}
        FROM sku_cube c JOIN live_skus s USING (sku_id)
        GROUP BY ALL
    """,
    "retailer_year": f"""
        SELECT m.retailer_id, m.year, {SEGMENT},
               SUM(m.qty)::BIGINT AS qty, SUM(m.amount)::DOUBLE AS amount, SUM(m.class5_qty)::BIGINT AS class5_qty,
               SUM(m.online_lines)::BIGINT AS online_lines,
               bit_or(CASE WHEN m.online_lines > 0 THEN 1 << (m.month - 1) ELSE 0 END)::INTEGER AS online_mask,
               bit_or(1 << (m.month - 1))::INTEGER AS order_mask,
               MIN(MIN(m.first_online)) OVER (PARTITION BY m.retailer_id)::DATE AS first_online_ever
        FROM retailer_month m JOIN live_retailers r USING (retailer_id)
        GROUP BY m.retailer_id, m.year, {SEGMENT}
    """,
    # Retailers per segment and month: a retailer sits in one segment, so for a single month these
    # counts add up across segments exactly (month ranges use the masks of retailer_year instead).
    "month_customers": f"""
        SELECT m.year, m.month, {_SEGMENT_PLAIN.replace("district", "y.district")},
               COUNT(*) FILTER (m.online_lines > 0)::BIGINT AS online_customers,
               COUNT(*) FILTER (m.qty > 0)::BIGINT AS ordering_customers,
               COUNT(*) FILTER (year(y.first_online_ever) = m.year AND month(y.first_online_ever) = m.month)::BIGINT AS new_online
        FROM retailer_month m JOIN retailer_year y ON y.retailer_id = m.retailer_id AND y.year = m.year
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
                   FROM cube GROUP BY ALL),
             c AS (SELECT year, {_SEGMENT_PLAIN}, COUNT(*) FILTER (online_mask != 0)::BIGINT AS online_customers,
                          COUNT(*)::BIGINT AS ordering_customers
                   FROM retailer_year GROUP BY ALL)
        SELECT v.*, COALESCE(c.online_customers, 0)::BIGINT AS online_customers,
               COALESCE(c.ordering_customers, 0)::BIGINT AS ordering_customers
        FROM v LEFT JOIN c ON c.year = v.year AND c.district IS NOT DISTINCT FROM v.district
             AND c.area_type IS NOT DISTINCT FROM v.area_type AND c.business_format IS NOT DISTINCT FROM v.business_format
             AND c.customer_tier IS NOT DISTINCT FROM v.customer_tier
    """,
    "sku_year": f"""
        SELECT year, {_SEGMENT_PLAIN}, sku_id, SUM(qty)::BIGINT AS qty, SUM(amount)::DOUBLE AS amount
        FROM sku_cube GROUP BY ALL
    """,
    "brand_year": f"""
        SELECT y.year, {_SEGMENT_PLAIN}, s.brand, s.is_provincial, SUM(y.qty)::BIGINT AS qty, SUM(y.amount)::DOUBLE AS amount
        FROM sku_year y JOIN live_skus s USING (sku_id) GROUP BY ALL
    """,
}

#: The rollups that read order lines. Every row belongs to one year, so an incremental build
#: recomputes only the years whose lines changed and copies the others from the previous state.
LINE_ROLLUPS = ("sku_cube", "retailer_month")

#: Rollups readers keep on disk rather than in memory: the monthly SKU table is the largest and only
#: month-range top-brand views read it.
ON_DISK = ("sku_cube",)


def create_rollups(con, previous: Path | None = None, years: Iterable[int] = ()) -> None:
    """Create every rollup as a table on `con` (which must have live_orders, live_retailers and
    live_skus), in order. The build and the empty-state reader connection both use this, so their
    schemas cannot drift apart.

    With `previous` (the directory of a state built from the same masters by this code), only the
    order lines of `years` are read; the line-level rollups keep the previous state's rows for every
    other year. The caller guarantees that no live line outside `years` changed."""
    years = sorted({int(y) for y in years})
    if previous is None:
        con.execute(f"CREATE OR REPLACE VIEW {LINES} AS SELECT * FROM live_orders")
    else:
        # date-range predicates rather than year(): parquet row-group statistics skip other years
        ranges = " OR ".join(f"(order_date >= DATE '{y}-01-01' AND order_date < DATE '{y + 1}-01-01')" for y in years)
        con.execute(f"CREATE OR REPLACE VIEW {LINES} AS SELECT * FROM live_orders WHERE {ranges or 'false'}")
    for name, sql in ROLLUPS.items():
        if previous is not None and name in LINE_ROLLUPS:
            kept = f"year NOT IN ({', '.join(str(y) for y in years)})" if years else "true"
            con.execute(
                f"CREATE TABLE {name} AS SELECT * FROM ({sql}) UNION ALL BY NAME "
                f"SELECT * FROM read_parquet(?) WHERE {kept}",
                [str(previous / f"{name}.parquet")],
            )
        else:
            con.execute(f"CREATE TABLE {name} AS {sql}")


def month_mask(month_from: int, month_to: int) -> int:
    """The 12-bit mask of months month_from..month_to (January is bit 0)."""
    return sum(1 << (m - 1) for m in range(int(month_from), int(month_to) + 1))
