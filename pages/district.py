"""片区 pages: one per district in the data, each that district's annual review."""
from __future__ import annotations

import streamlit as st

from analytics import charts
from analytics.labels import CLASS_COLORS, localize
from analytics.text import md_escape
from pages import common, widgets


def render(name: str) -> None:
    f = common.filters().with_(districts=(name,))
    lang = common.lang()
    st.title(md_escape(name))
    if common.no_data():
        return
    common.active_filters_caption(f)
    s = common.run("summary", f)
    if s["volume_cases"]:
        common.period_caption(s)
    if not widgets.kpi_row(s, f):
        return
    st.subheader(f"{f.year} {common.tr('main_indicators')}")
    common.table(widgets.annual_table(s))
    widgets.summary_block(s, name, f)

    left, right = st.columns(2)
    with left:
        st.subheader(common.tr("page_mix"))
        mix = common.run("class_by_period", f, grain="year")
        common.chart(charts.class_bars(mix, lang, x="year"), mix, f"d-{name}-mix")
    with right:
        st.subheader(common.tr("provincial_share"))
        prov = common.run("provincial_by_period", f)
        common.chart(charts.lines(prov, lang, "share_pct", "%", y_label=common.tr("share_pct")), prov, f"d-{name}-prov")
    left, right = st.columns(2)
    with left:
        st.subheader(common.tr("online_rate"))
        online = common.run("online_by_month", f)
        common.chart(charts.lines(online, lang, "online_rate_pct", "%", y_label=common.tr("online_rate_pct")), online, f"d-{name}-online")
    with right:
        st.subheader(common.tr("low_tier_cases"))
        low = common.run("low_tier_by_period", f)
        common.chart(charts.lines(low, lang, "cases", common.tr("unit_cases"), y_label=common.tr("volume_cases"),
                                  colors={None: CLASS_COLORS[5]}), low, f"d-{name}-low")
    widgets.pace_section(f, f"d-{name}-pace")
    st.subheader(common.tr("top_brands"))
    top = common.run("top_brands", f, limit=10)
    common.table(localize(top, lang, ["name", "is_provincial", "cases", "cases_prev", "yoy_pct", "avg_price"]))
    st.subheader(common.tr("retailers_table"))
    sort = st.segmented_control(" ", ["volume", "change", "yoy"], default="volume", format_func=lambda k: common.tr(f"sort_{k}"),
                                key=f"d-{name}-sort", label_visibility="collapsed") or "volume"
    retailers = common.run("retailer_table", f, sort=sort, limit=500)
    shown = localize(retailers, lang, ["retailer_id", "retailer_name", "manager", "area_type", "business_format", "customer_tier",
                                       "cases", "cases_prev", "yoy_pct", "class5_cases", "online"])
    common.table(shown)
    common.download(shown, f"retailers-{name}")

    st.subheader(common.tr("swings"))
    st.caption(common.tr("swings_help"))
    swings = common.run("volume_swings", f, limit=20)
    shown = localize(swings, lang, ["retailer_id", "retailer_name", "manager", "customer_tier", "cases", "active_months",
                                    "swing", "min_month_cases", "max_month_cases"])
    common.table(shown)
    common.download(shown, f"swings-{name}")

    st.subheader(common.tr("drilldown"))
    options = retailers["retailer_id"].tolist()
    labels = dict(zip(retailers["retailer_id"], retailers["retailer_name"], strict=True))
    picked = st.selectbox(common.tr("drilldown_pick"), options, index=None, key=f"d-{name}-retailer",
                          format_func=lambda rid: f"{rid} · {labels.get(rid, '')}", placeholder=common.tr("drilldown_placeholder"))
    if picked:
        monthly = common.run("retailer_monthly", f, retailer_id=picked)
        common.chart(charts.lines(monthly, lang, "cases", common.tr("unit_cases"), y_label=common.tr("volume_cases")), monthly,
                     f"d-{name}-retailer-{picked}")
        lines = common.retailer_orders(picked, f.year)
        st.caption(common.tr("drilldown_lines", n=f"{len(lines):,}", year=f.year))
        common.table(localize(lines, lang, ["order_date", "sku_name", "brand", "price_class", "quantity_cartons", "amount_yuan", "channel"]))

