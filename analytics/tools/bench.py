"""`make bench` / `python -m analytics.tools.bench --size 10M`: the dashboard at provincial scale.

One run, one machine, one data set: a synthetic city of SIZE order lines (the demo generator's
realism, more districts and retailers) is written as extracts and loaded through the normal
loading path; then every chart query (rollups) and the same question in pandas over the raw
lines (the baseline) are timed side by side, with ratios, plus page reruns (AppTest), a full
rollup rebuild, a 1M-line GBK CSV extract load, the server's peak memory and a browser timing.
Results: a table on stdout and bench-results/bench-<size>.json.
"""
from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .. import queries
from ..db import connect, connect_lines
from ..filters import Filters
from ..store import Store, load_paths
from . import baseline, demo

ROOT = Path(__file__).resolve().parents[2]
BUDGETS = {"query_ms": 20.0, "query_speedup": 30.0, "page_rerun_ms": 300.0, "browser_s": 1.5, "rebuild_s": 15.0,
           "csv_1m_load_s": 20.0, "server_peak_gb": 1.5, "cold_start_s": 3.0,
           # issue #14: a district's retail-monitoring answer (代订货 suspects, the visit list, a brand's cultivation)
           "monitoring_ms": 100.0}
COLD_RUNS = 3  # fresh servers; the worst is reported
SESSIONS = (10, 20)  # concurrent visitors on district pages
SESSION_RUNS = 3  # fresh servers per N; the worst is reported (this VM's timings vary ±50%)
SESSION_CHANGES, SESSION_ROUNDS = 6, 3  # filter changes per visitor and round; rounds per server


def parse_size(text: str) -> int:
    text = text.strip().upper()
    mult = {"K": 1_000, "M": 1_000_000, "G": 1_000_000_000}.get(text[-1], 1)
    return int(float(text[:-1] if text[-1] in "KMG" else text) * mult)


def timed(fn: Callable[[], object], runs: int) -> tuple[float, list[float]]:
    """Median wall time in seconds over `runs` calls (after one untimed warm-up call)."""
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


# --- a city of the requested size --------------------------------------------------------------

def scaled_profiles(lines: int) -> tuple[demo.Profile, ...]:
    """More districts and more retailers per district, in proportion to the demo's 2.3M lines."""
    scale = max(lines / 2_290_000, 0.05)
    copies = max(1, round(math.sqrt(scale)))
    per = scale / copies
    out = []
    for k in range(copies):
        for prof in demo.PROFILES:
            name = prof.name if k == 0 else f"{prof.name[:-2]}{k + 1}{prof.name[-2:]}"
            out.append(dataclasses.replace(prof, name=name, retailers=max(5, round(prof.retailers * per))))
    return tuple(out)


def write_city(lines: int, out: Path, progress: Callable[[str], None]) -> tuple[list[Path], list[Path], int]:
    """Masters as GBK CSV and one parquet order file per year, written chunk by chunk."""
    rng = np.random.default_rng(demo.RANDOM_STATE)
    profiles = scaled_profiles(lines)
    skus = demo.sku_master()
    retailers = demo.retailer_master(rng, profiles)
    writers: dict[int, pq.ParquetWriter] = {}
    total = 0
    out.mkdir(parents=True, exist_ok=True)
    for district, year, chunk in demo.iter_orders(retailers, skus, rng, profiles):
        chunk = demo.priced(chunk, skus)
        chunk["order_date"] = pd.to_datetime(chunk["order_date"]).dt.strftime("%Y-%m-%d")
        table = pa.Table.from_pandas(chunk[list(demo.ORDER_HEADERS)].rename(columns=demo.ORDER_HEADERS), preserve_index=False)
        if year not in writers:
            writers[year] = pq.ParquetWriter(out / f"订单明细_{year}.parquet", table.schema, compression="zstd")
        writers[year].write_table(table)
        total += len(chunk)
        progress(f"generated {district} {year}: {total:,} lines")
    for w in writers.values():
        w.close()
    retailers["customer_tier"] = retailers["customer_tier"].astype(int)
    masters = demo.write_extracts(retailers, skus.drop(columns="popularity"), pd.DataFrame(columns=list(demo.ORDER_HEADERS)), out)
    orders = sorted(out.glob("订单明细_*.parquet"))
    return masters[:2], orders, total


