"""代订货 suspects: retailers whose orders look like someone else's, each with the figures that made it
one, for a customer manager or a 专卖 officer to check by a visit. Leads, never verdicts.

Everything is read from rollups built at load time (retailer_year_months: each retailer's year with its
months as columns; peer_year / peer_month: the peers' figures; see analytics/rollups.py), never from
order lines: two small statements per list, then a few numpy steps over a retailers × months matrix.
The definitions (signals, score, thresholds, peers) are in docs/definitions.md, "代订货 suspects";
the thresholds in analytics/config.py (SuspectThresholds).

Signals (REASONS), each on the months of f.year chosen (f.month_from..f.month_to) that the data
cover; a month without orders counts 0, a month after the data end does not count:

- volume_high: the monthly volume, or its 一类+二类 part, a robust z above the peers' median
  ((own − median) / (1.4826 × MAD), the spread never below its floors);
- mix_high: the 一类+二类 share a robust z above the peers', and by at least mix_min_pp points;
- level_shift: a step that persists: at least shift_min_months months on each side, the sides'
  median months apart by shift_min_ratio of the larger and shift_min_cases, the step shift_min_t
  times the months' spread around their side's mean (a single spike moves no median);
- paired_shift: a step down of one retailer and a step up of another of the same manager (else of
  the district), within pair_max_months months, of sizes within pair_tolerance: the partner named;
- swing: the coefficient of variation of the monthly volume (as queries.volume_swings).
"""
from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd

from . import metrics
from .access import EVERYTHING
from .config import CARTONS_PER_CASE, SUSPECTS, SuspectThresholds
from .filters import TIER_MAX, TIER_MIN, Filters
from .formats import fmt_cases, fmt_pct
from .labels import t
from .queries import _df

REASONS: tuple[str, ...] = ("volume_high", "mix_high", "level_shift", "paired_shift", "swing")

#: MAD × this estimates a normal spread's standard deviation: the robust z reads like a z
MAD_SCALE = 1.4826

#: the retailer's segment columns its peers share (rollups.py peer_year / peer_month)
PEER_KEYS = ("area_type", "business_format", "customer_tier")
_SAME_PEERS = " AND ".join(f"p.{c} IS NOT DISTINCT FROM r.{c}" for c in PEER_KEYS)

#: every column of a suspects frame, in order (an empty list has them too)
COLUMNS = ["retailer_id", "retailer_name", "district", "manager", "area_type", "business_format", "customer_tier", "score",
           "reasons", "partner_retailer_id", "partner_retailer_name", "months", "cases", "peer_median_cases", "volume_z",
           "class12_cases", "peer_median_class12_cases", "class12_z", "class12_share_pct", "peer_class12_share_pct", "mix_z",
           "swing", "active_months", "shift_month", "shift_before_cases", "shift_after_cases", "shift_change_cases",
           "partner_shift_month", "partner_shift_change_cases", "peer_count"]


def months_read(con: duckdb.DuckDBPyConnection, f: Filters) -> list[int]:
    """The months of f.year the signals read: f's months that the data cover (from the year's first
    to its last month with orders; a month after the data end has not happened yet)."""
    if f.year is None:
        return []
    row = _df(con, "SELECT first_date, last_date FROM year_dates WHERE year = $year", {"year": int(f.year)}, EVERYTHING)
    if row.empty or pd.isna(row["first_date"].iloc[0]):
        return []
    first, last = pd.Timestamp(row["first_date"].iloc[0]).month, pd.Timestamp(row["last_date"].iloc[0]).month
    return list(range(max(int(f.month_from), first), min(int(f.month_to), last) + 1))


