"""Debian's chromium: the printable visit list on A4 (nothing cut off, the Chinese text in the PDF, the
header on every page), and the 周拜访 page in a real `streamlit run` at 1366×768 (a manager chosen,
the list shown, issued, and its files offered)."""
from __future__ import annotations

import dataclasses

import pytest
from playwright.sync_api import expect

from analytics import printable, visits
from analytics.db import connect_store

from .browser import open_select, screenshot, streamlit_server, wait_rendered
from .pdf import holds, media_boxes, page_texts, starts_with
from .test_visits import WEEK, ZHANG, S, load_city

pytestmark = pytest.mark.browser

#: A4 portrait's printable width at 15 mm margins, in CSS pixels (96 per inch): what the printer lays out
PRINT_WIDTH_PX = round(printable.PRINTABLE_WIDTH_MM / 25.4 * 96)
A4_POINTS = (595.28, 841.89)
NOTE = "线索需走访核实，不是结论"

#: every cell, the widest table and the document against the printable width, under print media
MEASURE = """() => {
    const cells = [...document.querySelectorAll('td, th')];
    return {
        cut: cells.filter(c => c.scrollWidth > c.clientWidth).map(c => c.textContent.slice(0, 40)),
        cells: cells.length,
        widest: Math.max(...[...document.querySelectorAll('table')].map(t => t.getBoundingClientRect().width)),
        document: document.documentElement.scrollWidth,
        header_group: [...document.querySelectorAll('thead')].every(h => getComputedStyle(h).display === 'table-header-group'),
        // the last column's width (走访结果 on the visit list): room to write in by hand
        last_column: Math.min(...[...document.querySelectorAll('thead tr:last-child th:last-child')]
                                   .map(c => c.getBoundingClientRect().width)),
    };
}"""
#: the 周拜访 page's reason tables at 1366 px: every cell whole (wrapped), and the tables' columns at the same x
SCREEN_MEASURE = """() => {
    const tables = [...document.querySelectorAll('table.visits')];
    const cells = tables.flatMap(t => [...t.querySelectorAll('td, th')]);
    return {
        tables: tables.length,
        cut: cells.filter(c => c.scrollWidth > c.clientWidth || c.scrollHeight > c.clientHeight).map(c => c.textContent.slice(0, 40)),
        lefts: tables.map(t => [...t.querySelectorAll('thead th')].map(c => Math.round(c.getBoundingClientRect().left))),
        why: tables.flatMap(t => [...t.querySelectorAll('tbody tr')].map(r => r.children[4].innerText)),
    };
}"""


def _stress_list(vl: visits.VisitList) -> visits.VisitList:
    """The city's list and 60 more rows of what breaks layouts: a licence number of 48 digits, a name of
    60 letters with no space, a long line of why, ids that read as numbers."""
    extra = tuple({**vl.rows[k % len(vl.rows)], "rank": len(vl.rows) + k + 1, "retailer_id": f"{k:03d}" + "9" * 45,
                   "retailer_name": "长名零售户" + "W" * 60 if k % 2 else f"城郊片区第{k}号烟酒商店（乡镇街道主干道北侧）",
                   "why_zh": vl.rows[k % len(vl.rows)]["why_zh"] * 3} for k in range(60))
    return dataclasses.replace(vl, rows=vl.rows + extra)


@pytest.fixture(scope="module")
def kept_list(tmp_path_factory) -> visits.VisitList:
    store = load_city(tmp_path_factory.mktemp("visits") / "data")
    vl = visits.visit_list(connect_store(store), ZHANG, WEEK, settings=S)
    return visits.issue(store.root, _stress_list(vl), "张伟")


