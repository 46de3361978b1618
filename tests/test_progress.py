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
    p = _seed(evaluate(BY_KEY["class12"], 100.0, 55.0, SEED_TP), evaluate(BY_KEY["avg_price"], 127.21, 125.30, SEED_TP))
    assert Progress.from_row(p.frame().iloc[0]) == p  # the family's frame reads back as the same progress
    fig = charts.progress_bullets(p.frame(), "zh")
    bars = fig.data[0]
    assert list(bars.y) == ["销量", "一二类烟"] and [round(x, 2) for x in bars.x] == [46.2, 55.0]
    assert list(bars.marker.color) == ["#D93025", "#1E8E3E"]  # behind time red, ahead green (palettes.CHANGE_COLORS)
    line = fig.layout.shapes[0]
    assert (line.x0, line.x1) == (pytest.approx(SEED_TP), pytest.approx(SEED_TP))
    assert fig.layout.annotations[0].text == "时间进度 49.59%"
    price, target = fig.data[1], fig.data[2]
    assert (list(price.y), list(price.x), list(target.x)) == (["条均价"], [125.30], [127.21])
    empty = charts.progress_bullets(Progress(2019, None, None, False, False, ()).frame(), "en", year=2019)
    assert empty.layout.annotations[0].text == "No targets loaded for 2019"
