"""The data directory: extracts, a manifest, and derived states switched atomically.

Layout of data/ (see docs/architecture.md, docs/data-contract.md):
    manifest.json            every extract ever loaded, which state is current and which are kept
    extracts/E00001.parquet  each accepted extract, normalised, never rewritten; the same bytes loaded
                             again reuse it; removed only by an explicit purge of long-withdrawn ones
    state/<gen>/             live masters, live order lines and rollups derived from the manifest
    .lock                    serialises writers across processes

A load, rollback or restore writes a complete new state directory, then replaces manifest.json in one
rename: a reader sees the old state or the new one, never a mix. A crash before the rename
leaves the previous manifest, and so the previous state, in force.

This module keeps the directory (manifest, lock, extract files, switch, pruning, recovery,
withdraw/restore, purge); analytics.state derives a state's contents; analytics.schema says which
columns each kind is kept with.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from . import config
from .audit import os_user as _user  # who changed the data when no signed-in identity is given
from .contract import TARGET_MEASURES
from .files import atomic_write_bytes, write_parquet_atomic
from .ingest import ParseCache, Parsed, Problem, check_references, parse_file
from .rollups import LINE_ROLLUPS
from .schema import ORDER_COLUMNS, RETAILER_COLUMNS, SKU_COLUMNS, TARGET_COLUMNS, empty_master
from .state import (
    FORMAT_VERSION,
    NEW_TARGETS,
    build_state,
    changed_years,
    create_live_orders,
    create_targets,
    extract_view,
    order_sources,
    outdated,
)

MANIFEST = "manifest.json"
KEEP_STATES = 3  # the current state and two before it, for readers still holding an older one
RETENTION_DAYS = 90  # withdrawn extracts are kept at least this long; only `purge` removes them

# Free space a change needs, measured on the demo (docs/data-contract.md, "Disk space"): the stored
# extract is 0.04 x a CSV's size, 0.09 x an xlsx's, 0.83 x a parquet's; every change writes a new
# state about as large as the current one. The factors leave room for data less regular than the demo's.
EXTRACT_FACTOR = {"parquet": 1.0}
EXTRACT_FACTOR_OTHER = 0.25  # CSV, text and Excel
STATE_FACTOR = 1.25
SPACE_MARGIN = 4_000_000  # bytes never to fill: the manifest, the filesystem's own needs

Progress = Callable[[float, str], None]


def _noop(_fraction: float, _text: str) -> None:
    return None


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


# --- results ---------------------------------------------------------------------------------

@dataclass
class Replacement:
    """What an orders extract would replace: live lines of these districts in this period."""

    district: str
    lines: int
    cases: float
    start: str
    end: str
    extracts: list[str]


@dataclass
class TargetKey:
    """One (year, district, manager) key of a targets file as loading it would make it live: its
    whole-year measures (given, or derived from its months by the build's rule) and month rows
    (`after`, as MasterChange's summaries), and the live key it replaces (`before`, None when new)
    with the extract that holds it."""

    year: int
    district: str
    manager: str | None
    after: dict
    before: dict | None
    source: str | None
    source_loaded_at: str | None


@dataclass
class LoadResult:
    file_name: str
    status: str  # "loaded" | "duplicate" | "refused"
    parsed: Parsed | None = None
    record: dict | None = None
    replacements: list[Replacement] = field(default_factory=list)
    targets: list[TargetKey] = field(default_factory=list)  # a targets file's keys, as loading it would make them

    def messages(self, lang: str = "zh") -> list[str]:
        return self.parsed.problems.messages(lang) if self.parsed is not None else []


class StoreError(Exception):
    """An error a user can cause or meet while changing the data (a full disk, no permission, a lock
    held too long, a missing or purged extract file). Nothing changed when it is raised.
    `key` is its label in analytics.labels and `params` fill it: `message(lang)` says what happened
    and what to do, without server paths. `exit_code` is the command line's."""

    key = "err_store"
    exit_code = 4

    def __init__(self, detail: str | None = None, **params: object):
        super().__init__(detail)
        self.params = params

    def message(self, lang: str = "zh") -> str:
        from .labels import t

        return t(self.key, lang, **self.params)

    def __str__(self) -> str:
        return self.args[0] if self.args and self.args[0] else self.message("en")


class LockTimeout(StoreError, TimeoutError):
    """Another writer held the data directory's lock for the whole wait."""

    key, exit_code = "err_lock_timeout", 3


class NotEnoughSpace(StoreError):
    """Refused before writing anything: the disk has less free space than the operation needs.
    `need` and `free` are bytes; the message shows them rounded (需要约 1.2 GB …，当前仅 300 MB)."""

    key = "err_space_needed"

    def __init__(self, need: int, free: int):
        from .formats import fmt_bytes

        super().__init__(None, need=fmt_bytes(need), free=fmt_bytes(free))
        self.need, self.free = need, free


class DiskFull(StoreError):
    """The disk filled up while writing; everything the operation wrote was removed."""

    key = "err_disk_full"


class PermissionDenied(StoreError):
    """The data directory cannot be written (permissions, a read-only disk)."""

    key = "err_permission"


class ExtractMissing(StoreError):
    """An active extract's stored file is not on disk (deleted by hand, a partial backup)."""

    key = "err_extract_missing"

    def __init__(self, extract_id: str):
        super().__init__(None, id=extract_id)
        self.extract_id = extract_id


class ExtractError(StoreError):
    """A withdrawal or restore that cannot be done. `code` says why (the page's label), `str()`
    says it in English with the details, `message(lang)` in the user's language."""

    code = "error"
    exit_code = 2

    def __init__(self, message: str, extract_id: str, other: str | None = None, **params: object):
        super().__init__(message, id=extract_id, other=other or "", **params)
        self.extract_id, self.other = extract_id, other

    def __str__(self) -> str:  # KeyError would quote the message
        return self.args[0]


class UnknownExtract(ExtractError, KeyError):
    code, key = "unknown", "err_unknown_extract_known"


class AlreadyWithdrawn(ExtractError, ValueError):
    code, key = "already_withdrawn", "err_already_withdrawn"


class AlreadyActive(ExtractError, ValueError):
    code, key = "already_active", "err_already_active"


class SameContentActive(ExtractError, ValueError):
    """Restoring would make the same bytes active twice, which a load never allows."""

    code, key = "same_content_active", "err_same_content_active"


class ExtractPurged(ExtractError, ValueError):
    """Restoring an extract whose file was purged under the retention rule; `other` is the day it
    was purged (so its label, err_purged, reads right with id and other)."""

    code, key = "purged", "err_purged"


@dataclass
class PurgeItem:
    """A withdrawn extract old enough to purge: purged (or, in a dry run, to be purged) unless `kept`
    says why its file stays: "active" (an active extract, `other`, holds the same file), "recent"
    (so does a withdrawn extract not yet old enough, `other`), "state" (a state readers may still
    hold reads it)."""

    extract_id: str
    file_name: str
    withdrawn_at: str
    size: int
    kept: str | None = None
    other: str | None = None


@dataclass
class LineChange:
    """Order lines of one extract in one district that a withdrawal or restore takes out of the
    live data or brings back into it."""

    district: str
    extract_id: str
    loaded_at: str
    lines: int
    cases: float
    start: str
    end: str


@dataclass
class MasterChange:
    """One retailer or SKU whose live record changes, or one targets key (year, district, manager)
    whose rows change: `before` and `after` are the records (for targets, the whole-year row's
    measures and the number of month rows; None when there is none), `source` the extract that
    provides the record afterwards."""

    key: str
    before: dict | None
    after: dict | None
    source: str | None
    source_loaded_at: str | None

    @property
    def fields(self) -> dict[str, tuple[object, object]]:
        """The columns that differ, as (before, after)."""
        names = list((self.before or self.after or {}).keys())
        return {n: ((self.before or {}).get(n), (self.after or {}).get(n)) for n in names
                if (self.before or {}).get(n) != (self.after or {}).get(n)}


@dataclass
class ChangePreview:
    """What withdrawing or restoring one extract changes in the live data."""

    extract_id: str
    action: str  # "withdraw" | "restore"
    kind: str
    removed: list[LineChange] = field(default_factory=list)  # live order lines that go away
    returned: list[LineChange] = field(default_factory=list)  # order lines that become live
    masters: list[MasterChange] = field(default_factory=list)
    orphan_lines: int = 0  # live order lines whose retailer or SKU would have no record

    @property
    def changes_nothing(self) -> bool:
        return not (self.removed or self.returned or self.masters)


# --- the store -------------------------------------------------------------------------------

class Store:
    def __init__(self, root: str | os.PathLike[str] | None = None):
        self.root = config.data_dir(root)
        self.extracts_dir = self.root / "extracts"
        self.states_dir = self.root / "state"

    # reading ------------------------------------------------------------------------------
    def manifest(self) -> dict:
        path = self.root / MANIFEST
        if not path.exists():
            return {"format": FORMAT_VERSION, "state": None, "next_seq": 1, "extracts": []}
        return json.loads(path.read_text(encoding="utf-8"))

    def extracts(self) -> list[dict]:
        return list(self.manifest()["extracts"])

    def state_dir(self, manifest: dict | None = None) -> Path | None:
        state = (manifest or self.manifest()).get("state")
        return self.states_dir / state if state else None

    def has_data(self) -> bool:
        state = self.state_dir()
        return state is not None and (state / "order_sources.parquet").exists() and \
            len(pd.read_parquet(state / "order_sources.parquet")) > 0

    def masters(self, manifest: dict | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
        state = self.state_dir(manifest)
        if state is None:
            return empty_master("retailers"), empty_master("skus")
        return (pd.read_parquet(state / "retailers.parquet"), pd.read_parquet(state / "skus.parquet"))

    # locking ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self, timeout: float = 600.0) -> Iterator[None]:
        """Exclusive across processes (flock): one writer at a time, the others wait their turn."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a") as fh:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise LockTimeout(f"another load holds the lock of the data directory for over {timeout:g} s") from None
                    time.sleep(0.1)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    # loading ------------------------------------------------------------------------------
    def parse(
        self,
        files: list[tuple[str, bytes]],
        kind: str | None = None,
        sheet: str | None = None,
        period: tuple[str, str] | None = None,
        manifest: dict | None = None,
        cache: ParseCache | None = None,
    ) -> list[LoadResult]:
        """Read and validate a batch without storing anything: masters first, so orders may
        refer to retailers and SKUs loaded in the same batch. With `cache`, a file parsed before
        with the same bytes, name, kind and sheet is not parsed again (the checks against the
        masters and the period are made again: they depend on the data now)."""
        manifest = manifest or self.manifest()
        retailers, skus = self.masters(manifest)
        if cache is not None:
            parsed = cache.parse_batch(files, kind=kind, sheet=sheet)
        else:
            parsed = [parse_file(data, name, kind=kind, sheet=sheet) for name, data in files]
        order = sorted(range(len(parsed)), key=lambda i: {"retailers": 0, "skus": 1}.get(parsed[i].kind or "", 2))
        for i in order:
            p = parsed[i]
            if p.frame is None:
                continue
            if p.kind == "retailers" and not p.problems:
                retailers = _upsert(retailers, p.frame, "retailer_id")
            elif p.kind == "skus" and not p.problems:
                skus = _upsert(skus, p.frame, "sku_id")
            elif p.kind in ("orders", "targets"):
                check_references(p, retailers, skus)
                if period is not None and p.kind == "orders":
                    _check_period(p, period)
        results = []
        active = {e["sha256"] for e in manifest["extracts"] if e["status"] == "active"}
        for p in parsed:
            if p.sha256 in active:
                results.append(LoadResult(p.file_name, "duplicate", p))
            elif p.ok:
                reps = self.replacements(p, manifest, period) if p.kind == "orders" else []
                keys = self.target_keys(p, manifest) if p.kind == "targets" else []
                results.append(LoadResult(p.file_name, "ready", p, replacements=reps, targets=keys))
            else:
                results.append(LoadResult(p.file_name, "refused", p))
        return results

    def target_keys(self, parsed: Parsed, manifest: dict | None = None) -> list[TargetKey]:
        """Each key of a targets file as loading it would make it live, beside the live key it replaces:
        the analyst's check against the plan document before loading."""
        manifest = manifest or self.manifest()
        self._check_files(manifest)
        active = [e for e in manifest["extracts"] if e["status"] == "active" and e["kind"] == "targets"]
        loaded = {r["id"]: r["loaded_at"] for r in manifest["extracts"]}
        con = duckdb.connect()
        try:
            old, new = _resolved_targets(con, self.extracts_dir, active), _resolved_targets(con, self.extracts_dir, active, parsed.frame)
        finally:
            con.close()
        out = []
        mine = (k for k, rows in new.items() if rows[0]["extract_id"] == NEW_TARGETS)  # every key of the file: it is the newest
        for key in sorted(mine, key=lambda k: (k[0], k[1], k[2] or "")):
            source = old[key][0]["extract_id"] if key in old else None
            out.append(TargetKey(int(key[0]), key[1], key[2], _target_summary(new[key]), _target_summary(old.get(key)),
                                 source, loaded.get(source) if source else None))
        return out

    def replacements(self, parsed: Parsed, manifest: dict | None = None, period: tuple[str, str] | None = None) -> list[Replacement]:
        """Exactly which live order lines this orders extract would replace, per district."""
        manifest = manifest or self.manifest()
        state = self.state_dir(manifest)
        start, end = period or parsed.period or ("", "")
        if state is None or not parsed.districts:
            return []
        self._check_files(manifest)
        con = duckdb.connect()
        try:
            sources, coverage = order_sources([e for e in manifest["extracts"] if e["status"] == "active"])
            create_live_orders(con, self.extracts_dir, sources, coverage)
            rows = con.execute(
                """
                SELECT district, COUNT(*)::BIGINT, SUM(quantity_cartons)::DOUBLE / ?, strftime(MIN(order_date), '%Y-%m-%d'),
                       strftime(MAX(order_date), '%Y-%m-%d'), list(DISTINCT extract_id ORDER BY extract_id)
                FROM live_orders WHERE district IN (SELECT unnest(?::VARCHAR[]))
                  AND order_date BETWEEN ?::DATE AND ?::DATE
                GROUP BY district ORDER BY district
                """,
                [config.CARTONS_PER_CASE, parsed.districts, start, end],
            ).fetchall()
        finally:
            con.close()
        return [Replacement(r[0], int(r[1]), float(r[2]), r[3], r[4], list(r[5])) for r in rows]

    def load(
        self,
        files: list[tuple[str, bytes]],
        kind: str | None = None,
        sheet: str | None = None,
        period: tuple[str, str] | None = None,
        loaded_by: str | None = None,
        progress: Progress = _noop,
        cache: ParseCache | None = None,
    ) -> list[LoadResult]:
        """Validate and store a batch, all or nothing, then switch to the rebuilt state. Raises a
        StoreError (nothing changed) for a full disk, no permission, a lock held too long or a
        missing extract file. With `cache` (the one the preview parsed with), the parse the preview
        showed is the one stored."""
        with _user_errors(), self.lock():
            manifest = self.manifest()
            progress(0.05, "validate")
            results = self.parse(files, kind=kind, sheet=sheet, period=period, manifest=manifest, cache=cache)
            if any(r.status == "refused" for r in results):
                return results
            todo = [r for r in results if r.status == "ready"]
            if not todo:
                return results
            self._clear_debris(manifest)
            self.extracts_dir.mkdir(parents=True, exist_ok=True)
            new_manifest = json.loads(json.dumps(manifest))
            # a withdrawn extract loaded again with the same bytes reuses its stored file
            stored_before = {(e["sha256"], e["kind"], e.get("sheet")): e["stored_name"] for e in manifest["extracts"]
                             if e["status"] != "purged" and (self.extracts_dir / e["stored_name"]).is_file()}
            reused: dict[int, str] = {}
            for r in todo:
                name = stored_before.get((r.parsed.sha256, r.parsed.kind, r.parsed.sheet))
                if name and _same_content(self.extracts_dir / name, r.parsed.frame):
                    reused[id(r)] = name
            self._check_space([(r.parsed.format, r.parsed.size) for r in todo if id(r) not in reused], manifest)
            seen: set[str] = set()
            written: list[Path] = []
            for n, r in enumerate(sorted(todo, key=lambda r: {"retailers": 0, "skus": 1}.get(r.parsed.kind, 2))):
                p = r.parsed
                if p.sha256 in seen:  # the same bytes twice in one batch
                    r.status = "duplicate"
                    continue
                seen.add(p.sha256)
                progress(0.1 + 0.4 * n / len(todo), "store")
                seq = new_manifest["next_seq"]
                new_manifest["next_seq"] = seq + 1
                extract_id = f"E{seq:05d}"
                stored = reused.get(id(r)) or f"{extract_id}.parquet"
                if id(r) not in reused:
                    frame = p.frame.copy()
                    frame["extract_id"] = extract_id
                    written.append(self.extracts_dir / stored)
                    write_parquet_atomic(frame, self.extracts_dir / stored)
                # a stated period is what an orders extract replaces; a master or targets file has none
                start, end = (period if p.kind == "orders" else None) or p.period or (None, None)
                record = {
                    "id": extract_id,
                    "seq": seq,
                    "kind": p.kind,
                    "file_name": p.file_name,
                    "stored_name": stored,
                    "sha256": p.sha256,
                    "size": p.size,
                    "format": p.format,
                    "encoding": p.encoding,
                    "sheet": p.sheet,
                    "rows": int(len(p.frame)),
                    "period_start": start,
                    "period_end": end,
                    "districts": p.districts,
                    "columns": p.mapping.columns if p.mapping else {},
                    "loaded_at": _now(),
                    "loaded_by": loaded_by or _user(),
                    "status": "active",
                    "replaced": [r.__dict__ for r in r.replacements],
                }
                new_manifest["extracts"].append(record)
                r.record = record
                r.status = "loaded"
            progress(0.55, "rollups")
            try:
                self._switch(new_manifest, manifest)
            except BaseException:
                # the manifest still names the previous state; take back the files only this load
                # wrote (never a reused one), so a failed load leaves the directory as it found it
                # (a killed process cannot do this: the next writer's _clear_debris does)
                if self.manifest().get("state") == manifest.get("state"):
                    for path in written:
                        path.unlink(missing_ok=True)
                raise
            progress(1.0, "done")
            return results

    def rollback(self, extract_id: str, withdrawn_by: str | None = None, progress: Progress = _noop,
                 timeout: float = 600.0) -> dict:
        """Withdraw one extract: the state becomes what it would be had it never been loaded."""
        return self._set_status(extract_id, "withdraw", withdrawn_by, progress, timeout)

    def restore(self, extract_id: str, restored_by: str | None = None, progress: Progress = _noop,
                timeout: float = 600.0) -> dict:
        """Make a withdrawn extract active again. It keeps its original seq, so the state is what the
        history says: it replaces what was loaded before it, and what was loaded after it still wins."""
        return self._set_status(extract_id, "restore", restored_by, progress, timeout)

    def purge(self, older_than_days: float = RETENTION_DAYS, dry_run: bool = False, purged_by: str | None = None,
              now: dt.datetime | None = None) -> list[PurgeItem]:
        """Remove the stored files of extracts withdrawn more than `older_than_days` ago. Never a file
        an active extract, a more recently withdrawn one or a kept state reads. Purged records stay in
        the history with status "purged" (restoring one is refused, ExtractPurged). Nothing is
        purged any other way: loads, rollbacks and restores never remove an extract file."""
        with _user_errors(), self.lock():
            manifest = self.manifest()
            now = now or dt.datetime.now().astimezone()
            cutoff = now - dt.timedelta(days=older_than_days)
            old = [e for e in manifest["extracts"] if e["status"] == "withdrawn" and e.get("withdrawn_at")
                   and dt.datetime.fromisoformat(e["withdrawn_at"]) <= cutoff]
            staying = {e["stored_name"]: e for e in manifest["extracts"] if e["status"] != "purged" and e not in old}
            read_by_states = self._state_files(manifest)
            items = []
            for e in old:
                path = self.extracts_dir / e["stored_name"]
                item = PurgeItem(e["id"], e["file_name"], e["withdrawn_at"], path.stat().st_size if path.is_file() else 0)
                holder = staying.get(e["stored_name"])
                if holder is not None:
                    item.kept, item.other = ("active" if holder["status"] == "active" else "recent"), holder["id"]
                elif e["stored_name"] in read_by_states:
                    item.kept = "state"
                items.append(item)
            gone = {i.extract_id for i in items if i.kept is None}
            if dry_run:
                return items
            if not gone:
                self._remove_purged_files(manifest)  # what an earlier purge, killed, left
                return items
            new = json.loads(json.dumps(manifest))
            stamp, user = _now(), purged_by or _user()
            for e in new["extracts"]:
                if e["id"] in gone:
                    e.update(status="purged", purged_at=stamp, purged_by=user)
                    e.setdefault("events", []).append({"action": "purge", "at": stamp, "by": user})
            # the manifest first: a purge killed before the files go leaves files nobody needs,
            # which the next purge removes; never a record whose file is missing
            atomic_write_bytes(self.root / MANIFEST, json.dumps(new, ensure_ascii=False, indent=1).encode("utf-8"))
            self._remove_purged_files(new)
            return items

    def _state_files(self, manifest: dict) -> set[str]:
        """The extract files the kept states read (their order lines are read from the extracts)."""
        names: set[str] = set()
        for state in _kept_states(manifest) or {manifest.get("state")} - {None}:
            path = self.states_dir / state / "order_sources.parquet"
            if path.is_file():
                names.update(pd.read_parquet(path, columns=["stored_name"])["stored_name"])
        return names

    def _remove_purged_files(self, manifest: dict) -> None:
        needed = {e["stored_name"] for e in manifest["extracts"] if e["status"] != "purged"} | self._state_files(manifest)
        for e in manifest["extracts"]:
            if e["status"] == "purged" and e["stored_name"] not in needed:
                (self.extracts_dir / e["stored_name"]).unlink(missing_ok=True)

    def preview(self, extract_id: str, action: str) -> ChangePreview:
        """What withdrawing or restoring `extract_id` would change, without changing anything."""
        manifest = self.manifest()
        record = next((e for e in manifest["extracts"] if e["id"] == extract_id), None)
        if record is not None and record["status"] != "purged":
            self._check_files(manifest, also=record)
        with _user_errors():
            return change_preview(self.extracts_dir, manifest, extract_id, action)

    def _set_status(self, extract_id: str, action: str, user: str | None, progress: Progress, timeout: float) -> dict:
        # the same lock, build and switch as a load: a reader sees the old state or the new one
        with _user_errors(), self.lock(timeout):
            manifest = self.manifest()
            new_manifest = planned(manifest, extract_id, action, user or _user())
            progress(0.2, "rollups")
            self._clear_debris(manifest)
            self._check_space([], manifest)
            self._switch(new_manifest, manifest)
            progress(1.0, "done")
            return next(r for r in new_manifest["extracts"] if r["id"] == extract_id)

    def upgrade(self) -> bool:
        """Rebuild a state written by an older version of this code (its rollups or files differ), once,
        under the lock; True when it did. The app and `make run` call this before serving, so data
        loaded before an upgrade keeps working without a manual `python -m analytics rebuild`."""
        if not outdated(self.manifest()):
            return False
        with _user_errors(), self.lock():
            if not outdated(self.manifest()):  # another process may have upgraded it meanwhile
                return False
        self.rebuild()
        return True

    def rebuild(self) -> None:
        """Derive the state again from the extracts (after a code change to the rollups)."""
        with _user_errors(), self.lock():
            manifest = self.manifest()
            self._clear_debris(manifest)
            self._check_space([], manifest)
            self._switch(json.loads(json.dumps(manifest)), None)

    # disk space and files ----------------------------------------------------------------
    def _check_space(self, inputs: list[tuple[str | None, int]], manifest: dict) -> None:
        """Refuse before writing anything when the disk cannot hold what this change writes."""
        state = self.state_dir(manifest)
        state_bytes = sum(p.stat().st_size for p in state.iterdir()) if state is not None and state.is_dir() else 0
        need = space_needed(inputs, state_bytes)
        self.root.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(self.root).free
        if free < need:
            raise NotEnoughSpace(need, free)

    def _check_files(self, manifest: dict, also: dict | None = None) -> None:
        """Every file the state of `manifest` is built from must be there: a missing one is named
        (ExtractMissing) before DuckDB fails on it with a server path."""
        for e in [r for r in manifest["extracts"] if r["status"] == "active"] + ([also] if also else []):
            if not (self.extracts_dir / e["stored_name"]).is_file():
                raise ExtractMissing(e["id"])

    # switching states (the build itself: analytics.state) ----------------------------------
    def _clear_debris(self, manifest: dict) -> None:
        """Remove what a writer killed mid-load left behind: temporary files, state directories the
        manifest does not keep (half built, or complete but never switched to), and extract files
        it does not list. Only called under the lock, so no other writer can be producing them."""
        known = {e["stored_name"] for e in manifest["extracts"]}
        if self.extracts_dir.exists():
            for path in self.extracts_dir.iterdir():
                if path.name.startswith(".") or path.name not in known:
                    path.unlink(missing_ok=True)
        kept = _kept_states(manifest)
        if self.states_dir.exists():
            for path in self.states_dir.iterdir():
                # a manifest written before the history was recorded cannot tell an orphan from a
                # state a reader holds: only hidden (half-built) ones go then
                if path.name.startswith(".") or (kept is not None and path.name not in kept):
                    shutil.rmtree(path, ignore_errors=True)
        for path in self.root.glob(f".{MANIFEST}.*.tmp"):
            path.unlink(missing_ok=True)

    def _switch(self, manifest: dict, current: dict | None) -> None:
        """Build the state `manifest` describes and make it current. With `current` (the manifest
        it replaces, read under the same lock), only what changed since is aggregated again.
        `manifest` arrives naming the state it replaces; it leaves naming the new one, with the
        replaced one first in `previous_states` (kept for readers that still hold it)."""
        self._check_files(manifest)
        gen = f"g{dt.datetime.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
        target = self.states_dir / gen
        years = changed_years(current, manifest) if current is not None else None
        previous = self.state_dir(current) if current is not None else None
        intact = previous is not None and all((previous / f"{n}.parquet").is_file() for n in LINE_ROLLUPS)
        reuse = (previous, years) if years is not None and intact else None
        history = [n for n in [manifest.get("state"), *self._history(manifest)] if n][: KEEP_STATES - 1]
        build_state(self.extracts_dir, manifest["extracts"], target, reuse=reuse)
        manifest["state"] = gen
        manifest["previous_states"] = history
        manifest["format"] = FORMAT_VERSION
        try:
            atomic_write_bytes(self.root / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
        except BaseException:
            # a state no manifest names is an orphan: take it back at once (unless the rename did
            # happen and only what followed it failed)
            if self.manifest().get("state") != gen:
                shutil.rmtree(target, ignore_errors=True)
            raise
        self._prune_states(manifest)

    def _history(self, manifest: dict) -> list[str]:
        """The states before the current one, newest first. A manifest from before the history was
        recorded gets, once, the newest other state directories by time."""
        kept = manifest.get("previous_states")
        if kept is not None:
            return list(kept)
        if not self.states_dir.exists():
            return []
        others = [p for p in self.states_dir.iterdir() if p.is_dir() and not p.name.startswith(".")
                  and p.name != manifest.get("state")]
        return [p.name for p in sorted(others, key=lambda p: p.stat().st_mtime, reverse=True)]

    def _prune_states(self, manifest: dict) -> None:
        """Remove every state the manifest does not keep, by name: the current one and the ones
        before it that readers may still hold stay, whatever their age on disk."""
        if not self.states_dir.exists():
            return
        kept = _kept_states(manifest) or set()
        for path in self.states_dir.iterdir():
            # hidden directories are states being built (only by this writer: we hold the lock)
            if path.is_dir() and not path.name.startswith(".") and path.name not in kept:
                shutil.rmtree(path, ignore_errors=True)


def _kept_states(manifest: dict) -> set[str] | None:
    """The state directories a manifest keeps (current and previous), or None for a manifest from
    before the history was recorded."""
    if "previous_states" not in manifest:
        return None
    return {n for n in [manifest.get("state"), *manifest["previous_states"]] if n}


def space_needed(inputs: list[tuple[str | None, int]], state_bytes: int) -> int:
    """Bytes of free space a change needs: its input files (format, size) stored as parquet, a new
    state the size of the current one, and a margin. See the factors above."""
    extracts = sum(size * EXTRACT_FACTOR.get(fmt or "", EXTRACT_FACTOR_OTHER) for fmt, size in inputs)
    return int(extracts + state_bytes * STATE_FACTOR + SPACE_MARGIN)


def _os_error(exc: BaseException) -> StoreError | None:
    """The StoreError an OS or DuckDB error stands for, when it is one people meet (DuckDB and
    pyarrow do not always keep errno, so their text is read too)."""
    code, text = getattr(exc, "errno", None), str(exc)
    if code in (errno.ENOSPC, errno.EDQUOT) or "No space left on device" in text or "Disk quota exceeded" in text:
        return DiskFull()
    if code in (errno.EACCES, errno.EPERM, errno.EROFS) or "Permission denied" in text or "Read-only file system" in text:
        return PermissionDenied()
    return None


@contextlib.contextmanager
def _user_errors() -> Iterator[None]:
    """Turn a full disk or a permission error into its StoreError (the original stays the cause)."""
    try:
        yield
    except (OSError, duckdb.Error) as exc:
        mapped = _os_error(exc)
        if mapped is None:
            raise
        raise mapped from exc


def _same_content(path: Path, frame: pd.DataFrame) -> bool:
    """Whether a stored extract holds exactly these normalised rows (so it can be reused: the same
    bytes read by other code, or as another sheet, could normalise differently)."""
    try:
        stored = pd.read_parquet(path).drop(columns="extract_id")
    except (OSError, ValueError, KeyError):
        return False
    return stored.reset_index(drop=True).equals(frame.reset_index(drop=True))


def _upsert(current: pd.DataFrame, new: pd.DataFrame, key: str) -> pd.DataFrame:
    keep = current[~current[key].isin(new[key])]
    cols = [c for c in new.columns if c in current.columns or current.empty]
    return pd.concat([keep, new[cols]], ignore_index=True) if not keep.empty else new[cols].copy()


def _check_period(parsed: Parsed, period: tuple[str, str]) -> None:
    frame = parsed.frame
    start, end = pd.Timestamp(period[0]), pd.Timestamp(period[1])
    outside = (frame["order_date"] < start) | (frame["order_date"] > end)
    col = parsed.mapping.columns["order_date"] if parsed.mapping else "order_date"
    rows = pd.Series(frame["order_date"].dt.strftime("%Y-%m-%d").to_numpy(), index=_row_index(parsed))
    parsed.problems.add_rows(parsed.file_name, pd.Series(outside.to_numpy(), index=rows.index), rows, col,
                             "err_outside_period", lo=period[0], hi=period[1])


def _row_index(parsed: Parsed) -> pd.Index:
    """add_rows reads row numbers from the index: give it the rows the lines came from."""
    rows = parsed.rows if parsed.rows is not None else pd.RangeIndex(len(parsed.frame)) + 2
    return pd.Index(rows) - 2


def last_change(manifest: dict) -> str | None:
    """When the data last changed (a load, rollback or restore; a purge changes no figure), as the
    manifest records it (ISO)."""
    stamps = [v for r in manifest.get("extracts", []) for k, v in r.items() if k.endswith("_at") and k != "purged_at" and v]
    return max(stamps, key=lambda v: dt.datetime.fromisoformat(v)) if stamps else None


# --- withdrawing and restoring ---------------------------------------------------------------------

def planned(manifest: dict, extract_id: str, action: str, user: str | None = None) -> dict:
    """The manifest after withdrawing ("withdraw") or restoring ("restore") one extract; the given
    manifest is not changed. Raises an ExtractError when the action cannot be done."""
    new = json.loads(json.dumps(manifest))
    record = next((r for r in new["extracts"] if r["id"] == extract_id), None)
    if record is None:
        known = ", ".join(e["id"] for e in manifest["extracts"]) or "none"
        raise UnknownExtract(f"no extract {extract_id}; known: {known}", extract_id, known=known)
    now = _now()
    if action == "withdraw":
        if record["status"] != "active":
            raise AlreadyWithdrawn(f"{extract_id} is already withdrawn", extract_id)
        record.update(status="withdrawn", withdrawn_at=now, withdrawn_by=user)
    elif action == "restore":
        if record["status"] == "active":
            raise AlreadyActive(f"{extract_id} is already active", extract_id)
        if record["status"] == "purged":
            day = (record.get("purged_at") or "")[:10]
            raise ExtractPurged(f"the file of {extract_id} was purged on {day}; load the original file again", extract_id, day)
        twin = next((r for r in new["extracts"] if r["status"] == "active" and r["sha256"] == record["sha256"]), None)
        if twin is not None:
            raise SameContentActive(f"{extract_id} holds the same file as {twin['id']}, which is active; "
                                    f"withdraw {twin['id']} first", extract_id, twin["id"])
        record.update(status="active", restored_at=now, restored_by=user)
    else:
        raise ValueError(f"unknown action {action!r}: withdraw or restore")
    # the latest withdrawal and restore have their own fields; the trail keeps every one
    record.setdefault("events", []).append({"action": action, "at": now, "by": user})
    return new


def change_preview(extracts_dir: Path, manifest: dict, extract_id: str, action: str) -> ChangePreview:
    """What withdrawing or restoring an extract would change, computed with the same live-line rule
    the build and the load preview use (order_sources, create_live_orders), before against after.
    Changes nothing on disk."""
    after_manifest = planned(manifest, extract_id, action)
    record = next(r for r in manifest["extracts"] if r["id"] == extract_id)
    before = [r for r in manifest["extracts"] if r["status"] == "active"]
    after = [r for r in after_manifest["extracts"] if r["status"] == "active"]
    loaded = {r["id"]: r["loaded_at"] for r in manifest["extracts"]}
    preview = ChangePreview(extract_id, action, record["kind"])
    if record["kind"] == "orders":
        preview.removed, preview.returned = _line_changes(extracts_dir, record, before, after, loaded)
    elif record["kind"] == "targets":
        preview.masters = _target_changes(extracts_dir, before, after, loaded)
    else:
        preview.masters, preview.orphan_lines = _master_changes(extracts_dir, record, before, after, loaded)
    return preview


def _line_changes(extracts_dir: Path, record: dict, before: list[dict], after: list[dict],
                  loaded: dict[str, str]) -> tuple[list[LineChange], list[LineChange]]:
    """Lines live before but not after (removed) and after but not before (returned), per district
    and extract. Replace-by-period confines both to the extract's districts and period, so only
    the extracts that overlap it are read."""
    start, end, districts = record.get("period_start"), record.get("period_end"), record["districts"]
    bounded = bool(start and end)

    def overlapping(active: list[dict]) -> list[dict]:
        return [r for r in active if r["kind"] == "orders" and (
            not bounded or not (r.get("period_start") and r.get("period_end"))
            or (set(r["districts"]) & set(districts) and r["period_start"] <= end and r["period_end"] >= start))]

    where = "district IN (SELECT unnest(?::VARCHAR[]))" + (" AND order_date BETWEEN ?::DATE AND ?::DATE" if bounded else "")
    params: list[object] = [districts, *((start, end) if bounded else ())]
    con = duckdb.connect()
    try:
        for name, active in (("lines_before", before), ("lines_after", after)):
            sources, coverage = order_sources(overlapping(active))
            create_live_orders(con, extracts_dir, sources, coverage)
            con.execute(f"CREATE TABLE {name} AS SELECT {ORDER_COLUMNS} FROM live_orders WHERE {where}", params)

        def diff(a: str, b: str) -> list[LineChange]:
            # EXCEPT ALL on whole lines including extract_id: identical lines count as often as they occur
            rows = con.execute(
                f"""SELECT district, extract_id, COUNT(*)::BIGINT, SUM(quantity_cartons)::DOUBLE / ?,
                           strftime(MIN(order_date), '%Y-%m-%d'), strftime(MAX(order_date), '%Y-%m-%d')
                    FROM (SELECT * FROM {a} EXCEPT ALL SELECT * FROM {b})
                    GROUP BY district, extract_id ORDER BY district, extract_id""",
                [config.CARTONS_PER_CASE]).fetchall()
            return [LineChange(d, e, loaded.get(e, ""), int(n), float(c), s, t) for d, e, n, c, s, t in rows]

        return diff("lines_before", "lines_after"), diff("lines_after", "lines_before")
    finally:
        con.close()


def _master_changes(extracts_dir: Path, record: dict, before: list[dict], after: list[dict],
                    loaded: dict[str, str]) -> tuple[list[MasterChange], int]:
    """The live records of the keys this master extract holds, before against after (only those
    keys can change), and how many live order lines would refer to a key left without a record."""
    kind = record["kind"]
    key, cols = ("retailer_id", RETAILER_COLUMNS) if kind == "retailers" else ("sku_id", SKU_COLUMNS)
    con = duckdb.connect()
    try:
        keys = [k for (k,) in con.execute(f"SELECT DISTINCT {key} FROM read_parquet(?)",
                                             [str(extracts_dir / record["stored_name"])]).fetchall()]

        def live(active: list[dict]) -> dict[str, dict]:
            holders = [r for r in active if r["kind"] == kind]
            if not holders:
                return {}
            con.register("holder_seq", pd.DataFrame({"extract_id": [r["id"] for r in holders],
                                                     "seq": [int(r["seq"]) for r in holders]}))
            extract_view(con, extracts_dir, holders, "holder_files", union_by_name=True)
            frame = con.execute(
                f"""SELECT {cols}, extract_id FROM holder_files JOIN holder_seq USING (extract_id)
                    WHERE {key} IN (SELECT unnest(?::VARCHAR[]))
                    QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY seq DESC) = 1""",
                [keys]).df()
            frame = frame.astype(object).where(frame.notna(), None)
            return {row[key]: row for row in frame.to_dict("records")}

        old, new = live(before), live(after)
        changes = []
        for k in sorted(set(old) | set(new)):
            a, b = old.get(k), new.get(k)
            source = b.pop("extract_id") if b else None
            if a:
                a.pop("extract_id")
            if a != b:
                changes.append(MasterChange(k, a, b, source, loaded.get(source) if source else None))
        gone = [c.key for c in changes if c.after is None]
        orphans = 0
        if gone:
            sources, coverage = order_sources([r for r in after if r["kind"] == "orders"])
            create_live_orders(con, extracts_dir, sources, coverage)
            orphans = con.execute(f"SELECT COUNT(*) FROM live_orders WHERE {key} IN (SELECT unnest(?::VARCHAR[]))",
                                  [gone]).fetchone()[0]
        return changes, int(orphans)
    finally:
        con.close()


def _resolved_targets(con: duckdb.DuckDBPyConnection, extracts_dir: Path, active: list[dict],
                      extra: pd.DataFrame | None = None) -> dict[tuple, list[dict]]:
    """The live targets rows by (year, district, manager), by the build's own rule (state.create_targets)."""
    create_targets(con, extracts_dir, [r for r in active if r["kind"] == "targets"], extra)
    frame = con.execute(f"SELECT {TARGET_COLUMNS}, extract_id FROM resolved_targets ORDER BY year, district, manager, month").df()
    frame = frame.astype(object).where(frame.notna(), None)
    keys: dict[tuple, list[dict]] = {}
    for row in frame.to_dict("records"):
        keys.setdefault((row["year"], row["district"], row["manager"]), []).append(row)
    return keys


def _target_summary(rows: list[dict] | None) -> dict | None:
    """A key's whole-year row's measures and its number of month rows."""
    if not rows:
        return None
    whole = next(r for r in rows if r["month"] == 0)
    return {**{m: whole[m] for m in TARGET_MEASURES}, "months": sum(1 for r in rows if r["month"])}


def _target_changes(extracts_dir: Path, before: list[dict], after: list[dict], loaded: dict[str, str]) -> list[MasterChange]:
    """The targets keys whose rows differ, before against after. Targets files are small: both sides are resolved whole."""
    con = duckdb.connect()
    try:
        old, new = _resolved_targets(con, extracts_dir, before), _resolved_targets(con, extracts_dir, after)
    finally:
        con.close()
    def strip(rows: list[dict] | None) -> list[dict]:
        return [{k: v for k, v in r.items() if k != "extract_id"} for r in rows or []]

    changes = []
    for key in sorted(set(old) | set(new), key=lambda k: (k[0], k[1], k[2] or "")):
        a, b = old.get(key), new.get(key)
        if strip(a) != strip(b):
            source = b[0]["extract_id"] if b else None
            name = " · ".join(str(v) for v in key if v is not None)
            changes.append(MasterChange(name, _target_summary(a), _target_summary(b), source, loaded.get(source) if source else None))
    return changes


def load_paths(store: Store, paths: list[str], kind: str | None = None, loaded_by: str | None = None,
               progress: Progress = _noop, sheet: str | None = None,
               period: tuple[str, str] | None = None) -> list[LoadResult]:
    """Load files from disk (the CLI's and the demo's path into the same code as uploads)."""
    files = [(Path(p).name, Path(p).read_bytes()) for p in paths]
    return store.load(files, kind=kind, sheet=sheet, period=period, loaded_by=loaded_by, progress=progress)


__all__ = ["Store", "LoadResult", "Replacement", "TargetKey", "Problem", "ChangePreview", "LineChange", "MasterChange", "ExtractError",
           "build_state", "change_preview", "load_paths", "planned", "StoreError", "LockTimeout", "NotEnoughSpace", "DiskFull",
           "PermissionDenied", "ExtractMissing", "ExtractPurged", "PurgeItem", "space_needed"]
