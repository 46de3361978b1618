"""The data directory: one parquet per extract, the manifest, replace-by-period, upserts,
rollback, refusals, crashes, concurrent writers and readers, the CLI, and the sample extracts.

Built on the tiny city of conftest.py (E00001 retailers, E00002 SKUs, E00003 orders) plus a
November–December extract (E00004) for the correction cases:

    甲片区: 2019-11-04 10 条 (0420001), 2019-12-02 20 条 (0420001), 2019-12-30 30 条 (0420002)
    乙片区: 2019-11-04 40 条 (0420003), 2019-12-16 50 条 (0420003)
"""
from __future__ import annotations

import hashlib
import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import analytics.state as state_module
import analytics.store as store_module
from analytics import audit
from analytics.audit import AUDIT_FILE
from analytics.db import connect, connect_lines, connect_store, connect_store_lines
from analytics.filters import Filters
from analytics.formats import fmt_bytes
from analytics.labels import t
from analytics.queries import breakdown, summary
from analytics.store import LineChange, Replacement, Store

from .conftest import ROOT, TINY_ORDERS, TINY_TARGETS, load_tiny, load_tiny_targets
from .disk import fill, read_only, tmpfs

HEAD = "订货日期,许可证号,卷烟编码,订货量(条),金额(元),订货方式\n"
NOV_DEC = HEAD + """2019-11-04,0420001,6901028000001,10,2000,网上订货
2019-12-02,0420001,6901028000001,20,4000,网上订货
2019-12-30,0420002,6901028000002,30,300,电话订货
2019-11-04,0420003,6901028000003,40,2000,网上订货
2019-12-16,0420003,6901028000003,50,2500,网上订货
"""
# 甲片区's December exported again: 12-02 was 25 条, not 20, and a 12-30 line was missing
DEC_CORRECTION = HEAD + """2019/12/2,0420001,6901028000001,25,"5,000.00",网上订货
2019/12/30,0420002,6901028000002,30,300,电话订货
2019/12/30,0420002,6901028000003,5,250,电话订货
"""
# 乙片区's December exported again
DEC_CORRECTION_B = HEAD + "2019-12-16,0420003,6901028000003,60,3000,网上订货\n"
BAD = HEAD + """2019-02-30,0420001,6901028000002,60,600,电话订货
2019-03-04,0999999,6901028000003,0,12500,网上订货
"""
SAMPLES = ROOT / "data" / "samples"


def _tree(root: Path, with_audit: bool = True) -> dict[str, str]:
    """Every file under root (hidden ones too) and its sha256; without the audit log when `with_audit` is
    False (a load that changes nothing is still recorded there: issue #12)."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*"))
            if p.is_file() and (with_audit or p.name != AUDIT_FILE)}


def _months(store: Store) -> dict[tuple[str, int, int], int]:
    """条 per (district, year, month) as the reports see them."""
    rows = connect_store(store).execute("SELECT district, year, month, SUM(qty)::BIGINT FROM cube GROUP BY ALL ORDER BY ALL").fetchall()
    return {(d, y, m): q for d, y, m, q in rows}


def _figures(store: Store) -> str:
    """What the pages show, as text: summaries, the district table, rollups and masters."""
    con = connect_store(store)
    parts = []
    for year in (2018, 2019):
        for districts in ((), ("甲片区",), ("乙片区",)):
            parts.append(json.dumps(summary(con, Filters(year=year, compare_year=year - 1, districts=districts)).to_dict(), sort_keys=True))
        parts.append(breakdown(con, Filters(year=year, compare_year=year - 1)).to_csv(index=False))
    for table in ("cube", "sku_cube", "retailer_month", "retailers", "skus"):
        parts.append(con.sql(f"SELECT * FROM {table} ORDER BY ALL").df().to_csv(index=False))
    parts.append(connect_store_lines(store).sql("SELECT * EXCLUDE (extract_id) FROM orders ORDER BY ALL").df().to_csv(index=False))
    return "\n".join(parts)


def _load(store: Store, name: str, text: str, **kw: object):
    results = store.load([(name, text.encode("gbk"))], loaded_by="test", **kw)
    assert len(results) == 1
    return results[0]


@pytest.fixture
def dec(tmp_path: Path) -> Store:
    store = load_tiny(tmp_path / "data")
    assert _load(store, "订单_11-12月.csv", NOV_DEC).status == "loaded"
    return store


# --- storage -------------------------------------------------------------------------------------


def test_each_accepted_extract_is_its_own_parquet_with_a_manifest_entry(tiny):
    manifest = tiny.manifest()
    assert [e["id"] for e in manifest["extracts"]] == ["E00001", "E00002", "E00003"]
    assert sorted(p.name for p in tiny.extracts_dir.iterdir()) == ["E00001.parquet", "E00002.parquet", "E00003.parquet"]
    orders = manifest["extracts"][2]
    assert {k: orders[k] for k in ("id", "kind", "file_name", "sha256", "rows", "period_start", "period_end", "districts",
                                   "loaded_by", "status")} == {
        "id": "E00003", "kind": "orders", "file_name": "订单.csv", "sha256": hashlib.sha256(TINY_ORDERS.encode("gbk")).hexdigest(),
        "rows": 6, "period_start": "2018-03-05", "period_end": "2019-05-06", "districts": ["乙片区", "甲片区"],
        "loaded_by": "test", "status": "active",
    }
    assert pd.Timestamp(orders["loaded_at"]).tzinfo is not None
    assert [(e["kind"], e["rows"], e["period_start"], e["districts"]) for e in manifest["extracts"][:2]] == [
        ("retailers", 3, None, ["乙片区", "甲片区"]), ("skus", 3, None, [])]
    stored = pd.read_parquet(tiny.extracts_dir / "E00003.parquet")
    assert stored["retailer_id"].tolist() == ["0420001", "0420002", "0420001", "0420001", "0420002", "0420003"]
    assert stored["district"].tolist() == ["甲片区", "甲片区", "甲片区", "甲片区", "甲片区", "乙片区"]
    assert set(stored["extract_id"]) == {"E00003"}


def test_the_same_bytes_again_are_a_duplicate_and_change_nothing(tiny):
    before = _tree(tiny.root)
    results = tiny.load([("订单(再次).csv", TINY_ORDERS.encode("gbk"))], loaded_by="test")
    assert [r.status for r in results] == ["duplicate"]
    assert _tree(tiny.root) == before


def test_correction_extract_replaces_only_its_district_and_period(dec):
    before = _months(dec)
    assert (before[("甲片区", 2019, 11)], before[("甲片区", 2019, 12)], before[("乙片区", 2019, 12)]) == (10, 50, 50)
    result = _load(dec, "订单_甲片区_12月_更正.csv", DEC_CORRECTION)
    assert result.status == "loaded"
    assert result.replacements == [Replacement("甲片区", 2, 0.2, "2019-12-02", "2019-12-30", ["E00004"])]
    r = result.record
    assert (r["period_start"], r["period_end"], r["districts"]) == ("2019-12-02", "2019-12-30", ["甲片区"])
    after = _months(dec)
    assert after[("甲片区", 2019, 12)] == 60  # 25 + 30 + 5
    assert {k: v for k, v in after.items() if k != ("甲片区", 2019, 12)} == {k: v for k, v in before.items() if k != ("甲片区", 2019, 12)}
    lines = connect_store_lines(dec).execute(
        "SELECT strftime(order_date, '%Y-%m-%d'), retailer_id, quantity_cartons, extract_id FROM orders "
        "WHERE district = '甲片区' AND order_date >= DATE '2019-11-01' ORDER BY ALL").fetchall()
    assert lines == [("2019-11-04", "0420001", 10, "E00004"), ("2019-12-02", "0420001", 25, "E00005"),
                     ("2019-12-30", "0420002", 5, "E00005"), ("2019-12-30", "0420002", 30, "E00005")]


def test_a_stated_period_replaces_the_whole_period_and_refuses_lines_outside_it(dec):
    only_first_week = HEAD + "2019-12-02,0420001,6901028000001,25,5000,网上订货\n"
    result = _load(dec, "更正.csv", only_first_week, period=("2019-12-01", "2019-12-31"))
    assert result.replacements == [Replacement("甲片区", 2, 0.2, "2019-12-02", "2019-12-30", ["E00004"])]
    assert (result.record["period_start"], result.record["period_end"]) == ("2019-12-01", "2019-12-31")
    assert _months(dec)[("甲片区", 2019, 12)] == 25  # the 12-30 line went with the stated month
    before = _tree(dec.root)
    stray = _load(dec, "更正2.csv", only_first_week + "2019-11-29,0420001,6901028000001,1,200,网上订货\n",
                  period=("2019-12-01", "2019-12-31"))
    assert stray.status == "refused"
    assert stray.messages("zh") == ["更正2.csv，第 3 行，列“订货日期”，值“2019-11-29”："
                                    "日期不在指定的替换期间（2019-12-01 至 2019-12-31）内"]
    assert stray.messages("en") == ["更正2.csv, row 3, column '订货日期', value '2019-11-29': "
                                    "date outside the stated period (2019-12-01 to 2019-12-31)"]
    assert _tree(dec.root) == before


def test_masters_upsert_and_orders_may_use_a_retailer_loaded_in_the_same_batch(tiny):
    update = """许可证号,客户名称,片区,客户经理,城乡分类,业态,档位
