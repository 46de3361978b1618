"""Who is using this session and what they may see and do (docs/deployment.md).

The identity arrives by the mode DASHBOARD_AUTH names: `local` (nobody signs in; the OS user is the
one administrator), `oidc` (Streamlit's st.user, the claim DASHBOARD_OIDC_CLAIM names) or `proxy`
(the request header DASHBOARD_AUTH_HEADER names, set by the authenticating proxy in front). The access
file (analytics/access.py) turns it into an Access: a role, what it may do, and the scope every query
is cut to. The frame establishes it once per run (`establish`); pages read it (`session`) and never
decide access themselves. A session that is not let in gets a refusal and no data at all.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from analytics import access, audit, queries
from analytics.access import Access, AccessFile, AuthSettings, Scope, SettingsError
from analytics.files import stamp
from pages import q

log = logging.getLogger(__name__)

#: what a session that is not let in sees: no district, no retailer row
NOTHING = Scope(districts=(), retailer_level=False)


@dataclass(frozen=True)
class Session:
    """This session's identity and access. `access` is None when the session is refused; `refusal`
    then names why (a label key) and `params` fill its text."""

    mode: str
    identity: str | None = None
    access: Access | None = None
    refusal: str | None = None
    params: dict[str, object] = field(default_factory=dict)

    @property
    def scope(self) -> Scope:
        return self.access.scope if self.access else NOTHING

    @property
    def role(self) -> str | None:
        return self.access.user.role if self.access else None

    @property
    def name(self) -> str:
        """How the sidebar names the user: the access file's display name, else the identity."""
        if self.access and self.access.user.name:
            return self.access.user.name
        return self.identity or ""

    def can(self, capability: str) -> bool:
        return self.access is not None and self.access.can(capability)


@st.cache_resource(max_entries=8, show_spinner=False)
def _access_file(path: str, stamp: tuple, state: tuple[str, str | None]) -> AccessFile:
    # keyed on the file's stamp and the data state: an edited file, or data naming other districts
    # and managers, is read and checked again on the next run of any session
    con = q.connection(state)
    districts, managers = queries.master_names(con) if state[1] else (None, None)
    return access.load(path, districts, managers)


def access_file(settings: AuthSettings) -> AccessFile:
    """The access file as checked now (cached until it or the data change)."""
    return _access_file(str(settings.access_file), stamp(settings.access_file), q.state())


def _server_address() -> str | None:
    return st.get_option("server.address") or None


def _oidc_identity(claim: str) -> str | None:
    user = st.user
    if not user.get("is_logged_in"):
        return None
    value = user.get(claim)
    return str(value) if value else ""


_reported: set[tuple] = set()


def _resolve() -> Session:
    try:
        settings = AuthSettings.from_env()
        access.check_binding(_server_address(), settings.mode)
    except SettingsError as exc:
        # a mistyped setting, or a binding that would open the server to others: nobody is let in
        return Session("local", refusal="auth_settings", params={"error": exc})
    if settings.mode == "local":
        # nobody signs in: the one administrator, named after the OS user for the audit log
        return Session("local", audit.os_user(), access.access_of(access.local_user(audit.os_user())))
    if settings.mode == "oidc":
        identity = _oidc_identity(settings.oidc_claim)
        if identity is None:
            return Session("oidc", refusal="auth_sign_in")
        if not identity:
            return Session("oidc", refusal="auth_no_claim", params={"claim": settings.oidc_claim})
    else:
        identity = (st.context.headers.get(settings.header) or "").strip()
        if not identity:
            # the proxy always sets it: without it the request did not come through the proxy
            return Session("proxy", refusal="auth_no_header", params={"header": settings.header})
    file = access_file(settings)
    if not file.ok:
        # nobody is let in on a guess; the problems go to the log and to `access check`, not to
        # whoever happens to open the page (they would name other users and districts)
        key = (str(file.path), stamp(settings.access_file))
        if key not in _reported:  # once per version of the file, not on every run of every session
            _reported.add(key)
            log.error("access file %s has problems; nobody is let in: %s", file.path, "; ".join(file.messages("en")))
        return Session(settings.mode, identity, refusal="auth_file_bad")
    resolved = access.resolve(file, identity)
    if resolved is None:
        return Session(settings.mode, identity, refusal="auth_no_access", params={"id": identity})
    return Session(settings.mode, identity, resolved)


def establish() -> Session:
    """Work out who this session is, for this run (the frame calls it first: an access file edited
    since the last run, or a user removed from it, takes effect on the next click)."""
    session = _resolve()
    st.session_state["_session"] = session
    return session


def session() -> Session:
    """This run's session, as the frame established it (established now when a page runs alone)."""
    found = st.session_state.get("_session")
    return found if isinstance(found, Session) else establish()


def scope() -> Scope:
    return session().scope


def can(capability: str) -> bool:
    return session().can(capability)


def record(action: str, target: str | None, result: str = "ok", *, who: Session | None = None,
           data_dir: str | Path | None = None, **details: object) -> None:
    """Append one line to the audit log for this session's user (analytics/audit.py); an unlimited
    scope is written as none (null), like the command line's. Raises OSError when the line cannot be
    written. `who` and `data_dir`, taken during a run, let code that runs outside it (a download's
    file, built when clicked) record for the session that drew the button."""
    s = who or session()
    root = data_dir if data_dir is not None else q.store().root
    audit.record(root, s.identity, s.role, action, target, s.scope if s.scope.limited else None, result, **details)


def record_or_log(action: str, target: str | None, result: str, **details: object) -> bool:
    """record(), and False (with the reason in the server log) when the line cannot be written: for
    callers that go on either way, or decide themselves what a missing line means."""
    try:
        record(action, target, result, **details)
        return True
    except OSError as exc:
        log.error("audit: %s %s %s not recorded: %r", action, target, result, exc)
        return False


def record_refusal(target: str, what: str, **details: object) -> None:
    """Record a refused page, link or action; the refusal stands whether or not it could be written."""
    record_or_log("refused", target, "refused", what=what, **details)


def describe(s: Session, lang: str) -> str:
    """The sidebar's line on who is signed in: "张三 · 经理 · 城郊片区"."""
    if s.access is None:
        return ""
    parts = [s.name, access.role_label(s.role or "", lang)]
    if s.scope.partial:
        parts.append(access.scope_words(access.Scope(s.scope.districts, s.scope.managers), lang))
    return " · ".join(p for p in parts if p)
