"""`python -m analytics …`: demo, summary, progress, suspects, visits, brand, ingest, extracts, rollback, restore, purge, report,
rebuild, access.

Loads, rollbacks, restores and purges are recorded in the data directory's audit log (analytics.audit)
under the OS user's name: the command line has no sign-in, whoever may run it may write the data directory.

A StoreError (a full disk, no permission, a lock held too long, a missing or purged extract file,
a refused withdrawal or restore) is one line on stderr in the chosen language and its exit code,
never a traceback: see main()."""
from __future__ import annotations

import argparse
import json
import math
import sys
import time

from . import config
from .contract import KINDS

#: decimals a `--json` figure keeps: the pages' two and four more, so sums of decimals print as the
#: figures they are (70.0, not 69.99999999999999) without losing anything a reader could see
JSON_DECIMALS = 6


def _clean(value):
    """JSON has no NaN: missing figures are null; figures rounded to JSON_DECIMALS."""
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, JSON_DECIMALS)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):  # a visit list's rows
        return [_clean(v) for v in value]
    return value


def _progress(enabled: bool):
    start = time.monotonic()

    def report(fraction: float, text: str) -> None:
        if enabled:
            print(f"[{time.monotonic() - start:6.1f}s] {fraction * 100:5.1f}% {text}", file=sys.stderr, flush=True)

    return report


def _audit(data_dir, action: str, target: str | None, result: str, **extra: object) -> None:
    """Record what the command did. A log that cannot be written is a warning here, not a failure: the
    change is made and the OS user could have written the data directory by hand anyway."""
    from .audit import os_user, record

    try:
        record(data_dir, os_user(), None, action, target, None, result, via="cli", **extra)
    except OSError as exc:
        print(f"warning: the audit log could not be written ({exc.strerror or exc})", file=sys.stderr)


def cmd_demo(args: argparse.Namespace) -> int:
    from .store import Store
    from .tools.demo import build_demo, reset

    store = Store(args.data_dir)
    if store.has_data() and not args.force:
        print(f"{store.root} already holds data; use --force to rebuild the demo", file=sys.stderr)
        return 0
    reset(args.data_dir)
    store = build_demo(args.data_dir, progress=_progress(not args.quiet))
    from .db import connect_store, connect_store_lines
    from .queries import districts

    con = connect_store(store)
    lines = connect_store_lines(store).execute("SELECT COUNT(*) FROM orders").fetchone()[0]
    print(f"demo data in {store.root}: {lines:,} order lines, {len(districts(con))} districts")
    return 0


def _manager_districts(con, manager: str, district: str | None) -> tuple[str, ...] | str:
    """The districts `summary --manager` covers (one, or every district of the name for `--district
    all`), or the error to print: a manager unknown, in another district, or in two without --district."""
    from .queries import district_managers

    homes = [d for d, names in district_managers(con).items() if manager in names]
    if not homes:
        everyone = sorted({m for names in district_managers(con).values() for m in names})
        return f"unknown customer manager {manager!r}; the data's managers: {', '.join(everyone) or 'none'}"
    if district == "all":
        return tuple(homes)
    if district is None:
        if len(homes) > 1:
            return (f"customer manager {manager!r} serves more than one district ({', '.join(homes)}); "
                    "choose one with --district")
        return (homes[0],)
    if district not in homes:
        return f"customer manager {manager!r} has no retailers in district {district!r}; their districts: {', '.join(homes)}"
    return (district,)


def _open(args: argparse.Namespace):
    """The query connection of --data-dir, the Filters `summary` and `progress` read for --district /
    --manager / --year, and the district name they report; None after printing why not (exit 2)."""
    from .db import connect_store
    from .store import Store

    con = connect_store(Store(args.data_dir))
    scope = _scope(con, args)
    if isinstance(scope, str):
        print(f"error: {scope}", file=sys.stderr)
        return None
    return con, *scope


