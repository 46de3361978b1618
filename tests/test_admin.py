"""Who may change the data, and the trail of what everyone did: the data page's actions refused on the
server for roles without the capability, every load, refusal, withdrawal, export and deck download in
the audit log under the signed-in identity, and the admin's access and audit pages.

AppTest runs in oidc mode with Streamlit's own seeded user (`at.user`), the real identity source of
that mode; the access file lives in the test's data directory."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from pathlib import Path

import pytest
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from analytics import audit
from analytics.store import Store

from .conftest import ROOT, load_tiny
from .test_data_page import BAD, CORRECTION

ACCESS = """
[[users]]
id = "admin@example.com"
role = "admin"

[[users]]
id = "ana@example.com"
name = "王分析"
role = "analyst"

[[users]]
id = "mgr@example.com"
role = "manager"
districts = ["甲片区"]

[[users]]
id = "view@example.com"
role = "viewer"
districts = ["乙片区"]
"""


@pytest.fixture
def city(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """The tiny city with an access file, served in oidc mode."""
    store = load_tiny(tmp_path / "data")
    (store.root / "access.toml").write_text(ACCESS, encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(store.root))
    monkeypatch.setenv("DASHBOARD_AUTH", "oidc")
    return store


def _app(email: str, script: str = "app.py") -> AppTest:
    at = AppTest.from_file(str(ROOT / script), default_timeout=60)
    at.user = {"is_logged_in": True, "email": email}
    return at.run()


def _page(email: str, page: str) -> AppTest:
    """The whole app (frame, sidebar, navigation) on one page, as the navigation offers it."""
    at = _app(email)
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _log(store: Store) -> list[dict]:
    path = store.root / audit.AUDIT_FILE
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def _brief(entries: list[dict]) -> list[tuple]:
    return [(e["identity"], e["role"], e["action"], e["target"], e["result"]) for e in entries]


def _tree(root: Path) -> dict[str, str]:
    """The data directory's files and contents, the audit log aside."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != audit.AUDIT_FILE}


def _by_label(widgets, label: str):
    return next(w for w in widgets if w.label == label)


# --- the data page: who changed what --------------------------------------------------------------

