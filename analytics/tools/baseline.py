"""The same chart questions answered with pandas over the raw order lines.

Two uses: the benchmark's baseline (how long the question takes without rollups), and the parity
test (every rollup-backed figure equals the one computed from raw lines). Nothing here is used by
the app. Definitions come from metrics, like everywhere else.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import metrics
from ..filters import TIER_MAX, TIER_MIN, Filters


def load_raw(state_dir: Path) -> pd.DataFrame:
    """Live order lines joined with their retailer and SKU attributes, in compact dtypes: text
    columns arrive as pandas categoricals (DuckDB ENUMs), so 50M lines fit in about 2 GB."""
    import duckdb

    from ..db import live_orders_relation

    con = duckdb.connect()
    try:
        live_orders_relation(con, state_dir)
        con.read_parquet(str(state_dir / "retailers.parquet")).create_view("r")
        con.read_parquet(str(state_dir / "skus.parquet")).create_view("s")
        texts = {"retailer_id": "o", "sku_id": "o", "channel": "o", "district": "r", "area_type": "r",
                 "business_format": "r", "brand": "s", "sku_name": "s"}
        source = {"o": "live_orders", "r": "r", "s": "s"}
        for col, alias in texts.items():
            con.execute(f"CREATE TYPE {col}_t AS ENUM (SELECT DISTINCT {col} FROM {source[alias]} WHERE {col} IS NOT NULL)")
        cols = ", ".join(f"{alias}.{col}::{col}_t AS {col}" for col, alias in texts.items())
        frame = con.execute(
            f"""SELECT o.order_date, year(o.order_date)::SMALLINT AS year, month(o.order_date)::TINYINT AS month,
                       o.quantity_cartons::INTEGER AS quantity_cartons, o.amount_yuan, r.customer_tier::TINYINT AS customer_tier,
                       s.price_class::TINYINT AS price_class, s.is_provincial, {cols}
                FROM live_orders o JOIN r USING (retailer_id) JOIN s USING (sku_id)"""
        ).df()
    finally:
        con.close()
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    return frame


def _mask(raw: pd.DataFrame, f: Filters, months: bool = True) -> np.ndarray:
    m = np.ones(len(raw), dtype=bool)
    if months and (f.month_from, f.month_to) != (1, 12):
        m &= raw["month"].between(f.month_from, f.month_to).to_numpy()
    for col, values in (("district", f.districts), ("area_type", f.area_types), ("business_format", f.business_formats)):
        if values:
            m &= raw[col].isin(values).to_numpy()
    if (f.tier_min, f.tier_max) != (TIER_MIN, TIER_MAX):
        m &= raw["customer_tier"].between(f.tier_min, f.tier_max).to_numpy()
    return m


def _customers(retailers: pd.DataFrame, f: Filters) -> int:
    m = np.ones(len(retailers), dtype=bool)
    for col, values in (("district", f.districts), ("area_type", f.area_types), ("business_format", f.business_formats)):
        if values:
            m &= retailers[col].isin(values).to_numpy()
    if (f.tier_min, f.tier_max) != (TIER_MIN, TIER_MAX):
        m &= retailers["customer_tier"].between(f.tier_min, f.tier_max).to_numpy()
    return int(m.sum())


def kpi_totals(raw: pd.DataFrame, retailers: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Per year of f.years: qty, amount, provincial/online/class quantities, online and ordering customers."""
    part = raw[_mask(raw, f) & raw["year"].isin(f.years).to_numpy()]
    q = part["quantity_cartons"]
    out = pd.DataFrame({
        "qty": q.groupby(part["year"]).sum(),
        "amount": part["amount_yuan"].groupby(part["year"]).sum(),
        "provincial_qty": q.where(part["is_provincial"], 0).groupby(part["year"]).sum(),
        "online_qty": q.where(part["channel"] == "online", 0).groupby(part["year"]).sum(),
        **{f"class{c}_qty": q.where(part["price_class"] == c, 0).groupby(part["year"]).sum() for c in range(1, 6)},
        "online_customers": part[part["channel"] == "online"].groupby("year", observed=True)["retailer_id"].nunique(),
        "ordering_customers": part.groupby("year", observed=True)["retailer_id"].nunique(),
    }).fillna(0)
    out["customers"] = _customers(retailers, f)
    return out.reset_index().rename(columns={"index": "year"})


