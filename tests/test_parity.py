"""Every chart's numbers from the rollups equal the same numbers computed from raw order lines
(pandas over the live lines, analytics/tools/baseline.py), on the demo data, for several filter sets."""
import pandas as pd
import pytest

from analytics import queries
from analytics.db import connect_store
from analytics.filters import Filters
from analytics.store import Store
from analytics.tools import baseline

FILTERS = [
    Filters(year=2019, compare_year=2018),
    Filters(year=2019, compare_year=2018, districts=("城郊片区",)),
    Filters(year=2018, compare_year=2017, month_from=3, month_to=8, area_types=("rural",), tier_min=5, tier_max=20),
    Filters(year=2019, compare_year=2018, business_formats=("便利店", "超市"), districts=("城区一片区", "西部乡镇片区")),
]
IDS = ["company", "seed-district", "months-rural-tiers", "formats-two-districts"]


@pytest.fixture(scope="module")
def both(demo_dir):
    store = Store(demo_dir)
    raw = baseline.load_raw(store.state_dir())
    retailers = pd.read_parquet(store.state_dir() / "retailers.parquet")
    return connect_store(store), raw, retailers


@pytest.mark.parametrize("f", FILTERS, ids=IDS)
def test_kpis_match_raw_lines(both, f):
    con, raw, retailers = both
    fast, slow = queries.summary(con, f), baseline.summary(raw, retailers, f)
    for key, value in slow.items():
        if isinstance(value, dict):
            assert getattr(fast, key) == pytest.approx(value), key
        else:
            assert getattr(fast, key) == pytest.approx(value), key


@pytest.mark.parametrize("f", FILTERS, ids=IDS)
def test_monthly_class_mix_matches_raw_lines(both, f):
    con, raw, _ = both
    fast = queries.class_by_period(con, f)[["year", "month", "price_class", "qty", "share_pct"]]
    slow = baseline.class_by_month(raw, f)[["year", "month", "price_class", "qty", "share_pct"]]
    pd.testing.assert_frame_equal(fast.reset_index(drop=True), slow, check_dtype=False)


@pytest.mark.parametrize("f", FILTERS, ids=IDS)
def test_monthly_provincial_share_matches_raw_lines(both, f):
    con, raw, _ = both
    fast = queries.provincial_by_period(con, f)[["year", "month", "qty", "provincial_qty", "share_pct"]]
    pd.testing.assert_frame_equal(fast.reset_index(drop=True), baseline.provincial_by_month(raw, f), check_dtype=False)


@pytest.mark.parametrize("f", FILTERS, ids=IDS)
def test_monthly_online_customers_match_raw_lines(both, f):
    con, raw, retailers = both
    fast = queries.online_by_month(con, f)[["year", "month", "online_customers", "ordering_customers", "online_rate_pct"]]
    slow = baseline.online_by_month(raw, retailers, f)
    pd.testing.assert_frame_equal(fast.reset_index(drop=True), slow, check_dtype=False)


@pytest.mark.parametrize("f", FILTERS, ids=IDS)
def test_top_brands_match_raw_lines(both, f):
    con, raw, _ = both
    fast = queries.top_brands(con, f)[["name", "qty"]].rename(columns={"name": "brand"})
    slow = baseline.top_brands(raw, f)[["brand", "qty"]]
    slow["brand"] = slow["brand"].astype(str)
    pd.testing.assert_frame_equal(fast, slow, check_dtype=False)


@pytest.mark.parametrize("f", FILTERS, ids=IDS)
def test_breakdown_volumes_match_raw_lines(both, f):
    con, raw, _ = both
    fast = queries.breakdown(con, f)[["district", "volume_cases", "low_tier_cases"]]
    slow = baseline.district_volumes(raw, f)[["district", "volume_cases", "low_tier_cases"]]
    slow["district"] = slow["district"].astype(str)
    pd.testing.assert_frame_equal(fast.sort_values("district").reset_index(drop=True), slow, check_dtype=False)


@pytest.mark.parametrize("f", FILTERS, ids=IDS)
def test_retailer_volumes_match_raw_lines(both, f):
    con, raw, retailers = both
    fast = queries.retailer_table(con, f, limit=100_000).set_index("retailer_id")
    slow = baseline.retailer_volumes(raw, f)
    slow.index = slow.index.astype(str)
    joined = fast.join(slow, how="left").fillna(0)
    assert len(fast) == baseline._customers(retailers, f)  # every retailer of the selection, ordering or not
    assert (joined["qty"] == joined[f.year]).all()
    assert (joined["qty_prev"] == joined[f.compare_year]).all()


# --- #14 visits ---
@pytest.mark.parametrize("manager, week", [("吴婷", "2020-W02"), ("高峰", "2019-W27"), ("张伟", "2019-W14")])
def test_visit_reasons_match_raw_lines(both, manager, week):
    from analytics import visits

    con, raw, retailers = both
    district = next(d for d, names in queries.district_managers(con).items() if manager in names)
    f = Filters(districts=(district,), managers=(manager,))
    rows = visits.candidates(con, f, week).rows
    fast = {r: set(rows.loc[rows["reason"] == r, "retailer_id"]) for r in visits.REASONS[1:]}
    assert fast == baseline.visit_reasons(raw, retailers, f, week)
    assert sum(map(len, fast.values())) > 0


# --- #14 brands ---
@pytest.mark.parametrize("f", FILTERS, ids=IDS)
@pytest.mark.parametrize("name, level", [("黄鹤楼", "brand"), ("中华(硬)", "sku")])
def test_brand_cultivation_matches_raw_lines(both, f, name, level):
    from analytics import brands

    con, raw, retailers = both
    fast = brands.cultivation(con, f, name, level)
    slow = baseline.cultivation(raw, retailers, f, name, level)
    assert len(slow) > 0
    cur = slow[slow["year"] == f.year].set_index("month")
    got = fast.set_index("month").loc[cur.index]
    for col in ("retailers", "coverage_pct", "repeat_pct", "cum_retailers", "cum_coverage_pct", "cum_repeat_pct"):
        assert got[col].to_numpy() == pytest.approx(cur[col].to_numpy(), nan_ok=True), col
    prev = slow[slow["year"] == f.compare_year].set_index("month")
    assert fast.set_index("month").loc[prev.index, "cum_coverage_pct_prev"].to_numpy() == pytest.approx(prev["cum_coverage_pct"].to_numpy())
