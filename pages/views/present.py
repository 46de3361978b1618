"""演示模式: one topic per screen for a shared screen, stepped through by keyboard, clicker or buttons.

Opened from the sidebar button or a prepared link such as /?present=1&d=城郊片区&y=2019 (app.py
routes the root URL to this page while present=1 is in it).

Every screen fits the window without scrolling: the page is a column of the window's height (title,
then a body that takes what is left), and previous / next / exit sit in a bar fixed at the bottom, at
the same place whatever the topic. Type scales with the window width (html font-size in vw); charts
take the body's height. Keys use Streamlit's own button shortcuts, which ignore keys typed into an
input; a presenter's clicker sends PageDown / PageUp.
"""
import html

import pandas as pd
import streamlit as st

from analytics import report
from analytics.columns import covered
from analytics.labels import class_label
from analytics.palettes import CHANGE_COLORS
from analytics.text import md_escape
from pages import common, q, widgets

NAV_H = "4.6rem"  # the fixed bar at the bottom; the page ends above it
PRESENT_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stSidebarNav"], .st-key-present-keys
  { display: none !important; }
html { font-size: clamp(13px, 1.1vw, 24px); }
html, body, [data-testid="stAppViewContainer"], [data-testid="stMain"] { overflow: hidden !important; }
[data-testid="stMainBlockContainer"] { padding: 0.5rem 2.2rem 0 2.2rem; max-width: 100%%;
  height: calc(100vh - %(nav)s) !important; }
/* the page is a column of the window's height above the bar; the body takes what the title leaves */
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] { height: 100%%; flex-wrap: nowrap; }
[data-testid="stLayoutWrapper"]:has(> .st-key-present-body) { flex: 1 1 0 !important; min-height: 0 !important; }
.st-key-present-body { height: 100%% !important; overflow: hidden; }
/* the chart column passes the body's height down to the chart (height="stretch") */
.st-key-present-body [data-testid="stLayoutWrapper"]:has(> [data-testid="stHorizontalBlock"] .st-key-present-chart) {
  flex: 1 1 0; min-height: 0; }
.st-key-present-body [data-testid="stHorizontalBlock"]:has(.st-key-present-chart) { height: 100%%; }
.st-key-present-body [data-testid="stColumn"] > [data-testid="stVerticalBlock"]:has(.st-key-present-chart) { height: 100%%; }
[data-testid="stLayoutWrapper"]:has(> .st-key-present-chart) { flex: 1 1 0; min-height: 0; }
.st-key-present-chart { height: 100%% !important; }
.st-key-present-head { gap: 0 !important; }
.st-key-present-head h2 { font-size: 2rem; padding: 0.1rem 0 0.3rem 0; }
.st-key-present-nav { position: fixed; left: 0; right: 0; bottom: 0; height: %(nav)s; z-index: 999;
  padding: 0.7rem 2.2rem; background: %(bg)s; border-top: 1px solid rgba(128, 128, 128, 0.35); align-items: center; }
