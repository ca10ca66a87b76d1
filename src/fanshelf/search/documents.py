"""Build :class:`~fanshelf.search.base.WorkDocument` objects from the database, in a few queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection

from fanshelf.archive.models import (
    Creator,
    FilterTagging,
    SerialWork,
    Series,
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


def utc_datetime(value: object) -> dt.datetime:
    """A stored datetime as an aware UTC datetime (SQLite hands back text, PostgreSQL datetimes)."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    d = dt.datetime.fromisoformat(str(value))
    return d if d.tzinfo is not None else d.replace(tzinfo=dt.UTC)


def sql_rows(sql: str, ids: list[int]) -> list[tuple[Any, ...]]:
    """Run ``sql`` (with one ``{ids}`` placeholder for the id list) directly: the ORM's per-row work
    costs more than these narrow rows do."""
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cur:
        cur.execute(sql.format(ids=marks), ids)
        return list(cur.fetchall())


def _build_chunk(ids: list[int]) -> list[WorkDocument]:
    work, tag = Work._meta.db_table, Tag._meta.db_table
    rows = sql_rows(
        f"SELECT id, revision, title, summary, notes, complete, crossover, chapters_posted, words, kudos, hits, "
        f"comments, bookmarks, posted_at, updated_at, language FROM {work} WHERE id IN ({{ids}})", ids)
    creators: dict[int, list[str]] = {}
    for wid, name in sql_rows(
            f"SELECT wc.work_id, c.name FROM {WorkCreator._meta.db_table} wc "
            f"JOIN {Creator._meta.db_table} c ON c.id = wc.creator_id "
            f"WHERE wc.work_id IN ({{ids}}) ORDER BY wc.work_id, wc.position", ids):
        creators.setdefault(wid, []).append(name)
    taggings: list[tuple[int, int]] = []
    tags: dict[int, tuple[str, str, bool, int | None]] = {}
    for wid, tid, name, type_, canon, merger in sql_rows(
            f"SELECT tg.work_id, tg.tag_id, t.name, t.type, t.canonical, t.merger_id "
            f"FROM {Tagging._meta.db_table} tg JOIN {tag} t ON t.id = tg.tag_id "
            f"WHERE tg.work_id IN ({{ids}}) ORDER BY tg.id", ids):
        taggings.append((wid, tid))
        tags[tid] = (name, type_, bool(canon), merger)
    merger_ids = sorted({m for (_n, _t, _c, m) in tags.values() if m is not None and m not in tags})
    if merger_ids:
        for tid, name, type_, canon, merger in sql_rows(
                f"SELECT id, name, type, canonical, merger_id FROM {tag} WHERE id IN ({{ids}})", merger_ids):
            tags[tid] = (name, type_, bool(canon), merger)
    filters: dict[int, list[int]] = {}
    facet_ids: dict[int, list[tuple[int, str]]] = {}
    for wid, tid, type_, canon in sql_rows(
            f"SELECT ft.work_id, ft.tag_id, t.type, t.canonical FROM {FilterTagging._meta.db_table} ft "
            f"JOIN {tag} t ON t.id = ft.tag_id WHERE ft.work_id IN ({{ids}})", ids):
        filters.setdefault(wid, []).append(tid)
        if canon:  # facets list wrangled tags only, as AO3's filters do (an unwrangled tag still filters)
            facet_ids.setdefault(wid, []).append((tid, type_))
    series: dict[int, list[str]] = {}
    for wid, title in sql_rows(
            f"SELECT sw.work_id, s.title FROM {SerialWork._meta.db_table} sw "
            f"JOIN {Series._meta.db_table} s ON s.id = sw.series_id WHERE sw.work_id IN ({{ids}}) "
            f"ORDER BY sw.series_id, sw.position, sw.work_id", ids):
        series.setdefault(wid, []).append(title)
    per_work_tags: dict[int, list[int]] = {}
    for wid, tid in taggings:
        per_work_tags.setdefault(wid, []).append(tid)
    docs = []
    for (wid, rev, title, summary, notes, complete, crossover, chapters, words, kudos, hits, comments,
         bookmarks, posted, updated, language) in rows:
        names: list[str] = []
        # facets count what including the tag finds: the canonical tags of the work's filter set (a
        # canonical covers its synonyms and sub tags, so Torchwood works count under Doctor Who too)
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
            series=series.get(wid, []), filter_ids=sorted(filters.get(wid, [])), complete=bool(complete),
            crossover=bool(crossover), chapters=chapters, words=words, kudos=kudos, hits=hits,
            comments=comments, bookmarks=bookmarks, posted=utc_datetime(posted), updated=utc_datetime(updated),
            language=language, title_key=sort_key_text(title), creator_key=sort_key_text(cr[0] if cr else ""),
            **facets))
    return docs
