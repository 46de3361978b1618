"""数据管理: load history (uploads and rollback are built on the store's API)."""
import pandas as pd
import streamlit as st

from pages import common

st.title(common.tr("page_data"))
records = common.store().extracts()
if not records:
    st.info(common.tr("no_data"))
else:
    frame = pd.DataFrame(records)[["id", "status", "kind", "file_name", "rows", "period_start", "period_end", "loaded_at", "loaded_by"]]
    common.table(frame)
