"""Printable pages: one self-contained HTML document a manager prints on A4 (the visit list, the 代订货
list for the 专卖 colleague) or opens in any browser, without the app, a network or a font download.

What the printed sheet needs and the screen does not:
- A4 portrait with 15 mm margins (`@page`); on screen the body is the page's width, so what you see is
  what prints.
- Chinese first: a CJK font stack that starts with Noto Sans CJK SC (Debian's fonts-noto-cjk, and the
  browser test's Chromium) and falls back on the fonts of Windows and macOS office machines.
- Nothing cut off: tables take the page's width and every cell wraps its text, a long name or code
  included (`overflow-wrap: anywhere` also lets the table's automatic layout shrink a column below its
  longest word), so no cell is wider than its box and the table never wider than the page. Short
  numbers are the exception: they keep to one line (a number broken in two misreads), and their
  column is at least that wide.
- Each section's table repeats its header on every printed page: a first row naming the list and the
  section (which list a loose sheet belongs to), then the column headers (`thead` is a table-header-group).
- Everything from data (names, values, headers, the title) is HTML-escaped: it shows as text, never markup.
- The note (a lead to verify, never a verdict) stands under the title, where a reader cannot miss it.

The caller labels and formats the frames' columns (analytics.columns / formats); this module only lays
them out."""
from __future__ import annotations

import html
import math
import re
import unicodedata

import pandas as pd

from .formats import MISSING

#: Chinese fonts first (Noto Sans CJK SC: Debian/Ubuntu, Chromium in the tests; Source Han Sans is the
#: same font under Adobe's name), then the Windows and macOS ones an office printer's PC has
FONT_STACK = ('"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", '
              '"WenQuanYi Micro Hei", "SimSun", sans-serif')

#: A4 portrait's printable width at the 15 mm margins: the body's width on screen too
PAGE_MARGIN_MM = 15
PRINTABLE_WIDTH_MM = 210 - 2 * PAGE_MARGIN_MM

CSS = f"""
@page {{ size: A4 portrait; margin: {PAGE_MARGIN_MM}mm; }}
* {{ box-sizing: border-box; }}
html {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
body {{ font-family: {FONT_STACK}; font-size: 10pt; line-height: 1.4; color: #000; margin: 0 auto;
       width: {PRINTABLE_WIDTH_MM}mm; max-width: 100%; }}
h1 {{ font-size: 15pt; margin: 0 0 2mm 0; }}
h2 {{ font-size: 12pt; margin: 5mm 0 1.5mm 0; break-after: avoid; page-break-after: avoid; }}
.meta {{ margin: 0; padding: 0; list-style: none; color: #333; }}
.meta li {{ display: inline; }}
.meta li + li::before {{ content: " · "; }}
.note {{ border: 0.4mm solid #000; padding: 1.5mm 2.5mm; margin: 3mm 0; font-weight: bold; }}
table {{ width: 100%; max-width: 100%; border-collapse: collapse; table-layout: auto; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; page-break-inside: avoid; }}
th, td {{ border: 0.25mm solid #555; padding: 1mm 1.5mm; vertical-align: top; text-align: left;
          white-space: normal; overflow-wrap: anywhere; word-break: normal; }}
th {{ background: #eee; font-weight: bold; }}
th.running {{ background: #fff; font-weight: normal; color: #333; border-width: 0 0 0.25mm 0; padding-left: 0; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; overflow-wrap: normal; }}
p.empty {{ color: #333; }}
@media print {{ body {{ width: auto; }} }}
"""

# a cell that reads as a number (1,234.56 · -12.30% · 3 户 · +1.5 箱): right-aligned as numbers are, and never
# broken across lines (a short one: a column of numbers this long would not fit the page unbroken)
_NUMBER = re.compile(r"^[+\-−]?[\d,]+(\.\d+)?\s*(%|[^\d\s]{1,3})?$")
NUMBER_MAX_CHARS = 16


