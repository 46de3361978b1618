"""The command line: summary's error handling, the extract history, rollback and restore."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from analytics.cli import _clean

from .conftest import ROOT, TINY_ORDERS, load_tiny
from .disk import fill, read_only, tmpfs


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", *args], cwd=ROOT, capture_output=True, text=True)


def test_summary_for_an_unknown_district_names_the_choices_and_exits_2(tiny):
    out = _cli("summary", "--district", "丙片区", "--year", "2019", "--json", "--data-dir", str(tiny.root))
    assert out.returncode == 2
    assert out.stderr.strip() == "error: unknown district '丙片区'; choose one of: all, 乙片区, 甲片区"
    assert out.stdout == ""


def test_summary_for_an_unknown_year_names_the_choices_and_exits_2(tiny):
    out = _cli("summary", "--district", "all", "--year", "2030", "--json", "--data-dir", str(tiny.root))
    assert out.returncode == 2
    assert out.stderr.strip() == "error: no data for year 2030; choose one of: 2018, 2019"


def test_summary_all_prints_one_json_object(tiny):
    out = _cli("summary", "--district", "all", "--year", "2019", "--json", "--data-dir", str(tiny.root))
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["volume_cases"] == 4.0
    assert data["class_cases"]["1"] == 3.0


def test_summary_of_a_manager_has_the_district_summarys_keys_over_their_retailers(tiny):
    """甲片区 is all 张伟's: his summary is the district's figures, with the same keys and his name."""
    district = json.loads(_cli("summary", "--district", "甲片区", "--year", "2019", "--json", "--data-dir", str(tiny.root)).stdout)
    out = _cli("summary", "--manager", "张伟", "--year", "2019", "--json", "--data-dir", str(tiny.root))
    assert out.returncode == 0, out.stderr
    mine = json.loads(out.stdout)
    assert list(mine) == [*district, "manager"]
    assert {k: v for k, v in mine.items() if k != "manager"} == district
    assert (mine["district"], mine["manager"], mine["volume_cases"], mine["customers"], mine["online_rate_pct"]) == (
        "甲片区", "张伟", 2.0, 2, 50.0)


def test_summary_of_a_manager_in_two_districts_needs_the_district(twin):
    out = _cli("summary", "--manager", "张伟", "--year", "2019", "--json", "--data-dir", str(twin.root))
    assert (out.returncode, out.stdout) == (2, "")
    assert out.stderr.strip() == ("error: customer manager '张伟' serves more than one district (乙片区, 甲片区); "
                                  "choose one with --district")
    yi = json.loads(_cli("summary", "--manager", "张伟", "--district", "乙片区", "--year", "2019", "--json",
                         "--data-dir", str(twin.root)).stdout)
    assert (yi["district"], yi["volume_cases"], yi["customers"], yi["online_customers"]) == ("乙片区", 0.4, 1, 1)
    both = json.loads(_cli("summary", "--manager", "张伟", "--district", "all", "--year", "2019", "--json",
                           "--data-dir", str(twin.root)).stdout)
    assert (both["district"], both["volume_cases"], both["customers"]) == ("乙片区、甲片区", 2.4, 3)


def test_summary_of_an_unknown_manager_or_one_in_another_district_exits_2(twin):
    out = _cli("summary", "--manager", "王五", "--year", "2019", "--json", "--data-dir", str(twin.root))
    assert (out.returncode, out.stderr.strip()) == (2, "error: unknown customer manager '王五'; the data's managers: 张伟, 李娜")
    out = _cli("summary", "--manager", "李娜", "--district", "甲片区", "--year", "2019", "--data-dir", str(twin.root))
    assert (out.returncode, out.stderr.strip()) == (
        2, "error: customer manager '李娜' has no retailers in district '甲片区'; their districts: 乙片区")
    out = _cli("summary", "--year", "2019", "--data-dir", str(twin.root))
    assert out.returncode == 2 and "--manager" in out.stderr


def test_summary_of_a_manager_as_text_names_their_customers_as_the_page_does(tiny):
    out = _cli("summary", "--manager", "李娜", "--year", "2019", "--data-dir", str(tiny.root))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("2019年1月1日至5月6日，乙片区客户经理李娜的客户共销售卷烟2.00箱，无上年同期数据可比。")
    out = _cli("summary", "--manager", "李娜", "--year", "2019", "--lang", "en", "--data-dir", str(tiny.root))
    assert out.stdout.startswith("From 1 January to 6 May 2019, the customers of 李娜 (乙片区) bought 2.00 cases, "
                                 "with no previous year to compare.")


def test_extracts_lists_history_oldest_first_one_line_each(tiny):
    out = _cli("extracts", "--data-dir", str(tiny.root))
    lines = out.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines] == ["E00001", "E00002", "E00003"]
    data = json.loads(_cli("extracts", "--json", "--data-dir", str(tiny.root)).stdout)
    assert [d["kind"] for d in data] == ["retailers", "skus", "orders"]
    assert data[2]["period_start"] == "2018-03-05" and data[2]["period_end"] == "2019-05-06"


def test_rollback_and_restore_undo_each_other_with_a_dry_run_first(tiny):
    from analytics.formats import fmt_time

    loaded = fmt_time(tiny.extracts()[2]["loaded_at"])
    dry = _cli("rollback", "E00003", "--dry-run", "--data-dir", str(tiny.root))
    assert (dry.returncode, dry.stdout.splitlines()) == (0, [
        "E00003: withdrawing would change",
        f"  remove 1 lines (2.00 cases) of 乙片区 from 2019-05-06 to 2019-05-06: E00003 loaded {loaded}",
        f"  remove 5 lines (3.00 cases) of 甲片区 from 2018-03-05 to 2019-03-04: E00003 loaded {loaded}",
    ]), dry.stderr
    assert tiny.extracts()[2]["status"] == "active"  # a dry run changes nothing
    assert _cli("rollback", "E00003", "--quiet", "--data-dir", str(tiny.root)).stdout == "E00003 withdrawn (订单.csv)\n"
    out = _cli("restore", "E00003", "--quiet", "--data-dir", str(tiny.root))
    assert (out.returncode, out.stdout, out.stderr) == (0, "E00003 restored (订单.csv)\n", "")
    record = tiny.extracts()[2]
    assert record["status"] == "active" and record["restored_by"] and record["restored_at"] >= record["withdrawn_at"]
    data = json.loads(_cli("summary", "--district", "all", "--year", "2019", "--json", "--data-dir", str(tiny.root)).stdout)
    assert data["volume_cases"] == 4.0  # every figure back


def test_restore_refusals_are_one_line_on_stderr_never_a_traceback(tiny):
    active = _cli("restore", "E00003", "--data-dir", str(tiny.root))
    assert (active.returncode, active.stdout, active.stderr) == (2, "", "error: E00003 已经生效（可能刚被其他人恢复），数据没有改动。\n")
    unknown = _cli("restore", "E00042", "--dry-run", "--data-dir", str(tiny.root), "--lang", "en")
    assert (unknown.returncode, unknown.stderr) == (2, "error: There is no load E00042 (known: E00001, E00002, E00003).\n")
    with tiny.lock():  # another writer holds the data directory
        busy = _cli("rollback", "E00003", "--wait", "0.5", "--data-dir", str(tiny.root))
    assert (busy.returncode, busy.stderr) == (3, "error: 另一项导入或撤销正在进行，数据没有改动，请稍后再试。\n")
    assert tiny.extracts()[2]["status"] == "active"


@pytest.fixture
def small_disk(tmp_path: Path):
    with tmpfs(tmp_path / "disk") as disk:
        yield disk


def test_a_full_or_read_only_disk_is_one_line_in_the_chosen_language_never_a_traceback(small_disk, tmp_path):
    store = load_tiny(small_disk / "data")
    src = tmp_path / "订单(重新导出).csv"
    src.write_bytes(TINY_ORDERS.replace("500,100000", "501,100200").encode("gbk"))
    fill(small_disk, 1_500_000)
    full = _cli("ingest", str(src), "--quiet", "--data-dir", str(store.root))
    assert full.returncode == 4 and full.stdout == ""
    assert len(full.stderr.splitlines()) == 1 and full.stderr.startswith("error: 磁盘空间不足：本次操作需要约 ")
    assert "，当前仅 1.5 MB。数据没有改动" in full.stderr and str(small_disk) not in full.stderr
    en = _cli("rollback", "E00003", "--quiet", "--lang", "en", "--data-dir", str(store.root))
    assert (en.returncode, en.stderr.split(" this needs")[0]) == (4, "error: Not enough disk space:")
    (small_disk / "filler").unlink()
    read_only(small_disk)
    for args in (("ingest", str(src)), ("rollback", "E00003"), ("rebuild",)):
        out = _cli(*args, "--quiet", "--lang", "en", "--data-dir", str(store.root))
        assert (out.returncode, out.stderr) == (4, "error: Cannot write to the data directory (no permission, or a read-only disk). "
                                                    "Nothing changed; ask the administrator to check the data directory's permissions.\n")
    assert [e["status"] for e in store.extracts()] == ["active"] * 3


def test_rebuild_with_an_extract_file_missing_names_the_load(tiny):
    (tiny.extracts_dir / "E00002.parquet").unlink()
    out = _cli("rebuild", "--data-dir", str(tiny.root))
    assert (out.returncode, out.stdout) == (4, "")
    assert out.stderr == ("error: 导入 E00002 的存储文件缺失，无法更新数据，数据没有改动。"
                          "请管理员从备份恢复数据目录，或撤销 E00002 后重新导入原文件。\n")


def test_purge_removes_a_withdrawn_file_once_no_kept_state_reads_it_and_restore_then_says_so(tiny):
    from analytics.formats import fmt_time

    assert _cli("rollback", "E00003", "--quiet", "--data-dir", str(tiny.root)).returncode == 0
    withdrawn = fmt_time(tiny.extracts()[2]["withdrawn_at"])
    recent = _cli("purge", "--older-than", "0", "--data-dir", str(tiny.root))
    assert recent.stdout.splitlines() == [
        f"E00003  withdrawn {withdrawn}  订单.csv: kept: a recent state still reads it (purge again after two more changes)",
        "purged 0 extract(s), 0 B"]
    assert _cli("purge", "--older-than", "90", "--data-dir", str(tiny.root)).stdout == \
        "nothing to purge: no extract was withdrawn more than 90 days ago\n"
    for _ in range(2):
        assert _cli("rebuild", "--quiet", "--data-dir", str(tiny.root)).returncode == 0
    size = (tiny.extracts_dir / "E00003.parquet").stat().st_size
    dry = _cli("purge", "--older-than", "0", "--dry-run", "--data-dir", str(tiny.root))
    assert dry.stdout.splitlines()[-1] == "would purge 1 extract(s), " + (f"{size / 1000:.1f} KB" if size >= 1000 else f"{size} B") \
        + " (dry run: nothing changed)"
    assert (tiny.extracts_dir / "E00003.parquet").exists()
    done = _cli("purge", "--older-than", "0", "--data-dir", str(tiny.root))
    assert (done.returncode, done.stdout.splitlines()[0].split(": ")[-1].split(" (")[0]) == (0, "purged")
    assert not (tiny.extracts_dir / "E00003.parquet").exists()
    assert _cli("extracts", "--data-dir", str(tiny.root)).stdout.splitlines()[2].split()[:2] == ["E00003", "purged"]
    again = _cli("restore", "E00003", "--lang", "en", "--data-dir", str(tiny.root))
    day = tiny.extracts()[2]["purged_at"][:10]
    assert (again.returncode, again.stderr) == (
        2, f"error: The file of E00003 was purged on {day} under the retention rule, so it cannot be restored; "
           "load the original file again if you still need it.\n")


# --- #13 progress against targets ---

def _progress(*args: str, capsys) -> tuple[int, str, str]:
    from analytics.cli import main

    code = main(["progress", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_progress_json_has_the_figures_of_the_page(tiny, capsys):
    from analytics.db import connect_store
    from analytics.filters import Filters
    from analytics.progress import progress

    from .conftest import load_tiny_targets
    from .test_progress import TARGETS

    load_tiny_targets(tiny, TARGETS)
    code, out, _ = _progress("--district", "甲片区", "--year", "2019", "--json", "--data-dir", str(tiny.root), capsys=capsys)
    assert code == 0
    data = json.loads(out)
    assert (data["year"], data["as_of"], round(data["time_progress_pct"], 2)) == (2019, "2019-05-06", 34.52)
    assert (data["volume_target_cases"], data["volume_cases"], data["completion_pct"], round(data["gap_pp"], 2)) == (8.0, 2.0, 25.0, -9.52)
    assert data["class12"] == {"target": 4.0, "actual": 1.0, "completion_pct": 25.0, "gap_pp": pytest.approx(25 - 126 / 365 * 100),
                               "pace_target": None, "pace_completion_pct": None}
    assert (data["avg_price"]["actual"], data["avg_price"]["gap"]) == (pytest.approx(121.0), pytest.approx(-9.0))
    assert data["district"] == "甲片区"
    # the same figures as the query the overview and district pages read (to six decimals)
    page = progress(connect_store(tiny), Filters(year=2019, districts=("甲片区",))).to_json()
    assert {k: v for k, v in data.items() if k != "district"} == _clean(page)
    company = json.loads(_progress("--district", "all", "--year", "2019", "--json", "--data-dir", str(tiny.root), capsys=capsys)[1])
    # 8 + 9.31 is 17.310000000000002 in binary: printed as the figure it is
    assert (company["volume_target_cases"], company["volume_cases"]) == (17.31, 4.0)
    assert company == {**_clean(progress(connect_store(tiny), Filters(year=2019)).to_json()), "district": "all"}
    assert company["time_progress_pct"] == 34.520548  # 126/365, six decimals


def test_progress_month_reads_through_the_end_of_that_month_as_the_page_does(tiny, capsys):
    from analytics.db import connect_store
    from analytics.filters import Filters
    from analytics.progress import progress

    from .conftest import load_tiny_targets
    from .test_progress import TARGETS

    load_tiny_targets(tiny, TARGETS)
    code, out, _ = _progress("--district", "甲片区", "--year", "2019", "--month", "3", "--json", "--data-dir", str(tiny.root),
                             capsys=capsys)
    data = json.loads(out)
    # 31 March: 90/365 = 24.66%; 甲片区's January–March 2 箱 of 8
    assert (code, data["as_of"], data["time_progress_pct"]) == (0, "2019-03-31", 24.657534)
    assert (data["volume_cases"], data["completion_pct"], data["gap_pp"]) == (2.0, 25.0, 0.342466)
    page = progress(connect_store(tiny), Filters(year=2019, districts=("甲片区",), month_from=1, month_to=3)).to_json()
    assert {k: v for k, v in data.items() if k != "district"} == _clean(page)
    code, out, _ = _progress("--district", "乙片区", "--year", "2019", "--month", "3", "--data-dir", str(tiny.root), capsys=capsys)
    assert out.strip() == "截至3月31日，时间进度24.66%，销量完成年度任务的0.00%，落后时间进度24.66个百分点。"
    code, out, err = _progress("--district", "all", "--year", "2019", "--month", "13", "--data-dir", str(tiny.root), capsys=capsys)
    assert (code, out, err.strip()) == (2, "", "error: --month must be 1 to 12, not 13")


def test_progress_without_targets_for_the_year_exits_2_and_says_so(tiny, capsys):
    code, out, err = _progress("--district", "all", "--year", "2019", "--json", "--data-dir", str(tiny.root), capsys=capsys)
    assert (code, out) == (2, "")
    assert err.strip() == ("error: no targets for 2019 are loaded for the company; load a targets extract first "
                           "(python -m analytics ingest FILE, or the Data page)")
    code, _, err = _progress("--district", "甲片区", "--year", "2019", "--data-dir", str(tiny.root), capsys=capsys)
    assert code == 2 and "no targets for 2019 are loaded for district 甲片区;" in err
    code, _, err = _progress("--manager", "张伟", "--year", "2019", "--data-dir", str(tiny.root), capsys=capsys)
    assert code == 2 and "no targets for 2019 are loaded for customer manager 张伟 (甲片区);" in err


def test_progress_of_a_manager_in_two_districts(twin, capsys):
    from .conftest import load_tiny_targets

    # 张伟 serves 甲片区 (2 箱 in 2019) and 乙片区 (0420004: 100 条 = 0.4 箱); a target in each
    load_tiny_targets(twin, "年度,月份,片区,客户经理,销量任务(箱)\n2019,,甲片区,张伟,10\n2019,,乙片区,张伟,1.6\n2019,,乙片区,李娜,4\n")
    root = str(twin.root)
    code, _, err = _progress("--manager", "张伟", "--year", "2019", "--json", "--data-dir", root, capsys=capsys)
    assert code == 2 and "serves more than one district (乙片区, 甲片区)" in err
    yi = json.loads(_progress("--manager", "张伟", "--district", "乙片区", "--year", "2019", "--json", "--data-dir", root,
                              capsys=capsys)[1])
    assert (yi["volume_target_cases"], yi["volume_cases"], yi["completion_pct"]) == (1.6, 0.4, 25.0)
    both = json.loads(_progress("--manager", "张伟", "--district", "all", "--year", "2019", "--json", "--data-dir", root,
                                capsys=capsys)[1])
    assert (both["volume_target_cases"], both["volume_cases"]) == (pytest.approx(11.6), 2.4)
    assert both["completion_pct"] == pytest.approx(2.4 / 11.6 * 100)
    assert (both["district"], both["manager"]) == ("乙片区、甲片区", "张伟")
    # the district 乙片区 has no row of its own: its target is its managers' rows, 1.6 + 4
    district = json.loads(_progress("--district", "乙片区", "--year", "2019", "--json", "--data-dir", root, capsys=capsys)[1])
    assert (district["volume_target_cases"], district["volume_cases"]) == (pytest.approx(5.6), 2.4)


def test_progress_prints_the_sentence(tiny, capsys):
    from .conftest import load_tiny_targets
    from .test_progress import TARGETS

    load_tiny_targets(tiny, TARGETS)
    code, out, _ = _progress("--district", "乙片区", "--year", "2019", "--data-dir", str(tiny.root), capsys=capsys)
    assert (code, out.strip()) == (0, "截至5月6日，时间进度34.52%，销量完成年度任务的21.48%，落后时间进度13.04个百分点。")


# --- #14 visits ---

def test_visits_prints_the_week_to_plan_as_a_draft_and_keeps_it_only_when_issued(tmp_path):
    from analytics import visits

    from .test_visits import load_city

    root = load_city(tmp_path / "data").root
    out = _cli("visits", "--manager", "张伟", "--json", "--data-dir", str(root))
    assert out.returncode == 0, out.stderr
    draft = json.loads(out.stdout)
    # the data end on Wednesday 2019-02-06: the week to plan is 2019-W07, read to the data end
    assert (draft["week"], draft["district"], draft["manager"], draft["as_of"], draft["issued"]) == (
        "2019-W07", "甲片区", "张伟", "2019-02-06", False)
    # tests/test_visits.py::test_suspects_come_first_with_their_evidence_and_other_reasons
    assert [(r["rank"], r["reason"], r["retailer_id"]) for r in draft["rows"]] == [
        (1, "suspect", "0420001"), (2, "suspect", "0420002"), (3, "not_online", "0420003"), (4, "low_tier_decline", "0420004")]
    assert draft["rows"][0]["evidence"] == 2.0 and draft["rows"][0]["also"] == ["decliner", "not_online"]
    assert draft["rows"][2]["cases"] == 1.2 and draft["suspect_days"] == ["2018-01-01", "2018-12-31"]
    assert visits.issued_weeks(root, "甲片区", "张伟") == []
    issued = _cli("visits", "--manager", "张伟", "--week", "2019-W07", "--issue", "--data-dir", str(root))
    assert issued.returncode == 0, issued.stderr
    lines = issued.stdout.splitlines()
    assert lines[0] == "周拜访名单 · 甲片区 · 张伟 · 2019-W07"
    assert lines[1] == "数据截至 2019-02-06（数据的最后一天，早于该周前的周日 2019-02-10）"
    assert ("  1. 周一 02-11 甲便利店 (0420001): 代订货线索评分 2.00：【销量突变】自 4 月起月均销量由 0.60 箱变为 0.04 箱，并持续。"
            " [其他理由: 销量大幅下滑、尚未网上订货]") in lines
    # nobody signs in on the command line: issued on this computer, not by the OS user
    assert [line for line in lines if line.startswith("已于 ")][0].endswith("在本机下发（未启用登录）：打印和下载的是这份保存的名单")
    assert visits.load(root, "甲片区", "张伟", "2019-W07").issued_by is None
    assert visits.issued_weeks(root, "甲片区", "张伟") == ["2019-W07"]
    # a week gone by is a draft to look back on, never issued
    past = _cli("visits", "--manager", "张伟", "--week", "2019-W05", "--issue", "--data-dir", str(root))
    assert past.returncode == 2 and "week 2019-W05 has gone by" in past.stderr and "2019-W07" in past.stderr
    assert visits.issued_weeks(root, "甲片区", "张伟") == ["2019-W07"]
    # the kept list is what the command prints for that week from now on
    again = json.loads(_cli("visits", "--manager", "张伟", "--week", "2019-W07", "--json", "--data-dir", str(root)).stdout)
    assert again["issued"] and again["rows"] == draft["rows"]


def test_visits_names_an_unknown_or_ambiguous_manager_and_a_bad_week_and_exits_2(twin):
    out = _cli("visits", "--manager", "王五", "--week", "2019-W20", "--data-dir", str(twin.root))
    assert (out.returncode, out.stderr.strip()) == (2, "error: unknown customer manager '王五'; the data's managers: 张伟, 李娜")
    out = _cli("visits", "--manager", "张伟", "--week", "2019-W20", "--data-dir", str(twin.root))
    assert (out.returncode, out.stderr.strip()) == (2, "error: customer manager '张伟' serves more than one district (乙片区, 甲片区); "
                                                       "choose one with --district")
    out = _cli("visits", "--manager", "张伟", "--district", "乙片区", "--week", "2019-W53", "--data-dir", str(twin.root))
    assert (out.returncode, out.stderr.strip()) == (2, "error: week '2019-W53': expected an ISO week YYYY-Www that exists, e.g. 2020-W02")
    out = _cli("visits", "--manager", "张伟", "--district", "乙片区", "--week", "2017-W01", "--data-dir", str(twin.root))
    assert (out.returncode, out.stderr.strip()) == (2, "error: no data before week 2017-W01 for customer manager 张伟 (乙片区); "
                                                       "the data run to 2019-05-06")
    ok = _cli("visits", "--manager", "张伟", "--district", "乙片区", "--week", "2019-W20", "--json", "--data-dir", str(twin.root))
    assert ok.returncode == 0 and json.loads(ok.stdout)["district"] == "乙片区"


# --- #14 suspects ---

def _suspects(*args: str, capsys) -> tuple[int, str, str]:
    from analytics.cli import main

    code = main(["suspects", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


# --- #14 brands ---

def _brand(*args: str, capsys) -> tuple[int, str, str]:
    from analytics.cli import main

    code = main(["brand", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def suspect_city(tmp_path):
    from .test_suspects import SUSPECT_RETAILERS, suspect_orders

    return load_tiny(tmp_path / "suspects", SUSPECT_RETAILERS, suspect_orders())


def test_suspects_json_is_the_list_by_score_with_partners(suspect_city, capsys):
    """The suspect city of tests/test_suspects.py: S1 and S2 a pair, S4 paired with S1, G5 far above its peers."""
    root = str(suspect_city.root)
    code, out, err = _suspects("--district", "东片区", "--year", "2020", "--json", "--data-dir", root, capsys=capsys)
    assert (code, err) == (0, "")
    rows = json.loads(out)
    assert [(r["retailer_id"], r["partner_retailer_id"]) for r in rows] == [("S1", "S2"), ("S2", "S1"), ("S4", "S1"), ("G5", None),
                                                                              ("S3", None)]
    assert rows[0]["reasons"] == ["level_shift", "paired_shift", "swing"] and rows[0]["score"] == 6.6389  # 1.5 + 4.5 + 0.6389
    assert (rows[3]["retailer_name"], rows[3]["score"], rows[3]["reasons"]) == ("五号食杂店", 6.0, ["volume_high", "mix_high"])
    assert rows[0]["peer_count"] is None and rows[3]["peer_count"] == 5  # no peer group of 5 for S1
    assert rows[0]["reason_text"].startswith("【销量突变】自 5 月起")
    # G5's leads are its volume and mix: no step's figures; its segment in words, as its business format
    assert [rows[3][c] for c in ("shift_month", "shift_before_cases", "shift_after_cases", "shift_change_cases")] == [None] * 4
    assert (rows[3]["area_type"], rows[3]["business_format"], rows[0]["area_type"]) == ("农网", "食杂店", "城网")
    limited = json.loads(_suspects("--district", "东片区", "--year", "2020", "--limit", "2", "--json", "--data-dir", root,
                                   capsys=capsys)[1])
    assert [r["retailer_id"] for r in limited] == ["S1", "S2"]
    # a manager's retailers, partners still found among the district's
    mine = json.loads(_suspects("--manager", "李强", "--year", "2020", "--json", "--data-dir", root, capsys=capsys)[1])
    assert [(r["retailer_id"], r["partner_retailer_id"]) for r in mine] == [("S4", "S1")]


def test_suspects_without_a_scope_or_data_exits_2_naming_it(suspect_city, capsys):
    root = str(suspect_city.root)
    code, out, err = _suspects("--district", "西片区", "--year", "2020", "--json", "--data-dir", root, capsys=capsys)
    assert (code, out, err.strip()) == (2, "", "error: unknown district '西片区'; choose one of: all, 东片区")
    code, _, err = _suspects("--district", "东片区", "--year", "2019", "--json", "--data-dir", root, capsys=capsys)
    assert (code, err.strip()) == (2, "error: no data for year 2019; choose one of: 2020")
    code, _, err = _suspects("--manager", "张三", "--year", "2020", "--data-dir", root, capsys=capsys)
    assert code == 2 and "张三" in err


def test_suspects_as_text_say_they_are_leads(suspect_city, capsys):
    code, out, _ = _suspects("--district", "东片区", "--year", "2020", "--limit", "1", "--data-dir", str(suspect_city.root), capsys=capsys)
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("以下均为需要走访核实的线索，不是结论")
    assert lines[1] == "  1. S1 甲便利店 (王芳) 6.64 销量突变、此消彼长、销量波动大 ↔ S2 乙便利店"


def test_brand_json_has_the_monthly_coverage_and_repeat_of_the_definitions(brand_city, capsys):
    # the brand city's 一号 (tests/test_brands.py works each figure out by hand)
    code, out, err = _brand("--name", "一号", "--year", "2019", "--json", "--data-dir", str(brand_city.root), capsys=capsys)
    assert code == 0, err
    data = json.loads(out)
    assert (data["name"], data["level"], data["year"], data["compare_year"], data["district"]) == ("一号", "brand", 2019, 2018, "all")
    months = {m["month"]: m for m in data["months"]}
    assert sorted(months) == [1, 2, 3, 4, 5]  # through the data end (2019-05-06), no empty future months
    assert [(months[m]["retailers"], months[m]["coverage_pct"], months[m]["repeat_pct"], months[m]["cases"]) for m in (1, 2, 3)] == [
        (2, 50.0, 0.0, 0.5), (2, 50.0, 50.0, 0.9), (1, 25.0, 0.0, 0.5)]
    assert months[3]["cum_coverage_pct"] == 75.0 and months[3]["cum_repeat_pct"] == 66.666667
    assert months[4]["repeat_pct"] is None  # nobody ordered it: no rate, never 0
    assert (data["totals"]["coverage_pct"], data["totals"]["coverage_pct_prev"], data["totals"]["coverage_change_pp"]) == (75.0, 50.0, 25.0)


def test_brand_of_a_manager_and_a_specification(brand_city, capsys):
    code, out, _ = _brand("--name", "七号(细支)", "--level", "sku", "--manager", "王芳", "--year", "2019", "--json",
                          "--data-dir", str(brand_city.root), capsys=capsys)
    assert code == 0
    data = json.loads(out)
    assert (data["district"], data["manager"], data["totals"]["customers"], data["totals"]["retailers"]) == ("甲片区", "王芳", 1, 1)
    assert data["totals"]["repeat_pct"] == 100.0  # weeks 13 and 14


def test_brand_unknown_name_exits_2_naming_it_with_candidates(brand_city, capsys):
    code, out, err = _brand("--name", "七号", "--level", "sku", "--year", "2019", "--data-dir", str(brand_city.root), capsys=capsys)
    assert code == 2 and out == ""
    assert err.strip() == "error: unknown specification (--level sku) '七号'; did you mean: 七号(细支)"
    code, _, err = _brand("--name", "九号", "--district", "甲片区", "--year", "2019", "--data-dir", str(brand_city.root), capsys=capsys)
    assert code == 2 and err.startswith("error: unknown brand '九号'")
    code, _, err = _brand("--name", "一号", "--district", "丙片区", "--year", "2019", "--data-dir", str(brand_city.root), capsys=capsys)
    assert code == 2 and err.strip() == "error: unknown district '丙片区'; choose one of: all, 乙片区, 甲片区"


def test_brand_prints_a_line_per_month(brand_city, capsys):
    code, out, _ = _brand("--name", "一号", "--district", "乙片区", "--year", "2019", "--data-dir", str(brand_city.root), capsys=capsys)
    assert code == 0
    # the count of retailers who ordered it is the coverage's (重购率's denominator is those retailers, not the customers)
    assert out.splitlines()[0] == "一号 · 2019 · 乙片区: 铺货率 100.00% (1 / 1 户订购), 重购率 100.00%, 动销 0.80 箱"
    assert out.splitlines()[2].split() == ["2", "铺货率", "100.00%", "(累计", "100.00%)", "重购率", "100.00%", "(累计", "100.00%)",
                                           "0.80", "箱"]
    code, out, _ = _brand("--name", "一号", "--year", "2019", "--lang", "en", "--data-dir", str(brand_city.root), capsys=capsys)
    assert out.splitlines()[1].split()[:4] == ["1", "Coverage", "50.00%", "(cumulative"]
    code, out, _ = _brand("--name", "七号(细支)", "--level", "sku", "--district", "乙片区", "--year", "2019", "--data-dir",
                          str(brand_city.root), capsys=capsys)
    assert out.splitlines()[0] == "七号(细支) · 2019 · 乙片区: 铺货率 0.00% (0 / 1 户订购), 重购率 —, 动销 0.00 箱"
