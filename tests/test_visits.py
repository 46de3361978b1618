"""The visit list (analytics/visits.py, docs/definitions.md "Visit list") on a city small enough to check
by hand. Its SKUs are the tiny city's (tests/conftest.py): 一号 一类 200 元/条, 三号 三类 50 元/条,
五号 五类 10 元/条. 甲片区's 客户经理 张伟 has five retailers, 乙片区's 李娜 one; the data end on Wednesday
2019-02-06, so the week to plan is 2019-W07 (11–17 February) and it reads to 2019-02-06:

- 0420001 甲便利店 (phone orders only): recent months 2018-12-01 – 2019-02-06 = 100 + 100 + 50 条 = 1.00 箱;
  a year earlier 2017-12-01 – 2018-02-06 = 250 + 250 + 100 条 = 2.40 箱 (its 100 条 of 2018-02-20 are
  after the same day): down 1.40 箱 = 58.33% → sharp decliner; also no online order in 2019 (0.60 箱).
- 0420002 乙食杂店: 200 条 in every other month from February to December 2018, none in 2019. Over
  the twelve whole months 2018-02 – 2019-01 (February 2019 is read in part, so it is left out): six
  months of 200 and six of 0, mean 100, standard deviation 100 → CV 1.00 → big swings. Recent 200 =
  a year earlier 200 (its 2018-02-10 order is after the same day): no decline.
- 0420003 丙超市: 300 条 by phone in January 2018 and January 2019: not ordering online, 1.20 箱.
- 0420004 丁便利店 (online): 200 条 in January 2018 and January 2019, of which 五类 100 then and 40
  now: down 60 条 = 0.24 箱 = 60.00% → 五类 decliner (its volume as a whole did not fall).
- 0420005 戊商店 (online, steady): no reason. Its 10 条 of 2019-02-06 make the data end.
- 0420006 己商店 of 乙片区 / 李娜 falls from 1,000 to 10 条: never in 张伟's list.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from analytics import visits
from analytics.access import NotAllowed, Scope
from analytics.config import SuspectThresholds, VisitSettings
from analytics.db import connect_store
from analytics.filters import Filters
from analytics.store import Store

from .conftest import TINY_SKUS

RETAILERS = """许可证号,客户名称,片区,客户经理,城乡分类,业态,档位
0420001,甲便利店,甲片区,张伟,城网,便利店,5
0420002,乙食杂店,甲片区,张伟,农网,食杂店,10
0420003,丙超市,甲片区,张伟,城网,超市,20
0420004,丁便利店,甲片区,张伟,城网,便利店,8
0420005,戊商店,甲片区,张伟,农网,食杂店,6
0420006,己商店,乙片区,李娜,城网,便利店,9
"""
ONE, FIVE, THREE = "6901028000001", "6901028000002", "6901028000003"
PRICE = {ONE: 200, FIVE: 10, THREE: 50}
_LINES = [
    ("2017-12-04", "0420001", ONE, 250, "电话订货"), ("2018-01-08", "0420001", ONE, 250, "电话订货"),
    ("2018-02-01", "0420001", ONE, 100, "电话订货"), ("2018-02-20", "0420001", ONE, 100, "电话订货"),
    ("2018-12-03", "0420001", ONE, 100, "电话订货"), ("2019-01-07", "0420001", ONE, 100, "电话订货"),
    ("2019-02-04", "0420001", ONE, 50, "电话订货"),
    ("2017-12-04", "0420002", THREE, 200, "网上订货"),
    *[(f"2018-{m:02d}-{d:02d}", "0420002", THREE, 200, "网上订货") for m, d in ((2, 10), (4, 2), (6, 4), (8, 6), (10, 8), (12, 3))],
    ("2018-01-08", "0420003", THREE, 300, "电话订货"), ("2019-01-07", "0420003", THREE, 300, "电话订货"),
    ("2018-01-08", "0420004", FIVE, 100, "网上订货"), ("2018-01-08", "0420004", ONE, 100, "网上订货"),
    ("2019-01-07", "0420004", FIVE, 40, "网上订货"), ("2019-01-07", "0420004", ONE, 160, "网上订货"),
    ("2018-01-08", "0420005", ONE, 100, "网上订货"), ("2019-01-07", "0420005", ONE, 100, "网上订货"),
    ("2019-02-06", "0420005", ONE, 10, "网上订货"),
    ("2018-01-08", "0420006", ONE, 1000, "电话订货"), ("2019-01-07", "0420006", ONE, 10, "电话订货"),
]


def _orders(lines) -> str:
    rows = [f"{d},{r},{s},{q},{q * PRICE[s]},{c}" for d, r, s, q, c in lines]
    return "订货日期,许可证号,卷烟编码,订货量(条),金额(元),订货方式\n" + "\n".join(rows) + "\n"


def load_city(root: Path, lines=_LINES) -> Store:
    store = Store(root)
    results = store.load([("零售户档案.csv", RETAILERS.encode("gbk")), ("卷烟档案.csv", TINY_SKUS.encode("utf-8-sig")),
                          ("订单.csv", _orders(lines).encode("gbk"))], loaded_by="test")
    assert [r.status for r in results] == ["loaded"] * 3, [m for r in results for m in r.messages("en")]
    return store


@pytest.fixture
def city(tmp_path: Path) -> Store:
    return load_city(tmp_path / "data")


ZHANG = Filters(districts=("甲片区",), managers=("张伟",))
#: 代订货 thresholds no retailer reaches: the other reasons' rules on their own (the suspects' signals are
#: pinned in tests/test_suspects.py; their place in the list below, in test_suspects_come_first)
NO_SUSPECTS = SuspectThresholds(min_peers=10**6, shift_min_ratio=10.0, pair_min_cases=10.0**6, swing_cv=10.0**6)
#: the thresholds these figures are checked against (the defaults may be tuned; the rules may not)
S = VisitSettings(recent_months=3, decline_pct=30.0, decline_min_cases=0.25, low_tier_decline_pct=30.0, low_tier_min_cases=0.1,
                  swing_months=12, swing_cv=0.5, swing_min_months=6, per_reason=8, repeat_weeks=4, suspects=NO_SUSPECTS)
WEEK = "2019-W07"


def _rows(vl: visits.VisitList) -> list[tuple]:
    return [(r["rank"], r["reason"], r["retailer_id"], r["why_zh"], r["also"]) for r in vl.rows]


# --- weeks and the day the data are read to ---------------------------------------------------------

def test_iso_weeks_including_week_53_and_a_week_spanning_new_year():
    assert visits.parse_week("2019-W07") == (dt.date(2019, 2, 11), dt.date(2019, 2, 17))
    assert visits.parse_week("2020-W53") == (dt.date(2020, 12, 28), dt.date(2021, 1, 3))
    assert visits.parse_week("2020-W01") == (dt.date(2019, 12, 30), dt.date(2020, 1, 5))  # begins in 2019
    assert visits.week_of(dt.date(2021, 1, 1)) == "2020-W53" and visits.week_of(dt.date(2019, 12, 31)) == "2020-W01"
    assert visits.shift_week("2021-W01", -1) == "2020-W53" and visits.shift_week("2019-W52", 1) == "2020-W01"
    for bad in ("2019-W53", "2019-W00", "2019-W7", "2019W07", "", "2019-07"):
        with pytest.raises(ValueError, match="ISO week"):
            visits.parse_week(bad)
    # the week to plan: the one after the data end (a Wednesday's, or a Sunday's next Monday)
    assert visits.week_to_plan(dt.date(2019, 2, 6)) == "2019-W07"
    assert visits.week_to_plan(dt.date(2019, 2, 10)) == "2019-W07"
    assert visits.week_to_plan(dt.date(2019, 12, 31)) == "2020-W02"


def test_the_data_are_read_to_the_sunday_before_the_week_or_the_data_end():
    end = dt.date(2019, 2, 6)
    w = visits.data_window(end, "2019-W07", S)
    assert (w.sunday_before, w.as_of, w.basis, w.partial) == (dt.date(2019, 2, 10), end, "data_end", True)
    assert w.recent == (dt.date(2018, 12, 1), end) and w.prior == (dt.date(2017, 12, 1), dt.date(2018, 2, 6))
    assert w.swing == (dt.date(2018, 2, 1), dt.date(2019, 1, 31))  # whole months: February 2019 is read in part
    assert w.year_to_date == (dt.date(2019, 1, 1), end)
    # a past week whose Sunday falls inside a month with later data: whole months, to the last month end before it
    past = visits.data_window(end, "2019-W05", S)
    assert (past.sunday_before, past.as_of, past.basis, past.partial) == (dt.date(2019, 1, 27), dt.date(2018, 12, 31), "month_end", False)
    assert past.recent == (dt.date(2018, 10, 1), dt.date(2018, 12, 31)) and past.swing == (dt.date(2018, 1, 1), dt.date(2018, 12, 31))
    # a Sunday that is a month end is read to itself (2019-03-31 is a Sunday; 2019-W14 starts 1 April)
    assert visits.data_window(dt.date(2019, 5, 1), "2019-W14", S).as_of == dt.date(2019, 3, 31)
    # 29 February a year later is the 28th
    leap = visits.data_window(dt.date(2021, 2, 28), "2021-W09", S)
    assert leap.prior == (dt.date(2019, 12, 1), dt.date(2020, 2, 28)) and not leap.partial


# --- each reason, with its line of why --------------------------------------------------------------

def test_the_week_to_plan_lists_each_reason_once_in_priority_order(city):
    vl = visits.visit_list(connect_store(city), ZHANG, WEEK, settings=S)
    assert (vl.as_of, vl.basis, vl.recent, vl.prior) == ("2019-02-06", "data_end", ("2018-12-01", "2019-02-06"),
                                                         ("2017-12-01", "2018-02-06"))
    assert _rows(vl) == [
        (1, "decliner", "0420001", "近3个月 1.00 箱，去年同期 2.40 箱，下降 58.33%（-1.40 箱）", ["not_online"]),
        (2, "swing", "0420002", "近12个月月销量波动系数 1.00（单月最低 0.00 箱，最高 0.80 箱）", []),
        (3, "not_online", "0420003", "2019年以来未网上订货，今年以来销量 1.20 箱", []),
        (4, "low_tier_decline", "0420004", "五类烟近3个月 0.16 箱，去年同期 0.40 箱，下降 60.00%（-0.24 箱）", []),
    ]
    assert vl.rows[0]["why_en"] == "Last 3 months 1.00 cases, a year earlier 2.40 cases: down 58.33% (-1.40 cases)"
    assert vl.rows[0]["evidence"] == pytest.approx(140 / 2.4)
    assert vl.found == {"suspect": 0, "decliner": 1, "swing": 1, "not_online": 1, "low_tier_decline": 1}
    assert vl.held_back == 0 and not vl.issued
    # the sections a page and the printed list show: one per reason, in priority order
    assert [title for title, _ in visits.sections(vl, "zh")] == ["销量大幅下滑（1 户）", "销量波动大（1 户）", "尚未网上订货（1 户）",
                                                                 "五类烟下滑（1 户）"]
    table = visits.frame(vl, "zh")
    assert table.loc[0, "visit_also"] == "尚未网上订货" and list(table["retailer_name"]) == ["甲便利店", "乙食杂店", "丙超市", "丁便利店"]


def test_thresholds_are_both_a_share_and_a_floor(city):
    con = connect_store(city)

    def reasons(**changes) -> dict[str, str]:
        vl = visits.visit_list(con, ZHANG, WEEK, settings=dataclasses.replace(S, **changes))
        return {r["retailer_id"]: r["reason"] for r in vl.rows}

    assert reasons(decline_pct=58.33)["0420001"] == "decliner"
    assert reasons(decline_pct=58.34)["0420001"] == "not_online"  # not a decliner any more: its next reason
    assert reasons(decline_min_cases=1.4)["0420001"] == "decliner"
    assert reasons(decline_min_cases=1.41)["0420001"] == "not_online"
    assert "0420004" not in reasons(low_tier_min_cases=0.25)  # 0.24 箱 lost
    assert "0420002" not in reasons(swing_cv=1.01) and "0420002" not in reasons(swing_min_months=7)


def test_a_past_week_reads_whole_months_to_the_month_end_before_it(city):
    vl = visits.visit_list(connect_store(city), ZHANG, "2019-W05", settings=S)
    assert (vl.as_of, vl.basis) == ("2018-12-31", "month_end")
    assert visits.as_of_text(vl, "zh") == ("数据截至 2018-12-31（该周前的周日 2019-01-27 当天或之前最后一个整月的月末；"
                                           "数据按月汇总，截至 2019-02-06）")
    assert _rows(vl) == [
        # October – December: 100 条 in 2018 against 250 in 2017
        (1, "decliner", "0420001", "近3个月 0.40 箱，去年同期 1.00 箱，下降 60.00%（-0.60 箱）", ["not_online"]),
        (2, "swing", "0420002", "近12个月月销量波动系数 1.00（单月最低 0.00 箱，最高 0.80 箱）", []),
        # 2018's: 丙超市 300 条, and 甲便利店 (listed above) 550
        (3, "not_online", "0420003", "2018年以来未网上订货，今年以来销量 1.20 箱", []),
    ]


def test_the_cap_gives_each_reason_its_share_first(city):
    con = connect_store(city)
    assert [r["reason"] for r in visits.visit_list(con, ZHANG, WEEK, cap=2, settings=S).rows] == ["decliner", "swing"]
    # one place a reason: the first pass takes one of each in priority order, then nothing is left
    one = dataclasses.replace(S, per_reason=1)
    assert [r["retailer_id"] for r in visits.visit_list(con, ZHANG, WEEK, cap=3, settings=one).rows] == ["0420001", "0420002", "0420003"]
    assert len(visits.visit_list(con, ZHANG, WEEK, cap=0, settings=S).rows) == 0


def test_suspects_come_first_with_their_evidence_and_other_reasons(city):
    """With the suspects' own thresholds: early in 2019 (data to February) they are read for 2018, where
    甲便利店's monthly volume steps down after March (150 条 a month, then 100 条 over nine months) and
    乙食杂店's swings (CV 1.00 over six months with orders): both are listed first, as 代订货 leads, with
    their other reasons beside them."""
    vl = visits.visit_list(connect_store(city), ZHANG, WEEK, settings=dataclasses.replace(S, suspects=VisitSettings().suspects))
    assert vl.suspect_days == ("2018-01-01", "2018-12-31")
    assert _rows(vl) == [
        (1, "suspect", "0420001", "代订货线索评分 2.00：【销量突变】自 4 月起月均销量由 0.60 箱变为 0.04 箱，并持续。",
         ["decliner", "not_online"]),
        # its sentence already says it swings: 销量波动大 is not named again as another reason
        (2, "suspect", "0420002", "代订货线索评分 1.00：【销量波动大】月销量变异系数 1.00（6 个月有订货）。", []),
        (3, "not_online", "0420003", "2019年以来未网上订货，今年以来销量 1.20 箱", []),
        (4, "low_tier_decline", "0420004", "五类烟近3个月 0.16 箱，去年同期 0.40 箱，下降 60.00%（-0.24 箱）", []),
    ]
    # from the sixth month of a year on, the year to the data date: data to 2019-07-03, read from January
    assert visits.suspect_period(visits.data_window(dt.date(2019, 7, 3), "2019-W28", S), S) == (dt.date(2019, 1, 1), dt.date(2019, 7, 3))
    assert visits.suspect_period(visits.data_window(dt.date(2019, 5, 31), "2019-W23", S), S) == (dt.date(2018, 1, 1), dt.date(2018, 12, 31))


def test_only_the_managers_own_retailers_and_only_with_retailer_rows(city):
    con = connect_store(city)
    li = visits.visit_list(con, Filters(districts=("乙片区",), managers=("李娜",)), WEEK, settings=S)
    # 己商店: 1,000 条 in January 2018, 10 in January 2019
    assert [(r["reason"], r["retailer_id"], r["also"]) for r in li.rows] == [("decliner", "0420006", ["not_online"])]
    # a scope of 李娜 asking for 张伟's list gets nothing of his
    assert visits.visit_list(con, ZHANG.within(Scope(managers=("李娜",))), WEEK, settings=S).rows == ()
    with pytest.raises(NotAllowed):
        visits.visit_list(con, ZHANG.within(Scope(districts=("甲片区",), retailer_level=False)), WEEK, settings=S)
    with pytest.raises(ValueError, match="one customer manager"):
        visits.visit_list(con, Filters(districts=("甲片区",)), WEEK, settings=S)


def test_a_week_before_the_data_has_an_empty_list_that_says_so(city):
    # whole months to September 2017, and the data begin in December
    vl = visits.visit_list(connect_store(city), ZHANG, "2017-W40", settings=S)
    assert (vl.rows, vl.as_of, vl.found) == ((), None, {r: 0 for r in visits.REASONS})
    assert visits.as_of_text(vl, "zh") == "该周之前没有数据"


# --- kept lists and the history rule -------------------------------------------------------------------

def test_a_reason_listed_last_week_is_not_listed_again_unless_worse(city, tmp_path):
    con, root = connect_store(city), tmp_path / "kept"
    issued = visits.issue(root, visits.visit_list(con, ZHANG, WEEK, settings=S), "张伟")
    assert issued.issued and issued.issued_by == "张伟"
    # the next week reads the same data: every retailer-reason was listed last week and none got worse
    following = "2019-W08"
    history = visits.previous_lists(root, "甲片区", "张伟", following, S)
    assert [h.week for h in history] == [WEEK]
    vl = visits.visit_list(con, ZHANG, following, history, settings=S)
    # 甲便利店 was listed as a decliner, not as one not ordering online: that reason is new
    assert _rows(vl) == [(1, "not_online", "0420001", "2019年以来未网上订货，今年以来销量 0.60 箱", ["decliner"])]
    assert vl.held_back == 4
    # listed with a smaller decline (40%): now 58.33%, at least 10 points worse, so listed again, saying so
    milder = dataclasses.replace(issued, rows=tuple({**r, "evidence": 40.0} if r["reason"] == "decliner" else r for r in issued.rows))
    again = visits.visit_list(con, ZHANG, following, [milder], settings=S)
    assert again.rows[0]["reason"] == "decliner" and again.rows[0]["previous_week"] == WEEK
    assert again.rows[0]["why_zh"] == ("近3个月 1.00 箱，去年同期 2.40 箱，下降 58.33%（-1.40 箱）"
                                       "；比 2019-W07 列入时更差（-40.00% → -58.33%）")
    # listed at 48.34%: less than 10 points better than now, so not worse enough
    near = dataclasses.replace(milder, rows=tuple({**r, "evidence": 48.34} if r["reason"] == "decliner" else r for r in issued.rows))
    assert visits.visit_list(con, ZHANG, following, [near], settings=S).rows[0]["reason"] == "not_online"
    # a list of five weeks before is outside the four weeks: everything is listed again
    old = dataclasses.replace(issued, week=visits.shift_week(following, -5))
    assert len(visits.visit_list(con, ZHANG, following, [old], settings=S).rows) == 4
    # another manager's kept list says nothing about this one's
    assert len(visits.visit_list(con, ZHANG, following, [dataclasses.replace(issued, manager="李娜")], settings=S).rows) == 4


def test_an_issued_list_stays_as_printed_when_the_data_change(city, tmp_path):
    con, root = connect_store(city), tmp_path / "kept"
    first = visits.issue(root, visits.visit_list(con, ZHANG, WEEK, settings=S), "张伟")
    path = root / "visits" / "甲片区" / "张伟" / f"{WEEK}.json"
    assert path.is_file() and json.loads(path.read_text(encoding="utf-8"))["rows"][0]["retailer_name"] == "甲便利店"
    before = path.read_bytes()
    # 甲便利店 orders 500 条 more on 2019-02-05: no longer a decliner on the new data
    later = load_city(Path(city.root).parent / "later", [*_LINES, ("2019-02-05", "0420001", ONE, 500, "电话订货")])
    fresh = visits.visit_list(connect_store(later), ZHANG, WEEK, settings=S)
    assert "decliner" not in [r["reason"] for r in fresh.rows]
    # issuing the week again keeps the first list, byte for byte
    kept = visits.issue(root, fresh, "someone else")
    assert kept == first and path.read_bytes() == before
    assert visits.load(root, "甲片区", "张伟", WEEK) == first
    assert visits.issued_weeks(root, "甲片区", "张伟") == [WEEK]
    assert visits.load(root, "甲片区", "张伟", "2019-W08") is None
    assert not list(path.parent.glob(".*"))  # no temporary file left behind


def test_a_damaged_kept_list_is_named_not_a_crash(tmp_path):
    path = visits.list_path(tmp_path, "甲片区", "张伟", WEEK)
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match=str(path)):
        visits.load(tmp_path, "甲片区", "张伟", WEEK)


def test_names_that_are_not_path_safe_stay_inside_the_visits_directory(tmp_path):
    path = visits.list_path(tmp_path, "../..", "a/b", WEEK)
    assert path.resolve().is_relative_to((tmp_path / "visits").resolve())
    assert path.parent.name != "a/b" and len(path.relative_to(tmp_path).parts) == 4


def test_the_reasons_are_those_the_raw_lines_give(city):
    """The rollup queries against pandas over the order lines (analytics/tools/baseline.py, the bench's baseline)."""

    from analytics.tools import baseline

    raw, retailers = baseline.load_raw(city.state_dir()), pd.read_parquet(city.state_dir() / "retailers.parquet")
    for week in (WEEK, "2019-W05"):
        rows = visits.candidates(connect_store(city), ZHANG, week).rows
        fast = {r: set(rows.loc[rows["reason"] == r, "retailer_id"]) for r in visits.REASONS[1:]}
        assert fast == baseline.visit_reasons(raw, retailers, ZHANG, week)
    assert fast == {"decliner": {"0420001"}, "swing": {"0420002"}, "not_online": {"0420001", "0420003"}, "low_tier_decline": set()}


# --- review fixes: 日拜访 days, the outcome column, English listing, issued without sign-in ---

def test_the_days_take_the_list_in_rank_order_as_evenly_as_they_go():
    assert visits.visit_days(20) == [d for d in range(5) for _ in range(4)]
    assert visits.visit_days(7) == [0, 0, 1, 1, 2, 3, 4]
    assert visits.visit_days(3) == [0, 1, 2] and visits.visit_days(0) == []
    # 2019-W07 runs from Monday 11 February
    assert (visits.day_text("2019-W07", 0, "zh"), visits.day_text("2019-W07", 4, "en")) == ("周一 02-11", "Fri 02-15")


def test_the_files_and_the_print_split_the_week_over_its_days_with_room_for_the_outcome(city):
    vl = visits.visit_list(connect_store(city), ZHANG, WEEK, settings=S)
    table = visits.frame(vl, "zh")
    # four rows over five days: Monday to Thursday one each, in rank order; the outcome left to write by hand
    assert list(table["visit_day"]) == ["周一 02-11", "周二 02-12", "周三 02-13", "周四 02-14"]
    assert list(table["visit_result"]) == ["", "", "", ""]
    assert visits.TABLE_COLUMNS[-1] == "visit_result" and "visit_day" in visits.TABLE_COLUMNS
    days = visits.day_sections(vl, "zh")
    assert [h for h, _ in days] == ["周一 02-11（1 户）", "周二 02-12（1 户）", "周三 02-13（1 户）", "周四 02-14（1 户）"]
    # the other reasons ride in the reason's cell on paper
    assert days[0][1]["visit_reason"].iloc[0] == "销量大幅下滑（另有：尚未网上订货）"
    page = visits.printable_page(vl, "zh", "线索")
    assert {"走访结果", "拜访理由"} <= set(re.findall(r'<th scope="col">(?:<div[^>]*>)?([^<]*)', page))
    assert "周四 02-14（1 户）" in page and "5 个拜访日 × 每天 4 户，按序号依次排入各拜访日" in page


def test_english_lists_and_lines_carry_no_chinese_punctuation(city):
    vl = visits.visit_list(connect_store(city), ZHANG, WEEK, settings=S)
    assert visits.listing(["Sharp decline 2", "Not ordering online yet 41"], "en") == "Sharp decline 2, Not ordering online yet 41"
    assert visits.listing(["a", "b"], "zh") == "a、b"
    texts = [v for _, part in visits.day_sections(vl, "en") for v in part.drop(columns=["visit_result"]).astype(str).to_numpy().ravel()]
    texts += visits.meta(vl, "en") + [r["why_en"] for r in vl.rows]
    assert not [x for x in texts if any(c in x for c in "、：（），；")]
    assert vl.rows[2]["why_en"] == "No online order in 2019 so far; volume 1.20 cases this year so far"


def test_a_list_issued_without_sign_in_says_this_computer_not_the_os_user(city, tmp_path):
    kept = visits.issue(tmp_path, visits.visit_list(connect_store(city), ZHANG, WEEK, settings=S), None)
    line = visits.meta(kept, "zh")[-1]
    assert line.startswith("已于 ") and "在本机下发（未启用登录）" in line and "由" not in line
    assert visits.meta(kept, "en")[-1].startswith("Issued ") and "on this computer" in visits.meta(kept, "en")[-1]


def test_only_the_week_to_plan_or_a_later_one_is_issued():
    # data to Wednesday 2019-02-06: the week to plan is 2019-W07
    assert [visits.issuable(w, dt.date(2019, 2, 6)) for w in ("2019-W05", "2019-W06", "2019-W07", "2019-W08")] == [False, False, True, True]
