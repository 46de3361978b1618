"""Normalising a raw table into one kind's canonical columns: headers mapped (analytics.contract),
values parsed (dates, numbers, IDs, vocabularies), one function per kind; then order lines checked
against the masters. Every value that cannot be normalised becomes a Problem."""
from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from .. import config
from ..contract import (
    ADDITIVE_TARGETS,
    AREA_VOCAB,
    BOOL_VOCAB,
    CHANNEL_VOCAB,
    CLASS_VOCAB,
    COLUMNS,
    KINDS,
    MASTER_KEYS,
    PCT_TARGETS,
    TARGET_KEY,
    TARGET_MEASURES,
    TARGET_ROW_KEY,
    TARGET_TOLERANCE_CASES,
    Mapping,
    detect_kind,
    fold,
    map_headers,
)
from .problems import LabelRef, Problem
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
    are added in the order the columns are checked; ProblemList lists them by row and column."""

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


def _targets(t: _Table) -> None:
    lo, hi = int(config.MIN_ORDER_DATE[:4]), int(config.MAX_ORDER_DATE[:4])
    year = parse_numbers(t.src("year"))
    t.blank_or("year", year.isna() | ~_whole_in(year, lo, hi), "err_bad_year", lo=lo, hi=hi)
    t.out["year"] = year.where(_whole_in(year, lo, hi)).round().astype("Int64")
    if t.has("month"):
        month = parse_numbers(t.src("month"))
        blank = _blanks(t.src("month"))
        t.rows(~blank & ~_whole_in(month, 0, 12), "month", "err_bad_month")
        # blank or 0 is the whole-year row; an unreadable month is no month (the file is refused anyway)
        t.out["month"] = month.where(~blank, 0).where(blank | _whole_in(month, 0, 12)).round().astype("Int64")
    else:
        t.out["month"] = pd.Series(0, index=t.raw.index, dtype="Int64")
    t.required_text("district")
    t.optional_text("manager")
    for name in TARGET_MEASURES:
        if not t.has(name):
            t.out[name] = pd.Series(np.nan, index=t.raw.index, dtype="float64")
            continue
        text = t.src(name)
        # a rate may be written with its sign ("92%"); the column is in percent either way
        values = parse_numbers(text.astype("string").str.replace("%", "", regex=False) if name in PCT_TARGETS else text)
        blank = _blanks(text)
        if name == "volume_target_cases":  # the one measure every row must give
            t.blank_or(name, values.isna(), "err_bad_number")
        else:
            t.rows(~blank & values.isna(), name, "err_bad_number")
        t.rows(values < 0, name, "err_negative")
        if name in PCT_TARGETS:
            t.rows(values > 100, name, "err_bad_pct")
        t.out[name] = values.where(values >= 0)
    _duplicate_targets(t)
    _months_against_year(t)


def _whole_in(values: pd.Series, lo: int, hi: int) -> pd.Series:
    """Whole numbers from lo to hi (NaN is not)."""
    return values.notna() & ((values - values.round()).abs() < 1e-9) & (values >= lo) & (values <= hi)


def _when(year: object, month: int) -> tuple[tuple[str, object], ...]:
    """The year and month of a targets row as message parameters ("2019 年 3 月" / "2019 全年")."""
    return (("year", year), ("month", LabelRef("target_month", (("m", month),)) if month else LabelRef("target_whole_year")))


def _manager_param(manager: str) -> LabelRef:
    return LabelRef("target_manager", (("name", manager),)) if manager else LabelRef("target_district_own")


def _valid_keys(t: _Table) -> pd.DataFrame:
    """The rows whose key (year, month, district, manager) could be read, with their row numbers."""
    keys = t.out[list(TARGET_ROW_KEY)].copy()
    keys["row"] = keys.index.to_numpy() + 2
    return keys[keys["year"].notna() & keys["month"].notna() & (keys["district"] != "")]


def _duplicate_targets(t: _Table) -> None:
    """Two rows of one (year, month, district, manager): which one is meant cannot be told."""
    keys = _valid_keys(t)
    dup = keys.duplicated(list(TARGET_ROW_KEY), keep="first")
    if not dup.any():
        return
    first = keys.groupby(list(TARGET_ROW_KEY), sort=False)["row"].transform("min")
    for label in keys.index[dup.to_numpy()]:
        k = keys.loc[label]
        t.problems.add(Problem(t.file, int(k["row"]), t.header("district"), str(k["district"]), "err_duplicate_target",
                               (*_when(int(k["year"]), int(k["month"])), ("manager", _manager_param(k["manager"])),
                                ("first", int(first[label])))))


def _months_against_year(t: _Table) -> None:
    """A key with a whole-year row and month rows: each additive measure given in the whole-year row
    must equal the sum of the months' (within TARGET_TOLERANCE_CASES), or the file says two things."""
    keys = _valid_keys(t)
    year_rows = keys[keys["month"] == 0].drop_duplicates(list(TARGET_KEY))
    month_rows = keys[keys["month"] > 0]
    if year_rows.empty or month_rows.empty:
        return
    for label, whole in year_rows.iterrows():
        same = month_rows[(month_rows["year"] == whole["year"]) & (month_rows["district"] == whole["district"])
                          & (month_rows["manager"] == whole["manager"])]
        if same.empty:
            continue
        for name in ADDITIVE_TARGETS:
            if not t.has(name):
                continue
            given = t.out.loc[same.index, name].dropna()
            total, months_sum = t.out.at[label, name], float(given.sum())
            if given.empty or pd.isna(total) or abs(total - months_sum) <= TARGET_TOLERANCE_CASES:
                continue
            t.problems.add(Problem(t.file, int(whole["row"]), t.header(name), str(t.src(name)[label]), "err_target_months",
                                   (("year_value", _number(total)), ("months_value", _number(months_sum)),
                                    ("rows", _row_list(same.loc[given.index, "row"].tolist())),
                                    ("tolerance", _number(TARGET_TOLERANCE_CASES)))))


