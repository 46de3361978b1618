"""The column registry: what every query column means to a reader (its label with unit, and how its
numbers are shown). On-screen tables, the 数据 tab of every chart, CSV/XLSX downloads and slides all
go through `localize`, so a raw column name, an English code or an unrounded figure cannot reach a
reader by a page forgetting to translate it.

It also holds the one sentence that says what a table or picture shows (`filter_note`) and the
total row of the district comparison (`total_row`)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from .access import ALL
from .contract import PRICE_CLASSES
from .filters import TIER_MAX, TIER_MIN, Filters
from .labels import t, vocab

if TYPE_CHECKING:
    from .queries import Summary

#: number kinds: how a column's values are rounded, shown on screen and written to Excel
DECIMAL_KINDS = ("cases", "pct", "pp", "price", "ratio")
KINDS = (*DECIMAL_KINDS, "count", "year", "month", "tier", "id", "text", "date", "vocabulary", "internal")

#: st.column_config.NumberColumn formats (sprintf-js; "," adds thousands separators, Streamlit ≥ 1.54)
SCREEN_FORMATS = {"cases": "%,.2f", "pct": "%,.2f", "pp": "%,.2f", "price": "%,.2f", "ratio": "%.2f",
                  "count": "%,d", "year": "%d", "month": "%d", "tier": "%d"}
#: the same formats for Excel cells
EXCEL_FORMATS = {"cases": "#,##0.00", "pct": "#,##0.00", "pp": "#,##0.00", "price": "#,##0.00", "ratio": "0.00",
                 "count": "#,##0", "year": "0", "month": "0", "tier": "0"}


@dataclass(frozen=True)
class Col:
    """What one query column is: its label key (the label carries the unit) and its number kind.
    `vocabulary` names the value translation for kind "vocabulary"."""

    label: str
    kind: str
    vocabulary: str | None = None


def _c(label: str, kind: str, vocabulary: str | None = None) -> Col:
    assert kind in KINDS, kind
    return Col(label, kind, vocabulary)


_INTERNAL = Col("", "internal")

#: query column -> what it is. A column that is missing here is never shown (see `unregistered`).
REGISTRY: dict[str, Col] = {
    # keys and dimensions
    "district": _c("district", "text"),
    "area_type": _c("area_type", "vocabulary", "area"),
    "business_format": _c("business_format", "text"),
    "customer_tier": _c("customer_tier", "tier"),
    "price_class": _c("price_class", "vocabulary", "class"),
    "is_provincial": _c("is_provincial", "vocabulary", "provincial"),
    "online": _c("online_flag", "vocabulary", "yes_no"),
    "channel": _c("channel", "vocabulary", "channel"),
    "year": _c("year", "year"),
    "month": _c("month", "month"),
    "order_date": _c("order_date", "date"),
    "retailer_id": _c("retailer_id", "id"),
    "retailer_name": _c("retailer_name", "text"),
    "manager": _c("manager", "text"),
    "name": _c("name", "text"),
    "sku_id": _c("sku_id", "id"),
    "sku_name": _c("sku_name", "text"),
    "brand": _c("brand", "text"),
    "manufacturer": _c("manufacturer", "text"),
    # volumes in 箱
    "volume_cases": _c("volume_cases", "cases"),
    "cases": _c("cases", "cases"),
    "cases_prev": _c("cases_prev", "cases"),
    "change_cases": _c("change_cases", "cases"),
    "provincial_cases": _c("provincial_cases", "cases"),
    "low_tier_cases": _c("low_tier_cases", "cases"),
    "low_tier_cases_prev": _c("low_tier_cases_prev", "cases"),
    "low_tier_change_cases": _c("low_tier_change_cases", "cases"),
    "online_cases": _c("online_cases", "cases"),
    "cum_cases": _c("cum_cases", "cases"),
    "min_month_cases": _c("min_month_cases", "cases"),
    "max_month_cases": _c("max_month_cases", "cases"),
    # shares, rates and changes in %
    "share_pct": _c("share_pct", "pct"),
    "yoy_pct": _c("yoy_pct", "pct"),
    "volume_yoy_pct": _c("volume_yoy_pct", "pct"),
    "avg_price_yoy_pct": _c("avg_price_yoy_pct", "pct"),
    "low_tier_yoy_pct": _c("low_tier_yoy_pct", "pct"),
    "low_tier_share_pct": _c("low_tier_share_pct", "pct"),
    "provincial_share_pct": _c("provincial_share_pct", "pct"),
    "online_rate_pct": _c("online_rate_pct", "pct"),
    "online_volume_share_pct": _c("online_volume_share_pct", "pct"),
    "progress_pct": _c("progress_pct", "pct"),
    "time_pct": _c("time_pct", "pct"),
    "through": _c("through", "date"),
    "provincial_share_change_pp": _c("provincial_share_change_pp", "pp"),
    "online_rate_change_pp": _c("online_rate_change_pp", "pp"),
    # money
    "avg_price": _c("avg_price_yuan", "price"),
    "case_value": _c("case_value_yuan", "price"),
    "amount_yuan": _c("amount_yuan", "price"),
    "wholesale_price": _c("wholesale_price_yuan", "price"),
    # counts
    "customers": _c("customers_n", "count"),
    "online_customers": _c("online_customers_n", "count"),
    "ordering_customers": _c("ordering_customers_n", "count"),
    "new_online": _c("new_online_n", "count"),
    "active_months": _c("active_months", "count"),
    "quantity_cartons": _c("quantity_cartons", "count"),
    "swing": _c("swing", "ratio"),
    # raw sums in 条 / 元, bit masks, running sums: the arithmetic behind the columns above
    **{name: _INTERNAL for name in (
        "qty", "qty_prev", "amount", "provincial_qty", "online_qty", "class5_qty", "class5_qty_prev", "cum_qty",
        "change_cartons", "min_month_qty", "max_month_qty", "period", "online_mask", "order_mask",
        *(f"class{c}_qty" for c in PRICE_CLASSES),
    )},
    # --- #13 managers ---
    "class12_share_pct": _c("class12_share_pct", "pct"),
    # --- #13 progress against targets: targets, actuals, 完成率, 序时进度差, 序时任务 (analytics/progress.py) ---
    "volume_target_cases": _c("volume_target_cases", "cases"),
    "class12_target_cases": _c("class12_target_cases", "cases"),
    "provincial_target_cases": _c("provincial_target_cases", "cases"),
    "low_tier_target_cases": _c("low_tier_target_cases", "cases"),
    "avg_price_target": _c("avg_price_target", "price"),
    "online_rate_target_pct": _c("online_rate_target_pct", "pct"),
    "class12_cases": _c("class12_cases", "cases"),
    "volume_completion_pct": _c("volume_completion_pct", "pct"),
    "class12_completion_pct": _c("class12_completion_pct", "pct"),
    "provincial_completion_pct": _c("provincial_completion_pct", "pct"),
    "low_tier_completion_pct": _c("low_tier_completion_pct", "pct"),
    "avg_price_completion_pct": _c("avg_price_completion_pct", "pct"),
    "online_rate_completion_pct": _c("online_rate_completion_pct", "pct"),
    "volume_gap_pp": _c("volume_gap_pp", "pp"),
    "class12_gap_pp": _c("class12_gap_pp", "pp"),
    "provincial_gap_pp": _c("provincial_gap_pp", "pp"),
    "low_tier_gap_pp": _c("low_tier_gap_pp", "pp"),
    "avg_price_gap": _c("avg_price_gap", "price"),
    "online_rate_gap_pp": _c("online_rate_gap_pp", "pp"),
    "volume_pace_target_cases": _c("volume_pace_target_cases", "cases"),
    "class12_pace_target_cases": _c("class12_pace_target_cases", "cases"),
    "provincial_pace_target_cases": _c("provincial_pace_target_cases", "cases"),
    "low_tier_pace_target_cases": _c("low_tier_pace_target_cases", "cases"),
    "volume_pace_completion_pct": _c("volume_pace_completion_pct", "pct"),
    "class12_pace_completion_pct": _c("class12_pace_completion_pct", "pct"),
    "provincial_pace_completion_pct": _c("provincial_pace_completion_pct", "pct"),
    "low_tier_pace_completion_pct": _c("low_tier_pace_completion_pct", "pct"),
    "cum_target_cases": _c("cum_target_cases", "cases"),
    # --- #13 data page fixes: a targets file's preview (pages/views/data.py) ---
    "target_months": _c("target_months", "count"),
    "replaced_volume_target_cases": _c("replaced_volume_target_cases", "cases"),
    # --- #14 visits: the visit list's table (analytics/visits.py::frame); the reason is already in words ---
    "visit_rank": _c("visit_rank", "count"),
    "visit_reason": _c("visit_reason", "text"),
    "visit_why": _c("visit_why", "text"),
    "visit_also": _c("visit_also", "text"),
    "visit_day": _c("visit_day", "text"),
    "visit_result": _c("visit_result", "text"),
    # --- #14 suspects: the 代订货 list and its drill-down (analytics/suspects.py); volumes are monthly means ---
    "score": _c("suspect_score", "ratio"),
    "reason_labels": _c("suspect_reasons", "text"),
    "reason_text": _c("suspect_reason_text", "text"),
    "partner_retailer_id": _c("partner_retailer_id", "id"),
    "partner_retailer_name": _c("partner_retailer_name", "text"),
    "monthly_cases": _c("monthly_cases", "cases"),
    "monthly_class12_cases": _c("monthly_class12_cases", "cases"),
    "peer_median_cases": _c("peer_median_cases", "cases"),
    "peer_median_class12_cases": _c("peer_median_class12_cases", "cases"),
    "peer_class12_share_pct": _c("peer_class12_share_pct", "pct"),
    "peer_p25_cases": _c("peer_p25", "cases"),
    "peer_p75_cases": _c("peer_p75", "cases"),
    "peer_count": _c("peer_count", "count"),
    "volume_z": _c("volume_z", "ratio"),
    "class12_z": _c("class12_z", "ratio"),
    "mix_z": _c("mix_z", "ratio"),
    "months": _c("months_read", "count"),
    "shift_month": _c("shift_month", "month"),
    "shift_before_cases": _c("shift_before_cases", "cases"),
    "shift_after_cases": _c("shift_after_cases", "cases"),
    "shift_change_cases": _c("shift_change_cases", "cases"),
    "partner_shift_month": _c("partner_shift_month", "month"),
    "partner_shift_change_cases": _c("partner_shift_change_cases", "cases"),
    **{name: _INTERNAL for name in ("reasons", "listed")},
    # --- #14 brands: brand cultivation (analytics/brands.py) ---
    "retailers": _c("retailers_n", "count"),
    "repeaters": _c("repeaters_n", "count"),
    "coverage_pct": _c("coverage_pct", "pct"),
    "repeat_pct": _c("repeat_pct", "pct"),
    "lines": _c("lines_n", "count"),
    "cum_retailers": _c("cum_retailers_n", "count"),
    "cum_repeaters": _c("cum_repeaters_n", "count"),
    "cum_coverage_pct": _c("cum_coverage_pct", "pct"),
    "cum_repeat_pct": _c("cum_repeat_pct", "pct"),
    "retailers_prev": _c("retailers_prev_n", "count"),
    "coverage_pct_prev": _c("coverage_pct_prev", "pct"),
    "repeat_pct_prev": _c("repeat_pct_prev", "pct"),
    "lines_prev": _c("lines_prev_n", "count"),
    "cum_coverage_pct_prev": _c("cum_coverage_pct_prev", "pct"),
    "cum_repeat_pct_prev": _c("cum_repeat_pct_prev", "pct"),
    "coverage_change_pp": _c("coverage_change_pp", "pp"),
    "repeat_change_pp": _c("repeat_change_pp", "pp"),
    "cases_yoy_pct": _c("cases_yoy_pct", "pct"),
    "cum_coverage_change_pp": _c("cum_coverage_change_pp", "pp"),
    "cum_repeat_change_pp": _c("cum_repeat_change_pp", "pp"),
    "first_month": _c("first_month", "month"),
    "scope_coverage_pct": _c("scope_coverage_pct", "pct"),
    "scope_repeat_pct": _c("scope_repeat_pct", "pct"),
    "coverage_gap_pp": _c("coverage_gap_pp", "pp"),
    "repeat_gap_pp": _c("repeat_gap_pp", "pp"),
}

#: the comparison table's measures, after its naming columns: the overview's district comparison and
#: the managers page's table (one row per manager) show the same figures, in this order
COMPARISON_MEASURES = ["volume_cases", "volume_yoy_pct", "avg_price", "avg_price_yoy_pct", "case_value", "class12_share_pct",
                       "provincial_share_pct", "provincial_share_change_pp", "online_rate_pct", "online_rate_change_pp",
                       "low_tier_cases", "low_tier_yoy_pct"]
#: the managers page's table (pages/views/managers.py): a manager is named with their district and customers;
#: with targets loaded, each manager's volume completion and its gap to 时间进度 (analytics/progress.py) come
#: next, where a 1366-wide screen shows them beside the name without scrolling
MANAGER_COLUMNS = ["district", "manager", "customers", "volume_completion_pct", "volume_gap_pp", *COMPARISON_MEASURES]
# --- #14 suspects ---
#: the 代订货 list on screen, a manager's first read: who, how strong, why in words (wrapping), and with whom
#: (the partner named with its licence number); the figures behind it are in SUSPECT_FIGURE_COLUMNS
SUSPECT_COLUMNS = ["retailer_name", "retailer_id", "manager", "score", "reason_text", "partner_retailer_name"]
#: … the figures behind each lead, one click away (an expander), beside its peers'
SUSPECT_FIGURE_COLUMNS = ["retailer_name", "retailer_id", "score", "reason_labels", "cases", "peer_median_cases",
                          "class12_share_pct", "peer_class12_share_pct", "shift_month", "shift_before_cases", "shift_after_cases",
                          "partner_retailer_id", "swing", "peer_count"]
#: … and in its files (XLSX/CSV for the 专卖 colleague): the district, the segment, and every reason in words
SUSPECT_EXPORT_COLUMNS = ["district", "manager", "retailer_id", "retailer_name", "area_type", "business_format", "customer_tier",
                          "score", "reason_labels", "reason_text", "cases", "peer_median_cases", "class12_cases",
                          "peer_median_class12_cases", "class12_share_pct", "peer_class12_share_pct", "volume_z", "class12_z",
                          "mix_z", "shift_month", "shift_before_cases", "shift_after_cases", "shift_change_cases",
                          "partner_retailer_id", "partner_retailer_name", "partner_shift_month", "partner_shift_change_cases",
                          "swing", "active_months", "months", "peer_count"]
#: the suspects' volumes are monthly means: their headers say so (localize's rename)
SUSPECT_RENAME = {"cases": "monthly_cases", "class12_cases": "monthly_class12_cases"}

def word(vocabulary: str, value: object, lang: str) -> str | None:
    """One value of a vocabulary column in words (analytics.labels.VOCABULARIES; missing stays missing,
    a code the vocabulary does not know is shown as itself)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if vocabulary == "class":
        return vocab("class", int(value), lang)
    if vocabulary in ("yes_no", "provincial"):
        flag = value if isinstance(value, bool) else str(value).lower() in ("true", "1", "yes", "是")
        return vocab(vocabulary, bool(flag), lang)
    return vocab(vocabulary, str(value), lang)


