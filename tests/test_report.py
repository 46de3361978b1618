"""The written summary, the PPTX deck and static chart images."""
import dataclasses
import io

import pytest

from analytics.access import Scope
from analytics.db import connect_store
from analytics.filters import Filters
from analytics.narrative import summary_text
from analytics.queries import breakdown, summary
from analytics.report import CONTENT, DECK_FONT, TOPICS, build_deck, chart_png_size, story, to_png
from analytics.store import Store

SEED_TEXT_ZH = (
    "2019年，城郊片区共销售卷烟977.87箱，比2018年减少30.26箱，下降3.00%。其中省产烟850.13箱，比2018年增加78.54箱，增长10.18%，"
    "占总销量的86.94%，比2018年提高10.40个百分点。条均价85.66元/条，2018年同期为73.93元/条，提高11.73元，增幅15.87%；单箱值21,414.73元。"
    "\n\n分价类看，一类烟75.47箱，同比增长49.18%；二类烟236.39箱，同比增长21.35%；三类烟211.98箱，同比下降1.95%；四类烟392.81箱，"
    "同比下降7.49%；五类烟61.22箱，同比下降49.78%。增幅最大的是一类烟（+49.18%），降幅最大的是五类烟（-49.78%）。"
    "五类烟占总销量的6.26%，比2018年下降5.83个百分点。"
    "\n\n网上订货客户141户，占客户总数231户的61.04%，比2018年增加41户，网订率提高17.75个百分点；网上订货量占总销量的53.36%。"
    "\n\n分城乡看，城网449.84箱，同比增长1.05%；农网528.04箱，同比下降6.21%。"
)
SEED = Filters(year=2019, compare_year=2018, districts=("城郊片区",))


def test_seed_district_summary_reads_exactly(demo_dir):
    con = connect_store(Store(demo_dir))
    text = summary_text(summary(con, SEED), "城郊片区", "zh", segments=breakdown(con, SEED, by="area_type"))
    assert text == SEED_TEXT_ZH


def test_seed_district_summary_in_english_starts_with_the_totals(demo_dir):
    con = connect_store(Store(demo_dir))
    text = summary_text(summary(con, SEED), "城郊片区", "en")
    assert text.startswith("In 2019, 城郊片区 sold 977.87 cases, down 30.26 cases on 2018 (-3.00%). "
                           "Provincial brands sold 850.13 cases, up 78.54 cases on 2018 (+10.18%)")
    assert "141 of 231 retailers ordered online, an online rate of 61.04%" in text


def test_a_managers_summary_names_their_customers_in_prose(demo_dir):
    """吴婷's customers (482.27 箱 in 2019 against 498.85 in 2018: 16.58 箱, 3.32% down), named as the
    subject of the sentence, never the page's title "城郊片区 · 客户经理 吴婷" spliced into it."""
    con = connect_store(Store(demo_dir))
    f = SEED.with_(managers=("吴婷",))
    s = summary(con, f)
    assert summary_text(s, "城郊片区 · 客户经理 吴婷", "zh", f=f).startswith(
        "2019年，城郊片区客户经理吴婷的客户共销售卷烟482.27箱，比2018年减少16.58箱，下降3.32%。其中省产烟419.82箱，")
    assert summary_text(s, "城郊片区", "en", f=f).startswith(
        "In 2019, the customers of 吴婷 (城郊片区) bought 482.27 cases, down 16.58 cases on 2018 (-3.32%). ")
    # a user whose scope is 吴婷's customers reads the same, without choosing her
    mine = Filters(year=2019, compare_year=2018).within(Scope(districts=("城郊片区",), managers=("吴婷",)))
    assert summary_text(summary(con, mine), "城郊片区", "zh", f=mine).startswith("2019年，城郊片区客户经理吴婷的客户共销售卷烟482.27箱，")
    # a district's (no manager in f) keeps its own name
    assert summary_text(summary(con, SEED), "城郊片区", "zh", f=SEED) == summary_text(summary(con, SEED), "城郊片区", "zh")


# crafted cases on the tiny city (甲片区: 2019 500 条 to 6 May, the same period of 2018 100 条) -----------

def test_a_rise_is_worded_as_a_rise(tiny):
    text = summary_text(summary(connect_store(tiny), Filters(year=2019, compare_year=2018, districts=("甲片区",))), "甲片区")
    # the data end on 6 May 2019: the sentence says which days it covers and compares with 同期
    assert text.startswith("2019年1月1日至5月6日，甲片区共销售卷烟2.00箱，比2018年同期增加1.60箱，增长400.00%。")
    assert "三类烟0.80箱，上年同期无销量" in text
    assert "增长-" not in text and "下降-" not in text


