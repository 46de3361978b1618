"""The written summary (生成的分析文字): sentences chosen by the data, in Chinese or English.

Input is the Summary from queries.summary (the same numbers the cards and charts show) plus,
optionally, the per-area-type table from queries.breakdown(by="area_type"). Wording is
the project's own; each change is phrased as a rise, a fall, or flat within
config.FLAT_THRESHOLD_PCT, so no sentence ever says "增长了 -3%".
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
from typing import TYPE_CHECKING

import pandas as pd

from . import metrics
from .columns import customers_of
from .config import FLAT_THRESHOLD_PCT
from .contract import PRICE_CLASSES
from .labels import class_label, t, vocab

if TYPE_CHECKING:
    from .filters import Filters
    from .queries import Summary


def _missing(v: float | None) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _n(v: float) -> str:
    return f"{v:,.2f}"


def _direction(pct: float | None) -> str | None:
    if _missing(pct):
        return None
    if abs(pct) < FLAT_THRESHOLD_PCT:
        return "flat"
    return "up" if pct > 0 else "down"


def _whole_year(s: Summary) -> bool:
    start, end = s.period_start, s.period_end
    return not start or not end or (start[5:], end[5:]) == ("01-01", "12-31")


def period_label(s: Summary, lang: str = "zh") -> str:
    """What the figures of a summary cover: "2019年" for a whole year, "2023年1月1日至6月30日" for
    the part of a year that an incomplete year or a month filter leaves."""
    y = s.year
    if _whole_year(s):
        return f"In {y}" if lang == "en" else f"{y}年"
    a, b = dt.date.fromisoformat(s.period_start), dt.date.fromisoformat(s.period_end)
    if lang == "en":
        return f"From {a.day} {calendar.month_name[a.month]} to {b.day} {calendar.month_name[b.month]} {y}"
    return f"{y}年{a.month}月{a.day}日至{b.month}月{b.day}日"


def compare_label(s: Summary, lang: str = "zh") -> str | None:
    """The comparison the sentences name: the year for whole years, its same period (同期) otherwise."""
    cy = s.compare_year
    if cy is None:
        return None
    if _whole_year(s):
        return str(cy) if lang == "en" else f"{cy}年"
    return f"the same period of {cy}" if lang == "en" else f"{cy}年同期"


def period_short(s: Summary, lang: str = "zh") -> str:
    """The selected period for a column header or caption: "2019年", or "2023-01-01至06-15"."""
    if _whole_year(s):
        return t("year_n", lang, year=s.year)
    return t("date_range", lang, start=s.period_start, end=s.period_end[5:])


def compare_short(s: Summary, lang: str = "zh") -> str | None:
    """The comparison for a column header or caption: "2018年", or "2022年同期"; None without one."""
    cy = s.compare_year
    if cy is None:
        return None
    return t("year_n", lang, year=cy) if _whole_year(s) else t("same_period_of", lang, year=cy)


def compared_with(s: Summary, lang: str = "zh") -> str:
    """What "before" is called beside a figure: compare_short, or 上年 when there is no comparison."""
    return compare_short(s, lang) or t("last_year", lang)


def comparison_caption(s: Summary, lang: str = "zh") -> str:
    """Which days are compared with which: "2023-01-01至06-15 vs 2022年同期" (KPI cards, tables, slides, files)."""
    cur, cmp = period_short(s, lang), compare_short(s, lang)
    return t("period_vs", lang, period=cur, compare=cmp) if cmp else cur


# --- the phrases both languages build their sentences from -------------------------------------

#: a change of a volume ({n}: its size; {apct}: the percentage's size), a YoY, a change of a share in
#: percentage points; the Chinese and English wordings differ in order, not in what they say
_PHRASES: dict[str, dict[str, str]] = {
    "zh": {
        "change_missing": "无上年同期数据可比", "change_none": "{cy}为0{unit}",
        "change_flat": "与{cy}基本持平（{diff:+,.2f}{unit}，{pct:+.2f}%）",
        "change_up": "比{cy}增加{n}{unit}，增长{pct:.2f}%", "change_down": "比{cy}减少{n}{unit}，下降{apct:.2f}%",
        "yoy_none_had": "上年同期无销量", "yoy_none": "无上年数据", "yoy_flat": "同比基本持平（{pct:+.2f}%）",
        "yoy_up": "同比增长{pct:.2f}%", "yoy_down": "同比下降{apct:.2f}%",
        "pp_flat": "，与{cy}持平", "pp_up": "，比{cy}提高{d:.2f}个百分点", "pp_down": "，比{cy}下降{d:.2f}个百分点",
        "no_sales": "{year}年{name}在当前筛选条件下没有销量。", "sold": "", "bought": "",
        "opening": "{period}，{name}共销售卷烟{n}箱，{volume}。其中省产烟{pn}箱，{provincial}，占总销量的{share:.2f}%{pp}。",
        "classes": "分价类看，{parts}。", "class": "{cls}烟{n}箱，{yoy}", "class_sep": "；",
        "low_share": "五类烟占总销量的{share:.2f}%{pp}。",
        "online": "网上订货客户{on}户，占客户总数{n}户的{rate:.2f}%", "online_up": "，比{cy}增加{d}户",
        "online_down": "，比{cy}减少{d}户", "rate_flat": "，网订率持平", "rate_up": "，网订率提高{d:.2f}个百分点",
        "rate_down": "，网订率下降{d:.2f}个百分点", "online_volume": "；网上订货量占总销量的{share:.2f}%。",
        "price": "条均价{p}元/条，单箱值{cv}元。",
        "price_vs": "条均价{p}元/条，{year}年同期为{before}元/条，{move}；单箱值{cv}元。",
        "price_flat": "基本持平", "price_up": "提高{d}元，增幅{pct:.2f}%", "price_down": "降低{d}元，降幅{apct:.2f}%",
        "best": "增幅最大的是{cls}烟（{pct:+.2f}%）", "worst": "降幅最大的是{cls}烟（{pct:+.2f}%）", "and": "，", "end": "。",
    },
    "en": {
        "change_missing": "with no previous year to compare", "change_none": "from none in {cy}",
        "change_flat": "flat on {cy} ({diff:+,.2f} {unit}, {pct:+.2f}%)",
        "change_up": "up {n} {unit} on {cy} (+{pct:.2f}%)", "change_down": "down {n} {unit} on {cy} (-{apct:.2f}%)",
        "yoy_none_had": "none last year", "yoy_none": "no previous year", "yoy_flat": "flat ({pct:+.2f}%)",
        "yoy_up": "up {pct:.2f}%", "yoy_down": "down {apct:.2f}%",
        "pp_flat": ", unchanged from {cy}", "pp_up": ", {d:.2f} percentage points higher than in {cy}",
        "pp_down": ", {d:.2f} percentage points lower than in {cy}",
        "no_sales": "{Name} had no sales in {year} under the current filters.", "sold": "sold", "bought": "bought",
        "opening": "{period}, {name} {sold} {n} cases, {volume}. Provincial brands sold {pn} cases, {provincial}, "
                   "{share:.2f}% of volume{pp}. ",
        "classes": "By price class: {parts}.", "class": "{cls} {n} cases ({yoy})", "class_sep": "; ",
        "low_share": " Class 5 was {share:.2f}% of volume{pp}.",
        "online": "{on} of {n} retailers ordered online, an online rate of {rate:.2f}%",
        "online_up": ", {d} more than in {cy}", "online_down": ", {d} fewer than in {cy}",
        "rate_flat": "; the rate was unchanged", "rate_up": "; the rate rose {d:.2f} percentage points",
        "rate_down": "; the rate fell {d:.2f} percentage points", "online_volume": "; online orders were {share:.2f}% of volume.",
        "price": "The average price was {p} yuan per carton; a case was worth {cv} yuan.",
        "price_vs": "The average price was {p} yuan per carton against {before} in {cy}, {move}; a case was worth {cv} yuan.",
        "price_flat": "about the same", "price_up": "up {pct:.2f}%", "price_down": "down {apct:.2f}%",
        "best": " {cls} grew most ({pct:+.2f}%)", "worst": " {cls} fell most ({pct:+.2f}%)", "and": ",", "end": ".",
    },
}


def _change(lang: str, this: float | None, prev: float | None, pct: float | None, cy: str | None, unit: str) -> str:
    """A volume against the comparison: 比上年增加 x 箱、增长 y% / up x cases on 2018 (+y%) / flat / no data."""
    phrases = _PHRASES[lang]
    if _missing(prev) or cy is None:
        return phrases["change_missing"]
    d = _direction(pct)
    if d is None:
        return phrases["change_none"].format(cy=cy, unit=unit)
    diff = this - prev
    return phrases[f"change_{d}"].format(cy=cy, unit=unit, diff=diff, pct=pct, n=_n(abs(diff)), apct=abs(pct))


def _yoy(lang: str, pct: float | None, had_prev: bool) -> str:
    d = _direction(pct)
    if d is None:
        return _PHRASES[lang]["yoy_none_had" if had_prev else "yoy_none"]
    return _PHRASES[lang][f"yoy_{d}"].format(pct=pct, apct=abs(pct))


def _pp(lang: str, now: float | None, before: float | None, cy: str | None) -> str:
    """A share's change in percentage points, as a clause to append ("" without a comparison)."""
    if _missing(now) or _missing(before) or cy is None:
        return ""
    diff = now - before
    key = "pp_flat" if abs(diff) < 0.005 else ("pp_up" if diff > 0 else "pp_down")
    return _PHRASES[lang][key].format(cy=cy, d=abs(diff))


