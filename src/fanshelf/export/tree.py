"""Chapter HTML as a small, well-formed tree: the one place exports read a work's HTML.

Chapter HTML was sanitized on the way in (:func:`fanshelf.ingest.sanitize_html`), but it is still HTML:
unclosed ``<p>``, a list item outside a list, a ``<div>`` inside a paragraph. :func:`parse_fragment`
reads it with the standard library's tokenizer and rebuilds it under the HTML content rules the exports
need (a block closes an open paragraph and the inline elements around it; a ``<li>`` outside a list gets
one; inline text at the top gets a ``<p>``), keeping only the sanitizer's tags and attributes (and only
http, https and mailto links), so what comes out is valid XHTML and safe whatever came in. Nesting
deeper than :data:`MAX_DEPTH` is flattened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

from fanshelf.export.common import xml_text

__all__ = ["BLOCK", "INLINE", "MAX_DEPTH", "Element", "Node", "parse_fragment", "plain_text", "to_xhtml"]

INLINE = frozenset({"a", "abbr", "b", "strong", "i", "em", "u", "s", "strike", "del", "ins", "sub", "sup",
                    "small", "span", "code", "q", "cite", "mark", "img", "br"})
BLOCK = frozenset({"p", "div", "blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "hr"})
VOID = frozenset({"br", "hr", "img"})
_PHRASING_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre"})
_LISTS = frozenset({"ul", "ol"})
_DROP_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "noscript", "template", "title",
                           "textarea", "noembed", "noframes", "xmp", "svg", "math", "head"})
MAX_DEPTH = 64
_SAFE_URL = re.compile(r"(?i)^(https?://|mailto:)[^\s<>\"]*$")


@dataclass(slots=True)
class Element:
    tag: str
    attrs: list[tuple[str, str]] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)

    def attr(self, name: str) -> str | None:
        for k, v in self.attrs:
            if k == name:
                return v
        return None


Node = Element | str


def _clean_attrs(tag: str, attrs: list[tuple[str, str | None]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for k, v in attrs:
        if v is None:
            continue
        v = xml_text(v).strip()
        if (tag == "a" and k == "href" and _SAFE_URL.match(v)) or (tag == "a" and k == "title" and v) or (tag == "img" and k == "src" and re.match(r"(?i)^https?://[^\s<>\"]+$", v)) or (tag == "img" and k == "alt") or (tag == "img" and k in ("width", "height") and v.isdigit() and len(v) < 6):
            out.append((k, v))
    return out


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root")
        self.stack: list[Element] = [self.root]
        self.skip = 0  # inside script/style...: content dropped
        self.skip_tag = ""

    # -- helpers
    @property
    def top(self) -> Element:
        return self.stack[-1]

    def _push(self, el: Element) -> None:
        self.top.children.append(el)
        if el.tag not in VOID:
            self.stack.append(el)

    def _close_phrasing(self) -> None:
        while len(self.stack) > 1 and (self.top.tag in INLINE or self.top.tag in _PHRASING_BLOCKS):
            self.stack.pop()

    def _ensure_flow(self) -> None:
        """Make the top a place where inline content may go."""
        if self.top.tag in _LISTS:
            self._push(Element("li"))
        elif self.top is self.root:
            self._push(Element("p"))

    # -- tokenizer callbacks
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs)
        if tag not in VOID and self.top.tag == tag and self.top.tag in INLINE | BLOCK:
            self.stack.pop()

    def _start(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip:
            if tag == self.skip_tag:
                self.skip += 1
            return
        if tag in _DROP_CONTENT:
            self.skip, self.skip_tag = 1, tag
            return
        if tag not in INLINE and tag not in BLOCK:
            return  # unknown tag: dropped, its content kept
        if len(self.stack) > MAX_DEPTH and tag not in VOID:
            return
        el = Element(tag, _clean_attrs(tag, attrs))
        if tag == "li":
            self._close_phrasing()
            if self.top.tag == "li":
                self.stack.pop()
            if self.top.tag not in _LISTS:
                self._push(Element("ul"))
            self._push(el)
        elif tag in BLOCK:
            self._close_phrasing()
            if self.top.tag in _LISTS:
                self._push(Element("li"))
            self._push(el)
        else:
            self._ensure_flow()
            if tag == "a" and any(e.tag == "a" for e in self.stack):
                while self.stack[-1].tag != "a":
                    self.stack.pop()
                self.stack.pop()
                self._ensure_flow()
            self._push(el)

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag == self.skip_tag:
                self.skip -= 1
            return
        if tag == "br":
            self._start("br", [])
            return
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if self.skip or not data:
            return
        data = xml_text(data)
        if not data.strip() and (self.top is self.root or self.top.tag in _LISTS):
            return
        self._ensure_flow()
        kids = self.top.children
        if kids and isinstance(kids[-1], str):
            kids[-1] += data
        else:
            kids.append(data)


def parse_fragment(html: str) -> list[Node]:
    """The fragment as a normalized list of top-level nodes (blocks)."""
    b = _Builder()
    b.feed(html or "")
    b.close()
    return b.root.children


# ------------------------------------------------------------------------------------------ out
def _attrs_xhtml(attrs: list[tuple[str, str]]) -> str:
    return "".join(f' {k}="{escape(v, quote=True)}"' for k, v in attrs)


def to_xhtml(nodes: list[Node], *, epub: bool = False) -> str:
    """Serialize as XHTML (also valid HTML5). ``epub``: images become links to them (an EPUB may not
    load remote images), ``<strike>`` becomes ``<s>`` everywhere (HTML5 has no strike)."""
    out: list[str] = []

    def walk(n: Node, in_pre: bool) -> None:
        if isinstance(n, str):
            out.append(escape(n, quote=False))
            return
        tag = "s" if n.tag == "strike" else n.tag
        if tag == "img":
            src, alt = n.attr("src"), n.attr("alt") or ""
            if not src:
                if alt:
                    out.append(escape(f"[{alt}]", quote=False))
                return
            if epub:
                label = f"[image: {alt}]" if alt else "[image]"
                out.append(f'<a class="image" href="{escape(src, quote=True)}">{escape(label, quote=False)}</a>')
                return
            attrs = [(k, v) for k, v in n.attrs if k != "alt"]
            out.append(f"<img{_attrs_xhtml(attrs)} alt=\"{escape(alt, quote=True)}\" />")
            return
        if tag in VOID:
            out.append(f"<{tag} />")
            if not in_pre:
                out.append("\n")
            return
        out.append(f"<{tag}{_attrs_xhtml(n.attrs)}>")
        block = tag in BLOCK and tag not in _PHRASING_BLOCKS and tag != "li"
        if block and n.children:
            out.append("\n")
        for c in n.children:
            walk(c, in_pre or tag == "pre")
        out.append(f"</{tag}>")
        if tag in BLOCK:
            out.append("\n")

    for n in nodes:
        walk(n, False)
    return "".join(out).strip("\n")


_WS = re.compile(r"\s+")


def plain_text(nodes: list[Node]) -> str:
    """Readable plain text: paragraphs apart by a blank line, ``<br>`` a line break."""
    blocks: list[str] = []
    cur: list[str] = []

    def flush() -> None:
        text = "".join(cur)
        lines = [_WS.sub(" ", ln).strip() for ln in text.split("\n")]
        joined = "\n".join(ln for ln in lines if ln)
        if joined:
            blocks.append(joined)
        cur.clear()

    def walk(n: Node) -> None:
        if isinstance(n, str):
            cur.append(n.replace("\n", " "))
            return
        if n.tag == "br":
            cur.append("\n")
            return
        if n.tag == "hr":
            flush()
            blocks.append("* * *")
            return
        if n.tag == "img":
            alt = n.attr("alt")
            if alt:
                cur.append(f"[{alt}]")
            return
        if n.tag in BLOCK:
            flush()
            for c in n.children:
                walk(c)
            flush()
        else:
            for c in n.children:
                walk(c)

    for n in nodes:
        walk(n)
    flush()
    return "\n\n".join(blocks)