def _scope(con, args: argparse.Namespace):
    """The Filters `summary` and `progress` read for --district / --manager / --year, and the district
    name they report; or the error to print."""
    from .filters import Filters
    from .queries import districts, years

    known_years = years(con)
    known_districts = districts(con)
    if args.district is None and args.manager is None:
        return "choose a district (--district NAME or all) or a customer manager (--manager NAME)"
    if args.district not in (None, "all") and args.district not in known_districts:
        return f"unknown district {args.district!r}; choose one of: all, {', '.join(known_districts)}"
    if args.year not in known_years:
        return f"no data for year {args.year}; choose one of: {', '.join(map(str, known_years)) or 'none (load data first)'}"
    f = Filters(year=args.year, compare_year=args.year - 1,
                districts=() if args.district in (None, "all") else (args.district,))
    if args.manager is None:
        return f, args.district
    homes = _manager_districts(con, args.manager, args.district)
    if isinstance(homes, str):
        return homes
    # a manager's customers: the master's retailers with that manager, in the district(s) named
    return f.with_(districts=homes, managers=(args.manager,)), "、".join(homes)


def _print_json(result: dict, district: str, manager: str | None) -> None:
    """A figures dict as `--json` prints it: missing figures null, then the district (and manager) it is of."""
    out = _clean(result) | {"district": district} | ({} if manager is None else {"manager": manager})
    print(json.dumps(out, ensure_ascii=False))


def cmd_summary(args: argparse.Namespace) -> int:
    from .queries import summary

    opened = _open(args)
    if opened is None:
        return 2
    con, f, name = opened
    s = summary(con, f)
    if args.json:
        _print_json(s.to_dict(), name, args.manager)
    else:
        from .narrative import summary_text

        # a manager's: "2019年，城郊片区客户经理吴婷的客户共销售卷烟…" (the subject from f, as on the page)
        print(summary_text(s, name, lang=args.lang, f=f))
    return 0


def cmd_progress(args: argparse.Namespace) -> int:
    """Progress against targets of a district (or all, or a customer manager: their own target rows and
    their retailers) for a year: the figures the overview and district pages show (analytics/progress.py)."""
    from .progress import progress

    opened = _open(args)
    if opened is None:
        return 2
    con, f, name = opened
    if args.month is not None:
        if not 1 <= args.month <= 12:
            print(f"error: --month must be 1 to 12, not {args.month}", file=sys.stderr)
            return 2
        f = f.with_(month_to=args.month)  # from 1 January through the end of that month, as the pages read a month range
    p = progress(con, f)
    if not p.has_targets:
        who = (f"customer manager {args.manager} ({name})" if args.manager is not None
               else "the company" if name == "all" else f"district {name}")
        print(f"error: no targets for {args.year} are loaded for {who}; load a targets extract first "
              "(python -m analytics ingest FILE, or the Data page)", file=sys.stderr)
        return 2
    if args.json:
        _print_json(p.to_json(), name, args.manager)
    else:
        from .narrative import progress_text

        print(progress_text(p, args.lang))
    return 0


# --- #14 suspects ---
def cmd_suspects(args: argparse.Namespace) -> int:
    """The 代订货 suspects of a district (or a customer manager's retailers) in a year, highest score
    first: leads to verify by a visit, never verdicts (analytics/suspects.py)."""
    from .columns import word
    from .labels import t
    from .suspects import COLUMNS, reason_labels, reason_text, suspects

    opened = _open(args)
    if opened is None:
        return 2
    con, f, _ = opened
    if args.limit is not None and args.limit < 1:
        print(f"error: --limit must be at least 1, not {args.limit}", file=sys.stderr)
        return 2
    rows = suspects(con, f.with_(compare_year=None), limit=args.limit)
    if args.json:
        # the segment in words, as the list's files say it (business_format is words already)
        rows["area_type"] = [word("area", a, args.lang) for a in rows["area_type"]]
        out = [{c: _json_value(r[c]) for c in COLUMNS} | {"reason_text": reason_text(r, args.lang)} for _, r in rows.iterrows()]
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print(t("lead_not_verdict", args.lang))
    for rank, (_, r) in enumerate(rows.iterrows(), start=1):
        partner = f" ↔ {r['partner_retailer_id']} {r['partner_retailer_name']}" if r["partner_retailer_id"] else ""
        print(f"{rank:3d}. {r['retailer_id']} {r['retailer_name']} ({r['manager']}) {r['score']:.2f} "
              f"{reason_labels(r['reasons'], args.lang)}{partner}")
        print(f"     {reason_text(r, args.lang)}")
    return 0


