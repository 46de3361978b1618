"""Shared fixtures: the demo city (built once per session) and a tiny hand-checkable city."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analytics.store import Store  # noqa: E402

TINY_RETAILERS = """许可证号,客户名称,片区,客户经理,城乡分类,业态,档位
0420001,甲便利店,甲片区,张伟,城网,便利店,5
0420002,乙食杂店,甲片区,张伟,农网,食杂店,10
0420003,丙超市,乙片区,李娜,城网,超市,20
"""
TINY_SKUS = """卷烟编码,卷烟名称,品牌,生产企业,是否省产,价类,批发价(元/条)
6901028000001,一号(硬),一号,本省中烟,是,一类,200
6901028000002,五号(软),五号,外省中烟,否,五类,10
6901028000003,三号(硬),三号,本省中烟,是,三类,50
"""
# District 甲 2019: 500 条 = 2 箱 (2018: 250 条 = 1 箱); provincial 450 条; amount 60,500 元;
# online customers 1 of 2. See tests/test_definitions.py for every figure worked out by hand.
TINY_ORDERS = """订货日期,许可证号,卷烟编码,订货量(条),金额(元),订货方式
2018-03-05,0420001,6901028000001,100,"20,000.00",电话订货
2018-06-01,0420002,6901028000002,150,1500,网上订货
2019-01-07,0420001,6901028000001,250,50000,网上订货
2019-02-04,0420001,6901028000002,50,500,电话
2019-03-04,0420002,6901028000003,200,10000,走访
2019-05-06,0420003,6901028000001,500,100000,网订
"""


# The tiny city with a second 张伟, in 乙片区: 0420004 ordered 100 条 三类 (5,000 元) online on 2019-04-01.
# A manager's name in two districts (tests/test_managers.py, `summary --manager`); the data still end on 2019-05-06.
TWIN_RETAILERS = TINY_RETAILERS + "0420004,丁便利店,乙片区,张伟,城网,便利店,8\n"
TWIN_ORDERS = TINY_ORDERS + "2019-04-01,0420004,6901028000003,100,5000,网上订货\n"


# --- #13 targets ---
# 2019 任务 of the tiny city. 甲片区: a whole-year row for the district and one for 张伟 (4 箱 each).
# 乙片区: months 1 and 2 only, so its whole year is derived: volume 1 + 3 = 4 箱, 一二类 1 + 2 = 3 箱,
# 省产 1 + 2 = 3 箱, 五类 not given (NULL), 条均价 (200×1 + 100×3) / 4 = 125 元/条, 网订率
# (50×1 + 100×3) / 4 = 87.5%; 李娜's whole year has volume, 一二类 and 省产 only.
TINY_TARGETS = """年度,月份,片区,客户经理,销量任务(箱),一二类烟任务(箱),省产烟任务(箱),五类烟任务(箱),条均价任务(元/条),网订率任务(%)
2019,,甲片区,,4,2,3,0.5,150,60
2019,0,甲片区,张伟,4,2,3,0.5,150,60
2019,1,乙片区,,1,1,1,,200,50
2019,2,乙片区,,3,2,2,,100,100
2019,,乙片区,李娜,4,3,3,,,
"""


def load_tiny_targets(store: Store, text: str = TINY_TARGETS, name: str = "任务.csv") -> dict:
    """Load a targets CSV (GBK, as the marketing system writes it) into `store`; its manifest record."""
    results = store.load([(name, text.encode("gbk"))], loaded_by="test")
    assert [r.status for r in results] == ["loaded"], [m for r in results for m in r.messages("en")]
    return results[0].record


def load_tiny(root: Path, retailers: str = TINY_RETAILERS, orders: str = TINY_ORDERS, skus: str = TINY_SKUS) -> Store:
    store = Store(root)
    files = [
        ("零售户档案.csv", retailers.encode("gbk")),
        ("卷烟档案.csv", skus.encode("utf-8-sig")),
        ("订单.csv", orders.encode("gbk")),
    ]
    results = store.load(files, loaded_by="test")
    assert [r.status for r in results] == ["loaded"] * 3, [m for r in results for m in r.messages("en")]
    return store


@pytest.fixture
def tiny(tmp_path: Path) -> Store:
    return load_tiny(tmp_path / "data")


@pytest.fixture
def twin(tmp_path: Path) -> Store:
    """The tiny city with 张伟 in two districts (TWIN_RETAILERS)."""
    return load_tiny(tmp_path / "twin", TWIN_RETAILERS, TWIN_ORDERS)


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full demo city, built once (about 15 s) through the normal loading code."""
    from analytics.tools.demo import build_demo

    root = tmp_path_factory.mktemp("demo") / "data"
    build_demo(root)
    return root


