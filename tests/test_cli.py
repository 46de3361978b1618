"""The command line: summary's error handling, the extract history, rollback and restore."""
import json
import subprocess
import sys

from .conftest import ROOT


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


def test_extracts_lists_history_oldest_first_one_line_each(tiny):
    out = _cli("extracts", "--data-dir", str(tiny.root))
    lines = out.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines] == ["E00001", "E00002", "E00003"]
    data = json.loads(_cli("extracts", "--json", "--data-dir", str(tiny.root)).stdout)
    assert [d["kind"] for d in data] == ["retailers", "skus", "orders"]
    assert data[2]["period_start"] == "2018-03-05" and data[2]["period_end"] == "2019-05-06"


def test_rollback_and_restore_undo_each_other_with_a_dry_run_first(tiny):
    from analytics.labels import fmt_time

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
    assert (active.returncode, active.stdout, active.stderr) == (2, "", "error: E00003 is already active\n")
    unknown = _cli("restore", "E00042", "--dry-run", "--data-dir", str(tiny.root))
    assert (unknown.returncode, unknown.stderr) == (2, "error: no extract E00042; known: E00001, E00002, E00003\n")
    with tiny.lock():  # another writer holds the data directory
        busy = _cli("rollback", "E00003", "--wait", "0.5", "--data-dir", str(tiny.root))
    assert (busy.returncode, busy.stderr) == (3, f"error: another load holds {tiny.root / '.lock'}\n")
    assert tiny.extracts()[2]["status"] == "active"
