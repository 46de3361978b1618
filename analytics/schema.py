"""The shape the store keeps each kind of extract in: its columns, in order, with their DuckDB types.

Derived from the one list of columns, analytics.contract.COLUMNS (names and types), plus the two
columns the store adds to order lines. Every column list and empty table of the store, the state
build and the readers' connections comes from here, so a column is added in one place.
"""
from __future__ import annotations

import pandas as pd

from .contract import COLUMNS, KINDS

#: what the store adds to each order line: its retailer's district (ingest.check_references) and the
#: extract it was loaded in. Live masters carry neither (the newest record of each key wins).
ORDER_ADDED = (("district", "VARCHAR"), ("extract_id", "VARCHAR"))

#: the live columns of each kind (name, DuckDB type), in order
LIVE: dict[str, tuple[tuple[str, str], ...]] = {
    kind: tuple((c.name, c.sql_type) for c in COLUMNS[kind]) + (ORDER_ADDED if kind == "orders" else ())
    for kind in KINDS
}


def names(kind: str) -> tuple[str, ...]:
    """The live column names of `kind`, in order."""
    return tuple(name for name, _ in LIVE[kind])


def select_list(kind: str) -> str:
    """The live columns of `kind` as a SQL select list ("order_date, retailer_id, …")."""
    return ", ".join(names(kind))


def empty_sql(kind: str) -> str:
    """A query with no rows and exactly the live columns and types of `kind`: the empty table a state
    without data has, so that rollups and views over it have the same schema as over data."""
    return "SELECT " + ", ".join(f"NULL::{sql_type} AS {name}" for name, sql_type in LIVE[kind]) + " WHERE false"


def empty_master(kind: str) -> pd.DataFrame:
    """A master with no records (the masters before any is loaded), every contract column as text."""
    return pd.DataFrame({c.name: pd.Series(dtype="string") for c in COLUMNS[kind]})


ORDER_COLUMNS = select_list("orders")
RETAILER_COLUMNS = select_list("retailers")
SKU_COLUMNS = select_list("skus")
#: the state's `targets` table has exactly the contract's columns (blank manager NULL, blank month 0)
TARGET_COLUMNS = select_list("targets")
