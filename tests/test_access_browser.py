"""Proxy mode in Chromium against a real `streamlit run` (DASHBOARD_AUTH=proxy): each browser context
carries its own X-Forwarded-User header, as an authenticating proxy in front would set it. Playwright's
extra headers travel on the WebSocket handshake too, which is where st.context.headers reads them (the
sidebar naming the header's user proves it). Each identity checks what it sees, by the figures and names
on the page, against the query layer: a manager of 城郊片区 (navigation, caption, comparison table, its
CSV, tampered URLs), a viewer (no retailer rows), an analyst (everything, 数据管理), an identity the
access file does not name, a request with no header, and two managers of different districts at once."""
from __future__ import annotations

import csv
import io
import urllib.parse
from pathlib import Path

import pytest
from playwright.sync_api import expect

from analytics import queries
from analytics.db import connect_store
from analytics.filters import Filters
from analytics.labels import t
from analytics.slugs import district_slug
from analytics.store import Store
from analytics.text import WORD_JOINER

from .browser import streamlit_server, wait_rendered

pytestmark = pytest.mark.browser

MINE = "城郊片区"
OTHER = "城区一片区"  # a second manager's district, and the one the first manager's tampered URLs ask for
ACCESS = f"""
[[users]]
id = "mgr@example.com"
name = "张三"
role = "manager"
districts = ["{MINE}"]

[[users]]
id = "viewer@example.com"
name = "李四"
role = "viewer"
districts = ["{MINE}"]

[[users]]
id = "analyst@example.com"
name = "王五"
role = "analyst"

[[users]]
id = "mgr2@example.com"
name = "赵六"
role = "manager"
districts = ["{OTHER}"]
"""
HEADER = "X-Forwarded-User"
LAPTOP = {"width": 1366, "height": 768}
DESKTOP = {"width": 1920, "height": 1080}


@pytest.fixture(scope="module")
def server(demo_dir, tmp_path_factory, browser):
    # the access file is the test's own (the demo directory is shared with other modules)
    access_file = tmp_path_factory.mktemp("access") / "access.toml"
    access_file.write_text(ACCESS, encoding="utf-8")
    with streamlit_server(demo_dir, {"DASHBOARD_AUTH": "proxy", "DASHBOARD_ACCESS_FILE": str(access_file)}) as url:
        # the first session of a fresh server that opens a path other than the root gets Streamlit's "Page
        # not found" dialog whatever the app does (its first run knows only the pages/ folder's modules);
        # open the root once so that each test sees what every later visitor sees
        _open(browser, None, "/", url).context.close()
        yield url


@pytest.fixture(scope="module")
def truth(demo_dir):
    """What the query layer says, unscoped: every district's and the city's KPI figures for the years
    the test opens, the district names, and the top retailers of 城郊片区 (names and licence numbers)."""
    con = connect_store(Store(demo_dir))
    names = queries.districts(con)
    figures = {}
    for year in (2018, 2019):
        for d in [*names, None]:
            s = queries.summary(con, Filters(year=year, compare_year=year - 1, districts=(d,) if d else ()))
            figures[d, year] = {"volume": f"{s.volume_cases:,.2f} 箱", "price": f"{s.avg_price_per_carton:,.2f} 元/条"}
    top = queries.retailer_table(con, Filters(year=2019, compare_year=2018, districts=(MINE,)), limit=20)
    con.close()
    assert MINE in names and OTHER in names and len(names) == 8
    return {"districts": names, "figures": figures, "retailer_names": list(top.retailer_name),
            "retailer_ids": list(top.retailer_id)}


def _open(browser, who: str | None, path: str = "/", server: str = "", viewport=LAPTOP):
    headers = {HEADER: who} if who is not None else {}
    context = browser.new_context(viewport=viewport, locale="zh-CN", extra_http_headers=headers)
    page = context.new_page()
    if server:
        page.goto(server + path)
        wait_rendered(page)
    return page


def _text(page) -> str:
    """Everything the page holds as text, hidden parts too (tabs, the tables' accessible copies), as a
    reader would read it (the word joiners that keep an address from being linked are invisible)."""
    return page.evaluate("document.body.textContent").replace(WORD_JOINER, "")


def _visible(page) -> str:
    return page.locator("body").inner_text().replace(WORD_JOINER, "")


def _nav(page) -> set[str]:
    """The paths of the navigation's links."""
    hrefs = page.locator('[data-testid="stSidebarNav"] a').evaluate_all("els => els.map(e => e.href)")
    return {urllib.parse.unquote(urllib.parse.urlparse(h).path).strip("/") for h in hrefs}


def _main_caption(page) -> str:
    return page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').first.inner_text()


