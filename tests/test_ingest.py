"""Reading and validating extracts: every file is built here, every message asserted word for word.

Row numbers are those an analyst sees in Excel (header = row 1). The masters used for reference
checks are the tiny city of conftest.py.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import signal
import time
import zipfile

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter

from analytics import config
from analytics.ingest import (
    MAX_PROBLEMS_SHOWN,
    human_size,
    parse_bytes,
    parse_bytes_isolated,
)
from analytics.store import Store

from .conftest import TINY_ORDERS, TINY_RETAILERS, TINY_SKUS, TINY_TARGETS

ORDER_HEAD = "订货日期,许可证号,卷烟编码,订货量(条),金额(元),订货方式\n"


def _csv(text: str, name: str = "x.csv", encoding: str = "utf-8", **kw):
    return parse_bytes(text.encode(encoding), name, **kw)


def _masters() -> tuple[pd.DataFrame, pd.DataFrame]:
    return _csv(TINY_RETAILERS).frame, _csv(TINY_SKUS).frame


def _xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    """A workbook with typed cells: str → text, int/float → number, datetime → date cell."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if isinstance(value, dt.datetime):
                    ws.write_datetime(i, j, value, date_fmt)
                elif isinstance(value, int | float):
                    ws.write_number(i, j, value)
                else:
                    ws.write_string(i, j, value)
    wb.close()
    return buf.getvalue()


