"""Scoping is enforced below the pages (issue #12): every query honours the Scope carried by Filters,
whatever the page chose. The tiny city (tests/conftest.py): 甲片区 = retailers 0420001 and 0420002
(客户经理 张伟), 乙片区 = 0420003 (李娜); orders in 2018 and 2019."""
from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from pathlib import Path

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
                  "retailer_orders",
                  "swings_over",  # --- #14 visits ---
                  }


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
    # each district's customer managers: the sidebar's 客户经理 choice and the link's mgr
    "district_managers": lambda c, f: queries.district_managers(c.query, f.scope),
    # --- #14 visits: the swings over months crossing a new year (the visit list's twelve months) ---
    "swings_over": lambda c, f: queries.swings_over(c.query, f, [(2018, 6), (2019, 1), (2019, 5)], min_months=1),
}
#: results that are the same whatever the scope: no figure of any district in them
SCOPE_FREE = {"period", "data_period", "master_names"}
#: the server's own questions, with no scope to honour (a city of fewer retailers has fewer names)
SERVER_ONLY = {"master_names"}
#: their districts come from the scope only; a district choice is a filter of figures, not of lists
LISTS = {"years", "dimension_values", "districts", "catalog", "district_managers"}
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
        elif name == "district_managers":
            assert scoped == {JIA: ["张伟"]} and chosen == {YI: ["李娜"], JIA: ["张伟"]}
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
    for viewer in (VIEWER_JIA, Scope(managers=("张伟",), retailer_level=False)):
        with pytest.raises(NotAllowed):
            CALLS[name](conns, F.within(viewer))


@pytest.mark.parametrize("name", sorted(set(CALLS) - RETAILER_LEVEL - {"scoped_sql"}))
def test_a_viewer_gets_the_aggregates_of_the_scope(conns: Conns, name: str) -> None:
    _equal(CALLS[name](conns, F.within(VIEWER_JIA)), CALLS[name](conns, F.within(ONLY_JIA)))
    zhang = Scope(managers=("张伟",))
    _equal(CALLS[name](conns, F.within(dataclasses.replace(zhang, retailer_level=False))), CALLS[name](conns, F.within(zhang)))


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
    # the segment rollups carry the manager: cut by it as by a district
    for table in ("cube", "cube_year", "sku_cube", "sku_year", "brand_year", "month_customers"):
        sql = f"SELECT SUM({'ordering_customers' if table == 'month_customers' else 'qty'}) FROM {table}"
        by_manager = [total(sql, Scope(managers=(m,))) for m in ("张伟", "李娜")]
        assert min(by_manager) > 0 and sum(by_manager) == total(sql, EVERYTHING), table
    assert total("SELECT SUM(qty) FROM cube WHERE year = 2019", Scope(managers=("李娜",))) == 500
    assert total("SELECT COUNT(*) FROM cube", Scope(districts=(JIA,), managers=("李娜",))) == 0  # 李娜 has no 甲 retailer
    assert total("SELECT COUNT(*) FROM cube", Scope(managers=())) == 0
    lines = queries._df(conns.lines, "SELECT DISTINCT retailer_id FROM orders ORDER BY 1", {}, ONLY_JIA)
    assert lines["retailer_id"].tolist() == ["0420001", "0420002"]


def test_targets_are_cut_by_their_own_district_and_manager(tiny: Store) -> None:
    """A manager's scope sees their own target rows only, never the district's own (manager NULL) nor a
    colleague's; a district's scope sees every row of its districts (tests/conftest.py::TINY_TARGETS)."""
    from .conftest import load_tiny_targets

    load_tiny_targets(tiny)
    con = connect_store(tiny)

    def rows(scope: Scope) -> list[tuple]:
        sql = "SELECT district, manager, month, volume_target_cases FROM targets ORDER BY district, manager NULLS FIRST, month"
        frame = queries._df(con, sql, {}, scope)
        return [tuple(None if pd.isna(v) else v for v in row) for row in frame.itertuples(index=False, name=None)]

    assert rows(Scope(managers=("张伟",))) == [("甲片区", "张伟", 0, 4.0)]
    assert rows(Scope(managers=("李娜",))) == [("乙片区", "李娜", 0, 4.0)]
    assert rows(Scope(districts=(JIA,), managers=("李娜",))) == []
    assert rows(ONLY_JIA) == [("甲片区", None, 0, 4.0), ("甲片区", "张伟", 0, 4.0)]
    assert rows(Scope(districts=(YI,))) == [("乙片区", None, 0, 4.0), ("乙片区", None, 1, 1.0), ("乙片区", None, 2, 3.0),
                                            ("乙片区", "李娜", 0, 4.0)]
    assert len(rows(EVERYTHING)) == 6


