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

ROLLUPS: dict[str, str] = {
    "cube": f"""
        SELECT b.year, b.month, r.district, r.area_type, r.business_format, r.customer_tier,
               SUM(b.qty)::BIGINT AS qty, SUM(b.amount)::DOUBLE AS amount, SUM(b.lines)::BIGINT AS lines,
               COALESCE(SUM(b.qty) FILTER (s.is_provincial), 0)::BIGINT AS provincial_qty,
               COALESCE(SUM(b.qty) FILTER (b.online), 0)::BIGINT AS online_qty,
{_CLASS_COLUMNS}
        FROM base b JOIN live_retailers r USING (retailer_id) JOIN live_skus s USING (sku_id)
        GROUP BY ALL
    """,
    "sku_cube": """
        SELECT b.year, b.month, r.district, r.area_type, r.business_format, r.customer_tier, b.sku_id,
               SUM(b.qty)::BIGINT AS qty, SUM(b.amount)::DOUBLE AS amount
        FROM base b JOIN live_retailers r USING (retailer_id)
        GROUP BY ALL
    """,
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
    "retailer_year": """
        SELECT b.retailer_id, b.year, r.district, r.area_type, r.business_format, r.customer_tier,
               SUM(b.qty)::BIGINT AS qty, SUM(b.amount)::DOUBLE AS amount,
               COALESCE(SUM(b.qty) FILTER (s.price_class = 5), 0)::BIGINT AS class5_qty,
               COALESCE(SUM(b.lines) FILTER (b.online), 0)::BIGINT AS online_lines,
               bit_or(CASE WHEN b.online THEN 1 << (b.month - 1) ELSE 0 END)::INTEGER AS online_mask,
               bit_or(1 << (b.month - 1))::INTEGER AS order_mask,
               MIN(MIN(b.first_date) FILTER (b.online)) OVER (PARTITION BY b.retailer_id)::DATE AS first_online_ever
        FROM base b JOIN live_retailers r USING (retailer_id) JOIN live_skus s USING (sku_id)
        GROUP BY b.retailer_id, b.year, r.district, r.area_type, r.business_format, r.customer_tier
    """,
}

# Whole-year views of the same rollups: most pages show whole years, and a table twelve times
# smaller answers them twelve times faster. Queries fall back to the monthly tables when a month
# range is chosen.
ROLLUPS["cube_year"] = f"""
        SELECT b.year, r.district, r.area_type, r.business_format, r.customer_tier,
               SUM(b.qty)::BIGINT AS qty, SUM(b.amount)::DOUBLE AS amount, SUM(b.lines)::BIGINT AS lines,
               COALESCE(SUM(b.qty) FILTER (s.is_provincial), 0)::BIGINT AS provincial_qty,
               COALESCE(SUM(b.qty) FILTER (b.online), 0)::BIGINT AS online_qty,
{_CLASS_COLUMNS}
        FROM base b JOIN live_retailers r USING (retailer_id) JOIN live_skus s USING (sku_id)
        GROUP BY ALL
    """
ROLLUPS["sku_year"] = """
        SELECT b.year, r.district, r.area_type, r.business_format, r.customer_tier, b.sku_id,
               SUM(b.qty)::BIGINT AS qty, SUM(b.amount)::DOUBLE AS amount
        FROM base b JOIN live_retailers r USING (retailer_id)
        GROUP BY ALL
    """
ROLLUPS["brand_year"] = """
        SELECT b.year, r.district, r.area_type, r.business_format, r.customer_tier, s.brand, s.is_provincial,
               SUM(b.qty)::BIGINT AS qty, SUM(b.amount)::DOUBLE AS amount
        FROM base b JOIN live_retailers r USING (retailer_id) JOIN live_skus s USING (sku_id)
        GROUP BY ALL
    """


def month_mask(month_from: int, month_to: int) -> int:
    """The 12-bit mask of months month_from..month_to (January is bit 0)."""
    return sum(1 << (m - 1) for m in range(int(month_from), int(month_to) + 1))
