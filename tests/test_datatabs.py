"""The data behind every chart, in the reader's language: the column registry, the formats, the note
that says what a file shows, and every page's tables checked for raw column names and codes."""
import io
import json
import os

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import charts, queries
from analytics.columns import REGISTRY, filter_note, formatted, kinds, localize, total_row, unregistered
from analytics.db import connect_store, connect_store_lines
from analytics.exports import csv_bytes, xlsx_bytes
from analytics.filters import Filters
from analytics.formats import MISSING
from analytics.labels import LABELS, t

from .conftest import ROOT

TINY = pd.DataFrame({
    "year": [2019, 2019, 2019],
    "month": [1, 2, 3],
    "price_class": [1, 3, 5],
    "area_type": ["urban", "rural", "urban"],
    "channel": ["online", "phone", "visit"],
    "online": [True, False, True],
    "is_provincial": [True, False, False],
    "qty": [308_641, 250, 1],  # raw 条: never shown
    "cases": [1234.564, 1.0, 0.004],
    "share_pct": [33.3333333, 50.0, 16.6666667],
    "avg_price": [85.655555, 1234567.891, 0.0],
    "online_customers": [1234, 5, 0],
    "cum_qty": [1, 2, 3],
})


def test_localize_gives_labelled_headers_words_for_codes_and_two_decimals():
    shown = localize(TINY, "zh")
    assert list(shown.columns) == ["年份", "月份", "价类", "城乡分类", "订货方式", "已网订", "是否省产", "销量(箱)", "占比(%)",
                                   "条均价(元/条)", "网订客户数(户)"]
    assert shown["价类"].tolist() == ["一类", "三类", "五类"]
    assert shown["城乡分类"].tolist() == ["城网", "农网", "城网"]
    assert shown["订货方式"].tolist() == ["网上订货", "电话订货", "走访订货"]
    assert shown["已网订"].tolist() == ["是", "否", "是"]
    assert shown["是否省产"].tolist() == ["省产", "省外", "省外"]
    assert shown["销量(箱)"].tolist() == [1234.56, 1.0, 0.0]
    assert shown["占比(%)"].tolist() == [33.33, 50.0, 16.67]
    assert shown["网订客户数(户)"].tolist() == [1234, 5, 0]  # whole numbers, not 1234.0
    english = localize(TINY, "en", ["price_class", "area_type", "channel"])
    assert english.to_dict("list") == {"Price class": ["Class 1", "Class 3", "Class 5"], "Area type": ["Urban", "Rural", "Urban"],
                                       "Channel": ["Online", "Phone", "Visit"]}


def test_the_screen_shows_thousands_separators_whole_counts_and_plain_years():
    shown = formatted(localize(TINY, "zh"), "zh")
    assert shown["销量(箱)"].tolist() == ["1,234.56", "1.00", "0.00"]
    assert shown["条均价(元/条)"].tolist() == ["85.66", "1,234,567.89", "0.00"]
    assert shown["网订客户数(户)"].tolist() == ["1,234", "5", "0"]
    assert shown["年份"].tolist() == ["2019"] * 3  # a year is not "2,019"
    assert kinds(localize(TINY, "zh"), "zh")["占比(%)"] == "pct"


def test_every_registered_column_has_a_label_and_one_meaning_per_header():
    for lang in ("zh", "en"):
        meaning: dict[str, str] = {}
        for name, spec in REGISTRY.items():
            if spec.kind == "internal":
                continue
            assert spec.label in LABELS, name
            head = t(spec.label, lang)
            assert meaning.setdefault(head, spec.kind) == spec.kind, head  # a header maps back to one number kind
            assert head not in REGISTRY  # a label never looks like a query column (is_raw relies on it)


def test_filter_note_uses_the_pages_labels():
    f = Filters(year=2019, compare_year=2018, month_from=1, month_to=6, area_types=("urban",), business_formats=("便利店",),
                tier_min=5, tier_max=10)
    assert filter_note(f, "zh", ("2017-01", "2019-12")) == (
        "片区: 全市 · 年份: 2019 对比 2018 · 月份: 1–6月 · 城乡分类: 城网 · 业态: 便利店 · 档位: 5–10 · 数据期间: 2017-01 – 2019-12")
    assert filter_note(f.with_(districts=("城郊片区",), area_types=("rural",)), "en") == (
        "District: 城郊片区 · Year: 2019 vs 2018 · Month: 1–6 · Area type: Rural · Business format: 便利店 · Tier: 5–10")


