"""The visit list (周安排 / 日拜访): for one customer manager and one ISO week, the retailers worth a
visit, grouped by reason in priority order, each with one line of why in numbers the manager can check
(docs/definitions.md, "Visit list").

- The data are read up to the Sunday before the week, or the data end if earlier (`data_window`). The
  rollups are monthly and order lines are never read here, so a week planned in the past, whose Sunday
  falls inside a month that has data after it, reads whole months up to the last month ending on or
  before that Sunday; the list says which date it read to and why.
- Reasons, in priority order (REASONS): 代订货 suspects (analytics.suspects), sharp decliners, big
  swings, retailers not yet ordering online, 五类 decliners. A retailer is listed once, for its first
  reason; its other reasons are named beside it.
- The list is capped (config.VISIT_CAP); no reason takes more than its share before the others have
  had theirs (`select`).
- A list once issued for a week is kept (`issue`: visits/<district>/<manager>/<YYYY-Www>.json under the
  data directory, written once and never replaced), so what was printed stays what was printed, and
  the next weeks' lists read it: a retailer listed in one of the previous weeks for a reason is not
  listed for it again unless its evidence got worse (config.VisitSettings.worse).

`candidates` reads the data (a cached query on the page); `select` applies the history and the cap
in Python, so the page's cache never holds a list that depends on what was issued since."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from . import metrics, queries, suspects
from .columns import formatted, localize
from .config import VISIT_CAP, VISIT_DAYS, VISIT_PER_DAY, VISITS, VisitSettings
from .files import create_once
from .filters import Filters
from .formats import MISSING, fmt_cases, fmt_pct, fmt_time
from .labels import t
from .printable import html_page
from .rollups import CUT_PREFIX
from .slugs import safe_name

#: the reasons in priority order: a retailer is listed for the first that applies
REASONS: tuple[str, ...] = ("suspect", "decliner", "swing", "not_online", "low_tier_decline")
#: the kept lists' directory under the data directory
VISITS_DIR = "visits"
#: the visit reasons a 代订货 lead's own sentence already states (analytics.suspects' reason -> visit reason):
#: a lead that also swings is not told "other reason: big swings" under a sentence that says it swings
SUSPECT_COVERS: dict[str, str] = {"swing": "swing"}
#: the kept file's format: a later change of the fields bumps it, and old files stay readable
FILE_FORMAT = 1

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


# --- weeks ---------------------------------------------------------------------------------------

def parse_week(text: str) -> tuple[dt.date, dt.date]:
    """The Monday and Sunday of an ISO week "YYYY-Www" (2020-W53 exists, 2019-W53 does not; 2020-W01
    starts on Monday 30 December 2019). ValueError naming the text otherwise."""
    m = _WEEK.match(str(text).strip())
    try:
        if m is None:
            raise ValueError
        monday = dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise ValueError(f"week {text!r}: expected an ISO week YYYY-Www that exists, e.g. 2020-W02") from None
    return monday, monday + dt.timedelta(days=6)


def week_of(day: dt.date) -> str:
    """The ISO week "YYYY-Www" a day falls in."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def shift_week(week: str, weeks: int) -> str:
    """The week `weeks` weeks after (negative: before) `week`."""
    return week_of(parse_week(week)[0] + dt.timedelta(weeks=weeks))


def week_to_plan(data_end: dt.date) -> str:
    """The week after the data end: the week of the first Monday after it (the next week to plan)."""
    return week_of(data_end + dt.timedelta(days=7 - data_end.weekday()))


def issuable(week: str, data_end: dt.date) -> bool:
    """Only the week to plan or a later one is issued: an earlier week's list is a draft to look back on
    (the next weeks' lists leave out what was issued, and a list nobody visited from would mislead them)."""
    return parse_week(week)[0] >= parse_week(week_to_plan(data_end))[0]


# --- the data a week's list reads ----------------------------------------------------------------

