"""Read-only query connections over one state of the data directory, with DuckDB's safety settings."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from .rollups import CUT_MONTH_SKUS, CUT_STORED, ON_DISK, ROLLUPS, as_of_cut, create_cut_sku_view, create_rollups
from .store import Store, _empty_sql, create_live_orders

#: Small rollups are copied into memory (a query then costs milliseconds); raw order lines stay on
#: disk as a view over the extract files, read only by drill-downs to individual retailers.
IN_MEMORY = (*(r for r in ROLLUPS if r not in ON_DISK), "retailers", "skus")


def _extracts_dir(state_dir: Path) -> Path:
    return state_dir.parent.parent / "extracts"  # data/state/<gen> -> data/extracts


def connect(state_dir: Path | None, memory_limit: str = "2GB", threads: int = 2) -> duckdb.DuckDBPyConnection:
    """A locked-down in-memory DuckDB over `state_dir` (or empty tables when there is no data yet).

    File access is limited to that state and the extracts it names, extensions never autoload,
    and the configuration is locked, so no query issued through this connection can widen it.
    """
    con = duckdb.connect(
        ":memory:",
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "memory_limit": memory_limit,
            "threads": threads,
        },
    )
    if state_dir is not None and (state_dir / "order_sources.parquet").exists():
        extracts = _extracts_dir(state_dir)
        con.execute("SET allowed_directories = ?", [[str(state_dir) + "/", str(extracts) + "/"]])
        con.execute("SET enable_external_access = false")
        for name in IN_MEMORY:
            con.read_parquet(str(state_dir / f"{name}.parquet")).create(name)
        for name in ON_DISK:
            con.read_parquet(str(state_dir / f"{name}.parquet")).create_view(name)
        # the to-date twins exist only when the last year is incomplete (see rollups.create_cut_rollups)
        cut = as_of_cut(con)
        if cut is not None:
            for name in CUT_STORED:
                con.read_parquet(str(state_dir / f"{name}.parquet")).create(name)
            con.read_parquet(str(state_dir / f"{CUT_MONTH_SKUS}.parquet")).create_view(CUT_MONTH_SKUS)
            create_cut_sku_view(con, cut[1])
        _live_orders(con, state_dir)
        con.execute("CREATE VIEW orders AS SELECT * FROM live_orders")
    else:
        # no data yet: the same tables, empty, derived by the same rollup SQL (so the schemas match)
        con.execute("SET enable_external_access = false")
        for kind in ("retailers", "skus"):
            con.sql(_empty_sql(kind)).create(f"live_{kind}")
            con.table(f"live_{kind}").create(kind)
        con.sql(_empty_sql("orders")).create_view("live_orders")
        con.table("live_orders").create_view("orders")
        create_rollups(con)
    con.execute("SET lock_configuration = true")
    return con


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
