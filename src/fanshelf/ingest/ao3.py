"""AO3's own downloads (HTML, and the XHTML inside its EPUBs), and Fanshelf's exports in the same markup.

The download has a ``#preface``: ``dl.tags`` (``dt``/``dd`` pairs: Rating, Archive Warning, Category,
Fandom, Relationship, Character, Additional Tags, Language, Series, Collections, Stats), the ``h1``
title, ``.byline`` creators and Summary/Notes blockquotes; then ``#chapters`` (``h2`` chapter headings,
chapter summary/notes/end notes in ``div.meta`` groups, the text in ``div.userstuff``); then
``#afterword`` with the work's end notes. Every field is read exactly: nothing goes to the header parser.
Chapter summaries and notes stay with their chapter, as labelled paragraphs around its text.
"""

from __future__ import annotations

import html
import re

from fanshelf.ingest.blocks import structured_lines
from fanshelf.ingest.common import BrokenFile, html_to_text, split_items
from fanshelf.ingest.dom import Node, parse_html
from fanshelf.model import Line, RawPost

__all__ = ["CHAPTER_HEADING_RE", "chapter_title", "is_ao3_document", "read_ao3_html", "read_ao3_tree"]

_LABELS: dict[str, str] = {
    "rating": "rating", "ratings": "rating",
    "archive warning": "archive_warnings", "archive warnings": "archive_warnings", "warning": "archive_warnings",
    "warnings": "archive_warnings",
    "category": "categories", "categories": "categories",
    "fandom": "fandoms", "fandoms": "fandoms",
    "relationship": "relationships", "relationships": "relationships",
    "character": "characters", "characters": "characters",
    "additional tags": "additional_tags", "additional tag": "additional_tags", "freeform": "additional_tags",
    "language": "language", "series": "series", "collections": "collections", "collection": "collections",
    "prompt": "prompt", "prompts": "prompt",
    "stats": "stats",
}  # fmt: skip
_STATS_RE = re.compile(r"(Published|Updated|Completed|Words|Chapters)\s*:\s*(\S+)", re.I)
_SERIES_RE = re.compile(r"Part\s+(?:(\d+)\s+)?of\s+(.+?)\s*$", re.I)
_SERIES_LEAD_RE = re.compile(r"Part\s+(?:(\d+)\s+)?of\s*$", re.I)
_PROMPT_RE = re.compile(r"^#(\S+?)(?::\s*(.*))?$", re.S)
#: ``Chapter 3: TITLE`` / ``Chapter 3``: AO3's chapter headings (and Fanshelf's exports'); the title is TITLE
CHAPTER_HEADING_RE = re.compile(r"^Chapter\s+\d+\s*(?::\s*(.*?))?\s*$", re.I | re.S)
_SINGLE = ("rating", "language")


def is_ao3_document(root: Node) -> bool:
    pre = root.find(id="preface")
    return pre is not None and pre.find("dl", cls="tags") is not None


def _values(dd: Node) -> list[str]:
    links = [a.text() for a in dd.find_all("a")]
    links = [x for x in links if x]
    return links or split_items(dd.text())


def chapter_title(heading: str | None) -> str | None:
    """The title in a chapter heading: ``Chapter 3: The Ledger`` → ``The Ledger``, ``Chapter 3`` → None;
    any other heading is the title as it is."""
    if not heading:
        return None
    m = CHAPTER_HEADING_RE.match(heading)
    if m is None:
        return heading
    return m.group(1) or None


def _series(dd: Node, meta: dict[str, list[str]]) -> None:
    """``Part 2 of <a>Title</a>`` (several series apart by links or ``;``); ``Part of <a>Title</a>``."""
    pending = ""
    found = False
    for child in dd.children:
        if isinstance(child, str):
            pending += child
        elif child.tag == "a":
            m = _SERIES_LEAD_RE.search(" ".join(pending.split()))
            title = child.text()
            if m and title:
                meta.setdefault("series", []).append(title)
                meta.setdefault("series_part", []).append(m.group(1) or "")
                found = True
            pending = ""
        else:
            pending += child.text()
    if found:
        return
    for part in re.split(r"\s*(?:;|\n|(?<=\S)\s{2,}(?=Part))\s*", dd.text(sep="\n")):
        m = _SERIES_RE.search(part)
        if m:
            meta.setdefault("series", []).append(m.group(2))
            meta.setdefault("series_part", []).append(m.group(1) or "")


def _prompt(text: str, meta: dict[str, list[str]]) -> None:
    """``#7: a ledger`` → prompt number 7, prompt text "a ledger"; ``#7``; or the text alone."""
    text = text.strip()
    m = _PROMPT_RE.match(text)
    if m:
        meta["prompt_number"] = [m.group(1)]
        if m.group(2):
            meta["prompt"] = [m.group(2)]
    elif text:
        meta["prompt"] = [text]


def _label(node: Node) -> str:
    return node.text().strip().rstrip(":").strip().casefold()


def _read_tags(dl: Node, meta: dict[str, list[str]]) -> None:
    label: str | None = None
    for el in dl.child_elements():
        if el.tag == "dt":
            label = _LABELS.get(_label(el))
        elif el.tag == "dd" and label:
            if label == "stats":
                for key, value in _STATS_RE.findall(el.text()):
                    k = key.casefold()
                    meta[{"published": "published", "updated": "updated", "completed": "completed",
                          "words": "words", "chapters": "chapters_stated"}[k]] = [value.replace(",", "")]
            elif label == "series":
                _series(el, meta)
            elif label == "prompt":
                _prompt(el.text(), meta)
            elif label in _SINGLE:
                meta[label] = [el.text()]
            else:
                meta.setdefault(label, []).extend(_values(el))
            label = None


