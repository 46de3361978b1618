"""A deterministic demo city: 8 districts, 2017–2019, weekly orders, written as the extracts an
analyst would load (GBK CSV masters with Chinese headers, parquet order files, a GBK CSV of the
last year's targets) and loaded through the normal loading code.

城郊片区 is calibrated so that its 2019-vs-2018 figures are those of the seed's annual summary
(docs/data-contract.md lists them); every other district is free-running with its own profile.
"""
from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import CARTONS_PER_CASE
from ..contract import ADDITIVE_TARGETS, TARGETS
from ..store import Store, load_paths

RANDOM_STATE = 20191231  # the generator's, so the demo city is the same on every machine
YEARS = (2017, 2018, 2019)
SEED_DISTRICT = "城郊片区"


@dataclass(frozen=True)
class SeedFigures:
    """The seed's 2019-vs-2018 table for 城郊片区, in 条 and 元 (1 箱 = 250 条)."""

    # class volumes 2019 (箱) as printed; they sum to 977.84 while the total is 977.87, so the
    # 0.03 箱 gap is put on 四类 (still within the ±0.05 箱 tolerance of the printed 392.78)
    class_cases_2019: tuple[float, ...] = (75.47, 236.39, 211.98, 392.81, 61.22)
    class_yoy_pct: tuple[float, ...] = (49.18, 21.35, -1.95, -7.49, -49.782)
    volume_cases_2018: float = 1008.13
    provincial_cases_2019: float = 850.13
    provincial_yoy_pct: float = 10.18
    avg_price_2019: float = 85.66
    avg_price_2018: float = 73.93
    online_customers_2019: int = 141
    customers: int = 231


SEED_FIGURES = SeedFigures()

MANUFACTURERS = {
    "hb": "湖北中烟工业有限责任公司",
    "sh": "上海烟草集团有限责任公司",
    "hn": "湖南中烟工业有限责任公司",
    "yn": "红云红河烟草(集团)有限责任公司",
    "hongta": "红塔烟草(集团)有限责任公司",
    "zj": "浙江中烟工业有限责任公司",
    "js": "江苏中烟工业有限责任公司",
    "gd": "广东中烟工业有限责任公司",
}

#: (brand, spec, manufacturer, provincial, wholesale 元/条, popularity). Classes follow from price.
SKUS = [
    ("黄鹤楼", "黄鹤楼(硬1916)", "hb", True, 950.0, 0.6),
    ("黄鹤楼", "黄鹤楼(天下名楼)", "hb", True, 430.0, 1.0),
    ("黄鹤楼", "黄鹤楼(硬珍品)", "hb", True, 340.0, 1.2),
    ("黄鹤楼", "黄鹤楼(硬雅香)", "hb", True, 212.0, 1.5),
    ("黄鹤楼", "黄鹤楼(软蓝)", "hb", True, 165.0, 2.0),
    ("中华", "中华(软)", "sh", False, 630.0, 0.5),
    ("中华", "中华(硬)", "sh", False, 450.0, 1.0),
    ("云烟", "云烟(软珍品)", "yn", False, 440.0, 0.3),
    ("芙蓉王", "芙蓉王(硬)", "hn", False, 220.0, 0.6),
    ("玉溪", "玉溪(软)", "hongta", False, 205.0, 0.5),
    ("南京", "南京(炫赫门)", "js", False, 160.0, 0.4),
    ("利群", "利群(新版)", "zj", False, 130.0, 0.4),
    ("黄鹤楼", "黄鹤楼(硬红)", "hb", True, 96.0, 2.0),
    ("红金龙", "红金龙(硬神州腾龙)", "hb", True, 88.0, 1.6),
    ("黄鹤楼", "黄鹤楼(软红)", "hb", True, 78.0, 1.4),
    ("白沙", "白沙(精品)", "hn", False, 82.0, 0.4),
    ("红塔山", "红塔山(硬经典)", "hongta", False, 72.0, 0.4),
    ("黄鹤楼", "黄鹤楼(硬峡谷情)", "hb", True, 66.0, 1.2),
    ("红金龙", "红金龙(硬爱你)", "hb", True, 52.0, 1.6),
    ("红金龙", "红金龙(软蓝)", "hb", True, 38.0, 1.0),
    ("双喜", "双喜(硬经典)", "gd", False, 48.0, 0.3),
    ("红金龙", "红金龙(硬红火)", "hb", True, 27.0, 2.0),
    ("红金龙", "红金龙(硬蓝)", "hb", True, 21.0, 1.8),
    ("白沙", "白沙(硬)", "hn", False, 25.0, 0.3),
    ("红金龙", "红金龙(经典)", "hb", True, 15.5, 1.5),
    ("红金龙", "红金龙(软红)", "hb", True, 12.5, 1.2),
    ("大前门", "大前门(软)", "sh", False, 11.5, 0.2),
    ("红双喜", "红双喜(软)", "sh", False, 13.0, 0.2),
]

