"""The frame: page config, the shared sidebar, and st.navigation over the pages."""
import urllib.parse
from functools import partial

import streamlit as st

from analytics.labels import t
from analytics.slugs import district_slug
from analytics.text import md_escape
from pages import common, district, gate, identity


def _requested() -> str:
    """The page the browser asked for: its URL path's last segment, without the server's base path
    ("" for the root). Only the last: Streamlit's page paths are one segment, and its browser side,
    opened on a deep link, may take the path before it for a base path (a later page then reads
    /城郊片区/城郊片区), which names the page 城郊片区 as Streamlit itself resolves it."""
    path = urllib.parse.unquote(urllib.parse.urlparse(st.context.url or "").path).strip("/")
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    if base and (path == base or path.startswith(base + "/")):
        path = path[len(base):].strip("/")
    return path.rsplit("/", 1)[-1]


def main() -> None:
    presenting = st.query_params.get("present") == "1"
    # A prepared link opens the presentation at the root URL (`/?present=1&d=...`): with st.navigation
    # only the default page answers there without Streamlit's "Page not found" dialog on a fresh visit
    # (upstream #9992), so while presenting at the root the presentation is the default page. An older
    # link to /present still reaches it under its own path.
    present_at_root = presenting and _requested() != "present"
    st.set_page_config(page_icon=common.FAVICON_SVG, layout="wide", initial_sidebar_state="collapsed" if presenting else "auto")
    # who is there comes first: a session that is not let in reads no data, not even the catalog
    session = identity.establish()
    if session.access is None:
        gate.refuse(session, _requested())
        return
    common.init_from_link()
    lang = common.lang()
    cat = common.catalog()

    overview = st.Page("pages/views/overview.py", title=t("page_overview", lang), icon=":material/dashboard:", url_path="overview",
                       default=not present_at_root)
    company = [
        overview,
        st.Page("pages/views/mix.py", title=t("page_mix", lang), icon=":material/stacked_bar_chart:", url_path="mix"),
        st.Page("pages/views/provincial.py", title=t("page_provincial", lang), icon=":material/factory:", url_path="provincial"),
        st.Page("pages/views/online.py", title=t("page_online", lang), icon=":material/shopping_cart:", url_path="online"),
        st.Page("pages/views/low_tier.py", title=t("page_low", lang), icon=":material/trending_down:", url_path="low-tier"),
        st.Page("pages/views/managers.py", title=t("page_managers", lang), icon=":material/groups:", url_path="managers"),
    ]
    # 零售户监测 (#14): the customer manager's tools. The two with retailer rows only for those who may see
    # them (a viewer would find only a refusal there); brand cultivation is aggregates, for everyone.
    monitoring = []
    if session.can("view_retailers"):
        monitoring += [
            st.Page("pages/views/visits.py", title=t("page_visits", lang), icon=":material/event_note:", url_path="visits"),
            st.Page("pages/views/suspects.py", title=t("page_suspects", lang), icon=":material/policy:", url_path="suspects"),
        ]
    monitoring.append(st.Page("pages/views/brands.py", title=t("page_brands", lang), icon=":material/sell:", url_path="brands"))
    # one page per district found in the data: a district added by an upload gets its page here
    # the navigation draws titles as Markdown: a district's name comes from uploads, so it is escaped
    districts = [
        st.Page(partial(district.render, name), title=md_escape(name), icon=":material/location_on:", url_path=district_slug(name))
        for name in cat.districts
    ]
    district_names = {district_slug(name): name for name in cat.districts}
    present = st.Page("pages/views/present.py", title=t("present", lang), icon=":material/slideshow:", url_path="present",
                      default=present_at_root)
    # the data page for those who may load or roll back, the access and audit pages for administrators,
    # the presentation for everyone (each page checks its capability again when it runs)
    admin = []
    if session.can("load_data") or session.can("rollback"):
        admin.append(st.Page("pages/views/data.py", title=t("page_data", lang), icon=":material/upload_file:", url_path="data"))
    if session.can("manage_access"):
        admin.append(st.Page("pages/views/access.py", title=t("page_access", lang), icon=":material/admin_panel_settings:",
                             url_path="access"))
    if session.can("see_audit"):
        admin.append(st.Page("pages/views/audit.py", title=t("page_audit", lang), icon=":material/history:", url_path="audit"))
    admin.append(present)
    # a scoped user's company pages are their districts', and the heading says so rather than 全市
    sections = {t("my_scope" if session.scope.partial else "nav_company", lang): list(company), t("nav_monitoring", lang): monitoring}
    if districts:
        sections[t("page_districts", lang)] = districts
    if len(admin) > 1:
        sections[t("nav_admin", lang)] = admin
    else:
        # a 管理 heading over the presentation alone reads as a mistake: it joins the company pages
        next(iter(sections.values())).append(present)
    # keyed by each page's own path: the default page's url_path is "", so name the two that can be default
    st.session_state["_pages"] = {**{p.url_path: p for p in company + monitoring + districts + admin}, "overview": overview,
                                  "present": present}
    asked = _requested()
    if asked and asked not in st.session_state["_pages"]:
        # a page this session has not got (another district's, the data page for a manager, a typo):
        # one refusal that does not say which, instead of Streamlit's English "Page not found"
        gate.not_here(asked)
        return
    # expanded: every district is listed, no "View N more" to click (6 company pages, up to 3 monitoring, the districts, up to 4 admin)
    page = st.navigation(sections, position="hidden" if presenting else "sidebar", expanded=True)
    # the browser tab names the page, in the user's language
    on_district_page = page in districts
    # the page's own name, as text (a district's as uploaded, not its escaped navigation title)
    page_name = district_names[page.url_path] if on_district_page else page.title
    st.set_page_config(page_title=f"{page_name} · {t('app_title', lang)}")

    # the 客户经理 choice is a district page's, and the presentation's of one district (opened from its page)
    presented = common.link_view().districts if presenting else ()
    own = page_name if on_district_page else presented[0] if len(presented) == 1 else None
    filters = common.sidebar_filters(show_district=not on_district_page, scope=session.scope, district=own)
    gate.who_is_there(session)
    if on_district_page:
        # the district page fixes the district; the presentation opened from it presents that district
        filters = filters.with_(districts=(page_name,))
    st.session_state["filters"] = filters
    if page is not present and (presenting or st.sidebar.button(t("present", lang), icon=":material/slideshow:", key="to_present")):
        # a prepared link keeps its topic; the sidebar button starts from the first one
        params = {k: v for k, v in st.query_params.to_dict().items() if presenting or k != "topic"}
        params["present"] = "1"
        if on_district_page:
            params["d"] = page_name
        # to the root URL (via the overview, the default page until present=1 is in the URL): the
        # address a presenter may copy must open cleanly on a fresh visit
        st.switch_page(present if present_at_root else overview, query_params=params)
    common.link_refusal()
    page.run()
    # after the page, not before it: warms the other pages (once per data state) while this one is read
    common.start_warm_up()


# an unexpected error anywhere in the frame or a page is logged with a reference the user can quote
common.guarded(main)
