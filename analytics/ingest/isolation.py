"""Parsing Excel in a child process: a native reader that crashes or hangs on a hostile file then
costs one refused upload, not the server."""
from __future__ import annotations

import hashlib
import importlib
import logging
import os
import pickle
import subprocess
import sys
from pathlib import Path

from .. import config
from .normalise import parse_bytes
from .problems import LabelRef, Problem
from .reading import Parsed, sniff_format

log = logging.getLogger(__name__)

#: seconds an isolated parse may take before the child is killed and the file refused
PARSE_TIMEOUT_S = float(os.environ.get("DASHBOARD_PARSE_TIMEOUT_S", "300"))
#: settings the child must share with this process (tests and users may change them at run time)
SHARED_CONFIG = ("MAX_FILE_BYTES", "MIN_ORDER_DATE", "MAX_ORDER_DATE", "PRICE_CLASS_THRESHOLDS", "CARTONS_PER_CASE")
_ROOT = str(Path(__file__).resolve().parents[2])


def parse_bytes_isolated(
    data: bytes,
    file_name: str,
    kind: str | None = None,
    sheet: str | None = None,
    timeout: float | None = None,
    entry: str = "analytics.ingest:parse_bytes",
) -> Parsed:
    """parse_bytes in a child Python process: a crash (segfault, abort, out of memory) or a hang
    there becomes an err_unreadable Problem here instead of taking the server down.

    A plain subprocess rather than multiprocessing: under `streamlit run`, sys.modules["__main__"]
    is the app script, which spawn/forkserver children would import and run again. The child gets
    (data, name, kind, sheet, config) pickled on stdin and answers a pickled Parsed on stdout.
    `entry` ("module:function", called like parse_bytes) exists so tests can make the child fail.
    """
    if len(data) > config.MAX_FILE_BYTES or not sys.executable:
        return parse_bytes(data, file_name, kind=kind, sheet=sheet)  # nothing risky to parse, or no way to isolate
    timeout = PARSE_TIMEOUT_S if timeout is None else timeout
    shared = {name: getattr(config, name) for name in SHARED_CONFIG}
    payload = pickle.dumps((entry, data, file_name, kind, sheet, shared), protocol=pickle.HIGHEST_PROTOCOL)
    code = f"import sys; sys.path.insert(0, {_ROOT!r}); from analytics.ingest.isolation import _child_main; _child_main()"
    detail: LabelRef | None = None
    try:
        done = subprocess.run([sys.executable, "-c", code], input=payload, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:  # subprocess.run has killed the child
        detail = LabelRef("err_detail_timeout", (("seconds", f"{timeout:g}"),))
    else:
        if done.returncode == 0:
            try:
                parsed = pickle.loads(done.stdout)
            except Exception:  # a garbled answer is a failed parse like any other
                detail = LabelRef("err_detail_exit", (("code", 0),))
            else:
                if isinstance(parsed, Parsed):
                    return parsed
                detail = LabelRef("err_detail_exit", (("code", 0),))
        elif done.returncode < 0:
            detail = LabelRef("err_detail_signal", (("signal", -done.returncode),))
        else:
            detail = LabelRef("err_detail_exit", (("code", done.returncode),))
        log.warning("isolated parse of %s failed (%s): %s", file_name, done.returncode, done.stderr.decode(errors="replace")[-2000:])
    parsed = Parsed(file_name=file_name, sha256=hashlib.sha256(data).hexdigest(), size=len(data), format=sniff_format(data))
    parsed.problems.add(Problem(file_name, None, None, None, "err_unreadable", (("detail", detail),)))
    return parsed


def _child_main() -> None:
    """The child side of parse_bytes_isolated."""
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # anything a library prints must not corrupt the pickled answer
    entry, data, file_name, kind, sheet, shared = pickle.load(sys.stdin.buffer)
    for name, value in shared.items():
        setattr(config, name, value)
    module, func = entry.split(":")
    parsed = getattr(importlib.import_module(module), func)(data, file_name, kind=kind, sheet=sheet)
    out.write(pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL))
    out.flush()


def parse_file(data: bytes, name: str, kind: str | None = None, sheet: str | None = None) -> Parsed:
    """Excel goes through a native parser (calamine), so it is parsed in a child process; CSV and
    parquet are parsed here, where they are faster and their readers are not the risky ones."""
    if sniff_format(data) in ("xlsx", "xls"):
        return parse_bytes_isolated(data, name, kind=kind, sheet=sheet)
    return parse_bytes(data, name, kind=kind, sheet=sheet)
