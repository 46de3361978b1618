"""Reading extracts: bytes in, a normalised frame (or a list of problems) out.

Nothing here touches the data directory; the store decides what to keep. Every value that
cannot be normalised becomes a Problem naming file, row (header = row 1), column and value.
Excel files are parsed in a child process (parse_bytes_isolated): a native parser that crashes
or hangs on a hostile file then costs one refused upload, not the server.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import io
import logging
import os
import pickle
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import config
from .contract import (
    AREA_VOCAB,
    BOOL_VOCAB,
    CHANNEL_VOCAB,
    CLASS_VOCAB,
    COLUMNS,
    KINDS,
    MASTER_KEYS,
    Mapping,
    detect_kind,
    fold,
    map_headers,
)
from .labels import t

log = logging.getLogger(__name__)

MAX_PROBLEMS_SHOWN = 50
#: an xlsx is a zip: refuse one that would inflate past this, or by more than this ratio (zip bombs)
MAX_XLSX_INFLATED = 2 * 1024 * 1024 * 1024
MAX_XLSX_RATIO = 200
#: seconds an isolated parse may take before the child is killed and the file refused
PARSE_TIMEOUT_S = float(os.environ.get("DASHBOARD_PARSE_TIMEOUT_S", "300"))


def human_size(n: int) -> str:
    """Bytes as people read them: 150 B, 1.5 KB, 200 MB (one decimal, none when whole)."""
    for unit, size in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if n >= size:
            return f"{n / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} B"


@dataclass(frozen=True)
class LabelRef:
    """A message parameter that is itself a label, so it reads in the reader's language."""

    key: str
    params: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    value: str | None
    code: str
    params: tuple[tuple[str, object], ...] = ()

    def message(self, lang: str = "zh") -> str:
        params = {k: t(v.key, lang, **dict(v.params)) if isinstance(v, LabelRef) else v for k, v in self.params}
        what = t(self.code, lang, **params)
        where: list[str] = [self.file]
        if lang == "en":
            if self.row is not None:
                where.append(f"row {self.row}")
            if self.column is not None:
                where.append(f"column '{self.column}'")
            if self.value:  # an empty cell has no value worth quoting
                where.append(f"value '{self.value}'")
            return ", ".join(where) + ": " + what
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.column is not None:
            where.append(f"列“{self.column}”")
        if self.value:
            where.append(f"值“{self.value}”")
        return "，".join(where) + "：" + what


