"""访问权限: the access file in use, checked now against the data (its problems by line, or its users
with their roles, districts, managers and what they may do), and how identities arrive. Read only:
the file is edited where it is, and checked with `python -m analytics access check`."""
import pandas as pd
import streamlit as st

from analytics import access
from analytics.access import ALL, AuthSettings, Names, SettingsError
from analytics.text import md_code
from pages import common, gate, identity

tr = common.tr

#: capability -> its label, in access.CAPABILITIES' order (the table says what each user may do in words)
CAPABILITY_LABELS = {
    "view_aggregates": "cap_view_aggregates", "export_aggregates": "cap_export_aggregates", "download_deck": "cap_download_deck",
    "view_retailers": "cap_view_retailers", "export_retailers": "cap_export_retailers", "load_data": "cap_load_data",
    "rollback": "cap_rollback", "see_audit": "cap_see_audit", "manage_access": "cap_manage_access",
}
MODE_LABELS = {"local": "mode_local", "oidc": "mode_oidc", "proxy": "mode_proxy"}


def _names(names: Names) -> str:
    return tr("admin_all") if names is ALL else "、".join(names)


def users_table(file: access.AccessFile, lang: str) -> pd.DataFrame:
    """The access file's users as the page shows them, in the file's order."""
    rows = [{
        tr("admin_user_id"): u.id,
        tr("admin_user_name"): u.name or "—",
        tr("admin_user_role"): access.role_label(u.role, lang),
        tr("district"): _names(access.scope_of(u).districts),
        tr("manager"): _names(access.scope_of(u).managers),
        tr("admin_user_capabilities"): "、".join(tr(CAPABILITY_LABELS[c]) for c in access.CAPABILITIES if access.can(u, c)),
        tr("admin_user_line"): u.line,
    } for u in file.users]
    return pd.DataFrame(rows)


st.title(tr("page_access"))
if not gate.require("manage_access", "access"):
    st.stop()

lang = common.lang()
try:
    settings = AuthSettings.from_env()
except SettingsError as exc:  # the frame lets nobody in then; kept for a page run on its own
    st.error(exc.message(lang))
    st.stop()

st.subheader(tr("admin_mode_title"))
facts = {tr("admin_mode"): f"{settings.mode} · {tr(MODE_LABELS[settings.mode])}"}
if settings.mode == "proxy":
    facts[tr("admin_header")] = settings.header
if settings.mode == "oidc":
    facts[tr("admin_claim")] = settings.oidc_claim
facts[tr("admin_file")] = str(settings.access_file)
common.table(pd.DataFrame({tr("item"): list(facts), tr("value"): list(facts.values())}))
if settings.mode == "local":
    st.info(tr("admin_local_note"))

st.subheader(tr("admin_file_title"))
file = identity.access_file(settings)
if not file.ok:
    # in local mode the file lets nobody in or out (the OS user is the one administrator): a warning, not an alarm
    (st.warning if settings.mode == "local" else st.error)(tr("admin_file_problems", n=len(file.problems)))
    st.code("\n".join(file.messages(lang)), language=None, wrap_lines=True)
elif not file.users:
    st.info(tr("admin_no_users"))
else:
    st.caption(tr("admin_users_caption", n=len(file.users)))
    common.table(users_table(file, lang))

st.markdown(tr("admin_edit_note", path=md_code(str(settings.access_file))))
data_dir = common.store().root  # the commands check names against this server's data
st.code(f"python -m analytics access check --file {settings.access_file} --data-dir {data_dir}\n"
        f"python -m analytics access show USER_ID --file {settings.access_file} --data-dir {data_dir}", language="bash")