0420002,乙食杂店(迁址),乙片区,李娜,农网,食杂店,12
0420004,丁烟酒店,乙片区,李娜,城网,烟酒店,8
"""
    orders = HEAD + "2019-06-03,0420004,6901028000002,40,400,网上订货\n"
    results = tiny.load([("订单_丁.csv", orders.encode("gbk")), ("零售户_更新.csv", update.encode("gbk"))], loaded_by="test")
    assert [(r.status, r.record["id"]) for r in results] == [("loaded", "E00005"), ("loaded", "E00004")]  # masters first
    live = pd.read_parquet(tiny.state_dir() / "retailers.parquet").sort_values("retailer_id")
    assert live[["retailer_id", "retailer_name", "district", "manager", "customer_tier"]].values.tolist() == [
        ["0420001", "甲便利店", "甲片区", "张伟", 5],
        ["0420002", "乙食杂店(迁址)", "乙片区", "李娜", 12],
        ["0420003", "丙超市", "乙片区", "李娜", 20],
        ["0420004", "丁烟酒店", "乙片区", "李娜", 8],
    ]
    con = connect_store(tiny)
    # reports take the district from the current master: 0420002's 200 条 of March now count for 乙
    assert summary(con, Filters(year=2019, compare_year=2018, districts=("乙片区",))).volume_cases == (500 + 200 + 40) / 250
    assert summary(con, Filters(year=2019, compare_year=2018, districts=("甲片区",))).volume_cases == (250 + 50) / 250


# --- rollback --------------------------------------------------------------------------------------


def test_rollback_restores_every_figure_exactly(dec):
    before = _figures(dec)
    update = "许可证号,客户名称,片区,城乡分类\n0420001,甲便利店,乙片区,农网\n"
    for name, text in (("更正.csv", DEC_CORRECTION), ("零售户_更新.csv", update)):
        record = _load(dec, name, text).record
        assert _figures(dec) != before
        withdrawn = dec.rollback(record["id"])
        assert (withdrawn["id"], withdrawn["status"]) == (record["id"], "withdrawn")
        assert _figures(dec) == before
    assert [e["status"] for e in dec.extracts()] == ["active"] * 4 + ["withdrawn"] * 2


def test_withdrawing_an_earlier_extract_gives_the_state_as_if_it_was_never_loaded(dec, tmp_path):
    _load(dec, "更正.csv", DEC_CORRECTION)
    dec.rollback("E00004")  # the November–December extract, loaded before the correction
    never = load_tiny(tmp_path / "never")
    _load(never, "更正.csv", DEC_CORRECTION)
    assert _figures(dec) == _figures(never)


def test_rollback_of_an_unknown_or_withdrawn_extract_is_an_error_and_changes_nothing(tiny):
    tiny.rollback("E00003")
    before = _tree(tiny.root)
    with pytest.raises(ValueError, match="^E00003 is already withdrawn$"):
        tiny.rollback("E00003")
    with pytest.raises(KeyError, match="no extract E00009; known: E00001, E00002, E00003"):
        tiny.rollback("E00009")
    assert _tree(tiny.root) == before


# --- previews, restores -------------------------------------------------------------------------------


def test_the_preview_of_withdrawing_a_correction_lists_the_lines_that_go_and_the_older_lines_that_come_back(dec):
    correction = _load(dec, "更正.csv", DEC_CORRECTION).record
    loaded = {e["id"]: e["loaded_at"] for e in dec.extracts()}
    before_tree, before = _tree(dec.root), _months(dec)
    preview = dec.preview(correction["id"], "withdraw")
    assert _tree(dec.root) == before_tree  # a preview changes nothing
    assert (preview.kind, preview.masters, preview.orphan_lines) == ("orders", [], 0)
    # the correction's 25 + 30 + 5 条 go, the November–December extract's 20 + 30 条 come back
    assert preview.removed == [LineChange("甲片区", "E00005", loaded["E00005"], 3, 0.24, "2019-12-02", "2019-12-30")]
    assert preview.returned == [LineChange("甲片区", "E00004", loaded["E00004"], 2, 0.2, "2019-12-02", "2019-12-30")]
    dec.rollback(correction["id"])
    after = _months(dec)
    assert before[("甲片区", 2019, 12)] - after[("甲片区", 2019, 12)] == round((0.24 - 0.2) * 250)  # what the preview said
    assert {k: v for k, v in after.items() if k != ("甲片区", 2019, 12)} == {k: v for k, v in before.items() if k != ("甲片区", 2019, 12)}


def test_the_preview_of_an_extract_partly_replaced_later_shows_only_its_live_lines(dec):
    _load(dec, "更正.csv", DEC_CORRECTION)
    loaded = {e["id"]: e["loaded_at"] for e in dec.extracts()}
    preview = dec.preview("E00004", "withdraw")
    # 甲片区's December lines of E00004 are already replaced by the correction: only November goes
    assert preview.removed == [LineChange("乙片区", "E00004", loaded["E00004"], 2, 0.36, "2019-11-04", "2019-12-16"),
                               LineChange("甲片区", "E00004", loaded["E00004"], 1, 0.04, "2019-11-04", "2019-11-04")]
    assert preview.returned == []  # nothing older covered November–December
    whole = _load(dec, "乙片区_12月.csv", DEC_CORRECTION_B).record
    _load(dec, "乙片区_12月_再次.csv", DEC_CORRECTION_B.replace("60,3000", "61,3050"))
    hidden = dec.preview(whole["id"], "withdraw")
    assert (hidden.removed, hidden.returned, hidden.changes_nothing) == ([], [], True)  # a later extract replaced all of it


def test_the_preview_of_withdrawing_a_master_update_shows_what_reverts_and_which_lines_lose_their_retailer(tiny):
    update = """许可证号,客户名称,片区,客户经理,城乡分类,业态,档位
