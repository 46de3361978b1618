"""Each definition pinned on the tiny city of conftest.py, with every figure worked out by hand.

District 甲 (retailers 0420001 urban, 0420002 rural):
  2018: 100 条 of 一类 (20,000 元, phone) + 150 条 of 五类 (1,500 元, online)      = 250 条
  2019: 250 条 一类 (50,000, online) + 50 条 五类 (500, phone) + 200 条 三类 (10,000, visit) = 500 条
District 乙 (0420003): 2019: 500 条 一类 (100,000 元, online).

The data end on 2019-05-06, so 2019 is incomplete and is compared with the same period of 2018
(1 January to 6 May): only 甲's 2018-03-05 line (100 条 一类, 20,000 元, phone) falls in it; the
2018-06-01 line (150 条 五类, online) does not. tests/test_same_period.py pins the awkward calendars.
"""
import pytest

from analytics import metrics
from analytics.db import connect_store
from analytics.filters import Filters
from analytics.narrative import pace_text
from analytics.queries import breakdown, class_by_period, online_by_month, pace, summary

A = Filters(year=2019, compare_year=2018, districts=("甲片区",))


def test_volume_is_cartons_over_250_and_yoy_is_relative_to_last_year(tiny):
    s = summary(connect_store(tiny), A)
    assert s.volume_cases == 2.0
    assert s.volume_cases_prev == 0.4  # 2018-01-01..05-06: 100 条
    assert s.volume_yoy_pct == 400.0
    assert s.volume_change_cases == 1.6
    assert (s.period_start, s.period_end, s.compare_period_end, s.period_cut) == (
        "2019-01-01", "2019-05-06", "2018-05-06", True)


def test_provincial_volume_share_and_yoy(tiny):
    s = summary(connect_store(tiny), A)
    assert s.provincial_cases == 1.8  # 250 + 200 条
    assert s.provincial_cases_prev == 0.4
    assert s.provincial_yoy_pct == pytest.approx(350.0)
    assert s.provincial_share_pct == pytest.approx(90.0)


def test_average_price_per_carton_and_case_value(tiny):
    s = summary(connect_store(tiny), A)
    assert s.avg_price_per_carton == pytest.approx(60500 / 500)  # 121.00 元/条
    assert s.avg_price_per_carton_prev == pytest.approx(20000 / 100)  # 200.00 (the "20,000.00" amount parsed)
    assert s.case_value == pytest.approx(121.0 * 250)


def test_class_volumes_and_yoy_with_a_class_missing_last_year(tiny):
    s = summary(connect_store(tiny), A)
    assert s.class_cases == {"1": 1.0, "2": 0.0, "3": 0.8, "4": 0.0, "5": 0.2}
    assert s.class_yoy_pct["1"] == pytest.approx(150.0)
    assert s.class_yoy_pct["3"] is None  # nothing last year: no YoY, not infinity
    assert s.class_cases_prev["5"] == 0.0  # the 2018 五类 line (1 June) lies after the same period
    assert s.class_yoy_pct["5"] is None
    assert s.low_tier_cases == 0.2


def test_online_rate_counts_retailers_with_an_online_line_over_master_retailers(tiny):
    s = summary(connect_store(tiny), A)
    assert s.online_customers == 1  # 0420001 ordered online in 2019; 0420002 did not
    assert s.customers == 2
    assert s.online_rate_pct == 50.0
    assert s.online_customers_prev == 0  # 0420002's online line (2018-06-01) lies after 6 May
    assert s.ordering_customers == 2
    assert s.online_rate_ordering_pct == 50.0
    assert s.online_volume_share_pct == 50.0  # 250 of 500 条


def test_whole_company_adds_the_other_district(tiny):
    s = summary(connect_store(tiny), Filters(year=2019, compare_year=2018))
    assert s.volume_cases == 4.0
    assert s.customers == 3
    assert s.online_customers == 2
    assert s.online_rate_pct == pytest.approx(200 / 3)


