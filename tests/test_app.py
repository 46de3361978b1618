"""AppTest: every page runs on the demo data and on an empty data directory, and shows the right values."""
import os

import pytest
from streamlit.testing.v1 import AppTest

from .conftest import ROOT

PAGES = ["pages/views/overview.py", "pages/views/mix.py", "pages/views/provincial.py", "pages/views/online.py", "pages/views/low_tier.py", "pages/views/data.py"]
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

        common.init_state()
        st.session_state["filters"] = common.sidebar_filters(show_district=False)
        district.render(os.environ["APP_DISTRICT"])

    os.environ["APP_ROOT"] = str(ROOT)
    os.environ["APP_DISTRICT"] = name
    return AppTest.from_function(script, default_timeout=TIMEOUT)


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [m.value for m in at.metric]
    parts += [str(df.value.to_dict()) for df in at.dataframe] + [c.value for c in at.code]
    return "\n".join(parts)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_the_demo_data(page, demo_dir, data_env):
    data_env(demo_dir)
    at = _app()
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value  # the page drew its title


@pytest.mark.parametrize("page", PAGES)
def test_every_page_explains_an_empty_data_directory(page, empty_dir, data_env):
    data_env(empty_dir)
    at = _app()
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
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


def test_a_filter_that_selects_nothing_shows_a_message(demo_dir, data_env):
    data_env(demo_dir)
    at = _app({"t": "30-30", "f": "娱乐服务类", "d": "南部山区片区", "a": "urban"})
    at.run()
    assert not at.exception
    assert at.warning and "没有数据" in at.warning[0].value
