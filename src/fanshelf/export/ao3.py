"""AO3-import-ready JSON and CSV, within AO3's limits, saying which works had to change to fit.

AO3's limits (see docs/export.md for the sources): a title of at most 255 characters, a summary of
1,250, notes and end notes of 5,000 each, a chapter of 510,000 characters of HTML, 200 chapters, a tag
name of 150 characters without ``, ^ * < > { } = ` \\ %`` (nor the CJK commas ``、，``), at most 75
fandom, relationship, character and additional tags together, and (in the import API) two external
creators whose names are 1-100 characters of letters, digits, spaces, ``_ - @ .``.

:func:`fit_work` applies them: over-long text is cut (with "…"), over-long chapters are split into parts
at paragraph boundaries, forbidden characters are dropped from tags, over-long tags are cut at a word,
tags over the total are dropped from the end (additional tags first, fandoms last). What cannot be
fixed (too many chapters or creators, a creator name AO3 would refuse) is reported and left as it is.
Every change and every problem is an :class:`Issue`.

The JSON's ``works`` entries use the parameter names of AO3's import API (``api/v2/works``: ``title``,
``fandoms``, ``warnings``, ``rating``, ``categories``, ``relationships``, ``characters``,
``additional_tags``, ``summary``, ``notes``, ``language_code``, ``external_author_name``,
``external_coauthor_name``, ``collection_names``, ``chapter_urls``; tag lists as AO3's comma-separated
strings), plus ``endnotes``, ``chapters`` (title and HTML content), ``fanshelf`` (series, prompt,
published date, words) and ``issues``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from fanshelf.export.common import (
    ExportFile,
    ExportInfo,
    display_date,
    language_code,
    safe_filename,
    work_key,
    xml_text,
)
from fanshelf.export.jsonfmt import dumps
from fanshelf.export.tree import Node, parse_fragment, plain_text, to_xhtml
from fanshelf.model import DEFAULT_RATING, DEFAULT_WARNING, NO_FANDOM, Work

__all__ = [
    "CSV_COLUMNS",
    "LIMITS",
    "Issue",
    "ao3_record",
    "check_limits",
    "export_ao3_csv",
    "export_ao3_json",
    "fit_work",
]

TITLE_MAX = 255
SUMMARY_MAX = 1250
NOTES_MAX = 5000
CHAPTER_MAX = 510_000
CHAPTERS_MAX = 200
TAG_MAX = 150
TAGS_MAX = 75
CREATORS_MAX = 2
CREATOR_NAME_MAX = 100
TAG_FORBIDDEN = ",^*<>{}=`\\%、，"

LIMITS: dict[str, int | str] = {
    "title": TITLE_MAX, "summary": SUMMARY_MAX, "notes": NOTES_MAX, "endnotes": NOTES_MAX,
    "chapter": CHAPTER_MAX, "chapters": CHAPTERS_MAX, "tag": TAG_MAX, "tags": TAGS_MAX,
    "creators": CREATORS_MAX, "creator_name": CREATOR_NAME_MAX, "tag_forbidden": TAG_FORBIDDEN,
}

_CREATOR_OK = re.compile(r"^\w[ \w\-@.]*$")
_TAG_FIELDS = (("fandoms", "fandom"), ("relationships", "relationship"), ("characters", "character"),
               ("additional_tags", "additional tag"))


@dataclass(frozen=True, slots=True)
class Issue:
    """One limit a work went over: the field, AO3's limit, what the work had, and what was done."""

    field: str
    limit: int | str
    actual: int | str
    action: str  # "cut", "split", "changed", "dropped", "none" (reported only)
    message: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Fitted:
    """A work's values, fitted to AO3's limits."""

    title: str
    creators: list[str]
    rating: str
    warnings: list[str]
    categories: list[str]
    fandoms: list[str]
    relationships: list[str]
    characters: list[str]
    additional_tags: list[str]
    summary: str
    notes: str
    endnotes: str
    chapters: list[tuple[str, str]]  # (title, HTML)
    issues: list[Issue] = field(default_factory=list)


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _cut_words(text: str, n: int) -> str:
    if len(text) <= n:
        return text
    head = text[:n]
    if " " in head.strip():
        head = head.rsplit(" ", 1)[0]
    return head.rstrip()


