"""Errors a user can cause or meet are one clear message in their language, never a traceback: the Data
page's load, withdrawal and restore on a full disk, without permission, with an extract gone, with the
lock held; and anything unexpected on any page is logged with a reference the user can quote."""
import errno
import logging
import re
import tomllib

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from analytics.labels import t
from analytics.store import Store

from .conftest import ROOT, data_page_app, load_tiny
from .test_data_page import CORRECTION, shown


@pytest.fixture(autouse=True)
def as_in_production(monkeypatch):
    """Pages catch unexpected errors as they do for users (the test suite otherwise lets them through)."""
    monkeypatch.delenv("DASHBOARD_RAISE_ERRORS", raising=False)


def test_the_server_shows_no_error_details_to_users():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"  # Streamlit 1.67: a generic message, details in the log only




# the store's own messages (analytics.store.StoreError.message): the page shows the same text for an
# untyped OSError of the same kind
DISK_FULL = t("err_disk_full", "zh")
NO_PERMISSION = t("err_permission", "zh")
MISSING = "找不到这次导入所需的文件（数据目录中的文件可能被移动或删除），数据没有改动。请联系管理员。"
IO = "读写数据目录时出错，数据没有改动。请稍后重试；如果问题仍在，请联系管理员。"
FAILURES = [
    (OSError(errno.ENOSPC, "No space left on device", "/srv/secret/data/extracts/E00004.parquet"), DISK_FULL),
    (PermissionError(errno.EACCES, "Permission denied", "/srv/secret/data/manifest.json"), NO_PERMISSION),
    (OSError(errno.EROFS, "Read-only file system", "/srv/secret/data"), NO_PERMISSION),
    (FileNotFoundError(errno.ENOENT, "No such file or directory", "/srv/secret/data/extracts/E00003.parquet"), MISSING),
    (duckdb.IOException("IO Error: Cannot open file /srv/secret/data/state/x.parquet"), IO),
]


@pytest.mark.parametrize(("failure", "message"), FAILURES, ids=lambda v: type(v).__name__ if isinstance(v, Exception) else "")
def test_a_load_that_fails_on_the_disk_says_what_to_do(failure, message, tmp_path, monkeypatch):
    store = load_tiny(tmp_path / "data")
    at = data_page_app(store.root, monkeypatch)

    def fail(self, *args, **kwargs):
        raise failure

    monkeypatch.setattr(Store, "load", fail)
    at.file_uploader[0].set_value(("更正.csv", CORRECTION.encode("gbk"), "text/csv")).run()
    at.button(key="upload_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [shown(e.value) for e in at.error] == [message]
    assert not at.success
    assert "/srv/secret" not in "\n".join(e.value for e in at.error)


@pytest.mark.parametrize("action", ["withdraw", "restore"])
@pytest.mark.parametrize(("failure", "message"), FAILURES[:2] + FAILURES[3:4], ids=["ENOSPC", "EACCES", "ENOENT"])
def test_a_withdrawal_or_restore_that_fails_on_the_disk_says_what_to_do(action, failure, message, tmp_path, monkeypatch):
    store = load_tiny(tmp_path / "data")
    if action == "restore":
        store.rollback("E00003")
    at = data_page_app(store.root, monkeypatch)

    def fail(self, *args, **kwargs):
        raise failure

    monkeypatch.setattr(Store, "rollback" if action == "withdraw" else "restore", fail)
    verb = "撤销" if action == "withdraw" else "恢复"
    next(sb for sb in at.selectbox if sb.label == f"选择要{verb}的导入").set_value("E00003").run()
    next(cb for cb in at.checkbox if cb.label.startswith(f"我确认{verb}")).check().run()
    next(b for b in at.button if b.label == f"{verb}导入").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [shown(e.value) for e in at.error] == [message]
    assert not at.success


def test_a_preview_that_cannot_read_the_data_says_so(tmp_path, monkeypatch):
    store = load_tiny(tmp_path / "data")
    at = data_page_app(store.root, monkeypatch)

    def fail(self, *args, **kwargs):
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", "/srv/secret/data/extracts/E00003.parquet")

    monkeypatch.setattr(Store, "preview", fail)
    next(sb for sb in at.selectbox if sb.label == "选择要撤销的导入").set_value("E00003").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [shown(e.value) for e in at.error] == [MISSING]


def test_a_typed_store_error_speaks_for_itself_in_the_users_language(tmp_path, monkeypatch):
    """The store engineer's StoreError carries message(lang); the page shows it as text, escaped."""
    class StoreError(Exception):
        def message(self, lang: str) -> str:
            return {"zh": "数据目录已满：请清理 [磁盘](x)。", "en": "The data disk is full: free [space](x)."}[lang]

    store = load_tiny(tmp_path / "data")
    at = data_page_app(store.root, monkeypatch)

    def fail(self, *args, **kwargs):
        raise StoreError("disk full at /srv/secret")

    monkeypatch.setattr(Store, "rollback", fail)
    next(sb for sb in at.selectbox if sb.label == "选择要撤销的导入").set_value("E00003").run()
    next(cb for cb in at.checkbox if cb.label.startswith("我确认撤销")).check().run()
    next(b for b in at.button if b.label == "撤销导入").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [r"数据目录已满：请清理 \[磁盘\]\(x\)。"]


def test_an_unexpected_error_is_logged_with_a_reference_and_the_user_sees_only_the_reference(demo_dir, data_env, monkeypatch, caplog):
    from pages import widgets

    data_env(demo_dir)

    def broken(*args, **kwargs):
        raise RuntimeError("boom at /srv/secret/app.py")

    monkeypatch.setattr(widgets, "kpi_row", broken)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    with caplog.at_level(logging.ERROR):
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert len(errors) == 1
    ref = re.fullmatch(r"页面出错了，请刷新页面重试。如果问题仍在，请把参考编号 ([0-9A-F]{8}) 告诉管理员。", errors[0]).group(1)
    assert "secret" not in "\n".join(errors)
    logged = [r for r in caplog.records if ref in r.getMessage()]
    assert logged and logged[0].exc_info and "boom at /srv/secret/app.py" in str(logged[0].exc_info[1])
    # the sidebar and navigation still work: the frame drew them before the page failed
    assert at.selectbox(key="f_year").value == 2019
    at.session_state["lang"] = "en"
    at.run()
    assert re.fullmatch(r"Something went wrong on this page\. Reload to try again; if it keeps happening, give your "
                        r"administrator the reference [0-9A-F]{8}\.", shown(at.error[0].value))


def test_streamlits_own_control_flow_passes_through_the_wrapper(demo_dir, data_env):
    """st.stop (the presentation with no data), st.switch_page (leaving the presentation) and st.rerun are
    exceptions Streamlit uses to steer the script: the wrapper must not turn them into error messages."""
    data_env(demo_dir)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update({"present": "1", "d": "城郊片区", "y": "2019"})
    at.run()
    at.button(key="present_exit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.title[0].value == "城郊片区"  # switch_page reached the district page
