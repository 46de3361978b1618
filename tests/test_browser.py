"""Playwright driving Debian's chromium against a real `streamlit run`: every page renders, filters
live in the URL, a copied link reopens the same view. Screenshots go to artifacts/screenshots/."""
from __future__ import annotations

import urllib.parse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from analytics.slugs import district_slug

from .browser import open_select, screenshot, streamlit_server, wait_rendered

pytestmark = pytest.mark.browser

# the default page (总览) is served at the root URL
COMPANY_PAGES = {"": True, "mix": True, "provincial": True, "online": True, "low-tier": True, "managers": False, "suspects": True,
                 "visits": False, "brands": True, "data": False}
DISTRICTS = ["东部乡镇片区", "南部山区片区", "城北片区", "城区一片区", "城区二片区", "城郊片区", "开发区片区", "西部乡镇片区"]


@pytest.fixture(scope="module")
def server(demo_dir):
    with streamlit_server(demo_dir) as url:
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    yield pg
    context.close()


def _errors(page) -> list[str]:
    return page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').all_inner_texts()


def _withdraw_or_restore(page, verb: str, extract_id: str, file_name: str) -> None:
    """On the Data page: choose the extract, wait for the preview, tick the confirmation, press the button
    (verb 撤销 withdraws, 恢复 restores) and wait for the result."""
    wait_rendered(page)  # a click on a selectbox while the page reruns is lost
    _choose(page, f"选择要{verb}的导入", f"{extract_id} · {file_name}")
    page.get_by_text(f"{verb} {extract_id}（{file_name}）将带来以下变化：").wait_for(timeout=30_000)
    wait_rendered(page)
    page.get_by_text(f"我确认{verb}", exact=False).click()
    wait_rendered(page)
    page.get_by_role("button", name=f"{verb}导入").click()
    page.get_by_text(f"已{verb} {extract_id}（{file_name}）").wait_for(timeout=60_000)


def _main_caption(page) -> str:
    """The first caption of the page itself (the sidebar's data status line comes first in the DOM)."""
    return page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').first.inner_text()


def _expect_first_metric(page, text: str) -> None:
    """The first KPI card shows text (retried briefly: React may still be drawing the cards)."""
    expect(page.locator('[data-testid="stMetricValue"]').first).to_have_text(text, timeout=10_000)


def test_every_page_in_the_navigation_renders_with_charts(server, page):
    page.goto(server + "/")
    wait_rendered(page, charts=True)
    nav = page.locator('[data-testid="stSidebarNav"] a')
    # the navigation is expanded: every district link is listed without "View N more"
    assert page.get_by_text("View", exact=False).filter(has_text="more").count() == 0
    hrefs = {urllib.parse.unquote(urllib.parse.urlparse(h).path).strip("/") for h in nav.evaluate_all("els => els.map(e => e.href)")}
    expected = set(COMPANY_PAGES) | {district_slug(d) for d in DISTRICTS}
    assert expected <= hrefs, expected - hrefs
    for path, has_charts in [*COMPANY_PAGES.items(), *((district_slug(d), True) for d in DISTRICTS)]:
        page.goto(f"{server}/{urllib.parse.quote(path)}")
        wait_rendered(page, charts=has_charts)
        assert _errors(page) == [], path
        if has_charts:
            assert page.locator('[data-testid="stPlotlyChart"] .main-svg').count() >= 1, path
        screenshot(page, f"page-{path or 'overview'}")


def test_filter_change_updates_url_and_kpi_and_the_link_reopens_the_view(server, page):
    page.goto(server + "/")
    wait_rendered(page, charts=True)
    page.goto(f"{server}/{urllib.parse.quote('城郊片区')}")
    wait_rendered(page, charts=True)
    _expect_first_metric(page, "977.87 箱")
    open_select(page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first)
    page.get_by_role("option", name="2018", exact=True).click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('y') === '2018'")
    wait_rendered(page, charts=True)
    _expect_first_metric(page, "1,008.13 箱")
    link = page.url
    assert "cy=2017" in link or "cy=2018" in link
    screenshot(page, "district-2018")
    page.goto(link)
    wait_rendered(page, charts=True)
    _expect_first_metric(page, "1,008.13 箱")
    assert urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)["y"] == ["2018"]