def _json_value(value):
    """A suspects cell as JSON: a list stays a list, a missing value (None, NaN, pandas' NA) is null."""
    import pandas as pd

    if isinstance(value, list):
        return value
    if pd.isna(value):
        return None
    return _clean(value.item() if hasattr(value, "item") else value)  # numpy scalars as Python numbers


def _period(text: str | None) -> tuple[str, str] | None:
    """--period 2019-12 (a whole month) or 2019-12-01:2019-12-31; ValueError when neither."""
    import datetime as dt

    if text is None:
        return None
    if ":" in text:
        start, end = (dt.date.fromisoformat(part.strip()) for part in text.split(":", 1))
    else:
        start = dt.datetime.strptime(text.strip(), "%Y-%m").date()
        end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    if end < start:
        raise ValueError("the period ends before it starts")
    return start.isoformat(), end.isoformat()


def cmd_ingest(args: argparse.Namespace) -> int:
    import os

    from .store import Store, load_paths

    store = Store(args.data_dir)
    missing = [p for p in args.files if not os.path.isfile(p)]
    if missing:
        print("error: no such file: " + ", ".join(missing), file=sys.stderr)
        return 2
    try:
        period = _period(args.period)
    except ValueError:
        print(f"error: --period {args.period!r}: expected YYYY-MM (a month) or YYYY-MM-DD:YYYY-MM-DD (start not after end)",
              file=sys.stderr)
        return 2
    results = load_paths(store, args.files, kind=args.kind, sheet=args.sheet, period=period,
                         progress=_progress(not args.quiet))
    failed = False
    for r in results:
        rec = r.record or {}
        _audit(store.root, "load_refused" if r.status == "refused" else "load", rec.get("id") or r.file_name, r.status,
               file=r.file_name, rows=rec.get("rows"))
        if r.status == "refused":
            failed = True
            for line in r.messages(args.lang):
                print(line, file=sys.stderr)
        elif r.status == "duplicate":
            print(f"{r.file_name}: already loaded (same sha256), nothing changed")
        elif r.record is not None:
            rec = r.record
            print(f"{rec['id']} {r.file_name}: loaded {rec['rows']:,} {rec['kind']} rows"
                  + (f", period {rec['period_start']}..{rec['period_end']}" if rec["period_start"] else ""))
            for rep in r.replacements:
                print(f"  replaced {rep.lines:,} lines of {rep.district} from {rep.start} to {rep.end}")
    if failed:
        print("nothing was loaded: fix the problems above and load again", file=sys.stderr)
    return 1 if failed else 0


def cmd_extracts(args: argparse.Namespace) -> int:
    from .store import Store

    records = Store(args.data_dir).extracts()
    if args.json:
        print(json.dumps(records, ensure_ascii=False, indent=1))
        return 0
    for r in records:
        period = f"{r['period_start']}..{r['period_end']}" if r.get("period_start") else "-"
        print(f"{r['id']}  {r['status']:<9} {r['kind']:<9} {r['rows']:>9,} rows  {period:<23} {r['loaded_at']}  {r['file_name']}")
    return 0


