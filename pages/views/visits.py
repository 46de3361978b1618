"""周拜访: one customer manager's visit list for a week (analytics/visits.py), grouped by reason with a
line of why each and the 日拜访 day of each visit. The week to plan (the one after the data end) comes
first, then every earlier week back to the data's first (and any later issued week). A list not yet
issued is a draft; 下发 keeps it (the first issued list of a week is never replaced), and only a kept
list is printed or downloaded, so a printed list stays what was printed and next week's list can leave
out what this one said unless it got worse. Only the week to plan (or a later one) can be issued: an
earlier week's draft is for looking back (what the data would have said then), and issuing it now
would put a list nobody worked from into the history the next weeks read."""
import datetime as dt
import html

import streamlit as st

from analytics import visits
from analytics.columns import formatted, localize
from analytics.config import VISIT_CAP, VISITS
from analytics.formats import MISSING
from analytics.slugs import safe_name
from analytics.text import md_escape
from pages import common, identity, q, widgets

#: on screen each reason is a table of its own: no reason column
SCREEN_COLUMNS = ["visit_rank", "visit_day", "retailer_id", "retailer_name", "visit_why", "visit_also"]
#: every reason's table has the same columns at the same widths (%, the why the widest), so the tables
#: line up, and its cells wrap: a line of why is read whole at 1366 px (st.dataframe cuts a cell at one line)
SCREEN_WIDTHS = (5, 9, 13, 16, 43, 14)
SCREEN_CSS = """<style>
table.visits { width: 100%; table-layout: fixed; border-collapse: collapse; margin-bottom: 0.5rem; font-size: 0.875rem; }
table.visits th, table.visits td { border: 1px solid rgba(128, 128, 128, 0.35); padding: 0.3rem 0.5rem; text-align: left;
    vertical-align: top; white-space: normal; overflow-wrap: anywhere; }
table.visits th { background: rgba(128, 128, 128, 0.12); font-weight: 600; }
</style>"""


def _screen_table(part) -> str:
    """One reason's rows as a static table (SCREEN_COLUMNS at SCREEN_WIDTHS); every value escaped (names from uploads)."""
    shown = formatted(localize(part, common.lang(), SCREEN_COLUMNS), common.lang(), missing=MISSING)
    cols = "".join(f'<col style="width: {w}%">' for w in SCREEN_WIDTHS)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in shown.itertuples(index=False))
    return f'<table class="visits"><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def _week_label(week: str, kept: bool, plan: str) -> str:
    monday, sunday = visits.parse_week(week)
    key = "visit_week_kept" if kept else "visit_week_option" if week >= plan else "visit_week_past"
    return common.tr(key, week=week, monday=monday.isoformat(), sunday=sunday.isoformat())


def _weeks(plan: str, first_day: dt.date, kept: list[str]) -> list[str]:
    """The week to plan, then every earlier week back to the data's first, newest first; an issued week
    later than the week to plan (the data since withdrawn) too."""
    weeks, week, first = [], plan, visits.week_of(first_day)
    while week >= first:  # "YYYY-Www" strings order as the weeks do
        weeks.append(week)
        week = visits.shift_week(week, -1)
    return sorted(set(weeks) | set(kept), reverse=True)


def _issue(root: str, vl: visits.VisitList) -> None:
    """Keep the list the user saw (the button's own run's), under their name. A disk that refuses the
    file (full, read-only) leaves the list a draft and says why on the next run."""
    who = identity.session()
    try:  # without sign-in the OS user names nobody: the list reads "issued on this computer"
        visits.issue(root, vl, None if who.mode == "local" else who.name or who.identity)
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
                       file_name=f"{stem}.html", mime="text/html", key="visits_print", icon=":material/print:", on_click="ignore")


f = common.filters()
st.title(common.tr("page_visits"))
st.session_state["_page_title"] = common.tr("page_visits")
if not common.no_data() and common.sees_retailers():
    chosen = widgets.scope_picker(f, "visits", manager_required=True)
    if chosen is not None:
        district, manager = chosen.districts[0], chosen.managers[0]
        root = str(q.store().root)
        start, end = (dt.date.fromisoformat(d) for d in common.catalog().period)
        plan = visits.week_to_plan(end)
        kept = visits.issued_weeks(root, district, manager)

        def label(w: str) -> str:
            return _week_label(w, w in kept, plan)

        # in the toggled language, and 已下发 once issued
        week = widgets.relabelled(st.selectbox, common.tr("visit_week"), _weeks(plan, start, kept), "visits_week", label)
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
        found = visits.listing([f"{visits.reason_name(r, common.lang())} {n}" for r, n in vl.found.items() if n], common.lang())
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
            if not visits.issuable(week, end):
                st.warning(common.tr("visit_past_draft", week=plan))
            else:
                st.warning(common.tr("visit_draft"))
                st.button(common.tr("visit_issue"), key="visits_issue", type="primary", on_click=_issue, args=(root, vl),
                          disabled=not vl.rows, icon=":material/task_alt:")
        if not vl.rows:
            st.info(common.tr("visit_empty"))
        if vl.rows:
            st.html(SCREEN_CSS)  # static CSS of our own, no user data
        for title, part in visits.sections(vl, common.lang()):
            st.subheader(title)
            st.html(_screen_table(part))
        if vl.issued and vl.rows:
            _downloads(vl)
