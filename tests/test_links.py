"""A tampered link opens a working page for whoever follows it: no exception, the default in place of the
wrong value, and one short notice that names the parameter (issue #10: `?m=0-0` crashed the page)."""
import pytest
from streamlit.testing.v1 import AppTest

from .conftest import ROOT

# (query, the notice, what the page then shows)
TAMPERED = [
    ({"m": "0-0"}, "链接中的月份参数无效，已使用 1–12月"),
    ({"m": "13-13"}, "链接中的月份参数无效，已使用 1–12月"),
    ({"m": "1-2-3"}, "链接中的月份参数无效，已使用 1–12月"),
    ({"m": "abc"}, "链接中的月份参数无效，已使用 1–12月"),
    ({"t": "0-0"}, "链接中的档位参数无效，已使用 1–30档"),
    ({"t": "31-40"}, "链接中的档位参数无效，已使用 1–30档"),
    ({"t": "-1-3"}, "链接中的档位参数无效，已使用 1–30档"),
    ({"y": "abc"}, "链接中的年份参数无效，已使用 2019年"),
    ({"y": "1999"}, "链接中的年份参数无效，已使用 2019年"),
    ({"y": "2019", "cy": "2019"}, "链接中的对比年份参数无效，已使用 2018年"),
    ({"cy": "x"}, "链接中的对比年份参数无效，已使用 2018年"),
    ({"d": "不存在"}, "链接中的片区参数无效，已忽略无法识别的值"),
    ({"mgr": "王五"}, "链接中的客户经理参数无效，已忽略无法识别的值"),
    # a manager the data have, on a company page: the choice is a district page's, the page opens unnarrowed
    ({"mgr": "张伟"}, "客户经理只能在片区页面上选择，链接中的客户经理参数已忽略"),
    ({"a": "suburb"}, "链接中的城乡分类参数无效，已忽略无法识别的值"),
    ({"f": "<b>x</b>"}, "链接中的业态参数无效，已忽略无法识别的值"),
    ({"lang": "fr"}, "链接中的语言参数无效，已使用中文"),
    ({"present": "yes"}, "链接中的演示参数无效，已按普通页面打开"),
    ({"present": "1", "topic": "nope"}, "链接中的演示主题参数无效，已从第一个主题开始"),
    ({"m": "0-0", "t": "31-40", "y": "x"}, "链接中的年份参数无效，已使用 2019年"),
    ({"m": "12-1"}, None),  # a range written backwards is still a range: 1–12, no notice
]


@pytest.mark.parametrize(("query", "notice"), TAMPERED, ids=["&".join(f"{k}={v}" for k, v in q.items()) for q, _ in TAMPERED])
def test_a_tampered_link_opens_a_working_page_with_a_notice(query, notice, tiny, data_env):
    data_env(tiny.root)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    toasts = [t.value for t in at.toast]
    assert (notice in toasts) if notice else not toasts, toasts
    if query.get("present") == "1":
        assert at.markdown[0].value.startswith("## 全市 · 主要指标")  # the first topic
    else:
        assert at.title[0].value == "总览" and at.metric[0].label == "销量"
        assert at.slider(key="f_months").value == ((1, 12) if "m" in query else (1, 12))
        assert at.slider(key="f_tiers").value == (1, 30)
        assert at.selectbox(key="f_year").value == 2019
    # the URL now carries valid values only, so a copied link no longer carries the wrong one
    for k in ("m", "t", "mgr"):
        assert at.query_params.get(k) in (None, [], "")
    at.run()  # and the notice is said once, not on every rerun
    assert not [t.value for t in at.toast]


def test_the_english_notice(tiny, data_env):
    data_env(tiny.root)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update({"lang": "en", "m": "13-13"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.toast] == ["The link's month parameter is invalid; showing months 1–12"]
