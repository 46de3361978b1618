"""Presentation mode in Debian's chromium against a real `streamlit run`: a prepared link opens cleanly
on a fresh server, a presenter steps through every topic by keyboard (a clicker sends PageDown /
PageUp), and every screen fits the window at 1366×768 and 1920×1080."""
from __future__ import annotations

import urllib.parse

import pytest

from analytics.report import CHART_TOPICS, TOPICS

from .browser import launch, screenshot, streamlit_server, wait_rendered

pytestmark = pytest.mark.browser

LINK = f"/?present=1&d={urllib.parse.quote('城郊片区')}&y=2019&cy=2018"
TITLES = {"kpis": "主要指标", "mix": "价类结构", "provincial": "省产烟", "online": "网上订货", "low": "低档烟",
          "pace": "年度进度", "targets": "任务进度", "districts": "片区对比", "summary": "分析文字"}
NOT_FOUND = "Page not found"

# what the viewport shows: scrolling, elements cut off by its edges, content under the fixed bar
LAYOUT = """() => {
  const d = document.documentElement, nav = document.querySelector('.st-key-present-nav').getBoundingClientRect();
  const cut = [], under = [];
  for (const el of document.querySelectorAll('[data-testid="stMain"] *')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || el.offsetParent === null) continue;
    const name = (el.getAttribute('data-testid') || el.tagName) + ' ' + (el.innerText || '').slice(0, 30);
    if (r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5 || r.left < -0.5 || r.top < -0.5) cut.push(name);
    if (!el.closest('.st-key-present-nav') && r.bottom > nav.top + 0.5) under.push(name);
  }
  const chart = document.querySelector('[data-testid="stPlotlyChart"]');
  return {scrollH: d.scrollHeight, scrollW: d.scrollWidth, h: innerHeight, w: innerWidth, cut, under,
          navBottom: nav.bottom, chartH: chart ? chart.getBoundingClientRect().height : 0};
}"""


def _topic(page) -> str | None:
    return page.evaluate("() => new URLSearchParams(location.search).get('topic')")


def _press(page, key: str, topic: str) -> None:
    page.keyboard.press(key)
    page.wait_for_function(f"() => new URLSearchParams(location.search).get('topic') === '{topic}'", timeout=30_000)
    wait_rendered(page, charts=topic in CHART_TOPICS)


def _title(page) -> str:
    return page.locator("h2").first.inner_text()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


def test_prepared_link_is_the_first_request_of_a_fresh_server_and_opens_without_a_dialog(demo_dir, browser):
    with streamlit_server(demo_dir) as url:
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        page.goto(url + LINK)
        wait_rendered(page)
        assert _title(page) == "城郊片区 · 主要指标"
        assert page.locator('[role="dialog"]').count() == 0
        assert NOT_FOUND not in page.locator("body").inner_text()
        # the presentation stays at the root URL, so the address a presenter copies opens cleanly too
        assert urllib.parse.urlparse(page.url).path == "/"
        # the company's presentation: Esc leaves for the overview at the root URL (its own /overview
        # would show the dialog)
        page.goto(url + "/?present=1&y=2019&cy=2018&topic=pace")
        wait_rendered(page, charts=True)
        assert _title(page) == "全市 · 年度进度"
        page.keyboard.press("Escape")
        page.wait_for_function("() => !new URLSearchParams(location.search).get('present')", timeout=30_000)
        wait_rendered(page)
        assert urllib.parse.urlparse(page.url).path == "/"
        assert page.locator("h1").first.inner_text() == "总览"
        assert page.locator('[data-testid="stSidebar"]').is_visible()
        query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
        assert query["y"] == ["2019"] and query["cy"] == ["2018"] and "topic" not in query
        # the sidebar button goes back to the presentation at the root URL, from its first topic
        page.get_by_role("button", name="演示模式").click()
        page.wait_for_function("() => new URLSearchParams(location.search).get('present') === '1'", timeout=30_000)
        wait_rendered(page)
        assert urllib.parse.urlparse(page.url).path == "/" and _title(page) == "全市 · 主要指标"
        context.close()


@pytest.fixture(scope="module")
def server(demo_dir):
    with streamlit_server(demo_dir) as url:
        yield url


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
def test_a_presenter_steps_through_every_topic_by_keyboard_and_each_screen_fits(server, browser, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.goto(server + LINK)
    wait_rendered(page)
    nav_boxes = set()
    next_keys = ["ArrowRight", "PageDown", "Space"]  # keyboard, clicker, keyboard
    for i, topic in enumerate(TOPICS):
        assert _title(page) == f"城郊片区 · {TITLES[topic]}", (i, topic)
        layout = page.evaluate(LAYOUT)
        assert layout["scrollH"] <= layout["h"] and layout["scrollW"] <= layout["w"], (topic, layout)
        assert layout["cut"] == [], (topic, layout["cut"])
        assert layout["under"] == [], (topic, layout["under"])  # nothing hidden under the bar
        assert abs(layout["navBottom"] - height) < 1
        if topic in CHART_TOPICS:
            # the chart takes the height the screen offers, not a fixed 450 px
            assert layout["chartH"] > 0.7 * height, (topic, layout["chartH"])
        buttons = page.locator(".st-key-present-nav button")
        nav_boxes.add(tuple(round(v) for b in buttons.all() for v in b.bounding_box().values()))
        screenshot(page, f"present-keys-{width}x{height}-{i + 1}-{topic}")
        if i < len(TOPICS) - 1:
            _press(page, next_keys[i % 3], TOPICS[i + 1])
    assert len(nav_boxes) == 1  # previous / next / exit at the same place on every screen
    page.keyboard.press("PageDown")  # past the last topic: nothing happens
    page.wait_for_timeout(500)
    assert _topic(page) == "summary"
    _press(page, "PageUp", "districts")
    _press(page, "ArrowLeft", "targets")
    _press(page, "Home", "kpis")
    assert _title(page) == "城郊片区 · 主要指标"
    _press(page, "End", "summary")
    # Esc returns to the district's page with the same filters
    page.keyboard.press("Escape")
    page.wait_for_url(f"**/{urllib.parse.quote('城郊片区')}?**", timeout=30_000)
    wait_rendered(page, charts=True)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    assert query["y"] == ["2019"] and query["cy"] == ["2018"] and "present" not in query
    context.close()


def test_keys_typed_into_an_input_do_not_turn_the_page(server, browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(server + LINK + "&topic=mix")
    wait_rendered(page, charts=True)
    # the presentation has no input of its own: add one, as a note field in the page would be
    page.evaluate("() => { const i = document.createElement('input'); i.id = 'note';"
                  " document.querySelector('.st-key-present-body').appendChild(i); }")
    page.locator("#note").focus()
    for key in ("ArrowRight", "PageDown", "Space", "ArrowLeft", "Home", "End"):
        page.keyboard.press(key)
    page.wait_for_timeout(1_000)
    assert _topic(page) == "mix" and _title(page) == "城郊片区 · 价类结构"
    assert page.locator("#note").input_value() == " "  # the space went into the field
    page.locator("#note").blur()
    _press(page, "ArrowRight", "provincial")
    context.close()