0420002,乙食杂店(迁址),乙片区,李娜,农网,食杂店,12
0420004,丁烟酒店,乙片区,李娜,城网,烟酒店,8
"""
    orders = HEAD + "2019-06-03,0420004,6901028000002,40,400,网上订货\n"
    tiny.load([("零售户_更新.csv", update.encode("gbk")), ("订单_丁.csv", orders.encode("gbk"))], loaded_by="test")
    preview = tiny.preview("E00004", "withdraw")
    assert (preview.kind, preview.removed, preview.returned) == ("retailers", [], [])
    moved, new = preview.masters
    assert (moved.key, moved.source, moved.source_loaded_at) == ("0420002", "E00001", tiny.extracts()[0]["loaded_at"])
    assert moved.fields == {"retailer_name": ("乙食杂店(迁址)", "乙食杂店"), "district": ("乙片区", "甲片区"),
                            "manager": ("李娜", "张伟"), "customer_tier": (12, 10)}
    assert (new.key, new.before["retailer_name"], new.after, new.source) == ("0420004", "丁烟酒店", None, None)
    assert preview.orphan_lines == 1  # the 40 条 of 0420004 would have no retailer record
    tiny.rollback("E00004")
    back = tiny.preview("E00004", "restore")
    assert [(m.key, m.before, m.after) for m in back.masters] == [
        ("0420002", moved.after, moved.before), ("0420004", None, new.before)]
    assert back.masters[0].source == "E00004" and back.orphan_lines == 0


def test_restoring_a_withdrawn_correction_gives_back_exactly_the_figures_before_the_withdrawal(dec):
    correction = _load(dec, "更正.csv", DEC_CORRECTION).record
    before = _figures(dec)
    dec.rollback(correction["id"], withdrawn_by="王分析")
    assert _figures(dec) != before
    preview = dec.preview(correction["id"], "restore")
    loaded = {e["id"]: e["loaded_at"] for e in dec.extracts()}
    assert preview.removed == [LineChange("甲片区", "E00004", loaded["E00004"], 2, 0.2, "2019-12-02", "2019-12-30")]
    assert preview.returned == [LineChange("甲片区", "E00005", loaded["E00005"], 3, 0.24, "2019-12-02", "2019-12-30")]
    restored = dec.restore(correction["id"], restored_by="李审核")
    assert _figures(dec) == before
    assert (restored["status"], restored["withdrawn_by"], restored["restored_by"]) == ("active", "王分析", "李审核")
    assert pd.Timestamp(restored["restored_at"]) >= pd.Timestamp(restored["withdrawn_at"]) >= pd.Timestamp(restored["loaded_at"])
    assert pd.Timestamp(restored["restored_at"]).tzinfo is not None
    assert [(e["action"], e["by"]) for e in restored["events"]] == [("withdraw", "王分析"), ("restore", "李审核")]
    assert dec.extracts()[-1] == restored  # what the manifest holds


def test_restoring_an_older_extract_keeps_the_newer_correction_winning_where_they_overlap(dec, tmp_path):
    _load(dec, "更正.csv", DEC_CORRECTION)
    before = _figures(dec)
    dec.rollback("E00004")  # the November–December extract, older than the correction
    never = load_tiny(tmp_path / "never")
    _load(never, "更正.csv", DEC_CORRECTION)
    assert _figures(dec) == _figures(never)
    dec.restore("E00004")  # re-applied at its own place in the history: before the correction
    assert _figures(dec) == before
    assert _months(dec)[("甲片区", 2019, 12)] == 60  # the correction's 25 + 30 + 5, not E00004's 20 + 30


def test_a_restored_master_update_wins_again_over_the_older_master(tiny):
    before = _figures(tiny)
    update = "许可证号,客户名称,片区,城乡分类\n0420001,甲便利店,乙片区,农网\n"
    record = _load(tiny, "零售户_更新.csv", update).record
    updated = _figures(tiny)
    tiny.rollback(record["id"])
    assert _figures(tiny) == before
    tiny.restore(record["id"])
    assert _figures(tiny) == updated


def test_restore_refusals_are_errors_and_change_nothing(tiny):
    tiny.rollback("E00003")
    assert tiny.load([("订单(重新导出).csv", TINY_ORDERS.encode("gbk"))], loaded_by="test")[0].status == "loaded"  # E00004
    before = _tree(tiny.root)
    with pytest.raises(ValueError, match="^E00004 is already active$"):
        tiny.restore("E00004")
    with pytest.raises(KeyError, match="^no extract E00009; known: E00001, E00002, E00003, E00004$"):
        tiny.restore("E00009")
    with pytest.raises(ValueError, match="^E00003 holds the same file as E00004, which is active; withdraw E00004 first$") as err:
        tiny.restore("E00003")
    assert (err.value.code, err.value.extract_id, err.value.other) == ("same_content_active", "E00003", "E00004")
    with pytest.raises(ValueError, match="^E00003 holds the same file"):
        tiny.preview("E00003", "restore")
    assert _tree(tiny.root) == before


def test_a_restore_waiting_too_long_for_the_lock_is_a_timeout_and_changes_nothing(tiny):
    tiny.rollback("E00003")
    before = _tree(tiny.root)
    with tiny.lock(), pytest.raises(TimeoutError):
        Store(tiny.root).restore("E00003", timeout=0.3)
    assert _tree(tiny.root) == before


# --- incremental rebuilds ------------------------------------------------------------------------------

def _manifest(*extracts: tuple[str, str, str | None, str | None, str], fmt: int = state_module.FORMAT_VERSION) -> dict:
    return {"format": fmt, "state": "g1", "extracts": [
        {"id": i, "kind": k, "period_start": a, "period_end": b, "status": st} for i, k, a, b, st in extracts]}


MASTERS = (("E1", "retailers", None, None, "active"), ("E2", "skus", None, None, "active"))


def test_changed_years_are_the_years_of_the_added_or_withdrawn_orders_extract():
    before = _manifest(*MASTERS, ("E3", "orders", "2017-01-02", "2019-12-31", "active"))
    correction = _manifest(*MASTERS, ("E3", "orders", "2017-01-02", "2019-12-31", "active"),
                           ("E4", "orders", "2019-12-01", "2020-01-31", "active"))
    assert state_module.changed_years(before, correction) == {2019, 2020}
    withdrawn = _manifest(*MASTERS, ("E3", "orders", "2017-01-02", "2019-12-31", "active"),
                          ("E4", "orders", "2019-12-01", "2020-01-31", "withdrawn"))
    assert state_module.changed_years(correction, withdrawn) == {2019, 2020}
    assert state_module.changed_years(before, before) == set()  # a plain rebuild request: nothing changed


def test_a_master_change_an_unknown_period_or_another_format_means_a_full_build():
    before = _manifest(*MASTERS, ("E3", "orders", "2019-01-01", "2019-12-31", "active"))
    new_master = _manifest(*MASTERS, ("E3", "orders", "2019-01-01", "2019-12-31", "active"), ("E4", "retailers", None, None, "active"))
    assert state_module.changed_years(before, new_master) is None
    no_period = _manifest(*MASTERS, ("E3", "orders", "2019-01-01", "2019-12-31", "active"), ("E4", "orders", None, None, "active"))
    assert state_module.changed_years(before, no_period) is None
    assert state_module.changed_years(_manifest(*MASTERS, fmt=1), before) is None
    assert state_module.changed_years({"format": state_module.FORMAT_VERSION, "state": None, "extracts": []}, before) is None


def _rollup_tables(state: Path) -> dict[str, pd.DataFrame]:
    from analytics.rollups import ROLLUPS

    # the state holds exactly these parquet files; every rollup is in query.duckdb, which readers open
    assert sorted(p.stem for p in state.glob("*.parquet")) == sorted(state_module.STATE_PARQUET)
    out = {}
    with duckdb.connect(str(state / state_module.QUERY_DB), read_only=True) as db:
        for name in ROLLUPS:
            frame = db.table(name).df()
            out[name] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return out


@pytest.fixture
def builds(monkeypatch) -> list[object]:
    """Each state build from now on, as the sorted years it re-aggregates from order lines (None: a
    full build)."""
    seen: list[object] = []
    real = store_module.build_state

    def spy(extracts_dir, records, target, threads=2, reuse=None):
        seen.append(None if reuse is None else sorted(reuse[1]))
        real(extracts_dir, records, target, threads, reuse)

    monkeypatch.setattr(store_module, "build_state", spy)
    return seen


def test_an_incremental_build_equals_a_full_build_after_loads_rollbacks_and_a_restore(demo_dir, tmp_path, builds):
    store = Store(shutil.copytree(demo_dir, tmp_path / "data"))
    lines = connect_store_lines(store).execute(
        """SELECT strftime(order_date, '%Y-%m-%d'), retailer_id, sku_id, quantity_cartons, amount_yuan
           FROM orders WHERE district = '城郊片区' AND order_date BETWEEN DATE '2019-12-01' AND DATE '2019-12-07'
           ORDER BY ALL""").fetchall()
    # 城郊片区's first week of December again with every quantity doubled, and a January 2020 that did not exist
    correction = HEAD + "".join(f"{d},{r},{k},{q * 2},{a * 2:.2f},网上订货\n" for d, r, k, q, a in lines)
    january = HEAD + "".join(f"2020-01-{2 + n % 20:02d},{r},{k},{q},{a:.2f},电话订货\n" for n, (_, r, k, q, a) in enumerate(lines))
    steps = [lambda: _load(store, "城郊_12月更正.csv", correction), lambda: _load(store, "2020年1月.csv", january),
             lambda: store.rollback("E00007"), lambda: store.rollback("E00008"), lambda: store.restore("E00007")]
    volumes = []
    for n, step in enumerate(steps):
        step()
        volumes.append(round(summary(connect_store(store), Filters(year=2019, districts=("城郊片区",))).volume_cases, 3))
        full = tmp_path / f"full{n}"
        state_module.build_state(store.extracts_dir, store.manifest()["extracts"], full)
        incremental, rebuilt = _rollup_tables(store.state_dir()), _rollup_tables(full)
        for name in rebuilt:
            pd.testing.assert_frame_equal(incremental[name], rebuilt[name], check_exact=False, rtol=1e-12, obj=f"step {n}: {name}")
    assert builds == [[2019], [2020], [2019], [2020], [2019]]  # every step read only its year's lines
    doubled = round(977.872 + sum(q for *_, q, _ in lines) / 250, 3)  # the correction's lines counted twice
    assert volumes == [doubled, doubled, 977.872, 977.872, doubled]  # the seed's figure after the rollback, until the restore


# --- refusals and failures ------------------------------------------------------------------------------


def test_a_refused_batch_leaves_the_data_directory_byte_identical(dec):
    before = _tree(dec.root)
    results = dec.load([("更正.csv", DEC_CORRECTION.encode("gbk")), ("坏文件.csv", BAD.encode("gbk"))], loaded_by="test")
    assert [r.status for r in results] == ["ready", "refused"]  # all or nothing: the good file waits too
    assert results[1].messages("zh") == [
        "坏文件.csv，第 2 行，列“订货日期”，值“2019-02-30”：无法识别的日期",
        "坏文件.csv，第 3 行，列“许可证号”，值“0999999”：零售户不在客户档案中，请先导入客户档案",
        "坏文件.csv，第 3 行，列“订货量(条)”，值“0”：必须大于 0",
    ]
    assert _tree(dec.root) == before


def test_a_load_failing_while_building_the_state_leaves_everything_as_it_was(dec, monkeypatch):
    before_tree, before = _tree(dec.root), _figures(dec)

    def disk_full(extracts_dir: Path, records: list[dict], tmp: Path, threads: int, reuse: object) -> None:
        (tmp / "orders.parquet").write_bytes(b"half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(state_module, "_build_into", disk_full)
    with pytest.raises(store_module.DiskFull) as err:
        _load(dec, "更正.csv", DEC_CORRECTION)
    assert err.value.message("zh") == t("err_disk_full", "zh") and "数据没有改动" in err.value.message("zh")
    assert _tree(dec.root) == before_tree
    assert _figures(dec) == before
    monkeypatch.undo()
    assert _load(dec, "更正.csv", DEC_CORRECTION).record["id"] == "E00005"


KILLED_LOAD = """
import pathlib, sys, time
sys.path.insert(0, {root!r})
import analytics.state as state
import analytics.store as s

