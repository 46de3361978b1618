"""Text from uploaded data (district, retailer, brand names) shown as text, never as markup."""
from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


def md_escape(text: object) -> str:
    """Backslash-escape Markdown so `**x**`, `[a](b)` or `:red[x]` display literally in st.title/caption."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def plotly_escape(text: object) -> str:
    """Plotly renders a subset of HTML in labels (<b>, <a href>…): escape it so names stay literal."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
