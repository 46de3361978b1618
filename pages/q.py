"""The data a page reads, one typed and cached entry point per query: `q.summary(f)` runs
`queries.summary(con, f)` once per data state and filters, and answers from Streamlit's cache after.

Go-to-definition on `q.summary` lands on its line below, and once more on the SQL in
analytics/queries.py. Every entry point shares one `st.cache_data` function keyed on the data root,
the data state (a load or rollback is a new state), the query's qualified name, a digest of its code
(editing a query invalidates its cache), the filters and every argument with its defaults filled in
(so `q.class_by_period(f)` and `q.frame(MIX.chart, f)`, whose arguments say grain="month", share one entry). The
warm-up (pages/common.py) fills the same entries through the same functions.
"""
from __future__ import annotations

import functools
import hashlib
import inspect
import marshal
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

import pandas as pd
import streamlit as st

from analytics import brands as brand_queries  # --- #14 brands ---
from analytics import progress as progress_queries
from analytics import queries, report, visits
from analytics import suspects as suspect_queries
from analytics.access import EVERYTHING, Scope
from analytics.db import connect, connect_lines
from analytics.families import Chart
from analytics.files import stamp
from analytics.filters import Filters
from analytics.store import Store, last_change

P = ParamSpec("P")
R = TypeVar("R")

# --- the data state ------------------------------------------------------------------------------


def store() -> Store:
    return Store()


_current: dict[str, tuple] = {}
_upgraded: set[str] = set()


def state() -> tuple[str, str | None]:
    """(data root, current state id), re-reading the manifest only when the file changed: every
    cached query is keyed on both, so a load or rollback is picked up by the next rerun."""
    s = store()
    if str(s.root) not in _upgraded:  # once per process: a state of an older version is rebuilt first
        s.upgrade()
        _upgraded.add(str(s.root))
    path = s.root / "manifest.json"
    now = stamp(path)  # a load replaces the file: new inode
    if not now:
        return str(s.root), None
    seen = _current.get(str(path))
    if seen is None or seen[0] != now:
        seen = (now, s.manifest().get("state"))
        _current[str(path)] = seen
    return str(s.root), seen[1]


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(root: str, state: str | None):
    s = Store(root)
    return connect(s.states_dir / state if state else None)


def connection(at: tuple[str, str | None] | None = None):
    """The query connection of the current data state (or of `at`, a state() read earlier)."""
    return _connection(*(at or state()))


@st.cache_resource(max_entries=2, show_spinner=False)
def _lines_connection(root: str, state: str | None):
    # raw order lines have a connection of their own: the query connection may open no file
    s = Store(root)
    return connect_lines(s.states_dir / state if state else None)


@st.cache_data(max_entries=8, show_spinner=False)
def _catalog(root: str, state: str | None, scope_key: str) -> queries.Catalog:
    return queries.catalog(_connection(root, state), updated=last_change(Store(root).manifest()),
                           scope=Scope.from_key(scope_key))


def catalog(at: tuple[str, str | None] | None = None, scope: Scope = EVERYTHING) -> queries.Catalog:
    """What the data hold that `scope` may see: years, districts, segment values, the data period and
    the last change (of the current data state, or of `at`, a state() read earlier)."""
    return _catalog(*(at or state()), scope.key())


# --- one cache for every query -----------------------------------------------------------------------


def _execute(query: Callable, con: object, f: Filters, kwargs: dict) -> object:
    """Run one query (on a cache miss only: the warm-up test counts the calls here)."""
    return query(con, f, **kwargs)


@st.cache_data(max_entries=512, show_spinner=False)
def _cache(root: str, state: str | None, name: str, code: str, filter_key: tuple, kwargs: tuple, _query: Callable) -> object:
    # every argument but _query is part of the cache key (Streamlit hashes no parameter named _…)
    return _execute(_query, _connection(root, state), Filters.from_key(filter_key), dict(kwargs))


@functools.cache
def _identity(query: Callable) -> tuple[str, str, inspect.Signature]:
    """The query's qualified name, a digest of its code, and its signature (to fill in defaults)."""
    code = hashlib.blake2b(marshal.dumps(inspect.unwrap(query).__code__), digest_size=8).hexdigest()
    return f"{query.__module__}.{query.__qualname__}", code, inspect.signature(query)


def cached(query: Callable[Concatenate[Any, Filters, P], R], f: Filters, *args: P.args, **kwargs: P.kwargs) -> R:
    """query(con, f, *args, **kwargs) through the cache, for the current data state."""
    return cached_at(state(), query, f, *args, **kwargs)