def test_csv_is_rounded_as_on_screen_with_a_zh_note_line():
    note = filter_note(Filters(year=2019, compare_year=2018, area_types=("urban",)), "zh", ("2017-01", "2019-12"))
    lines = csv_bytes(localize(TINY, "zh", ["price_class", "area_type", "cases"]), note).decode("utf-8-sig").splitlines()
    assert lines[0] == "# 片区: 全市 · 年份: 2019 对比 2018 · 城乡分类: 城网 · 数据期间: 2017-01 – 2019-12"
    assert lines[1:] == ["价类,城乡分类,销量(箱)", "一类,城网,1234.56", "三类,农网,1.0", "五类,城网,0.0"]


def test_xlsx_has_the_table_as_shown_then_a_full_precision_sheet_then_the_note():
    shown = localize(TINY, "zh", ["price_class", "cases", "online_customers"])
    full = localize(TINY, "zh", ["price_class", "cases", "online_customers"], rounded=False)
    formats = {"销量(箱)": "#,##0.00", "网订客户数(户)": "#,##0"}
    data = xlsx_bytes(shown, "片区: 全市", raw=full, formats=formats)
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, engine="calamine")
    assert list(sheets) == ["数据", "原始精度", "说明"]
    assert sheets["数据"]["销量(箱)"].tolist() == [1234.56, 1.0, 0.0]
    assert sheets["原始精度"]["销量(箱)"].tolist() == [1234.564, 1.0, 0.004]
    assert sheets["原始精度"]["价类"].tolist() == ["一类", "三类", "五类"]
    assert sheets["数据"]["网订客户数(户)"].tolist() == [1234, 5, 0]
    import zipfile

    styles = zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml").decode()
    assert 'formatCode="#,##0.00"' in styles and 'formatCode="#,##0"' in styles  # Excel shows thousands separators


def test_total_row_is_the_summary_not_an_average_of_rows(tiny):
    con = connect_store(tiny)
    f = Filters(year=2019, compare_year=2018)
    rows = queries.breakdown(con, f)
    total = total_row(queries.summary(con, f), f, "zh").iloc[0]
    assert total["district"] == "全市合计"
    assert total["volume_cases"] == pytest.approx(rows["volume_cases"].sum()) == 4.0  # 甲 2 箱 + 乙 2 箱
    # 甲 121 元/条 on 500 条, 乙 200 元/条 on 500 条: the company's own ratio, 160.50 (equal weights here)
    assert total["avg_price"] == pytest.approx(160_500 / 1000)
    # 网订率: 2 of 3 retailers online in 2019, not the mean of 甲's 50% and 乙's 100% (75%)
    assert total["online_rate_pct"] == pytest.approx(200 / 3)
    one = f.with_(districts=("甲片区",))
    assert total_row(queries.summary(con, one), one, "zh")["district"][0] == "所选片区合计"


RAW_CODES = {"urban", "rural", "online", "phone", "visit", "other", "True", "False", "true", "false"}


def _assert_readable(frame: pd.DataFrame, where: str, allowed_headers: set[str]) -> None:
    assert set(map(str, frame.columns)) <= allowed_headers, (where, set(frame.columns) - allowed_headers)
    for col in frame.columns:
        values = {str(v) for v in frame[col].dropna().tolist()}
        assert not values & RAW_CODES, (where, col, values & RAW_CODES)
        if col == "价类":
            assert values <= {"一类", "二类", "三类", "四类", "五类"}, (where, values)
        if col == "城乡分类":
            assert values <= {"城网", "农网"}, (where, values)
        if col == "订货方式":
            assert values <= {"网上订货", "电话订货", "走访订货", "其他"}, (where, values)


def _zh_headers() -> set[str]:
    return {t(spec.label, "zh") for spec in REGISTRY.values() if spec.kind != "internal"}


