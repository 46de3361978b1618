"""Progress against targets (docs/definitions.md, "Targets"): every figure worked out by hand.

The pure definitions first (metrics, progress.evaluate, the sentence, the chart), then the queries
on the tiny city of conftest.py, whose data end on 2019-05-06 (a mid-month as-of date): 甲片区 sold
500 条 = 2 箱 in 2019 (class 1: 250 条, class 3: 200, class 5: 50; provincial 450 条; 60,500 元),
乙片区 500 条 = 2 箱 (class 1, provincial, 100,000 元, online)."""
from __future__ import annotations

import datetime as dt

import pytest

from analytics import charts, metrics
from analytics.narrative import progress_text
from analytics.progress import BY_KEY, Progress, evaluate

D = dt.date
SEED_TP = 181 / 365 * 100  # 30 June 2019


# --- the definitions ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("day", "expected"), [
    (D(2019, 6, 30), 181 / 365 * 100),  # 49.59%
    (D(2020, 6, 30), 182 / 366 * 100),  # a leap year: 49.73%
    (D(2019, 5, 6), 126 / 365 * 100),  # the tiny city's as-of date: 34.52%
    (D(2019, 12, 31), 100.0),
    (D(2020, 1, 1), 1 / 366 * 100),
])
def test_time_progress_counts_calendar_days_through_the_as_of_date(day, expected):
    assert metrics.time_progress_pct(day) == pytest.approx(expected)
    assert round(metrics.time_progress_pct(D(2019, 6, 30)), 2) == 49.59
    assert round(metrics.time_progress_pct(D(2020, 6, 30)), 2) == 49.73


def test_completion_and_gap_and_a_zero_or_missing_target():
    assert metrics.completion_pct(462.0, 1000.0) == pytest.approx(46.2)
    assert round(metrics.gap_pp(46.2, SEED_TP), 2) == -3.39  # the seed: 落后时间进度3.39个百分点
    assert metrics.completion_pct(5.0, 0.0) is None  # a zero target has no completion, not infinity
    assert metrics.completion_pct(5.0, None) is None
    assert metrics.gap_pp(None, SEED_TP) is None


def test_prorated_target_adds_the_months_before_and_the_current_month_by_days():
    months = {1: 10.0, 2: 20.0, 3: 30.0, 4: 40.0, 5: 31.0, 6: 60.0}
    # 2019-05-06: January..April + May × 6/31
    assert metrics.prorated_target(months, D(2019, 5, 6)) == pytest.approx(100 + 31 * 6 / 31)
    # the last day of a month counts the whole month; February of a leap year has 29 days
    assert metrics.prorated_target(months, D(2019, 4, 30)) == pytest.approx(100.0)
    assert metrics.prorated_target({1: 31.0, 2: 29.0}, D(2020, 2, 10)) == pytest.approx(31 + 10.0)
    assert metrics.prorated_target({1: 31.0, 2: 28.0}, D(2019, 2, 14)) == pytest.approx(31 + 14.0)
    assert metrics.prorated_target({}, D(2019, 5, 6)) is None  # no monthly targets: no 序时任务
    assert metrics.prorated_target({3: 9.0}, D(2019, 2, 1)) == 0.0  # months not named count 0


def test_an_additive_measure_is_read_against_time_and_a_rate_against_its_target():
    v = evaluate(BY_KEY["volume"], 1000.0, 462.0, SEED_TP, {1: 500.0, 6: 300.0}, D(2019, 6, 30))
    assert (v.completion_pct, round(v.gap, 2)) == (pytest.approx(46.2), -3.39)
    assert v.pace_target == pytest.approx(800.0)
    assert v.pace_completion_pct == pytest.approx(57.75)
    price = evaluate(BY_KEY["avg_price"], 127.21, 125.30, SEED_TP)
    assert price.completion_pct == pytest.approx(125.30 / 127.21 * 100)
    assert price.gap == pytest.approx(-1.91)  # 元/条, not percentage points of time
    rate = evaluate(BY_KEY["online_rate"], 90.0, 85.0, SEED_TP)
    assert rate.gap == pytest.approx(-5.0)
    assert rate.pace_target is None
    zero = evaluate(BY_KEY["low_tier"], 0.0, 3.0, SEED_TP)
    assert (zero.completion_pct, zero.gap) == (None, None)


