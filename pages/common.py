"""Shared Streamlit composition: the filter sidebar kept in the URL, the few display helpers every
page uses, and the warm-up. The cached queries are in pages/q.py; numbers and labels come from analytics/."""
from __future__ import annotations

import atexit
import json
import logging
import os
import secrets
import threading
from collections.abc import Callable

import pandas as pd
import streamlit as st

from analytics import charts, progress, queries, report
from analytics.access import NotAllowed, Scope
from analytics.columns import EXCEL_FORMATS, SCREEN_FORMATS, covered, filter_note, header, is_raw, localize
from analytics.columns import kinds as column_kinds
from analytics.errors import error_label
from analytics.exports import csv_bytes, xlsx_bytes
from analytics.families import FAMILIES, OVERVIEW_FAMILIES, PACE, TARGETS, Chart
from analytics.filters import TIER_MAX, TIER_MIN, Filters
from analytics.formats import MISSING, fmt_time
from analytics.labels import t, vocab
from analytics.links import LinkView, link_params, parse_link
from analytics.narrative import comparison_caption
from analytics.queries import Catalog, Summary
from analytics.text import md_escape
from pages import identity, q

# --- data access: pages/q.py (re-exported here for the frame and the Data page) -------------------

store = q.store


def catalog(at: tuple[str, str | None] | None = None, scope: Scope | None = None) -> Catalog:
    """What the data hold that this session may see (its scope unless `scope` is given)."""
    return q.catalog(at, identity.scope() if scope is None else scope)


# --- the page icon --------------------------------------------------------------------------------

#: the browser tab's icon, inline: Streamlit fetches a ":material/…:" page icon from fonts.gstatic.com,
#: which an intranet without internet cannot reach (Material Symbols "analytics", Apache-2.0)
FAVICON_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path fill="#1C6BB0" d="M19 3H5c-1.1 0-2 .9-2 2v14c0 '
               '1.1.9 2 2 2h14c1.1 0 2-.9 2-2V5c0-1.1-.9-2-2-2zM9 17H7v-5h2v5zm4 0h-2v-3h2v3zm0-5h-2v-2h2v2zm4 5h-2V7h2v10z"/></svg>')


# --- errors ---------------------------------------------------------------------------------------

log = logging.getLogger("dashboard")


def store_error_message(exc: BaseException) -> str | None:
    """The message for an error a user can meet while the data directory is read or written (a full
    disk, no permission, a file gone, the lock held too long), as Markdown in their language; None for
    anything else. The store's typed errors (StoreError.message(lang)) speak for themselves."""
    message = getattr(exc, "message", None)
    if callable(message):
        return md_escape(message(lang()))
    label = error_label(exc)
    return tr_md(label) if label else None


def guarded(body: Callable[[], object]) -> None:
    """Run body (the frame and its page); an unexpected exception is logged with its traceback under a
    short reference, and the user reads a message in their language with that reference to quote.
    Streamlit steers a script with exceptions of its own (st.rerun, st.stop, st.switch_page): those
    derive from BaseException, not Exception, and pass through untouched."""
    try:
        body()
    except NotAllowed as exc:
        # a page asked for what its session may not see (the query layer refused it): a refusal,
        # never the data, and not an error to report either
        log.warning("refused: %s", exc)
        st.warning(tr("not_allowed"), icon=":material/block:")
    except Exception:
        if os.environ.get("DASHBOARD_RAISE_ERRORS") == "1":
            raise  # the test suite: AppTest reports the exception itself
        ref = secrets.token_hex(4).upper()
        log.exception("unexpected error, reference %s (url %s)", ref, getattr(st.context, "url", None))
        st.error(tr_md("err_unexpected", ref=ref))


# --- language, filters and the URL -------------------------------------------------------------

def lang() -> str:
    return st.session_state.get("lang", "zh")


def tr(key: str, **params: object) -> str:
    return t(key, lang(), **params)


def tr_md(key: str, **params: object) -> str:
    """tr for Markdown (st.markdown, captions, alerts): our template with every value escaped, so a file,
    district or retailer name from an upload is shown as the same characters, never as a link or image."""
    return t(key, lang(), **{k: md_escape(v) for k, v in params.items()})


