"""The WHERE clause is built from Filters without a database: values bound, columns allow-listed."""
from analytics.filters import Filters


def test_default_filters_add_no_conditions():
    assert Filters(year=2019).where() == ("TRUE", [])


def test_every_filter_becomes_a_bound_parameter():
    f = Filters(year=2019, month_from=3, month_to=6, districts=("城郊片区", "城北片区"), area_types=("rural",),
                business_formats=("便利店",), tier_min=5, tier_max=20)
    sql, params = f.where(alias="c")
    assert sql == ("TRUE AND c.month BETWEEN ? AND ? AND c.district IN (?, ?) AND c.area_type IN (?) "
                   "AND c.business_format IN (?) AND c.customer_tier BETWEEN ? AND ?")
    assert params == [3, 6, "城郊片区", "城北片区", "rural", "便利店", 5, 20]


def test_a_hostile_district_name_stays_a_parameter():
    sql, params = Filters(districts=("x') OR 1=1 --",)).where()
    assert "OR 1=1" not in sql
    assert params == ["x') OR 1=1 --"]


def test_master_tables_get_no_month_condition():
    sql, params = Filters(month_from=2, month_to=4, districts=("甲",)).where(months=False)
    assert sql == "TRUE AND district IN (?)"
    assert params == ["甲"]


def test_filters_describe_names_only_active_filters():
    assert Filters(year=2019, compare_year=2018, month_from=1, month_to=6).describe() == {"year": "2019 vs 2018", "month": "1–6"}


def test_cache_key_changes_with_every_filter_value():
    base = Filters(year=2019)
    variants = [base.with_(year=2018), base.with_(compare_year=2017), base.with_(month_from=2), base.with_(month_to=11),
                base.with_(districts=("甲",)), base.with_(area_types=("urban",)), base.with_(business_formats=("超市",)),
                base.with_(tier_min=2), base.with_(tier_max=29)]
    keys = {base.key()} | {v.key() for v in variants}
    assert len(keys) == 1 + len(variants)
