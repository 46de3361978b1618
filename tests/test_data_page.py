"""The Data page in AppTest: upload → preview of exactly what will be replaced → confirm → history → rollback."""
import hashlib
from pathlib import Path

from streamlit.testing.v1 import AppTest

from analytics.db import connect_store
from analytics.filters import Filters
from analytics.queries import summary

from .conftest import ROOT, load_tiny

# a corrected re-export of 甲片区 for Feb–Mar 2019: two lines instead of the original two
CORRECTION = """订货日期,许可证号,卷烟编码,订货量(条),金额(元),订货方式
2019/2/4,0420001,6901028000002,60,600,电话订货
2019/3/4,0420002,6901028000003,250,12500,网上订货
"""
BAD = """订货日期,许可证号,卷烟编码,订货量(条),金额(元),订货方式
2019-02-30,0420001,6901028000002,60,600,电话订货
2019-03-04,0999999,6901028000003,0,12500,网上订货
"""


def _page(root: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(root))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/views/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _tree_hash(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def test_upload_preview_confirm_and_rollback(tmp_path, monkeypatch):
    store = load_tiny(tmp_path / "data")
    at = _page(store.root, monkeypatch)
    at.file_uploader[0].set_value(("更正_甲片区.csv", CORRECTION.encode("gbk"), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    warnings = [w.value for w in at.warning]
    today = store.extracts()[-1]["loaded_at"][:10]
    assert warnings == [f"将替换 甲片区 2019-02-04 至 2019-03-04 的 2 行订单（1.00 箱，来自 E00003 {today} 导入）"]
    assert at.button(key="upload_confirm").label == "确认导入 1 个文件"
    at.button(key="upload_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success] == ["已导入 E00004：更正_甲片区.csv，2 行"]
    s = summary(connect_store(store), Filters(year=2019, compare_year=2018, districts=("甲片区",)))
    assert s["volume_cases"] == (250 + 60 + 250) / 250  # January kept, Feb–Mar replaced
    assert [e["id"] for e in store.extracts()] == ["E00001", "E00002", "E00003", "E00004"]

    form_select = next(sb for sb in at.selectbox if sb.label == "选择要撤销的导入")
    assert form_select.value == "E00004"
    next(cb for cb in at.checkbox if cb.label.startswith("我确认撤销")).check()
    next(b for b in at.button if b.label == "撤销导入").click().run()
    assert [s.value for s in at.success] == ["已撤销 E00004（更正_甲片区.csv）"]
    s = summary(connect_store(store), Filters(year=2019, compare_year=2018, districts=("甲片区",)))
    assert s["volume_cases"] == 2.0  # back to the original 500 条


def test_a_refused_upload_lists_problems_and_changes_nothing(tmp_path, monkeypatch):
    store = load_tiny(tmp_path / "data")
    before = _tree_hash(store.root)
    at = _page(store.root, monkeypatch)
    at.file_uploader[0].set_value(("坏文件.csv", BAD.encode("gbk"), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert errors[0] == "发现 3 个问题，此批文件不会导入："
    assert errors[-1] == "数据未做任何改动。请修正上面的问题后重新上传。"
    listed = at.code[0].value.splitlines()
    assert listed == [
        "坏文件.csv，第 2 行，列“订货日期”，值“2019-02-30”：无法识别的日期",
        "坏文件.csv，第 3 行，列“订货量(条)”，值“0”：必须大于 0",
        "坏文件.csv，第 3 行，列“许可证号”，值“0999999”：零售户不在客户档案中，请先导入客户档案",
    ]
    assert not [b for b in at.button if b.label.startswith("确认导入")]
    assert _tree_hash(store.root) == before


def test_loading_the_same_file_again_is_recognised(tmp_path, monkeypatch):
    from .conftest import TINY_ORDERS

    store = load_tiny(tmp_path / "data")
    at = _page(store.root, monkeypatch)
    at.file_uploader[0].set_value(("订单.csv", TINY_ORDERS.encode("gbk"), "text/csv")).run()
    assert [i.value for i in at.info] == ["这个文件已经导入过（内容完全相同），不会重复导入。"]
    assert not [b for b in at.button if b.label.startswith("确认导入")]
