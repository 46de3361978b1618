"""演示模式: one topic per screen for a shared screen, stepped through with previous / next.

Opened from the sidebar button or a prepared link such as /present?d=城郊片区&y=2019&present=1.
"""
import streamlit as st

from analytics import report
from analytics.labels import t
from analytics.text import md_escape
from pages import common, widgets

PRESENT_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stSidebarNav"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 1.2rem 2.5rem 1rem 2.5rem; max-width: 100%; }
html { font-size: clamp(16px, 1.2vw, 24px); }
[data-testid="stMetricValue"] { font-size: 2.6rem; }
[data-testid="stMetricLabel"] p { font-size: 1.2rem; }
.stMarkdown p, .stMarkdown li { font-size: 1.25rem; line-height: 1.6; }
</style>
"""

f = common.filters()
lang = common.lang()
st.html(PRESENT_CSS)  # static CSS of our own, no user data
if common.no_data():
    st.stop()

district = f.districts[0] if len(f.districts) == 1 else None
name = district or t("all_districts", lang)
story = common.story(f, name)
topic = st.query_params.get("topic", report.TOPICS[0])
if topic not in report.TOPICS:
    topic = report.TOPICS[0]
index = report.TOPICS.index(topic)

st.caption(md_escape(story.caption()))
st.markdown(f"## {md_escape(name)} · {story.title(topic)}")

if story.summary["volume_cases"] in (None, 0):
    st.warning(common.tr("no_match"))
elif topic == "kpis":
    widgets.kpi_row(story.summary, f)
    common.table(widgets.annual_table(story.summary))
elif topic in report.CHART_TOPICS:
    left, right = st.columns([3, 1])
    with left:
        fig = story.figure(topic, scale=1.5)
        fig.update_layout(title=None, height=520)
        common.apply_theme(fig, scale=1.5)
        st.plotly_chart(fig, key=f"present-{topic}", config={"displayModeBar": False})
    with right:
        for line in story.key_numbers(topic):
            st.markdown(f"- {md_escape(line)}")
elif topic == "districts":
    common.table(story.district_rows())
else:
    for paragraph in story.text.split("\n\n"):
        st.markdown(md_escape(paragraph))
    with st.expander(common.tr("copy_text")):
        st.code(story.text, language=None, wrap_lines=True)  # with a copy button
    common.deck_button(f, name, key="present-deck")

prev_col, pos_col, next_col, exit_col = st.columns([1, 2, 1, 1])


def _go(i: int) -> None:
    st.query_params["topic"] = report.TOPICS[i]


prev_col.button(common.tr("present_prev"), on_click=_go, args=(max(index - 1, 0),), disabled=index == 0,
                key="present_prev", width="stretch")
pos_col.caption(f"{index + 1} / {len(report.TOPICS)} · " + " → ".join(story.title(x) for x in report.TOPICS[index:index + 2]))
next_col.button(common.tr("present_next"), on_click=_go, args=(min(index + 1, len(report.TOPICS) - 1),),
                disabled=index == len(report.TOPICS) - 1, key="present_next", type="primary", width="stretch")
if exit_col.button(common.tr("present_exit"), key="present_exit", width="stretch"):
    common.exit_presentation(district)