def unregistered(frame: pd.DataFrame) -> list[str]:
    """Columns the registry does not know: they would be dropped from every table (a test keeps this empty)."""
    return [c for c in frame.columns if c not in REGISTRY]


def header(column: str, lang: str) -> str:
    return t(REGISTRY[column].label, lang)


def localize(frame: pd.DataFrame, lang: str, columns: list[str] | None = None, rounded: bool = True,
             rename: dict[str, str] | None = None) -> pd.DataFrame:
    """A copy of `frame` for a reader: the given columns (default: every registered one that is not
    internal) in order, headers as labels with units, vocabularies in words, years and counts whole,
    and with `rounded` the two-decimal rule for 箱, %, 元. `rename` reads a column as another
    registered one (e.g. share_pct as provincial_share_pct) for a clearer header."""
    rename = rename or {}
    names = columns if columns is not None else [c for c in frame.columns if REGISTRY.get(rename.get(c, c), _INTERNAL).kind != "internal"]
    out = {}
    for col in names:
        if col not in frame.columns:
            continue
        spec = REGISTRY.get(rename.get(col, col), _INTERNAL)
        if spec.kind == "internal":
            continue
        values = frame[col]
        if spec.kind == "vocabulary":
            # translate each distinct code once (a retailer table has hundreds of rows, two or five codes)
            words = {v: word(spec.vocabulary, v, lang) for v in values.dropna().unique()}
            values = values.map(words).astype(object)
            values = values.where(values.notna(), None)
        elif spec.kind in DECIMAL_KINDS:
            values = pd.to_numeric(values, errors="coerce").astype("float64")
            values = values.round(2) if rounded else values
        elif spec.kind in ("count", "year", "month", "tier"):
            values = pd.to_numeric(values, errors="coerce").round().astype("Int64")
        elif spec.kind == "date":
            values = pd.to_datetime(values, errors="coerce").dt.strftime("%Y-%m-%d").astype(object)
        else:
            values = values.astype(object).where(values.notna(), None)
        out[t(spec.label, lang)] = values.reset_index(drop=True)
    return pd.DataFrame(out)


