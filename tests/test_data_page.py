"""The Data page in AppTest: upload → preview of exactly what will be replaced → confirm → history → rollback →
restore, each with a preview, a confirmation that never carries over, and errors said in one line."""
import hashlib
import json
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from analytics import audit
from analytics.db import connect_store
from analytics.filters import Filters
from analytics.formats import fmt_time
from analytics.queries import summary
from analytics.store import Store

from .conftest import data_page_app, load_tiny

# a corrected re-export of 甲片区 for Feb–Mar 2019: two lines instead of the original two
CORRECTION = """订货日期,许可证号,卷烟编码,订货量(条),金额(元),订货方式
2019/2/4,0420001,6901028000002,60,600,电话订货
2019/3/4,0420002,6901028000003,250,12500,网上订货
"""
BAD = """订货日期,许可证号,卷烟编码,订货量(条),金额(元),订货方式
2019-02-30,0420001,6901028000002,60,600,电话订货
2019-03-04,0999999,6901028000003,0,12500,网上订货
"""




def shown(markdown: str) -> str:
    """What the browser shows for Markdown whose values were escaped by analytics.text.md_escape."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")  # and its word joiners


def _pick(at: AppTest, label: str):
    return next(sb for sb in at.selectbox if sb.label == label)


def _sure(at: AppTest, start: str):
    return next(cb for cb in at.checkbox if cb.label.startswith(start))


def _go(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _preview(at: AppTest) -> list[list]:
    """The preview table of a withdrawal or restore (the table after the history)."""
    return at.dataframe[1].value.values.tolist()


def _tree_hash(root: Path) -> dict[str, str]:
    """The data directory's files and contents; the audit log aside (the page records attempts that change nothing)."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != audit.AUDIT_FILE}


def _log(root: Path) -> list[tuple]:
    path = root / audit.AUDIT_FILE
    entries = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    return [(e["action"], e["target"], e["result"]) for e in entries]


