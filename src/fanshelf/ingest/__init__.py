"""Bytes in, :class:`~fanshelf.model.RawPost` out.

:func:`read_posts` reads a whole file of any supported format (sniffed from its content: saved
journal pages, LJ/DW XML exports, front matter, AO3 downloads, EPUBs, eFiction pages, Fanshelf JSON;
see ``docs/formats.md``) into the posts in it; :func:`read_post` reads one plain text or HTML post.

``ingest`` decodes a post (BOMs, UTF-8, Windows-1252, Latin-1), refuses binary and oversized input,
and turns plain text or HTML into a list of :class:`~fanshelf.model.Line` objects:

* plain text gives one ``Line`` per text line (a blank line is a ``Line("")``; a final newline does
  not add one); YAML front matter (``---`` ... ``---``/``...`` at the very top) is kept as written;
* in HTML a ``Line("")`` (empty ``text``, no flags) is a paragraph break; there are never two in a
  row and never one at the start or the end; header-comment lines (``origin="comment"``) come first,
  followed by one ``Line("")`` when there is a body;
* ``rule=True`` marks a horizontal rule (``<hr>`` gives ``Line("---", "<hr>", rule=True)``, plain text
  keeps the rule as written, e.g. ``Line("* * *", "* * *", rule=True)``);
* ``cut=True`` marks an LJ cut: ``Line("", cut=True)`` for ``<lj-cut>`` / ``<a name="cutid1">``, and
  the line as written for ``( Read more... )``-style text;
* ``heading=True`` marks text from ``<h1>``..``<h6>``;
* ``origin="comment"`` marks lines taken from a header in an HTML comment (``<!-- STORYINFO ... -->``).

Every ``Line.html`` is safe to show to a reader: it went through the :func:`sanitize_html` allowlist
(inline tags only).
"""

from __future__ import annotations

import codecs
import html
import os
import re
from collections import Counter
from html.parser import HTMLParser
from itertools import islice
from urllib.parse import urlsplit

import nh3

from fanshelf.errors import InputError, InputTooLarge
from fanshelf.model import Line, RawPost

__all__ = [
    "MAX_POST_BYTES",
    "META_KEYS",
    "BrokenFile",
    "ReadOptions",
    "UnsafeInput",
    "decode",
    "looks_like_html",
    "read_bytes",
    "read_file",
    "read_post",
    "read_posts",
    "sanitize_html",
]

MAX_POST_BYTES = 20 * 1024 * 1024
_MIB = 1024 * 1024

# --------------------------------------------------------------------------------------------------
# Sanitizing
# --------------------------------------------------------------------------------------------------

_INLINE_TAGS = frozenset(
    {
        "a", "abbr", "b", "strong", "i", "em", "u", "s", "strike", "del", "ins", "sub", "sup",
        "small", "span", "code", "q", "cite", "mark", "img",
    }
)  # fmt: skip
_BLOCK_TAGS_ALLOWED = frozenset(
    {"p", "br", "hr", "blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "div"}
)
_ALLOWED_ATTRS: dict[str, set[str]] = {
    "*": set(),  # no generic attributes (nh3 would keep title and lang everywhere by default)
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
}
_CLEAN_CONTENT_TAGS = {
    "script", "style", "iframe", "object", "embed", "noscript", "template", "title", "textarea",
    "noembed", "noframes", "xmp", "svg", "math", "head",
}  # fmt: skip


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if tag == "img" and attr == "src":
        v = value.strip().lower()
        return value if v.startswith(("http://", "https://")) else None
    return value


def _make_cleaner(tags: frozenset[str]) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(tags),
        clean_content_tags=set(_CLEAN_CONTENT_TAGS),
        attributes={k: set(v) for k, v in _ALLOWED_ATTRS.items()},
        attribute_filter=_attribute_filter,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener",
        strip_comments=True,
    )


_INLINE_CLEANER = _make_cleaner(_INLINE_TAGS)
_BLOCK_CLEANER = _make_cleaner(_INLINE_TAGS | _BLOCK_TAGS_ALLOWED)


def sanitize_html(fragment: str) -> str:
    """Sanitize an HTML fragment for showing to a reader (block and inline tags allowed).

    Allowed: p, br, hr, blockquote, ul, ol, li, h1-h6, pre, div and the inline tags (a, abbr, b, strong,
    i, em, u, s, strike, del, ins, sub, sup, small, span, code, q, cite, mark, img). ``a`` keeps
    ``href`` (http, https, mailto, relative, #anchor) and ``title`` and gets ``rel="nofollow noopener"``;
    ``img`` keeps ``src`` (http/https only), ``alt``, ``width``, ``height``. Nothing else: no style,
    class or event-handler attributes; script/style/iframe... are removed with their content.
    """
    return _BLOCK_CLEANER.clean(fragment)


