"""代订货 suspects (analytics/suspects.py; docs/definitions.md, "代订货 suspects"): every signal worked out
by hand on a small city, and the demo's planted cases found first in their districts.

The suspect city (SUSPECT_RETAILERS / suspect_orders below), 2020, one order on the 5th of each month
from January to September: the data end on 2020-09-05, so a year of 9 months (October to December
have not happened; they are no months without orders). All in 东片区. In 条 a month (1 箱 = 250 条):

- 农网 食杂店 档位 3 (peer group G, 5 retailers): G1–G4 order 100 三类; G5 orders 200 一类 + 100 三类.
  Peers' monthly means 100, 100, 100, 100, 300: median 100, MAD 0, so the spread is its floor
  max(10% × 100, 0.02 箱 = 5 条) = 10 条 → G5's volume z = (300 − 100) / 10 = 20.
  一类+二类: means 0, 0, 0, 0, 200 → median 0, MAD 0, floor 10 → z = 20. Share: 0, 0, 0, 0, 66.67% →
  median 0, floor 2 points → z = 33.33, 66.67 points above.
  G5: volume_high 20 / 5 = 4, capped at 3 → 3.0; mix_high 33.33 / 5 = 6.67 → 3.0; score 6.0.
- 城网 便利店 档位 5 (3 retailers: fewer than min_peers = 5, so no peer figures):
  S1 (王芳): 200 in January–April, 50 from May: a step of −150 = −0.6 箱 at month 5.
  S2 (王芳): 50 in January–May, 200 from June: +0.6 箱 at month 6, one month after S1's: S1's partner.
  S3 (王芳): 100 every month but 400 in March: a spike, not a step; swing CV = 94.28 / 133.33 = 0.7071.
- 城网 超市 档位 8: S4 (李强): 50 in January–April, 200 from May: +0.6 箱 at month 5, another manager's.
  S1 has two partners in the district; S2 is its manager's, so S2 it is. S4's only partner is S1.
S1: level_shift (median 200 → 50: 150 / 200 = 0.75 ≥ 0.5; strength 0.75 / 0.5 = 1.5),
paired_shift (min(0.6, 0.6) / 0.1 = 6, capped at 3, × weight 1.5 = 4.5), swing (months 200×4, 50×5:
mean 116.67, sd 74.54, CV 0.6389 ≥ 0.5; strength 0.6389 / 0.5 × weight 0.5 = 0.6389): score 6.6389.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest

from analytics import suspects as S
from analytics.access import NotAllowed, Scope
from analytics.config import SUSPECTS, SuspectThresholds
from analytics.db import connect_store
from analytics.filters import Filters
from analytics.queries import _df
from analytics.tools.demo import PLANTED

from .conftest import load_tiny

EAST = "东片区"
SUSPECT_RETAILERS = """许可证号,客户名称,片区,客户经理,城乡分类,业态,档位
G1,一号食杂店,东片区,王芳,农网,食杂店,3
G2,二号食杂店,东片区,王芳,农网,食杂店,3
G3,三号食杂店,东片区,李强,农网,食杂店,3
G4,四号食杂店,东片区,李强,农网,食杂店,3
G5,五号食杂店,东片区,王芳,农网,食杂店,3
S1,甲便利店,东片区,王芳,城网,便利店,5
S2,乙便利店,东片区,王芳,城网,便利店,5
S3,丙便利店,东片区,王芳,城网,便利店,5
S4,丁超市,东片区,李强,城网,超市,8
"""
CLASS1, CLASS3 = "6901028000001", "6901028000003"  # tests/conftest.py TINY_SKUS: 200 and 50 元/条
MONTHS = range(1, 10)


def monthly(month: int) -> dict[str, list[tuple[str, int]]]:
    """Each retailer's lines (SKU, 条) of one month."""
    return {
        **{g: [(CLASS3, 100)] for g in ("G1", "G2", "G3", "G4")},
        "G5": [(CLASS1, 200), (CLASS3, 100)],
        "S1": [(CLASS3, 200 if month <= 4 else 50)],
        "S2": [(CLASS3, 50 if month <= 5 else 200)],
        "S3": [(CLASS3, 400 if month == 3 else 100)],
        "S4": [(CLASS3, 50 if month <= 4 else 200)],
    }


def suspect_orders() -> str:
    rows = ["订货日期,许可证号,卷烟编码,订货量(条),金额(元),订货方式"]
    price = {CLASS1: 200, CLASS3: 50}
    for m in MONTHS:
        for rid, lines in monthly(m).items():
            rows += [f"2020-{m:02d}-05,{rid},{sku},{qty},{qty * price[sku]},网上订货" for sku, qty in lines]
    return "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory):
    store = load_tiny(tmp_path_factory.mktemp("suspects") / "data", SUSPECT_RETAILERS, suspect_orders())
    return connect_store(store)