def link_view() -> LinkView:
    """What the URL asks for now, every value valid (analytics/links.py)."""
    cat = catalog()
    return parse_link(st.query_params.to_dict(), cat.years, cat.districts, cat.area_types,
                      cat.business_formats, report.TOPICS, managers=cat.managers_of())


def _link_notice(name: str, view: LinkView) -> str:
    lg = view.lang
    if name == "y":
        return t("url_bad_y", lg, year=view.year)
    if name == "cy":
        cmp = t("url_no_cmp", lg) if view.compare_year is None else t("url_cmp_year", lg, year=view.compare_year)
        return t("url_bad_cy", lg, cmp=cmp)
    if name == "t":
        return t("url_bad_t", lg, lo=TIER_MIN, hi=TIER_MAX)
    return t(f"url_bad_{name}", lg)


def init_language() -> None:
    """The session's language from the URL, once (init_from_link does it for a session let in; a
    refused one reads no catalog to check the rest of a link against)."""
    if "lang" not in st.session_state:
        st.session_state["lang"] = "en" if st.query_params.get("lang") == "en" else "zh"


def init_from_link() -> None:
    """Start the session from the URL once (a shared link reopens the same view). Whatever the link
    carries, the view is valid: a wrong parameter falls back to its default with a short notice."""
    if st.session_state.get("_from_link"):
        return
    st.session_state["_from_link"] = True
    view = link_view()
    st.session_state["lang"] = view.lang
    for name in view.invalid:
        if name == "d" and identity.scope().partial:
            # a district the session may not see (or none at all): said where it stays, above the
            # page, and nothing of it is shown (the link's districts were cut to the scope's)
            st.session_state["_link_refused"] = True
            identity.record_refusal(st.query_params.get("d", ""), "link")
            continue
        st.toast(_link_notice(name, view))


def link_refusal() -> None:
    """The refusal of a link's district outside the session's scope, once, above the first page."""
    if st.session_state.pop("_link_refused", False):
        st.warning(tr("url_d_out_of_scope"), icon=":material/block:")


#: Plotly's toolbar without its own picture download: the PNG button under each chart is the one way
#: to export a chart (titled, noted with the filters, and recorded in the audit log)
PLOT_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["toImage"]}
#: the sidebar's widget keys: a run that draws no sidebar (a refusal) lets Streamlit drop them
FILTER_KEYS = ("f_year", "f_cmp", "_cmp_chosen", "f_months", "f_districts", "f_areas", "f_formats", "f_tiers", "f_managers")


def language_toggle() -> None:
    """中文 / English, for the session (the sidebar's first widget, and the refusal page's)."""
    st.toggle("English", key="lang_en", value=st.session_state.get("lang") == "en",
              on_change=lambda: st.session_state.update(lang="en" if st.session_state["lang_en"] else "zh"))