FORMATS = ("便利店", "超市", "食杂店", "烟酒店", "娱乐服务类", "其他")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
SHOP_WORDS = ("便利店", "超市", "烟酒商行", "副食店", "食杂店", "百货", "商店", "烟酒店")
SHOP_PREFIX = ("兴旺", "好邻居", "惠民", "万家", "四季", "金鑫", "顺发", "佳佳", "福来", "平安", "红星", "幸福", "开心", "新华",
               "鑫源", "和平")


@dataclass(frozen=True)
class Profile:
    name: str
    retailers: int
    urban_share: float
    class_mix: tuple[float, float, float, float, float]  # 2017 weights, 一类…五类
    premium_drift: float  # yearly multiplier on 一二类 weight
    low_decline: float  # yearly multiplier on 五类 weight
    online_2017: float  # share of retailers online by start of 2017
    online_2019: float  # share online by end of 2019
    weekly_cartons: float  # mean per retailer per order
    provincial_bias: float  # weight multiplier on provincial SKUs
    order_weekday: int  # 0 = Monday


PROFILES = (
    Profile("城区一片区", 320, 1.0, (0.16, 0.30, 0.26, 0.22, 0.06), 1.12, 0.70, 0.35, 0.88, 19.0, 1.0, 0),
    Profile("城区二片区", 290, 1.0, (0.13, 0.29, 0.28, 0.24, 0.06), 1.10, 0.72, 0.30, 0.84, 18.0, 1.1, 1),
    Profile("开发区片区", 210, 0.9, (0.15, 0.30, 0.27, 0.22, 0.06), 1.14, 0.68, 0.25, 0.86, 17.0, 1.0, 2),
    Profile("城北片区", 260, 0.75, (0.09, 0.25, 0.29, 0.30, 0.07), 1.08, 0.75, 0.18, 0.72, 17.0, 1.2, 3),
    Profile(SEED_DISTRICT, 231, 0.45, (0.04, 0.20, 0.22, 0.42, 0.12), 1.10, 0.70, 0.12, 0.61, 21.0, 1.6, 4),
    Profile("东部乡镇片区", 280, 0.15, (0.03, 0.14, 0.24, 0.43, 0.16), 1.08, 0.80, 0.06, 0.50, 15.0, 1.8, 0),
    Profile("西部乡镇片区", 250, 0.12, (0.02, 0.12, 0.23, 0.45, 0.18), 1.07, 0.82, 0.05, 0.46, 14.0, 1.9, 2),
    Profile("南部山区片区", 190, 0.05, (0.02, 0.10, 0.22, 0.46, 0.20), 1.06, 0.85, 0.03, 0.38, 12.0, 2.0, 4),
)
#: each district's customer managers (客户经理), 2–4 as in a real marketing department: a bigger or denser
#: district has more. 城郊片区 keeps the two it had (周杰, 吴婷), its retailers alternating between them as
#: before, so its per-manager figures (吴婷's 482.27 箱 in 2019) stay. Assigning managers draws no random
#: numbers, so no other figure of the demo depends on these lists.
DISTRICT_MANAGERS = {
    "城区一片区": ("张伟", "李娜", "王强"),
    "城区二片区": ("刘洋", "陈静", "杨帆", "赵磊"),
    "开发区片区": ("黄敏", "徐斌"),
    "城北片区": ("孙丽", "马超", "朱琳"),
    SEED_DISTRICT: ("周杰", "吴婷"),
    "东部乡镇片区": ("胡军", "郭敏", "何涛"),
    "西部乡镇片区": ("高峰", "林芳"),
    "南部山区片区": ("罗勇", "郑丽", "梁辉"),
}
MANAGERS = tuple(m for names in DISTRICT_MANAGERS.values() for m in names)


def sku_master() -> pd.DataFrame:
    from ..config import price_class_for

    rows = []
    for i, (brand, name, mfr, prov, price, pop) in enumerate(SKUS):
        # 13-digit bar codes in the 690 range, as on cartons
        code = f"6901028{(i * 7919 + 100003) % 1000000:06d}"
        rows.append({
            "sku_id": code, "sku_name": name, "brand": brand, "manufacturer": MANUFACTURERS[mfr],
            "is_provincial": prov, "price_class": price_class_for(price), "wholesale_price": price, "popularity": pop,
        })
    return pd.DataFrame(rows)


