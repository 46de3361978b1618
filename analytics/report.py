"""Presenting: the topics a review meeting steps through, their figures and key numbers, static
chart images (kaleido + Debian's chromium) and the PPTX deck. Pages and the CLI share all of it."""
from __future__ import annotations

import datetime as dt
import io
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import pandas as pd
import plotly.graph_objects as go

from . import charts, queries
from .columns import filter_note, localize, with_total
from .families import BY_KEY, FAMILIES
from .filters import Filters
from .formats import fmt_case_value, fmt_cases, fmt_count, fmt_pct, fmt_price
from .labels import t
from .narrative import compare_short, compared_with, comparison_caption, period_short, summary_text
from .palettes import CHANGE_COLORS

#: the order a presenter steps through: the KPIs, one screen per chart family, the districts, the text
CHART_TOPICS = tuple(family.key for family in FAMILIES)
TOPICS = ("kpis", *CHART_TOPICS, "districts", "summary")
TOPIC_LABELS = {"kpis": "main_indicators", **{family.key: family.topic for family in FAMILIES},
                "districts": "district_compare", "summary": "written_summary"}
DISTRICT_TABLE_COLUMNS = ["district", "volume_cases", "volume_yoy_pct", "avg_price", "provincial_share_pct",
                          "online_rate_pct", "low_tier_cases", "low_tier_yoy_pct"]

#: presentation resolution for images
IMAGE_WIDTH, IMAGE_HEIGHT = 1920, 1080

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class KpiRow:
    """One line of the KPI table; `unit="pp"` marks a share whose change is in percentage points."""

    label: str
    this: float | None
    comparison: float | None
    change: float | None
    yoy_pct: float | None
    unit: str = ""
    inverse: bool = False

    def cells(self, lang: str = "zh") -> list[str]:
        """indicator, this year, comparison, change, YoY as the deck writes them (two decimals, '—' for missing)."""
        pp = f" {t('change_pp', lang)}" if self.unit == "pp" and self.change is not None else ""
        signed = lambda v: "—" if v is None else f"{v:+,.2f}"  # noqa: E731
        return [self.label, table_text(self.this), table_text(self.comparison), signed(self.change) + pp,
                "—" if self.yoy_pct is None else fmt_pct(self.yoy_pct, signed=True)]

    def good(self) -> bool | None:
        """Whether the change is good news (None when there is no change to judge)."""
        sign = self.yoy_pct if self.yoy_pct is not None else self.change
        if sign is None or round(sign, 2) == 0:
            return None
        return (sign > 0) != self.inverse