def test_month_filter_restricts_volume_and_online_customers(tiny):
    s = summary(connect_store(tiny), A.with_(month_from=2, month_to=3))
    assert s.volume_cases == 1.0  # 50 + 200 条
    assert s.online_customers == 0
    assert s.online_rate_pct == 0.0


def test_area_type_filter_narrows_customers_and_volume(tiny):
    s = summary(connect_store(tiny), A.with_(area_types=("rural",)))
    assert s.customers == 1
    assert s.volume_cases == 0.8


def test_missing_year_gives_missing_figures_not_errors(tiny):
    s = summary(connect_store(tiny), Filters(year=2019, compare_year=2017, districts=("甲片区",)))
    assert s.volume_cases_prev is None
    assert s.volume_yoy_pct is None
    assert s.avg_price_per_carton_prev is None


def test_breakdown_has_one_row_per_district_with_yoy(tiny):
    table = breakdown(connect_store(tiny), Filters(year=2019, compare_year=2018)).set_index("district")
    assert list(table.index) == ["乙片区", "甲片区"]
    assert table.loc["甲片区", "volume_cases"] == 2.0
    assert table.loc["甲片区", "volume_yoy_pct"] == 400.0  # against 2018's same period
    assert table.loc["乙片区", "online_rate_pct"] == 100.0


def test_class_shares_per_month_sum_to_100(tiny):
    frame = class_by_period(connect_store(tiny), A)
    assert frame.groupby(["year", "month"])["share_pct"].sum().round(9).eq(100).all()
    jan = frame[(frame["year"] == 2019) & (frame["month"] == 1)]
    assert jan[["price_class", "cases"]].values.tolist() == [[1, 1.0]]


def test_monthly_online_rate_and_first_online_month(tiny):
    frame = online_by_month(connect_store(tiny), A).set_index(["year", "month"])
    assert frame.loc[(2019, 1), "online_customers"] == 1
    assert frame.loc[(2019, 1), "online_rate_pct"] == 50.0
    assert frame.loc[(2018, 6), "new_online"] == 1  # 0420002's first online order
    assert frame.loc[(2019, 1), "new_online"] == 1  # 0420001's first online order


@pytest.mark.parametrize(("fn", "args", "expected"), [
    (metrics.yoy_pct, (110, 100), 10.0),
    (metrics.yoy_pct, (5, 0), None),
    (metrics.share_pct, (1, 4), 25.0),
    (metrics.share_pct, (1, 0), None),
    (metrics.avg_price, (1000, 8), 125.0),
    (metrics.case_value, (1000, 8), 31250.0),
    (metrics.online_rate, (141, 231), 141 / 231 * 100),
    (metrics.cases, (250,), 1.0),
])
def test_definition_functions_on_plain_numbers(fn, args, expected):
    assert fn(*args) == (pytest.approx(expected) if expected is not None else None)


def test_volume_swing_is_the_coefficient_of_variation_of_monthly_volume(tiny):
    from analytics.queries import volume_swings

    frame = volume_swings(connect_store(tiny), A, min_months=1).set_index("retailer_id")
    # 0420001 in 2019: 250 条 in January, 50 in February, nothing in March to May; the data end on
    # 6 May, so June to December have not happened and are not months without orders
    mean = 300 / 5
    std = ((250**2 + 50**2) / 5 - mean**2) ** 0.5
    assert frame.loc["0420001", "swing"] == pytest.approx(std / mean)
    assert frame.loc["0420001", "active_months"] == 2
    assert frame.loc["0420001", "max_month_cases"] == 1.0
    # 0420002 ordered once (200 条 in March): a single spike over five months swings more (√4 = 2) and ranks first
    assert list(frame.index) == ["0420002", "0420001"]
    assert frame.loc["0420002", "swing"] == pytest.approx(2.0)


