"""Chapter HTML of structured formats as lines that keep block structure (lists, block quotes, headings).

The line reader (:func:`fanshelf.ingest.common.fragment_lines`) turns every block into paragraphs, which
is right for posts whose header the parser must find. AO3 downloads, Fanshelf's HTML/EPUB exports and
front matter bodies are read exactly instead: their paragraphs still become lines (so links, journal
names, cut markers and rules are read as everywhere else), but a list, a block quote, a ``<pre>`` or a
heading becomes one *block line*: ``origin="block"``, ``text`` its plain text (one paragraph per item or
inner paragraph, a blank line between them), ``html`` its sanitized markup in the normal form below.
:func:`fanshelf.wrangle.meta.chapters_from_lines` renders a block line as it is.

Normal form (the form :mod:`fanshelf.export.tree` writes, so an export read back is the same HTML)::

    <p>text<br />
    more</p>
    <ul>
    <li>item</li>
    <li><p>item of two paragraphs</p>
    <p>second</p>
    </li>
    </ul>
    <blockquote>
    <p>quoted</p>
    </blockquote>
    <h3>heading</h3>

``<div>`` and other containers are unwrapped; nesting deeper than :data:`MAX_DEPTH` is flattened to
paragraphs (a hostile page of 100,000 nested lists costs no recursion).
"""

from __future__ import annotations

import html
import re

from fanshelf.ingest.common import fragment_lines
from fanshelf.ingest.dom import Node, parse_html
from fanshelf.model import Line

__all__ = ["BLOCK_ORIGIN", "MAX_DEPTH", "structured_lines"]

BLOCK_ORIGIN = "block"
MAX_DEPTH = 16
_LISTS = frozenset({"ul", "ol"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_STRUCT = _LISTS | _HEADINGS | {"blockquote", "pre"}
_UNWRAP = frozenset({"div", "section", "article", "main", "center", "body", "html", "header", "footer", "aside",
                     "figure", "#document"})
_BLANK = Line("")
_STRUCT_RE = re.compile(r"<(?:ul|ol|blockquote|pre|h[1-6])[\s/>]", re.I)
_WS = re.compile(r"\s+")


def _outer(node: Node | str) -> str:
    if isinstance(node, str):
        return html.escape(node, quote=False)
    wrapper = Node("#frag")
    wrapper.children = [node]
    return wrapper.inner_html()


def _paragraphs(lines: list[Line]) -> list[tuple[str, str]]:
    """(text, html) per paragraph of ``lines`` (rules as ``<hr />``)."""
    out: list[tuple[str, str]] = []
    cur: list[Line] = []

    def flush() -> None:
        if cur:
            text = "\n".join(ln.text for ln in cur)
            inner = "<br />\n".join(ln.html or html.escape(ln.text, quote=False) for ln in cur)
            out.append((text, f"<p>{inner}</p>"))
            cur.clear()

    for ln in lines:
        if ln.origin == BLOCK_ORIGIN:
            flush()
            out.append((ln.text, ln.html))
        elif ln.rule:
            flush()
            out.append((ln.text, "<hr />"))
        elif ln.blank or ln.cut:
            flush()
        else:
            cur.append(ln)
    flush()
    return out


class _Reader:
    def __init__(self, warnings: list[str], links: list[str]) -> None:
        self.warnings = warnings
        self.links = links

    def flow(self, nodes: list[Node | str], depth: int) -> list[Line]:
        """Lines for a run of flow content: paragraphs as lines, structure as block lines."""
        out: list[Line] = []
        run: list[str] = []

        def flush() -> None:
            if run:
                piece = "".join(run)
                run.clear()
                if piece.strip():
                    lines = fragment_lines(piece, self.warnings, self.links)
                    if lines:
                        if out and not out[-1].blank:
                            out.append(_BLANK)
                        out.extend(lines)

        # an explicit stack to unwrap containers without recursion; paragraphs and inline runs go to the line
        # reader together (one parse), containers as bare <div>s there (a paragraph break, nothing more)
        stack: list[Node | str | None] = list(reversed(nodes))
        while stack:
            node = stack.pop()
            if node is None:  # the end of an unwrapped container
                run.append("</div>")
                continue
            if isinstance(node, str):
                run.append(_outer(node))
                continue
            if node.tag in _UNWRAP or (node.tag in _STRUCT and depth >= MAX_DEPTH and node.tag != "pre"):
                run.append("<div>")
                stack.append(None)
                stack.extend(reversed(node.children))
                continue
            if node.tag in _STRUCT:
                flush()
                block = self.block(node, depth)
                if block is not None:
                    if out and not out[-1].blank:
                        out.append(_BLANK)
                    out.append(block)
                continue
            run.append(_outer(node))
        flush()
        return out

    def block(self, node: Node, depth: int) -> Line | None:
        tag = node.tag
        if tag in _HEADINGS:
            lines = [ln for ln in fragment_lines(node.inner_html(), self.warnings, self.links) if ln.text]
            if not lines:
                return None
            text = " ".join(ln.text for ln in lines)
            inner = " ".join(ln.html or html.escape(ln.text, quote=False) for ln in lines)
            return Line(text, f"<{tag}>{inner}</{tag}>", heading=True, origin=BLOCK_ORIGIN)
        if tag == "pre":
            raw = _pre_text(node)
            if not raw.strip():
                return None
            return Line(_WS.sub(" ", raw).strip(), f"<pre>{html.escape(raw, quote=False)}</pre>", origin=BLOCK_ORIGIN)
        if tag in _LISTS:
            texts: list[str] = []
            items: list[str] = []
            loose: list[Node | str] = []

            def item(children: list[Node | str]) -> None:
                paras = _paragraphs(self.flow(children, depth + 1))
                if not paras:
                    return
                texts.extend(t for t, _ in paras)
                if len(paras) == 1 and paras[0][1].startswith("<p>"):
                    items.append(f"<li>{paras[0][1][3:-4]}</li>")
                else:
                    items.append("<li>" + "\n".join(h for _, h in paras) + "\n</li>")

            for child in node.children:
                if isinstance(child, Node) and child.tag == "li":
                    if loose:
                        item(loose)
                        loose = []
                    item(child.children)
                else:
                    loose.append(child)
            if loose:
                item(loose)
            if not items:
                return None
            return Line("\n\n".join(texts), f"<{tag}>\n" + "\n".join(items) + f"\n</{tag}>", origin=BLOCK_ORIGIN)
        # blockquote
        paras = _paragraphs(self.flow(node.children, depth + 1))
        if not paras:
            return None
        return Line("\n\n".join(t for t, _ in paras),
                    "<blockquote>\n" + "\n".join(h for _, h in paras) + "\n</blockquote>", origin=BLOCK_ORIGIN)


def _pre_text(node: Node) -> str:
    parts: list[str] = []
    stack: list[Node | str] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
        elif item.tag == "br":
            parts.append("\n")
        elif item.tag not in ("script", "style"):
            stack.extend(reversed(item.children))
    text = "".join(parts)
    return (text[1:] if text.startswith("\n") else text).rstrip("\n")  # as HTML and Markdown fences write it


def structured_lines(fragment: str, warnings: list[str], links: list[str] | None = None) -> list[Line]:
    """Chapter HTML → lines, lists/quotes/headings/``pre`` kept whole as block lines (see the module)."""
    if not _STRUCT_RE.search(fragment):  # only paragraphs: the line reader alone (one parse, no tree)
        return fragment_lines(fragment, warnings, links)
    root = parse_html(fragment)
    return _Reader(warnings, links if links is not None else []).flow(list(root.children), 0)
