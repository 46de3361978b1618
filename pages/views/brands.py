"""品牌培育: how far a brand or specification has spread in the selection (铺货率) and whether retailers
reorder it (重购率), with 动销, month by month against last year; the year's new products; the
districts and customer managers that lag. Aggregates only: no retailer row is shown
(analytics/brands.py; docs/definitions.md, "Brand cultivation")."""
import streamlit as st

from analytics import charts
from analytics.formats import fmt_cases, fmt_count, fmt_lines, fmt_pct
from analytics.labels import t
from pages import common, q
from pages.widgets import delta, pp_delta, relabelled

#: the lagging table's figures, after its district (and manager) columns
LAG_COLUMNS = ["customers", "retailers", "coverage_pct", "scope_coverage_pct", "coverage_gap_pp", "repeat_pct",
               "scope_repeat_pct", "repeat_gap_pp", "cases", "coverage_pct_prev", "coverage_change_pp"]
#: the curves' data tab and files
CURVE_COLUMNS = ["month", "retailers", "coverage_pct", "cum_retailers", "cum_coverage_pct", "repeaters", "repeat_pct",
                 "cum_repeat_pct", "lines", "cases", "coverage_pct_prev", "cum_coverage_pct_prev", "cum_repeat_pct_prev",
                 "cum_coverage_change_pp", "cum_repeat_change_pp", "cases_prev", "cases_yoy_pct"]


def radio(label: str, codes: list[str], key: str, words: dict[str, str]) -> str:
    """A radio of language-neutral codes whose choice (and its check mark) survives the language toggle."""
    lg = common.lang()
    return relabelled(st.radio, label, codes, key, lambda v: t(words[v], lg), horizontal=True)


def choose(f) -> tuple[str, str] | None:
    """The level and the name chosen (brands.default_name first). The names offered are the year's and
    the comparison year's anywhere the session may see, so a name chosen stays when the filters change;
    one ordered in neither year (another year chosen) gives way to the default, saying so."""
    left, right = st.columns([1, 3])
    with left:
        level = radio(common.tr("brand_level"), ["sku", "brand"], "brand_level", {"sku": "brand_level_sku", "brand": "brand_level_brand"})
    options = q.brand_names(f, level)
    if not options:
        st.info(common.tr("brand_none"))
        return None
    key = f"brand_name_{level}"
    kept = st.session_state.get(key)
    if kept not in options:
        st.session_state[key] = q.brand_default(f, level) or options[0]
        if kept is not None:
            st.info(common.tr_md("brand_not_ordered", name=kept, shown=st.session_state[key]))
    name = right.selectbox(common.tr("brand_name"), options, key=key)
    return level, name


def cards(f, name: str, level: str) -> None:
    t = q.brand_totals(f, name, level)
    lg = common.lang()
    cols = st.columns(4)
    cols[0].metric(common.tr("brand_coverage"), fmt_pct(t.coverage_pct), pp_delta(t.coverage_pct, t.coverage_pct_prev),
                   help=common.tr("brand_card_help", retailers=fmt_count(t.retailers, lg), customers=fmt_count(t.customers, lg)))
    cols[1].metric(common.tr("brand_repeat"), fmt_pct(t.repeat_pct), pp_delta(t.repeat_pct, t.repeat_pct_prev))
    cols[2].metric(common.tr("brand_movement"), fmt_cases(t.cases, lg), delta(t.cases_yoy_pct))
    cols[3].metric(common.tr("brand_lines"), fmt_lines(t.lines, lg),
                   None if t.lines_prev is None else f"{t.lines - t.lines_prev:+,d}")


f = common.filters()
s = common.page_header("page_brands")
if s is not None:
    st.caption(common.tr("brand_intro"))
    picked = choose(f)
    if picked is not None:
        level, name = picked
        lg = common.lang()
        cards(f, name, level)
        curve = q.brand_cultivation(f, name, level)
        shown = curve.dropna(subset=["retailers", "retailers_prev"], how="all")
        left, right = st.columns(2)
        with left:
            title = f"{name} · {common.tr('brand_curve')}"
            st.subheader(common.tr("brand_curve"))
            common.chart(charts.cultivation(shown, lg, f.year, f.compare_year, "coverage"), shown, "brand_curve", title,
                         columns=CURVE_COLUMNS)
        with right:
            title = f"{name} · {common.tr('brand_curve_repeat')}"
            st.subheader(common.tr("brand_curve_repeat"))
            common.chart(charts.cultivation(shown, lg, f.year, f.compare_year, "repeat"), shown, "brand_curve_repeat", title,
                         columns=CURVE_COLUMNS)
        st.caption(common.tr("brand_curve_help"))

        st.subheader(common.tr("brand_lagging"))
        st.caption(common.tr("brand_lagging_help"))
        by = radio(common.tr("brand_by"), ["district", "manager"], "brand_lag_by", {"district": "district", "manager": "manager"})
        lag = q.brand_lagging(f, name, level, by=by)
        keys = ["district"] if by == "district" else ["district", "manager"]
        common.table(lag, keys + LAG_COLUMNS, pinned=len(keys))
        # the filters do not name the brand: the file says which it is
        common.download(lag, f"brand-lagging-{by}", columns=keys + LAG_COLUMNS, note=f"{name} · {common.export_note(f)}")

        st.subheader(common.tr("brand_new"))
        st.caption(common.tr("brand_new_help"))
        new = q.new_products(f, level)
        if new.empty:
            earlier = any(y < f.year for y in common.catalog(scope=f.scope).years)
            st.info(common.tr("brand_new_none" if earlier else "brand_new_first_year"))
        else:
            new_cols = [c for c in ("name", "brand", "first_month", "customers", "retailers", "coverage_pct", "repeat_pct",
                                    "lines", "cases") if c in new]
            common.table(new, new_cols)
            common.download(new, f"brand-new-{level}", columns=new_cols)
            curves = q.new_product_curves(f, level)
            title = common.tr("brand_new_curves")
            st.subheader(title)
            common.chart(charts.lines(curves, lg, y="cum_coverage_pct", unit="%", series="name"), curves, "brand_new_curves", title)
