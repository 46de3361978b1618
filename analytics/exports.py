"""Tables as files people open in Excel: CSV (UTF-8 with BOM) and XLSX, formula-safe, and
carrying what they show (filters, data period) so a circulated file explains itself."""
from __future__ import annotations

import io
import numbers

import numpy as np
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


def csv_bytes(frame: pd.DataFrame, note: str | None = None) -> bytes:
    """UTF-8 with a BOM so Excel shows Chinese correctly; text cells escaped. `note` (filters and
    period) goes in a first line starting with #, before the header."""
    body = escape_frame(frame).to_csv(index=False)
    head = f"# {escape_cell(note) if not note.startswith('#') else note}\n" if note else ""
    return (head + body).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, note: str | None = None, sheet: str = "数据", raw: pd.DataFrame | None = None,
               formats: dict[str, str] | None = None, raw_sheet: str = "原始精度", note_sheet: str = "说明") -> bytes:
    """The table as shown (strings never turned into formulas; numbers as numbers in `formats`, an Excel
    number format per header), with `raw` a second sheet of the same table at full precision for
    analysts, and with a note a last sheet saying what it shows."""
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                     "nan_inf_to_errors": True})
    head = book.add_format({"bold": True})
    cache: dict[str, object] = {}

    def fmt(code: str | None):
        if code is None:
            return None
        if code not in cache:
            cache[code] = book.add_format({"num_format": code})
        return cache[code]

    def write(name: str, table: pd.DataFrame, full: bool) -> None:
        ws = book.add_worksheet(name)
        safe = escape_frame(table)
        styles = [None if full else fmt((formats or {}).get(str(c), "#,##0.00" if pd.api.types.is_float_dtype(table[c]) else None))
                  for c in table.columns]
        for j, col in enumerate(safe.columns):
            ws.write_string(0, j, str(col), head)
            ws.set_column(j, j, max(10, min(40, len(str(col)) * 2)))
        ws.freeze_panes(1, 1)  # headers and the first (naming) column stay in view
        for i, row in enumerate(safe.itertuples(index=False), start=1):
            for j, value in enumerate(row):
                if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
                    continue
                if isinstance(value, bool | np.bool_):
                    ws.write_boolean(i, j, bool(value))
                elif isinstance(value, numbers.Real):  # numpy integers too
                    ws.write_number(i, j, float(value), styles[j])
                else:
                    ws.write_string(i, j, str(value))

    write(sheet, frame, full=False)
    if raw is not None:
        write(raw_sheet, raw, full=True)
    if note:
        info = book.add_worksheet(note_sheet)
        info.write_string(0, 0, str(escape_cell(note)))
    book.close()
    return buf.getvalue()