def _describe(preview) -> list[str]:
    """The preview of a withdrawal or restore as lines of text."""
    from .formats import fmt_time

    out = [f"  remove {c.lines:,} lines ({c.cases:,.2f} cases) of {c.district} from {c.start} to {c.end}: "
           f"{c.extract_id} loaded {fmt_time(c.loaded_at)}" for c in preview.removed]
    out += [f"  bring back {c.lines:,} lines ({c.cases:,.2f} cases) of {c.district} from {c.start} to {c.end}: "
            f"{c.extract_id} loaded {fmt_time(c.loaded_at)}" for c in preview.returned]
    for m in preview.masters:
        if m.after is None:
            out.append(f"  {m.key}: record removed (no other extract holds it)")
        else:
            changed = "; ".join(f"{k} {a!r} -> {b!r}" for k, (a, b) in m.fields.items())
            out.append(f"  {m.key}: {changed} (from {m.source} loaded {fmt_time(m.source_loaded_at)})")
    if preview.orphan_lines:
        out.append(f"  warning: {preview.orphan_lines:,} live order lines would refer to a record no extract holds")
    return out or ["  no live figure changes (later extracts replace all of it)"]


def _status_command(args: argparse.Namespace, action: str) -> int:
    """rollback and restore; a refusal is a StoreError, which main() prints as one line."""
    from .store import ExtractError, Store

    store = Store(args.data_dir)
    if args.dry_run:
        preview = store.preview(args.extract_id, action)
        print(f"{args.extract_id}: {'withdrawing' if action == 'withdraw' else 'restoring'} would change")
        print("\n".join(_describe(preview)))
        return 0
    run = store.rollback if action == "withdraw" else store.restore
    verb = "rollback" if action == "withdraw" else "restore"
    try:
        record = run(args.extract_id, progress=_progress(not args.quiet), timeout=args.wait)
    except ExtractError as exc:  # a refusal is recorded too, then main() prints it (a full or read-only
        _audit(store.root, verb, args.extract_id, "refused", reason=exc.key)  # disk could not take an entry)
        raise
    _audit(store.root, verb, record["id"], "done", file=record["file_name"])
    print(f"{record['id']} {'withdrawn' if action == 'withdraw' else 'restored'} ({record['file_name']})")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    return _status_command(args, "withdraw")


def cmd_restore(args: argparse.Namespace) -> int:
    return _status_command(args, "restore")


def cmd_purge(args: argparse.Namespace) -> int:
    """Remove the files of extracts withdrawn more than --older-than days ago (the retention rule)."""
    from .formats import fmt_bytes, fmt_time
    from .store import Store

    if args.older_than < 0:
        print("error: --older-than must be 0 or more days", file=sys.stderr)
        return 2
    store = Store(args.data_dir)
    items = store.purge(args.older_than, dry_run=args.dry_run)
    why = {"active": "kept: active extract {other} holds the same file",
           "recent": "kept: {other}, withdrawn more recently, holds the same file",
           "state": "kept: a recent state still reads it (purge again after two more changes)"}
    for i in items:
        verdict = why[i.kept].format(other=i.other) if i.kept else ("would purge" if args.dry_run else "purged") + f" ({fmt_bytes(i.size)})"
        print(f"{i.extract_id}  withdrawn {fmt_time(i.withdrawn_at)}  {i.file_name}: {verdict}")
    gone = [i for i in items if not i.kept]
    for i in gone if not args.dry_run else []:
        _audit(store.root, "purge", i.extract_id, "done", file=i.file_name)
    if not items:
        print(f"nothing to purge: no extract was withdrawn more than {args.older_than:g} days ago")
    else:
        print(f"{'would purge' if args.dry_run else 'purged'} {len(gone)} extract(s), {fmt_bytes(sum(i.size for i in gone))}"
              + (" (dry run: nothing changed)" if args.dry_run else ""))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .db import connect_store
    from .filters import Filters
    from .labels import t
    from .queries import districts, years
    from .report import build_deck, story
    from .store import Store

    con = connect_store(Store(args.data_dir))
    known = districts(con)
    if args.district != "all" and args.district not in known:
        print(f"error: unknown district {args.district!r}; choose one of: all, {', '.join(known)}", file=sys.stderr)
        return 2
    if args.year not in years(con):
        print(f"error: no data for year {args.year}; choose one of: {', '.join(map(str, years(con))) or 'none'}", file=sys.stderr)
        return 2
    prev = args.year - 1 if args.year - 1 in years(con) else None
    f = Filters(year=args.year, compare_year=prev, districts=() if args.district == "all" else (args.district,))
    name = t("all_districts", args.lang) if args.district == "all" else args.district
    deck = build_deck(story(con, f, name, args.lang), progress=_progress(not args.quiet))
    Path(args.out).write_bytes(deck)
    print(f"wrote {args.out} ({len(deck):,} bytes)")
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    from .store import Store

    Store(args.data_dir).rebuild()
    print("rollups rebuilt")
    return 0


