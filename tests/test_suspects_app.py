"""AppTest of 代订货线索 (pages/views/suspects.py) on the demo city: the planted cases (analytics/tools/
demo.py PLANTED) lead their districts' lists with their reasons and partners, the drill-down draws
the retailer's months against its peers' band, the files and the printable page carry the reasons,
the scope and the data period, and the page says these are leads, never verdicts."""
from __future__ import annotations

import io

import pandas as pd
import pytest

from analytics.labels import t

from .test_access_app import signed_in  # noqa: F401  (the app in oidc mode with the access file)
from .test_admin import buttons  # noqa: F401  (the download buttons' files, built as a click would)
from .test_app import _open

PAGE = "pages/views/suspects.py"
WEST = "西部乡镇片区"
LEAD = t("lead_not_verdict", "zh")


def _built(data) -> bytes:
    return data() if callable(data) else data


@pytest.fixture
def suspects_page(demo_dir, data_env):
    return _open(PAGE, demo_dir, data_env)


def test_the_pair_leads_its_district_with_the_partner_named(suspects_page, buttons):  # noqa: F811
    at = suspects_page
    assert at.title[0].value == "代订货线索"
    assert at.info[0].value == LEAD  # first, before any list
    at.selectbox(key="suspects_district").set_value(WEST).run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    first = table.iloc[0]
    # the planted pair (林芳's): the small 食杂店 that took seven in ten of the big 烟酒店's lines from July
    assert (first["许可证号"], first["客户名称"]) == ("042007001753", "惠民王记便利店")
    assert "此消彼长" in first["线索"].split("、")
    assert (first["对应客户"], first["对应客户许可证号"]) == ("惠民任记副食店", "042007001811")
    assert (first["突变月"], first["突变前月均(箱)"], first["突变后月均(箱)"]) == (7, 0.09, 0.65)
    assert table.iloc[1]["许可证号"] == "042007001811" and table.iloc[1]["对应客户许可证号"] == "042007001753"
    # its own figures beside its peers': 0.37 箱 a month against a median of 0.11 among 14 peers
    assert (first["月均销量(箱)"], first["同类月均中位数(箱)"], first["同类客户数"]) == (0.37, 0.11, 14)
    assert first["依据"].startswith("销量远超同类：月均 0.37 箱，同档位同业态同城乡 14 户的中位数 0.11 箱")
    assert table["线索分"].is_monotonic_decreasing

    # the files: every reason in words, the scope and the data period
    csv = _built(buttons["suspects.csv"]).decode("utf-8-sig")
    assert "惠民任记副食店" in csv and "此消彼长：7 月起月均变化 0.55 箱" in csv
    assert f"片区: {WEST}" in csv and "数据期间: 2017-01-" in csv and "读取 2019 年 1–12 月（数据截至 2019-12-" in csv
    assert LEAD in csv.splitlines()[0]  # the note line: leads, not verdicts
    data = pd.read_excel(io.BytesIO(_built(buttons["suspects.xlsx"])), sheet_name="数据", engine="calamine", dtype=str)
    assert data.iloc[0]["许可证号"] == "042007001753" and data.iloc[0]["对应客户许可证号"] == "042007001811"
    page = _built(buttons["suspects.html"]).decode("utf-8")
    assert LEAD in page and "042007001811" in page and "代订货线索（专销联动）" in page and WEST in page


def test_the_drill_down_draws_the_months_against_the_peers_band(suspects_page):
    at = suspects_page
    at.selectbox(key="suspects_district").set_value(WEST).run()
    assert at.selectbox(key="suspects_pick").value == "042007001753"
    text = "\n".join(m.value for m in at.markdown)
    assert "**此消彼长**：" in text and "惠民任记副食店（042007001811）" in text
    band = at.dataframe[1].value  # the chart's data tab
    assert list(band.columns) == ["月份", "销量(箱)", "同类客户 25% 分位(箱)", "同类月均中位数(箱)", "同类客户 75% 分位(箱)"]
    assert band["月份"].tolist() == list(range(1, 13))
    # from July its months sit far above its peers' band: the step the list names
    july_on = band[band["月份"] >= 7]
    assert (july_on["销量(箱)"] > july_on["同类客户 75% 分位(箱)"]).all()


def test_a_manager_s_list_and_a_district_without_leads(suspects_page):
    at = suspects_page
    at.selectbox(key="suspects_district").set_value("东部乡镇片区").run()
    at.selectbox(key="suspects_manager").set_value("郭敏").run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    # the small rural 食杂店 ordering its manager's urban shop's 一二类: first, far above its peers' share
    first = table.iloc[0]
    assert first["许可证号"] == "420106001457" and first["线索"] == "销量远超同类、一二类占比偏高"
    assert (first["一二类烟占比(%)"], first["同类一二类占比中位数(%)"]) == (67.27, 12.49)
    assert set(table["客户经理"]) == {"郭敏"}


def test_a_viewer_gets_the_note_and_no_retailer(signed_in):  # noqa: F811
    at = signed_in("viewer@example.com")
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.info[0].value == LEAD
    assert any("不在您的权限内" in c.value for c in at.caption)
    assert not at.dataframe and not at.main.selectbox  # no list, no picker, no drill-down
