"""AppTest of 代订货线索 (pages/views/suspects.py) on the demo city: the planted cases (analytics/tools/
demo.py PLANTED) lead their districts' lists with their reasons and partners, the drill-down draws
the retailer's months against its peers' band, the files and the printable page carry the reasons,
the scope and the data period, and the page says these are leads, never verdicts."""
from __future__ import annotations

import io

import pandas as pd
import pytest

from analytics.labels import t

from .test_access_app import _pages, signed_in  # noqa: F401  (the app in oidc mode with the access file)
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


def _file(buttons, suffix: str) -> bytes:  # noqa: F811
    """The one drawn download whose file name ends with `suffix`, built as Streamlit's request would."""
    names = [n for n in buttons if n and n.endswith(suffix)]
    assert len(names) == 1, names
    return _built(buttons[names[0]])


def test_the_pair_leads_its_district_with_the_partner_named(suspects_page, buttons):  # noqa: F811
    at = suspects_page
    assert at.title[0].value == "代订货线索"
    assert at.info[0].value == LEAD  # first, before any list
    at.selectbox(key="suspects_district").set_value(WEST).run()
    assert not at.exception, [e.value for e in at.exception]
    # the line under the title names the district chosen on the page, and a year's list compares no year
    header = at.caption[0].value.replace("\\", "")  # markdown-escaped
    assert header.startswith(f"片区: {WEST} · 期间: 2019年 · ") and " vs " not in header
    # on screen, what a manager reads first: who, how strong, why in words (a static table: it wraps), with whom
    table = at.table[0].value
    assert list(table.columns) == ["客户名称", "许可证号", "客户经理", "线索分", "依据", "对应客户"]
    first = table.iloc[0]
    # the planted pair (林芳's): the small 食杂店 that took seven in ten of the big 烟酒店's lines from July
    assert (first["许可证号"], first["客户名称"], first["线索分"]) == ("042007001753", "惠民王记便利店", "9.09")
    assert first["依据"].startswith("【销量远超同类】月均 0.37 箱，同档位同业态同城乡 14 户的中位数 0.11 箱")
    assert "【此消彼长】自 7 月起月均增加 0.55 箱，同期惠民任记副食店（042007001811）自 7 月起月均减少 0.49 箱" in first["依据"]
    assert first["对应客户"] == "惠民任记副食店（042007001811）"
    assert table.iloc[1]["对应客户"] == "惠民王记便利店（042007001753）"

    # the figures behind it, one click away: its own beside its peers'; a peer figure without a group is missing
    figures = at.dataframe[0].value
    one, two = figures.iloc[0], figures.iloc[1]
    assert (one["月均销量(箱)"], one["同类月均中位数(箱)"], one["同类客户数"]) == (0.37, 0.11, 14)
    assert (one["突变月"], one["突变前月均(箱)"], one["突变后月均(箱)"]) == (7, 0.09, 0.65)
    assert pd.isna(two["同类月均中位数(箱)"]) and pd.isna(two["同类一二类占比中位数(%)"]) and pd.isna(two["同类客户数"])
    assert figures["线索分"].is_monotonic_decreasing

    # the files: named by the district and the data date (two districts' lists never overwrite each other)
    stem = "代订货线索-西部乡镇片区-2019-12-"
    assert {n[:len(stem)] for n in buttons if n and n.endswith((".csv", ".xlsx", ".html")) and "-04200700" not in n} == {stem}
    csv = _file(buttons, "12-31.csv").decode("utf-8-sig")
    assert "惠民任记副食店" in csv and "【此消彼长】自 7 月起月均增加 0.55 箱" in csv
    assert f"片区: {WEST}" in csv and "数据期间: 2017-01-" in csv and "读取 2019 年 1–12 月（数据截至 2019-12-" in csv
    assert LEAD in csv.splitlines()[0]  # the note line: leads, not verdicts
    data = pd.read_excel(io.BytesIO(_file(buttons, "12-31.xlsx")), sheet_name="数据", engine="calamine", dtype=str)
    assert data.iloc[0]["许可证号"] == "042007001753" and data.iloc[0]["对应客户许可证号"] == "042007001811"
    page = _file(buttons, "12-31.html").decode("utf-8")
    assert LEAD in page and "惠民任记副食店（042007001811）" in page and "代订货线索（专销联动）" in page and WEST in page