def test_upload_preview_confirm_and_rollback(tmp_path, monkeypatch):
    store = load_tiny(tmp_path / "data")
    at = data_page_app(store.root, monkeypatch)
    at.file_uploader[0].set_value(("更正_甲片区.csv", CORRECTION.encode("gbk"), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    warnings = [shown(w.value) for w in at.warning]
    today = fmt_time(store.extracts()[-1]["loaded_at"])[:10]
    assert warnings == [f"将替换 甲片区 2019-02-04 至 2019-03-04 的 2 行订单（1.00 箱，来自 E00003 {today} 导入）"]
    assert at.button(key="upload_confirm").label == "确认导入 1 个文件"
    at.button(key="upload_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [shown(s.value) for s in at.success] == ["已导入 E00004：更正_甲片区.csv，2 行"]
    s = summary(connect_store(store), Filters(year=2019, compare_year=2018, districts=("甲片区",)))
    assert s.volume_cases == (250 + 60 + 250) / 250  # January kept, Feb–Mar replaced
    assert [e["id"] for e in store.extracts()] == ["E00001", "E00002", "E00003", "E00004"]

    # nothing is preselected: the button does nothing until a load is chosen and the choice confirmed
    assert _pick(at, "选择要撤销的导入").value is None
    _pick(at, "选择要撤销的导入").set_value("E00004").run()
    assert _preview(at) == [
        ["移出", "甲片区", "2019-02-04 – 2019-03-04", 2, 1.24, "E00004", fmt_time(store.extracts()[3]["loaded_at"])],
        ["恢复", "甲片区", "2019-02-04 – 2019-03-04", 2, 1.0, "E00003", fmt_time(store.extracts()[2]["loaded_at"])],
    ]
    _sure(at, "我确认撤销").check().run()
    _go(at, "撤销导入").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [shown(s.value) for s in at.success] == ["已撤销 E00004（更正_甲片区.csv）"]
    s = summary(connect_store(store), Filters(year=2019, compare_year=2018, districts=("甲片区",)))
    assert s.volume_cases == 2.0  # back to the original 500 条

    # the page starts afresh: no choice, no tick, and a second press changes nothing
    after = _tree_hash(store.root)
    assert _pick(at, "选择要撤销的导入").value is None
    assert not _sure(at, "我确认撤销").value and _sure(at, "我确认撤销").disabled
    _go(at, "撤销导入").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [w.value for w in at.warning] == ["请先选择一次导入，并勾选确认。"]
    assert [e["status"] for e in store.extracts()] == ["active"] * 3 + ["withdrawn"]
    assert _tree_hash(store.root) == after
    assert not at.success

    # a choice alone is not enough: the confirmation is ticked for one choice, never carried over
    _pick(at, "选择要撤销的导入").set_value("E00003").run()
    _go(at, "撤销导入").click().run()
    assert [w.value for w in at.warning] == ["请先选择一次导入，并勾选确认。"]
    assert _tree_hash(store.root) == after
    _sure(at, "我确认撤销").check().run()
    _pick(at, "选择要撤销的导入").set_value("E00002").run()
    assert not _sure(at, "我确认撤销").value
    _go(at, "撤销导入").click().run()
    assert _tree_hash(store.root) == after
    assert [e["status"] for e in store.extracts()] == ["active"] * 3 + ["withdrawn"]


def test_a_withdrawn_load_is_restored_after_a_preview_and_the_history_reads_cleanly(tmp_path, monkeypatch):
    store = load_tiny(tmp_path / "data")
    assert store.load([("更正_甲片区.csv", CORRECTION.encode("gbk"))], loaded_by="test")[0].status == "loaded"
    store.rollback("E00004", withdrawn_by="王分析")
    at = data_page_app(store.root, monkeypatch)
    history = at.dataframe[0].value
    assert list(history.columns) == ["编号", "状态", "类型", "文件名", "行数", "开始日期", "结束日期", "片区", "导入时间", "导入人",
                                     "撤销时间", "撤销人"]
    assert history["编号"].tolist() == ["E00004", "E00003", "E00002", "E00001"]  # newest first
    loaded_at = store.extracts()[3]["loaded_at"]
    assert history.iloc[0].tolist() == ["E00004", "已撤销", "订单明细", "更正_甲片区.csv", "2", "2019-02-04", "2019-03-04", "甲片区",
                                        fmt_time(loaded_at), "test", fmt_time(store.extracts()[3]["withdrawn_at"]), "王分析"]
    assert history.iloc[3].tolist()[5:] == ["—", "—", "乙片区、甲片区", fmt_time(store.extracts()[0]["loaded_at"]), "test", "—", "—"]
    assert not history.isin(["None", "nan", "NaT"]).any().any() and history.notna().all().all()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", history.iloc[0]["导入时间"])

    assert _pick(at, "选择要恢复的导入").value is None
    _pick(at, "选择要恢复的导入").set_value("E00004").run()
    assert _preview(at) == [
        ["移出", "甲片区", "2019-02-04 – 2019-03-04", 2, 1.0, "E00003", fmt_time(store.extracts()[2]["loaded_at"])],
        ["恢复", "甲片区", "2019-02-04 – 2019-03-04", 2, 1.24, "E00004", fmt_time(loaded_at)],
    ]
    _sure(at, "我确认恢复").check().run()
    _go(at, "恢复导入").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [shown(s.value) for s in at.success] == ["已恢复 E00004（更正_甲片区.csv）"]
    assert "如需撤回，可在“撤销导入”中再次选择 E00004。" in [shown(c.value) for c in at.caption]
    s = summary(connect_store(store), Filters(year=2019, compare_year=2018, districts=("甲片区",)))
    assert s.volume_cases == (250 + 60 + 250) / 250  # the correction counts again
    record = store.extracts()[3]
    # local mode: the OS user, the one administrator (the name the command line records too)
    assert (record["status"], record["restored_by"]) == ("active", audit.os_user())
    assert fmt_time(record["restored_at"]) in at.dataframe[0].value["恢复时间"].tolist()
    assert not [sb for sb in at.selectbox if sb.label == "选择要恢复的导入"]  # nothing left to restore


def test_withdrawing_a_master_update_previews_the_fields_that_revert_in_either_language(tmp_path, monkeypatch):
    store = load_tiny(tmp_path / "data")
    update = "许可证号,客户名称,片区,客户经理,城乡分类,业态,档位\n0420002,乙食杂店(迁址),乙片区,李娜,城网,食杂店,12\n"
    assert store.load([("零售户_更新.csv", update.encode("gbk"))], loaded_by="test")[0].status == "loaded"
    at = data_page_app(store.root, monkeypatch)
    _pick(at, "选择要撤销的导入").set_value("E00004").run()
    assert not at.exception, [e.value for e in at.exception]
    since = fmt_time(store.extracts()[0]["loaded_at"])
    assert _preview(at) == [["0420002", "乙食杂店(迁址)",
                             "客户名称：乙食杂店(迁址) → 乙食杂店；片区：乙片区 → 甲片区；客户经理：李娜 → 张伟；"
                              "城乡分类：城网 → 农网；档位：12 → 10",
                             f"E00001 · {since}"]]
    at.session_state["lang"] = "en"
    at.run()
    assert _preview(at)[0][2] == ("Retailer: 乙食杂店(迁址) → 乙食杂店; District: 乙片区 → 甲片区; Customer manager: 李娜 → 张伟; "
                                  "Area type: Urban → Rural; Tier: 12 → 10")


def test_a_choice_withdrawn_meanwhile_elsewhere_is_dropped_and_nothing_else_is_withdrawn(tmp_path, monkeypatch):
    store = load_tiny(tmp_path / "data")
    at = data_page_app(store.root, monkeypatch)
    _pick(at, "选择要撤销的导入").set_value("E00003").run()
    _sure(at, "我确认撤销").check().run()
    store.rollback("E00003")  # another analyst, in another tab, was quicker
    before = _tree_hash(store.root)
    _go(at, "撤销导入").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [w.value for w in at.warning] == ["请先选择一次导入，并勾选确认。"]
    assert _pick(at, "选择要撤销的导入").value is None
    assert _tree_hash(store.root) == before


def test_a_lock_held_too_long_is_one_clear_message_and_changes_nothing(tmp_path, monkeypatch):
    store = load_tiny(tmp_path / "data")
    at = data_page_app(store.root, monkeypatch)

    def busy(self, *args, **kwargs):
        raise TimeoutError("another load holds .lock")

    monkeypatch.setattr(Store, "rollback", busy)
    before = _tree_hash(store.root)
    _pick(at, "选择要撤销的导入").set_value("E00003").run()
    _sure(at, "我确认撤销").check().run()
    _go(at, "撤销导入").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == ["另一项导入或撤销正在进行，数据没有改动，请稍后再试。"]
    assert not at.success
    assert _tree_hash(store.root) == before
    assert _log(store.root) == [("rollback", "E00003", "started"), ("rollback", "E00003", "failed")]


def test_a_refused_upload_lists_problems_and_changes_nothing(tmp_path, monkeypatch):
    store = load_tiny(tmp_path / "data")
    before = _tree_hash(store.root)
    at = data_page_app(store.root, monkeypatch)
    at.file_uploader[0].set_value(("坏文件.csv", BAD.encode("gbk"), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert errors[0] == "发现 3 个问题，此批文件不会导入："
    assert errors[-1] == "数据未做任何改动。请修正上面的问题后重新上传。"
    listed = at.code[0].value.splitlines()
    assert listed == [
        "坏文件.csv，第 2 行，列“订货日期”，值“2019-02-30”：无法识别的日期",
        # row by row, left to right: 许可证号 comes before 订货量 in the file, whichever check found it
        "坏文件.csv，第 3 行，列“许可证号”，值“0999999”：零售户不在客户档案中，请先导入客户档案",
        "坏文件.csv，第 3 行，列“订货量(条)”，值“0”：必须大于 0",
    ]
    assert not [b for b in at.button if b.label.startswith("确认导入")]
    assert _tree_hash(store.root) == before
    assert _log(store.root) == [("load_refused", "坏文件.csv", "refused")]  # the attempt, once


def test_loading_the_same_file_again_is_recognised(tmp_path, monkeypatch):
    from .conftest import TINY_ORDERS

    store = load_tiny(tmp_path / "data")
    at = data_page_app(store.root, monkeypatch)
    at.file_uploader[0].set_value(("订单.csv", TINY_ORDERS.encode("gbk"), "text/csv")).run()
    assert [i.value for i in at.info] == ["这个文件已经导入过（内容完全相同），不会重复导入。"]
    assert not [b for b in at.button if b.label.startswith("确认导入")]


def test_an_upload_is_parsed_once_for_its_previews_and_the_load_it_confirms(tmp_path, monkeypatch):
    import analytics.ingest.isolation as isolation

    calls: list[tuple[str, str | None]] = []
    real = isolation.parse_file

    def counting(data: bytes, name: str, kind: str | None = None, sheet: str | None = None):
        calls.append((name, kind))
        return real(data, name, kind=kind, sheet=sheet)

    monkeypatch.setattr(isolation, "parse_file", counting)
    store = load_tiny(tmp_path / "data")
    at = data_page_app(store.root, monkeypatch)
    at.file_uploader[0].set_value(("更正_甲片区.csv", CORRECTION.encode("gbk"), "text/csv")).run()
    at.run()  # any click reruns the page and its preview
    assert calls == [("更正_甲片区.csv", None)]
    at.selectbox(key="upload_kind").set_value("orders").run()  # another kind: read again, once
    at.run()
    at.button(key="upload_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [shown(s.value) for s in at.success] == ["已导入 E00004：更正_甲片区.csv，2 行"]
    assert calls == [("更正_甲片区.csv", None), ("更正_甲片区.csv", "orders")]
    s = summary(connect_store(store), Filters(year=2019, compare_year=2018, districts=("甲片区",)))
    assert s.volume_cases == (250 + 60 + 250) / 250  # the preview's parse is what was stored


# --- targets (任务, issue #13) -----------------------------------------------------------------------

def test_a_targets_file_is_detected_previewed_loaded_and_listed_as_任务(tmp_path, monkeypatch):
    from .conftest import TINY_TARGETS

    store = load_tiny(tmp_path / "data")
    at = data_page_app(store.root, monkeypatch)
    at.file_uploader[0].set_value(("任务.csv", TINY_TARGETS.encode("gbk"), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    facts = dict(at.dataframe[0].value.values.tolist())
    assert (facts["文件类型"], facts["行数"], facts["片区"], facts["年份"]) == ("任务", "5", "乙片区、甲片区", "2019")
    first_rows = at.dataframe[2].value
    assert list(first_rows.columns) == ["年份", "月份", "片区", "客户经理", "销量任务(箱)", "一二类烟任务(箱)", "省产烟任务(箱)",
                                        "五类烟任务(箱)", "条均价任务(元/条)", "网订率任务(%)"]
    # an empty cell reads "—" (the app's missing value), never a grey None
    assert first_rows.values.tolist() == [
        ["2019", "0", "甲片区", "—", "4.00", "2.00", "3.00", "0.50", "150.00", "60.00"],
        ["2019", "0", "甲片区", "张伟", "4.00", "2.00", "3.00", "0.50", "150.00", "60.00"],
        ["2019", "1", "乙片区", "—", "1.00", "1.00", "1.00", "—", "200.00", "50.00"],
        ["2019", "2", "乙片区", "—", "3.00", "2.00", "2.00", "—", "100.00", "100.00"],
        ["2019", "0", "乙片区", "李娜", "4.00", "3.00", "3.00", "—", "—", "—"]]
    # the check against the plan: each key's whole year as loading makes it live (乙片区's from its months:
    # 1 + 3 箱; 条均价 (200×1 + 100×3) / 4 = 125; 网订率 (50×1 + 100×3) / 4 = 87.5), nothing live replaced yet
    whole = at.dataframe[3].value
    assert list(whole.columns) == ["年份", "片区", "客户经理", "销量任务(箱)", "一二类烟任务(箱)", "省产烟任务(箱)", "五类烟任务(箱)",
                                   "条均价任务(元/条)", "网订率任务(%)", "月度任务(个月)", "现有销量任务(箱)"]
    assert whole.values.tolist() == [
        ["2019", "乙片区", "—", "4.00", "3.00", "3.00", "—", "125.00", "87.50", "2", "—"],
        ["2019", "乙片区", "李娜", "4.00", "3.00", "3.00", "—", "—", "—", "0", "—"],
        ["2019", "甲片区", "—", "4.00", "2.00", "3.00", "0.50", "150.00", "60.00", "0", "—"],
        ["2019", "甲片区", "张伟", "4.00", "2.00", "3.00", "0.50", "150.00", "60.00", "0", "—"]]
    captions = [c.value for c in at.caption]
    assert "2019 年各片区（不含客户经理行）全年销量任务合计 8.00 箱。" in captions and "不替换任何已有任务。" in captions
    assert not at.warning  # a targets file replaces no order line, and no live target yet
    at.button(key="upload_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [shown(s.value) for s in at.success] == ["已导入 E00004：任务.csv，5 行"]
    history = at.dataframe[0].value
    assert history.iloc[0][["编号", "类型", "文件名", "行数", "片区"]].tolist() == ["E00004", "任务", "任务.csv", "5", "乙片区、甲片区"]
    volume = connect_store(store).execute("SELECT volume_target_cases FROM targets WHERE district = '乙片区' AND month = 0 "
                                          "AND manager IS NULL").fetchone()
    assert volume == (4.0,)  # derived from its two months
    at.session_state["lang"] = "en"
    at.run()
    assert at.dataframe[0].value.iloc[0]["Kind"] == "Targets"


def test_a_refused_targets_file_lists_its_problems_and_changes_nothing(tmp_path, monkeypatch):
    store = load_tiny(tmp_path / "data")
    before = _tree_hash(store.root)
    at = data_page_app(store.root, monkeypatch)
    text = "年度,月份,片区,客户经理,销量任务(箱)\n2019,,甲片区,,10\n2019,1,甲片区,,4\n2019,2,甲片区,,5\n2019,,丙片区,,3\n"
    at.file_uploader[0].set_value(("任务_有误.csv", text.encode("gbk"), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert dict(at.dataframe[0].value.values.tolist())["文件类型"] == "任务"
    assert [e.value for e in at.error] == ["发现 2 个问题，此批文件不会导入：", "数据未做任何改动。请修正上面的问题后重新上传。"]
    assert at.code[0].value.splitlines() == [
        "任务_有误.csv，第 2 行，列“销量任务(箱)”，值“10”：全年任务 10 箱与第 3, 4 行的各月任务之和 9 箱相差超过 0.5 箱",
        "任务_有误.csv，第 5 行，列“片区”，值“丙片区”：片区不在客户档案中，请先导入客户档案",
    ]
    assert not [b for b in at.button if b.label.startswith("确认导入")]
    assert _tree_hash(store.root) == before


def test_withdrawing_a_targets_load_previews_the_targets_that_change(tmp_path, monkeypatch):
    from .conftest import load_tiny_targets

    store = load_tiny(tmp_path / "data")
    older = load_tiny_targets(store)
    load_tiny_targets(store, "年度,片区,销量任务(箱)\n2019,甲片区,6\n", "任务_调整.csv")
    at = data_page_app(store.root, monkeypatch)
    _pick(at, "选择要撤销的导入").set_value("E00005").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.dataframe[1].value.columns.tolist() == ["任务（年度 · 片区 · 客户经理）", "改动", "之后取自"]
    assert _preview(at) == [["2019 · 甲片区", "全年销量任务：6.00 箱 → 4.00 箱；月度任务：0 → 0 个月",
                             f"E00004 · {fmt_time(older['loaded_at'])}"]]
    _pick(at, "选择要撤销的导入").set_value("E00004").run()
    assert _preview(at)[0] == ["2019 · 乙片区", "任务将删除（其他导入中没有该任务）", "—"]
    at.session_state["lang"] = "en"
    at.run()
    assert _preview(at)[0][1] == "Target goes away (no other load holds it)"


def test_a_targets_upload_names_the_live_targets_it_replaces_and_offers_no_period(tmp_path, monkeypatch):
    from .conftest import TINY_TARGETS, load_tiny_targets

    store = load_tiny(tmp_path / "data")
    older = load_tiny_targets(store, TINY_TARGETS, "任务_年初.csv")
    at = data_page_app(store.root, monkeypatch)
    at.file_uploader[0].set_value(("任务_调整.csv", "年度,片区,客户经理,销量任务(箱)\n2019,甲片区,,6\n2019,甲片区,张伟,5\n"
                                   "2019,乙片区,,2\n".encode("gbk"), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.dataframe[3].value[["片区", "客户经理", "销量任务(箱)", "现有销量任务(箱)"]].values.tolist() == [
        ["乙片区", "—", "2.00", "4.00"], ["甲片区", "—", "6.00", "4.00"], ["甲片区", "张伟", "5.00", "4.00"]]
    day = fmt_time(older["loaded_at"])[:10]
    assert [shown(w.value) for w in at.warning] == [
        f"将替换已有的 2019 年任务：2 个片区、1 位客户经理（来自 E00004 {day} 导入）。"]
    # only orders replace a period: for a targets file the page does not offer to state one
    assert not [t for t in at.toggle if t.label == "指定替换期间"]
    at.button(key="upload_confirm").click().run()
    assert store.extracts()[-1]["kind"] == "targets" and store.extracts()[-1]["period_start"] is None


def test_a_stated_period_is_never_stamped_on_a_targets_record(tmp_path):
    """The command line takes --period for any file: only an orders extract carries it."""
    from .conftest import TINY_TARGETS

    store = load_tiny(tmp_path / "data")
    done = store.load([("任务.csv", TINY_TARGETS.encode("gbk"))], period=("2019-01-01", "2019-12-31"))
    assert [d.status for d in done] == ["loaded"]
    assert (done[0].record["period_start"], done[0].record["period_end"]) == (None, None)


def test_a_targets_withdrawal_that_changes_nothing_says_so_about_targets(tmp_path, monkeypatch):
    from .conftest import load_tiny_targets

    store = load_tiny(tmp_path / "data")
    load_tiny_targets(store, "年度,片区,销量任务(箱)\n2019,甲片区,6\n", "任务_旧.csv")
    load_tiny_targets(store, "年度,片区,销量任务(箱)\n2019,甲片区,7\n", "任务_新.csv")
    at = data_page_app(store.root, monkeypatch)
    _pick(at, "选择要撤销的导入").set_value("E00004").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [i.value for i in at.info] == ["不改变任何现有任务：这次导入的任务已全部被之后的导入替换。"]
