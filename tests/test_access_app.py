"""AppTest: who sees which pages and figures (issue #12). The identity comes from Streamlit's own
st.user, seeded the way Streamlit's test API provides (oidc mode); the access file is a real file in
the data directory, read and checked by the app as in production. Browser tests drive the proxy and
oidc modes end to end (tests/test_access_browser.py, tests/test_oidc_browser.py)."""
from __future__ import annotations

import json
import tomllib
import urllib.parse

import pytest
from streamlit.testing.v1 import AppTest

from analytics import audit, config, queries
from analytics.columns import COMPARISON_MEASURES, header
from analytics.db import connect_store
from analytics.filters import Filters
from analytics.store import Store
from analytics.text import md_escape

from .conftest import ROOT

TIMEOUT = 120
HOME = "城郊片区"
OTHER = "东部乡镇片区"
ACCESS = f"""
[[users]]
id = "admin@example.com"
role = "admin"

[[users]]
id = "analyst@example.com"
role = "analyst"

[[users]]
id = "zhang.san@example.com"
name = "张三"
role = "manager"
districts = ["{HOME}"]

[[users]]
id = "east@example.com"
role = "manager"
districts = ["{OTHER}"]

[[users]]
id = "wu.ting@example.com"
role = "manager"
districts = ["{HOME}"]
managers = ["吴婷"]

[[users]]
id = "viewer@example.com"
role = "viewer"
districts = ["{HOME}"]
"""


@pytest.fixture
def signed_in(demo_dir, monkeypatch):
    """An AppTest of the app in oidc mode on the demo city, with the access file above."""
    access_file = demo_dir.parent / "access-app-test.toml"
    access_file.write_text(ACCESS, encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(demo_dir))
    monkeypatch.setenv("DASHBOARD_AUTH", "oidc")
    monkeypatch.setenv("DASHBOARD_ACCESS_FILE", str(access_file))

    def app(email: str | None, query: dict | None = None, url_path: str = "") -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
        at.user = {"is_logged_in": email is not None, "email": email}
        at.context = {"url": f"http://127.0.0.1:8501/{url_path}"}
        for k, v in (query or {}).items():
            at.query_params[k] = v
        return at.run()

    app.access_file = access_file
    return app


def _text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [m.value for m in at.metric]
    parts += [w.value for w in at.warning] + [i.value for i in at.info] + [e.value for e in at.error]
    parts += [t.value for t in at.title] + [str(df.value.to_dict()) for df in at.dataframe]
    parts += [str(m.options) for m in at.multiselect]
    return "\n".join(parts)


def _pages(at: AppTest) -> set[str]:
    return set(at.session_state["_pages"]) - {""}


def _district_rows(at: AppTest) -> list[str]:
    """The first column of the overview's district comparison: the table of 片区 with the comparison's
    columns (COMPARISON_MEASURES), wherever it stands among the page's tables (任务进度's come first)."""
    wanted = {header(c, "zh") for c in COMPARISON_MEASURES}
    table = next(df.value for df in at.dataframe if df.value.columns[0] == "片区" and wanted <= set(df.value.columns))
    return list(table.iloc[:, 0])


def _volume(at: AppTest) -> str:
    return next(m for m in at.metric if m.label == "销量").value


def _district_volume(demo_dir, district: str) -> str:
    con = connect_store(Store(demo_dir))
    years = queries.years(con)
    s = queries.summary(con, Filters(year=years[-1], compare_year=years[-2], districts=(district,)))
    return f"{s.volume_cases:,.2f} 箱"


def test_a_manager_sees_their_district_only_labelled_as_theirs(signed_in, demo_dir):
    at = signed_in("zhang.san@example.com")
    assert not at.exception, [e.value for e in at.exception]
    # the navigation: the company pages, their district's page and the presentation; no other
    # district, no 数据管理, no admin pages
    assert _pages(at) == {"overview", "mix", "provincial", "online", "low-tier", "managers", "suspects", "visits", "brands", HOME,
                          "present"}
    # the company view is their district's, and says so
    assert _volume(at) == _district_volume(demo_dir, HOME)
    assert any(c.value.startswith("我的片区\\: 城郊片区") for c in at.caption)
    assert _district_rows(at) == [HOME, "我的片区合计"]
    # the sidebar offers their district only, and says who is signed in
    assert at.sidebar.multiselect[0].options == [HOME]
    assert any("张三 · 经理 · 城郊片区" in c.value for c in at.sidebar.caption)
    assert OTHER not in _text(at)