def retailer_master(rng: np.random.Generator, profiles: tuple[Profile, ...] = PROFILES) -> pd.DataFrame:
    rows = []
    serial = 0
    for d, prof in enumerate(profiles):
        # the bench's bigger cities copy the districts under other names: each copy takes the managers
        # of the district it copies (so a name serves two districts there, as happens in a real city)
        managers = DISTRICT_MANAGERS.get(prof.name) or list(DISTRICT_MANAGERS.values())[d % len(DISTRICT_MANAGERS)]
        for i in range(prof.retailers):
            serial += 1
            urban = rng.random() < prof.urban_share
            # licence numbers: 12 digits; some districts' codes start with 0 to keep leading zeros honest
            prefix = "4201" if d % 3 else "0420"
            rid = f"{prefix}{d + 1:02d}{serial:06d}" if serial < 10**6 else f"{prefix}{d + 1:03d}{serial:07d}"
            fmt = rng.choice(FORMATS, p=(0.30, 0.14, 0.30, 0.12, 0.06, 0.08) if urban else (0.16, 0.10, 0.52, 0.08, 0.04, 0.10))
            name = f"{rng.choice(list(SHOP_PREFIX))}{rng.choice(list(SURNAMES))}记{rng.choice(SHOP_WORDS)}"
            rows.append({
                "retailer_id": rid, "retailer_name": name, "district": prof.name, "manager": managers[i % len(managers)],
                "area_type": "urban" if urban else "rural", "business_format": str(fmt),
            })
    return pd.DataFrame(rows)


def _weeks(year: int, weekday: int) -> np.ndarray:
    first = dt.date(year, 1, 1)
    offset = (weekday - first.weekday()) % 7
    days = np.arange(np.datetime64(first) + np.timedelta64(offset, "D"), np.datetime64(dt.date(year + 1, 1, 1)), np.timedelta64(7, "D"))
    return days