def test_every_query_result_is_fully_registered_and_reads_in_chinese(tiny):
    """The data path of every chart and table: a new query column must be registered (labelled or
    marked internal), or it would silently vanish from the 数据 tab."""
    con = connect_store(tiny)
    f = Filters(year=2019, compare_year=2018)
    results = {
        "kpi_totals": queries.kpi_totals(con, f), "breakdown": queries.breakdown(con, f),
        "class_yoy": queries.class_yoy(con, f), "pace": queries.pace(con, f), "top_brands": queries.top_brands(con, f),
        "top_skus": queries.top_brands(con, f, level="sku"), "online_by_month": queries.online_by_month(con, f),
        "retailers_not_online": queries.retailers_not_online(con, f), "retailer_table": queries.retailer_table(con, f),
        # the tiny city's 2019 ends on 6 May: against the same period of 2018 no 五类 volume fell, so
        # the decliners are read the other way round (2018, whole, against 2019)
        "low_tier_decliners": queries.low_tier_decliners(con, f.with_(year=2018, compare_year=2019)),
        "volume_swings": queries.volume_swings(con, f, min_months=1),
        "retailer_monthly": queries.retailer_monthly(con, f, "0420001"),
        "retailer_orders": queries.retailer_orders(connect_store_lines(tiny), Filters(), "0420001", 2019),
        "class_by_period": queries.class_by_period(con, f), "low_tier_by_period": queries.low_tier_by_period(con, f),
        "provincial_by_period": queries.provincial_by_period(con, f),
    }
    for by in queries.DIMENSIONS:
        results[f"class_by_{by}"] = queries.class_by_period(con, f, grain="year", by=by)
        results[f"provincial_by_{by}"] = queries.provincial_by_period(con, f, grain="year", by=by)
        results[f"online_by_month_{by}"] = queries.online_by_month(con, f, by=by)
        results[f"online_by_segment_{by}"] = queries.online_by_segment(con, f, by=by)
        results[f"breakdown_{by}"] = queries.breakdown(con, f, by=by)
    for name, frame in results.items():
        assert not frame.empty, name
        assert unregistered(frame) == [], name
        shown = localize(frame, "zh")
        assert len(shown.columns), name
        _assert_readable(shown, name, _zh_headers())


def test_the_upload_preview_reads_in_chinese():
    """The data page previews a parsed extract through the same registry (common.table localizes it)."""
    from analytics.ingest import parse_bytes

    from .conftest import TINY_ORDERS, TINY_RETAILERS, TINY_SKUS, TINY_TARGETS

    for file_name, text in (("零售户档案.csv", TINY_RETAILERS), ("卷烟档案.csv", TINY_SKUS), ("订单.csv", TINY_ORDERS),
                            ("任务.csv", TINY_TARGETS)):
        parsed = parse_bytes(text.encode("utf-8"), file_name)
        assert parsed.frame is not None, parsed.problems
        assert unregistered(parsed.frame) == [], file_name
        _assert_readable(localize(parsed.frame, "zh"), file_name, _zh_headers())
    shown = localize(parse_bytes(TINY_TARGETS.encode("utf-8"), "任务.csv").frame, "zh")
    assert list(shown.columns) == ["年份", "月份", "片区", "客户经理", "销量任务(箱)", "一二类烟任务(箱)", "省产烟任务(箱)",
                                   "五类烟任务(箱)", "条均价任务(元/条)", "网订率任务(%)"]
    # the page draws the preview as text: an empty cell reads —, as every missing value in the app (never "None")
    text = formatted(shown, "zh", missing=MISSING)
    assert text["五类烟任务(箱)"].tolist() == ["0.50", "0.50", "—", "—", "—"]
    assert text["客户经理"].tolist() == ["—", "张伟", "—", "—", "李娜"]
    assert text.iloc[4].tolist() == ["2019", "0", "乙片区", "李娜", "4.00", "3.00", "3.00", "—", "—", "—"]
    assert formatted(shown, "zh")["五类烟任务(箱)"].tolist() == ["0.50", "0.50", "", "", ""]  # the plain screen twin: blank


def test_png_copy_carries_title_scope_filters_and_period():
    frame = pd.DataFrame({"district": ["甲片区"], "share_pct": [12.5]})
    note = filter_note(Filters(year=2019, compare_year=2018, area_types=("urban",)), "zh", ("2017-01", "2019-12"))
    fig = charts.for_export(charts.bars(frame, "zh", "district", "share_pct", "%"), note, "省产烟 · 按片区")
    assert fig.layout.title.text == "省产烟 · 按片区"
    text = " ".join(a.text for a in fig.layout.annotations).replace("<br>", " · ")
    for part in ("片区: 全市", "年份: 2019 对比 2018", "城乡分类: 城网", "数据期间: 2017-01 – 2019-12"):
        assert part in text


# --- every table of every page, as the app draws it ---------------------------------------------

TIMEOUT = 180


def _annual_headers() -> set[str]:
    # widgets.annual_table: text cells formatted by fmt_*; its two value columns name the periods compared
    return {"指标", "2019年", "2018年", "增减", "同比(%)"}


def _page_tables(at: AppTest) -> list[pd.DataFrame]:
    assert not at.exception, [e.value for e in at.exception]
    return [df.value for df in at.dataframe]


