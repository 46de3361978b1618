"""Playwright driving Debian's chromium against a real `streamlit run`: the managers page lists each
customer manager, and a click on a name opens their "我的客户" view (their district's page narrowed to
them) with their figures, the manager in the URL."""
from __future__ import annotations

import urllib.parse

import pytest
from playwright.sync_api import expect

from analytics.slugs import district_slug

from .browser import screenshot, streamlit_server, wait_rendered

pytestmark = pytest.mark.browser


def test_a_click_on_a_manager_opens_their_customers(demo_dir, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        with streamlit_server(demo_dir) as url:
            # a fresh server's first session on a path other than the root gets Streamlit's "Page not
            # found" dialog (tests/test_access_browser.py::server): the root first, as a visitor would
            page.goto(url)
            wait_rendered(page)
            page.goto(f"{url}/managers")
            wait_rendered(page)
            expect(page.locator("h1").first).to_have_text("客户经理")
            main = page.locator('[data-testid="stMain"]')
            # 22 managers, each a link to their view
            expect(main.locator('[data-testid="stPageLink"] a')).to_have_count(22)
            main.locator('[data-testid="stPageLink"] a', has_text="吴婷").click()
            page.wait_for_url(lambda u: "mgr=" in u, timeout=30_000)
            wait_rendered(page)
            expect(page.locator("h1").first).to_have_text("城郊片区 · 客户经理 吴婷", timeout=30_000)
            expect(page.locator('[data-testid="stMetricValue"]').first).to_have_text("482.27 箱", timeout=30_000)
            expect(main.get_by_text("吴婷的客户共 115 户", exact=False)).to_be_visible()
            parsed = urllib.parse.urlparse(page.url)
            assert urllib.parse.unquote(parsed.path).strip("/") == district_slug("城郊片区")
            assert urllib.parse.parse_qs(parsed.query)["mgr"] == ["吴婷"]
            screenshot(page, "manager-view")
    finally:
        context.close()