def _class_extremes(s: Summary, lang: str) -> str:
    """The class that grew most and the one that fell most, when either moved beyond flat."""
    ranked = [(s.class_yoy_pct[str(c)], c) for c in PRICE_CLASSES if not _missing(s.class_yoy_pct[str(c)])]
    if not ranked:
        return ""
    phrases, (best, worst) = _PHRASES[lang], (max(ranked), min(ranked))
    grew, fell = best[0] >= FLAT_THRESHOLD_PCT, worst[0] <= -FLAT_THRESHOLD_PCT
    text = phrases["best"].format(cls=class_label(best[1], lang), pct=best[0]) if grew else ""
    if fell:
        text += (phrases["and"] if grew else "") + phrases["worst"].format(cls=class_label(worst[1], lang), pct=worst[0])
    return text + phrases["end"] if grew or fell else text


def _opening(s: Summary, name: str, lang: str, cy: str | None, customers: bool) -> str:
    """The first sentences: total volume and provincial volume with their changes and share (a
    district sells; `customers`, a manager's customers, buy)."""
    unit = "箱" if lang == "zh" else "cases"
    has_prev = not _missing(s.volume_cases_prev)
    phrases = _PHRASES[lang]
    return phrases["opening"].format(
        period=period_label(s, lang), name=name, sold=phrases["bought" if customers else "sold"], n=_n(s.volume_cases),
        pn=_n(s.provincial_cases),
        volume=_change(lang, s.volume_cases, s.volume_cases_prev, s.volume_yoy_pct, cy, unit),
        provincial=_change(lang, s.provincial_cases, s.provincial_cases_prev, s.provincial_yoy_pct, cy, unit),
        share=s.provincial_share_pct, pp=_pp(lang, s.provincial_share_pct, s.provincial_share_pct_prev, cy if has_prev else None))


