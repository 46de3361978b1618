"""Deriving a state from the manifest's active extracts: the live masters (the newest record of each
key wins), the live order lines (replace-by-period: a later extract replaces what it covers), the
rollups with their to-date twins, the targets (the newest extract holding a (year, district,
manager) key gives all its rows), and the readers' database `query.duckdb` over them, written into a
new state directory that the store then switches to.

`create_live_orders` is the one definition of the live lines: the build, the load preview, the
withdraw/restore preview and the readers' drill-downs (analytics.db) all use it.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import duckdb
import pandas as pd

from .contract import ADDITIVE_TARGETS, TARGET_MEASURES
from .files import fsync_dir, fsync_file
from .rollups import CUT_MONTH_SKUS, CUT_STORED, LINE_ROLLUPS, ROLLUPS, as_of_cut, create_cut_rollups, create_cut_sku_view, create_rollups
from .schema import ORDER_COLUMNS, RETAILER_COLUMNS, SKU_COLUMNS, TARGET_COLUMNS, empty_sql

#: the readers' database file inside a state directory (analytics.db opens it READ_ONLY)
QUERY_DB = "query.duckdb"
_QUERY_TABLES = (*ROLLUPS, "retailers", "skus")
#: the state directories' format: a state of another format is rebuilt in full
#: (3: year_dates and the ytd_ twins; 4: query.duckdb; 5: the customer manager in the segment rollups;
#: 6: the derived rollups only in query.duckdb, parquet only for what the next build reads back;
#: 7: the targets table; 8: class1..4 in retailer_month, retailer_year_months and the peer tables (#14))
FORMAT_VERSION = 8
#: the parquet files of a state (beside query.duckdb): the live lines' sources, the masters, and the
#: two line rollups the next incremental build copies its unchanged years from (rollups.create_rollups)
STATE_PARQUET = ("order_sources", "coverage", "retailers", "skus", *LINE_ROLLUPS)


def outdated(manifest: dict) -> bool:
    """Whether the manifest's state was built by another version of this code (its rollups or files
    differ from what the readers expect), so that it must be built again in full (Store.upgrade)."""
    return manifest.get("state") is not None and manifest.get("format") != FORMAT_VERSION


def changed_years(current: dict, new: dict) -> set[int] | None:
    """The years whose live order lines can differ between two manifests, or None when the new
    state must be built in full (masters changed, a period is unknown, a different format).

    Replace-by-period keeps every change inside the period of the extract that was added or
    withdrawn: its own lines lie within it, and it shadows older lines only within it. So a live
    line outside the changed extracts' periods is the same in both states."""
    if current.get("state") is None or current.get("format") != FORMAT_VERSION:
        return None

    def active(manifest: dict, kinds: tuple[str, ...]) -> dict[str, dict]:
        return {r["id"]: r for r in manifest["extracts"] if r["status"] == "active" and r["kind"] in kinds}

    if active(current, ("retailers", "skus")).keys() != active(new, ("retailers", "skus")).keys():
        return None
    before, after = active(current, ("orders",)), active(new, ("orders",))
    changed = [r for i, r in {**before, **after}.items() if (i in before) != (i in after)]
    years: set[int] = set()
    for r in changed:
        if not r.get("period_start") or not r.get("period_end"):
            return None
        years.update(range(int(r["period_start"][:4]), int(r["period_end"][:4]) + 1))
    return years


def build_state(extracts_dir: Path, records: list[dict], target: Path, threads: int = 2,
                reuse: tuple[Path, set[int]] | None = None) -> None:
    """Derive live masters, live order lines and rollups into `target` (a new directory). With
    `reuse` (previous state directory, changed years), only those years' lines are aggregated."""
    tmp = target.with_name(f".{target.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        _build_into(extracts_dir, records, tmp, threads, reuse)
        for path in tmp.iterdir():
            fsync_file(path)
        fsync_dir(tmp)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)  # a half-built state is never left for readers to find
        raise
    fsync_dir(target.parent)


