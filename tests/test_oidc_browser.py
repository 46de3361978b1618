"""OIDC mode in Chromium against a real OpenID Connect provider: panva's oidc-provider (tests/oidc/,
installed by `make test` with `npm ci --prefix tests/oidc`) under the machine's Node.js on 127.0.0.1,
and a real `streamlit run` with DASHBOARD_AUTH=oidc and an [auth] secrets file of the test's own
(--secrets.files). The sign-in page, Streamlit's st.login through the provider's form as a manager of
城郊片区, the scoped dashboard, st.logout through the provider's end-session endpoint, and the sign-in
page again."""
from __future__ import annotations

import contextlib
import json
import secrets
import selectors
import shutil
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from analytics.labels import t
from analytics.slugs import district_slug

from .browser import ROOT, free_port, launch, stop, streamlit_server, wait_rendered

pytestmark = pytest.mark.browser

OIDC = ROOT / "tests" / "oidc"
MINE = "城郊片区"
ACCESS = f"""
[[users]]
id = "zhang.san@example.com"
name = "张三"
role = "manager"
districts = ["{MINE}"]
"""


@contextlib.contextmanager
def oidc_provider(workdir: Path, redirect_uri: str, client_secret: str) -> Iterator[str]:
    """The test provider on 127.0.0.1:<free port> with one client (the app) and one user, `zhang`
    (email zhang.san@example.com, any password); yields its issuer URL, stopped when the block ends."""
    node = shutil.which("node")
    assert node, "Node.js is needed for the OIDC provider (the machine's /usr/bin/node)"
    assert (OIDC / "node_modules" / "oidc-provider").is_dir(), "run `npm ci --prefix tests/oidc` (make test does)"
    config = workdir / "provider.json"
    config.write_text(json.dumps({
        "port": free_port(),
        "clients": [{"client_id": "dashboard", "client_secret": client_secret, "redirect_uris": [redirect_uri]}],
        "users": {"zhang": {"email": "zhang.san@example.com", "name": "张三"}},
    }))
    log = open(workdir / "provider.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([node, str(OIDC / "oidc_provider.mjs"), str(config)], cwd=OIDC, stdout=subprocess.PIPE,
                            stderr=log, text=True)
    try:
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            ready = sel.select(timeout=30)
        line = proc.stdout.readline() if ready else ""
        if not line.startswith("OIDC_READY "):
            raise RuntimeError(f"the OIDC provider did not start ({line!r}); see {log.name}")
        yield line.split()[1]
    finally:
        stop(proc, timeout=10)
        proc.stdout.close()
        log.close()


def test_sign_in_see_the_scoped_dashboard_sign_out(demo_dir, tmp_path):
    from playwright.sync_api import sync_playwright

    port = free_port()
    app = f"http://127.0.0.1:{port}"  # the browser uses the redirect URI's own host, or the state cookie is lost
    client_secret = secrets.token_urlsafe(24)
    access_file = tmp_path / "access.toml"
    access_file.write_text(ACCESS, encoding="utf-8")
    started = time.monotonic()
    with oidc_provider(tmp_path, f"{app}/oauth2callback", client_secret) as issuer:
        secrets_file = tmp_path / "secrets.toml"
        secrets_file.write_text(
            "[auth]\n"
            f'redirect_uri = "{app}/oauth2callback"\n'
            f'cookie_secret = "{secrets.token_hex(32)}"\n'
            'client_id = "dashboard"\n'
            f'client_secret = "{client_secret}"\n'
            f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n', encoding="utf-8")
        env = {"DASHBOARD_AUTH": "oidc", "DASHBOARD_ACCESS_FILE": str(access_file)}
        with streamlit_server(demo_dir, env, port=port, args=("--secrets.files", str(secrets_file))) as server, \
                sync_playwright() as p:
            assert server == app
            browser = launch(p)
            context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
            page = context.new_page()

            # the sign-in page: a button and no data
            page.goto(app + "/")
            wait_rendered(page)
            expect(page.get_by_text(t("auth_sign_in"), exact=True)).to_be_visible()
            assert page.locator('[data-testid="stSidebarNav"], [data-testid="stMetricValue"]').count() == 0
            assert MINE not in page.locator("body").inner_text()

            # st.login: the whole tab goes to the provider's form, and back to the dashboard
            page.get_by_role("button", name=t("auth_sign_in_button")).click()
            page.wait_for_url(f"{issuer}/interaction/**", timeout=30_000)
            page.fill("#username", "zhang")
            page.fill("#password", "any")
            page.click("#sign-in")
            page.wait_for_url(f"{app}/**", timeout=30_000)
            wait_rendered(page)

            # the dashboard of 城郊片区, for 张三
            sidebar = page.locator('[data-testid="stSidebar"]')
            expect(sidebar.get_by_text(f"张三 · {t('role_manager')} · {MINE}")).to_be_visible(timeout=30_000)
            caption = page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').first
            expect(caption).to_contain_text(f"{t('my_scope')}: {MINE} · ")
            hrefs = page.locator('[data-testid="stSidebarNav"] a').evaluate_all("els => els.map(e => e.href)")
            paths = {urllib.parse.unquote(urllib.parse.urlparse(h).path).strip("/") for h in hrefs}
            assert district_slug(MINE) in paths
            assert not paths & {district_slug(d) for d in ("城区一片区", "城北片区", "开发区片区")}
            assert "data" not in paths
            expect(page.locator('[data-testid="stMetricValue"]').first).to_have_text("977.87 箱")

            # st.logout: through the provider's end-session endpoint, back to the sign-in page
            sidebar.get_by_role("button", name=t("auth_sign_out")).click()
            page.wait_for_url(f"{app}/**", timeout=30_000)
            expect(page.get_by_role("button", name=t("auth_sign_in_button"))).to_be_visible(timeout=30_000)
            wait_rendered(page)
            assert page.locator('[data-testid="stSidebarNav"], [data-testid="stMetricValue"]').count() == 0
            assert MINE not in page.locator("body").inner_text()
            # signed out for real: opening the dashboard again asks to sign in
            page.goto(app + "/")
            wait_rendered(page)
            expect(page.get_by_role("button", name=t("auth_sign_in_button"))).to_be_visible()
            context.close()
            browser.close()
    assert time.monotonic() - started < 120