F = Filters(year=2020, districts=(EAST,))


def by_id(frame: pd.DataFrame) -> dict[str, pd.Series]:
    return {r["retailer_id"]: r for _, r in frame.iterrows()}


def test_the_peers_are_aggregates_of_groups_of_at_least_min_peers(city) -> None:
    peers = _df(city, "SELECT * FROM peer_year ORDER BY ALL", {}, Scope())
    # only G (5 retailers): the 城网 便利店 group has 3 and the 超市 one 1, fewer than min_peers = 5
    assert SUSPECTS.min_peers == 5
    assert peers[["year", "area_type", "business_format", "customer_tier", "peers"]].values.tolist() == [
        [2020, "rural", "食杂店", 3, 5]]
    p = peers.iloc[0]
    assert (p["median_qty"], p["mad_qty"], p["median_class12_qty"], p["mad_class12_qty"]) == (100, 0, 0, 0)
    assert (p["median_class12_share_pct"], p["mad_class12_share_pct"]) == (0, 0)
    band = _df(city, "SELECT month, peers, p25_qty, median_qty, p75_qty FROM peer_month ORDER BY month", {}, Scope())
    # nine months (the data end in September), each 100, 100, 100, 100, 300
    assert band.values.tolist() == [[m, 5, 100, 100, 100] for m in MONTHS]


def test_the_months_read_stop_at_the_data_end(city) -> None:
    assert S.months_read(city, F) == list(MONTHS)
    assert S.months_read(city, F.with_(month_from=4, month_to=12)) == [4, 5, 6, 7, 8, 9]
    assert S.months_read(city, F.with_(year=2019)) == []


def test_volume_and_mix_far_above_peers(city) -> None:
    row = by_id(S.suspects(city, F))["G5"]
    assert row["reasons"] == ["volume_high", "mix_high"]
    assert row["months"] == 9 and row["peer_count"] == 5
    assert (row["cases"], row["peer_median_cases"]) == (1.2, 0.4)  # 300 and 100 条 a month
    assert (row["class12_cases"], row["peer_median_class12_cases"]) == (0.8, 0.0)
    assert row["volume_z"] == pytest.approx(20) and row["class12_z"] == pytest.approx(20)
    assert row["class12_share_pct"] == pytest.approx(200 / 3) and row["peer_class12_share_pct"] == 0
    assert row["mix_z"] == pytest.approx(200 / 3 / 2)
    assert row["score"] == 6.0  # both strengths past the cap of 3
    # no step is a reason: no step's month or means (every row has a largest split; it is not a lead)
    assert row[["shift_month", "shift_before_cases", "shift_after_cases", "shift_change_cases", "partner_shift_month",
                "partner_shift_change_cases"]].isna().all()


def test_a_step_its_partner_and_a_spike(city) -> None:
    rows = by_id(S.suspects(city, F))
    s1, s2, s3, s4 = rows["S1"], rows["S2"], rows["S3"], rows["S4"]
    assert s1["reasons"] == ["level_shift", "paired_shift", "swing"]
    assert (s1["shift_month"], s1["shift_before_cases"], s1["shift_after_cases"]) == (5, 0.8, 0.2)
    assert s1["shift_change_cases"] == pytest.approx(-0.6)
    # two partners step up by as much: S2 (a month later, the same manager) before S4 (the same month, 李强's)
    assert (s1["partner_retailer_id"], s1["partner_retailer_name"], s1["partner_shift_month"]) == ("S2", "乙便利店", 6)
    assert s1["partner_shift_change_cases"] == pytest.approx(0.6)
    assert (s2["shift_month"], s2["partner_retailer_id"]) == (6, "S1")
    assert (s4["shift_month"], s4["partner_retailer_id"]) == (5, "S1")  # the district's, no one of its own manager
    cv = math.sqrt((4 * 200**2 + 5 * 50**2) / 9 - (1050 / 9) ** 2) / (1050 / 9)
    assert s1["swing"] == pytest.approx(cv) and round(cv, 4) == 0.6389
    assert s1["score"] == pytest.approx(0.75 / 0.5 + 1.5 * 3 + 0.5 * cv / 0.5, abs=1e-4)
    # no peer group (3 retailers): no peer figure, so no volume or mix reason
    assert pd.isna(s1["peer_count"]) and pd.isna(s1["peer_median_cases"]) and pd.isna(s1["volume_z"])
    # March's 400 is one month: no median moves, so no level shift; a swing of 1/√2
    assert s3["reasons"] == ["swing"] and s3["swing"] == pytest.approx(math.sqrt(0.5))
    assert s3["score"] == pytest.approx(0.5 * math.sqrt(0.5) / 0.5, abs=1e-4)
    assert pd.isna(s3["shift_month"]) and pd.isna(s3["shift_before_cases"]) and pd.isna(s3["shift_change_cases"])


