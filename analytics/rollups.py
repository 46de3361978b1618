"""The rollups every chart reads, derived at load time from the live order lines.

Grains are chosen so that each chart is answered exactly and from a small table:

- `cube`: one row per (year, month, district, area type, business format, tier) with the volume
  split into the measures the charts need (provincial, online, each price class) as columns, so a
  KPI row is a single scan of a table that grows with the segments, not with the lines.
- `sku_cube`: (year, month, segment, SKU) volumes for the top brands and specifications.
- `retailer_month`: one row per retailer and month, for retailer tables and drill-downs.
- `retailer_year`: one row per retailer and year with 12-bit month masks of when it ordered and
  when it ordered online. Distinct-retailer counts do not add up across months, but "ordered
  online in any month from March to June" is `online_mask & 0b111100 != 0`: exact for any month
  range without touching order lines.

Every sum is cast to BIGINT or DOUBLE (DuckDB sums integers to HUGEINT).
"""
from __future__ import annotations

from .contract import PRICE_CLASSES

#: One pass over the live lines: (retailer, SKU, month, online or not). Every rollup is derived from
#: this, so a rebuild reads the order lines once instead of once per rollup.
BASE_SQL = """
    SELECT retailer_id, sku_id, year(order_date)::INTEGER AS year, month(order_date)::INTEGER AS month,
           channel = 'online' AS online, SUM(quantity_cartons)::BIGINT AS qty, SUM(amount_yuan)::DOUBLE AS amount,
           COUNT(*)::BIGINT AS lines, MIN(order_date)::DATE AS first_date
    FROM live_orders GROUP BY ALL
"""

_CLASS_COLUMNS = ",\n".join(
    f"       COALESCE(SUM(b.qty) FILTER (s.price_class = {c}), 0)::BIGINT AS class{c}_qty" for c in PRICE_CLASSES
)

SEGMENT = "r.district, r.area_type, r.business_format, r.customer_tier"


def _cube(period: str) -> str:
    """Volume split into the measures charts need, per segment and `period` (year, or year and month)."""
    return f"""
        SELECT {period}, {SEGMENT},
               SUM(b.qty)::BIGINT AS qty, SUM(b.amount)::DOUBLE AS amount, SUM(b.lines)::BIGINT AS lines,
               COALESCE(SUM(b.qty) FILTER (s.is_provincial), 0)::BIGINT AS provincial_qty,
               COALESCE(SUM(b.qty) FILTER (b.online), 0)::BIGINT AS online_qty,
{_CLASS_COLUMNS}
        FROM base b JOIN live_retailers r USING (retailer_id) JOIN live_skus s USING (sku_id)
        GROUP BY ALL
    """


def _skus(period: str) -> str:
    """Volume per segment, SKU and `period`, for top brands and specifications."""
    return f"""
        SELECT {period}, {SEGMENT}, b.sku_id, SUM(b.qty)::BIGINT AS qty, SUM(b.amount)::DOUBLE AS amount
        FROM base b JOIN live_retailers r USING (retailer_id)
        GROUP BY ALL
    """


_CLASS_SUMS = ", ".join(f"SUM(class{c}_qty)::BIGINT AS class{c}_qty" for c in PRICE_CLASSES)
_SEGMENT_PLAIN = SEGMENT.replace("r.", "")

#: In build order: the first three read `base` (one pass each over the monthly aggregate); the
#: others are derived from those, so a rebuild never scans the line-level data more than needed.
ROLLUPS: dict[str, str] = {
    "cube": _cube("b.year, b.month"),
    "sku_cube": _skus("b.year, b.month"),
    "retailer_month": """
        SELECT b.retailer_id, b.year, b.month,
               SUM(b.qty)::BIGINT AS qty, SUM(b.amount)::DOUBLE AS amount, SUM(b.lines)::BIGINT AS lines,
               COALESCE(SUM(b.qty) FILTER (b.online), 0)::BIGINT AS online_qty,
               COALESCE(SUM(b.lines) FILTER (b.online), 0)::BIGINT AS online_lines,
               COALESCE(SUM(b.qty) FILTER (s.price_class = 5), 0)::BIGINT AS class5_qty,
               COALESCE(SUM(b.qty) FILTER (s.is_provincial), 0)::BIGINT AS provincial_qty,
               MIN(b.first_date) AS first_order, MIN(b.first_date) FILTER (b.online) AS first_online
        FROM base b JOIN live_skus s USING (sku_id)
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

#: Rollups readers keep on disk rather than in memory: the monthly SKU table is the largest and only
#: month-range top-brand views read it.
ON_DISK = ("sku_cube",)


def create_rollups(con) -> None:
    """Create `base` and every rollup as tables on `con` (which must have live_orders,
    live_retailers and live_skus), in order: later rollups read earlier ones. The build and the
    empty-state reader connection both use this, so their schemas cannot drift apart."""
    con.execute(f"CREATE TABLE base AS {BASE_SQL}")
    for name, sql in ROLLUPS.items():
        con.execute(f"CREATE TABLE {name} AS {sql}")


def month_mask(month_from: int, month_to: int) -> int:
    """The 12-bit mask of months month_from..month_to (January is bit 0)."""
    return sum(1 << (m - 1) for m in range(int(month_from), int(month_to) + 1))
