"""The frame: page config, the shared sidebar, and st.navigation over the pages."""
from functools import partial

import streamlit as st

from analytics.labels import t
from analytics.slugs import district_slug
from pages import common, district

presenting = st.query_params.get("present") == "1"
st.set_page_config(page_icon=":material/analytics:", layout="wide", initial_sidebar_state="collapsed" if presenting else "auto")
common.init_state()
lang = common.lang()
cat = common.catalog()

company = [
    st.Page("pages/views/overview.py", title=t("page_overview", lang), icon=":material/dashboard:", url_path="overview", default=True),
    st.Page("pages/views/mix.py", title=t("page_mix", lang), icon=":material/stacked_bar_chart:", url_path="mix"),
    st.Page("pages/views/provincial.py", title=t("page_provincial", lang), icon=":material/factory:", url_path="provincial"),
    st.Page("pages/views/online.py", title=t("page_online", lang), icon=":material/shopping_cart:", url_path="online"),
    st.Page("pages/views/low_tier.py", title=t("page_low", lang), icon=":material/trending_down:", url_path="low-tier"),
]
# one page per district found in the data: a district added by an upload gets its page here
districts = [
    st.Page(partial(district.render, name), title=name, icon=":material/location_on:", url_path=district_slug(name))
    for name in cat["districts"]
]
present = st.Page("pages/views/present.py", title=t("present", lang), icon=":material/slideshow:", url_path="present")
admin = [st.Page("pages/views/data.py", title=t("page_data", lang), icon=":material/upload_file:", url_path="data"), present]
sections = {t("nav_company", lang): company}
if districts:
    sections[t("page_districts", lang)] = districts
sections[t("nav_admin", lang)] = admin
st.session_state["_pages"] = {p.url_path: p for p in company + districts + admin}
# expanded: every district is listed, no "View N more" to click (5 company pages, the districts, 2 admin)
page = st.navigation(sections, position="hidden" if presenting else "sidebar", expanded=True)
# the browser tab names the page, in the user's language
st.set_page_config(page_title=f"{page.title} · {t('app_title', lang)}")

on_district_page = page in districts
filters = common.sidebar_filters(show_district=not on_district_page)
if on_district_page:
    # the district page fixes the district; the presentation opened from it presents that district
    filters = filters.with_(districts=(page.title,))
st.session_state["filters"] = filters
if page is not present and (presenting or st.sidebar.button(t("present", lang), icon=":material/slideshow:", key="to_present")):
    # a prepared link keeps its topic; the sidebar button starts from the first one
    params = {k: v for k, v in st.query_params.to_dict().items() if presenting or k != "topic"}
    params["present"] = "1"
    if on_district_page:
        params["d"] = page.title
    st.switch_page(present, query_params=params)
page.run()
# after the page, not before it: warms the other pages (once per data state) while this one is read
common.start_warm_up()
