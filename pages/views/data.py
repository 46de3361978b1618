"""数据管理: upload extracts, preview exactly what a load will do, confirm, see the history, withdraw or restore
a load after seeing what that changes."""
import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st

from analytics.columns import SCREEN_FORMATS, formatted, kinds, localize
from analytics.contract import KINDS, TARGET_MEASURES
from analytics.formats import MISSING, fmt_cases, fmt_time
from analytics.ingest import ParseCache
from analytics.store import ChangePreview, ExtractError, MasterChange, TargetKey
from analytics.text import md_code, md_escape
from pages import common, gate, identity

tr = common.tr
store = common.store()
st.title(tr("page_data"))


def _user() -> str | None:
    """Who the manifest names as having loaded, withdrawn or restored: the identity the sign-in mode
    delivered (local mode: the OS user, the same name the command line records)."""
    return identity.session().identity


_audit = identity.record_or_log


def _audit_first(action: str, target: str | None, **details: object) -> bool:
    """Record that a change is about to be made, before making it; False means do not make it.

    The audit log must carry every change to the data, so a load, withdrawal or restore whose entry
    cannot be written (a full disk, a read-only data directory) is not made: the user is told and
    nothing changes. (Downloads decide the other way: pages/common.py::audited.) The outcome is
    recorded after the change; if that second entry cannot be written, this one and the manifest's
    loaded_by / withdrawn_by still say who started it."""
    if _audit(action, target, "started", **details):
        return True
    st.error(tr("audit_unwritable"))
    return False


# neither capability: nothing of the page, not even the history (which names files and people)
if not (identity.can("load_data") or identity.can("rollback")):
    gate.require("load_data", "data")
    st.stop()


def _error(exc: Exception) -> str:
    """What an analyst reads when a load, preview, withdrawal or restore fails: one sentence in their
    language that says nothing changed and what to do; never a path or a traceback. Only errors with such a
    message come here (an ExtractError, like every StoreError, says itself what went wrong)."""
    common.log.warning("data page: %r", exc)  # the administrator's side of the message: which file, which errno
    return common.store_error_message(exc) or ""


# --- upload and preview ------------------------------------------------------------------------


def _audit_refused(results: list) -> None:
    """Record each file refused for its content once per upload (the preview is drawn again on
    every rerun; one attempt is one entry): its name and first problem."""
    seen = st.session_state.setdefault("upload_refusals_audited", set())
    for r in results:
        if r.status != "refused":
            continue
        mark = (r.parsed.sha256 if r.parsed else None, r.file_name, kind, sheet, period)
        if mark in seen:
            continue
        problems = r.messages("zh")
        if _audit("load_refused", r.file_name, "refused", file=r.file_name, problems=len(problems),
                  problem=problems[0] if problems else None):
            seen.add(mark)


def _table_with_dashes(frame: pd.DataFrame) -> None:
    """A preview table whose empty cells read formats.MISSING, where Streamlit would print a grey "None"
    (it has no setting for it); numbers formatted as every table's and aligned right."""
    lg = common.lang()
    shown = localize(frame, lg)
    number_kinds = {c for c, k in kinds(shown, lg).items() if k in SCREEN_FORMATS}
    text = formatted(shown, lg, missing=MISSING)
    config = {c: st.column_config.TextColumn(alignment="right" if c in number_kinds else None,
                                             pinned=True if i == 0 and len(text.columns) > 6 else None)
              for i, c in enumerate(text.columns)}
    st.dataframe(text, hide_index=True, width="stretch", column_config=config)


