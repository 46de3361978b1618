"""Playwright driving Debian's chromium against a real `streamlit run`: the managers page lists each
customer manager with their target completion beside the name at 1366×768, a click on a name opens
their "我的客户" view (their district's page narrowed to them, in a new tab) with their figures and the
manager in the URL, and the company pages after it are the whole city's again."""
from __future__ import annotations

import urllib.parse

import pytest
from playwright.sync_api import expect

from analytics.slugs import district_slug

from .browser import screenshot, streamlit_server, wait_rendered

pytestmark = pytest.mark.browser

WU = "吴婷"
ROW_H = 35  # st.dataframe's header and row height (px): the grid is a canvas, its cells have no boxes


def _click_link(page, grid, row: int, column: int = 1):
    """Click the link text of a grid cell as a user does: hover along the row until the pointer is a
    hand (over the text: the grid opens a link only there), then click; returns the tab it opens."""
    box = grid.bounding_box()
    y = box["y"] + ROW_H + ROW_H * row + ROW_H / 2
    pointers = ("() => [...document.querySelectorAll('[data-testid=stDataFrame] *')]"
                ".filter(e => getComputedStyle(e).cursor === 'pointer').length")
    page.mouse.move(box["x"] + 2, y)
    page.wait_for_timeout(100)
    idle = page.evaluate(pointers)
    for x in range(int(box["x"]) + 4, int(box["x"] + box["width"]), 4):
        page.mouse.move(x, y)
        page.wait_for_timeout(30)
        if page.evaluate(pointers) > idle:
            with page.context.expect_page(timeout=30_000) as opened:
                page.mouse.click(x, y)
            return opened.value
    raise AssertionError(f"no link in row {row}")


def test_a_click_on_a_managers_name_opens_their_customers_and_the_city_is_whole_again(demo_dir, browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
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
            grid = main.locator('[data-testid="stDataFrame"]').first
            # the grid draws the columns in view: at 1366 the completion is beside the pinned names. Its
            # header cells come a moment after the page's script has finished (seen empty once in a full run)
            expect(grid.locator("th").nth(5)).to_be_attached()
            headers = [h.text_content() for h in grid.locator("th").all()]
            assert headers[:6] == ["片区", "客户经理", "客户数(户)", "销量完成率(%)", "销量序时进度差(百分点)", "销量(箱)"], headers
            assert not main.locator('[data-testid="stPageLink"]').count()  # the names are the links
            screenshot(page, "managers-1366")
            cells = grid.locator('td[data-testid^="glide-cell-1-"]')
            wanted = urllib.parse.quote(WU)
            row = next(i for i in range(cells.count()) if cells.nth(i).text_content().endswith(f"mgr={wanted}"))
            tab = _click_link(page, grid, row)
            tab.wait_for_url(lambda u: "mgr=" in u, timeout=30_000)
            wait_rendered(tab)
            expect(tab.locator("h1").first).to_have_text("城郊片区 · 客户经理 吴婷", timeout=30_000)
            expect(tab.locator('[data-testid="stMetricValue"]').first).to_have_text("482.27 箱", timeout=30_000)
            tab_main = tab.locator('[data-testid="stMain"]')
            expect(tab_main.get_by_text("吴婷的客户共 115 户", exact=False)).to_be_visible()
            expect(tab_main.get_by_text("2019年，城郊片区客户经理吴婷的客户共销售卷烟482.27箱", exact=False)).to_be_visible()
            parsed = urllib.parse.urlparse(tab.url)
            assert urllib.parse.unquote(parsed.path).strip("/") == district_slug("城郊片区")
            assert urllib.parse.parse_qs(parsed.query)["mgr"] == [WU]
            screenshot(tab, "manager-view")
            # the sidebar's way to the overview and the managers page: the whole city's again, no mgr in the URL
            nav = tab.locator('[data-testid="stSidebarNav"] a')
            nav.filter(has_text="总览").click()
            wait_rendered(tab)
            expect(tab.locator('[data-testid="stMetricValue"]').first).to_have_text("8,227.52 箱", timeout=30_000)
            assert "mgr=" not in tab.url
            nav.filter(has_text="客户经理").click()
            wait_rendered(tab)
            expect(tab.locator("h1").first).to_have_text("客户经理")
            expect(tab_main.get_by_text("片区: 全市", exact=False).first).to_be_visible()
            assert "mgr=" not in tab.url
    finally:
        context.close()
