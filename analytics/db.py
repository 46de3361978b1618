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

from .schema import empty_sql
from .state import QUERY_DB, build_query_db, create_live_orders

if TYPE_CHECKING:  # annotations only: a reader needs none of the store's machinery (ingest, locks)
    from .store import Store

#: connect() sets up an instance once; two connect() of one file in a process share that instance
_setup = threading.Lock()


def _extracts_dir(state_dir: Path) -> Path:
    return state_dir.parent.parent / "extracts"  # data/state/<gen> -> data/extracts


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
        extracts = _extracts_dir(state_dir).resolve()
        con.register("skus_frame", pd.read_parquet(state_dir / "skus.parquet"))
        con.execute("CREATE TABLE skus AS FROM skus_frame")
        con.unregister("skus_frame")
        # the retailer master too: a scope (analytics/access.py) keeps the lines of its retailers only
        con.register("retailers_frame", pd.read_parquet(state_dir / "retailers.parquet"))
        con.execute("CREATE TABLE retailers AS FROM retailers_frame")
        con.unregister("retailers_frame")
        sources = _live_orders(con, state_dir)
        # exact files, not directories: the extract files and nothing else
        con.execute("SET allowed_paths = ?", [[str(extracts / n) for n in sources["stored_name"]]])
    else:
        con.sql(empty_sql("skus")).create("skus")
        con.sql(empty_sql("retailers")).create("retailers")
        con.sql(empty_sql("orders")).create_view("live_orders")
    con.execute("CREATE VIEW orders AS SELECT * FROM live_orders")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def connect_store_lines(store: Store) -> duckdb.DuckDBPyConnection:
    return connect_lines(store.state_dir())


def _live_orders(con: duckdb.DuckDBPyConnection, state_dir: Path) -> pd.DataFrame:
    """The view live_orders of a state on `con`; returns the state's order sources (the files it reads)."""
    sources = pd.read_parquet(state_dir / "order_sources.parquet")
    coverage = pd.read_parquet(state_dir / "coverage.parquet")
    create_live_orders(con, _extracts_dir(state_dir), sources, coverage)
    return sources


def connect_store(store: Store) -> duckdb.DuckDBPyConnection:
    return connect(store.state_dir())


def live_orders_relation(con: duckdb.DuckDBPyConnection, state_dir: Path) -> duckdb.DuckDBPyRelation:
    """The live order lines of a state (for the baseline and parity checks)."""
    _live_orders(con, state_dir)
    return con.table("live_orders")