def kinds(frame: pd.DataFrame, lang: str) -> dict[str, str]:
    """The number kind of each (already localized) header, found back through the registry; a header
    the registry does not know falls back on its dtype (floats two decimals, integers counts)."""
    by_header = {t(spec.label, lang): spec.kind for spec in REGISTRY.values() if spec.kind != "internal"}
    out = {}
    for col in frame.columns:
        kind = by_header.get(str(col))
        if kind is None:
            if pd.api.types.is_bool_dtype(frame[col]):
                kind = "text"
            elif pd.api.types.is_float_dtype(frame[col]):
                kind = "cases"
            elif pd.api.types.is_integer_dtype(frame[col]):
                kind = "count"
            else:
                kind = "text"
        out[str(col)] = kind
    return out


def is_raw(frame: pd.DataFrame) -> bool:
    """True when the frame still has query column names (labels never equal a registry key)."""
    return any(c in REGISTRY for c in frame.columns)


def display_text(value: object, kind: str) -> str:
    """A value as the screen shows it (the Python twin of SCREEN_FORMATS, for tests and text)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if kind in ("cases", "pct", "pp", "price"):
        return f"{float(value):,.2f}"
    if kind == "ratio":
        return f"{float(value):.2f}"
    if kind == "count":
        return f"{int(value):,}"
    if kind in ("year", "month", "tier"):
        return str(int(value))
    return str(value)


def formatted(frame: pd.DataFrame, lang: str, missing: str = "") -> pd.DataFrame:
    """A localized frame as text, exactly as the screen formats it (thousands separators, two decimals);
    an empty cell (no value, or empty text) reads `missing` (formats.MISSING for a table drawn as text)."""
    k = kinds(frame, lang)
    return pd.DataFrame({c: frame[c].map(lambda v, kind=k[str(c)]: display_text(v, kind) or missing) for c in frame.columns})


# --- the sentence that says what a table or picture shows ---------------------------------------

def _covered_parts(f: Filters) -> tuple[tuple[str, ...], tuple[str, ...] | None]:
    """The districts and customer managers f's figures cover (see `covered`); managers None: not cut to any."""
    if f.districts:
        districts = f.scoped_districts if f.scoped_districts is not None else f.districts
    elif f.scope.districts is not ALL:
        districts = tuple(f.scope.districts)
    else:
        districts = ()
    if f.managers:
        managers: tuple[str, ...] | None = f.scoped_managers
    else:
        managers = None if f.scope.managers is ALL else tuple(f.scope.managers)
    return districts, managers


