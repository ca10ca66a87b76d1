"""Chapters across posts: "Part 2/4" posts by the same creator with the same title are one work.

Journals posted long stories a part at a time, each part its own post under a short header
(``The Long Road (2/4)``, ``Part: 3 of 4``). :func:`part_key` says whether a parsed work is such a
part and which story it belongs to; :func:`merge_parts` puts the parts of one story together, in part
order whatever order they were read in, as one multi-chapter :class:`~fanshelf.model.Work`.

A work is a part when the parser found a part number and no *named* series: a ``Series: Harbour
Lights, part 2`` header makes a separate work in a series, while ``Part 1 of 1`` is a one-shot.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

from fanshelf.model import (
    ARCHIVE_WARNINGS,
    DEFAULT_RATING,
    DEFAULT_WARNING,
    RATINGS,
    Challenge,
    Chapter,
    SeriesPart,
    Work,
)

__all__ = ["Part", "is_part", "last_date", "merge_parts", "part_key", "work_from_dict"]

_PUNCT = re.compile(r"[\W_]+", re.UNICODE)
_TRAILING_PART = re.compile(
    r"[\s,;:(\[-]*(?:\b(?:part|chapter|pt|ch)\b\.?\s*\d*\s*(?:(?:of|/)\s*\d+)?|\d+\s*(?:/|of)\s*\d+)[)\]\s]*$",
    re.I)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_PUNCT.sub(" ", text).split())


def _story_title(title: str) -> str:
    folded = _fold(title)
    return _fold(_TRAILING_PART.sub("", title.strip())) or folded


def is_part(work: Work) -> bool:
    """A part of a story posted over several posts (see the module's docs)."""
    sp = work.series_part
    if sp is None or sp.part is None:
        return False
    if sp.of is not None and sp.of <= 1:
        return False
    # the wrangler names the series after the work when the header gave no series name
    return sp.title is None or _story_title(sp.title) == _story_title(work.title)


def part_key(work: Work) -> str | None:
    """The story a part belongs to: its creators and its title, folded; ``None`` for a whole work."""
    if not is_part(work):
        return None
    creators = sorted({_fold(c) for c in work.creators if _fold(c)})
    return "|".join([",".join(creators), _story_title(work.title)])[:300]


@dataclass(frozen=True, slots=True)
class Part:
    """One part as stored: its number (and the count the writer gave) and the work parsed from it."""

    number: int
    of: int | None
    work: Work
    order: str = ""  # a tie-breaker for two posts claiming the same number (their location)


def _union(lists: Iterable[Sequence[str]]) -> list[str]:
    return list(dict.fromkeys(x for xs in lists for x in xs))


def _rating(parts: Sequence[Part]) -> tuple[str, str | None]:
    rated = [p.work for p in parts if p.work.rating != DEFAULT_RATING]
    if not rated:
        return DEFAULT_RATING, next((p.work.rating_raw for p in parts if p.work.rating_raw), None)
    top = max(rated, key=lambda w: RATINGS.index(w.rating) if w.rating in RATINGS else -1)
    return top.rating, top.rating_raw


def merge_parts(parts: Sequence[Part]) -> tuple[Work, bool, int | None]:
    """One work from the parts of a story: ``(work, complete, chapters_expected)``.

    Chapters come in part order; the title, summary and notes from the first part that has them, the
    end notes from the last; tags are the union over the parts (the highest rating wins; the default
    "Creator Chose Not To Use Archive Warnings" goes when a part names real warnings). The work is
    complete when every part from 1 to the stated count is there.
    """
    if not parts:
        raise ValueError("merge_parts needs at least one part")
    ordered = sorted(parts, key=lambda p: (p.number, p.order))
    first = ordered[0].work
    works = [p.work for p in ordered]
    rating, rating_raw = _rating(ordered)
    warnings = _union(w.archive_warnings for w in works)
    if len(warnings) > 1 and DEFAULT_WARNING in warnings:
        warnings.remove(DEFAULT_WARNING)
    warnings.sort(key=lambda x: ARCHIVE_WARNINGS.index(x) if x in ARCHIVE_WARNINGS else len(ARCHIVE_WARNINGS))
    chapters: list[Chapter] = []
    for p in ordered:
        chs = p.work.chapters or [Chapter(None, "", "")]
        for i, ch in enumerate(chs):
            title = ch.title
            if not title:
                title = f"Part {p.number}" if len(chs) == 1 else f"Part {p.number}, {i + 1}"
            chapters.append(Chapter(title, ch.text, ch.html))
    expected = max((p.of for p in ordered if p.of), default=None)
    numbers = {p.number for p in ordered}
    complete = expected is not None and numbers >= set(range(1, expected + 1))
    dates = sorted(w.published for w in works if w.published)
    extra: dict[str, str] = {}
    for w in works:
        for k, v in w.extra.items():
            extra.setdefault(k, v)
    challenge = next((w.challenge for w in works if w.challenge), None)
    merged = Work(
        title=next((w.title for w in works if w.title), first.title),
        creators=_union(w.creators for w in works),
        fandoms=_union(w.fandoms for w in works),
        rating=rating,
        rating_raw=rating_raw,
        archive_warnings=warnings,
        categories=_union(w.categories for w in works),
        relationships=_union(w.relationships for w in works),
        relationships_raw=_union(w.relationships_raw for w in works),
        characters=_union(w.characters for w in works),
        additional_tags=_union(w.additional_tags for w in works),
        summary=next((w.summary for w in works if w.summary), None),
        notes=next((w.notes for w in works if w.notes), None),
        end_notes=next((w.end_notes for w in reversed(works) if w.end_notes), None),
        language=first.language,
        word_count=sum(w.word_count for w in works),
        stated_word_count=None,
        challenge=challenge,
        series_part=None,
        published=dates[0] if dates else None,
        chapters=chapters,
        extra=extra,
        warnings=_union(w.warnings for w in works),
        header="\n\n".join(w.header for w in works if w.header),
    )
    return merged, complete, expected


def last_date(parts: Sequence[Part]) -> str | None:
    """The latest date any part was posted (the story's "updated")."""
    dates = sorted(p.work.published for p in parts if p.work.published)
    return dates[-1] if dates else None


def work_from_dict(data: dict[str, object]) -> Work:
    """The inverse of :meth:`Work.to_dict` (unknown keys are ignored)."""
    known = {f.name for f in fields(Work)}
    kw: dict[str, object] = {k: v for k, v in data.items() if k in known}
    ch = kw.get("challenge")
    kw["challenge"] = Challenge(**ch) if isinstance(ch, dict) else None
    sp = kw.get("series_part")
    kw["series_part"] = SeriesPart(**sp) if isinstance(sp, dict) else None
    chs = kw.get("chapters")
    kw["chapters"] = [Chapter(c.get("title"), c.get("text", ""), c.get("html", ""))
                      for c in chs if isinstance(c, dict)] if isinstance(chs, list) else []
    return Work(**kw)  # type: ignore[arg-type]
