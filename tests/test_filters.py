"""The WHERE clause is built from Filters without a database: values bound, columns allow-listed."""
from analytics.filters import Filters


def test_default_filters_add_no_conditions():
    assert Filters(year=2019).where() == ("TRUE", {})


def test_every_filter_becomes_a_bound_parameter():
    f = Filters(year=2019, month_from=3, month_to=6, districts=("城郊片区", "城北片区"), area_types=("rural",),
                business_formats=("便利店",), tier_min=5, tier_max=20)
    sql, params = f.where(alias="c")
    assert sql == ("TRUE AND c.month BETWEEN $month_from AND $month_to AND c.district IN ($district_0, $district_1) "
                   "AND c.area_type IN ($area_type_0) AND c.business_format IN ($business_format_0) "
                   "AND c.customer_tier BETWEEN $tier_min AND $tier_max")
    assert params == {"month_from": 3, "month_to": 6, "district_0": "城郊片区", "district_1": "城北片区", "area_type_0": "rural",
                      "business_format_0": "便利店", "tier_min": 5, "tier_max": 20}


def test_a_hostile_district_name_stays_a_parameter():
    sql, params = Filters(districts=("x') OR 1=1 --",)).where()
    assert "OR 1=1" not in sql
    assert params == {"district_0": "x') OR 1=1 --"}


def test_master_tables_get_no_month_condition():
    sql, params = Filters(month_from=2, month_to=4, districts=("甲",)).where(months=False)
    assert sql == "TRUE AND district IN ($district_0)"
    assert params == {"district_0": "甲"}


def test_the_clauses_of_several_tables_in_one_statement_share_their_parameters():
    # one statement filters the cube (months and segment), the master (segment) and a monthly table (months):
    # a value keeps its name whatever the alias, so the merged parameters bind all three clauses
    import duckdb

    f = Filters(month_from=2, month_to=3, districts=("甲", "乙"), tier_min=2)
    (cube, p1), (master, p2), (monthly, p3) = f.where(alias="c"), f.where(alias="r", months=False), f.where(alias="m", segment=False)
    assert p2.items() <= p1.items() and p3.items() <= p1.items()
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT * FROM (VALUES (2, '甲', 5), (3, '乙', 2), (4, '甲', 5), (2, '丙', 5), (2, '甲', 1)) "
                "v(month, district, customer_tier)")
    sql = f"SELECT COUNT(*) FROM t c, t r, t m WHERE {cube} AND {master} AND {monthly} AND c.month = 2"
    # c: (2,甲,5) only; r: rows 1, 2, 3; m: rows 1, 2, 4, 5
    assert con.execute(sql, p1 | p2 | p3).fetchone()[0] == 1 * 3 * 4


def test_filters_describe_names_only_active_filters():
    assert Filters(year=2019, compare_year=2018, month_from=1, month_to=6).describe() == {"year": "2019 vs 2018", "month": "1–6"}


def test_cache_key_changes_with_every_filter_value():
    base = Filters(year=2019)
    variants = [base.with_(year=2018), base.with_(compare_year=2017), base.with_(month_from=2), base.with_(month_to=11),
                base.with_(districts=("甲",)), base.with_(area_types=("urban",)), base.with_(business_formats=("超市",)),
                base.with_(tier_min=2), base.with_(tier_max=29)]
    keys = {base.key()} | {v.key() for v in variants}
    assert len(keys) == 1 + len(variants)