# --- the sentence ---------------------------------------------------------------------------------

def _seed(*others) -> Progress:
    return Progress(2019, "2019-06-30", SEED_TP, True, False, (evaluate(BY_KEY["volume"], 1000.0, 462.0, SEED_TP), *others))


def test_the_seeds_sentence():
    assert progress_text(_seed()) == "截至6月30日，时间进度49.59%，销量完成年度任务的46.20%，落后时间进度3.39个百分点。"
    assert progress_text(_seed(), "en") == ("By 30 June, 49.59% of the year had passed; volume reached 46.20% of the annual target, "
                                            "3.39 pp behind time.")


def test_one_clause_per_loaded_measure_ahead_behind_and_rates_in_their_units():
    p = _seed(evaluate(BY_KEY["class12"], 100.0, 55.0, SEED_TP), evaluate(BY_KEY["avg_price"], 127.21, 125.30, SEED_TP),
              evaluate(BY_KEY["online_rate"], 90.0, 92.5, SEED_TP))
    assert progress_text(p) == ("截至6月30日，时间进度49.59%，销量完成年度任务的46.20%，落后时间进度3.39个百分点；"
                                "一二类烟完成年度任务的55.00%，超过时间进度5.41个百分点；条均价125.30元/条，比任务低1.91元/条；"
                                "网订率92.50%，比任务高2.50个百分点。")
    assert progress_text(p, "en") == (
        "By 30 June, 49.59% of the year had passed; volume reached 46.20% of the annual target, 3.39 pp behind time; "
        "Class 1–2 reached 55.00% of the annual target, 5.41 pp ahead of time; the avg. price per carton was 125.30 yuan/carton, "
        "1.91 yuan/carton below target; the online ordering rate was 92.50%, 2.50 pp above target.")


def test_a_complete_year_is_read_against_the_whole_target():
    over = Progress(2018, "2018-12-31", 100.0, True, False, (evaluate(BY_KEY["volume"], 1000.0, 1023.0, 100.0),
                                                             evaluate(BY_KEY["low_tier"], 200.0, 190.0, 100.0)))
    assert progress_text(over) == ("2018年全年，销量完成年度任务的102.30%，超额完成2.30个百分点；"
                                   "五类烟完成年度任务的95.00%，距任务差5.00个百分点。")
    assert progress_text(over, "en") == ("In 2018 as a whole, volume reached 102.30% of the annual target, 2.30 pp above it; "
                                         "Class 5 reached 95.00% of the annual target, 5.00 pp short of it.")


def test_in_step_a_zero_target_and_no_targets():
    level = Progress(2019, "2019-06-30", SEED_TP, True, False, (evaluate(BY_KEY["volume"], 1000.0, SEED_TP * 10, SEED_TP),
                                                                evaluate(BY_KEY["provincial"], 0.0, 5.0, SEED_TP)))
    assert progress_text(level) == "截至6月30日，时间进度49.59%，销量完成年度任务的49.59%，与时间进度持平；省产烟年度任务为0。"
    assert progress_text(Progress(2019, "2019-06-30", SEED_TP, False, False, ())) is None


# --- the chart ------------------------------------------------------------------------------------

