"""Normalising a raw table into one kind's canonical columns: headers mapped (analytics.contract),
values parsed (dates, numbers, IDs, vocabularies), one function per kind; then order lines checked
against the masters. Every value that cannot be normalised becomes a Problem."""
from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from .. import config
from ..contract import (
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
from .problems import Problem
from .reading import Parsed, read_table

log = logging.getLogger(__name__)

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


class _Table:
    """One raw table being normalised into `out`: the helpers every kind's function uses. Problems
    are added in the order the columns are checked, which is the order they are listed in."""

    def __init__(self, parsed: Parsed, raw: pd.DataFrame, mapping: Mapping) -> None:
        self.file, self.problems, self.raw, self.mapping = parsed.file_name, parsed.problems, raw, mapping
        self.out = pd.DataFrame(index=raw.index)

    def has(self, name: str) -> bool:
        return name in self.mapping.columns

    def src(self, name: str) -> pd.Series:
        return self.raw[self.mapping.columns[name]]

    def header(self, name: str) -> str:
        return self.mapping.columns[name]

    def rows(self, mask: pd.Series, name: str, code: str, **params: object) -> None:
        """A problem for each row where `mask` holds, in column `name`."""
        self.problems.add_rows(self.file, mask, self.src(name), self.header(name), code, **params)

    def required_text(self, *names: str) -> None:
        """Columns of text (codes, names) that no row may leave blank, checked in this order."""
        for name in names:
            values = _ids(self.src(name))
            self.rows(values.isna() | (values == ""), name, "err_blank")
            self.out[name] = values

    def optional_text(self, name: str) -> None:
        self.out[name] = (_ids(self.src(name)).fillna("") if self.has(name)
                          else pd.Series("", index=self.raw.index, dtype="string"))

    def blank_or(self, name: str, bad: pd.Series, code: str, **params: object) -> None:
        """An empty required cell says "must not be blank"; a filled one that fails says `code`."""
        blank = _blanks(self.src(name))
        self.rows(blank, name, "err_blank")
        self.rows(bad & ~blank, name, code, **params)

    def required_word(self, name: str, vocab: dict[str, object], code: str, dtype: str) -> None:
        """A required column of words from `vocab` (城网/农网, 是/否 …): blank or unknown says so."""
        values = _vocab(self.src(name), vocab)
        self.blank_or(name, values.isna(), code)
        self.out[name] = values.astype(dtype)


def _orders(t: _Table) -> None:
    dates = parse_dates(t.src("order_date"))
    t.blank_or("order_date", dates.isna(), "err_bad_date")
    lo, hi = pd.Timestamp(config.MIN_ORDER_DATE), pd.Timestamp(config.MAX_ORDER_DATE)
    t.rows(dates.notna() & ((dates < lo) | (dates > hi)), "order_date", "err_date_range",
           lo=config.MIN_ORDER_DATE, hi=config.MAX_ORDER_DATE)
    t.out["order_date"] = dates
    t.required_text("retailer_id", "sku_id")
    qty = parse_numbers(t.src("quantity_cartons")) * t.mapping.scales.get("quantity_cartons", 1)
    t.blank_or("quantity_cartons", qty.isna(), "err_bad_number")
    t.rows(qty <= 0, "quantity_cartons", "err_not_positive")
    whole = (qty - qty.round()).abs() < 1e-6
    t.rows(qty.notna() & (qty > 0) & ~whole, "quantity_cartons", "err_not_whole")
    t.out["quantity_cartons"] = qty.round().fillna(0).astype("int64")
    amount = parse_numbers(t.src("amount_yuan"))
    t.blank_or("amount_yuan", amount.isna(), "err_bad_number")
    t.rows(amount < 0, "amount_yuan", "err_negative")
    t.out["amount_yuan"] = amount
    t.out["channel"] = _vocab(t.src("channel"), CHANNEL_VOCAB).fillna("other").astype("string")


def _retailers(t: _Table) -> None:
    t.required_text("retailer_id", "retailer_name", "district")
    t.optional_text("manager")
    t.required_word("area_type", AREA_VOCAB, "err_bad_area", "string")
    t.optional_text("business_format")
    if t.has("customer_tier"):
        tier = parse_numbers(t.src("customer_tier"))
        given = ~_blanks(t.src("customer_tier"))
        bad = given & (tier.isna() | (tier < 1) | (tier > 30) | ((tier - tier.round()).abs() > 1e-9))
        t.rows(bad, "customer_tier", "err_bad_tier")
        t.out["customer_tier"] = tier.where(given & ~bad).round().astype("Int64")
    else:
        t.out["customer_tier"] = pd.Series(pd.NA, index=t.raw.index, dtype="Int64")


def _skus(t: _Table) -> None:
    t.required_text("sku_id", "sku_name", "brand")
    t.optional_text("manufacturer")
    t.required_word("is_provincial", BOOL_VOCAB, "err_bad_bool", "boolean")
    price = parse_numbers(t.src("wholesale_price")) if t.has("wholesale_price") else pd.Series(np.nan, index=t.raw.index)
    if t.has("wholesale_price"):
        given = ~_blanks(t.src("wholesale_price"))
        t.rows(given & price.isna(), "wholesale_price", "err_bad_number")
        t.rows(price < 0, "wholesale_price", "err_negative")
    t.out["wholesale_price"] = price
    derived = price.map(lambda p: config.price_class_for(p) if pd.notna(p) else None)
    if t.has("price_class"):
        given = ~_blanks(t.src("price_class"))
        cls = _vocab(t.src("price_class"), CLASS_VOCAB)
        t.rows(given & cls.isna(), "price_class", "err_bad_class")
        cls = cls.where(given, derived)
        # no class and no price to derive it from
        t.rows(~given & price.isna(), "price_class", "err_blank")
    else:
        cls = derived
        t.blank_or("wholesale_price", price.isna(), "err_bad_number")
    t.out["price_class"] = pd.to_numeric(cls, errors="coerce").astype("Int64")


#: how each kind's values are normalised (the columns they make are analytics.schema's, in file order)
NORMALISERS = {"orders": _orders, "retailers": _retailers, "skus": _skus}


def _duplicate_keys(t: _Table, key: str) -> None:
    out = t.out
    dup = out[key].duplicated(keep="first") & (out[key] != "")
    if dup.any():
        # rows as the analyst sees them: the index is the record number in the file
        row = pd.Series(out.index.to_numpy() + 2, index=out.index)
        first_row = row.groupby(out[key], sort=False).transform("min")
        for label in out.index[dup.to_numpy()]:
            t.problems.add(Problem(t.file, int(row[label]), t.header(key), str(out.at[label, key]), "err_duplicate_key",
                                   (("first", int(first_row[label])),)))


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
    table = _Table(parsed, raw, mapping)
    NORMALISERS[kind](table)
    key = MASTER_KEYS.get(kind)
    if key is not None:
        _duplicate_keys(table, key)
    parsed.rows = table.out.index.to_numpy(dtype=np.int64) + 2
    parsed.frame = table.out.reset_index(drop=True)
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

