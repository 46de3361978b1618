"""The audit trail: who loaded, withdrew, restored, exported or downloaded what, and whether it was allowed.

`audit.jsonl` in the data directory holds one JSON object a line: time, identity, role, action,
target (an extract id, a file or export name), scope, result, and any details. Every entry is
appended with one `os.write` to a file opened with O_APPEND: the kernel places each write at the
end of the file as a whole, so writers in several processes (the server's sessions, the command
line) never interleave inside a line and none overwrites another. The file is never rewritten:
to archive it, move it away; the next entry starts a new one.
"""
from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .access import Scope

AUDIT_FILE = "audit.jsonl"

#: the actions the product records (a free text would make the admin's filter guess)
ACTIONS = ("load", "load_refused", "rollback", "restore", "purge", "export", "deck", "refused")

#: the columns of `read`, in order; what an entry holds beyond them is in `details` (JSON)
COLUMNS = ["time", "identity", "role", "action", "target", "scope", "result", "details"]


def os_user() -> str | None:
    """The command line's identity: the operating system's user name (None in a container without a
    passwd entry)."""
    try:
        return getpass.getuser()
    except Exception:  # getpass raises OSError or KeyError depending on what is missing
        return None


def _scope(scope: Scope | None) -> object:
    return None if scope is None else scope.to_dict()


def record(data_dir: str | os.PathLike[str], identity: str | None, role: str | None, action: str, target: str | None,
           scope: Scope | None, result: str, **extra: object) -> dict:
    """Append one entry and return it. `scope` None means no limit (the command line, local mode).
    Raises OSError when the entry cannot be written: an action that must be audited should not
    pass silently unrecorded."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; known: {', '.join(ACTIONS)}")
    if set(extra) & set(COLUMNS):
        raise ValueError(f"details may not be named like a column: {sorted(set(extra) & set(COLUMNS))}")
    entry = {"time": dt.datetime.now().astimezone().isoformat(timespec="milliseconds"), "identity": identity, "role": role,
             "action": action, "target": target, "scope": _scope(scope), "result": result, **extra}
    # json.dumps escapes newlines inside strings, so the entry is exactly one line
    line = (json.dumps(entry, ensure_ascii=False, default=str, separators=(",", ":")) + "\n").encode("utf-8")
    root = Path(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / AUDIT_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o640)
    try:
        written = os.write(fd, line)
        if written != len(line):  # only a full disk cuts a regular file's write short
            raise OSError(f"audit entry cut short: {written} of {len(line)} bytes written")
        os.fsync(fd)  # an audit entry lost on a power cut is a gap nobody can explain later
    finally:
        os.close(fd)
    return entry


def _lines(path: Path) -> tuple[list[dict], int]:
    """The entries of the file, and how many lines could not be read (a write cut short by a full
    disk leaves a partial line; it is counted, not fatal)."""
    entries, bad = [], 0
    try:
        with open(path, "rb") as fh:
            for raw in fh:
                if not raw.strip():
                    continue
                try:
                    entry = json.loads(raw)
                except ValueError:
                    bad += 1
                    continue
                if isinstance(entry, dict):
                    entries.append(entry)
                else:
                    bad += 1
    except FileNotFoundError:
        pass
    return entries, bad


def _as_set(value: str | Iterable[str] | None) -> set[str] | None:
    if value is None:
        return None
    return {value} if isinstance(value, str) else set(value)


def read(data_dir: str | os.PathLike[str], identity: str | None = None, action: str | Iterable[str] | None = None,
         result: str | Iterable[str] | None = None, since: str | dt.datetime | dt.date | None = None,
         until: str | dt.datetime | dt.date | None = None, text: str | None = None) -> pd.DataFrame:
    """The log as a frame for the admin's table, newest first (in the order entries were appended, so
    clocks that differ between processes do not reorder it). Filters: identity (case-insensitive),
    one action or several, one result or several, a time range (a date counts as the whole day:
    `until` a date includes it), and a text found in the target or the details. `attrs["unreadable"]`
    counts lines that could not be read."""
    entries, bad = _lines(Path(data_dir) / AUDIT_FILE)
    rows = []
    for e in reversed(entries):
        details = {k: v for k, v in e.items() if k not in COLUMNS}
        scope = e.get("scope")
        rows.append({"time": e.get("time"), "identity": e.get("identity"), "role": e.get("role"), "action": e.get("action"),
                     "target": e.get("target"), "scope": "*" if scope is None else json.dumps(scope, ensure_ascii=False),
                     "result": e.get("result"),
                     "details": json.dumps(details, ensure_ascii=False, default=str) if details else ""})
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["time"] = pd.to_datetime(frame["time"], format="ISO8601", utc=True, errors="coerce")
    keep = pd.Series(True, index=frame.index)
    if identity:
        keep &= frame["identity"].fillna("").str.casefold() == identity.strip().casefold()
    for column, wanted in (("action", _as_set(action)), ("result", _as_set(result))):
        if wanted is not None:
            keep &= frame[column].isin(wanted)
    if since is not None:
        keep &= frame["time"] >= _moment(since, end=False)
    if until is not None:
        keep &= frame["time"] <= _moment(until, end=True)
    if text:
        needle = text.casefold()
        keep &= (frame["target"].fillna("").str.casefold().str.contains(needle, regex=False)
                 | frame["details"].str.casefold().str.contains(needle, regex=False))
    out = frame[keep].reset_index(drop=True)
    out.attrs["unreadable"] = bad
    return out


def _moment(value: str | dt.datetime | dt.date, end: bool) -> pd.Timestamp:
    """A bound in UTC. A bare date (or "YYYY-MM-DD") is the start of that day, or its last instant
    for `until`, in the server's time zone; a naive time is the server's local time."""
    whole_day = isinstance(value, dt.date) and not isinstance(value, dt.datetime) or (isinstance(value, str) and len(value) == 10)
    stamp = pd.Timestamp(value)
    if whole_day and end:
        stamp = stamp + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize(dt.datetime.now().astimezone().tzinfo)
    return stamp.tz_convert("UTC")


__all__ = ["ACTIONS", "AUDIT_FILE", "COLUMNS", "os_user", "read", "record"]
