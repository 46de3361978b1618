"""One parse per upload. A page shows a preview of the files uploaded, reruns on every click, and
then loads them when the analyst confirms: with a ParseCache, each file is parsed once and the load
stores exactly the parse the preview showed."""
from __future__ import annotations

import dataclasses
import hashlib
import threading

from .. import config
from . import isolation
from .reading import Parsed


def _key(data: bytes, name: str, kind: str | None, sheet: str | None) -> tuple:
    # the file name is in every problem's text; the shared settings change what a parse accepts
    settings = repr(tuple(getattr(config, n) for n in isolation.SHARED_CONFIG))
    return hashlib.sha256(data).hexdigest(), name, kind, sheet, settings


def _copy(parsed: Parsed) -> Parsed:
    """A copy the store may change (it adds each order line's district and the problems of the
    reference and period checks) without changing the cached parse. The frame is a shallow copy:
    under pandas' copy-on-write a change to either side copies what it changes."""
    problems = parsed.problems.copy()
    frame = parsed.frame.copy(deep=False) if parsed.frame is not None else None
    return dataclasses.replace(parsed, frame=frame, problems=problems, sheets=list(parsed.sheets))


class ParseCache:
    """The parses of the batch parsed last, by content, file name, kind, sheet and settings. It holds
    one batch (the files the page holds anyway): parsing another batch drops what this one does not
    use. The reference and period checks are not cached: they depend on the masters at the time."""

    def __init__(self) -> None:
        self._entries: dict[tuple, Parsed] = {}
        self._lock = threading.Lock()

    def parse_batch(self, files: list[tuple[str, bytes]], kind: str | None = None,
                    sheet: str | None = None) -> list[Parsed]:
        """Each file parsed (isolation.parse_file) or taken from the cache, as a copy of its own."""
        with self._lock:
            kept: dict[tuple, Parsed] = {}
            out = []
            for name, data in files:
                key = _key(data, name, kind, sheet)
                parsed = kept.get(key) or self._entries.get(key)
                if parsed is None:
                    parsed = isolation.parse_file(data, name, kind=kind, sheet=sheet)
                kept[key] = parsed
                out.append(_copy(parsed))
            self._entries = kept
            return out

    def clear(self) -> None:
        with self._lock:
            self._entries = {}