def stuck(extracts_dir, records, tmp, threads, reuse):
    (tmp / "orders.parquet").write_bytes(b"half a file")
    pathlib.Path({mark!r}).write_text("building")
    time.sleep(60)

state._build_into = stuck
s.Store({data!r}).load([("更正.csv", pathlib.Path({src!r}).read_bytes())], loaded_by="killed")
"""


def _wait_for(path: Path, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the child never reached the point to kill it"
        time.sleep(0.02)


def test_a_load_killed_mid_write_leaves_the_previous_state_intact_and_the_next_load_cleans_up(dec, tmp_path):
    manifest, before = (dec.root / "manifest.json").read_bytes(), _figures(dec)
    src, mark = tmp_path / "更正.csv", tmp_path / "building"
    src.write_bytes(DEC_CORRECTION.encode("gbk"))
    script = KILLED_LOAD.format(root=str(ROOT), mark=str(mark), data=str(dec.root), src=str(src))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _wait_for(mark, proc)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    # killed after writing its extract and while building its state: both are debris, not data
    assert (dec.extracts_dir / "E00005.parquet").exists()
    assert [p.name.startswith(".") for p in dec.states_dir.iterdir()].count(True) == 1
    assert (dec.root / "manifest.json").read_bytes() == manifest
    assert _figures(dec) == before
    # the lock died with the process; the next load takes it at once and clears the debris
    result = _load(dec, "更正(重新导入).csv", DEC_CORRECTION + "2019/12/31,0420001,6901028000003,1,50,电话订货\n")
    assert (result.status, result.record["id"]) == ("loaded", "E00005")
    assert sorted(p.name for p in dec.extracts_dir.iterdir()) == [f"E0000{i}.parquet" for i in range(1, 6)]
    assert not [p for p in dec.states_dir.iterdir() if p.name.startswith(".")]
    assert len(pd.read_parquet(dec.extracts_dir / "E00005.parquet")) == 4
    assert _months(dec)[("甲片区", 2019, 12)] == 61


KILL_AT = """
import os, pathlib, sys, time
sys.path.insert(0, {root!r})
import analytics.state as state
import analytics.store as s

point, mark, real_replace = {point!r}, pathlib.Path({mark!r}), os.replace

def pause():
    mark.write_text(point)
    time.sleep(60)

def replace(src, dst):
    dst = pathlib.Path(dst)
    where = {{"extracts": "extract", "state": "state"}}.get(dst.parent.name, "manifest" if dst.name == "manifest.json" else "")
    if point == where + "_tmp":
        pause()
    real_replace(src, dst)
    if point == where + "_placed":
        pause()

def stuck(extracts_dir, records, tmp, threads, reuse):
    (tmp / "orders.parquet").write_bytes(b"half a file")
    pause()

s.os.replace = replace
if point == "building":
    state._build_into = stuck
