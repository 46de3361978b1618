"""Tables as files people open in Excel: CSV (UTF-8 with BOM) and XLSX, formula-safe, and
carrying what they show (filters, data period) so a circulated file explains itself."""
from __future__ import annotations

import io

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


def xlsx_bytes(frame: pd.DataFrame, note: str | None = None, sheet: str = "数据") -> bytes:
    """One sheet of data (strings never turned into formulas) and, with a note, a second sheet saying what it shows."""
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                     "nan_inf_to_errors": True})
    ws = book.add_worksheet(sheet)
    head = book.add_format({"bold": True})
    num = book.add_format({"num_format": "#,##0.00"})
    safe = escape_frame(frame)
    for j, col in enumerate(safe.columns):
        ws.write_string(0, j, str(col), head)
        ws.set_column(j, j, max(10, min(40, len(str(col)) * 2)))
    for i, row in enumerate(safe.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
                continue
            if isinstance(value, bool):
                ws.write_boolean(i, j, value)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                ws.write_number(i, j, float(value), num if isinstance(value, float) else None)
            else:
                ws.write_string(i, j, str(value))
    if note:
        info = book.add_worksheet("说明")
        info.write_string(0, 0, str(escape_cell(note)))
    book.close()
    return buf.getvalue()