.st-key-present-nav button p { font-size: 1.15rem; }
.st-key-present-nav [data-testid="stCaptionContainer"] { font-size: 0.85rem; line-height: 1.35; text-align: center; }
[data-testid="stMetricValue"] { font-size: 1.9rem; }
[data-testid="stMetricLabel"] p { font-size: 1.05rem; }
.st-key-present-body .stMarkdown p, .st-key-present-body .stMarkdown li { font-size: 1.25rem; line-height: 1.55; }
table.present-table { border-collapse: collapse; width: 100%%; font-size: %(table_font)s; }
table.present-table th, table.present-table td { padding: 0.28em 0.6em; border-bottom: 1px solid rgba(128, 128, 128, 0.3); }
table.present-table th { text-align: left; font-weight: 600; }
table.present-table td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
</style>
"""
BACKGROUND = {"light": "#FFFFFF", "dark": "#0E1117"}


def css(table_font: str = "1.05rem") -> str:
    return PRESENT_CSS % {"nav": NAV_H, "bg": BACKGROUND.get(common.theme(), "#FFFFFF"), "table_font": table_font}


def html_table(frame: pd.DataFrame, signed: tuple[str, ...] = (), inverse_rows: tuple[int, ...] = ()) -> str:
    """A static table whose type follows the page's font size (st.dataframe draws a canvas at a fixed
    size, too small from the back of a room). Every value is escaped: names come from uploads.
    Columns in `signed` are coloured by their sign; rows in `inverse_rows` read a fall as good."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for i, row in enumerate(frame.itertuples(index=False)):
        cells = []
        for j, (col, value) in enumerate(zip(frame.columns, row, strict=True)):
            text = report.table_text(value)
            style = ""
            if col in signed and text[:1] in "+-" and text.strip("+-0.,% ") != "":
                good = (text[0] == "+") != (i in inverse_rows)
                style = f' style="color:{CHANGE_COLORS["good" if good else "bad"]}"'
            cells.append(f'<td class="{"num" if j else ""}"{style}>{html.escape(text)}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="present-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


f = common.filters()
lang = common.lang()
if common.no_data():
    st.stop()

district = f.districts[0] if len(f.districts) == 1 else None
name = covered(f, lang)
story = q.story(f, name, lang)
topic = st.query_params.get("topic", report.TOPICS[0])
if topic not in report.TOPICS:
    topic = report.TOPICS[0]
index = report.TOPICS.index(topic)
last = len(report.TOPICS) - 1
# the district table has nine rows and the KPI table eleven: smaller type keeps them on one screen
st.html(css("1.1rem" if topic in ("kpis", "districts") else "1.2rem"))  # static CSS of our own, no user data

with st.container(key="present-head"):
    st.caption(md_escape(story.caption()))
    st.markdown(f"## {md_escape(name)} · {story.title(topic)}")

with st.container(key="present-body"):
    if story.summary.volume_cases in (None, 0):
        st.warning(common.tr("no_match"))
    elif topic == "kpis":
        cards, table = st.columns([1, 1], gap="large")
        with cards:
            widgets.kpi_row(story.summary, f)
        with table:
            frame = widgets.annual_table(story.summary)
            low_row = next((i for i, v in enumerate(frame.iloc[:, 0]) if str(v).startswith(class_label(5, lang))), -1)
            st.html(html_table(frame, signed=(frame.columns[3], frame.columns[4]), inverse_rows=(low_row,)))
    elif topic in report.CHART_TOPICS:
        left, right = st.columns([3, 1], gap="medium")
        with left, st.container(key="present-chart"):
            fig = story.figure(topic, scale=1.5)
            fig.update_layout(title=None, height=None, autosize=True, margin={"t": 30, "b": 10})
            common.apply_theme(fig, scale=1.5)
            st.plotly_chart(fig, key=f"present-{topic}", height="stretch", config={"displayModeBar": False, "responsive": True})
        with right:
            for line in story.key_numbers(topic):
                st.markdown(f"- {md_escape(line)}")
    elif topic == "districts":
        st.html(html_table(story.district_rows()))
    else:
        widgets.summary_paragraphs(story.text)
        common.deck_button(f, name, key="present-deck")


def _go(i: int) -> None:
    st.query_params["topic"] = report.TOPICS[i]


prev_i, next_i = max(index - 1, 0), min(index + 1, last)
with st.container(key="present-nav", horizontal=True, vertical_alignment="center", gap="medium"):
    st.button(common.tr("present_prev"), on_click=_go, args=(prev_i,), disabled=index == 0, key="present_prev",
              shortcut="Left", width=220)
    st.caption(f"{index + 1} / {len(report.TOPICS)} · " + " → ".join(story.title(x) for x in report.TOPICS[index:index + 2])
               + f"  \n{common.tr('present_keys')}", width="stretch")
    st.button(common.tr("present_next"), on_click=_go, args=(next_i,), disabled=index == last, key="present_next",
              type="primary", shortcut="Right", width=220)
    exit_clicked = st.button(common.tr("present_exit"), key="present_exit", shortcut="Esc", width=180)

# a button takes one shortcut: the other keys are buttons of their own, never shown
with st.container(key="present-keys"):
    for key, target, shortcut in (("pagedown", next_i, "PageDown"), ("space", next_i, "Space"), ("pageup", prev_i, "PageUp"),
                                  ("home", 0, "Home"), ("end", last, "End")):
        st.button(key, on_click=_go, args=(target,), disabled=target == index, key=f"present_key_{key}", shortcut=shortcut)

if exit_clicked:
    common.exit_presentation(district)
