"""Markdown with YAML front matter, in the shape of an AO3 backup (``thedeadparrot/ao3backup``).

Front matter keys, in this order: ``title``, ``author`` (a string for one creator, a list for several),
``fandom``, ``rating``, ``warnings`` (one string, warnings joined by ", "), ``category``, ``relationship``,
``characters``, ``tags`` (additional tags), ``language``, ``summary``, ``notes``, ``end_notes``
(Markdown, like the backup's), then when known ``date`` (``'YYYY-MM-DD'``), ``series`` (a list of one
title) and ``series_weight`` (the part, as a string), ``challenge`` (``community``, ``prompt``,
``number``), and ``ao3_url`` (an AO3 work's address) or ``source`` (any other web address).

The body is each chapter's HTML converted by :func:`html_to_markdown`; with more than one chapter each
starts with a ``## Chapter N: TITLE`` heading (``## Chapter N`` when untitled). Headings inside chapters
are moved down to ``###`` and below so that ``##`` only ever starts a chapter.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from fanshelf.export.ao3html import chapter_heading
from fanshelf.export.common import ExportFile, ExportInfo, display_date, safe_filename, xml_text
from fanshelf.export.tree import Element, Node, parse_fragment
from fanshelf.model import Work

__all__ = ["escape_markdown", "export_markdown", "front_matter", "html_to_markdown", "markdown_text"]

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when PyYAML has it: the same YAML, faster
_SPECIAL = re.compile(r"([\\`*_\[\]<>#+\-|~&=])")
_WS = re.compile(r"[ \t\n\r\f\v]+")
_LEAD_NUM = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)


def escape_markdown(text: str) -> str:
    """Text that Markdown shows as itself: every character Markdown could read as syntax is escaped."""
    return _SPECIAL.sub(r"\\\1", text)


def _fix_line_starts(text: str) -> str:
    return _LEAD_NUM.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def markdown_text(text: str | None) -> str:
    """Plain text (summary, notes) as Markdown: paragraphs kept, single line breaks as hard breaks."""
    paras = []
    for p in xml_text(text).split("\n\n"):
        lines = [escape_markdown(" ".join(ln.split())) for ln in p.split("\n") if ln.strip()]
        if lines:
            paras.append(_fix_line_starts("  \n".join(lines)))
    return "\n\n".join(paras)


# ------------------------------------------------------------------------------------------ inline
def _plain(n: Node) -> str:
    if isinstance(n, str):
        return n
    if n.tag == "br":
        return "\n"
    return "".join(_plain(c) for c in n.children)


def _code_span(text: str) -> str:
    text = text.replace("\n", " ")
    if not text:
        return ""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _wrap(inner: str, mark: str) -> str:
    core = inner.strip()
    if not core or "\n" in core:
        return inner
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()):]
    return f"{lead}{mark}{core}{mark}{trail}"


def _inline(nodes: list[Node]) -> str:
    out: list[str] = []
    for n in nodes:
        if isinstance(n, str):
            out.append(escape_markdown(_WS.sub(" ", n)))
            continue
        tag = n.tag
        if tag == "br":
            out.append("  \n")
        elif tag in ("em", "i", "cite"):
            out.append(_wrap(_inline(n.children), "*"))
        elif tag in ("strong", "b"):
            out.append(_wrap(_inline(n.children), "**"))
        elif tag in ("s", "strike", "del"):
            out.append(_wrap(_inline(n.children), "~~"))
        elif tag == "code":
            out.append(_code_span(_plain(n)))
        elif tag == "q":
            out.append("“" + _inline(n.children) + "”")
        elif tag == "img":
            src = n.attr("src")
            alt = escape_markdown(" ".join((n.attr("alt") or "").split()))
            if src:
                out.append(f"![{alt}](<{src}>)")
            elif alt:
                out.append(f"\\[{alt}\\]")
        elif tag == "a":
            inner = _inline(n.children).replace("  \n", " ")
            href = n.attr("href")
            if not href:
                out.append(inner)
                continue
            label = inner.strip() or escape_markdown(href)
            title = n.attr("title")
            t = ' "' + title.replace("\\", "\\\\").replace('"', '\\"') + '"' if title else ""
            out.append(f"[{label}](<{href}>{t})")
        else:
            out.append(_inline(n.children))
    return "".join(out)


# ------------------------------------------------------------------------------------------ blocks
def _para(nodes: list[Node]) -> list[str]:
    text = _inline(nodes)
    lines = [ln.strip(" ") for ln in text.split("  \n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    lines = [ln for ln in lines if ln]
    if not lines:
        return []
    return _fix_line_starts("  \n".join(lines)).split("\n")


def _blocks(nodes: list[Node]) -> list[list[str]]:
    """Markdown blocks (each a list of lines) for a run of flow content."""
    out: list[list[str]] = []
    run: list[Node] = []

    def flush() -> None:
        if run:
            para = _para(run)
            if para:
                out.append(para)
            run.clear()

    last_list = ""  # the kind of list just written: a list right after one of its kind changes its marker
    for n in nodes:
        if isinstance(n, str) or n.tag not in _BLOCK_TAGS:
            run.append(n)
            if not isinstance(n, str) or n.strip():
                last_list = ""
            continue
        flush()
        alt = n.tag == last_list
        got = _block(n, alt=alt)
        out.extend(got)
        if got:
            last_list = "" if alt or n.tag not in ("ul", "ol") else n.tag
    flush()
    return out


_BLOCK_TAGS = frozenset({"p", "div", "blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
                         "pre", "hr"})


def _block(n: Element, *, alt: bool = False) -> list[list[str]]:
    """``alt``: the block follows a list of its kind, so a list uses the other marker (``*``, ``1)``):
    CommonMark would join two ``-`` lists apart only by a blank line into one."""
    tag = n.tag
    if tag == "hr":
        return [["* * *"]]
    if tag in ("p", "div", "li"):
        return _blocks(n.children)
    if tag[0] == "h" and tag[1:].isdigit():
        text = " ".join(_inline(n.children).replace("  \n", " ").split())
        if not text:
            return []
        level = min(6, int(tag[1:]) + 2)
        return [["#" * level + " " + text]]
    if tag == "blockquote":
        inner = _blocks(n.children)
        if not inner:
            return []
        lines: list[str] = []
        for i, b in enumerate(inner):
            if i:
                lines.append(">")
            lines += [("> " + ln) if ln else ">" for ln in b]
        return [lines]
    if tag in ("ul", "ol"):
        lines = []
        number = 0
        for item in n.children:
            number += 1
            marker = (f"{number}) " if alt else f"{number}. ") if tag == "ol" else ("* " if alt else "- ")
            pad = " " * len(marker)
            kids = item.children if isinstance(item, Element) and item.tag == "li" else [item]
            inner = _blocks(kids)
            if not inner:
                lines.append(marker.rstrip())
                continue
            first = True
            for bi, b in enumerate(inner):
                if bi:
                    lines.append("")
                for ln in b:
                    lines.append((marker if first else pad) + ln if ln else "")
                    first = False
        return [lines] if lines else []
    if tag == "pre":
        text = _plain(n)
        if text.startswith("\n"):
            text = text[1:]
        text = text.rstrip("\n")
        longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
        fence = "`" * max(3, longest + 1)
        return [[fence, *text.split("\n"), fence]]
    return _blocks(n.children)


def html_to_markdown(html: str) -> str:
    """Sanitized chapter HTML as Markdown. Text is escaped, so no text ever becomes HTML or syntax;
    links keep only http, https and mailto addresses (see :mod:`fanshelf.export.tree`); headings move
    down two levels (``<h1>`` → ``###``)."""
    blocks = _blocks(parse_fragment(html))
    return "\n\n".join("\n".join(ln.rstrip() if not ln.endswith("  ") else ln for ln in b) for b in blocks)


# ------------------------------------------------------------------------------------------ front matter
def _names(xs: list[str]) -> list[str]:
    return [x for x in (xml_text(x).strip() for x in xs) if x]


def front_matter(work: Work, info: ExportInfo | None = None) -> dict[str, Any]:
    creators = _names(work.creators)
    fm: dict[str, Any] = {"title": xml_text(work.title)}
    # a string for one creator (as the backup writes it), unless a comma or semicolon would split it on reading
    fm["author"] = creators[0] if len(creators) == 1 and not re.search(r"[,;]", creators[0]) else creators
    fm["fandom"] = _names(work.fandoms)
    fm["rating"] = xml_text(work.rating)
    fm["warnings"] = ", ".join(_names(work.archive_warnings))
    fm["category"] = _names(work.categories)
    fm["relationship"] = _names(work.relationships)
    fm["characters"] = _names(work.characters)
    fm["tags"] = _names(work.additional_tags)
    fm["language"] = xml_text(work.language)
    fm["summary"] = markdown_text(work.summary)
    fm["notes"] = markdown_text(work.notes)
    fm["end_notes"] = markdown_text(work.end_notes)
    date = display_date(work.published)
    if date:
        fm["date"] = date
    sp = work.series_part
    if sp is not None and sp.title and sp.title.strip():
        fm["series"] = [xml_text(sp.title).strip()]
        if sp.part:
            fm["series_weight"] = str(sp.part)
    ch = work.challenge
    if ch is not None and (ch.community or ch.prompt or ch.number):
        fm["challenge"] = {k: xml_text(v) for k, v in (("community", ch.community), ("prompt", ch.prompt),
                                                       ("number", ch.number)) if v}
    url = info.source_url if info else None
    if url:
        fm["ao3_url" if re.match(r"(?i)^https?://(www\.)?archiveofourown\.org/works/\d+", url) else "source"] = url
    return fm


def export_markdown(work: Work, info: ExportInfo | None = None) -> ExportFile:
    """The work as one Markdown file with YAML front matter."""
    head = yaml.dump(front_matter(work, info), Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=100)
    parts: list[str] = []
    chapters = work.chapters
    # a heading per chapter, as in the HTML export: none only for a work of one untitled chapter
    many = len(chapters) > 1 or bool(chapters and chapters[0].title and chapters[0].title.strip())
    for i, ch in enumerate(chapters, 1):
        body = html_to_markdown(ch.html)
        if many:
            parts.append(f"## {escape_markdown(chapter_heading(i, ch.title))}")
        if body:
            parts.append(body)
    text = f"---\n{head}---\n\n" + "\n\n".join(parts) + "\n"
    return ExportFile(safe_filename(work, info, "md"), "text/markdown; charset=utf-8", text.encode("utf-8"))
