"""Concurrent sessions for the benchmark (`python -m tests.perf_load load DATA_DIR --sessions N`):
how many people one server holds.

The client is a light WebSocket client that speaks Streamlit's own protocol (the `BackMsg` /
`ForwardMsg` protobufs in `streamlit.proto`) to a real `streamlit run app.py` on 127.0.0.1: it
opens a district page as the browser does (a `rerun_script` with the page's URL path), then
changes one sidebar filter at a time (year, months, area type) by sending a `rerun_script` with
that widget's new state, exactly the message the browser sends when a filter changes, and times
request sent → `script_finished`. It draws nothing, so it measures the server, not a browser; 20
Chromium instances would not fit on this 2-core machine beside the server they are measuring.
`validate` checks it once against one real Chromium session (same page, same change, same figures).

Meanwhile a separate process loads a correction extract (`python -m analytics ingest`) and rolls it
back (`python -m analytics rollback`), as an analyst would while managers read. Every loop is
bounded in count and time; only 127.0.0.1 is contacted. Prints one JSON line.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from .browser import ROOT, open_select, streamlit_server
from .perf_ui import _server_pid

CORRECTION = ROOT / "data" / "samples" / "订单_城郊片区_2019-12-27_更正.csv"
RERUN_TIMEOUT_S = 180.0  # one script run; beyond it the change counts as an error (timeout)
ROUND_TIMEOUT_S = 900.0  # a whole round stops by itself after this
SETTLE_S = 3.0  # after a round's sessions have closed, before "RSS after"
FILTERS = ("f_year", "f_months", "f_areas")  # the widget keys (pages/common.py sidebar_filters)


@dataclass
class Session:
    """One connected visitor: what the server sent it, and what went wrong."""
    index: int
    url: str
    path: str  # the page's URL path, e.g. "城郊片区"
    page_hash: str = ""
    widgets: dict[str, object] = field(default_factory=dict)  # widget key → its latest element proto
    app_pages: list = field(default_factory=list)
    metrics: list[tuple[str, str]] = field(default_factory=list)  # (label, value) of the last run
    charts: int = 0  # Plotly charts in the last run
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # seconds, filter changes only
    open_s: float | None = None
    runs: int = 0  # script runs that finished successfully
    changed_at: list[tuple[float, float]] = field(default_factory=list)  # (sent, finished), monotonic


def _rerun_msg(s: Session, states: list) -> bytes:
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    cs = msg.rerun_script
    cs.query_string = ""
    # the first request names the page by its URL path, later ones by the hash the server sent back
    cs.page_script_hash = s.page_hash
    cs.page_name = "" if s.page_hash else s.path
    cs.widget_states.widgets.extend(states)
    ci = cs.context_info
    ci.timezone, ci.timezone_offset, ci.locale = "Asia/Shanghai", -480, "zh-CN"
    ci.url = f"{s.url}/{urllib.parse.quote(s.path)}"
    return msg.SerializeToString()


def _widget_state(s: Session, key: str, value: object):
    """The WidgetState the browser sends for `key` set to `value` (formatted options, as shown)."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    el = s.widgets[key]
    w = WidgetState(id=el.id)
    if key == "f_year":
        w.string_value = str(value)
    elif key == "f_months":
        w.double_array_value.data.extend(float(v) for v in value)
    else:
        w.string_array_value.data.extend(value)
    return w


def _changes(s: Session, count: int, rng: random.Random) -> list[tuple[str, object]]:
    """`count` filter changes, one widget each: year, months, area type in turn, with values drawn
    from the widgets' own options, so sessions wander through different cache keys."""
    years = list(s.widgets["f_year"].options)
    areas = list(s.widgets["f_areas"].options)
    month_ranges = [(1, 6), (7, 12), (1, 3), (1, 12)]
    out = []
    for i in range(count):
        kind = FILTERS[(i + s.index) % 3]
        if kind == "f_year":
            out.append((kind, rng.choice(years)))
        elif kind == "f_months":
            out.append((kind, rng.choice(month_ranges)))
        else:
            out.append((kind, rng.sample(areas, rng.randint(0, min(2, len(areas))))))
    return out