def test_a_scope_of_managers_answers_every_query_for_their_retailers(conns: Conns) -> None:
    """In the tiny city each district has one manager (张伟: 甲, 李娜: 乙), so a scope of a manager
    answers every query as the scope of the manager's district does: retailer rows and segment
    figures alike, nothing refused."""
    zhang, li = F.within(Scope(managers=("张伟",))), F.within(Scope(managers=("李娜",)))
    assert queries.retailer_table(conns.query, zhang)["retailer_id"].tolist() == ["0420001", "0420002"]
    assert queries.retailer_table(conns.query, li)["retailer_id"].tolist() == ["0420003"]
    assert queries.retailer_orders(conns.lines, li, "0420001").empty
    assert not queries.retailer_orders(conns.lines, zhang, "0420001").empty
    assert queries.districts(conns.query, li.scope) == [YI]
    assert queries.years(conns.query, li.scope) == [2019]
    assert queries.summary(conns.query, zhang).volume_cases == 2.0  # 甲's 500 条 in 2019
    assert queries.summary(conns.query, li).volume_cases_prev is None  # 乙 has no 2018
    for name in sorted(set(CALLS) - {"scoped_sql"}):
        _equal(CALLS[name](conns, zhang), CALLS[name](conns, F.within(ONLY_JIA)))
        _equal(CALLS[name](conns, li), CALLS[name](conns, F.within(Scope(districts=(YI,)))))


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


# --- customer managers who share a district and a segment ---------------------------------------------
#
# The split city: 甲片区 has two managers whose retailers 0420001 (张伟) and 0420002 (王芳) sit in the
# same segment (城网, 便利店, 档位 5), and 0420003 with no manager; 乙片区 is 李娜's 0420004. Every
# retailer orders on 2018-01-02 and on 2019-06-28 (the data's last day), so any part of the city has
# the whole city's data period and as-of date. 2019 is compared with 2018-01-01..06-28 (同期).
#
#            2019 (to 06-28)                         2018 同期            2018 after 06-28
#   0420001  120 一类 online + 30 五类 phone = 150    100 一类 phone       40 五类 online (09-10)
#   0420002   80 五类 online + 40 三类 visit = 120     60 三类 online
#   0420003   10 一类 online                           200 五类 phone
#   0420004  400 一类 online                           300 一类 online

SPLIT_RETAILERS = """许可证号,客户名称,片区,客户经理,城乡分类,业态,档位
0420001,甲便利店,甲片区,张伟,城网,便利店,5
0420002,甲烟酒店,甲片区,王芳,城网,便利店,5
0420003,甲食杂店,甲片区,,农网,食杂店,10
0420004,乙超市,乙片区,李娜,城网,超市,20
"""
SPLIT_ORDERS = """订货日期,许可证号,卷烟编码,订货量(条),金额(元),订货方式
2018-01-02,0420001,6901028000001,100,20000,电话订货
2018-09-10,0420001,6901028000002,40,400,网上订货
2019-03-04,0420001,6901028000001,120,24000,网上订货
2019-06-28,0420001,6901028000002,30,300,电话订货
2018-01-02,0420002,6901028000003,60,3000,网上订货
2019-02-11,0420002,6901028000002,80,800,网上订货
2019-06-28,0420002,6901028000003,40,2000,走访
2018-01-02,0420003,6901028000002,200,2000,电话订货
2019-06-28,0420003,6901028000001,10,2000,网上订货
2018-01-02,0420004,6901028000001,300,60000,网上订货
2019-06-28,0420004,6901028000001,400,80000,网上订货
"""
#: scopes of the split city and the retailers each may see
SPLIT_SCOPES = {
    "张伟": (Scope(managers=("张伟",)), ("0420001",)),
    "甲-王芳": (Scope(districts=(JIA,), managers=("王芳",)), ("0420002",)),
    "张伟+王芳": (Scope(managers=("张伟", "王芳")), ("0420001", "0420002")),  # never the retailer without one
    "甲": (ONLY_JIA, ("0420001", "0420002", "0420003")),  # with the retailer without a manager
    "李娜": (Scope(managers=("李娜",)), ("0420004",)),
}
SPLIT_FILTERS = {"whole-year": F, "months-2-6": F.with_(month_from=2, month_to=6)}


def _split_city(root: Path, retailers: tuple[str, ...] | None = None) -> Store:
    """The split city, or only the lines and master rows of `retailers` in it (same SKU master)."""
    from .conftest import TINY_SKUS

    def keep(text: str, column: int) -> str:
        head, *rows = text.strip().splitlines()
        return "\n".join([head] + [r for r in rows if retailers is None or r.split(",")[column] in retailers]) + "\n"

    store = Store(root)
    results = store.load([("零售户档案.csv", keep(SPLIT_RETAILERS, 0).encode("gbk")), ("卷烟档案.csv", TINY_SKUS.encode()),
                          ("订单.csv", keep(SPLIT_ORDERS, 1).encode("gbk"))], loaded_by="test")
    assert [r.status for r in results] == ["loaded"] * 3, [m for r in results for m in r.messages("en")]
    return store


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> Conns:
    store = _split_city(tmp_path_factory.mktemp("split") / "data")
    return Conns(connect_store(store), connect_store_lines(store))


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Conns]:
    """Per scope of SPLIT_SCOPES, a city of only its retailers' master rows and order lines."""
    out = {}
    for k, (name, (_, ids)) in enumerate(SPLIT_SCOPES.items()):
        store = _split_city(tmp_path_factory.mktemp(f"part{k}") / "data", ids)
        out[name] = Conns(connect_store(store), connect_store_lines(store))
    return out


