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

_CLASS_COLUMNS = ",\n".join(
    f"       COALESCE(SUM(o.quantity_cartons) FILTER (s.price_class = {c}), 0)::BIGINT AS class{c}_qty" for c in PRICE_CLASSES
)

ROLLUPS: dict[str, str] = {
    "cube": f"""
        SELECT year(o.order_date)::INTEGER AS year, month(o.order_date)::INTEGER AS month,
               r.district, r.area_type, r.business_format, r.customer_tier,
               SUM(o.quantity_cartons)::BIGINT AS qty, SUM(o.amount_yuan)::DOUBLE AS amount, COUNT(*)::BIGINT AS lines,
               COALESCE(SUM(o.quantity_cartons) FILTER (s.is_provincial), 0)::BIGINT AS provincial_qty,
               COALESCE(SUM(o.quantity_cartons) FILTER (o.channel = 'online'), 0)::BIGINT AS online_qty,
{_CLASS_COLUMNS}
        FROM live_orders o JOIN live_retailers r USING (retailer_id) JOIN live_skus s USING (sku_id)
        GROUP BY ALL
    """,
    "sku_cube": """
        SELECT year(o.order_date)::INTEGER AS year, month(o.order_date)::INTEGER AS month,
               r.district, r.area_type, r.business_format, r.customer_tier, o.sku_id,
               SUM(o.quantity_cartons)::BIGINT AS qty, SUM(o.amount_yuan)::DOUBLE AS amount
        FROM live_orders o JOIN live_retailers r USING (retailer_id)
        GROUP BY ALL
    """,
    "retailer_month": """
        SELECT o.retailer_id, year(o.order_date)::INTEGER AS year, month(o.order_date)::INTEGER AS month,
               SUM(o.quantity_cartons)::BIGINT AS qty, SUM(o.amount_yuan)::DOUBLE AS amount,
               COUNT(*)::BIGINT AS lines,
               COALESCE(SUM(o.quantity_cartons) FILTER (o.channel = 'online'), 0)::BIGINT AS online_qty,
               COUNT(*) FILTER (o.channel = 'online')::BIGINT AS online_lines,
               COALESCE(SUM(o.quantity_cartons) FILTER (s.price_class = 5), 0)::BIGINT AS class5_qty,
               COALESCE(SUM(o.quantity_cartons) FILTER (s.is_provincial), 0)::BIGINT AS provincial_qty,
               MIN(o.order_date) AS first_order, MIN(o.order_date) FILTER (o.channel = 'online') AS first_online
        FROM live_orders o JOIN live_skus s USING (sku_id)
        GROUP BY ALL
    """,
    "retailer_year": """
        WITH m AS (
            SELECT retailer_id, year(order_date)::INTEGER AS year, month(order_date)::INTEGER AS month,
                   COUNT(*) FILTER (channel = 'online') AS online_lines,
                   MIN(order_date) FILTER (channel = 'online') AS first_online
            FROM live_orders GROUP BY ALL)
        SELECT m.retailer_id, m.year, r.district, r.area_type, r.business_format, r.customer_tier,
               bit_or(CASE WHEN m.online_lines > 0 THEN 1 << (m.month - 1) ELSE 0 END)::INTEGER AS online_mask,
               bit_or(1 << (m.month - 1))::INTEGER AS order_mask,
               MIN(MIN(m.first_online)) OVER (PARTITION BY m.retailer_id)::DATE AS first_online_ever
        FROM m JOIN live_retailers r USING (retailer_id)
        GROUP BY m.retailer_id, m.year, r.district, r.area_type, r.business_format, r.customer_tier
    """,
}


def month_mask(month_from: int, month_to: int) -> int:
    """The 12-bit mask of months month_from..month_to (January is bit 0)."""
    return sum(1 << (m - 1) for m in range(int(month_from), int(month_to) + 1))