def test_the_bullet_chart_shows_completion_beside_time_and_rates_against_their_targets():
    p = _seed(evaluate(BY_KEY["class12"], 100.0, 55.0, SEED_TP), evaluate(BY_KEY["avg_price"], 127.21, 125.30, SEED_TP),
              evaluate(BY_KEY["online_rate"], 60.0, 64.9, SEED_TP))
    assert Progress.from_row(p.frame().iloc[0]) == p  # the family's frame reads back as the same progress
    fig = charts.progress_bullets(p.frame(), "zh")
    bars = {(tr.name, y): (x, text) for tr in fig.data if tr.type == "bar" for y, x, text in zip(tr.y, tr.x, tr.text, strict=True)}
    # behind time red, ahead green (palettes.CHANGE_COLORS), each colour one trace named in the legend for what it means
    colours = {tr.name: tr.marker.color for tr in fig.data if tr.type == "bar"}
    assert colours == {"落后时间进度/低于任务": "#D93025", "超过时间进度/达到任务": "#1E8E3E"}
    assert bars[("落后时间进度/低于任务", "销量")] == (pytest.approx(46.2), "46.20%")
    assert bars[("超过时间进度/达到任务", "一二类烟")] == (pytest.approx(55.0), "55.00%")
    # the rate panels write their actual and target in their units: 条均价 below its target, 网订率 above
    assert bars[("落后时间进度/低于任务", "条均价")] == (125.30, "125.30 元/条 · 任务 127.21 元/条")
    assert bars[("超过时间进度/达到任务", "网订率")] == (64.9, "64.90% · 任务 60.00%")
    legend = [tr.name for tr in fig.data if tr.showlegend is not False]
    assert sorted(legend) == sorted(["落后时间进度/低于任务", "超过时间进度/达到任务", "时间进度 49.59%", "任务"])
    assert not any(tr.name == "实际" for tr in fig.data)  # no swatch of a colour no bar has
    line = fig.layout.shapes[0]
    assert (line.x0, line.x1) == (pytest.approx(SEED_TP), pytest.approx(SEED_TP))
    # the measures top to bottom in their order, whichever colour each is
    assert list(fig.layout.yaxis.categoryarray) == ["销量", "一二类烟"]
    # every axis holds its bars and the target tick with room to spare: 网订率's 64.9 within 0–72.69
    assert fig.layout.xaxis.range == (0, pytest.approx(55.0 * 1.12))  # 一二类烟 55% the longest bar
    assert fig.layout.xaxis2.range == (0, pytest.approx(127.21 * 1.12))
    assert fig.layout.xaxis3.range == (0, pytest.approx(64.9 * 1.12))
    # the measures' names as large as the figures on the bars
    assert fig.layout.yaxis.tickfont.size == 14 and {tr.textfont.size for tr in fig.data if tr.type == "bar"} == {14}
    empty = charts.progress_bullets(Progress(2019, None, None, False, False, ()).frame(), "en", year=2019)
    assert empty.layout.annotations[0].text == "No targets loaded for 2019"


# --- the queries, on the tiny city (data to 2019-05-06: 时间进度 126/365 = 34.52%) -----------------------

# 甲片区: its own whole-year row (every measure) and 张伟's (volume only), so the district reads its own.
# 乙片区: only 李娜's rows, by month (the whole year derived: 4 × 0.5 + 0.31 + 7 × 1 = 9.31 箱), so the
# district reads hers, with 序时任务 through 6 May = 2 + 0.31 × 6/31 = 2.06 箱.
# 2018 (complete: 2019 follows): 甲片区 1 箱, exactly its 2018 volume (250 条).
TARGETS = """年度,月份,片区,客户经理,销量任务(箱),一二类烟任务(箱),省产烟任务(箱),五类烟任务(箱),条均价任务(元/条),网订率任务(%)
2019,0,甲片区,,8,4,5,1,130,60
2019,0,甲片区,张伟,10,,,,,
""" + "".join(f"2019,{m},乙片区,李娜,{v},,,,,\n" for m, v in
              ((1, 0.5), (2, 0.5), (3, 0.5), (4, 0.5), (5, 0.31), *((m, 1) for m in range(6, 13))))
TARGETS_2018 = "年度,月份,片区,销量任务(箱)\n2018,0,甲片区,1\n"
TP = 126 / 365 * 100
JIA, YI = ("甲片区",), ("乙片区",)


@pytest.fixture
def targeted(tiny):
    from analytics.db import connect_store

    from .conftest import load_tiny_targets

    load_tiny_targets(tiny, TARGETS)
    load_tiny_targets(tiny, TARGETS_2018, name="任务2018.csv")
    return connect_store(tiny)


def _p(con, **kw):
    from analytics.filters import Filters
    from analytics.progress import progress

    return progress(con, Filters(year=2019, **kw))