def test_a_company_page_of_a_scoped_user_never_says_whole_city(signed_in):
    at = signed_in("zhang.san@example.com")
    at.switch_page("pages/views/low_tier.py").run()
    assert not at.exception
    text = _text(at)
    assert "全市" not in text and OTHER not in text
    assert "我的片区\\: 城郊片区" in text


@pytest.mark.parametrize("path", ["data", "东部乡镇片区", "access", "audit", "no-such-page"])
def test_a_page_outside_the_session_is_one_refusal_that_names_nothing(signed_in, demo_dir, path):
    at = signed_in("zhang.san@example.com", url_path=path)
    assert not at.exception
    assert [w.value for w in at.warning] == ["此页面不存在，或不在您的访问范围内。"]
    assert not at.metric and not at.dataframe and not at.file_uploader
    assert OTHER not in _text(at)
    # and the attempt is in the audit log, under who made it
    last = audit.read(demo_dir, identity="zhang.san@example.com", action="refused").iloc[0]  # newest first
    assert (last["target"], last["result"], json.loads(last["details"])) == (path, "refused", {"what": "page"})


@pytest.mark.parametrize("query", [{"d": OTHER}, {"present": "1", "d": OTHER}, {"d": f"{OTHER},{HOME}"}])
def test_a_link_to_another_district_is_refused_and_shows_none_of_it(signed_in, demo_dir, query):
    at = signed_in("zhang.san@example.com", query=query)
    assert not at.exception, [e.value for e in at.exception]
    assert "链接中的片区不在您的访问范围内，只显示您可以查看的片区。" in [w.value for w in at.warning]
    last = audit.read(demo_dir, identity="zhang.san@example.com", action="refused").iloc[0]  # newest first
    assert (last["target"], json.loads(last["details"])) == (query["d"], {"what": "link"})
    text = _text(at)
    assert OTHER not in text
    if "present" not in query:
        assert _volume(at) == _district_volume(demo_dir, HOME)


def _district_page(name: str) -> AppTest:
    """A district's page run alone, without the frame: the session is established by the page's
    first question, and its filters are cut to the scope all the same."""
    def script():
        import os
        import sys

        sys.path.insert(0, os.environ["APP_ROOT"])
        import streamlit as st

        from pages import common, district

        # the sidebar asked without a scope: the page's filters are the session's all the same
        st.session_state["filters"] = common.sidebar_filters(show_district=False)
        district.render(os.environ["APP_DISTRICT"])

    import os

    os.environ["APP_ROOT"], os.environ["APP_DISTRICT"] = str(ROOT), name
    return AppTest.from_function(script, default_timeout=TIMEOUT)


def test_a_viewer_sees_aggregates_and_no_retailer_row(signed_in, demo_dir):
    con = connect_store(Store(demo_dir))
    retailers = queries.retailer_table(con, Filters(districts=(HOME,)), limit=100_000)
    hidden = "零售户明细（名称、许可证号、零售户表和订单）不在您的权限内。"
    at = signed_in("viewer@example.com")
    assert not at.exception, [e.value for e in at.exception]
    assert _pages(at) == {"overview", "mix", "provincial", "online", "low-tier", "managers", "brands", HOME,
                          "present"}
    for page in ("pages/views/online.py", "pages/views/low_tier.py"):
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        text = _text(at)
        assert hidden in text
        assert not any(n in text for n in retailers["retailer_name"])
    page = _district_page(HOME)
    page.user = {"is_logged_in": True, "email": "viewer@example.com"}
    page.run()
    assert not page.exception, [e.value for e in page.exception]
    text = _text(page)
    assert _volume(page) == _district_volume(demo_dir, HOME)  # the figures are there
    assert hidden in text and not page.main.selectbox  # the retailer table, swings and drill-down are not
    assert not any(r in text for r in retailers["retailer_id"]) and not any(n in text for n in retailers["retailer_name"])