def correction_csv(store: Store, out: Path, lines: int = 1_000_000) -> Path:
    """A re-export of the busiest districts' last months as a GBK CSV of about `lines` lines."""
    # the app's 1 GB is sized for one retailer's drill-down; sorting millions of lines needs more
    con = connect_lines(store.state_dir(), memory_limit="8GB")
    frame = con.execute(
        """SELECT strftime(order_date, '%Y-%m-%d') AS "订货日期", retailer_id AS "许可证号", sku_id AS "卷烟编码",
                  quantity_cartons AS "订货量(条)", amount_yuan AS "金额(元)",
                  CASE channel WHEN 'online' THEN '网上订货' WHEN 'phone' THEN '电话订货' ELSE '走访' END AS "订货方式"
           FROM orders ORDER BY order_date DESC LIMIT ?""",
        [lines],
    ).df()
    path = out / ("订单更正_1M.csv" if lines == 1_000_000 else f"订单更正_{lines}.csv")
    frame.to_csv(path, index=False, encoding="gbk")
    return path


# --- the questions, both ways ------------------------------------------------------------------------

def questions(district: str) -> list[tuple[str, Filters, Callable, Callable]]:
    """(name, filters, rollup query, pandas baseline) for every chart family."""
    company = Filters(year=2019, compare_year=2018)
    one = company.with_(districts=(district,))
    seg = company.with_(area_types=("rural",), tier_min=5, tier_max=25, month_from=1, month_to=6)
    return [
        ("kpis (company)", company, lambda c, f: queries.summary(c, f), lambda r, m, f: baseline.summary(r, m, f)),
        ("kpis (district)", one, lambda c, f: queries.summary(c, f), lambda r, m, f: baseline.summary(r, m, f)),
        ("kpis (segment)", seg, lambda c, f: queries.summary(c, f), lambda r, m, f: baseline.summary(r, m, f)),
        ("class mix by month", company, lambda c, f: queries.class_by_period(c, f), lambda r, m, f: baseline.class_by_month(r, f)),
        ("provincial share by month", company, lambda c, f: queries.provincial_by_period(c, f),
         lambda r, m, f: baseline.provincial_by_month(r, f)),
        ("online rate by month", company, lambda c, f: queries.online_by_month(c, f),
         lambda r, m, f: baseline.online_by_month(r, m, f)),
        ("top brands", company, lambda c, f: queries.top_brands(c, f), lambda r, m, f: baseline.top_brands(r, f)),
        ("district table", company, lambda c, f: queries.breakdown(c, f), lambda r, m, f: baseline.district_volumes(r, f)),
        ("retailers of a district", one, lambda c, f: queries.retailer_table(c, f, limit=500),
         lambda r, m, f: baseline.retailer_volumes(r, f)),
    ]


# --- the retail monitoring questions (issue #14) ---------------------------------------------------
#
# Each part adds a function (busiest district, brand) -> [(name, filters, rollup query, pandas baseline)]
# to MONITORING in a block of its own; run() times them like the chart questions; the answers for one
# district are held to their own budget (BUDGETS["monitoring_ms"]: 100 ms at the 50M size).
Question = tuple[str, Filters, Callable, Callable]
MONITORING: list[Callable[[str, str], list[Question]]] = []


def monitoring_questions(district: str, brand: str) -> list[Question]:
    return [q for make in MONITORING for q in make(district, brand)]


def time_questions(qs: list[Question], con, raw: pd.DataFrame, retailers: pd.DataFrame, runs: int, baseline_runs: int,
                   log: Callable[[str], None]) -> list[dict]:
    """Each question's median time both ways; `district` marks an answer for one district (the
    monitoring budget is for those)."""
    rows = []
    for name, f, fast, slow in qs:
        q_med, _ = timed(lambda f=f, fast=fast: fast(con, f), runs)
        b_med, _ = timed(lambda f=f, slow=slow: slow(raw, retailers, f), baseline_runs)
        rows.append({"question": name, "rollup_ms": q_med * 1000, "baseline_ms": b_med * 1000, "speedup": b_med / q_med,
                     "district": len(f.districts) == 1})
        log(f"{name}: {q_med * 1000:.1f} ms vs {b_med * 1000:.0f} ms")
    return rows


