"""AppTest of the 品牌培育 page: its cards, tables and choices show the definitions' figures (the brand
city's worked out by hand in tests/test_brands.py; the demo's computed here from the raw lines)."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from analytics.db import connect_lines
from analytics.store import Store

from .conftest import ROOT

PAGE = "pages/views/brands.py"


def _page(root, data_env) -> AppTest:
    data_env(root)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at: AppTest, label: str):
    return next(m for m in at.metric if m.label == label)


def test_the_page_opens_on_the_new_specification_with_its_figures(brand_city, data_env):
    at = _page(brand_city.root, data_env)
    # 2019 vs 2018; the specification level, on the year's one new specification
    assert at.selectbox(key="brand_name_sku").value == "七号(细支)"
    # 0420005 (weeks 13, 14) and 0420001 (week 18) of 4 customers; one of the two in two weeks
    assert _metric(at, "铺货率").value == "50.00%"
    assert _metric(at, "重购率").value == "50.00%"
    assert _metric(at, "动销").value == "0.20 箱"  # 50 条
    tables = [df.value for df in at.dataframe]
    new = next(t for t in tables if "首次订货月份" in t.columns)
    assert new.iloc[0]["名称"] == "七号(细支)" and new.iloc[0]["首次订货月份"] == 4


def test_choosing_a_brand_shows_its_lagging_managers(brand_city, data_env):
    at = _page(brand_city.root, data_env)
    at.radio(key="brand_level").set_value("brand").run()
    at.selectbox(key="brand_name_brand").set_value("一号").run()
    assert not at.exception, [e.value for e in at.exception]
    # 2019 through 05-06 against 2018's same period: 3 of 4 against 2 of 4
    card = _metric(at, "铺货率")
    assert (card.value, card.delta) == ("75.00%", "+25.00 个百分点")
    at.radio(key="brand_lag_by").set_value("manager").run()
    lag = next(df.value for df in at.dataframe if "整体铺货率(%)" in df.value.columns and "客户经理" in df.value.columns)
    assert lag["客户经理"].tolist() == ["王芳", "张伟", "李娜"]
    assert lag["铺货率(%)"].tolist() == [0.0, 100.0, 100.0]


def test_on_the_demo_the_coverage_card_is_the_share_of_customers_who_ordered_it(demo_dir, data_env):
    at = _page(demo_dir, data_env)
    name = at.selectbox(key="brand_name_sku").value
    # the demo's specification launched in 2019 (analytics/tools/demo.py LAUNCH): new, so the page opens on it
    assert name == "黄鹤楼(硬红细支)"
    assert next(df.value for df in at.dataframe if "首次订货月份" in df.value.columns).iloc[0]["首次订货月份"] == 4
    # independently, from the raw lines and the master: retailers who ordered the specification in 2019
    con = connect_lines(Store(demo_dir).state_dir())
    ordered = con.execute(
        """SELECT COUNT(DISTINCT o.retailer_id) FROM orders o JOIN skus s USING (sku_id) JOIN retailers r USING (retailer_id)
           WHERE s.sku_name = ? AND year(o.order_date) = 2019""", [name]).fetchone()[0]
    weeks = con.execute(
        """SELECT o.retailer_id, COUNT(DISTINCT date_trunc('week', o.order_date)) AS w FROM orders o JOIN skus s USING (sku_id)
           JOIN retailers r USING (retailer_id) WHERE s.sku_name = ? AND year(o.order_date) = 2019 GROUP BY 1""", [name]).df()
    customers = con.execute("SELECT COUNT(*) FROM retailers").fetchone()[0]
    assert _metric(at, "铺货率").value == f"{ordered / customers * 100:.2f}%"
    # a week spanning New Year is one week of each year: within 2019, weeks by their Monday are the same
    assert _metric(at, "重购率").value == f"{(weeks['w'] >= 2).sum() / len(weeks) * 100:.2f}%"


def test_the_chosen_product_stays_when_the_district_has_none_of_it(brand_city, data_env):
    at = _page(brand_city.root, data_env)
    assert at.selectbox(key="brand_name_sku").value == "七号(细支)"
    # 乙片区 (0420003 alone) never ordered 七号(细支): still offered and still chosen, its figures there 0 and —
    at.multiselect(key="f_districts").set_value(["乙片区"]).run()
    assert not at.exception, [e.value for e in at.exception]
    box = at.selectbox(key="brand_name_sku")
    assert box.value == "七号(细支)" and "七号(细支)" in box.options
    assert _metric(at, "铺货率").value == "0.00%"
    assert _metric(at, "重购率").value == "—"  # nobody ordered it: no rate
    assert not at.info  # nothing was replaced
    # the header names the district the figures are read in
    assert any("乙片区" in c.value for c in at.caption)


def test_an_empty_figure_reads_a_dash_and_the_column_stays_numeric(brand_city, data_env):
    at = _page(brand_city.root, data_env)
    at.radio(key="brand_lag_by").set_value("manager").run()
    # 七号(细支) by manager: 李娜's (0420003) nobody ordered it, so her 重购率 is undefined
    lag = next(df for df in at.dataframe if "客户经理" in df.value.columns and "整体铺货率(%)" in df.value.columns)
    row = lag.value.set_index("客户经理").loc["李娜"]
    assert row["铺货率(%)"] == 0.0 and row["重购率(%)"] != row["重购率(%)"]  # NaN, drawn as …
    assert lag.proto.placeholder == "—"  # … formats.MISSING, not Streamlit's grey "None"
    assert lag.value["重购率(%)"].dtype == "float64"  # a number column: it still sorts by value


def test_the_radios_keep_their_choice_across_the_language_toggle(brand_city, data_env):
    at = _page(brand_city.root, data_env)
    at.radio(key="brand_level").set_value("brand").run()
    at.radio(key="brand_lag_by").set_value("manager").run()
    at.toggle(key="lang_en").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    level, by = at.radio(key="brand_level"), at.radio(key="brand_lag_by")
    assert (level.value, by.value) == ("brand", "manager")
    # the browser is told the new word of the kept choice (before, it kept "品牌" among English options: none checked)
    assert (level.proto.set_value, level.proto.raw_value) == (True, "Brand")
    assert (by.proto.set_value, by.proto.raw_value) == (True, "Customer manager")
    at.run()  # the browser sends the English word back: still the same choice
    assert (at.radio(key="brand_level").value, at.radio(key="brand_lag_by").value) == ("brand", "manager")
    assert at.selectbox(key="brand_name_brand").value == "七号"  # the year's new brand