def sidebar_filters(show_district: bool = True, scope: Scope | None = None, district: str | None = None) -> Filters:
    """The sidebar, rendered by the frame before the page so its state survives navigation. `scope`
    (the session's unless given) is what the user may see: the sidebar offers only its districts and
    managers, and the filters carry it (Filters.within), so every query the pages ask is cut to it
    whatever they choose. `district` is a district page's own (or the district presented): the
    客户经理 choice belongs to it, offered and applied there only, and dropped on leaving it."""
    scope = identity.scope() if scope is None else scope
    cat = catalog(scope=scope)
    years = cat.years
    ss = st.session_state
    with st.sidebar:
        language_toggle()
        if not years:
            return Filters().within(scope)
        latest = years[-1]
        fresh = any(k not in ss for k in FILTER_KEYS)
        # a link inside the app (the managers page's, or the browser's back button) asks for a manager
        # the URL did not carry on the last run: that manager is the choice now
        asked = fresh or st.query_params.get("mgr") not in (None, ss.get("_mgr_in_url"))
        if fresh:
            # read from the URL as it is now: Streamlit drops the widgets' state when a page switches
            # (the presentation opened from a district page), and the URL then carries the district
            link = link_view()
            ss["f_year"] = link.year if link.year in years else latest
            prev = ss["f_year"] - 1
            ss["f_cmp"] = link.compare_year if link.year in years else (prev if prev in years else None)
            ss["_cmp_chosen"] = link.compare_linked
            ss["f_months"] = link.months
            ss["f_districts"] = list(link.districts)
            ss["f_areas"] = list(link.area_types)
            ss["f_formats"] = list(link.business_formats)
            ss["f_tiers"] = link.tiers
        _manager_choice(cat, district, asked)
        _drop_vanished_choices(cat)
        st.selectbox(tr("year"), years, key="f_year", on_change=_year_changed, args=(years,))
        # a comparison equal to the year is never offered (it would read +0.00% everywhere)
        st.selectbox(tr("compare_year"), [None] + [y for y in years if y != ss["f_year"]], key="f_cmp",
                     format_func=lambda y: "—" if y is None else str(y), on_change=_compare_chosen)
        st.slider(tr("month"), 1, 12, key="f_months")
        if show_district:
            # empty means every district the user may see: 全市, or for a scoped user 我的全部片区
            st.multiselect(tr("district"), cat.districts, key="f_districts",
                           placeholder=tr("all_my_districts" if scope.partial else "all_districts"),
                           select_all=False)  # Streamlit's "Select all" is English only; empty means all
        else:
            # not drawn on district pages: Streamlit would drop an undrawn widget's value, and the
            # company pages' district choice must survive a visit to a district page
            ss["f_districts"] = ss["f_districts"]
        if district is not None:
            # the district's own managers: a manager of another district is no choice here
            st.multiselect(tr("manager"), cat.managers_of((district,)), key="f_managers", placeholder=tr("all_managers"),
                           select_all=False)
        st.multiselect(tr("area_type"), cat.area_types, key="f_areas", format_func=lambda a: vocab("area", a, lang()),
                       placeholder="—", select_all=False)
        st.multiselect(tr("business_format"), cat.business_formats, key="f_formats", placeholder="—", select_all=False)
        st.slider(tr("customer_tier"), TIER_MIN, TIER_MAX, key="f_tiers")
        status = data_status()
        if status:
            st.caption(status)
    f = Filters(
        year=ss["f_year"], compare_year=ss["f_cmp"], month_from=ss["f_months"][0], month_to=ss["f_months"][1],
        districts=tuple(ss["f_districts"]) if show_district else (), area_types=tuple(ss["f_areas"]),
        business_formats=tuple(ss["f_formats"]), tier_min=ss["f_tiers"][0], tier_max=ss["f_tiers"][1],
        managers=tuple(ss["f_managers"]),
    ).within(scope)
    # the URL keeps the company pages' district choice on district pages too, for the way back
    sync_url(f.with_(districts=tuple(ss["f_districts"])))
    return f


def _manager_choice(cat: Catalog, district: str | None, asked: bool) -> None:
    """The 客户经理 choice of this run (session state f_managers), before its widget is drawn. It
    belongs to one district page (the issue's selector "on the district pages"): a link's `mgr`
    (`asked`) sets it there, leaving that page for another district or a company page drops it, so the
    overview or the managers page after a look at one manager shows the whole city again. A company
    page never applies one; a link that asks it to is told so and opens the page unnarrowed."""
    ss = st.session_state
    if asked:
        ss["f_managers"] = list(link_view().managers)
    elif district != ss.get("_mgr_district"):
        ss["f_managers"] = []
    ss["_mgr_district"] = district
    if district is None:
        if asked and ss["f_managers"]:
            st.toast(tr("url_mgr_district_only"))
        ss["f_managers"] = []  # set on every run: kept as a state while its widget is not drawn
    else:
        mine = cat.managers_of((district,))
        ss["f_managers"] = [m for m in ss["f_managers"] if m in mine]


