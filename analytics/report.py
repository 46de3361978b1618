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
from .columns import filter_note, with_total
from .filters import Filters
from .labels import CLASS_COLORS, class_label, fmt_case_value, fmt_cases, fmt_count, fmt_pct, fmt_price, localize, t
from .narrative import comparison_caption, pace_text, summary_text

#: the order a presenter steps through
TOPICS = ("kpis", "mix", "provincial", "online", "low", "pace", "districts", "summary")
CHART_TOPICS = ("mix", "provincial", "online", "low", "pace")
TOPIC_LABELS = {"kpis": "main_indicators", "mix": "page_mix", "provincial": "page_provincial", "online": "page_online",
                "low": "page_low", "pace": "pace", "districts": "district_compare", "summary": "written_summary"}
DISTRICT_TABLE_COLUMNS = ["district", "volume_cases", "volume_yoy_pct", "avg_price", "provincial_share_pct",
                          "online_rate_pct", "low_tier_cases", "low_tier_yoy_pct"]

#: presentation resolution for images
IMAGE_WIDTH, IMAGE_HEIGHT = 1920, 1080

Progress = Callable[[float, str], None]


@dataclass
class Story:
    """Everything one district-year presentation shows, computed once from the queries."""

    name: str
    filters: Filters
    lang: str
    summary: dict
    monthly_mix: pd.DataFrame
    monthly_provincial: pd.DataFrame
    monthly_online: pd.DataFrame
    monthly_low: pd.DataFrame
    pace: pd.DataFrame
    district_table: pd.DataFrame
    company_summary: dict  # the district table's total row
    area_table: pd.DataFrame
    period: tuple[str, str] | None

    @property
    def text(self) -> str:
        return summary_text(self.summary, self.name, self.lang, segments=self.area_table)

    def title(self, topic: str) -> str:
        return t(TOPIC_LABELS[topic], self.lang)

    def figure(self, topic: str, scale: float = 1.0) -> go.Figure:
        lang = self.lang
        if topic == "mix":
            fig = charts.class_bars(self.monthly_mix, lang)
        elif topic == "provincial":
            fig = charts.lines(self.monthly_provincial, lang, "share_pct", "%", y_label=t("provincial_share_pct", lang),
                               name=self.name)
        elif topic == "online":
            fig = charts.lines(self.monthly_online, lang, "online_rate_pct", "%", y_label=t("online_rate_pct", lang),
                               name=self.name)
        elif topic == "low":
            fig = charts.lines(self.monthly_low, lang, "cases", t("unit_cases", lang), y_label=t("low_tier_cases", lang),
                               colors={None: CLASS_COLORS[5]}, name=self.name)
        elif topic == "pace":
            fig = charts.pace(self.pace, lang, self.filters.year, self.filters.compare_year)
        else:
            raise ValueError(f"no chart for topic {topic!r}")
        charts.with_title(fig, f"{self.name} · {self.title(topic)}")
        return charts.apply_theme(fig, "light", scale=scale)

    def key_numbers(self, topic: str) -> list[str]:
        """The few figures a presenter reads out for a topic (all from the summary)."""
        s, lang = self.summary, self.lang
        yoy = lambda v: fmt_pct(v, signed=True)  # noqa: E731
        if topic == "kpis":
            return [
                f"{t('volume', lang)}: {fmt_cases(s['volume_cases'], lang)} ({t('yoy', lang)} {yoy(s['volume_yoy_pct'])})",
                f"{t('avg_price', lang)}: {fmt_price(s['avg_price_per_carton'], lang)} ({t('last_year', lang)} {fmt_price(s['avg_price_per_carton_prev'], lang)})",
                f"{t('case_value', lang)}: {fmt_case_value(s['case_value'], lang)}",
                f"{t('provincial_share', lang)}: {fmt_pct(s['provincial_share_pct'])}",
                f"{t('online_rate', lang)}: {fmt_pct(s['online_rate_pct'])} ({fmt_count(s['online_customers'], lang)} / {fmt_count(s['customers'], lang)})",
                f"{t('low_tier_cases', lang)}: {fmt_cases(s['low_tier_cases'], lang)} ({t('yoy', lang)} {yoy(s['low_tier_yoy_pct'])})",
            ]
        if topic == "mix":
            return [f"{class_label(c, lang)}: {fmt_cases(s['class_cases'][str(c)], lang)} ({yoy(s['class_yoy_pct'][str(c)])}), "
                    f"{t('share_pct', lang)} {fmt_pct(s['class_share_pct'][str(c)])}" for c in range(1, 6)]
        if topic == "provincial":
            return [f"{t('provincial_cases', lang)}: {fmt_cases(s['provincial_cases'], lang)} ({yoy(s['provincial_yoy_pct'])})",
                    f"{t('provincial_share', lang)}: {fmt_pct(s['provincial_share_pct'])} ({t('last_year', lang)} {fmt_pct(s['provincial_share_pct_prev'])})"]
        if topic == "online":
            return [f"{t('online_customers', lang)}: {fmt_count(s['online_customers'], lang)} / {fmt_count(s['customers'], lang)}",
                    f"{t('online_rate', lang)}: {fmt_pct(s['online_rate_pct'])} ({t('last_year', lang)} {fmt_pct(s['online_rate_pct_prev'])})",
                    f"{t('online_rate_ordering', lang)}: {fmt_pct(s['online_rate_ordering_pct'])}",
                    f"{t('online_volume_share', lang)}: {fmt_pct(s['online_volume_share_pct'])}"]
        if topic == "low":
            return [f"{t('low_tier_cases', lang)}: {fmt_cases(s['low_tier_cases'], lang)} ({yoy(s['low_tier_yoy_pct'])})",
                    f"{t('low_tier_share', lang)}: {fmt_pct(s['low_tier_share_pct'])} ({t('last_year', lang)} {fmt_pct(s['class_share_pct_prev']['5'])})"]
        if topic == "pace":
            sentence = pace_text(self.pace, self.filters.year, self.filters.compare_year, lang)
            return [sentence] if sentence else []
        return []

    def district_rows(self) -> pd.DataFrame:
        """The district comparison as displayed (translated headers, two decimals)."""
        company = self.filters.with_(districts=())
        return localize(with_total(self.district_table, self.company_summary, company, self.lang), self.lang,
                        DISTRICT_TABLE_COLUMNS)

    def caption(self) -> str:
        """Scope, the periods compared, filters in force and the data's period: on every screen and slide."""
        return filter_note(self.filters, self.lang, self.period, scope=self.name,
                           compared=comparison_caption(self.summary, self.lang))


