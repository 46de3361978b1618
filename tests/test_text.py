"""analytics/text.py: the one place that decides how text from uploads is shown in Markdown. Every name
must come out as the same characters, never as a link, an image, a colour, math, a heading or a list."""
import random
import re
import string

from analytics.text import WORD_JOINER, md_code, md_escape, plotly_escape

# names an analyst's file, sheet or master data may carry (the probe first)
NASTY = [
    "报表[说明](https://example.invalid/login)`![t](http://127.0.0.1:9/t.png)`.csv",
    "``` ![x](http://127.0.0.1:9/x.png) ```",
    "<img src=http://127.0.0.1:9/i.png onerror=alert(1)><b>粗</b>",
    ":red[红字] :material/home: $x^2$ $$y$$ **粗** _斜_ ~~删~~",
    "# 标题\n- 列表\n1. 编号\n> 引用\n\n    代码\n===",
    "www.example.invalid user@example.invalid https://example.invalid &lt;b&gt; &#x41;",
    "名称\u202egpj.csv\u2066\u2069\u200f",
    "[ref]: https://example.invalid\n[ref]",
    "反斜杠\\[不是链接](x)\\",
    "很长" * 2000,
]


def _unescape(md: str) -> str:
    """What CommonMark shows for text in which md_escape left only escapes and plain characters."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", md).replace(WORD_JOINER, "")


def test_every_ascii_punctuation_mark_is_escaped_so_no_markdown_construct_can_start():
    for name in NASTY:
        out = md_escape(name)
        # every punctuation character is preceded by a backslash that is itself not escaped
        assert re.fullmatch(r"(?:\\[!-/:-@\[-`{-~]|[^!-/:-@\[-`{-~\n\r])*", out), (name, out)


def test_escaped_text_reads_as_the_same_characters_on_one_line():
    for name in NASTY:
        shown = _unescape(md_escape(name))
        assert "\n" not in shown and "\r" not in shown
        # line breaks become spaces and direction overrides (which can make "gpj.csv" read as "vsc.jpg") go
        expected = re.sub(r"[\r\n]+", " ", name).translate({c: None for c in (0x202E, 0x2066, 0x2069, 0x200F)})
        assert shown == expected


def test_bare_addresses_are_not_linked():
    """GFM links https://…, www.… and a@b.c even when escaped: after resolving escapes none of them is left."""
    for name in NASTY + ["HTTPS://X.Y", "Www.x.cn", "mailto:a@b.cn", "ftp://x"]:
        text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", md_escape(name))  # the text node GFM searches
        assert not re.search(r"(?i)(https?://|www\.|[-.\w+]@[-\w]+\.\w)", text), (name, text)


def test_random_strings_never_leave_an_unescaped_mark():
    rng = random.Random(10)
    alphabet = string.printable + "片区报表\u202e\u2028·：【】"
    for _ in range(3000):
        name = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        out = md_escape(name)
        assert re.fullmatch(r"(?:\\[!-/:-@\[-`{-~]|[^!-/:-@\[-`{-~\n\r\x0b\x0c\u2028\u2029])*", out), (name, out)


def test_a_code_span_cannot_be_closed_by_backticks_in_the_name():
    for name in NASTY + ["`", "``", "a`b``c```d", "`start", "end`"]:
        span = md_code(name)
        run = max((len(m) for m in re.findall(r"`+", name)), default=0)
        fence = re.match(r"`+", span).group()
        assert len(fence) > run and span.endswith(fence)
        inner = span[len(fence):-len(fence)]
        # CommonMark strips one space each side when both are there; the rest is shown as is
        if inner.startswith(" ") and inner.endswith(" ") and inner.strip(" "):
            inner = inner[1:-1]
        assert "\n" not in inner and inner == re.sub(r"[\r\n]+", " ", name).translate(
            {c: None for c in (0x202E, 0x2066, 0x2069, 0x200F)})


def test_plotly_labels_keep_tags_literal():
    assert plotly_escape("<a href='x'>y</a> & z") == "&lt;a href='x'&gt;y&lt;/a&gt; &amp; z"