def test_the_figures_of_managers_who_share_a_segment_worked_out_by_hand(split: Conns) -> None:
    def s(scope: Scope) -> queries.Summary:
        return queries.summary(split.query, F.within(scope))

    zhang = s(Scope(managers=("张伟",)))
    assert (zhang.volume_cases, zhang.volume_cases_prev, zhang.volume_yoy_pct) == (0.6, 0.4, 50.0)  # 150 vs 100 条
    assert zhang.provincial_cases == 0.48 and zhang.low_tier_cases == 0.12  # 120 一类, 30 五类
    assert (zhang.customers, zhang.online_customers, zhang.online_rate_pct) == (1, 1, 100.0)
    wang = s(Scope(districts=(JIA,), managers=("王芳",)))
    assert (wang.volume_cases, wang.volume_cases_prev, wang.low_tier_cases) == (0.48, 0.24, 0.32)  # 120 vs 60 条; 80 五类
    assert wang.provincial_share_pct == pytest.approx(100 / 3)  # 40 of 120 条
    both = s(Scope(managers=("张伟", "王芳")))
    assert (both.volume_cases, both.volume_cases_prev, both.customers) == (1.08, 0.64, 2)  # 270 vs 160 条
    # the retailer without a manager: in its district and the city, in no scope of managers
    jia = s(ONLY_JIA)
    assert (jia.volume_cases, jia.volume_cases_prev, jia.customers, jia.online_customers) == (1.12, 1.44, 3, 3)  # 280 vs 360 条
    city = s(EVERYTHING)
    assert (city.volume_cases, city.volume_cases_prev, city.customers) == (2.72, 2.64, 4)  # 680 vs 660 条
    assert s(Scope(managers=("张伟", "王芳", "李娜"))).volume_cases == 2.68  # every manager: 10 条 short of the city
    # per district under a scope of managers: one row, their own
    table = queries.breakdown(split.query, F.within(Scope(managers=("张伟", "王芳"))))
    assert table["district"].tolist() == [JIA] and table["volume_cases"].tolist() == [1.08]
    assert queries.breakdown(split.query, F.within(Scope(managers=("王芳",))), by="area_type")["volume_cases"].tolist() == [0.48]


@pytest.mark.parametrize("filters", SPLIT_FILTERS)
@pytest.mark.parametrize("scope", SPLIT_SCOPES)
@pytest.mark.parametrize("name", sorted(set(CALLS) - {"scoped_sql"} - SERVER_ONLY))
def test_a_scope_answers_as_a_city_of_its_retailers_alone(split: Conns, parts: dict[str, Conns], name: str, scope: str,
                                                          filters: str) -> None:
    """Every public query under a scope (managers in a district, several managers, a district with a
    retailer that has no manager) equals the same query, unscoped, over a city built from the order
    lines and master rows of the scope's retailers only."""
    f = SPLIT_FILTERS[filters]
    _equal(CALLS[name](split, f.within(SPLIT_SCOPES[scope][0])), CALLS[name](parts[scope], f))


def test_a_null_manager_counts_like_a_blank_one(split: Conns, tmp_path: Path) -> None:
    """A master row with no manager at all (NULL, where the loader writes a blank): the segment
    rollups group and join it as any other value, so it counts in the city and its district and in
    no scope of managers. The rollups are built here by the build's own SQL over a master with NULL."""
    import duckdb

    from analytics.rollups import create_cut_rollups, create_rollups

    con = duckdb.connect()
    for name, source in (("retailers", split.query), ("skus", split.query), ("orders", split.lines)):
        frame = source.execute(f"SELECT * FROM {name}").df()
        con.register("frame", frame)
        con.execute(f"CREATE TABLE live_{name} AS SELECT * FROM frame")
        con.unregister("frame")
    con.execute("UPDATE live_retailers SET manager = NULL WHERE manager = ''")
    assert con.execute("SELECT COUNT(*) FROM live_retailers WHERE manager IS NULL").fetchone()[0] == 1
    create_rollups(con)
    assert create_cut_rollups(con) is not None
    for name in ("retailers", "skus", "orders"):
        con.execute(f"CREATE VIEW {name} AS FROM live_{name}")
    assert con.execute("SELECT COUNT(*) FROM cube_year WHERE manager IS NULL").fetchone()[0] > 0
    null = Conns(con, con)

    def blank(result: object) -> object:  # retailer rows show the manager: NULL there, blank in the store
        if isinstance(result, pd.DataFrame) and "manager" in result:
            return result.assign(manager=result["manager"].fillna(""))
        return result

    for scope in (EVERYTHING, *(s for s, _ in SPLIT_SCOPES.values())):
        for name in sorted(set(CALLS) - {"scoped_sql"} - SERVER_ONLY):
            for f in SPLIT_FILTERS.values():
                try:
                    _equal(blank(CALLS[name](null, f.within(scope))), CALLS[name](split, f.within(scope)))
                except AssertionError as e:
                    raise AssertionError(f"{name} under {scope}") from e