def _ym(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(ym: int) -> dt.date:
    return dt.date(ym // 12, ym % 12 + 1, 1)


def _month_end(ym: int) -> dt.date:
    return metrics.month_end(ym // 12, ym % 12 + 1)


@dataclass(frozen=True)
class Window:
    """The days a week's list reads. `as_of`: the last day read; `basis`: "data_end" (the data end
    before the week's Sunday-before: read to it, the as-of month in part) or "month_end" (a past week:
    whole months to the last one ending on or before the Sunday before the week)."""

    week: str
    sunday_before: dt.date
    data_end: dt.date
    as_of: dt.date
    basis: str
    recent_months: int
    swing_months: int

    @property
    def partial(self) -> bool:
        """The as-of month is read in part (to the as-of day): a year earlier is cut at the same day."""
        return self.as_of != _month_end(_ym(self.as_of))

    @property
    def recent(self) -> tuple[dt.date, dt.date]:
        return _month_start(_ym(self.as_of) - self.recent_months + 1), self.as_of

    @property
    def prior(self) -> tuple[dt.date, dt.date]:
        """The same months a year earlier, to the same day (29 February: the 28th)."""
        start, end = self.recent
        return metrics.same_day(start.year - 1, start), metrics.same_day(end.year - 1, end)

    @property
    def swing(self) -> tuple[dt.date, dt.date]:
        """Whole months only: a month read in part would look like a dip."""
        last = _ym(self.as_of) - (1 if self.partial else 0)
        return _month_start(last - self.swing_months + 1), _month_end(last)

    @property
    def year_to_date(self) -> tuple[dt.date, dt.date]:
        return dt.date(self.as_of.year, 1, 1), self.as_of


def data_window(data_end: dt.date | None, week: str, settings: VisitSettings = VISITS) -> Window | None:
    """What the list of `week` reads, given the data's last order date; None without data before the week."""
    monday, _ = parse_week(week)
    sunday = monday - dt.timedelta(days=1)
    if data_end is None:
        return None
    if data_end <= sunday:
        as_of, basis = data_end, "data_end"
    else:
        last = _ym(sunday) - (0 if sunday == _month_end(_ym(sunday)) else 1)
        as_of, basis = _month_end(last), "month_end"
    return Window(week, sunday, data_end, as_of, basis, settings.recent_months, settings.swing_months)


def data_end(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    period = queries.data_period(con)
    return None if period is None else dt.date.fromisoformat(period[1])


# --- the candidates: every retailer with a reason, and its evidence -------------------------------

def _one_manager(f: Filters) -> tuple[str, str]:
    if len(f.districts) != 1 or len(f.managers) != 1:
        raise ValueError("a visit list is one customer manager's of one district: choose one district and one manager")
    return f.districts[0], f.managers[0]


def window_volumes(con: duckdb.DuckDBPyConnection, f: Filters, w: Window) -> pd.DataFrame:
    """Each of f's retailers' volume and 五类 volume in the recent months and the same months (and
    days) a year earlier, in 条. The windows may cross a new year; a year earlier's as-of month comes
    from the to-date twin when the as-of month is read in part."""
    f.scope.require_retailer_level("window_volumes")
    seg, params = f.where(alias="r", months=False)
    (r_lo, r_hi), (p_lo, p_hi) = w.recent, w.prior
    cut_table = f"{CUT_PREFIX}retailer_month" if w.partial else "retailer_month"
    frame = queries._df(
        con,
        f"""WITH r AS (SELECT r.retailer_id, r.retailer_name FROM retailers r WHERE {seg}),
            m AS (SELECT retailer_id, year * 12 + month - 1 AS ym, qty, class5_qty FROM retailer_month
                  WHERE year BETWEEN $y_lo AND $y_hi
                    AND (year * 12 + month - 1 BETWEEN $p_lo AND $p_hi OR year * 12 + month - 1 BETWEEN $r_lo AND $r_hi)
                    AND NOT ($partial AND year * 12 + month - 1 = $p_hi)
                  UNION ALL
                  SELECT retailer_id, year * 12 + month - 1 AS ym, qty, class5_qty FROM {cut_table}
                  WHERE $partial AND year * 12 + month - 1 = $p_hi)
            SELECT r.retailer_id, r.retailer_name,
                   COALESCE(SUM(m.qty) FILTER (m.ym >= $r_lo), 0)::BIGINT AS qty,
                   COALESCE(SUM(m.qty) FILTER (m.ym <= $p_hi), 0)::BIGINT AS qty_prev,
                   COALESCE(SUM(m.class5_qty) FILTER (m.ym >= $r_lo), 0)::BIGINT AS class5_qty,
                   COALESCE(SUM(m.class5_qty) FILTER (m.ym <= $p_hi), 0)::BIGINT AS class5_qty_prev
            FROM r LEFT JOIN m USING (retailer_id) GROUP BY ALL ORDER BY r.retailer_id""",
        {"y_lo": p_lo.year, "y_hi": r_hi.year, "p_lo": _ym(p_lo), "p_hi": _ym(p_hi), "r_lo": _ym(r_lo), "r_hi": _ym(r_hi),
         "partial": w.partial} | params, f.scope,
    )
    return frame


def _declines(frame: pd.DataFrame, now: str, before: str, pct: float, floor_cases: float) -> list[dict]:
    """The rows whose volume column `now` fell from `before` by at least `pct` % and `floor_cases` 箱, each
    with cases, cases_prev, drop_cases and decline_pct (numpy: a manager's hundred retailers, every week)."""
    cases, prev = metrics.cases(frame[now].to_numpy(float)), metrics.cases(frame[before].to_numpy(float))
    drop = prev - cases
    pct_of = np.divide(drop * 100.0, prev, out=np.zeros_like(drop), where=prev > 0)
    # a hair below the threshold by float rounding (30 % of 10 箱) is at the threshold
    hits = np.flatnonzero((prev > 0) & (pct_of >= pct - 1e-9) & (drop >= floor_cases - 1e-9))
    ids, names = frame["retailer_id"].to_numpy(), frame["retailer_name"].to_numpy()
    return [{"retailer_id": ids[i], "retailer_name": names[i], "cases": cases[i], "cases_prev": prev[i], "drop_cases": drop[i],
             "decline_pct": pct_of[i]} for i in hits]


def suspect_period(w: Window, settings: VisitSettings = VISITS) -> tuple[dt.date, dt.date]:
    """The days the 代订货 suspects are read for: the data date's year to the data date when that holds
    at least `settings.suspect_min_months` months, else the whole year before (early in a year, a
    month or two show no lasting step and make any retailer's months look like swings)."""
    if w.as_of.month >= settings.suspect_min_months:
        return dt.date(w.as_of.year, 1, 1), w.as_of
    return dt.date(w.as_of.year - 1, 1, 1), dt.date(w.as_of.year - 1, 12, 31)


def _suspects(con: duckdb.DuckDBPyConnection, f: Filters, w: Window, settings: VisitSettings) -> pd.DataFrame:
    """The 代订货 suspects of f's manager (analytics.suspects) in the suspect period."""
    start, end = suspect_period(w, settings)
    return suspects.suspects(con, f.with_(year=start.year, compare_year=None, month_from=1, month_to=end.month),
                             thresholds=settings.suspects)


def _row(reason: str, retailer_id: object, name: object, evidence: float, order: float, cases: float | None,
         why: dict[str, str], covers: Sequence[str] = ()) -> dict:
    """`covers`: other visit reasons this row's line of why already states (never named again as 其他理由)."""
    return {"reason": reason, "retailer_id": str(retailer_id), "retailer_name": None if pd.isna(name) else str(name),
            "evidence": float(evidence), "order": float(order), "cases": None if cases is None else float(cases),
            "why_zh": why["zh"], "why_en": why["en"], "covers": tuple(covers)}


def _texts(key: str, **values) -> dict[str, str]:
    """A why line in both languages; each value is a callable of the language (units are words)."""
    return {lang: t(key, lang, **{k: v(lang) if callable(v) else v for k, v in values.items()}) for lang in ("zh", "en")}


def _cases(value: float):
    return lambda lang: fmt_cases(value, lang)


def _evidence_text(reason: str, value: float, lang: str) -> str:
    """An evidence value as the why lines show it (for "worse than when listed")."""
    if reason in ("decliner", "low_tier_decline"):
        return f"-{fmt_pct(value)}"
    if reason == "not_online":
        return fmt_cases(value, lang)
    return f"{value:.2f}"


@dataclass(frozen=True)
class Candidates:
    """Every retailer of one manager with a reason to be visited in one week (one row per retailer and
    reason), before the history and the cap; and the window they were read in."""

    district: str
    manager: str
    window: Window | None
    rows: pd.DataFrame


CANDIDATE_COLUMNS = ["reason", "retailer_id", "retailer_name", "evidence", "order", "cases", "why_zh", "why_en", "covers"]


def candidates(con: duckdb.DuckDBPyConnection, f: Filters, week: str, settings: VisitSettings = VISITS) -> Candidates:
    """The candidates of f's one manager (one district, one name) for `week` (see the module's doc)."""
    district, manager = _one_manager(f)
    f.scope.require_retailer_level("visit_list")
    period = queries.data_period(con)
    w = None if period is None else data_window(dt.date.fromisoformat(period[1]), week, settings)
    if w is None or w.as_of < dt.date.fromisoformat(period[0]):  # nothing to read before the week
        return Candidates(district, manager, None, pd.DataFrame(columns=CANDIDATE_COLUMNS))
    f = f.with_(compare_year=None, month_from=1, month_to=12)
    rows: list[dict] = []

    for s in _suspects(con, f, w, settings).to_dict("records"):
        why = {lang: t("visit_why_suspect", lang, score=f"{s['score']:.2f}", text=suspects.reason_text(s, lang)) for lang in ("zh", "en")}
        covers = [SUSPECT_COVERS[r] for r in s["reasons"] if r in SUSPECT_COVERS]
        rows.append(_row("suspect", s["retailer_id"], s["retailer_name"], s["score"], s["score"], None, why, covers))

    volumes = window_volumes(con, f, w)
    months = settings.recent_months
    for r in _declines(volumes, "qty", "qty_prev", settings.decline_pct, settings.decline_min_cases):
        why = _texts("visit_why_decliner", months=months, now=_cases(r["cases"]), before=_cases(r["cases_prev"]),
                     pct=fmt_pct(r["decline_pct"]), change=_cases(-r["drop_cases"]))
        rows.append(_row("decliner", r["retailer_id"], r["retailer_name"], r["decline_pct"], r["drop_cases"], r["cases"], why))

    lo, hi = w.swing
    swings = queries.swings_over(con, f, [(_month_start(ym).year, _month_start(ym).month) for ym in range(_ym(lo), _ym(hi) + 1)],
                                 limit=1_000_000, min_months=settings.swing_min_months)
    for r in swings[swings["swing"] >= settings.swing_cv - 1e-9].to_dict("records"):
        why = _texts("visit_why_swing", months=settings.swing_months, cv=f"{r['swing']:.2f}", low=_cases(r["min_month_cases"]),
                     high=_cases(r["max_month_cases"]))
        rows.append(_row("swing", r["retailer_id"], r["retailer_name"], r["swing"], r["swing"], r["cases"], why))

    start, end = w.year_to_date
    offline = queries.retailers_not_online(con, f.with_(year=end.year, month_from=1, month_to=end.month), limit=1_000_000)
    for r in offline[offline["qty"] > 0].to_dict("records"):
        why = _texts("visit_why_not_online", year=start.year, cases=_cases(r["cases"]))
        rows.append(_row("not_online", r["retailer_id"], r["retailer_name"], r["cases"], r["cases"], r["cases"], why))

    for r in _declines(volumes, "class5_qty", "class5_qty_prev", settings.low_tier_decline_pct, settings.low_tier_min_cases):
        why = _texts("visit_why_low_tier", months=months, now=_cases(r["cases"]), before=_cases(r["cases_prev"]),
                     pct=fmt_pct(r["decline_pct"]), change=_cases(-r["drop_cases"]))
        rows.append(_row("low_tier_decline", r["retailer_id"], r["retailer_name"], r["decline_pct"], r["drop_cases"], r["cases"], why))

    return Candidates(district, manager, w, pd.DataFrame(rows, columns=CANDIDATE_COLUMNS))


# --- the list: history and cap applied ---------------------------------------------------------------

@dataclass(frozen=True)
class VisitList:
    """One manager's list for one week, as shown, printed and kept. `rows`: rank, reason, retailer_id,
    retailer_name, evidence, cases, also (the retailer's other reasons), why_zh / why_en (the line of
    why, in both languages, so a kept list reads the same whatever the labels become), previous_week
    (listed then for this reason, and listed again because its evidence got worse). `found`: the
    retailers each reason would list before the cap; `held_back`: retailer-reasons left out because
    they were listed in a previous week and did not get worse."""

    week: str
    district: str
    manager: str
    as_of: str | None
    basis: str | None
    data_end: str | None
    recent: tuple[str, str] | None
    prior: tuple[str, str] | None
    swing: tuple[str, str] | None
    year_to_date: tuple[str, str] | None
    cap: int
    rows: tuple[dict, ...]
    found: dict[str, int] = field(default_factory=dict)
    held_back: int = 0
    issued_at: str | None = None
    issued_by: str | None = None
    #: the days the 代订货 suspects were read for (suspect_period)
    suspect_days: tuple[str, str] | None = None

    @property
    def issued(self) -> bool:
        return self.issued_at is not None

    def to_dict(self) -> dict:
        return {"format": FILE_FORMAT, **dataclasses.asdict(self)}

    @classmethod
    def from_dict(cls, data: dict) -> VisitList:
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        for key in ("recent", "prior", "swing", "year_to_date", "suspect_days"):
            if values.get(key) is not None:
                values[key] = tuple(values[key])
        values["rows"] = tuple(values.get("rows") or ())
        return cls(**values)


def _dates(pair: tuple[dt.date, dt.date]) -> tuple[str, str]:
    return pair[0].isoformat(), pair[1].isoformat()


def select(c: Candidates, week: str, history: Sequence[VisitList] = (), cap: int = VISIT_CAP,
           settings: VisitSettings = VISITS) -> VisitList:
    """The list of `week` from its candidates: the reasons the previous `settings.repeat_weeks` weeks'
    kept lists gave a retailer are left out unless its evidence got worse by the reason's step; each
    retailer once, for its first remaining reason (REASONS order); then the cap: in priority order each
    reason fills up to `settings.per_reason` places, then what is left of the cap goes to the remaining
    candidates, again in priority order. Within a reason: the strongest evidence first."""
    monday, _ = parse_week(week)
    earliest = monday - dt.timedelta(weeks=settings.repeat_weeks)
    worse = dict(settings.worse)
    listed: dict[tuple[str, str], tuple[str, float]] = {}
    for kept in sorted(history, key=lambda v: parse_week(v.week)[0]):  # the latest listing wins
        if earliest <= parse_week(kept.week)[0] < monday and (kept.district, kept.manager) == (c.district, c.manager):
            for row in kept.rows:
                listed[(str(row["retailer_id"]), row["reason"])] = (kept.week, float(row["evidence"]))
    priority = {r: k for k, r in enumerate(REASONS)}
    reasons_of: dict[str, set[str]] = {}
    covered: dict[str, set[str]] = {}
    kept_rows, held_back = [], 0
    for row in c.rows.to_dict("records"):  # plain records: a manager's hundred rows every week, no pandas per row
        reasons_of.setdefault(row["retailer_id"], set()).add(row["reason"])
        covered.setdefault((row["retailer_id"], row["reason"]), set()).update(row.get("covers") or ())
        row["previous_week"] = None
        before = listed.get((row["retailer_id"], row["reason"]))
        if before is not None:
            step = worse.get(row["reason"])
            if step is None or row["evidence"] < before[1] + step - 1e-9:
                held_back += 1
                continue
            row["previous_week"] = before[0]
            for lang in ("zh", "en"):
                row[f"why_{lang}"] += t("visit_worse", lang, week=before[0], before=_evidence_text(row["reason"], before[1], lang),
                                        now=_evidence_text(row["reason"], row["evidence"], lang))
        kept_rows.append(row)
    kept_rows.sort(key=lambda r: (priority[r["reason"]], -r["order"], r["retailer_id"]))
    first: dict[str, dict] = {}
    for row in kept_rows:  # each retailer once, for its first remaining reason
        first.setdefault(row["retailer_id"], row)
    groups = {r: [row for row in first.values() if row["reason"] == r] for r in REASONS}
    found = {r: len(groups[r]) for r in REASONS}
    taken = {r: 0 for r in REASONS}
    total = 0
    for quota in (settings.per_reason, None):  # each reason its share first, then the rest in priority order
        for r in REASONS:
            limit = len(groups[r]) if quota is None else min(quota, len(groups[r]))
            room = max(0, min(cap - total, limit - taken[r]))
            taken[r] += room
            total += room
    chosen = [row for r in REASONS for row in groups[r][:taken[r]]]
    out = []
    for rank, row in enumerate(chosen, start=1):
        cases = row["cases"]
        out.append({"rank": rank, "reason": row["reason"], "retailer_id": row["retailer_id"], "retailer_name": row["retailer_name"],
                    "evidence": float(row["evidence"]), "cases": None if cases is None or cases != cases else float(cases),
                    "also": sorted(reasons_of[row["retailer_id"]] - {row["reason"]} - covered[(row["retailer_id"], row["reason"])],
                                   key=priority.get),
                    "why_zh": row["why_zh"], "why_en": row["why_en"], "previous_week": row["previous_week"]})
    w = c.window
    return VisitList(week=week, district=c.district, manager=c.manager, as_of=None if w is None else w.as_of.isoformat(),
                     basis=None if w is None else w.basis, data_end=None if w is None else w.data_end.isoformat(),
                     recent=None if w is None else _dates(w.recent), prior=None if w is None else _dates(w.prior),
                     swing=None if w is None else _dates(w.swing), year_to_date=None if w is None else _dates(w.year_to_date),
                     cap=int(cap), rows=tuple(out), found=found, held_back=int(held_back),
                     suspect_days=None if w is None else _dates(suspect_period(w, settings)))


def visit_list(con: duckdb.DuckDBPyConnection, f: Filters, week: str, history: Sequence[VisitList] = (), cap: int = VISIT_CAP,
               settings: VisitSettings = VISITS) -> VisitList:
    """One manager's list for an ISO week "YYYY-Www": f names one district and one manager; `history`
    the kept lists of earlier weeks (`previous_lists`)."""
    parse_week(week)
    return select(candidates(con, f, week, settings), week, history, cap, settings)


# --- kept lists ----------------------------------------------------------------------------------------

def list_path(root: str | Path, district: str, manager: str, week: str) -> Path:
    """Where the list of a manager's week is kept. The names are made safe for a path (analytics.slugs:
    a name that is not is cleaned and given a short hash), and the file itself names them."""
    parse_week(week)
    return Path(root) / VISITS_DIR / safe_name(district) / safe_name(manager) / f"{week}.json"


def load(root: str | Path, district: str, manager: str, week: str) -> VisitList | None:
    """The list issued for the week, or None. A file that cannot be read raises ValueError naming it."""
    path = list_path(root, district, manager, week)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        kept = VisitList.from_dict(data)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"{path}: the kept visit list cannot be read ({exc})") from exc
    if (kept.district, kept.manager, kept.week) != (district, manager, week):
        raise ValueError(f"{path}: holds the list of {kept.district} · {kept.manager} · {kept.week}, "
                         f"not of {district} · {manager} · {week}")
    return kept


def issued_weeks(root: str | Path, district: str, manager: str) -> list[str]:
    """The weeks with a kept list for the manager, newest first."""
    folder = Path(root) / VISITS_DIR / safe_name(district) / safe_name(manager)
    weeks = [p.stem for p in folder.glob("*-W*.json") if _WEEK.match(p.stem)] if folder.is_dir() else []
    return sorted(weeks, key=lambda w: parse_week(w)[0], reverse=True)


def previous_lists(root: str | Path, district: str, manager: str, week: str, settings: VisitSettings = VISITS) -> list[VisitList]:
    """The kept lists of the `settings.repeat_weeks` weeks before `week` (those issued)."""
    out = []
    for k in range(1, settings.repeat_weeks + 1):
        kept = load(root, district, manager, shift_week(week, -k))
        if kept is not None:
            out.append(kept)
    return out


def issue(root: str | Path, vl: VisitList, issued_by: str | None) -> VisitList:
    """Keep the list as issued and return what is kept: the first list issued for a week stays (a second
    issue, from another session or the command line at the same moment, returns the first). `issued_by`:
    the signed-in user's name; None when nobody signs in (it reads "issued on this computer")."""
    kept = dataclasses.replace(vl, issued_at=dt.datetime.now().astimezone().isoformat(timespec="seconds"), issued_by=issued_by)
    path = list_path(root, vl.district, vl.manager, vl.week)
    data = json.dumps(kept.to_dict(), ensure_ascii=False, indent=1).encode("utf-8")
    if create_once(path, data):
        return kept
    existing = load(root, vl.district, vl.manager, vl.week)
    assert existing is not None  # create_once found it there
    return existing


# --- for readers ---------------------------------------------------------------------------------------

def reason_name(reason: str, lang: str) -> str:
    return t(f"visit_reason_{reason}", lang)


def listing(items: Sequence[str], lang: str) -> str:
    """Items run together as the language lists them: 甲、乙 / a, b."""
    return ("、" if lang == "zh" else ", ").join(items)


def visit_days(n: int, days: int = VISIT_DAYS) -> list[int]:
    """The 日拜访 day (0 = Monday … days-1) of each of a list's n rows in rank order: the rows in rank order
    over the days as evenly as they go, the earlier days taking one more when n does not divide (20 rows:
    4 a day; 7 rows: 2, 2, 1, 1, 1). The most pressing leads come early in the week, leaving the week's
    later days to follow them up. A function of the rank alone, so a kept list's days never change."""
    base, extra = divmod(n, days)
    return [d for d in range(days) for _ in range(base + (1 if d < extra else 0))]


def day_text(week: str, day: int, lang: str) -> str:
    """A visit day as the list shows it: 周一 12-16 / Mon 12-16."""
    date = parse_week(week)[0] + dt.timedelta(days=day)
    return f"{t('visit_weekdays', lang).split()[day]} {date:%m-%d}"


def frame(vl: VisitList, lang: str, reason: str | None = None) -> pd.DataFrame:
    """The list's rows for a table (of one reason when given): rank, visit day, reason, retailer, why, other
    reasons, and an empty 走访结果 to write the visit's outcome in by hand (files and print)."""
    days = dict(zip((r["rank"] for r in vl.rows), visit_days(len(vl.rows)), strict=True))
    rows = [r for r in vl.rows if reason is None or r["reason"] == reason]
    return pd.DataFrame({
        "visit_rank": [r["rank"] for r in rows],
        "visit_day": [day_text(vl.week, days[r["rank"]], lang) for r in rows],
        "visit_reason": [reason_name(r["reason"], lang) for r in rows],
        "retailer_id": [r["retailer_id"] for r in rows],
        "retailer_name": [r["retailer_name"] for r in rows],
        "visit_why": [r["why_en" if lang == "en" else "why_zh"] for r in rows],
        "visit_also": [listing([reason_name(a, lang) for a in r["also"]], lang) for r in rows],
        "visit_result": [""] * len(rows),
    })


def sections(vl: VisitList, lang: str) -> list[tuple[str, pd.DataFrame]]:
    """The list grouped by reason in priority order, each group titled with its reason and size."""
    out = []
    for reason in REASONS:
        part = frame(vl, lang, reason)
        if len(part):
            out.append((t("visit_group", lang, reason=reason_name(reason, lang), n=len(part)), part))
    return out


def as_of_text(vl: VisitList, lang: str) -> str:
    """Which day the list read its data to, and why that day."""
    if vl.as_of is None:
        return t("visit_no_data", lang)
    key = "visit_as_of_data_end" if vl.basis == "data_end" else "visit_as_of_month_end"
    sunday = (parse_week(vl.week)[0] - dt.timedelta(days=1)).isoformat()
    return t(key, lang, date=vl.as_of, sunday=sunday, data_end=vl.data_end)


def periods_text(vl: VisitList, lang: str) -> str:
    """The periods the reasons compare, in one line."""
    if vl.recent is None:
        return ""
    return t("visit_periods", lang, recent=" – ".join(vl.recent), prior=" – ".join(vl.prior), swing=" – ".join(vl.swing),
             ytd=" – ".join(vl.year_to_date), suspects=" – ".join(vl.suspect_days or ("—", "—")))


#: the columns of the list's files (XLSX/CSV): everything a reader needs, the day to visit and room for the outcome
TABLE_COLUMNS = ["visit_rank", "visit_day", "visit_reason", "retailer_id", "retailer_name", "visit_why", "visit_also", "visit_result"]
#: the printed page's columns, one table per visit day: the other reasons ride in the reason's cell, so that
#: six columns leave the why and the hand-written outcome room on A4 portrait
PRINT_COLUMNS = ["visit_rank", "retailer_id", "retailer_name", "visit_reason", "visit_why", "visit_result"]
#: the 走访结果 cell on paper: blank room to write in. The table's automatic layout shares the page's width
#: by the columns' content, and an empty column shrinks to a sliver: thirty ideographic spaces (blank,
#: never collapsed) keep it at least 25 mm wide beside the longest lines of why (tests/test_visits_browser.py)
RESULT_ROOM = "\u3000" * 30


def title(vl: VisitList, lang: str) -> str:
    return t("visit_title", lang, manager=f"{vl.district} · {vl.manager}", week=vl.week)


def meta(vl: VisitList, lang: str) -> list[str]:
    """The lines under the list's title: the data date, the periods compared, the cap, who issued it."""
    lines = [as_of_text(vl, lang), periods_text(vl, lang), t("visit_cap", lang, cap=vl.cap, days=VISIT_DAYS, per_day=VISIT_PER_DAY)]
    if vl.issued:
        # no name: issued without sign-in (the page in local mode, the command line), where the OS user names nobody
        lines.append(t("visit_issued", lang, at=fmt_time(vl.issued_at), by=vl.issued_by) if vl.issued_by
                     else t("visit_issued_here", lang, at=fmt_time(vl.issued_at)))
    return [line for line in lines if line]


def day_sections(vl: VisitList, lang: str) -> list[tuple[str, pd.DataFrame]]:
    """The list as its 日拜访 days (`visit_days`), each titled with its day and size; a day without
    visits is left out. The other reasons join the reason's cell (PRINT_COLUMNS)."""
    whole = frame(vl, lang)
    pairs = zip(whole["visit_reason"], whole["visit_also"], strict=True)
    whole["visit_reason"] = [r + t("visit_also_short", lang, also=a) if a else r for r, a in pairs]
    whole["visit_result"] = RESULT_ROOM
    days = visit_days(len(whole))
    out = []
    for day in sorted(set(days)):
        part = whole[[d == day for d in days]]
        out.append((t("visit_group", lang, reason=day_text(vl.week, day, lang), n=len(part)), part))
    return out


def printable_page(vl: VisitList, lang: str, note: str) -> str:
    """The list as one A4 HTML page (analytics/printable.py): a table per 日拜访 day, labelled and
    formatted as on screen, with an empty 走访结果 column; `note` says it is a lead to verify by a
    visit, never a verdict."""
    sheets = [(heading, formatted(localize(part, lang, PRINT_COLUMNS), lang, missing=MISSING)) for heading, part in day_sections(vl, lang)]
    return html_page(title(vl, lang), meta(vl, lang), sheets, note, lang)


def to_json(vl: VisitList) -> dict:
    """The list as `visits --json` prints it."""
    return {**vl.to_dict(), "issued": vl.issued}