def test_the_drill_down_draws_the_months_against_the_peers_band(suspects_page):
    at = suspects_page
    at.selectbox(key="suspects_district").set_value(WEST).run()
    assert at.selectbox(key="suspects_pick").value == "042007001753"
    text = "\n".join(m.value for m in at.markdown)
    assert "【此消彼长】" in text and "惠民任记副食店（042007001811）" in text
    band = at.dataframe[1].value  # the chart's data tab (the figures' expander holds the first)
    assert list(band.columns) == ["月份", "销量(箱)", "同类客户 25% 分位(箱)", "同类月均中位数(箱)", "同类客户 75% 分位(箱)"]
    assert band["月份"].tolist() == list(range(1, 13))
    # from July its months sit far above its peers' band: the step the list names
    july_on = band[band["月份"] >= 7]
    assert (july_on["销量(箱)"] > july_on["同类客户 75% 分位(箱)"]).all()


def test_a_manager_s_list_and_a_district_without_leads(suspects_page, buttons):  # noqa: F811
    at = suspects_page
    at.selectbox(key="suspects_district").set_value("东部乡镇片区").run()
    at.selectbox(key="suspects_manager").set_value("郭敏").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.caption[0].value.replace("\\", "").startswith("片区: 东部乡镇片区 · 客户经理 郭敏 · ")
    table = at.table[0].value
    # the small rural 食杂店 ordering its manager's urban shop's 一二类: first, far above its peers' share
    first = table.iloc[0]
    assert first["许可证号"] == "420106001457" and first["依据"].startswith("【销量远超同类】")
    assert "【一二类占比偏高】一二类烟占其销量 67.27%，同类客户中位数 12.49%" in first["依据"]
    assert set(table["客户经理"]) == {"郭敏"} and first["对应客户"] == "—"
    # no step is its reason: no step's figures, on screen or in the file
    figures = at.dataframe[0].value
    assert figures.iloc[0][["突变月", "突变前月均(箱)", "突变后月均(箱)"]].isna().all()
    csv = pd.read_csv(io.BytesIO(_file(buttons, "郭敏-2019-12-31.csv")), skiprows=1, dtype=str, encoding="utf-8-sig")
    row = csv[csv["许可证号"] == "420106001457"].iloc[0]
    assert row[["突变月", "突变前月均(箱)", "突变后月均(箱)", "月均变化(箱)"]].isna().all()


def test_english_reads_as_english(suspects_page):
    at = suspects_page
    at.session_state["lang"] = "en"
    at.session_state["suspects_district"] = WEST  # (the picker's own toggle is pages/widgets.py's, tested there)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    text = "\n".join(m.value for m in at.markdown).replace("\\", "")  # markdown-escaped
    assert "[Volume far above peers] 0.37 cases a month" in text and "惠民任记副食店 (042007001811)" in text
    names = {"惠民王记便利店", "惠民任记副食店", "林芳"}  # names from the data stay as they are
    for shown in (text, at.table[0].value.to_csv(), *(b.label for b in at.get("download_button"))):
        for name in names:
            shown = shown.replace(name, "")
        assert not any("\u3000" <= ch <= "\u303f" or "\u4e00" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in shown), shown


def test_a_viewer_has_no_such_page(signed_in):  # noqa: F811
    """A viewer may not see retailers: the page is not in their navigation (app.py), where it would only refuse."""
    at = signed_in("viewer@example.com")
    assert not at.exception, [e.value for e in at.exception]
    assert "suspects" not in _pages(at) and "brands" in _pages(at)
