"""What the frame shows at the door: the refusal for a session that is not let in (with the sign-in
button in oidc mode), the refusal for a page the session has not got, and the sidebar's line on who
is signed in (or, in local mode, that nobody needs to)."""
from __future__ import annotations

import contextlib
from functools import partial

import streamlit as st
from streamlit.errors import StreamlitAPIException

from analytics.labels import t
from pages import common, identity
from pages.identity import Session, describe

# the refusals' own path when the browser asked for none (a page needs one; it is never linked)
REFUSED_PATH = "refused"


def _only(body, title: str, asked: str) -> None:
    """Run `body` for whatever path was asked, with no navigation drawn. Streamlit answers a path
    that is no page of the navigation (or is the default page's own) with an English "Page not
    found" dialog, so the asked path gets a page of its own beside the default."""
    icon = ":material/block:"
    pages = [st.Page(body, title=title, icon=icon, url_path=REFUSED_PATH, default=True)]
    if asked and asked != REFUSED_PATH:
        # a path Streamlit cannot name a page gets its own dialog, then the refusal
        with contextlib.suppress(StreamlitAPIException):
            pages.append(st.Page(body, title=title, icon=icon, url_path=asked))
    st.set_page_config(page_title=f"{title} · {t('app_title', common.lang())}")
    st.navigation(pages, position="hidden").run()


def _refusal(session: Session) -> None:
    common.language_toggle()
    lang = common.lang()
    st.title(t("app_title", lang))
    if session.refusal == "auth_settings":
        st.error(session.params["error"].message(lang))  # type: ignore[union-attr]
        return
    if session.refusal == "auth_sign_in":
        st.info(t("auth_sign_in", lang))
        st.button(t("auth_sign_in_button", lang), icon=":material/login:", type="primary", on_click=st.login)
        return
    st.warning(common.tr_md(session.refusal or "auth_no_access", **session.params))
    if session.mode == "oidc":
        # signed in with an account that has no access: let them try another one
        st.button(t("auth_sign_out", lang), icon=":material/logout:", on_click=st.logout)


def refuse(session: Session, asked: str) -> None:
    """The one page of a session that is not let in: why, and what to do. No data is read."""
    common.init_language()
    _only(partial(_refusal, session), t("auth_refused_title", common.lang()), asked)


def _not_here() -> None:
    st.title(common.tr("page_refused_title"))
    st.warning(common.tr("page_refused"))
    # a plain link to the root (the overview), not st.page_link: the refusal is this run's only page
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    st.markdown(f"[{common.tr('page_refused_back')}](/{base + '/' if base else ''})")


def not_here(asked: str) -> None:
    """A path that is no page of this session's: another district's page, a page of a role the
    session has not, or a typo. One refusal for all of them, so it tells nothing about which; no
    other page is in this run's navigation, so nothing else can run."""
    identity.record_refusal(asked, "page")
    _only(_not_here, common.tr("page_refused_title"), asked)


def who_is_there(session: Session) -> None:
    """The sidebar's last lines: who is signed in, and a way out (oidc); in local mode, discreetly,
    that sign-in is off and only this computer can reach the dashboard."""
    lang = common.lang()
    with st.sidebar:
        if session.mode == "local":
            st.caption(f":material/lock_open: {t('auth_local_banner', lang)}")
            return
        st.caption(f":material/person: {common.md_escape(describe(session, lang))}")
        if session.mode == "oidc":
            st.button(t("auth_sign_out", lang), icon=":material/logout:", on_click=st.logout, key="sign_out")


def require(capability: str, what: str, target: str | None = None) -> bool:
    """Whether this session may use a page or take an action; if not, a refusal is shown and the
    attempt recorded. Pages call it at their top and actions where they happen: the navigation only
    hides what a session may not use, and a page can be run without it (a stale tab, a crafted
    request), so the check that counts is made on the server, here. `what` names the page or action refused,
    `target` what it was asked for (files, an extract) when there is one."""
    if identity.can(capability):
        return True
    identity.record_refusal(target or what, what, capability=capability)
    st.error(common.tr("action_refused"))
    return False