def _access_file(args: argparse.Namespace):
    """The access file --file names, else the settings' (DASHBOARD_ACCESS_FILE, else access.toml in the
    data directory), checked against the data's districts and managers (see access.load_checked)."""
    from .access import AuthSettings, load_checked

    return load_checked(args.file or AuthSettings.from_env(data_dir=args.data_dir).access_file, args.data_dir)


def cmd_access_check(args: argparse.Namespace) -> int:
    """Exit 0 when the file is valid, 1 with one problem a line (each with its line number)."""
    file, checked = _access_file(args)
    for message in file.messages(args.lang):
        print(f"{file.path}: {message}")
    if not file.ok:
        return 1
    note = "" if checked else " (no data loaded: districts and managers not checked)"
    print(f"{file.path}: {len(file.users)} user(s), no problems{note}")
    return 0


def cmd_access_show(args: argparse.Namespace) -> int:
    """What one identity may see and do, as the app resolves it (exit 1 for an unknown identity or a
    file with problems, which lets nobody in)."""
    from .access import ALL, CAPABILITIES, resolve
    from .labels import t

    file, _ = _access_file(args)
    if not file.ok:
        for message in file.messages(args.lang):
            print(f"{file.path}: {message}", file=sys.stderr)
        return 1
    access = resolve(file, args.user_id)
    if access is None:
        print(f"error: {t('access_unknown_user', args.lang, id=args.user_id)}", file=sys.stderr)
        return 1
    user, scope = access.user, access.scope
    caps = [c for c in CAPABILITIES if c in access.capabilities]
    shown = {"id": user.id, "name": user.name, "role": user.role, **scope.to_dict(), "capabilities": caps,
             "scope_key": scope.key()}
    if args.json:
        print(json.dumps(shown, ensure_ascii=False))
        return 0

    def names(value) -> str:
        return "all" if value is ALL else ", ".join(value)

    print(f"id:           {user.id}" + (f" ({user.name})" if user.name else ""))
    print(f"role:         {user.role}")
    print(f"districts:    {names(scope.districts)}")
    print(f"managers:     {names(scope.managers)}")
    print(f"retailers:    {'shown' if scope.retailer_level else 'aggregates only'}")
    print(f"capabilities: {', '.join(caps)}")
    return 0


# --- #14 brands ---
def _plain(value):
    """A frame's cell as JSON takes it (numpy numbers as Python numbers)."""
    return value.item() if hasattr(value, "item") else value