@pytest.fixture(scope="module")
def browser():
    """One Chromium (Debian's, tests/browser.py::launch) for a module's browser tests; each test opens
    its own context."""
    from playwright.sync_api import sync_playwright

    from .browser import launch

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture
def empty_dir(tmp_path: Path) -> Path:
    root = tmp_path / "empty"
    root.mkdir()
    return root


@pytest.fixture
def data_env(monkeypatch: pytest.MonkeyPatch):
    """Point the app at a data directory for AppTest runs."""

    def use(path: Path) -> None:
        monkeypatch.setenv("DASHBOARD_DATA_DIR", str(path))

    return use


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    # pages catch unexpected errors for users (pages/common.py::guarded); tests want AppTest to see them
    os.environ.setdefault("DASHBOARD_RAISE_ERRORS", "1")


def data_page_app(root: Path, monkeypatch: pytest.MonkeyPatch):
    """AppTest of the whole app (frame and sidebar) switched to the Data page, over `root`."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(root))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/views/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# --- #14 brands ---
# Brand cultivation's tiny city (tests/test_brands.py works every figure out by hand): the tiny masters
# plus 0420005 (甲片区, 王芳) and a specification launched in 2019, 七号(细支). Weeks are Monday-based
# weeks of the year: week 0 of 2019 starts on Monday 2018-12-31, so 2019-01-28 (Mon) and 2019-02-01
# (Fri) are both week 4, a week spanning January and February.
BRAND_RETAILERS = TINY_RETAILERS + "0420005,戊烟酒店,甲片区,王芳,城网,烟酒商店,12\n"
BRAND_SKUS = TINY_SKUS + "6901028000004,七号(细支),七号,本省中烟,是,二类,120\n"
BRAND_ORDERS = """订货日期,许可证号,卷烟编码,订货量(条),金额(元),订货方式
2018-01-08,0420001,6901028000001,20,4000,电话订货
2018-01-15,0420001,6901028000001,20,4000,电话订货
2018-02-05,0420002,6901028000002,100,1000,电话订货
2018-02-05,0420005,6901028000003,100,5000,电话订货
2018-03-05,0420003,6901028000001,40,8000,网上订货
2018-06-04,0420002,6901028000001,10,2000,电话订货
2019-01-07,0420001,6901028000001,50,10000,网上订货
2019-01-10,0420001,6901028000001,50,10000,网上订货
2019-01-28,0420002,6901028000001,25,5000,电话订货
2019-02-01,0420002,6901028000001,25,5000,电话订货
2019-02-04,0420003,6901028000001,100,20000,网上订货
2019-02-11,0420003,6901028000001,100,20000,网上订货
2019-03-04,0420001,6901028000001,125,25000,网上订货
2019-04-01,0420005,6901028000004,10,1200,电话订货
2019-04-08,0420005,6901028000004,10,1200,电话订货
2019-05-06,0420001,6901028000004,30,3600,网上订货
"""


def load_brand_city(root: Path) -> Store:
    return load_tiny(root, BRAND_RETAILERS, BRAND_ORDERS, BRAND_SKUS)


@pytest.fixture
def brand_city(tmp_path: Path) -> Store:
    return load_brand_city(tmp_path / "brands")