def _classes(s: Summary, lang: str, cy: str | None) -> str:
    """Each class's volume and YoY, the classes that moved most, and 五类's share."""
    phrases, has_prev = _PHRASES[lang], not _missing(s.volume_cases_prev)
    parts = [phrases["class"].format(cls=class_label(c, lang), n=_n(s.class_cases[str(c)]),
                                     yoy=_yoy(lang, s.class_yoy_pct[str(c)], has_prev)) for c in PRICE_CLASSES]
    low_share, low_prev = s.class_share_pct["5"], s.class_share_pct_prev["5"]
    return (phrases["classes"].format(parts=phrases["class_sep"].join(parts)) + _class_extremes(s, lang)
            + phrases["low_share"].format(share=low_share, pp=_pp(lang, low_share, low_prev, cy if has_prev else None)))


def _online(s: Summary, lang: str, cy: str | None) -> str:
    """Retailers ordering online and 网订率, their change against `cy` (None: no comparison), and the
    online share of volume."""
    phrases = _PHRASES[lang]
    text = phrases["online"].format(on=s.online_customers or 0, n=s.customers, rate=s.online_rate_pct)
    if cy is not None and s.online_customers_prev is not None:
        diff = (s.online_customers or 0) - s.online_customers_prev
        if diff:
            text += phrases["online_up" if diff > 0 else "online_down"].format(cy=cy, d=abs(diff))
        if not _missing(s.online_rate_pct_prev):
            diff = s.online_rate_pct - s.online_rate_pct_prev
            key = "rate_flat" if abs(diff) < 0.005 else ("rate_up" if diff > 0 else "rate_down")
            text += phrases[key].format(d=abs(diff))
    return text + phrases["online_volume"].format(share=s.online_volume_share_pct)


def _price(s: Summary, lang: str, cy: str | None) -> str:
    """条均价 against the comparison (its change in 元 and %) and 单箱值."""
    phrases, price, before = _PHRASES[lang], s.avg_price_per_carton, s.avg_price_per_carton_prev
    if _missing(s.volume_cases_prev) or _missing(before):
        return phrases["price"].format(p=_n(price), cv=_n(s.case_value))
    d = _direction(s.avg_price_yoy_pct)
    move = phrases["price_flat" if d == "flat" else ("price_up" if d == "up" else "price_down")].format(
        d=_n(abs(price - before)), pct=s.avg_price_yoy_pct, apct=abs(s.avg_price_yoy_pct))
    return phrases["price_vs"].format(p=_n(price), before=_n(before), cy=cy, year=s.compare_year, move=move, cv=_n(s.case_value))