def test_a_fall_is_worded_as_a_fall_never_as_negative_growth(tiny):
    s = summary(connect_store(tiny), Filters(year=2019, compare_year=2018, districts=("甲片区",)))
    s = dataclasses.replace(s, volume_cases=0.36, volume_yoy_pct=-10.0)
    text = summary_text(s, "甲片区")
    assert text.startswith("2019年1月1日至5月6日，甲片区共销售卷烟0.36箱，比2018年同期减少0.04箱，下降10.00%。")


def test_a_change_within_the_threshold_is_flat(tiny):
    s = summary(connect_store(tiny), Filters(year=2019, compare_year=2018, districts=("甲片区",)))
    s = dataclasses.replace(s, volume_cases=0.4016, volume_yoy_pct=0.4)
    assert summary_text(s, "甲片区").startswith("2019年1月1日至5月6日，甲片区共销售卷烟0.40箱，与2018年同期基本持平（+0.00箱，+0.40%）。")


def test_missing_previous_year_makes_no_comparison(tiny):
    s = summary(connect_store(tiny), Filters(year=2018, compare_year=2017, districts=("甲片区",)))
    text = summary_text(s, "甲片区")
    assert text.startswith("2018年，甲片区共销售卷烟1.00箱，无上年同期数据可比。")
    assert "条均价86.00元/条，单箱值21,500.00元。" in text
    assert "百分点" not in text.split("\n\n")[0]


def test_zero_volume_says_so(tiny):
    s = summary(connect_store(tiny), Filters(year=2019, compare_year=2018, districts=("甲片区",), month_from=12, month_to=12))
    assert summary_text(s, "甲片区") == "2019年甲片区在当前筛选条件下没有销量。"
    assert summary_text(s, "甲片区", "en") == "甲片区 had no sales in 2019 under the current filters."
    f = Filters(year=2019, districts=("甲片区",), managers=("张伟",))
    assert summary_text(s, "甲片区", f=f) == "2019年甲片区客户经理张伟的客户在当前筛选条件下没有销量。"
    assert summary_text(s, "甲片区", "en", f=f) == "The customers of 张伟 (甲片区) had no sales in 2019 under the current filters."


# the deck ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def deck(demo_dir):
    con = connect_store(Store(demo_dir))
    st_ = story(con, SEED, "城郊片区")
    steps = []
    data = build_deck(st_, progress=lambda f, s: steps.append(s))
    return st_, data, steps


def test_deck_has_the_slides_in_order(deck):
    from pptx import Presentation

    st_, data, steps = deck
    prs = Presentation(io.BytesIO(data))
    assert (prs.slide_width, prs.slide_height) == (12192000, 6858000)  # 16:9
    titles = [next(sh.text_frame.text for sh in s.shapes if sh.has_text_frame) for s in prs.slides]
    assert titles == ["城郊片区 2019 卷烟销售分析", "主要指标", "价类结构", "省产烟", "网上订货", "低档烟", "年度进度", "任务进度",
                      "片区对比", "分析文字"]
    assert steps[-1] == "done"


def test_deck_pictures_are_present_and_not_blank(deck):
    from PIL import Image
    from pptx import Presentation

    prs = Presentation(io.BytesIO(deck[1]))
    pictures = [sh for s in prs.slides for sh in s.shapes if sh.shape_type == 13]
    assert len(pictures) == 6
    for pic in pictures:
        image = Image.open(io.BytesIO(pic.image.blob)).convert("L")
        assert image.size == chart_png_size()
        lo, hi = image.getextrema()
        assert hi - lo > 100  # drawn content, not a blank canvas
        assert len(set(image.resize((96, 54)).getdata())) > 20


def test_deck_table_cells_equal_the_query_results(deck):
    from pptx import Presentation

    st_, data, _ = deck
    prs = Presentation(io.BytesIO(data))
    table = next(sh.table for sh in _slide(prs, "片区对比").shapes if sh.has_table)
    cells = [[table.cell(i, j).text for j in range(len(table.columns))] for i in range(len(table.rows))]
    expected = st_.district_rows()
    assert cells[0] == list(expected.columns)
    row = next(r for r in cells if r[0] == "城郊片区")
    assert row[1] == "977.87" and row[2] == "-3.00" and row[3] == "85.66" and row[5] == "61.04" and row[6] == "61.22"
    assert len(cells) == 1 + len(expected) == 10  # eight districts and the total
    assert cells[-1][:3] == ["全市合计", "8,227.52", "-0.56"]


def _slide(prs, title: str):
    return next(s for s in prs.slides if any(sh.has_text_frame and sh.text_frame.text == title for sh in s.shapes))


