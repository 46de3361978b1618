"""The audit log (analytics/audit.py): one JSON line an entry, appended atomically by any number of
processes, never rewritten; read back as the admin's table; the command line records the OS user."""
import json
import subprocess
import sys

import pytest

from analytics import audit
from analytics.access import Scope
from analytics.audit import AUDIT_FILE, os_user, read, record

from .conftest import ROOT


def test_an_entry_is_one_json_line_with_every_field(tmp_path):
    scope = Scope(("城郊片区",), retailer_level=False)
    entry = record(tmp_path / "data", "li.si@example.com", "viewer", "export", "总览.csv", scope, "done", rows=12)
    lines = (tmp_path / "data" / AUDIT_FILE).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and json.loads(lines[0]) == entry
    assert list(entry) == ["time", "identity", "role", "action", "target", "scope", "result", "rows"]
    assert entry["scope"] == {"districts": ["城郊片区"], "managers": "*", "retailer_level": False}
    # a name with a line break stays on its line
    record(tmp_path / "data", "x", "admin", "load", "a\nb.csv", None, "loaded")
    assert len((tmp_path / "data" / AUDIT_FILE).read_bytes().splitlines()) == 2


def test_an_unknown_action_or_a_detail_named_like_a_column_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown audit action 'delete'"):
        record(tmp_path, "x", "admin", "delete", None, None, "done")
    with pytest.raises(ValueError, match="details may not be named like a column"):
        record(tmp_path, "x", "admin", "load", None, None, "done", time="yesterday")
    assert not (tmp_path / AUDIT_FILE).exists()


def test_read_gives_the_newest_first_and_filters(tmp_path):
    record(tmp_path, "Zhang.San@example.com", "manager", "export", "城郊片区.csv", Scope(("城郊片区",)), "done")
    record(tmp_path, "analyst@example.com", "analyst", "load", "E00004", None, "loaded", file="订单.csv")
    record(tmp_path, "li.si@example.com", "viewer", "refused", "retailers.csv", Scope(("城北片区",), retailer_level=False), "refused")
    frame = read(tmp_path)
    assert list(frame.columns) == audit.COLUMNS
    assert list(frame["action"]) == ["refused", "load", "export"]
    assert frame["details"][1] == '{"file": "订单.csv"}' and frame["scope"][1] == "*"
    assert json.loads(frame["scope"][2]) == {"districts": ["城郊片区"], "managers": "*", "retailer_level": True}
    assert list(read(tmp_path, identity="zhang.san@EXAMPLE.com")["target"]) == ["城郊片区.csv"]
    assert list(read(tmp_path, action=["load", "export"])["target"]) == ["E00004", "城郊片区.csv"]
    assert list(read(tmp_path, result="refused")["identity"]) == ["li.si@example.com"]
    assert list(read(tmp_path, text="订单")["target"]) == ["E00004"]
    today = frame["time"][0].tz_convert(None).date()
    assert len(read(tmp_path, since=today, until=today)) == 3  # a date is the whole day
    assert read(tmp_path, until="2000-01-01").empty and read(tmp_path / "none").empty


def test_the_log_is_only_ever_appended_to_and_a_cut_line_is_counted_not_fatal(tmp_path):
    record(tmp_path, "a", "admin", "load", "E00001", None, "loaded")
    before = (tmp_path / AUDIT_FILE).read_bytes()
    with open(tmp_path / AUDIT_FILE, "ab") as fh:  # what a full disk can leave: a line cut short
        fh.write(b'{"time": "2020-01-01T00:00:00+08:00", "ident\n')
    record(tmp_path, "b", "admin", "rollback", "E00001", None, "done")
    after = (tmp_path / AUDIT_FILE).read_bytes()
    assert after.startswith(before)
    frame = read(tmp_path)
    assert list(frame["identity"]) == ["b", "a"] and frame.attrs["unreadable"] == 1


WRITERS, ENTRIES = 4, 100


def _append(data_dir: str, writer: int) -> None:
    # entries larger than a pipe's atomic size (4 KiB), so interleaving would show if writes were split
    for i in range(ENTRIES):
        record(data_dir, f"writer{writer}", "analyst", "export", f"{writer}:{i}", None, "done", padding="x" * 6000)


def test_concurrent_writers_lose_no_entry_and_never_interleave(tmp_path):
    # separate interpreters, as separate servers and CLIs would be: plain subprocesses, not
    # multiprocessing's spawn, which re-imports whatever __main__ an earlier AppTest left behind
    code = "import sys; from tests.test_audit import _append; _append(sys.argv[1], int(sys.argv[2]))"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path), str(w)], cwd=ROOT) for w in range(WRITERS)]
    for p in procs:
        assert p.wait(120) == 0
    lines = (tmp_path / AUDIT_FILE).read_bytes().splitlines()
    assert len(lines) == WRITERS * ENTRIES
    targets = [json.loads(line)["target"] for line in lines]  # every line parses
    assert sorted(targets) == sorted(f"{w}:{i}" for w in range(WRITERS) for i in range(ENTRIES))
    # each writer's entries stay in its own order
    for w in range(WRITERS):
        assert [t for t in targets if t.startswith(f"{w}:")] == [f"{w}:{i}" for i in range(ENTRIES)]
    assert read(tmp_path).attrs["unreadable"] == 0


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", *args], cwd=ROOT, capture_output=True, text=True)


def test_the_command_line_records_its_changes_under_the_os_user(tiny):
    record_before = read(tiny.root)
    assert record_before.empty  # loading the fixture went through the store, not the command line
    assert _cli("rollback", "E00003", "--quiet", "--data-dir", str(tiny.root)).returncode == 0
    assert _cli("rollback", "E00003", "--quiet", "--data-dir", str(tiny.root)).returncode == 2  # already withdrawn
    assert _cli("restore", "E00003", "--dry-run", "--data-dir", str(tiny.root)).returncode == 0  # a dry run is no change
    frame = read(tiny.root)
    assert list(zip(frame["action"], frame["target"], frame["result"], strict=True)) == [
        ("rollback", "E00003", "refused"), ("rollback", "E00003", "done")]
    assert set(frame["identity"]) == {os_user()} and frame["role"].isna().all()
    assert json.loads(frame["details"][0]) == {"via": "cli", "reason": "err_already_withdrawn"}
    assert tiny.extracts()[2]["withdrawn_by"] == os_user()  # the manifest names the same person


def test_a_refused_and_a_repeated_load_from_the_command_line_are_recorded(tiny, tmp_path):
    from .conftest import TINY_ORDERS

    bad = tmp_path / "坏订单.csv"
    bad.write_text(TINY_ORDERS.replace("2019-01-07", "2019-13-45"), encoding="utf-8")
    same = tmp_path / "订单.csv"
    same.write_bytes(TINY_ORDERS.encode("gbk"))
    assert _cli("ingest", str(bad), "--quiet", "--data-dir", str(tiny.root)).returncode == 1
    assert _cli("ingest", str(same), "--quiet", "--data-dir", str(tiny.root)).returncode == 0
    frame = read(tiny.root)
    assert list(zip(frame["action"], frame["target"], frame["result"], strict=True)) == [
        ("load", "订单.csv", "duplicate"), ("load_refused", "坏订单.csv", "refused")]