def _summary(s: Summary, name: str, lang: str, segments: pd.DataFrame | None, customers: bool) -> list[str]:
    cy = compare_label(s, lang)
    compared = cy if not _missing(s.volume_cases_prev) else None
    paras = [_opening(s, name, lang, cy, customers) + _price(s, lang, cy), _classes(s, lang, cy)]
    if s.customers:
        paras.append(_online(s, lang, compared))
    seg = _segment_sentence(segments, lang, compared)
    if seg:
        paras.append(seg)
    return paras


def _segment_sentence(segments: pd.DataFrame | None, lang: str, cy: str | None) -> str:
    """Volume and its YoY per area type (城网/农网), where the data has more than one."""
    if segments is None or segments.empty or "area_type" not in segments.columns or len(segments) < 2:
        return ""
    parts = []
    for _, row in segments.sort_values("area_type", ascending=False).iterrows():
        name = vocab("area", str(row["area_type"]), lang)
        yoy = None if cy is None else row.get("volume_yoy_pct")
        if lang == "en":
            parts.append(f"{name} {_n(row['volume_cases'])} cases ({_yoy('en', yoy, cy is not None)})")
        else:
            parts.append(f"{name}{_n(row['volume_cases'])}箱，{_yoy('zh', yoy, cy is not None)}")
    return ("By area type: " + "; ".join(parts) + ".") if lang == "en" else ("分城乡看，" + "；".join(parts) + "。")


def summary_text(s: Summary, name: str, lang: str = "zh", segments: pd.DataFrame | None = None,
                 f: Filters | None = None) -> str:
    """The written summary for one district (or the company) and year, paragraphs separated by blank
    lines. `name` names the figures; with `f` cut to customer managers (chosen, or a scope of
    managers) the subject is their customers instead ("城郊片区客户经理吴婷的客户", columns.customers_of),
    never a title such as "城郊片区 · 客户经理 吴婷" spliced into the prose."""
    subject = customers_of(f, lang) if f is not None else None
    name = subject or name
    if _missing(s.volume_cases) or not s.volume_cases:
        return _PHRASES[lang]["no_sales"].format(year=s.year, name=name, Name=name[:1].upper() + name[1:])
    return "\n\n".join(_summary(s, name, lang, segments, customers=subject is not None))


def pace_text(frame: pd.DataFrame, year: int, compare_year: int | None, lang: str = "zh") -> str | None:
    """One sentence on 时间过半，任务过半 from queries.pace: how far the year's volume has come, as a
    share of the compare year's whole year, against the share of the year elapsed. None without data."""
    rows = frame[frame["year"] == year]
    if rows.empty:
        return None
    last = rows.iloc[-1]
    month, cum, progress, elapsed = int(last["month"]), float(last["cum_cases"]), last["progress_pct"], float(last["time_pct"])
    through = last["through"] if "through" in rows else metrics.month_end(year, month)
    month_end = through == metrics.month_end(year, month)
    # "截至2019年6月" at a month's end, "截至2023年6月15日" in an incomplete month
    when_zh = f"{year}年{month}月" if month_end else f"{year}年{month}月{through.day}日"
    when_en = (f"By the end of {calendar.month_name[month]} {year}" if month_end
               else f"By {through.day} {calendar.month_name[month]} {year}")
    if _missing(progress) or compare_year is None:
        if lang == "en":
            return (f"{when_en}, volume reached {_n(cum)} cases; "
                    "there is no complete comparison year to measure the pace against.")
        return f"截至{when_zh}，累计销量{_n(cum)}箱；没有完整的对比年份，无法衡量进度。"
    gap = float(progress) - elapsed
    direction = "flat" if abs(gap) < FLAT_THRESHOLD_PCT else ("up" if gap > 0 else "down")
    if lang == "en":
        verdict = {"flat": "in step with the calendar", "up": f"{abs(gap):.2f} pp ahead of the calendar",
                   "down": f"{abs(gap):.2f} pp behind the calendar"}[direction]
        return (f"{when_en}, {elapsed:.2f}% of the year has passed and volume reached "
                f"{_n(cum)} cases, {float(progress):.2f}% of {compare_year}'s whole year: {verdict}.")
    verdict = {"flat": "与时间进度基本同步", "up": f"快于时间进度{abs(gap):.2f}个百分点",
               "down": f"慢于时间进度{abs(gap):.2f}个百分点"}[direction]
    return (f"截至{when_zh}，时间进度{elapsed:.2f}%，累计销量{_n(cum)}箱，"
            f"达到{compare_year}年全年销量的{float(progress):.2f}%，{verdict}。")


