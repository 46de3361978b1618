"""The printable page (analytics/printable.py): what a reader sees is the data as text, in the order
given, with each table's header rows to repeat per printed page. Whether text fits the A4 page is
checked in a real browser (tests/test_visits_browser.py)."""
from html.parser import HTMLParser

import pandas as pd

from analytics.printable import html_page


class _Doc(HTMLParser):
    """The parts of a printable page a reader meets: title, meta lines, note, and per table its
    thead rows and tbody rows as cell texts (with each td's class)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.html_lang = None
        self.title = ""
        self.h1 = ""
        self.h2: list[str] = []
        self.meta: list[str] = []
        self.note = ""
        self.empty: list[str] = []
        self.tables: list[dict] = []
        self.cell: list[str] | None = None
        self.cell_class = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        self.stack.append(tag if tag != "p" else f"p.{a.get('class')}")
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "table":
            self.tables.append({"head": [], "body": [], "classes": []})
        if tag == "tr":
            part = "head" if "thead" in self.stack else "body"
            self.tables[-1][part].append([])
            if part == "body":
                self.tables[-1]["classes"].append([])
        if tag in ("td", "th"):
            self.cell = []
            self.cell_class = a.get("class")
        if tag == "li":
            self.meta.append("")

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            part = "head" if "thead" in self.stack else "body"
            self.tables[-1][part][-1].append("".join(self.cell))
            if part == "body":
                self.tables[-1]["classes"][-1].append(self.cell_class)
            self.cell = None
        self.stack.pop()

    def handle_data(self, data):
        top = self.stack[-1] if self.stack else ""
        if self.cell is not None:
            self.cell.append(data)
        elif top == "title":
            self.title += data
        elif top == "h1":
            self.h1 += data
        elif top == "h2":
            self.h2.append(data)
        elif top == "li":
            self.meta[-1] += data
        elif top == "p.note":
            self.note += data
        elif top == "p.empty":
            self.empty.append(data)


def _parse(text: str) -> _Doc:
    doc = _Doc()
    doc.feed(text)
    return doc


HOSTILE = '<script>alert("x")</script>&amp; \'q\''


def test_data_shows_as_text_never_markup():
    frame = pd.DataFrame({"客户<名称>": [HOSTILE, "正常店"], "销量(箱)": ["1,234.50", None]})
    page = html_page(f"周拜访 {HOSTILE}", [f"客户经理 {HOSTILE}", "数据截至 2024-01-28"], [(f"代订货 {HOSTILE}", frame)],
                     f"线索 {HOSTILE}", "zh")
    doc = _parse(page)
    assert "script" not in doc.tags  # no element came from the data
    assert doc.title == doc.h1 == f"周拜访 {HOSTILE}"
    assert doc.meta == [f"客户经理 {HOSTILE}", "数据截至 2024-01-28"]
    assert doc.note == f"线索 {HOSTILE}"
    assert doc.h2 == [f"代订货 {HOSTILE}"]
    (table,) = doc.tables
    # the header's first row names the list and the section on every printed page, then the columns
    assert table["head"] == [[f"周拜访 {HOSTILE} · 代订货 {HOSTILE}"], ["客户<名称>", "销量(箱)"]]
    assert table["body"] == [[HOSTILE, "1,234.50"], ["正常店", "—"]]


def test_numbers_align_right_and_text_left():
    frame = pd.DataFrame({"客户": ["甲店", "乙店"], "变化": ["-12.30%", "+1.50%"], "销量": [3.25, 10.0], "理由": ["降 40%", "摆动"]})
    (table,) = _parse(html_page("t", [], [("s", frame)], "", "zh")).tables
    assert table["classes"] == [[None, "num", "num", None], [None, "num", "num", None]]
    assert table["body"][0] == ["甲店", "-12.30%", "3.25", "降 40%"]


def test_sections_in_order_and_an_empty_one_reads_as_a_dash():
    a = pd.DataFrame({"x": ["1"]})
    page = html_page("标题", ["m"], [("第一组", a), ("第二组", a.iloc[0:0]), ("第三组", a)], "提示", "zh")
    doc = _parse(page)
    assert doc.h2 == ["第一组", "第二组", "第三组"]
    assert len(doc.tables) == 2 and doc.empty == ["—"]
    assert [t["head"][0] for t in doc.tables] == [["标题 · 第一组"], ["标题 · 第三组"]]


def test_a4_portrait_page_language_and_cjk_font_first():
    page = html_page("t", [], [], "", "zh")
    assert _parse(page).html_lang == "zh-CN"
    assert _parse(html_page("t", [], [], "", "en")).html_lang == "en"
    assert "@page { size: A4 portrait; margin: 15mm; }" in page
    assert 'font-family: "Noto Sans CJK SC"' in page
    assert '<meta charset="utf-8">' in page
