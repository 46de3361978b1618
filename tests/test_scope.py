"""Scoping is enforced below the pages (issue #12): every query honours the Scope carried by Filters,
whatever the page chose. The tiny city (tests/conftest.py): 甲片区 = retailers 0420001 and 0420002
(客户经理 张伟), 乙片区 = 0420003 (李娜); orders in 2018 and 2019."""
from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable

import pandas as pd
import pytest

from analytics import queries, report
from analytics.access import ALL, EVERYTHING, NotAllowed, Scope
from analytics.db import connect_store, connect_store_lines
from analytics.filters import Filters
from analytics.labels import t
from analytics.store import Store

JIA, YI = "甲片区", "乙片区"
F = Filters(year=2019, compare_year=2018)
ONLY_JIA = Scope(districts=(JIA,))
VIEWER_JIA = Scope(districts=(JIA,), retailer_level=False)

#: the queries that return retailer rows: refused under an aggregates-only scope
RETAILER_LEVEL = {"retailer_table", "low_tier_decliners", "volume_swings", "retailers_not_online", "retailer_monthly",
                  "retailer_orders"}


def public_functions() -> set[str]:
    return {name for name, fn in inspect.getmembers(queries, inspect.isfunction)
            if fn.__module__ == queries.__name__ and not name.startswith("_")}


@dataclasses.dataclass
class Conns:
    query: object
    lines: object


@pytest.fixture
def conns(tiny: Store) -> Conns:
    return Conns(connect_store(tiny), connect_store_lines(tiny))


# Every public function of analytics/queries.py, called with filters f (whose scope it must honour).
# A new query fails test_every_query_is_listed until it is added here, and then the tests below
# check its scoping.
Call = Callable[[Conns, Filters], object]
CALLS: dict[str, Call] = {
    "years": lambda c, f: queries.years(c.query, f.scope),
    "dimension_values": lambda c, f: queries.dimension_values(c.query, "area_type", f.scope),
    "districts": lambda c, f: queries.districts(c.query, f.scope),
    "catalog": lambda c, f: queries.catalog(c.query, None, f.scope),
    "period": lambda c, f: queries.period(c.query, f),
    "customers": lambda c, f: queries.customers(c.query, f),
    "kpi_totals": lambda c, f: queries.kpi_totals(c.query, f, by="district"),
    "summary": lambda c, f: queries.summary(c.query, f),
    "breakdown": lambda c, f: queries.breakdown(c.query, f),
    "class_by_period": lambda c, f: queries.class_by_period(c.query, f, by="district"),
    "class_yoy": lambda c, f: queries.class_yoy(c.query, f),
    "pace": lambda c, f: queries.pace(c.query, f),
    "provincial_by_period": lambda c, f: queries.provincial_by_period(c.query, f, grain="year"),
    "top_brands": lambda c, f: queries.top_brands(c.query, f, level="sku"),
    "online_by_month": lambda c, f: queries.online_by_month(c.query, f),
    "online_by_segment": lambda c, f: queries.online_by_segment(c.query, f, by="district"),
    "retailers_not_online": lambda c, f: queries.retailers_not_online(c.query, f),
    "low_tier_by_period": lambda c, f: queries.low_tier_by_period(c.query, f),
    "retailer_table": lambda c, f: queries.retailer_table(c.query, f),
    "low_tier_decliners": lambda c, f: queries.low_tier_decliners(c.query, f.with_(year=2018, compare_year=2019)),
    "volume_swings": lambda c, f: queries.volume_swings(c.query, f, min_months=1),
    "retailer_monthly": lambda c, f: queries.retailer_monthly(c.query, f, "0420001"),
    "retailer_orders": lambda c, f: queries.retailer_orders(c.lines, f, "0420001"),
    # the scoping itself
    "scoped_sql": lambda c, f: queries.scoped_sql("SELECT SUM(qty) FROM cube", f.scope),
    # the data period: dates, the same for every scope (year_dates is in UNSCOPED_TABLES)
    "data_period": lambda c, f: queries.data_period(c.query),
    # every district and manager name, for checking the access file (pages/identity.py): the
    # server's question, with no filters to take a scope from, and no figure
    "master_names": lambda c, f: queries.master_names(c.query),
}
#: results that are the same whatever the scope: no figure of any district in them
SCOPE_FREE = {"period", "data_period", "master_names"}
#: their districts come from the scope only; a district choice is a filter of figures, not of lists
LISTS = {"years", "dimension_values", "districts", "catalog"}
#: drill-downs to one retailer: a district choice does not filter them, the scope does
DRILL_DOWNS = {"retailer_monthly", "retailer_orders"}
#: in the tiny city these hold only 甲's rows even for the whole city (五类 and its decliners, the one
#: retailer never online in 2019 are all in 甲; the drill-downs are of a 甲 retailer)
ONLY_JIA_ANYWAY = {"low_tier_by_period", "low_tier_decliners", "retailers_not_online", *DRILL_DOWNS}


