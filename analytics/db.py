"""Read-only query connections over one state of the data directory.

A reader's connection can write nothing: the tables and views it queries live in a DuckDB file of
the state (`query.duckdb`, written once when the state is built) opened READ_ONLY, so no table or
view can be created, dropped or changed; it may open no other file at all; extensions never load;
the configuration is locked.

Raw order lines (the drill-down to one retailer) are read through a second, separate connection
(`connect_lines`): DuckDB may write any file it may read, so the extract files are reachable only
from a connection that runs one fixed statement with bound values, never from the one every
filter-built query runs on.
"""
from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from .rollups import CUT_MONTH_SKUS, CUT_STORED, ROLLUPS, as_of_cut, create_cut_sku_view, create_rollups
from .schema import empty_sql
from .state import create_live_orders

if TYPE_CHECKING:  # the store imports the state build, which imports this module
    from .store import Store

#: the reader's database file inside a state directory
QUERY_DB = "query.duckdb"
_TABLES = (*ROLLUPS, "retailers", "skus")
#: connect() sets up an instance once; two connect() of one file in a process share that instance
_setup = threading.Lock()


def _extracts_dir(state_dir: Path) -> Path:
    return state_dir.parent.parent / "extracts"  # data/state/<gen> -> data/extracts


def build_query_db(state_dir: Path | None, target: Path) -> None:
    """Write every rollup and master of `state_dir` (or empty ones, for None) into the new DuckDB
    file `target` as tables, with the to-date view `ytd_sku_cube`. The state's build calls this.
    It names no file: readers of it need no file access (raw lines: connect_lines)."""
    con = duckdb.connect(str(target), config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    try:
        con.execute("SET enable_progress_bar = false")  # it would print into the CLI's output
        # two transactions, not one per statement: each commit to a database file is a WAL flush
        con.execute("BEGIN")
        if state_dir is not None and (state_dir / "order_sources.parquet").exists():
            for name in _TABLES:
                con.execute(f"CREATE TABLE {name} AS FROM read_parquet(?)", [str(state_dir / f"{name}.parquet")])
            con.execute("COMMIT")  # as_of_cut reads on a cursor of its own
            con.execute("BEGIN")
            # the to-date twins exist only when the last year is incomplete (see rollups.create_cut_rollups)
            cut = as_of_cut(con)
            if cut is not None:
                for name in (*CUT_STORED, CUT_MONTH_SKUS):
                    con.execute(f"CREATE TABLE {name} AS FROM read_parquet(?)", [str(state_dir / f"{name}.parquet")])
                create_cut_sku_view(con, cut[1])
        else:
            # no data yet: the same tables, empty, derived by the same rollup SQL (so the schemas match)
            for kind in ("retailers", "skus"):
                con.sql(empty_sql(kind)).create(f"live_{kind}")
                con.table(f"live_{kind}").create(kind)
            con.sql(empty_sql("orders")).create_view("live_orders")
            create_rollups(con)
            for name in ("live_orders", "live_retailers", "live_skus"):
                con.execute(f"DROP {'VIEW' if name == 'live_orders' else 'TABLE'} {name}")
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
    finally:
        con.close()


def connect(state_dir: Path | None, memory_limit: str = "2GB", threads: int = 2) -> duckdb.DuckDBPyConnection:
    """A read-only DuckDB connection over `state_dir` (or over empty tables when there is no data yet).

    Opens the state's `query.duckdb` READ_ONLY. A state built before that file existed gets a
    private copy built now in a temporary directory."""
    path = state_dir / QUERY_DB if state_dir is not None else None
    if path is not None and path.is_file():
        return _open(path, memory_limit, threads)
    private = Path(tempfile.mkdtemp(prefix="dashboard-query-"))
    try:
        build_query_db(state_dir, private / QUERY_DB)
        con = _open(private / QUERY_DB, memory_limit, threads)
    finally:
        # DuckDB keeps the file open; on a system that lets an open file go, nothing is left behind
        shutil.rmtree(private, ignore_errors=True)
    return con


def _open(path: Path, memory_limit: str, threads: int) -> duckdb.DuckDBPyConnection:
    with _setup:
        con = duckdb.connect(str(path), read_only=True, config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "memory_limit": memory_limit,
            "threads": threads,
            # spilling would write beside the database file, into the state directory: a reader
            # whose query does not fit in memory gets an error instead
            "temp_directory": "",
        })
        if con.execute("SELECT current_setting('lock_configuration')").fetchone()[0]:
            return con  # an instance this process already opened and locked (DuckDB shares it)
        # no file at all: DuckDB could write wherever it may read (raw lines: connect_lines)
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    return con


def connect_lines(state_dir: Path | None, memory_limit: str = "1GB", threads: int = 2) -> duckdb.DuckDBPyConnection:
    """A connection over a state's live order lines (`orders`) and the SKU master (`skus`), for the
    drill-down to one retailer's lines: an in-memory instance of its own that may read exactly the
    extract files those lines come from, with its configuration locked."""
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False, "autoload_known_extensions": False,
                                             "memory_limit": memory_limit, "threads": threads, "temp_directory": ""})
    if state_dir is not None and (state_dir / "order_sources.parquet").exists():
        sources = pd.read_parquet(state_dir / "order_sources.parquet")
        extracts = _extracts_dir(state_dir).resolve()
        con.register("skus_frame", pd.read_parquet(state_dir / "skus.parquet"))
        con.execute("CREATE TABLE skus AS FROM skus_frame")
        con.unregister("skus_frame")
        _live_orders(con, state_dir)
        # exact files, not directories: the extract files and nothing else
        con.execute("SET allowed_paths = ?", [[str(extracts / n) for n in sources["stored_name"]]])
    else:
        con.sql(empty_sql("skus")).create("skus")
        con.sql(empty_sql("orders")).create_view("live_orders")
    con.execute("CREATE VIEW orders AS SELECT * FROM live_orders")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def connect_store_lines(store: Store) -> duckdb.DuckDBPyConnection:
    return connect_lines(store.state_dir())


def _live_orders(con: duckdb.DuckDBPyConnection, state_dir: Path) -> None:
    sources = pd.read_parquet(state_dir / "order_sources.parquet")
    coverage = pd.read_parquet(state_dir / "coverage.parquet")
    create_live_orders(con, _extracts_dir(state_dir), sources, coverage)


def connect_store(store: Store) -> duckdb.DuckDBPyConnection:
    return connect(store.state_dir())


def live_orders_relation(con: duckdb.DuckDBPyConnection, state_dir: Path) -> duckdb.DuckDBPyRelation:
    """The live order lines of a state (for the baseline and parity checks)."""
    _live_orders(con, state_dir)
    return con.table("live_orders")