def test_the_list_is_sorted_and_ordinary_retailers_are_not_on_it(city) -> None:
    frame = S.suspects(city, F)
    assert frame["retailer_id"].tolist() == ["S1", "S2", "S4", "G5", "S3"]
    assert frame["score"].is_monotonic_decreasing
    assert not {"G1", "G2", "G3", "G4"} & set(frame["retailer_id"])
    assert S.suspects(city, F, limit=2)["retailer_id"].tolist() == ["S1", "S2"]
    assert list(frame.columns) == S.COLUMNS


def test_a_manager_s_list_keeps_partners_of_the_district(city) -> None:
    mine = S.suspects(city, F.with_(managers=("李强",)))
    assert mine["retailer_id"].tolist() == ["S4"]
    assert mine["partner_retailer_id"].tolist() == ["S1"]  # 王芳's retailer, found in the district


def test_segment_filters_list_their_retailers_with_partners_of_any_segment(city) -> None:
    rows = S.suspects(city, F.with_(business_formats=("超市",)))
    assert rows[["retailer_id", "partner_retailer_id"]].values.tolist() == [["S4", "S1"]]  # S1 is a 便利店
    assert S.suspects(city, F.with_(area_types=("rural",)))["retailer_id"].tolist() == ["G5"]


def test_a_month_range(city) -> None:
    rows = by_id(S.suspects(city, F.with_(month_from=1, month_to=4)))
    # four months: no split leaves three on each side, so no step; March's spike swings (CV 0.7423)
    assert set(rows) == {"G5", "S3"}
    assert rows["S3"]["reasons"] == ["swing"] and rows["S3"]["months"] == 4
    assert rows["S3"]["swing"] == pytest.approx(math.sqrt((3 * 100**2 + 400**2) / 4 - 175**2) / 175)
    assert rows["G5"]["cases"] == 1.2  # against the peers' whole-year median
    # a range after the data end reads nothing
    assert S.suspects(city, F.with_(month_from=10, month_to=12)).empty


def test_thresholds_are_the_caller_s(city) -> None:
    strict = SuspectThresholds(swing_cv=0.8, pair_max_months=0)
    rows = by_id(S.suspects(city, F, thresholds=strict))
    assert "S3" not in rows  # CV 0.71 < 0.8
    assert rows["S1"]["partner_retailer_id"] == "S4"  # S2 stepped a month later: too far apart now
    assert "paired_shift" not in rows["S2"]["reasons"]


def test_the_peer_band(city) -> None:
    band = S.peer_band(city, F, "G5")
    assert band["month"].tolist() == list(MONTHS)
    assert band[["cases", "class12_cases", "peer_p25_cases", "peer_median_cases", "peer_p75_cases"]].iloc[0].tolist() == [
        1.2, 0.8, 0.4, 0.4, 0.4]
    lonely = S.peer_band(city, F, "S3")
    assert lonely["cases"].tolist()[:4] == [0.4, 0.4, 1.6, 0.4]
    assert lonely["peer_median_cases"].isna().all()  # no peer group of 5
    # drawn alone, its line still carries its name in a legend, and its volume is read from 0
    from analytics.charts import peer_band

    fig = peer_band(lonely, "zh", "丙便利店")
    assert [d.name for d in fig.data] == ["丙便利店"] and fig.layout.showlegend is True
    assert fig.layout.yaxis.rangemode == "tozero"
    assert len(peer_band(band, "zh", "五号食杂店").data) == 4