def _year_changed(years: list[int]) -> None:
    """A new year brings its own comparison, the year before (when the data have it), unless the
    user chose a comparison in this session; a chosen comparison equal to the new year falls back too."""
    ss = st.session_state
    year = ss["f_year"]
    if not ss.get("_cmp_chosen") or ss.get("f_cmp") == year:
        ss["f_cmp"] = year - 1 if year - 1 in years else None


def _compare_chosen() -> None:
    st.session_state["_cmp_chosen"] = True


def data_status() -> str | None:
    """"数据期间 2017-01-02 至 2019-12-31 · 更新于 2026-11-27 14:05": what every page says of its data."""
    cat = catalog()
    if not cat.period:
        return None
    return tr("data_status", start=cat.period[0], end=cat.period[1], loaded=fmt_time(cat.updated))


def _drop_vanished_choices(cat: Catalog) -> None:
    """A load or rollback can remove a year, district or segment the user had chosen: fall back
    (latest year, the year before, no such filter) instead of drawing a widget on a value it lacks."""
    ss, years = st.session_state, cat.years
    def year_before(y: int) -> int | None:
        return y - 1 if y - 1 in years else None

    if ss["f_year"] not in years:
        ss["f_year"] = years[-1]
        ss["f_cmp"] = year_before(years[-1])
    elif ss["f_cmp"] is not None and (ss["f_cmp"] not in years or ss["f_cmp"] == ss["f_year"]):
        ss["f_cmp"] = year_before(ss["f_year"])  # None is a choice (no comparison) and stays
    for key, allowed in (("f_districts", cat.districts), ("f_areas", cat.area_types), ("f_formats", cat.business_formats)):
        if any(v not in allowed for v in ss[key]):
            ss[key] = [v for v in ss[key] if v in allowed]


def sync_url(f: Filters) -> None:
    """Write the filters into the URL on every run (sidebar links drop query params)."""
    # present and topic are kept as the presentation set them, when valid (a wrong one is dropped)
    presenting = st.query_params.get("present") == "1"
    topic = st.query_params.get("topic")
    wanted = link_params(f, lang(), presenting, topic if topic in report.TOPICS else None)
    st.session_state["_mgr_in_url"] = wanted.get("mgr")  # what a link inside the app is told apart from
    if dict(st.query_params.to_dict()) != wanted:
        st.query_params.from_dict(wanted)


def active_filters_caption(f: Filters) -> None:
    """The scope, filters in force and data period under a page's title, in the page's own words (the
    same sentence its files and pictures carry). Also marks f as what this page's exports describe."""
    st.session_state["_page_f"] = f
    # filter values include names from uploaded data: escape them so they display literally
    st.caption(md_escape(filter_note(f, lang(), catalog().period, compared=compared(f))))


def scope_name(f: Filters) -> str:
    """What a chart's single series shows, for its legend and tooltip: the district(s) (the session's
    own when none is chosen) or 全市, and the segment filters in force ("城郊片区 · 城网")."""
    parts = [covered(f, lang())]
    parts += [vocab("area", a, lang()) for a in f.area_types] + list(f.business_formats)
    if (f.tier_min, f.tier_max) != (TIER_MIN, TIER_MAX):
        parts.append(f"{tr('customer_tier')} {f.tier_min}–{f.tier_max}")
    return " · ".join(parts)


def compared(f: Filters) -> str | None:
    """Which days f's figures compare ("2019年 vs 2018年", "2023-01-01至06-15 vs 2022年同期")."""
    return comparison_caption(q.summary(f), lang()) if f.year is not None else None


# --- display helpers ---------------------------------------------------------------------------

def page_header(title_key: str) -> Summary | None:
    """What every company page starts with: its title, the empty states and the filters in force.
    Returns the summary of the filtered selection, or None after showing why there is nothing."""
    st.title(tr(title_key))
    st.session_state["_page_title"] = tr(title_key)  # the first part of every exported picture's title
    if no_data():
        return None
    f = filters()
    active_filters_caption(f)
    s = q.summary(f)
    if not s.volume_cases:
        st.warning(tr("no_match"))
        return None
    return s


