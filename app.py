"""The frame: page config, the shared sidebar, and st.navigation over the pages."""
from functools import partial

import streamlit as st

from analytics.labels import t
from analytics.slugs import district_slug
from pages import common, district

st.set_page_config(page_title="卷烟营销分析", page_icon=":material/stacked_bar_chart:", layout="wide")
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
admin = [st.Page("pages/views/data.py", title=t("page_data", lang), icon=":material/upload_file:", url_path="data")]
sections = {t("nav_company", lang): company}
if districts:
    sections[t("page_districts", lang)] = districts
sections[t("nav_admin", lang)] = admin
page = st.navigation(sections)

on_district_page = page in districts
st.session_state["filters"] = common.sidebar_filters(show_district=not on_district_page)
page.run()