def _targets_check(keys: list[TargetKey], loaded_on: dict[str, str]) -> None:
    """A targets file's whole-year targets per district and manager as loading it makes them live, the
    districts' total per year, and the live targets it replaces: the check against the plan before loading."""
    lg = common.lang()
    rows = pd.DataFrame([{"year": k.year, "district": k.district, "manager": k.manager, **k.after,
                          "target_months": k.after["months"],
                          "replaced_volume_target_cases": k.before["volume_target_cases"] if k.before else None} for k in keys])
    given = [m for m in TARGET_MEASURES if rows[m].notna().any()]
    st.caption(tr("upload_targets_whole_year"))
    _table_with_dashes(rows[["year", "district", "manager", *given, "target_months", "replaced_volume_target_cases"]])
    own = rows[rows["manager"].isna()]
    for year, volume in own.groupby("year")["volume_target_cases"].sum().items():
        st.caption(tr("upload_targets_total", year=year, cases=fmt_cases(volume, lg)))
    # which live targets go, per load and year (the table's last column says which keys)
    replaced: dict[tuple[str, int], list[TargetKey]] = {}
    for k in keys:
        if k.before is not None:
            replaced.setdefault((k.source, k.year), []).append(k)
    for (source, year), ks in replaced.items():
        st.warning(tr("upload_replaces_targets", year=year, districts=sum(k.manager is None for k in ks),
                      managers=sum(k.manager is not None for k in ks),
                      extract=f"{source} {tr('loaded_on', date=loaded_on.get(source, '?'))}"))
    if not replaced:
        st.caption(tr("upload_replaces_no_targets"))


def _load(batch: list[tuple[str, bytes]], names: list[str]) -> None:
    """Load the confirmed batch, if this session may, and record the attempt and its outcome."""
    target = "、".join(names)
    if not gate.require("load_data", "load", target):  # on the server, at the action: a stale page can press the button
        return
    if not _audit_first("load", target, files=names):
        return
    bar = st.progress(0.0, text=tr("loading"))
    try:
        done = store.load(batch, kind=kind, sheet=sheet, period=period, loaded_by=_user(), cache=parse_cache,
                          progress=lambda frac, _text: bar.progress(min(frac, 1.0), text=tr("loading")))
    except Exception as exc:
        if common.store_error_message(exc) is None:
            _audit("load", target, "failed", error=type(exc).__name__)
            raise  # not the disk, the lock or the store: the page's wrapper logs it with a reference
        _audit("load", target, "failed", error=getattr(exc, "key", type(exc).__name__))
        bar.empty()
        st.error(_error(exc))
        return
    bar.empty()
    if any(d.status == "refused" for d in done):
        # the data changed since the preview (another analyst's load): refused now, nothing stored
        _audit_refused(done)
        st.error(tr("upload_nothing_stored"))
        return
    loaded = [d for d in done if d.status == "loaded"]
    for d in loaded:
        _audit("load", d.record["id"], "ok", file=d.file_name, kind=d.record["kind"], rows=d.record["rows"])
    for d in done:
        if d.status == "duplicate":
            _audit("load", d.file_name, "duplicate", file=d.file_name)
    st.session_state["upload_result"] = [
        common.tr_md("upload_loaded", id=d.record["id"], file=d.file_name, rows=f"{d.record['rows']:,}") for d in loaded
    ]
    st.session_state["upload_nonce"] = nonce + 1  # a fresh, empty uploader
    st.rerun()


may_load = identity.can("load_data")
nonce = st.session_state.setdefault("upload_nonce", 0)
files, kind, sheet, period = None, None, None, None
# each upload is parsed once: every rerun of the preview, and the load it confirms, use that parse
parse_cache = st.session_state.setdefault("upload_parse_cache", ParseCache())
if may_load:  # no uploader for a session that may not load: Streamlit takes files only for an uploader it drew
    st.subheader(tr("upload_title"))
    st.caption(tr("upload_help"))
    files = st.file_uploader(tr("upload_files"), accept_multiple_files=True, key=f"uploader_{nonce}",
                             type=["csv", "txt", "xlsx", "xls", "parquet"])
    common.uploader_in_chinese("uploader_")  # Streamlit's button and limit texts, in Chinese
    c1, c2, c3 = st.columns(3)
    kind = c1.selectbox(tr("upload_kind"), [None, *KINDS], format_func=lambda k: tr("kind_auto") if k is None else tr(f"kind_{k}"),
                        key="upload_kind")
    sheet = c2.text_input(tr("upload_sheet"), key="upload_sheet", placeholder=tr("upload_sheet_first")) or None
    # only orders replace a period: the choice is offered while orders may be among the files, and never
    # applied to a master or targets file (the store ignores it for them too)
    detected = {p.kind for p in parse_cache.parse_batch([(f.name, f.getvalue()) for f in files], kind=kind, sheet=sheet)} \
        if files else set()
    offer_period = kind == "orders" or (kind is None and (not files or "orders" in detected))
    if offer_period and c3.toggle(tr("upload_period"), key="upload_use_period", help=tr("upload_period_help")):
        chosen = c3.date_input(tr("period"), value=(), key="upload_period_range")
        if isinstance(chosen, tuple) and len(chosen) == 2:
            period = (chosen[0].isoformat(), chosen[1].isoformat())