def sees_retailers() -> bool:
    """Whether this session may see retailer rows (names, licence numbers, tables, drill-downs); a
    viewer reads a one-line note where those sections would be. The query layer refuses them anyway
    (NotAllowed): this keeps the page from asking."""
    if identity.can("view_retailers"):
        return True
    st.caption(f":material/visibility_off: {tr('retailers_hidden')}")
    return False


def no_data() -> bool:
    """Show the empty state and return True when nothing is loaded yet."""
    if not catalog().years:
        st.info(tr("no_data"))
        return True
    return False


def audited(make: Callable[[], bytes | str], action: str, file_name: str, **details: object) -> Callable[[], bytes | str]:
    """A download's file builder that records the download in the audit log when the file is built.

    The entry is written where the bytes leave the server, not by the button's on_click: Streamlit
    builds a deferred file on a request of its own, which a client can send without the click that
    would run on_click, and a file that fails to build was not downloaded. That request is served
    outside any script run, so who is downloading is taken now, while the button is drawn.
    A log that cannot be written (a full disk) is logged for the administrator and the file is
    still served: a download changes nothing, and failing it would not undo what the user saw on
    screen. (Loads and rollbacks decide the other way: pages/views/data.py.)"""
    who, root = identity.session(), store().root

    def build() -> bytes | str:
        data = make()
        try:
            identity.record(action, file_name, "ok", who=who, data_dir=root, **details)
        except Exception:  # never let the log break the download; the traceback tells the administrator why
            log.exception("audit: %s of %s by %s not recorded", action, file_name, who.identity)
        return data

    return build


def deck_button(f: Filters, name: str, key: str) -> None:
    """Download the PPTX deck for f. The story and its images are computed on click, not on every
    run of the page; the arguments are read now, because the click is served outside this run."""
    stem = f"{name}-{f.year}" if f.year else name
    file_name = f"{stem}.pptx"
    deck = audited(q.deck(f, name, lang()), "deck", file_name, format="pptx", note=export_note(f))
    st.download_button(tr("download_pptx"), deck, file_name=file_name,
                       mime="application/vnd.openxmlformats-officedocument.presentationml.presentation", key=key,
                       icon=":material/slideshow:", type="primary", on_click="ignore")


def apply_theme(fig, scale: float = 1.0):
    return charts.apply_theme(fig, theme(), scale=scale)


def exit_presentation(district: str | None) -> None:
    """Back to the district's page (or the overview) with the same filters."""
    from analytics.slugs import district_slug

    params = {k: v for k, v in st.query_params.to_dict().items() if k not in ("present", "topic")}
    pages = st.session_state.get("_pages", {})
    target = pages.get(district_slug(district)) if district else None
    st.switch_page(target or pages["overview"], query_params=params)


def theme() -> str:
    try:
        return st.context.theme.type or "light"
    except AttributeError:
        return "light"


def chart(fig, frame: pd.DataFrame, key: str, title: str, columns: list[str] | None = None,
          rename: dict[str, str] | None = None, select: str | None = None) -> None:
    """A chart with its data a click away: the query frame through the column registry (labels with
    units, words for codes, rounded; internal sums dropped), CSV/XLSX/PNG downloads that say what
    they show. `title` is the heading the page shows above the chart (the PNG carries it). With
    select="district", clicking a district's bar filters the whole page (and the URL) to it."""
    if frame.empty:
        st.info(tr("no_match"))  # never an empty axis
        return
    charts.apply_theme(fig, theme())
    tab_chart, tab_data = st.tabs([tr("tab_chart"), tr("tab_data")])
    with tab_chart:
        if select == "district":
            st.plotly_chart(fig, key=key, on_select=lambda: _select_district(key), selection_mode=("points",),
                            config=PLOT_CONFIG)
        else:
            st.plotly_chart(fig, key=key, config=PLOT_CONFIG)
    with tab_data:
        shown = localize(frame, lang(), columns, rename=rename)
        table(shown)
        download(frame, key, fig=fig, title=title, columns=columns, rename=rename, shown=shown)


