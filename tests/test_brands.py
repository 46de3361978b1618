"""Brand cultivation (docs/definitions.md, "Brand cultivation") on conftest.py's brand city, every
figure worked out by hand. Customers (the 网订率 denominator): 4 retailers, 0420001 and 0420002 (甲片区,
张伟), 0420005 (甲片区, 王芳), 0420003 (乙片区, 李娜). Weeks are Monday-based weeks of the year.

一号 (SKU 001), 2019 (条, week):
  0420001  01-07 50 (wk 1), 01-10 50 (wk 1: the same week), 03-04 125 (wk 9)
  0420002  01-28 25 (wk 4), 02-01 25 (wk 4: the week spans January and February)
  0420003  02-04 100 (wk 5), 02-11 100 (wk 6)
一号 2018: 0420001 01-08 and 01-15 (two weeks), 0420003 03-05, 0420002 06-04 (after the 同期 cut).
七号(细支) (new in 2019): 0420005 04-01 (wk 13) and 04-08 (wk 14), 0420001 05-06 (wk 18), the data end.
"""
from __future__ import annotations

import math

import pytest

from analytics import brands
from analytics.access import Scope
from analytics.db import connect_store
from analytics.filters import Filters

Y = Filters(year=2019, compare_year=2018)


@pytest.fixture
def con(brand_city):
    return connect_store(brand_city)