def _read(con: duckdb.DuckDBPyConnection, f: Filters, months: list[int],
          th: SuspectThresholds) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The scored retailers (f's districts, all of them: a partner may be another manager's or of
    another segment) that ordered in f's months, with their peers' figures, and their monthly volume and 一类+二类 volume
    (条, 0 without orders) as retailers × months matrices in the same order. `listed`: the retailer is
    in f's own selection. Two small statements: the retailers' years (their months as columns,
    rollups.py retailer_year_months) and the year's peers, joined in pandas."""
    # a partner may be of another manager or segment: the district's every retailer is read (within the scope)
    wide, wparams = f.with_(managers=(), area_types=(), business_formats=(), tier_min=TIER_MIN,
                            tier_max=TIER_MAX).where(alias="y", months=False)
    own, oparams = f.where(alias="y", months=False)
    # the months are integers from months_read, formatted into column names (never input text)
    cols = ", ".join(f"y.qty_{int(k)}, y.class12_{int(k)}" for k in months)
    total = " + ".join(f"y.qty_{int(k)}" for k in months)
    people = _df(con, f"""SELECT y.retailer_id, y.retailer_name, y.district, y.manager, y.area_type, y.business_format,
                                 y.customer_tier, ({own}) AS listed, {cols}
                          FROM retailer_year_months y WHERE y.year = $year AND {wide} AND {total} > 0 ORDER BY y.retailer_id""",
                 {"year": int(f.year)} | wparams | oparams, f.scope)
    peers = _df(con, "SELECT * EXCLUDE (year) FROM peer_year WHERE year = $year AND peers >= $min_peers",
                {"year": int(f.year), "min_peers": int(th.min_peers)}, f.scope)
    q = people[[f"qty_{int(k)}" for k in months]].to_numpy("float64")
    c12 = people[[f"class12_{int(k)}" for k in months]].to_numpy("float64")
    # a peer group joins on equal keys, a missing key matching a missing one (pandas merges NaN with NaN)
    return people.merge(peers, on=list(PEER_KEYS), how="left"), q, c12


def _robust_z(own: np.ndarray, median: np.ndarray, mad: np.ndarray, floor: np.ndarray | float) -> np.ndarray:
    """(own − median) / spread, the spread 1.4826 × MAD but never below `floor`; NaN without peers."""
    spread = np.fmax(MAD_SCALE * mad, floor)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (own - median) / spread


def _steps(q: np.ndarray, th: SuspectThresholds) -> dict[str, np.ndarray]:
    """Each retailer's most likely step in its months: the split (at least shift_min_months months on
    each side) where |mean after − mean before| × √(k(m−k)/m) is largest, the classic change-point
    statistic, which peaks at the true step. At that split: the means before and after (条), the
    sides' medians, and t = |step| / the months' pooled spread around their side's mean."""
    n, m = q.shape
    k_min = int(th.shift_min_months)
    splits = list(range(k_min, m - k_min + 1))
    empty = np.full(n, np.nan)
    if not splits or n == 0:
        return {"k": np.full(n, -1), "before": empty, "after": empty, "med_before": empty, "med_after": empty, "t": empty}
    stats = np.empty((len(splits), n))
    for i, k in enumerate(splits):
        stats[i] = np.abs(q[:, k:].mean(axis=1) - q[:, :k].mean(axis=1)) * np.sqrt(k * (m - k) / m)
    best = np.asarray(splits)[stats.argmax(axis=0)]  # the first split of the largest statistic
    cols = np.arange(m)[None, :]
    left = cols < best[:, None]
    before = np.where(left, q, np.nan)
    after = np.where(~left, q, np.nan)
    mean_b, mean_a = np.nanmean(before, axis=1), np.nanmean(after, axis=1)
    resid = np.where(left, q - mean_b[:, None], q - mean_a[:, None])
    pooled = np.sqrt((resid ** 2).mean(axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        tstat = np.abs(mean_a - mean_b) / pooled  # a perfect step (no spread) is infinitely clear
    return {"k": best, "before": mean_b, "after": mean_a, "med_before": np.nanmedian(before, axis=1),
            "med_after": np.nanmedian(after, axis=1), "t": tstat}


def _partners(district: np.ndarray, manager: np.ndarray, month: np.ndarray, change: np.ndarray, candidate: np.ndarray,
              th: SuspectThresholds) -> np.ndarray:
    """Each retailer's partner (an index into the arrays, -1 for none): a candidate step the other way
    of another retailer of the same district within pair_max_months months, the sizes (|change|)
    within pair_tolerance of the larger; of several, one of the same manager first, then the closest
    in size, then in month, then the first in order (the lowest licence number)."""
    partner = np.full(len(change), -1)
    c = np.flatnonzero(candidate)
    if len(c) < 2:
        return partner
    a, b = np.meshgrid(c, c, indexing="ij")  # every ordered pair of candidates: few, a handful per district
    size_a, size_b = np.abs(change[a]), np.abs(change[b])
    gap = np.abs(size_a - size_b) / np.fmax(size_a, size_b)
    apart = np.abs(month[a] - month[b])
    ok = ((np.sign(change[a]) * np.sign(change[b]) < 0) & (district[a] == district[b]) & (apart <= th.pair_max_months)
          & (gap <= th.pair_tolerance))
    a, b, gap, apart = a[ok], b[ok], gap[ok], apart[ok]
    if not len(a):
        return partner
    other = ~((manager[a] == manager[b]) & (manager[a] != ""))  # no manager: no one's same manager
    order = np.lexsort((b, apart, gap, other, a))  # the last key sorts first
    a, b = a[order], b[order]
    first = np.r_[True, a[1:] != a[:-1]]
    partner[a[first]] = b[first]
    return partner


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS})


