"""总览: company KPIs with YoY, progress against targets (districts and managers most behind first), the
district comparison, and small multiples across districts."""
import streamlit as st

from analytics.columns import COMPARISON_MEASURES, covered, with_total
from analytics.families import BY_KEY, OVERVIEW_FAMILIES
from pages import common, q, widgets

f = common.filters()
s = common.page_header("page_overview")
if s is not None and widgets.kpi_row(s, f):
    # 任务进度 right under the cards (the districts most behind first), the written summary after it
    progress = widgets.targets_section(f, "overview-targets", company=True)
    name = covered(f, common.lang())
    widgets.summary_block(s, name, f)
    widgets.targets_more(f, "overview-targets", progress, company=True)
    widgets.pace_section(f, "overview-pace")
    st.subheader(common.tr("district_compare"))
    table = q.breakdown(f)
    cols = ["district", *COMPARISON_MEASURES]
    # the last row is the whole selection, from the same summary as the KPI cards (never an average of rows)
    table = with_total(table, s, f, common.lang())
    common.table(table, cols)
    common.download(table, "district-comparison", columns=cols)

    st.subheader(common.tr("small_multiples"))
    mf = f.with_(compare_year=None)
    # one family at a time: a hidden tab would still cost its query and figure on every rerun
    first = OVERVIEW_FAMILIES[0].key
    key = st.segmented_control(" ", [family.key for family in OVERVIEW_FAMILIES], default=first, key="overview_family",
                               format_func=lambda k: common.tr(BY_KEY[k].title), label_visibility="collapsed") or first
    family = BY_KEY[key]
    common.draw(family.overview, mf, f"overview-{key}", f"{common.tr('small_multiples')} · {common.tr(family.title)}")
