"""周拜访: one customer manager's visit list for a week (analytics/visits.py), grouped by reason with a
line of why each. The week to plan (the one after the data end) comes first, then the weeks whose list
was issued. A list not yet issued is a draft; 下发 keeps it (the first issued list of a week is never
replaced), and only a kept list is printed or downloaded, so a printed list stays what was printed and
next week's list can leave out what this one said unless it got worse."""
import datetime as dt

import streamlit as st

from analytics import visits
from analytics.config import VISIT_CAP, VISITS
from analytics.slugs import safe_name
from analytics.text import md_escape
from pages import common, identity, q, widgets

#: on screen each reason is a table of its own: no reason column
SCREEN_COLUMNS = ["visit_rank", "retailer_id", "retailer_name", "visit_why", "visit_also"]


def _week_label(week: str, kept: bool) -> str:
    monday, sunday = visits.parse_week(week)
    return common.tr("visit_week_kept" if kept else "visit_week_option", week=week, monday=monday.isoformat(), sunday=sunday.isoformat())


def _issue(root: str, vl: visits.VisitList) -> None:
    """Keep the list the user saw (the button's own run's), under their name. A disk that refuses the
    file (full, read-only) leaves the list a draft and says why on the next run."""
    who = identity.session()
    try:
        visits.issue(root, vl, who.name or who.identity)
    except OSError as exc:
        st.session_state["visits_issue_failed"] = common.tr("visit_issue_failed", error=exc.strerror or str(exc))


def _downloads(vl: visits.VisitList) -> None:
    """XLSX/CSV of the kept list, and its printable A4 page (a file name with the manager and the week)."""
    lang = common.lang()
    stem = f"{common.tr('page_visits')}-{safe_name(vl.manager)}-{vl.week}"
    note = " · ".join([visits.title(vl, lang), *visits.meta(vl, lang), common.tr("lead_not_verdict")])  # the files say it too
    common.download(visits.frame(vl, lang), stem, columns=visits.TABLE_COLUMNS, note=note)
    page = visits.printable_page(vl, lang, common.tr("lead_not_verdict"))
    st.download_button(common.tr("download_print"), common.audited(lambda: page.encode("utf-8"), "export", f"{stem}.html",
                                                                   format="html", note=note),
                       file_name=f"{stem}.html", mime="text/html", key="visits_print", icon=":material/print:")


f = common.filters()
st.title(common.tr("page_visits"))
st.session_state["_page_title"] = common.tr("page_visits")
if not common.no_data() and common.sees_retailers():
    chosen = widgets.scope_picker(f, "visits", manager_required=True)
    if chosen is not None:
        district, manager = chosen.districts[0], chosen.managers[0]
        root = str(q.store().root)
        plan = visits.week_to_plan(dt.date.fromisoformat(common.catalog().period[1]))
        kept = visits.issued_weeks(root, district, manager)
        weeks = [plan, *(w for w in kept if w != plan)]
        week = st.selectbox(common.tr("visit_week"), weeks, key="visits_week", format_func=lambda w: _week_label(w, w in kept))
        try:
            vl = visits.load(root, district, manager, week)
            if vl is None:
                history = visits.previous_lists(root, district, manager, week)
                vl = visits.select(q.visit_candidates(chosen, week), week, history, VISIT_CAP, VISITS)
        except ValueError as exc:  # a kept file that cannot be read: named, never a crash
            st.error(md_escape(exc))
            st.stop()
        st.info(common.tr("lead_not_verdict"))
        st.caption(" · ".join(visits.meta(vl, common.lang())[:3]))  # the data date, the periods compared, the cap
        found = "、".join(f"{visits.reason_name(r, common.lang())} {n}" for r, n in vl.found.items() if n)
        if found:
            st.caption(common.tr("visit_found", found=found))
        if vl.held_back:
            st.caption(common.tr("visit_held_back", n=vl.held_back, weeks=VISITS.repeat_weeks))
        if vl.issued:
            st.success(md_escape(visits.meta(vl, common.lang())[-1]))  # who issued it (a name from the access file), when
        else:
            failed = st.session_state.pop("visits_issue_failed", None)
            if failed:
                st.error(md_escape(failed))
            st.warning(common.tr("visit_draft"))
            st.button(common.tr("visit_issue"), key="visits_issue", type="primary", on_click=_issue, args=(root, vl),
                      disabled=not vl.rows, icon=":material/task_alt:")
        if not vl.rows:
            st.info(common.tr("visit_empty"))
        for title, part in visits.sections(vl, common.lang()):
            st.subheader(title)
            common.table(part, SCREEN_COLUMNS, pinned=3)
        if vl.issued and vl.rows:
            _downloads(vl)