def draw(spec: Chart, f: Filters, key: str, title: str, name: str | None = None,
         frame: pd.DataFrame | None = None, heading: bool = False) -> pd.DataFrame:
    """A registered chart (analytics/families.py) of f: its frame (cached, or the one given), its
    figure, its data tab and files (see chart), under `title` as a subheader with heading=True.
    `name` names a single series (the scope shown). Returns the frame, for the page's other uses."""
    if heading:
        st.subheader(title)
    if frame is None:
        frame = q.frame(spec, f)
    chart(spec.figure(frame, lang(), f, name), frame, key, title, columns=None if spec.columns is None else list(spec.columns),
          rename=None if spec.rename is None else dict(spec.rename), select=spec.select)
    return frame


def _select_district(key: str) -> None:
    """on_select callback: runs before the rerun, so it may still set the sidebar's state."""
    event = st.session_state.get(key)
    if isinstance(event, dict):
        points = (event or {}).get("selection", {}).get("points", [])
    else:
        points = getattr(getattr(event, "selection", None), "points", [])
    known = set(catalog().districts)
    picked = [p.get("x") if p.get("x") in known else p.get("y") for p in points]
    picked = [d for d in dict.fromkeys(picked) if d in known]
    if picked:
        st.session_state["f_districts"] = picked


def filters() -> Filters:
    """The filters the frame built from the sidebar for this run."""
    # within the session's scope whatever was stored: narrowing twice is the same scope
    return (st.session_state.get("filters") or Filters()).within(identity.scope())


#: a link cell shows its URL's last parameter's value, decoded (st.column_config.LinkColumn's capture group)
LINK_TEXT = r"=([^&=]*)$"


def table(frame: pd.DataFrame, columns: list[str] | None = None, rename: dict[str, str] | None = None, pinned: int = 1,
          links: dict[str, list[str]] | None = None) -> None:
    """A data table for a reader. A query frame goes through the column registry first (so a raw
    column name or code never shows); numbers get thousands separators and the two-decimal rule for
    箱, %, 元, counts are whole; a wide table keeps its first `pinned` (naming) columns pinned while it
    scrolls. `links` makes a query column's cells links: its URLs, one a row, each ending with the
    parameter that holds the cell's own text (`LINK_TEXT`); "" for a row without a link. An empty
    cell reads formats.MISSING (Streamlit's own word is a grey "None"); numbers stay numbers, so a
    column still sorts by value."""
    lg = lang()
    shown = localize(frame, lg, columns, rename=rename) if is_raw(frame) else frame
    linked = {header(col, lg): urls for col, urls in (links or {}).items()}
    config: dict = {}
    for i, (col, kind) in enumerate(column_kinds(shown, lg).items()):
        pin = True if i < pinned and len(shown.columns) > 6 else None
        if col in linked:
            shown[col] = linked[col]
            config[col] = st.column_config.LinkColumn(display_text=LINK_TEXT, pinned=pin, alignment="left")
        elif kind in SCREEN_FORMATS and pd.api.types.is_numeric_dtype(shown[col]):
            config[col] = st.column_config.NumberColumn(format=SCREEN_FORMATS[kind], pinned=pin)
        elif pin:
            config[col] = st.column_config.TextColumn(pinned=True)
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config, placeholder=MISSING)


def export_note(f: Filters | None = None, as_of: str | None = None) -> str:
    """What an exported file or picture shows: scope, filters in force and the data's period, in the
    page's labels (the same sentence as the caption under the page's title); with `as_of`, the day
    figures against targets are read at."""
    f = f or st.session_state.get("_page_f") or filters()
    return filter_note(f, lang(), catalog().period, compared=compared(f), as_of=as_of)


def _png_title(title: str | None) -> str | None:
    page = st.session_state.get("_page_title")
    if not title or not page or page in title:
        return title or page
    return f"{page} · {title}"


