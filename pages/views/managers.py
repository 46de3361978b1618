"""客户经理: one row per customer manager, the district comparison's figures for each manager's customers
(the master's retailers with that manager), and a link from each manager to their own view: their
district's page narrowed to them (`?mgr=NAME`), the "我的客户" view."""
import streamlit as st

from analytics.columns import MANAGER_COLUMNS, with_total
from analytics.slugs import district_slug
from analytics.text import md_escape
from pages import common, q

f = common.filters()
s = common.page_header("page_managers")
if s is not None:
    st.subheader(common.tr("manager_compare"))
    st.caption(common.tr("manager_compare_help"))
    # by district, then the biggest manager first; the last row is the whole selection's summary
    table = q.breakdown(f, by="manager").sort_values(["district", "volume_cases"], ascending=[True, False], kind="stable")
    # target completion: each manager's own targets against their customers' year to date (no column without targets)
    targets = q.progress_table(f, by="manager")
    target_columns = ["volume_completion_pct", "volume_gap_pp"]
    if not targets.empty:
        table = table.merge(targets[["district", "manager", *target_columns]], on=["district", "manager"], how="left")
    table = with_total(table, s, f, common.lang(), by="manager")
    whole = q.progress(f)
    if whole.has_targets and not targets.empty:  # the total row: the selection's own progress, never an average
        table.loc[table.index[-1], target_columns] = [whole.get("volume").completion_pct, whole.get("volume").gap]
    common.table(table, MANAGER_COLUMNS)
    common.download(table, "managers", columns=MANAGER_COLUMNS)

    st.subheader(common.tr("open_manager"))
    pages = st.session_state.get("_pages", {})
    rows = table.iloc[:-1]
    for district, group in rows.groupby("district", sort=False):
        page = pages.get(district_slug(district))
        if page is None:  # a district this session has no page for (none: its scope lists its own)
            continue
        with st.container(horizontal=True):
            st.markdown(f"**{md_escape(district)}**")
            for manager in group["manager"]:
                # the same filters, the district page narrowed to the manager; the link carries mgr
                params = {**st.query_params.to_dict(), "mgr": manager}
                params.pop("d", None)  # the district page fixes its own district
                st.page_link(page, label=md_escape(manager), icon=":material/person:", query_params=params)
