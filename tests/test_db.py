"""Query connections are locked down: the one every page query runs on reads its state's database
read-only and may open no file at all, so it can write nothing — no file, no table, no view, no
setting (issue #10, item 6); raw order lines come from a connection of their own that may read
exactly the extract files of the state. Values are bound and
identifiers come from allow-lists, so no user text reaches SQL; this is the layer beneath that."""
import contextlib
import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from analytics import queries
from analytics.db import connect, connect_lines, connect_store, connect_store_lines
from analytics.filters import Filters
from analytics.state import FORMAT_VERSION, QUERY_DB
from analytics.store import Store

A = Filters(year=2019, compare_year=2018, districts=("甲片区",))


def test_a_query_connection_cannot_read_files_outside_the_data(tiny):
    con = connect_store(tiny)
    with pytest.raises(duckdb.PermissionException):
        con.execute("SELECT * FROM read_csv('/etc/passwd')").fetchall()


def test_a_query_connection_cannot_loosen_its_settings(tiny):
    con = connect_store(tiny)
    for statement in ("SET enable_external_access = true", "SET memory_limit = '64GB'", "SET allowed_directories = ['/']"):
        with pytest.raises(duckdb.Error, match="[Cc]onfiguration"):
            con.execute(statement)


def test_an_empty_data_directory_gives_empty_tables_of_the_same_shape(tiny):
    empty, full = connect(None), connect_store(tiny)
    for table in ("cube", "cube_year", "retailer_year", "month_customers", "retailers", "skus"):
        assert empty.execute(f"SELECT COUNT(*) FROM {table}").fetchone() == (0,)
        assert [c[0] for c in empty.execute(f"DESCRIBE {table}").fetchall()] == \
            [c[0] for c in full.execute(f"DESCRIBE {table}").fetchall()], table
    empty_lines, lines = connect_lines(None), connect_store_lines(tiny)
    assert empty_lines.execute("SELECT COUNT(*) FROM orders").fetchone() == (0,)
    assert [c[0] for c in empty_lines.execute("DESCRIBE orders").fetchall()] == [c[0] for c in lines.execute("DESCRIBE orders").fetchall()]


# --- nothing can be written --------------------------------------------------------------------

