"""Number, size and time formats for people: 箱, %, 元 with two decimals, a dash for a missing value."""
from __future__ import annotations

import datetime as dt
import math

from .labels import t

#: how a missing value reads, in text and in tables (columns.formatted)
MISSING = "—"


def _is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_cases(value: float | None, lang: str = "zh", unit: bool = True) -> str:
    if _is_missing(value):
        return MISSING
    text = f"{value:,.2f}"
    return f"{text} {t('unit_cases', lang)}" if unit else text


def fmt_pct(value: float | None, signed: bool = False) -> str:
    if _is_missing(value):
        return MISSING
    return f"{value:+.2f}%" if signed else f"{value:.2f}%"


def fmt_price(value: float | None, lang: str = "zh", unit: bool = True) -> str:
    if _is_missing(value):
        return MISSING
    text = f"{value:,.2f}"
    return f"{text} {t('unit_yuan_carton', lang)}" if unit else text


def fmt_case_value(value: float | None, lang: str = "zh") -> str:
    if _is_missing(value):
        return MISSING
    return f"{value:,.2f} {t('unit_yuan_case', lang)}"


def fmt_count(value: float | None, lang: str = "zh") -> str:
    if _is_missing(value):
        return MISSING
    return f"{int(value):,} {t('unit_households', lang)}"


def fmt_bytes(n: float) -> str:
    """A size for people: 300 MB, 1.2 GB (decimal units, as disk tools and vendors show them)."""
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= size:
            value = n / size
            return f"{value:.1f} {unit}" if value < 10 else f"{value:,.0f} {unit}"
    return f"{int(n)} B"


def fmt_time(iso: str | None) -> str:
    """A manifest timestamp (ISO 8601 with offset) in the server's local time, to the minute; — when missing."""
    if not iso:
        return MISSING
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return (moment.astimezone() if moment.tzinfo else moment).strftime("%Y-%m-%d %H:%M")


# --- #14 brands ---
def fmt_lines(value: float | None, lang: str = "zh") -> str:
    """A number of order lines (动销's count): 127,133 行."""
    if _is_missing(value):
        return MISSING
    return f"{int(value):,} {t('unit_lines', lang)}"