def test_deck_kpi_slide_is_a_table_of_the_summary_with_changes_coloured_by_meaning(deck):
    from pptx import Presentation

    st_, data, _ = deck
    s = st_.summary
    table = next(sh.table for sh in _slide(Presentation(io.BytesIO(data)), "主要指标").shapes if sh.has_table)
    cells = {table.cell(i, 0).text: [table.cell(i, j).text for j in range(1, 5)] for i in range(len(table.rows))}
    assert cells["指标"] == ["2019年", "2018年", "增减", "同比(%)"]  # the periods compared, as on the page
    # the same figures as queries.summary, two decimals
    assert cells["销量(箱)"] == [f"{s.volume_cases:,.2f}", f"{s.volume_cases_prev:,.2f}", f"{s.volume_change_cases:+,.2f}",
                               f"{s.volume_yoy_pct:+.2f}%"] == ["977.87", "1,008.13", "-30.26", "-3.00%"]
    assert cells["条均价(元/条)"][:2] == ["85.66", "73.93"] and cells["条均价(元/条)"][3] == "+15.87%"
    assert cells["单箱值(元/箱)"][0] == f"{s.case_value:,.2f}" == "21,414.73"
    assert cells["省产烟占比(%)"] == ["86.94", f"{s.provincial_share_pct_prev:,.2f}", "+10.40 个百分点", "—"]
    assert cells["网订率(%)"][:3] == ["61.04", f"{s.online_rate_pct_prev:,.2f}", "+17.75 个百分点"]
    assert cells["五类烟(箱)"][0] == "61.22" and cells["五类烟(箱)"][3] == "-49.78%"

    def colour(label: str, j: int) -> str:
        row = next(i for i in range(len(table.rows)) if table.cell(i, 0).text == label)
        return str(table.cell(row, j).text_frame.paragraphs[0].runs[0].font.color.rgb)

    green, red = "1E8E3E", "D93025"
    assert colour("销量(箱)", 4) == colour("销量(箱)", 3) == red  # a fall
    assert colour("条均价(元/条)", 4) == green  # a rise
    assert colour("五类烟(箱)", 4) == colour("五类烟(箱)", 3) == green  # a fall in 五类 is the good news


def test_deck_charts_fill_the_content_area_between_title_and_caption(deck):
    from pptx import Presentation

    prs = Presentation(io.BytesIO(deck[1]))
    left, top, width, height = CONTENT
    pictures = [sh for s in prs.slides for sh in s.shapes if sh.shape_type == 13]
    assert len(pictures) == 6
    for pic in pictures:
        assert left <= pic.left and top <= pic.top
        assert pic.left + pic.width <= left + width and pic.top + pic.height <= top + height
        assert pic.width * pic.height >= 0.6 * width * height
        # the image has the box's aspect: nothing is stretched
        w, h = chart_png_size()
        assert abs(pic.width / pic.height - w / h) < 0.01
    slide = next(s for s in prs.slides if any(sh.shape_type == 13 for sh in s.shapes))
    title = next(sh for sh in slide.shapes if sh.has_text_frame)
    caption = [sh for sh in slide.shapes if sh.has_text_frame and sh.text_frame.text.startswith("片区:")][0]
    assert title.top + title.height <= top and top + height <= caption.top


def test_deck_text_names_a_font_an_office_pc_has(deck):
    from pptx import Presentation
    from pptx.oxml.ns import qn

    prs = Presentation(io.BytesIO(deck[1]))
    runs = [r for s in prs.slides for sh in s.shapes for p in _paragraphs(sh) for r in p.runs]
    assert len(runs) > 50
    for run in runs:
        rpr = run._r.find(qn("a:rPr"))
        assert rpr.find(qn("a:latin")).get("typeface") == DECK_FONT == "Microsoft YaHei"
        assert rpr.find(qn("a:ea")).get("typeface") == DECK_FONT
    theme = prs.slide_masters[0].part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme").blob.decode()
    assert '<a:ea typeface="Microsoft YaHei"/>' in theme and '<a:font script="Hans" typeface="Noto Sans CJK SC"/>' in theme


def _paragraphs(shape):
    if shape.has_text_frame:
        return shape.text_frame.paragraphs
    if shape.has_table:
        return [p for row in shape.table.rows for cell in row.cells for p in cell.text_frame.paragraphs]
    return []


def test_deck_carries_the_summary_and_the_filters(deck):
    from pptx import Presentation

    st_, data, _ = deck
    prs = Presentation(io.BytesIO(data))
    text = "\n".join(sh.text_frame.text for s in prs.slides for sh in s.shapes if sh.has_text_frame)
    assert st_.text in text
    assert "截至2019年12月，时间进度100.00%，累计销量977.87箱，达到2018年全年销量的97.00%，慢于时间进度3.00个百分点。" in text
    assert "片区: 城郊片区 · 期间: 2019年 vs 2018年 · 数据期间: 2017-01-02 – 2019-12-31" in text


def test_topics_cover_every_screen_in_order():
    assert TOPICS == ("kpis", "mix", "provincial", "online", "low", "pace", "targets", "districts", "summary")