def _build_into(extracts_dir: Path, records: list[dict], tmp: Path, threads: int,
                reuse: tuple[Path, set[int]] | None) -> None:
    active = [r for r in records if r["status"] == "active"]
    con = duckdb.connect(config={"threads": threads, "preserve_insertion_order": False})
    try:
        def files(kind: str) -> list[str]:
            return [str(extracts_dir / r["stored_name"]) for r in active if r["kind"] == kind]

        def seqs(kind: str) -> pd.DataFrame:
            return pd.DataFrame({"extract_id": [r["id"] for r in active if r["kind"] == kind],
                                 "seq": [r["seq"] for r in active if r["kind"] == kind]})

        for kind, key, cols in (("retailers", "retailer_id", RETAILER_COLUMNS), ("skus", "sku_id", SKU_COLUMNS)):
            con.register(f"{kind}_seq", seqs(kind))
            if files(kind):
                # masters: the newest active extract that holds a record wins; other records stay
                extract_view(con, extracts_dir, [r for r in active if r["kind"] == kind], f"{kind}_files", union_by_name=True)
                con.execute(
                    f"CREATE TABLE live_{kind} AS SELECT {cols} FROM {kind}_files x "
                    f"JOIN {kind}_seq USING (extract_id) QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY seq DESC) = 1",
                )
            else:
                con.execute(f"CREATE TABLE live_{kind} AS SELECT * FROM ({empty_sql(kind)})")
        sources, coverage = order_sources(active)
        create_live_orders(con, extracts_dir, sources, coverage)
        # the state records which extract files make up its live lines (readers rebuild the view from
        # them); the lines themselves are not copied: a 50M-line rewrite would dominate every load
        sources.to_parquet(tmp / "order_sources.parquet", index=False)
        coverage.to_parquet(tmp / "coverage.parquet", index=False)
        for kind in ("retailers", "skus"):
            con.table(f"live_{kind}").write_parquet(str(tmp / f"{kind}.parquet"))
        previous, years = reuse if reuse is not None else (None, ())
        create_rollups(con, previous, years)
        cut = create_cut_rollups(con)
        create_targets(con, extracts_dir, active)
        # only the line rollups go to parquet: the next incremental build reads them back. The rest
        # live in query.duckdb alone: writing each rollup twice and reading it back made every build
        # pay for the larger segment rollups twice (docs/benchmark.md, "The manager in the segment")
        for name in LINE_ROLLUPS:
            con.table(name).write_parquet(str(tmp / f"{name}.parquet"))
        _write_query_db(con, tmp / QUERY_DB, cut)  # what readers open, read-only
    finally:
        con.close()


def _write_query_db(con: duckdb.DuckDBPyConnection, target: Path, cut: tuple[int, dt.date] | None) -> None:
    """Copy the build's rollups and masters from its own connection into the new DuckDB file
    `target` (the same tables build_query_db writes from a state's parquet files)."""
    # no try/finally: on an error the caller closes the connection (which detaches the file) and
    # removes the half-built state; a DETACH inside the failed transaction would only mask the error
    con.execute(f"ATTACH {_sql_text(str(target))} AS query_db")  # ATTACH takes no bound parameters
    names = [*ROLLUPS, *((*CUT_STORED, CUT_MONTH_SKUS) if cut is not None else ())]
    # one transaction: each commit to a database file is a WAL flush
    con.execute("BEGIN")
    for name in names:
        con.execute(f"CREATE TABLE query_db.{name} AS FROM {name}")
    for kind in ("retailers", "skus"):
        con.execute(f"CREATE TABLE query_db.{kind} AS FROM live_{kind}")
    con.execute(f"CREATE TABLE query_db.targets AS SELECT {TARGET_COLUMNS} FROM resolved_targets ORDER BY ALL")
    if cut is not None:
        # created while the file is the default database, so that the view's table names are
        # resolved in it, as they are when readers open it (the view names no database)
        con.execute("USE query_db")
        create_cut_sku_view(con, cut[1])
        con.execute("USE memory")
    con.execute("COMMIT")
    con.execute("CHECKPOINT query_db")
    con.execute("DETACH query_db")