def _split_chapter(nodes: list[Node], limit: int) -> list[str]:
    """Chapter HTML in parts of at most ``limit`` characters, cut between top-level blocks."""
    parts: list[str] = []
    cur: list[str] = []
    size = 0
    for n in nodes:
        html = to_xhtml([n])
        pieces = [html]
        if len(html) > limit:  # one block too big: its text in plain paragraphs
            text = plain_text([n])
            step = max(1, limit - 100)
            pieces = [to_xhtml(parse_fragment("<p>" + _esc(text[i:i + step]) + "</p>"))
                      for i in range(0, len(text), step)]
        for p in pieces:
            if cur and size + len(p) + 1 > limit:
                parts.append("\n".join(cur))
                cur, size = [], 0
            cur.append(p)
            size += len(p) + 1
    if cur:
        parts.append("\n".join(cur))
    return parts or [""]


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fit_work(work: Work) -> Fitted:
    """The work's values within AO3's limits, and the issues found on the way."""
    issues: list[Issue] = []

    def names(xs: list[str]) -> list[str]:
        return [x for x in dict.fromkeys(" ".join(xml_text(x).split()) for x in xs) if x]

    title = " ".join(xml_text(work.title).split()) or "Untitled"
    if len(title) > TITLE_MAX:
        issues.append(Issue("title", TITLE_MAX, len(title), "cut",
                            f"title has {len(title):,} characters; AO3 allows {TITLE_MAX}"))
        title = _cut(title, TITLE_MAX)
    texts: dict[str, str] = {}
    for name, value, limit in (("summary", work.summary, SUMMARY_MAX), ("notes", work.notes, NOTES_MAX),
                               ("endnotes", work.end_notes, NOTES_MAX)):
        text = xml_text(value).strip()
        if len(text) > limit:
            issues.append(Issue(name, limit, len(text), "cut",
                                f"{name} has {len(text):,} characters; AO3 allows {limit:,}"))
            text = _cut(text, limit)
        texts[name] = text
    # tags
    tag_lists: dict[str, list[str]] = {}
    for attr, label in _TAG_FIELDS:
        fixed: list[str] = []
        for tag in names(getattr(work, attr)):
            t = tag
            bad = sorted({c for c in t if c in TAG_FORBIDDEN})
            if bad:
                t = " ".join("".join(" " if c in TAG_FORBIDDEN else c for c in t).split())
                issues.append(Issue(attr, TAG_FORBIDDEN, tag, "changed",
                                    f"{label} tag {tag!r} has characters AO3 forbids in tags "
                                    f"({' '.join(bad)}); they were removed"))
            if len(t) > TAG_MAX:
                issues.append(Issue(attr, TAG_MAX, len(t), "cut",
                                    f"{label} tag {t[:40]!r}… has {len(t)} characters; AO3 allows {TAG_MAX}"))
                t = _cut_words(t, TAG_MAX)
            if t and t not in fixed:
                fixed.append(t)
        tag_lists[attr] = fixed
    if not tag_lists["fandoms"]:
        tag_lists["fandoms"] = [NO_FANDOM]
    total = sum(len(v) for v in tag_lists.values())
    if total > TAGS_MAX:
        over = total - TAGS_MAX
        dropped: list[str] = []
        for attr in ("additional_tags", "characters", "relationships", "fandoms"):
            keep_min = 1 if attr == "fandoms" else 0
            while over and len(tag_lists[attr]) > keep_min:
                dropped.insert(0, tag_lists[attr].pop())
                over -= 1
        issues.append(Issue("tags", TAGS_MAX, total, "dropped",
                            f"{total} fandom, relationship, character and additional tags; AO3 allows "
                            f"{TAGS_MAX}: dropped {', '.join(dropped)}"))
    # chapters
    chapters: list[tuple[str, str]] = []
    for i, ch in enumerate(work.chapters or [], 1):
        nodes = parse_fragment(ch.html)
        html = to_xhtml(nodes)
        ch_title = " ".join(xml_text(ch.title).split())
        if len(html) > CHAPTER_MAX:
            parts = _split_chapter(nodes, CHAPTER_MAX)
            issues.append(Issue("chapter", CHAPTER_MAX, len(html), "split",
                                f"chapter {i} has {len(html):,} characters of HTML; AO3 allows "
                                f"{CHAPTER_MAX:,}: split into {len(parts)} chapters"))
            for k, part in enumerate(parts, 1):
                chapters.append((f"{ch_title or f'Chapter {i}'} (part {k})", part))
        else:
            chapters.append((ch_title, html))
    if not chapters:
        chapters = [("", "")]
    if len(chapters) > CHAPTERS_MAX:
        issues.append(Issue("chapters", CHAPTERS_MAX, len(chapters), "none",
                            f"{len(chapters)} chapters; AO3 allows {CHAPTERS_MAX}: post it as several works"))
    creators = names(work.creators)
    if len(creators) > CREATORS_MAX:
        issues.append(Issue("creators", CREATORS_MAX, len(creators), "none",
                            f"{len(creators)} creators; AO3's importer takes {CREATORS_MAX} "
                            f"(author and co-author): {', '.join(creators[CREATORS_MAX:])} left out"))
    for c in creators[:CREATORS_MAX]:
        if len(c) > CREATOR_NAME_MAX or not _CREATOR_OK.match(c) or not re.search(r"[A-Za-z0-9]", c):
            issues.append(Issue("creators", CREATOR_NAME_MAX, c, "none",
                                f"creator name {c!r} is not one AO3 accepts (1-{CREATOR_NAME_MAX} letters, "
                                "digits, spaces, _ - @ . and at least one ASCII letter or digit)"))
    return Fitted(
        title=title, creators=creators, rating=xml_text(work.rating) or DEFAULT_RATING,
        warnings=names(work.archive_warnings) or [DEFAULT_WARNING], categories=names(work.categories),
        fandoms=tag_lists["fandoms"], relationships=tag_lists["relationships"],
        characters=tag_lists["characters"], additional_tags=tag_lists["additional_tags"],
        summary=texts["summary"], notes=texts["notes"], endnotes=texts["endnotes"], chapters=chapters,
        issues=issues)