def score_signals(people: pd.DataFrame, q: np.ndarray, c12: np.ndarray, months: list[int],
                  th: SuspectThresholds = SUSPECTS) -> pd.DataFrame:
    """Every signal, its strength and the score of each retailer of `people` (rows of _read) from its
    months `q` (volume, 条) and `c12` (一类+二类, 条): the rows of the list (`listed`, a score above 0),
    unsorted (COLUMNS and `listed`). Numpy arrays throughout and one small frame at the end (a
    district's handful of rows, not its thousand retailers): a few milliseconds."""
    n, m = q.shape

    def col(name: str) -> np.ndarray:
        return people[name].to_numpy("float64")

    med_q, med_c, peer_share = col("median_qty"), col("median_class12_qty"), col("median_class12_share_pct")
    mean_q, mean_c = q.mean(axis=1), c12.mean(axis=1)
    # one spread floor for both volumes: of the peers' whole volume, since a rural group's 一二类 may be
    # all but nil (MAD 0), and any 一二类 would then be infinitely far from it
    floor = np.fmax(th.spread_floor_frac * med_q, th.spread_floor_cases * CARTONS_PER_CASE)
    z_vol = _robust_z(mean_q, med_q, col("mad_qty"), floor)
    z_c12 = _robust_z(mean_c, med_c, col("mad_class12_qty"), floor)
    share = metrics.share_pct(c12.sum(axis=1), q.sum(axis=1))
    z_mix = _robust_z(share, peer_share, col("mad_class12_share_pct"), th.spread_floor_pp)
    # swing: as queries.volume_swings (months without orders count 0)
    active = (q > 0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = q.std(axis=1) / mean_q

    s = _steps(q, th)
    has_step = s["k"] >= 0
    change = s["after"] - s["before"]
    med_gap = np.abs(s["med_after"] - s["med_before"])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = med_gap / np.fmax(s["med_after"], s["med_before"])
    shift_month = np.where(has_step, np.asarray(months + [0])[s["k"]], 0)  # k = -1 (no split) reads the 0
    persists = has_step & (s["t"] >= th.shift_min_t) & (np.sign(s["med_after"] - s["med_before"]) == np.sign(change))
    step_cases, gap_cases = metrics.cases(change), metrics.cases(med_gap)
    candidate = persists & (gap_cases >= th.pair_min_cases) & (np.abs(step_cases) >= th.pair_min_cases)
    district = people["district"].fillna("").to_numpy(str)
    manager = people["manager"].fillna("").to_numpy(str)
    partner = _partners(district, manager, shift_month, step_cases, candidate, th)
    paired = partner >= 0
    partner_step = np.where(paired, step_cases[partner], np.nan)

    fired = {
        "volume_high": np.fmax(z_vol, z_c12) >= th.volume_z,
        "mix_high": (z_mix >= th.mix_z) & (share - peer_share >= th.mix_min_pp),
        "level_shift": persists & (ratio >= th.shift_min_ratio) & (gap_cases >= th.shift_min_cases),
        "paired_shift": paired,
        "swing": (cv >= th.swing_cv) & (active >= min(int(th.swing_min_months), m)),
    }
    with np.errstate(divide="ignore", invalid="ignore"):
        strength = {
            "volume_high": np.fmax(z_vol, z_c12) / th.volume_z,
            "mix_high": z_mix / th.mix_z,
            "level_shift": ratio / th.shift_min_ratio,
            "paired_shift": np.fmin(np.abs(step_cases), np.abs(partner_step)) / th.pair_min_cases,
            "swing": cv / th.swing_cv,
        }
    weights = dict(th.weights)
    score = np.zeros(n)
    for code in REASONS:
        capped = np.fmin(np.nan_to_num(strength[code], nan=0.0, posinf=th.strength_cap), th.strength_cap)
        score += np.where(fired[code], weights[code] * capped, 0.0)

    listed = people["listed"].to_numpy(bool)
    k = np.flatnonzero(listed & (score > 0))
    # a step's figures only where a step is a reason: every retailer has a largest split, and its month
    # and means beside a mix or volume lead would read as a step that did not fire
    stepped = (fired["level_shift"] | fired["paired_shift"])[k]
    flags = np.column_stack([fired[c][k] for c in REASONS])
    ids, names = people["retailer_id"].to_numpy(object), people["retailer_name"].to_numpy(object)
    partner_of = np.where(paired, partner, 0)[k]
    paired, peers = paired[k], col("peers")[k]
    return pd.DataFrame({
        **{c: people[c].to_numpy(object)[k] for c in ("retailer_id", "retailer_name", "district", "manager", *PEER_KEYS)},
        "score": np.round(score[k], 4),
        "reasons": [[c for c, on in zip(REASONS, row, strict=True) if on] for row in flags.tolist()],
        "partner_retailer_id": np.where(paired, ids[partner_of], None),
        "partner_retailer_name": np.where(paired, names[partner_of], None),
        "months": np.full(len(k), m),
        "cases": metrics.cases(mean_q[k]), "peer_median_cases": metrics.cases(med_q[k]), "volume_z": z_vol[k],
        "class12_cases": metrics.cases(mean_c[k]), "peer_median_class12_cases": metrics.cases(med_c[k]), "class12_z": z_c12[k],
        "class12_share_pct": share[k], "peer_class12_share_pct": peer_share[k], "mix_z": z_mix[k],
        "swing": cv[k], "active_months": active[k],
        "shift_month": pd.array(np.where(has_step[k] & stepped, shift_month[k], None), dtype="Int64"),
        "shift_before_cases": np.where(stepped, metrics.cases(s["before"][k]), np.nan),
        "shift_after_cases": np.where(stepped, metrics.cases(s["after"][k]), np.nan),
        "shift_change_cases": np.where(stepped, step_cases[k], np.nan),
        "partner_shift_month": pd.array(np.where(paired, shift_month[partner_of], None), dtype="Int64"),
        "partner_shift_change_cases": partner_step[k],
        "peer_count": pd.array(np.where(np.isnan(peers), None, peers), dtype="Int64"),
        "listed": listed[k],
    }).astype({"customer_tier": "Int64"})


def suspects(con: duckdb.DuckDBPyConnection, f: Filters, limit: int | None = None,
             thresholds: SuspectThresholds = SUSPECTS) -> pd.DataFrame:
    """The 代订货 suspects of f's districts/managers in f.year's months: one row per retailer with any
    reason, highest score first (then licence number), with the figures behind each reason (COLUMNS;
    volumes are monthly means in 箱, a peer figure missing without a peer group). Leads to verify by a
    visit, never verdicts."""
    f.scope.require_retailer_level("suspects")
    months = months_read(con, f)
    if not months:
        return _empty()
    people, q, c12 = _read(con, f, months, thresholds)
    if people.empty:
        return _empty()
    scored = score_signals(people, q, c12, months, thresholds)
    rows = scored.sort_values(["score", "retailer_id"], ascending=[False, True], kind="stable")
    if limit is not None:
        rows = rows.head(int(limit))
    return rows[COLUMNS].reset_index(drop=True)


def peer_band(con: duckdb.DuckDBPyConnection, f: Filters, retailer_id: str) -> pd.DataFrame:
    """The drill-down: one retailer's months of f.year that the data cover (箱, 0 without orders)
    beside its peers' 25th percentile, median and 75th percentile of the month (missing without a
    peer group). No rows for a retailer outside f's scope."""
    f.scope.require_retailer_level("peer_band")
    months = months_read(con, f.with_(month_from=1, month_to=12))
    frame = _df(con, f"""
        WITH r AS (SELECT * FROM retailers WHERE retailer_id = $retailer_id)
        SELECT k.month, COALESCE(m.qty, 0)::DOUBLE AS qty, COALESCE(m.class1_qty + m.class2_qty, 0)::DOUBLE AS class12_qty,
               p.p25_qty, p.median_qty, p.p75_qty, p.peers
        FROM r CROSS JOIN (SELECT unnest($months::INTEGER[]) AS month) k
        LEFT JOIN retailer_month m ON m.retailer_id = r.retailer_id AND m.year = $year AND m.month = k.month
        LEFT JOIN peer_month p ON p.year = $year AND p.month = k.month AND {_SAME_PEERS}
        ORDER BY k.month""", {"retailer_id": str(retailer_id), "year": int(f.year or 0), "months": months}, f.scope)
    return pd.DataFrame({
        "month": frame["month"].astype("int64"),
        "cases": metrics.cases(frame["qty"]),
        "class12_cases": metrics.cases(frame["class12_qty"]),
        "peer_p25_cases": metrics.cases(frame["p25_qty"]),
        "peer_median_cases": metrics.cases(frame["median_qty"]),
        "peer_p75_cases": metrics.cases(frame["p75_qty"]),
    })


# --- words -------------------------------------------------------------------------------------

def _num(value: object, digits: int = 2) -> str:
    return "—" if value is None or pd.isna(value) else f"{float(value):,.{digits}f}"


def _moved(change: object, lang: str) -> str:
    """A step's direction and size in words: "增加 0.55 箱", "fell by 0.49 cases" (— when missing)."""
    if change is None or pd.isna(change):
        return fmt_cases(None, lang)
    return t("suspect_rose" if float(change) >= 0 else "suspect_fell", lang, cases=fmt_cases(abs(float(change)), lang))


def partner_name(name: object, retailer_id: object, lang: str = "zh") -> str:
    """A retailer named with its licence number, in the language's brackets: "惠民王记便利店（042007001753）"."""
    return f"{name}（{retailer_id}）" if lang == "zh" else f"{name} ({retailer_id})"


def reason_sentence(row: pd.Series | dict, code: str, lang: str = "zh") -> str:
    """One sentence of why `row` (a suspects row) has reason `code`, with the numbers to check."""
    r = row
    if code == "volume_high":
        return t("suspect_volume_high_text", lang, cases=fmt_cases(r["cases"], lang), peers=_num(r["peer_count"], 0),
                 median=fmt_cases(r["peer_median_cases"], lang), z=_num(r["volume_z"], 1),
                 c12=fmt_cases(r["class12_cases"], lang), c12_median=fmt_cases(r["peer_median_class12_cases"], lang),
                 c12_z=_num(r["class12_z"], 1))
    if code == "mix_high":
        return t("suspect_mix_high_text", lang, share=fmt_pct(r["class12_share_pct"]), peer=fmt_pct(r["peer_class12_share_pct"]),
                 z=_num(r["mix_z"], 1))
    if code == "level_shift":
        return t("suspect_level_shift_text", lang, month=_num(r["shift_month"], 0), before=fmt_cases(r["shift_before_cases"], lang),
                 after=fmt_cases(r["shift_after_cases"], lang))
    if code == "paired_shift":
        return t("suspect_paired_shift_text", lang, change=_moved(r["shift_change_cases"], lang), month=_num(r["shift_month"], 0),
                 partner=partner_name(r["partner_retailer_name"], r["partner_retailer_id"], lang),
                 partner_change=_moved(r["partner_shift_change_cases"], lang), partner_month=_num(r["partner_shift_month"], 0))
    if code == "swing":
        return t("suspect_swing_text", lang, cv=_num(r["swing"], 2), months=_num(r["active_months"], 0))
    raise ValueError(f"unknown reason {code!r}; known: {', '.join(REASONS)}")


def reason_label(code: str, lang: str = "zh") -> str:
    """A reason's short label (销量突变 …)."""
    return t(f"suspect_{code}", lang)


def reason_labels(reasons: list[str], lang: str = "zh") -> str:
    """The reasons' short labels, in REASONS order (a table cell)."""
    return ("、" if lang == "zh" else ", ").join(reason_label(c, lang) for c in reasons)


def reason_text(row: pd.Series | dict, lang: str = "zh") -> str:
    """Every reason of a suspects row, each as its short label in brackets and one sentence:
    "【销量突变】自 7 月起…。【此消彼长】…" (a caller's "评分 9.09：" before it keeps its one colon)."""
    sep = "" if lang == "zh" else " "  # each sentence ends with its own full stop
    return sep.join(t("suspect_reason_item", lang, label=reason_label(c, lang), text=reason_sentence(row, c, lang))
                    for c in row["reasons"])


def data_end(con: duckdb.DuckDBPyConnection, f: Filters) -> dt.date | None:
    """The last order date of f.year (the lists read up to it); None without data that year."""
    if f.year is None:
        return None
    row = _df(con, "SELECT last_date FROM year_dates WHERE year = $year", {"year": int(f.year)}, EVERYTHING)
    return None if row.empty or pd.isna(row["last_date"].iloc[0]) else pd.Timestamp(row["last_date"].iloc[0]).date()


def worded(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A suspects frame with each row's reasons in words: `reason_labels` (the short labels) and
    `reason_text` (label and sentence of each), for the page, its files and the printable page."""
    out = frame.copy()
    out["reason_labels"] = [reason_labels(r, lang) for r in frame["reasons"]]
    out["reason_text"] = [reason_text(r, lang) for _, r in frame.iterrows()]
    return out


def period_text(f: Filters, months: list[int], end: dt.date | None, lang: str) -> str:
    """Which months a list reads, to which day: "读取 2019 年 1–12 月（数据截至 2019-12-27）；销量为月均。"."""
    if not months:
        return ""
    return t("suspects_period", lang, year=f.year, lo=months[0], hi=months[-1], end=end.isoformat() if end else "—")


def listing(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A worded suspects frame as the list a manager reads first, on screen and on the printable page:
    columns.SUSPECT_COLUMNS labelled and formatted as text (a missing figure reads —), the partner
    named with its licence number in one cell."""
    from .columns import SUSPECT_COLUMNS, formatted, localize
    from .formats import MISSING

    out = frame.copy()
    out["partner_retailer_name"] = [partner_name(n, r, lang) if isinstance(r, str) and r else None
                                    for n, r in zip(frame["partner_retailer_name"], frame["partner_retailer_id"], strict=True)]
    return formatted(localize(out, lang, SUSPECT_COLUMNS), lang, missing=MISSING)


def file_stem(f: Filters, end: dt.date | None, lang: str) -> str:
    """The list's files' name: the page, the district (and manager) and the data date, so lists of two
    districts or two data loads never overwrite each other: "代订货线索-西部乡镇片区-林芳-2019-12-31"."""
    from .slugs import safe_name

    who = [safe_name(d) for d in f.districts] + [safe_name(m) for m in f.managers]
    return "-".join([t("page_suspects", lang), *who, end.isoformat() if end else str(f.year)])


def print_page(frame: pd.DataFrame, lang: str, scope_note: str, period: str) -> str:
    """The 专销联动 printable page (A4, analytics/printable.py) of a worded suspects frame: the scope
    and filters (`scope_note`), the months read (`period`), the statement that these are leads to
    verify by a visit, and the list with every reason in words (`listing`)."""
    from .printable import html_page

    meta = [m for m in (scope_note, period) if m]
    return html_page(t("suspects_print_title", lang), meta, [(t("suspects_list", lang), listing(frame, lang))],
                     t("lead_not_verdict", lang), lang)
