"""Search as the faces use it: names in, works out.

Resolves tag names (any spelling the archive knows; a synonym counts as its canonical) to filter ids,
reads categories typed into the query (``m/m``), runs the configured backend and names the facets.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from fanshelf.archive.models import Tag, TagType, Work, tag_key
from fanshelf.errors import FanshelfError
from fanshelf.search.base import SearchBackend, SearchRequest, SearchResult

__all__ = ["NamedResult", "UnknownTag", "resolve_tags", "run_search"]


class UnknownTag(FanshelfError):
    exit_code = 2


def resolve_tags(names: list[str], type_: str | None = None) -> list[int]:
    """Filter ids for tag names: a synonym gives its canonical; an unknown name raises UnknownTag."""
    out: list[int] = []
    for name in names:
        q = Tag.objects.filter(key=tag_key(name))
        if type_:
            q = q.filter(type=type_)
        rows = list(q.values_list("id", "canonical", "merger_id"))
        if not rows:
            raise UnknownTag(f"no tag named {name!r} in the archive")
        tid, canon, merger = rows[0]
        out.append(tid if canon or merger is None else merger)
    return out


@dataclass
class NamedResult:
    result: SearchResult
    works: list[dict[str, Any]] = field(default_factory=list)
    facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        r = self.result
        return {"total": r.total, "page": r.page, "per_page": r.per_page, "sort": r.sort, "order": r.order,
                "works": self.works, "facets": self.facets}


_WORK_FIELDS = ("id", "title", "summary", "words", "kudos", "hits", "comments", "bookmarks", "complete",
                "language", "posted_at", "updated_at", "chapters_posted")


def run_search(backend: SearchBackend, request: SearchRequest) -> NamedResult:
    from fanshelf.search.query import parse_query

    parsed = parse_query(request.text)
    if parsed.categories:
        known = dict(Tag.objects.filter(type=TagType.CATEGORY, key__in=[tag_key(c) for c in parsed.categories])
                     .values_list("key", "id"))
        cats = [known[tag_key(c)] for c in parsed.categories if tag_key(c) in known]
        request = replace(request, include=tuple(dict.fromkeys([*request.include, *cats])))
    result = backend.search(request)
    from fanshelf.archive.models import Creator, Tagging, WorkCreator
    from fanshelf.search.documents import sql_rows, utc_datetime

    ids = list(result.ids)
    works: dict[int, dict[str, Any]] = {}
    creators: dict[int, list[str]] = {}
    tags: dict[int, dict[str, list[str]]] = {}
    if ids:  # plain SQL: a page is read on every search, and the ORM's per-row work costs more than it
        work_t, tag_t = Work._meta.db_table, Tag._meta.db_table
        for row in sql_rows(f"SELECT {', '.join(_WORK_FIELDS)} FROM {work_t} WHERE id IN ({{ids}})", ids):
            w = dict(zip(_WORK_FIELDS, row, strict=True))
            w["complete"] = bool(w["complete"])
            w["posted_at"] = utc_datetime(w["posted_at"])
            w["updated_at"] = utc_datetime(w["updated_at"])
            works[w["id"]] = w
        for wid, name in sql_rows(
                f"SELECT wc.work_id, c.name FROM {WorkCreator._meta.db_table} wc "
                f"JOIN {Creator._meta.db_table} c ON c.id = wc.creator_id WHERE wc.work_id IN ({{ids}}) "
                f"ORDER BY wc.position, wc.id", ids):
            creators.setdefault(wid, []).append(name)
        for wid, type_, name in sql_rows(
                f"SELECT tg.work_id, t.type, t.name FROM {Tagging._meta.db_table} tg "
                f"JOIN {tag_t} t ON t.id = tg.tag_id WHERE tg.work_id IN ({{ids}}) ORDER BY tg.id", ids):
            tags.setdefault(wid, {}).setdefault(type_, []).append(name)
    tag_ids = sorted({f.tag_id for fl in result.facets.values() for f in fl})
    names: dict[int, str] = {}
    if tag_ids:
        names.update(sql_rows(f"SELECT id, name FROM {Tag._meta.db_table} WHERE id IN ({{ids}})", tag_ids))
    out = []
    for wid in result.ids:
        found = works.get(wid)
        if found is None:
            continue
        w = dict(found)
        w["posted_at"] = w["posted_at"].isoformat()
        w["updated_at"] = w["updated_at"].isoformat()
        w["creators"] = creators.get(wid, [])
        w["tags"] = tags.get(wid, {})
        out.append(w)
    facets = {k: [{"id": f.tag_id, "name": names.get(f.tag_id, "?"), "count": f.count} for f in fl]
              for k, fl in result.facets.items()}
    return NamedResult(result, out, facets)
