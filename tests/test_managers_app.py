"""AppTest of the 客户经理 pages: the managers page (one row per manager, most behind their target
first, each name a link to their view), the one-manager "我的客户" view (a district page narrowed to a
manager by ?mgr=), and the sidebar's 客户经理 choice, which belongs to a district page. The demo's
城郊片区 splits between 周杰 (495.60 箱 in 2019, 116 retailers) and 吴婷 (482.27 箱, 115 retailers,
66 of them online); the tiny city's 甲片区 is 张伟's (2.00 箱), 乙片区 李娜's (2.00 箱)."""
import json
import re
import urllib.parse

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from analytics.slugs import district_slug
from pages.common import LINK_TEXT

from .test_admin import buttons  # noqa: F401  (the download buttons' files, built as a click would)
from .test_app import _app, _district_app, _open, _texts

WU = "吴婷"


@pytest.fixture
def managers_page(demo_dir, data_env):
    return _open("pages/views/managers.py", demo_dir, data_env)


def _name(link: str) -> str:
    """A link cell's text as st.column_config.LinkColumn shows it (the capture group, decoded)."""
    return urllib.parse.unquote(re.search(LINK_TEXT, link).group(1)) if link else ""


def _go(at: AppTest, page: str) -> AppTest:
    """Follow the sidebar's link to a page (a district's by its name), which carries no parameters.
    A district's page is a function (st.Page hashes its url path); AppTest.switch_page reaches files only."""
    at.query_params.clear()
    if page.endswith(".py"):
        at.switch_page(page)
    else:
        at._page_hash = calc_hash(district_slug(page))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _volume(at: AppTest) -> str:
    return next(m for m in at.metric if m.label == "销量").value


def test_the_managers_page_puts_the_most_behind_first_with_their_completion_beside_the_name(managers_page):
    at = managers_page
    assert at.title[0].value == "客户经理"
    table = at.dataframe[0].value
    assert list(table.columns[:6]) == ["片区", "客户经理", "客户数(户)", "销量完成率(%)", "销量序时进度差(百分点)", "销量(箱)"]
    assert "一二类烟占比(%)" in table.columns and "五类烟同比(%)" in table.columns
    names = table["客户经理"].map(_name)
    rows = table.assign(客户经理=names)
    home = rows[rows["片区"] == "城郊片区"].set_index("客户经理")
    assert home.loc[[WU, "周杰"], ["客户数(户)", "销量(箱)", "销量完成率(%)", "销量序时进度差(百分点)"]].values.tolist() == [
        [115, 482.27, 95.18, -4.82], [116, 495.6, 95.8, -4.2]]
    assert home.loc[WU, "网订率(%)"] == 57.39  # 66 of 115
    # 22 managers, 2–4 per district, most behind first (南部山区's 罗勇, 7.65 points behind 时间进度's 100%)
    assert len(table) == 23 and rows["片区"].iloc[:-1].value_counts().between(2, 4).all()
    assert rows[["片区", "客户经理", "销量序时进度差(百分点)"]].iloc[0].tolist() == ["南部山区片区", "罗勇", -7.65]
    assert rows["销量序时进度差(百分点)"].iloc[:-1].is_monotonic_increasing
    # the company's total last, labelled in the 片区 column as the overview's district comparison (the
    # volume card's 8,227.52 箱), no manager named and no "None"
    total = rows.iloc[-1][["片区", "客户经理", "客户数(户)", "销量(箱)", "销量完成率(%)"]]
    assert total.tolist() == ["全市合计", "", 2031, 8227.52, 100.03]
    assert not table[["片区", "客户经理"]].isna().any().any()
    config = json.loads(at.dataframe[0].proto.columns)
    assert config["片区"]["pinned"] and config["客户经理"]["pinned"]
    assert config["客户经理"]["type_config"] == {"type": "link", "display_text": LINK_TEXT}
    assert "按销量序时进度差排序，落后最多的在前；点击姓名（新标签页）查看其客户。" in [c.value for c in at.caption]


def test_each_managers_name_links_to_their_view(managers_page):
    table = managers_page.dataframe[0].value
    assert not managers_page.get("page_link")  # the names in the table are the links
    wu = next(link for link in table["客户经理"] if _name(link) == WU)
    path, _, query = wu.partition("?")
    # to 城郊片区's page (relative: a server's base path stays in it), the page's filters and the manager last
    assert urllib.parse.unquote(path) == "城郊片区"
    assert urllib.parse.parse_qs(query) == {"lang": ["zh"], "y": ["2019"], "cy": ["2018"], "mgr": [WU]}
    assert query.endswith("mgr=%E5%90%B4%E5%A9%B7")


