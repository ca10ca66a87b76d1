"""Stored works back as core :class:`fanshelf.model.Work` objects, for the exporters.

:func:`core_work` loads one work; :func:`load_works` loads many in a few queries (chapters, creators,
taggings, series and collections for a batch at once) and gives each work's
:class:`~fanshelf.export.ExportInfo` (archive id, source, dates, completion) beside it.

Tags come back by type in AO3's order (rating, archive warnings, categories, fandoms, relationships,
characters, additional tags), each type in the order the work was tagged; the rating's and the
relationships' written values come back as ``rating_raw`` / ``relationships_raw``. Chapters keep their
stored (sanitized) HTML; their plain ``text`` is derived from it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from fanshelf import model as core
from fanshelf.archive.models import (
    Chapter,
    CollectionItem,
    SerialWork,
    Tagging,
    TagType,
    Work,
    WorkCreator,
)
from fanshelf.export.common import ExportError, ExportInfo
from fanshelf.export.tree import parse_fragment, plain_text

__all__ = ["core_work", "iter_works", "load_works"]

BATCH = 500
_ATTR = {TagType.WARNING: "archive_warnings", TagType.CATEGORY: "categories", TagType.FANDOM: "fandoms",
         TagType.RELATIONSHIP: "relationships", TagType.CHARACTER: "characters",
         TagType.FREEFORM: "additional_tags"}


def core_work(work_id: int) -> core.Work:
    """One stored work as a core Work (ExportError when there is no such work)."""
    return load_works([work_id])[0][0]


def load_works(ids: Sequence[int]) -> list[tuple[core.Work, ExportInfo]]:
    """The works with these ids, in this order, each with its ExportInfo."""
    out: list[tuple[core.Work, ExportInfo]] = []
    for item in iter_works(ids):
        out.append(item)
    return out


def iter_works(ids: Sequence[int], batch: int = BATCH) -> Iterator[tuple[core.Work, ExportInfo]]:
    """Like :func:`load_works`, a batch of queries at a time (for large exports)."""
    ids = list(dict.fromkeys(int(i) for i in ids))
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        loaded = _load_batch(chunk)
        missing = [i for i in chunk if i not in loaded]
        if missing:
            raise ExportError("no work " + ", ".join(f"#{i}" for i in missing[:10]) + " in the archive")
        for i in chunk:
            yield loaded[i]


def _load_batch(ids: list[int]) -> dict[int, tuple[core.Work, ExportInfo]]:
    rows = {w.id: w for w in Work.objects.filter(id__in=ids).select_related("source")}
    chapters: dict[int, list[core.Chapter]] = {}
    for wid, title, content in (Chapter.objects.filter(work_id__in=rows).order_by("work_id", "position")
                                .values_list("work_id", "title", "content")):
        chapters.setdefault(wid, []).append(
            core.Chapter(title=title or None, text=plain_text(parse_fragment(content)), html=content))
    creators: dict[int, list[str]] = {}
    for wid, name in (WorkCreator.objects.filter(work_id__in=rows).order_by("work_id", "position", "id")
                      .values_list("work_id", "creator__name")):
        creators.setdefault(wid, []).append(name)
    tags: dict[int, list[tuple[str, str, str]]] = {}
    for wid, type_, name, written in (Tagging.objects.filter(work_id__in=rows).order_by("work_id", "id")
                                      .values_list("work_id", "tag__type", "tag__name", "written")):
        tags.setdefault(wid, []).append((type_, name, written))
    series: dict[int, core.SeriesPart] = {}
    for wid, title, pos, of in (SerialWork.objects.filter(work_id__in=rows).order_by("work_id", "id")
                                .values_list("work_id", "series__title", "position", "of")):
        series.setdefault(wid, core.SeriesPart(title=title, part=pos, of=of))
    challenges: dict[int, core.Challenge] = {}
    for wid, cname, number, text in (CollectionItem.objects.filter(work_id__in=rows).order_by("work_id", "id")
                                     .values_list("work_id", "collection__name", "prompt__number",
                                                  "prompt__text")):
        challenges.setdefault(wid, core.Challenge(community=cname or None, prompt=text or None,
                                                  number=number or None))
    out: dict[int, tuple[core.Work, ExportInfo]] = {}
    for wid, row in rows.items():
        w = core.Work(
            title=row.title, creators=creators.get(wid, []), summary=row.summary or None,
            notes=row.notes or None, end_notes=row.end_notes or None, language=row.language,
            word_count=row.words, stated_word_count=row.stated_words, rating_raw=row.rating_raw or None,
            published=row.posted_at.date().isoformat(), chapters=chapters.get(wid, []),
            extra={str(k): str(v) for k, v in (row.extra or {}).items()},
            warnings=[str(x) for x in (row.parser_warnings or [])], header=row.raw_header or "",
            series_part=series.get(wid), challenge=challenges.get(wid))
        for type_, name, written in tags.get(wid, []):
            if type_ == TagType.RATING:
                w.rating = name
                if written and not w.rating_raw:
                    w.rating_raw = written
            elif type_ in _ATTR:
                getattr(w, _ATTR[type_]).append(name)
                if type_ == TagType.RELATIONSHIP:
                    w.relationships_raw.append(written or name)
        if w.relationships_raw == w.relationships:
            w.relationships_raw = []
        info = ExportInfo(
            work_id=wid, source=row.source.location if row.source is not None else None,
            updated=row.updated_at.date().isoformat(), complete=row.complete,
            chapters_expected=row.chapters_expected)
        out[wid] = (w, info)
    return out