def _sanitize_inline(fragment: str) -> str:
    return _INLINE_CLEANER.clean(fragment)


# --------------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------------

_CP1252_UNDEFINED = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})


def _latin1_fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return bytes(bad).decode("latin-1"), exc.end


codecs.register_error("fanshelf-latin1", _latin1_fallback)


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """For a UTF-8 decode: decode the offending byte as Windows-1252 (Latin-1 where undefined)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = bytes(exc.object[exc.start : exc.start + 1])
    return bad.decode("cp1252", errors="fanshelf-latin1"), exc.start + 1


codecs.register_error("fanshelf-cp1252", _cp1252_fallback)

# C0 controls except \t \n \f \r, DEL, and the C1 controls: removed from every decoded text.
_CONTROL_CHARS = [c for c in range(0x20) if c not in (0x09, 0x0A, 0x0C, 0x0D)] + list(range(0x7F, 0xA0))
# regular expressions, not str.translate: a scan with no match is far faster on long texts
_CONTROL_RE = re.compile("[" + "".join(f"\\x{c:02x}" for c in _CONTROL_CHARS) + "]")
_CONTROL_OR_REPLACEMENT_RE = re.compile("[" + "".join(f"\\x{c:02x}" for c in _CONTROL_CHARS) + "\ufffd]")

_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE
)
_XML_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{1,40})""")


_NOT_PAGE_ENCODINGS = frozenset(
    {"idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined", "charmap", "mbcs", "oem"}
)


def _declared_charset(data: bytes) -> str | None:
    head = data[:4096]
    m = _XML_ENCODING_RE.match(head) or _META_CHARSET_RE.search(head)
    if not m:
        return None
    name = m.group(1).decode("ascii", "replace")
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    if info.name.startswith("utf"):
        return "utf-8"  # as browsers do: a byte-oriented page declaring UTF-16 is not UTF-16
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_PAGE_ENCODINGS:
        return None
    return info.name


def _cp1252_or_latin1(data: bytes) -> tuple[str, str]:
    if any(0x80 <= b <= 0x9F and b not in _CP1252_UNDEFINED for b in data.translate(None, _NOT_C1_BYTES)):
        return data.decode("cp1252", errors="fanshelf-latin1"), "windows-1252"
    return data.decode("latin-1"), "iso-8859-1"


# bytes.translate deletion table: every byte outside 0x80-0x9F (so only C1-range bytes remain).
_NOT_C1_BYTES = bytes(b for b in range(256) if not 0x80 <= b <= 0x9F)


def _looks_utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 16:
        return None
    half = len(sample) // 2
    even_nul, odd_nul = sample[0::2].count(0), sample[1::2].count(0)
    if odd_nul > 0.4 * half and even_nul < 0.05 * half:
        return "utf-16-le"
    if even_nul > 0.4 * half and odd_nul < 0.05 * half:
        return "utf-16-be"
    return None


def _decode_raw(data: bytes) -> tuple[str, str, list[str]]:
    """Decode without cleaning: (text, encoding name, warnings)."""
    warnings: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="fanshelf-cp1252"), "utf-8", warnings
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return data.decode("utf-32", errors="replace"), "utf-32", warnings
    if data.startswith(codecs.BOM_UTF16_LE):
        return data[2:].decode("utf-16-le", errors="replace"), "utf-16-le", warnings
    if data.startswith(codecs.BOM_UTF16_BE):
        return data[2:].decode("utf-16-be", errors="replace"), "utf-16-be", warnings
    try:
        return data.decode("utf-8"), "utf-8", warnings
    except UnicodeDecodeError:
        pass
    utf16 = _looks_utf16_without_bom(data)
    if utf16:
        warnings.append(f"decoded as {utf16} (no byte order mark)")
        return data.decode(utf16, errors="replace"), utf16, warnings

    declared = _declared_charset(data)
    if declared and declared not in ("utf-8", "latin-1", "iso8859-1", "ascii", "cp1252"):
        # A declared legacy encoding (e.g. koi8-r, shift_jis) wins once UTF-8 has failed.
        try:
            text = data.decode(declared, errors="replace")
        except Exception:  # a codec that cannot decode bytes after all: ignore the declaration
            text = ""
        else:
            warnings.append(f"decoded as {declared} (declared in the document)")
            return text, declared, warnings

    # Mostly UTF-8 with a few stray legacy bytes (copy-pasted from Word)? Keep the UTF-8.
    escaped = data.decode("utf-8", errors="surrogateescape")
    n_bad = len(_SURROGATE_RE.findall(escaped))
    n_multibyte = len(escaped) - len(escaped.encode("ascii", errors="ignore")) - n_bad
    if declared == "utf-8" or (declared is None and n_multibyte > n_bad):
        warnings.append(f"{n_bad} byte(s) that are not valid UTF-8 decoded as windows-1252")
        return data.decode("utf-8", errors="fanshelf-cp1252"), "utf-8", warnings

    text, name = _cp1252_or_latin1(data)
    warnings.append(f"decoded as {name}")
    return text, name, warnings


