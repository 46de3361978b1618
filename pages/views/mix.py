"""价类结构: class volumes and shares by month and year, the class YoY table, and breakdowns."""
import streamlit as st

from analytics import charts
from analytics.families import MIX
from pages import common, q

f = common.filters()
lang = common.lang()
if common.page_header("page_mix") is not None:
    yoy = q.class_yoy(f)
    st.subheader(common.tr("class_table"))
    cols = ["price_class", "cases", "cases_prev", "change_cases", "yoy_pct", "share_pct"]
    common.table(yoy, cols)
    common.download(yoy, "class-yoy", columns=cols)

    c1, c2 = st.columns(2)
    with c1:
        monthly = common.draw(MIX.chart, f, "mix-month", common.tr("by_month"), heading=True)
    with c2:
        st.subheader(common.tr("share_pct"))
        common.chart(charts.class_share_area(monthly, lang), monthly, "mix-share", common.tr("share_pct"))
    yearly = q.class_by_period(f, grain="year")
    st.subheader(common.tr("by_year"))
    common.chart(charts.class_bars(yearly, lang, x="year"), yearly, "mix-year", common.tr("by_year"))

    st.subheader(common.tr("by_district"))
    by = st.segmented_control(" ", ["district", "area_type", "business_format", "customer_tier"], default="district",
                              format_func=common.tr, key="mix_by", label_visibility="collapsed") or "district"
    one_year = f.with_(compare_year=None)
    seg = q.class_by_period(one_year, grain="year", by=by)
    value = st.radio(" ", ["cases", "share_pct"], format_func=common.tr, horizontal=True, key="mix_value",
                     label_visibility="collapsed")
    common.chart(charts.class_bars(seg, lang, x=by, value=value), seg, f"mix-by-{by}",
                 f"{common.tr('by_district')} · {common.tr(by)}", columns=[by, "year", "price_class", "cases", "share_pct"],
                 select="district")