def test_the_managers_files_carry_the_day_their_completion_is_read_at(request, demo_dir, data_env):
    files = request.getfixturevalue("buttons")
    _open("pages/views/managers.py", demo_dir, data_env)
    lines = files["managers.csv"]().decode("utf-8-sig").splitlines()
    # as the progress tables' files: the day figures against targets are read at (the demo's last order day)
    assert lines[0] == "# 片区: 全市 · 期间: 2019年 vs 2018年 · 截至日期: 2019-12-31 · 数据期间: 2017-01-02 – 2019-12-31"
    assert lines[1].startswith("片区,客户经理,客户数(户),销量完成率(%),销量序时进度差(百分点),销量(箱),")
    assert lines[-1].startswith("全市合计,,2031,100.03,0.03,8227.52,")  # names, never the links, in the file


def test_without_targets_the_managers_page_sorts_by_district_then_volume(tiny, data_env):
    at = _open("pages/views/managers.py", tiny.root, data_env)
    table = at.dataframe[0].value
    assert "销量完成率(%)" not in table.columns
    assert table.assign(客户经理=table["客户经理"].map(_name))[["片区", "客户经理", "客户数(户)", "销量(箱)"]].values.tolist() == [
        ["乙片区", "李娜", 1, 2.0], ["甲片区", "张伟", 2, 2.0], ["全市合计", "", 3, 4.0]]
    assert "按片区、销量排序；点击姓名（新标签页）查看其客户。" in [c.value for c in at.caption]


def test_one_managers_view_shows_their_customers_only(demo_dir, data_env):
    data_env(demo_dir)
    at = _district_app("城郊片区")
    at.query_params["mgr"] = WU
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "城郊片区 · 客户经理 吴婷"
    assert _volume(at) == "482.27 箱"
    assert any(c.value.startswith("吴婷的客户共 115 户") for c in at.caption)
    text = _texts(at)
    assert "482.27" in text and "498.85" in text  # the annual table: 2019 against 2018's 498.85 箱
    # the written summary names her customers in prose, not the page's title spliced in
    assert "2019年，城郊片区客户经理吴婷的客户共销售卷烟482.27箱，" in text
    assert "977.87" not in text  # never the district's figures
    retailers, not_online = at.dataframe[-3].value, at.dataframe[-1].value
    assert len(retailers) == 115 and set(retailers["客户经理"]) == {WU}
    assert len(not_online) == 115 - 66 and set(not_online["客户经理"]) == {WU}
    assert "共 49 户，按销量从大到小排列" in [c.value for c in at.caption]
    assert at.query_params["mgr"] == WU


def test_the_manager_choice_belongs_to_the_district_page(tiny, data_env):
    data_env(tiny.root)
    at = _app()
    at.run()
    # no 客户经理 choice on a company page
    assert "f_managers" not in [m.key for m in at.multiselect]
    _go(at, "甲片区")
    assert at.multiselect(key="f_managers").options == ["张伟"]
    at.multiselect(key="f_managers").set_value(["张伟"]).run()
    assert at.title[0].value == "甲片区 · 客户经理 张伟" and _volume(at) == "2.00 箱" and at.query_params["mgr"] == "张伟"
    # the overview after it is the whole city's, and so is the managers page: both managers and their total
    _go(at, "pages/views/overview.py")
    assert _volume(at) == "4.00 箱" and "mgr" not in at.query_params
    assert any(c.value.startswith("片区\\: 全市 · ") for c in at.caption)
    _go(at, "pages/views/managers.py")
    assert at.dataframe[0].value["客户数(户)"].tolist() == [1, 2, 3]
    # the way back to the manager's view (the browser's back button: the URL carries mgr again)
    at.query_params.update({"lang": "zh", "y": "2019", "cy": "2018", "mgr": "张伟"})
    at._page_hash = calc_hash(district_slug("甲片区"))
    at.run()
    assert at.multiselect(key="f_managers").value == ["张伟"] and _volume(at) == "2.00 箱"
    # another district: its own managers offered, none chosen
    _go(at, "乙片区")
    assert at.multiselect(key="f_managers").options == ["李娜"] and at.multiselect(key="f_managers").value == []
    assert at.title[0].value == "乙片区" and "mgr" not in at.query_params


def test_a_link_naming_a_manager_on_a_company_page_is_ignored_with_a_notice(tiny, data_env):
    data_env(tiny.root)
    at = _app({"mgr": "张伟"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.toast] == ["客户经理只能在片区页面上选择，链接中的客户经理参数已忽略"]
    assert _volume(at) == "4.00 箱" and "mgr" not in at.query_params
    at.run()
    assert not at.toast  # said once


def test_a_link_to_a_managers_view_and_their_presentation_keep_the_manager(tiny, data_env):
    data_env(tiny.root)
    at = _app({"mgr": "张伟"})
    at._page_hash = calc_hash(district_slug("甲片区"))
    at.run()
    assert not at.exception and not at.toast
    assert at.title[0].value == "甲片区 · 客户经理 张伟" and _volume(at) == "2.00 箱"
    present = _app({"present": "1", "d": "甲片区", "mgr": "张伟"})
    present.run()
    assert not present.exception and not present.toast
    assert present.markdown[0].value.startswith("## 甲片区 · 客户经理 张伟 · ")