_SURROGATE_RE = re.compile("[\udc80-\udcff]")


def _clean_text(text: str, warnings: list[str]) -> str:
    nul = text.count("\x00")
    cleaned = _CONTROL_RE.sub("", text) if _CONTROL_RE.search(text) else text
    if nul:
        warnings.append(f"{nul} NUL byte(s) removed")
    other = len(text) - len(cleaned) - nul
    if other:
        warnings.append(f"{other} control character(s) removed")
    if "\r" in cleaned:
        cleaned = cleaned.replace("\r\n", "\n").replace("\r", "\n")
    if "\u2028" in cleaned or "\u2029" in cleaned:
        cleaned = cleaned.replace("\u2028", "\n").replace("\u2029", "\n\n")
    return cleaned


def decode(data: bytes) -> tuple[str, str]:
    """Decode a post: ``(text, encoding name)``. Never raises.

    Order: BOM (UTF-8, UTF-16/32 LE/BE) -> strict UTF-8 -> a ``<meta charset>`` / XML declaration
    (only once strict UTF-8 has failed) -> mostly-UTF-8 with stray Windows-1252 bytes -> Windows-1252
    (when bytes 0x80-0x9F are present; its 5 undefined bytes fall back to Latin-1) -> Latin-1.
    NUL and other control characters (except tab, newline, CR, form feed) are removed and newlines
    normalised to ``\\n``.
    """
    text, name, warnings = _decode_raw(data)
    return _clean_text(text, warnings), name


# --------------------------------------------------------------------------------------------------
# Sniffing
# --------------------------------------------------------------------------------------------------

_KNOWN_TAG_RE = re.compile(
    r"<(?:/?(?:p|br|b|i|u|s|em|strong|div|span|a|html|body|head|hr|lj-cut|lj|center|font|img|"
    r"blockquote|h[1-6]|ul|ol|li|table|tr|td|th|small|big|sub|sup|strike|del|ins|pre|code|tt|section|"
    r"article|header|footer|dd|dt|dl|meta|title|style|script|iframe|abbr|cite|q)(?:\s[^<>]*)?/?>|!--|!doctype)",
    re.IGNORECASE,
)
_STRONG_TAG_RE = re.compile(
    r"<(?:html|body|!doctype|br\s*/?>|p[\s>]|div[\s>]|lj-cut|lj\s+(?:user|comm)|a\s+href|span\s[^>]*ljuser|hr\s*/?>)",
    re.IGNORECASE,
)


def looks_like_html(text: str) -> bool:
    """True when ``text`` is HTML: real tags (``<p>``, ``<br>``, ``<b>``, ``<lj-cut>``...) in number.

    One structural tag (``<p>``, ``<br>``, ``<div>``, ``<html>``, ``<a href``, ``<lj-cut>``...) or two
    known tags of any kind are enough; ``<3`` and ``<grin>`` are not tags.
    """
    if "<" not in text:
        return False
    sample = text[:200_000]
    if _STRONG_TAG_RE.search(sample):
        return True
    return len(list(islice(_KNOWN_TAG_RE.finditer(sample), 2))) >= 2


_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"PK\x03\x04", "a ZIP archive (a .docx, .odt or .epub file is one too)"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"%PDF-", "a PDF document"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"BZh91AY&SY", "bzip2-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"(\xb5/\xfd", "zstd-compressed data"),
    (b"7z\xbc\xaf'\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document (.doc)"),
    (b"\x7fELF", "an executable"),
    (b"MZ\x90\x00", "an executable"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"{\\rtf", "an RTF document (save it as plain text or HTML first)"),
)


def _binary_kind(data: bytes) -> str | None:
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            return what
    if data.startswith(b"RIFF") and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return "a media file"
    return None


# --------------------------------------------------------------------------------------------------
# Plain text
# --------------------------------------------------------------------------------------------------