s.Store({data!r}).load([({name!r}, pathlib.Path({src!r}).read_bytes())], loaded_by="killed")
"""
# the six points of a load: its extract written but not yet in place, then in place; its state half
# built, then in place; the new manifest written but not yet in place, then in place (before pruning)
KILL_POINTS = ("extract_tmp", "extract_placed", "building", "state_placed", "manifest_tmp", "manifest_placed")


def _kill_load_at(store: Store, point: str, text: str, tmp_path: Path, name: str = "更正.csv") -> None:
    src, mark = tmp_path / f"{point}.csv", tmp_path / f"{point}.mark"
    src.write_bytes(text.encode("gbk"))
    mark.unlink(missing_ok=True)  # the same point may be killed more than once
    script = KILL_AT.format(root=str(ROOT), point=point, mark=str(mark), data=str(store.root), name=name, src=str(src))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _wait_for(mark, proc)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def _kept_states(store: Store) -> list[str]:
    manifest = store.manifest()
    return [manifest["state"], *manifest.get("previous_states", [])]


def _assert_clean(store: Store) -> None:
    """Nothing orphaned: every state on disk is the current one or one the manifest keeps for
    readers, every file under extracts/ is an extract the manifest lists, nothing hidden is left."""
    manifest = store.manifest()
    assert sorted(p.name for p in store.states_dir.iterdir()) == sorted(_kept_states(store))
    assert sorted(p.name for p in store.extracts_dir.iterdir()) == sorted({e["stored_name"] for e in manifest["extracts"]})
    assert not [p for p in store.root.iterdir() if p.name.startswith(".") and p.name != ".lock"]
    for name in _kept_states(store):  # each kept state whole: a reader holding it still gets its figures
        connect(store.states_dir / name).execute("SELECT SUM(qty) FROM cube").fetchone()


def test_a_load_killed_at_any_step_leaves_a_readable_state_and_the_next_load_leaves_nothing_orphaned(dec, tmp_path):
    for n, point in enumerate(KILL_POINTS):
        before_manifest, before = dec.manifest(), _figures(dec)
        extra = f"2019/12/31,0420001,6901028000003,{n + 1},50,电话订货\n"
        _kill_load_at(dec, point, DEC_CORRECTION + extra, tmp_path)
        if point == "manifest_placed":  # the switch happened: the load is done, only its pruning was not
            assert dec.manifest()["state"] != before_manifest["state"] and _figures(dec) != before
        else:
            assert dec.manifest() == before_manifest and _figures(dec) == before, point
        for name in _kept_states(dec):
            assert (dec.states_dir / name / "order_sources.parquet").is_file(), (point, name)
        current = dec.manifest()["state"]
        result = _load(dec, f"下一次{n}.csv", DEC_CORRECTION_B.replace("60,3000", f"{70 + n},3000"))
        assert result.status == "loaded", point
        assert dec.manifest()["previous_states"][0] == current  # the state readers held is kept, by name
        _assert_clean(dec)


def test_orphans_of_killed_loads_never_make_pruning_delete_the_state_readers_hold(dec, tmp_path):
    held = dec.manifest()["state"]  # the fixture made two states: the tiny city's, then this one
    for n in range(3):  # three loads killed with their state in place, the manifest not yet switched
        _kill_load_at(dec, "state_placed", DEC_CORRECTION + f"2019/12/31,0420001,6901028000003,{n + 1},50,电话订货\n", tmp_path)
    orphans = {p.name for p in dec.states_dir.iterdir()} - set(_kept_states(dec))
    newest_kept = max((dec.states_dir / n).stat().st_mtime for n in _kept_states(dec))
    assert orphans and all((dec.states_dir / o).stat().st_mtime >= newest_kept for o in orphans)  # newest on disk
    reader = connect(dec.states_dir / held)  # a reader holding the current state while the next load runs
    assert _load(dec, "乙_更正.csv", DEC_CORRECTION_B).status == "loaded"
    assert reader.execute("SELECT SUM(qty)::BIGINT FROM cube").fetchone()[0] == 1400
    assert connect_lines(dec.states_dir / held).execute("SELECT SUM(quantity_cartons)::BIGINT FROM orders").fetchone()[0] == 1400
    assert dec.manifest()["previous_states"][0] == held
    _assert_clean(dec)
    for step in (dec.rollback, dec.restore, dec.rollback):  # later switches push old states out one by one
        step("E00005")
        _assert_clean(dec)
        assert len(_kept_states(dec)) == store_module.KEEP_STATES

CONCURRENT_LOAD = """
import pathlib, sys, time
sys.path.insert(0, {root!r})
import analytics.state as state
import analytics.store as s

real = state._build_into
def slow(*args):  # hold the lock a little longer, so the other writer surely has to wait for it
    time.sleep(0.5)
    real(*args)

state._build_into = slow
pathlib.Path({ready!r}).touch()
go = pathlib.Path({go!r})
while not go.exists():
    time.sleep(0.01)