def _labelled_blocks(container: Node) -> list[tuple[str, Node]]:
    """``<p>Summary</p><blockquote>…</blockquote>`` pairs below ``container`` (label folded)."""
    out: list[tuple[str, Node]] = []
    for node in container.iter():
        if node.tag != "blockquote":
            continue
        parent = node.parent
        if parent is None:
            continue
        siblings = parent.child_elements()
        idx = siblings.index(node)
        prev = siblings[idx - 1] if idx > 0 else None
        if prev is not None and prev.tag in ("p", "h3", "h4", "b", "strong", "div"):
            out.append((_label(prev), node))
    return out


def _creators(byline: Node | None) -> list[str]:
    if byline is None:
        return []
    names = [a.text() for a in byline.find_all("a")]
    names = [n for n in names if n]
    if names:
        return names
    text = re.sub(r"^\s*by\s+", "", byline.text(), flags=re.I)
    return split_items(text.replace(" and ", ", "))


def _chapter_parts(container: Node) -> list[tuple[str | None, list[str]]]:
    """(heading, HTML pieces) per chapter, in order."""
    chapters: list[tuple[str | None, list[str]]] = []

    def current() -> list[str]:
        if not chapters:
            chapters.append((None, []))
        return chapters[-1][1]

    def note(label: str, block: Node) -> None:
        nice = label[:1].upper() + label[1:]
        current().append(f"<p><em>{html.escape(nice)}:</em></p><div>{block.inner_html()}</div>")

    for el in container.child_elements():
        heads = [el] if el.tag in ("h2", "h3") else []
        if el.tag == "div" and el.has_class("meta"):
            for h in el.find_all(where=lambda n: n.tag in ("h2", "h3")):
                heads.append(h)
            if heads:
                chapters.append((heads[0].text() or None, []))
            for label, block in _labelled_blocks(el):
                note(label, block)
            continue
        if heads:
            chapters.append((heads[0].text() or None, []))
            continue
        if el.tag == "div" and el.attrs.get("id") in ("afterword", "endnotes"):
            continue
        # the chapter's text (div.userstuff), or loose paragraphs of a one-chapter work
        if el.tag == "div" and el.has_class("userstuff"):
            inner = [c for c in el.child_elements() if c.tag == "h3" and c.has_class("landmark")]
            for c in inner:
                c.remove()
            current().append(f"<div>{el.inner_html()}</div>")
        else:
            current().append(f"<{el.tag}>{el.inner_html()}</{el.tag}>" if el.tag != "hr" else "<hr>")
    return chapters


def read_ao3_tree(root: Node, source: str, warnings: list[str], encoding: str) -> RawPost:
    preface = root.find(id="preface")
    if preface is None:
        raise BrokenFile(f"{source}: an AO3 download without its preface (the metadata block)")
    meta: dict[str, list[str]] = {}
    dl = preface.find("dl", cls="tags")
    if dl is not None:
        _read_tags(dl, meta)
    h1 = preface.find("h1") or root.find("h1")
    if h1 is not None and h1.text():
        meta["title"] = [h1.text()]
    meta["creators"] = _creators(preface.find(cls="byline") or root.find(cls="byline"))
    message = preface.find("p", cls="message")
    if message is not None:  # AO3: "... at <a href=".../works/N">"; Fanshelf: "Originally posted at <a href=URL>"
        hrefs = [h for a in message.find_all("a") if re.match(r"(?i)https?://", h := a.attrs.get("href", ""))]
        works = [h for h in hrefs if "/works/" in h]
        if works or hrefs:
            meta["source_url"] = [(works or hrefs)[-1]]
    for label, block in _labelled_blocks(preface):
        if label.startswith("summary"):
            meta.setdefault("summary", []).append(html_to_text(block.inner_html()))
        elif label.startswith("notes") or label == "note":
            meta.setdefault("notes", []).append(html_to_text(block.inner_html()))
    after = root.find(id="afterword")
    if after is not None:
        for label, block in _labelled_blocks(after):
            if "end notes" in label or label.startswith("notes") or label == "afterword":
                meta.setdefault("end_notes", []).append(html_to_text(block.inner_html()))
    containers = root.find_all(id="chapters")
    if not containers:
        raise BrokenFile(f"{source}: an AO3 download without its text (no #chapters); truncated?")
    parts: list[tuple[str | None, list[str]]] = []
    for c in containers:
        parts.extend(_chapter_parts(c))
    links: list[str] = []
    chapters: list[tuple[str | None, list[Line]]] = []
    for title, pieces in parts:
        lines = structured_lines("".join(pieces), warnings, links)
        if lines or title:
            chapters.append((chapter_title(title), lines))
    meta = {k: v for k, v in meta.items() if v}
    body = [ln for _, lines in chapters for ln in lines]
    return RawPost(source=source, lines=body, is_html=True, encoding=encoding, warnings=warnings, links=links,
                   meta=meta, chapters=chapters)


def read_ao3_html(text: str, source: str, warnings: list[str], encoding: str) -> RawPost:
    root = parse_html(text)
    return read_ao3_tree(root, source, warnings, encoding)
