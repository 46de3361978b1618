"""Debian's chromium: the 代订货 list's printable page (专销联动) on A4. A long sentence of reasons beside
short names once took the width and squeezed the names and headers to one character a line (惠/民/王/记…):
every name keeps a readable width, nothing is cut off, and the table stays within the page."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics import suspects as S
from analytics.db import connect_store
from analytics.filters import Filters
from analytics.store import Store

from .pdf import holds, page_texts
from .test_visits_browser import MEASURE, PRINT_WIDTH_PX, _print_page

pytestmark = pytest.mark.browser

WEST = "西部乡镇片区"


@pytest.fixture(scope="module")
def west_page(demo_dir) -> str:
    con = connect_store(Store(demo_dir))
    f = Filters(year=2019, districts=(WEST,))
    rows = S.worded(S.suspects(con, f), "zh")
    assert len(rows) == 2
    # and one more of what breaks layouts: a name of 15 characters, a partner's of 20
    long = rows.iloc[[0]].assign(retailer_id="042007009999", retailer_name="城郊片区第七号烟酒商店北侧分店",
                                 partner_retailer_name="乡镇街道主干道北侧第十二号便利店加盟店")
    return S.print_page(pd.concat([rows, long], ignore_index=True), "zh", f"片区: {WEST}", "读取 2019 年 1–12 月")


def test_the_printable_list_keeps_its_names_readable_on_a4(browser, west_page):
    context, page = _print_page(browser, west_page)
    try:
        measured = page.evaluate(MEASURE)
        assert measured["cut"] == [] and measured["widest"] <= PRINT_WIDTH_PX and measured["document"] <= PRINT_WIDTH_PX
        # each column's narrowest cell, in characters of the table's type: names at least six wide
        widths = page.evaluate("""() => {
            const em = parseFloat(getComputedStyle(document.querySelector('td')).fontSize);
            const heads = [...document.querySelectorAll('thead tr:last-child th')].map(h => h.textContent);
            const rows = [...document.querySelectorAll('tbody tr')];
            return Object.fromEntries(heads.map((h, j) => [h, Math.min(...rows.map(r => r.children[j].clientWidth / em))]));
        }""")
        pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    finally:
        context.close()
    assert widths["客户名称"] >= 7 and widths["对应客户"] >= 7 and widths["客户经理"] >= 2, widths
    assert widths["依据"] >= 15, widths  # the sentence keeps a width worth reading too
    # a name on one line reads whole in the PDF's text (one character a line would split it)
    whole = "".join(page_texts(pdf))
    assert holds(whole, "惠民王记便利店") and holds(whole, "惠民任记副食店（042007001811）")
