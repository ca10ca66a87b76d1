"""The default search backend: a tantivy index in a folder of the data directory.

What is indexed
    Text reaches tantivy already analysed (:func:`fanshelf.search.analysis.index_text`: folded,
    stemmed tokens with ``GAP`` between values) and is split on whitespace only, with positions, so
    phrase queries work and a phrase never matches across two values. Numbers are u64 fast fields.

How queries are built
    Never from a string: :func:`fanshelf.search.query.parse_query` reads the user's text and this
    module turns its nodes into tantivy ``Query`` objects. Filters are wrapped in a zero-score query
    so they never change the ranking.

Sorting, with ties always broken by work id in the sort's direction
    * numeric and date sorts use composite fast fields ``s_<sort> = min(value, 2**32-1) << 32 | id``:
      one ordered tantivy search gives the exact page (ids must be below ``2**32``; values beyond
      ``2**32-1``, or dates after 2106, all tie and fall back to id order);
    * ``title``/``creator`` sort on the 63-bit key alone (no room for the id), and the tie group that
      straddles the page's end is fetched again by a second search (key == that key, ordered by id),
      so pages are exact however large the tie group;
    * ``best`` (BM25 score) fetches a window of ``offset + per_page + 50`` hits, re-sorts it by
      (score, id) in Python and widens the window until the score at the page's end is not also the
      window's lowest score (or everything matching was fetched), so ties are exact there too. A
      query without positive terms scores every hit alike: it is ordered by id directly. ``best``
      ascending (lowest score first) has to fetch every hit.
    Dates are whole seconds since 1970, clamped to 0..2**32-1 (1970-2106).

Facets
    One ``aggregate`` call with a terms aggregation per facet type. Every segment reports every id
    (``segment_size`` is huge), so counts are exact; a type whose 10th count ties with the last bucket
    returned is asked again for more buckets, so the cut (count desc, then id asc) is exact too.

Versions and concurrency
    ``fanshelf-index.json`` beside tantivy's files names the schema and analyser versions the index
    was built with; another version raises :class:`IndexStale` (``recreate=True`` starts over).
    Only ``upsert``/``delete``/``clear`` open tantivy's writer (one per index, across processes:
    :class:`IndexBusy` when another process holds it). ``search`` only reads, and sees each commit
    (of this process at once, of others within about half a second).
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import os
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, cast

import tantivy

from fanshelf.errors import FanshelfError
from fanshelf.search.analysis import ANALYZER_VERSION, index_text
from fanshelf.search.base import (
    FACET_SIZE,
    FACET_TYPES,
    PAGE_CAP,
    SORTS,
    FacetCount,
    IndexStale,
    SearchRequest,
    SearchResult,
    WorkDocument,
)
from fanshelf.search.query import And, Node, Not, Or, ParsedQuery, Phrase, Range, parse_query

__all__ = ["SCHEMA_VERSION", "IndexBusy", "IndexStale", "TantivyBackend"]

SCHEMA_VERSION = 3  # 2: facet ids are the filter set (metatags count); 3: its canonical tags only
"""Bump whenever the schema or what is stored in it changes (with the analyser's version, it names the
format of an index: a mismatch means the index must be rebuilt)."""

VERSION_FILE = "fanshelf-index.json"

TEXT_FIELDS: dict[str, float] = {"title": 7.0, "creators": 5.0, "summary": 1.0, "notes": 1.0, "tags": 1.0,
                                 "series": 1.0}
"""Text fields and their boosts for a phrase with no field."""

ID_FIELDS = ("filter_ids", *FACET_TYPES.values())
COUNT_FIELDS = ("chapters", "words", "kudos", "hits", "comments", "bookmarks")
COMPOSITE_SORTS = ("posted", "updated", "words", "hits", "kudos", "comments", "bookmarks")  # dates first
KEY_SORTS = {"title": "title_key", "creator": "creator_key"}

MAX_ID = 2**32 - 1
_LOW32 = 2**32 - 1
_MAX_U64 = 2**64 - 1
_BEST_MARGIN = 50
_WINDOW_CHECK = 10_000  # deeper pages than this count the matches first (a page past the end costs nothing)
_FACET_FETCH = 100  # buckets asked for per facet type (widened when the 10th count ties to the end)
_FACET_SEGMENT_SIZE = 1 << 30  # every id of every segment is kept before merging: the counts are exact
_FACET_MAX = 65_000  # tantivy's limit on the buckets one aggregation returns


class IndexBusy(FanshelfError):
    """Another process is writing to the index."""

    exit_code = 5


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    sb.add_unsigned_field("revision", stored=True, fast=True)
    for name in TEXT_FIELDS:
        sb.add_text_field(name, tokenizer_name="whitespace", index_option="position")
    for name in ID_FIELDS:
        sb.add_unsigned_field(name, indexed=True, fast=True)
    for name in ("complete", "crossover", *COUNT_FIELDS, "posted", "updated", "title_key", "creator_key"):
        sb.add_unsigned_field(name, fast=True)
    for name in COMPOSITE_SORTS:
        sb.add_unsigned_field("s_" + name, fast=True)
    sb.add_text_field("language", tokenizer_name="raw", index_option="basic")
    return sb.build()


def _epoch(value: dt.datetime) -> int:
    """Whole seconds since 1970 (a naive datetime is taken as UTC), clamped to u32."""
    secs = calendar.timegm(value.timetuple()) if value.tzinfo is None else int(value.timestamp() // 1)
    return min(max(secs, 0), _LOW32)


def _day_start(day: dt.date) -> int:
    return calendar.timegm((day.year, day.month, day.day, 0, 0, 0))


def _u64(value: int) -> int:
    return min(max(int(value), 0), _MAX_U64)


class TantivyBackend:
    """A :class:`~fanshelf.search.base.SearchBackend` on a tantivy index in ``index_dir``."""

    name = "tantivy"

    def __init__(self, index_dir: Path, *, writer_heap: int = 128_000_000, recreate: bool = False) -> None:
        """Open the index in ``index_dir``, creating it when there is none.

        Raises :class:`IndexStale` when the index there was built with another schema or analyser;
        ``recreate=True`` (for ``fanshelf reindex``) instead deletes every file in ``index_dir`` and
        starts an empty index.
        """
        self.index_dir = Path(index_dir)
        self.writer_heap = writer_heap
        self.writer_threads = 0  # 0: tantivy's choice (one indexing thread per core)
        self._schema = _schema()
        self._writer: tantivy.IndexWriter | None = None
        want = {"schema_version": SCHEMA_VERSION, "analyzer_version": ANALYZER_VERSION}
        self.index_dir.mkdir(parents=True, exist_ok=True)
        version_file = self.index_dir / VERSION_FILE
        if recreate:
            self._wipe()
        if (self.index_dir / "meta.json").exists():
            try:
                have = json.loads(version_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                have = None
            if have != want:
                raise IndexStale(
                    f"the search index in {self.index_dir} was built by another version of fanshelf "
                    f"(found {have}, need {want}): run `fanshelf reindex` to rebuild it")
        else:  # a new index: its version first, so that a crash leaves no index without one
            tmp = version_file.with_name(f"{VERSION_FILE}.tmp{os.getpid()}")
            tmp.write_text(json.dumps(want), encoding="utf-8")
            tmp.replace(version_file)
        try:
            self._index = tantivy.Index(self._schema, path=str(self.index_dir), reuse=True)
        except ValueError as exc:
            raise IndexStale(f"cannot open the search index in {self.index_dir} ({exc}): "
                             "run `fanshelf reindex` to rebuild it") from exc

    def _wipe(self) -> None:
        """Delete the index's files, unless another process holds tantivy's writer lock (IndexBusy)."""
        lock_path = self.index_dir / ".tantivy-writer.lock"
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # tantivy takes the same flock
            except ImportError:  # pragma: no cover - not on POSIX: no check
                pass
            except OSError as exc:
                raise IndexBusy(f"another process is writing to the search index in {self.index_dir}; "
                                "try again when it is done") from exc
            for entry in self.index_dir.iterdir():
                if (entry.is_file() or entry.is_symlink()) and not (
                        entry.name.startswith(".tantivy-") and entry.name.endswith(".lock")):
                    entry.unlink()
        finally:
            os.close(fd)  # releases the flock

    # ------------------------------------------------------------------------------------- writing

    def _w(self) -> tantivy.IndexWriter:
        if self._writer is None:
            try:
                self._writer = self._index.writer(heap_size=self.writer_heap, num_threads=self.writer_threads)
            except ValueError as exc:
                if "lock" in str(exc).lower():
                    raise IndexBusy(f"another process is writing to the search index in {self.index_dir}; "
                                    "try again when it is done") from exc
                raise
        return self._writer

    def _document(self, doc: WorkDocument) -> tantivy.Document:
        wid = doc.id
        if not 0 < wid <= MAX_ID:
            raise ValueError(f"work id {wid} is out of range for the tantivy index (1..{MAX_ID})")
        # one dict of value lists, converted by the schema in one call (much cheaper than an add per value)
        fields: dict[str, list[Any]] = {"id": [wid], "revision": [_u64(doc.revision)]}
        for name, text in (
            ("title", index_text(doc.title)),
            ("creators", index_text(*doc.creators)),
            ("summary", index_text(doc.summary)),
            ("notes", index_text(doc.notes)),
            ("tags", index_text(*doc.tag_names)),
            ("series", index_text(*doc.series)),
        ):
            if text:
                fields[name] = [text]
        for name in ID_FIELDS:
            ids = list(dict.fromkeys(getattr(doc, name)))  # tag ids are database keys: positive
            if ids:
                fields[name] = ids
        posted, updated = _epoch(doc.posted), _epoch(doc.updated)
        fields.update(complete=[1 if doc.complete else 0], crossover=[1 if doc.crossover else 0],
                      posted=[posted], updated=[updated], s_posted=[posted << 32 | wid],
                      s_updated=[updated << 32 | wid], chapters=[_u64(doc.chapters)],
                      title_key=[_u64(doc.title_key)], creator_key=[_u64(doc.creator_key)])
        for name in COMPOSITE_SORTS[2:]:
            value = _u64(getattr(doc, name))
            fields[name] = [value]
            fields["s_" + name] = [min(value, _LOW32) << 32 | wid]
        language = doc.language.casefold()
        if language:
            fields["language"] = [language]
        return tantivy.Document.from_dict(fields, self._schema)

    def upsert(self, docs: Sequence[WorkDocument]) -> None:
        latest = {doc.id: doc for doc in docs}  # an id given twice: the last one wins
        built = [self._document(doc) for doc in latest.values()]  # validate them all before writing
        if not built:
            return
        w = self._w()
        # One delete for the batch (applies to documents added before it), then the adds.
        # (delete_documents_by_term would build an i64 term for a Python int and miss the u64 ids.)
        w.delete_documents_by_query(tantivy.Query.term_set_query(self._schema, "id", list(latest)))
        for tdoc in built:
            w.add_document(tdoc)

    def delete(self, ids: Iterable[int]) -> None:
        wanted = sorted({int(i) for i in ids if 0 <= int(i) <= _MAX_U64})
        if wanted:
            self._w().delete_documents_by_query(tantivy.Query.term_set_query(self._schema, "id", wanted))

    def clear(self) -> None:
        self._w().delete_all_documents()

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.commit()
        self._index.reload()

    def close(self) -> None:
        """Release the writer (waiting for its merges). Changes not committed are dropped."""
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.rollback()
            writer.wait_merging_threads()

    # ------------------------------------------------------------------------------------- reading

    def revisions(self) -> dict[int, int]:
        searcher = self._searcher()
        n = searcher.num_docs
        if n == 0:
            return {}
        hits = searcher.search(tantivy.Query.all_query(), limit=n, count=False, order_by_field="id",
                               order=tantivy.Order.Asc).hits
        revs = searcher.fast_field_values("revision", [addr for _k, addr in hits])
        return {int(k): int(r) for (k, _a), r in zip(hits, revs, strict=True) if r is not None}

    def _searcher(self) -> tantivy.Searcher:
        return self._index.searcher()

    # ---- query building

    def _term(self, field: str, value: Any) -> tantivy.Query:
        return tantivy.Query.term_query(self._schema, field, value)

    def _range(self, field: str, lo: int | None, hi: int | None) -> tantivy.Query | None:
        """Inclusive u64 range; None when unbounded; an empty query when nothing can match."""
        if lo is not None and lo <= 0:
            lo = None
        if hi is not None and hi >= _MAX_U64:
            hi = None
        if lo is None and hi is None:
            return None
        if (hi is not None and hi < 0) or (lo is not None and hi is not None and lo > hi) or (
                lo is not None and lo > _MAX_U64):
            return tantivy.Query.empty_query()
        return tantivy.Query.range_query(self._schema, field, tantivy.FieldType.Unsigned, lo, hi)

    def _phrase(self, node: Phrase) -> tantivy.Query:
        fields = {node.field: 1.0} if node.field else TEXT_FIELDS
        tokens: list[str | tuple[int, str]] = list(node.tokens)
        parts: list[tantivy.Query] = []
        for field, boost in fields.items():
            if len(tokens) == 1:
                q = tantivy.Query.term_query(self._schema, field, node.tokens[0], index_option="freq")
            else:
                q = tantivy.Query.phrase_query(self._schema, field, tokens)
            parts.append(q if boost == 1.0 else tantivy.Query.boost_query(q, boost))
        if len(parts) == 1:
            return parts[0]
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in parts])

    def _node(self, node: Node) -> tantivy.Query:
        occur = tantivy.Occur
        if isinstance(node, Phrase):
            if not node.tokens:
                return tantivy.Query.all_query()
            return self._phrase(node)
        if isinstance(node, Not):
            return tantivy.Query.boolean_query(
                [(occur.Must, tantivy.Query.all_query()), (occur.MustNot, self._node(node.child))])
        if isinstance(node, And):
            clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
            for child in node.children:
                if isinstance(child, Not):
                    clauses.append((occur.MustNot, self._node(child.child)))
                else:
                    clauses.append((occur.Must, self._node(child)))
            if all(o == occur.MustNot for o, _q in clauses):
                clauses.insert(0, (occur.Must, tantivy.Query.all_query()))
            return tantivy.Query.boolean_query(clauses)
        assert isinstance(node, Or)
        return tantivy.Query.boolean_query([(occur.Should, self._node(c)) for c in node.children])

    def _filters(self, request: SearchRequest, parsed: ParsedQuery) -> tuple[list[tantivy.Query], list[int]]:
        """The required (non-scoring) filter queries, and the excluded filter ids."""
        must: list[tantivy.Query] = [self._term("filter_ids", _u64(t)) for t in dict.fromkeys(request.include)]
        if request.complete is not None:
            must.append(self._range_required("complete", int(request.complete), int(request.complete)))
        if request.crossover == "exclude":
            must.append(self._range_required("crossover", 0, 0))
        elif request.crossover == "only":
            must.append(self._range_required("crossover", 1, 1))
        elif request.crossover != "include":
            raise ValueError(f"crossover must be include, exclude or only, not {request.crossover!r}")
        if request.single_chapter:
            must.append(self._range_required("chapters", 1, 1))
        words = _intersect(parsed.words, Range(request.words_from, request.words_to))
        for name, rng in (("words", words), ("kudos", parsed.kudos), ("hits", parsed.hits),
                          ("comments", parsed.comments), ("bookmarks", parsed.bookmarks)):
            if rng is not None and (q := self._range(name, rng.lo, rng.hi)) is not None:
                must.append(q)
        lo = _day_start(request.updated_from) if request.updated_from is not None else None
        to = request.updated_to
        hi = _day_start(to + dt.timedelta(days=1)) - 1 if to is not None and to < dt.date.max else None
        if (q := self._range("updated", lo, hi)) is not None:
            must.append(q)
        if request.language:
            must.append(self._term("language", request.language.casefold()))
        exclude = [_u64(t) for t in dict.fromkeys(request.exclude)]
        return must, exclude

    def _range_required(self, field: str, lo: int, hi: int) -> tantivy.Query:
        return tantivy.Query.range_query(self._schema, field, tantivy.FieldType.Unsigned, lo, hi)

    def _query(self, request: SearchRequest, parsed: ParsedQuery) -> tantivy.Query:
        occur = tantivy.Occur
        text = self._node(parsed.node) if parsed.node is not None else tantivy.Query.all_query()
        must, exclude = self._filters(request, parsed)
        if not must and not exclude:
            return text
        clauses = [(occur.Must, text)]
        if must:
            flt = must[0] if len(must) == 1 else tantivy.Query.boolean_query([(occur.Must, q) for q in must])
            clauses.append((occur.Must, tantivy.Query.const_score_query(flt, 0.0)))
        if exclude:
            clauses.append((occur.MustNot, tantivy.Query.term_set_query(self._schema, "filter_ids", exclude)))
        return tantivy.Query.boolean_query(clauses)

    # ---- searching

    def search(self, request: SearchRequest) -> SearchResult:
        parsed = parse_query(request.text)
        sort = request.sort or parsed.sort or ("best" if parsed.node is not None else "updated")
        if sort not in SORTS:
            raise ValueError(f"unknown sort {sort!r}: one of {', '.join(SORTS)}")
        order = request.order or parsed.order or SORTS[sort]
        if order not in ("asc", "desc"):
            raise ValueError(f"order must be asc or desc, not {order!r}")
        page = max(1, request.page)
        per_page = min(max(1, request.per_page), PAGE_CAP)
        offset = (page - 1) * per_page
        query = self._query(request, parsed)
        searcher = self._searcher()
        total: int | None = None
        if offset + per_page > _WINDOW_CHECK:
            total = _count(searcher.search(query, limit=1, count=True))
        if total is not None and offset >= total:
            ids: list[int] = []
        elif sort in COMPOSITE_SORTS:
            ids, total = self._page_composite(searcher, query, "s_" + sort, order, offset, per_page)
        elif sort in KEY_SORTS:
            ids, total = self._page_keyed(searcher, query, KEY_SORTS[sort], order, offset, per_page)
        elif _constant_score(parsed.node):
            ids, total = self._page_composite(searcher, query, "id", order, offset, per_page)
        else:
            ids, total = self._page_best(searcher, query, order, offset, per_page)
        facets = self._facets(searcher, query) if request.facets else {}
        return SearchResult(total=total, ids=ids, facets=facets, page=page, per_page=per_page, sort=sort,
                            order=order)

    @staticmethod
    def _order(order: str) -> tantivy.Order:
        return tantivy.Order.Desc if order == "desc" else tantivy.Order.Asc

    def _page_composite(self, searcher: tantivy.Searcher, query: tantivy.Query, field: str, order: str,
                        offset: int, limit: int) -> tuple[list[int], int]:
        """A field whose low 32 bits are the id (or the id itself): one ordered search is exact."""
        res = searcher.search(query, limit=limit, offset=offset, count=True, order_by_field=field,
                              order=self._order(order))
        return [int(k) & _LOW32 for k, _a in res.hits], _count(res)

    def _page_keyed(self, searcher: tantivy.Searcher, query: tantivy.Query, field: str, order: str,
                    offset: int, limit: int) -> tuple[list[int], int]:
        """Order by a key alone, then by id: the tie group at the page's end is fetched by id."""
        end = offset + limit
        res = searcher.search(query, limit=end, count=True, order_by_field=field, order=self._order(order))
        hits = res.hits
        total = _count(res)
        desc = order == "desc"
        if len(hits) < end or len(hits) == total:
            ids = searcher.fast_field_values("id", [a for _k, a in hits])
            rows = sorted(((int(k), int(i or 0)) for (k, _a), i in zip(hits, ids, strict=True)), reverse=desc)
            return [i for _k, i in rows[offset:end]], total
        last = int(hits[-1][0])
        before = [(int(k), a) for k, a in hits if int(k) != last]
        ids = searcher.fast_field_values("id", [a for _k, a in before])
        rows = sorted(((k, int(i or 0)) for (k, _a), i in zip(before, ids, strict=True)), reverse=desc)
        out = [i for _k, i in rows[offset:]]
        start = max(offset, len(rows))
        group = tantivy.Query.boolean_query([
            (tantivy.Occur.Must, query),
            (tantivy.Occur.Must, self._range_required(field, last, last))])
        res2 = searcher.search(group, limit=end - start, offset=start - len(rows), count=False,
                               order_by_field="id", order=self._order(order))
        out.extend(int(k) for k, _a in res2.hits)
        return out, total

    def _page_best(self, searcher: tantivy.Searcher, query: tantivy.Query, order: str, offset: int,
                   limit: int) -> tuple[list[int], int]:
        """Score, then id: widen the window until the page's last score is not cut by it."""
        end = offset + limit
        want = end + _BEST_MARGIN
        if order == "asc":  # the lowest scores come last in tantivy's order: fetch everything
            want = max(want, _count(searcher.search(query, limit=1, count=True)))
        while True:
            res = searcher.search(query, limit=want, count=True)
            hits = res.hits
            ids = searcher.fast_field_values("id", [a for _s, a in hits])
            if order == "desc":
                rows = sorted(((-float(s), -int(i or 0)) for (s, _a), i in zip(hits, ids, strict=True)))
                page = [-i for _s, i in rows[offset:end]]
            else:
                rows = sorted(((float(s), int(i or 0)) for (s, _a), i in zip(hits, ids, strict=True)))
                page = [i for _s, i in rows[offset:end]]
            if len(hits) >= _count(res) or order == "asc" or rows[-1][0] != rows[min(end, len(rows)) - 1][0]:
                return page, _count(res)
            want *= 4

    def _facets(self, searcher: tantivy.Searcher, query: tantivy.Query) -> dict[str, list[FacetCount]]:
        """Top ids per facet type, exact: count desc, then id asc. The types are counted in two
        aggregations run side by side (tantivy releases the GIL, so they take a core each); a type whose
        10th count ties with the last bucket returned is asked again for more buckets."""
        size = _FACET_FETCH
        pending = dict(FACET_TYPES)
        out: dict[str, list[FacetCount]] = {}
        while pending:
            cap = _FACET_MAX // len(pending)
            size = min(size, cap)
            results: dict[str, Any] = {}
            for part in self._aggregate_groups(searcher, query, pending, size):
                results.update(part)
            for key in list(pending):
                buckets = results.get(f"f_{key}", {}).get("buckets", [])
                counts = sorted((-int(b["doc_count"]), int(b["key"])) for b in buckets)
                if (len(buckets) >= size and size < cap
                        and counts[-1][0] == counts[min(FACET_SIZE, len(counts)) - 1][0]):
                    continue  # the 10th count ties with the last bucket returned: ask for more
                out[key] = [FacetCount(tag_id=t, count=-c) for c, t in counts[:FACET_SIZE]]
                del pending[key]
            size *= 10
        return {key: out[key] for key in FACET_TYPES}

    @staticmethod
    def _aggregate_groups(searcher: tantivy.Searcher, query: tantivy.Query, fields: dict[str, str],
                          size: int) -> list[dict[str, Any]]:
        """One terms aggregation per facet type, split in two calls of about equal cost (additional
        tags, the longest lists, alone) that run at the same time when there is a spare core."""
        def aggs(keys: list[str]) -> dict[str, Any]:
            return {f"f_{k}": {"terms": {"field": fields[k], "size": size, "segment_size": _FACET_SEGMENT_SIZE}}
                    for k in keys}

        heavy = [k for k in fields if k == "freeform"]
        light = [k for k in fields if k != "freeform"]
        pool = _facet_pool()
        if pool is None or not heavy or not light:
            return [searcher.aggregate(query, aggs(list(fields)))]
        later = pool.submit(searcher.aggregate, query, aggs(heavy))
        return [searcher.aggregate(query, aggs(light)), later.result()]


_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _forget_pool() -> None:  # a forked child has none of its parent's threads: it makes its own pool
    global _POOL
    _POOL = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def _facet_pool() -> ThreadPoolExecutor | None:
    """A thread for the second facet aggregation (None on a one-core machine)."""
    global _POOL
    if (os.cpu_count() or 1) < 2:
        return None
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="fanshelf-facets")
        return _POOL


def _count(res: tantivy.SearchResult) -> int:
    """The number of matches (counted by the search; tantivy's stubs leave the attribute out)."""
    return int(cast(Any, res).count)


def _intersect(a: Range | None, b: Range) -> Range | None:
    if a is None:
        return b if (b.lo is not None or b.hi is not None) else None
    lo = b.lo if a.lo is None else a.lo if b.lo is None else max(a.lo, b.lo)
    hi = b.hi if a.hi is None else a.hi if b.hi is None else min(a.hi, b.hi)
    return Range(lo, hi)


def _constant_score(node: Node | None) -> bool:
    """True when every hit scores alike (no positive text term), so ``best`` is simply id order."""
    if node is None or isinstance(node, Not):
        return True
    return isinstance(node, And) and all(isinstance(c, Not) for c in node.children)