def _text(value: object) -> str:
    """A value as escaped text; missing reads as formats.MISSING."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    return html.escape(str(value), quote=True)


def _is_number_column(values: pd.Series) -> bool:
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return True
    present = [str(v) for v in values if v is not None and v is not pd.NA and str(v) not in ("", MISSING)
               and not (isinstance(v, float) and math.isnan(v))]
    return bool(present) and all(len(v) <= NUMBER_MAX_CHARS and _NUMBER.match(v.strip()) for v in present)


#: a text column's least width, in em of the table's type: its longest value (and header) up to
#: MIN_COLUMN_EM, so a name of up to seven characters stays on one line, whatever a long sentence
#: beside it asks; the text columns' least widths together stay within TEXT_MIN_BUDGET_EM of the
#: page's ~51 em (180 mm at 10 pt), which leaves room for the numbers and the cells' padding
MIN_COLUMN_EM = 7.0
TEXT_MIN_BUDGET_EM = 36.0


def _ems(text: str) -> float:
    """A text's width in em: a Chinese (full-width) character one, a Latin letter or digit about half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def _least_widths(frame: pd.DataFrame, numeric: list[bool]) -> list[float | None]:
    """Each text column's least width in em (None for a number column: it is never broken anyway).
    Without one, CJK text may break between any two characters, and the table's automatic layout
    gives a long sentence the width and squeezes a name beside it to one character a line."""
    text = [j for j, n in enumerate(numeric) if not n]
    cap = min(MIN_COLUMN_EM, TEXT_MIN_BUDGET_EM / max(1, len(text)))
    widths: list[float | None] = [None] * len(numeric)
    for j in text:
        values = [str(frame.columns[j])] + [str(v) for v in frame.iloc[:, j] if v is not None and v is not pd.NA]
        widths[j] = round(min(cap, max(_ems(v) for v in values)), 2)
    return widths


def _table(title: str, heading: str, frame: pd.DataFrame) -> str:
    columns = [str(c) for c in frame.columns]
    numeric = [_is_number_column(frame.iloc[:, j]) for j in range(len(columns))]
    running = f'<tr><th class="running" colspan="{len(columns)}">{_text(title)} · {_text(heading)}</th></tr>'
    # a block of the least width inside the header cell sets its column's least width (a table cell's
    # own min-width is not honoured by every browser's table layout)
    least = _least_widths(frame, numeric)
    head = "<tr>" + "".join(f'<th scope="col"><div style="min-width: {w}em">{_text(c)}</div></th>' if w else
                            f'<th scope="col">{_text(c)}</th>' for c, w in zip(columns, least, strict=True)) + "</tr>"
    rows = []
    for row in frame.itertuples(index=False):
        cells = "".join(f'<td class="num">{_text(v)}</td>' if numeric[j] else f"<td>{_text(v)}</td>" for j, v in enumerate(row))
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead>{running}{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def html_page(title: str, meta: list[str], sections: list[tuple[str, pd.DataFrame]], note: str, lang: str) -> str:
    """A self-contained A4 portrait HTML document: `title`, the `meta` lines (scope, period, as-of …),
    the `note` in a box, then each (heading, frame) section as a table whose header repeats on every
    printed page (an empty frame reads as —). Frames come labelled and formatted; every value is escaped."""
    doc_lang = "zh-CN" if lang == "zh" else "en"
    parts = [f"<h1>{_text(title)}</h1>"]
    if meta:
        parts.append('<ul class="meta">' + "".join(f"<li>{_text(m)}</li>" for m in meta) + "</ul>")
    if note:
        parts.append(f'<p class="note">{_text(note)}</p>')
    for heading, frame in sections:
        parts.append(f"<section><h2>{_text(heading)}</h2>")
        parts.append(_table(title, heading, frame) if len(frame) else f'<p class="empty">{MISSING}</p>')
        parts.append("</section>")
    return (f'<!DOCTYPE html>\n<html lang="{doc_lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_text(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            + "\n".join(parts) + "\n</body>\n</html>\n")
