"""代订货线索: one district's (or one customer manager's) retailers whose orders look like someone
else's, highest score first, each with its reasons in words, its figures beside its peers' and, for a
paired shift, the other retailer; a drill-down of one retailer's months against its peers' band; the
list's files and printable page for the 专卖 colleague (专销联动). Leads to verify by a visit, never
verdicts: the page says so first (analytics/suspects.py, docs/definitions.md "代订货 suspects")."""
import streamlit as st

from analytics import charts
from analytics import suspects as S
from analytics.columns import SUSPECT_EXPORT_COLUMNS, SUSPECT_FIGURE_COLUMNS, SUSPECT_RENAME
from analytics.config import SUSPECTS
from analytics.filters import Filters
from analytics.text import md_escape
from pages import common, q, widgets

BAND_COLUMNS = ["month", "cases", "peer_p25_cases", "peer_median_cases", "peer_p75_cases"]


def leads(g: Filters) -> None:
    lang = common.lang()
    frame = q.suspects(g)
    end = q.suspect_data_end(g)
    period = S.period_text(g, q.suspect_months(g), end, lang)
    st.caption(period)
    if frame.empty:
        st.info(common.tr("suspects_none"))
        return
    rows = S.worded(frame, lang)
    # a static table: its reasons wrap, where a grid's cell would cut them; the figures behind them below
    st.table(S.listing(rows, lang), hide_index=True)
    with st.expander(common.tr("suspects_figures")):
        common.table(rows, SUSPECT_FIGURE_COLUMNS, rename=SUSPECT_RENAME, pinned=2)
    scope_note = common.export_note(g)  # scope, filters and the data period, as the page's caption says them
    note = f"{scope_note} · {period} · {common.tr('lead_not_verdict')}"  # the files say it too
    stem = S.file_stem(g, end, lang)
    common.download(rows, stem, columns=SUSPECT_EXPORT_COLUMNS, rename=SUSPECT_RENAME, note=note)
    # built when clicked, as the other files: the printable A4 page for the 专卖 colleague. A click
    # that reran the page would give every download button a new file id, and a second click landing
    # before the browser has them asks for an id already dropped (Streamlit's "Deferred file not found")
    page = common.audited(lambda: S.print_page(rows, lang, scope_note, period).encode("utf-8"), "export", f"{stem}.html",
                          format="html", note=note)
    st.download_button(common.tr("suspects_print"), page, file_name=f"{stem}.html", mime="text/html", key="suspects_print",
                       icon=":material/print:", on_click="ignore")
    drill(g, rows, stem)


def drill(g: Filters, rows, stem: str) -> None:
    """One retailer of the list: its reasons, one sentence each, and its months against its peers' band."""
    lang = common.lang()
    st.subheader(common.tr("suspects_drill"))
    names = dict(zip(rows["retailer_id"], rows["retailer_name"], strict=True))
    pick = st.selectbox(common.tr("suspects_pick"), list(names), format_func=lambda r: S.partner_name(names[r], r, lang),
                        key="suspects_pick")
    row = rows[rows["retailer_id"] == pick].iloc[0]
    items = [common.tr("suspect_reason_item", label=S.reason_label(c, lang), text=S.reason_sentence(row, c, lang)) for c in row["reasons"]]
    st.markdown("\n".join(f"- {md_escape(item)}" for item in items))
    band = q.peer_band(g, pick)
    if band["peer_median_cases"].isna().all():
        st.caption(common.tr("suspects_no_peers", n=SUSPECTS.min_peers))
    title = f"{names[pick]} · {common.tr('suspects_drill')}"
    common.chart(charts.peer_band(band, lang, names[pick]), band, f"{stem}-{pick}", title, columns=BAND_COLUMNS)


f = common.filters()
st.title(common.tr("page_suspects"))
st.session_state["_page_title"] = common.tr("page_suspects")
if not common.no_data():
    # the scope line under the title names the district (and manager) chosen on the page, not the
    # sidebar's: it is drawn once the picker below has answered
    header = st.empty()
    st.info(common.tr("lead_not_verdict"), icon=":material/policy:")
    st.caption(common.tr("suspects_intro", n=SUSPECTS.min_peers))
    chosen = widgets.scope_picker(f, "suspects") if common.sees_retailers() else None
    shown = (chosen or f).with_(compare_year=None)  # a year's list: no year is compared
    with header:
        common.active_filters_caption(shown)
    if chosen is not None:
        leads(shown)
