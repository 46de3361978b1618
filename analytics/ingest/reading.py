"""Reading an upload: what the bytes are (sniffed, whatever the file is called), how its text is
encoded, which sheet of a workbook, and the raw table with headers as written. Also the result
every later step fills in (Parsed)."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..contract import Mapping
from .problems import LabelRef, Problem, ProblemList, human_size

#: an xlsx is a zip: refuse one that would inflate past this, or by more than this ratio (zip bombs)
MAX_XLSX_INFLATED = 2 * 1024 * 1024 * 1024
MAX_XLSX_RATIO = 200


@dataclass
class Parsed:
    """One file read and normalised. `frame` is None when it could not be read at all."""

    file_name: str
    sha256: str
    size: int
    format: str = ""
    encoding: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    kind: str | None = None
    mapping: Mapping | None = None
    raw_rows: int = 0
    frame: pd.DataFrame | None = None
    #: the row number in the file (header = 1) of each row of `frame`, for later problems
    rows: np.ndarray | None = None
    problems: ProblemList = field(default_factory=ProblemList)

    @property
    def ok(self) -> bool:
        return self.frame is not None and not self.problems

    @property
    def period(self) -> tuple[str, str] | None:
        if self.kind != "orders" or self.frame is None or self.frame.empty:
            return None
        dates = self.frame["order_date"]
        return (str(dates.min().date()), str(dates.max().date()))

    @property
    def districts(self) -> list[str]:
        if self.frame is None or "district" not in self.frame.columns:
            return []
        return sorted(self.frame["district"].dropna().unique().tolist())


#: Formats people upload by mistake, named so the refusal says what the file really is.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"%PDF-", "pdf"),
    (b"\x1f\x8b", "gzip"),
    (b"Rar!", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
)


def sniff_format(data: bytes) -> str:
    """What the bytes are, whatever the file is called: parquet, xlsx, xls, csv, or what else they are."""
    if data[:4] == b"PAR1":
        return "parquet"
    if data[:4] == b"PK\x03\x04":
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except (zipfile.BadZipFile, ValueError):
            return "zip"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("ppt/") for n in names):
            return "pptx"
        return "zip"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "xls"
    for magic, fmt in _MAGIC:
        if data.startswith(magic):
            return fmt
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "csv"  # UTF-16 text with a BOM (Excel's "Unicode text"): its NULs are not binary
    if b"\x00" in data[:4096]:
        return "binary"
    # some systems export an HTML table and call it .xls; say so rather than fail on the headers
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")):
        return "html"
    return "csv"


def decode_text(data: bytes) -> tuple[str, str] | None:
    """Strict UTF-8 (a BOM is dropped, not kept in the first header), UTF-16 with a BOM,
    else GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            return None
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            return None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        return None