def summary(raw: pd.DataFrame, retailers: pd.DataFrame, f: Filters) -> dict:
    """The figures of queries.summary that the pages show, from raw lines."""
    totals = kpi_totals(raw, retailers, f).set_index("year")
    cur = totals.loc[f.year] if f.year in totals.index else None
    prev = totals.loc[f.compare_year] if f.compare_year in totals.index else None

    def v(row, col):
        return None if row is None else float(row[col])

    return {
        "volume_cases": metrics.cases(v(cur, "qty")),
        "volume_yoy_pct": metrics.yoy_pct(v(cur, "qty"), v(prev, "qty")),
        "provincial_share_pct": metrics.share_pct(v(cur, "provincial_qty"), v(cur, "qty")),
        "avg_price_per_carton": metrics.avg_price(v(cur, "amount"), v(cur, "qty")),
        "class_cases": {str(c): metrics.cases(v(cur, f"class{c}_qty")) for c in range(1, 6)},
        "online_customers": None if cur is None else int(cur["online_customers"]),
        "online_rate_pct": metrics.online_rate(v(cur, "online_customers"), _customers(retailers, f)),
        "online_volume_share_pct": metrics.share_pct(v(cur, "online_qty"), v(cur, "qty")),
    }


def class_by_month(raw: pd.DataFrame, f: Filters) -> pd.DataFrame:
    part = raw[_mask(raw, f) & raw["year"].isin(f.years).to_numpy()]
    out = part.groupby(["year", "month", "price_class"], observed=True)["quantity_cartons"].sum().reset_index(name="qty")
    out["cases"] = metrics.cases(out["qty"])
    out["share_pct"] = metrics.share_pct(out["qty"], out.groupby(["year", "month"])["qty"].transform("sum"))
    return out.sort_values(["year", "month", "price_class"]).reset_index(drop=True)


def provincial_by_month(raw: pd.DataFrame, f: Filters) -> pd.DataFrame:
    part = raw[_mask(raw, f) & raw["year"].isin(f.years).to_numpy()]
    q = part["quantity_cartons"]
    out = pd.DataFrame({"qty": q, "provincial_qty": q.where(part["is_provincial"], 0), "year": part["year"], "month": part["month"]})
    out = out.groupby(["year", "month"]).sum().reset_index()
    out["share_pct"] = metrics.share_pct(out["provincial_qty"], out["qty"])
    return out


def online_by_month(raw: pd.DataFrame, retailers: pd.DataFrame, f: Filters) -> pd.DataFrame:
    part = raw[_mask(raw, f) & raw["year"].isin(f.years).to_numpy()]
    online = part[part["channel"] == "online"].groupby(["year", "month"], observed=True)["retailer_id"].nunique()
    ordering = part.groupby(["year", "month"], observed=True)["retailer_id"].nunique()
    out = pd.DataFrame({"online_customers": online, "ordering_customers": ordering}).fillna(0).reset_index()
    out["online_rate_pct"] = metrics.online_rate(out["online_customers"], _customers(retailers, f))
    return out


def top_brands(raw: pd.DataFrame, f: Filters, limit: int = 10) -> pd.DataFrame:
    part = raw[_mask(raw, f) & (raw["year"] == f.year).to_numpy()]
    out = part.groupby("brand", observed=True)["quantity_cartons"].sum().reset_index(name="qty")
    out["brand"] = out["brand"].astype(str)  # ties break by name, as in SQL, not by category order
    out = out[out["qty"] > 0].sort_values(["qty", "brand"], ascending=[False, True]).head(limit)
    out["cases"] = metrics.cases(out["qty"])
    return out.reset_index(drop=True)


def district_volumes(raw: pd.DataFrame, f: Filters) -> pd.DataFrame:
    part = raw[_mask(raw, f) & (raw["year"] == f.year).to_numpy()]
    q = part["quantity_cartons"]
    out = pd.DataFrame({"qty": q, "class5_qty": q.where(part["price_class"] == 5, 0), "district": part["district"]})
    out = out.groupby("district", observed=True).sum().reset_index()
    out["district"] = out["district"].astype(str)
    out["volume_cases"] = metrics.cases(out["qty"])
    out["low_tier_cases"] = metrics.cases(out["class5_qty"])
    return out.sort_values("district").reset_index(drop=True)