def _files(root: Path) -> dict[str, str]:
    """Every file under the data directory with a hash of its bytes."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def _answers(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """A representative set of what the pages ask (the rollups, the to-date twins, masters and the
    drill-down over raw order lines), as JSON so that missing figures compare equal."""
    frames = {
        "breakdown": queries.breakdown(con, A),
        "retailer_table": queries.retailer_table(con, A),
        "top_brands": queries.top_brands(con, A.with_(month_from=1, month_to=3)),
        "pace": queries.pace(con, Filters(year=2019, compare_year=2018)),
    }
    return {"summary": json.dumps(queries.summary(con, A).to_dict(), default=str, sort_keys=True),
            **{name: frame.to_json(date_format="iso") for name, frame in frames.items()}}


def _attempts(tiny, outside: Path) -> list[str]:
    state, extracts = tiny.state_dir(), tiny.extracts_dir
    stored = sorted(p.name for p in extracts.iterdir())
    order_file = next(e["stored_name"] for e in tiny.extracts() if e["kind"] == "orders")
    (outside / "elsewhere.csv").write_text("a\n1\n")
    copies = [f"COPY (SELECT 1 AS a) TO '{extracts / order_file}'",
              f"COPY (SELECT * FROM cube) TO '{extracts / order_file}' (FORMAT parquet)",
              f"COPY cube TO '{extracts / 'new.parquet'}'",
              f"COPY cube TO '{state / 'cube.parquet'}'",
              f"COPY (SELECT * FROM retailers) TO '{state / 'retailers.csv'}'",
              f"COPY cube TO '{outside / 'cube.parquet'}'",
              f"COPY (SELECT 1 AS a) TO '{extracts}' (FORMAT parquet, PARTITION_BY (a), OVERWRITE)"]
    copies += [f"COPY (SELECT 1 AS a) TO '{extracts / n}' (FORMAT csv)" for n in stored]
    return [
        *copies,
        f"ATTACH '{state / 'new.duckdb'}' AS x",
        f"ATTACH '{outside / 'new.duckdb'}' AS x",
        "CREATE TABLE cube2 AS SELECT 1 AS a",
        "CREATE TABLE main.scratch (i INTEGER)",
        "CREATE VIEW v AS SELECT 1 AS a",
        "DROP TABLE cube",
        "DROP TABLE retailers",
        "DROP TABLE ytd_cube",
        "DROP VIEW orders",
        "INSERT INTO cube SELECT * FROM cube",
        "UPDATE retailers SET retailer_name = 'x'",
        "UPDATE skus SET price_class = 1",
        "DELETE FROM cube_year",
        "DELETE FROM ytd_retailer_year",
        "ALTER TABLE cube ADD COLUMN z INTEGER",
        "ALTER TABLE retailers RENAME TO r2",
        "CREATE OR REPLACE VIEW orders AS SELECT * FROM live_orders WHERE false",
        "CREATE OR REPLACE TABLE skus AS SELECT * FROM skus WHERE false",
        f"EXPORT DATABASE '{outside / 'export'}'",
        f"EXPORT DATABASE '{state / 'export'}'",
        "SET memory_limit = '64GB'",
        "RESET memory_limit",
        "RESET enable_external_access",
        "RESET allowed_paths",
        "SET threads = 64",
        "INSTALL httpfs",
        "LOAD httpfs",
        f"LOAD '{outside / 'x.duckdb_extension'}'",
        "SELECT * FROM read_csv('/etc/passwd')",
        f"SELECT * FROM read_csv('{outside / 'elsewhere.csv'}')",
        f"SELECT * FROM read_parquet('{outside / '*.parquet'}')",
        "SELECT * FROM read_text('/etc/hostname')",
        f"SELECT * FROM glob('{outside}/*')",
    ]


def test_a_query_connection_can_write_nothing_and_still_answers_every_query(tiny, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    con = connect_store(tiny)
    before, answers = _files(tiny.root), _answers(con)
    assert json.loads(answers["summary"])["volume_cases"] == 2.0
    succeeded = []
    for statement in _attempts(tiny, outside):
        cur = con.cursor()  # as the pages do: one cursor per statement
        try:
            cur.execute(statement).fetchall()
            succeeded.append(statement)
        except duckdb.Error:
            pass
        finally:
            cur.close()
    assert succeeded == [], '\n'.join(succeeded)
    assert _files(tiny.root) == before  # byte for byte, and no new file
    assert sorted(p.name for p in outside.iterdir()) == ["elsewhere.csv"]
    assert _answers(con) == answers
    assert _answers(connect_store(tiny)) == answers


def test_an_empty_connection_can_write_nothing_either(empty_dir):
    con = connect(None)
    for statement in ("CREATE TABLE x (i INTEGER)", "DROP TABLE cube", "INSERT INTO retailers SELECT * FROM retailers",
                      "CREATE OR REPLACE VIEW orders AS SELECT 1 AS a", f"COPY cube TO '{empty_dir / 'x.parquet'}'",
                      f"ATTACH '{empty_dir / 'x.duckdb'}'", "SET memory_limit = '64GB'"):
        with pytest.raises(duckdb.Error):
            con.execute(statement)
    assert list(empty_dir.iterdir()) == []


def test_a_temporary_object_hides_nothing_from_the_next_query(tiny):
    """Temporary objects are private to the connection or cursor that makes them, and every query
    runs on a cursor of its own: an empty temporary `cube` or `orders` shadows nothing for it."""
    con = connect_store(tiny)
    answers = _answers(con)
    cur = con.cursor()
    for target in (con, cur):
        target.execute("CREATE TEMP TABLE cube AS SELECT * FROM cube WHERE false")
        target.execute("CREATE TEMP VIEW orders AS SELECT 1 AS a WHERE false")
        assert target.execute("SELECT COUNT(*) FROM orders").fetchone() == (0,)  # it is there, privately
    assert _answers(con) == answers


def test_no_extract_can_be_overwritten_through_the_query_connection(tiny):
    # DuckDB may write any file it may read (COPY without its temporary file opens the target
    # itself), so the query connection may read no file at all
    con = connect_store(tiny)
    order_file = tiny.extracts_dir / next(e["stored_name"] for e in tiny.extracts() if e["kind"] == "orders")
    before = order_file.read_bytes()
    with contextlib.suppress(duckdb.Error):
        con.execute(f"COPY (SELECT 1 AS a) TO '{order_file}' (FORMAT csv, USE_TMP_FILE false)")
    assert order_file.read_bytes() == before


def test_the_lines_connection_reads_the_drill_down_and_nothing_outside_its_extracts(tiny, tmp_path):
    """The drill-down's own connection runs one fixed statement with bound values. It may read exactly
    the state's extract files (and so, DuckDB being what it is, could write them: that is why no
    filter-built query ever runs on it); anything else, and any setting, stays out of reach."""
    lines = connect_store_lines(tiny)
    frame = queries.retailer_orders(lines, Filters(), "0420001", 2019)
    assert frame["quantity_cartons"].tolist() == [250, 50]  # 甲便利店's two 2019 lines
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "elsewhere.csv").write_text("a\n1\n")
    for statement in ("SELECT * FROM read_csv('/etc/passwd')", f"SELECT * FROM read_csv('{outside / 'elsewhere.csv'}')",
                      f"COPY (SELECT 1 AS a) TO '{outside / 'x.csv'}'", f"COPY (SELECT 1 AS a) TO '{tiny.state_dir() / 'x.csv'}'",
                      f"ATTACH '{outside / 'x.duckdb'}'", "SET enable_external_access = true", "RESET allowed_paths", "INSTALL httpfs"):
        with pytest.raises(duckdb.Error):
            lines.execute(statement).fetchall()
    assert sorted(p.name for p in outside.iterdir()) == ["elsewhere.csv"]
    assert not (tiny.state_dir() / "x.csv").exists()


# --- where the reader's database comes from ----------------------------------------------------

def _database(con: duckdb.DuckDBPyConnection) -> tuple[str, bool]:
    return con.execute("SELECT path, readonly FROM duckdb_databases() WHERE database_name = current_database()").fetchone()


def test_readers_open_the_database_file_built_with_the_state_read_only(tiny):
    path = tiny.state_dir() / QUERY_DB
    assert _database(connect_store(tiny)) == (str(path), True)
    # two readers of one state in one process share DuckDB's instance; the second is as locked
    first, second = connect_store(tiny), connect_store(tiny)
    first.close()
    with pytest.raises(duckdb.Error):
        second.execute("DROP TABLE cube")
    assert second.execute("SELECT current_setting('lock_configuration')").fetchone() == (True,)
    assert json.loads(_answers(second)["summary"])["volume_cases"] == 2.0


def test_a_state_built_before_the_database_file_gets_a_private_one(tiny):
    answers = _answers(connect_store(tiny))
    # such a state held every rollup as parquet (today only query.duckdb holds the derived ones)
    with duckdb.connect(str(tiny.state_dir() / QUERY_DB), read_only=True) as db:
        for (name,) in db.execute("SELECT table_name FROM duckdb_tables()").fetchall():
            if not (tiny.state_dir() / f"{name}.parquet").exists():
                db.table(name).write_parquet(str(tiny.state_dir() / f"{name}.parquet"))
    (tiny.state_dir() / QUERY_DB).unlink()
    before = _files(tiny.root)
    con = connect_store(tiny)
    path, readonly = _database(con)
    assert readonly and not path.startswith(str(tiny.root))
    assert _answers(con) == answers
    assert _files(tiny.root) == before  # a reader adds nothing to the state


def test_a_moved_data_directory_reads_its_own_extracts(tiny, tmp_path):
    answers = _answers(connect_store(tiny))
    drill = queries.retailer_orders(connect_store_lines(tiny), Filters(), "0420001", 2019)
    moved = tmp_path / "moved"
    shutil.copytree(tiny.root, moved)
    shutil.rmtree(tiny.root)  # nothing may still point at the old paths
    con = connect(Store(moved).state_dir())
    assert _answers(con) == answers
    assert _database(con)[0] == str(Store(moved).state_dir() / QUERY_DB)  # the state's database names no file
    assert queries.retailer_orders(connect_lines(Store(moved).state_dir()), Filters(), "0420001", 2019).equals(drill)


def test_data_loaded_by_an_older_version_is_rebuilt_once_before_it_is_read(tiny, data_env):
    """A state of the previous format (no year_dates, no query database) cannot answer today's
    queries: the app rebuilds it once before its first query, and `make run`'s launcher before serving."""
    from streamlit.testing.v1 import AppTest

    from .conftest import ROOT

    state = tiny.state_dir()
    for name in ("year_dates.parquet", QUERY_DB):
        (state / name).unlink(missing_ok=True)  # year_dates is only in query.duckdb since format 6
    manifest = tiny.manifest() | {"format": 2}
    (tiny.root / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))
    data_env(tiny.root)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.metric[0].value == "4.00 箱"
    assert tiny.manifest()["format"] == FORMAT_VERSION and tiny.state_dir() != state
    assert (tiny.state_dir() / QUERY_DB).is_file()
    assert tiny.upgrade() is False  # once