async def _script_run(ws, s: Session, payload: bytes, timeout: float) -> bool:
    """Send one rerun request and read ForwardMsgs until the script finishes; False on an error."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    await ws.send(payload)
    metrics: list[tuple[str, str]] = []
    charts = 0
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            s.errors.append("timeout")
            return False
        try:
            raw = await asyncio.wait_for(ws.recv(), left)
        except TimeoutError:
            s.errors.append("timeout")
            return False
        except Exception as exc:  # a closed connection is a disconnect, whatever websockets calls it
            s.errors.append(f"disconnect: {type(exc).__name__}")
            return False
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "navigation":
            s.page_hash = msg.navigation.page_script_hash
            s.app_pages = list(msg.navigation.app_pages)
        elif kind == "page_not_found":
            s.errors.append(f"page not found: {msg.page_not_found.page_name}")
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            el = msg.delta.new_element
            which = el.WhichOneof("type")
            if which == "exception":
                s.errors.append(f"exception: {el.exception.type}: {el.exception.message[:200]}")
            elif which == "metric":
                metrics.append((el.metric.label, el.metric.body))
            elif which == "plotly_chart":
                charts += 1
            elif which in ("selectbox", "multiselect", "slider"):
                inner = getattr(el, which)
                key = inner.id.rsplit("-", 1)[-1]
                if key in FILTERS:
                    s.widgets[key] = inner
        elif kind == "script_finished":
            status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
            if status != "FINISHED_SUCCESSFULLY":
                s.errors.append(f"script {status}")
                return False
            s.metrics, s.charts = metrics, charts
            s.runs += 1
            return True


async def run_session(s: Session, changes: int, think: tuple[float, float], random_state: int,
                      opened: asyncio.Event | None = None, on_open=None) -> Session:
    """Open the page, then `changes` filter changes with a think time between them."""
    from websockets.asyncio.client import connect

    rng = random.Random(random_state)
    ws_url = s.url.replace("http://", "ws://") + "/_stcore/stream"
    try:
        async with connect(ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=60,
                           ping_interval=None, close_timeout=5) as ws:
            t0 = time.perf_counter()
            ok = await _script_run(ws, s, _rerun_msg(s, []), RERUN_TIMEOUT_S)
            s.open_s = time.perf_counter() - t0
            if on_open:
                on_open()
            if opened is not None:
                await opened.wait()  # every session has its page before the changes (and the load) start
            if not ok:
                return s
            missing = [k for k in FILTERS if k not in s.widgets]
            if missing:
                s.errors.append(f"sidebar widgets not found: {missing}")
                return s
            for key, value in _changes(s, changes, rng):
                await asyncio.sleep(rng.uniform(*think))
                payload = _rerun_msg(s, [_widget_state(s, key, value)])
                sent = time.monotonic()
                if not await _script_run(ws, s, payload, RERUN_TIMEOUT_S):
                    return s
                done = time.monotonic()
                s.latencies.append(done - sent)
                s.changed_at.append((sent, done))
    except Exception as exc:  # a refused or dropped connection is an error of this session, not a crash of the run
        s.errors.append(f"disconnect: {type(exc).__name__}: {exc}")
    return s


# --- the server process, observed from outside ----------------------------------------------------

def _cpu_s(pid: int) -> float:
    """utime + stime of the server process (all its threads), seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class RssSampler(threading.Thread):
    """The server's resident memory every 100 ms; the peak of a round."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self._halt = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                self.peak = max(self.peak, _rss_mb(self.pid))
            except OSError:
                return
            self._halt.wait(0.1)

    def stop(self) -> float:
        self._halt.set()
        self.join(5)
        return self.peak


def load_and_rollback(data_dir: Path, extract: Path) -> dict:
    """An analyst's correction, loaded and withdrawn through the CLI in child processes."""
    env = {**os.environ, "DASHBOARD_DATA_DIR": str(data_dir)}
    base = [sys.executable, "-m", "analytics"]
    t0 = time.monotonic()
    out = subprocess.run([*base, "ingest", str(extract), "--data-dir", str(data_dir), "--quiet", "--lang", "en"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    t1 = time.monotonic()
    found = re.search(r"^(E\d+)\b", out.stdout, re.M)
    if out.returncode != 0 or not found:
        return {"error": f"ingest failed ({out.returncode}): {(out.stdout + out.stderr)[-500:]}", "start": t0, "end": t1}
    back = subprocess.run([*base, "rollback", found.group(1), "--data-dir", str(data_dir), "--quiet", "--lang", "en"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    t2 = time.monotonic()
    if back.returncode != 0:
        return {"error": f"rollback failed ({back.returncode}): {(back.stdout + back.stderr)[-500:]}", "start": t0, "end": t2}
    return {"extract": found.group(1), "ingest_s": t1 - t0, "rollback_s": t2 - t1, "start": t0, "end": t2}


def district_paths(url: str) -> list[str]:
    """The district pages' URL paths, as the server's navigation lists them (one visit to the overview)."""
    from analytics.slugs import RESERVED

    s = asyncio.run(run_session(Session(0, url, ""), 0, (0, 0), 0))
    if s.errors:
        raise RuntimeError(f"first visit failed: {s.errors}")
    return [p.url_pathname for p in s.app_pages if p.url_pathname and p.url_pathname not in RESERVED]


async def _round(url: str, paths: list[str], sessions: int, changes: int, think: tuple[float, float], random_state: int,
                 data_dir: Path, extract: Path | None) -> tuple[list[Session], dict | None]:
    opened = asyncio.Event()
    count = {"n": 0}

    def on_open() -> None:
        count["n"] += 1
        if count["n"] == sessions:
            opened.set()

    people = [Session(i, url, paths[i % len(paths)]) for i in range(sessions)]
    tasks = [asyncio.create_task(run_session(s, changes, think, random_state * 1000 + s.index, opened, on_open)) for s in people]
    load = None
    try:
        await asyncio.wait_for(opened.wait(), RERUN_TIMEOUT_S * 2)
        if extract is not None:
            load = asyncio.create_task(asyncio.to_thread(load_and_rollback, data_dir, extract))
        await asyncio.wait_for(asyncio.gather(*tasks), ROUND_TIMEOUT_S)
        if load is not None:
            load = await asyncio.wait_for(load, ROUND_TIMEOUT_S)
    except TimeoutError:
        for task in tasks:
            task.cancel()
        for s in people:
            s.errors.append("round timeout")
        if isinstance(load, asyncio.Task):
            load = {"error": "load/rollback did not finish within the round"}
    return people, load


def load_test(data_dir: Path, sessions: int, changes: int, rounds: int, think: tuple[float, float],
              extract: Path | None = CORRECTION, random_state: int = 1) -> dict:
    """`rounds` rounds of `sessions` concurrent visitors × `changes` filter changes on district pages,
    each round with a correction loaded and rolled back meanwhile; the server's CPU and memory."""
    with streamlit_server(data_dir) as url:
        pid = _server_pid(url)
        if pid is None:
            raise RuntimeError("server pid not found")
        paths = district_paths(url)
        # one visit per district page first: the first-visit costs (imports, the connection, the
        # warm-up) are the cold start's figure, not this one's
        warm = [asyncio.run(run_session(Session(0, url, p), 0, (0, 0), 0)) for p in paths]
        if any(s.errors for s in warm):
            raise RuntimeError(f"warm-up visit failed: {[s.errors for s in warm if s.errors]}")
        time.sleep(SETTLE_S)
        out_rounds = []
        for r in range(rounds):
            rss_before = _rss_mb(pid)
            cpu0 = _cpu_s(pid)
            load0 = os.getloadavg()[0]
            client0 = time.process_time()
            sampler = RssSampler(pid)
            sampler.start()
            t0 = time.monotonic()
            people, load = asyncio.run(_round(url, paths, sessions, changes, think, random_state + r, data_dir, extract))
            wall = time.monotonic() - t0
            cpu = _cpu_s(pid) - cpu0
            client_cpu = time.process_time() - client0
            time.sleep(SETTLE_S)
            peak = sampler.stop()
            lat = [x for s in people for x in s.latencies]
            runs = sum(s.runs for s in people)
            during = 0
            if load and "start" in load:
                during = sum(1 for s in people for sent, done in s.changed_at if done >= load["start"] and sent <= load["end"])
            out_rounds.append({
                "errors": [e for s in people for e in s.errors] + ([load["error"]] if load and "error" in load else []),
                "filter_changes": len(lat), "script_runs": runs,
                "p50_s": statistics.median(lat) if lat else None,
                "p95_s": _p95(lat), "max_s": max(lat) if lat else None,
                "open_p50_s": statistics.median([s.open_s for s in people if s.open_s is not None] or [0]),
                "server_cpu_s": cpu, "cpu_per_run_s": cpu / runs if runs else None, "client_cpu_s": client_cpu,
                "wall_s": wall, "rss_before_mb": rss_before, "rss_peak_mb": peak, "rss_after_mb": _rss_mb(pid),
                "loadavg_1min_start": load0, "loadavg_1min_end": os.getloadavg()[0],
                "load": {k: v for k, v in (load or {}).items() if k not in ("start", "end")}, "changes_during_load": during,
            })
    return {"sessions": sessions, "changes": changes, "rounds": out_rounds, "think_s": list(think),
            "pages": paths, "client": "WebSocket (Streamlit protocol)", "server": "streamlit run app.py"}


def _p95(values: list[float]) -> float | None:
    if not values:
        return None
    if len(values) < 20:
        return max(values)
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


# --- one real browser beside the client -------------------------------------------------------------

def validate(data_dir: Path, year: str = "2018") -> dict:
    """The client beside one Chromium session. Figures: the client, on a district page the browser
    has just shown after the same change (the year), must read the same KPI cards and count the same
    charts. Times: the same change on two other-wise cold district pages (each a cache miss), request
    → script finished, as the client sees it and as the browser does (its script state back to notRunning)."""
    from playwright.sync_api import sync_playwright

    from .browser import launch, wait_rendered

    async def client(url: str, path: str) -> Session:
        from websockets.asyncio.client import connect

        s = Session(0, url, path)
        async with connect(url.replace("http://", "ws://") + "/_stcore/stream", subprotocols=["streamlit"],
                           max_size=None, ping_interval=None) as ws:
            await _script_run(ws, s, _rerun_msg(s, []), RERUN_TIMEOUT_S)
            sent = time.monotonic()
            await _script_run(ws, s, _rerun_msg(s, [_widget_state(s, "f_year", year)]), RERUN_TIMEOUT_S)
            s.latencies.append(time.monotonic() - sent)
        return s

    with streamlit_server(data_dir) as url:
        timed_path, path = district_paths(url)[:2]
        timed = asyncio.run(client(url, timed_path))
        with sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(f"{url}/{urllib.parse.quote(path)}")
            wait_rendered(page, charts=True, timeout=600_000)
            open_select(page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first)
            t0 = time.perf_counter()
            page.get_by_role("option", name=year, exact=True).click()
            page.wait_for_function("() => document.querySelector('[data-testid=stApp]')"
                                   ".getAttribute('data-test-script-state') === 'running'", timeout=60_000, polling=10)
            page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=600_000)
            browser_s = time.perf_counter() - t0
            wait_rendered(page, charts=True, timeout=600_000)
            cards = page.locator('[data-testid="stMetric"]')
            seen = [(cards.nth(i).locator('[data-testid="stMetricLabel"]').inner_text().strip(),
                     cards.nth(i).locator('[data-testid="stMetricValue"]').inner_text().strip()) for i in range(cards.count())]
            charts = page.locator('[data-testid="stPlotlyChart"]').count()
            browser.close()
        s = asyncio.run(client(url, path))
    client_metrics = [(label.strip(), body.strip()) for label, body in s.metrics]
    return {"page": path, "year": year, "client_errors": timed.errors + s.errors, "client_metrics": client_metrics,
            "browser_metrics": seen, "same_metrics": client_metrics == seen and bool(seen), "client_charts": s.charts,
            "browser_charts": charts, "timed_client_page": timed_path, "client_change_s": timed.latencies[0],
            "browser_change_s": browser_s}


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m tests.perf_load")
    p.add_argument("what", choices=("load", "validate"))
    p.add_argument("data_dir")
    p.add_argument("--sessions", type=int, default=10)
    p.add_argument("--changes", type=int, default=6, help="filter changes per session and round")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--think", default="1,3", help="seconds between a session's changes, min,max")
    p.add_argument("--no-load", action="store_true", help="no correction loaded and rolled back meanwhile")
    p.add_argument("--extract", default=str(CORRECTION), help="the orders extract loaded and rolled back each round (GBK CSV)")
    p.add_argument("--random-state", type=int, default=1)
    a = p.parse_args()
    if a.what == "validate":
        result = validate(Path(a.data_dir))
    else:
        lo, hi = (float(x) for x in a.think.split(","))
        extract = None if a.no_load else Path(a.extract)
        result = load_test(Path(a.data_dir), a.sessions, a.changes, a.rounds, (lo, hi), extract, a.random_state)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
