"""Helpers for the browser tests and the benchmark: a real `streamlit run` on a free 127.0.0.1 port and
Debian's chromium."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
RENDERED = '[data-testid="stApp"][data-test-script-state="notRunning"]'
SKELETON = '[data-testid="stSkeleton"]'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(data_dir: Path, extra_env: dict | None = None, launcher: bool = False,
                     port: int | None = None, bare: bool = False, args: tuple[str, ...] = ()) -> Iterator[str]:
    """Serve app.py on 127.0.0.1:<free port>; stopped when the block ends. launcher=True starts it
    as `make run` does (python -m pages.serve: the caches warmed at start) instead of `streamlit run app.py`.
    bare=True passes only the address and port, and none of the test suite's STREAMLIT_* or
    DASHBOARD_RAISE_ERRORS variables: every other setting comes from .streamlit/config.toml. `args` are
    more command-line options (e.g. `--secrets.files`, so a test never writes into the repository's .streamlit/)."""
    port = port or free_port()
    base = {k: v for k, v in os.environ.items() if not bare or not (k.startswith("STREAMLIT_") or k == "DASHBOARD_RAISE_ERRORS")}
    env = {**base, "DASHBOARD_DATA_DIR": str(data_dir), **(extra_env or {})}
    flags = [] if bare else ["--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    log = open(data_dir.parent / f"streamlit-{port}.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, *(["-m", "pages.serve"] if launcher else ["-m", "streamlit", "run", str(ROOT / "app.py")]),
         "--server.address", "127.0.0.1", "--server.port", str(port), *flags, *args],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start; see {log.name}")
            time.sleep(0.3)
        yield url
    finally:
        stop(proc, timeout=15)
        log.close()


def stop(proc: subprocess.Popen, timeout: float) -> None:
    """Stop a server a test started: asked first, killed if it does not go within `timeout` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def wait_rendered(page, charts: bool = False, timeout: float = 60_000) -> None:
    """Script finished; with charts=True also every Plotly chart on the page has drawn its SVG."""
    page.wait_for_selector(RENDERED, timeout=timeout)
    # the script is done, but lazily loaded components (st.metric among them) show a Suspense
    # skeleton until their code has loaded; on a busy machine that outlasts the charts
    page.wait_for_function(f"() => !document.querySelector('{SKELETON}')", timeout=timeout)
    if charts:
        page.wait_for_function(
            """() => {
                const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                    .filter(c => c.offsetParent !== null);  // charts in hidden tabs draw when shown
                return charts.length > 0 && charts.every(c => c.querySelector('.main-svg'));
            }""",
            timeout=timeout,
        )
    page.wait_for_timeout(300)


def open_select(select) -> None:
    """Open a selectbox's dropdown as a user would: scrolled to the middle of its pane first. A box at
    the pane's bottom edge (the year under a long navigation) counts as visible, so a plain click
    scrolls the pane during the click, which closes the dropdown it opened."""
    select.evaluate("e => e.scrollIntoView({block: 'center'})")
    select.page.wait_for_timeout(200)
    select.click()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
