"""The text of each page of a PDF that Chromium printed (tests/test_visits_browser.py), without a PDF
library: Skia writes each page's text as hex strings in font encodings whose ToUnicode maps say which
characters they are. Enough for Chromium's own output, not a general PDF reader."""
from __future__ import annotations

import re
import unicodedata
import zlib

_HEADER = re.compile(rb"(\d+) 0 obj")
_BODY = re.compile(rb"stream\r?\n|endobj")


def _objects(data: bytes) -> dict[int, bytes]:
    """Each object's bytes; a stream's data cut by its /Length (binary data may hold any bytes)."""
    out, pos = {}, 0
    while (m := _HEADER.search(data, pos)) is not None:
        body = _BODY.search(data, m.end())
        if body.group().startswith(b"stream"):
            length = int(re.search(rb"/Length (\d+)", data[m.end():body.start()]).group(1))
            out[int(m.group(1))], pos = data[m.end():body.end() + length], body.end() + length
        else:
            out[int(m.group(1))], pos = data[m.end():body.start()], body.end()
    return out


def _stream(obj: bytes) -> bytes:
    data = obj[re.search(rb"stream\r?\n", obj).end():]
    return zlib.decompress(data) if b"/FlateDecode" in obj else data


def _to_unicode(cmap: bytes) -> tuple[int, dict[int, str]]:
    """A ToUnicode CMap: its code width in bytes and code -> text."""
    width = len(re.search(rb"begincodespacerange\s*<([0-9A-Fa-f]+)>", cmap).group(1)) // 2
    table: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            table[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            for k, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                table[code] = chr(int(text, 16) + k)
    return width, table


#: a CJK font shares some glyphs between an ideograph and its radical (片 and ⽚, 食 and ⻝), and its
#: ToUnicode map names the radical: page_texts writes such a character as this, and `holds` lets it stand for
#: any ideograph
RADICAL = "\ufffd"
_RADICALS = re.compile("[\u2e80-\u2fdf]")
_DASHES = re.compile("[\u2010-\u2015]")  # the font's one dash glyph is named a figure dash


def page_texts(data: bytes) -> list[str]:
    """The text of each page in order, NFKC-normalised (full-width punctuation as ASCII), radicals as
    RADICAL, with a line break after each text object."""
    objs = _objects(data)
    order: list[int] = []

    def walk(n: int) -> None:
        if b"/Type /Pages" in objs[n]:
            for kid in re.findall(rb"(\d+) 0 R", re.search(rb"/Kids \[(.*?)\]", objs[n], re.S).group(1)):
                walk(int(kid))
        else:
            order.append(n)

    walk(next(n for n, o in objs.items() if b"/Type /Pages" in o and b"/Parent" not in o))
    maps: dict[int, tuple[int, dict[int, str]]] = {}
    out = []
    for n in order:
        page = objs[n]
        fonts = {name: int(ref) for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", re.search(rb"/Font <<(.*?)>>", page, re.S).group(1))}
        contents = re.findall(rb"(\d+) 0 R", re.search(rb"/Contents (\[.*?\]|\d+ 0 R)", page, re.S).group(1))
        ops = b"".join(_stream(objs[int(c)]) for c in contents)
        chars: list[str] = []
        font = None
        for tok in re.finditer(rb"/(F\d+) [\d.]+ Tf|<([0-9A-Fa-f]*)>|\bET\b", ops):
            if tok.group(1):
                ref = fonts[tok.group(1)]
                if ref not in maps:
                    maps[ref] = _to_unicode(_stream(objs[int(re.search(rb"/ToUnicode (\d+) 0 R", objs[ref]).group(1))]))
                font = maps[ref]
            elif tok.group(2) is not None and font is not None:
                width, table = font
                raw = bytes.fromhex(tok.group(2).decode())
                chars += [table.get(int.from_bytes(raw[i:i + width], "big"), "") for i in range(0, len(raw), width)]
            elif tok.group() == b"ET":
                chars.append("\n")
        out.append(unicodedata.normalize("NFKC", _RADICALS.sub(RADICAL, "".join(chars))))
    return out


def media_boxes(data: bytes) -> list[tuple[float, ...]]:
    """Each page's size in points (/MediaBox)."""
    return [tuple(float(v) for v in m.split()) for m in re.findall(rb"/MediaBox \[([^\]]*)\]", data)]


def _squeeze(text: str) -> str:
    return _DASHES.sub("-", re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)))


def _pattern(expected: str) -> str:
    """`expected` as a pattern over squeezed page text: each ideograph may be written as a radical."""
    return "".join(f"[{ch}{RADICAL}]" if "\u4e00" <= ch <= "\u9fff" else re.escape(ch) for ch in _squeeze(expected))


def holds(text: str, expected: str) -> bool:
    """Whether page text holds `expected`, wherever the printer broke its lines (white space ignored)."""
    return re.search(_pattern(expected), _squeeze(text)) is not None


def starts_with(text: str, expected: str) -> bool:
    return re.match(_pattern(expected), _squeeze(text)) is not None