def test_every_query_is_listed() -> None:
    assert public_functions() == set(CALLS)


def test_every_table_is_scoped_or_declared_free(conns: Conns) -> None:
    """A new rollup is either cut by the scope or declared free of any district's figures."""
    def tables(con) -> set[str]:
        return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}

    known = set(queries.RETAILER_TABLES) | set(queries.SEGMENT_TABLES) | set(queries.UNSCOPED_TABLES)
    assert tables(conns.query) <= known
    # the lines connection's own helper views read only extract files; `orders` is the one queries name
    assert tables(conns.lines) - known <= {"live_orders", "orders_clean", "shadow"}


def _equal(a: object, b: object) -> None:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False)
    else:
        assert a == b


@pytest.mark.parametrize("name", sorted(set(CALLS) - {"scoped_sql"}))
def test_a_scope_answers_as_the_district_chosen(conns: Conns, name: str) -> None:
    """Nothing chosen under a scope of 甲 gives what choosing 甲 gives without a scope: the page that
    forgot to filter shows 甲's figures, never the city's."""
    scoped = CALLS[name](conns, F.within(ONLY_JIA))
    if name in LISTS:
        chosen = CALLS[name](conns, F)  # lists under no scope hold every district: compare by hand
        if name == "districts":
            assert scoped == [JIA] and chosen == [YI, JIA]
        elif name == "catalog":
            assert scoped.districts == [JIA] and scoped.years == chosen.years == [2018, 2019]
            assert scoped.area_types == ["rural", "urban"]  # 甲 has both
        elif name == "dimension_values":
            assert scoped == ["rural", "urban"]
        else:
            assert scoped == [2018, 2019]
        return
    _equal(scoped, CALLS[name](conns, F.with_(districts=(JIA,))))
    if name not in SCOPE_FREE | ONLY_JIA_ANYWAY:
        # and it is not the city's (each query has figures of 乙 in the tiny city)
        whole = CALLS[name](conns, F)
        with pytest.raises(AssertionError):
            _equal(scoped, whole)


def _nothing(result: object) -> bool:
    """No figure: an empty frame, or only keys and zeros/missing values."""
    keys = {"year", "month", "price_class", "through", "time_pct"}
    if isinstance(result, pd.DataFrame):
        values = result[[c for c in result.columns if c not in keys]]
        return all(v is None or pd.isna(v) or v == 0 for v in values.to_numpy().ravel())
    if isinstance(result, queries.Summary):
        fields = {k: v for k, v in result.to_dict().items() if not k.startswith(("period", "compare_period", "as_of"))
                  and k not in ("year", "compare_year")}
        flat = [x for v in fields.values() for x in (v.values() if isinstance(v, dict) else [v])]
        return all(v is None or v == 0 for v in flat)
    return result == 0


@pytest.mark.parametrize("name", sorted(set(CALLS) - {"scoped_sql"} - SCOPE_FREE - LISTS))
def test_a_district_outside_the_scope_gives_nothing(conns: Conns, name: str) -> None:
    """Choosing 乙 under a scope of 甲 (a tampered URL) gives no rows: never 乙's, nor 甲's instead."""
    f = F.with_(districts=(YI,)).within(ONLY_JIA)
    assert f.districts == (YI,) and f.where()[0].endswith("AND FALSE")
    result = CALLS[name](conns, f)
    if name in DRILL_DOWNS:
        # a retailer's drill-down ignores the district choice; its retailer is in the scope: 甲's own rows
        _equal(result, CALLS[name](conns, F))
        return
    assert _nothing(result), result


@pytest.mark.parametrize("query", [queries.retailer_monthly, queries.retailer_orders])
def test_a_retailer_outside_the_scope_has_no_rows(conns: Conns, query) -> None:
    con = conns.lines if query is queries.retailer_orders else conns.query
    assert not query(con, F, "0420003").empty
    assert query(con, F.within(ONLY_JIA), "0420003").empty


@pytest.mark.parametrize("name", sorted(RETAILER_LEVEL))
def test_a_viewer_gets_no_retailer_rows(conns: Conns, name: str) -> None:
    with pytest.raises(NotAllowed):
        CALLS[name](conns, F.within(VIEWER_JIA))


@pytest.mark.parametrize("name", sorted(set(CALLS) - RETAILER_LEVEL - {"scoped_sql"}))
def test_a_viewer_gets_the_aggregates_of_the_scope(conns: Conns, name: str) -> None:
    _equal(CALLS[name](conns, F.within(VIEWER_JIA)), CALLS[name](conns, F.within(ONLY_JIA)))