_RULE_RE = re.compile(
    r"""^(?:
        (?=.*[-*~_=#+•·×◊♦◆❖✿❀♥♡★☆|/\\])      # at least one rule char that is not a dot or colon
        [-*~_=#+•·×◊♦◆❖✿❀♥♡★☆|/\\.:<>\s]{3,}
      | (?:o0o|oOo|OoO|xXx|XxX|0o0)(?:\s*(?:o0o|oOo|OoO|xXx|XxX|0o0))*
    )$""",
    re.VERBOSE,
)
_CUT_RE = re.compile(
    r"""^[(\[{]\s*(?:
          read\s+more
        | cut\s+for\b
        | continued?\s+(?:reading|under|behind|below)
        | (?:click\s+)?(?:here\s+)?(?:to\s+)?read\s+(?:on|the|it|more|fic|story)\b
        | [^()\[\]{}]{0,40}\b(?:under|behind|below|beneath)\s+the\s+(?:lj-?)?cut\b
        | (?:the\s+)?(?:fic|story|drabble|ficlet)\s+(?:is\s+)?(?:here|below)\b
    )[^()\[\]{}]{0,60}[)\]}]$
    | ^\(\s.{1,60}?\s\)$""",
    re.VERBOSE | re.IGNORECASE,
)


# the characters a rule can begin with (besides whitespace): a cheap test before _RULE_RE
_RULE_FIRST = frozenset("-*~_=#+•·×◊♦◆❖✿❀♥♡★☆|/\\.:<>oOxX0")


def _is_rule(text: str) -> bool:
    first = text[:1]
    if not first or (first not in _RULE_FIRST and not first.isspace()):
        return False
    return len(text) <= 120 and bool(_RULE_RE.match(text)) and len(text.replace(" ", "")) >= 3


def _is_cut(text: str) -> bool:
    return len(text) <= 120 and text[:1] in "([{" and bool(_CUT_RE.match(text))


# a line that can sit inside YAML front matter: blank, indented, a list item, a comment or "key:".
_YAML_LINE_RE = re.compile(r"^(?:\s*$|\s|- |#|[^\s:#-][^:]{0,60}:(?:\s|$))")


def _plain_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    raw_lines = text.split("\n")
    if raw_lines[-1] == "":
        raw_lines.pop()  # the final newline ends the last line; it does not start another
    start = 0
    if raw_lines and raw_lines[0].rstrip() == "---":
        # YAML front matter: keep its lines as written (indentation matters), the parser reads them.
        for i in range(1, min(len(raw_lines), 500)):
            if raw_lines[i].rstrip() in ("---", "..."):
                if i == 1 or not all(_YAML_LINE_RE.match(raw) for raw in raw_lines[1:i]):
                    break  # a rule, some lines, a rule: not front matter
                for raw in raw_lines[: i + 1]:
                    kept = raw.rstrip()
                    lines.append(Line(kept, html.escape(kept)))
                start = i + 1
                break
    for raw in raw_lines[start:]:
        line = " ".join(raw.split())
        if not line:
            lines.append(Line(""))
            continue
        lines.append(Line(line, html.escape(line), rule=_is_rule(line), cut=_is_cut(line)))
    return lines


# --------------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------------

_PARA_BLOCKS = frozenset(
    {
        "p", "div", "li", "ul", "ol", "dl", "blockquote", "pre", "tr", "table", "thead", "tbody",
        "section", "article", "header", "footer", "nav", "aside", "main", "dd", "dt", "center",
        "address", "figure", "figcaption", "form", "fieldset", "details", "summary", "body", "html",
    }
)  # fmt: skip
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_DROP_CONTENT = frozenset(
    {
        "script", "style", "iframe", "object", "embed", "noscript", "template", "head", "title",
        "textarea", "noembed", "noframes", "xmp", "svg", "math", "select", "button", "applet",
        "lj-embed", "lj-poll", "lj-template", "audio", "video", "canvas", "map",
    }
)  # fmt: skip
_VOID_DROP = frozenset({"embed"})
_UNREPORTED_DROPS = frozenset({"head", "title"})  # normal document structure, nothing a person must know
_CELL_TAGS = frozenset({"td", "th"})
_EMIT_INLINE = _INLINE_TAGS - {"a", "img", "span"}  # bare <span>s (Word, styles) carry nothing
_MAX_OPEN_INLINE = 8

