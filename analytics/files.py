"""Atomic file writes: a reader, or a process killed half way, sees a file's old content or its new
content, never a part (write beside it, fsync, rename over it, fsync the directory)."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


def stamp(path: Path) -> tuple:
    """What changes when a file is written or replaced (an atomic write makes a new inode), or () for
    no file: a cheap key for re-reading a file only when it changed."""
    try:
        s = path.stat()
    except OSError:
        return ()
    return (s.st_mtime_ns, s.st_ino, s.st_size)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _synced_beside(path: Path, data: bytes) -> Path:
    """`data` in a new temporary file beside `path`, on disk (fsynced): the first step of an atomic write
    (a full disk leaves no temporary file behind)."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, fsync, rename over it, fsync the directory."""
    tmp = _synced_beside(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a full disk leaves no temporary file behind
        raise
    fsync_dir(path.parent)



def write_parquet_atomic(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp, compression="zstd")
        fsync_file(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a full disk leaves no temporary file behind
        raise
    fsync_dir(path.parent)



def create_once(path: Path, data: bytes) -> bool:
    """Write a new file atomically, never over an existing one: True when written, False when `path`
    already existed (the first writer wins; nothing of the second is left). For records that must stay
    as they were made (an issued visit list)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _synced_beside(path, data)
    try:
        os.link(tmp, path)  # fails if the name exists: the check and the creation are one step
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)  # the file keeps its data under its own name
    fsync_dir(path.parent)
    return True