def _cell_text(value: object) -> object:
    """Excel cells as the analyst typed them: 430101000123.0 is the ID 430101000123."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):  # typed Excel dates (calamine gives datetime, not Timestamp)
        return value.strftime("%Y-%m-%d")
    return value if isinstance(value, str) else str(value)


def xlsx_sheets(data: bytes) -> list[str]:
    return list(pd.ExcelFile(io.BytesIO(data), engine="calamine").sheet_names)


def _zip_inflated_size(data: bytes, cap: int) -> int:
    """What an xlsx really inflates to, counted by decompressing (stops once past `cap`).

    The sizes a zip declares can lie and Python's zipfile trusts them, so each member's deflate
    stream is inflated in 1 MB steps here; Excel writes only stored and deflated members.
    """
    total = 0
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            if info.compress_type == zipfile.ZIP_STORED:
                total += info.compress_size
            elif info.compress_type == zipfile.ZIP_DEFLATED:
                head = data[info.header_offset: info.header_offset + 30]
                start = info.header_offset + 30 + int.from_bytes(head[26:28], "little") + int.from_bytes(head[28:30], "little")
                chunk = data[start: start + info.compress_size]
                inflater = zlib.decompressobj(-15)
                while chunk and total <= cap:
                    total += len(inflater.decompress(chunk, 2**20))
                    chunk = inflater.unconsumed_tail
                if total <= cap:
                    total += len(inflater.flush())
            else:
                return cap + 1
            if total > cap:
                return total
    return total


def _zip_bomb(data: bytes, file_name: str) -> Problem | None:
    """A Problem when the xlsx would inflate past MAX_XLSX_INFLATED or MAX_XLSX_RATIO × its size."""
    cap = min(MAX_XLSX_INFLATED, max(len(data), 1) * MAX_XLSX_RATIO)
    declared = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    if declared <= cap and _zip_inflated_size(data, cap) <= cap:
        return None
    detail = LabelRef("err_detail_zip_bomb", (("limit", human_size(cap)), ("size", human_size(len(data)))))
    return Problem(file_name, None, None, None, "err_unreadable", (("detail", detail),))


def _drop_blank_rows(raw: pd.DataFrame) -> pd.DataFrame:
    """Rows with nothing in any cell (blank lines, Excel's ",,,,," tails) are not data; the index
    keeps each remaining row's position in the file, so problems still name the right row."""
    if raw.empty or raw.shape[1] == 0:
        return raw
    blank = pd.Series(True, index=raw.index)
    for col in raw.columns:
        blank &= raw[col].astype("string").fillna("").str.strip() == ""
    return raw[~blank.to_numpy()]


def read_table(data: bytes, file_name: str, sheet: str | None = None) -> tuple[Parsed, pd.DataFrame | None]:
    """Bytes to a raw frame (headers as written, values as text where the format has no types)."""
    parsed = Parsed(file_name=file_name, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    problems = parsed.problems
    if len(data) > config.MAX_FILE_BYTES:
        problems.add(Problem(file_name, None, None, None, "err_too_large",
                             (("size", human_size(len(data))), ("limit", human_size(config.MAX_FILE_BYTES)))))
        return parsed, None
    if not data.strip():  # zero bytes or only whitespace: say "empty", not "cannot parse"
        problems.add(Problem(file_name, None, None, None, "err_empty_file"))
        return parsed, None
    fmt = sniff_format(data)
    parsed.format = fmt
    ext = Path(file_name).suffix.lower() or "?"
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            raw = pq.read_table(io.BytesIO(data)).to_pandas()
        elif fmt in ("xlsx", "xls"):
            if fmt == "xlsx" and (bomb := _zip_bomb(data, file_name)) is not None:
                problems.add(bomb)
                return parsed, None
            parsed.sheets = xlsx_sheets(data)
            if sheet is not None and sheet not in parsed.sheets:
                problems.add(Problem(file_name, None, None, None, "err_no_sheet",
                                     (("sheet", sheet), ("sheets", " / ".join(parsed.sheets)))))
                return parsed, None
            parsed.sheet = sheet if sheet is not None else (parsed.sheets[0] if parsed.sheets else None)
            raw = pd.read_excel(io.BytesIO(data), engine="calamine", sheet_name=parsed.sheet, dtype=object)
            raw = _drop_blank_rows(raw.map(_cell_text))
        elif fmt == "csv":
            decoded = decode_text(data)
            if decoded is None:
                problems.add(Problem(file_name, None, None, None, "err_encoding"))
                return parsed, None
            text, parsed.encoding = decoded
            first = text.split("\n", 1)[0]
            sep = "\t" if first.count("\t") > first.count(",") else ","
            # blank lines are kept while reading so that the index stays the record number
            raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=sep, skipinitialspace=False,
                              skip_blank_lines=False)
            raw = _drop_blank_rows(raw)
        else:
            problems.add(Problem(file_name, None, None, None, "err_wrong_format",
                                 (("actual", LabelRef(f"err_content_{fmt}")), ("ext", ext))))
            return parsed, None
    except Exception as exc:  # a malformed file of a known format: report, never crash
        problems.add(Problem(file_name, None, None, None, "err_unreadable", (("detail", f"{type(exc).__name__}: {exc}"[:200]),)))
        return parsed, None
    if raw.shape[1] == 0:  # e.g. an empty first sheet
        problems.add(Problem(file_name, None, None, None, "err_empty_file"))
        return parsed, None
    raw.columns = [str(c) for c in raw.columns]
    parsed.raw_rows = len(raw)
    return parsed, raw

