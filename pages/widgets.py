"""Composite widgets shared by pages: KPI cards, the seed-style annual table, the written summary,
the pace of the year and progress against targets."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from analytics import charts
from analytics.columns import total_label
from analytics.families import PACE, TARGETS
from analytics.filters import Filters
from analytics.formats import fmt_case_value, fmt_cases, fmt_count, fmt_pct, fmt_price
from analytics.labels import class_label
from analytics.narrative import compared_with, pace_text, period_short, progress_text, summary_text
from analytics.progress import TABLE_COLUMNS, Progress, ignores_filters, reads_months, with_total
from analytics.queries import Summary
from analytics.text import md_escape
from pages import identity, q
from pages.common import catalog, chart, deck_button, download, draw, export_note, lang, table, tr


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


def _sentences(parts: list[str]) -> str:
    """Whole sentences run together as the language writes them: Chinese after its 。, English after a space."""
    return ("" if lang() == "zh" else " ").join(parts)


def targets_section(f: Filters, key: str, company: bool = False) -> Progress | None:
    """任务进度 at a glance, right under the KPI cards: the sentence, each measure's completion beside
    时间进度 (a compact chart), and the table most behind first: on the overview (`company`) the
    districts, on a district page its customer managers (none on one manager's own view), each with
    the scope's own total row. Without targets for the year one line says so (and where to load them,
    to who may); 年度进度 stays. Returns the scope's progress (None without targets) for targets_more."""
    frame = q.frame(TARGETS.chart, f)
    if frame.empty:
        # one line: a page without targets is not pushed down by a section that has nothing to show
        parts = [tr("targets_not_loaded", year=f.year)] + ([tr("targets_load_hint")] if identity.can("load_data") else [])
        st.info(_sentences(parts), icon=":material/flag:")
        return None
    p = Progress.from_row(frame.iloc[0], f.year)
    st.subheader(tr("targets"), help=tr("targets_help"))
    notes = [tr("targets_months", date=p.as_of)] if reads_months(f) else []
    if ignores_filters(f):
        notes.append(tr("targets_filters_ignored"))  # a segment's actual is never set against a district's target
    if notes:
        st.caption(_sentences(notes))
    # the sentence beside the chart, not above it: the bars start as high on the page as they can
    words, bars = st.columns([2, 3], gap="medium")
    words.markdown(progress_text(p, lang()))  # numbers only, no names from the data: nothing to escape
    with bars:
        draw(TARGETS.chart, f, key, tr("targets"), frame=frame)
    if company:
        _progress_table(f, key, p, "district")
    elif not f.managers:
        _progress_table(f, key, p, "manager")
    return p


def targets_more(f: Filters, key: str, p: Progress | None, company: bool = False) -> None:
    """The rest of 任务进度, lower on the page: the months against their targets and, on the overview,
    every customer manager most behind first."""
    if p is None:
        return
    monthly = q.monthly_vs_target(f)
    st.subheader(tr("targets_monthly"))
    if monthly["volume_target_cases"].notna().any():
        chart(charts.target_months(monthly, lang()), monthly, f"{key}-months", tr("targets_monthly"),
              columns=["year", "month", "cases", "volume_target_cases", "cum_cases", "cum_target_cases"])
    else:
        st.caption(tr("targets_no_monthly"))
    if company:
        _progress_table(f, key, p, "manager", total=False)


def _progress_table(f: Filters, key: str, p: Progress, by: str, total: bool = True) -> None:
    """A progress table (districts, or customer managers) most behind first, with the scope's own
    progress as its total row (the company's: its districts; a district's: its managers); 时间进度 is
    the same on every row, so the caption says it once (the files keep it as a column)."""
    rows = q.progress_table(f, by=by)
    if rows.empty:
        return
    # a district page's managers are all of that district: their district column would say it on every row
    cols = ["district"] if by == "district" else ["manager"] if f.districts and len(f.districts) == 1 else ["district", "manager"]
    if total:
        rows = with_total(rows, p, total_label(f, lang()), cols[0])
    st.subheader(tr("targets_by_district" if by == "district" else "targets_by_manager"))
    st.caption(tr("targets_sorted", tp=fmt_pct(p.time_progress_pct), date=p.as_of))
    # no column of a measure (or of 序时任务) that no row above the total has: an empty column says nothing
    cols += [c for c in TABLE_COLUMNS if c != "time_pct" and c in rows and rows[c].iloc[:-1 if total else None].notna().any()]
    table(rows, cols)
    download(rows, f"{key}-{by}", columns=cols + ["time_pct"], note=export_note(f, as_of=p.as_of))


def relabelled(widget: Callable[..., Any], label: str, options: list, key: str, format_func: Callable[[Any], str], **kwargs: Any) -> Any:
    """A keyed choice widget (`where.selectbox`, `st.radio`) whose labels can change under the same choice
    (the language toggle; a week that becomes 已下发). Such a widget travels between the browser and the
    server as its option's *label*; when the label of the chosen option changes, the server still maps
    the old label to the same option, so nothing tells the browser to redraw it, and it keeps showing
    the old label (a radio: nothing checked) over options in the new one. Setting the widget's value
    through the Session State API marks it new, and Streamlit then sends the browser the value in its
    new label: the choice stays."""
    mark = f"_{key}_label"  # (the choice, its label) as the browser was last sent them
    before = st.session_state.get(mark)
    if before is not None and key in st.session_state and st.session_state[key] == before[0] and format_func(before[0]) != before[1]:
        st.session_state[key] = before[0]
    value = widget(label, options, key=key, format_func=format_func, **kwargs)
    st.session_state[mark] = (value, format_func(value))
    return value


def scope_picker(f: Filters, key: str, manager_required: bool = False) -> Filters | None:
    """One district and, optionally, one of its customer managers, chosen on the page: the retail
    monitoring pages (代订货线索, 周拜访) answer for one district or one manager at a time. The
    districts offered are the sidebar's choice, else every district the user may see; a manager
    scope offers only its own managers. None (after a message) when there is nothing to choose."""
    cat = catalog(scope=f.scope)
    districts = [d for d in cat.districts if not f.districts or d in f.districts]
    if not districts:
        st.warning(tr("no_match"))
        return None
    left, right = st.columns(2)
    district = left.selectbox(tr("district"), districts, key=f"{key}_district")
    managers = [m for m in cat.managers_of((district,)) if f.scope.covers_manager(m)]
    if manager_required and not managers:
        st.warning(tr("no_managers", district=district))
        return None
    options = managers if manager_required else ["", *managers]
    def manager_label(m: str) -> str:
        return m or tr("all_managers")

    manager = relabelled(right.selectbox, tr("manager"), options, f"{key}_manager", manager_label)  # 全部客户经理 / All managers
    return f.with_(districts=(district,), managers=(manager,) if manager else ())