def _district_answers(res: dict) -> list[dict]:
    return [r for r in res.get("monitoring", []) if r.get("district")]


# --- #14 suspects ---
def suspect_questions(district: str, brand: str) -> list[Question]:
    """The busiest district's 代订货 list (every signal and its score), from rollups and from the raw lines."""
    from .. import suspects

    one = Filters(year=2019, districts=(district,))
    return [("代订货 suspects (district)", one, lambda c, f: suspects.suspects(c, f), lambda r, m, f: baseline.suspects(r, m, f))]


MONITORING.append(suspect_questions)


# --- #14 brands ---
def brand_questions(district: str, brand: str) -> list[Question]:
    """The best-selling brand's cultivation curve (monthly and cumulative 铺货率 / 重购率, both years),
    for the company and for the busiest district, beside pandas over the raw lines."""
    from .. import brands

    company = Filters(year=2019, compare_year=2018)
    one = company.with_(districts=(district,))
    return [(f"brand cultivation ({scope})", f, lambda c, f, b=brand: brands.cultivation(c, f, b, "brand"),
             lambda r, m, f, b=brand: baseline.cultivation(r, m, f, b, "brand")) for scope, f in (("company", company), ("district", one))]


MONITORING.append(brand_questions)


# --- #14 visits ---
def visit_questions(district: str, brand: str) -> list[Question]:
    """The week to plan's visit list of the busiest district's first customer manager (代订货 suspects
    included, analytics/visits.py), beside pandas over the raw lines answering its other reasons."""
    from .. import visits

    one = Filters(year=2019, compare_year=2018, districts=(district,))

    @functools.cache
    def plan(con) -> tuple[Filters, str]:  # looked up once: not part of the timing
        manager = queries.district_managers(con)[district][0]
        return one.with_(managers=(manager,)), visits.week_to_plan(visits.data_end(con))

    def slow(raw: pd.DataFrame, retailers: pd.DataFrame, f: Filters) -> dict:
        manager = sorted(retailers.loc[retailers["district"] == district, "manager"].dropna().unique())[0]
        return baseline.visit_reasons(raw, retailers, f.with_(managers=(manager,)), visits.week_to_plan(raw["order_date"].max().date()))

    return [("visit list (a manager's week)", one, lambda c, f: visits.visit_list(c, *plan(c)), slow)]


MONITORING.append(visit_questions)


# --- page reruns, server memory, browser ------------------------------------------------------------

def ui_timings(what: str, data_dir: Path, runs: int, districts: list[str] | None = None) -> dict:
    """AppTest page reruns and the chromium timing (tests/perf_ui.py) run in a child process and report JSON:
    the bench's own process then holds neither Streamlit nor a server's memory, and analytics/ stays
    free of Streamlit (the drivers of a real server live with the browser tests they share)."""
    cmd = [sys.executable, "-m", "tests.perf_ui", what, str(data_dir), "--runs", str(runs)]
    if districts:
        cmd += ["--districts", ",".join(districts)]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{what} timing failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- concurrent sessions -------------------------------------------------------------------------