def test_a_statement_without_a_where_still_reads_only_the_scope(conns: Conns) -> None:
    """The shadowing CTEs: what a query that forgot Filters.where() would read."""
    def total(sql: str, scope: Scope) -> int:
        return int(queries._df(conns.query, sql, {}, scope).iloc[0, 0] or 0)

    for table in ("cube", "cube_year", "sku_cube", "retailer_month", "retailer_year", "month_customers"):
        city, jia = total(f"SELECT COUNT(*) FROM {table}", EVERYTHING), total(f"SELECT COUNT(*) FROM {table}", ONLY_JIA)
        assert 0 < jia < city, table
    # 甲's 2019 volume: 250 + 50 + 200 条 (tests/conftest.py)
    assert total("SELECT SUM(qty) FROM cube WHERE year = 2019", ONLY_JIA) == 500
    assert total("WITH x AS (SELECT qty FROM retailer_year WHERE year = 2019) SELECT SUM(qty) FROM x", ONLY_JIA) == 500
    assert total("SELECT COUNT(*) FROM retailers", Scope(districts=())) == 0
    lines = queries._df(conns.lines, "SELECT DISTINCT retailer_id FROM orders ORDER BY 1", {}, ONLY_JIA)
    assert lines["retailer_id"].tolist() == ["0420001", "0420002"]


def test_a_scope_of_managers_keeps_their_retailers_and_refuses_segment_figures(conns: Conns) -> None:
    """Segment rollups hold no customer manager: a scope of managers gets retailer rows exactly and a
    refusal, not the district's figures, where only a segment rollup could answer."""
    zhang, li = F.within(Scope(managers=("张伟",))), F.within(Scope(managers=("李娜",)))
    assert queries.retailer_table(conns.query, zhang)["retailer_id"].tolist() == ["0420001", "0420002"]
    assert queries.retailer_table(conns.query, li)["retailer_id"].tolist() == ["0420003"]
    assert queries.retailer_orders(conns.lines, li, "0420001").empty
    assert not queries.retailer_orders(conns.lines, zhang, "0420001").empty
    assert queries.districts(conns.query, li.scope) == [YI]
    assert queries.years(conns.query, li.scope) == [2019]
    for name in ("summary", "breakdown", "top_brands", "pace"):
        with pytest.raises(NotAllowed):
            CALLS[name](conns, zhang)


def test_the_scope_is_in_the_key_and_survives_it() -> None:
    a, b = F.within(ONLY_JIA), F.within(Scope(districts=(YI,)))
    assert len({F.key(), a.key(), b.key(), F.within(VIEWER_JIA).key()}) == 4
    for f in (F, a, b, F.within(Scope(managers=("张伟",), retailer_level=False))):
        assert Filters.from_key(f.key()) == f and Filters.from_key(f.key()).key() == f.key()
    assert hash(a.key()) == hash(F.within(Scope(districts=[JIA, JIA])).key())


def test_pages_cannot_widen_the_scope() -> None:
    f = F.within(ONLY_JIA)
    assert f.with_(districts=(YI,), year=2018).scope == ONLY_JIA
    with pytest.raises(TypeError):
        f.with_(scope=EVERYTHING)
    assert f.within(EVERYTHING).scope == ONLY_JIA
    assert f.within(Scope(districts=(YI,))).scope.districts == ()  # no district in common: none
    assert f.within(VIEWER_JIA).scope == VIEWER_JIA
    assert F.scope.districts is ALL and F.where() == ("TRUE", {})  # unscoped: as before #12


def test_the_story_of_a_scope_is_the_scope_s(tiny: Store) -> None:
    """report.story under 甲's scope: every figure is 甲's, the district comparison lists 甲 only, and its
    total row is 甲's total, labelled as the scope's, never the city's (not computed at all)."""
    con = connect_store(tiny)
    s = report.story(con, F.within(ONLY_JIA), JIA)
    explicit = F.with_(districts=(JIA,))
    assert s.summary == queries.summary(con, explicit)
    assert s.district_table["district"].tolist() == [JIA]
    assert s.company_summary == queries.summary(con, explicit) != queries.summary(con, F)
    assert s.company_summary.volume_cases == 2.0  # 500 条 of 甲 in 2019, not the city's 1,000
    rows = s.district_rows()
    assert rows.iloc[:, 0].tolist() == [JIA, t("scope_total", "zh")]
    assert t("company_total", "zh") not in rows.to_string()
    for family, frame in s.frames.items():
        _equal(frame, report.story(con, explicit, JIA).frames[family])
    assert YI not in s.text
    # without a scope the total row is the city's, as before
    assert report.story(con, F, "全市").district_rows().iloc[-1, 0] == t("company_total", "zh")


def test_the_demo_scope_of_one_district(demo_dir) -> None:
    """On the demo city: the district comparison and its total under a scope of 城郊片区 are 城郊片区's."""
    con = connect_store(Store(demo_dir))
    f = F.within(Scope(districts=("城郊片区",)))
    table = queries.breakdown(con, f)
    assert table["district"].tolist() == ["城郊片区"]
    _equal(table, queries.breakdown(con, F.with_(districts=("城郊片区",))))
    assert queries.summary(con, f) == queries.summary(con, F.with_(districts=("城郊片区",)))
    assert len(queries.districts(con)) > 1 and queries.districts(con, f.scope) == ["城郊片区"]
