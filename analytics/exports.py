"""Tables as files people open in Excel: CSV (UTF-8 with BOM) and XLSX, formula-safe."""
from __future__ import annotations

import pandas as pd

#: a cell starting with one of these is a formula to Excel (CSV injection): prefix it with '
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.columns = [escape_cell(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(escape_cell)
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM so Excel shows Chinese correctly; text cells escaped."""
    return escape_frame(frame).to_csv(index=False).encode("utf-8-sig")