@dataclass
class Story:
    """Everything one district-year presentation shows, computed once from the queries."""

    name: str
    filters: Filters
    lang: str
    summary: queries.Summary
    frames: dict[str, pd.DataFrame]  # each family's chart frame, by family key (analytics/families.py)
    district_table: pd.DataFrame
    company_summary: queries.Summary  # the district table's total row
    area_table: pd.DataFrame
    period: tuple[str, str] | None

    @property
    def text(self) -> str:
        return summary_text(self.summary, self.name, self.lang, segments=self.area_table, f=self.filters)

    def title(self, topic: str) -> str:
        return t(TOPIC_LABELS[topic], self.lang)

    def figure(self, topic: str, scale: float = 1.0) -> go.Figure:
        """The family's chart of this story (analytics/families.py), titled, light, type scaled."""
        family = BY_KEY.get(topic)
        if family is None:
            raise ValueError(f"no chart for topic {topic!r}")
        fig = family.chart.figure(self.frames[topic], self.lang, self.filters, self.name)
        charts.with_title(fig, f"{self.name} · {self.title(topic)}")
        return charts.apply_theme(fig, "light", scale=scale)

    def key_numbers(self, topic: str) -> list[str]:
        """The few figures a presenter reads out for a topic (from the summary; 年度进度 from its frame)."""
        s, lang = self.summary, self.lang
        if topic == "kpis":
            yoy = lambda v: fmt_pct(v, signed=True)  # noqa: E731
            before = compared_with(s, lang)  # "2018年" or "2022年同期"
            return [
                f"{t('volume', lang)}: {fmt_cases(s.volume_cases, lang)} ({t('yoy', lang)} {yoy(s.volume_yoy_pct)})",
                f"{t('avg_price', lang)}: {fmt_price(s.avg_price_per_carton, lang)} "
                f"({before} {fmt_price(s.avg_price_per_carton_prev, lang)})",
                f"{t('case_value', lang)}: {fmt_case_value(s.case_value, lang)}",
                f"{t('provincial_share', lang)}: {fmt_pct(s.provincial_share_pct)}",
                f"{t('online_rate', lang)}: {fmt_pct(s.online_rate_pct)} "
                f"({fmt_count(s.online_customers, lang)} / {fmt_count(s.customers, lang)})",
                f"{t('low_tier_cases', lang)}: {fmt_cases(s.low_tier_cases, lang)} ({t('yoy', lang)} {yoy(s.low_tier_yoy_pct)})",
            ]
        family = BY_KEY.get(topic)
        return family.numbers(s, self.frames[topic], self.filters, lang) if family else []

    def kpi_rows(self) -> list[KpiRow]:
        """The KPI slide's table: the indicators of key_numbers("kpis"), this year against the comparison."""
        s, lang = self.summary, self.lang
        diff = lambda a, b: None if a is None or b is None else a - b  # noqa: E731
        low_prev = s.class_cases_prev["5"]
        return [
            KpiRow(f"{t('volume', lang)}({t('unit_cases', lang)})", s.volume_cases, s.volume_cases_prev,
                   s.volume_change_cases, s.volume_yoy_pct),
            KpiRow(f"{t('avg_price', lang)}({t('unit_yuan_carton', lang)})", s.avg_price_per_carton, s.avg_price_per_carton_prev,
                   diff(s.avg_price_per_carton, s.avg_price_per_carton_prev), s.avg_price_yoy_pct),
            # 单箱值 is 250 × 条均价, so its YoY is the price's (as on the KPI cards)
            KpiRow(f"{t('case_value', lang)}({t('unit_yuan_case', lang)})", s.case_value, s.case_value_prev,
                   diff(s.case_value, s.case_value_prev), s.avg_price_yoy_pct),
            KpiRow(f"{t('provincial_share', lang)}(%)", s.provincial_share_pct, s.provincial_share_pct_prev,
                   diff(s.provincial_share_pct, s.provincial_share_pct_prev), None, unit="pp"),
            KpiRow(f"{t('online_rate', lang)}(%)", s.online_rate_pct, s.online_rate_pct_prev,
                   diff(s.online_rate_pct, s.online_rate_pct_prev), None, unit="pp"),
            # a fall in 五类 volume is what the company pursues: its colours read the other way
            KpiRow(t("low_tier_cases", lang), s.low_tier_cases, low_prev, diff(s.low_tier_cases, low_prev),
                   s.low_tier_yoy_pct, inverse=True),
        ]

    def district_rows(self) -> pd.DataFrame:
        """The district comparison as displayed (translated headers, two decimals)."""
        company = _company(self.filters)
        return localize(with_total(self.district_table, self.company_summary, company, self.lang), self.lang,
                        DISTRICT_TABLE_COLUMNS)

    def caption(self) -> str:
        """Scope, the periods compared, filters in force and the data's period: on every screen and slide."""
        return filter_note(self.filters, self.lang, self.period, scope=self.name,
                           compared=comparison_caption(self.summary, self.lang))


def _company(f: Filters) -> Filters:
    """The district comparison of a story of f: every district (the scope's), whatever district or
    customer manager the story is about, so a manager's deck compares districts as their district's does."""
    return f.with_(districts=(), managers=())


def story(con: duckdb.DuckDBPyConnection, f: Filters, name: str, lang: str = "zh") -> Story:
    """Compute every number a presentation of `f` needs (name is the district, or the company's label)."""
    company = _company(f)
    return Story(
        name=name, filters=f, lang=lang, summary=queries.summary(con, f),
        frames={family.key: family.chart.query(con, f, **family.chart.kwargs) for family in FAMILIES},
        district_table=queries.breakdown(con, company), company_summary=queries.summary(con, company),
        area_table=queries.breakdown(con, f, by="area_type"),
        period=queries.data_period(con),
    )


# --- static images -------------------------------------------------------------------------------

_kaleido_lock = threading.Lock()
_kaleido_started = False


