"""In Chromium against a server started with no flags but the port (what `make run`'s flags add is in
.streamlit/config.toml): a session over the overview, a district page, the Data page and the presentation
makes requests to the app's own origin only (no font host, no usage statistics), and a hostile file or
district name renders as inert text (no link or image built from it, nothing fetched from where it points)."""
from __future__ import annotations

import urllib.parse
import urllib.request

import pytest

from analytics.text import WORD_JOINER

from .browser import launch, streamlit_server, wait_rendered
from .test_hostile_names import NASTY_DISTRICT, PROBE, nasty_city

pytestmark = pytest.mark.browser
ORDERS_FOR_PROBE = "订货日期,许可证号,卷烟编码,订货量(条),金额(元),订货方式\n2019-04-01,0001,6901028000001,10,2000,电话订货\n"


def _text(locator) -> str:
    """The text a reader sees (the word joiners that keep an address from being linked are invisible)."""
    return locator.inner_text().replace(WORD_JOINER, "").strip()


def _inert(page, name: str) -> None:
    """Nothing on the page was built from the name: no link to, no image from where it points."""
    bad = page.locator('a[href*="example.invalid"], img[src*="127.0.0.1:9"], img[src*="example.invalid"], '
                       '[data-testid="stMarkdownColoredText"], .katex')
    assert bad.count() == 0, bad.evaluate_all("els => els.map(e => (e.closest('p') || e).outerHTML.slice(0, 400))")


def test_a_session_stays_on_its_origin_and_hostile_names_are_inert_text(tmp_path):
    from playwright.sync_api import sync_playwright

    store = nasty_city(tmp_path / "data")
    with streamlit_server(store.root, bare=True) as server, sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        origin = urllib.parse.urlparse(server)

        page.goto(server + "/")
        wait_rendered(page, charts=True)
        assert page.locator('[data-testid="stException"]').count() == 0

        # the district page of a district whose name is Markdown: its title reads as the name itself
        nav = page.locator('[data-testid="stSidebarNav"] a', has_text="片区")
        nav.first.click()
        wait_rendered(page, charts=True)
        assert _text(page.locator("h1").first) == NASTY_DISTRICT
        # the navigation link reads as the name too (Streamlit draws page titles as Markdown)
        current = page.locator('[data-testid="stSidebarNav"] a[aria-current="page"] [data-testid="stMarkdownContainer"]')
        assert _text(current) == NASTY_DISTRICT
        _inert(page, NASTY_DISTRICT)

        # the Data page: the probe's name in the preview, the success message, the history and the rollback
        page.goto(server + "/data")
        wait_rendered(page)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            {"name": PROBE, "mimeType": "text/csv", "buffer": ORDERS_FOR_PROBE.encode("utf-8")})
        page.get_by_text("确认导入 1 个文件").wait_for(timeout=60_000)
        wait_rendered(page)
        file_line = page.locator('[data-testid="stMarkdownContainer"]', has_text="文件:").first
        assert _text(file_line) == f"文件: {PROBE}"
        _inert(page, PROBE)
        page.get_by_text("确认导入 1 个文件").click()
        page.locator('[data-testid="stAlertContentSuccess"]').wait_for(timeout=60_000)
        wait_rendered(page)
        assert _text(page.locator('[data-testid="stAlertContentSuccess"]')) == f"已导入 E00004：{PROBE}，1 行"
        _inert(page, PROBE)
        page.locator('[data-testid="stSelectbox"]', has_text="选择要撤销的导入").click()
        option = page.get_by_role("option").filter(has_text="E00004")
        assert PROBE in _text(option)
        option.click()
        page.get_by_text("撤销 E00004", exact=False).wait_for(timeout=30_000)
        wait_rendered(page)
        preview = page.locator('[data-testid="stMarkdownContainer"]', has_text="将带来以下变化").first
        assert _text(preview) == f"撤销 E00004（{PROBE}）将带来以下变化："
        _inert(page, PROBE)

        # the presentation of the hostile district
        page.goto(f"{server}/?present=1&d={urllib.parse.quote(NASTY_DISTRICT)}&topic=summary")
        wait_rendered(page)
        assert _text(page.locator("h2").first).startswith(f"{NASTY_DISTRICT} · ")
        _inert(page, NASTY_DISTRICT)
        page.wait_for_timeout(1000)  # late requests (fonts, the favicon, statistics) have been made by now
        context.close()
        browser.close()

    foreign = [u for u in requests if not u.startswith(("data:", "blob:"))
               and urllib.parse.urlparse(u)[:2] != (origin.scheme, origin.netloc)]
    assert foreign == [], foreign
    assert len(requests) > 20  # the recorder saw the session
