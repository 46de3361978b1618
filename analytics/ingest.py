"""Reading extracts: bytes in, a normalised frame (or a list of problems) out.

Nothing here touches the data directory; the store decides what to keep. Every value that
cannot be normalised becomes a Problem naming file, row (header = row 1), column and value.
"""
from __future__ import annotations

import hashlib
import io
import zipfile
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

MAX_PROBLEMS_SHOWN = 50
#: an xlsx is a zip: refuse one that would inflate past this, or by more than this ratio (zip bombs)
MAX_XLSX_INFLATED = 2 * 1024 * 1024 * 1024
MAX_XLSX_RATIO = 200


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    value: str | None
    code: str
    params: tuple[tuple[str, object], ...] = ()

    def message(self, lang: str = "zh") -> str:
        what = t(self.code, lang, **dict(self.params))
        where: list[str] = [self.file]
        if lang == "en":
            if self.row is not None:
                where.append(f"row {self.row}")
            if self.column is not None:
                where.append(f"column '{self.column}'")
            if self.value is not None:
                where.append(f"value '{self.value}'")
            return ", ".join(where) + ": " + what
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.column is not None:
            where.append(f"列“{self.column}”")
        if self.value is not None:
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
        """One problem per row where `mask` holds; row numbers as the analyst sees them."""
        bad = np.flatnonzero(mask.to_numpy(dtype=bool, na_value=False))
        self.count += len(bad)
        room = MAX_PROBLEMS_SHOWN - len(self.items)
        for pos in bad[: max(room, 0)]:
            value = values.iloc[pos]
            self.items.append(
                Problem(file, int(pos) + 2, column, "" if _blank(value) else str(value), code, tuple(params.items()))
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

def sniff_format(data: bytes) -> str:
    """What the bytes are, whatever the file is called: parquet, xlsx, xls, text, or another binary."""
    if data[:4] == b"PAR1":
        return "parquet"
    if data[:4] == b"PK\x03\x04":
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return "zip"
        return "xlsx" if any(n.startswith("xl/") for n in names) else "zip"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "xls"
    if b"\x00" in data[:4096]:
        return "binary"
    return "csv"


def decode_text(data: bytes) -> tuple[str, str] | None:
    """Strict UTF-8 (a BOM is dropped, not kept in the first header), else GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
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
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return value if isinstance(value, str) else str(value)


def xlsx_sheets(data: bytes) -> list[str]:
    return list(pd.ExcelFile(io.BytesIO(data), engine="calamine").sheet_names)


def _check_zip_bomb(data: bytes) -> bool:
    info = zipfile.ZipFile(io.BytesIO(data)).infolist()
    inflated = sum(i.file_size for i in info)
    return inflated <= MAX_XLSX_INFLATED and inflated <= max(len(data), 1) * MAX_XLSX_RATIO


def read_table(data: bytes, file_name: str, sheet: str | None = None) -> tuple[Parsed, pd.DataFrame | None]:
    """Bytes to a raw frame (headers as written, values as text where the format has no types)."""
    parsed = Parsed(file_name=file_name, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    problems = parsed.problems
    if len(data) > config.MAX_FILE_BYTES:
        problems.add(Problem(file_name, None, None, None, "err_too_large", (("limit", config.MAX_FILE_BYTES // 2**20),)))
        return parsed, None
    fmt = sniff_format(data)
    parsed.format = fmt
    ext = Path(file_name).suffix.lower() or "?"
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            raw = pq.read_table(io.BytesIO(data)).to_pandas()
        elif fmt in ("xlsx", "xls"):
            if fmt == "xlsx" and not _check_zip_bomb(data):
                problems.add(Problem(file_name, None, None, None, "err_unreadable", (("detail", "zip bomb"),)))
                return parsed, None
            parsed.sheets = xlsx_sheets(data)
            parsed.sheet = sheet if sheet is not None else (parsed.sheets[0] if parsed.sheets else None)
            raw = pd.read_excel(io.BytesIO(data), engine="calamine", sheet_name=parsed.sheet, dtype=object)
            raw = raw.map(_cell_text)
        elif fmt == "csv":
            decoded = decode_text(data)
            if decoded is None:
                problems.add(Problem(file_name, None, None, None, "err_encoding"))
                return parsed, None
            text, parsed.encoding = decoded
            first = text.split("\n", 1)[0]
            sep = "\t" if first.count("\t") > first.count(",") else ","
            raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=sep, skipinitialspace=False)
        else:
            problems.add(Problem(file_name, None, None, None, "err_wrong_format", (("actual", fmt), ("ext", ext))))
            return parsed, None
    except Exception as exc:  # a malformed file of a known format: report, never crash
        problems.add(Problem(file_name, None, None, None, "err_unreadable", (("detail", f"{type(exc).__name__}: {exc}"[:200]),)))
        return parsed, None
    raw.columns = [str(c) for c in raw.columns]
    parsed.raw_rows = len(raw)
    return parsed, raw


# --- normalising -----------------------------------------------------------------------------

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S")


def parse_dates(values: pd.Series) -> pd.Series:
    """Dates as 2023-03-07, 2023/3/7, 20230307, 2023.3.7 or Excel serial days; NaT where none fits."""
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
    return values.astype("string").str.strip()


def _vocab(values: pd.Series, vocab: dict[str, object]) -> pd.Series:
    """Map through a vocabulary once per distinct spelling (fast on millions of rows)."""
    cat = values.astype("string").fillna("").astype("category")
    mapped = [vocab.get(fold(c)) for c in cat.cat.categories]
    codes = cat.cat.codes.to_numpy()
    out = np.array(mapped + [None], dtype=object)[codes]
    return pd.Series(out, index=values.index)


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
        problems.add(Problem(f, 1, col, None, "err_missing_column", (("column", col),)))
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

    if kind == "orders":
        dates = parse_dates(src("order_date"))
        problems.add_rows(f, dates.isna(), src("order_date"), header("order_date"), "err_bad_date")
        lo, hi = pd.Timestamp(config.MIN_ORDER_DATE), pd.Timestamp(config.MAX_ORDER_DATE)
        problems.add_rows(f, dates.notna() & ((dates < lo) | (dates > hi)), src("order_date"), header("order_date"),
                          "err_date_range", lo=config.MIN_ORDER_DATE, hi=config.MAX_ORDER_DATE)
        out["order_date"] = dates
        required_text("retailer_id")
        required_text("sku_id")
        qty = parse_numbers(src("quantity_cartons")) * mapping.scales.get("quantity_cartons", 1)
        problems.add_rows(f, qty.isna(), src("quantity_cartons"), header("quantity_cartons"), "err_bad_number")
        problems.add_rows(f, qty <= 0, src("quantity_cartons"), header("quantity_cartons"), "err_not_positive")
        whole = (qty - qty.round()).abs() < 1e-6
        problems.add_rows(f, qty.notna() & (qty > 0) & ~whole, src("quantity_cartons"), header("quantity_cartons"), "err_not_whole")
        out["quantity_cartons"] = qty.round().fillna(0).astype("int64")
        amount = parse_numbers(src("amount_yuan"))
        problems.add_rows(f, amount.isna(), src("amount_yuan"), header("amount_yuan"), "err_bad_number")
        problems.add_rows(f, amount < 0, src("amount_yuan"), header("amount_yuan"), "err_negative")
        out["amount_yuan"] = amount
        out["channel"] = _vocab(src("channel"), CHANNEL_VOCAB).fillna("other").astype("string")
    elif kind == "retailers":
        required_text("retailer_id")
        required_text("retailer_name")
        required_text("district")
        optional_text("manager")
        area = _vocab(src("area_type"), AREA_VOCAB)
        problems.add_rows(f, area.isna(), src("area_type"), header("area_type"), "err_bad_area")
        out["area_type"] = area.astype("string")
        optional_text("business_format")
        if "customer_tier" in mapping.columns:
            tier = parse_numbers(src("customer_tier"))
            given = _ids(src("customer_tier")).fillna("") != ""
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
        problems.add_rows(f, prov.isna(), src("is_provincial"), header("is_provincial"), "err_bad_bool")
        out["is_provincial"] = prov.astype("boolean")
        price = parse_numbers(src("wholesale_price")) if "wholesale_price" in mapping.columns else pd.Series(np.nan, index=raw.index)
        if "wholesale_price" in mapping.columns:
            given = _ids(src("wholesale_price")).fillna("") != ""
            problems.add_rows(f, given & price.isna(), src("wholesale_price"), header("wholesale_price"), "err_bad_number")
            problems.add_rows(f, price < 0, src("wholesale_price"), header("wholesale_price"), "err_negative")
        out["wholesale_price"] = price
        derived = price.map(lambda p: config.price_class_for(p) if pd.notna(p) else None)
        if "price_class" in mapping.columns:
            given = _ids(src("price_class")).fillna("") != ""
            cls = _vocab(src("price_class"), CLASS_VOCAB)
            problems.add_rows(f, given & cls.isna(), src("price_class"), header("price_class"), "err_bad_class")
            cls = cls.where(given, derived)
            missing = ~given & price.isna()
            problems.add_rows(f, missing, src("price_class"), header("price_class"), "err_bad_class")
        else:
            cls = derived
            problems.add_rows(f, price.isna(), src("wholesale_price"), header("wholesale_price"), "err_bad_number")
        out["price_class"] = pd.to_numeric(cls, errors="coerce").astype("Int64")

    key = MASTER_KEYS.get(kind)
    if key is not None:
        dup = out[key].duplicated(keep="first") & (out[key] != "")
        if dup.any():
            first_row = out.reset_index().groupby(key, sort=False)["index"].transform("min") + 2
            for pos in np.flatnonzero(dup.to_numpy()):
                problems.add(Problem(f, int(pos) + 2, header(key), str(out[key].iloc[pos]), "err_duplicate_key",
                                     (("first", int(first_row.iloc[pos])),)))
    parsed.frame = out.reset_index(drop=True)
    return parsed


def check_references(parsed: Parsed, retailers: pd.DataFrame, skus: pd.DataFrame) -> Parsed:
    """Order lines must name retailers and SKUs the masters know; attach each line's district."""
    if parsed.kind != "orders" or parsed.frame is None:
        return parsed
    frame = parsed.frame
    mapping = parsed.mapping
    assert mapping is not None
    district_of = pd.Series(retailers["district"].to_numpy(), index=retailers["retailer_id"].to_numpy())
    district = frame["retailer_id"].map(district_of)
    unknown_r = district.isna() & (frame["retailer_id"] != "")
    parsed.problems.add_rows(parsed.file_name, unknown_r, frame["retailer_id"], mapping.columns["retailer_id"], "err_unknown_retailer")
    known_sku = frame["sku_id"].isin(skus["sku_id"])
    parsed.problems.add_rows(parsed.file_name, ~known_sku & (frame["sku_id"] != ""), frame["sku_id"], mapping.columns["sku_id"], "err_unknown_sku")
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
    normalise(parsed, raw, kind)
    if parsed.kind == "orders" and parsed.frame is not None and retailers is not None and skus is not None:
        check_references(parsed, retailers, skus)
    return parsed


def empty_master(kind: str) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series(dtype="string") for c in COLUMNS[kind]})