def to_png(fig: go.Figure, width: int = IMAGE_WIDTH, height: int = IMAGE_HEIGHT) -> bytes:
    """Render a figure with kaleido through one long-lived browser (a cold start costs ~3 s)."""
    global _kaleido_started
    import kaleido

    with _kaleido_lock, warnings.catch_warnings():
        # plotly warns that per-call options are ignored when a server is running: that is the point
        warnings.simplefilter("ignore", UserWarning)
        if not _kaleido_started:
            kaleido.start_sync_server(silence_warnings=True)
            _kaleido_started = True
        return fig.to_image(format="png", width=width, height=height)


# --- the PPTX deck ---------------------------------------------------------------------------------

EMU_PER_INCH = 914400
SLIDE_W, SLIDE_H = 12192000, 6858000  # 16:9, PowerPoint's own widescreen size (13.33 × 7.5 in)
#: the area between a slide's title and its caption line: (left, top, width, height) in EMU
CONTENT = (int(0.4 * EMU_PER_INCH), int(1.2 * EMU_PER_INCH), SLIDE_W - int(0.8 * EMU_PER_INCH), int(5.65 * EMU_PER_INCH))
#: a chart takes the content area but a side column for its key numbers
CHART_BOX_W = int(9.3 * EMU_PER_INCH)
CHART_DPI = 200  # image pixels per inch of the slide: sharp on a projector, a few hundred kB per chart
CHART_FONT_PT = 14  # axis and legend type as it reads on the slide, not in image pixels


def chart_png_size() -> tuple[int, int]:
    """Pixel size of a chart image with the aspect of its box on the slide."""
    return round(CHART_BOX_W / EMU_PER_INCH * CHART_DPI), round(CONTENT[3] / EMU_PER_INCH * CHART_DPI)


