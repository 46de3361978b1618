"""网上订货: adoption over time, by district / area / tier, new adopters, online volume share,
and the retailers not yet ordering online (whom to visit next)."""
import streamlit as st

from analytics import charts
from analytics.labels import AREA_COLORS, fmt_count, fmt_pct, localize
from pages import common, widgets

f = common.filters()
lang = common.lang()
s = common.page_header("page_online")
if s is not None:
    c = st.columns(4)
    c[0].metric(common.tr("online_rate"), fmt_pct(s["online_rate_pct"]), widgets.pp_delta(s["online_rate_pct"], s["online_rate_pct_prev"]))
    c[1].metric(common.tr("online_customers"), fmt_count(s["online_customers"], lang))
    c[2].metric(common.tr("online_rate_ordering"), fmt_pct(s["online_rate_ordering_pct"]))
    c[3].metric(common.tr("online_volume_share"), fmt_pct(s["online_volume_share_pct"]))
    monthly = common.run("online_by_month", f)
    left, right = st.columns(2)
    with left:
        st.subheader(common.tr("online_rate"))
        common.chart(charts.lines(monthly, lang, "online_rate_pct", "%", y_label=common.tr("online_rate_pct")), monthly, "online-rate")
    with right:
        st.subheader(common.tr("new_online"))
        monthly["period"] = charts.month_label(monthly)
        common.chart(charts.bars(monthly, lang, "period", "new_online", common.tr("unit_households"),
                                 y_label=common.tr("new_online")), monthly, "online-new")
    left, right = st.columns(2)
    with left:
        st.subheader(common.tr("online_volume_share"))
        common.chart(charts.lines(monthly, lang, "online_volume_share_pct", "%"), monthly, "online-volume")
    with right:
        st.subheader(common.tr("volume_by_channel"))
        common.chart(charts.channel_bars(monthly, lang), monthly, "online-channel")
    st.subheader(common.tr("by_district"))
    seg = common.run("online_by_segment", f, by="district")
    seg["year"] = seg["year"].astype(str)
    common.chart(charts.bars(seg, lang, "district", "online_rate_pct", "%", color="year"), seg, "online-district", select="district")
    left, right = st.columns(2)
    with left:
        st.subheader(common.tr("by_area"))
        area = common.run("online_by_month", f.with_(compare_year=None), by="area_type")
        common.chart(charts.lines(area, lang, "online_rate_pct", "%", series="area_type", colors=AREA_COLORS), area, "online-area")
    with right:
        st.subheader(common.tr("by_tier"))
        tier = common.run("online_by_segment", f.with_(compare_year=None), by="customer_tier")
        common.chart(charts.bars(tier, lang, "customer_tier", "online_rate_pct", "%"), tier, "online-tier")
    st.subheader(common.tr("not_online"))
    todo = common.run("retailers_not_online", f)
    shown = localize(todo, lang, ["retailer_id", "retailer_name", "district", "manager", "area_type", "business_format",
                                  "customer_tier", "cases"])
    common.table(shown)
    common.download(shown, "not-online")