def cmd_brand(args: argparse.Namespace) -> int:
    """Brand cultivation (docs/definitions.md, "Brand cultivation") of one brand or specification in
    a district (or the company, or a customer manager's retailers) and year: monthly 铺货率, 重购率,
    retailers and 箱, the cumulative curve, last year's same months, and the period's totals."""
    from dataclasses import asdict

    from . import brands
    from .db import connect_store
    from .store import Store

    con = connect_store(Store(args.data_dir))
    if args.district is None and args.manager is None:
        args.district = "all"  # no scope named: the company
    scope = _scope(con, args)
    if isinstance(scope, str):
        print(f"error: {scope}", file=sys.stderr)
        return 2
    f, where = scope
    found = brands.lookup(con, args.name, args.level)
    if found.name is None:
        kind = "brand" if args.level == "brand" else "specification (--level sku)"
        near = f"; did you mean: {', '.join(found.candidates)}" if found.candidates else ""
        print(f"error: unknown {kind} {args.name!r}{near}", file=sys.stderr)
        return 2
    months = brands.cultivation(con, f, found.name, args.level).dropna(subset=["retailers"])
    totals = brands.totals(con, f, found.name, args.level)
    if args.json:
        rows = [_clean({k: _plain(v) for k, v in row.items()}) for row in months.to_dict("records")]
        out = {"name": found.name, "level": args.level, "year": f.year, "compare_year": f.compare_year,
               "totals": _clean(asdict(totals)), "months": rows}
        _print_json(out, where, args.manager)
        return 0
    from .formats import fmt_cases, fmt_pct
    from .labels import t

    lg = args.lang
    who = t("all_districts", lg) if where == "all" else where
    print(f"{found.name} · {f.year} · {who}{'' if args.manager is None else ' ' + args.manager}: "
          f"{t('brand_coverage', lg)} {fmt_pct(totals.coverage_pct)} "
          f"({t('brand_card_help', lg, retailers=totals.retailers, customers=totals.customers)}), "  # the coverage's own count
          f"{t('brand_repeat', lg)} {fmt_pct(totals.repeat_pct)}, {t('brand_movement', lg)} {fmt_cases(totals.cases, lg)}")
    for row in months.itertuples():
        print(f"  {row.month:2d}  {t('brand_coverage', lg)} {fmt_pct(row.coverage_pct)} "
              f"({t('brand_cumulative', lg)} {fmt_pct(row.cum_coverage_pct)})  {t('brand_repeat', lg)} {fmt_pct(row.repeat_pct)} "
              f"({t('brand_cumulative', lg)} {fmt_pct(row.cum_repeat_pct)})  {fmt_cases(row.cases, lg)}")
    return 0


# --- #14 visits ---

