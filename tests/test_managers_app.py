"""AppTest of the 客户经理 pages: the managers page (one row per manager, each linking to their view),
the one-manager "我的客户" view (a district page narrowed to a manager by ?mgr=), and the sidebar's
客户经理 choice. The demo's 城郊片区 splits between 周杰 (495.60 箱 in 2019, 116 retailers) and 吴婷
(482.27 箱, 115 retailers, 66 of them online)."""
import urllib.parse

import pytest

from .test_app import _app, _district_app, _open, _texts

WU = "吴婷"


@pytest.fixture
def managers_page(demo_dir, data_env):
    return _open("pages/views/managers.py", demo_dir, data_env)


def test_the_managers_page_has_one_row_per_manager_by_district_then_volume(managers_page):
    at = managers_page
    assert at.title[0].value == "客户经理"
    table = at.dataframe[0].value
    assert list(table.columns[:5]) == ["片区", "客户经理", "客户数(户)", "销量(箱)", "销量同比(%)"]
    assert "一二类烟占比(%)" in table.columns and "五类烟同比(%)" in table.columns
    home = table[table["片区"] == "城郊片区"]
    assert home[["客户经理", "客户数(户)", "销量(箱)"]].values.tolist() == [["周杰", 116, 495.6], [WU, 115, 482.27]]
    assert home.set_index("客户经理").loc[WU, "网订率(%)"] == 57.39  # 66 of 115
    # 22 managers, 2–4 per district, and the company's total last (the volume card's 8,227.52 箱)
    assert len(table) == 23 and table["片区"].iloc[:-1].value_counts().between(2, 4).all()
    assert (table["客户经理"].iloc[-1], table["销量(箱)"].iloc[-1], table["客户数(户)"].iloc[-1]) == ("全市合计", 8227.52, 2031)
    districts = table["片区"].iloc[:-1].tolist()
    assert districts == sorted(districts)
    for _, group in table.iloc[:-1].groupby("片区"):
        assert group["销量(箱)"].is_monotonic_decreasing


def test_each_manager_links_to_their_view(managers_page):
    links = managers_page.get("page_link")
    assert len(links) == 22
    wu = next(link for link in links if link.proto.label == WU)
    # to 城郊片区's page, with the page's filters and the manager in the link
    assert wu.proto.page == "城郊片区"
    assert urllib.parse.parse_qs(wu.proto.query_string) == {"lang": ["zh"], "y": ["2019"], "cy": ["2018"], "mgr": [WU]}


def test_one_managers_view_shows_their_customers_only(demo_dir, data_env):
    data_env(demo_dir)
    at = _district_app("城郊片区")
    at.query_params["mgr"] = WU
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "城郊片区 · 客户经理 吴婷"
    assert next(m for m in at.metric if m.label == "销量").value == "482.27 箱"
    assert any(c.value.startswith("吴婷的客户共 115 户") for c in at.caption)
    text = _texts(at)
    assert "482.27" in text and "498.85" in text  # the annual table: 2019 against 2018's 498.85 箱
    assert "城郊片区 · 客户经理 吴婷" in text  # the written summary names the manager
    assert "977.87" not in text  # never the district's figures
    retailers, not_online = at.dataframe[-3].value, at.dataframe[-1].value
    assert len(retailers) == 115 and set(retailers["客户经理"]) == {WU}
    assert len(not_online) == 115 - 66 and set(not_online["客户经理"]) == {WU}
    assert at.query_params["mgr"] == WU


def test_the_sidebar_offers_the_chosen_districts_managers_and_follows_a_link(tiny, data_env):
    data_env(tiny.root)
    at = _app()
    at.run()
    assert at.multiselect(key="f_managers").options == ["张伟", "李娜"]
    at.multiselect(key="f_districts").set_value(["甲片区"]).run()
    assert at.multiselect(key="f_managers").options == ["张伟"]
    at.multiselect(key="f_managers").set_value(["张伟"]).run()
    assert at.metric[0].value == "2.00 箱" and at.query_params["mgr"] == "张伟"
    # a link inside the app asking for another manager (the managers page's) makes them the choice
    at.multiselect(key="f_districts").set_value([]).run()
    at.query_params["mgr"] = "李娜"
    at.run()
    assert at.multiselect(key="f_managers").value == ["李娜"]
    assert at.metric[0].value == "2.00 箱" and any("客户经理 李娜" in c.value for c in at.caption)