if files and not identity.can("load_data"):
    # the check belongs where the bytes would be read, whatever drew the uploader
    gate.require("load_data", "load", "、".join(f.name for f in files))
elif files:
    batch = [(f.name, f.getvalue()) for f in files]
    results = store.parse(batch, kind=kind, sheet=sheet, period=period, cache=parse_cache)
    _audit_refused(results)
    loaded_on = {e["id"]: fmt_time(e["loaded_at"])[:10] for e in store.extracts()}  # local date, as in the history
    ready = [r for r in results if r.status == "ready"]
    refused = [r for r in results if r.status == "refused"]
    for r in results:
        p = r.parsed
        with st.container(border=True):
            st.markdown(f"**{tr('file')}:** {md_code(r.file_name)}")
            if r.status == "duplicate":
                st.info(tr("upload_duplicate"))
                continue
            facts = {
                tr("upload_kind"): tr(f"kind_{p.kind}") if p.kind else "—",
                tr("format"): (p.format or "—") + (f" · {p.encoding}" if p.encoding else "") + (f" · {p.sheet}" if p.sheet else ""),
                tr("rows"): f"{p.raw_rows:,}",
            }
            if p.period:
                facts[tr("period")] = f"{p.period[0]} – {p.period[1]}"
            if p.districts:
                facts[tr("district")] = "、".join(p.districts)
            if p.kind == "targets" and p.frame is not None:
                facts[tr("year")] = "、".join(str(y) for y in sorted(p.frame["year"].dropna().unique()))
            common.table(pd.DataFrame({tr("item"): list(facts), tr("value"): list(facts.values())}))
            if r.status == "refused":
                st.error(tr("upload_refused", n=p.problems.count))
                st.code("\n".join(r.messages(common.lang())), language=None, wrap_lines=True)
                continue
            if p.mapping:
                mapping = pd.DataFrame({tr("column"): list(p.mapping.columns), tr("header"): list(p.mapping.columns.values())})
                with st.expander(tr("upload_mapping")):
                    common.table(mapping)
                    if p.mapping.unmapped:
                        st.caption(tr("upload_unmapped") + "：" + "、".join(md_escape(h) for h in p.mapping.unmapped))
            st.caption(tr("upload_first_rows"))
            _table_with_dashes(p.frame.head(10))
            if p.kind == "targets":
                _targets_check(r.targets, loaded_on)
            for rep in r.replacements:
                st.warning(common.tr_md("upload_replaces", lines=f"{rep.lines:,}", cases=fmt_cases(rep.cases, common.lang()),
                              district=rep.district, start=rep.start, end=rep.end,
                              extracts="、".join(f"{i} {tr('loaded_on', date=loaded_on.get(i, '?'))}" for i in rep.extracts)))
            if p.kind == "orders" and not r.replacements:
                st.caption(tr("upload_replaces_nothing"))
    if refused:
        st.error(tr("upload_nothing_stored"))
    elif ready and st.button(tr("upload_confirm", n=len(ready)), type="primary", key="upload_confirm"):
        _load(batch, [r.file_name for r in ready])
else:
    parse_cache.clear()  # no upload: hold no parsed frames

for line in st.session_state.pop("upload_result", []):
    st.success(line)

