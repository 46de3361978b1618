"""Composite widgets shared by pages: KPI cards, the seed-style annual table, the written summary
and the pace of the year."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.families import PACE
from analytics.filters import Filters
from analytics.formats import fmt_case_value, fmt_cases, fmt_count, fmt_pct, fmt_price
from analytics.labels import class_label
from analytics.narrative import compared_with, pace_text, period_short, summary_text
from analytics.queries import Summary
from analytics.text import md_escape
from pages import q
from pages.common import deck_button, draw, lang, tr


def delta(value: float | None, unit: str = "%") -> str | None:
    """A metric's delta text, or None (no delta shown) when there is nothing to compare with."""
    if value is None or pd.isna(value):
        return None
    return f"{value:+.2f}{unit}"


def pp_delta(now: float | None, before: float | None) -> str | None:
    """The change of a share between two years, in percentage points."""
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return None
    return delta(now - before, " " + tr("change_pp"))


def metrics(cards: list[tuple[str, str, str | None] | tuple[str, str, str | None, bool]]) -> None:
    """One row of metric cards: (label key, value, delta text[, inverse]); inverse colours a fall
    green (五类, where a fall is the direction the company pursues)."""
    for col, (label, value, change, *inverse) in zip(st.columns(len(cards)), cards, strict=True):
        col.metric(tr(label), value, change, delta_color="inverse" if inverse and inverse[0] else "normal")


def kpi_row(s: Summary, f: Filters) -> bool:
    """Six KPI cards for f.year with YoY; False (after a message) when the filters select nothing."""
    if s.volume_cases is None or not s.volume_cases:
        st.warning(tr("no_match"))
        return False
    if f.compare_year is not None and s.volume_cases_prev is None:
        st.info(tr("no_prev_year", year=f.compare_year))
    lg = lang()
    cols = st.columns(3) + st.columns(3)
    cols[0].metric(tr("volume"), fmt_cases(s.volume_cases, lg), delta(s.volume_yoy_pct))
    price_yoy = s.avg_price_yoy_pct
    cols[1].metric(tr("avg_price"), fmt_price(s.avg_price_per_carton, lg), delta(price_yoy))
    cols[2].metric(tr("case_value"), fmt_case_value(s.case_value, lg), delta(price_yoy))
    cols[3].metric(tr("provincial_share"), fmt_pct(s.provincial_share_pct), pp_delta(s.provincial_share_pct, s.provincial_share_pct_prev))
    cols[4].metric(tr("online_rate"), fmt_pct(s.online_rate_pct), pp_delta(s.online_rate_pct, s.online_rate_pct_prev),
                   help=f"{tr('online_customers')}: {fmt_count(s.online_customers, lg)} / {tr('customers')}: {fmt_count(s.customers, lg)}")
    # a fall in 五类 volume is the direction the company pursues: show it green
    cols[5].metric(tr("low_tier_cases"), fmt_cases(s.low_tier_cases, lg), delta(s.low_tier_yoy_pct), delta_color="inverse")
    return True


def annual_table(s: Summary) -> pd.DataFrame:
    """The seed's table: main indicators and each class, this year vs last, change and YoY."""
    lg = lang()
    rows = [
        (tr("volume_cases"), fmt_cases(s.volume_cases, lg, unit=False), fmt_cases(s.volume_cases_prev, lg, unit=False),
         _diff(s.volume_cases, s.volume_cases_prev), fmt_pct(s.volume_yoy_pct, signed=True)),
        (tr("provincial_cases"), fmt_cases(s.provincial_cases, lg, unit=False), fmt_cases(s.provincial_cases_prev, lg, unit=False),
         _diff(s.provincial_cases, s.provincial_cases_prev), fmt_pct(s.provincial_yoy_pct, signed=True)),
        (f"{tr('avg_price')}({tr('unit_yuan_carton')})", fmt_price(s.avg_price_per_carton, lg, unit=False),
         fmt_price(s.avg_price_per_carton_prev, lg, unit=False), _diff(s.avg_price_per_carton, s.avg_price_per_carton_prev),
         fmt_pct(s.avg_price_yoy_pct, signed=True)),
    ]
    for c in range(1, 6):
        k = str(c)
        rows.append((f"{class_label(c, lg)}({tr('unit_cases')})", fmt_cases(s.class_cases[k], lg, unit=False),
                     fmt_cases(s.class_cases_prev[k], lg, unit=False), _diff(s.class_cases[k], s.class_cases_prev[k]),
                     fmt_pct(s.class_yoy_pct[k], signed=True)))
    rows.append((tr("online_customers"), str(s.online_customers or 0), str(s.online_customers_prev or "—"),
                 _diff(s.online_customers, s.online_customers_prev, decimals=0), "—"))
    rows.append((tr("online_rate"), fmt_pct(s.online_rate_pct), fmt_pct(s.online_rate_pct_prev),
                 _diff(s.online_rate_pct, s.online_rate_pct_prev) + (f" {tr('change_pp')}" if s.online_rate_pct_prev is not None else ""),
                 "—"))
    # the headers name the periods: 2019年 / 2018年, or 2023-01-01至06-15 / 2022年同期
    this, last = period_short(s, lg), compared_with(s, lg)
    return pd.DataFrame(rows, columns=[tr("indicator"), this, last, tr("change_cases").split("(")[0], tr("yoy_pct")])


def _diff(a: float | None, b: float | None, decimals: int = 2) -> str:
    if a is None or b is None:
        return "—"
    return f"{a - b:+,.{decimals}f}"


def summary_block(s: Summary, district: str, f: Filters) -> None:
    """The generated written summary as text, with its copy button in a popover."""
    st.subheader(tr("written_summary"))
    segments = q.breakdown(f, by="area_type")
    text = summary_text(s, district, lang=lang(), segments=segments)
    summary_paragraphs(text)
    deck_button(f, district, key=f"deck-{district}")


def summary_paragraphs(text: str) -> None:
    """Paragraphs of generated text (names from the data shown literally), and a 复制全文 popover
    whose st.code carries the copy button: inside a popover the code block's highlighter (about
    1.8 s of browser CPU on a 2-core machine) loads only when someone opens it, not on every visit."""
    for paragraph in text.split("\n\n"):
        st.markdown(md_escape(paragraph))
    with st.popover(tr("copy_text"), icon=":material/content_copy:"):
        st.code(text, language=None, wrap_lines=True)


def pace_section(f: Filters, key: str) -> None:
    """时间过半，任务过半: the year's cumulative volume against the calendar, with one sentence."""
    lg = lang()
    st.subheader(tr("pace"))
    st.caption(tr("pace_help"))
    if (f.month_from, f.month_to) != (1, 12):
        st.caption(tr("pace_whole_year"))  # pace reads whole years: say so rather than ignore the filter silently
    frame = q.frame(PACE.chart, f)
    sentence = pace_text(frame, f.year, f.compare_year, lg)
    if sentence:
        st.markdown(sentence)  # numbers and years only, no names from the data: nothing to escape
    if frame["progress_pct"].isna().all():
        return  # no yardstick: the sentence says so, and a chart of the calendar alone says nothing
    draw(PACE.chart, f, key, tr(PACE.title), frame=frame)
