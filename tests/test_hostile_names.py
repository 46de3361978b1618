"""Names a user supplies (file names, district, retailer and manager names in the data) are shown as
text wherever a page puts them: in Markdown they are escaped by analytics.text (so the browser shows the
same characters and builds no link, image, colour or formula from them), in tables and choices they are
the plain name. The browser side of the same probe is in tests/test_security_browser.py."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.store import Store
from analytics.text import md_code, md_escape, plain_line

from .conftest import ROOT, TINY_SKUS, data_page_app, load_tiny
from .test_data_page import CORRECTION

PROBE = "报表[说明](https://example.invalid/login)`![t](http://127.0.0.1:9/t.png)`.csv"
NASTY_FILES = [
    PROBE,
    "``` ![x](http://127.0.0.1:9/x.png) ``` <img src=http://127.0.0.1:9/i.png>.csv",
    ":red[红字] :material/home: $x^2$ **粗** <b>b</b> &lt;.csv",
    "# 标题\n- 列表\n\n    代码.csv",
    "名称\u202egpj.csv",
    "长" * 3000 + ".csv",
]
# a tiny city whose district, retailer and manager names are hostile
NASTY_DISTRICT = "[片区](https://example.invalid) :red[红] $x$"
NASTY_RETAILER = "![店](http://127.0.0.1:9/r.png) `代码` <b>粗</b>"
NASTY_MANAGER = "**经理** :material/home: \u202e反向"
NASTY_RETAILERS = f"""许可证号,客户名称,片区,客户经理,城乡分类,业态,档位
0001,"{NASTY_RETAILER}","{NASTY_DISTRICT}","{NASTY_MANAGER}",城网,便利店,5
0002,乙店,"{NASTY_DISTRICT}",张伟,农网,食杂店,6
"""
NASTY_ORDERS = """订货日期,许可证号,卷烟编码,订货量(条),金额(元),订货方式
2018-03-05,0001,6901028000001,100,20000,电话订货
2019-03-05,0001,6901028000001,150,30000,网上订货
2019-03-05,0002,6901028000002,50,500,电话订货
"""


def markdown_texts(at: AppTest) -> list[str]:
    """Every text the page hands to Streamlit's Markdown renderer (elements and widget labels)."""
    parts = [e.value for kind in ("markdown", "caption", "title", "header", "subheader", "success", "error", "warning",
                                  "info", "toast") for e in at.get(kind)]
    parts += [w.label for kind in ("button", "selectbox", "checkbox", "multiselect", "text_input", "toggle")
              for w in at.get(kind)]
    parts += [e.proto.label for e in at.get("expander")]
    return parts


def assert_never_raw(at: AppTest, names: list[str]) -> None:
    """No Markdown text carries a name unescaped (a raw name is where a link or image would start), other
    than inside the code span md_code built for it."""
    for text in markdown_texts(at):
        for name in names:
            text = text.replace(md_code(name), "")
            assert plain_line(name) not in text and name not in text, (name, text)