_JOURNAL_HOST_RE = re.compile(
    r"^([a-z0-9][a-z0-9_-]{0,40})\.(livejournal\.com|dreamwidth\.org|insanejournal\.com)$"
)
_JOURNAL_RESERVED = frozenset(
    {"www", "community", "users", "syndicated", "pics", "stat", "l-stat", "files", "status", "m",
     "userpic", "l-userpic", "p-userpic", "news", "feeds", "s", "v", "img", "imgprx", "ic", "shop"}
)  # fmt: skip
_JOURNAL_PATH_USER_RE = re.compile(r"^/(?:users|community|~)/([A-Za-z0-9_-]{1,40})(/.*)?$")
_JOURNAL_SUBPATH_USER_RE = re.compile(r"^/([A-Za-z0-9_-]{1,40})(/.*)?$")  # community.livejournal.com/NAME/
_PROFILE_PATHS = frozenset({"", "/", "/profile", "/profile/", "/info", "/info/"})
_USERINFO_PATHS = frozenset({"/userinfo.bml", "/profile", "/profile/", "/users/"})
_USER_QUERY_RE = re.compile(r"(?:^|&)user=([A-Za-z0-9_-]{1,40})(?:&|$)")
_SAFE_HREF_SCHEMES = frozenset({"http", "https", "mailto"})
_HREF_STRIP = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")

_HEADER_COMMENT_LABEL_RE = re.compile(r"(?:^|(?<=\s))[A-Za-z][A-Za-z'/ _-]{0,30}:(?!//)(?=\s|$)")
_COMMENT_TAG_WORD_RE = re.compile(r"^\s*[A-Z][A-Z_-]+(?![A-Za-z_-])(?!\s*:)\s*")


def _journal_user(href: str) -> tuple[str, bool] | None:
    """``(name, is_profile_link)`` for a link into an LJ-style journal site, else None."""
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if not host:
        return None
    m = _JOURNAL_HOST_RE.match(host)
    if not m:
        return None
    sub, path = m.group(1), parts.path
    if path in _USERINFO_PATHS and parts.query:  # www.livejournal.com/userinfo.bml?user=name
        qm = _USER_QUERY_RE.search(parts.query)
        return (qm.group(1).replace("-", "_"), True) if qm else None
    if sub in _JOURNAL_RESERVED:
        pm = (_JOURNAL_SUBPATH_USER_RE if sub in ("community", "users") else _JOURNAL_PATH_USER_RE).match(
            path
        )
        if not pm:
            return None
        rest = pm.group(2) or ""
        return pm.group(1).replace("-", "_"), rest in _PROFILE_PATHS and not parts.query
    return sub.replace("-", "_"), path in _PROFILE_PATHS and not parts.query


def _safe_href(href: str) -> bool:
    probe = _HREF_STRIP.sub("", href)
    m = _SCHEME_RE.match(probe)
    return m is None or m.group(1).lower() in _SAFE_HREF_SCHEMES


def _attr(name: str, value: str) -> str:
    return f' {name}="{html.escape(value, quote=True)}"'


