"""代订货线索: one district's (or one customer manager's) retailers whose orders look like someone
else's, highest score first, each with its reasons in words, its figures beside its peers' and, for a
paired shift, the other retailer; a drill-down of one retailer's months against its peers' band; the
list's files and printable page for the 专卖 colleague (专销联动). Leads to verify by a visit, never
verdicts: the page says so first (analytics/suspects.py, docs/definitions.md "代订货 suspects")."""
import streamlit as st

from analytics import charts
from analytics import suspects as S
from analytics.columns import SUSPECT_COLUMNS, SUSPECT_EXPORT_COLUMNS, SUSPECT_RENAME
from analytics.config import SUSPECTS
from analytics.filters import Filters
from analytics.text import md_escape
from pages import common, q, widgets

BAND_COLUMNS = ["month", "cases", "peer_p25_cases", "peer_median_cases", "peer_p75_cases"]


def leads(g: Filters) -> None:
    lang = common.lang()
    frame = q.suspects(g)
    period = S.period_text(g, q.suspect_months(g), q.suspect_data_end(g), lang)
    st.caption(period)
    if frame.empty:
        st.info(common.tr("suspects_none"))
        return
    rows = S.worded(frame, lang)
    common.table(rows, [*SUSPECT_COLUMNS, "reason_text"], rename=SUSPECT_RENAME, pinned=2)
    scope_note = common.export_note(g)  # scope, filters and the data period, as the page's caption says them
    note = f"{scope_note} · {period} · {common.tr('lead_not_verdict')}"  # the files say it too
    common.download(rows, "suspects", columns=SUSPECT_EXPORT_COLUMNS, rename=SUSPECT_RENAME, note=note)
    # built when clicked, as the other files: the printable A4 page for the 专卖 colleague
    page = common.audited(lambda: S.print_page(rows, lang, scope_note, period).encode("utf-8"), "export", "suspects.html",
                          format="html", note=note)
    st.download_button(common.tr("suspects_print"), page, file_name="suspects.html", mime="text/html", key="suspects_print",
                       icon=":material/print:")
    drill(g, rows)


def drill(g: Filters, rows) -> None:
    """One retailer of the list: its reasons, one sentence each, and its months against its peers' band."""
    lang = common.lang()
    st.subheader(common.tr("suspects_drill"))
    names = dict(zip(rows["retailer_id"], rows["retailer_name"], strict=True))
    pick = st.selectbox(common.tr("suspects_pick"), list(names), format_func=lambda r: f"{names[r]}（{r}）", key="suspects_pick")
    row = rows[rows["retailer_id"] == pick].iloc[0]
    st.markdown("\n".join(f"- **{S.reason_label(c, lang)}**：{md_escape(S.reason_sentence(row, c, lang))}" for c in row["reasons"]))
    band = q.peer_band(g, pick)
    if band["peer_median_cases"].isna().all():
        st.caption(common.tr("suspects_no_peers", n=SUSPECTS.min_peers))
    title = f"{names[pick]} · {common.tr('suspects_drill')}"
    common.chart(charts.peer_band(band, lang, names[pick]), band, "suspects-band", title, columns=BAND_COLUMNS)


f = common.filters()
s = common.page_header("page_suspects")
if s is not None:
    st.info(common.tr("lead_not_verdict"), icon=":material/policy:")
    st.caption(common.tr("suspects_intro", n=SUSPECTS.min_peers))
    if common.sees_retailers():
        chosen = widgets.scope_picker(f, "suspects")
        if chosen is not None:
            leads(chosen)
