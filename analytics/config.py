"""Settings that users may edit, and where the data lives."""
from __future__ import annotations

import os
from pathlib import Path

#: 1 箱 = 250 条 (5 万支): the unit every volume in the product is reported in.
CARTONS_PER_CASE = 250

#: Price-class thresholds in 元/条 (wholesale), used only when an SKU master row has no 价类.
#: Each entry is (class, lower bound inclusive); a price falls in the first class whose bound it reaches.
PRICE_CLASS_THRESHOLDS: tuple[tuple[int, float], ...] = (
    (1, 100.0),
    (2, 70.0),
    (3, 30.0),
    (4, 16.5),
    (5, 0.0),
)

#: Largest extract accepted, in bytes (Streamlit's own upload limit is 200 MB).
MAX_FILE_BYTES = int(os.environ.get("DASHBOARD_MAX_FILE_MB", "200")) * 1024 * 1024

#: Order dates outside this window are refused as impossible.
MIN_ORDER_DATE = "2000-01-01"
MAX_ORDER_DATE = "2099-12-31"

#: A change smaller than this (in %) reads as "flat" in the written summary.
FLAT_THRESHOLD_PCT = 0.5

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The data directory: an explicit path, else $DASHBOARD_DATA_DIR, else ./data beside the code."""
    if explicit:
        return Path(explicit).resolve()
    env = os.environ.get("DASHBOARD_DATA_DIR")
    if env:
        return Path(env).resolve()
    return DEFAULT_DATA_DIR


def price_class_for(price: float) -> int:
    """价类 of a wholesale price in 元/条 by the thresholds above."""
    for cls, lower in PRICE_CLASS_THRESHOLDS:
        if price >= lower:
            return cls
    return 5