def check_limits(work: Work) -> list[Issue]:
    """Every AO3 limit the work goes over (empty when it fits as it is)."""
    return fit_work(work).issues


def _id(work: Work, info: ExportInfo | None) -> str:
    if info is not None and info.work_id is not None:
        return str(info.work_id)
    return work_key(work, info)


def ao3_record(work: Work, info: ExportInfo | None = None) -> dict[str, Any]:
    """One work as an AO3 import API entry (plus Fanshelf's extras), fitted to AO3's limits."""
    f = fit_work(work)
    rec: dict[str, Any] = {"id": _id(work, info), "title": f.title}
    if f.creators:
        rec["external_author_name"] = f.creators[0]
    if len(f.creators) > 1:
        rec["external_coauthor_name"] = f.creators[1]
    rec.update({
        "fandoms": ", ".join(f.fandoms), "warnings": ", ".join(f.warnings), "rating": f.rating,
        "categories": ", ".join(f.categories), "relationships": ", ".join(f.relationships),
        "characters": ", ".join(f.characters), "additional_tags": ", ".join(f.additional_tags),
        "language_code": language_code(work.language), "summary": f.summary, "notes": f.notes,
        "endnotes": f.endnotes,
    })
    if work.challenge is not None and work.challenge.community:
        rec["collection_names"] = xml_text(work.challenge.community)
    url = info.source_url if info else None
    if url:
        rec["chapter_urls"] = [url]
    extra: dict[str, Any] = {"published": display_date(work.published), "words": work.word_count,
                             "language": xml_text(work.language)}
    sp = work.series_part
    if sp is not None and sp.title:
        extra["series"] = {"title": xml_text(sp.title), "part": sp.part, "of": sp.of}
    ch = work.challenge
    if ch is not None and (ch.prompt or ch.number):
        extra["prompt"] = {"number": ch.number, "text": xml_text(ch.prompt) if ch.prompt else None}
    rec["fanshelf"] = extra
    rec["chapters"] = [{"title": t, "content": html} for t, html in f.chapters]
    rec["issues"] = [i.to_dict() for i in f.issues]
    return rec


def _document(works: Sequence[Work], infos: Sequence[ExportInfo | None]) -> dict[str, Any]:
    records = [ao3_record(w, i) for w, i in zip(works, infos, strict=True)]
    exceeding = [{"id": r["id"], "title": r["title"], "issues": [i["message"] for i in r["issues"]]}
                 for r in records if r["issues"]]
    return {"format": "fanshelf-ao3-import", "version": 1, "limits": LIMITS, "works": records,
            "exceeding": exceeding}


def export_ao3_json(works: Sequence[Work], infos: Sequence[ExportInfo | None], filename: str | None = None
                    ) -> ExportFile:
    name = filename or (safe_filename(works[0], infos[0], "ao3.json") if len(works) == 1 else "ao3-import.json")
    return ExportFile(name, "application/json", dumps(_document(works, infos)))


CSV_COLUMNS = ("id", "title", "creators", "fandoms", "rating", "warnings", "categories", "relationships",
               "characters", "additional_tags", "language", "summary", "notes", "endnotes", "collection",
               "prompt", "series", "series_part", "published", "words", "chapters", "source_url", "issues")


def export_ao3_csv(works: Sequence[Work], infos: Sequence[ExportInfo | None], filename: str | None = None
                   ) -> ExportFile:
    """One row per work (RFC 4180, UTF-8); tag lists comma-separated as AO3 takes them; ``issues`` names
    every limit the work went over (the values in the row are already fitted). No chapter text."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for work, info in zip(works, infos, strict=True):
        f = fit_work(work)
        ch = work.challenge
        sp = work.series_part
        prompt = ""
        if ch is not None and (ch.prompt or ch.number):
            prompt = ": ".join(x for x in (f"#{ch.number}" if ch.number else "", xml_text(ch.prompt)) if x)
        w.writerow([
            _id(work, info), f.title, ", ".join(f.creators), ", ".join(f.fandoms), f.rating,
            ", ".join(f.warnings), ", ".join(f.categories), ", ".join(f.relationships),
            ", ".join(f.characters), ", ".join(f.additional_tags), xml_text(work.language), f.summary,
            f.notes, f.endnotes, xml_text(ch.community) if ch is not None and ch.community else "", prompt,
            xml_text(sp.title) if sp is not None and sp.title else "",
            sp.part if sp is not None and sp.part else "", display_date(work.published) or "",
            work.word_count, len(f.chapters), (info.source_url if info else None) or "",
            "; ".join(i.message for i in f.issues)])
    name = filename or (safe_filename(works[0], infos[0], "ao3.csv") if len(works) == 1 else "ao3-import.csv")
    return ExportFile(name, "text/csv; charset=utf-8", buf.getvalue().encode("utf-8", "replace"))
