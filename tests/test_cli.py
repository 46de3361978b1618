"""The command line: summary's error handling, the extract history, rollback and restore."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

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


def test_summary_of_a_manager_as_text_names_them(tiny):
    out = _cli("summary", "--manager", "李娜", "--year", "2019", "--data-dir", str(tiny.root))
    assert out.returncode == 0, out.stderr
    assert "乙片区 · 客户经理 李娜" in out.stdout


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