def test_a_district_reads_its_own_row_at_a_mid_month_as_of_date(targeted):
    p = _p(targeted, districts=JIA)
    assert (p.year, p.as_of, p.has_targets, p.monthly) == (2019, "2019-05-06", True, False)
    assert p.time_progress_pct == pytest.approx(TP)
    v = p.get("volume")
    assert (v.target, v.actual, v.completion_pct) == (8.0, 2.0, 25.0)  # its own 8, not 张伟's 10
    assert v.gap == pytest.approx(25.0 - TP)  # -9.52 pp
    assert (v.pace_target, v.pace_completion_pct) == (None, None)  # whole-year targets only
    assert (p.get("class12").actual, p.get("class12").completion_pct) == (1.0, 25.0)  # 250 条 一类, no 二类
    assert p.get("provincial").completion_pct == pytest.approx(36.0)  # 1.8 of 5 箱: ahead of time
    assert p.get("provincial").gap == pytest.approx(36.0 - TP)
    assert p.get("low_tier").completion_pct == pytest.approx(20.0)  # 0.2 of 1 箱
    price = p.get("avg_price")
    assert (price.actual, price.gap) == (pytest.approx(121.0), pytest.approx(-9.0))  # 元/条, not pp of time
    rate = p.get("online_rate")
    assert (rate.actual, rate.target, rate.gap) == (50.0, 60.0, -10.0)


def test_a_district_without_its_own_row_sums_its_managers_monthly_rows(targeted):
    p = _p(targeted, districts=YI)
    v = p.get("volume")
    assert (v.target, v.actual) == (pytest.approx(9.31), 2.0)
    assert [m.measure.key for m in p.measures] == ["volume"]  # 李娜 gave no other measure
    assert p.monthly
    assert v.pace_target == pytest.approx(2 + 0.31 * 6 / 31)  # January–April + May × 6/31
    assert v.pace_completion_pct == pytest.approx(2.0 / (2 + 0.31 * 6 / 31) * 100)  # 97.09%
    assert v.completion_pct == pytest.approx(2.0 / 9.31 * 100)


def test_the_company_sums_its_districts_and_a_measure_only_where_every_district_gives_it(targeted):
    p = _p(targeted)
    v = p.get("volume")
    assert (v.target, v.actual) == (pytest.approx(8 + 9.31), 4.0)
    assert [m.measure.key for m in p.measures] == ["volume"]  # 甲 gives 一二类…, 乙 does not: no company target
    assert not p.monthly  # 甲片区 has no months: no 序时任务 for the company
    # the segment filters do not apply to targets: the whole scope (the page says so)
    assert _p(targeted, area_types=("urban",), business_formats=("便利店",), tier_min=5) == p
    from analytics.filters import Filters
    from analytics.progress import ignores_filters, reads_months

    assert ignores_filters(Filters(year=2019, tier_min=5)) and not ignores_filters(Filters(year=2019, month_to=6))
    assert not ignores_filters(Filters(year=2019, compare_year=2018, districts=JIA, managers=("张伟",)))
    assert reads_months(Filters(year=2019, month_to=6)) and reads_months(Filters(year=2019, month_from=4))
    assert not reads_months(Filters(year=2019, tier_min=5))


# --- a month range: "where were we at the end of March" (90/365 = 24.66%) ------------------------------

TP_MARCH = 90 / 365 * 100


def test_a_month_range_is_read_from_1_january_through_the_end_of_its_last_month(targeted):
    from analytics.narrative import progress_text

    # 甲片区 ordered 250 + 50 + 200 条 = 2 箱 in January–March; 乙片区 nothing before 6 May
    jia = _p(targeted, districts=JIA, month_to=3)
    assert (jia.as_of, jia.time_progress_pct) == ("2019-03-31", pytest.approx(TP_MARCH))
    v = jia.get("volume")
    assert (v.target, v.actual, v.completion_pct) == (8.0, 2.0, 25.0)
    assert round(v.gap, 2) == round(25.0 - TP_MARCH, 2) == 0.34  # ahead at the end of March, behind by 6 May
    assert progress_text(jia) == "截至3月31日，时间进度24.66%，" + progress_text(jia).split("，", 2)[2]
    yi = _p(targeted, districts=YI, month_to=3).get("volume")
    assert (yi.actual, yi.completion_pct) == (0.0, 0.0)
    assert yi.pace_target == pytest.approx(1.5)  # January–March, 0.5 箱 each; March whole (its last day)
    assert yi.pace_completion_pct == 0.0
    company = _p(targeted, month_to=3).get("volume")
    assert (company.actual, company.completion_pct) == (2.0, pytest.approx(2 / 17.31 * 100))
    # a range starting later is read from 1 January through its end: April–March is not a thing, March–March is January–March
    assert _p(targeted, districts=JIA, month_from=3, month_to=3) == jia
    # April: 30 April (120/365); the months through the data's end read at the as-of date, as the whole year does
    april = _p(targeted, districts=JIA, month_to=4)
    assert (april.as_of, april.time_progress_pct) == ("2019-04-30", pytest.approx(120 / 365 * 100))
    assert _p(targeted, districts=JIA, month_to=5) == _p(targeted, districts=JIA) == _p(targeted, districts=JIA, month_to=12)
    assert _p(targeted, districts=JIA, month_to=12).as_of == "2019-05-06"