def build_deck(st_: Story, progress: Progress = lambda f, s: None) -> bytes:
    """A 16:9 deck: title, the KPIs as a table, one slide per chart family (image + key numbers), the
    district table, and the written summary. Text names fonts an office PC has (see DECK_FONT)."""
    from pptx import Presentation
    from pptx.util import Emu, Inches

    lang = st_.lang
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(SLIDE_W), Emu(SLIDE_H)
    _theme_fonts(prs)
    blank = prs.slide_layouts[6]
    width = prs.slide_width
    left, top, content_w, content_h = CONTENT

    def textbox(slide, text: str, left, top, w, h, size: int, bold: bool = False) -> None:
        box = slide.shapes.add_textbox(left, top, w, h)
        frame = box.text_frame
        frame.word_wrap = True
        for i, line in enumerate(text.split("\n")):
            para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            run = para.add_run()
            run.text = line
            _font(run, size, bold)

    def new_slide(title: str):
        slide = prs.slides.add_slide(blank)
        textbox(slide, title, Inches(0.5), Inches(0.3), width - Inches(1.0), Inches(0.8), 30, bold=True)
        textbox(slide, st_.caption(), Inches(0.5), Inches(6.95), width - Inches(1.0), Inches(0.4), 11)
        return slide

    def table(slide, header: list[str], rows: list[list[str]], size: int, colours: list[list[str | None]] | None = None) -> None:
        row_h = min(Inches(0.5), content_h // (len(rows) + 1))
        shape = slide.shapes.add_table(len(rows) + 1, len(header), left, top, content_w, Emu(row_h * (len(rows) + 1)))
        for j, col in enumerate(header):
            _cell(shape.table.cell(0, j), col, size, bold=True)
        for i, row in enumerate(rows, start=1):
            for j, value in enumerate(row):
                _cell(shape.table.cell(i, j), value, size, colour=colours[i - 1][j] if colours else None)

    progress(0.05, "title")
    slide = prs.slides.add_slide(blank)
    y, cy = st_.filters.year, st_.filters.compare_year
    textbox(slide, f"{st_.name} {y} {t('deck_title', lang)}", Inches(0.8), Inches(2.4), width - Inches(1.6), Inches(1.2), 40, bold=True)
    sub = f"{y} vs {cy}" if cy else str(y)
    textbox(slide, f"{sub}\n{st_.caption()}\n{t('generated_on', lang)} {dt.date.today().isoformat()}",
            Inches(0.8), Inches(3.8), width - Inches(1.6), Inches(1.6), 16)

    progress(0.15, "kpis")
    slide = new_slide(st_.title("kpis"))
    kpis = st_.kpi_rows()
    # the periods compared, as on the page: 2019年 / 2018年, or 2023-01-01至06-15 / 2022年同期
    header = [t("indicator", lang), period_short(st_.summary, lang), compare_short(st_.summary, lang) or "—",
              t("change", lang), t("yoy_pct", lang)]
    colours = []
    for row in kpis:
        good = row.good()
        colour = None if good is None else CHANGE_COLORS["good" if good else "bad"]
        colours.append([None, None, None, colour, colour])
    table(slide, header, [row.cells(lang) for row in kpis], 20, colours)

    png_w, png_h = chart_png_size()
    # type in image pixels for CHART_FONT_PT on the slide (the template's base size is 13 px)
    scale = CHART_FONT_PT / 72 * CHART_DPI / 13
    for i, topic in enumerate(CHART_TOPICS):
        progress(0.2 + 0.6 * i / len(CHART_TOPICS), topic)
        slide = new_slide(st_.title(topic))
        fig = st_.figure(topic, scale=scale)
        # the slide's title names the chart; the image keeps its height for the plot
        fig.update_layout(title=None, margin={"t": round(40 * scale), "l": 10, "r": 10, "b": 10})
        png = to_png(fig, png_w, png_h)
        slide.shapes.add_picture(io.BytesIO(png), left, top, width=Emu(CHART_BOX_W), height=Emu(content_h))
        side = left + CHART_BOX_W + Inches(0.25)
        textbox(slide, "\n".join(st_.key_numbers(topic)), side, top + Inches(0.2), left + content_w - side, content_h - Inches(0.2), 16)

    progress(0.85, "table")
    slide = new_slide(st_.title("districts"))
    rows = st_.district_rows()
    table(slide, [str(c) for c in rows.columns], [[table_text(v) for v in row] for _, row in rows.iterrows()], 14)

    progress(0.95, "summary")
    slide = new_slide(st_.title("summary"))
    textbox(slide, st_.text, Inches(0.7), Inches(1.3), width - Inches(1.4), Inches(5.5), 16)
    out = io.BytesIO()
    prs.save(out)
    progress(1.0, "done")
    return out.getvalue()


def table_text(value: object) -> str:
    """How a table cell is written into the deck: two decimals for numbers, '—' for missing."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


#: Every run names Microsoft YaHei (微软雅黑) as its Latin and East Asian typeface, and so does the
#: deck's theme: it ships with every Windows since Vista and with Office for Mac, so the deck opens
#: on an office PC in the font it was laid out for, digits and Chinese alike. Where it is missing
#: (Linux, LibreOffice) fontconfig resolves it for Chinese text to Noto Sans CJK SC, the font the
#: chart images are drawn in (CJK_FONT), which the theme names as its fallback for simplified Chinese.
DECK_FONT = "Microsoft YaHei"
CJK_FONT = "Noto Sans CJK SC"


def _theme_fonts(prs) -> None:
    """Name DECK_FONT in the theme's heading and body fonts (what new text in PowerPoint uses), and
    CJK_FONT as the theme's simplified-Chinese script font."""
    from lxml import etree
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT
    from pptx.oxml.ns import qn

    master = prs.slide_masters[0]
    theme_part = master.part.part_related_by(RT.THEME)
    root = etree.fromstring(theme_part.blob)
    for scheme in root.iter(qn("a:majorFont"), qn("a:minorFont")):
        scheme.find(qn("a:latin")).set("typeface", DECK_FONT)
        scheme.find(qn("a:ea")).set("typeface", DECK_FONT)
        hans = next((f for f in scheme.findall(qn("a:font")) if f.get("script") == "Hans"), None)
        if hans is None:
            hans = etree.SubElement(scheme, qn("a:font"))
            hans.set("script", "Hans")
        hans.set("typeface", CJK_FONT)
    theme_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _font(run, size: int, bold: bool = False, colour: str | None = None) -> None:
    from pptx.dml.color import RGBColor
    from pptx.oxml.ns import qn
    from pptx.util import Pt

    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = DECK_FONT  # a:latin
    if colour:
        run.font.color.rgb = RGBColor.from_string(colour.lstrip("#"))
    rpr = run._r.get_or_add_rPr()
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = rpr.makeelement(qn("a:ea"), {})
        # schema order: a:latin, a:ea, a:cs; a:latin is already there
        rpr.find(qn("a:latin")).addnext(ea)
    ea.set("typeface", DECK_FONT)


def _cell(cell, text: str, size: int, bold: bool = False, colour: str | None = None) -> None:
    cell.text = ""
    run = cell.text_frame.paragraphs[0].add_run()
    run.text = text
    _font(run, size, bold, colour)