# --- progress against targets: "截至6月30日，时间进度49.59%，销量完成年度任务的46.20%，落后时间进度3.39个百分点" ---

_TARGET_PHRASES: dict[str, dict[str, str]] = {
    "zh": {
        "to_date": "截至{m}月{d}日，时间进度{tp:.2f}%", "whole_year": "{year}年全年",
        "share": "{name}完成年度任务的{c:.2f}%", "zero": "{name}年度任务为0",
        "ahead": "，超过时间进度{d:.2f}个百分点", "behind": "，落后时间进度{d:.2f}个百分点", "level": "，与时间进度持平",
        "over": "，超额完成{d:.2f}个百分点", "short": "，距任务差{d:.2f}个百分点", "done": "，恰好完成",
        "rate": "{name}{value}", "rate_above": "，比任务高{d}", "rate_below": "，比任务低{d}",
        "rate_level": "，与任务持平", "first": "，", "first_whole": "，", "sep": "；", "end": "。",
    },
    "en": {
        "to_date": "By {d} {month}, {tp:.2f}% of the year had passed", "whole_year": "In {year} as a whole",
        "share": "{name} reached {c:.2f}% of the annual target", "zero": "{name} had a target of zero",
        "ahead": ", {d:.2f} pp ahead of time", "behind": ", {d:.2f} pp behind time", "level": ", in step with time",
        "over": ", {d:.2f} pp above it", "short": ", {d:.2f} pp short of it", "done": ", exactly on target",
        "rate": "the {name} was {value}", "rate_above": ", {d} above target", "rate_below": ", {d} below target",
        "rate_level": ", on target", "first": "; ", "first_whole": ", ", "sep": "; ", "end": ".",
    },
}


def _measure_name(label: str, lang: str) -> str:
    name = t(label, lang)
    return name if lang == "zh" or name.startswith("Class") else name[0].lower() + name[1:]


def _target_clause(p, whole_year: bool, lang: str) -> str:
    """One measure: its completion against 时间进度 (or, over a whole year, against 100%); a rate
    (条均价, 网订率) against its target value in its own unit."""
    phrases, m = _TARGET_PHRASES[lang], p.measure
    name = _measure_name(m.label, lang)
    if m.rate:
        sp = "" if lang == "zh" else " "
        unit = t(m.unit, lang) if m.unit != "%" else None
        value = "—" if p.actual is None else _n(p.actual) + ("%" if unit is None else sp + unit)
        text = phrases["rate"].format(name=name, value=value)
        if p.gap is None:
            return text
        d = round(abs(p.gap), 2)
        key = "rate_level" if d == 0 else ("rate_above" if p.gap > 0 else "rate_below")
        return text + phrases[key].format(d=_n(d) + sp + (t("change_pp", lang) if unit is None else unit))
    if p.completion_pct is None:
        return phrases["zero"].format(name=name)
    text = phrases["share"].format(name=name, c=p.completion_pct)
    gap = p.completion_pct - 100 if whole_year else p.gap
    if gap is None:
        return text
    d = round(abs(gap), 2)
    if whole_year:
        return text + phrases["done" if d == 0 else ("over" if gap > 0 else "short")].format(d=d)
    return text + phrases["level" if d == 0 else ("ahead" if gap > 0 else "behind")].format(d=d)


def progress_text(p, lang: str = "zh") -> str | None:
    """The seed's sentence for a scope's analytics.progress.Progress, one clause per loaded measure:
    "截至6月30日，时间进度49.59%，销量完成年度任务的46.20%，落后时间进度3.39个百分点。" (a whole year:
    "2018年全年，销量完成年度任务的102.30%，超额完成2.30个百分点。"). None without targets or data."""
    if not p.has_targets or p.as_of is None:
        return None
    phrases, day = _TARGET_PHRASES[lang], dt.date.fromisoformat(p.as_of)
    whole = p.whole_year
    head = (phrases["whole_year"].format(year=day.year) if whole
            else phrases["to_date"].format(m=day.month, d=day.day, month=calendar.month_name[day.month], tp=p.time_progress_pct))
    clauses = [_target_clause(m, whole, lang) for m in p.measures]
    return head + phrases["first_whole" if whole else "first"] + phrases["sep"].join(clauses) + phrases["end"]