# --- samples -------------------------------------------------------------------------------------
samples = sorted((Path(__file__).resolve().parents[2] / "data" / "samples").glob("*.*"))
samples = [s for s in samples if s.suffix.lower() in (".csv", ".xlsx", ".parquet")]
if samples:
    with st.expander(tr("samples")):
        st.caption(tr("samples_help"))
        for path in samples:
            st.download_button(md_escape(path.name), path.read_bytes(), file_name=path.name, key=f"sample_{path.name}")

# --- history, withdrawal and restore ------------------------------------------------------------------
TIME_COLUMNS = ("loaded_at", "withdrawn_at", "restored_at")


def _history(records: list[dict]) -> pd.DataFrame:
    """The load history as shown: newest first, local times to the minute, — where a value is missing."""
    cols = ["id", "status", "kind", "file_name", "rows", "period_start", "period_end", "districts", "loaded_at", "loaded_by"]
    cols += [c for c in ("withdrawn_at", "withdrawn_by", "restored_at", "restored_by") if any(r.get(c) for r in records)]
    rows = []
    for r in reversed(records):
        row = {c: r.get(c) for c in cols}
        row.update(status=tr(f"status_{r['status']}"), kind=tr(f"kind_{r['kind']}"), districts="、".join(r.get("districts") or []))
        row.update({c: fmt_time(r.get(c)) for c in TIME_COLUMNS if c in cols})
        rows.append({c: (f"{v:,}" if c == "rows" else v) if v not in (None, "") else "—" for c, v in row.items()})
    return pd.DataFrame(rows, columns=cols).rename(columns={c: tr(f"hist_{c}") for c in cols})


def _values(m: MasterChange) -> str:
    """A master record's changed columns as 列：之前 → 之后, vocabularies in words."""
    if m.after is None:
        return tr("chg_record_gone")
    if m.before is None:
        return tr("chg_record_new")
    cols = list(m.fields)
    shown = localize(pd.DataFrame([{c: rec.get(c) for c in cols} for rec in (m.before, m.after)]), common.lang(), cols)
    colon, sep = ("：", "；") if common.lang() == "zh" else (": ", "; ")
    return sep.join(f"{h}{colon}{a} → {b}" for h, a, b in zip(shown.columns, shown.iloc[0], shown.iloc[1], strict=True))


def _target_values(m: MasterChange) -> str:
    """A targets key's change as its whole-year volume target and number of month rows, before → after."""
    if m.after is None:
        return tr("chg_target_gone")
    if m.before is None:
        return tr("chg_record_new")
    lg = common.lang()
    volume = tr("chg_target_volume", before=fmt_cases(m.before["volume_target_cases"], lg),
                after=fmt_cases(m.after["volume_target_cases"], lg))
    months = tr("chg_target_months", before=m.before["months"], after=m.after["months"])
    return volume + ("；" if lg == "zh" else "; ") + months


#: what "nothing changes" is about: the lines, records or targets of the load, all replaced by later loads
PREVIEW_NOTHING = {"orders": "preview_nothing", "retailers": "preview_nothing_records", "skus": "preview_nothing_records",
                   "targets": "preview_nothing_targets"}


def _show_preview(preview: ChangePreview, record: dict) -> None:
    st.markdown(common.tr_md(f"preview_{preview.action}", id=record["id"], file=record["file_name"]))
    if preview.kind == "orders":
        rows = [(tr(label), c.district, f"{c.start} – {c.end}", c.lines, c.cases, c.extract_id, fmt_time(c.loaded_at))
                for label, changes in (("chg_removed", preview.removed), ("chg_returned", preview.returned)) for c in changes]
        if rows:
            common.table(pd.DataFrame(rows, columns=[tr("chg_change"), tr("district"), tr("period"), tr("rows"), tr("cases"),
                                                     tr("chg_extract"), tr("hist_loaded_at")]))
    elif preview.kind == "targets" and preview.masters:
        rows = [(m.key, _target_values(m), f"{m.source} · {fmt_time(m.source_loaded_at)}" if m.source else "—")
                for m in preview.masters]
        common.table(pd.DataFrame(rows, columns=[tr("chg_target_key"), tr("chg_fields"), tr("chg_source")]))
    elif preview.masters:
        name = "retailer_name" if preview.kind == "retailers" else "sku_name"
        rows = [(m.key, (m.before or m.after or {}).get(name) or "—", _values(m),
                 f"{m.source} · {fmt_time(m.source_loaded_at)}" if m.source else "—") for m in preview.masters]
        common.table(pd.DataFrame(rows, columns=[tr("chg_key"), tr(name), tr("chg_fields"), tr("chg_source")]))
    if preview.changes_nothing:
        st.info(tr(PREVIEW_NOTHING[preview.kind]))
    if preview.orphan_lines:
        st.warning(tr("chg_orphans", n=f"{preview.orphan_lines:,}"))


