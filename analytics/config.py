"""Settings that users may edit, and where the data lives."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: 1 箱 = 250 条 (5 万支): the unit every volume in the product is reported in.
CARTONS_PER_CASE = 250

#: Price-class thresholds in 元/条 (wholesale), used only when an SKU master row has no 价类.
#: Each entry is (class, lower bound inclusive); a price falls in the first class whose bound it reaches.
PRICE_CLASS_THRESHOLDS: tuple[tuple[int, float], ...] = (
    (1, 100.0),
    (2, 70.0),
    (3, 30.0),
    (4, 16.5),
    (5, 0.0),
)

#: Largest extract accepted, in bytes (Streamlit's own upload limit is 200 MB).
MAX_FILE_BYTES = int(os.environ.get("DASHBOARD_MAX_FILE_MB", "200")) * 1024 * 1024

#: Order dates outside this window are refused as impossible.
MIN_ORDER_DATE = "2000-01-01"
MAX_ORDER_DATE = "2099-12-31"

#: A change smaller than this (in %) reads as "flat" in the written summary.
FLAT_THRESHOLD_PCT = 0.5

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The data directory: an explicit path, else $DASHBOARD_DATA_DIR, else ./data beside the code."""
    if explicit:
        return Path(explicit).resolve()
    env = os.environ.get("DASHBOARD_DATA_DIR")
    if env:
        return Path(env).resolve()
    return DEFAULT_DATA_DIR


def price_class_for(price: float) -> int:
    """价类 of a wholesale price in 元/条 by the thresholds above."""
    for cls, lower in PRICE_CLASS_THRESHOLDS:
        if price >= lower:
            return cls
    return 5


# --- #14 suspects ---
# The 代订货 suspects' thresholds (analytics/suspects.py; docs/definitions.md, "代订货 suspects"). A
# frozen dataclass so that a caller (a test, a what-if) passes its own without touching the defaults,
# and a page's cache key can name them. The defaults are set on the demo city: its planted cases
# score at the top of their districts and its ordinary retailers do not (tests/test_suspects.py).
@dataclass(frozen=True)
class SuspectThresholds:
    #: a peer group (same year, 城乡, 业态, 档位, company-wide) smaller than this gives no peer figures
    min_peers: int = 5
    #: robust z of the monthly volume (or of its 一类+二类 part) against the peers that makes volume_high
    volume_z: float = 5.0
    #: robust z of the 一类+二类 share against the peers' that makes mix_high …
    mix_z: float = 5.0
    #: … when the share is also at least this many points above the peers' median
    mix_min_pp: float = 30.0
    #: a spread is never taken below these floors (a peer group ordering alike has MAD 0): of the
    #: peers' median volume (a fraction), in 箱 a month, and in points of share
    spread_floor_frac: float = 0.1
    spread_floor_cases: float = 0.02
    spread_floor_pp: float = 2.0
    #: a level shift: at least this many months on each side of the step …
    shift_min_months: int = 3
    #: … the median month after differs from the median month before by at least this fraction of the larger …
    shift_min_ratio: float = 0.5
    #: … and by at least this many 箱 a month (the smaller steps of tiny shops are noise)
    shift_min_cases: float = 0.1
    #: … and the step is this many times the months' own spread around their side's mean (not noise)
    shift_min_t: float = 2.0
    #: paired shift: the two steps' months at most this many months apart …
    pair_max_months: int = 1
    #: … their sizes (箱 a month) differ by at most this fraction of the larger …
    pair_tolerance: float = 0.35
    #: … and each is at least this many 箱 a month, with the same persistence test as a level shift
    pair_min_cases: float = 0.1
    #: swing: the coefficient of variation of the monthly volume at or above this …
    swing_cv: float = 0.5
    #: … over at least this many months with orders (fewer months, if the months chosen are fewer)
    swing_min_months: int = 6
    #: the score: each signal that fires adds weight × min(strength, strength_cap), its strength being
    #: how far past its threshold it is (1 = at the threshold; see suspects.score_signals)
    weights: tuple[tuple[str, float], ...] = (("volume_high", 1.0), ("mix_high", 1.0), ("level_shift", 1.0),
                                             ("paired_shift", 1.5), ("swing", 0.5))
    strength_cap: float = 3.0


SUSPECTS = SuspectThresholds()


# --- #14 visits ---
# The visit list (周安排 / 日拜访, analytics/visits.py; docs/definitions.md "Visit list"). Volumes in 箱.

#: The "135" method plans each week (周安排) as five days of visits (日拜访). Besides the routine round
#: of every customer, a manager can give a few visits a day real attention (a talk about a decline, a
#: check with the 专卖 colleague): four a day over five days is a list one person can work through.
VISIT_DAYS = 5
VISIT_PER_DAY = 4
VISIT_CAP = VISIT_DAYS * VISIT_PER_DAY


@dataclass(frozen=True)
class VisitSettings:
    """What puts a retailer on a week's visit list, and what lets it back on one."""

    #: "recent months": this many months up to the data date, against the same months (and days) a year earlier
    recent_months: int = 3
    #: a sharp decliner lost at least this share of its volume and at least this many 箱 (both: a small
    #: retailer's few 条 are no trend, a big one's few % are). A typical shop orders about 1 箱 in three
    #: months (the seed's district: 977 箱 a year over 231 customers), so a quarter of that is no rounding.
    decline_pct: float = 30.0
    decline_min_cases: float = 0.25
    #: 五类 decliners: the same rule for the 五类 volume (a smaller floor: 五类 is a small part of a retailer's volume)
    low_tier_decline_pct: float = 30.0
    low_tier_min_cases: float = 0.1
    #: big swings: the coefficient of variation of the monthly volume (as queries.volume_swings) over this
    #: many whole months, with at least min_months months with orders
    swing_months: int = 12
    swing_cv: float = 0.5
    swing_min_months: int = 6
    #: 代订货 suspects are read for the data date's year to its month when that holds at least this many
    #: months (a level shift needs three on each side, a swing six), else for the whole year before
    suspect_min_months: int = 6
    #: the suspects' own thresholds (analytics/suspects.py)
    suspects: SuspectThresholds = SUSPECTS
    #: no reason may fill more than this many places before the others have had theirs (see visits.select)
    per_reason: int = 8
    #: a retailer listed in one of the previous this-many weeks for a reason is not listed for it again ...
    repeat_weeks: int = 4
    #: ... unless its evidence got worse by at least this much since (in the evidence's own unit: score
    #: points, percentage points of decline, CV); None: a state that cannot get worse (not online yet)
    worse: tuple[tuple[str, float | None], ...] = (
        ("suspect", 1.0), ("decliner", 10.0), ("swing", 0.2), ("not_online", None), ("low_tier_decline", 10.0))


VISITS = VisitSettings()