def _nan(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def test_week_mask_sets_one_bit_per_week_and_a_week_spanning_two_months_in_both(con):
    rows = dict(((r, m), w) for r, m, w in con.execute(
        "SELECT retailer_id, month, week_mask FROM retailer_sku_month WHERE year = 2019 AND sku_id = '6901028000001'").fetchall())
    assert rows[("0420001", 1)] == 1 << 1  # two orders in week 1: one bit
    assert rows[("0420002", 1)] == rows[("0420002", 2)] == 1 << 4  # 01-28 and 02-01: week 4 in both months
    assert rows[("0420003", 2)] == (1 << 5) | (1 << 6)
    assert con.execute("SELECT qty, lines FROM retailer_sku_month WHERE retailer_id = '0420001' AND year = 2019 AND month = 1"
                       ).fetchone() == (100, 2)


def test_monthly_coverage_uses_the_online_rate_customer_count_and_repeat_needs_two_weeks(con):
    c = brands.cultivation(con, Y, "一号", "brand").set_index("month")
    assert (c["customers"] == 4).all()  # every retailer of the master, ordering or not (as 网订率)
    # January: 0420001 and 0420002 ordered (2 of 4); neither in two weeks (0420001 twice in week 1)
    assert c.loc[1, ["retailers", "coverage_pct", "repeaters", "repeat_pct"]].tolist() == [2, 50.0, 0, 0.0]
    assert c.loc[1, "lines"] == 3 and c.loc[1, "cases"] == 0.5  # 125 条 / 250
    # February: 0420002 (week 4) and 0420003 (weeks 5 and 6): 2 of 4, one repeater of 2
    assert c.loc[2, ["retailers", "coverage_pct", "repeaters", "repeat_pct"]].tolist() == [2, 50.0, 1, 50.0]
    # March: 0420001 alone (week 9)
    assert c.loc[3, ["retailers", "coverage_pct", "repeat_pct"]].tolist() == [1, 25.0, 0.0]
    # April and May: data, no order of 一号: 0 coverage, repeat undefined
    assert c.loc[4, "coverage_pct"] == 0.0 and _nan(c.loc[4, "repeat_pct"])


def test_cumulative_curve_counts_each_retailer_once_and_a_spanning_week_once(con):
    c = brands.cultivation(con, Y, "一号", "brand").set_index("month")
    # through February: 0420001, 0420002, 0420003 = 3 of 4; repeaters: 0420003 only (0420002's
    # January and February orders are one week)
    assert c.loc[2, ["cum_retailers", "cum_coverage_pct", "cum_repeaters"]].tolist() == [3, 75.0, 1]
    assert c.loc[2, "cum_repeat_pct"] == pytest.approx(100 / 3)
    # through March: 0420001 now has weeks 1 and 9: 2 repeaters of 3
    assert c.loc[3, "cum_repeat_pct"] == pytest.approx(200 / 3)
    assert c.loc[5, "cum_coverage_pct"] == 75.0
    # months after the data end (2019-05-06) have no figures, not zeros
    assert c.loc[6:, ["retailers", "coverage_pct", "cum_coverage_pct"]].isna().all().all()


def test_last_years_months_and_the_change_in_points(con):
    c = brands.cultivation(con, Y, "一号", "brand").set_index("month")
    # January 2018: 0420001 in weeks 1 and 2 (01-08, 01-15): 1 of 4, a repeater
    assert c.loc[1, ["retailers_prev", "coverage_pct_prev", "repeat_pct_prev"]].tolist() == [1, 25.0, 100.0]
    assert c.loc[1, "coverage_change_pp"] == 25.0 and c.loc[1, "repeat_change_pp"] == -100.0
    assert c.loc[1, "cases_yoy_pct"] == pytest.approx((125 - 40) / 40 * 100)
    # monthly rows are whole months of both years: June 2018 has 0420002's order, 2019 has no data yet
    assert c.loc[6, "retailers_prev"] == 1 and _nan(c.loc[6, "retailers"])
    assert c.loc[3, "cum_coverage_pct_prev"] == 50.0 and c.loc[3, "cum_coverage_change_pp"] == 25.0


def test_period_totals_compare_the_same_period_of_last_year(con):
    t = brands.totals(con, Y, "一号", "brand")
    assert (t.customers, t.retailers, t.coverage_pct, t.lines, t.cases) == (4, 3, 75.0, 7, 1.9)
    assert t.repeat_pct == pytest.approx(200 / 3)
    # 2018 up to 05-06 (the 2019 data end): 0420001 (a repeater) and 0420003; 0420002's June order is outside
    assert (t.retailers_prev, t.coverage_pct_prev, t.repeat_pct_prev, t.cases_prev) == (2, 50.0, 50.0, 0.32)
    assert t.coverage_change_pp == 25.0
    assert t.cases_yoy_pct == pytest.approx((475 - 80) / 80 * 100)


def test_no_comparison_year(con):
    c = brands.cultivation(con, Y.with_(compare_year=None), "一号", "brand")
    assert c["coverage_pct_prev"].isna().all() and c["coverage_change_pp"].isna().all()
    assert c.loc[0, "coverage_pct"] == 50.0
    t = brands.totals(con, Y.with_(compare_year=None), "一号", "brand")
    assert t.coverage_pct_prev is None and t.coverage_change_pp is None and t.cases_yoy_pct is None
    # a comparison year without data: no figures either, never zeros
    t = brands.totals(con, Y.with_(compare_year=2017), "一号", "brand")
    assert t.retailers_prev is None and t.coverage_pct_prev is None and t.coverage_change_pp is None


def test_a_month_range_accumulates_from_its_first_month(con):
    c = brands.cultivation(con, Y.with_(month_from=2, month_to=3), "一号", "brand").set_index("month")
    assert c.index.tolist() == [2, 3]
    assert c.loc[2, ["cum_retailers", "cum_coverage_pct", "cum_repeat_pct"]].tolist() == [2, 50.0, 50.0]
    # through March: 0420001 joins with one week (week 9) in the range: 1 repeater of 3
    assert c.loc[3, "cum_coverage_pct"] == 75.0 and c.loc[3, "cum_repeat_pct"] == pytest.approx(100 / 3)
    t = brands.totals(con, Y.with_(month_from=2, month_to=3), "一号", "brand")
    assert t.retailers == 3 and t.repeat_pct == pytest.approx(100 / 3) and t.cases == 1.4  # 350 条


def test_the_specification_level_and_the_brand_level_agree_for_a_one_specification_brand(con):
    a = brands.cultivation(con, Y, "一号", "brand")
    b = brands.cultivation(con, Y, "一号(硬)", "sku")
    assert a.equals(b)


def test_a_manager_scope_sees_only_its_retailers(con):
    f = Filters(year=2019, compare_year=2018).within(Scope(managers=("张伟",)))
    c = brands.cultivation(con, f, "一号", "brand").set_index("month")
    # 张伟's customers: 0420001 and 0420002
    assert c.loc[1, ["customers", "retailers", "coverage_pct"]].tolist() == [2, 2, 100.0]
    assert c.loc[2, ["retailers", "coverage_pct", "repeaters"]].tolist() == [1, 50.0, 0]  # 0420003 is 李娜's
    assert c.loc[3, "cum_repeat_pct"] == 50.0  # 0420001 of the two
    # the same as choosing the manager on the page
    chosen = brands.cultivation(con, Filters(year=2019, compare_year=2018, managers=("张伟",)), "一号", "brand")
    assert chosen.equals(c.reset_index())


def test_new_products_are_first_ordered_in_the_year(con):
    new = brands.new_products(con, Y, "sku")
    assert new["name"].tolist() == ["七号(细支)"]
    row = new.iloc[0]
    assert (row["brand"], row["first_month"], row["retailers"], row["coverage_pct"], row["repeat_pct"]) == ("七号", 4, 2, 50.0, 50.0)
    assert row["lines"] == 3 and row["cases"] == pytest.approx(0.2)  # 50 条
    assert brands.new_products(con, Y, "brand")["name"].tolist() == ["七号"]
    # the first year of the data has no earlier year to be new against
    assert brands.new_products(con, Filters(year=2018), "sku").empty
    curve = brands.new_product_curves(con, Y, "sku").set_index("month")
    assert curve.loc[4, "cum_coverage_pct"] == 25.0 and curve.loc[5, "cum_coverage_pct"] == 50.0
    assert curve.loc[4, "cum_repeat_pct"] == 100.0 and curve.loc[5, "cum_repeat_pct"] == 50.0


def test_lagging_managers_lowest_coverage_first_beside_the_scope(con):
    lag = brands.lagging(con, Y, "一号", "brand", by="manager")
    assert lag["manager"].tolist() == ["王芳", "张伟", "李娜"]  # 0%, then 100% with repeat 50% before 100%/100%
    assert lag["coverage_pct"].tolist() == [0.0, 100.0, 100.0]
    assert (lag["scope_coverage_pct"] == 75.0).all()
    assert lag["coverage_gap_pp"].tolist() == [-75.0, 25.0, 25.0]
    assert lag.loc[1, "repeat_pct"] == 50.0 and lag.loc[2, "repeat_pct"] == 100.0
    # 2018's same period: 张伟's 0420001 of 2, 李娜's 0420003 of 1
    assert lag.loc[1, "coverage_pct_prev"] == 50.0 and lag.loc[2, "coverage_change_pp"] == 0.0
    districts = brands.lagging(con, Y, "一号", "brand", by="district")
    assert districts[["district", "customers", "retailers", "coverage_pct"]].values.tolist() == [
        ["甲片区", 3, 2, pytest.approx(200 / 3)], ["乙片区", 1, 1, 100.0]]


def test_lookup_resolves_exact_names_and_offers_candidates(con):
    assert brands.lookup(con, "一号", "brand").name == "一号"
    assert brands.lookup(con, " 七号(细支) ", "sku").name == "七号(细支)"
    miss = brands.lookup(con, "七", "sku")
    assert miss.name is None and miss.candidates == ["七号(细支)"]
    assert brands.lookup(con, "一号", "sku").name is None  # a brand is no specification
    with pytest.raises(ValueError):
        brands.cultivation(con, Y, "一号", "maker")


def test_every_brand_query_column_is_registered_and_reads_in_chinese(con):
    from analytics.columns import localize, unregistered

    from .test_datatabs import _assert_readable, _zh_headers

    results = {"cultivation": brands.cultivation(con, Y, "一号"), "period_figures": brands.period_figures(con, Y, "一号"),
               "lagging_district": brands.lagging(con, Y, "一号", by="district"),
               "lagging_manager": brands.lagging(con, Y, "一号", by="manager"),
               "new_sku": brands.new_products(con, Y, "sku"), "new_brand": brands.new_products(con, Y, "brand"),
               "curves": brands.new_product_curves(con, Y, "sku")}
    for name, frame in results.items():
        assert not frame.empty, name
        assert unregistered(frame) == [], name
        _assert_readable(localize(frame, "zh"), name, _zh_headers())


# the default product: a city without a new product, where the best seller is at 100% in both years (2018 before
# 2019's data end, 03-04, so within the same period)
STEADY_ORDERS = """订货日期,许可证号,卷烟编码,订货量(条),金额(元),订货方式
2018-02-26,0420001,6901028000001,100,20000,网上订货
2018-02-26,0420002,6901028000001,100,20000,网上订货
2018-02-26,0420003,6901028000001,100,20000,网上订货
2018-02-26,0420005,6901028000001,100,20000,网上订货
2018-02-26,0420001,6901028000002,10,100,网上订货
2018-02-26,0420003,6901028000003,30,1500,网上订货
2019-03-04,0420001,6901028000001,100,20000,网上订货
2019-03-04,0420002,6901028000001,100,20000,网上订货
2019-03-04,0420003,6901028000001,100,20000,网上订货
2019-03-04,0420005,6901028000001,100,20000,网上订货
2019-03-04,0420001,6901028000002,10,100,网上订货
2019-03-04,0420002,6901028000002,10,100,网上订货
2019-03-04,0420003,6901028000003,40,2000,网上订货
"""


def test_the_default_is_the_new_product_else_the_one_that_grew_never_one_at_100_percent(con, tmp_path):
    from .conftest import BRAND_RETAILERS, BRAND_SKUS, load_tiny

    # the brand city: the year's one new specification
    assert brands.default_name(con, Y, "sku") == "七号(细支)"
    steady = connect_store(load_tiny(tmp_path / "steady", BRAND_RETAILERS, STEADY_ORDERS, BRAND_SKUS))
    # nothing new; 一号 is the best seller at 4 of 4 in both years; 五号 went from 1 to 2 of 4 (+25 pp), 三号 stayed at 1
    assert brands.ordered_names(steady, Y, "brand")[0] == "一号"
    assert brands.default_name(steady, Y, "brand") == "五号"
    # no comparison year: the best seller that not every customer ordered (三号's 40 条 before 五号's 20)
    assert brands.default_name(steady, Y.with_(compare_year=None), "brand") == "三号"


def test_names_offered_are_the_whole_scopes_of_both_years_whatever_the_district(con):
    # 乙片区 (0420003) ordered only 一号; the page still offers 七号(细支) there (its figures: 0)
    assert brands.ordered_names(con, Y.with_(districts=("乙片区",)), "sku") == brands.ordered_names(con, Y, "sku")
    assert set(brands.ordered_names(con, Y, "sku")) == {"一号(硬)", "七号(细支)", "五号(软)", "三号(硬)"}
    t = brands.totals(con, Y.with_(districts=("乙片区",)), "七号(细支)", "sku")
    assert (t.customers, t.retailers, t.coverage_pct, t.repeat_pct) == (1, 0, 0.0, None)