class _PostHTMLParser(HTMLParser):
    def __init__(self, auto_br: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.auto_br = auto_br
        self.lines: list[Line] = []
        self.comment_lines: list[Line] = []
        self.links: list[str] = []
        self.removed: Counter[str] = Counter()
        self.unsafe_links = 0
        # the line being built
        self._text: list[str] = []
        self._html: list[str] = []
        self._fresh = True  # nothing emitted on this line yet (inline tags to reopen not written)
        self._has_img = False
        # inline tags open across lines: (tag, opening markup)
        self._open: list[tuple[str, str]] = []
        self._anchors: list[str] = []  # "out" | "none" | "hide"
        self._drop: list[str] = []  # open elements whose content is dropped
        self._hide_tag: str | None = None  # ljuser span / profile link being replaced by its name
        self._hide_depth = 0
        self._heading = 0
        self._pre = 0
        self._br_run = 0
        self._last_user: str | None = None

    # ---- line building -------------------------------------------------------------------------
    def _write(self, markup: str) -> None:
        if self._fresh:
            self._fresh = False
            for _, opening in self._open:
                self._html.append(opening)
        self._html.append(markup)

    def _add_text(self, data: str) -> None:
        if not data:
            return
        self._text.append(data)
        self._write(html.escape(data, quote=False))
        if not data.isspace():
            self._br_run = 0
            self._last_user = None

    def _end_line(self) -> None:
        if not self._text and not self._has_img:
            if not self._fresh:
                self._html = []
                self._fresh = True
            return
        text_raw = "".join(self._text)
        text = " ".join(text_raw.split())
        if text or self._has_img:
            markup = "".join(self._html)
            if not self._fresh:
                markup += "".join(f"</{tag}>" for tag, _ in reversed(self._open))
            markup = " ".join(markup.split())
            if "<" in markup:
                markup = _sanitize_inline(markup)
            self.lines.append(
                Line(text, markup, rule=_is_rule(text), cut=_is_cut(text), heading=self._heading > 0)
            )
        self._text = []
        self._html = []
        self._fresh = True
        self._has_img = False

    def _para_break(self) -> None:
        self._end_line()
        if self.lines and self.lines[-1] is not _PARA:
            self.lines.append(_PARA)

    def _br(self) -> None:
        has_content = bool("".join(self._text).strip()) or self._has_img
        if has_content:
            self._end_line()
            self._br_run = 1
        elif self._br_run >= 1:
            self._para_break()
            self._br_run += 1
        else:
            self._end_line()
            self._br_run = 1

    def updatepos(self, i: int, j: int) -> int:
        # HTMLParser keeps line/column numbers for error messages; nothing here uses them, and
        # counting newlines in every tag is a tenth of the parse time.
        return j

    # ---- HTMLParser callbacks ------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self_closing=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, self_closing=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], self_closing: bool) -> None:
        if self._drop:
            if tag == "body" and self._drop == ["head"]:
                self._drop.clear()
            else:
                if tag in _DROP_CONTENT:
                    self._count_removed(tag)
                    if not self_closing and tag not in _VOID_DROP:
                        self._drop.append(tag)
                return
        if tag in _DROP_CONTENT:
            self._count_removed(tag)
            if not self_closing and tag not in _VOID_DROP:
                self._drop.append(tag)
            return
        if self._hide_tag is not None:
            if tag == self._hide_tag:
                self._hide_depth += 1
                return
            if tag in _PARA_BLOCKS or tag in _HEADINGS or tag in ("br", "hr"):
                self._hide_tag = None  # a name link left open: stop hiding
                self._hide_depth = 0
            else:
                return
        a = dict(attrs)
        if tag == "span":
            user = (a.get("lj:user") or a.get("lj:comm") or "").strip()
            if user:
                self._journal_name(user, hide="span", self_closing=self_closing)
            # a class="ljuser" span without the attribute: its links name the user (see _start_anchor)
            return
        if tag in _EMIT_INLINE:
            if self_closing:
                return
            if len(self._open) >= _MAX_OPEN_INLINE or any(t == tag for t, _ in self._open):
                return  # <b> inside <b> adds nothing; runaway unclosed tags are capped
            opening = f"<{tag}>"
            self._write(opening)
            self._open.append((tag, opening))
            return
        if tag == "a":
            self._start_anchor(a, self_closing)
        elif tag == "br":
            self._br()
        elif tag in _PARA_BLOCKS:
            if tag == "pre":
                self._pre += 1
            self._para_break()
        elif tag in _HEADINGS:
            self._para_break()
            self._heading += 1
        elif tag == "hr":
            self._para_break()
            self.lines.append(_RULE)
            self.lines.append(_PARA)
        elif tag == "img":
            src = (a.get("src") or "").strip()
            if src.lower().startswith(("http://", "https://")):
                markup = "<img" + _attr("src", src)
                for name in ("alt", "width", "height"):
                    value = a.get(name)
                    if value:
                        markup += _attr(name, value)
                self._write(markup + ">")
                self._has_img = True
        elif tag in _CELL_TAGS:
            self._add_text(" ")
        elif tag == "lj-cut":
            self._cut()
        elif tag == "lj" or tag == "user":  # <lj user="x">, <lj comm="x">, Dreamwidth's <user name="x">
            user = (a.get("user") or a.get("comm") or a.get("name") or "").strip()
            if user:
                self._journal_name(user, hide=None, self_closing=True)

    def _count_removed(self, tag: str) -> None:
        if tag not in _UNREPORTED_DROPS:
            self.removed[tag] += 1

    def _cut(self) -> None:
        self._end_line()
        self._br_run = 0
        self.lines.append(_CUT)

    def _journal_name(self, name: str, hide: str | None, self_closing: bool) -> None:
        name = name.replace("-", "_") if "." not in name else name
        if name and name != self._last_user:
            self._add_text(name)
            self.links.append(name)
        self._last_user = name or None
        if hide and not self_closing:
            self._hide_tag = hide
            self._hide_depth = 1

    def _start_anchor(self, a: dict[str, str | None], self_closing: bool) -> None:
        name = (a.get("name") or a.get("id") or "").strip().lower()
        href = (a.get("href") or "").strip()
        if name.startswith("cutid"):
            self._cut()
        if not href:
            if not self_closing:
                self._anchors.append("none")
            return
        user = _journal_user(href)
        if user is not None:
            journal, is_profile = user
            if is_profile:
                self._journal_name(journal, hide=None, self_closing=True)
                if not self_closing:
                    self._anchors.append("hide")
                    self._hide_tag = "a"
                    self._hide_depth = 1
                return
            self.links.append(journal)
        if not _safe_href(href):
            self.unsafe_links += 1
            if not self_closing:
                self._anchors.append("none")
            return
        if self_closing:
            return
        markup = "<a" + _attr("href", href)
        title = a.get("title")
        if title:
            markup += _attr("title", title)
        markup += ">"
        self._write(markup)
        self._open.append(("a", markup))
        self._anchors.append("out")

    def handle_endtag(self, tag: str) -> None:
        if self._drop:
            if tag in self._drop:
                while self._drop and self._drop.pop() != tag:
                    pass
            return
        if self._hide_tag is not None:
            if tag == self._hide_tag:
                self._hide_depth -= 1
                if self._hide_depth <= 0:
                    self._hide_tag = None
                    if tag == "a" and self._anchors:
                        self._anchors.pop()
                return
            if not (tag in _PARA_BLOCKS or tag in _HEADINGS):
                return
            self._hide_tag = None
            self._hide_depth = 0
        if tag in _EMIT_INLINE:
            self._close_inline(tag)
        elif tag == "a":
            kind = self._anchors.pop() if self._anchors else "none"
            if kind == "out":
                self._close_inline("a")
        elif tag in _PARA_BLOCKS:
            if tag == "pre" and self._pre:
                self._pre -= 1
            self._para_break()
        elif tag in _HEADINGS:
            self._end_line()
            if self._heading:
                self._heading -= 1
            self._para_break()
        elif tag == "br":  # </br> is read as <br> by browsers
            self._br()
        elif tag in _CELL_TAGS:
            self._add_text(" ")

    def _close_inline(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                closing = self._open[i:]
                del self._open[i:]
                if not self._fresh:
                    self._html.extend(f"</{t}>" for t, _ in reversed(closing))
                # tags opened after it and still open stay open (mis-nested markup)
                for t, opening in closing[1:]:
                    self._open.append((t, opening))
                    if not self._fresh:
                        self._html.append(opening)
                return

    def handle_data(self, data: str) -> None:
        if self._drop or self._hide_tag is not None:
            return
        if (self.auto_br or self._pre) and "\n" in data:
            first = True
            for piece in data.split("\n"):
                if not first:
                    self._br()
                first = False
                self._add_text(piece)
            return
        self._add_text(data)

    def handle_comment(self, data: str) -> None:
        if self._drop and self._drop != ["head"]:
            return
        if len(_HEADER_COMMENT_LABEL_RE.findall(data, 0, 20_000)) < 2:
            return
        body = _COMMENT_TAG_WORD_RE.sub("", data, count=1)
        for raw in body.split("\n"):
            text = " ".join(raw.split())
            if text:
                self.comment_lines.append(Line(text, html.escape(text), origin="comment"))

    def finish(self) -> list[Line]:
        self.close()
        self._end_line()
        body = self.lines
        while body and body[-1] is _PARA:
            body.pop()
        start = 0
        while start < len(body) and body[start] is _PARA:
            start += 1
        body = body[start:]
        if self.comment_lines:
            return [*self.comment_lines, _PARA, *body] if body else list(self.comment_lines)
        return body


_PARA = Line("")
_RULE = Line("---", "<hr>", rule=True)
_CUT = Line("", cut=True)

_BREAK_TAG_RE = re.compile(
    r"<(?:br|p|div|li|tr|h[1-6]|blockquote|pre|table|hr|center|section|article)(?=[\s/>])", re.IGNORECASE
)


def _wants_auto_br(text: str) -> bool:
    """LiveJournal 'auto-format' posts: a few inline tags, newlines for line breaks."""
    breaks = len(list(islice(_BREAK_TAG_RE.finditer(text), 3)))
    if breaks > 2:
        return False
    return breaks == 0 or text.count("\n") >= 10


_TAG_STRIP_RE = re.compile(r"<[^>]*>")


def _html_lines(text: str, warnings: list[str], links: list[str]) -> list[Line]:
    parser = _PostHTMLParser(auto_br=_wants_auto_br(text))
    # html.parser re-scans to the end of the input for every construct that is never closed
    # (quadratic: 100 KB of "<a " or "<!--x>" took seconds), so make those text up front:
    # nothing after the last "-->" can open a comment, nothing after the last ">" can be a tag.
    last = text.rfind("-->")
    if text.find("<!--", last + 1) >= 0:
        text = text[: last + 1] + text[last + 1 :].replace("<!--", "&lt;!--")
    last = text.rfind(">")
    if text.find("<", last + 1) >= 0:
        text = text[: last + 1] + text[last + 1 :].replace("<", "&lt;")
    try:
        parser.feed(text)
        lines = parser.finish()
    except Exception as exc:  # html.parser has had odd failures on broken markup; degrade, never crash
        warnings.append(f"HTML could not be parsed ({type(exc).__name__}); tags were stripped")
        return _plain_lines(html.unescape(_TAG_STRIP_RE.sub("\n", text)))
    links.extend(parser.links)
    for tag, n in sorted(parser.removed.items()):
        warnings.append(f"{n} {tag} element{'s' if n != 1 else ''} removed")
    if parser.unsafe_links:
        n = parser.unsafe_links
        warnings.append(f"{n} unsafe link{'s' if n != 1 else ''} removed")
    return lines


# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------


def _human_size(n: int) -> str:
    if n >= _MIB:
        return f"{n / _MIB:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"


def _too_large(source: str, size: int, max_bytes: int) -> InputTooLarge:
    limit = f"{max_bytes // _MIB} MB" if max_bytes % _MIB == 0 and max_bytes else _human_size(max_bytes)
    return InputTooLarge(f"{source} is {_human_size(size)}; the limit for one post is {limit}")


def _binary_check(data: bytes, text: str, source: str) -> None:
    kind = _binary_kind(data)
    if kind:
        raise InputError(f"{source} is not a text or HTML post: it looks like {kind}")
    sample = text[:65536]
    if not sample:
        return
    bad = len(_CONTROL_OR_REPLACEMENT_RE.findall(sample))
    if bad * 10 > len(sample):
        raise InputError(
            f"{source} is not a text or HTML post: {bad * 100 // len(sample)}% of its first "
            f"{len(sample)} characters are control or undecodable characters (binary data?)"
        )


def read_post(data: bytes | str, source: str = "<input>", *, max_bytes: int = MAX_POST_BYTES) -> RawPost:
    """Read one post (bytes or already-decoded text) into a :class:`RawPost`.

    Raises :class:`InputTooLarge` when ``data`` is larger than ``max_bytes`` and :class:`InputError`
    when bytes are clearly binary (an image, an archive, a PDF...). Text (``str``) input is never
    refused as binary: its control characters are removed.
    """
    warnings: list[str] = []
    if isinstance(data, str):
        size = len(data)
        if size <= max_bytes < size * 4:
            size = len(data.encode("utf-8", errors="surrogatepass"))
        if size > max_bytes:
            raise _too_large(source, size, max_bytes)
        raw_text, encoding = data, "unicode"
        if raw_text.startswith("\ufeff"):
            raw_text = raw_text[1:]
    else:
        data = bytes(data)
        if len(data) > max_bytes:
            raise _too_large(source, len(data), max_bytes)
        raw_text, encoding, warnings = _decode_raw(data)
        _binary_check(data, raw_text, source)
    return _post_of(_clean_text(raw_text, warnings), source, encoding, warnings)


def _post_of(text: str, source: str, encoding: str, warnings: list[str]) -> RawPost:
    """A decoded and cleaned post → its :class:`RawPost` (plain text or HTML)."""
    links: list[str] = []
    is_html = looks_like_html(text)
    lines = _html_lines(text, warnings, links) if is_html else _plain_lines(text)
    return RawPost(
        source=source, lines=lines, is_html=is_html, encoding=encoding, warnings=warnings, links=links
    )


def read_file(path: str | os.PathLike[str], *, max_bytes: int = MAX_POST_BYTES) -> RawPost:
    """Read a post from a file. The size is checked before reading, so a huge file costs no memory.

    Raises :class:`InputError` for a missing file, a directory or a permission problem (with the path
    and the reason), :class:`InputTooLarge` above ``max_bytes``.
    """
    return read_post(read_bytes(path, max_bytes=max_bytes), os.fspath(path), max_bytes=max_bytes)


def read_bytes(path: str | os.PathLike[str], *, max_bytes: int = MAX_POST_BYTES) -> bytes:
    """A file's bytes, with :func:`read_file`'s checks and errors."""
    name = os.fspath(path)
    try:
        st = os.stat(name)
        if os.path.isdir(name):
            raise InputError(f"{name} is a directory, not a post")
        if st.st_size > max_bytes:
            raise _too_large(name, st.st_size, max_bytes)
        with open(name, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{name} is a directory, not a post") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read it ({exc.strerror or exc})") from None
    return data


# The readers of whole files (journal pages and exports, AO3 downloads, EPUBs, front matter...) live in
# the modules of this package; they use the functions above, so they are imported last.
from fanshelf.ingest.common import META_KEYS, BrokenFile, ReadOptions, UnsafeInput  # noqa: E402
from fanshelf.ingest.readers import read_posts  # noqa: E402