def test_a_district_page_run_alone_is_still_cut_to_the_scope(signed_in, demo_dir):
    """A page that forgot its session's scope must still show nothing outside it: the east manager's
    session asking for 城郊片区's page gets no figure of it."""
    page = _district_page(HOME)
    page.user = {"is_logged_in": True, "email": "east@example.com"}
    page.run()
    assert not page.exception, [e.value for e in page.exception]
    assert _district_volume(demo_dir, HOME) not in _text(page)
    assert not page.dataframe or all(df.value.empty for df in page.dataframe)


def test_an_analyst_sees_every_district_and_the_data_page(signed_in, demo_dir):
    at = signed_in("analyst@example.com")
    assert not at.exception
    districts = queries.districts(connect_store(Store(demo_dir)))
    assert _pages(at) == {"overview", "mix", "provincial", "online", "low-tier", "managers", "suspects", "visits", "brands", "data",
                          "present",
                          *districts}
    assert any(c.value.startswith("片区\\: 全市") for c in at.caption)


def test_an_unknown_identity_sees_only_the_no_access_page(signed_in):
    at = signed_in("stranger@example.com")
    assert not at.exception
    assert [w.value for w in at.warning] == [f"您（{md_escape('stranger@example.com')}）还没有本看板的访问权限，请联系管理员开通。"]
    assert not at.metric and not at.dataframe and not at.sidebar.multiselect
    assert "_pages" not in at.session_state
    assert [b.label for b in at.button] == ["退出登录"]  # to try another account


def test_signed_out_sees_the_sign_in_page_only(signed_in):
    at = signed_in(None)
    assert not at.exception
    assert [i.value for i in at.info] == ["请使用公司账号登录后查看看板。"]
    assert [b.label for b in at.button] == ["登录"]
    assert not at.metric and not at.dataframe


def test_a_broken_access_file_lets_nobody_in_except_in_local_mode(signed_in, monkeypatch):
    signed_in.access_file.write_text(ACCESS + '\n[[users]]\nid = "x@example.com"\nrole = "boss"\n', encoding="utf-8")
    for who in ("admin@example.com", "zhang.san@example.com"):
        at = signed_in(who)
        assert [w.value for w in at.warning] == ["访问权限配置有误，暂时无法进入，请联系管理员。"]
        assert not at.metric
    # local mode reads no access file: the laptop's one administrator still works
    monkeypatch.setenv("DASHBOARD_AUTH", "local")
    at = signed_in(None)
    assert not at.exception and at.metric
    assert any("未启用登录 · 仅本机可以访问" in c.value for c in at.sidebar.caption)


def test_a_mistyped_mode_refuses_everyone_with_the_reason(signed_in, monkeypatch):
    monkeypatch.setenv("DASHBOARD_AUTH", "proxi")
    at = signed_in("admin@example.com")
    assert [e.value for e in at.error] == ["DASHBOARD_AUTH=proxi 无效：可选 local, oidc, proxy。"]
    assert not at.metric


def test_cached_figures_never_cross_scopes(signed_in, demo_dir):
    """Two sessions of different scopes in one server process, turn by turn: each reads its own
    district's figures, though every query goes through the same cache."""
    home, east = signed_in("zhang.san@example.com"), signed_in("east@example.com")
    for _ in range(2):
        for at in (home.run(), east.run()):
            assert not at.exception
        assert _volume(home) == _district_volume(demo_dir, HOME)
        assert _volume(east) == _district_volume(demo_dir, OTHER)
        assert _district_rows(home) == [HOME, "我的片区合计"]
        assert _district_rows(east) == [OTHER, "我的片区合计"]


