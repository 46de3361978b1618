"""The browser tests' helpers live in analytics/tools/browser.py, beside the benchmark that drives
the same server; this name keeps `from .browser import …` in the tests."""
from analytics.tools.browser import (  # noqa: F401 - re-exported
    CHROMIUM,
    CHROMIUM_ARGS,
    RENDERED,
    ROOT,
    SCREENSHOTS,
    SKELETON,
    free_port,
    launch,
    screenshot,
    streamlit_server,
    wait_rendered,
)
