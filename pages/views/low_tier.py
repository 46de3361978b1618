"""低档烟: 五类 volume and share over time, YoY by district and segment, retailers that fell most."""
from dataclasses import replace

import streamlit as st

from analytics import charts
from analytics.families import LOW, Lines
from analytics.formats import fmt_cases, fmt_pct
from analytics.palettes import CLASS_COLORS
from pages import common, q, widgets

f = common.filters()
lang = common.lang()
scope = common.scope_name(f)
s = common.page_header("page_low")
if s is not None:
    widgets.metrics([  # a fall in 五类 is the direction the company pursues: inverse colours
        ("low_tier_cases", fmt_cases(s.low_tier_cases, lang), widgets.delta(s.low_tier_yoy_pct), True),
        ("low_tier_share", fmt_pct(s.low_tier_share_pct), widgets.pp_delta(s.low_tier_share_pct, s.class_share_pct_prev["5"]), True),
        ("volume", fmt_cases(s.volume_cases, lang), None),
    ])
    left, right = st.columns(2)
    with left:
        monthly = common.draw(LOW.chart, f, "low-volume", common.tr(LOW.title), name=scope, heading=True)
    with right:
        # the same frame and data tab, the share drawn in the family's colour
        share = replace(LOW.chart, figure=Lines("share_pct", "%", "low_tier_share_pct", CLASS_COLORS[5]))
        common.draw(share, f, "low-share", common.tr("low_tier_share"), name=scope, frame=monthly, heading=True)
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
    if common.sees_retailers():
        worst = q.low_tier_decliners(f)
        cols = ["retailer_id", "retailer_name", "district", "manager", "low_tier_cases", "low_tier_cases_prev",
                "low_tier_change_cases", "cases", "cases_prev"]
        common.table(worst, cols)
        common.download(worst, "low-tier-decliners", columns=cols)