@pytest.mark.parametrize("name", NASTY_FILES, ids=range(len(NASTY_FILES)))
def test_a_hostile_file_name_is_text_in_the_preview_the_success_message_the_history_and_the_rollback(name, tmp_path, monkeypatch):
    store = load_tiny(tmp_path / "data")
    at = data_page_app(store.root, monkeypatch)
    at.file_uploader[0].set_value((name, CORRECTION.encode("gbk"), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert f"**文件:** {md_code(name)}" in [m.value for m in at.markdown]  # a code span no backtick in the name can close
    assert_never_raw(at, [name])
    at.button(key="upload_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success] == [f"已导入 E00004：{md_escape(name)}，2 行"]
    assert_never_raw(at, [name])
    # tables and choices show the plain name (Streamlit draws them as text)
    assert at.dataframe[0].value.iloc[0]["文件名"] == name
    pick = next(sb for sb in at.selectbox if sb.label == "选择要撤销的导入")
    assert any(o.startswith(f"E00004 · {name} · ") for o in pick.options)  # options are drawn as plain text
    pick.set_value("E00004").run()
    assert f"撤销 E00004（{md_escape(name)}）将带来以下变化：" in [m.value for m in at.markdown]
    assert_never_raw(at, [name])
    next(cb for cb in at.checkbox if cb.label.startswith("我确认撤销")).check().run()
    next(b for b in at.button if b.label == "撤销导入").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success] == [f"已撤销 E00004（{md_escape(name)}）"]
    assert_never_raw(at, [name])
    # the restore side: its choice and its preview
    pick = next(sb for sb in at.selectbox if sb.label == "选择要恢复的导入")
    pick.set_value("E00004").run()
    assert f"恢复 E00004（{md_escape(name)}）将带来以下变化：" in [m.value for m in at.markdown]
    assert_never_raw(at, [name])


def test_a_refused_file_with_a_hostile_name_quotes_it_as_text(tmp_path, monkeypatch):
    store = load_tiny(tmp_path / "data")
    at = data_page_app(store.root, monkeypatch)
    bad = CORRECTION.replace("2019/2/4", "2019-02-30")
    at.file_uploader[0].set_value((PROBE, bad.encode("gbk"), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.code[0].value.startswith(f"{PROBE}，第 2 行")  # st.code shows text as it is
    assert_never_raw(at, [PROBE])


def test_a_hostile_header_the_mapping_did_not_use_is_escaped(tmp_path, monkeypatch):
    store = load_tiny(tmp_path / "data")
    at = data_page_app(store.root, monkeypatch)
    header = "[备注](https://example.invalid)"
    extra = (CORRECTION.replace("订货方式\n", f"订货方式,{header}\n").replace("电话订货\n", "电话订货,x\n")
             .replace("网上订货\n", "网上订货,y\n"))
    at.file_uploader[0].set_value(("x.csv", extra.encode("gbk"), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(md_escape(header) in c.value for c in at.caption)
    assert_never_raw(at, [header])


def _district_app(name: str, root: Path, monkeypatch) -> AppTest:
    def script():
        import os
        import sys

        sys.path.insert(0, os.environ["APP_ROOT"])
        import streamlit as st

        from pages import common, district

        common.init_from_link()
        st.session_state["filters"] = common.sidebar_filters(show_district=False)
        district.render(os.environ["APP_DISTRICT"])

    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(root))
    monkeypatch.setenv("APP_ROOT", str(ROOT))
    monkeypatch.setenv("APP_DISTRICT", name)
    return AppTest.from_function(script, default_timeout=120)


def nasty_city(root: Path) -> Store:
    store = Store(root)
    results = store.load([("r.csv", NASTY_RETAILERS.encode()), ("s.csv", TINY_SKUS.encode()), ("o.csv", NASTY_ORDERS.encode())])
    assert [r.status for r in results] == ["loaded"] * 3, [m for r in results for m in r.messages("en")]
    return store


def test_a_district_page_with_hostile_district_retailer_and_manager_names(tmp_path, monkeypatch):
    store = nasty_city(tmp_path / "data")
    at = _district_app(NASTY_DISTRICT, store.root, monkeypatch)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == md_escape(NASTY_DISTRICT)
    assert any(md_escape(NASTY_DISTRICT) in c.value for c in at.caption)  # the scope under the title
    assert_never_raw(at, [NASTY_DISTRICT, NASTY_RETAILER, NASTY_MANAGER])
    cells = {str(v) for df in at.dataframe for col in df.value.columns for v in df.value[col].tolist()}
    assert {NASTY_RETAILER, NASTY_MANAGER} <= cells  # tables show the names as they are
    # the drill-down to the hostile retailer
    at.selectbox(key=f"d-{NASTY_DISTRICT}-retailer").set_value("0001").run()
    assert not at.exception, [e.value for e in at.exception]
    assert_never_raw(at, [NASTY_DISTRICT, NASTY_RETAILER, NASTY_MANAGER])


def test_the_presentation_of_a_hostile_district(tmp_path, monkeypatch):
    store = nasty_city(tmp_path / "data")
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(store.root))
    for topic in ("kpis", "mix", "districts", "summary"):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params.update({"present": "1", "d": NASTY_DISTRICT, "topic": topic})
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.markdown[0].value.startswith(f"## {md_escape(NASTY_DISTRICT)} · ")
        assert_never_raw(at, [NASTY_DISTRICT, NASTY_RETAILER, NASTY_MANAGER])


def test_the_managers_page_links_hostile_names_and_shows_them_as_text(tmp_path, monkeypatch):
    import re
    import urllib.parse

    from analytics.slugs import district_slug
    from pages.common import LINK_TEXT

    store = nasty_city(tmp_path / "data")
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(store.root))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/views/managers.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert_never_raw(at, [NASTY_DISTRICT, NASTY_MANAGER])
    links = [link for link in at.dataframe[0].value["客户经理"] if link]
    # each link: the district's page (its path quoted) and the name as its last parameter, which the
    # grid shows decoded, as plain text (a canvas draws it: no Markdown, no HTML)
    assert sorted(urllib.parse.unquote(re.search(LINK_TEXT, link).group(1)) for link in links) == sorted([NASTY_MANAGER, "张伟"])
    assert {urllib.parse.unquote(link.partition("?")[0]) for link in links} == {district_slug(NASTY_DISTRICT)}