def test_a_month_range_of_a_complete_year_reads_time_half_gone(targeted):
    """2018 is complete: months 1–6 read at 30 June (181/365 = 49.59%) with January–June's actual."""
    from analytics.filters import Filters
    from analytics.narrative import progress_text
    from analytics.progress import progress

    half = progress(targeted, Filters(year=2018, districts=JIA, month_to=6))
    # 甲片区 2018: 100 条 on 5 March, 150 条 on 1 June = 250 条 = 1 箱, its whole 2018 target
    assert (half.as_of, half.time_progress_pct, half.get("volume").actual) == ("2018-06-30", pytest.approx(181 / 365 * 100), 1.0)
    assert progress_text(half) == "截至6月30日，时间进度49.59%，销量完成年度任务的100.00%，超过时间进度50.41个百分点。"
    march = progress(targeted, Filters(year=2018, districts=JIA, month_to=3))
    assert (march.as_of, march.get("volume").actual) == ("2018-03-31", 0.4)  # 100 条 on 5 March


def test_the_months_against_target_stop_at_the_end_of_the_range(targeted):
    from analytics.filters import Filters
    from analytics.progress import monthly_vs_target

    frame = monthly_vs_target(targeted, Filters(year=2019, districts=YI, month_from=2, month_to=3))
    assert frame["cases"].tolist()[:3] == [0, 0, 0] and frame["cases"].iloc[3:].isna().all()  # April on: past the range
    assert frame["volume_target_cases"].tolist()[:3] == [0.5, 0.5, 0.5]


def test_a_manager_scope_sums_that_managers_rows(targeted):
    from analytics.access import Scope
    from analytics.filters import Filters
    from analytics.progress import progress

    chosen = _p(targeted, districts=JIA, managers=("张伟",))
    assert (chosen.get("volume").target, chosen.get("volume").completion_pct) == (10.0, 20.0)  # 张伟's retailers sold 2 箱
    # a user who may see only 张伟: the district's own row is outside the scope, 张伟's row is the target
    mine = progress(targeted, Filters(year=2019).within(Scope(managers=("张伟",))))
    assert (mine.get("volume").target, mine.get("volume").actual) == (10.0, 2.0)


def test_a_complete_year_is_read_at_31_december_and_a_year_without_targets_has_none(targeted):
    from analytics.filters import Filters
    from analytics.narrative import progress_text
    from analytics.progress import progress

    p = progress(targeted, Filters(year=2018, districts=JIA))
    assert (p.as_of, p.time_progress_pct, p.get("volume").completion_pct) == ("2018-12-31", 100.0, 100.0)
    assert progress_text(p) == "2018年全年，销量完成年度任务的100.00%，恰好完成。"
    none = progress(targeted, Filters(year=2018, districts=YI))
    assert (none.has_targets, none.measures, none.as_of) == (False, (), "2018-12-31")
    assert none.frame().empty


def test_no_targets_loaded_at_all(tiny):
    from analytics.db import connect_store

    p = _p(connect_store(tiny))
    assert not p.has_targets and p.time_progress_pct == pytest.approx(TP)


