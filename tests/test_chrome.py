"""What a user sees around the pages: no Streamlit developer chrome, every page listed in the
navigation, a tab title naming the page in the user's language, no English Streamlit texts in zh."""
from __future__ import annotations

import re
import urllib.parse

import pytest
from playwright.sync_api import expect

from analytics.slugs import district_slug

from .browser import launch, streamlit_server, wait_rendered
from .test_browser import COMPANY_PAGES, DISTRICTS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(demo_dir):
    from playwright.sync_api import sync_playwright

    with streamlit_server(demo_dir) as url, sync_playwright() as p:
        browser = launch(p)
        pg = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN").new_page()
        pg.server = url
        yield pg
        browser.close()


def test_no_deploy_button_or_developer_menu(page):
    # served on 127.0.0.1, Streamlit's default ("auto") would show the developer toolbar here
    page.goto(page.server + "/")
    wait_rendered(page, charts=True)
    header = page.get_by_test_id("stHeader")
    assert page.get_by_test_id("stAppDeployButton").count() == 0
    assert not re.search(r"Deploy|Rerun|Clear cache|Settings", header.inner_text())
    menu = page.get_by_test_id("stMainMenu")
    if menu.count():  # a menu may be left for viewer options, never developer ones
        menu.click()
        items = page.get_by_test_id("stMainMenuList").inner_text()
        assert not re.search(r"Rerun|Clear cache|Deploy|Developer|Settings", items), items


def test_the_navigation_lists_every_page_without_view_more(page):
    page.goto(page.server + "/")
    wait_rendered(page)
    nav = page.get_by_test_id("stSidebarNav")
    assert not re.search(r"View \d+ more|View more", nav.inner_text())
    paths = {urllib.parse.unquote(urllib.parse.urlparse(h).path).strip("/")
             for h in nav.locator("a").evaluate_all("els => els.filter(e => e.offsetParent !== null).map(e => e.href)")}
    # local mode: the one administrator, so the access and audit pages too
    expected = set(COMPANY_PAGES) | {district_slug(d) for d in DISTRICTS} | {"present", "access", "audit"}
    assert paths == expected  # visible, not hidden behind a button


def test_the_tab_title_names_the_page_and_follows_the_language(page):
    page.goto(page.server + "/" + urllib.parse.quote("城郊片区"))
    wait_rendered(page)
    assert page.title() == "城郊片区 · 卷烟营销分析"
    page.goto(page.server + "/mix")
    wait_rendered(page)
    assert page.title() == "价类结构 · 卷烟营销分析"
    page.get_by_test_id("stSidebar").get_by_text("English").click()  # the sidebar toggle
    expect(page).to_have_title("Category mix · Cigarette sales analytics", timeout=30_000)
    page.goto(page.server + "/?lang=en")
    wait_rendered(page)
    assert page.title() == "Overview · Cigarette sales analytics"


def test_the_uploader_speaks_chinese_in_zh_and_english_in_en(page):
    page.goto(page.server + "/data")
    wait_rendered(page)
    zone = page.get_by_test_id("stFileUploaderDropzone")
    text = zone.evaluate("""z => [...z.querySelectorAll('*')].filter(e => getComputedStyle(e).display !== 'none')
        .map(e => [...e.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('')
                  + getComputedStyle(e, '::after').content.replace(/^"|"$|^none$/g, '')).join(' ')""")
    assert "选择文件" in text and "单个文件不超过 200 MB" in text, text
    assert not re.search(r"Upload|per file|Drag|Browse", text), text
    page.goto(page.server + "/data?lang=en")
    wait_rendered(page)
    assert "200MB per file" in page.get_by_test_id("stFileUploaderDropzone").inner_text()
