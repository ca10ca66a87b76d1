"""Writing works: parsed posts in, rows out, each post (or each batch in bulk mode) in one transaction.

The search outbox row of every created, changed or deleted work is written in the same transaction, so
the search index can always be brought back in line with the database (``fanshelf reindex``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db import connection, models, transaction
from django.db.models import F

from fanshelf import model as core
from fanshelf.archive.models import (
    Chapter,
    Collection,
    CollectionItem,
    Creator,
    FilterTagging,
    IndexOutbox,
    Prompt,
    SerialWork,
    Series,
    Source,
    Tag,
    Tagging,
    TagType,
    Work,
    WorkCreator,
    WorkPart,
    tag_key,
)
from fanshelf.archive.sql import MAX_PARAMS, rows_in
from fanshelf.archive.tags import TagResolver
from fanshelf.parts import Part, is_part, last_date, merge_parts, part_key, work_from_dict

__all__ = ["PostItem", "Store", "StoreOutcome", "content_hash", "prompt_key"]

STATS = ("kudos", "hits", "comments", "bookmarks", "words")


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def prompt_key(text: str) -> str:
    """Prompt texts match across communities ignoring case, quotes and punctuation."""
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text.casefold()).split())


@dataclass
class PostItem:
    """One parsed post to store."""

    location: str
    digest: str
    works: list[core.Work]
    size: int = 0
    encoding: str = ""
    mtime: float | None = None
    stats: Mapping[str, int] | None = None  # kudos/hits/comments/bookmarks (and words) for every work
    # set for a story put together from parts posted separately (see fanshelf.parts)
    updated: str | None = None
    complete: bool | None = None
    chapters_expected: int | None = None


@dataclass
class StoreOutcome:
    location: str
    outcome: str  # created / updated / unchanged
    work_ids: list[int] = field(default_factory=list)


def _date(value: str | None, fallback: dt.datetime) -> dt.datetime:
    if value:
        try:
            d = dt.date.fromisoformat(value[:10])
            return dt.datetime(d.year, d.month, d.day, 12, 0, tzinfo=dt.UTC)
        except ValueError:
            pass
    return fallback


def _clip(s: str | None, n: int) -> str:
    s = s or ""
    return s if len(s) <= n else s[: n - 1] + "…"


class Store:
    """Stores parsed posts. One instance per import (it caches tag, creator and collection ids)."""

    def __init__(self, resolver: TagResolver | None = None) -> None:
        self.tags = resolver or TagResolver()
        self._creators: dict[str, int] = {}
        self._series: dict[str, int] = {}
        self._collections: dict[str, int] = {}
        self._prompts: dict[tuple[int | None, str, str], int] = {}
        self._last_ids: dict[str, list[int]] = {}
        self.count_tags = True  # False in a deferred bulk load: restore_indexes() counts them at the end

    # ------------------------------------------------------------------ public
    def save(self, item: PostItem) -> StoreOutcome:
        """Store one post in its own transaction."""
        return self.save_batch([item])[0]

    def save_batch(self, items: Sequence[PostItem]) -> list[StoreOutcome]:
        """Store several posts in one transaction (bulk mode); outcomes in input order."""
        with transaction.atomic():
            return self._save_batch(items)

    # ------------------------------------------------------------------ internals
    def _save_batch(self, items: Sequence[PostItem]) -> list[StoreOutcome]:
        self.tags.ensure_fixed()
        now = dt.datetime.now(dt.UTC)
        locations = [it.location for it in items]
        existing = {loc: (sid, h) for sid, loc, h in rows_in(
            f"SELECT id, location, content_hash FROM {Source._meta.db_table} WHERE location IN ({{marks}})",
            locations)}
        outcomes: list[StoreOutcome] = []
        todo: list[tuple[PostItem, _SourceRow, bool]] = []
        new_sources: list[_SourceRow] = []
        same = _work_ids_of([sid for it in items if (sid := _same(existing.get(it.location), it.digest))])
        for it in items:
            prev = existing.get(it.location)
            if prev is not None and prev[1] == it.digest:
                outcomes.append(StoreOutcome(it.location, "unchanged", same.get(prev[0], [])))
                continue
            if prev is None:
                src = _SourceRow(0, it.location, it.digest, it.size, it.encoding, now, now)
                new_sources.append(src)
                todo.append((it, src, False))
                outcomes.append(StoreOutcome(it.location, "created"))
            else:
                Source.objects.filter(id=prev[0]).update(content_hash=it.digest, size=it.size,
                                                         encoding=it.encoding, updated_at=now)
                todo.append((it, _SourceRow(prev[0], it.location), True))
                outcomes.append(StoreOutcome(it.location, "updated"))
        if new_sources:
            for src, sid in zip(new_sources, _allocate_ids(Source, len(new_sources)), strict=True):
                src.id = sid
            _insert(Source, _SourceRow.COLUMNS, [src.row() for src in new_sources])
        if not todo:
            return outcomes
        self._write(todo, now)
        by_loc = {o.location: o for o in outcomes}
        for it, _src, _upd in todo:
            by_loc[it.location].work_ids = self._last_ids.get(it.location, [])
        for loc, ids in self._write_parts(todo).items():
            by_loc[loc].work_ids = list(dict.fromkeys([*by_loc[loc].work_ids, *ids]))
        return outcomes

    def _write_parts(self, todo: list[tuple[PostItem, _SourceRow, bool]]) -> dict[str, list[int]]:
        """Store the parts among the batch's works and put each affected story together again.

        A story is stored as the work of a virtual source ``parts:KEY``, so it is created, updated in
        place (same id) and deleted by the same code as any post's work. Returns the story work ids per
        post location.
        """
        updated = [src.id for _it, src, upd in todo if upd]
        affected: set[str] = set()
        if updated:
            old = WorkPart.objects.filter(source_id__in=updated)
            affected.update(old.values_list("key", flat=True))
            old.delete()
        rows: list[WorkPart] = []
        keys_of: dict[str, list[str]] = {}
        for it, src, _upd in todo:
            for pos, w in enumerate(it.works):
                key = part_key(w)
                if key is None or w.series_part is None or w.series_part.part is None:
                    continue
                data = w.to_dict()
                if it.stats:
                    data["stats"] = dict(it.stats)
                data["location"] = it.location
                if not w.published and it.mtime:
                    data["published"] = dt.datetime.fromtimestamp(it.mtime, dt.UTC).date().isoformat()
                rows.append(WorkPart(source_id=src.id, source_index=pos, key=key, part=w.series_part.part,
                                     of=w.series_part.of, data=data))
                keys_of.setdefault(it.location, []).append(key)
                affected.add(key)
        WorkPart.objects.bulk_create(rows)
        if not affected:
            return {}
        stories: dict[str, list[WorkPart]] = {k: [] for k in affected}
        for wp in WorkPart.objects.filter(key__in=affected).order_by("part", "id"):
            stories[wp.key].append(wp)
        virtual = [self._story_item(key, wps) for key, wps in sorted(stories.items())]
        ids = {o.location: o.work_ids for o in self._save_batch(virtual)}
        return {loc: [i for k in keys for i in ids.get(_story_location(k), [])] for loc, keys in keys_of.items()}

    @staticmethod
    def _story_item(key: str, wps: list[WorkPart]) -> PostItem:
        loc = _story_location(key)
        if not wps:
            return PostItem(loc, content_hash(b""), [])
        parts = [Part(wp.part, wp.of, work_from_dict(wp.data), str(wp.data.get("location", wp.id))) for wp in wps]
        merged, complete, expected = merge_parts(parts)
        stats: dict[str, int] = {}
        for wp in wps:
            for k, v in (wp.data.get("stats") or {}).items():
                if k != "words":
                    stats[k] = max(stats.get(k, 0), int(v))
        digest = content_hash(repr(sorted((wp.part, wp.of, wp.source_id, wp.source_index,
                                           sorted(wp.data.items(), key=str)) for wp in wps)).encode())
        return PostItem(loc, digest, [merged], stats=stats or None, updated=last_date(parts),
                        complete=complete, chapters_expected=expected)

    def _write(self, todo: list[tuple[PostItem, _SourceRow, bool]], now: dt.datetime) -> None:
        # 1. resolve every name the batch needs
        wanted: list[tuple[str, str]] = []
        whole = {it.location: [(pos, w) for pos, w in enumerate(it.works) if not is_part(w)]
                 for it, _s, _u in todo}
        pairs_of: dict[int, list[tuple[tuple[str, str], str]]] = {}  # id(work) -> its tag pairs
        for pairs in whole.values():
            for _pos, w in pairs:
                tp = pairs_of[id(w)] = self._tag_pairs(w)
                wanted += [pair for pair, _written in tp]
        tag_ids = self.tags.resolve_written(wanted)  # keyed by the (type, name) pairs as _tag_pairs gives them
        self._ensure_creators({c for ps in whole.values() for _p, w in ps for c in w.creators})
        self._ensure_series({w.series_part.title for ps in whole.values() for _p, w in ps
                             if w.series_part and w.series_part.title})
        # 2. works: update in place (same ids) or create
        updated_sources = [src.id for _it, src, upd in todo if upd]
        old: dict[tuple[int, int], int] = {}
        if updated_sources:
            for wid, sid, pos in Work.objects.filter(source_id__in=updated_sources).values_list(
                    "id", "source_id", "source_index"):
                old[(sid, pos)] = wid
            for model_ in (Chapter, WorkCreator, SerialWork, CollectionItem):
                model_.objects.filter(work_id__in=old.values()).delete()
            self._uncount(list(old.values()))
            Tagging.objects.filter(work_id__in=old.values()).delete()
            FilterTagging.objects.filter(work_id__in=old.values()).delete()
        # rows are plain dicts of column values (new works go in with one INSERT; Model objects cost more)
        new_rows: list[dict[str, Any]] = []
        upd_rows: list[dict[str, Any]] = []
        placed: list[tuple[PostItem, core.Work, dict[str, Any]]] = []
        keep_old: set[int] = set()
        for it, src, _upd in todo:
            fallback = dt.datetime.fromtimestamp(it.mtime, dt.UTC) if it.mtime else now
            for pos, w in whole[it.location]:
                row = self._work_row(w, it, fallback)
                row["source_id"] = src.id
                row["source_index"] = pos
                row["changed_at"] = now
                prev_id = old.get((src.id, pos))
                if prev_id is not None:
                    row["id"] = prev_id
                    keep_old.add(prev_id)
                    upd_rows.append(row)
                else:
                    new_rows.append(row)
                placed.append((it, w, row))
        if new_rows:
            for row, wid in zip(new_rows, _allocate_ids(Work, len(new_rows)), strict=True):
                row["id"] = wid
            _insert(Work, _WORK_COLUMNS, [tuple(r.get(c, _WORK_DEFAULTS[c]) for c in _WORK_COLUMNS)
                                          for r in new_rows])
        if upd_rows:
            fields = [f.name for f in Work._meta.concrete_fields if f.name not in ("id", "revision")]
            Work.objects.bulk_update([Work(**r) for r in upd_rows], fields, batch_size=200)
            Work.objects.filter(id__in=[r["id"] for r in upd_rows]).update(revision=F("revision") + 1)
        gone = [wid for wid in old.values() if wid not in keep_old]
        if gone:
            Work.objects.filter(id__in=gone).delete()
        # 3. children, written with plain INSERTs (the ORM's per-row objects cost more than the rows)
        chapters: list[tuple[object, ...]] = []
        links: list[tuple[object, ...]] = []
        taggings: dict[tuple[int, int], str] = {}
        serials: list[SerialWork] = []
        items: list[CollectionItem] = []
        self._last_ids = {}
        for it, w, row in placed:
            wid = row["id"]
            assert wid is not None
            self._last_ids.setdefault(it.location, []).append(wid)
            chs = w.chapters or [core.Chapter(None, "", "")]
            for i, ch in enumerate(chs, 1):
                words = w.word_count if len(chs) == 1 else _words(ch.text)
                chapters.append((wid, i, _clip(ch.title, 255), ch.html, words))
            for i, c in enumerate(dict.fromkeys(w.creators)):
                links.append((wid, self._creators[_ckey(c)], i))
            for pair, written in pairs_of[id(w)]:
                tid = tag_ids.get(pair)
                if tid is not None:
                    taggings.setdefault((wid, tid), _clip(written, 255))
            sp = w.series_part
            if sp and sp.title:
                serials.append(SerialWork(series_id=self._series[_ckey(sp.title)], work_id=wid,
                                          position=sp.part, of=sp.of))
            if w.challenge and (w.challenge.community or w.challenge.prompt or w.challenge.number):
                items.append(self._collection_item(wid, w.challenge))
        _insert(Chapter, ("work_id", "position", "title", "content", "words"), chapters)
        _insert(WorkCreator, ("work_id", "creator_id", "position"), links)
        _insert(Tagging, ("work_id", "tag_id", "written"), [(w, t, x) for (w, t), x in taggings.items()])
        SerialWork.objects.bulk_create(serials, ignore_conflicts=True)
        CollectionItem.objects.bulk_create(items, ignore_conflicts=True)
        # 4. filter sets, counts, crossover flag, outbox
        fandom_tags = {tid for (t, _n), tid in tag_ids.items() if t == TagType.FANDOM}
        self._write_filters(list(taggings), fandom_tags)
        self._count([t for _w, t in taggings], +1)
        _insert(IndexOutbox, ("work_id", "created_at"),
                [(r["id"], now) for _it, _w, r in placed] + [(g, now) for g in gone])

    def _write_filters(self, taggings: list[tuple[int, int]], fandom_tags: set[int]) -> None:
        filt = self.tags.filters({t for _w, t in taggings})
        per_work: dict[int, dict[int, bool]] = {}
        fandom_sets: dict[int, list[frozenset[int]]] = {}
        for work_id, tag_id in taggings:
            canon, fset = filt[tag_id]
            d = per_work.setdefault(work_id, {})
            for fid in fset:
                d[fid] = d.get(fid, True) and fid not in (canon, tag_id)
            if tag_id in fandom_tags:
                fandom_sets.setdefault(work_id, []).append(fset)
        _insert(FilterTagging, ("work_id", "tag_id", "inherited"),
                [(w, f, inh) for w, d in per_work.items() for f, inh in d.items()])
        cross = [w for w, sets in fandom_sets.items() if _crossover(sets)]
        if cross:
            Work.objects.filter(id__in=cross).update(crossover=True)

    def _count(self, tag_ids: list[int], sign: int) -> None:
        if not self.count_tags:
            return
        counts: dict[int, int] = {}
        for t in tag_ids:
            counts[t] = counts.get(t, 0) + 1
        if not counts:
            return
        table = Tag._meta.db_table
        with connection.cursor() as cur:
            cur.executemany(f"UPDATE {table} SET taggings_count = taggings_count + %s WHERE id = %s",
                            [(sign * n, t) for t, n in counts.items()])

    def _uncount(self, work_ids: list[int]) -> None:
        if not self.count_tags:
            return
        self._count(list(Tagging.objects.filter(work_id__in=work_ids).values_list("tag_id", flat=True)), -1)

    # -- rows
    def _work_row(self, w: core.Work, it: PostItem, fallback: dt.datetime) -> dict[str, Any]:
        posted = _date(w.published, fallback)
        updated = _date(it.updated, posted) if it.updated else posted
        stats = it.stats or {}
        return dict(
            title=_clip(w.title, 255), summary=w.summary or "", notes=w.notes or "", end_notes=w.end_notes or "",
            language=_clip(w.language, 64), words=int(stats.get("words", w.word_count)),
            stated_words=w.stated_word_count, chapters_posted=max(1, len(w.chapters)),
            chapters_expected=it.chapters_expected, complete=True if it.complete is None else it.complete,
            crossover=False, posted_at=posted, updated_at=max(posted, updated),
            kudos=int(stats.get("kudos", 0)), hits=int(stats.get("hits", 0)),
            comments=int(stats.get("comments", 0)), bookmarks=int(stats.get("bookmarks", 0)),
            rating_raw=_clip(w.rating_raw, 255), raw_header=w.header, parser_warnings=list(w.warnings),
            extra=dict(w.extra))

    @staticmethod
    def _tag_pairs(w: core.Work) -> list[tuple[tuple[str, str], str]]:
        out: list[tuple[tuple[str, str], str]] = [((TagType.RATING, w.rating), w.rating_raw or "")]
        out += [((TagType.WARNING, x), "") for x in (w.archive_warnings or [core.DEFAULT_WARNING])]
        out += [((TagType.CATEGORY, x), "") for x in w.categories]
        out += [((TagType.FANDOM, x), "") for x in (w.fandoms or [core.NO_FANDOM])]
        raws = list(w.relationships_raw)
        for i, x in enumerate(w.relationships):
            out.append(((TagType.RELATIONSHIP, x), raws[i] if i < len(raws) else ""))
        out += [((TagType.CHARACTER, x), "") for x in w.characters]
        out += [((TagType.FREEFORM, x), "") for x in w.additional_tags]
        return out

    def _ensure_creators(self, names: set[str]) -> None:
        _ensure_keyed(Creator, "name", names, self._creators)

    def _ensure_series(self, titles: set[str]) -> None:
        _ensure_keyed(Series, "title", titles, self._series)

    def _collection_item(self, wid: int, ch: core.Challenge) -> CollectionItem:
        cid: int | None = None
        if ch.community:
            name = ch.community.strip()[:255]
            ck = name.casefold()
            if ck not in self._collections:
                obj = Collection.objects.filter(name__iexact=name).first()
                if obj is None:
                    obj = Collection.objects.create(name=name)
                self._collections[ck] = obj.id
            cid = self._collections[ck]
        pid: int | None = None
        if ch.prompt or ch.number:
            text = (ch.prompt or "").strip()[:500]
            key = (cid, (ch.number or "").strip()[:32], prompt_key(text))
            if key not in self._prompts:
                p, _ = Prompt.objects.get_or_create(collection_id=cid, number=key[1], key=key[2],
                                                    defaults={"text": text})
                self._prompts[key] = p.id
            pid = self._prompts[key]
        return CollectionItem(collection_id=cid, prompt_id=pid, work_id=wid)


@dataclass(slots=True)
class _SourceRow:
    """A source row being written (a model object per post costs more than the row)."""

    id: int  # 0 until one is allocated
    location: str
    content_hash: str = ""
    size: int = 0
    encoding: str = ""
    imported_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None

    COLUMNS: ClassVar[tuple[str, ...]] = (
        "id", "location", "content_hash", "size", "encoding", "imported_at", "updated_at")

    def row(self) -> tuple[object, ...]:
        return (self.id, self.location, self.content_hash, self.size, self.encoding, self.imported_at,
                self.updated_at)


_WORK_COLUMNS = tuple(f.attname for f in Work._meta.concrete_fields)
_WORK_DEFAULTS: dict[str, Any] = {f.attname: f.get_default() for f in Work._meta.concrete_fields}


def _story_location(key: str) -> str:
    return "parts:" + key


def _same(prev: tuple[int, str] | None, digest: str) -> int | None:
    """The stored source's id when its bytes are these (an unchanged post)."""
    return prev[0] if prev is not None and prev[1] == digest else None