def test_progress_tables_put_the_most_behind_first(targeted):
    from analytics.filters import Filters
    from analytics.progress import progress_table

    f = Filters(year=2019, compare_year=2018)
    by_district = progress_table(targeted, f)
    assert list(by_district["district"]) == ["乙片区", "甲片区"]  # -13.04 pp before -9.52 pp
    assert by_district["volume_gap_pp"].round(2).tolist() == [round(2 / 9.31 * 100 - TP, 2), round(25 - TP, 2)]
    assert by_district.loc[1, "volume_target_cases"] == 8.0
    # the same figures as each district's own progress (the page of that district)
    assert by_district.loc[0, "volume_pace_target_cases"] == pytest.approx(_p(targeted, districts=YI).get("volume").pace_target)
    by_manager = progress_table(targeted, f, by="manager")
    assert by_manager[["district", "manager"]].values.tolist() == [["甲片区", "张伟"], ["乙片区", "李娜"]]  # -14.52, -13.04
    assert by_manager["volume_completion_pct"].round(2).tolist() == [20.0, 21.48]
    # the total row is the scope's own progress: the company's 8 + 9.31 箱 and 4 箱, not a mean of the rows
    from analytics.progress import progress, with_total

    total = with_total(by_district, progress(targeted, f), "全市合计")
    assert total["district"].tolist() == ["乙片区", "甲片区", "全市合计"]
    assert (total.loc[2, "volume_target_cases"], total.loc[2, "volume_cases"]) == (pytest.approx(17.31), 4.0)
    assert round(total.loc[2, "volume_gap_pp"], 2) == -11.41
    # 甲片区's managers under its own row: its own target 8 箱, not 张伟's 10
    jia = with_total(progress_table(targeted, f.with_(districts=JIA), by="manager"), _p(targeted, districts=JIA), "所选片区合计", "manager")
    assert jia[["district", "manager"]].values.tolist() == [["甲片区", "张伟"], ["", "所选片区合计"]]
    assert jia["volume_target_cases"].tolist() == [10.0, 8.0]


def test_monthly_actual_against_monthly_target(targeted):
    from analytics.filters import Filters
    from analytics.progress import monthly_vs_target

    frame = monthly_vs_target(targeted, Filters(year=2019, districts=YI))
    assert frame["month"].tolist() == list(range(1, 13))
    assert frame["volume_target_cases"].tolist()[:6] == [0.5, 0.5, 0.5, 0.5, 0.31, 1.0]
    assert frame["cases"].tolist()[:5] == [0, 0, 0, 0, 2.0]  # 乙 ordered 500 条 on 6 May, nothing before
    assert frame["cases"].iloc[5:].isna().all() and frame["cum_cases"].iloc[4] == 2.0  # June on: not yet
    assert frame["cum_target_cases"].iloc[-1] == pytest.approx(9.31)
    whole_year_only = monthly_vs_target(targeted, Filters(year=2019, districts=JIA))
    assert whole_year_only["volume_target_cases"].isna().all()


# --- the pages ----------------------------------------------------------------------------------------

def _overview(root, data_env):
    from streamlit.testing.v1 import AppTest

    from .conftest import ROOT

    data_env(root)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_overview_shows_progress_against_targets_with_the_tables_most_behind_first(tiny, data_env):
    from .conftest import load_tiny_targets

    load_tiny_targets(tiny, TARGETS)
    at = _overview(tiny.root, data_env)
    assert "任务进度" in [s.value for s in at.subheader]
    # 4 箱 of 8 + 9.31: 23.11%, against 126/365 = 34.52%
    assert "截至5月6日，时间进度34.52%，销量完成年度任务的23.11%，落后时间进度11.41个百分点。" in [m.value for m in at.markdown]
    tables = {tuple(df.value.columns[:2]): df.value for df in at.dataframe}
    districts = next(v for k, v in tables.items() if k[0] == "片区" and "销量完成率(%)" in v.columns)
    # most behind first, then the company's own progress (its target 8 + 9.31, its 4 箱): 23.11% − 34.52%
    assert districts["片区"].tolist() == ["乙片区", "甲片区", "全市合计"]
    assert districts["销量序时进度差(百分点)"].round(2).tolist() == [-13.04, -9.52, -11.41]
    assert districts["销量完成率(%)"].round(2).tolist() == [21.48, 25.0, 23.11]
    # 时间进度 is the same on every row: said once, above the table, not in a column
    assert "时间进度(%)" not in districts.columns
    assert "时间进度34.52%（截至2019-05-06）。按销量序时进度差排序，落后最多的在前。" in [c.value for c in at.caption]
    managers = tables[("片区", "客户经理")]
    assert managers["客户经理"].tolist() == ["张伟", "李娜"]
    assert managers["销量完成率(%)"].round(2).tolist() == [20.0, 21.48]
    # at a glance: 任务进度 comes right after the KPI cards, before the written summary
    heads = [s.value for s in at.subheader]
    assert heads.index("任务进度") < heads.index("分析文字") < heads.index("各客户经理任务进度")