# Chinese in server-side images --------------------------------------------------------------------

def _render_text(text: str):
    import plotly.graph_objects as go
    from PIL import Image

    fig = go.Figure()
    fig.add_annotation(text=text, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font={"size": 120, "color": "black"})
    fig.update_layout(width=400, height=300, xaxis={"visible": False}, yaxis={"visible": False}, plot_bgcolor="white",
                      paper_bgcolor="white", margin={"l": 0, "r": 0, "t": 0, "b": 0},
                      font={"family": "Noto Sans CJK SC"})
    return Image.open(io.BytesIO(to_png(fig, 400, 300))).convert("L")


def test_chinese_labels_render_as_glyphs_not_boxes():
    """Without a CJK font every character is the same empty box; with it, characters differ from
    each other and from a character no font has (U+0FFFF-range private use)."""
    from PIL import ImageChops

    one, cls, missing = _render_text("一"), _render_text("类"), _render_text("\U000f0000")
    assert ImageChops.difference(one, cls).getbbox() is not None
    assert ImageChops.difference(cls, missing).getbbox() is not None
    ink = lambda im: sum(1 for p in im.getdata() if p < 128)  # noqa: E731
    assert ink(one) < ink(cls)  # 一 is a single stroke; 类 has many: real glyphs, not identical boxes


# --- #13 progress against targets ---

def test_deck_targets_slide_shows_the_progress_of_the_page_and_fits(deck, demo_dir):
    """The 任务进度 slide: the bullet chart and the sentence of analytics/progress.py for the district,
    a line per measure, in a text box its lines fit (16 pt, a CJK character about 1 em, Latin half)."""
    from pptx import Presentation
    from pptx.util import Pt

    from analytics.narrative import progress_text
    from analytics.progress import progress

    st_, data, _ = deck
    p = progress(connect_store(Store(demo_dir)), SEED)
    assert p.has_targets and p.whole_year  # the demo loads targets for 2019, a complete year
    slide = _slide(Presentation(io.BytesIO(data)), "任务进度")
    assert len([sh for sh in slide.shapes if sh.shape_type == 13]) == 1
    box = next(sh for sh in slide.shapes if sh.has_text_frame and sh.text_frame.text.startswith("2019年全年，"))
    lines = box.text_frame.text.split("\n")
    assert "；".join(lines) == progress_text(p)  # one clause a line
    assert lines == st_.key_numbers("targets") and len(lines) == len(p.measures) == 6
    # the demo's 城郊片区 misses its volume and 五类 targets (docs/data-contract.md, the demo's targets)
    assert lines[0] == "2019年全年，销量完成年度任务的95.50%，距任务差4.50个百分点"
    assert lines[3] == "五类烟完成年度任务的87.46%，距任务差12.54个百分点"
    assert lines[4:] == ["条均价85.66元/条，比任务低1.34元/条", "网订率61.04%，比任务低3.86个百分点。"]
    per_line = box.width / Pt(16)
    wrapped = sum(-(-sum(1 if ord(c) > 0x2E80 else 0.55 for c in line) // per_line) for line in lines)
    assert wrapped * Pt(16) * 1.2 <= box.height
    assert slide.shapes[0].top >= 0 and all(sh.left + sh.width <= 12192000 for sh in slide.shapes)


def test_deck_of_months_1_to_6_reads_the_targets_at_30_june(demo_dir):
    """The deck follows the filters it is given: months 1–6 of the demo's complete 2019 read the seed's
    "时间过半": 30 June, 181/365 = 49.59%, 城郊片区's January–June 486.78 箱 (the KPI cards' figure for
    those months) of its 1,024 箱 target, its monthly targets through June 511.33 箱."""
    from pptx import Presentation

    from analytics.progress import progress
    from analytics.queries import summary

    con = connect_store(Store(demo_dir))
    half = SEED.with_(month_from=1, month_to=6)
    p = progress(con, half)
    v = p.get("volume")
    assert (p.as_of, round(p.time_progress_pct, 2), v.target, v.actual) == ("2019-06-30", 49.59, 1024.0, summary(con, half).volume_cases)
    assert (round(v.actual, 2), round(v.completion_pct, 2), round(v.gap, 2), round(v.pace_target, 2)) == (486.78, 47.54, -2.05, 511.33)
    st_ = story(con, half, "城郊片区")
    slide = _slide(Presentation(io.BytesIO(build_deck(st_))), "任务进度")
    box = next(sh for sh in slide.shapes if sh.has_text_frame and sh.text_frame.text.startswith("截至"))
    assert box.text_frame.text.split("\n")[0] == "截至6月30日，时间进度49.59%，销量完成年度任务的47.54%，落后时间进度2.05个百分点"
    # April–June is read from 1 January through 30 June all the same
    assert progress(con, SEED.with_(month_from=4, month_to=6)) == p