def _metrics(page) -> list[str]:
    values = page.locator('[data-testid="stMain"] [data-testid="stMetricValue"]')
    expect(values.first).to_be_visible(timeout=10_000)
    return [v.strip() for v in values.all_inner_texts()]


def _grids(page):
    """The data tables on screen, each with its column headers, read from the grid's accessible table
    (drawn once the grid has been scrolled into view)."""
    grids = page.locator('[data-testid="stDataFrame"]').filter(visible=True)
    for i in range(grids.count()):
        grid = grids.nth(i)
        grid.scroll_into_view_if_needed()
        grid.locator('table[role="grid"] th').first.wait_for(state="attached", timeout=10_000)
        yield grid, grid.locator('table[role="grid"] th').all_text_contents()


def _grid(page, header: str) -> list[list[str]]:
    """The rows of the data table whose columns include `header` (not the header row; cells as shown)."""
    for grid, headers in _grids(page):
        if header in headers:
            rows = grid.locator('table[role="grid"] tbody tr')
            return [r.locator("td").all_text_contents() for r in rows.all()]
    raise AssertionError(f"no table with the column {header!r}")


def _csv(page, key: str) -> list[dict[str, str]]:
    """The CSV a download button (by its widget key) gives: UTF-8 with BOM, a '#' note line, then the table."""
    with page.expect_download(timeout=60_000) as download:
        page.locator(f".st-key-{key} button").click()
    raw = Path(download.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), raw[:20]
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("# "), lines[0]
    return list(csv.DictReader(io.StringIO("\n".join(lines[1:]))))


def _refused(page) -> None:
    """The page-refusal, and not Streamlit's English "Page not found" dialog over it."""
    expect(page.get_by_text(t("page_refused"), exact=True)).to_be_visible(timeout=10_000)
    page.wait_for_timeout(500)  # the dialog comes after the page has drawn
    assert page.get_by_text("Page not found", exact=False).count() == 0
    assert page.locator('[data-testid="stMetricValue"], [data-testid="stDataFrame"], [data-testid="stPlotlyChart"]').count() == 0


def _nothing_of(page, truth, district: str | None, year: int = 2019) -> None:
    """No name and no KPI figure of `district` (None: the whole city) anywhere in the page's text."""
    text = _text(page)
    if district:
        assert district not in text
        assert district not in urllib.parse.unquote(page.content())
    for figure in truth["figures"][district, year].values():
        assert figure not in text, (district, figure)


def test_manager_sees_only_their_district_everywhere(server, browser, truth):
    page = _open(browser, "mgr@example.com", "/", server)
    # the header reached the session (it is read from the WebSocket's handshake): the sidebar names the user
    expect(page.locator('[data-testid="stSidebar"]').get_by_text("张三 · 经理 · 城郊片区")).to_be_visible()
    slugs = {district_slug(d) for d in truth["districts"]}
    nav = _nav(page)
    assert nav & slugs == {district_slug(MINE)}
    assert "data" not in nav and not page.locator('[data-testid="stSidebarNav"]').get_by_text(t("page_data")).count()
    # the company pages' heading is theirs too, not 全市
    headings = page.locator('[data-testid="stNavSectionHeader"]').all_inner_texts()
    assert t("my_scope") in headings and t("nav_company") not in headings, headings
    assert _main_caption(page).startswith(f"{t('my_scope')}: {MINE} · ")
    mine = truth["figures"][MINE, 2019]
    assert _metrics(page)[:2] == [mine["volume"], mine["price"]]
    # the district comparison: their district and the total of their scope, nothing else
    rows = _grid(page, "单箱值(元/箱)")
    assert [r[0] for r in rows] == [MINE, t("scope_total")]
    assert rows[0][1] == mine["volume"].removesuffix(" 箱")
    for d in truth["districts"]:
        if d != MINE:
            _nothing_of(page, truth, d)
    _nothing_of(page, truth, None)  # nor the whole city's figures
    # the download holds the same two rows
    table = _csv(page, "dl_district-comparison")
    assert [r["片区"] for r in table] == [MINE, t("scope_total")]
    assert float(table[0]["销量(箱)"]) == pytest.approx(float(mine["volume"].removesuffix(" 箱").replace(",", "")))
    page.context.close()


@pytest.mark.parametrize("path", [f"/{urllib.parse.quote(district_slug(OTHER))}", f"/{urllib.parse.quote(district_slug(OTHER))}?present=1",
                                  "/data", "/data?present=1"],
                         ids=["other-district-page", "other-district-page-present", "data-page", "data-page-present"])
def test_manager_tampering_with_the_page_path_is_refused(server, browser, truth, path):
    page = _open(browser, "mgr@example.com", path, server, viewport=DESKTOP)
    _refused(page)
    _nothing_of(page, truth, OTHER)
    page.context.close()


