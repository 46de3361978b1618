"""Read-only query connections over one state of the data directory, with DuckDB's safety settings."""
from __future__ import annotations

from pathlib import Path

import duckdb

from .rollups import ROLLUPS
from .store import Store, _empty_sql

#: Small rollups are copied into memory (a query then costs milliseconds); raw order lines stay on
#: disk as a view, read only by drill-downs to individual retailers.
IN_MEMORY = (*ROLLUPS, "retailers", "skus")


def connect(state_dir: Path | None, memory_limit: str = "2GB", threads: int = 2) -> duckdb.DuckDBPyConnection:
    """A locked-down in-memory DuckDB over `state_dir` (or empty tables when there is no data yet).

    External access is limited to that one directory, extensions never autoload, and the
    configuration is locked, so no query issued through this connection can widen it.
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
    if state_dir is not None and (state_dir / "orders.parquet").exists():
        con.execute("SET allowed_directories = ?", [[str(state_dir) + "/"]])
        con.execute("SET enable_external_access = false")
        for name in IN_MEMORY:
            con.read_parquet(str(state_dir / f"{name}.parquet")).create(name)
        con.read_parquet(str(state_dir / "orders.parquet")).create_view("orders")
    else:
        # no data yet: the same tables, empty, derived by the same rollup SQL (so the schemas match)
        con.execute("SET enable_external_access = false")
        for kind in ("retailers", "skus"):
            con.sql(_empty_sql(kind)).create(f"live_{kind}")
            con.table(f"live_{kind}").create(kind)
        con.sql(_empty_sql("orders")).create_view("live_orders")
        con.table("live_orders").create_view("orders")
        for name, sql in ROLLUPS.items():
            con.sql(sql).create(name)
    con.execute("SET lock_configuration = true")
    return con


def connect_store(store: Store) -> duckdb.DuckDBPyConnection:
    return connect(store.state_dir())


def live_orders_relation(con: duckdb.DuckDBPyConnection, state_dir: Path) -> duckdb.DuckDBPyRelation:
    """The live order lines of a state (for drill-downs, the baseline and parity checks)."""
    return con.read_parquet(str(state_dir / "orders.parquet"))
