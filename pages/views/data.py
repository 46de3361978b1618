"""数据管理: upload extracts, preview exactly what a load will do, confirm, see the history, roll back."""
import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st

from analytics.contract import KINDS
from analytics.labels import fmt_cases
from pages import common

tr = common.tr
store = common.store()
st.title(tr("page_data"))

# --- upload and preview ------------------------------------------------------------------------
st.subheader(tr("upload_title"))
st.caption(tr("upload_help"))
nonce = st.session_state.setdefault("upload_nonce", 0)
files = st.file_uploader(tr("upload_files"), accept_multiple_files=True, key=f"uploader_{nonce}",
                         type=["csv", "txt", "xlsx", "xls", "parquet"])
common.uploader_in_chinese("uploader_")  # Streamlit's button and limit texts, in Chinese
c1, c2, c3 = st.columns(3)
kind = c1.selectbox(tr("upload_kind"), [None, *KINDS], format_func=lambda k: tr("kind_auto") if k is None else tr(f"kind_{k}"),
                    key="upload_kind")
sheet = c2.text_input(tr("upload_sheet"), key="upload_sheet", placeholder=tr("upload_sheet_first")) or None
use_period = c3.toggle(tr("upload_period"), key="upload_use_period", help=tr("upload_period_help"))
period = None
if use_period:
    chosen = c3.date_input(tr("period"), value=(), key="upload_period_range")
    if isinstance(chosen, tuple) and len(chosen) == 2:
        period = (chosen[0].isoformat(), chosen[1].isoformat())

if files:
    batch = [(f.name, f.getvalue()) for f in files]
    results = store.parse(batch, kind=kind, sheet=sheet, period=period)
    loaded_on = {e["id"]: e["loaded_at"][:10] for e in store.extracts()}
    ready = [r for r in results if r.status == "ready"]
    refused = [r for r in results if r.status == "refused"]
    for r in results:
        p = r.parsed
        with st.container(border=True):
            st.markdown(f"**{tr('file')}:** `{r.file_name}`")
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
                        st.caption(tr("upload_unmapped") + "：" + "、".join(p.mapping.unmapped))
            st.caption(tr("upload_first_rows"))
            common.table(p.frame.head(10))
            for rep in r.replacements:
                st.warning(tr("upload_replaces", lines=f"{rep.lines:,}", cases=fmt_cases(rep.cases, common.lang()),
                              district=rep.district, start=rep.start, end=rep.end,
                              extracts="、".join(f"{i} {tr('loaded_on', date=loaded_on.get(i, '?'))}" for i in rep.extracts)))
            if p.kind == "orders" and not r.replacements:
                st.caption(tr("upload_replaces_nothing"))
    if refused:
        st.error(tr("upload_nothing_stored"))
    elif ready and st.button(tr("upload_confirm", n=len(ready)), type="primary", key="upload_confirm"):
        bar = st.progress(0.0, text=tr("loading"))
        loaded_by = None
        try:
            loaded_by = st.user.get("email") or st.user.get("name")
        except Exception:  # no login configured: the store records the OS user
            loaded_by = None
        done = store.load(batch, kind=kind, sheet=sheet, period=period, loaded_by=loaded_by,
                          progress=lambda frac, _text: bar.progress(min(frac, 1.0), text=tr("loading")))
        bar.empty()
        loaded = [d for d in done if d.status == "loaded"]
        if any(d.status == "refused" for d in done):
            st.error(tr("upload_nothing_stored"))
        else:
            st.session_state["upload_result"] = [
                tr("upload_loaded", id=d.record["id"], file=d.file_name, rows=f"{d.record['rows']:,}") for d in loaded
            ]
            st.session_state["upload_nonce"] = nonce + 1  # a fresh, empty uploader
            st.rerun()

for line in st.session_state.pop("upload_result", []):
    st.success(line)

# --- samples -------------------------------------------------------------------------------------
samples = sorted((Path(__file__).resolve().parents[2] / "data" / "samples").glob("*.*"))
samples = [s for s in samples if s.suffix.lower() in (".csv", ".xlsx", ".parquet")]
if samples:
    with st.expander(tr("samples")):
        st.caption(tr("samples_help"))
        for path in samples:
            st.download_button(path.name, path.read_bytes(), file_name=path.name, key=f"sample_{path.name}")

# --- history and rollback ---------------------------------------------------------------------------
st.subheader(tr("history"))
records = store.extracts()
if not records:
    st.info(tr("no_data"))
else:
    frame = pd.DataFrame(records)
    frame["districts"] = frame["districts"].map(lambda d: "、".join(d) if isinstance(d, list) else "")
    frame["status"] = frame["status"].map(lambda s: tr(f"status_{s}"))
    frame["kind"] = frame["kind"].map(lambda k: tr(f"kind_{k}"))
    cols = ["id", "status", "kind", "file_name", "rows", "period_start", "period_end", "districts", "loaded_at", "loaded_by"]
    shown = frame[cols].rename(columns={c: tr(f"hist_{c}") for c in cols})
    common.table(shown.iloc[::-1])
    active = [r for r in records if r["status"] == "active"]
    if active:
        with st.form("rollback"):
            choice = st.selectbox(tr("rollback_pick"), [r["id"] for r in reversed(active)],
                                  format_func=lambda i: next(f"{r['id']} · {r['file_name']} · {r['loaded_at']}" for r in records if r["id"] == i))
            sure = st.checkbox(tr("rollback_sure"))
            if st.form_submit_button(tr("rollback")):
                if not sure:
                    st.warning(tr("rollback_confirm_first"))
                else:
                    record = store.rollback(choice)
                    st.session_state["upload_result"] = [tr("rollback_done", id=record["id"], file=record["file_name"])]
                    st.rerun()
    st.caption(tr("history_help", now=dt.datetime.now().strftime("%Y-%m-%d %H:%M")))