def test_streamlit_settings_keep_the_server_closed():
    """The upload limit is the product's file limit, the server listens on this computer unless a
    deployment says otherwise, and nothing turns Streamlit's XSRF protection off."""
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert cfg["server"]["maxUploadSize"] * 1024 * 1024 == config.MAX_FILE_BYTES
    assert cfg["server"]["address"] == "127.0.0.1"
    assert cfg["server"].get("enableXsrfProtection", True) is True
    assert cfg["server"].get("enableCORS", True) is True
    # a table's own CSV download would bypass the audited export buttons
    assert cfg["client"]["disableDataExport"] is True


def test_the_presentation_and_deck_of_a_manager_are_their_district(demo_dir):
    """What the presentation screens and the PPTX slides are drawn from (report.story), under the
    scope a manager of 城郊片区 gets with nothing chosen: 城郊片区's figures, named 城郊片区, and not
    a word of another district in any title, key number, table, caption or paragraph."""
    from analytics.access import Scope
    from analytics.columns import covered
    from analytics.report import TOPICS, story

    con = connect_store(Store(demo_dir))
    years = queries.years(con)
    f = Filters(year=years[-1], compare_year=years[-2]).within(Scope(districts=(HOME,)))
    assert covered(f, "zh") == HOME
    s = story(con, f, covered(f, "zh"))
    assert f"{s.summary.volume_cases:,.2f} 箱" == _district_volume(demo_dir, HOME)
    assert list(s.district_rows().iloc[:, 0]) == [HOME, "我的片区合计"]
    words = [s.caption(), s.text, s.district_rows().to_string(), *(s.title(t) for t in TOPICS),
             *(n for t in TOPICS for n in s.key_numbers(t)), str(vars(s))]
    others = [d for d in queries.districts(con) if d != HOME]
    assert not [d for d in others for w in words if d in w]
    assert s.title("kpis").startswith(HOME) or HOME in s.caption()


def test_a_customer_managers_scope_shows_their_retailers_figures(signed_in):
    """A manager limited to one 客户经理 sees that manager's retailers only: 吴婷's 482.27 of
    城郊片区's 977.87 箱 in 2019 (the other manager's 495.60), named as such, on every company page."""
    at = signed_in("wu.ting@example.com")
    assert not at.exception, [e.value for e in at.exception]
    assert _volume(at) == "482.27 箱"
    assert any(c.value.startswith("我的片区\\: 城郊片区 · 客户经理 吴婷") for c in at.caption)
    for page in ("pages/views/mix.py", "pages/views/provincial.py", "pages/views/online.py", "pages/views/low_tier.py"):
        at.switch_page(page).run()
        assert not at.exception and not at.warning, page


def test_a_managers_scope_lists_only_their_own_managers(signed_in):
    """吴婷's scope: the 客户经理 choice (on her district's page) offers her alone, the managers page has
    her row and her scope's total (482.27 箱, 115 customers), and a link naming 周杰 (her district's other
    manager) shows nothing of his."""
    from streamlit.util import calc_hash

    from analytics.slugs import district_slug
    from pages.common import LINK_TEXT

    at = signed_in("wu.ting@example.com", {"mgr": "周杰"})
    assert not at.exception, [e.value for e in at.exception]
    assert "链接中的客户经理参数无效，已忽略无法识别的值" in [t.value for t in at.toast]
    at._page_hash = calc_hash(district_slug(HOME))  # her district's page (st.Page hashes its url path)
    at.run()
    assert at.multiselect(key="f_managers").options == ["吴婷"] and at.multiselect(key="f_managers").value == []
    at.switch_page("pages/views/managers.py").run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    names = table["客户经理"].str.extract(LINK_TEXT, expand=False).fillna("").map(urllib.parse.unquote)
    assert table.assign(客户经理=names)[["片区", "客户经理", "客户数(户)", "销量(箱)"]].values.tolist() == [
        [HOME, "吴婷", 115, 482.27], ["我的片区合计", "", 115, 482.27]]
    assert "周杰" not in _text(at) and "495.6" not in _text(at)
