"""Build :class:`~fanshelf.search.base.WorkDocument` objects from the database, in a few queries."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from fanshelf.archive.models import (
    FilterTagging,
    SerialWork,
    Tag,
    Tagging,
    TagType,
    Work,
    WorkCreator,
)
from fanshelf.search.base import WorkDocument, sort_key_text

__all__ = ["build_documents", "iter_all_documents"]

_FACET_ATTR = {
    TagType.RATING: "rating_ids",
    TagType.WARNING: "warning_ids",
    TagType.CATEGORY: "category_ids",
    TagType.FANDOM: "fandom_ids",
    TagType.CHARACTER: "character_ids",
    TagType.RELATIONSHIP: "relationship_ids",
    TagType.FREEFORM: "freeform_ids",
}


def build_documents(work_ids: Iterable[int]) -> list[WorkDocument]:
    """Documents of these works (ids that no longer exist are left out)."""
    ids = sorted(set(work_ids))
    out: list[WorkDocument] = []
    for start in range(0, len(ids), 500):
        out.extend(_build_chunk(ids[start:start + 500]))
    return out


def iter_all_documents(batch: int = 2000) -> Iterator[list[WorkDocument]]:
    """Every work's document, in id order, in batches (for ``fanshelf reindex``)."""
    last = 0
    while True:
        ids = list(Work.objects.filter(id__gt=last).order_by("id").values_list("id", flat=True)[:batch])
        if not ids:
            return
        yield build_documents(ids)
        last = ids[-1]


def _build_chunk(ids: list[int]) -> list[WorkDocument]:
    rows = Work.objects.filter(id__in=ids).values_list(
        "id", "revision", "title", "summary", "notes", "complete", "crossover", "chapters_posted", "words",
        "kudos", "hits", "comments", "bookmarks", "posted_at", "updated_at", "language")
    creators: dict[int, list[str]] = {}
    for wid, name in (WorkCreator.objects.filter(work_id__in=ids).order_by("work_id", "position")
                      .values_list("work_id", "creator__name")):
        creators.setdefault(wid, []).append(name)
    taggings: list[tuple[int, int]] = []
    tags: dict[int, tuple[str, str, bool, int | None]] = {}
    for wid, tid, name, type_, canon, merger in Tagging.objects.filter(work_id__in=ids).values_list(
            "work_id", "tag_id", "tag__name", "tag__type", "tag__canonical", "tag__merger_id"):
        taggings.append((wid, tid))
        tags[tid] = (name, type_, canon, merger)
    merger_ids = {m for (_n, _t, _c, m) in tags.values() if m is not None and m not in tags}
    if merger_ids:
        for tid, name, type_, canon, merger in Tag.objects.filter(id__in=merger_ids).values_list(
                "id", "name", "type", "canonical", "merger_id"):
            tags[tid] = (name, type_, canon, merger)
    filters: dict[int, list[int]] = {}
    facet_ids: dict[int, list[tuple[int, str]]] = {}
    for wid, tid, type_ in FilterTagging.objects.filter(work_id__in=ids).values_list("work_id", "tag_id",
                                                                                     "tag__type"):
        filters.setdefault(wid, []).append(tid)
        facet_ids.setdefault(wid, []).append((tid, type_))
    series: dict[int, list[str]] = {}
    for wid, title in SerialWork.objects.filter(work_id__in=ids).values_list("work_id", "series__title"):
        series.setdefault(wid, []).append(title)
    per_work_tags: dict[int, list[int]] = {}
    for wid, tid in taggings:
        per_work_tags.setdefault(wid, []).append(tid)
    docs = []
    for (wid, rev, title, summary, notes, complete, crossover, chapters, words, kudos, hits, comments,
         bookmarks, posted, updated, language) in rows:
        names: list[str] = []
        # facets count what including the tag finds: the work's filter set (a canonical covers its
        # synonyms and sub tags, so Torchwood works count under Doctor Who too)
        facets: dict[str, list[int]] = {a: [] for a in _FACET_ATTR.values()}
        for fid, type_ in sorted(facet_ids.get(wid, ())):
            if type_ in _FACET_ATTR:
                facets[_FACET_ATTR[type_]].append(fid)
        for tid in per_work_tags.get(wid, ()):
            name, type_, canon, merger = tags[tid]
            names.append(name)
            if merger is not None and merger in tags:
                names.append(tags[merger][0])
        cr = creators.get(wid, [])
        docs.append(WorkDocument(
            id=wid, revision=rev, title=title, creators=cr, summary=summary, notes=notes, tag_names=names,
            series=series.get(wid, []), filter_ids=sorted(filters.get(wid, [])), complete=complete,
            crossover=crossover, chapters=chapters, words=words, kudos=kudos, hits=hits, comments=comments,
            bookmarks=bookmarks, posted=posted, updated=updated, language=language,
            title_key=sort_key_text(title), creator_key=sort_key_text(cr[0] if cr else ""), **facets))
    return docs