def _action(action: str, candidates: list[dict], nonce: int) -> None:
    """Choose, see what changes, confirm, act. Nothing is preselected, the confirmation belongs to
    the one choice it was ticked for, and after an action every widget starts afresh (new keys), so
    a second click can never act on a choice nobody made."""
    prefix = "rollback" if action == "withdraw" else "restore"
    by_id = {r["id"]: r for r in candidates}
    choice = st.selectbox(tr(f"{prefix}_pick"), list(reversed(by_id)), index=None, placeholder=tr("pick_placeholder"),
                          format_func=lambda i: f"{i} · {by_id[i]['file_name']} · {fmt_time(by_id[i]['loaded_at'])}",
                          key=f"{prefix}_pick_{nonce}")
    if choice is not None:
        try:
            _show_preview(store.preview(choice, action), by_id[choice])
        except Exception as exc:  # changed since the page was drawn (another analyst, another tab), or unreadable
            if not isinstance(exc, ExtractError) and common.store_error_message(exc) is None:
                raise
            st.error(_error(exc))
            choice = None
    sure = st.checkbox(tr(f"{prefix}_sure"), key=f"{prefix}_sure_{nonce}_{choice}", disabled=choice is None)
    # the button stays pressable so that pressing it too early says what is missing
    if st.button(tr(prefix), key=f"{prefix}_go_{nonce}", type="primary"):
        if choice is None or not sure:
            st.warning(tr("action_choose_first"))
            return
        verb = "rollback" if action == "withdraw" else "restore"  # the audit log's names, as the command line's
        if not gate.require("rollback", action, choice):  # on the server, at the action, not only by what the page drew
            return
        if not _audit_first(verb, choice, file=by_id[choice]["file_name"]):
            return
        run = store.rollback if action == "withdraw" else store.restore
        try:
            with st.spinner(tr("loading")):
                record = run(choice, _user(), timeout=60.0)
        except Exception as exc:
            _audit(verb, choice, "failed", error=getattr(exc, "key", None) or type(exc).__name__)
            if not isinstance(exc, ExtractError) and common.store_error_message(exc) is None:
                raise
            st.error(_error(exc))
            return
        _audit(verb, record["id"], "ok", file=record["file_name"])
        st.session_state["history_result"] = [common.tr_md(f"{prefix}_done", id=record["id"], file=record["file_name"])]
        st.session_state["history_hint"] = common.tr_md(f"{prefix}_undo_hint", id=record["id"])
        st.session_state["history_nonce"] = nonce + 1
        st.rerun()


st.subheader(tr("history"))
for line in st.session_state.pop("history_result", []):
    st.success(line)
if hint := st.session_state.pop("history_hint", None):
    st.caption(hint)
records = store.extracts()
if not records:
    st.info(tr("no_data"))
else:
    common.table(_history(records))
    history_nonce = st.session_state.setdefault("history_nonce", 0)
    may_rollback = identity.can("rollback")  # withdrawing and restoring are offered only to who may
    active = [r for r in records if r["status"] == "active"] if may_rollback else []
    withdrawn = [r for r in records if r["status"] == "withdrawn"] if may_rollback else []
    if active:
        with st.container(border=True):
            st.markdown(f"**{tr('rollback')}**")
            _action("withdraw", active, history_nonce)
    if withdrawn:
        with st.container(border=True):
            st.markdown(f"**{tr('restore_title')}**")
            _action("restore", withdrawn, history_nonce)
    st.caption(tr("history_help", now=dt.datetime.now().strftime("%Y-%m-%d %H:%M")))
