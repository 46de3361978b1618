"""The data contract: the four kinds of extract (order lines, the two masters, and targets), their
canonical columns, the headers the marketing system exports for them, and the vocabularies their
values are normalised to.

docs/data-contract.md is the prose version of this module; keep the two in step.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

KINDS = ("orders", "retailers", "skus", "targets")

CHANNELS = ("online", "phone", "visit", "other")
AREA_TYPES = ("urban", "rural")
PRICE_CLASSES = (1, 2, 3, 4, 5)
LOW_TIER_CLASS = 5  # 低档烟 = 五类


@dataclass(frozen=True)
class Column:
    name: str
    aliases: tuple[str, ...]
    required: bool = True
    #: multiply values by this when the header matched is one of `scaled_aliases` (箱 → 条)
    scaled_aliases: tuple[str, ...] = ()
    scale: int = 1
    #: the DuckDB type the store keeps it as (analytics.schema derives every column list from these)
    sql_type: str = "VARCHAR"


ORDERS = (
    Column("order_date", ("订货日期", "日期", "订单日期"), sql_type="DATE"),
    Column("retailer_id", ("许可证号", "客户编码", "零售户编码", "专卖许可证号")),
    Column("sku_id", ("卷烟编码", "商品编码", "规格编码")),
    Column(
        "quantity_cartons",
        ("订货量(条)", "销量(条)", "数量(条)", "订货量", "销量", "数量"),
        scaled_aliases=("订货量(箱)", "销量(箱)", "数量(箱)", "quantity_cases"),
        scale=250,
        sql_type="BIGINT",
    ),
    Column("amount_yuan", ("金额(元)", "金额", "订货金额", "销售额"), sql_type="DOUBLE"),
    Column("channel", ("订货方式", "订货渠道")),
)

RETAILERS = (
    Column("retailer_id", ("许可证号", "客户编码", "零售户编码", "专卖许可证号")),
    Column("retailer_name", ("客户名称", "零售户名称", "店铺名称")),
    Column("district", ("片区", "所属片区")),
    Column("manager", ("客户经理",), required=False),
    Column("area_type", ("城乡分类", "市场类型")),
    Column("business_format", ("业态",), required=False),
    Column("customer_tier", ("档位", "客户档位"), required=False, sql_type="BIGINT"),
)

SKUS = (
    Column("sku_id", ("卷烟编码", "商品编码", "规格编码")),
    Column("sku_name", ("卷烟名称", "规格名称", "商品名称")),
    Column("brand", ("品牌",)),
    Column("manufacturer", ("生产企业", "工业企业"), required=False),
    Column("is_provincial", ("是否省产", "省产烟"), sql_type="BOOLEAN"),
    # one of price_class / wholesale_price must be present: checked in ingest
    Column("price_class", ("价类", "类别"), required=False, sql_type="BIGINT"),
    Column("wholesale_price", ("批发价(元/条)", "批发价"), required=False, sql_type="DOUBLE"),
)

# 任务: one row per (year, month, district, manager). Month blank or 0 is the whole-year target; a
# blank manager is the district's own target. The order of the columns is the state's `targets`
# table's (analytics.schema derives it from here).
TARGETS = (
    Column("year", ("年度", "年份"), sql_type="INTEGER"),
    Column("month", ("月份",), required=False, sql_type="INTEGER"),
    Column("district", ("片区", "所属片区")),
    Column("manager", ("客户经理",), required=False),
    Column("volume_target_cases", ("销量任务(箱)", "销量计划(箱)"), sql_type="DOUBLE"),
    Column("class12_target_cases", ("一二类烟任务(箱)",), required=False, sql_type="DOUBLE"),
    Column("provincial_target_cases", ("省产烟任务(箱)",), required=False, sql_type="DOUBLE"),
    Column("low_tier_target_cases", ("五类烟任务(箱)", "低档烟任务(箱)"), required=False, sql_type="DOUBLE"),
    Column("avg_price_target", ("条均价任务(元/条)",), required=False, sql_type="DOUBLE"),
    Column("online_rate_target_pct", ("网订率任务(%)",), required=False, sql_type="DOUBLE"),
)
#: the target measures; the additive ones (箱) sum over months, the others are rates
TARGET_MEASURES = tuple(c.name for c in TARGETS[4:])
ADDITIVE_TARGETS = ("volume_target_cases", "class12_target_cases", "provincial_target_cases", "low_tier_target_cases")
#: a percentage measure must lie in 0..100
PCT_TARGETS = ("online_rate_target_pct",)
#: what identifies a targets row in a file, and the key a newer extract replaces (without the month)
TARGET_ROW_KEY = ("year", "month", "district", "manager")
TARGET_KEY = ("year", "district", "manager")
#: how far a whole-year target may differ from the sum of its months (箱) before the file is refused
TARGET_TOLERANCE_CASES = 0.5

COLUMNS: dict[str, tuple[Column, ...]] = {"orders": ORDERS, "retailers": RETAILERS, "skus": SKUS, "targets": TARGETS}

#: Primary key of each master (order lines have none: the same line may legitimately repeat).
MASTER_KEYS = {"retailers": "retailer_id", "skus": "sku_id"}

#: Columns a kind is recognised by: a header set containing all of them is that kind.
SIGNATURE = {
    "orders": ("order_date", "quantity_cartons"),
    "retailers": ("retailer_id", "retailer_name"),
    "skus": ("sku_id", "sku_name"),
    "targets": ("year", "volume_target_cases"),
}


def header_key(header: object) -> str:
    """Fold a header for matching: NFKC (full-width brackets become ASCII), no BOM, no spaces, lower case."""
    text = unicodedata.normalize("NFKC", str(header)).replace("\ufeff", "")
    return re.sub(r"\s+", "", text).lower()


def _alias_table(kind: str) -> dict[str, tuple[str, int]]:
    table: dict[str, tuple[str, int]] = {}
    for col in COLUMNS[kind]:
        table[header_key(col.name)] = (col.name, 1)
        for alias in col.aliases:
            table[header_key(alias)] = (col.name, 1)
        for alias in col.scaled_aliases:
            table[header_key(alias)] = (col.name, col.scale)
    return table


ALIASES = {kind: _alias_table(kind) for kind in KINDS}


@dataclass(frozen=True)
class Mapping:
    """How a file's headers map onto one kind's canonical columns."""

    kind: str
    columns: dict[str, str]  # canonical name -> header as written in the file
    scales: dict[str, int]  # canonical name -> factor applied to its values
    unmapped: tuple[str, ...]  # headers the contract does not know (kept out of the store)

    @property
    def missing(self) -> tuple[str, ...]:
        required = [c.name for c in COLUMNS[self.kind] if c.required]
        if self.kind == "skus" and not ({"price_class", "wholesale_price"} & self.columns.keys()):
            required.append("price_class")
        return tuple(c for c in required if c not in self.columns)


def map_headers(headers: list[str], kind: str) -> Mapping:
    """Map headers onto `kind`; the first header that matches a column wins."""
    table = ALIASES[kind]
    columns: dict[str, str] = {}
    scales: dict[str, int] = {}
    unmapped: list[str] = []
    for header in headers:
        hit = table.get(header_key(header))
        if hit is None or hit[0] in columns:
            unmapped.append(str(header))
            continue
        columns[hit[0]] = str(header)
        scales[hit[0]] = hit[1]
    return Mapping(kind, columns, scales, tuple(unmapped))


def detect_kind(headers: list[str]) -> str | None:
    """The kind whose signature columns all appear in `headers`; ties go to the most columns matched."""
    best: tuple[int, str] | None = None
    for kind in KINDS:
        mapping = map_headers(headers, kind)
        if all(c in mapping.columns for c in SIGNATURE[kind]):
            score = len(mapping.columns)
            if best is None or score > best[0]:
                best = (score, kind)
    return best[1] if best else None


# --- vocabularies: folded spelling -> canonical value --------------------------------------

def _fold(value: object) -> str:
    return header_key(value)


CHANNEL_VOCAB = {
    **{_fold(v): "online" for v in ("网上订货", "网订", "互联网", "互联网订货", "手机", "手机订货", "app", "online", "网上")},
    **{_fold(v): "phone" for v in ("电话订货", "电话", "phone")},
    **{_fold(v): "visit" for v in ("走访", "拜访", "走访订货", "visit")},
}

AREA_VOCAB = {
    **{_fold(v): "urban" for v in ("城镇", "城网", "城市", "urban")},
    **{_fold(v): "rural" for v in ("乡村", "农村", "农网", "rural")},
}

BOOL_VOCAB = {
    **{_fold(v): True for v in ("是", "y", "yes", "1", "true", "省产", "省内")},
    **{_fold(v): False for v in ("否", "n", "no", "0", "false", "省外")},
}

CLASS_VOCAB = {
    **{_fold(name): i for i, name in enumerate(("一类", "二类", "三类", "四类", "五类"), start=1)},
    **{_fold(f"{name}烟"): i for i, name in enumerate(("一类", "二类", "三类", "四类", "五类"), start=1)},
    **{_fold(str(i)): i for i in PRICE_CLASSES},
    **{_fold(f"{i}.0"): i for i in PRICE_CLASSES},
}


def channel_of(value: object) -> str:
    """Order channel; anything the contract does not name is 'other' (by definition, not an error)."""
    return CHANNEL_VOCAB.get(_fold(value), "other")


def fold(value: object) -> str:
    """Public alias of the folding used by every vocabulary above."""
    return _fold(value)