start = time.monotonic()
result = s.Store({data!r}).load([(pathlib.Path({src!r}).name, pathlib.Path({src!r}).read_bytes())], loaded_by="p")[0]
print(result.status, result.record["id"], start, time.monotonic())
"""


def test_two_loads_from_two_processes_at_once_both_land(dec, tmp_path):
    go = tmp_path / "go"
    procs = []
    for i, (name, text) in enumerate((("甲_更正.csv", DEC_CORRECTION), ("乙_更正.csv", DEC_CORRECTION_B))):
        src = tmp_path / name
        src.write_bytes(text.encode("gbk"))
        script = CONCURRENT_LOAD.format(root=str(ROOT), ready=str(tmp_path / f"ready{i}"), go=str(go), data=str(dec.root), src=str(src))
        procs.append(subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    for i, proc in enumerate(procs):
        _wait_for(tmp_path / f"ready{i}", proc)
    go.touch()  # both start loading now
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    reports = [out.split() for out, _err in outs]
    assert sorted((r[0], r[1]) for r in reports) == [("loaded", "E00005"), ("loaded", "E00006")]
    (s1, e1), (s2, e2) = ((float(r[2]), float(r[3])) for r in reports)
    assert s1 < e2 and s2 < e1  # the two loads really were under way at the same time
    records = dec.extracts()
    assert sorted(e["file_name"] for e in records[4:]) == ["乙_更正.csv", "甲_更正.csv"]
    assert dec.manifest()["next_seq"] == 7
    months = _months(dec)
    assert (months[("甲片区", 2019, 12)], months[("乙片区", 2019, 12)]) == (60, 60)


def test_a_reader_during_loads_and_rollbacks_sees_the_old_or_the_new_totals_never_an_error(dec):
    old, new = 1400, 1410  # 条 in all: before and after the December correction of 甲片区
    seen: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                state = dec.state_dir()
                con, lines = connect(state), connect_lines(state)
                seen.append((con.execute("SELECT SUM(qty)::BIGINT FROM cube").fetchone()[0],
                             lines.execute("SELECT SUM(quantity_cartons)::BIGINT FROM orders").fetchone()[0]))
                con.close()
                lines.close()
            except BaseException as exc:  # any failure at all is what this test is about
                errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        deadline = time.monotonic() + 15
        for i in range(3):
            record = _load(dec, f"更正{i}.csv", DEC_CORRECTION).record
            time.sleep(0.1)
            dec.rollback(record["id"])
            time.sleep(0.1)
            assert time.monotonic() < deadline
    finally:
        stop.set()
        reader.join(timeout=10)
    assert errors == []
    assert len(seen) > 10
    assert {total for total, _ in seen} == {old, new}
    assert all(cube == lines for cube, lines in seen)  # rollups and order lines always from one state


# --- the command line ------------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", *args, "--quiet"], cwd=ROOT, capture_output=True, text=True)


def test_cli_ingest_loads_then_reports_the_same_file_as_already_loaded(dec, tmp_path):
    path = tmp_path / "订单_甲片区_12月_更正.csv"
    path.write_bytes(DEC_CORRECTION.encode("gbk"))
    out = _cli("ingest", str(path), "--data-dir", str(dec.root))
    assert (out.returncode, out.stderr) == (0, "")
    assert out.stdout == ("E00005 订单_甲片区_12月_更正.csv: loaded 3 orders rows, period 2019-12-02..2019-12-30\n"
                          "  replaced 2 lines of 甲片区 from 2019-12-02 to 2019-12-30\n")
    before, logged = _tree(dec.root, with_audit=False), len(audit.read(dec.root))
    again = _cli("ingest", str(path), "--data-dir", str(dec.root))
    assert (again.returncode, again.stdout) == (0, "订单_甲片区_12月_更正.csv: already loaded (same sha256), nothing changed\n")
    assert _tree(dec.root, with_audit=False) == before and len(audit.read(dec.root)) == logged + 1


def test_cli_ingest_refused_lists_the_problems_on_stderr_and_exits_1(tiny, tmp_path):
    path = tmp_path / "坏文件.csv"
    path.write_bytes(BAD.encode("gbk"))
    before, logged = _tree(tiny.root, with_audit=False), len(audit.read(tiny.root))
    out = _cli("ingest", str(path), "--data-dir", str(tiny.root), "--lang", "en")
    assert (out.returncode, out.stdout) == (1, "")
    assert out.stderr.splitlines() == [
        "坏文件.csv, row 2, column '订货日期', value '2019-02-30': not a date this product reads",
        # the CLI lists them as the page does: by row, then in the file's column order
        "坏文件.csv, row 3, column '许可证号', value '0999999': retailer not in the retailer master; load it first",
        "坏文件.csv, row 3, column '订货量(条)', value '0': must be greater than 0",
        "nothing was loaded: fix the problems above and load again",
    ]
    # the data are as they were; the refusal is recorded in the audit log
    assert _tree(tiny.root, with_audit=False) == before and len(audit.read(tiny.root)) == logged + 1
    missing = _cli("ingest", str(tmp_path / "无此文件.csv"), "--data-dir", str(tiny.root))
    assert (missing.returncode, missing.stderr) == (2, f"error: no such file: {tmp_path / '无此文件.csv'}\n")


def test_cli_ingest_with_kind_and_a_stated_month(dec, tmp_path):
    path = tmp_path / "更正.txt"
    path.write_bytes(HEAD.replace("订货日期", "日子").encode("gbk") + b"2019-12-02,0420001,6901028000001,25,5000,1\n")
    out = _cli("ingest", str(path), "--kind", "orders", "--period", "2019-12", "--data-dir", str(dec.root))
    assert out.returncode == 1
    assert out.stderr.splitlines()[0] == "更正.txt，第 1 行：缺少必需的列“订货日期”（可用表头：订货日期 / 日期 / 订单日期 / order_date）"
    path.write_bytes(HEAD.encode("gbk") + b"2019-12-02,0420001,6901028000001,25,5000,1\n")
    out = _cli("ingest", str(path), "--kind", "orders", "--period", "2019-12", "--data-dir", str(dec.root))
    assert out.stdout.splitlines() == ["E00005 更正.txt: loaded 1 orders rows, period 2019-12-01..2019-12-31",
                                       "  replaced 2 lines of 甲片区 from 2019-12-02 to 2019-12-30"], out.stderr
    bad = _cli("ingest", str(path), "--period", "2019-13", "--data-dir", str(dec.root))
    assert (bad.returncode, bad.stderr) == (
        2, "error: --period '2019-13': expected YYYY-MM (a month) or YYYY-MM-DD:YYYY-MM-DD (start not after end)\n")


def test_cli_extracts_and_rollback(tiny):
    data = json.loads(_cli("extracts", "--json", "--data-dir", str(tiny.root)).stdout)
    assert [(d["id"], d["kind"], d["file_name"], d["rows"], d["status"]) for d in data] == [
        ("E00001", "retailers", "零售户档案.csv", 3, "active"), ("E00002", "skus", "卷烟档案.csv", 3, "active"),
        ("E00003", "orders", "订单.csv", 6, "active")]
    assert all({"sha256", "period_start", "period_end", "districts", "loaded_at"} <= d.keys() for d in data)
    out = _cli("rollback", "E00003", "--data-dir", str(tiny.root))
    assert (out.returncode, out.stdout) == (0, "E00003 withdrawn (订单.csv)\n")
    lines = _cli("extracts", "--data-dir", str(tiny.root)).stdout.splitlines()
    assert [line.split()[:3] for line in lines] == [["E00001", "active", "retailers"], ["E00002", "active", "skus"],
                                                    ["E00003", "withdrawn", "orders"]]
    assert connect_store_lines(tiny).execute("SELECT COUNT(*) FROM orders").fetchone()[0] == 0
    again = _cli("rollback", "E00003", "--data-dir", str(tiny.root))
    assert (again.returncode, again.stderr) == (2, "error: E00003 已经撤销（可能刚被其他人撤销），数据没有改动。\n")
    unknown = _cli("rollback", "E00042", "--data-dir", str(tiny.root), "--lang", "en")
    assert (unknown.returncode, unknown.stderr) == (2, "error: There is no load E00042 (known: E00001, E00002, E00003).\n")


# --- the sample extracts in data/samples -----------------------------------------------------------------


def test_the_samples_are_small_and_in_the_formats_they_demonstrate():
    files = {p.name: p.read_bytes() for p in sorted(SAMPLES.iterdir())}
    assert sorted(files) == ["任务_示例_2019.csv", "卷烟档案_示例.csv", "卷烟档案_示例.xlsx", "订单_城郊片区_2019-12-27_更正.csv",
                             "零售户档案_示例.csv"]
    assert sum(len(b) for b in files.values()) < 200_000
    for name in ("零售户档案_示例.csv", "任务_示例_2019.csv"):
        with pytest.raises(UnicodeDecodeError):
            files[name].decode("utf-8")  # GBK, as the marketing system writes it
        files[name].decode("gbk")
    files["订单_城郊片区_2019-12-27_更正.csv"].decode("gbk")
    assert files["卷烟档案_示例.csv"].startswith(b"\xef\xbb\xbf")
    assert files["卷烟档案_示例.xlsx"].startswith(b"PK\x03\x04")


def test_the_samples_load_cleanly_into_a_fresh_demo_and_roll_back(demo_dir, tmp_path):
    root = tmp_path / "data"
    shutil.copytree(demo_dir, root)  # the session's demo stays untouched
    store = Store(root)

    def seed_district_2019() -> int:
        return connect_store(store).execute(
            "SELECT SUM(qty)::BIGINT FROM cube WHERE district = '城郊片区' AND year = 2019").fetchone()[0]

    figures = _figures_by_district(store)
    targets = connect_store(store).execute("SELECT * FROM targets ORDER BY ALL").df()
    assert seed_district_2019() == 244_468  # 977.87 箱, the seed's total
    results = store.load([(p.name, p.read_bytes()) for p in sorted(SAMPLES.iterdir())], loaded_by="test")
    assert [(r.file_name, r.status, r.parsed.format, r.parsed.encoding, r.parsed.kind, r.record["rows"]) for r in results] == [
        ("任务_示例_2019.csv", "loaded", "csv", "gb18030", "targets", 98),
        ("卷烟档案_示例.csv", "loaded", "csv", "utf-8-sig", "skus", 28),
        ("卷烟档案_示例.xlsx", "loaded", "xlsx", None, "skus", 28),
        ("订单_城郊片区_2019-12-27_更正.csv", "loaded", "csv", "gb18030", "orders", 1858),
        ("零售户档案_示例.csv", "loaded", "csv", "gb18030", "retailers", 231),
    ]
    # the targets sample repeats the demo's own (every district's months, 城郊片区's managers): no target changes
    pd.testing.assert_frame_equal(connect_store(store).execute("SELECT * FROM targets ORDER BY ALL").df(), targets)
    orders = results[3]
    assert [(r.district, r.lines, r.start, r.end) for r in orders.replacements] == [("城郊片区", 1858, "2019-12-27", "2019-12-27")]
    # the correction adds 10 + 15 条 to two lines; the masters repeat the demo's records exactly
    assert seed_district_2019() == 244_493
    after = _figures_by_district(store)
    assert {d: v for d, v in after.items() if d != "城郊片区"} == {d: v for d, v in figures.items() if d != "城郊片区"}
    store.rollback(orders.record["id"])
    assert _figures_by_district(store) == figures


def _figures_by_district(store: Store) -> dict[str, str]:
    con = connect_store(store)
    names = [r[0] for r in con.execute("SELECT DISTINCT district FROM retailers ORDER BY 1").fetchall()]
    return {d: json.dumps(summary(con, Filters(year=2019, compare_year=2018, districts=(d,))).to_dict(), sort_keys=True) for d in names}



# --- errors people meet: disk space, a full disk, permissions, a missing file, the lock -----------------

@pytest.fixture
def small_disk(tmp_path: Path):
    # room for two states (the reader's query.duckdb alone is ~5 MB of 256 KB DuckDB blocks) and the filler
    with tmpfs(tmp_path / "disk", size="32m") as disk:
        yield disk


def test_the_space_needed_follows_the_measured_factors_and_the_message_gives_both_figures():
    mb = 1_000_000
    # a 100 MB CSV or Excel file is stored as about 4-9 MB of parquet (0.25 leaves room); a parquet one as 83 MB
    assert store_module.space_needed([("csv", 100 * mb)], 0) == 25 * mb + store_module.SPACE_MARGIN
    assert store_module.space_needed([("parquet", 100 * mb), ("xlsx", 8 * mb)], 40 * mb) == 100 * mb + 2 * mb + 50 * mb + 4 * mb
    err = store_module.NotEnoughSpace(1_200_000_000, 300_000_000)
    assert "需要约 1.2 GB 可用空间，当前仅 300 MB" in err.message("zh")
    assert "needs about 1.2 GB free, only 300 MB is available" in err.message("en")


def test_a_load_or_rollback_without_the_space_it_needs_is_refused_before_writing_anything(dec, monkeypatch):
    before = _tree(dec.root)
    state_bytes = sum(p.stat().st_size for p in dec.state_dir().iterdir())
    free = 1_500_000
    monkeypatch.setattr(store_module.shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(10**9, 10**9 - free, free))
    data = DEC_CORRECTION.encode("gbk")
    with pytest.raises(store_module.NotEnoughSpace) as err:
        dec.load([("更正.csv", data)], loaded_by="test")
    need = store_module.space_needed([("csv", len(data))], state_bytes)
    assert (err.value.need, err.value.free) == (need, free)
    assert err.value.message("zh") == t("err_space_needed", "zh", need=fmt_bytes(need), free="1.5 MB")
    with pytest.raises(store_module.NotEnoughSpace):
        dec.rollback("E00004")
    assert _tree(dec.root) == before
    monkeypatch.undo()
    assert _load(dec, "更正.csv", DEC_CORRECTION).status == "loaded"


def test_a_load_refused_for_space_on_a_real_small_disk(small_disk):
    store = load_tiny(small_disk / "data")
    fill(small_disk, 1_000_000)
    before = _tree(store.root)
    with pytest.raises(store_module.NotEnoughSpace) as err:
        _load(store, "更正.csv", NOV_DEC)
    assert err.value.free <= 1_000_000 < err.value.need
    assert _tree(store.root) == before


def test_a_load_that_fills_the_disk_at_any_point_leaves_nothing_behind_and_says_so(small_disk, monkeypatch):
    store = load_tiny(small_disk / "data")
    monkeypatch.setattr(Store, "_check_space", lambda self, inputs, manifest: None)  # as if the estimate were wrong
    before, figures = _tree(store.root), _figures(store)
    failures, leave = 0, 0
    # more free space each time, about twenty steps across one state's size: the disk fills while writing
    # the extract, the state's files, its query database, the manifest
    step = max(12_288, sum(p.stat().st_size for p in store.state_dir().iterdir()) // 20)
    while leave <= shutil.disk_usage(small_disk).total:  # bounded: at most the whole disk
        fill(small_disk, leave)
        try:
            result = _load(store, "订单_11-12月.csv", NOV_DEC)
        except store_module.DiskFull as exc:
            failures += 1
            assert exc.message("en").startswith("The disk filled up, so the operation stopped. Nothing changed")
            assert str(small_disk) not in exc.message("zh") + str(exc)
            assert _tree(store.root) == before, f"{leave} bytes free"
            assert _figures(store) == figures
            leave += step
            continue
        break
    assert result.status == "loaded" and failures >= 5, failures
    fill(small_disk, 0)
    with pytest.raises(store_module.DiskFull):  # a withdrawal writes a state too
        store.rollback("E00004")
    assert store.extracts()[-1]["status"] == "active"


def test_a_read_only_data_directory_is_a_permission_error_that_changes_nothing(small_disk):
    store = load_tiny(small_disk / "data")
    before = _tree(store.root)
    read_only(small_disk)
    for action in (lambda: _load(store, "更正.csv", NOV_DEC), lambda: store.rollback("E00003"), store.rebuild):
        with pytest.raises(store_module.PermissionDenied) as err:
            action()
        assert err.value.message("zh") == t("err_permission", "zh")
    assert _tree(store.root) == before


def test_a_missing_extract_file_is_named_not_a_duckdb_error(dec):
    (dec.extracts_dir / "E00003.parquet").unlink()
    before = _tree(dec.root)
    for action in (dec.rebuild, lambda: _load(dec, "更正.csv", DEC_CORRECTION), lambda: dec.preview("E00004", "withdraw")):
        with pytest.raises(store_module.ExtractMissing) as err:
            action()
        assert err.value.extract_id == "E00003"
        assert err.value.message("zh").startswith("导入 E00003 的存储文件缺失") and str(dec.root) not in err.value.message("zh")
    assert _tree(dec.root) == before
    dec.rollback("E00003")  # what the message suggests works: the state no longer needs the file
    assert dec.extracts()[2]["status"] == "withdrawn"


def test_a_lock_held_too_long_is_a_store_error_and_still_a_timeout(tiny):
    with tiny.lock(), pytest.raises(store_module.LockTimeout) as err:
        Store(tiny.root).rollback("E00003", timeout=0.2)
    assert isinstance(err.value, TimeoutError) and isinstance(err.value, store_module.StoreError)
    assert err.value.message("en") == "Another load or rollback is running; nothing changed. Try again in a minute."
    assert str(tiny.root) not in str(err.value)


def test_extract_errors_are_store_errors_with_a_message_in_each_language(tiny):
    with pytest.raises(store_module.StoreError) as err:
        tiny.rollback("E00042")
    assert err.value.message("zh") == "没有编号为 E00042 的导入（现有：E00001, E00002, E00003）。"
    assert err.value.message("en") == "There is no load E00042 (known: E00001, E00002, E00003)."
    assert err.value.code == "unknown" and err.value.exit_code == 2


# --- retention: the same bytes stored once, purging withdrawn extracts -----------------------------------

def test_loading_a_withdrawn_batch_again_reuses_its_stored_files(dec):
    update = "许可证号,客户名称,片区,城乡分类\n0420001,甲便利店,乙片区,农网\n"
    batch = [("零售户_更新.csv", update.encode("gbk")), ("更正.csv", DEC_CORRECTION.encode("gbk")),
             ("乙_更正.csv", DEC_CORRECTION_B.encode("gbk"))]
    without, with_batch, files = _figures(dec), None, None
    for cycle in range(4):
        results = dec.load(batch, loaded_by="test")
        assert [r.status for r in results] == ["loaded"] * 3
        if cycle == 0:
            with_batch, files = _figures(dec), sorted(p.name for p in dec.extracts_dir.iterdir())
        assert _figures(dec) == with_batch, cycle  # masters and orders from the reused files, as the first time
        ids = sorted(r.record["id"] for r in results)
        lines = connect_store_lines(dec).execute("SELECT DISTINCT extract_id FROM orders WHERE order_date >= DATE '2019-12-01'").fetchall()
        assert sorted(i for (i,) in lines) == ids[1:]  # the lines carry the new load's ids, not the first one's
        preview = dec.preview(ids[1], "withdraw")
        assert {c.extract_id for c in preview.removed} == {ids[1]}
        for extract_id in ids:
            dec.rollback(extract_id)
        assert _figures(dec) == without
    assert sorted(p.name for p in dec.extracts_dir.iterdir()) == files  # 4 cycles of 3 files, 3 files stored
    assert [e["stored_name"] for e in dec.extracts()[-3:]] == ["E00005.parquet", "E00006.parquet", "E00007.parquet"]
    dec.restore("E00006")  # the first copy restores from the shared file
    with pytest.raises(store_module.SameContentActive):
        dec.restore(dec.extracts()[-2]["id"])
    assert _months(dec)[("甲片区", 2019, 12)] == 60


def test_purge_removes_only_files_no_active_extract_and_no_kept_state_reads(dec):
    first = _load(dec, "更正.csv", DEC_CORRECTION).record["id"]  # E00005
    dec.rollback(first)
    again = _load(dec, "更正(再次).csv", DEC_CORRECTION).record["id"]  # E00006: active, reads E00005's file
    other = _load(dec, "乙_更正.csv", DEC_CORRECTION_B).record["id"]  # E00007
    dec.rollback(other)
    later = pd.Timestamp.now(tz="UTC").to_pydatetime() + pd.Timedelta(days=91)
    assert dec.purge(90) == []  # nothing was withdrawn 90 days ago
    before, figures = _tree(dec.root), _figures(dec)
    items = dec.purge(90, dry_run=True, now=later)
    assert _tree(dec.root) == before  # a dry run changes nothing
    assert [(i.extract_id, i.kept, i.other) for i in items] == [(first, "active", again), (other, "state", None)]
    dec.rollback(again)  # two more switches: no kept state reads E00007's lines any more
    dec.restore(again)
    changed = store_module.last_change(dec.manifest())
    items = dec.purge(90, now=later, purged_by="管理员")
    assert [(i.extract_id, i.kept) for i in items] == [(first, "active"), (other, None)]
    assert not (dec.extracts_dir / "E00007.parquet").exists() and (dec.extracts_dir / "E00005.parquet").exists()
    record = next(e for e in dec.extracts() if e["id"] == other)
    assert (record["status"], record["purged_by"], record["events"][-1]["action"]) == ("purged", "管理员", "purge")
    assert _figures(dec) == figures and store_module.last_change(dec.manifest()) == changed  # a purge changes no figure
    with pytest.raises(store_module.ExtractPurged) as err:
        dec.restore(other)
    assert err.value.message("zh") == (f"{other} 的文件已于 {record['purged_at'][:10]} 按保留期限清除，无法恢复；"
                                       "如仍需这些数据，请重新导入原文件。")
    assert _load(dec, "乙_更正.csv", DEC_CORRECTION_B).record["stored_name"] == "E00008.parquet"  # stored anew


# --- targets (任务, issue #13) -----------------------------------------------------------------------

#: 甲片区's own 2019 target again, now by month (2.5 + 3.5 = 6 箱, volume only), and a 2020 target for 乙片区
NEWER_TARGETS = """年度,月份,片区,客户经理,销量任务(箱)
2019,1,甲片区,,2.5
2019,2,甲片区,,3.5
2020,,乙片区,,9
"""


def _targets(store: Store) -> list[tuple]:
    """The state's targets table: (year, month, district, manager, volume, 一二类, 五类, 条均价, 网订率), sorted."""
    return connect_store(store).execute(
        """SELECT year, month, district, manager, volume_target_cases, class12_target_cases, low_tier_target_cases,
                  avg_price_target, online_rate_target_pct FROM targets ORDER BY year, district, manager NULLS FIRST, month""").fetchall()


