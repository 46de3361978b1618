"""同期 on awkward calendars: an incomplete last year is compared with the same days of the other
years (docs/definitions.md, "Same period"). Every figure below is worked out by hand.

The cities use the tiny masters of conftest.py (0420001 and 0420002 in 甲片区; SKUs 一号 一类, 五号
五类, 三号 三类) and these order lines (条):

  2021-12-30 0420001 一号  25  phone
  2022-01-10 0420001 一号 100  phone
  2022-06-15 0420001 五号  40  online   <- on the as-of day of a city that ends 2023-06-15
  2022-06-16 0420002 三号  60  online   <- the day after it
  2022-07-04 0420001 一号 200  phone
  2023-01-09 0420001 一号 120  phone
  2023-06-15 0420002 五号  80  online   <- the last line: as-of 2023-06-15
"""
from __future__ import annotations

import json

import pytest

from analytics.db import connect_store
from analytics.filters import Filters
from analytics.narrative import summary_text
from analytics.queries import breakdown, class_by_period, period, retailer_table, summary, top_brands
from analytics.store import Store

from .conftest import TINY_RETAILERS, TINY_SKUS

HEAD = "订货日期,许可证号,卷烟编码,订货量(条),金额(元),订货方式\n"
BASE = """2021-12-30,0420001,6901028000001,25,5000,电话订货
2022-01-10,0420001,6901028000001,100,20000,电话订货
2022-06-15,0420001,6901028000002,40,400,网上订货
2022-06-16,0420002,6901028000003,60,3000,网上订货
2022-07-04,0420001,6901028000001,200,40000,电话订货
2023-01-09,0420001,6901028000001,120,24000,电话订货
2023-06-15,0420002,6901028000002,80,800,网上订货
"""
JIA = ("甲片区",)


def _city(root, orders: str) -> Store:
    store = Store(root)
    results = store.load([("r.csv", TINY_RETAILERS.encode("gbk")), ("s.csv", TINY_SKUS.encode("gbk")),
                          ("o.csv", (HEAD + orders).encode("gbk"))])
    assert [r.status for r in results] == ["loaded"] * 3, [m for r in results for m in r.messages("en")]
    return store


@pytest.fixture
def mid_month(tmp_path):
    return connect_store(_city(tmp_path / "mid", BASE))


@pytest.fixture
def month_end(tmp_path):
    # one more line on 30 June 2023: the data end at a month's end
    return connect_store(_city(tmp_path / "end", BASE + "2023-06-30,0420001,6901028000003,10,500,走访\n"))


def test_a_year_that_ends_mid_month_is_compared_with_the_same_days(mid_month):
    s = summary(mid_month, Filters(year=2023, compare_year=2022, districts=JIA))
    assert s.volume_cases == 0.8  # 120 + 80 条
    assert s.volume_cases_prev == 0.56  # 2022-01-10 100 + 2022-06-15 40; not the 16 June or July lines
    assert s.volume_yoy_pct == pytest.approx(60 / 140 * 100)  # +42.86%, not -50% against the whole of 2022
    assert s.class_cases_prev["5"] == 0.16 and s.class_cases_prev["3"] == 0.0
    assert (s.online_customers, s.online_customers_prev) == (1, 1)  # 0420002 in 2023; 0420001 on 2022-06-15
    assert (s.as_of, s.period_start, s.period_end) == ("2023-06-15", "2023-01-01", "2023-06-15")
    assert (s.compare_period_start, s.compare_period_end, s.period_cut) == ("2022-01-01", "2022-06-15", True)
    text = summary_text(s, "甲片区")
    assert text.startswith("2023年1月1日至6月15日，甲片区共销售卷烟0.80箱，比2022年同期增加0.24箱，增长42.86%。")
    assert summary_text(s, "甲片区", "en").startswith(
        "From 1 January to 15 June 2023, 甲片区 sold 0.80 cases, up 0.24 cases on the same period of 2022 (+42.86%).")


def test_every_comparing_query_reads_the_same_period(mid_month):
    f = Filters(year=2023, compare_year=2022, districts=JIA)
    retailers = retailer_table(mid_month, f).set_index("retailer_id")
    assert retailers.loc["0420001", ["qty", "qty_prev"]].tolist() == [120, 140]
    assert retailers.loc["0420002", ["qty", "qty_prev"]].tolist() == [80, 0]  # its 2022 line is on 16 June
    brands = top_brands(mid_month, f).set_index("name")
    assert brands.loc["一号", ["qty", "qty_prev"]].tolist() == [120, 100]
    assert brands.loc["五号", ["qty", "qty_prev"]].tolist() == [80, 40]
    yearly = class_by_period(mid_month, f, grain="year")
    assert yearly[yearly["year"] == 2022][["price_class", "qty"]].values.tolist() == [[1, 100], [5, 40]]
    table = breakdown(mid_month, Filters(year=2023, compare_year=2022)).set_index("district")
    assert table.loc["甲片区", "volume_yoy_pct"] == pytest.approx(60 / 140 * 100)


def test_a_year_that_ends_at_a_months_end_is_compared_with_whole_months(month_end):
    s = summary(month_end, Filters(year=2023, compare_year=2022, districts=JIA))
    assert s.volume_cases == 0.84  # 120 + 80 + 10
    assert s.volume_cases_prev == 0.8  # January to June 2022: 100 + 40 + 60
    assert s.volume_yoy_pct == pytest.approx(5.0)
    assert s.online_customers_prev == 2
    assert (s.period_end, s.compare_period_end) == ("2023-06-30", "2022-06-30")