@pytest.mark.parametrize("page", ["pages/views/overview.py", "pages/views/mix.py", "pages/views/provincial.py",
                                  "pages/views/online.py", "pages/views/low_tier.py"])
def test_no_raw_column_name_or_code_reaches_a_data_tab(page, demo_dir, data_env):
    data_env(demo_dir)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page(page).run()
    tables = _page_tables(at)
    assert len(tables) >= 3, page  # the 数据 tabs are drawn (tab contents are all rendered)
    allowed = _zh_headers() | {"全市合计"}
    for i, frame in enumerate(tables):
        _assert_readable(frame, f"{page}#{i}", allowed)


def test_no_raw_column_name_or_code_on_a_district_page_and_its_drill_down(demo_dir, data_env):
    def script():
        import os
        import sys

        sys.path.insert(0, os.environ["APP_ROOT"])
        import streamlit as st

        from pages import common, district

        common.init_from_link()
        st.session_state["filters"] = common.sidebar_filters(show_district=False)
        district.render("城郊片区")

    os.environ["APP_ROOT"] = str(ROOT)
    data_env(demo_dir)
    at = AppTest.from_function(script, default_timeout=TIMEOUT)
    at.run()
    pick = at.selectbox(key="d-城郊片区-retailer")
    pick.set_value(pick.options[0].split(" · ")[0]).run()
    tables = _page_tables(at)
    assert "订货日期" in tables[-1].columns  # the drill-down's order lines are among them
    for i, frame in enumerate(tables):
        _assert_readable(frame, f"district#{i}", _zh_headers() | _annual_headers())


def test_overview_district_table_ends_with_the_total_equal_to_the_kpi_cards(demo_dir, data_env):
    data_env(demo_dir)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    element = next(df for df in at.dataframe if list(df.value.columns[:2]) == ["片区", "销量(箱)"])
    table = element.value
    total = table.iloc[-1]
    assert total["片区"] == "全市合计"
    cards = {m.label: m.value for m in at.metric}
    assert f"{total['销量(箱)']:,.2f} 箱" == cards["销量"] == "8,227.52 箱"
    assert f"{total['条均价(元/条)']:,.2f} 元/条" == cards["条均价"]
    assert f"{total['单箱值(元/箱)']:,.2f} 元/箱" == cards["单箱值"]
    assert f"{total['省产烟占比(%)']:.2f}%" == cards["省产烟占比"]
    assert f"{total['网订率(%)']:.2f}%" == cards["网订率"]
    assert f"{total['五类烟(箱)']:,.2f} 箱" == cards["五类烟(箱)"]
    assert table["销量(箱)"].iloc[:-1].sum() == pytest.approx(total["销量(箱)"], abs=0.01 * len(table))
    # thousands separators and the pinned naming column are configured on the table itself
    config = json.loads(element.proto.columns)
    assert config["销量(箱)"]["type_config"]["format"] == "%,.2f"
    assert config["片区"]["pinned"] is True


def test_the_data_pages_upload_preview_shows_labels_and_words(tmp_path, monkeypatch):
    from .conftest import data_page_app, load_tiny
    from .test_data_page import CORRECTION

    at = data_page_app(load_tiny(tmp_path / "data").root, monkeypatch)
    at.file_uploader[0].set_value(("更正_甲片区.csv", CORRECTION.encode("gbk"), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    preview = next(df.value for df in at.dataframe if "订货日期" in df.value.columns)
    assert list(preview.columns) == ["订货日期", "许可证号", "卷烟编码", "订货量(条)", "金额(元)", "订货方式", "片区"]
    # as the screen shows them: the preview is drawn as text so that an empty cell can read — (formats.MISSING)
    assert preview.values.tolist() == [["2019-02-04", "0420001", "6901028000002", "60", "600.00", "电话订货", "甲片区"],
                                       ["2019-03-04", "0420002", "6901028000003", "250", "12,500.00", "网上订货", "甲片区"]]


def test_in_english_the_data_tabs_read_in_english(demo_dir, data_env):
    data_env(demo_dir)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("pages/views/mix.py").run()
    tables = _page_tables(at)
    english = {t(spec.label, "en") for spec in REGISTRY.values() if spec.kind != "internal"}
    for frame in tables:
        assert set(frame.columns) <= english, set(frame.columns) - english
    classes = {v for frame in tables if "Price class" in frame.columns for v in frame["Price class"]}
    assert classes == {"Class 1", "Class 2", "Class 3", "Class 4", "Class 5"}