def test_filters_survive_moving_between_pages(server, page):
    page.goto(server + "/?y=2018&cy=2017&d=" + urllib.parse.quote("城郊片区"))
    wait_rendered(page, charts=True)
    _expect_first_metric(page, "1,008.13 箱")
    # a district page does not draw the district filter; the company pages' choice must survive it
    page.locator('[data-testid="stSidebarNav"] a', has_text="城区一片区").click()
    page.wait_for_url("**/" + urllib.parse.quote("城区一片区") + "?**")
    wait_rendered(page, charts=True)
    _expect_first_metric(page, "1,583.74 箱")  # 城区一片区 in 2018: the page's own district
    page.locator('[data-testid="stSidebarNav"] a', has_text="低档烟").click()
    page.wait_for_url("**/low-tier**")
    wait_rendered(page, charts=True)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    assert query["y"] == ["2018"] and query["d"] == ["城郊片区"]
    _expect_first_metric(page, "121.91 箱")  # 城郊片区's 五类 in 2018


def test_english_toggle_translates_and_is_kept_in_the_url(server, page):
    page.goto(server + "/?lang=en")
    wait_rendered(page, charts=True)
    expect(page.locator('[data-testid="stMetricLabel"]').first).to_have_text("Volume", timeout=10_000)
    assert "lang=en" in page.url


def test_the_deck_button_builds_a_pptx_of_the_district_on_click(server, page):
    from pptx import Presentation

    page.goto(server + "/")
    wait_rendered(page, charts=True)
    page.goto(f"{server}/{urllib.parse.quote('城郊片区')}")
    wait_rendered(page, charts=True)
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="下载 PPTX 演示文稿").click()
    assert download.value.suggested_filename == "城郊片区-2019.pptx"
    deck = Presentation(str(download.value.path()))
    titles = [next(sh.text_frame.text for sh in s.shapes if sh.has_text_frame) for s in deck.slides]
    assert titles == ["城郊片区 2019 卷烟销售分析", "主要指标", "价类结构", "省产烟", "网上订货", "低档烟", "年度进度", "任务进度",
                      "片区对比", "分析文字"]


def test_names_with_markup_render_as_plain_text_in_the_browser(tmp_path, browser):
    from .test_app import HOSTILE_DISTRICT, load_hostile

    store = load_hostile(tmp_path / "data")
    with streamlit_server(store.root) as url:
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        page.goto(url + "/")
        wait_rendered(page, charts=True)
        page.goto(f"{url}/{urllib.parse.quote(district_slug(HOSTILE_DISTRICT))}")
        wait_rendered(page, charts=True)
        assert page.locator("h1").first.inner_text() == HOSTILE_DISTRICT  # asterisks shown, not bold
        page.goto(f"{url}/provincial")
        wait_rendered(page, charts=True)
        ticks = page.locator(".main-svg .ytick text").all_text_contents()
        assert "<b>粗</b>品牌" in ticks  # literal tags, not a bold tspan
        assert page.locator('.main-svg .ytick tspan[style*="bold"]').count() == 0
        screenshot(page, "hostile-names")
        context.close()