class ProblemList:
    """Keeps the first MAX_PROBLEMS_SHOWN problems and counts them all."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.count = 0

    def add(self, problem: Problem) -> None:
        self.count += 1
        if len(self.items) < MAX_PROBLEMS_SHOWN:
            self.items.append(problem)

    def add_rows(
        self, file: str, mask: pd.Series, values: pd.Series, column: str, code: str, **params: object
    ) -> None:
        """One problem per row where `mask` holds; row numbers as the analyst sees them.

        The index of `values` is the record's position in the file (0 = first line under the
        header), kept through dropping blank rows, so row = index + 2.
        """
        bad = np.flatnonzero(mask.to_numpy(dtype=bool, na_value=False))
        self.count += len(bad)
        room = MAX_PROBLEMS_SHOWN - len(self.items)
        for pos in bad[: max(room, 0)]:
            value = values.iloc[pos]
            self.items.append(
                Problem(file, int(values.index[pos]) + 2, column, "" if _blank(value) else str(value), code, tuple(params.items()))
            )

    def messages(self, lang: str = "zh") -> list[str]:
        lines = [p.message(lang) for p in self.items]
        if self.count > len(self.items):
            lines.append(t("err_more", lang, n=self.count - len(self.items)))
        return lines

    def __bool__(self) -> bool:
        return self.count > 0


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == "" or value is pd.NA


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


# --- reading -------------------------------------------------------------------------------

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


# --- normalising -----------------------------------------------------------------------------

# "%Y/%m/%d %H:%M" is how Excel writes a datetime cell into a CSV ("2019/12/2 0:00")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S",
                 "%Y-%m-%dT%H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M")


def parse_dates(values: pd.Series) -> pd.Series:
    """Dates as 2023-03-07, 2023/3/7, 20230307, 2023.3.7 or Excel serial days; NaT where none fits."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        # the wall-clock date the system recorded; converting to naive UTC could move it a day
        values = values.dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.astype("datetime64[ns]").dt.normalize()
    text = values.astype("string").str.strip()
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for fmt in _DATE_FORMATS:
        todo = result.isna() & text.notna() & (text != "")
        if not todo.any():
            break
        result[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
    serial = result.isna() & text.str.fullmatch(r"\d{5}(\.0+)?").fillna(False)
    if serial.any():
        days = pd.to_numeric(text[serial], errors="coerce")
        result[serial] = pd.Timestamp("1899-12-30") + pd.to_timedelta(days, unit="D")
    return result.dt.normalize()


def parse_numbers(values: pd.Series) -> pd.Series:
    """Numbers with thousands separators, currency signs or full-width digits; NaN where not a number."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype("float64")
    text = values.astype("string").str.normalize("NFKC").str.replace(r"[,\s¥]", "", regex=True)
    return pd.to_numeric(text, errors="coerce").astype("float64")


def _ids(values: pd.Series) -> pd.Series:
    if pd.api.types.is_integer_dtype(values):
        return values.astype("string")
    if pd.api.types.is_float_dtype(values):
        # a typed float column (parquet written from a spreadsheet): 6901028000001.0 is the ID 6901028000001
        whole = values.notna() & np.isfinite(values) & (values == values.round())
        text = values.astype("string")
        text[whole] = values[whole].astype("int64").astype("string")
        return text
    return values.astype("string").str.strip()


def _blanks(values: pd.Series) -> pd.Series:
    """Cells with nothing in them (typed nulls or empty/whitespace text)."""
    return values.isna() | (values.astype("string").fillna("").str.strip() == "")


def _vocab(values: pd.Series, vocab: dict[str, object]) -> pd.Series:
    """Map through a vocabulary once per distinct spelling (fast on millions of rows)."""
    cat = values.astype("string").fillna("").astype("category")
    mapped = [vocab.get(fold(c)) for c in cat.cat.categories]
    codes = cat.cat.codes.to_numpy()
    out = np.array(mapped + [None], dtype=object)[codes]
    return pd.Series(out, index=values.index)


def _accepted_headers(kind: str, name: str) -> tuple[str, str]:
    """(header to name in a message, every header accepted) for a missing column."""
    cols = {c.name: c for c in COLUMNS[kind]}
    names = [name, "wholesale_price"] if (kind, name) == ("skus", "price_class") else [name]
    accepted: list[str] = []
    for n in names:
        accepted += [*cols[n].aliases, *cols[n].scaled_aliases, n]
    return (cols[name].aliases or (name,))[0], " / ".join(accepted)


def normalise(parsed: Parsed, raw: pd.DataFrame, kind: str | None = None) -> Parsed:
    """Map headers and normalise values of `raw` into parsed.frame, or record why not."""
    f = parsed.file_name
    problems = parsed.problems
    headers = list(raw.columns)
    kind = kind or detect_kind(headers)
    if kind not in KINDS:
        problems.add(Problem(f, 1, None, None, "err_unknown_kind"))
        return parsed
    parsed.kind = kind
    mapping = map_headers(headers, kind)
    parsed.mapping = mapping
    for col in mapping.missing:
        shown, accepted = _accepted_headers(kind, col)
        problems.add(Problem(f, 1, None, None, "err_missing_column", (("column", shown), ("aliases", accepted))))
    if mapping.missing:
        return parsed
    if raw.empty:
        problems.add(Problem(f, None, None, None, "err_empty_file"))
        return parsed

    def src(name: str) -> pd.Series:
        return raw[mapping.columns[name]]

    def header(name: str) -> str:
        return mapping.columns[name]

    out = pd.DataFrame(index=raw.index)

    def required_text(name: str) -> None:
        values = _ids(src(name))
        problems.add_rows(f, values.isna() | (values == ""), src(name), header(name), "err_blank")
        out[name] = values

    def optional_text(name: str) -> None:
        out[name] = _ids(src(name)).fillna("") if name in mapping.columns else pd.Series("", index=raw.index, dtype="string")

    def blank_or(name: str, bad: pd.Series, code: str, **params: object) -> None:
        """An empty required cell says "must not be blank"; a filled one that fails says `code`."""
        blank = _blanks(src(name))
        problems.add_rows(f, blank, src(name), header(name), "err_blank")
        problems.add_rows(f, bad & ~blank, src(name), header(name), code, **params)

    if kind == "orders":
        dates = parse_dates(src("order_date"))
        blank_or("order_date", dates.isna(), "err_bad_date")
        lo, hi = pd.Timestamp(config.MIN_ORDER_DATE), pd.Timestamp(config.MAX_ORDER_DATE)
        problems.add_rows(f, dates.notna() & ((dates < lo) | (dates > hi)), src("order_date"), header("order_date"),
                          "err_date_range", lo=config.MIN_ORDER_DATE, hi=config.MAX_ORDER_DATE)
        out["order_date"] = dates
        required_text("retailer_id")
        required_text("sku_id")
        qty = parse_numbers(src("quantity_cartons")) * mapping.scales.get("quantity_cartons", 1)
        blank_or("quantity_cartons", qty.isna(), "err_bad_number")
        problems.add_rows(f, qty <= 0, src("quantity_cartons"), header("quantity_cartons"), "err_not_positive")
        whole = (qty - qty.round()).abs() < 1e-6
        problems.add_rows(f, qty.notna() & (qty > 0) & ~whole, src("quantity_cartons"), header("quantity_cartons"), "err_not_whole")
        out["quantity_cartons"] = qty.round().fillna(0).astype("int64")
        amount = parse_numbers(src("amount_yuan"))
        blank_or("amount_yuan", amount.isna(), "err_bad_number")
        problems.add_rows(f, amount < 0, src("amount_yuan"), header("amount_yuan"), "err_negative")
        out["amount_yuan"] = amount
        out["channel"] = _vocab(src("channel"), CHANNEL_VOCAB).fillna("other").astype("string")
    elif kind == "retailers":
        required_text("retailer_id")
        required_text("retailer_name")
        required_text("district")
        optional_text("manager")
        area = _vocab(src("area_type"), AREA_VOCAB)
        blank_or("area_type", area.isna(), "err_bad_area")
        out["area_type"] = area.astype("string")
        optional_text("business_format")
        if "customer_tier" in mapping.columns:
            tier = parse_numbers(src("customer_tier"))
            given = ~_blanks(src("customer_tier"))
            bad = given & (tier.isna() | (tier < 1) | (tier > 30) | ((tier - tier.round()).abs() > 1e-9))
            problems.add_rows(f, bad, src("customer_tier"), header("customer_tier"), "err_bad_tier")
            out["customer_tier"] = tier.where(given & ~bad).round().astype("Int64")
        else:
            out["customer_tier"] = pd.Series(pd.NA, index=raw.index, dtype="Int64")
    else:  # skus
        required_text("sku_id")
        required_text("sku_name")
        required_text("brand")
        optional_text("manufacturer")
        prov = _vocab(src("is_provincial"), BOOL_VOCAB)
        blank_or("is_provincial", prov.isna(), "err_bad_bool")
        out["is_provincial"] = prov.astype("boolean")
        price = parse_numbers(src("wholesale_price")) if "wholesale_price" in mapping.columns else pd.Series(np.nan, index=raw.index)
        if "wholesale_price" in mapping.columns:
            given = ~_blanks(src("wholesale_price"))
            problems.add_rows(f, given & price.isna(), src("wholesale_price"), header("wholesale_price"), "err_bad_number")
            problems.add_rows(f, price < 0, src("wholesale_price"), header("wholesale_price"), "err_negative")
        out["wholesale_price"] = price
        derived = price.map(lambda p: config.price_class_for(p) if pd.notna(p) else None)
        if "price_class" in mapping.columns:
            given = ~_blanks(src("price_class"))
            cls = _vocab(src("price_class"), CLASS_VOCAB)
            problems.add_rows(f, given & cls.isna(), src("price_class"), header("price_class"), "err_bad_class")
            cls = cls.where(given, derived)
            # no class and no price to derive it from
            problems.add_rows(f, ~given & price.isna(), src("price_class"), header("price_class"), "err_blank")
        else:
            cls = derived
            blank_or("wholesale_price", price.isna(), "err_bad_number")
        out["price_class"] = pd.to_numeric(cls, errors="coerce").astype("Int64")

    key = MASTER_KEYS.get(kind)
    if key is not None:
        dup = out[key].duplicated(keep="first") & (out[key] != "")
        if dup.any():
            # rows as the analyst sees them: the index is the record number in the file
            row = pd.Series(out.index.to_numpy() + 2, index=out.index)
            first_row = row.groupby(out[key], sort=False).transform("min")
            for label in out.index[dup.to_numpy()]:
                problems.add(Problem(f, int(row[label]), header(key), str(out.at[label, key]), "err_duplicate_key",
                                     (("first", int(first_row[label])),)))
    parsed.rows = out.index.to_numpy(dtype=np.int64) + 2
    parsed.frame = out.reset_index(drop=True)
    return parsed


def _unknown_ids(parsed: Parsed, mask: pd.Series, column: str, code: str) -> None:
    """One problem per unknown ID (not per line): the analyst needs the list of IDs to add to a
    master, and a thousand lines of one missing shop must not hide the other missing shops."""
    if not mask.any():
        return
    assert parsed.frame is not None and parsed.mapping is not None
    rows = parsed.rows if parsed.rows is not None else np.arange(len(parsed.frame)) + 2
    bad = pd.DataFrame({"id": parsed.frame.loc[mask.to_numpy(), column].to_numpy(), "row": rows[mask.to_numpy()]})
    seen = bad.groupby("id", sort=False)["row"].agg(["min", "size"]).sort_values("min")
    for value, first, lines in seen.itertuples():
        parsed.problems.add(Problem(parsed.file_name, int(first), parsed.mapping.columns[column], str(value),
                                    code if lines == 1 else f"{code}_lines", (("n", int(lines)),)))


def check_references(parsed: Parsed, retailers: pd.DataFrame, skus: pd.DataFrame) -> Parsed:
    """Order lines must name retailers and SKUs the masters know; attach each line's district."""
    if parsed.kind != "orders" or parsed.frame is None:
        return parsed
    frame = parsed.frame
    district_of = pd.Series(retailers["district"].to_numpy(), index=retailers["retailer_id"].to_numpy())
    district = frame["retailer_id"].map(district_of)
    _unknown_ids(parsed, district.isna() & (frame["retailer_id"] != ""), "retailer_id", "err_unknown_retailer")
    _unknown_ids(parsed, ~frame["sku_id"].isin(skus["sku_id"]) & (frame["sku_id"] != ""), "sku_id", "err_unknown_sku")
    frame["district"] = district.astype("string")
    return parsed


def parse_bytes(
    data: bytes,
    file_name: str,
    kind: str | None = None,
    sheet: str | None = None,
    retailers: pd.DataFrame | None = None,
    skus: pd.DataFrame | None = None,
) -> Parsed:
    """Read, normalise and (for orders, given the masters) check references: the whole pipeline."""
    parsed, raw = read_table(data, file_name, sheet)
    if raw is None:
        return parsed
    try:
        normalise(parsed, raw, kind)
    except Exception as exc:  # values this code did not foresee: refuse the file, never crash the page
        log.exception("normalising %s failed", file_name)
        parsed.frame = None
        parsed.problems.add(Problem(file_name, None, None, None, "err_unreadable", (("detail", f"{type(exc).__name__}: {exc}"[:200]),)))
        return parsed
    if parsed.kind == "orders" and parsed.frame is not None and retailers is not None and skus is not None:
        check_references(parsed, retailers, skus)
    return parsed


# --- isolation ---------------------------------------------------------------------------------

#: settings the child must share with this process (tests and users may change them at run time)
_SHARED_CONFIG = ("MAX_FILE_BYTES", "MIN_ORDER_DATE", "MAX_ORDER_DATE", "PRICE_CLASS_THRESHOLDS", "CARTONS_PER_CASE")
_ROOT = str(Path(__file__).resolve().parent.parent)


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
    shared = {name: getattr(config, name) for name in _SHARED_CONFIG}
    payload = pickle.dumps((entry, data, file_name, kind, sheet, shared), protocol=pickle.HIGHEST_PROTOCOL)
    code = f"import sys; sys.path.insert(0, {_ROOT!r}); from analytics.ingest import _child_main; _child_main()"
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


def empty_master(kind: str) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series(dtype="string") for c in COLUMNS[kind]})
