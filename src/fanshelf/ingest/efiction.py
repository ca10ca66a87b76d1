"""eFiction "printable" pages (``viewstory.php?action=printable&sid=N``).

The page has ``#pagetitle`` ("Title by Author", linking ``viewstory.php`` and ``viewuser.php``), a
``div.content`` block of ``span.label`` fields (Summary, Rated, Categories, Characters, Genre, Warnings,
Series, Chapters, Completed, Word count, Published, Updated) and, per chapter, ``div.chaptertitle``,
``div.chapternotes``, ``div.chaptertext`` and ``div.chapterendnotes``. eFiction archives use
"Categories" for the fandom (or a part of it); they are read as fandoms.
"""

from __future__ import annotations

import html
import re

from fanshelf.ingest.common import BrokenFile, fragment_lines, split_items
from fanshelf.ingest.dom import Node, parse_html
from fanshelf.model import Line, RawPost

__all__ = ["read_efiction"]

_LABELS = {
    "summary": "summary", "rated": "rating", "rating": "rating", "categories": "fandoms", "category": "fandoms",
    "fandom": "fandoms", "fandoms": "fandoms",
    "characters": "characters", "pairings": "relationships", "pairing": "relationships", "genre": "additional_tags",
    "genres": "additional_tags", "warnings": "archive_warnings", "warning": "archive_warnings",
    "series": "series", "chapters": "chapters_stated", "completed": "completed", "word count": "words",
    "published": "published", "updated": "updated", "language": "language",
}  # fmt: skip
_TEXT_LABELS = frozenset({"summary"})
_SINGLE = frozenset({"rating", "chapters_stated", "completed", "words", "published", "updated", "language"})
_NONE = frozenset({"none", "n/a", "no", ""})


def _fields(content: Node, meta: dict[str, list[str]]) -> None:
    label: str | None = None
    buf: list[Node | str] = []

    def flush() -> None:
        if label is None:
            return
        key = _LABELS.get(label)
        if key is None:
            return
        links = [n.text() for item in buf if isinstance(item, Node) for n in [item, *item.find_all("a")]
                 if n.tag == "a" and n.text()]
        text = " ".join(" ".join(i.text() if isinstance(i, Node) else i for i in buf).split())
        if key in _TEXT_LABELS or key in _SINGLE:
            if text:
                meta[key] = [text]
        else:
            values = links or split_items(text)
            values = [v for v in values if v.casefold() not in _NONE]
            if values:
                meta.setdefault(key, []).extend(values)

    for item in content.children:
        if isinstance(item, Node) and item.tag == "span" and item.has_class("label"):
            flush()
            label = item.text().strip().rstrip(":").strip().casefold()
            buf = []
        elif isinstance(item, Node) and item.tag == "br":
            continue
        else:
            buf.append(item)
    flush()


def read_efiction(text: str, source: str, warnings: list[str], encoding: str) -> RawPost:
    root = parse_html(text)
    meta: dict[str, list[str]] = {}
    title_box = root.find(id="pagetitle")
    if title_box is not None:
        story = title_box.find("a", where=lambda a: "viewstory.php" in a.attrs.get("href", ""))
        authors = title_box.find_all("a", where=lambda a: "viewuser.php" in a.attrs.get("href", ""))
        if story is not None:
            meta["title"] = [story.text()]
        if authors:
            meta["creators"] = [a.text() for a in authors if a.text()]
        if story is None or not authors:
            title, _, author = title_box.text().rpartition(" by ")
            if title and "title" not in meta:
                meta["title"] = [title.strip()]
            if author and "creators" not in meta:
                meta["creators"] = [author.strip()]
    content = root.find("div", cls="content")
    if content is not None:
        _fields(content, meta)
    sid = re.search(r"viewstory\.php\?(?:[^\"'\s>]*&(?:amp;)?)?sid=(\d+)", text)
    if sid:
        meta.setdefault("extra:eFiction story", [sid.group(1)])
    if "completed" in meta:
        meta["completed"] = ["yes" if meta["completed"][0].casefold().startswith("y") else "no"]
    chapters: list[tuple[str | None, list[str]]] = []
    for node in root.iter():
        if node.has_class("chaptertitle"):
            title = re.sub(r"\s+by\s+[^,]+$", "", node.text()).strip()
            chapters.append((title or None, []))
        elif node.has_class("chapternotes", "chapterendnotes", "notes", "endnotes") and chapters:
            label = "Chapter end notes" if node.has_class("chapterendnotes", "endnotes") else "Chapter notes"
            chapters[-1][1].append(f"<p><em>{html.escape(label)}:</em></p><div>{node.inner_html()}</div>")
        elif node.has_class("chaptertext"):
            if not chapters:
                chapters.append((None, []))
            chapters[-1][1].append(f"<div>{node.inner_html()}</div>")
    if not any(parts for _, parts in chapters):
        raise BrokenFile(f"{source}: an eFiction page without story text (no div.chaptertext); truncated?")
    links: list[str] = []
    out: list[tuple[str | None, list[Line]]] = []
    for heading, parts in chapters:
        lines = fragment_lines("".join(parts), warnings, links)
        if lines:
            out.append((heading, lines))
    return RawPost(source=source, lines=[ln for _, ls in out for ln in ls], is_html=True, encoding=encoding,
                   warnings=warnings, links=links, meta=meta, chapters=out)
