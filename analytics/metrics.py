"""The definitions, in one place (docs/definitions.md cites this module).

Each works on plain numbers, numpy arrays and pandas Series alike, so a KPI card, a chart series and the
written summary all compute a figure the same way. A ratio with a zero or missing denominator
is missing (None / NaN), never 0 and never an exception.
"""
from __future__ import annotations

import calendar
import datetime as dt

import numpy as np
import pandas as pd

from .config import CARTONS_PER_CASE

VECTOR = (pd.Series, np.ndarray)


def _vector(*values) -> bool:
    return any(isinstance(v, VECTOR) for v in values)


def _ratio(num, den):
    if isinstance(num, np.ndarray) or isinstance(den, np.ndarray):
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.asarray(num, dtype="float64") / np.asarray(den, dtype="float64")
        return np.where(np.isfinite(out), out, np.nan)
    if isinstance(num, pd.Series) or isinstance(den, pd.Series):
        num_f = num.astype("float64") if isinstance(num, pd.Series) else float(num)
        den_f = den.astype("float64") if isinstance(den, pd.Series) else float(den)
        out = num_f / den_f
        return out.where(np.isfinite(out))
    if num is None or den is None or den == 0 or (isinstance(den, float) and np.isnan(den)):
        return None
    return float(num) / float(den)


def cases(cartons):
    """Volume in 箱 = Σ quantity_cartons / 250."""
    if cartons is None:
        return None
    return cartons / CARTONS_PER_CASE


def yoy_pct(this, last):
    """Year-over-year change in % = (this − last) / last × 100; missing when last is 0 or missing."""
    if _vector(this, last):
        r = _ratio(this - last, last)
        return r * 100
    if this is None:
        return None
    r = _ratio(this - last if last is not None else None, last)
    return None if r is None else r * 100


def share_pct(part, whole):
    """part / whole × 100 (省产烟占比, class shares, 网订率 all use this)."""
    r = _ratio(part, whole)
    if _vector(r):
        return r * 100
    return None if r is None else r * 100


def avg_price(amount_yuan, cartons):
    """条均价 in 元/条 = Σ amount_yuan / Σ quantity_cartons."""
    return _ratio(amount_yuan, cartons)


def case_value(amount_yuan, cartons):
    """单箱值 in 元/箱 = 条均价 × 250."""
    p = avg_price(amount_yuan, cartons)
    if _vector(p):
        return p * CARTONS_PER_CASE
    return None if p is None else p * CARTONS_PER_CASE


def online_rate(online_customers, customers):
    """网订率 in % = retailers with ≥1 online order line in the period / retailers in the master × 100."""
    return share_pct(online_customers, customers)


def month_end(year: int, month: int) -> dt.date:
    """The last day of a month (28 February, 29 in a leap year, 30 April …)."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def same_day(year: int, day: dt.date) -> dt.date:
    """`day`'s month and day in another year: the end of the 同期; 29 February maps to the 28th."""
    return dt.date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


def time_progress_pct(day):
    """时间进度 in % = calendar days from 1 January through `day` / days in that year × 100
    (30 June 2019 → 181 / 365 = 49.59%; 29 February 2024 → 60 / 366): the yardstick of
    "时间过半，任务过半", against which volume progress is read."""
    return share_pct(day.timetuple().tm_yday, days_in_year(day.year))


# --- progress against targets (任务): docs/definitions.md, "Targets" ---------------------------------

def days_in_year(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def completion_pct(actual, target):
    """任务完成率 in % = actual / target × 100 (year to date against the whole year's target, or
    against 序时任务 for 序时完成率); missing for a zero or missing target."""
    return share_pct(actual, target)


def gap_pp(completion, time_pct):
    """序时进度差 in percentage points = 完成率 − 时间进度; negative: behind time. Missing when either is."""
    if _vector(completion, time_pct):
        return completion - time_pct
    if completion is None or time_pct is None or (isinstance(completion, float) and np.isnan(completion)):
        return None
    return float(completion) - float(time_pct)


def prorated_target(monthly, day: dt.date) -> float | None:
    """序时任务 = the monthly targets of the months before `day`'s month + that month's target × (day of
    month / days in the month): through 6 May 2019, January–April + May × 6/31. `monthly` maps month
    1..12 to its target (a month not named counts 0); None when no month is given."""
    if not monthly:
        return None
    before = sum(float(v) for m, v in monthly.items() if int(m) < day.month and v is not None)
    current = monthly.get(day.month)
    share = day.day / calendar.monthrange(day.year, day.month)[1]
    return before + (0.0 if current is None else float(current) * share)


# --- #14 brands: brand cultivation (品牌培育), docs/definitions.md "Brand cultivation" ---------------

def coverage_pct(ordering_retailers, customers):
    """铺货率 in % = retailers who ordered the brand or specification / the scope's customers (the 网订率
    denominator: the master's retailers of the selection, ordering or not) × 100."""
    return share_pct(ordering_retailers, customers)


def repeat_pct(repeat_retailers, ordering_retailers):
    """重购率 in % = retailers who ordered it in at least two different weeks / retailers who ordered it × 100."""
    return share_pct(repeat_retailers, ordering_retailers)