def test_a_district_page_shows_its_sentence_and_its_months_against_target(tiny, data_env):
    from .conftest import load_tiny_targets
    from .test_app import _district_app

    load_tiny_targets(tiny, TARGETS)
    data_env(tiny.root)
    at = _district_app("乙片区")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "截至5月6日，时间进度34.52%，销量完成年度任务的21.48%，落后时间进度13.04个百分点。" in [m.value for m in at.markdown]
    heads = [s.value for s in at.subheader]
    # at a glance: right under the KPI cards, before the main indicators; the months against target lower
    assert heads.index("任务进度") < heads.index("各客户经理任务进度") < heads.index("2019 主要指标") < heads.index("月度销量与任务")
    managers = next(df.value for df in at.dataframe if "客户经理" in df.value.columns and "销量完成率(%)" in df.value.columns)
    # the district's own managers only, then the district's own progress (乙片区 has no row of its own: 李娜's)
    assert managers["客户经理"].tolist() == ["李娜", "所选片区合计"]
    assert managers["销量完成率(%)"].round(2).tolist() == [21.48, 21.48]
    assert "片区" not in managers.columns  # one district: its name is the page's title, not a column
    jia = _district_app("甲片区")
    jia.run()
    captions = [c.value for c in jia.caption]
    assert "未导入月度任务：只有全年任务，没有序时任务。" in captions  # 甲片区's target is a whole-year row


def test_without_targets_the_page_says_so_and_keeps_the_pace(tiny, data_env):
    at = _overview(tiny.root, data_env)
    infos = [i.value for i in at.info]
    assert "2019年任务尚未导入：以下年度进度仍与上年对比。分析人员可在“数据管理”页导入任务文件。" in infos
    assert "年度进度" in [s.value for s in at.subheader]
    assert "任务进度" not in [s.value for s in at.subheader]  # one line, not a section: the page is not pushed down


def test_a_district_page_with_months_1_to_3_reads_progress_at_31_march(tiny, data_env):
    from .conftest import load_tiny_targets
    from .test_app import _district_app

    load_tiny_targets(tiny, TARGETS)
    data_env(tiny.root)
    at = _district_app("甲片区")
    at.query_params["m"] = "2-3"  # February–March: read from 1 January through 31 March all the same
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    # 2 箱 of 8 through 31 March (90/365 = 24.66%)
    assert ("截至3月31日，时间进度24.66%，销量完成年度任务的25.00%，超过时间进度0.34个百分点；"
            in "\n".join(m.value for m in at.markdown))
    assert ("任务进度总是从1月1日起累计：选定月份时读至最后一个月的月末（2019-03-31），起始月份晚于1月也从1月1日算起。"
            in [c.value for c in at.caption])
    managers = next(df.value for df in at.dataframe if "客户经理" in df.value.columns and "销量完成率(%)" in df.value.columns)
    assert managers["客户经理"].tolist() == ["张伟", "所选片区合计"]
    assert managers["销量完成率(%)"].round(2).tolist() == [20.0, 25.0]  # 张伟's 2 of 10 箱, the district's own 2 of 8


def test_every_progress_frame_is_registered_and_the_scope_cuts_the_targets(targeted):
    from analytics.access import Scope
    from analytics.columns import localize, unregistered
    from analytics.filters import Filters
    from analytics.progress import monthly_vs_target, progress, progress_frame, progress_table

    f = Filters(year=2019, compare_year=2018)
    for name, frame in {"progress_frame": progress_frame(targeted, f.with_(districts=YI)), "by_district": progress_table(targeted, f),
                        "by_manager": progress_table(targeted, f, by="manager"), "months": monthly_vs_target(targeted, f)}.items():
        assert not frame.empty and unregistered(frame) == [], name
        assert "year" not in frame or len(localize(frame, "zh").columns) > 2, name
    jia_only = f.within(Scope(districts=JIA))
    assert not progress(targeted, jia_only.with_(districts=YI)).has_targets  # another district's target: none, never its figures
    assert progress(targeted, jia_only).get("volume").target == 8.0  # the scope's company is 甲片区 alone
    assert progress_table(targeted, jia_only)["district"].tolist() == ["甲片区"]