def test_a_month_range_intersects_the_same_period(mid_month):
    s = summary(mid_month, Filters(year=2023, compare_year=2022, districts=JIA, month_from=3, month_to=8))
    assert s.volume_cases == 0.32  # the 15 June line
    assert s.volume_cases_prev == 0.16  # 2022-03-01 to 06-15: the 15 June line only
    assert (s.period_start, s.period_end) == ("2023-03-01", "2023-06-15")
    assert summary_text(s, "甲片区").startswith("2023年3月1日至6月15日，甲片区共销售卷烟0.32箱，比2022年同期增加0.16箱")


def test_without_a_comparison_year_there_is_nothing_to_compare(mid_month):
    s = summary(mid_month, Filters(year=2023, compare_year=None, districts=JIA))
    assert s.volume_cases == 0.8
    assert s.volume_cases_prev is None and s.volume_yoy_pct is None
    assert s.compare_period_start is None and s.period_end == "2023-06-15"
    assert "无上年同期数据可比" in summary_text(s, "甲片区")


def test_a_year_followed_by_a_later_year_is_whole_whatever_its_last_order_date(mid_month):
    # 2022's last line is on 4 July, but 2023 exists: 2022 is complete and compared with all of 2021
    s = summary(mid_month, Filters(year=2022, compare_year=2021, districts=JIA))
    assert s.volume_cases == 1.6  # 100 + 40 + 60 + 200
    assert s.volume_cases_prev == 0.1  # 2021-12-30
    assert (s.period_end, s.period_cut) == ("2022-12-31", False)
    assert summary_text(s, "甲片区").startswith("2022年，甲片区共销售卷烟1.60箱，比2021年增加1.50箱")


def test_a_leap_day_as_of_date_cuts_other_years_at_28_february(tmp_path):
    con = connect_store(_city(tmp_path / "leap", """2023-02-28,0420001,6901028000001,50,10000,电话订货
2023-03-01,0420001,6901028000001,70,14000,电话订货
2024-01-05,0420001,6901028000001,20,4000,电话订货
2024-02-29,0420001,6901028000001,30,6000,电话订货
"""))
    f = Filters(year=2024, compare_year=2023, districts=JIA)
    span = period(con, f)
    assert (span.end.isoformat(), span.compare_end.isoformat(), span.cut) == ("2024-02-29", "2023-02-28", True)
    s = summary(con, f)
    assert (s.volume_cases, s.volume_cases_prev, s.volume_yoy_pct) == (0.2, 0.2, 0.0)  # 1 March 2023 is out


def test_summary_json_carries_the_same_period(tmp_path, capsys):
    from analytics.cli import main

    store = _city(tmp_path / "cli", BASE)
    assert main(["summary", "--district", "甲片区", "--year", "2023", "--json", "--data-dir", str(store.root)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["volume_cases_prev"], round(out["volume_yoy_pct"], 2)) == (0.56, 42.86)
    assert (out["period_end"], out["compare_period_end"]) == ("2023-06-15", "2022-06-15")


def test_the_overview_of_an_incomplete_year_compares_the_same_period(tmp_path, data_env):
    from streamlit.testing.v1 import AppTest

    from .conftest import ROOT

    store = _city(tmp_path / "app", BASE)
    data_env(store.root)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert (at.metric[0].value, at.metric[0].delta) == ("0.80 箱", "+42.86%")  # not -50.00% against all of 2022
    captions = [c.value.replace("\\", "") for c in at.caption]  # Markdown-escaped: compare plain text
    assert any("期间: 2023-01-01至06-15 vs 2022年同期 · " in c for c in captions), captions
    assert any(c.startswith("数据期间 2021-12-30 至 2023-06-15 · 更新于 ") for c in captions)

    from .test_app import _district_app

    district = _district_app("甲片区")
    district.run()
    assert not district.exception, [e.value for e in district.exception]
    table = district.dataframe[0].value  # the seed-style table names both periods in its headers
    assert list(table.columns[1:3]) == ["2023-01-01至06-15", "2022年同期"]
    assert table.iloc[0, 1:].tolist() == ["0.80", "0.56", "+0.24", "+42.86%"]
    assert "比2022年同期增加0.24箱" in district.code[0].value


def test_a_whole_year_against_the_incomplete_one_is_cut_at_the_same_day_too(mid_month):
    # 2022 (complete) compared with 2023 (to 15 June): like for like, 2022 is read to 15 June as well
    s = summary(mid_month, Filters(year=2022, compare_year=2023, districts=JIA))
    assert (s.volume_cases, s.volume_cases_prev) == (0.56, 0.8)
    assert s.volume_yoy_pct == pytest.approx(-30.0)
    assert (s.period_end, s.compare_period_end, s.period_cut) == ("2022-06-15", "2023-06-15", True)
    assert summary_text(s, "甲片区").startswith("2022年1月1日至6月15日，甲片区共销售卷烟0.56箱，比2023年同期减少0.24箱")


def test_volume_swings_of_an_incomplete_year_count_only_the_months_that_have_passed(mid_month):
    from analytics.queries import volume_swings

    frame = volume_swings(mid_month, Filters(year=2023, compare_year=2022, districts=JIA), min_months=1).set_index("retailer_id")
    # 0420001: 120 条 in January and nothing from February to June (July to December have not happened):
    # over six months the coefficient of variation is √5, not the √11 of twelve
    assert frame.loc["0420001", "swing"] == pytest.approx(5 ** 0.5)
