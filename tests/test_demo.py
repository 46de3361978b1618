"""The demo city: deterministic, realistic in shape, and 城郊片区 reproduces the seed's table."""
import json
import subprocess
import sys

import pandas as pd
import pytest

from analytics.db import connect_store, connect_store_lines
from analytics.queries import districts, years
from analytics.store import Store

from .conftest import ROOT

CASES = 0.05  # ±0.05 箱
PP = 0.1  # ±0.1 percentage point
YUAN = 0.01  # ±0.01 元


@pytest.fixture(scope="module")
def seed_summary(demo_dir):
    out = subprocess.run(
        [sys.executable, "-m", "analytics", "summary", "--district", "城郊片区", "--year", "2019", "--json", "--data-dir", str(demo_dir)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout)


def test_summary_json_has_the_contracted_keys(seed_summary):
    keys = {"year", "volume_cases", "volume_cases_prev", "volume_yoy_pct", "provincial_cases", "provincial_yoy_pct",
            "provincial_share_pct", "avg_price_per_carton", "avg_price_per_carton_prev", "class_cases", "class_yoy_pct",
            "online_customers", "customers", "online_rate_pct"}
    assert keys <= seed_summary.keys()
    assert set(seed_summary["class_cases"]) == {"1", "2", "3", "4", "5"}


def test_seed_district_main_indicators(seed_summary):
    s = seed_summary
    assert s["year"] == 2019
    assert s["volume_cases"] == pytest.approx(977.87, abs=CASES)
    assert s["volume_cases_prev"] == pytest.approx(1008.13, abs=CASES)
    assert s["volume_yoy_pct"] == pytest.approx(-3.00, abs=PP)
    assert s["provincial_cases"] == pytest.approx(850.13, abs=CASES)
    assert s["provincial_yoy_pct"] == pytest.approx(10.18, abs=PP)
    assert s["avg_price_per_carton"] == pytest.approx(85.66, abs=YUAN)
    assert s["avg_price_per_carton_prev"] == pytest.approx(73.93, abs=YUAN)


def test_seed_district_class_volumes_and_yoy(seed_summary):
    cases = {"1": 75.47, "2": 236.39, "3": 211.98, "4": 392.78, "5": 61.22}
    yoy = {"1": 49.18, "2": 21.35, "3": -1.95, "4": -7.49, "5": -49.782}
    for k in cases:
        assert seed_summary["class_cases"][k] == pytest.approx(cases[k], abs=CASES), k
        assert seed_summary["class_yoy_pct"][k] == pytest.approx(yoy[k], abs=PP), k


def test_seed_district_online_customers(seed_summary):
    assert seed_summary["online_customers"] == 141
    assert seed_summary["customers"] == 231
    assert seed_summary["online_rate_pct"] == pytest.approx(61.04, abs=0.01)  # the seed prints 61.1%: see docs


def test_demo_city_shape(demo_dir):
    con = connect_store(Store(demo_dir))
    assert years(con) == [2017, 2018, 2019]
    assert len(districts(con)) == 8
    lines = connect_store_lines(Store(demo_dir)).execute("SELECT COUNT(*) FROM orders").fetchone()[0]
    assert 1_500_000 <= lines <= 5_000_000
    codes = con.execute("SELECT MIN(length(sku_id)), MAX(length(sku_id)) FROM skus").fetchone()
    assert codes == (13, 13)
    leading_zero = con.execute("SELECT COUNT(*) FROM retailers WHERE retailer_id LIKE '0%'").fetchone()[0]
    assert leading_zero > 0


def test_urban_districts_buy_more_premium_and_order_online_more_than_rural(demo_dir):
    con = connect_store(Store(demo_dir))
    rows = con.execute(
        """SELECT district, SUM(class1_qty + class2_qty) / SUM(qty) AS premium,
                  SUM(class4_qty + class5_qty) / SUM(qty) AS low
           FROM cube WHERE year = 2019 GROUP BY district"""
    ).df().set_index("district")
    assert rows.loc["城区一片区", "premium"] > rows.loc["南部山区片区", "premium"]
    assert rows.loc["城区一片区", "low"] < rows.loc["南部山区片区", "low"]


def test_online_adoption_rises_every_year(demo_dir):
    con = connect_store(Store(demo_dir))
    counts = con.execute(
        "SELECT year, COUNT(DISTINCT retailer_id) FILTER (online_lines > 0) FROM retailer_month GROUP BY year ORDER BY year"
    ).fetchall()
    values = [c for _, c in counts]
    assert values == sorted(values) and values[0] < values[-1]


def test_generator_is_deterministic():
    from analytics.tools.demo import demo_targets, generate

    city_a, city_b = generate(), generate()
    a, b = city_a[2], city_b[2]
    assert len(a) == len(b)
    assert a["quantity_cartons"].sum() == b["quantity_cartons"].sum()
    assert (a["sku_id"].head(5000) == b["sku_id"].head(5000)).all()
    pd.testing.assert_frame_equal(demo_targets(*city_a), demo_targets(*city_b))


def test_the_demo_targets_2019_for_every_district_by_month_and_for_every_manager(demo_dir):
    con = connect_store(Store(demo_dir))
    shape = con.execute(
        """SELECT district, list(month ORDER BY month) FILTER (manager IS NULL),
                  list(manager ORDER BY manager) FILTER (manager IS NOT NULL)
           FROM targets WHERE year = 2019 GROUP BY district ORDER BY district""").fetchall()
    masters = dict(con.execute("SELECT district, list(DISTINCT manager ORDER BY manager) FROM retailers GROUP BY 1").fetchall())
    assert len(shape) == 8
    for district, months, managers in shape:
        assert months == list(range(13)), district  # months 1–12 and the whole year derived from them
        assert managers == masters[district], district  # a whole-year row for each manager of the master
    # the managers' whole-year rows add up to their district's, measure by measure
    gaps = con.execute(
        """SELECT district, measure, ABS(SUM(value) FILTER (manager IS NULL) - SUM(value) FILTER (manager IS NOT NULL))
           FROM (UNPIVOT (SELECT * FROM targets WHERE year = 2019 AND month = 0)
                 ON volume_target_cases, class12_target_cases, provincial_target_cases, low_tier_target_cases
                 INTO NAME measure VALUE value)
           GROUP BY ALL""").fetchall()
    assert len(gaps) == 6 * 4 + 2 * 3  # the all-urban 城区一片区 and 城区二片区 sell no 五类 and have no 五类 target
    assert max(g for *_, g in gaps) < 1e-6


def test_城郊片区_misses_its_volume_and_五类_targets_while_other_districts_differ(demo_dir):
    from analytics.filters import Filters
    from analytics.queries import summary

    con = connect_store(Store(demo_dir))
    targets = con.execute("SELECT district, volume_target_cases, low_tier_target_cases FROM targets "
                          "WHERE year = 2019 AND month = 0 AND manager IS NULL").fetchall()
    completion = {}
    for district, volume, low in targets:
        s = summary(con, Filters(year=2019, compare_year=2018, districts=(district,)))
        completion[district] = (round(s.volume_cases / volume * 100, 2), round(s.low_tier_cases / low * 100, 2) if low else None)
    # 2019 is a complete year: 时间进度 is 100%, so a completion below 100% is behind
    assert completion == {
        "城郊片区": (95.50, 87.46),  # 977.87 箱 of 1,024; 61.22 箱 of 70
        "城区一片区": (103.98, None), "城区二片区": (98.03, None), "开发区片区": (107.05, 100.53), "城北片区": (101.02, 91.28),
        "东部乡镇片区": (97.03, 106.37), "西部乡镇片区": (101.97, 109.10), "南部山区片区": (93.07, 111.89),
    }