@pytest.mark.parametrize("query", [f"?d={urllib.parse.quote(OTHER)}", f"?present=1&d={urllib.parse.quote(OTHER)}"],
                         ids=["d", "present-d"])
def test_manager_tampering_with_the_link_district_is_refused(server, browser, truth, query):
    page = _open(browser, "mgr@example.com", "/" + query, server)
    expect(page.get_by_text(t("url_d_out_of_scope"), exact=True)).to_be_visible(timeout=10_000)
    assert page.get_by_text("Page not found", exact=False).count() == 0
    # what is shown instead is their own district's figures, and nothing of the one asked for
    assert truth["figures"][MINE, 2019]["volume"] in _visible(page)
    _nothing_of(page, truth, OTHER)
    _nothing_of(page, truth, None)
    page.context.close()


def test_viewer_sees_no_retailer_level_data(server, browser, truth):
    district_page = f"/{urllib.parse.quote(district_slug(MINE))}"
    # the control: a manager's page of the same district has the retailer table with those retailers
    manager = _open(browser, "mgr@example.com", district_page, server)
    shown = _grid(manager, "客户名称")
    assert {r[1] for r in shown} & set(truth["retailer_names"]), shown[:3]
    manager.context.close()

    page = _open(browser, "viewer@example.com", district_page, server, viewport=DESKTOP)
    expect(page.locator('[data-testid="stSidebar"]').get_by_text("李四 · 只读 · 城郊片区")).to_be_visible()
    assert truth["figures"][MINE, 2019]["volume"] in _visible(page)  # the aggregates are there
    expect(page.get_by_text(t("retailers_hidden"), exact=False).first).to_be_visible()
    text, html = _text(page), page.content()
    headers = [h for _, hs in _grids(page) for h in hs]
    assert "销量(箱)" in headers  # the aggregate tables are read
    assert "客户名称" not in headers and "许可证号" not in headers
    for name in truth["retailer_names"]:
        assert name not in text and name not in html
    for licence in truth["retailer_ids"]:
        assert licence not in html
    assert "data" not in _nav(page)
    assert _nav(page) & {district_slug(d) for d in truth["districts"]} == {district_slug(MINE)}
    page.context.close()


def test_analyst_sees_every_district_and_the_data_page(server, browser, truth):
    page = _open(browser, "analyst@example.com", "/", server, viewport=DESKTOP)
    nav = _nav(page)
    assert {district_slug(d) for d in truth["districts"]} <= nav
    assert "data" in nav
    assert _metrics(page)[0] == truth["figures"][None, 2019]["volume"]
    rows = _grid(page, "单箱值(元/箱)")
    assert sorted(r[0] for r in rows[:-1]) == sorted(truth["districts"])
    page.goto(server + "/data")
    wait_rendered(page)
    expect(page.locator('[data-testid="stFileUploaderDropzone"]')).to_be_visible()
    page.context.close()


@pytest.mark.parametrize("who", ["stranger@example.com", None], ids=["unknown-identity", "no-header"])
def test_a_session_not_let_in_sees_one_page_and_no_data(server, browser, truth, who):
    page = _open(browser, who, "/", server)
    expected = t("auth_no_access", id=who) if who else t("auth_no_header", header=HEADER)
    assert expected in _visible(page)
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    assert page.locator('[data-testid="stMetricValue"], [data-testid="stDataFrame"], [data-testid="stPlotlyChart"]').count() == 0
    for d in truth["districts"]:
        _nothing_of(page, truth, d)
    # and no page path gets further
    page.goto(f"{server}/{urllib.parse.quote(district_slug(MINE))}")
    wait_rendered(page)
    assert page.get_by_text("Page not found", exact=False).count() == 0
    _nothing_of(page, truth, MINE)
    page.context.close()


def test_two_scopes_at_once_never_see_each_others_figures(server, browser, truth):
    """Two managers of different districts, both sessions open at the same time, asking for the same
    views one right after the other: a result cached for one scope must not be served to the other."""
    a = _open(browser, "mgr@example.com", viewport=LAPTOP)
    b = _open(browser, "mgr2@example.com", viewport=DESKTOP)
    for year, order in ((2018, (a, b)), (2019, (b, a))):
        for page in order:  # both run on the server at once
            page.goto(f"{server}/?y={year}&cy={year - 1}", wait_until="commit")
        for page in order:
            wait_rendered(page)
        for page, own, other in ((a, MINE, OTHER), (b, OTHER, MINE)):
            figures = truth["figures"][own, year]
            assert _metrics(page)[:2] == [figures["volume"], figures["price"]], (own, year)
            assert _main_caption(page).startswith(f"{t('my_scope')}: {own} · ")
            assert [r[0] for r in _grid(page, "单箱值(元/箱)")] == [own, t("scope_total")]
            _nothing_of(page, truth, other, year)
    a.context.close()
    b.context.close()