def test_reasons_in_words(city) -> None:
    rows = by_id(S.suspects(city, F))
    # each reason in brackets, then its sentence: no space stray before a Chinese word, no colon doubled
    assert S.reason_text(rows["S1"], "zh") == (
        "【销量突变】自 5 月起月均销量由 0.80 箱变为 0.20 箱，并持续。"
        "【此消彼长】自 5 月起月均减少 0.60 箱，同期乙便利店（S2）自 6 月起月均增加 0.60 箱：订货可能从一户转到另一户。"
        "【销量波动大】月销量变异系数 0.64（9 个月有订货）。")
    assert S.reason_sentence(rows["S1"], "paired_shift", "en") == (
        "From month 5 its monthly volume fell by 0.60 cases while that of 乙便利店 (S2) rose by 0.60 cases from month 6: "
        "orders may have moved from one licence to the other.")
    assert S.reason_sentence(rows["G5"], "mix_high", "zh") == "一二类烟占其销量 66.67%，同类客户中位数 0.00%（稳健 z = 33.3）。"
    assert S.reason_labels(rows["G5"]["reasons"], "zh") == "销量远超同类、一二类占比偏高"


def test_english_carries_no_chinese_punctuation_or_words(city) -> None:
    """The English list reads as English: its labels (the suspects' block of analytics/labels.py) hold no
    Chinese character or punctuation, and a row's sentences only the names that come from the data."""
    from analytics.labels import SUSPECTS as WORDS

    cjk = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
    assert {k: en for k, (_, en) in WORDS.items() if cjk.search(en)} == {}
    for _, row in S.suspects(city, F).iterrows():
        text = S.reason_text(row, "en")
        for name in (row["retailer_name"], row["partner_retailer_name"]):
            text = text.replace(name, "") if isinstance(name, str) else text
        assert not cjk.search(text), text


def test_scope(city) -> None:
    with pytest.raises(NotAllowed):
        S.suspects(city, F.within(Scope(districts=(EAST,), retailer_level=False)))
    with pytest.raises(NotAllowed):
        S.peer_band(city, F.within(Scope(districts=(EAST,), retailer_level=False)), "G5")
    # a manager's scope: their retailers only, partners among them
    mine = S.suspects(city, F.within(Scope(districts=(EAST,), managers=("李强",))))
    # S4's only partner, S1, is 王芳's: not in this scope, so no pair; its own step stays
    assert mine["retailer_id"].tolist() == ["S4"]
    assert mine["reasons"].tolist() == [["level_shift", "swing"]] and mine["partner_retailer_id"].isna().all()
    assert S.peer_band(city, F.within(Scope(districts=(EAST,), managers=("李强",))), "G5").empty
    assert S.suspects(city, F.within(Scope(districts=("西片区",)))).empty


# --- the demo's planted cases (analytics/tools/demo.py PLANTED) -----------------------------------

def test_the_planted_cases_lead_their_districts(demo_dir: Path) -> None:
    from analytics.store import Store

    con = connect_store(Store(demo_dir))
    for district in sorted({p.district for p in PLANTED}):
        cases = [p for p in PLANTED if p.district == district]
        # the retailer a case plants: both of a pair, the receiver of a mix, the one of a step
        planted = {r for p in cases for r in ((p.source, p.target) if p.case == "paired_shift" else (p.target,))}
        frame = S.suspects(con, Filters(year=2019, districts=(district,)))
        top = frame.head(len(planted))
        assert set(top["retailer_id"]) == planted, (district, frame.head(5))
        for p in cases:
            row = top[top["retailer_id"] == p.target].iloc[0]
            assert p.case in row["reasons"], (district, row)
            if p.case == "paired_shift":
                assert row["partner_retailer_id"] == p.source
        # an ordinary retailer scores well below: never close to the top
        rest = frame.iloc[len(planted):]
        assert rest.empty or rest["score"].max() < 0.8 * top["score"].min(), (district, rest.head(3))
    # 城郊片区 (the seed's district, untouched) has no planted case and few leads, none of them strong
    seed = S.suspects(con, Filters(year=2019, districts=("城郊片区",)))
    assert len(seed) <= 3 and (seed["score"] < 2.5).all()


def test_the_list_from_raw_lines_is_the_same(city, tmp_path_factory) -> None:
    """The bench's pandas baseline (analytics/tools/baseline.py) answers the same question from the order
    lines: the same retailers, reasons, partners and scores."""
    from analytics.tools import baseline

    store = load_tiny(tmp_path_factory.mktemp("suspects-raw") / "data", SUSPECT_RETAILERS, suspect_orders())
    raw = baseline.load_raw(store.state_dir())
    master = pd.read_parquet(store.state_dir() / "retailers.parquet")
    for f in (F, F.with_(month_from=1, month_to=4), F.with_(managers=("李强",))):
        slow, fast = baseline.suspects(raw, master, f), S.suspects(city, f)
        assert slow[["retailer_id", "reasons", "partner_retailer_id", "score"]].values.tolist() == \
            fast[["retailer_id", "reasons", "partner_retailer_id", "score"]].values.tolist()
