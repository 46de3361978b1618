"""客户经理: one row per customer manager, the district comparison's figures for each manager's customers
(the master's retailers with that manager), most behind their volume target first when the year has
targets; each name links to the manager's own view: their district's page narrowed to them
(`?mgr=NAME`), the "我的客户" view."""
import urllib.parse

import pandas as pd
import streamlit as st

from analytics.columns import MANAGER_COLUMNS, with_total
from analytics.slugs import district_slug
from pages import common, q

#: each manager's target completion (analytics/progress.py), beside their name
TARGET_COLUMNS = ["volume_completion_pct", "volume_gap_pp"]


def manager_links(rows: pd.DataFrame) -> list[str]:
    """Each row's link to its manager's view: their district's page (a relative path, so a server's
    base path stays in it) with this page's filters and `mgr` last, whose value the table shows; ""
    for the total row, which names no manager."""
    params = {k: v for k, v in st.query_params.to_dict().items() if k not in ("d", "mgr")}  # the district page fixes its own
    links = []
    for district, manager in zip(rows["district"], rows["manager"], strict=True):
        if not manager:
            links.append("")
            continue
        query = urllib.parse.urlencode({**params, "mgr": manager}, quote_via=urllib.parse.quote)
        links.append(f"{urllib.parse.quote(district_slug(district))}?{query}")
    return links


f = common.filters()
s = common.page_header("page_managers")
if s is not None:
    st.subheader(common.tr("manager_compare"))
    st.caption(common.tr("manager_compare_help"))
    table = q.breakdown(f, by="manager")
    # target completion: each manager's own targets against their customers' year to date (no column without targets)
    targets = q.progress_table(f, by="manager")
    whole = q.progress(f)
    has_targets = whole.has_targets and not targets.empty
    if has_targets:
        table = table.merge(targets[["district", "manager", *TARGET_COLUMNS]], on=["district", "manager"], how="left")
        # the most behind first (as the progress tables); managers without a target of their own last
        table = table.sort_values(["volume_gap_pp", "district", "volume_cases"], ascending=[True, True, False],
                                  na_position="last", kind="stable")
    else:
        table = table.sort_values(["district", "volume_cases"], ascending=[True, False], kind="stable")
    st.caption(common.tr("manager_sorted_gap" if has_targets else "manager_sorted_volume"))
    # the last row is the whole selection's summary
    table = with_total(table, s, f, common.lang(), by="manager")
    if has_targets:  # the total row: the selection's own progress, never an average
        table.loc[table.index[-1], TARGET_COLUMNS] = [whole.get("volume").completion_pct, whole.get("volume").gap]
    common.table(table, MANAGER_COLUMNS, pinned=2, links={"manager": manager_links(table)})
    # figures against targets are read at a day: the files say which, as the progress tables' do
    common.download(table, "managers", columns=MANAGER_COLUMNS, note=common.export_note(f, as_of=whole.as_of) if has_targets else None)
