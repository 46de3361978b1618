"""AppTest: every page runs on the demo data and on an empty data directory, and shows the right values."""
import os

import pytest
from streamlit.testing.v1 import AppTest

from .conftest import ROOT

PAGES = ["pages/views/overview.py", "pages/views/mix.py", "pages/views/provincial.py", "pages/views/online.py", "pages/views/low_tier.py",
         "pages/views/managers.py", "pages/views/suspects.py",
         "pages/views/brands.py",  # --- #14 brands ---
         "pages/views/visits.py",  # --- #14 visits ---
         "pages/views/data.py", "pages/views/present.py"]
TIMEOUT = 120


def _app(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at


def _district_app(name: str) -> AppTest:
    def script():
        import os
        import sys

        sys.path.insert(0, os.environ["APP_ROOT"])
        import streamlit as st

        from pages import common, district

        common.init_from_link()
        # as the frame does: the district page's own 客户经理 choice
        st.session_state["filters"] = common.sidebar_filters(show_district=False, district=os.environ["APP_DISTRICT"])
        district.render(os.environ["APP_DISTRICT"])

    os.environ["APP_ROOT"] = str(ROOT)
    os.environ["APP_DISTRICT"] = name
    return AppTest.from_function(script, default_timeout=TIMEOUT)


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [m.value for m in at.metric]
    parts += [str(df.value.to_dict()) for df in at.dataframe] + [c.value for c in at.code]
    return "\n".join(parts)


def _open(page: str, data_dir, data_env) -> AppTest:
    """`page` of the app on `data_dir`, drawn without an exception."""
    data_env(data_dir)
    at = _app()
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_the_demo_data(page, demo_dir, data_env):
    at = _open(page, demo_dir, data_env)
    headings = [t.value for t in at.title] + [m.value for m in at.markdown if m.value.startswith("## ")]
    assert headings and headings[0]  # the page drew its title


@pytest.mark.parametrize("page", PAGES)
def test_every_page_explains_an_empty_data_directory(page, empty_dir, data_env):
    at = _open(page, empty_dir, data_env)
    assert any("python -m analytics demo" in i.value for i in at.info)


def test_overview_kpis_for_the_latest_year_with_yoy(demo_dir, data_env):
    data_env(demo_dir)
    at = _app()
    at.run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert labels == ["销量", "条均价", "单箱值", "省产烟占比", "网订率", "五类烟(箱)"]
    assert all(m.delta for m in at.metric)
    assert at.query_params["y"] == "2019" and at.query_params["cy"] == "2018"
    # the company's pace: its December total is the volume card, 8,227.516 of 2018's 8,273.928 箱
    assert at.metric[0].value == "8,227.52 箱"
    assert "截至2019年12月，时间进度100.00%，累计销量8,227.52箱，达到2018年全年销量的99.44%，慢于时间进度0.56个百分点。" in [
        m.value for m in at.markdown]


def test_seed_district_page_shows_the_seed_table(demo_dir, data_env):
    data_env(demo_dir)
    at = _district_app("城郊片区")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    text = _texts(at)
    for figure in ("977.87", "1,008.13", "850.13", "85.66", "73.93", "75.47", "236.39", "211.98", "61.22",
                   "+49.18%", "+21.35%", "-1.95%", "-7.49%", "-49.78%", "141"):
        assert figure in text, figure
    volume = next(m for m in at.metric if m.label == "销量")
    assert volume.value == "977.87 箱"
    # 时间过半，任务过半: 977.872 of 2018's 1,008.128 箱 is 97.00% with the whole year gone
    assert "截至2019年12月，时间进度100.00%，累计销量977.87箱，达到2018年全年销量的97.00%，慢于时间进度3.00个百分点。" in text


def test_changing_a_filter_changes_the_values_shown(demo_dir, data_env):
    data_env(demo_dir)
    at = _app()
    at.run()
    before = at.metric[0].value
    at.selectbox(key="f_year").set_value(2018).run()
    after = at.metric[0].value
    assert before != after
    assert at.query_params["y"] == "2018"
    at.multiselect(key="f_districts").set_value(["城郊片区"]).run()
    assert at.metric[0].value == "1,008.13 箱"
    assert at.query_params["d"] == "城郊片区"


def test_query_params_reopen_the_same_view(demo_dir, data_env):
    data_env(demo_dir)
    at = _app({"y": "2018", "cy": "2017", "d": "城郊片区", "m": "1-6", "lang": "en"})
    at.run()
    assert not at.exception
    assert at.selectbox(key="f_year").value == 2018
    assert at.selectbox(key="f_cmp").value == 2017
    assert at.multiselect(key="f_districts").value == ["城郊片区"]
    assert at.slider(key="f_months").value == (1, 6)
    assert at.metric[0].label == "Volume"
    assert {k: at.query_params[k] for k in ("y", "cy", "d", "m", "lang")} == {
        "y": "2018", "cy": "2017", "d": "城郊片区", "m": "1-6", "lang": "en"}


def test_invalid_query_params_fall_back_to_defaults(demo_dir, data_env):
    data_env(demo_dir)
    at = _app({"y": "abc", "d": "不存在片区,城郊片区", "m": "9-x"})
    at.run()
    assert not at.exception
    assert at.selectbox(key="f_year").value == 2019
    assert at.multiselect(key="f_districts").value == ["城郊片区"]
    assert at.slider(key="f_months").value == (1, 12)


def test_a_year_removed_by_a_rollback_falls_back_to_the_latest_year(tiny, data_env):
    data_env(tiny.root)
    later = "订货日期,许可证号,卷烟编码,订货量(条),金额(元),订货方式\n2020-01-06,0420001,6901028000001,125,25000,网上订货\n"
    (loaded,) = tiny.load([("订单_2020.csv", later.encode("gbk"))])
    at = _app()
    at.run()
    assert (at.selectbox(key="f_year").value, at.selectbox(key="f_cmp").value) == (2020, 2019)
    assert at.metric[0].value == "0.50 箱"
    tiny.rollback(loaded.record["id"])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert (at.selectbox(key="f_year").value, at.selectbox(key="f_cmp").value) == (2019, 2018)
    assert at.metric[0].value == "4.00 箱"  # 2019: 250 + 50 + 200 + 500 条
    assert (at.query_params["y"], at.query_params["cy"]) == ("2019", "2018")
    at.selectbox(key="f_cmp").set_value(None).run()
    at.run()
    assert at.selectbox(key="f_cmp").value is None  # "no comparison" is a choice, not a vanished year


def test_a_filter_that_selects_nothing_shows_a_message(demo_dir, data_env):
    data_env(demo_dir)
    at = _app({"t": "30-30", "f": "娱乐服务类", "d": "南部山区片区", "a": "urban"})
    at.run()
    assert not at.exception
    assert at.warning and "没有数据" in at.warning[0].value


HOSTILE_DISTRICT = "**粗体**片区"
HOSTILE_RETAILERS = """许可证号,客户名称,片区,客户经理,城乡分类,业态,档位
0001,<b>x</b>,**粗体**片区,[经理](http://evil.example),城网,便利店,5
0002,"=HYPERLINK(""http://evil.example"")",**粗体**片区,张伟,农网,食杂店,6
"""
HOSTILE_SKUS = """卷烟编码,卷烟名称,品牌,是否省产,价类
6901028000001,=1+1,<b>粗</b>品牌,是,一类
"""
HOSTILE_ORDERS = """订货日期,许可证号,卷烟编码,订货量(条),金额(元),订货方式
2018-03-05,0001,6901028000001,100,20000,电话订货
2019-03-05,0001,6901028000001,150,30000,网上订货
2019-03-05,0002,6901028000001,50,10000,电话订货
"""


def load_hostile(root):
    from analytics.store import Store

    store = Store(root)
    results = store.load([("r.csv", HOSTILE_RETAILERS.encode()), ("s.csv", HOSTILE_SKUS.encode()), ("o.csv", HOSTILE_ORDERS.encode())])
    assert [r.status for r in results] == ["loaded"] * 3, [m for r in results for m in r.messages("en")]
    return store


def test_names_from_uploads_display_literally_never_as_markup(tmp_path, data_env):
    from analytics.text import md_escape

    data_env(load_hostile(tmp_path / "data").root)
    at = _district_app(HOSTILE_DISTRICT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    # the title is escaped Markdown, so the browser shows the asterisks (see test_browser for the rendered text)
    assert at.title[0].value == md_escape(HOSTILE_DISTRICT) == r"\*\*粗体\*\*片区"
    cells = {str(v) for df in at.dataframe for col in df.value.columns for v in df.value[col].tolist()}
    assert {"<b>x</b>", '=HYPERLINK("http://evil.example")', "<b>粗</b>品牌"} <= cells
    assert "[经理](http://evil.example)" in cells


def test_csv_downloads_escape_formula_cells():
    import pandas as pd

    from analytics.exports import csv_bytes

    names = ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "正常"]
    data = csv_bytes(pd.DataFrame({"名称": names, "销量": [1.0, -2.0, 3.0, 4.0, 5.0, 6.0]}))
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig").splitlines()
    assert text == ["名称,销量", "\"'=HYPERLINK(\"\"x\"\")\",1.0", "'+1,-2.0", "'-2,3.0", "'@SUM(A1),4.0", "'\tx,5.0", "正常,6.0"]


def test_presentation_page_shows_the_chosen_topic_for_the_district(demo_dir, data_env):
    data_env(demo_dir)
    at = _app({"present": "1", "d": "城郊片区", "y": "2019", "topic": "summary"})
    at.run()
    at.switch_page("pages/views/present.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [m.value for m in at.markdown][0] == "## 城郊片区 · 分析文字"
    assert any("977.87箱" in m.value.replace("\\", "") for m in at.markdown)  # Markdown-escaped text
    assert at.button(key="present_next").disabled


def test_district_page_drills_down_to_one_retailer(tiny, data_env):
    data_env(tiny.root)
    at = _district_app("甲片区")
    at.run()
    at.selectbox(key="d-甲片区-retailer").set_value("0420001").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(c.value == "2019 年订单明细 2 行" for c in at.caption)
    lines = at.dataframe[-1].value
    assert lines["订货量(条)"].tolist() == [250, 50]


def test_without_a_comparison_year_the_pace_says_there_is_no_yardstick(demo_dir, data_env):
    data_env(demo_dir)
    at = _app()
    at.run()
    charts_before = len(at.get("plotly_chart"))
    at.selectbox(key="f_cmp").set_value(None).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "截至2019年12月，累计销量8,227.52箱；没有完整的对比年份，无法衡量进度。" in [m.value for m in at.markdown]
    assert len(at.get("plotly_chart")) == charts_before - 1  # no pace chart without a yardstick


def test_the_comparison_year_follows_the_year_unless_chosen(demo_dir, data_env):
    data_env(demo_dir)
    at = _app()
    at.run()
    assert at.metric[0].delta == "-0.56%"  # 2019 vs 2018
    at.selectbox(key="f_year").set_value(2018).run()
    # picking a year brings the year before as its comparison (never "2018 vs 2018", +0.00%)
    assert at.selectbox(key="f_cmp").value == 2017
    assert at.metric[0].delta == "+0.06%"
    assert 2018 not in at.selectbox(key="f_cmp").options and "2018" not in at.selectbox(key="f_cmp").options
    assert (at.query_params["y"], at.query_params["cy"]) == ("2018", "2017")
    # a comparison the user chose explicitly is kept when the year changes …
    at.selectbox(key="f_cmp").set_value(2019).run()
    at.selectbox(key="f_year").set_value(2017).run()
    assert at.selectbox(key="f_cmp").value == 2019
    # … unless it becomes the year itself
    at.selectbox(key="f_year").set_value(2019).run()
    assert at.selectbox(key="f_cmp").value == 2018
    assert not at.exception, [e.value for e in at.exception]


def test_kpis_say_which_period_they_compare(demo_dir, data_env):
    data_env(demo_dir)
    at = _app()
    at.run()
    # captions are Markdown-escaped: compare their plain text
    def captions() -> str:
        return "\n".join(c.value.replace("\\", "") for c in at.caption)

    assert "期间: 2019年 vs 2018年 · " in captions()
    at.slider(key="f_months").set_value((1, 6)).run()
    assert "期间: 2019-01-01至06-30 vs 2018年同期 · " in captions()
