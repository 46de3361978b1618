"""片区 pages: one per district in the data, each that district's annual review."""
from __future__ import annotations

import streamlit as st

from analytics import charts
from analytics.palettes import CLASS_COLORS
from analytics.text import md_escape
from pages import common, q, widgets


def render(name: str) -> None:
    f = common.filters().with_(districts=(name,))
    lang = common.lang()
    scope = common.scope_name(f)  # the series name on this page's charts: the district, not 全市
    st.title(md_escape(name))
    st.session_state["_page_title"] = name  # the first part of every exported picture's title
    if common.no_data():
        return
    common.active_filters_caption(f)
    s = q.summary(f)
    if not widgets.kpi_row(s, f):
        return
    st.subheader(f"{f.year} {common.tr('main_indicators')}")
    common.table(widgets.annual_table(s))
    widgets.summary_block(s, name, f)

    left, right = st.columns(2)
    with left:
        st.subheader(common.tr("page_mix"))
        mix = q.class_by_period(f, grain="year")
        common.chart(charts.class_bars(mix, lang, x="year"), mix, f"d-{name}-mix", common.tr("page_mix"),
                     columns=["year", "price_class", "cases", "share_pct"])
    with right:
        st.subheader(common.tr("provincial_share"))
        prov = q.provincial_by_period(f)
        common.chart(charts.lines(prov, lang, "share_pct", "%", y_label=common.tr("share_pct"), name=scope), prov, f"d-{name}-prov",
                     common.tr("provincial_share"), columns=["year", "month", "cases", "provincial_cases", "share_pct"],
                     rename={"share_pct": "provincial_share_pct"})
    left, right = st.columns(2)
    with left:
        st.subheader(common.tr("online_rate"))
        online = q.online_by_month(f)
        common.chart(charts.lines(online, lang, "online_rate_pct", "%", y_label=common.tr("online_rate_pct"), name=scope), online,
                     f"d-{name}-online", common.tr("online_rate"),
                     columns=["year", "month", "online_customers", "ordering_customers", "customers", "online_rate_pct"])
    with right:
        st.subheader(common.tr("low_tier_cases"))
        low = q.low_tier_by_period(f)
        common.chart(charts.lines(low, lang, "cases", common.tr("unit_cases"), y_label=common.tr("volume_cases"),
                                  colors={None: CLASS_COLORS[5]}, name=scope), low, f"d-{name}-low", common.tr("low_tier_cases"),
                     columns=["year", "month", "cases", "share_pct"], rename={"cases": "low_tier_cases", "share_pct": "low_tier_share_pct"})
    widgets.pace_section(f, f"d-{name}-pace")
    st.subheader(common.tr("top_brands"))
    top = q.top_brands(f, limit=10)
    cols = ["name", "is_provincial", "cases", "cases_prev", "yoy_pct", "avg_price"]
    common.table(top, cols, rename={"name": "brand"})
    common.download(top, f"top-brands-{name}", columns=cols, rename={"name": "brand"})
    st.subheader(common.tr("retailers_table"))
    sort = st.segmented_control(" ", ["volume", "change", "yoy"], default="volume", format_func=lambda k: common.tr(f"sort_{k}"),
                                key=f"d-{name}-sort", label_visibility="collapsed") or "volume"
    retailers = q.retailer_table(f, sort=sort, limit=500)
    cols = ["retailer_id", "retailer_name", "manager", "area_type", "business_format", "customer_tier", "cases", "cases_prev",
            "yoy_pct", "class5_cases", "online"]
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
                     columns=["year", "month", "cases", "class5_cases", "online_cases", "avg_price"])
        lines = q.retailer_orders(picked, f.year)
        st.caption(common.tr("drilldown_lines", n=f"{len(lines):,}", year=f.year))
        cols = ["order_date", "sku_name", "brand", "price_class", "quantity_cartons", "amount_yuan", "channel"]
        common.table(lines, cols)
        common.download(lines, f"orders-{picked}-{f.year}", columns=cols)