def _district_plan(prof: Profile, mine: pd.DataFrame, rng: np.random.Generator) -> dict:
    """Per-retailer traits of one district: size, tier, urban flag, online adoption date."""
    n = len(mine)
    urban = (mine["area_type"] == "urban").to_numpy()
    fmt = mine["business_format"].to_numpy()
    size = rng.lognormal(mean=np.log(prof.weekly_cartons), sigma=0.55, size=n)
    size *= np.where(fmt == "超市", 1.4, 1.0) * np.where(fmt == "烟酒店", 1.3, 1.0)
    # tier follows size: the biggest retailers are 30档
    rank = size.argsort().argsort()
    tiers = 1 + (rank * 30 // n)
    # online adoption: a date per retailer, earlier for urban and bigger shops
    propensity = rng.random(n) + 0.25 * urban + 0.15 * (rank / n)
    order = propensity.argsort()[::-1]
    adopt = np.full(n, np.datetime64("2100-01-01"), dtype="datetime64[D]")
    n_early = int(prof.online_2017 * n)
    n_end = SEED_FIGURES.online_customers_2019 if prof.name == SEED_DISTRICT else int(prof.online_2019 * n)
    start, end = np.datetime64("2016-01-01"), np.datetime64("2019-11-30")
    adopt[order[:n_early]] = start
    later = order[n_early:n_end]
    spread = np.sort(rng.random(len(later)))
    adopt[later] = np.datetime64("2017-01-01") + (spread * (end - np.datetime64("2017-01-01")).astype(int)).astype("timedelta64[D]")
    return {"size": size, "urban": urban, "tiers": tiers, "adopt": adopt}


def _year_orders(prof: Profile, mine: pd.DataFrame, plan: dict, y_i: int, year: int, skus: pd.DataFrame,
                 rng: np.random.Generator) -> pd.DataFrame:
    """One district's order lines for one year: weekly orders on the district's order day."""
    size, urban, adopt = plan["size"], plan["urban"], plan["adopt"]
    sku_class = skus["price_class"].to_numpy()
    sku_prov = skus["is_provincial"].to_numpy()
    sku_pop = skus["popularity"].to_numpy()
    n = len(mine)
    weights = np.array(prof.class_mix, dtype=float)
    weights[:2] *= prof.premium_drift ** y_i
    weights[4] *= prof.low_decline ** y_i
    weights /= weights.sum()
    weeks = _weeks(year, prof.order_weekday)
    r_idx, w_idx = np.meshgrid(np.arange(n), np.arange(len(weeks)), indexing="ij")
    r_idx, w_idx = r_idx.ravel(), w_idx.ravel()
    keep = rng.random(len(r_idx)) < 0.93  # some weeks a shop skips its order
    r_idx, w_idx = r_idx[keep], w_idx[keep]
    n_lines = np.clip(rng.poisson(2.5 + size[r_idx] / 4.0), 1, 24)
    line_r = np.repeat(r_idx, n_lines)
    line_w = np.repeat(w_idx, n_lines)
    # class per line: rural shops lean low, 烟酒店 leans premium
    tilt = np.where(urban[line_r], 1.0, 0.0)
    u = rng.random(len(line_r))
    cum = np.cumsum(weights)
    cls = 1 + np.searchsorted(cum, np.clip(u - 0.04 * tilt + 0.04 * (1 - tilt), 0, 0.999999))
    cls = np.clip(cls, 1, 5)
    sku_idx = np.empty(len(cls), dtype=int)
    for c in range(1, 6):
        pick = np.flatnonzero(cls == c)
        cand = np.flatnonzero(sku_class == c)
        w = sku_pop[cand] * np.where(sku_prov[cand], prof.provincial_bias, 1.0)
        sku_idx[pick] = cand[rng.choice(len(cand), size=len(pick), p=w / w.sum())]
    per_line = size[line_r] / np.maximum(n_lines.repeat(n_lines), 1)
    qty = 1 + rng.poisson(np.maximum(per_line - 1, 0.2))
    dates = weeks[line_w]
    online_ok = dates >= adopt[line_r]
    ch_u = rng.random(len(line_r))
    channel = np.where(online_ok, np.where(ch_u < 0.92, "网上订货", "电话订货"), np.where(ch_u < 0.7, "电话订货", "走访"))
    return pd.DataFrame({
        "order_date": dates, "retailer_id": mine["retailer_id"].to_numpy()[line_r],
        "sku": sku_idx, "quantity_cartons": qty.astype(np.int64), "channel": channel, "district": prof.name,
    })


def iter_orders(retailers: pd.DataFrame, skus: pd.DataFrame, rng: np.random.Generator,
                profiles: tuple[Profile, ...] = PROFILES):
    """Yield (district, year, order lines) chunk by chunk, setting each retailer's tier on the way
    (the benchmark writes chunks as they come instead of holding tens of millions of lines)."""
    for prof in profiles:
        in_district = retailers["district"] == prof.name
        mine = retailers[in_district].reset_index(drop=True)
        plan = _district_plan(prof, mine, rng)
        retailers.loc[in_district, "customer_tier"] = plan["tiers"]
        for y_i, year in enumerate(YEARS):
            yield prof.name, year, _year_orders(prof, mine, plan, y_i, year, skus, rng)


def priced(orders: pd.DataFrame, skus: pd.DataFrame) -> pd.DataFrame:
    """SKU codes and amounts (quantity × wholesale price) for generated lines."""
    sku = orders["sku"].to_numpy()
    orders["sku_id"] = skus["sku_id"].to_numpy()[sku]
    orders["amount_yuan"] = orders["quantity_cartons"] * skus["wholesale_price"].to_numpy()[sku]
    return orders.drop(columns="sku")


def generate(rng: np.random.Generator | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(retailers, skus, orders) in canonical columns, orders with district attached for calibration."""
    rng = rng or np.random.default_rng(RANDOM_STATE)
    skus = sku_master()
    retailers = retailer_master(rng)
    orders = pd.concat([chunk for _, _, chunk in iter_orders(retailers, skus, rng)], ignore_index=True)
    retailers["customer_tier"] = retailers["customer_tier"].astype(int)
    _calibrate(orders, skus, retailers, rng)
    plant_suspects(orders, skus)
    skus = launch_specification(orders, skus)
    return retailers, skus.drop(columns="popularity"), priced(orders, skus)


def _fit_total(qty: np.ndarray, target: int, rng: np.random.Generator) -> np.ndarray:
    """Scale positive integer quantities so they sum to exactly `target` (each stays ≥ 1)."""
    qty = np.maximum(np.round(qty * target / qty.sum()).astype(np.int64), 1)
    diff = target - int(qty.sum())
    while diff != 0:
        if diff > 0:
            idx = rng.choice(len(qty), size=min(diff, len(qty)), replace=False)
            qty[idx] += 1
        else:
            room = np.flatnonzero(qty > 1)
            idx = rng.choice(room, size=min(-diff, len(room)), replace=False)
            qty[idx] -= 1
        diff = target - int(qty.sum())
    return qty


def _calibrate(orders: pd.DataFrame, skus: pd.DataFrame, retailers: pd.DataFrame, rng: np.random.Generator) -> None:
    """Make 城郊片区's 2018 and 2019 hit the seed's table: class volumes, provincial volume,
    条均价 and online customers. Only quantities and the choice of SKU within a class move."""
    sku_class = skus["price_class"].to_numpy()
    sku_prov = skus["is_provincial"].to_numpy()
    sku_price = skus["wholesale_price"].to_numpy()
    c19 = np.array(SEED_FIGURES.class_cases_2019) * CARTONS_PER_CASE
    c18 = c19 / (1 + np.array(SEED_FIGURES.class_yoy_pct) / 100)
    # 2018 classes scaled to the printed 2018 total (their sum differs from it by 0.05 箱)
    c18 = c18 * (SEED_FIGURES.volume_cases_2018 * CARTONS_PER_CASE / c18.sum())
    p19 = SEED_FIGURES.provincial_cases_2019 * CARTONS_PER_CASE
    p18 = p19 / (1 + SEED_FIGURES.provincial_yoy_pct / 100)
    # 2017 is not in the seed: a plausible year before it, so trends on the pages read naturally
    c17 = c18 / (1 + np.array((30.0, 12.0, -1.0, -4.0, -25.0)) / 100)
    p17 = 0.74 * c17.sum()
    plan = {2017: (np.round(c17).astype(int), round(p17), 68.5),
            2018: (np.round(c18).astype(int), round(p18), SEED_FIGURES.avg_price_2018),
            2019: (np.round(c19).astype(int), round(p19), SEED_FIGURES.avg_price_2019)}
    years = orders["order_date"].dt.year if hasattr(orders["order_date"], "dt") else pd.to_datetime(orders["order_date"]).dt.year
    for year, (class_targets, prov_target, price_target) in plan.items():
        rows = np.flatnonzero(((orders["district"] == SEED_DISTRICT) & (years == year)).to_numpy())
        sku = orders["sku"].to_numpy()[rows].copy()
        qty = orders["quantity_cartons"].to_numpy()[rows].copy()
        cls = sku_class[sku]
        for c in range(1, 6):
            m = np.flatnonzero(cls == c)
            qty[m] = _fit_total(qty[m], int(class_targets[c - 1]), rng)
        # provincial volume: swap lines between provincial and out-of-province specs of a class
        sku = _steer(sku, qty, cls, lambda s: sku_prov[s].astype(float), prov_target, skus, rng, tol=0.5,
                     same=lambda s: (sku_class[s],))
        # amount: swap specs within the same class and provincial flag (volumes stay put)
        amount_target = price_target * qty.sum()
        sku = _steer(sku, qty, cls, lambda s: sku_price[s], amount_target, skus, rng, tol=0.002 * qty.sum(),
                     same=lambda s: (sku_class[s], sku_prov[s]))
        orders.loc[orders.index[rows], "sku"] = sku
        orders.loc[orders.index[rows], "quantity_cartons"] = qty


def _steer(sku, qty, cls, value, target, skus, rng, tol, same):
    """Greedy: re-assign lines to other specs in their group until Σ qty·value(sku) ≈ target."""
    n_sku = len(skus)
    groups: dict[tuple, np.ndarray] = {}
    for s in range(n_sku):
        groups.setdefault(same(s), []).append(s)
    groups = {k: np.array(v) for k, v in groups.items()}
    total = float((qty * value(sku)).sum())
    for _ in range(200000):
        gap = target - total
        if abs(gap) <= tol:
            break
        i = rng.integers(len(sku))
        options = groups[same(sku[i])]
        deltas = (value(options) - value(sku[i])) * qty[i]
        # best option that moves towards the target without overshooting by more than the gap
        good = np.flatnonzero((np.sign(deltas) == np.sign(gap)) & (np.abs(deltas) <= abs(gap) + tol))
        if len(good) == 0:
            continue
        j = good[np.argmax(np.abs(deltas[good]))] if abs(gap) > 50 * tol else good[rng.integers(len(good))]
        total += float(deltas[j])
        sku[i] = options[j]
    return sku


# --- #14 suspects: planted 代订货 cases ------------------------------------------------------------
#
# A handful of retailers whose 2019 orders are changed to look like 代订货, so that the suspects list
# has cases to find (docs/definitions.md, "代订货 suspects", names them; tests/test_suspects.py checks they
# rank first in their districts). Every case moves existing order lines, never adds or removes one:
# between two retailers of the same customer manager, or to a later day of the same retailer, in the
# same year. So no district's, manager's or year's volume, class or amount moves, no target moves
# (demo_targets reads the same sums), and 城郊片区 and 南部山区片区, whose figures tests pin, are untouched.
# Each retailer involved ordered online in 2018 and keeps online lines in 2019 (the 网订率 counts stay).
# No random number is drawn.


@dataclass(frozen=True)
class Planted:
    """One planted case in PLANT_YEAR: the lines of `source` of `classes` from `month` on go to `target`
    (a mix case: its 一类/二类 lines from January); for a step (source == target) its lines before
    `month` move 26 weeks later instead (the same weekday, still in the year). Of the lines picked,
    the first `tenths` of each ten move (all of them by default)."""

    case: str  # the reason the suspects list should give: mix_high, paired_shift or level_shift
    district: str
    source: str
    target: str
    month: int = 1
    tenths: int = 10
    classes: tuple[int, ...] = (1, 2, 3, 4, 5)


PLANT_YEAR = YEARS[-1]
PLANTED = (
    # a small rural 食杂店 (档位 2) ordering the 一二类 of a big urban 食杂店 of the same manager (郭敏)
    Planted("mix_high", "东部乡镇片区", source="420106001376", target="420106001457", classes=(1, 2)),
    # a big rural 烟酒店's orders move, seven lines in ten, to a small 食杂店 of the same manager (林芳) from July
    Planted("paired_shift", "西部乡镇片区", source="042007001811", target="042007001753", month=7, tenths=7),
    # an urban 便利店 (档位 15) whose orders step up from July: six in ten of its January–June lines move 26 weeks on
    Planted("level_shift", "城北片区", source="042004000876", target="042004000876", month=7, tenths=6),
    # a big urban 娱乐服务类 shop stops ordering in April; a small 便利店 of the same manager (黄敏) orders its volume
    Planted("paired_shift", "开发区片区", source="420103000653", target="420103000725", month=4),
)


def plant_suspects(orders: pd.DataFrame, skus: pd.DataFrame, cases: tuple[Planted, ...] = PLANTED) -> None:
    """Apply the planted cases to generated lines (canonical columns, `sku` an index into `skus`) in place."""
    when = pd.to_datetime(orders["order_date"])
    year, month = when.dt.year.to_numpy(), when.dt.month.to_numpy()
    cls = skus["price_class"].to_numpy()[orders["sku"].to_numpy()]
    rid = orders["retailer_id"].to_numpy()
    for p in cases:
        if not (rid == p.target).any():
            raise RuntimeError(f"planted case {p}: retailer {p.target} is not in the demo city")
        step = p.source == p.target
        window = (month < p.month) if step else (month >= p.month)
        rows = np.flatnonzero((rid == p.source) & (year == PLANT_YEAR) & window & np.isin(cls, p.classes))
        if len(rows) == 0:
            raise RuntimeError(f"planted case {p}: retailer {p.source} has no lines to move")
        rows = rows[np.arange(len(rows)) % 10 < p.tenths]
        if step:
            orders.loc[orders.index[rows], "order_date"] = when.iloc[rows].to_numpy() + np.timedelta64(26 * 7, "D")
        else:
            orders.loc[orders.index[rows], "retailer_id"] = p.target


# --- #14 brands: a specification launched in the last year ---------------------------------------
#
# Brand cultivation (品牌培育) asks how far a new specification has spread and whether retailers
# reorder it, so the demo launches one in LAUNCH_YEAR: LAUNCH.name, a new specification of the same
# brand, 价类, 省产 flag and price as LAUNCH.source. It is made by re-labelling some of the source's
# LAUNCH_YEAR lines (their retailer, day, quantity and amount stay), so no district's, manager's or
# year's volume, class, provincial or amount figure moves, nor any brand's; only the two
# specifications' split does. 城郊片区 (the seed's calibrated district, whose sample correction file
# replaces lines by day) does not get it: there it is 0%, a district that lags. Elsewhere a share of
# retailers (more in urban districts) adopt it from a day after the launch month's start, spreading
# over the year; some only try it once, the others keep taking part of their source orders as the new
# specification (reorders). Its own generator draws the choices: the city's stream is untouched.


@dataclass(frozen=True)
class Launch:
    name: str
    source: str
    month: int
    seed: int = RANDOM_STATE + 14


LAUNCH_YEAR = YEARS[-1]
LAUNCH = Launch(name="黄鹤楼(硬红细支)", source="黄鹤楼(硬红)", month=4)


def launch_specification(orders: pd.DataFrame, skus: pd.DataFrame, launch: Launch = LAUNCH) -> pd.DataFrame:
    """The SKU master with the launched specification appended (its code by sku_master's rule), and
    its lines re-labelled in `orders` (canonical columns, `sku` an index into the master) in place."""
    src = int(np.flatnonzero(skus["sku_name"].to_numpy() == launch.source)[0])
    new = len(skus)
    row = skus.iloc[[src]].assign(sku_id=f"6901028{(new * 7919 + 100003) % 1000000:06d}", sku_name=launch.name, popularity=0.0)
    if row["sku_id"].iloc[0] in set(skus["sku_id"]):
        raise RuntimeError(f"launched specification {launch.name}: code {row['sku_id'].iloc[0]} is taken")
    rng = np.random.default_rng(launch.seed)
    when = pd.to_datetime(orders["order_date"])
    start = np.datetime64(dt.date(LAUNCH_YEAR, launch.month, 1))
    end = np.datetime64(dt.date(LAUNCH_YEAR, 12, 20))
    urban = {p.name: p.urban_share for p in PROFILES}
    sku, rid, district = orders["sku"].to_numpy().copy(), orders["retailer_id"].to_numpy(), orders["district"].to_numpy()
    days = when.to_numpy().astype("datetime64[D]")
    lines = np.flatnonzero((sku == src) & (when.dt.year.to_numpy() == LAUNCH_YEAR) & (district != SEED_DISTRICT))
    for d in sorted(set(district[lines])):
        mine = lines[district[lines] == d]
        shops = np.unique(rid[mine])
        adopt = shops[rng.random(len(shops)) < 0.15 + 0.5 * urban.get(d, 0.5)]
        # adoption days: many soon after the launch, fewer later (the curve flattens)
        on = start + (rng.random(len(adopt)) ** 1.6 * (end - start).astype(int)).astype("timedelta64[D]")
        keeps = rng.random(len(adopt)) < 0.6  # the others try it once
        for shop, day, keep in zip(adopt, on, keeps, strict=True):
            after = mine[(rid[mine] == shop) & (days[mine] >= day)]
            after = after[np.argsort(days[after], kind="stable")]
            if len(after) == 0:
                continue
            # the first order after adopting, then (reorderers) about two in five of the later ones
            picked = np.concatenate([after[:1], after[1:][rng.random(len(after) - 1) < 0.4]]) if keep else after[:1]
            sku[picked] = new
    orders["sku"] = sku
    return pd.concat([skus, row], ignore_index=True)


# --- writing the extracts ---------------------------------------------------------------------

RETAILER_HEADERS = {"retailer_id": "许可证号", "retailer_name": "客户名称", "district": "片区", "manager": "客户经理",
                    "area_type": "城乡分类", "business_format": "业态", "customer_tier": "档位"}
SKU_HEADERS = {"sku_id": "卷烟编码", "sku_name": "卷烟名称", "brand": "品牌", "manufacturer": "生产企业",
               "is_provincial": "是否省产", "price_class": "价类", "wholesale_price": "批发价(元/条)"}
ORDER_HEADERS = {"order_date": "订货日期", "retailer_id": "许可证号", "sku_id": "卷烟编码", "quantity_cartons": "订货量(条)",
                 "amount_yuan": "金额(元)", "channel": "订货方式"}
CLASS_NAMES = {1: "一类", 2: "二类", 3: "三类", 4: "四类", 5: "五类"}


def write_extracts(retailers: pd.DataFrame, skus: pd.DataFrame, orders: pd.DataFrame, out: Path) -> list[Path]:
    """The marketing system's export format: GBK CSV masters, one parquet order file per year."""
    out.mkdir(parents=True, exist_ok=True)
    r = retailers.copy()
    r["area_type"] = r["area_type"].map({"urban": "城网", "rural": "农网"})
    s = skus.copy()
    s["is_provincial"] = s["is_provincial"].map({True: "是", False: "否"})
    s["price_class"] = s["price_class"].map(CLASS_NAMES)
    paths = [out / "零售户档案.csv", out / "卷烟档案.csv"]
    r[list(RETAILER_HEADERS)].rename(columns=RETAILER_HEADERS).to_csv(paths[0], index=False, encoding="gbk")
    s[list(SKU_HEADERS)].rename(columns=SKU_HEADERS).to_csv(paths[1], index=False, encoding="gbk")
    o = orders[list(ORDER_HEADERS)].rename(columns=ORDER_HEADERS)
    year = pd.to_datetime(o["订货日期"]).dt.year
    for y in sorted(year.unique()):
        part = o[year == y].copy()
        part["订货日期"] = pd.to_datetime(part["订货日期"]).dt.strftime("%Y-%m-%d")
        path = out / f"订单明细_{y}.parquet"
        part.to_parquet(path, index=False)
        paths.append(path)
    return paths


# --- targets (任务) -------------------------------------------------------------------------------
#
# The demo's plan for its last year, set against what each district really sold: every district's
# completion of each target is given here (actual ÷ target), so the story the pages tell is chosen,
# not drawn. 城郊片区 misses its volume and its 五类 targets; the others differ, some ahead, some behind,
# on various measures. The targets are rounded as a planner would (whole 箱, 0.1 元, 0.1 %), so the
# completions are these figures to within the rounding. No random number is drawn: no other figure of
# the demo depends on them.

TARGET_YEAR = YEARS[-1]
#: district -> completion (actual ÷ target) of volume, 一二类, 省产, 五类, 条均价, 网订率
TARGET_COMPLETION = {
    "城区一片区": (1.04, 1.07, 1.02, 0.97, 1.01, 1.03),
    "城区二片区": (0.98, 1.01, 0.99, 1.05, 0.99, 0.97),
    "开发区片区": (1.07, 1.10, 1.05, 1.02, 1.02, 1.05),
    "城北片区": (1.01, 0.96, 1.03, 0.92, 1.00, 0.98),
    SEED_DISTRICT: (0.955, 1.03, 1.01, 0.88, 0.985, 0.94),
    "东部乡镇片区": (0.97, 0.94, 0.98, 1.06, 0.97, 1.02),
    "西部乡镇片区": (1.02, 0.99, 1.04, 1.09, 1.01, 0.95),
    "南部山区片区": (0.93, 0.91, 0.95, 1.12, 0.96, 1.08),
}
#: the contract's first Chinese header of each targets column, as a department's file heads it
TARGET_HEADERS = {c.name: c.aliases[0] for c in TARGETS}


def _measures(orders: pd.DataFrame, skus: pd.DataFrame) -> pd.DataFrame:
    """Each line's 箱 of the four additive measures (volume, 一二类, 省产, 五类)."""
    sku = skus.set_index("sku_id")
    cls = orders["sku_id"].map(sku["price_class"]).to_numpy()
    prov = orders["sku_id"].map(sku["is_provincial"]).to_numpy(dtype=bool)
    cases = orders["quantity_cartons"].to_numpy() / CARTONS_PER_CASE
    return pd.DataFrame({"volume_target_cases": cases, "class12_target_cases": np.where(cls <= 2, cases, 0.0),
                         "provincial_target_cases": np.where(prov, cases, 0.0), "low_tier_target_cases": np.where(cls == 5, cases, 0.0)},
                        index=orders.index)


def _split(total_cents: int, weights: np.ndarray) -> np.ndarray:
    """`total_cents` split by `weights` into whole cents that add up to it exactly (the rest on the last);
    equal shares when the weights are all 0."""
    weights = weights if weights.sum() > 0 else np.ones(len(weights))
    parts = np.floor(total_cents * weights / weights.sum()).astype(np.int64)
    parts[-1] += total_cents - parts.sum()
    return parts


def demo_targets(retailers: pd.DataFrame, skus: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """The demo's targets for TARGET_YEAR in the contract's columns: per district, months 1–12 (each
    measure spread over the months as the district sold it the year before; 条均价 and 网订率 the same
    every month), and per customer manager of the retailer master a whole-year row, the district's
    target shared as each manager's retailers sold it the year before, so the managers' rows add up
    to the district's exactly."""
    year = pd.to_datetime(orders["order_date"]).dt.year.to_numpy()
    month = pd.to_datetime(orders["order_date"]).dt.month.to_numpy()
    manager = orders["retailer_id"].map(retailers.set_index("retailer_id")["manager"]).to_numpy()
    measures = _measures(orders, skus)
    rows = []
    for district, completion in TARGET_COMPLETION.items():
        mine = orders["district"].to_numpy() == district
        now, before = mine & (year == TARGET_YEAR), mine & (year == TARGET_YEAR - 1)
        actual = measures[now].sum()
        # a measure the district does not sell (五类 in the all-urban districts) gets no target, not 0
        target = {m: round(actual[m] / c) for m, c in zip(ADDITIVE_TARGETS, completion[:4], strict=True) if actual[m] > 0}
        online = orders.loc[now & (orders["channel"].to_numpy() == "网上订货"), "retailer_id"].nunique()
        customers = int((retailers["district"] == district).sum())
        rates = {"avg_price_target": round(orders.loc[now, "amount_yuan"].sum() / orders.loc[now, "quantity_cartons"].sum()
                                           / completion[4], 1),
                 "online_rate_target_pct": round(online / customers * 100 / completion[5], 1)}
        by_month = measures[before].groupby(month[before]).sum().reindex(range(1, 13), fill_value=0.0)
        months = {m: _split(t * 100, by_month[m].to_numpy()) / 100 for m, t in target.items()}
        for k in range(12):
            rows.append({"year": TARGET_YEAR, "month": k + 1, "district": district, "manager": "",
                         **{m: v[k] for m, v in months.items()}, **rates})
        names = sorted(retailers.loc[retailers["district"] == district, "manager"].dropna().unique())
        by_manager = measures[before].groupby(manager[before]).sum().reindex(names, fill_value=0.0)
        shares = {m: _split(t * 100, by_manager[m].to_numpy()) / 100 for m, t in target.items()}
        for k, name in enumerate(names):
            rows.append({"year": TARGET_YEAR, "month": 0, "district": district, "manager": name,
                         **{m: v[k] for m, v in shares.items()}, **rates})
    return pd.DataFrame(rows, columns=list(TARGET_HEADERS))


def write_targets(targets: pd.DataFrame, path: Path) -> Path:
    """A targets file as a marketing department keeps it: GBK CSV, Chinese headers, the whole year's
    rows with 月份 left blank."""
    out = targets.rename(columns=TARGET_HEADERS)
    out["月份"] = out["月份"].map(lambda m: str(m) if m else "")
    out.to_csv(path, index=False, encoding="gbk", float_format="%.2f")
    return path


def build_demo(data_dir: str | Path | None = None, progress=lambda f, t: None) -> Store:
    """Generate the demo city and load it into `data_dir` through the normal loading path."""
    store = Store(data_dir)
    progress(0.05, "generate")
    retailers, skus, orders = generate()
    with tempfile.TemporaryDirectory(prefix="demo-extracts-") as tmp:
        progress(0.35, "write")
        paths = write_extracts(retailers, skus, orders, Path(tmp))
        paths.append(write_targets(demo_targets(retailers, skus, orders), Path(tmp) / f"任务_{TARGET_YEAR}.csv"))
        progress(0.5, "load")
        results = load_paths(store, [str(p) for p in paths], loaded_by="demo")
    refused = [m for r in results for m in r.messages("en")]
    if refused:
        raise RuntimeError("demo extracts were refused:\n" + "\n".join(refused))
    return store


def reset(data_dir: str | Path | None = None) -> None:
    """Remove generated data (manifest, extracts, states) but never data/samples."""
    store = Store(data_dir)
    for name in ("manifest.json", ".lock"):
        (store.root / name).unlink(missing_ok=True)
    for sub in (store.extracts_dir, store.states_dir):
        shutil.rmtree(sub, ignore_errors=True)