def _print_page(browser, html: str):
    context = browser.new_context(viewport={"width": PRINT_WIDTH_PX, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.set_content(html)
    page.emulate_media(media="print")
    return context, page


def test_the_printable_list_fits_a4_and_prints_its_chinese_text_on_every_page(browser, kept_list):
    html = visits.printable_page(kept_list, "zh", NOTE)
    context, page = _print_page(browser, html)
    try:
        measured = page.evaluate(MEASURE)
        assert measured["cells"] > 4 * 64 and measured["header_group"]
        assert measured["cut"] == []  # every cell's text fits its box: wrapped, never clipped or spilling
        assert measured["widest"] <= PRINT_WIDTH_PX and measured["document"] <= PRINT_WIDTH_PX
        assert measured["last_column"] >= 25 / 25.4 * 96  # 走访结果: at least 25 mm to write in
        pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    finally:
        context.close()
    assert all(abs(w - A4_POINTS[0]) < 1 and abs(h - A4_POINTS[1]) < 1 for _, _, w, h in media_boxes(pdf))
    texts = page_texts(pdf)
    assert len(texts) >= 3  # the stress rows run over several sheets
    whole = "".join(texts)
    title = visits.title(kept_list, "zh")
    assert holds(whole, title) and holds(whole, NOTE) and holds(whole, "数据截至 2019-02-06")
    assert holds(whole, "走访结果") and holds(whole, "周一 02-11")
    # every row's name, licence number and why is in the PDF as text, whole (a cut cell would lose some)
    for row in kept_list.rows:
        for value in (row["retailer_name"], row["retailer_id"], row["why_zh"]):
            assert holds(whole, value), value
    # each sheet after the first starts with the header of the table it continues ("title · section"), or
    # with a section's heading and then that header: which list and which visit day a loose sheet belongs to
    headings = [heading for heading, _ in visits.day_sections(kept_list, "zh")]
    starts = [f"{title} · {heading}" for heading in headings] + [f"{heading}{title} · {heading}" for heading in headings]
    for text in texts[1:]:
        assert any(starts_with(text, s) for s in starts), text[:80]


def test_the_measure_finds_text_that_does_not_fit(browser, kept_list):
    """The check above can fail: without wrapping, the long licence numbers and names spill out of their cells."""
    html = visits.printable_page(kept_list, "zh", NOTE).replace("overflow-wrap: anywhere", "overflow-wrap: normal")
    context, page = _print_page(browser, html)
    try:
        measured = page.evaluate(MEASURE)
    finally:
        context.close()
    assert measured["cut"] or measured["document"] > PRINT_WIDTH_PX


def test_a_manager_chooses_sees_issues_and_downloads_the_week_list(tmp_path, browser):
    store = load_city(tmp_path / "data")
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    try:
        with streamlit_server(store.root) as url:
            # the root first: a fresh server's first visit to another path gets Streamlit's "Page not found"
            page.goto(url)
            wait_rendered(page)
            page.goto(f"{url}/visits")
            wait_rendered(page)
            main = page.locator('[data-testid="stMain"]')
            expect(page.locator("h1").first).to_have_text("周拜访")
            for label, option in (("片区", "甲片区"), ("客户经理", "张伟")):
                open_select(main.locator('[data-testid="stSelectbox"]').filter(has_text=label))
                page.get_by_role("option", name=option, exact=True).click()
                wait_rendered(page)
            expect(main.get_by_text("代订货线索（2 户）")).to_be_visible()
            expect(main.locator('[data-testid="stHeading"]').filter(has_text="户）")).to_have_count(3)
            assert not main.get_by_role("button", name="打印版 (A4)").count()  # a draft is not printed
            page.get_by_role("button", name="下发本周名单").click()
            wait_rendered(page)
            expect(main.get_by_text("已于 ", exact=False).first).to_be_visible(timeout=30_000)
            screenshot(page, "visits-1366")
            shown = page.evaluate(SCREEN_MEASURE)
            assert shown["tables"] == 3 and shown["cut"] == []
            assert all(lefts == shown["lefts"][0] for lefts in shown["lefts"])  # the reason tables line up
            lead = "代订货线索评分 2.00：【销量突变】自 4 月起月均销量由 0.60 箱变为 0.04 箱，并持续。"
            assert lead in shown["why"]  # whole, to its last character
            with page.expect_download(timeout=60_000) as download:
                main.get_by_role("button", name="打印版 (A4)").click()
            assert download.value.suggested_filename == f"周拜访-张伟-{WEEK}.html"
            html = download.value.path().read_text(encoding="utf-8")
            assert "甲便利店" in html and "代订货线索评分 2.00：【销量突变】自 4 月起月均销量由 0.60 箱变为 0.04 箱，并持续。" in html
            assert main.get_by_role("button", name="下载 CSV").count() == 1
    finally:
        context.close()
    assert visits.load(store.root, "甲片区", "张伟", WEEK) is not None