# 时间过半，任务过半: a city whose data begin in January 2018, so 2018 is a whole year and a yardstick
PACE_ORDERS = """订货日期,许可证号,卷烟编码,订货量(条),金额(元),订货方式
2018-01-08,0420001,6901028000001,100,20000,电话订货
2018-12-03,0420001,6901028000001,150,30000,电话订货
2019-01-07,0420001,6901028000001,50,10000,网上订货
2019-03-04,0420002,6901028000003,75,3750,走访
"""


@pytest.fixture
def pace_city(tmp_path):
    from analytics.store import Store

    from .conftest import TINY_RETAILERS, TINY_SKUS

    store = Store(tmp_path / "pace")  # beside, not inside, the tiny city's tmp_path / "data"
    results = store.load([("r.csv", TINY_RETAILERS.encode("gbk")), ("s.csv", TINY_SKUS.encode("gbk")),
                          ("o.csv", PACE_ORDERS.encode("gbk"))])
    assert [r.status for r in results] == ["loaded"] * 3
    return store


def test_pace_is_cumulative_volume_over_the_compare_years_whole_year_beside_time_elapsed(pace_city):
    frame = pace(connect_store(pace_city), A)
    assert frame[["year", "month", "cum_qty"]].values.tolist() == [[2018, 1, 100], [2018, 12, 250], [2019, 1, 50], [2019, 3, 125]]
    assert frame["progress_pct"].tolist() == [40.0, 100.0, 20.0, 50.0]  # of 2018's 250 条
    # days elapsed: 31 / 365 by 31 January; the data end on 4 March 2019, 63 / 365 = 17.26%
    assert frame["time_pct"].round(2).tolist() == [8.49, 100.0, 8.49, 17.26]
    # the chart's calendar line stands where the points do: 4 March in the incomplete March, not its end
    from analytics.charts import pace as pace_chart

    calendar_line = pace_chart(frame, "zh", 2019, 2018).data[-1].y
    assert [round(v, 2) for v in calendar_line[:4]] == [8.49, 16.16, 17.26, 32.88]
    assert pace_text(frame, 2019, 2018) == ("截至2019年3月4日，时间进度17.26%，累计销量0.50箱，达到2018年全年销量的50.00%，"
                                            "快于时间进度32.74个百分点。")
    assert pace_text(frame, 2019, 2018, "en") == ("By 4 March 2019, 17.26% of the year has passed and volume reached "
                                                  "0.50 cases, 50.00% of 2018's whole year: 32.74 pp ahead of the calendar.")


def test_pace_ignores_the_month_filter_and_behind_time_is_worded_as_behind(pace_city):
    frame = pace(connect_store(pace_city), A.with_(month_from=1, month_to=1, area_types=("urban",)))
    # only 0420001 is urban: 2019 reaches 50 of 250 条 by January (20.00%) — the March line is rural
    assert frame.loc[frame["year"] == 2019, "progress_pct"].tolist() == [20.0]
    assert pace_text(frame, 2019, 2018) == ("截至2019年1月，时间进度8.49%，累计销量0.20箱，达到2018年全年销量的20.00%，"
                                            "快于时间进度11.51个百分点。")
    behind = frame.assign(progress_pct=frame["progress_pct"] - 15.0)
    assert pace_text(behind, 2019, 2018).endswith("达到2018年全年销量的5.00%，慢于时间进度3.49个百分点。")


def test_a_partial_compare_year_is_no_yardstick(tiny, pace_city):
    # the tiny city's data begin in March 2018, so 2018 is not a whole year
    frame = pace(connect_store(tiny), A)
    assert frame["progress_pct"].isna().all()
    assert pace_text(frame, 2019, 2018) == "截至2019年3月，累计销量2.00箱；没有完整的对比年份，无法衡量进度。"
    assert pace(connect_store(pace_city), A.with_(compare_year=None))["progress_pct"].isna().all()
    assert pace_text(pace(connect_store(pace_city), A.with_(year=2021)), 2021, 2018) is None
