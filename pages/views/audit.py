"""审计日志: the audit log (analytics/audit.py) as a table an administrator narrows by identity, action,
result, dates and text, newest first, with the narrowed table as CSV/XLSX (that download is itself
recorded, as every export)."""
import datetime as dt

import pandas as pd
import streamlit as st

from analytics import access, audit
from analytics.access import Scope
from pages import common, gate

tr = common.tr

#: the log's actions in words (audit.ACTIONS); an action this page does not know is shown as written
ACTION_LABELS = {
    "load": "audit_load", "load_refused": "audit_load_refused", "rollback": "audit_rollback", "restore": "audit_restore",
    "purge": "audit_purge", "export": "audit_export", "deck": "audit_deck", "refused": "audit_refused",
}
#: the results the app and the command line write; others are shown as written
RESULT_LABELS = {
    "ok": "audit_ok", "done": "audit_ok", "loaded": "audit_ok", "started": "audit_started", "failed": "audit_failed",
    "refused": "audit_refused_result", "duplicate": "audit_duplicate",
}
COLUMN_LABELS = {
    "time": "audit_col_time", "identity": "audit_col_identity", "role": "audit_col_role", "action": "audit_col_action",
    "target": "audit_col_target", "scope": "audit_col_scope", "result": "audit_col_result", "details": "audit_col_details",
}


def _word(labels: dict[str, str], value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return tr(labels[value]) if value in labels else str(value)


def shown(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The log as read (audit.read) as a reader sees it: local times to the second, words for roles,
    actions and results, every column labelled."""
    here = dt.datetime.now().astimezone().tzinfo
    out = pd.DataFrame({
        "time": frame["time"].dt.tz_convert(here).dt.strftime("%Y-%m-%d %H:%M:%S").fillna("—"),
        "identity": frame["identity"].fillna("—"),
        "role": [access.role_label(r, lang) if isinstance(r, str) else tr("audit_cli") for r in frame["role"]],
        "action": [_word(ACTION_LABELS, a) for a in frame["action"]],
        "target": frame["target"].fillna("—"),
        "scope": [tr("admin_all") if s == "*" else access.scope_words(Scope.from_key(s), lang) for s in frame["scope"]],
        "result": [_word(RESULT_LABELS, r) for r in frame["result"]],
        "details": frame["details"],
    }, columns=audit.COLUMNS)
    return out.rename(columns={c: tr(COLUMN_LABELS[c]) for c in audit.COLUMNS})


st.title(tr("page_audit"))
if not gate.require("see_audit", "audit"):
    st.stop()

lang = common.lang()
root = common.store().root
everything = audit.read(root)  # the choices the filters offer: what the log holds
st.caption(tr("audit_help"))

c1, c2, c3 = st.columns(3)
who = c1.selectbox(tr("audit_col_identity"), sorted(everything["identity"].dropna().unique()), index=None,
                   placeholder=tr("admin_all"), key="audit_identity")
actions = c2.multiselect(tr("audit_col_action"), [a for a in audit.ACTIONS if a in set(everything["action"])],
                         format_func=lambda a: _word(ACTION_LABELS, a), placeholder=tr("admin_all"), key="audit_action")
results = c3.multiselect(tr("audit_col_result"), sorted(everything["result"].dropna().unique()),
                         format_func=lambda r: _word(RESULT_LABELS, r), placeholder=tr("admin_all"), key="audit_result")
c4, c5 = st.columns(2)
days = c4.date_input(tr("audit_dates"), value=(), key="audit_dates")
text = c5.text_input(tr("audit_text"), key="audit_text", placeholder=tr("audit_text_placeholder")).strip() or None
# a range picker returns one date while the second is being chosen: from that day on, until it is
since, until = (tuple(days) + (None, None))[:2] if isinstance(days, (tuple, list)) else (days, days)

frame = audit.read(root, identity=who, action=actions or None, result=results or None, since=since, until=until, text=text)
if frame.attrs.get("unreadable"):
    st.warning(tr("audit_unreadable", n=frame.attrs["unreadable"]))
if everything.empty:
    st.info(tr("audit_empty"))
    st.stop()
st.caption(tr("audit_count", n=f"{len(frame):,}", total=f"{len(everything):,}"))
table = shown(frame, lang)
common.table(table)
# the file says what it holds: the log's filters, not the dashboard's
chosen = [f"{tr('audit_col_identity')}: {who}" if who else None,
          f"{tr('audit_col_action')}: {'、'.join(_word(ACTION_LABELS, a) for a in actions)}" if actions else None,
          f"{tr('audit_col_result')}: {'、'.join(_word(RESULT_LABELS, r) for r in results)}" if results else None,
          f"{tr('audit_dates')}: {since or '…'} – {until or '…'}" if since or until else None,
          f"{tr('audit_text')}: {text}" if text else None]
note = " · ".join([tr("page_audit"), *(c for c in chosen if c)])
common.download(table, "audit-log", note=note)