def build_query_db(state_dir: Path | None, target: Path) -> None:
    """Write every rollup and master of `state_dir` (or empty ones, for None) into the new DuckDB
    file `target` as tables, with the to-date view `ytd_sku_cube`, from the state's parquet files:
    analytics.db.connect calls this for a state built before query.duckdb existed (format 3 and
    older, which held every rollup as parquet) and for no data yet. A state's build writes its
    query.duckdb from its own connection instead (_write_query_db).
    It names no file: readers of it need no file access (raw lines: connect_lines)."""
    con = duckdb.connect(str(target), config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    try:
        con.execute("SET enable_progress_bar = false")  # it would print into the CLI's output
        # two transactions, not one per statement: each commit to a database file is a WAL flush
        con.execute("BEGIN")
        if state_dir is not None and (state_dir / "order_sources.parquet").exists():
            for name in _QUERY_TABLES:
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
        # a state without query.duckdb predates the targets (format 6 and older): it has none
        con.sql(empty_sql("targets")).create("targets")
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
    finally:
        con.close()


_WEIGHTED = ", ".join(
    f"COALESCE(SUM({m} * volume_target_cases) / NULLIF(SUM(volume_target_cases) FILTER ({m} IS NOT NULL), 0), AVG({m}))"
    f"::DOUBLE AS {m}" for m in TARGET_MEASURES if m not in ADDITIVE_TARGETS)
_SUMMED = ", ".join(f"SUM({m})::DOUBLE AS {m}" for m in ADDITIVE_TARGETS)


#: the extract id a targets frame not yet stored carries in `resolved_targets` (a load's preview)
NEW_TARGETS = "new"


def create_targets(con: duckdb.DuckDBPyConnection, extracts_dir: Path, active: list[dict],
                   extra: pd.DataFrame | None = None) -> None:
    """Create the table `resolved_targets`: the state's targets (the contract's columns) with the
    extract each key's rows come from (`extract_id`). The one definition the build and the
    withdraw/restore preview use.

    All rows of a (year, district, manager) key come from the newest active targets extract holding
    it; every key has exactly one whole-year row (month 0): the one given, or, when only months are
    given, the months' sums (箱) and their means weighted by the volume target (条均价, 网订率; the
    plain mean when no month has a volume target). A blank manager is NULL: the district's own target.
    `extra` is a parsed targets frame as if loaded after all of them (extract id NEW_TARGETS)."""
    holders = [r for r in active if r["kind"] == "targets"]
    if not holders and extra is None:
        con.execute(f"CREATE OR REPLACE TABLE resolved_targets AS SELECT *, NULL::VARCHAR AS extract_id FROM ({empty_sql('targets')})")
        return
    sources = []
    if holders:
        con.register("targets_seq", pd.DataFrame({"extract_id": [r["id"] for r in holders], "seq": [int(r["seq"]) for r in holders]}))
        extract_view(con, extracts_dir, holders, "targets_files", union_by_name=True)
        sources.append("SELECT * FROM targets_files JOIN targets_seq USING (extract_id)")
    if extra is not None:
        newest = max((int(r["seq"]) for r in holders), default=0) + 1
        con.register("targets_extra", extra.assign(extract_id=NEW_TARGETS, seq=newest))
        sources.append("SELECT * FROM targets_extra")
    measures = ", ".join(f"{m}::DOUBLE AS {m}" for m in TARGET_MEASURES)
    con.execute(f"""
        CREATE OR REPLACE TABLE resolved_targets AS
        WITH given AS (
            SELECT year::INTEGER AS year, COALESCE(month, 0)::INTEGER AS month, district, NULLIF(manager, '') AS manager,
                   {measures}, extract_id, seq
            FROM ({" UNION ALL BY NAME ".join(sources)})
        ), kept AS (
            SELECT * EXCLUDE (seq) FROM given QUALIFY seq = max(seq) OVER (PARTITION BY year, district, manager)
        ), derived AS (
            SELECT year, 0::INTEGER AS month, district, manager, {_SUMMED}, {_WEIGHTED}, any_value(extract_id) AS extract_id
            FROM kept k
            WHERE month > 0 AND NOT EXISTS (SELECT 1 FROM kept w WHERE w.month = 0 AND w.year = k.year
                                            AND w.district = k.district AND w.manager IS NOT DISTINCT FROM k.manager)
            GROUP BY year, district, manager
        )
        SELECT {TARGET_COLUMNS}, extract_id FROM kept UNION ALL BY NAME SELECT {TARGET_COLUMNS}, extract_id FROM derived
    """)
    for view in (["targets_seq"] if holders else []) + (["targets_extra"] if extra is not None else []):
        con.unregister(view)


def order_sources(active: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The active orders extracts (file, sequence) and what each covers (district, first and last day)."""
    orders = [r for r in active if r["kind"] == "orders"]
    sources = pd.DataFrame({"extract_id": [r["id"] for r in orders], "seq": [int(r["seq"]) for r in orders],
                            "stored_name": [r["stored_name"] for r in orders]})
    coverage = pd.DataFrame([(int(r["seq"]), d, r["period_start"], r["period_end"]) for r in orders for d in r["districts"]],
                            columns=["seq", "district", "start", "end"])
    return sources.astype({"seq": "int64"}), coverage.astype({"seq": "int64"})


def extract_view(con: duckdb.DuckDBPyConnection, extracts_dir: Path, records: list[dict], view: str,
                 union_by_name: bool = False) -> None:
    """Create the view `view` over the stored files of these extract records. A record that reuses
    another's file (the same bytes loaded again) has its lines labelled with its own id, since the
    file carries the id it was first stored under."""
    own = [r for r in records if r["stored_name"] == f"{r['id']}.parquet"]
    if len(own) == len(records):  # the usual case: one scan of all the files
        con.read_parquet([str(extracts_dir / r["stored_name"]) for r in own], union_by_name=union_by_name).create_view(view, replace=True)
        return
    by_name = ", union_by_name=true" if union_by_name else ""
    parts = [f"SELECT * FROM read_parquet({_sql_text([str(extracts_dir / r['stored_name']) for r in own])}{by_name})"] if own else []
    parts += [f"SELECT * REPLACE ({_sql_text(r['id'])} AS extract_id) FROM read_parquet({_sql_text(str(extracts_dir / r['stored_name']))})"
              for r in records if r not in own]
    con.execute(f"CREATE OR REPLACE VIEW {view} AS " + " UNION ALL BY NAME ".join(parts))


def _sql_text(value: str | list[str]) -> str:
    """A SQL string (or list of strings) literal; file names can hold quotes."""
    if isinstance(value, list):
        return "[" + ", ".join(_sql_text(v) for v in value) + "]"
    return "'" + value.replace("'", "''") + "'"


def create_live_orders(con: duckdb.DuckDBPyConnection, extracts_dir: Path, sources: pd.DataFrame,
                       coverage: pd.DataFrame) -> None:
    """Create the view `live_orders`: every line of the given extracts unless a later active extract
    covers its district and date (replace-by-period). The one definition the build, the readers'
    drill-downs and the load preview all use."""
    if sources.empty:
        con.execute(f"CREATE OR REPLACE VIEW live_orders AS SELECT * FROM ({empty_sql('orders')})")
        return
    # only an extract that a later one overlaps (same district, dates intersecting) needs the
    # anti-join; the others are read as they are, which is most extracts and most lines. The
    # shadow table pairs each overlapped extract with what later extracts cover, so the anti-join
    # is a hash join on (extract, district) with a date-range check, not a correlated subquery.
    shadow = [(a.extract_id, c.district, c.start, c.end)
              for a in sources.itertuples() for c in coverage.itertuples()
              if c.seq > a.seq and any((coverage["seq"] == a.seq) & (coverage["district"] == c.district)
                                       & (coverage["start"] <= c.end) & (coverage["end"] >= c.start))]
    con.execute("CREATE OR REPLACE TABLE shadow (extract_id VARCHAR, district VARCHAR, start DATE, end_date DATE)")
    if shadow:
        con.executemany("INSERT INTO shadow VALUES (?, ?, ?::DATE, ?::DATE)", shadow)
    shadowed = {row[0] for row in shadow}
    selects = []
    for label, pick in (("clean", ~sources["extract_id"].isin(shadowed)), ("shadowed", sources["extract_id"].isin(shadowed))):
        records = [{"id": i, "stored_name": n}
                   for i, n in zip(sources.loc[pick, "extract_id"], sources.loc[pick, "stored_name"], strict=True)]
        if records:
            extract_view(con, extracts_dir, records, f"orders_{label}")
            selects.append(f"SELECT {ORDER_COLUMNS} FROM orders_clean" if label == "clean" else
                           f"""SELECT {ORDER_COLUMNS} FROM orders_shadowed o ANTI JOIN shadow s
                               ON s.extract_id = o.extract_id AND s.district = o.district
                              AND o.order_date BETWEEN s.start AND s.end_date""")
    con.execute("CREATE OR REPLACE VIEW live_orders AS " + " UNION ALL ".join(selects))