def _work_ids_of(source_ids: list[int]) -> dict[int, list[int]]:
    """The works stored posts gave, per source: its own, then the stories its parts belong to."""
    out: dict[int, list[int]] = {sid: [] for sid in source_ids}
    if not source_ids:
        return out
    for sid, wid in (Work.objects.filter(source_id__in=source_ids).order_by("source_id", "source_index")
                     .values_list("source_id", "id")):
        out[sid].append(wid)
    parts = list(WorkPart.objects.filter(source_id__in=source_ids).order_by("source_id", "source_index")
                 .values_list("source_id", "key"))
    if parts:
        story = dict(Work.objects.filter(source__location__in={_story_location(k) for _s, k in parts})
                     .values_list("source__location", "id"))
        for sid, key in parts:
            if _story_location(key) in story:
                out[sid].append(story[_story_location(key)])
    return out


NARROW_COLUMNS = 4
"""Rows of at most this many columns are inserted many to a statement."""
INSERT_ROWS = 500
"""Most rows one INSERT statement of a bulk write carries."""


def _insert(model: type[Any], columns: tuple[str, ...], rows: Sequence[tuple[object, ...]]) -> None:
    """INSERT many rows with one prepared statement (works on SQLite and PostgreSQL)."""
    if not rows:
        return
    cols = ", ".join(columns)
    fields = {f.attname: f for f in model._meta.concrete_fields}
    dates = {i for i, c in enumerate(columns) if isinstance(fields[c], models.DateTimeField)}
    jsons = {i for i, c in enumerate(columns) if isinstance(fields[c], models.JSONField)}
    if dates or jsons:
        cache: dict[object, object] = {}
        ops = connection.ops

        def adapt(i: int, v: object) -> object:
            # what get_db_prep_save does for these values, less the ORM's layers (a bulk load adapts
            # millions): JSON as the backend takes it, an aware datetime as the backend stores it
            f = fields[columns[i]]
            if i in jsons:
                return None if v is None else ops.adapt_json_value(v, f.encoder)
            if v not in cache:  # each distinct datetime once (they are often all "now")
                aware = isinstance(v, dt.datetime) and v.utcoffset() is not None
                cache[v] = ops.adapt_datetimefield_value(v) if aware else f.get_db_prep_save(v, connection)
            return cache[v]

        at = sorted(dates | jsons)
        adapted: list[tuple[object, ...]] = []
        for r in rows:
            values = list(r)
            for i in at:
                values[i] = adapt(i, values[i])
            adapted.append(tuple(values))
        rows = adapted
    table = model._meta.db_table
    raw = connection.vendor == "sqlite"  # SQLite's own cursor and placeholders: Django's wrapper rewrites
    mark = "?" if raw else "%s"          # every statement and tees every parameter list
    one = "(" + ", ".join([mark] * len(columns)) + ")"
    head = f"INSERT INTO {table} ({cols}) VALUES "
    connection.ensure_connection()
    with contextlib.closing(connection.connection.cursor()) if raw else connection.cursor() as cur:
        if len(columns) > NARROW_COLUMNS:  # wide rows (long texts): one row a statement goes faster
            cur.executemany(head + one, rows)
            return
        # narrow rows (taggings, filter sets): a multi-row INSERT costs far less per row than one a row
        per = max(1, min(INSERT_ROWS, MAX_PARAMS // len(columns)))
        full = head + ", ".join([one] * per)
        for start in range(0, len(rows), per):
            part = rows[start:start + per]
            cur.execute(full if len(part) == per else head + ", ".join([one] * len(part)),
                        [v for r in part for v in r])


def _allocate_ids(model: type[Any], n: int) -> list[int]:
    """Ids for n new rows, drawn inside the current (write-locked) transaction."""
    table = model._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n])
            return [r[0] for r in cur.fetchall()]
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        top = cur.fetchone()[0]
        cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cur.fetchone()
        start = max(top, row[0] if row else 0) + 1
    return list(range(start, start + n))


def _ensure_keyed(model: type[Any], field: str, names: set[str], cache: dict[str, int]) -> None:
    """Rows of a model unique by ``key`` (creators, series) for these names, ids cached by key."""
    want = {_ckey(n): n for n in names if _ckey(n) not in cache}
    if not want:
        return
    model.objects.bulk_create([model(**{field: _clip(n, 255), "key": k}) for k, n in want.items()],
                              ignore_conflicts=True)
    for rid, k in model.objects.filter(key__in=list(want)).values_list("id", "key"):
        cache[k] = rid


def _ckey(name: str) -> str:
    return tag_key(name)[:255]


def _words(text: str) -> int:
    from fanshelf.wrangle import count_words

    return count_words(text)


def _crossover(fandom_filter_sets: list[frozenset[int]]) -> bool:
    """A crossover has two fandoms that share no metatag family."""
    for i, a in enumerate(fandom_filter_sets):
        for b in fandom_filter_sets[i + 1:]:
            if not (a & b):
                return True
    return False
