"""片区 pages: one per district in the data, each that district's annual review."""
from __future__ import annotations

import streamlit as st

from analytics import charts
from analytics.columns import covered
from analytics.families import FAMILIES
from analytics.filters import Filters
from analytics.queries import Summary
from analytics.text import md_escape
from pages import common, q, widgets


def render(name: str) -> None:
    f = common.filters().with_(districts=(name,))
    scope = common.scope_name(f)  # the series name on this page's charts: the district, not 全市
    # with a 客户经理 chosen (the sidebar, or ?mgr= from the managers page) the page is that manager's
    # "我的客户" view: every figure, table, text and file of their customers, named so
    title = covered(f, common.lang()) if f.managers else name
    st.title(md_escape(title))
    st.session_state["_page_title"] = title  # the first part of every exported picture's title
    if common.no_data():
        return
    common.active_filters_caption(f)
    s = q.summary(f)
    if f.managers:
        st.caption(common.tr_md("my_customers_n", name="、".join(f.scoped_managers or ()), n=f"{s.customers:,}"))
    if not widgets.kpi_row(s, f):
        return
    # 任务进度 right under the cards: whether half the year brought half the target, on the first screen
    progress = widgets.targets_section(f, f"d-{name}-targets")
    st.subheader(f"{f.year} {common.tr('main_indicators')}")
    common.table(widgets.annual_table(s))
    widgets.summary_block(s, title, f)

    # the chart families (analytics/families.py), two a row; the months against target and 年度进度 below them
    grid = [family for family in FAMILIES if not family.section]
    for row in (grid[i:i + 2] for i in range(0, len(grid), 2)):
        for column, family in zip(st.columns(2), row, strict=False):
            with column:
                common.draw(family.district, f, f"d-{name}-{family.tag}", common.tr(family.title), name=scope, heading=True)
    widgets.targets_more(f, f"d-{name}-targets", progress)
    widgets.pace_section(f, f"d-{name}-pace")
    st.subheader(common.tr("top_brands"))
    top = q.top_brands(f, limit=10)
    cols = ["name", "is_provincial", "cases", "cases_prev", "yoy_pct", "avg_price"]
    common.table(top, cols, rename={"name": "brand"})
    common.download(top, f"top-brands-{name}", columns=cols, rename={"name": "brand"})
    st.subheader(common.tr("my_customers" if f.managers else "retailers_table"))
    if common.sees_retailers():
        # a manager's files are named after them too ("retailers-城郊片区-吴婷.csv")
        stem = "-".join((name, *f.managers))
        _retailers(f, stem, scope)
        if f.managers:
            _not_online(f, stem, s)


def _not_online(f: Filters, name: str, s: Summary) -> None:
    """A manager's customers not yet ordering online, biggest first: whom they visit next."""
    st.subheader(common.tr("not_online"))
    # the customers less those ordering online: the written summary's two counts (the list stops at 500 rows)
    st.caption(common.tr("not_online_n", n=f"{s.customers - (s.online_customers or 0):,}"))
    todo = q.retailers_not_online(f)
    cols = ["retailer_id", "retailer_name", "manager", "area_type", "business_format", "customer_tier", "cases"]
    common.table(todo, cols)
    common.download(todo, f"not-online-{name}", columns=cols)


def _retailers(f: Filters, name: str, scope: str) -> None:
    """The retailer table, the swings and the drill-down to order lines: retailer rows, for the roles
    that may see them."""
    lang = common.lang()
    sort = st.segmented_control(" ", ["volume", "change", "yoy"], default="volume", format_func=lambda k: common.tr(f"sort_{k}"),
                                key=f"d-{name}-sort", label_visibility="collapsed") or "volume"
    retailers = q.retailer_table(f, sort=sort, limit=500)
    cols = ["retailer_id", "retailer_name", "manager", "area_type", "business_format", "customer_tier", "cases", "cases_prev",
            "yoy_pct", "low_tier_cases", "online"]
    common.table(retailers, cols)
    common.download(retailers, f"retailers-{name}", columns=cols)

    st.subheader(common.tr("swings"))
    st.caption(common.tr("swings_help"))
    swings = q.volume_swings(f, limit=20)
    cols = ["retailer_id", "retailer_name", "manager", "customer_tier", "cases", "active_months", "swing", "min_month_cases",
            "max_month_cases"]
    common.table(swings, cols)
    common.download(swings, f"swings-{name}", columns=cols)

    st.subheader(common.tr("drilldown"))
    options = retailers["retailer_id"].tolist()
    labels = dict(zip(retailers["retailer_id"], retailers["retailer_name"], strict=True))
    picked = st.selectbox(common.tr("drilldown_pick"), options, index=None, key=f"d-{name}-retailer",
                          format_func=lambda rid: f"{rid} · {labels.get(rid, '')}", placeholder=common.tr("drilldown_placeholder"))
    if picked:
        monthly = q.retailer_monthly(f, retailer_id=picked)
        common.chart(charts.lines(monthly, lang, "cases", common.tr("unit_cases"), y_label=common.tr("volume_cases"),
                                  name=labels.get(picked, picked)), monthly,
                     f"d-{name}-retailer-{picked}", f"{picked} · {labels.get(picked, '')}",
                     columns=["year", "month", "cases", "low_tier_cases", "online_cases", "avg_price"])
        lines = q.retailer_orders(f, picked)
        st.caption(common.tr("drilldown_lines", n=f"{len(lines):,}", year=f.year))
        cols = ["order_date", "sku_name", "brand", "price_class", "quantity_cartons", "amount_yuan", "channel"]
        common.table(lines, cols)
        common.download(lines, f"orders-{picked}-{f.year}", columns=cols)