def retailer_volumes(raw: pd.DataFrame, f: Filters) -> pd.DataFrame:
    part = raw[_mask(raw, f, months=True) & raw["year"].isin(f.years).to_numpy()]
    out = part.pivot_table(index="retailer_id", columns="year", values="quantity_cartons", aggfunc="sum", fill_value=0,
                           observed=True)
    return out


# --- #14 visits ---

def visit_reasons(raw: pd.DataFrame, retailers: pd.DataFrame, f: Filters, week: str) -> dict[str, set[str]]:
    """The visit list's reasons of f's one manager for `week` from the raw lines (analytics/visits.py's
    definitions, without the 代订货 score): reason -> the retailers that have it."""
    from ..config import VISITS as S
    from ..visits import data_window

    mine = retailers.loc[retailers["district"].isin(f.districts) & retailers["manager"].isin(f.managers), "retailer_id"]
    lines = raw[raw["retailer_id"].isin(set(mine))]
    w = data_window(raw["order_date"].max().date(), week, S)
    day = lines["order_date"]

    def between(lo, hi) -> pd.DataFrame:
        return lines[(day >= pd.Timestamp(lo)) & (day <= pd.Timestamp(hi))]

    def per_retailer(part: pd.DataFrame) -> pd.DataFrame:
        low = part["quantity_cartons"].where(part["price_class"] == 5, 0)
        return part.assign(low=low).groupby("retailer_id", observed=True)[["quantity_cartons", "low"]].sum()

    now, before = per_retailer(between(*w.recent)), per_retailer(between(*w.prior))
    both = before.join(now, lsuffix="_prev", how="left").fillna(0)

    def fell(col: str, pct: float, floor: float) -> set[str]:
        drop = metrics.cases(both[f"{col}_prev"] - both[col])
        ok = (both[f"{col}_prev"] > 0) & (drop * 100 / metrics.cases(both[f"{col}_prev"]) >= pct - 1e-9) & (drop >= floor - 1e-9)
        return {str(r) for r in both.index[ok]}

    months = pd.period_range(w.swing[0], w.swing[1], freq="M")
    part = between(*w.swing)
    grid = (part.assign(period=part["order_date"].dt.to_period("M")).groupby(["retailer_id", "period"], observed=True)["quantity_cartons"]
            .sum().unstack(fill_value=0).reindex(index=[r for r in mine if r in set(part["retailer_id"])], columns=months, fill_value=0))
    cv = grid.std(axis=1, ddof=0) / grid.mean(axis=1)
    swings = {str(r) for r in grid.index[(cv >= S.swing_cv - 1e-9) & ((grid > 0).sum(axis=1) >= min(S.swing_min_months, len(months)))]}
    ytd = between(*w.year_to_date).groupby("retailer_id", observed=True).agg(
        qty=("quantity_cartons", "sum"), online=("channel", lambda c: (c == "online").any()))
    return {"decliner": fell("quantity_cartons", S.decline_pct, S.decline_min_cases), "swing": swings,
            "not_online": {str(r) for r in ytd.index[(ytd["qty"] > 0) & ~ytd["online"].astype(bool)]},
            "low_tier_decline": fell("low", S.low_tier_decline_pct, S.low_tier_min_cases)}