def covered(f: Filters, lang: str) -> str:
    """What f's figures cover, as a name: the districts and customer managers chosen (those the scope
    allows; "城郊片区 · 客户经理 吴婷"), else the scope's own districts and managers for a user who sees
    part of the city ("城郊片区", "城郊片区 · 客户经理 王五"), else 全市. The one name for page titles,
    legends, decks and notes: a scoped user's whole view is never called the city's."""
    districts, managers = _covered_parts(f)
    parts = ["、".join(districts)] if districts else []
    parts += [f"{t('manager', lang)} {'、'.join(managers)}"] if managers is not None else []
    return " · ".join(parts) or t("all_districts", lang)


def customers_of(f: Filters, lang: str) -> str | None:
    """The subject of a sentence about f's figures when they are customer managers' customers
    ("城郊片区客户经理吴婷的客户", "the customers of 吴婷 (城郊片区)"), for the written summary; None when
    f is not cut to managers (a district's or the company's figures are named by `covered`)."""
    districts, managers = _covered_parts(f)
    if managers is None:
        return None
    sep = "、" if lang == "zh" else ", "
    names = sep.join(managers)
    if not districts:
        return t("customers_of", lang, managers=names)
    return t("customers_of_district", lang, managers=names, district=sep.join(districts))


def filter_note(f: Filters, lang: str, period: tuple[str, str] | None = None, scope: str | None = None,
                compared: str | None = None, as_of: str | None = None) -> str:
    """Scope, filters in force and the data's period in the page's labels, e.g. "片区: 全市 · 年份: 2019
    对比 2018 · 城乡分类: 城网 · 数据期间: 2017-01 – 2019-12". The one builder for captions, CSV/XLSX
    notes and PNGs. `scope` overrides the district part (a district page names its district);
    `compared` (narrative.comparison_caption) replaces the years by the periods compared, which
    differ from whole years when the last year is incomplete ("2023-01-01至06-15 vs 2022年同期").
    `as_of` names the day figures against targets are read at ("截至日期: 2019-05-06")."""
    parts: list[str] = []
    mine = not f.districts and not f.managers and f.scope.partial  # a scoped user's whole view, on a page or a slide
    parts.append(f"{t('my_scope' if mine else 'district', lang)}: {scope or covered(f, lang)}")
    if compared:
        parts.append(f"{t('period', lang)}: {compared}")
    elif f.year is not None:
        year = str(f.year) + (f" {t('compare_with', lang)} {f.compare_year}" if f.compare_year is not None else "")
        parts.append(f"{t('year', lang)}: {year}")
    if (f.month_from, f.month_to) != (1, 12):
        parts.append(f"{t('month', lang)}: {t('month_range', lang, lo=f.month_from, hi=f.month_to)}")
    if f.area_types:
        parts.append(f"{t('area_type', lang)}: {'、'.join(vocab('area', a, lang) for a in f.area_types)}")
    if f.business_formats:
        parts.append(f"{t('business_format', lang)}: {'、'.join(f.business_formats)}")
    if (f.tier_min, f.tier_max) != (TIER_MIN, TIER_MAX):
        parts.append(f"{t('customer_tier', lang)}: {f.tier_min}–{f.tier_max}")
    if as_of:
        parts.append(f"{t('through', lang)}: {as_of}")
    if period:
        parts.append(f"{t('data_period', lang)}: {period[0]} – {period[1]}")
    return " · ".join(parts)