def concurrent_sessions(data_dir: Path, extract: Path | None = None, sessions: tuple[int, ...] = SESSIONS,
                        runs: int = SESSION_RUNS, changes: int = SESSION_CHANGES, rounds: int = SESSION_ROUNDS,
                        validate: bool = True, log: Callable[[str], None] = lambda s: None) -> dict:
    """N visitors at once on district pages while a correction is loaded and rolled back
    (tests/perf_load.py, a Streamlit-protocol WebSocket client); `runs` fresh servers per N, each on
    a fresh copy of `data_dir` (the load and rollback add to its history). The worst run is reported."""
    out: dict = {"changes": changes, "rounds": rounds, "runs": runs, "by_n": {}, "machine": machine()}
    if validate:
        with tempfile.TemporaryDirectory(prefix="sessions-") as tmp:
            copy = Path(tmp) / "data"
            shutil.copytree(data_dir, copy)
            out["validation"] = _perf_load(["validate", str(copy)])
        log(f"client checked against Chromium: same figures {out['validation']['same_metrics']}")
    for n in sessions:
        results = []
        for k in range(runs):
            with tempfile.TemporaryDirectory(prefix="sessions-") as tmp:
                copy = Path(tmp) / "data"
                shutil.copytree(data_dir, copy)
                args = ["load", str(copy), "--sessions", str(n), "--changes", str(changes), "--rounds", str(rounds),
                        "--random-state", str(k + 1)]
                results.append(_perf_load(args + (["--extract", str(extract)] if extract else [])))
            log(f"{n} sessions, run {k + 1}: p95 {max(r['p95_s'] or 0 for r in results[-1]['rounds']):.2f} s, "
                f"errors {sum(len(r['errors']) for r in results[-1]['rounds'])}")
        out["by_n"][str(n)] = sessions_worst(results)
    return out