# --- #14 brands ---
def cultivation(raw: pd.DataFrame, retailers: pd.DataFrame, f: Filters, name: str, level: str = "brand") -> pd.DataFrame:
    """Brand cultivation (analytics/brands.py::cultivation) from the raw lines: per month of f.year and
    f.compare_year, retailers who ordered it, 铺货率 and 重购率 of the month and cumulative from f.month_from.
    Weeks: days since the Monday of the week holding 1 January, // 7."""
    col = "brand" if level == "brand" else "sku_name"
    m = _mask(raw, f) & (raw[col] == name).to_numpy() & raw["year"].isin(f.years).to_numpy()
    lines = raw.loc[m, ["year", "month", "retailer_id", "order_date"]].copy()
    jan1 = pd.to_datetime(lines["year"].astype(int).astype(str) + "-01-01")
    monday = jan1 - pd.to_timedelta(jan1.dt.weekday, unit="D")
    lines["week"] = (lines["order_date"] - monday).dt.days // 7
    customers = _customers(retailers, f)
    rows = []
    for (year, month), part in lines.groupby(["year", "month"], observed=True):
        weeks = part.groupby("retailer_id", observed=True)["week"].nunique()
        so_far = lines[(lines["year"] == year) & (lines["month"] <= month)].groupby("retailer_id", observed=True)["week"].nunique()
        rows.append({"year": int(year), "month": int(month), "retailers": len(weeks),
                     "repeat_pct": metrics.repeat_pct(int((weeks >= 2).sum()), len(weeks)),
                     "cum_retailers": len(so_far), "cum_repeat_pct": metrics.repeat_pct(int((so_far >= 2).sum()), len(so_far))})
    out = pd.DataFrame(rows, columns=["year", "month", "retailers", "repeat_pct", "cum_retailers", "cum_repeat_pct"])
    out["coverage_pct"] = metrics.coverage_pct(out["retailers"], customers)
    out["cum_coverage_pct"] = metrics.coverage_pct(out["cum_retailers"], customers)
    return out


# --- #14 suspects ---
def _mad(values: pd.Series) -> float:
    return float((values - values.median()).abs().median())


def suspects(raw: pd.DataFrame, retailers: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """The 代订货 list of f's district(s) from raw lines: each retailer's months and its peers' medians
    and MADs computed here (the company's retailers of the same 城乡, 业态 and 档位 with orders in the
    year, over the year's months in the data, a group of fewer than min_peers none), then scored by the
    same signals as analytics/suspects.py."""
    from ..config import SUSPECTS
    from ..suspects import COLUMNS, PEER_KEYS, score_signals

    year = raw[(raw["year"] == f.year).to_numpy()]
    first, last = int(year["month"].min()), int(year["month"].max())
    grid = range(first, last + 1)
    line_c12 = np.where(year["price_class"].to_numpy() <= 2, year["quantity_cartons"].to_numpy(), 0)
    monthly = (year.assign(c12=line_c12).groupby(["retailer_id", "month"], observed=True)[["quantity_cartons", "c12"]].sum()
               .unstack("month", fill_value=0))
    q_all = monthly["quantity_cartons"].reindex(columns=grid, fill_value=0).astype("float64")
    c_all = monthly["c12"].reindex(columns=grid, fill_value=0).astype("float64")
    master = retailers.set_index("retailer_id")
    ids = q_all.index.astype(str)
    each = pd.DataFrame({"qty": q_all.mean(axis=1).to_numpy(), "class12_qty": c_all.mean(axis=1).to_numpy(),
                         "class12_share_pct": metrics.share_pct(c_all.sum(axis=1).to_numpy(), q_all.sum(axis=1).to_numpy())},
                        index=ids).join(master[list(PEER_KEYS)])
    groups = each.groupby(list(PEER_KEYS), dropna=False)
    peers = pd.DataFrame({"peers": groups.size(),
                          **{f"{s}_{c}": groups[c].agg(fn) for c in ("qty", "class12_qty", "class12_share_pct")
                             for s, fn in (("median", "median"), ("mad", _mad))}}).reset_index()
    peers = peers[peers["peers"] >= SUSPECTS.min_peers]
    months = [m for m in grid if f.month_from <= m <= f.month_to]
    q, c12 = q_all[months].to_numpy(), c_all[months].to_numpy()
    mine = master.loc[master.index.intersection(ids)]
    mine = mine[mine["district"].isin(f.districts)] if f.districts else mine
    keep = np.isin(ids, mine.index) & (q.sum(axis=1) > 0)
    people = (mine.loc[ids[keep], ["retailer_name", "district", "manager", *PEER_KEYS]].reset_index()
              .assign(listed=lambda p: p["manager"].isin(f.managers) if f.managers else True)
              .merge(peers, on=list(PEER_KEYS), how="left"))
    scored = score_signals(people, q[keep], c12[keep], months)
    rows = scored.sort_values(["score", "retailer_id"], ascending=[False, True])
    return rows[COLUMNS].reset_index(drop=True)