# --- the district comparison's total row ---------------------------------------------------------

def _diff(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def _sum(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a + b


def total_label(f: Filters, lang: str) -> str:
    """The name of a table's total row of f: 全市合计, 我的片区合计 (a limited scope) or 所选片区合计."""
    # under a limited scope the row sums the scope (the summary is computed within it): calling it the
    # city's total would mislabel it, and the city's own total is never computed for such a user
    chosen = f.districts or f.managers
    return t("selection_total", lang) if chosen else t("scope_total", lang) if f.scope.partial else t("company_total", lang)


def total_row(s: Summary, f: Filters, lang: str, by: str = "district") -> pd.DataFrame:
    """One breakdown row for the whole selection, from the query layer's summary of the same
    filters: shares and prices are the selection's own ratios, never an average of the rows'."""
    name = total_label(f, lang)
    # the label in the first (naming) column, as the district comparison has it; a manager's cell stays blank
    naming = {"district": name, "manager": ""} if by == "manager" else {by: name}
    return pd.DataFrame([{
        **naming,
        "customers": s.customers,
        "volume_cases": s.volume_cases,
        "volume_yoy_pct": s.volume_yoy_pct,
        "avg_price": s.avg_price_per_carton,
        "avg_price_yoy_pct": s.avg_price_yoy_pct,
        "case_value": s.case_value,
        "class12_share_pct": _sum(s.class_share_pct["1"], s.class_share_pct["2"]),
        "provincial_share_pct": s.provincial_share_pct,
        "provincial_share_change_pp": _diff(s.provincial_share_pct, s.provincial_share_pct_prev),
        "online_rate_pct": s.online_rate_pct,
        "online_rate_change_pp": _diff(s.online_rate_pct, s.online_rate_pct_prev),
        "low_tier_cases": s.low_tier_cases,
        "low_tier_yoy_pct": s.low_tier_yoy_pct,
    }]).astype({c: "float64" for c in COMPARISON_MEASURES})


def with_total(table: pd.DataFrame, s: Summary, f: Filters, lang: str, by: str = "district") -> pd.DataFrame:
    """The district comparison with its total row last."""
    total = total_row(s, f, lang, by)
    if table.empty:
        return total
    return pd.concat([table, total[table.columns.intersection(total.columns)]], ignore_index=True)