def story(con: duckdb.DuckDBPyConnection, f: Filters, name: str, lang: str = "zh") -> Story:
    """Compute every number a presentation of `f` needs (name is the district, or the company's label)."""
    company = f.with_(districts=())
    return Story(
        name=name, filters=f, lang=lang, summary=queries.summary(con, f),
        monthly_mix=queries.class_by_period(con, f), monthly_provincial=queries.provincial_by_period(con, f),
        monthly_online=queries.online_by_month(con, f), monthly_low=queries.low_tier_by_period(con, f), pace=queries.pace(con, f),
        district_table=queries.district_table(con, company), company_summary=queries.summary(con, company), area_table=queries.district_table(con, f, by="area_type"),
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

def build_deck(st_: Story, progress: Progress = lambda f, s: None) -> bytes:
    """A 16:9 deck: title, KPIs, one slide per chart family (image + key numbers), the district
    table as a real table, and the written summary. Chinese text uses a CJK East Asian font."""
    from pptx import Presentation
    from pptx.util import Emu, Inches

    lang = st_.lang
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)  # 16:9, PowerPoint's own widescreen size
    blank = prs.slide_layouts[6]
    width = prs.slide_width

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

    progress(0.05, "title")
    slide = prs.slides.add_slide(blank)
    y, cy = st_.filters.year, st_.filters.compare_year
    textbox(slide, f"{st_.name} {y} {t('deck_title', lang)}", Inches(0.8), Inches(2.4), width - Inches(1.6), Inches(1.2), 40, bold=True)
    sub = f"{y} vs {cy}" if cy else str(y)
    textbox(slide, f"{sub}\n{st_.caption()}\n{t('generated_on', lang)} {dt.date.today().isoformat()}",
            Inches(0.8), Inches(3.8), width - Inches(1.6), Inches(1.6), 16)

    progress(0.15, "kpis")
    slide = new_slide(st_.title("kpis"))
    textbox(slide, "\n".join(st_.key_numbers("kpis")), Inches(0.7), Inches(1.3), width - Inches(1.4), Inches(5.3), 22)

    for i, topic in enumerate(CHART_TOPICS):
        progress(0.2 + 0.6 * i / len(CHART_TOPICS), topic)
        slide = new_slide(st_.title(topic))
        png = to_png(st_.figure(topic, scale=1.4))
        slide.shapes.add_picture(io.BytesIO(png), Inches(0.4), Inches(1.2), width=Inches(8.6))
        textbox(slide, "\n".join(st_.key_numbers(topic)), Inches(9.2), Inches(1.4), Inches(3.8), Inches(5.2), 15)

    progress(0.85, "table")
    slide = new_slide(st_.title("districts"))
    rows = st_.district_rows()
    shape = slide.shapes.add_table(len(rows) + 1, len(rows.columns), Inches(0.4), Inches(1.2), width - Inches(0.8),
                                   Emu(Inches(0.4) * (len(rows) + 1)))
    table = shape.table
    for j, col in enumerate(rows.columns):
        _cell(table.cell(0, j), str(col), 12, bold=True)
    for i, (_, row) in enumerate(rows.iterrows(), start=1):
        for j, value in enumerate(row):
            _cell(table.cell(i, j), table_text(value), 12)

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


CJK_FONT = "Noto Sans CJK SC"


def _font(run, size: int, bold: bool = False) -> None:
    from pptx.oxml.ns import qn
    from pptx.util import Pt

    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = CJK_FONT
    rpr = run._r.get_or_add_rPr()
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = rpr.makeelement(qn("a:ea"), {})
        rpr.append(ea)
    ea.set("typeface", CJK_FONT)


def _cell(cell, text: str, size: int, bold: bool = False) -> None:
    cell.text = ""
    run = cell.text_frame.paragraphs[0].add_run()
    run.text = text
    _font(run, size, bold)
