"""Which errors a user can meet while the data directory is read or written, and the label that says so.

Pages show the label in the user's language (pages/common.py::store_error_message); anything not
listed here is unexpected and goes to the page's wrapper (logged with a reference)."""
from __future__ import annotations

import errno

import duckdb


def error_label(exc: BaseException) -> str | None:
    """The label key for an error of the disk, the lock or the files (err_disk_full, err_permission,
    err_file_missing, err_io, err_lock_timeout), or None when it is none of those. A full disk and a
    refused write read as the store's own errors do (analytics.store.DiskFull, PermissionDenied):
    one text each."""
    if isinstance(exc, TimeoutError):  # before OSError, of which it is one: the store's lock was held too long
        return "err_lock_timeout"
    if isinstance(exc, FileNotFoundError):
        return "err_file_missing"
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return "err_disk_full"
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return "err_permission"
        return "err_io"
    if isinstance(exc, duckdb.IOException):
        return "err_io"
    return None
