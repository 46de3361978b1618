"""Customer managers (客户经理) as a filter and a breakdown, pinned on the tiny city of conftest.py:
甲片区 is 张伟's (0420001, 0420002), 乙片区 李娜's (0420003). In the twin city a second 张伟 serves 乙片区
(0420004: 100 条 三类, 5,000 元, online on 2019-04-01). See tests/test_definitions.py for 甲's figures."""
import io

import pandas as pd
import pytest

from analytics.access import Scope
from analytics.columns import covered, filter_note, with_total
from analytics.db import connect_store
from analytics.filters import Filters
from analytics.queries import breakdown, class_by_period, online_by_segment, retailer_table, summary

F = Filters(year=2019, compare_year=2018)
ZHANG = F.with_(managers=("张伟",))


def test_a_chosen_manager_is_a_bound_parameter_beside_the_district():
    sql, params = Filters(districts=("甲片区",), managers=("张伟", "x') OR 1=1 --")).where(alias="r", months=False)
    assert sql == "TRUE AND r.district IN ($district_0) AND r.manager IN ($manager_0, $manager_1)"
    assert params == {"district_0": "甲片区", "manager_0": "张伟", "manager_1": "x') OR 1=1 --"}
    assert Filters(managers=("张伟",)).where(segment=False) == ("TRUE", {})  # tables without a segment: no manager either


def test_a_manager_outside_the_scope_gives_no_rows_never_that_manager():
    f = Filters(managers=("李娜",)).within(Scope(managers=("张伟",)))
    assert f.scoped_managers == ()
    assert f.where()[0] == "TRUE AND FALSE"
    assert Filters(managers=("张伟", "李娜")).within(Scope(managers=("张伟",))).scoped_managers == ("张伟",)


def test_managers_are_in_the_cache_key_and_the_description():
    assert ZHANG.key() != F.key()
    assert Filters.from_key(ZHANG.key()) == ZHANG
    assert ZHANG.describe() == {"year": "2019 vs 2018", "manager": "张伟"}


def test_a_managers_summary_is_their_districts_when_they_serve_all_of_it(tiny):
    con = connect_store(tiny)
    mine, district = summary(con, ZHANG), summary(con, F.with_(districts=("甲片区",)))
    assert mine == district
    assert (mine.volume_cases, mine.volume_cases_prev, mine.volume_yoy_pct, mine.customers, mine.online_customers,
            mine.online_rate_pct, mine.low_tier_cases) == (2.0, 0.4, 400.0, 2, 1, 50.0, 0.2)
    li = summary(con, F.with_(managers=("李娜",)))
    assert (li.volume_cases, li.customers, li.online_rate_pct) == (2.0, 1, 100.0)


def test_a_manager_and_another_districts_name_select_nothing(tiny):
    s = summary(connect_store(tiny), F.with_(districts=("乙片区",), managers=("张伟",)))
    assert s.volume_cases is None and s.customers == 0


def test_retailer_rows_are_the_managers_customers(tiny):
    rows = retailer_table(connect_store(tiny), ZHANG)
    assert rows["retailer_id"].tolist() == ["0420001", "0420002"]


def test_breakdown_by_manager_has_one_row_per_manager_with_their_district(tiny):
    table = breakdown(connect_store(tiny), F, by="manager")
    assert table[["district", "manager", "customers", "volume_cases"]].values.tolist() == [
        ["乙片区", "李娜", 1, 2.0], ["甲片区", "张伟", 2, 2.0]]
    zhang = table.set_index("manager").loc["张伟"]
    assert (zhang["volume_yoy_pct"], zhang["avg_price"], zhang["provincial_share_pct"], zhang["online_rate_pct"],
            zhang["low_tier_cases"]) == (400.0, 121.0, pytest.approx(90.0), 50.0, 0.2)
    assert pd.isna(table.set_index("manager").loc["李娜", "volume_yoy_pct"])  # nothing in 2018: no YoY


def test_breakdown_by_manager_over_months_counts_customers_once(tiny):
    # January to March: 张伟's three 2019 lines (500 条), 李娜 ordered nothing (her May line is outside)
    table = breakdown(connect_store(tiny), F.with_(month_from=1, month_to=3), by="manager").set_index("manager")
    assert table.loc["张伟", "volume_cases"] == 2.0 and table.loc["张伟", "online_rate_pct"] == 50.0
    assert table.loc["李娜", "volume_cases"] == 0.0 and table.loc["李娜", "customers"] == 1