def _choose(page, label: str, option: str) -> None:
    """Open a selectbox and pick an option. A click that lands while the page is still settling
    after a rerun can close the list again, so a list that does not open is opened once more."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label)
    for attempt in range(3):
        box.click()
        try:
            page.get_by_role("option", name=option, exact=False).click(timeout=5_000)
            return
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")


def test_analyst_uploads_a_correction_in_the_browser_rolls_it_back_and_restores_it(tmp_path, browser):
    from .conftest import load_tiny
    from .test_data_page import CORRECTION

    store = load_tiny(tmp_path / "data")
    upload = tmp_path / "更正_甲片区.csv"
    upload.write_bytes(CORRECTION.encode("gbk"))
    with streamlit_server(store.root) as url:
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        page = context.new_page()
        page.goto(url + "/")
        wait_rendered(page)
        page.goto(url + "/data")
        wait_rendered(page)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
        page.get_by_text("将替换 甲片区 2019-02-04 至 2019-03-04 的 2 行订单", exact=False).wait_for(timeout=30_000)
        page.get_by_role("button", name="确认导入 1 个文件").click()
        page.get_by_text("已导入 E00004：更正_甲片区.csv，2 行").wait_for(timeout=60_000)
        assert [e["id"] for e in store.extracts()][-1] == "E00004"
        screenshot(page, "data-after-load")
        # nothing is preselected: choose the load, read what goes and what comes back, then confirm
        _withdraw_or_restore(page, "撤销", "E00004", "更正_甲片区.csv")
        assert store.extracts()[-1]["status"] == "withdrawn"
        screenshot(page, "data-after-rollback")
        # the undo: restore it the same way
        _withdraw_or_restore(page, "恢复", "E00004", "更正_甲片区.csv")
        assert store.extracts()[-1]["status"] == "active"
        context.close()


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1366, 768)])
def test_presentation_steps_through_every_topic_without_sidebar_or_horizontal_scroll(server, browser, width, height):
    from analytics.report import CHART_TOPICS, TOPICS

    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(server + "/")
    wait_rendered(page)
    page.goto(f"{server}/present?present=1&y=2019&cy=2018&d={urllib.parse.quote('城郊片区')}")
    wait_rendered(page)
    for i, topic in enumerate(TOPICS):
        wait_rendered(page, charts=topic in CHART_TOPICS)
        assert _errors(page) == [], topic
        assert not page.locator('[data-testid="stSidebar"]').is_visible()
        assert not page.locator('[data-testid="stHeader"]').is_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), topic
        assert page.locator("h2").first.inner_text().startswith("城郊片区 · ")
        assert "片区: 城郊片区 · 期间: 2019年 vs 2018年" in _main_caption(page)
        screenshot(page, f"present-{width}x{height}-{i + 1}-{topic}")
        if i < len(TOPICS) - 1:
            page.get_by_role("button", name="下一页").click()
            page.wait_for_function(f"() => new URLSearchParams(location.search).get('topic') === '{TOPICS[i + 1]}'")
    assert page.get_by_role("button", name="下一页").is_disabled()
    context.close()


def test_presentation_opens_from_a_district_page_for_that_district(server, page):
    page.goto(server + "/")
    wait_rendered(page)
    page.goto(f"{server}/{urllib.parse.quote('城郊片区')}?y=2019")
    wait_rendered(page, charts=True)
    page.get_by_role("button", name="演示模式").click()
    # the presentation answers at the root URL (a fresh visit to /present would show "Page not found")
    page.wait_for_function("() => new URLSearchParams(location.search).get('present') === '1'", timeout=30_000)
    wait_rendered(page)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    assert query["present"] == ["1"] and query["d"] == ["城郊片区"] and query["y"] == ["2019"]
    _expect_first_metric(page, "977.87 箱")
    page.get_by_role("button", name="退出演示").click()
    page.wait_for_url(f"**/{urllib.parse.quote('城郊片区')}?**")
    wait_rendered(page, charts=True)
    assert page.locator('[data-testid="stSidebar"]').is_visible()


def test_clicking_a_district_in_a_chart_filters_the_page_to_it(server, page):
    page.goto(server + "/")
    wait_rendered(page)
    page.goto(server + "/provincial?y=2019&cy=2018")
    wait_rendered(page, charts=True)
    chart = page.locator('[data-testid="stPlotlyChart"]').nth(2)  # provincial share by district (bars per year)
    chart.scroll_into_view_if_needed()
    bar = chart.locator(".barlayer .point path").first
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("() => new URLSearchParams(location.search).get('d') !== null", timeout=30_000)
    wait_rendered(page, charts=True)
    picked = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)["d"][0]
    assert picked in DISTRICTS
    assert picked in _main_caption(page)


# --- #14 brands ---
def test_brand_page_draws_both_curves_and_a_searched_brand_shows_its_coverage(server, page, demo_dir):
    from analytics.db import connect_lines
    from analytics.store import Store

    page.goto(server + "/")
    wait_rendered(page, charts=True)
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="品牌培育").click()
    wait_rendered(page, charts=True)
    assert _errors(page) == []
    assert page.locator('[data-testid="stPlotlyChart"] .main-svg').count() >= 2  # coverage and repeat curves
    page.get_by_text("品牌", exact=True).first.click()  # the level: brands
    wait_rendered(page, charts=True)
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="品牌/规格")
    expect(box).to_have_count(1, timeout=10_000)  # the specification's choice is gone once the rerun ends
    open_select(box)
    page.keyboard.type("芙蓉")  # the searchable choice
    page.get_by_role("option", name="芙蓉王", exact=True).click(timeout=10_000)
    wait_rendered(page, charts=True)
    # independently: the master's retailers who ordered 芙蓉王 in 2019, of all the master's retailers
    con = connect_lines(Store(demo_dir).state_dir())
    ordered, customers = con.execute(
        """SELECT (SELECT COUNT(DISTINCT o.retailer_id) FROM orders o JOIN skus s USING (sku_id) JOIN retailers r USING (retailer_id)
                   WHERE s.brand = '芙蓉王' AND year(o.order_date) = 2019), (SELECT COUNT(*) FROM retailers)""").fetchone()
    _expect_first_metric(page, f"{ordered / customers * 100:.2f}%")
    screenshot(page, "page-brands")
