"""The command line: summary's error handling and the extract history."""
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