def test_a_leap_year_as_of_30_june(tmp_path):
    from analytics.db import connect_store
    from analytics.filters import Filters
    from analytics.narrative import progress_text
    from analytics.progress import progress

    from .conftest import TINY_RETAILERS, load_tiny, load_tiny_targets

    orders = ("订货日期,许可证号,卷烟编码,订货量(条),金额(元),订货方式\n2019-03-01,0420001,6901028000001,50,10000,电话订货\n"
              "2020-01-10,0420001,6901028000001,100,20000,电话订货\n2020-06-30,0420002,6901028000003,150,7500,网上订货\n")
    store = load_tiny(tmp_path / "leap", TINY_RETAILERS, orders)
    # months: 0.5 箱 a month but June, whose 0.3 is all counted (the as-of date is its last day)
    load_tiny_targets(store, "年度,月份,片区,销量任务(箱)\n" + "".join(f"2020,{m},甲片区,{0.3 if m == 6 else 0.5}\n" for m in range(1, 13)))
    p = progress(connect_store(store), Filters(year=2020, districts=JIA))
    assert (p.as_of, p.time_progress_pct) == ("2020-06-30", pytest.approx(182 / 366 * 100))  # 49.73%, not 181/365
    v = p.get("volume")
    assert (v.target, v.actual, v.completion_pct) == (pytest.approx(5.8), 1.0, pytest.approx(100 / 5.8))
    assert v.pace_target == pytest.approx(2.8)  # January–May 2.5 + June 0.3 × 30/30
    assert progress_text(p) == "截至6月30日，时间进度49.73%，销量完成年度任务的17.24%，落后时间进度32.49个百分点。"


def test_the_presentation_steps_to_the_targets_topic(tiny, data_env):
    from .conftest import load_tiny_targets
    from .test_app import _app

    load_tiny_targets(tiny, TARGETS)
    data_env(tiny.root)
    at = _app({"present": "1", "d": "乙片区", "y": "2019", "topic": "targets"})
    at.run()
    at.switch_page("pages/views/present.py").run()
    assert not at.exception, [e.value for e in at.exception]
    texts = [m.value.replace("\\", "") for m in at.markdown]  # Markdown-escaped
    assert texts[0] == "## 乙片区 · 任务进度"
    assert "- 截至5月6日，时间进度34.52%，销量完成年度任务的21.48%，落后时间进度13.04个百分点。" in texts


def test_the_actuals_are_the_kpi_cards_figures_and_a_table_row_is_the_scopes_own_progress(targeted):
    from analytics.filters import Filters
    from analytics.progress import progress_table
    from analytics.queries import summary

    for scope in ({"districts": JIA}, {"districts": YI}, {}, {"districts": JIA, "managers": ("张伟",)}):
        p, s = _p(targeted, **scope), summary(targeted, Filters(year=2019, **scope))
        assert p.get("volume").actual == s.volume_cases, scope
        if p.get("avg_price"):
            assert (p.get("avg_price").actual, p.get("online_rate").actual) == (s.avg_price_per_carton, s.online_rate_pct)
            assert p.get("class12").actual == s.class_cases["1"] + s.class_cases["2"]
    table = progress_table(targeted, Filters(year=2019), by="manager").set_index("manager")
    assert table.loc["张伟", "volume_gap_pp"] == _p(targeted, districts=JIA, managers=("张伟",)).get("volume").gap


def test_exports_of_progress_name_the_as_of_date():
    from analytics.columns import filter_note
    from analytics.filters import Filters

    f = Filters(year=2019, districts=JIA)
    assert filter_note(f, "zh", ("2018-03-05", "2019-05-06"), as_of="2019-05-06") == (
        "片区: 甲片区 · 年份: 2019 · 截至日期: 2019-05-06 · 数据期间: 2018-03-05 – 2019-05-06")
    assert "Through: 2019-05-06" in filter_note(f, "en", as_of="2019-05-06")