def _number(value: float) -> str:
    """A measure as a message quotes it: up to two decimals, no trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _row_list(rows: list[int]) -> str:
    """Row numbers compactly: runs of consecutive rows as 3–14, others listed."""
    rows = sorted(rows)
    runs: list[list[int]] = []
    for r in rows:
        if runs and r == runs[-1][-1] + 1:
            runs[-1].append(r)
        else:
            runs.append([r])
    return ", ".join(f"{run[0]}–{run[-1]}" if len(run) > 2 else ", ".join(map(str, run)) for run in runs)


#: how each kind's values are normalised (the columns they make are analytics.schema's, in file order)
NORMALISERS = {"orders": _orders, "retailers": _retailers, "skus": _skus, "targets": _targets}


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
    problems.columns = tuple(str(h) for h in headers)  # problems are listed in the file's column order
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


def _unknown_ids(parsed: Parsed, mask: pd.Series, column: str, code: str, within: str | None = None) -> None:
    """One problem per unknown ID (not per line): the analyst needs the list of IDs to add to a
    master, and a thousand lines of one missing shop must not hide the other missing shops.
    With `within`, an ID is unknown within that column's value (a manager within a district), which
    the message names as {within}."""
    if not mask.any():
        return
    assert parsed.frame is not None and parsed.mapping is not None
    rows = parsed.rows if parsed.rows is not None else np.arange(len(parsed.frame)) + 2
    picked = parsed.frame.loc[mask.to_numpy()]
    bad = pd.DataFrame({"id": picked[column].to_numpy(), "within": picked[within].to_numpy() if within else "",
                        "row": rows[mask.to_numpy()]})
    seen = bad.groupby(["id", "within"], sort=False)["row"].agg(["min", "size"]).sort_values("min")
    for (value, where), first, lines in seen.itertuples():
        parsed.problems.add(Problem(parsed.file_name, int(first), parsed.mapping.columns[column], str(value),
                                    code if lines == 1 else f"{code}_lines", (("n", int(lines)), ("within", where))))


def check_references(parsed: Parsed, retailers: pd.DataFrame, skus: pd.DataFrame) -> Parsed:
    """Order lines must name retailers and SKUs the masters know (each line gets its retailer's
    district); targets must name districts, and managers within them, the retailer master knows."""
    if parsed.frame is None:
        return parsed
    if parsed.kind == "targets":
        return _check_target_references(parsed, retailers)
    if parsed.kind != "orders":
        return parsed
    frame = parsed.frame
    district_of = pd.Series(retailers["district"].to_numpy(), index=retailers["retailer_id"].to_numpy())
    district = frame["retailer_id"].map(district_of)
    _unknown_ids(parsed, district.isna() & (frame["retailer_id"] != ""), "retailer_id", "err_unknown_retailer")
    _unknown_ids(parsed, ~frame["sku_id"].isin(skus["sku_id"]) & (frame["sku_id"] != ""), "sku_id", "err_unknown_sku")
    frame["district"] = district.astype("string")
    return parsed


def _check_target_references(parsed: Parsed, retailers: pd.DataFrame) -> Parsed:
    """A target for a district no retailer is in, or for a manager who serves no retailer of that
    district, would be a target nobody's sales can count against: refuse it, like an unknown retailer."""
    frame = parsed.frame
    district_known = frame["district"].isin(retailers["district"])
    _unknown_ids(parsed, ~district_known & (frame["district"] != ""), "district", "err_unknown_district")
    pairs = pd.MultiIndex.from_arrays([retailers["district"].astype("string"), retailers["manager"].astype("string")])
    given = frame["manager"] != ""
    known = pd.MultiIndex.from_arrays([frame["district"].astype("string"), frame["manager"].astype("string")]).isin(pairs)
    _unknown_ids(parsed, pd.Series(given.to_numpy() & district_known.to_numpy() & ~known), "manager", "err_unknown_manager",
                 within="district")
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
    if parsed.kind in ("orders", "targets") and parsed.frame is not None and retailers is not None and skus is not None:
        check_references(parsed, retailers, skus)
    return parsed

