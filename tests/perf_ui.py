"""UI timings for the benchmark (`python -m tests.perf_ui pages|browser|cold|cold-plain DATA_DIR`):
AppTest page reruns after a filter change, a real `streamlit run` + chromium filter change with the
server's peak memory, and the cold start (server start to the overview drawn). Beside the browser
tests that share its server driver (tests/browser.py), not part of the product; prints one JSON line."""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from .browser import ROOT, launch, open_select, streamlit_server, wait_rendered

PAGES = ["pages/views/overview.py", "pages/views/mix.py", "pages/views/provincial.py", "pages/views/online.py",
         "pages/views/low_tier.py"]


def page_reruns(data_dir: Path, districts: list[str], runs: int) -> dict[str, dict]:
    """Each page's first run, then reruns after a district filter change (each one a cache miss)."""
    from streamlit.testing.v1 import AppTest

    os.environ["DASHBOARD_DATA_DIR"] = str(data_dir)
    out = {}
    for page in PAGES:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        at.run()
        t0 = time.perf_counter()
        at.switch_page(page).run()
        first = time.perf_counter() - t0
        times = []
        for d in districts[:runs]:
            at.multiselect(key="f_districts").set_value([d])
            t0 = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - t0)
            if at.exception:
                raise RuntimeError(f"{page}: {at.exception[0].value}")
        out[page] = {"first_s": first, "rerun_median_ms": statistics.median(times) * 1000, "reruns": len(times)}
    return out


def browser_timing(data_dir: Path, changes: int) -> dict:
    """Filter change (the year) → script done and every visible chart drawn, median; server VmHWM."""
    from playwright.sync_api import sync_playwright

    with streamlit_server(data_dir) as url, sync_playwright() as p:
        pid = _server_pid(url)
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(url + "/")
        wait_rendered(page, charts=True, timeout=600_000)
        page.goto(url + "/mix")
        wait_rendered(page, charts=True, timeout=600_000)
        years = ["2018", "2019", "2017"]
        times = []
        for i in range(changes):
            year = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first
            open_select(year)
            t0 = time.perf_counter()
            try:
                page.get_by_role("option", name=years[i % 3], exact=True).click()
            except Exception:
                # what the page showed instead, for whoever reads the benchmark's error
                shot = Path(tempfile.gettempdir()) / "perf_ui-failure.png"
                page.screenshot(path=str(shot), full_page=True)
                raise RuntimeError(f"change {i}: no option {years[i % 3]} (screenshot {shot})") from None
            page.wait_for_function("() => document.querySelector('[data-testid=stApp]')"
                                   ".getAttribute('data-test-script-state') === 'running'", timeout=60_000, polling=10)
            wait_rendered(page, charts=True, timeout=600_000)
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            times.append(time.perf_counter() - t0 - 0.3)  # wait_rendered's fixed settle pause is not the app's time
        browser.close()
        return {"filter_change_median_s": statistics.median(times), "changes": len(times), "server_peak_rss_gb": _peak_rss_gb(pid)}


def cold_start(data_dir: Path, runs: int, district: str, launcher: bool = True) -> dict:
    """Server start → the overview fully drawn in Chromium (every chart's SVG, no skeleton), then the
    first visit to a district page; `runs` fresh servers on one port.

    The visitor is a returning one: a browser profile that has seen the app before (its HTTP cache
    holds Streamlit's JavaScript, as any user's does after a first day), so the figure is the
    server's cold start. For comparison, each run also times a later visit to the overview (same
    browser, warm server) and a first-ever visit from an empty browser profile (the browser's own
    cost of parsing Streamlit's and Plotly's JavaScript, which no server-side warm-up can remove)."""
    import tempfile
    import urllib.parse

    from playwright.sync_api import sync_playwright

    from .browser import CHROMIUM, CHROMIUM_ARGS, free_port

    def drawn(page, url: str) -> float:
        t = time.perf_counter()
        page.goto(url)
        wait_rendered(page, charts=True, timeout=600_000)
        return time.perf_counter() - t - 0.3  # less wait_rendered's fixed settle pause

    keys = ("server_ready_s", "overview_s", "district_s", "later_visit_s", "new_browser_s")
    out: dict[str, list[float]] = {k: [] for k in keys}
    port = free_port()
    district_path = "/" + urllib.parse.quote(district)
    with sync_playwright() as p, tempfile.TemporaryDirectory(prefix="perf-profile-") as profile:
        returning = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                                         viewport={"width": 1440, "height": 900})
        with streamlit_server(data_dir, launcher=launcher, port=port) as url:  # the visit that fills its cache
            drawn(returning.pages[0], url + "/")
            drawn(returning.pages[0], url + district_path)
        browser = launch(p)
        for _ in range(runs):
            loadavg = os.getloadavg()[0]
            t0 = time.perf_counter()
            with streamlit_server(data_dir, launcher=launcher, port=port) as url:
                out["server_ready_s"].append(time.perf_counter() - t0)
                page = returning.new_page()
                drawn(page, url + "/")  # as soon as the server answers, as a visitor waiting for it would
                out["overview_s"].append(time.perf_counter() - t0)
                out["district_s"].append(drawn(page, url + district_path))
                out["later_visit_s"].append(drawn(page, url + "/"))
                page.close()
                fresh = browser.new_context(viewport={"width": 1440, "height": 900})
                out["new_browser_s"].append(drawn(fresh.new_page(), url + "/"))
                fresh.close()
            out.setdefault("loadavg_1min", []).append(loadavg)
        browser.close()
        returning.close()
    return {"launcher": "python -m pages.serve" if launcher else "streamlit run app.py", "runs": runs, "district": district,
            **out, **{k.replace("_s", "_worst_s"): max(out[k]) for k in keys}}


def _server_pid(url: str) -> int | None:
    port = url.rsplit(":", 1)[1]
    out = subprocess.run(["bash", "-c", f"ss -ltnp 'sport = :{port}' 2>/dev/null | grep -o 'pid=[0-9]*' | head -1"],
                         capture_output=True, text=True).stdout.strip()
    return int(out.split("=")[1]) if out else None


def _peak_rss_gb(pid: int | None) -> float | None:
    if pid is None or not Path(f"/proc/{pid}/status").exists():
        return None
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024 / 1024
    return None


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=("pages", "browser", "cold", "cold-plain"))
    p.add_argument("data_dir")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--districts", default="")
    a = p.parse_args()
    if a.what == "pages":
        result = page_reruns(Path(a.data_dir), [d for d in a.districts.split(",") if d], a.runs)
    elif a.what in ("cold", "cold-plain"):
        district = next((d for d in a.districts.split(",") if d), "")
        result = cold_start(Path(a.data_dir), a.runs, district, launcher=a.what == "cold")
    else:
        result = browser_timing(Path(a.data_dir), a.runs)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