def _parquet(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


# --- reading -----------------------------------------------------------------------------------


def test_strict_utf8_csv_keeps_ids_exactly_as_written():
    p = _csv(TINY_RETAILERS, "零售户.csv")
    assert (p.ok, p.kind, p.encoding, p.format) == (True, "retailers", "utf-8", "csv")
    assert p.frame["retailer_id"].tolist() == ["0420001", "0420002", "0420003"]
    assert p.frame["customer_tier"].tolist() == [5, 10, 20]


def test_a_utf8_bom_does_not_corrupt_the_first_header():
    p = parse_bytes(TINY_SKUS.encode("utf-8-sig"), "卷烟.csv")
    assert (p.ok, p.kind, p.encoding) == (True, "skus", "utf-8-sig")
    assert p.mapping.columns["sku_id"] == "卷烟编码"  # not "\ufeff卷烟编码"
    assert p.frame["sku_id"].tolist() == ["6901028000001", "6901028000002", "6901028000003"]


def test_gbk_and_gb18030_csv_are_decoded():
    p = parse_bytes(TINY_ORDERS.encode("gbk"), "订单.csv")
    assert (p.ok, p.encoding) == (True, "gb18030")  # GB18030 is a superset of GBK
    assert p.frame["channel"].tolist() == ["phone", "online", "online", "phone", "visit", "online"]
    name = "𠮷野家便利店"  # outside GBK: only GB18030 can write it
    with pytest.raises(UnicodeEncodeError):
        name.encode("gbk")
    p = parse_bytes(TINY_RETAILERS.replace("甲便利店", name).encode("gb18030"), "零售户.csv")
    assert p.ok and p.frame["retailer_name"].tolist() == [name, "乙食杂店", "丙超市"]


def test_utf16_tab_separated_text_from_excel_is_read():
    p = parse_bytes(TINY_RETAILERS.replace(",", "\t").encode("utf-16"), "零售户.txt")
    assert (p.ok, p.encoding) == (True, "utf-16")
    assert p.frame["district"].tolist() == ["甲片区", "甲片区", "乙片区"]


def test_bytes_that_are_neither_utf8_nor_gb18030_are_an_encoding_error():
    p = parse_bytes(ORDER_HEAD.encode() + b"\xff\xfe\xfd,1\n", "x.csv")
    assert p.frame is None
    assert p.problems.messages("zh") == ["x.csv：无法识别文件编码（支持 UTF-8 与 GBK/GB18030）"]
    assert p.problems.messages("en") == ["x.csv: cannot decode the file (UTF-8 or GBK/GB18030 expected)"]


def test_xlsx_reads_the_first_sheet_or_the_named_one_with_typed_cells():
    data = _xlsx({
        "客户": [["许可证号", "客户名称", "片区", "城乡分类", "档位"], ["0420001", "甲便利店", "甲片区", "城网", 5]],
        "卷烟": [["卷烟编码", "卷烟名称", "品牌", "是否省产", "批发价(元/条)"], [6901028000001, "一号(硬)", "一号", "是", 200]],
    })
    first = parse_bytes(data, "档案.xlsx")
    assert (first.ok, first.format, first.sheets, first.sheet, first.kind) == (True, "xlsx", ["客户", "卷烟"], "客户", "retailers")
    assert first.frame[["retailer_id", "area_type", "customer_tier"]].values.tolist() == [["0420001", "urban", 5]]
    named = parse_bytes(data, "档案.xlsx", sheet="卷烟")
    assert (named.ok, named.sheet, named.kind) == (True, "卷烟", "skus")
    # a numeric cell holding a bar code is the code, not 6.901028e12; the class follows from the price
    assert named.frame[["sku_id", "wholesale_price", "price_class"]].values.tolist() == [["6901028000001", 200.0, 1]]


def test_xlsx_without_the_named_sheet_names_the_sheets_it_has():
    data = _xlsx({"说明": [["readme"]], "订单": [ORDER_HEAD.strip().split(",")]})
    p = parse_bytes(data, "订单.xlsx", sheet="十二月")
    assert p.problems.messages("zh") == ["订单.xlsx：没有名为“十二月”的工作表（现有：说明 / 订单）"]
    assert p.problems.messages("en") == ["订单.xlsx: there is no sheet named '十二月' (sheets: 说明 / 订单)"]


def test_parquet_with_typed_dates_integer_codes_and_timezones():
    table = pa.table({
        "order_date": pa.array([dt.date(2019, 12, 2), dt.date(2019, 12, 31)], pa.date32()),
        "retailer_id": ["0420001", "0420003"],
        "sku_id": pa.array([6901028000001, 6901028000003], pa.int64()),
        "quantity_cartons": pa.array([10, 20], pa.int64()),
        "amount_yuan": [2000.0, 1000.0],
        "channel": ["网订", None],
    })
    p = parse_bytes(_parquet(table), "orders.parquet")
    assert (p.ok, p.format, p.kind) == (True, "parquet", "orders")
    assert p.frame["order_date"].dt.strftime("%Y-%m-%d").tolist() == ["2019-12-02", "2019-12-31"]
    assert p.frame["sku_id"].tolist() == ["6901028000001", "6901028000003"]
    assert p.frame["channel"].tolist() == ["online", "other"]
    # a timestamp with a zone keeps the local calendar date (23:30 in Shanghai is not the next day in UTC)
    stamps = pa.array([dt.datetime(2019, 12, 2, 23, 30), dt.datetime(2019, 12, 31, 8)], pa.timestamp("ms", tz="Asia/Shanghai"))
    local = pd.Series(stamps.to_pandas()).dt.tz_convert("Asia/Shanghai")
    p = parse_bytes(_parquet(table.set_column(0, "order_date", pa.Array.from_pandas(local))), "orders.parquet")
    assert p.ok and p.frame["order_date"].dt.strftime("%Y-%m-%d").tolist() == ["2019-12-03", "2019-12-31"]
    # a float column of codes written by a spreadsheet tool: 6901028000001.0 is the code
    p = parse_bytes(_parquet(table.set_column(2, "sku_id", pa.array([6901028000001.0, 6901028000003.0]))), "orders.parquet")
    assert p.ok and p.frame["sku_id"].tolist() == ["6901028000001", "6901028000003"]


def test_kind_is_recognised_from_english_or_chinese_headers():
    english = {
        "orders": "order_date,retailer_id,sku_id,quantity_cartons,amount_yuan,channel\n2019-01-07,0420001,6901028000001,1,200,phone\n",
        "retailers": "retailer_id,retailer_name,district,area_type\n0420001,甲便利店,甲片区,urban\n",
        "skus": "sku_id,sku_name,brand,is_provincial,price_class\n6901028000001,一号(硬),一号,Y,1\n",
    }
    for kind, text in english.items():
        assert (_csv(text).kind, _csv(text).ok) == (kind, True)
    for kind, text in (("orders", TINY_ORDERS), ("retailers", TINY_RETAILERS), ("skus", TINY_SKUS)):
        assert _csv(text).kind == kind
    # full-width brackets and stray spaces in a header still match
    assert _csv(TINY_ORDERS.replace("订货量(条)", " 订货量（条） ")).frame["quantity_cartons"].sum() == 1250


def test_an_explicit_kind_overrides_what_the_headers_suggest():
    p = _csv(TINY_RETAILERS, "零售户.csv", kind="skus")
    assert p.kind == "skus" and p.frame is None
    assert p.problems.messages("zh") == [
        "零售户.csv，第 1 行：缺少必需的列“卷烟编码”（可用表头：卷烟编码 / 商品编码 / 规格编码 / sku_id）",
        "零售户.csv，第 1 行：缺少必需的列“卷烟名称”（可用表头：卷烟名称 / 规格名称 / 商品名称 / sku_name）",
        "零售户.csv，第 1 行：缺少必需的列“品牌”（可用表头：品牌 / brand）",
        "零售户.csv，第 1 行：缺少必需的列“是否省产”（可用表头：是否省产 / 省产烟 / is_provincial）",
        "零售户.csv，第 1 行：缺少必需的列“价类”（可用表头：价类 / 类别 / price_class / 批发价(元/条) / 批发价 / wholesale_price）",
    ]
    assert _csv("许可证号,客户名称\n0420001,甲便利店\n").problems.messages("en") == [
        "x.csv, row 1: required column '片区' is missing (headers accepted: 片区 / 所属片区 / district)",
        "x.csv, row 1: required column '城乡分类' is missing (headers accepted: 城乡分类 / 市场类型 / area_type)",
    ]


def test_headers_that_match_no_kind_ask_for_the_kind():
    p = _csv("甲,乙\n1,2\n", "说明.csv")
    assert p.problems.messages("zh") == ["说明.csv，第 1 行：无法从表头识别文件类型（订单 / 零售户 / 卷烟 / 任务），请指定类型"]
    assert p.problems.messages("en") == [
        "说明.csv, row 1: cannot tell the kind (orders / retailers / skus / targets) from the headers; state it"]


# --- normalising -----------------------------------------------------------------------------------


def test_dates_in_every_spelling_an_export_uses():
    spellings = ["2023/3/7", "2023-03-07", "20230307", "44992", "2023.3.7", "2023/3/7 0:00", "2023-03-07 08:15:00"]
    text = ORDER_HEAD + "".join(f"{d},0420001,6901028000001,1,200,电话\n" for d in spellings)
    p = _csv(text)
    assert p.ok, p.problems.messages("en")
    assert p.frame["order_date"].dt.strftime("%Y-%m-%d").tolist() == ["2023-03-07"] * len(spellings)


def test_typed_and_serial_dates_in_xlsx():
    rows = [ORDER_HEAD.strip().split(","),
            [dt.datetime(2019, 12, 2), "0420001", "6901028000001", 1, 200, "电话"],
            [43801, "0420001", "6901028000001", 1, 200, "电话"],  # a date cell formatted as a number
            ["2019/12/2", "0420001", "6901028000001", 1, 200, "电话"]]
    p = parse_bytes(_xlsx({"订单": rows}), "订单.xlsx")
    assert p.ok, p.problems.messages("en")
    assert p.frame["order_date"].dt.strftime("%Y-%m-%d").tolist() == ["2019-12-02"] * 3


def test_numbers_with_thousands_separators_currency_signs_and_fullwidth_digits():
    text = ORDER_HEAD + '2019-01-07,0420001,6901028000001,"1,000","1,234.50",电话\n' \
                        "2019-01-07,0420001,6901028000001,１２,¥2000,电话\n" \
                        "2019-01-07,0420001,6901028000001, 3 ,￥1,电话\n"
    p = _csv(text)
    assert p.ok, p.problems.messages("en")
    assert p.frame["quantity_cartons"].tolist() == [1000, 12, 3]
    assert p.frame["amount_yuan"].tolist() == [1234.5, 2000.0, 1.0]


def test_case_headers_are_multiplied_by_250_and_must_give_whole_cartons():
    text = ORDER_HEAD.replace("订货量(条)", "订货量(箱)") + "2019-01-07,0420001,6901028000001,0.4,200,电话\n" \
                                                          "2019-01-07,0420001,6901028000001,2,200,电话\n" \
                                                          "2019-01-07,0420001,6901028000001,0.001,200,电话\n"
    p = _csv(text)
    assert p.frame["quantity_cartons"].tolist() == [100, 500, 0]
    assert p.problems.messages("zh") == ["x.csv，第 4 行，列“订货量(箱)”，值“0.001”：换算成条后不是整数"]
    assert p.problems.messages("en") == ["x.csv, row 4, column '订货量(箱)', value '0.001': is not a whole number of cartons"]


def test_channel_area_provincial_and_class_vocabularies():
    channels = ["网上订货", "网订", "互联网", "手机", "APP", "电话订货", "电话", "走访", "拜访", "传真"]
    text = ORDER_HEAD + "".join(f"2019-01-07,0420001,6901028000001,1,200,{c}\n" for c in channels)
    assert _csv(text).frame["channel"].tolist() == ["online"] * 5 + ["phone"] * 2 + ["visit"] * 2 + ["other"]

    areas = ["城镇", "城网", "城市", "urban", "乡村", "农村", "农网", "rural"]
    text = "许可证号,客户名称,片区,城乡分类\n" + "".join(f"{i:07d},店{i},甲片区,{a}\n" for i, a in enumerate(areas))
    assert _csv(text).frame["area_type"].tolist() == ["urban"] * 4 + ["rural"] * 4

    flags = ["是", "否", "Y", "N", "1", "0", "true", "false", "省产", "省外"]
    classes = ["一类", "二类烟", "3", "4.0", "五类", "一类", "二类", "三类", "四类", "五类烟"]
    rows = enumerate(zip(flags, classes, strict=True))
    text = "卷烟编码,卷烟名称,品牌,是否省产,价类\n" + "".join(f"{i:013d},烟{i},牌,{f},{c}\n" for i, (f, c) in rows)
    p = _csv(text)
    assert p.frame["is_provincial"].tolist() == [True, False] * 5
    assert p.frame["price_class"].tolist() == [1, 2, 3, 4, 5, 1, 2, 3, 4, 5]


def test_values_that_cannot_be_normalised_are_errors_not_nulls():
    retailers = "许可证号,客户名称,片区,城乡分类,档位\n0420001,甲,甲片区,郊区,31\n0420002,乙,甲片区,,5\n"
    assert _csv(retailers, "零售户.csv").problems.messages("zh") == [
        "零售户.csv，第 2 行，列“城乡分类”，值“郊区”：无法识别的城乡分类（应为 城网/农网）",
        "零售户.csv，第 2 行，列“档位”，值“31”：档位应为 1–30 的整数",
        "零售户.csv，第 3 行，列“城乡分类”：不能为空",
    ]
    skus = "卷烟编码,卷烟名称,品牌,是否省产,价类,批发价\n6901028000001,一号,一号,也许,六类,200\n6901028000002,二号,二号,是,,贵\n"
    assert _csv(skus, "卷烟.csv").problems.messages("en") == [
        "卷烟.csv, row 2, column '是否省产', value '也许': unknown provincial flag (yes/no expected)",
        "卷烟.csv, row 2, column '价类', value '六类': unknown price class (1-5 expected)",
        "卷烟.csv, row 3, column '价类': must not be blank",
        "卷烟.csv, row 3, column '批发价', value '贵': not a number",
    ]


# --- validation ------------------------------------------------------------------------------------


def test_impossible_order_values_are_named_by_file_row_column_and_value():
    text = ORDER_HEAD + "2019-02-30,0420001,6901028000001,10,200,电话\n" \
                        "1999-12-31,0420001,6901028000001,0,200,电话\n" \
                        "2019-01-07,0420001,6901028000001,-3,-5,电话\n" \
                        "2019-01-07,,6901028000001,abc,,电话\n"
    p = _csv(text, "订单.csv")
    assert p.frame is not None and not p.ok and p.problems.count == 8
    assert p.problems.messages("zh") == [
        "订单.csv，第 2 行，列“订货日期”，值“2019-02-30”：无法识别的日期",
        "订单.csv，第 3 行，列“订货日期”，值“1999-12-31”：日期超出合理范围（2000-01-01 至 2099-12-31）",
        "订单.csv，第 3 行，列“订货量(条)”，值“0”：必须大于 0",
        "订单.csv，第 4 行，列“订货量(条)”，值“-3”：必须大于 0",
        "订单.csv，第 4 行，列“金额(元)”，值“-5”：不能为负数",
        "订单.csv，第 5 行，列“许可证号”：不能为空",
        "订单.csv，第 5 行，列“订货量(条)”，值“abc”：不是数字",
        "订单.csv，第 5 行，列“金额(元)”：不能为空",
    ]
    assert p.problems.messages("en")[:2] == [
        "订单.csv, row 2, column '订货日期', value '2019-02-30': not a date this product reads",
        "订单.csv, row 3, column '订货日期', value '1999-12-31': date outside the sane range (2000-01-01 to 2099-12-31)",
    ]


def test_duplicate_keys_in_a_master_name_both_rows():
    p = _csv(TINY_RETAILERS + "0420002,乙食杂店(新),甲片区,张伟,农网,食杂店,10\n", "零售户.csv")
    assert p.problems.messages("zh") == ["零售户.csv，第 5 行，列“许可证号”，值“0420002”：主键重复（第 3 行已出现）"]
    assert p.problems.messages("en") == ["零售户.csv, row 5, column '许可证号', value '0420002': duplicate key (first seen on row 3)"]


def test_order_lines_for_retailers_or_skus_not_in_the_masters_list_each_unknown_id():
    retailers, skus = _masters()
    text = ORDER_HEAD + "2019-01-07,0999999,6901028000001,1,200,电话\n" \
                        "2019-01-07,0420001,6901028000009,1,200,电话\n" \
                        "2019-01-14,0999999,6901028000001,1,200,电话\n" \
                        "2019-01-14,0888888,6901028000001,1,200,电话\n" \
                        "2019-01-21,0999999,6901028000002,1,200,电话\n"
    p = parse_bytes(text.encode("gbk"), "订单.csv", retailers=retailers, skus=skus)
    assert p.problems.messages("zh") == [
        "订单.csv，第 2 行，列“许可证号”，值“0999999”：零售户不在客户档案中，请先导入客户档案（该编号共 3 行，此为第一行）",
        "订单.csv，第 3 行，列“卷烟编码”，值“6901028000009”：卷烟不在卷烟档案中，请先导入卷烟档案",
        "订单.csv，第 5 行，列“许可证号”，值“0888888”：零售户不在客户档案中，请先导入客户档案",
    ]
    assert p.problems.messages("en")[0] == (
        "订单.csv, row 2, column '许可证号', value '0999999': retailer not in the retailer master; load it first "
        "(3 lines with this ID, the first shown)"
    )


@pytest.mark.parametrize("data", [b"", b" \r\n\r\n", ORDER_HEAD.encode("gbk"), (ORDER_HEAD + ",,,,,\n\n").encode("gbk")],
                         ids=["zero-bytes", "whitespace", "header-only", "blank-rows-only"])
def test_an_empty_file_says_it_has_no_data_rows(data):
    p = parse_bytes(data, "订单.csv")
    assert p.frame is None
    assert p.problems.messages("zh") == ["订单.csv：文件没有数据行"]
    assert p.problems.messages("en") == ["订单.csv: the file has no data rows"]


def test_an_xlsx_with_an_empty_first_sheet_is_empty():
    p = parse_bytes(_xlsx({"Sheet1": []}), "订单.xlsx")
    assert p.problems.messages("zh") == ["订单.xlsx：文件没有数据行"]


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


@pytest.mark.parametrize(("data", "name", "zh", "en"), [
    (PNG, "订单.csv", "PNG 图片", "a PNG image"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "订单.xlsx", "PDF 文档", "a PDF document"),
    ("<html><body><table><tr><td>订货日期</td></tr></table></body></html>".encode(), "订单.xls", "网页（HTML）", "a web page (HTML)"),
    (b"\x00\x01\x02\x03" * 64, "订单.parquet", "无法识别的二进制数据", "unrecognised binary data"),
], ids=["png-as-csv", "pdf-as-xlsx", "html-as-xls", "binary-as-parquet"])
def test_a_file_of_the_wrong_type_is_refused_whatever_its_extension(data, name, zh, en):
    ext = name.rsplit(".", 1)[1]
    p = parse_bytes(data, name)
    assert p.frame is None
    assert p.problems.messages("zh") == [f"{name}：文件内容是 {zh}，与扩展名 .{ext} 不符或不受支持"]
    assert p.problems.messages("en") == [f"{name}: the content is {en}, not a supported .{ext} file"]


def test_a_zip_that_is_not_a_workbook_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("订单.csv", ORDER_HEAD)
    assert parse_bytes(buf.getvalue(), "订单.xlsx").problems.messages("en") == [
        "订单.xlsx: the content is a ZIP archive, not a supported .xlsx file"
    ]


def test_only_the_first_50_problems_are_listed_with_a_count_of_the_rest():
    text = ORDER_HEAD + "".join(f"2019-01-07,0420001,6901028000001,{-i},200,电话\n" for i in range(1, 61))
    p = _csv(text, "订单.csv")
    assert p.problems.count == 60
    zh = p.problems.messages("zh")
    assert len(zh) == MAX_PROBLEMS_SHOWN + 1
    assert zh[0] == "订单.csv，第 2 行，列“订货量(条)”，值“-1”：必须大于 0"
    assert zh[49] == "订单.csv，第 51 行，列“订货量(条)”，值“-50”：必须大于 0"
    assert zh[50] == "……另有 10 个问题未列出"
    assert p.problems.messages("en")[50] == "... and 10 more problems"


def test_rows_are_counted_as_the_analyst_sees_them_across_blank_lines_and_quoted_newlines():
    text = ORDER_HEAD + "2019-01-07,0420001,6901028000001,1,200,电话\n" \
                        "\n" \
                        ",,,,,\n" \
                        '2019-01-07,0420001,6901028000001,1,200,"电话\n订货"\n' \
                        "2019-01-07,0420001,6901028000001,x,200,电话\n"
    p = _csv(text, "订单.csv")
    assert p.raw_rows == 3  # the two empty rows are not data
    assert p.problems.messages("zh") == ["订单.csv，第 6 行，列“订货量(条)”，值“x”：不是数字"]


# --- limits ----------------------------------------------------------------------------------------


def test_a_file_over_the_configured_size_is_refused_before_reading(monkeypatch):
    monkeypatch.setattr(config, "MAX_FILE_BYTES", 99)
    data = (ORDER_HEAD + "2019-01-07,0420001,6901028000001,1,200,电话\n").encode("gbk")
    assert len(data) == 100
    p = parse_bytes(data, "订单.csv")
    assert p.frame is None
    assert p.problems.messages("zh") == ["订单.csv：文件大小 100 B，超过上限 99 B"]
    assert p.problems.messages("en") == ["订单.csv: the file is 100 B, over the 99 B limit"]
    assert human_size(200 * 2**20) == "200 MB" and human_size(1536) == "1.5 KB"


def _zeros_workbook() -> bytes:
    """A 'workbook' whose one sheet is 5 MB of zeros: a few KB on disk, a ratio near 1000."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * (5 * 2**20))
    return buf.getvalue()


def test_an_xlsx_declaring_a_huge_inflated_size_is_refused_as_a_zip_bomb():
    data = _zeros_workbook()
    assert len(data) * 200 < 5 * 2**20
    p = parse_bytes(data, "炸弹.xlsx")
    limit, size = human_size(len(data) * 200), human_size(len(data))
    assert p.problems.messages("zh") == [f"炸弹.xlsx：无法读取文件：解压后将超过 {limit}（文件仅 {size}），疑似压缩炸弹，已拒绝"]
    assert p.problems.messages("en") == [f"炸弹.xlsx: cannot read the file: it would inflate to more than {limit} from {size}; "
                                         "refused as a possible zip bomb"]


def test_an_xlsx_lying_about_its_inflated_size_is_still_refused():
    data = bytearray(_zeros_workbook())
    # rewrite the sheet's declared size to 1,000 bytes in its local header and the central directory
    name = b"xl/worksheets/sheet1.xml"
    local = data.rindex(name, 0, data.index(b"PK\x01\x02")) - 30  # the name follows a 30-byte local header
    central = data.rindex(name) - 46  # and a 46-byte central directory entry
    assert data[local: local + 4] == b"PK\x03\x04" and data[central: central + 4] == b"PK\x01\x02"
    data[local + 22: local + 26] = (1000).to_bytes(4, "little")
    data[central + 24: central + 28] = (1000).to_bytes(4, "little")
    assert sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()) == 1008
    p = parse_bytes(bytes(data), "炸弹.xlsx")
    assert p.problems.messages("en") == [
        f"炸弹.xlsx: cannot read the file: it would inflate to more than {human_size(len(data) * 200)} from "
        f"{human_size(len(data))}; refused as a possible zip bomb"
    ]


# --- isolation: Excel is parsed in a child process -------------------------------------------------

# What a child may be made to do instead of parsing (imported there as tests.test_ingest).


def exit_hard(*_args: object, **_kwargs: object) -> None:
    os._exit(3)


def abort(*_args: object, **_kwargs: object) -> None:
    os.abort()  # what a native parser's assertion failure or segfault looks like from outside


def hang(*_args: object, **_kwargs: object) -> None:
    time.sleep(60)


ENTRY = "tests.test_ingest:{}"
ORDERS_XLSX_ROWS = [ORDER_HEAD.strip().split(","), [dt.datetime(2019, 12, 2), "0420001", 6901028000001, 2, "1,234.50", "网订"]]


def test_an_isolated_parse_gives_exactly_what_an_in_process_parse_gives():
    data = _xlsx({"订单": ORDERS_XLSX_ROWS})
    inside, isolated = parse_bytes(data, "订单.xlsx"), parse_bytes_isolated(data, "订单.xlsx")
    assert isolated.ok and inside.ok
    pd.testing.assert_frame_equal(isolated.frame, inside.frame)
    assert (isolated.kind, isolated.sheet, isolated.sha256, isolated.rows.tolist()) == ("orders", "订单", inside.sha256, [2])


def test_a_parser_that_exits_in_the_child_is_an_unreadable_file_not_a_crash():
    p = parse_bytes_isolated(b"PK\x03\x04", "坏.xlsx", entry=ENTRY.format("exit_hard"))
    assert p.frame is None
    assert p.problems.messages("zh") == ["坏.xlsx：无法读取文件：读取程序异常退出（退出码 3），文件可能已损坏"]
    assert p.problems.messages("en") == ["坏.xlsx: cannot read the file: the reader exited with code 3; the file may be damaged"]
    assert p.problems.items[0].code == "err_unreadable"


def test_a_parser_killed_by_a_signal_in_the_child_is_an_unreadable_file():
    p = parse_bytes_isolated(b"PK\x03\x04", "坏.xlsx", entry=ENTRY.format("abort"))
    assert p.problems.messages("zh") == [f"坏.xlsx：无法读取文件：读取程序被信号 {int(signal.SIGABRT)} 终止，文件可能已损坏"]
    assert p.problems.messages("en") == [
        f"坏.xlsx: cannot read the file: the reader was killed by signal {int(signal.SIGABRT)}; the file may be damaged"]


def test_a_parser_that_hangs_is_stopped_at_the_timeout():
    started = time.monotonic()
    p = parse_bytes_isolated(b"PK\x03\x04", "慢.xlsx", timeout=1, entry=ENTRY.format("hang"))
    assert time.monotonic() - started < 10
    assert p.problems.messages("zh") == ["慢.xlsx：无法读取文件：读取超过 1 秒仍未完成，已中止"]
    assert p.problems.messages("en") == ["慢.xlsx: cannot read the file: reading took longer than 1 s and was stopped"]


def test_the_store_parses_excel_in_a_child_and_survives_its_crash(tmp_path, monkeypatch):
    import analytics.ingest.isolation as isolation

    calls: list[str] = []

    def crashing(data: bytes, name: str, **kw: object):
        calls.append(name)
        return parse_bytes_isolated(data, name, entry=ENTRY.format("abort"), **kw)

    monkeypatch.setattr(isolation, "parse_bytes_isolated", crashing)
    store = Store(tmp_path / "data")
    results = store.parse([("订单.xlsx", _xlsx({"订单": ORDERS_XLSX_ROWS})), ("零售户.csv", TINY_RETAILERS.encode("gbk"))])
    assert calls == ["订单.xlsx"]  # CSV is parsed in this process
    assert [r.status for r in results] == ["refused", "ready"]
    assert results[0].messages("en") == [
        f"订单.xlsx: cannot read the file: the reader was killed by signal {int(signal.SIGABRT)}; the file may be damaged"
    ]


def _counting_parse(monkeypatch) -> list[tuple[str, str | None, str | None]]:
    """Record every real parse the parse cache asks for (file, kind, sheet)."""
    import analytics.ingest.isolation as isolation

    calls: list[tuple[str, str | None, str | None]] = []
    real = isolation.parse_file

    def counting(data: bytes, name: str, kind: str | None = None, sheet: str | None = None):
        calls.append((name, kind, sheet))
        return real(data, name, kind=kind, sheet=sheet)

    monkeypatch.setattr(isolation, "parse_file", counting)
    return calls


def test_a_batch_previewed_and_then_loaded_with_one_cache_is_parsed_once(tmp_path, monkeypatch):
    from analytics.ingest import ParseCache

    calls = _counting_parse(monkeypatch)
    store, cache = Store(tmp_path / "data"), ParseCache()
    batch = [("零售户.csv", TINY_RETAILERS.encode("gbk")), ("卷烟.csv", TINY_SKUS.encode("gbk")),
             ("订单.csv", TINY_ORDERS.encode("gbk"))]
    for _ in range(3):  # the page's preview reruns on every click
        assert [r.status for r in store.parse(batch, cache=cache)] == ["ready"] * 3
    results = store.load(batch, loaded_by="test", cache=cache)
    assert [r.status for r in results] == ["loaded"] * 3
    assert calls == [("零售户.csv", None, None), ("卷烟.csv", None, None), ("订单.csv", None, None)]
    # what was stored is the full parse, with each line's district from the masters loaded alongside
    assert [e["rows"] for e in store.extracts()] == [3, 3, 6]
    assert pd.read_parquet(store.extracts_dir / "E00003.parquet")["district"].tolist() == ["甲片区"] * 5 + ["乙片区"]
    # another kind is another parse; a batch without a file drops that file's parse
    store.parse(batch[:1], kind="retailers", cache=cache)
    store.parse(batch[:1], cache=cache)
    assert calls[3:] == [("零售户.csv", "retailers", None), ("零售户.csv", None, None)]


def test_the_checks_against_the_masters_are_made_again_on_a_cached_parse(tmp_path, monkeypatch):
    from analytics.ingest import ParseCache

    calls = _counting_parse(monkeypatch)
    store, cache = Store(tmp_path / "data"), ParseCache()
    orders = [("订单.csv", TINY_ORDERS.encode("gbk"))]
    first = store.parse(orders, cache=cache)[0]
    assert first.status == "refused" and first.parsed.problems.count == 6  # three retailers and three SKUs unknown
    second = store.parse(orders, cache=cache)[0]
    assert second.messages("en") == first.messages("en")  # said once each time, not once more per rerun
    store.load([("零售户.csv", TINY_RETAILERS.encode("gbk")), ("卷烟.csv", TINY_SKUS.encode("gbk"))], loaded_by="test")
    third = store.parse(orders, cache=cache, period=("2018-01-01", "2018-12-31"))[0]
    assert third.status == "refused"  # known now, but four lines lie outside the period given
    assert [p.code for p in third.parsed.problems.items] == ["err_outside_period"] * 4
    assert store.parse(orders, cache=cache)[0].status == "ready"
    assert calls == [("订单.csv", None, None)]  # read once, checked four times


def test_the_child_sees_the_settings_of_this_process(monkeypatch):
    monkeypatch.setattr(config, "MAX_ORDER_DATE", "2019-06-30")
    p = parse_bytes_isolated(_xlsx({"订单": ORDERS_XLSX_ROWS}), "订单.xlsx")
    assert p.problems.messages("zh") == ["订单.xlsx，第 2 行，列“订货日期”，值“2019-12-02”：日期超出合理范围（2000-01-01 至 2019-06-30）"]


# --- targets (任务, issue #13) -----------------------------------------------------------------------

TARGET_HEAD = "年度,月份,片区,客户经理,销量任务(箱),一二类烟任务(箱),五类烟任务(箱),网订率任务(%)\n"


def _targets(text: str, name: str = "任务.csv") -> object:
    """A targets CSV in GBK, checked against the tiny city's retailer master."""
    retailers, skus = _masters()
    return parse_bytes(text.encode("gbk"), name, retailers=retailers, skus=skus)


def test_a_gbk_targets_csv_with_chinese_headers_is_recognised_and_normalised():
    p = _targets(TINY_TARGETS)
    assert (p.ok, p.kind, p.encoding, p.districts) == (True, "targets", "gb18030", ["乙片区", "甲片区"])
    f = p.frame
    # blank month and 0 are both the whole-year row; a blank manager is the district's own target
    assert f["month"].tolist() == [0, 0, 1, 2, 0]
    assert f["manager"].tolist() == ["", "张伟", "", "", "李娜"]
    assert f["volume_target_cases"].tolist() == [4.0, 4.0, 1.0, 3.0, 4.0]
    assert f["low_tier_target_cases"].isna().tolist() == [False, False, True, True, True]  # blank = not given
    assert f["online_rate_target_pct"].tolist()[:4] == [60.0, 60.0, 50.0, 100.0]


def test_targets_with_english_headers_and_only_the_volume_measure():
    p = _csv("year,district,volume_target_cases\n2019,甲片区,12.5\n")
    assert (p.ok, p.kind) == (True, "targets")
    assert p.frame[["year", "month", "district", "manager", "volume_target_cases"]].values.tolist() == [[2019, 0, "甲片区", "", 12.5]]
    assert p.frame["class12_target_cases"].isna().all()  # a measure the file lacks is not given


def test_targets_from_xlsx_with_typed_numbers_and_the_other_aliases():
    data = _xlsx({"任务": [["年份", "月份", "所属片区", "客户经理", "销量计划(箱)", "低档烟任务(箱)", "条均价任务(元/条)"],
                          [2019, 3, "乙片区", "李娜", 20.25, 1.5, 180]]})
    p = parse_bytes(data, "任务.xlsx")
    assert (p.ok, p.kind) == (True, "targets")
    row = p.frame.iloc[0]
    assert (row["year"], row["month"], row["district"], row["manager"]) == (2019, 3, "乙片区", "李娜")
    assert (row["volume_target_cases"], row["low_tier_target_cases"], row["avg_price_target"]) == (20.25, 1.5, 180.0)


def test_the_targets_signature_does_not_take_other_kinds_files():
    """A retailer master has 片区 and 客户经理 too: only 年度 with 销量任务 makes a file targets."""
    assert [_csv(t).kind for t in (TINY_RETAILERS, TINY_SKUS, TINY_ORDERS)] == ["retailers", "skus", "orders"]
    assert _csv("片区,客户经理,销量任务(箱)\n甲片区,张伟,1\n").kind is None


def test_the_volume_target_is_required():
    p = _csv("年度,片区,一二类烟任务(箱)\n2019,甲片区,1\n", "任务.csv", kind="targets")
    assert p.problems.messages("zh") == [
        "任务.csv，第 1 行：缺少必需的列“销量任务(箱)”（可用表头：销量任务(箱) / 销量计划(箱) / volume_target_cases）"]


def test_impossible_target_values_are_named_by_file_row_column_and_value():
    text = TARGET_HEAD + ("2019.5,,甲片区,,1,,,\n"      # row 2: year not whole
                          "1999,,甲片区,,1,,,\n"        # row 3: year out of range
                          ",,甲片区,,1,,,\n"            # row 4: year blank
                          "2019,13,甲片区,,1,,,\n"      # row 5: month 13
                          "2019,一月,甲片区,,1,,,\n"    # row 6: month not a number
                          "2019,,,,1,,,\n"              # row 7: district blank
                          "2019,,乙片区,,,,,\n"         # row 8: volume blank
                          "2019,,乙片区,李娜,-2,许多,-1,101%\n")  # row 9: negative, not a number, negative, over 100
    p = _targets(text)
    assert not p.ok
    # problems come row by row, left to right within a row (as for every kind)
    assert p.problems.messages("zh") == [
        "任务.csv，第 2 行，列“年度”，值“2019.5”：年度应为 2000–2099 的整数",
        "任务.csv，第 3 行，列“年度”，值“1999”：年度应为 2000–2099 的整数",
        "任务.csv，第 4 行，列“年度”：不能为空",
        "任务.csv，第 5 行，列“月份”，值“13”：月份应为 1–12 的整数（空白或 0 表示全年任务）",
        "任务.csv，第 6 行，列“月份”，值“一月”：月份应为 1–12 的整数（空白或 0 表示全年任务）",
        "任务.csv，第 7 行，列“片区”：不能为空",
        "任务.csv，第 8 行，列“销量任务(箱)”：不能为空",
        "任务.csv，第 9 行，列“销量任务(箱)”，值“-2”：不能为负数",
        "任务.csv，第 9 行，列“一二类烟任务(箱)”，值“许多”：不是数字",
        "任务.csv，第 9 行，列“五类烟任务(箱)”，值“-1”：不能为负数",
        "任务.csv，第 9 行，列“网订率任务(%)”，值“101%”：百分比应在 0–100 之间",
    ]
    assert p.problems.messages("en")[0] == ("任务.csv, row 2, column '年度', value '2019.5': "
                                            "the year must be a whole number from 2000 to 2099")
    assert p.problems.messages("en")[3] == ("任务.csv, row 5, column '月份', value '13': the month must be a whole number from 1 to 12 "
                                            "(blank or 0 = the whole year)")
    assert p.problems.messages("en")[-1] == "任务.csv, row 9, column '网订率任务(%)', value '101%': a percentage must be from 0 to 100"


def test_a_target_given_twice_names_both_rows():
    """Blank month and 0 are the same whole-year row; a blank manager is the district's own."""
    text = TARGET_HEAD + ("2019,,甲片区,,4,,,\n"
                          "2019,3,甲片区,张伟,1,,,\n"
                          "2019,0,甲片区,,5,,,\n"
                          "2019,3,甲片区,张伟,2,,,\n")
    p = _targets(text)
    # (the months of 张伟 are not compared with a whole year: he has none)
    assert p.problems.messages("zh") == [
        "任务.csv，第 4 行，列“片区”，值“甲片区”：同一任务重复：2019 年全年，片区任务（第 2 行已出现）",
        "任务.csv，第 5 行，列“片区”，值“甲片区”：同一任务重复：2019 年 3 月，客户经理 张伟（第 3 行已出现）",
    ]
    assert p.problems.messages("en") == [
        "任务.csv, row 4, column '片区', value '甲片区': duplicate target: 2019, whole year, the district's own target "
        "(first seen on row 2)",
        "任务.csv, row 5, column '片区', value '甲片区': duplicate target: 2019, month 3, manager 张伟 (first seen on row 3)",
    ]


def test_a_whole_year_target_that_disagrees_with_its_months_names_both_rows_and_values():
    text = TARGET_HEAD + ("2019,,甲片区,,10,4,2,\n"     # row 2: whole year
                          "2019,1,甲片区,,5.2,2,1,\n"   # rows 3, 4: months; volume 10.6 (0.6 off), 一二类 4, 五类 2.4 (0.4 off)
                          "2019,2,甲片区,,5.4,2,1.4,\n"
                          "2019,,乙片区,,3,,,\n"        # row 5: 乙's months agree within 0.5 箱
                          "2019,1,乙片区,,1.25,,,\n"
                          "2019,2,乙片区,,2.25,,,\n")
    p = _targets(text)
    assert p.problems.messages("zh") == [
        "任务.csv，第 2 行，列“销量任务(箱)”，值“10”：全年任务 10 箱与第 3, 4 行的各月任务之和 10.6 箱相差超过 0.5 箱"]
    assert p.problems.messages("en") == [
        "任务.csv, row 2, column '销量任务(箱)', value '10': the whole-year target of 10 cases differs from 10.6 cases, "
        "the sum of the monthly targets on rows 3, 4, by more than 0.5 cases"]


def test_every_additive_measure_is_checked_against_the_months():
    months = "".join(f"2019,{m},乙片区,李娜,1,0.5,0,\n" for m in range(1, 13))  # rows 3–14
    p = _targets(TARGET_HEAD + "2019,,乙片区,李娜,12,7,1,\n" + months)
    assert p.problems.messages("zh") == [
        "任务.csv，第 2 行，列“一二类烟任务(箱)”，值“7”：全年任务 7 箱与第 3–14 行的各月任务之和 6 箱相差超过 0.5 箱",
        "任务.csv，第 2 行，列“五类烟任务(箱)”，值“1”：全年任务 1 箱与第 3–14 行的各月任务之和 0 箱相差超过 0.5 箱",
    ]


def test_targets_for_districts_or_managers_not_in_the_retailer_master():
    text = TARGET_HEAD + ("2019,,丙片区,,1,,,\n"       # row 2: no such district
                          "2019,1,丙片区,,1,,,\n"      # row 3: the same district again
                          "2019,,甲片区,李娜,1,,,\n"   # row 4: 李娜 serves 乙片区, not 甲
                          "2019,,乙片区,李娜,1,,,\n"   # row 5: fine
                          "2019,,乙片区,王芳,1,,,\n")  # row 6: nobody of that name
    p = _targets(text)
    assert p.problems.messages("zh") == [
        "任务.csv，第 2 行，列“片区”，值“丙片区”：片区不在客户档案中，请先导入客户档案（该片区共 2 行，此为第一行）",
        "任务.csv，第 4 行，列“客户经理”，值“李娜”：客户档案中“甲片区”没有这位客户经理",
        "任务.csv，第 6 行，列“客户经理”，值“王芳”：客户档案中“乙片区”没有这位客户经理",
    ]
    assert p.problems.messages("en")[:2] == [
        "任务.csv, row 2, column '片区', value '丙片区': district not in the retailer master; load it first "
        "(2 rows with this district, the first shown)",
        "任务.csv, row 4, column '客户经理', value '李娜': no retailer of '甲片区' has this customer manager in the master",
    ]


def test_a_refused_targets_file_stores_nothing(tiny: Store):
    before = sorted(p.name for p in tiny.root.rglob("*"))
    manifest = tiny.manifest()
    results = tiny.load([("任务.csv", (TARGET_HEAD + "2019,,丙片区,,1,,,\n").encode("gbk"))])
    assert [r.status for r in results] == ["refused"]
    assert sorted(p.name for p in tiny.root.rglob("*")) == before and tiny.manifest() == manifest


def test_targets_from_parquet_with_typed_numbers_and_nulls():
    """Typed columns: a null month is the whole year, a null manager the district's own target."""
    table = pa.table({"年度": pa.array([2019, 2019], pa.int64()), "月份": pa.array([None, 4.0], pa.float64()),
                      "片区": ["甲片区", "乙片区"], "客户经理": pa.array([None, "李娜"], pa.string()),
                      "销量任务(箱)": pa.array([4.0, 1.5]), "网订率任务(%)": pa.array([60.0, None])})
    p = parse_bytes(_parquet(table), "任务.parquet", retailers=_masters()[0], skus=_masters()[1])
    assert (p.ok, p.kind, p.format) == (True, "targets", "parquet")
    assert p.frame[["year", "month", "district", "manager", "volume_target_cases"]].values.tolist() == [
        [2019, 0, "甲片区", "", 4.0], [2019, 4, "乙片区", "李娜", 1.5]]
    assert p.frame["online_rate_target_pct"].tolist()[0] == 60.0 and pd.isna(p.frame["online_rate_target_pct"].tolist()[1])


def test_problems_are_listed_by_row_then_column_whatever_the_check_that_found_them():
    """The review's file listed rows 3, 5, 4: checks run column by column, the list reads top to bottom."""
    text = ORDER_HEAD + "2019-01-07,0420001,6901028000001,1,200,电话\n" \
                        "2019-01-07,0420001,6901028000001,x,200,电话\n" \
                        "2019-13-07,0420001,6901028000001,1,-1,电话\n" \
                        "2019-01-07,,6901028000001,1,200,电话\n"
    assert _csv(text, "订单.csv").problems.messages("en") == [
        "订单.csv, row 3, column '订货量(条)', value 'x': not a number",
        "订单.csv, row 4, column '订货日期', value '2019-13-07': not a date this product reads",
        "订单.csv, row 4, column '金额(元)', value '-1': must not be negative",
        "订单.csv, row 5, column '许可证号': must not be blank",
    ]


def test_the_first_50_problems_by_row_are_kept_however_many_columns_have_problems():
    # rows 2–61 have a bad quantity, rows 41–61 a bad date too: the top of the file is listed, not the first column
    text = ORDER_HEAD + "".join(f"2019-01-{'07' if i < 40 else '32'},0420001,6901028000001,{-i},200,电话\n" for i in range(1, 61))
    p = _csv(text, "订单.csv")
    assert p.problems.count == 81
    rows = [m.split("，")[1] for m in p.problems.messages("zh")[:MAX_PROBLEMS_SHOWN]]
    assert rows == [f"第 {r} 行" for r in range(2, 41)] + [f"第 {r // 2} 行" for r in range(82, 93)]
    assert p.problems.messages("zh")[39:41] == ["订单.csv，第 41 行，列“订货日期”，值“2019-01-32”：无法识别的日期",
                                                "订单.csv，第 41 行，列“订货量(条)”，值“-40”：必须大于 0"]
    assert p.problems.messages("zh")[50] == "……另有 31 个问题未列出"
