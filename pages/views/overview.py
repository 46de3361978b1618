"""总览: company KPIs with YoY, the district comparison, and small multiples across districts."""
import streamlit as st

from analytics import charts
from analytics.columns import with_total
from pages import common, q, widgets

f = common.filters()
s = common.page_header("page_overview")
if s is not None and widgets.kpi_row(s, f):
    name = "、".join(f.districts) if f.districts else common.tr("all_districts")
    widgets.summary_block(s, name, f)
    widgets.pace_section(f, "overview-pace")
    st.subheader(common.tr("district_compare"))
    table = q.breakdown(f)
    cols = ["district", "volume_cases", "volume_yoy_pct", "avg_price", "avg_price_yoy_pct", "case_value",
            "provincial_share_pct", "provincial_share_change_pp", "online_rate_pct", "online_rate_change_pp",
            "low_tier_cases", "low_tier_yoy_pct"]
    # the last row is the whole selection, from the same summary as the KPI cards (never an average of rows)
    table = with_total(table, s, f, common.lang())
    common.table(table, cols)
    common.download(table, "district-comparison", columns=cols)

    st.subheader(common.tr("small_multiples"))
    mf = f.with_(compare_year=None)
    lang = common.lang()
    # one family at a time: a hidden tab would still cost its query and figure on every rerun
    families = {"mix": "page_mix", "provincial": "provincial_share", "online": "online_rate", "low": "low_tier_cases"}
    family = st.segmented_control(" ", list(families), default="mix", key="overview_family",
                                  format_func=lambda k: common.tr(families[k]), label_visibility="collapsed") or "mix"
    title = f"{common.tr('small_multiples')} · {common.tr(families[family])}"
    if family == "mix":
        mix = q.class_by_period(mf, grain="year", by="district")
        common.chart(charts.class_bars(mix, lang, x="district", value="share_pct"), mix, "overview-mix", title,
                     columns=["district", "year", "price_class", "cases", "share_pct"], select="district")
    elif family == "provincial":
        prov = q.provincial_by_period(mf, by="district")
        common.chart(charts.small_multiples(prov, lang, "district", "share_pct", "%"), prov, "overview-provincial", title,
                     columns=["district", "year", "month", "cases", "provincial_cases", "share_pct"],
                     rename={"share_pct": "provincial_share_pct"})
    elif family == "online":
        online = q.online_by_month(mf, by="district")
        common.chart(charts.small_multiples(online, lang, "district", "online_rate_pct", "%"), online, "overview-online", title,
                     columns=["district", "year", "month", "online_customers", "customers", "online_rate_pct"])
    else:
        low = q.low_tier_by_period(mf, by="district")
        common.chart(charts.small_multiples(low, lang, "district", "cases", common.tr("unit_cases")), low, "overview-low", title,
                     columns=["district", "year", "month", "cases", "share_pct"], rename={"cases": "low_tier_cases", "share_pct": "low_tier_share_pct"})
