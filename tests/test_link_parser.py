"""The link parser (analytics/links.py) is total: whatever a link carries, the view it opens is valid, and
every parameter that was wrong is named for the notice. Random strings from a fixed random state (no hypothesis)."""
import random
import string

from analytics.filters import TIER_MAX, TIER_MIN, Filters
from analytics.links import PARAMS, link_params, parse_link
from analytics.report import TOPICS

YEARS = [2017, 2018, 2019]
DISTRICTS = ["城郊片区", "城北片区", "开发区片区"]
AREAS = ["urban", "rural"]
FORMATS = ["便利店", "食杂店"]
MANAGERS = ["吴婷", "周杰", "张伟"]
CATALOG = {"years": YEARS, "districts": DISTRICTS, "area_types": AREAS, "business_formats": FORMATS, "topics": TOPICS,
           "managers": MANAGERS}
# the tampered links of issue #10 and their like
TAMPERED = {"m": ["0-0", "13-13", "5", "1-2-3", "-1-3", "a-b", "", "1-", "٣-٤", "+1-3", "99999999999-1"],
            "t": ["0-0", "31-40", "30-31", "x", "1_0-20"], "y": ["abc", "1999", "", "2019.0", "２０１９"],
            "cy": ["2019", "x", "1900"], "d": ["不存在", ",,,", "城郊片区,不存在"], "mgr": ["王五", "吴婷,王五", ","],
            "a": ["suburb"], "f": ["<b>"],
            "lang": ["fr", "EN", ""], "present": ["yes", "2"], "topic": ["nope"]}


def assert_valid(state, catalog=CATALOG) -> None:
    years = catalog["years"]
    if years:
        assert state.year in years
        assert state.compare_year is None or (state.compare_year in years and state.compare_year != state.year)
    else:
        assert state.year is None and state.compare_year is None
    assert 1 <= state.months[0] <= state.months[1] <= 12
    assert TIER_MIN <= state.tiers[0] <= state.tiers[1] <= TIER_MAX
    for values, allowed in ((state.districts, "districts"), (state.managers, "managers"), (state.area_types, "area_types"),
                            (state.business_formats, "business_formats")):
        assert set(values) <= set(catalog[allowed]) and len(set(values)) == len(values)
    assert state.lang in ("zh", "en")
    assert state.topic is None or state.topic in TOPICS
    assert state.present in (True, False)
    assert set(state.invalid) <= set(PARAMS)


def _noise(rng: random.Random) -> str:
    pool = string.printable + "片区城郊一五‐–—−٣２\u202e\x00"
    kind = rng.random()
    if kind < 0.3:  # near misses: numbers and ranges out of bounds or malformed
        a, b = rng.randint(-50, 3000), rng.randint(-50, 3000)
        return rng.choice([f"{a}-{b}", str(a), f"{a}-", f"-{b}", f"{a}--{b}", f"{a}-{b}-{a}", f" {a}-{b} "])
    if kind < 0.5:  # lists mixing known and unknown names
        return ",".join(rng.choice(DISTRICTS + AREAS + FORMATS + ["", "x", "城郊片区 "]) for _ in range(rng.randint(0, 4)))
    return "".join(rng.choice(pool) for _ in range(rng.randint(0, 30)))


def test_random_links_always_open_a_valid_view():
    rng = random.Random(20261128)
    for _ in range(4000):
        params = {p: _noise(rng) for p in PARAMS if rng.random() < 0.6}
        catalog = dict(CATALOG, years=rng.choice([YEARS, [2019], [], [2015, 2019]]))
        state = parse_link(params, catalog["years"], DISTRICTS, AREAS, FORMATS, TOPICS, MANAGERS)
        assert_valid(state, catalog)


def test_each_tampered_parameter_falls_back_to_its_default_and_is_named():
    for name, values in TAMPERED.items():
        for value in values:
            params = {"present": "1", name: value} if name == "topic" else {name: value}
            state = parse_link(params, YEARS, DISTRICTS, AREAS, FORMATS, TOPICS, MANAGERS)
            assert_valid(state)
            assert state.invalid == (name,), (name, value, state)
    state = parse_link({"m": "0-0", "t": "31-40"}, YEARS, DISTRICTS, AREAS, FORMATS, TOPICS)
    assert (state.months, state.tiers, state.invalid) == ((1, 12), (TIER_MIN, TIER_MAX), ("m", "t"))
    # a list keeps the names it knows
    assert parse_link({"d": "城郊片区,不存在"}, YEARS, DISTRICTS).districts == ("城郊片区",)
    assert parse_link({"mgr": "吴婷,王五,吴婷"}, YEARS, managers=MANAGERS).managers == ("吴婷",)


def test_a_link_the_pages_wrote_reopens_the_same_view_without_a_notice():
    rng = random.Random(7)
    for _ in range(3000):
        year = rng.choice(YEARS)
        m = sorted(rng.sample(range(1, 13), 2)) if rng.random() < 0.5 else [1, 12]
        t = sorted(rng.sample(range(TIER_MIN, TIER_MAX + 1), 2)) if rng.random() < 0.5 else [TIER_MIN, TIER_MAX]
        f = Filters(year=year, compare_year=rng.choice([None] + [y for y in YEARS if y != year]), month_from=m[0], month_to=m[1],
                    districts=tuple(rng.sample(DISTRICTS, rng.randint(0, 3))), area_types=tuple(rng.sample(AREAS, rng.randint(0, 2))),
                    business_formats=tuple(rng.sample(FORMATS, rng.randint(0, 2))), tier_min=t[0], tier_max=t[1],
                    managers=tuple(rng.sample(MANAGERS, rng.randint(0, 2))))
        lang, present = rng.choice(["zh", "en"]), rng.random() < 0.3
        topic = rng.choice(TOPICS) if present else None
        state = parse_link(link_params(f, lang, present, topic), YEARS, DISTRICTS, AREAS, FORMATS, TOPICS, MANAGERS)
        assert state.invalid == ()
        expected_cmp = f.compare_year if f.compare_year is not None else (year - 1 if year - 1 in YEARS else None)
        assert (state.year, state.compare_year, state.months, state.tiers) == (year, expected_cmp, (f.month_from, f.month_to),
                                                                               (f.tier_min, f.tier_max))
        assert (state.districts, state.area_types, state.business_formats) == (f.districts, f.area_types, f.business_formats)
        assert state.managers == f.managers
        assert (state.lang, state.present, state.topic) == (lang, present, topic)