AFTER_TINY_TARGETS = [
    (2019, 0, "乙片区", None, 4.0, 3.0, None, 125.0, 87.5),  # derived: sums, and means weighted by the volume target
    (2019, 1, "乙片区", None, 1.0, 1.0, None, 200.0, 50.0),
    (2019, 2, "乙片区", None, 3.0, 2.0, None, 100.0, 100.0),
    (2019, 0, "乙片区", "李娜", 4.0, 3.0, None, None, None),
    (2019, 0, "甲片区", None, 4.0, 2.0, 0.5, 150.0, 60.0),
    (2019, 0, "甲片区", "张伟", 4.0, 2.0, 0.5, 150.0, 60.0),
]


def test_an_empty_state_has_an_empty_targets_table_with_the_agreed_columns(tmp_path):
    for con in (connect(None), connect_store(load_tiny(tmp_path / "data"))):
        assert con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'targets' "
                           "ORDER BY ordinal_position").fetchall() == [
            ("year", "INTEGER"), ("month", "INTEGER"), ("district", "VARCHAR"), ("manager", "VARCHAR"),
            ("volume_target_cases", "DOUBLE"), ("class12_target_cases", "DOUBLE"), ("provincial_target_cases", "DOUBLE"),
            ("low_tier_target_cases", "DOUBLE"), ("avg_price_target", "DOUBLE"), ("online_rate_target_pct", "DOUBLE")]
        assert con.execute("SELECT COUNT(*) FROM targets").fetchone() == (0,)