def test_a_name_in_two_districts_is_two_rows_and_the_district_tells_them_apart(twin):
    con = connect_store(twin)
    table = breakdown(con, F, by="manager")
    assert table[["district", "manager", "customers", "volume_cases", "online_rate_pct"]].values.tolist() == [
        ["乙片区", "张伟", 1, 0.4, 100.0], ["乙片区", "李娜", 1, 2.0, 100.0], ["甲片区", "张伟", 2, 2.0, 50.0]]
    both = summary(con, ZHANG)
    assert (both.volume_cases, both.customers, both.online_customers) == (2.4, 3, 2)
    yi = summary(con, ZHANG.with_(districts=("乙片区",)))
    assert (yi.volume_cases, yi.customers, yi.online_rate_pct) == (0.4, 1, 100.0)
    # the other breakdowns by manager keep the two apart as well
    mix = class_by_period(con, F, grain="year", by="manager")
    assert mix[(mix["year"] == 2019) & (mix["manager"] == "张伟")][["district", "price_class", "cases"]].values.tolist() == [
        ["乙片区", 3, 0.4], ["甲片区", 1, 1.0], ["甲片区", 3, 0.8], ["甲片区", 5, 0.2]]
    online = online_by_segment(con, F, by="manager")
    assert online[online["year"] == 2019][["district", "manager", "online_customers", "customers"]].values.tolist() == [
        ["乙片区", "张伟", 1, 1], ["乙片区", "李娜", 1, 1], ["甲片区", "张伟", 1, 2]]


def test_the_scope_name_and_note_name_the_chosen_manager():
    f = F.with_(districts=("城郊片区",), managers=("吴婷",))
    assert covered(f, "zh") == "城郊片区 · 客户经理 吴婷"
    assert covered(F.with_(managers=("吴婷", "周杰")), "en") == "Customer manager 吴婷、周杰"
    assert filter_note(f, "zh").startswith("片区: 城郊片区 · 客户经理 吴婷 · 年份: 2019")
    # a scoped user who picks one of their managers: that manager, not the whole scope
    scoped = F.with_(managers=("吴婷",)).within(Scope(districts=("城郊片区",), managers=("吴婷", "周杰")))
    assert covered(scoped, "zh") == "城郊片区 · 客户经理 吴婷"


def test_the_managers_table_total_is_the_selections_summary(tiny):
    con = connect_store(tiny)
    table = with_total(breakdown(con, F, by="manager"), summary(con, F), F, "zh", by="manager")
    last = table.iloc[-1]
    # labelled in the first column, as the district comparison's; no manager named
    assert (last["district"], last["manager"], last["customers"], last["volume_cases"]) == ("全市合计", "", 3, 4.0)


def test_a_managers_deck_is_titled_with_them_and_compares_every_district(tiny):
    from pptx import Presentation

    from analytics.report import build_deck, story

    f = ZHANG.with_(districts=("甲片区",))
    name = covered(f, "zh")
    st_ = story(connect_store(tiny), f, name)
    assert (st_.summary.volume_cases, st_.summary.customers) == (2.0, 2)
    # the district comparison is the company's (every district, its total), as in 甲片区's own deck
    assert st_.district_rows().iloc[:, 0].tolist() == ["乙片区", "甲片区", "全市合计"]
    assert st_.caption().startswith("片区: 甲片区 · 客户经理 张伟 · 期间: ")
    prs = Presentation(io.BytesIO(build_deck(st_)))
    first = next(sh.text_frame.text for sh in prs.slides[0].shapes if sh.has_text_frame)
    assert first == "甲片区 · 客户经理 张伟 2019 卷烟销售分析"
    text = "\n".join(sh.text_frame.text for s in prs.slides for sh in s.shapes if sh.has_text_frame)
    assert st_.text in text
    assert st_.text.startswith("2019年1月1日至5月6日，甲片区客户经理张伟的客户共销售卷烟2.00箱，比2018年同期增加1.60箱，增长400.00%。")
