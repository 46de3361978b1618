"""网上订货: adoption over time, by district / area / tier, new adopters, online volume share,
and the retailers not yet ordering online (whom to visit next)."""
import streamlit as st

from analytics import charts
from analytics.families import ONLINE
from analytics.formats import fmt_count, fmt_pct
from analytics.metrics import cases
from analytics.palettes import AREA_COLORS
from pages import common, q, widgets

f = common.filters()
lang = common.lang()
scope = common.scope_name(f)
s = common.page_header("page_online")
if s is not None:
    widgets.metrics([
        ("online_rate", fmt_pct(s.online_rate_pct), widgets.pp_delta(s.online_rate_pct, s.online_rate_pct_prev)),
        ("online_customers", fmt_count(s.online_customers, lang), None),
        ("online_rate_ordering", fmt_pct(s.online_rate_ordering_pct), None),
        ("online_volume_share", fmt_pct(s.online_volume_share_pct), None),
    ])
    left, right = st.columns(2)
    with left:
        monthly = common.draw(ONLINE.chart, f, "online-rate", common.tr(ONLINE.title), name=scope, heading=True)
    with right:
        st.subheader(common.tr("new_online"))
        monthly["period"] = charts.month_label(monthly)
        common.chart(charts.bars(monthly, lang, "period", "new_online", common.tr("unit_households"),
                                 whole=True, name=scope, y_label=common.tr("new_online")), monthly, "online-new",
                     common.tr("new_online"), columns=["year", "month", "new_online", "online_customers"])
    left, right = st.columns(2)
    with left:
        st.subheader(common.tr("online_volume_share"))
        common.chart(charts.lines(monthly, lang, "online_volume_share_pct", "%", name=scope), monthly, "online-volume",
                     common.tr("online_volume_share"), columns=["year", "month", "online_volume_share_pct"])
    with right:
        st.subheader(common.tr("volume_by_channel"))
        # the volumes behind the stacked bars, in 箱 (the query carries 条)
        channel = monthly.assign(cases=cases(monthly["qty"]), online_cases=cases(monthly["online_qty"]))
        common.chart(charts.channel_bars(monthly, lang), channel, "online-channel", common.tr("volume_by_channel"),
                     columns=["year", "month", "cases", "online_cases", "online_volume_share_pct"])
    st.subheader(common.tr("by_district"))
    seg = q.online_by_segment(f, by="district")
    seg["year"] = seg["year"].astype(str)
    common.chart(charts.bars(seg, lang, "district", "online_rate_pct", "%", color="year",
                             colors=charts.year_colors(f.year, f.compare_year)), seg, "online-district",
                 common.tr("by_district"), columns=["district", "year", "online_customers", "customers", "online_rate_pct"],
                 select="district")
    left, right = st.columns(2)
    with left:
        st.subheader(common.tr("by_area"))
        area = q.online_by_month(f.with_(compare_year=None), by="area_type")
        common.chart(charts.lines(area, lang, "online_rate_pct", "%", series="area_type", colors=AREA_COLORS), area,
                     "online-area", common.tr("by_area"),
                     columns=["area_type", "year", "month", "online_customers", "customers", "online_rate_pct"])
    with right:
        st.subheader(common.tr("by_tier"))
        tier = q.online_by_segment(f.with_(compare_year=None), by="customer_tier")
        tier_fig = charts.bars(tier, lang, "customer_tier", "online_rate_pct", "%", name=common.scope_name(f.with_(compare_year=None)))
        common.chart(tier_fig, tier, "online-tier", common.tr("by_tier"),
                     columns=["customer_tier", "year", "online_customers", "customers", "online_rate_pct"])
    st.subheader(common.tr("not_online"))
    if common.sees_retailers():
        todo = q.retailers_not_online(f)
        cols = ["retailer_id", "retailer_name", "district", "manager", "area_type", "business_format", "customer_tier", "cases"]
        common.table(todo, cols)
        common.download(todo, "not-online", columns=cols)