def cmd_visits(args: argparse.Namespace) -> int:
    """A customer manager's visit list for an ISO week (analytics/visits.py). The week's kept list when one
    was issued (what was printed stays what was printed); else the list the data give now, a draft that
    is kept only with --issue (the page's 下发 button does the same)."""
    from . import visits
    from .db import connect_store
    from .filters import Filters
    from .labels import t
    from .store import Store

    store = Store(args.data_dir)
    con = connect_store(store)
    if args.district == "all":
        print("error: a visit list is one district's: name it with --district, or leave it out", file=sys.stderr)
        return 2
    homes = _manager_districts(con, args.manager, args.district)
    if isinstance(homes, str):
        print(f"error: {homes}", file=sys.stderr)
        return 2
    district = homes[0]
    end = visits.data_end(con)
    if end is None:
        print("error: no data loaded (python -m analytics ingest FILE, or the Data page)", file=sys.stderr)
        return 2
    week = args.week or visits.week_to_plan(end)
    try:
        visits.parse_week(week)
        vl = visits.load(store.root, district, args.manager, week)
        if vl is None and args.issue and not visits.issuable(week, end):
            print(f"error: week {week} has gone by: only the week to plan ({visits.week_to_plan(end)}) or a later one is issued "
                  "(its draft prints without --issue)", file=sys.stderr)
            return 2
        if vl is None:
            history = visits.previous_lists(store.root, district, args.manager, week)
            vl = visits.visit_list(con, Filters(districts=(district,), managers=(args.manager,)), week, history)
            if args.issue:  # nobody signs in on the command line: issued on this computer, by no name
                vl = visits.issue(store.root, vl, None)
    except ValueError as exc:  # a week that does not exist, a kept file that cannot be read (named)
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a full or read-only disk: nothing was issued
        print(f"error: the list could not be kept, nothing was issued ({exc.strerror or exc})", file=sys.stderr)
        return 1
    if vl.as_of is None:
        print(f"error: no data before week {week} for customer manager {args.manager} ({district}); "
              f"the data run to {end.isoformat()}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(_clean(visits.to_json(vl)), ensure_ascii=False))
        return 0
    lang = args.lang
    print(visits.title(vl, lang))
    print("\n".join(visits.meta(vl, lang)))
    if not vl.issued:
        print(t("visit_draft", lang))
    if not vl.rows:
        print(t("visit_empty", lang))
    for title, part in visits.sections(vl, lang):
        print(f"\n{title}")
        for row in part.itertuples(index=False):
            also = f" [{t('visit_also', lang)}: {row.visit_also}]" if row.visit_also else ""
            print(f"{row.visit_rank:>3}. {row.visit_day} {row.retailer_name} ({row.retailer_id}): {row.visit_why}{also}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m analytics", description="Cigarette sales analytics: data and reports.")
    sub = p.add_subparsers(dest="command", required=True)

    def add(name: str, func, help_text: str, within=sub) -> argparse.ArgumentParser:
        sp = within.add_parser(name, help=help_text)
        sp.add_argument("--data-dir", default=None, help=f"data directory (default: $DASHBOARD_DATA_DIR or {config.DEFAULT_DATA_DIR})")
        sp.add_argument("--lang", choices=("zh", "en"), default="zh")
        sp.add_argument("--quiet", action="store_true", help="no progress lines")
        sp.set_defaults(func=func)
        return sp

    d = add("demo", cmd_demo, "generate and load the demo city")
    d.add_argument("--force", action="store_true", help="replace existing data")
    s = add("summary", cmd_summary, "the annual table for a district (or all), or a customer manager's retailers, and a year")
    s.add_argument("--district", help="a district's name, or all (required without --manager)")
    s.add_argument("--manager", help="a customer manager (客户经理): their retailers only; --district tells apart two of one name")
    s.add_argument("--year", type=int, required=True)
    s.add_argument("--json", action="store_true")
    pr = add("progress", cmd_progress, "progress against targets (任务) of a district (or all) and year, read at the as-of date")
    pr.add_argument("--district", help="a district's name, or all (the company); required without --manager")
    pr.add_argument("--manager", help="a customer manager (客户经理): the sum of their targets and their retailers' figures")
    pr.add_argument("--year", type=int, required=True)
    pr.add_argument("--month", type=int, help="read through the end of this month (1-12), from 1 January; default: the year to date")
    pr.add_argument("--json", action="store_true")
    # --- #14 suspects ---
    su = add("suspects", cmd_suspects, "代订货 suspects of a district (or a customer manager's retailers) in a year: leads, not verdicts")
    su.add_argument("--district", help="a district's name (required without --manager)")
    su.add_argument("--manager", help="a customer manager (客户经理): their retailers only (partners found in their district)")
    su.add_argument("--year", type=int, required=True)
    su.add_argument("--limit", type=int, help="at most this many, the highest scores")
    su.add_argument("--json", action="store_true")
    i = add("ingest", cmd_ingest, "validate and load extract files")
    i.add_argument("files", nargs="+")
    i.add_argument("--kind", choices=KINDS, help="the files' kind (overrides what the headers suggest)")
    i.add_argument("--sheet", help="Excel: the sheet to read (default: the first)")
    i.add_argument("--period", help="orders: the period they replace, YYYY-MM or YYYY-MM-DD:YYYY-MM-DD "
                                    "(default: each file's first to last order date)")
    e = add("extracts", cmd_extracts, "load history, oldest first")
    e.add_argument("--json", action="store_true")
    r = add("rollback", cmd_rollback, "withdraw one extract (undo with restore)")
    r.add_argument("extract_id")
    r.add_argument("--dry-run", action="store_true", help="show what would change, change nothing")
    r.add_argument("--wait", type=float, default=600.0, help="seconds to wait for another writer (default 600), then exit 3")
    rs = add("restore", cmd_restore, "make a withdrawn extract active again, in its original order")
    rs.add_argument("extract_id")
    rs.add_argument("--dry-run", action="store_true", help="show what would change, change nothing")
    rs.add_argument("--wait", type=float, default=600.0, help="seconds to wait for another writer (default 600), then exit 3")
    pg = add("purge", cmd_purge, "remove the files of extracts withdrawn more than DAYS ago (they stay in the history)")
    pg.add_argument("--older-than", type=float, required=True, metavar="DAYS",
                    help="withdrawn at least this many days ago (the retention rule keeps them 90 days)")
    pg.add_argument("--dry-run", action="store_true", help="list what would be purged, change nothing")
    rp = add("report", cmd_report, "a PPTX deck for a district (or all) and year")
    rp.add_argument("--district", required=True)
    rp.add_argument("--year", type=int, required=True)
    rp.add_argument("--out", required=True)
    add("rebuild", cmd_rebuild, "derive live data and rollups again from the extracts")
    # --- #14 brands ---
    b = add("brand", cmd_brand, "brand cultivation (铺货率, 重购率, 动销) of a brand or specification in a district (or all) and year")
    b.add_argument("--name", required=True, help="the brand (or, with --level sku, the specification) as the SKU master names it")
    b.add_argument("--level", choices=("brand", "sku"), default="brand")
    b.add_argument("--district", help="a district's name, or all (the default without --manager)")
    b.add_argument("--manager", help="a customer manager (客户经理): their retailers only")
    b.add_argument("--year", type=int, required=True)
    b.add_argument("--json", action="store_true")
    # access: its own subcommands, each with the common options (argparse reads a parent's options
    # only before the subcommand, and `access check --file F` reads better)
    acc = sub.add_parser("access", help="check the access file; show what one identity may see and do")
    acc_sub = acc.add_subparsers(dest="access_command", required=True)
    ac = add("check", cmd_access_check, "validate the access file (exit 1 and one line per problem)", within=acc_sub)
    ash = add("show", cmd_access_show, "the role, districts, managers and capabilities of USER_ID", within=acc_sub)
    ash.add_argument("user_id", metavar="USER_ID")
    ash.add_argument("--json", action="store_true")
    for sp in (ac, ash):
        sp.add_argument("--file", help="the access file (default: $DASHBOARD_ACCESS_FILE or access.toml in the data directory)")
    # --- #14 visits ---
    v = add("visits", cmd_visits, "a customer manager's visit list for an ISO week (周安排): the kept list once issued, else a draft")
    v.add_argument("--manager", required=True, help="the customer manager (客户经理)")
    v.add_argument("--district", help="their district, when the name is in more than one")
    v.add_argument("--week", help="an ISO week YYYY-Www (default: the week after the data end, the week to plan)")
    v.add_argument("--issue", action="store_true", help="keep the list as issued (a week's first issued list is never replaced)")
    v.add_argument("--json", action="store_true")
    return p


def main(argv: list[str] | None = None) -> int:
    from .access import SettingsError
    from .store import StoreError

    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except StoreError as exc:  # what a user can cause or meet: one line that says what to do
        print(f"error: {exc.message(args.lang)}", file=sys.stderr)
        return exc.exit_code
    except SettingsError as exc:  # a DASHBOARD_AUTH… variable the server would not start with either
        print(f"error: {exc.message(args.lang)}", file=sys.stderr)
        return 2