def test_an_analysts_load_and_withdrawal_carry_their_identity_in_the_log_and_the_manifest(city):
    at = _page("ana@example.com", "pages/views/data.py")
    at.file_uploader[0].set_value(("更正_甲片区.csv", CORRECTION.encode("gbk"), "text/csv")).run()
    at.button(key="upload_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    record = city.extracts()[-1]
    assert (record["id"], record["loaded_by"]) == ("E00004", "ana@example.com")

    _by_label(at.selectbox, "选择要撤销的导入").set_value("E00004").run()
    next(cb for cb in at.checkbox if cb.label.startswith("我确认撤销")).check().run()
    _by_label(at.button, "撤销导入").click().run()
    assert not at.exception, [e.value for e in at.exception]
    record = city.extracts()[-1]
    assert (record["status"], record["withdrawn_by"]) == ("withdrawn", "ana@example.com")

    entries = _log(city)
    who = ("ana@example.com", "analyst")
    # each change is announced before it is made (a change the log cannot take is not made), then its outcome
    assert _brief(entries) == [(*who, "load", "更正_甲片区.csv", "started"), (*who, "load", "E00004", "ok"),
                               (*who, "rollback", "E00004", "started"), (*who, "rollback", "E00004", "ok")]
    assert (entries[1]["file"], entries[1]["rows"], entries[1]["kind"]) == ("更正_甲片区.csv", 2, "orders")
    assert entries[3]["file"] == "更正_甲片区.csv"
    assert all(e["scope"] is None for e in entries)  # an analyst sees every district: no limit


def test_a_file_refused_for_its_content_is_logged_once_with_its_first_problem(city):
    at = _page("ana@example.com", "pages/views/data.py")
    at.file_uploader[0].set_value(("坏.csv", BAD.encode("gbk"), "text/csv")).run()
    at.run()  # the preview is drawn again on every rerun: still one attempt
    assert not at.exception, [e.value for e in at.exception]
    entries = _log(city)
    assert _brief(entries) == [("ana@example.com", "analyst", "load_refused", "坏.csv", "refused")]
    parsed = city.parse([("坏.csv", BAD.encode("gbk"))])[0]
    assert entries[0]["file"] == "坏.csv"
    assert entries[0]["problem"] == parsed.messages("zh")[0] and entries[0]["problems"] == len(parsed.messages("zh")) >= 2
    assert [e["id"] for e in city.extracts()] == ["E00001", "E00002", "E00003"]


def test_a_load_the_log_cannot_take_is_not_made(city):
    (city.root / audit.AUDIT_FILE).mkdir()  # unwritable as a file, as a full disk or a read-only directory would be
    before = _tree(city.root)
    at = _page("ana@example.com", "pages/views/data.py")
    at.file_uploader[0].set_value(("更正_甲片区.csv", CORRECTION.encode("gbk"), "text/csv")).run()
    at.button(key="upload_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == ["无法写入审计日志（磁盘已满或没有写权限），为保证每次数据变更都有记录，本次操作未执行，"
                                           "数据没有任何变化。请联系管理员。"]
    assert _tree(city.root) == before


@pytest.mark.parametrize("email, role, district", [("mgr@example.com", "manager", ["甲片区"]), ("view@example.com", "viewer", ["乙片区"])])
def test_a_manager_or_viewer_cannot_reach_or_run_the_data_page(city, email, role, district):
    before = _tree(city.root)
    at = _app(email)
    assert not at.exception, [e.value for e in at.exception]
    with pytest.raises(ValueError):  # not in this session's navigation
        at.switch_page("pages/views/data.py")
    # run on its own, as a request the navigation did not offer: the page itself refuses
    page = _app(email, "pages/views/data.py")
    assert not page.exception, [e.value for e in page.exception]
    assert [e.value for e in page.error] == ["您的角色不能进行此操作，已记录本次尝试。"]
    assert (len(page.file_uploader), len(page.dataframe), len(page.button), len(page.selectbox)) == (0, 0, 0, 0)
    assert _tree(city.root) == before
    entries = _log(city)
    assert _brief(entries) == [(email, role, "refused", "data", "refused")]
    assert entries[0]["capability"] == "load_data"
    assert entries[0]["scope"]["districts"] == district


# --- downloads ----------------------------------------------------------------------------------

@pytest.fixture
def buttons(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Every download button drawn, by file name -> its data (AppTest serves no deferred file: the
    test asks for it as Streamlit's file request would, outside the script run)."""
    drawn: dict[str, object] = {}
    method, function = DeltaGenerator.download_button, st.download_button  # in a column, and st.download_button

    def spy(self, label, data, file_name=None, *args, **kwargs):
        drawn[file_name] = data
        return method(self, label, data, file_name, *args, **kwargs)

    def spy_st(label, data, file_name=None, *args, **kwargs):
        drawn[file_name] = data
        return function(label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", spy)
    monkeypatch.setattr(st, "download_button", spy_st)
    return drawn


def test_a_csv_export_and_a_deck_download_are_logged_when_their_files_are_built(city, buttons):
    at = _app("mgr@example.com")
    assert not at.exception, [e.value for e in at.exception]
    assert _log(city) == []  # drawing the buttons records nothing: only a file built is a download
    csv = buttons["district-comparison.csv"]
    assert callable(csv)
    data = csv()
    assert "甲片区" in data.decode("utf-8-sig") and "乙片区" not in data.decode("utf-8-sig")
    deck_name = next(n for n in buttons if n.endswith(".pptx"))
    assert buttons[deck_name]()[:2] == b"PK"  # a PPTX is a zip
    entries = _log(city)
    assert _brief(entries) == [("mgr@example.com", "manager", "export", "district-comparison.csv", "ok"),
                               ("mgr@example.com", "manager", "deck", deck_name, "ok")]
    assert [e["format"] for e in entries] == ["csv", "pptx"]
    assert all(e["scope"] == {"districts": ["甲片区"], "managers": "*", "retailer_level": True} for e in entries)
    assert "甲片区" in entries[0]["note"]


def test_a_download_is_served_when_the_log_cannot_be_written(city, buttons, caplog):
    at = _app("mgr@example.com")
    assert not at.exception, [e.value for e in at.exception]
    (city.root / audit.AUDIT_FILE).mkdir()
    with caplog.at_level(logging.ERROR, logger="dashboard"):
        data = buttons["district-comparison.csv"]()
    assert "甲片区" in data.decode("utf-8-sig")
    assert any("export of district-comparison.csv by mgr@example.com not recorded" in r.getMessage() for r in caplog.records)


# --- the admin pages ------------------------------------------------------------------------------

def test_an_admin_sees_the_access_file_as_checked(city):
    at = _page("admin@example.com", "pages/views/access.py")
    settings = at.dataframe[0].value.values.tolist()
    assert settings == [["模式（DASHBOARD_AUTH）", "oidc · 公司 OpenID Connect 登录"],
                        ["身份声明（DASHBOARD_OIDC_CLAIM）", "email"], ["访问控制文件", str(city.root / "access.toml")]]
    users = at.dataframe[1].value
    assert users[["身份", "姓名", "角色", "片区"]].values.tolist() == [
        ["admin@example.com", "—", "管理员", "全部"], ["ana@example.com", "王分析", "分析员", "全部"],
        ["mgr@example.com", "—", "经理", "甲片区"], ["view@example.com", "—", "只读", "乙片区"]]
    assert users["可以"].tolist()[2] == "看图表、导出汇总、下载 PPT、看零售户明细、导出零售户"
    assert users["可以"].tolist()[3] == "看图表、导出汇总、下载 PPT"
    assert "python -m analytics access check --file " + str(city.root / "access.toml") in at.code[0].value


def test_the_access_page_names_each_problem_by_line(city):
    text = ACCESS + '\n[[users]]\nid = "x@example.com"\nrole = "boss"\n'
    (city.root / "access.toml").write_text(text, encoding="utf-8")
    line = text.splitlines().index('role = "boss"') + 1
    # a file with a problem lets nobody in through sign-in: local mode's administrator reads it
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DASHBOARD_AUTH", "local")
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        at.switch_page("pages/views/access.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [w.value for w in at.warning] == ["访问控制文件有 1 处问题，在改正之前任何人都无法登录（本地模式除外）："]
    assert line == 23 and at.code[0].value == f'第 {line} 行：未知角色 "boss"（可选：admin, analyst, manager, viewer）'


@pytest.mark.parametrize("page", ["pages/views/access.py", "pages/views/audit.py"])
def test_only_an_admin_gets_the_admin_pages(city, page):
    at = _page("admin@example.com", page)
    assert not at.error
    for email in ("ana@example.com", "mgr@example.com"):
        at = _app(email)
        with pytest.raises(ValueError):  # not in the navigation
            at.switch_page(page)
        direct = _app(email, page)
        assert [e.value for e in direct.error] == ["您的角色不能进行此操作，已记录本次尝试。"]
        assert (len(direct.dataframe), len(direct.code), len(direct.selectbox)) == (0, 0, 0)
    assert [(e["identity"], e["action"], e["what"]) for e in _log(city)] == [
        ("ana@example.com", "refused", page.rsplit("/", 1)[1][:-3]), ("mgr@example.com", "refused", page.rsplit("/", 1)[1][:-3])]


def _entry(time: str, identity: str, action: str, target: str, result: str, role: str | None = "analyst") -> dict:
    return {"time": time, "identity": identity, "role": role, "action": action, "target": target, "scope": None, "result": result}


LOG = [
    _entry("2025-03-01T09:00:00.000+08:00", "ana@example.com", "load", "E00004", "ok"),
    _entry("2025-03-02T09:00:00.000+08:00", "mgr@example.com", "export", "retailers-甲片区.csv", "ok", role="manager"),
    _entry("2025-03-03T09:00:00.000+08:00", "ana@example.com", "load_refused", "坏.csv", "refused"),
    _entry("2025-03-04T09:00:00.000+08:00", "ana@example.com", "rollback", "E00004", "ok"),
    _entry("2025-03-05T09:00:00.000+08:00", "mgr@example.com", "refused", "data", "refused", role="manager"),
]


def test_the_audit_pages_filters_narrow_the_table_exactly(city, buttons):
    (city.root / audit.AUDIT_FILE).write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in LOG), encoding="utf-8")
    at = _page("admin@example.com", "pages/views/audit.py")

    def targets() -> list[str]:
        return at.dataframe[0].value["对象"].tolist()

    assert targets() == ["data", "E00004", "坏.csv", "retailers-甲片区.csv", "E00004"]  # newest first
    assert at.dataframe[0].value.iloc[1][["身份", "角色", "操作", "结果", "范围"]].tolist() == [
        "ana@example.com", "分析员", "撤销导入", "完成", "全部"]
    _by_label(at.selectbox, "身份").set_value("ana@example.com").run()
    assert targets() == ["E00004", "坏.csv", "E00004"]
    _by_label(at.multiselect, "操作").set_value(["load", "load_refused"]).run()
    assert targets() == ["坏.csv", "E00004"]
    _by_label(at.multiselect, "结果").set_value(["refused"]).run()
    assert targets() == ["坏.csv"]
    _by_label(at.selectbox, "身份").set_value(None).run()
    _by_label(at.multiselect, "操作").set_value([]).run()
    _by_label(at.multiselect, "结果").set_value([]).run()
    at.date_input(key="audit_dates").set_value((dt.date(2025, 3, 2), dt.date(2025, 3, 4))).run()
    assert targets() == ["E00004", "坏.csv", "retailers-甲片区.csv"]
    at.text_input(key="audit_text").set_value("甲片区").run()
    assert targets() == ["retailers-甲片区.csv"]
    assert not at.exception, [e.value for e in at.exception]
    assert "显示 1 条，共 5 条" in [c.value for c in at.caption]

    # the CSV holds the narrowed table, says how it was narrowed, and is itself recorded as an export
    lines = buttons["audit-log.csv"]().decode("utf-8-sig").splitlines()
    assert lines[0] == "# 审计日志 · 日期: 2025-03-02 – 2025-03-04 · 包含文字: 甲片区"
    assert [line.split(",")[4] for line in lines[1:]] == ["对象", "retailers-甲片区.csv"]
    assert _brief(_log(city)[len(LOG):]) == [("admin@example.com", "admin", "export", "audit-log.csv", "ok")]
