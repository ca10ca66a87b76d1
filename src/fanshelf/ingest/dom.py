"""A small, forgiving HTML tree (standard library only) for the page readers.

Saved journal pages, AO3 downloads and eFiction pages are found by their structure (``div.entry-content``,
``dl.tags``...), so the readers need a tree, not a stream. Every walk is iterative (a page of 100,000
nested ``<div>`` costs no recursion), mis-nested end tags are ignored, and the tree holds text already
unescaped; :meth:`Node.inner_html` writes it back escaped for :func:`fanshelf.ingest.sanitize_html`.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from html.parser import HTMLParser

__all__ = ["Node", "parse_html"]

_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                   "source", "track", "wbr"})
_RAW = frozenset({"script", "style"})
# a start tag of the key closes an open element of these kinds (the usual implied ends)
_IMPLIED_END = {"p": {"p"}, "li": {"li"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"}, "tr": {"tr"},
                "td": {"td", "th"}, "th": {"td", "th"}, "option": {"option"}}
_BLOCK_CLOSES_P = frozenset({"div", "ul", "ol", "dl", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
                             "table", "pre", "hr", "section", "article", "header", "footer", "form"})


class Node:
    __slots__ = ("attrs", "children", "parent", "tag")

    def __init__(self, tag: str, attrs: dict[str, str] | None = None, parent: Node | None = None) -> None:
        self.tag = tag
        self.attrs = attrs or {}
        self.children: list[Node | str] = []
        self.parent = parent

    # ---- queries -----------------------------------------------------------------------------------
    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def has_class(self, *names: str) -> bool:
        cls = self.classes
        return any(n in cls for n in names)

    def iter(self) -> Iterator[Node]:
        """This node and every element below it, in document order."""
        stack: list[Node] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(c for c in reversed(node.children) if isinstance(c, Node))

    def find_all(self, tag: str | None = None, *, cls: str | None = None, id: str | None = None,
                 where: Callable[[Node], bool] | None = None) -> list[Node]:
        out = []
        for n in self.iter():
            if n is self:
                continue
            if tag is not None and n.tag != tag:
                continue
            if cls is not None and cls not in n.classes:
                continue
            if id is not None and n.attrs.get("id") != id:
                continue
            if where is not None and not where(n):
                continue
            out.append(n)
        return out

    def find(self, tag: str | None = None, *, cls: str | None = None, id: str | None = None,
             where: Callable[[Node], bool] | None = None) -> Node | None:
        found = self.find_all(tag, cls=cls, id=id, where=where)
        return found[0] if found else None

    def child_elements(self) -> list[Node]:
        return [c for c in self.children if isinstance(c, Node)]

    def text(self, sep: str = "") -> str:
        """The text below this node (whitespace collapsed); ``sep`` goes between block elements."""
        parts: list[str] = []
        stack: list[Node | str] = [self]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                parts.append(item)
                continue
            if item.tag in _RAW:
                continue
            if item.tag == "br" or (sep and item.tag in _BLOCK_CLOSES_P | {"p", "li", "dd", "dt"}):
                parts.append(sep or " ")
            stack.extend(reversed(item.children))
        text = "".join(parts)
        if sep:
            return sep.join(" ".join(p.split()) for p in text.split(sep) if p.strip()).strip()
        return " ".join(text.split())

    def inner_html(self) -> str:
        """The markup of this node's children (escaped again; raw script/style content dropped)."""
        out: list[str] = []
        stack: list[Node | str | tuple[str]] = list(reversed(self.children))
        while stack:
            item = stack.pop()
            if isinstance(item, tuple):
                out.append(f"</{item[0]}>")
            elif isinstance(item, str):
                out.append(html.escape(item, quote=False))
            else:
                attrs = "".join(f' {k}="{html.escape(v, quote=True)}"' for k, v in item.attrs.items())
                out.append(f"<{item.tag}{attrs}>")
                if item.tag in _VOID:
                    continue
                if item.tag in _RAW:
                    out.append(f"</{item.tag}>")
                    continue
                stack.append((item.tag,))
                stack.extend(reversed(item.children))
        return "".join(out)

    def remove(self) -> None:
        if self.parent is not None:
            self.parent.children = [c for c in self.parent.children if c is not self]
            self.parent = None

    def __repr__(self) -> str:
        return f"<Node {self.tag} {self.attrs}>"


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.stack: list[Node] = [self.root]

    def updatepos(self, i: int, j: int) -> int:  # line numbers are never used (and cost time)
        return j

    def _open(self, name: str) -> int:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == name:
                return i
        return -1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        closes = _IMPLIED_END.get(tag)
        if (closes and self.stack[-1].tag in closes) or (tag in _BLOCK_CLOSES_P and self.stack[-1].tag == "p"):
            self.stack.pop()
        node = Node(tag, {k: (v or "") for k, v in attrs}, self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: (v or "") for k, v in attrs}, self.stack[-1])
        self.stack[-1].children.append(node)

    def handle_endtag(self, tag: str) -> None:
        i = self._open(tag)
        if i > 0:
            del self.stack[i:]

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Node:
    """Parse a page into a tree (never raises on broken markup; a failure gives what was read so far)."""
    builder = _TreeBuilder()
    # html.parser rescans to the end for every never-closed construct (quadratic); see ingest._html_lines
    last = text.rfind(">")
    if text.find("<", last + 1) >= 0:
        text = text[: last + 1] + text[last + 1:].replace("<", "&lt;")
    try:
        builder.feed(text)
        builder.close()
    except Exception:  # html.parser has had odd failures on broken markup; keep what was built
        pass
    return builder.root
