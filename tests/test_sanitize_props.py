"""Property tests: ingest never crashes on odd input and never lets active content through."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from itertools import pairwise

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanshelf.errors import InputError
from fanshelf.ingest import read_post, sanitize_html
from fanshelf.model import Line

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_DANGEROUS_TAG_RE = re.compile(
    r"<\s*/?\s*(?:script|iframe|style|object|embed|svg|math|frame|meta|link|base)\b", re.I
)
_TAG_RE = re.compile(r"<[^>]*>")
_UNQUOTABLE_RE = re.compile(r"[\s>\"'=<`]")
_QUOTED_RE = re.compile(r"\"[^\"]*\"|'[^']*'")
_EVENT_ATTR_RE = re.compile(r"\son\w+\s*=", re.I)
_URL_STRIP_RE = re.compile(r"[\x00-\x20\x7f]+")
_BAD_SCHEMES = ("javascript:", "vbscript:", "data:")


class _AttrCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attrs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs.extend((tag, name, value or "") for name, value in attrs)


def assert_safe(markup: str) -> None:
    assert not _DANGEROUS_TAG_RE.search(markup), markup
    for tag in _TAG_RE.findall(markup):  # quoted values are text (a title may mention "onload=")
        assert not _EVENT_ATTR_RE.search(_QUOTED_RE.sub('""', tag)), markup
    collector = _AttrCollector()
    collector.feed(markup)
    collector.close()
    for tag, name, value in collector.attrs:  # values come back entity-decoded
        assert not name.startswith("on"), markup
        assert name not in ("style", "class", "srcdoc", "formaction", "xlink:href"), markup
        assert tag in {"a", "img"} or name == "", markup
        probe = _URL_STRIP_RE.sub("", value).lower()
        if name in ("href", "src"):
            assert not probe.startswith(_BAD_SCHEMES), markup
        if tag == "img" and name == "src":
            assert probe.startswith(("http://", "https://")), markup


def assert_line_invariants(lines: list[Line], is_html: bool) -> None:
    for line in lines:
        assert_safe(line.html)
        if line.origin == "body" and is_html:
            assert line.text == " ".join(line.text.split())
    if is_html:
        body = [line for line in lines if line.origin == "body"]
        if body and len(body) < len(lines):  # header comment lines come first, then one paragraph break
            assert lines[len(lines) - len(body)] == Line("")
            body = body[1:]
        assert not any(a == Line("") and b == Line("") for a, b in pairwise(body))
        if body:
            assert body[0] != Line("") and body[-1] != Line("")


# --------------------------------------------------------------------------------------------------
# strategies
# --------------------------------------------------------------------------------------------------

_SCHEMES = st.sampled_from([
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "java&#115;cript:alert(1)", "&#106;avascript:x()",
    "&#x6A;avascript:x()", "jav&#x09;ascript:x()", "jav\tascript:x()", " javascript:x()", "java\nscript:x",
    "vbscript:msgbox(1)", "data:text/html;base64,PHNjcmlwdD4=", "DATA:image/svg+xml,<svg onload=x>",
    "http://example.com/", "https://x.livejournal.com/", "https://some-one.livejournal.com/12.html",
    "/relative", "#anchor", "mailto:a@b.c", "x", "", "&quot;><script>x()</script>",
])  # fmt: skip
_TAG_NAMES = st.sampled_from([
    "p", "div", "b", "i", "em", "strong", "span", "a", "img", "br", "hr", "h1", "h3", "li", "ul",
    "blockquote", "pre", "table", "tr", "td", "lj-cut", "lj", "user", "script", "style", "iframe",
    "svg", "math", "object", "embed", "noscript", "template", "title", "head", "body", "font", "center",
    "textarea", "xmp", "select", "marquee",
])  # fmt: skip
_ATTR_NAMES = st.sampled_from([
    "href", "src", "onclick", "onerror", "onload", "ONMOUSEOVER", "style", "class", "lj:user", "user",
    "comm", "name", "alt", "title", "width", "srcdoc", "formaction", "xlink:href", "text",
])  # fmt: skip


@st.composite
def _tag(draw: st.DrawFn) -> str:
    name = draw(_TAG_NAMES)
    if draw(st.booleans()) and draw(st.booleans()):
        return f"</{name}>"
    attrs = []
    for _ in range(draw(st.integers(0, 3))):
        attr = draw(_ATTR_NAMES)
        value = draw(st.one_of(_SCHEMES, st.text(max_size=8)))
        quote = draw(st.sampled_from(['"', "'", ""]))
        value = value.replace(quote, "") if quote else (_UNQUOTABLE_RE.sub("", value) or "x")
        attrs.append(f" {attr}={quote}{value}{quote}")
    close = draw(st.sampled_from([">", " />", "/>", ""]))
    return f"<{name}{''.join(attrs)}{close}"


_FRAGMENTS = st.sampled_from([
    "<script>alert(1)</script>", "<SCRIPT SRC=//x.js></SCRIPT>", "<scr<script>ipt>alert(1)</script>",
    '<a href="javascript:alert(1)">x</a>', '<a href="java&#115;cript:alert(1)">x</a>',
    "<img src=x onerror=alert(1)>", '<img src="javascript:x">', "<iframe src=//evil></iframe>",
    "<svg onload=alert(1)>", "<svg><script>x</script></svg>", '<p onclick="x()">p</p>',
    "<style>body{}</style>", "<style>", "<script>", "<iframe>", "<!--", "-->", "<!-- a: b c: d -->",
    "<!-- STORYINFO title: x fandom: y -->", "<![CDATA[x]]>", "<!DOCTYPE html>", "<?xml x?>",
    '<span class="ljuser" lj:user="bob">', "</span>", "<lj user=\"eve\">", '<a name="cutid1">',
    "<br><br>", "<hr>", "&lt;script&gt;", "&amp;", "&#0;", "&#xD800;", "&#1114112;", "&", "<", ">",
    "<3", "<grin>", "\x00", "\r\n", "\u00a0", "<a href='x' onmouseover='y'>", "<math><mi xlink:href=x>",
    "<object data=x>", "<embed src=x>", "<noscript><p title=\"</noscript><img src=x onerror=y>\">",
    "<template><script>x</script></template>", "<textarea><script>x</script></textarea>",
    "<b><i><u>", "</i></b>", "<p>", "</p>", "<div style='background:url(javascript:x)'>",
])  # fmt: skip

_HTML = st.lists(
    st.one_of(st.text(max_size=15), _FRAGMENTS, _tag()),
    max_size=30,
).map("".join)


# --------------------------------------------------------------------------------------------------
# properties
# --------------------------------------------------------------------------------------------------


@SETTINGS
@given(st.binary(max_size=3000))
def test_bytes_only_ever_raise_input_error(data: bytes) -> None:
    try:
        post = read_post(data)
    except InputError:
        return
    assert_line_invariants(post.lines, post.is_html)


@SETTINGS
@given(st.text(max_size=3000))
def test_text_never_raises(text: str) -> None:
    post = read_post(text)
    assert_line_invariants(post.lines, post.is_html)


@SETTINGS
@given(_HTML)
def test_html_output_is_safe(markup: str) -> None:
    post = read_post(markup)
    assert_line_invariants(post.lines, post.is_html)
    assert_safe(sanitize_html(markup))


@SETTINGS
@given(_HTML)
def test_html_bytes_output_is_safe(markup: str) -> None:
    data = markup.encode("utf-8", errors="surrogatepass")
    try:
        post = read_post(data)
    except InputError:
        return
    assert_line_invariants(post.lines, post.is_html)


@SETTINGS
@given(_HTML)
def test_sanitize_html_twice_is_safe(markup: str) -> None:
    once = sanitize_html(markup)
    assert_safe(once)
    assert_safe(sanitize_html(once))