def _perf_load(args: list[str]) -> dict:
    done = subprocess.run([sys.executable, "-m", "tests.perf_load", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"perf_load {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def sessions_worst(results: list[dict]) -> dict:
    """The worst of several runs: errors summed over all, each latency and CPU figure from the round
    (N × changes) where it was largest, and the memory rounds of the run that peaked highest."""
    rounds = [r for res in results for r in res["rounds"]]
    peak_run = max(results, key=lambda res: max(r["rss_peak_mb"] for r in res["rounds"]))
    return {
        "runs": len(results), "errors": [e for r in rounds for e in r["errors"]],
        "filter_changes": sum(r["filter_changes"] for r in rounds),
        "p50_s": max(r["p50_s"] or 0 for r in rounds),
        "p95_s": max(r["p95_s"] or 0 for r in rounds), "max_s": max(r["max_s"] or 0 for r in rounds),
        "cpu_per_run_s": max(r["cpu_per_run_s"] or 0 for r in rounds),
        "client_cpu_share": max(r["client_cpu_s"] / r["server_cpu_s"] for r in rounds if r["server_cpu_s"]),
        "memory_mb": [(r["rss_before_mb"], r["rss_peak_mb"], r["rss_after_mb"]) for r in peak_run["rounds"]],
        "load_s": [(r["load"].get("ingest_s"), r["load"].get("rollback_s")) for r in rounds],
        "changes_during_load": min(r["changes_during_load"] for r in rounds),
        "loadavg": [min(min(r["loadavg_1min_start"], r["loadavg_1min_end"]) for r in rounds),
                    max(max(r["loadavg_1min_start"], r["loadavg_1min_end"]) for r in rounds)],
        "think_s": results[0]["think_s"],
    }


def sessions_report(s: dict, city: str) -> str:
    """The "Concurrent sessions" table."""
    n_runs = s["runs"]
    m = s["machine"]
    plural = "s" if n_runs > 1 else ""
    out = [f"Latest run ({m['date']}): {m['cpus']} cores, {m['memory_gb']} GB, {m['cpu']}; {city}; each N on {n_runs} fresh "
           f"server{plural} × {s['rounds']} rounds × N visitors × {s['changes']} filter changes, a correction loaded and rolled "
           "back during every round. Latency and CPU: the worst round of all (each round's p50 and p95 over its "
           f"N × {s['changes']} changes); memory: the run that peaked highest.", "",
           "| concurrent sessions | errors | filter change p50 | p95 | server CPU per script run | RSS per round: before → peak → after "
           "| load + rollback took | changes while it ran (fewest in a round) | 1-min load average |",
           "|---:|---:|---:|---:|---:|---|---:|---:|---:|"]
    for n, r in s["by_n"].items():
        mem = "; ".join(f"{a:.0f} → {b:.0f} → {c:.0f}" for a, b, c in r["memory_mb"])
        took = [a + b for a, b in r["load_s"] if a is not None and b is not None]
        took_text = "failed" if not took else f"{min(took):.0f}–{max(took):.0f} s" if len(took) > 1 else f"{took[0]:.0f} s"
        out.append(f"| {n} | {len(r['errors'])} of {r['filter_changes']} changes | {r['p50_s']:.2f} s | {r['p95_s']:.2f} s "
                   f"| {r['cpu_per_run_s']:.2f} s | {mem} MB | {took_text} | {r['changes_during_load']} of {int(n) * s['changes']} "
                   f"| {r['loadavg'][0]:.1f}–{r['loadavg'][1]:.1f} |")
    v = s.get("validation")
    if v:
        out += ["", f"Client checked against one Chromium session ({v['page']}, year → {v['year']}): KPI cards "
                f"{'identical' if v['same_metrics'] else '**different**'} ({len(v['browser_metrics'])} cards), "
                f"charts {v['client_charts']} vs {v['browser_charts']}; the same change on a cold page: "
                f"{v['client_change_s']:.2f} s to the client, {v['browser_change_s']:.2f} s to Chromium (which also draws)."]
    return "\n".join(out)


# --- the run ----------------------------------------------------------------------------------------

def run(size: str, work: Path, runs: int = 5, baseline_runs: int = 5, skip_browser: bool = False,
        skip_sessions: bool = False) -> dict:
    lines = parse_size(size)
    log = lambda text: print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)  # noqa: E731
    extracts = work / "extracts-in"
    data = work / "data"
    shutil.rmtree(work, ignore_errors=True)
    res: dict = {"size": size, "lines_requested": lines, "machine": machine()}

    t0 = time.perf_counter()
    masters, orders, total = write_city(lines, extracts, lambda s: None)
    res["generate_s"] = time.perf_counter() - t0
    res["lines"] = total
    log(f"city written: {total:,} lines in {res['generate_s']:.1f}s")

    store = Store(data)
    t0 = time.perf_counter()
    load_paths(store, [str(p) for p in masters], loaded_by="bench")
    for path in orders:  # a year at a time, as an analyst would
        results = load_paths(store, [str(path)], loaded_by="bench")
        if any(r.status == "refused" for r in results):
            raise RuntimeError("\n".join(m for r in results for m in r.messages("en")))
        log(f"loaded {path.name}")
    res["load_all_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    store.rebuild()
    res["rebuild_s"] = time.perf_counter() - t0
    log(f"full rollup rebuild {res['rebuild_s']:.1f}s")

    con = connect(store.state_dir())
    districts = queries.districts(con)
    busiest = con.execute("SELECT district FROM cube GROUP BY district ORDER BY SUM(qty) DESC LIMIT 1").fetchone()[0]
    log("loading raw lines for the pandas baseline")
    t0 = time.perf_counter()
    raw = baseline.load_raw(store.state_dir())
    retailers = pd.read_parquet(store.state_dir() / "retailers.parquet")
    res["baseline_load_s"] = time.perf_counter() - t0
    res["queries"] = time_questions(questions(busiest), con, raw, retailers, runs, baseline_runs, log)
    brand = con.execute("SELECT brand FROM brand_year WHERE year = 2019 GROUP BY brand ORDER BY SUM(qty) DESC LIMIT 1").fetchone()[0]
    res["monitoring"] = time_questions(monitoring_questions(busiest, brand), con, raw, retailers, runs, baseline_runs, log)
    raw = None  # free the baseline's memory before the UI timings

    corr = correction_csv(store, work)
    t0 = time.perf_counter()
    results = load_paths(store, [str(corr)], loaded_by="bench")
    res["csv_1m_load_s"] = time.perf_counter() - t0
    res["csv_1m_status"] = [r.status for r in results]
    log(f"1M-line GBK CSV load {res['csv_1m_load_s']:.1f}s")

    res["pages"] = ui_timings("pages", data, runs, [d for d in districts if d != busiest] + [busiest])
    log("page reruns done")
    if not skip_browser:
        res["browser"] = ui_timings("browser", data, max(runs, 5))
        log("browser timing done")
        res["cold_start"] = ui_timings("cold", data, COLD_RUNS, [busiest])
        log("cold start done")
    if not skip_sessions:
        # a small correction of the last days (as an analyst's re-export would be), loaded and rolled back under load
        small = correction_csv(store, work, lines=2_000)
        res["sessions"] = concurrent_sessions(data, small, validate=not skip_browser, log=log)
        res["sessions"]["city"] = f"the bench city ({total:,} lines)"
    res["verdict"] = verdict(res)
    return res


def machine() -> dict:
    import duckdb

    mem = next((int(x.split()[1]) for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")), 0)
    cpu = next((x.split(":", 1)[1].strip() for x in Path("/proc/cpuinfo").read_text().splitlines() if x.startswith("model name")), "")
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gb": round(mem / 1024 / 1024, 1), "python": platform.python_version(),
            "duckdb": duckdb.__version__, "pandas": pd.__version__, "date": time.strftime("%Y-%m-%d")}


def verdict(res: dict) -> dict:
    q = res["queries"]
    out = {
        "query_ms": max(r["rollup_ms"] for r in q) <= BUDGETS["query_ms"],
        "query_speedup": min(r["speedup"] for r in q) >= BUDGETS["query_speedup"],
        "page_rerun_ms": max(p["rerun_median_ms"] for p in res["pages"].values()) <= BUDGETS["page_rerun_ms"],
        "rebuild_s": res["rebuild_s"] <= BUDGETS["rebuild_s"],
        "csv_1m_load_s": res["csv_1m_load_s"] <= BUDGETS["csv_1m_load_s"],
    }
    if _district_answers(res):
        out["monitoring_ms"] = max(r["rollup_ms"] for r in _district_answers(res)) <= BUDGETS["monitoring_ms"]
    if "browser" in res:
        out["browser_s"] = res["browser"]["filter_change_median_s"] <= BUDGETS["browser_s"]
        peak = res["browser"]["server_peak_rss_gb"]
        out["server_peak_gb"] = peak is not None and peak <= BUDGETS["server_peak_gb"]
    if "cold_start" in res:
        out["cold_start_s"] = res["cold_start"]["overview_worst_s"] <= BUDGETS["cold_start_s"]
    return out


def cold_rows(c: dict) -> list[tuple[str, str]]:
    """The cold start's figures (worst of its runs), as (measure, value) rows."""
    n = c["runs"]
    return [(f"server start → overview drawn in Chromium (worst of {n}; {c['launcher']})", f"{c['overview_worst_s']:.2f} s"),
            ("… of which the server's start until it answers", f"{c['server_ready_worst_s']:.2f} s"),
            (f"first visit to a district page ({c['district']})", f"{c['district_worst_s']:.2f} s"),
            ("a later visit to the overview, same browser", f"{c['later_visit_worst_s']:.2f} s"),
            ("a first-ever visit (empty browser profile), warm server", f"{c['new_browser_worst_s']:.2f} s")]


def report(res: dict) -> str:
    m = res["machine"]
    out = [f"## Latest run: {res['lines']:,} order lines ({res['size']}) on {m['cpus']} cores, {m['memory_gb']} GB, {m['cpu']} "
           f"({m['date']})",
           "", "| chart question | rollups (median) | pandas over raw lines (median) | speed-up |", "|---|---:|---:|---:|"]
    for r in res["queries"]:
        out.append(f"| {r['question']} | {r['rollup_ms']:.1f} ms | {r['baseline_ms']:,.0f} ms | {r['speedup']:,.0f}× |")
    if res.get("monitoring"):
        out += ["", "| retail monitoring question (#14) | rollups (median) | pandas over raw lines (median) | speed-up |",
                "|---|---:|---:|---:|"]
        for r in res["monitoring"]:
            out.append(f"| {r['question']} | {r['rollup_ms']:.1f} ms | {r['baseline_ms']:,.0f} ms | {r['speedup']:,.0f}× |")
    out += ["", "| page (AppTest) | first run | rerun after a filter change (median) |", "|---|---:|---:|"]
    for page, p in res["pages"].items():
        out.append(f"| {Path(page).stem} | {p['first_s']:.2f} s | {p['rerun_median_ms']:.0f} ms |")
    out += ["", "| measure | value | budget | met |", "|---|---:|---:|:-:|"]
    v = res["verdict"]
    rows = [("slowest chart query", f"{max(r['rollup_ms'] for r in res['queries']):.1f} ms", "≤ 20 ms", v["query_ms"]),
            ("smallest speed-up over pandas", f"{min(r['speedup'] for r in res['queries']):,.0f}×", "≥ 30×", v["query_speedup"]),
            ("slowest page rerun", f"{max(p['rerun_median_ms'] for p in res['pages'].values()):.0f} ms", "≤ 300 ms", v["page_rerun_ms"]),
            ("full rollup rebuild", f"{res['rebuild_s']:.1f} s", "≤ 15 s", v["rebuild_s"]),
            ("1M-line GBK CSV extract load", f"{res['csv_1m_load_s']:.1f} s", "≤ 20 s", v["csv_1m_load_s"])]
    if _district_answers(res):
        rows.append(("slowest retail monitoring answer for a district (#14)",
                     f"{max(r['rollup_ms'] for r in _district_answers(res)):.1f} ms", "≤ 100 ms", v["monitoring_ms"]))
    if "browser" in res:
        b = res["browser"]
        rows += [("filter change redrawn in chromium", f"{b['filter_change_median_s']:.2f} s", "≤ 1.5 s", v["browser_s"]),
                 ("server peak memory (VmHWM)", f"{b['server_peak_rss_gb']:.2f} GB" if b["server_peak_rss_gb"] else "n/a", "≤ 1.5 GB",
                  v["server_peak_gb"])]
    if "cold_start" in res:
        c = cold_rows(res["cold_start"])
        rows += [(c[0][0], c[0][1], "≤ 3 s", v["cold_start_s"])] + [(name, value, "", None) for name, value in c[1:]]
    rows += [("generate city", f"{res['generate_s']:.1f} s", "", None), ("load all extracts", f"{res['load_all_s']:.1f} s", "", None),
             ("load raw lines into pandas (baseline set-up)", f"{res['baseline_load_s']:.1f} s", "", None)]
    for name, value, budget, met in rows:
        out.append(f"| {name} | {value} | {budget} | {'' if met is None else ('yes' if met else '**no**')} |")
    return "\n".join(out)


def summary_rows(res: dict) -> str:
    """The README's short table: each budget with the measured range and whether it is met."""
    v, q, pages = res["verdict"], res["queries"], res["pages"].values()
    yes = lambda ok: "met" if ok else "**missed**"  # noqa: E731
    rows = [("chart queries (median)", f"{min(r['rollup_ms'] for r in q):.1f}–{max(r['rollup_ms'] for r in q):.1f} ms",
             f"≤ 20 ms: {yes(v['query_ms'])}"),
            ("speed-up over pandas on the same question", f"{min(r['speedup'] for r in q):,.0f}×–{max(r['speedup'] for r in q):,.0f}×",
             f"≥ 30×: {yes(v['query_speedup'])}"),
            ("page rerun after a filter change (AppTest)",
             f"{min(p['rerun_median_ms'] for p in pages):.0f}–{max(p['rerun_median_ms'] for p in pages):.0f} ms",
             f"≤ 300 ms: {yes(v['page_rerun_ms'])}"),
            ("full rollup rebuild", f"{res['rebuild_s']:.1f} s", f"≤ 15 s: {yes(v['rebuild_s'])}"),
            ("1M-line GBK CSV extract loaded", f"{res['csv_1m_load_s']:.1f} s", f"≤ 20 s: {yes(v['csv_1m_load_s'])}")]
    if _district_answers(res):
        m = _district_answers(res)
        rows.append(("retail monitoring answers for a district (#14, median)", f"{min(r['rollup_ms'] for r in m):.1f}–"
                     f"{max(r['rollup_ms'] for r in m):.1f} ms", f"≤ 100 ms: {yes(v['monitoring_ms'])}"))
    if "browser" in res:
        b = res["browser"]
        rows += [("filter change redrawn in Chromium", f"{b['filter_change_median_s']:.2f} s", f"≤ 1.5 s: {yes(v['browser_s'])}"),
                 ("server peak memory", f"{b['server_peak_rss_gb']:.2f} GB", f"≤ 1.5 GB: {yes(v['server_peak_gb'])}")]
    if "cold_start" in res:
        rows.append(("server start → overview drawn in Chromium (worst of 3)", f"{res['cold_start']['overview_worst_s']:.2f} s",
                     f"≤ 3 s: {yes(v['cold_start_s'])}"))
    for n, r in res.get("sessions", {}).get("by_n", {}).items():  # no budget: a capacity figure
        rows.append((f"{n} concurrent sessions during a load and rollback: filter change p50 / p95, errors",
                     f"{r['p50_s']:.2f} / {r['p95_s']:.2f} s, {len(r['errors'])} errors", ""))
    head = (f"Latest `SIZE={res['size']}` run: {res['lines']:,} lines, {res['machine']['cpus']} cores, {res['machine']['date']}.\n\n"
            "| | measured | budget |\n|---|---:|---:|\n")
    return head + "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)


def publish(res: dict) -> None:
    """Put the figures into docs/benchmark.md and the README, between their markers."""
    if "queries" in res:
        _replace(ROOT / "docs" / "benchmark.md", "bench", report(res))
        _replace(ROOT / "README.md", "bench", summary_rows(res))
    if "sessions" in res:
        _replace(ROOT / "docs" / "benchmark.md", "sessions", sessions_report(res["sessions"], res["sessions"]["city"]))


def _replace(path: Path, marker: str, text: str) -> None:
    doc = path.read_text(encoding="utf-8")
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    if start not in doc or end not in doc:
        raise RuntimeError(f"{path} has no {start} … {end} markers")
    before, rest = doc.split(start, 1)
    path.write_text(before + start + "\n" + text + "\n" + end + rest.split(end, 1)[1], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m analytics.tools.bench")
    p.add_argument("--size", default="10M", help="order lines, e.g. 10M or 50M")
    p.add_argument("--runs", type=int, default=5, help="timed runs per query (median)")
    p.add_argument("--baseline-runs", type=int, default=5)
    p.add_argument("--work", default=None, help="scratch directory (default: a temporary one, removed after)")
    p.add_argument("--out", default=str(ROOT / "bench-results"))
    p.add_argument("--skip-browser", action="store_true")
    p.add_argument("--skip-sessions", action="store_true", help="no concurrent-sessions load (about 25 min on 2 cores)")
    p.add_argument("--sessions-on", default=None, metavar="DATA_DIR",
                   help="only the concurrent sessions, on copies of an existing data directory (e.g. the demo city's)")
    p.add_argument("--publish", action="store_true", help="write the figures into README.md and docs/benchmark.md")
    p.add_argument("--from-json", default=None, help="publish an earlier run's JSON instead of running")
    args = p.parse_args(argv)
    if args.from_json:
        publish(json.loads(Path(args.from_json).read_text()))
        return 0
    if args.sessions_on:
        return sessions_only(Path(args.sessions_on), Path(args.out), args.publish, validate=not args.skip_browser)
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        res = run(args.size, work, runs=args.runs, baseline_runs=args.baseline_runs, skip_browser=args.skip_browser,
                  skip_sessions=args.skip_sessions)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / f"bench-{args.size}.json").write_text(json.dumps(res, indent=1, ensure_ascii=False, default=str))
    text = report(res)
    (Path(args.out) / f"bench-{args.size}.md").write_text(text + "\n")
    if args.publish:
        publish(res)
    print(text)
    return 0


def sessions_only(data_dir: Path, out: Path, publish_it: bool, validate: bool = True) -> int:
    log = lambda text: print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)  # noqa: E731
    lines = connect(Store(data_dir).state_dir()).execute("SELECT COUNT(*) FROM orders").fetchone()[0]
    s = concurrent_sessions(data_dir, validate=validate, log=log)
    s["city"] = f"{data_dir.name} ({lines:,} lines)"
    res = {"machine": machine(), "sessions": s}
    out.mkdir(parents=True, exist_ok=True)
    (out / "sessions.json").write_text(json.dumps(res, indent=1, ensure_ascii=False, default=str))
    if publish_it:
        publish(res)
    print(sessions_report(s, s["city"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
