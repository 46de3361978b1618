"""What a link's query parameters mean, as a pure function: any string in, a valid view out.

A shared link must open a working page whatever was typed or cut into it (`?m=0-0`, `?t=31-40`,
`?y=abc`, `?lang=fr`), so every parameter is checked against what the data and the product allow;
a wrong one falls back to its default and is named in `invalid`, for a short notice."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .filters import TIER_MAX, TIER_MIN, Filters

MONTH_MIN, MONTH_MAX = 1, 12
LANGS = ("zh", "en")
#: the parameters a link may carry, in the order their notices are shown
PARAMS = ("lang", "y", "cy", "m", "d", "mgr", "a", "f", "t", "present", "topic")


@dataclass(frozen=True)
class LinkView:
    """The view a link asks for, every value valid; `invalid` names the parameters that were not."""

    lang: str = "zh"
    year: int | None = None
    compare_year: int | None = None
    compare_linked: bool = False  # the comparison came from the link (not the default year before)
    months: tuple[int, int] = (MONTH_MIN, MONTH_MAX)
    districts: tuple[str, ...] = ()
    area_types: tuple[str, ...] = ()
    business_formats: tuple[str, ...] = ()
    tiers: tuple[int, int] = (TIER_MIN, TIER_MAX)
    present: bool = False
    topic: str | None = None
    managers: tuple[str, ...] = ()
    invalid: tuple[str, ...] = field(default=())


def _int(raw: str) -> int | None:
    raw = raw.strip()
    # int() accepts "١٢", "+3", "1_000": a link carries plain ASCII digits only
    if not raw or len(raw) > 6 or not raw.isascii() or not raw.isdigit():
        return None
    return int(raw)


def parse_range(raw: str | None, lo: int, hi: int) -> tuple[int, int] | None:
    """"a-b" with lo <= a, b <= hi (either order), or None when the text is anything else."""
    if raw is None:
        return None
    parts = raw.split("-")
    if len(parts) != 2:
        return None
    a, b = _int(parts[0]), _int(parts[1])
    if a is None or b is None or not (lo <= a <= hi and lo <= b <= hi):
        return None
    return (min(a, b), max(a, b))


def parse_list(raw: str | None, allowed: Sequence[str]) -> tuple[tuple[str, ...], bool]:
    """The allowed values named in a comma list (first mention, order kept) and whether all of them were allowed."""
    if not raw:
        return (), True
    values = [v for v in raw.split(",") if v]
    known = set(allowed)
    kept = tuple(dict.fromkeys(v for v in values if v in known))
    return kept, len(kept) == len(dict.fromkeys(values)) and bool(values)


def parse_link(params: Mapping[str, str], years: Sequence[int] = (), districts: Sequence[str] = (),
               area_types: Sequence[str] = (), business_formats: Sequence[str] = (),
               topics: Sequence[str] = (), managers: Sequence[str] = ()) -> LinkView:
    """The valid view a link asks for (see the module's docstring); `years` etc. are what the data hold
    (`managers`: every customer manager the session may see, of any district)."""
    invalid: list[str] = []

    def get(name: str) -> str | None:
        value = params.get(name)
        return None if value is None else str(value)

    lang = get("lang")
    if lang is not None and lang not in LANGS:
        invalid.append("lang")
    lang = lang if lang in LANGS else "zh"

    years = sorted(set(years))
    year = compare = None
    linked = False
    if years:
        raw = get("y")
        year = _int(raw) if raw is not None else None
        if raw is not None and year not in years:
            invalid.append("y")
        year = year if year in years else years[-1]
        raw = get("cy")
        asked = _int(raw) if raw is not None else None
        if raw is not None and (asked not in years or asked == year):
            invalid.append("cy")
            asked = None
        linked = asked is not None and asked != year - 1
        compare = asked if asked is not None else (year - 1 if year - 1 in years else None)

    months = parse_range(get("m"), MONTH_MIN, MONTH_MAX)
    if get("m") is not None and months is None:
        invalid.append("m")
    chosen: dict[str, tuple[str, ...]] = {}
    for name, allowed in (("d", districts), ("mgr", managers), ("a", area_types), ("f", business_formats)):
        chosen[name], ok = parse_list(get(name), allowed)
        if get(name) is not None and not ok:
            invalid.append(name)
    tiers = parse_range(get("t"), TIER_MIN, TIER_MAX)
    if get("t") is not None and tiers is None:
        invalid.append("t")

    present_raw = get("present")
    if present_raw is not None and present_raw not in ("0", "1"):
        invalid.append("present")
    present = present_raw == "1"
    topic = get("topic")
    if topics and (topic is not None or present):
        if topic is not None and topic not in topics:
            if present:  # outside the presentation a topic means nothing and is dropped silently
                invalid.append("topic")
            topic = None
        topic = topic or (topics[0] if present else None)
    elif not topics:
        topic = None

    return LinkView(lang=lang, year=year, compare_year=compare, compare_linked=linked,
                     months=months or (MONTH_MIN, MONTH_MAX), districts=chosen["d"], area_types=chosen["a"],
                     business_formats=chosen["f"], tiers=tiers or (TIER_MIN, TIER_MAX), present=present, topic=topic,
                     managers=chosen["mgr"], invalid=tuple(sorted(invalid, key=PARAMS.index)))


def link_params(f: Filters, lang: str, present: bool = False, topic: str | None = None) -> dict[str, str]:
    """The query parameters that reopen f (defaults left out): what the pages write into the URL."""
    wanted = {"lang": lang}
    if f.year is not None:
        wanted["y"] = str(f.year)
    if f.compare_year is not None:
        wanted["cy"] = str(f.compare_year)
    if (f.month_from, f.month_to) != (MONTH_MIN, MONTH_MAX):
        wanted["m"] = f"{f.month_from}-{f.month_to}"
    for key, values in (("d", f.districts), ("mgr", f.managers), ("a", f.area_types), ("f", f.business_formats)):
        if values:
            wanted[key] = ",".join(values)
    if (f.tier_min, f.tier_max) != (TIER_MIN, TIER_MAX):
        wanted["t"] = f"{f.tier_min}-{f.tier_max}"
    if present:
        wanted["present"] = "1"
    if topic is not None:
        wanted["topic"] = topic
    return wanted
