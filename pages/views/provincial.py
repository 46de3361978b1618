"""省产烟: provincial share over time and by district, top brands and specifications, YoY."""
from dataclasses import replace

import streamlit as st

from analytics import charts
from analytics.families import PROVINCIAL
from analytics.formats import fmt_cases, fmt_pct
from pages import common, q, widgets

f = common.filters()
lang = common.lang()
s = common.page_header("page_provincial")
if s is not None:
    widgets.metrics([
        ("provincial_cases", fmt_cases(s.provincial_cases, lang), widgets.delta(s.provincial_yoy_pct)),
        ("provincial_share", fmt_pct(s.provincial_share_pct), widgets.pp_delta(s.provincial_share_pct, s.provincial_share_pct_prev)),
        ("volume", fmt_cases(s.volume_cases, lang), widgets.delta(s.volume_yoy_pct)),
    ])
    left, right = st.columns(2)
    with left:
        monthly = common.draw(PROVINCIAL.chart, f, "prov-share", common.tr(PROVINCIAL.title), name=common.scope_name(f),
                              heading=True)
    with right:
        # the same frame and data tab as the share's
        common.draw(replace(PROVINCIAL.chart, figure=lambda frame, lg, *_: charts.provincial_bars(frame, lg)), f, "prov-volume",
                    common.tr("volume_cases"), frame=monthly, heading=True)
    st.subheader(common.tr("by_district"))
    by_d = q.provincial_by_period(f, grain="year", by="district")
    by_d["year"] = by_d["year"].astype(str)
    common.chart(charts.bars(by_d, lang, "district", "share_pct", "%", color="year", y_label=common.tr("provincial_share_pct"),
                             colors=charts.year_colors(f.year, f.compare_year)),
                 by_d, "prov-district", common.tr("by_district"), columns=["district", "year", "cases", "provincial_cases", "share_pct"],
                 rename={"share_pct": "provincial_share_pct"}, select="district")
    left, right = st.columns(2)
    cols = ["name", "cases", "cases_prev", "yoy_pct", "avg_price"]
    for side, provincial, title, key in ((left, True, "top_provincial", "prov-top-in"),
                                         (right, False, "top_out_of_province", "prov-top-out")):
        with side:
            st.subheader(common.tr(title))
            top = q.top_brands(f, provincial=provincial)
            common.chart(charts.bars(top, lang, "name", "cases", common.tr("unit_cases"), horizontal=True,
                                     y_label=common.tr("volume_cases")), top, key,
                         common.tr(title), columns=cols, rename={"name": "brand"})
    st.subheader(common.tr("top_specs"))
    specs = q.top_brands(f, level="sku", limit=20)
    cols = ["name", "is_provincial", "cases", "cases_prev", "yoy_pct", "avg_price"]
    common.table(specs, cols, rename={"name": "sku_name"})
    common.download(specs, "top-specs", columns=cols, rename={"name": "sku_name"})
