"""Table exports: CSV (BOM) and XLSX are formula-safe and say what they show."""
import io

import pandas as pd

from analytics.exports import csv_bytes, xlsx_bytes

FRAME = pd.DataFrame({"客户名称": ["=HYPERLINK(\"http://x\")", "@SUM(A1)", "正常店"], "销量(箱)": [1.5, -2.25, 3.0]})
NOTE = "年份: 2019 vs 2018 · 片区: 城郊片区 · 数据期间: 2017-01 – 2019-12"


def test_csv_starts_with_a_bom_and_a_note_line_then_the_table():
    text = csv_bytes(FRAME, NOTE).decode("utf-8")
    assert text.startswith("\ufeff# 年份: 2019 vs 2018")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[1] == "客户名称,销量(箱)"
    assert lines[2] == "\"'=HYPERLINK(\"\"http://x\"\")\",1.5"
    assert lines[3] == "'@SUM(A1),-2.25"


def test_xlsx_keeps_numbers_as_numbers_and_formulas_as_text():
    data = xlsx_bytes(FRAME, NOTE)
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, engine="calamine")
    assert list(sheets) == ["数据", "说明"]
    table = sheets["数据"]
    assert table["客户名称"].tolist() == ["'=HYPERLINK(\"http://x\")", "'@SUM(A1)", "正常店"]
    assert table["销量(箱)"].tolist() == [1.5, -2.25, 3.0]
    assert sheets["说明"].columns[0] == NOTE
    assert b"<f>" not in _sheet_xml(data)  # no cell was written as a formula


def _sheet_xml(data: bytes) -> bytes:
    import zipfile

    return zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
