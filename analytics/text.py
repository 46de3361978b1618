"""Text from uploads (file, sheet, district, retailer, brand, manager names) shown as text, never as markup.

The one place that decides how such text enters Markdown (st.markdown, captions, titles, alerts, widget
labels) or a Plotly label: every page calls md_escape / md_code / plotly_escape from here."""
from __future__ import annotations

import re

# Every ASCII punctuation mark can be backslash-escaped in CommonMark, and every Markdown construct
# (links, images, emphasis, code, headings, lists, HTML, entities, autolinks) and every Streamlit
# extension (:red[…], :material/…:, $math$) starts with one: escaping all of them leaves none to start.
_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
# a line break would start a new block (a list item, a heading, an indented code block)
_BREAKS = re.compile(r"[\r\n\x0b\x0c\x85\u2028\u2029]+")
# direction overrides and isolates can make "名称\u202egpj.csv" read as "名称vsc.jpg"; other C0 controls show as boxes
_INVISIBLE = {c: None for c in [*range(0x00, 0x09), *range(0x0e, 0x20), 0x7f, 0x061c, 0x200e, 0x200f,
                                *range(0x202a, 0x202f), *range(0x2066, 0x206a)]}


# GFM links bare addresses (https://…, www.…, a@b.c) in the text after escapes are resolved, so no
# backslash stops it: an invisible WORD JOINER inside "://", "www." and "@x" does
WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=\\?/\\?/)|(?<=www)(?=\\?\.)|(?<=@)(?=\w)")


def plain_line(text: object) -> str:
    """The text on one line, without invisible direction or control characters (what any display shows)."""
    return _BREAKS.sub(" ", str(text).replace("\t", " ")).translate(_INVISIBLE)


def md_escape(text: object) -> str:
    """Markdown showing exactly `text` (on one line): `**x**`, `[a](b)`, `:red[x]`, `$x$`, `<b>`, `https://x`
    display literally (the last with an invisible word joiner that keeps it from becoming a link)."""
    return _AUTOLINK.sub(WORD_JOINER, _MD_SPECIAL.sub(r"\\\1", plain_line(text)))


def md_code(text: object) -> str:
    """`text` as an inline code span that no backtick inside it can close (CommonMark: the fence is a
    longer run of backticks than any in the text; a space pads a text that starts or ends with one)."""
    s = plain_line(text)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", s)), default=0) + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or (s.startswith(" ") and s.endswith(" ") and s.strip(" ")) else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def plotly_escape(text: object) -> str:
    """Plotly renders a subset of HTML in labels (<b>, <a href>…): escape it so names stay literal."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