def test_targets_load_as_an_extract_and_whole_years_are_derived_from_months(tiny):
    record = load_tiny_targets(tiny)
    assert {k: record[k] for k in ("id", "kind", "rows", "districts")} == {
        "id": "E00004", "kind": "targets", "rows": 5, "districts": ["乙片区", "甲片区"]}
    assert _targets(tiny) == AFTER_TINY_TARGETS


def test_a_targets_only_change_reuses_every_order_rollup(tiny, builds):
    before = _figures(tiny)
    record = load_tiny_targets(tiny)
    tiny.rollback(record["id"])
    assert builds == [[], []]  # no year's order lines read again
    assert _figures(tiny) == before


def test_a_newer_targets_extract_replaces_the_rows_of_its_keys_and_a_rollback_brings_them_back(tiny):
    older = load_tiny_targets(tiny)
    newer = load_tiny_targets(tiny, NEWER_TARGETS, "任务_调整.csv")
    assert _targets(tiny) == [
        (2019, 0, "乙片区", None, 4.0, 3.0, None, 125.0, 87.5),
        (2019, 1, "乙片区", None, 1.0, 1.0, None, 200.0, 50.0),
        (2019, 2, "乙片区", None, 3.0, 2.0, None, 100.0, 100.0),
        (2019, 0, "乙片区", "李娜", 4.0, 3.0, None, None, None),
        # every row of the key comes from the newer extract: its months, their sum, no 一二类/五类/price/rate any more
        (2019, 0, "甲片区", None, 6.0, None, None, None, None),
        (2019, 1, "甲片区", None, 2.5, None, None, None, None),
        (2019, 2, "甲片区", None, 3.5, None, None, None, None),
        (2019, 0, "甲片区", "张伟", 4.0, 2.0, 0.5, 150.0, 60.0),  # a key the newer one does not hold stays
        (2020, 0, "乙片区", None, 9.0, None, None, None, None),
    ]
    preview = tiny.preview(newer["id"], "withdraw")
    assert (preview.kind, preview.removed, preview.orphan_lines) == ("targets", [], 0)
    assert [(m.key, m.before and (m.before["volume_target_cases"], m.before["months"]),
             m.after and (m.after["volume_target_cases"], m.after["class12_target_cases"], m.after["months"]), m.source)
            for m in preview.masters] == [
        ("2019 · 甲片区", (6.0, 2), (4.0, 2.0, 0), older["id"]),
        ("2020 · 乙片区", (9.0, 0), None, None),
    ]
    tiny.rollback(newer["id"])
    assert _targets(tiny) == AFTER_TINY_TARGETS
    assert [m.key for m in tiny.preview(newer["id"], "restore").masters] == ["2019 · 甲片区", "2020 · 乙片区"]
    tiny.restore(newer["id"])
    assert _targets(tiny)[4:7] == [(2019, 0, "甲片区", None, 6.0, None, None, None, None),
                                   (2019, 1, "甲片区", None, 2.5, None, None, None, None),
                                   (2019, 2, "甲片区", None, 3.5, None, None, None, None)]
    tiny.rollback(older["id"])  # the older one's keys the newer one does not hold go; the newer's stay
    assert [(y, m, d, g) for y, m, d, g, *_ in _targets(tiny)] == [
        (2019, 0, "甲片区", None), (2019, 1, "甲片区", None), (2019, 2, "甲片区", None), (2020, 0, "乙片区", None)]


def test_a_refused_targets_load_leaves_the_data_directory_byte_identical(tiny):
    load_tiny_targets(tiny)
    before, rows = _tree(tiny.root), _targets(tiny)
    disagreeing = TINY_TARGETS + "2019,,乙片区,,5,,,,,\n"  # 乙片区's months sum to 4 箱
    result = _load(tiny, "任务_有误.csv", disagreeing)
    assert result.status == "refused"
    assert result.messages("zh") == [
        "任务_有误.csv，第 7 行，列“销量任务(箱)”，值“5”：全年任务 5 箱与第 4, 5 行的各月任务之和 4 箱相差超过 0.5 箱"]
    assert _tree(tiny.root) == before and _targets(tiny) == rows


def test_cli_ingest_of_targets_and_the_dry_run_of_their_withdrawal(tiny, tmp_path):
    path = tmp_path / "任务.csv"
    path.write_bytes(TINY_TARGETS.encode("gbk"))
    out = _cli("ingest", str(path), "--kind", "targets", "--data-dir", str(tiny.root))
    assert (out.returncode, out.stdout, out.stderr) == (0, "E00004 任务.csv: loaded 5 targets rows\n", "")
    dry = _cli("rollback", "E00004", "--dry-run", "--data-dir", str(tiny.root))
    assert dry.returncode == 0
    assert dry.stdout.splitlines() == ["E00004: withdrawing would change",
                                       "  2019 · 乙片区: record removed (no other extract holds it)",
                                       "  2019 · 乙片区 · 李娜: record removed (no other extract holds it)",
                                       "  2019 · 甲片区: record removed (no other extract holds it)",
                                       "  2019 · 甲片区 · 张伟: record removed (no other extract holds it)"]
    assert len(_targets(tiny)) == 6  # a dry run changes nothing