def download(frame: pd.DataFrame, name: str, fig=None, title: str | None = None, columns: list[str] | None = None,
             rename: dict[str, str] | None = None, shown: pd.DataFrame | None = None, note: str | None = None) -> None:
    """CSV (UTF-8 with BOM, rounded as on screen), XLSX (as on screen, plus a full-precision sheet) of a
    table, and with a figure a PNG at presentation size titled and noted; the files are built only
    when clicked, and each build is recorded in the audit log (`audited`). A query frame is localized
    here, so a download can never carry raw column names. `note` says what the file holds when the
    page's filters do not (the audit log)."""
    lg = lang()
    raw_input = is_raw(frame)
    if shown is None:
        shown = localize(frame, lg, columns, rename=rename) if raw_input else frame
    note = note or export_note()
    png_title = _png_title(title)
    formats = {c: EXCEL_FORMATS[k] for c, k in column_kinds(shown, lg).items() if k in EXCEL_FORMATS}

    def xlsx() -> bytes:
        full = localize(frame, lg, columns, rounded=False, rename=rename) if raw_input else None
        return xlsx_bytes(shown, note, raw=full, formats=formats, **sheets)

    # the sheets' names now: the file is built on its own request, outside this run and its session
    sheets = {"sheet": tr("sheet_data"), "raw_sheet": tr("sheet_raw"), "note_sheet": tr("sheet_note")}

    def export(make: Callable[[], bytes | str], fmt: str) -> Callable[[], bytes | str]:
        return audited(make, "export", f"{name}.{fmt}", format=fmt, note=note)

    cols = st.columns(3 if fig is not None else 2, width=520 if fig is not None else 360)
    # files are built when clicked (callables), so a rerun pays nothing for them; building one records it.
    # A click does not rerun the page (on_click="ignore"): a rerun gives every button a new file id, and a
    # second click landing before the browser has them asked for a file already gone ("Deferred file not found")
    cols[0].download_button(tr("download_csv"), export(lambda: csv_bytes(shown, note), "csv"), file_name=f"{name}.csv",
                            mime="text/csv", key=f"dl_{name}", icon=":material/download:", on_click="ignore")
    cols[1].download_button(tr("download_xlsx"), export(xlsx, "xlsx"), file_name=f"{name}.xlsx",
                            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"xl_{name}",
                            icon=":material/table:", on_click="ignore")
    if fig is not None:
        cols[2].download_button(tr("download_png"), export(lambda: report.to_png(charts.for_export(fig, note, png_title)), "png"),
                                file_name=f"{name}.png", mime="image/png", key=f"png_{name}", icon=":material/image:",
                                on_click="ignore")


def uploader_in_chinese(key_prefix: str) -> None:
    """In Chinese, replace the two texts of Streamlit's file uploader that no parameter reaches (its
    button, "Upload", and its limit, "200MB per file • CSV, …"): a style for the uploaders whose key
    starts with key_prefix hides them and writes ours. Streamlit's own texts show in English."""
    if lang() != "zh":
        return
    zone = f'[class*="st-key-{key_prefix}"] [data-testid="stFileUploaderDropzone"]'
    button = json.dumps(tr("uploader_button"), ensure_ascii=False)
    limit = json.dumps(tr("uploader_limit", mb=st.get_option("server.maxUploadSize")), ensure_ascii=False)
    st.html(f"<style>{zone} button p, {zone} [data-testid=stFileUploaderDropzoneInstructions] span {{display: none}}"
            f" {zone} button [data-testid=stMarkdownContainer]::after {{content: {button}}}"
            f" {zone} [data-testid=stFileUploaderDropzoneInstructions] > div::after {{content: {limit}}}</style>")

# --- warm-up -----------------------------------------------------------------------------------
# Streamlit runs no app code before a browser connects, so without this the first visitor after a
# server start pays for the imports, the connection (query.duckdb opened), the catalog and
# the first page's queries. warm_up() puts all of them into the same caches the pages read.

Plan = list[tuple[Callable, Filters, dict]]


