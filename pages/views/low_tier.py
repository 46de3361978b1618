"""低档烟: 五类 volume and share over time, YoY by district and segment, retailers that fell most."""
import streamlit as st

from analytics import charts
from analytics.formats import fmt_cases, fmt_pct
from analytics.palettes import CLASS_COLORS
from pages import common, q, widgets

f = common.filters()
lang = common.lang()
scope = common.scope_name(f)
s = common.page_header("page_low")
if s is not None:
    c = st.columns(3)
    c[0].metric(common.tr("low_tier_cases"), fmt_cases(s.low_tier_cases, lang), widgets.delta(s.low_tier_yoy_pct),
                delta_color="inverse")  # a fall in 五类 is the direction the company pursues
    c[1].metric(common.tr("low_tier_share"), fmt_pct(s.low_tier_share_pct),
                widgets.pp_delta(s.low_tier_share_pct, s.class_share_pct_prev["5"]), delta_color="inverse")
    c[2].metric(common.tr("volume"), fmt_cases(s.volume_cases, lang))
    monthly = q.low_tier_by_period(f)
    data = {"columns": ["year", "month", "cases", "share_pct"], "rename": {"cases": "low_tier_cases", "share_pct": "low_tier_share_pct"}}
    left, right = st.columns(2)
    with left:
        st.subheader(common.tr("low_tier_cases"))
        common.chart(charts.lines(monthly, lang, "cases", common.tr("unit_cases"), y_label=common.tr("volume_cases"),
                                  colors={None: CLASS_COLORS[5]}, name=scope), monthly, "low-volume",
                     common.tr("low_tier_cases"), **data)
    with right:
        st.subheader(common.tr("low_tier_share"))
        common.chart(charts.lines(monthly, lang, "share_pct", "%", y_label=common.tr("share_pct"),
                                  colors={None: CLASS_COLORS[5]}, name=scope), monthly, "low-share",
                     common.tr("low_tier_share"), **data)
    st.subheader(common.tr("by_district"))
    table = q.breakdown(f)
    common.chart(charts.bars(table, lang, "district", "low_tier_yoy_pct", "%", y_label=common.tr("low_tier_yoy_pct")),
                 table, "low-district", common.tr("by_district"), columns=["district", "low_tier_cases", "low_tier_yoy_pct"],
                 select="district")
    by = st.segmented_control(" ", ["area_type", "business_format", "customer_tier"], default="area_type",
                              format_func=common.tr, key="low_by", label_visibility="collapsed") or "area_type"
    seg = q.breakdown(f, by=by)
    common.chart(charts.bars(seg, lang, by, "low_tier_yoy_pct", "%", y_label=common.tr("low_tier_yoy_pct")), seg,
                 f"low-by-{by}", f"{common.tr('low_tier_yoy_pct')} · {common.tr(by)}", columns=[by, "low_tier_cases", "low_tier_yoy_pct"])
    st.subheader(common.tr("decliners"))
    worst = q.low_tier_decliners(f)
    cols = ["retailer_id", "retailer_name", "district", "manager", "class5_cases", "class5_cases_prev", "class5_change_cases",
            "cases", "cases_prev"]
    common.table(worst, cols)
    common.download(worst, "low-tier-decliners", columns=cols)
