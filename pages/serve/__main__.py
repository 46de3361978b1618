"""`python -m pages.serve [streamlit options]`: `streamlit run app.py` with the first visit's caches warmed
as soon as the server is up (what `make run` starts).

Streamlit runs no app code until a browser connects, so under plain `streamlit run app.py` the
first visitor after a start pays for the imports, the connection and the overview's queries (the
app then warms the other pages in the background). Here the same warm-up runs in the server's own
process, into the same caches, while the server waits for its first visitor."""
from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

# a package, not pages/serve.py: Streamlit's first run of a process treats every pages/*.py as a page
# of its own (multipage v1), and this module must never run as one
APP = Path(__file__).resolve().parents[2] / "app.py"  # the frame, beside pages/


def _warm_when_ready() -> None:
    from streamlit import runtime

    while not runtime.exists():  # the caches live in the runtime: wait until the server made it
        time.sleep(0.05)
    from pages import common

    thread = common.start_warm_up()
    if thread is not None:
        thread.join()


def _address(args: list[str]) -> str | None:
    """The address Streamlit will listen on: the --server.address flag, else its environment variable
    and .streamlit/config.toml, as Streamlit reads them."""
    from streamlit import config as streamlit_config

    flag = None
    for i, a in enumerate(args):
        if a == "--server.address" and i + 1 < len(args):
            flag = args[i + 1]
        elif a.startswith("--server.address="):
            flag = a.split("=", 1)[1]
    streamlit_config.get_config_options(force_reparse=True, options_from_flags={"server.address": flag} if flag else {})
    return streamlit_config.get_option("server.address") or None


def main() -> int:
    # The first script run of a process serves a `pages/` folder beside the main script as multipage-v1
    # pages until app.py's st.navigation says otherwise, so the first request for a deep link (a
    # district's page) answered "Page not found" over the right page (upstream #9992). This app always
    # navigates with st.navigation: say so before the first run.
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False
    from analytics import config
    from analytics.access import AuthSettings, SettingsError, check_binding, load_checked

    args = sys.argv[1:]
    if not any(a.startswith("--server.maxUploadSize") for a in args):
        # Streamlit's upload limit is the product's file limit (DASHBOARD_MAX_FILE_MB), not a second number
        args.append(f"--server.maxUploadSize={config.MAX_FILE_BYTES // (1024 * 1024)}")
    try:
        settings = AuthSettings.from_env()
        check_binding(_address(args), settings.mode)
    except SettingsError as exc:
        # before anything listens: a server that would be open to others, or a mistyped mode, never starts
        print(f"error: {exc.message()}", file=sys.stderr)
        return 2
    if settings.mode != "local":
        # said at the start, with lines, to whoever starts the server: a file with problems lets nobody
        # in (the refusal page says only that), and the file may be fixed while the server runs
        file, _ = load_checked(settings.access_file)
        for message in file.messages():
            print(f"warning: {file.path}: {message}", file=sys.stderr)
        if not file.ok:
            print("warning: nobody can sign in until the access file is fixed (python -m analytics access check)", file=sys.stderr)
    from analytics.store import Store

    Store().upgrade()  # data loaded by an older version: rebuilt once, before the first visitor
    threading.Thread(target=_warm_when_ready, name="dashboard-warm-up-start", daemon=True).start()
    sys.argv = ["streamlit", "run", str(APP), *args]
    return cli.main(prog_name="streamlit")


if __name__ == "__main__":
    sys.exit(main())