def first_visit(f: Filters, district: str | None = None) -> Plan:
    """The queries (query, filters, arguments) the first visit to the overview (or to a district's
    page) reads, from the families registry: what the warm-up fills."""
    if district is not None:
        f = f.with_(districts=(district,))
    plan: Plan = [(queries.summary, f, {}), (queries.breakdown, f, {"by": "area_type"})]  # the KPIs, the written summary
    # the 任务进度 section besides its family's chart: the months against target, the managers' (and the districts') table
    targets: Plan = [(progress.monthly_vs_target, f, {})] + [(progress.progress_table, f, {"by": by})
                                                            for by in (("district", "manager") if district is None else ("manager",))]
    if district is None:
        # the pace and targets sections, the district comparison, and the first family's small multiples (last: warm_up draws it)
        overview = OVERVIEW_FAMILIES[0].overview
        return plan + [(PACE.district.query, f, dict(PACE.district.kwargs)), (TARGETS.chart.query, f, dict(TARGETS.chart.kwargs)),
                       *targets, (queries.breakdown, f, {}),
                       (overview.query, f.with_(compare_year=None), dict(overview.kwargs))]
    plan += [(family.district.query, f, dict(family.district.kwargs)) for family in FAMILIES] + targets
    return plan + [(queries.top_brands, f, {"limit": 10}), (queries.retailer_table, f, {"sort": "volume", "limit": 500}),
                   (queries.volume_swings, f, {"limit": 20})]


def default_filters(cat: Catalog) -> Filters:
    """The filters a visit without filter parameters in its URL starts from (as the sidebar sets
    them): the latest year against the year before, everything else unfiltered."""
    years = cat.years
    if not years:
        return Filters()
    latest = years[-1]
    return Filters(year=latest, compare_year=latest - 1 if latest - 1 in years else None)


def warm_up(districts: bool = True) -> list[tuple[str, tuple, dict]]:
    """Fill the caches a first visit reads, for the data state current now: the connection, the
    catalog, the overview's queries (and with districts=True every district page's), and build the
    overview's first figure once (Plotly's first figure pays for its lazy imports).

    Safe beside a data load: every call is keyed on the state read at the start, and the warm-up
    stops as soon as the state has moved on. Returns the (query, filter key, arguments) warmed."""
    at = q.state()
    cat = q.catalog(at)
    f = default_filters(cat)
    overview = first_visit(f)
    plan = overview + ([step for d in cat.districts for step in first_visit(f, d)] if districts else [])
    done = []
    for i, (query, pf, kwargs) in enumerate(plan):
        if not cat.years or q.state() != at or _stopping.is_set():
            break  # nothing loaded, a load/rollback happened (the next run warms the new state), or the process ends
        result = q.cached_at(at, query, pf, **kwargs)
        if i == len(overview) - 1 and isinstance(result, pd.DataFrame):
            charts.apply_theme(OVERVIEW_FAMILIES[0].overview.figure(result, "zh", pf, None), "light").to_json()
        done.append((query.__name__, pf.key(), kwargs))
    return done


_warm_lock = threading.Lock()
_warmed: set[tuple[str, str | None]] = set()
_warm_threads: list[threading.Thread] = []
_stopping = threading.Event()


@atexit.register
def _stop_warm_up() -> None:
    """At exit, let a running warm-up finish its current query before the interpreter goes: a daemon
    thread still inside DuckDB when Python finalises is killed mid-C++ and aborts the process
    ("FATAL: exception not rethrown"), which a server stop or a benchmark's end would otherwise show.
    atexit runs before daemon threads are stopped."""
    _stopping.set()
    for thread in _warm_threads:
        thread.join(timeout=60)


def start_warm_up() -> threading.Thread | None:
    """warm_up() in a background thread, once per server process and data state (a load or rollback
    makes a new state, which is warmed by the next run after it). Returns the thread it started."""
    key = q.state()
    with _warm_lock:
        if key in _warmed:
            return None
        _warmed.add(key)

    def work() -> None:
        try:
            warm_up()
        except Exception:  # a warm-up is an optimisation: a failure must never reach a visitor
            logging.getLogger(__name__).exception("warm-up failed")

    thread = threading.Thread(target=work, name="dashboard-warm-up", daemon=True)
    _warm_threads[:] = [*(t for t in _warm_threads if t.is_alive()), thread]
    thread.start()
    return thread