def cached_at(at: tuple[str, str | None], query: Callable[Concatenate[Any, Filters, P], R], f: Filters,
              *args: P.args, **kwargs: P.kwargs) -> R:
    """cached() for the data state `at` (a state() read earlier: the warm-up keeps to one state). The
    key spells every argument, defaults included, so two ways of asking for one frame share an entry."""
    name, code, sig = _identity(query)
    bound = sig.bind(None, f, *args, **kwargs)
    bound.apply_defaults()
    rest = tuple(sorted(list(bound.arguments.items())[2:]))
    return _cache(*at, name, code, f.key(), rest, query)  # type: ignore[return-value]


def _typed(query: Callable[Concatenate[Any, Filters, P], R]) -> Callable[Concatenate[Filters, P], R]:
    """A query without its connection argument, cached: q.summary(f) for queries.summary(con, f)."""
    @functools.wraps(query)
    def entry(f: Filters, *args: P.args, **kwargs: P.kwargs) -> R:
        return cached(query, f, *args, **kwargs)
    return entry


def frame(chart: Chart, f: Filters) -> pd.DataFrame:
    """The frame of a registered chart (analytics/families.py) of f, through the same cache."""
    return cached(chart.query, f, **chart.kwargs)


# --- the entry points: one per query a page reads ----------------------------------------------------

summary = _typed(queries.summary)
breakdown = _typed(queries.breakdown)
class_by_period = _typed(queries.class_by_period)
class_yoy = _typed(queries.class_yoy)
pace = _typed(queries.pace)
provincial_by_period = _typed(queries.provincial_by_period)
top_brands = _typed(queries.top_brands)
online_by_month = _typed(queries.online_by_month)
online_by_segment = _typed(queries.online_by_segment)
retailers_not_online = _typed(queries.retailers_not_online)
low_tier_by_period = _typed(queries.low_tier_by_period)
retailer_table = _typed(queries.retailer_table)
low_tier_decliners = _typed(queries.low_tier_decliners)
volume_swings = _typed(queries.volume_swings)
retailer_monthly = _typed(queries.retailer_monthly)
# --- #13 progress against targets ---
progress = _typed(progress_queries.progress)
progress_table = _typed(progress_queries.progress_table)
monthly_vs_target = _typed(progress_queries.monthly_vs_target)
# --- #14 visits: the week's candidates from the data; the kept lists and the cap are applied on the page ---
visit_candidates = _typed(visits.candidates)
# --- #14 suspects ---
suspects = _typed(suspect_queries.suspects)
peer_band = _typed(suspect_queries.peer_band)
suspect_months = _typed(suspect_queries.months_read)
suspect_data_end = _typed(suspect_queries.data_end)
# --- #14 brands ---
brand_names = _typed(brand_queries.ordered_names)
brand_cultivation = _typed(brand_queries.cultivation)
brand_totals = _typed(brand_queries.totals)
brand_lagging = _typed(brand_queries.lagging)
new_products = _typed(brand_queries.new_products)
new_product_curves = _typed(brand_queries.new_product_curves)
brand_default = _typed(brand_queries.default_name)


@st.cache_data(max_entries=32, show_spinner=False)
def _retailer_orders(root: str, state: str | None, filter_key: tuple, retailer_id: str, year: int | None) -> pd.DataFrame:
    return queries.retailer_orders(_lines_connection(root, state), Filters.from_key(filter_key), retailer_id, year)


def retailer_orders(f: Filters, retailer_id: str, year: int | None = None) -> pd.DataFrame:
    """Raw order lines of one retailer in f.year (the drill-down that reads order lines, not rollups),
    within f's scope (the filters' key is part of the cache key)."""
    return _retailer_orders(*state(), f.key(), retailer_id, year)


@st.cache_data(max_entries=64, show_spinner=False)
def _story(root: str, state: str | None, filter_key: tuple, name: str, lang: str) -> report.Story:
    return report.story(_connection(root, state), Filters.from_key(filter_key), name, lang)


def story(f: Filters, name: str, lang: str) -> report.Story:
    """Everything a presentation (or deck) of f shows; cached like every query."""
    return _story(*state(), f.key(), name, lang)


def deck(f: Filters, name: str, lang: str) -> Callable[[], bytes]:
    """The PPTX deck of f, built when called (a download button's click): the data state is read
    now, because the click is served outside this run."""
    args = (*state(), f.key(), name, lang)
    return lambda: report.build_deck(_story(*args))
