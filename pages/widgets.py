"""Composite widgets shared by pages: KPI cards, the seed-style annual table, the written summary,
the pace of the year and progress against targets."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import charts
from analytics.families import PACE, TARGETS
from analytics.filters import Filters
from analytics.formats import fmt_case_value, fmt_cases, fmt_count, fmt_pct, fmt_price
from analytics.labels import class_label
from analytics.narrative import compared_with, pace_text, period_short, progress_text, summary_text
from analytics.progress import TABLE_COLUMNS, Progress, ignores_filters
from analytics.queries import Summary
from analytics.text import md_escape
from pages import identity, q
from pages.common import chart, deck_button, download, draw, export_note, lang, table, tr


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
    text = summary_text(s, district, lang=lang(), segments=segments, f=f)
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


def targets_section(f: Filters, key: str, company: bool = False) -> None:
    """任务进度: the sentence, each measure's completion beside 时间进度, the months against their
    targets, and the customer managers most behind first (on the overview (`company`), the districts too).
    Without targets for the year it says so (and where to load them, to who may); 年度进度 stays."""
    st.subheader(tr("targets"))
    frame = q.frame(TARGETS.chart, f)
    if frame.empty:
        hint = f" {tr('targets_load_hint')}" if identity.can("load_data") else ""
        st.info(tr("targets_not_loaded", year=f.year) + hint)
        return
    p = Progress.from_row(frame.iloc[0], f.year)
    st.caption(tr("targets_help"))
    if ignores_filters(f):
        st.caption(tr("targets_filters_ignored"))  # a segment's actual is never set against a district's target
    st.markdown(progress_text(p, lang()))  # numbers only, no names from the data: nothing to escape
    note = export_note(f, as_of=p.as_of)
    draw(TARGETS.chart, f, key, tr("targets"), frame=frame)
    monthly = q.monthly_vs_target(f)
    if monthly["volume_target_cases"].notna().any():
        st.markdown(f"**{tr('targets_monthly')}**")
        chart(charts.target_months(monthly, lang()), monthly, f"{key}-months", tr("targets_monthly"),
              columns=["year", "month", "cases", "volume_target_cases", "cum_cases", "cum_target_cases"])
    else:
        st.caption(tr("targets_no_monthly"))
    # the company: its districts and managers; a district: its managers (none on one manager's own view)
    tables = ("district", "manager") if company else () if f.managers else ("manager",)
    for by, title in (("district", "targets_by_district"), ("manager", "targets_by_manager")):
        if by not in tables:
            continue
        rows = q.progress_table(f, by=by)
        if rows.empty:
            continue
        st.subheader(tr(title))
        st.caption(tr("targets_sorted"))
        cols = [by] if by == "district" else ["district", "manager"]
        cols += [c for c in TABLE_COLUMNS if c in rows and rows[c].notna().any()]  # measures no row has: no column
        table(rows, cols)
        download(rows, f"{key}-{by}", columns=cols, note=note)
