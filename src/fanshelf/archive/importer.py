"""``fanshelf import``: posts from files, folders and zips into the archive, idempotently.

Each post's bytes are hashed: a post already stored with the same hash is *unchanged* (not even parsed),
one stored with another hash is *updated* in place (same work ids), a new one is *created*. Every post is
stored in its own transaction (bulk mode: a batch of posts per transaction), together with its import-log
entry and its search-outbox rows, and is reported only after that commit: an import killed at any
moment loses nothing it reported, and running it again finishes the job without duplicates.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing as mp
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, connections, transaction

from fanshelf.archive.models import FilterTagging, ImportLogEntry, ImportRun, Source, Tag, Tagging, Work
from fanshelf.archive.sources import SourceRef, find_sources
from fanshelf.archive.sql import rows_in
from fanshelf.archive.store import PostItem, Store, _insert, content_hash
from fanshelf.errors import FanshelfError
from fanshelf.model import Work as CoreWork
from fanshelf.search.base import SearchBackend

__all__ = ["FileResult", "ImportReport", "Importer"]

OUTCOMES = ("created", "updated", "unchanged", "failed")


@dataclass
class FileResult:
    location: str
    outcome: str
    reason: str = ""
    works: int = 0
    work_ids: list[int] = field(default_factory=list)


@dataclass
class ImportReport:
    run_id: int
    results: list[FileResult] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    works: int = 0
    seconds: float = 0.0
    indexed: int = 0
    skipped: list[str] = field(default_factory=list)  # files in folders/archives that are not posts

    @property
    def failed(self) -> int:
        return self.counts["failed"]


@dataclass
class _Job:
    ref: SourceRef
    data: bytes = b""
    digest: str = ""
    error: str | None = None
    works: list[CoreWork] | None = None
    encoding: str = ""
    stats: dict[str, int] | None = None


def _parse(item: tuple[str, bytes] | tuple[str, bytes, Any]) -> tuple[list[CoreWork] | None, str, str | None]:
    """One file's bytes → its works (a journal export gives many), the encoding, or the error."""
    from fanshelf.ingest import ReadOptions, read_posts
    from fanshelf.pipeline import parse_raw

    location, data = item[0], item[1]
    options: ReadOptions | None = item[2] if len(item) > 2 else None
    try:
        raws = read_posts(data, location, options=options)
        works = [w for raw in raws for w in parse_raw(raw)]
        for w in works:  # the store needs only the HTML of a one-chapter work (its words are counted)
            if len(w.chapters) == 1:
                w.chapters[0].text = ""
        return works, raws[0].encoding if raws else "", None
    except FanshelfError as exc:
        return None, "", str(exc)
    except Exception as exc:  # a parser bug must fail this file, not the import
        return None, "", f"internal error while parsing ({type(exc).__name__}: {exc})"


def _options_key(options: Any) -> bytes:
    """Bytes that stand for non-default reading options (b"" for the defaults: hashes stay as they were)."""
    if options is None:
        return b""
    parts = []
    if options.include_private:
        parts.append("include-private")
    if options.mapping is not None:
        m = options.mapping
        parts.append(repr((sorted(m.fields.items()), sorted(m.tag_prefixes.items()), sorted(m.tag_keys),
                           m.separator, sorted(m.ignore))))
    return ("\0fanshelf-read-options:" + "|".join(parts)).encode() if parts else b""


# The (tag, work) indexes of taggings and filter sets take random inserts: on a large bulk load they
# dirty a page per row and the load slows as they grow. A bulk load of at least this many posts (and at
# least half the archive) drops them and builds them again, sorted, at the end. Every import restores
# them first, so a bulk load killed half-way costs nothing but the rebuild.
DEFER_INDEXES_MIN = 50_000


def _deferred() -> list[tuple[Any, Any]]:
    return [(m, ix) for m in (Tagging, FilterTagging, Work) for ix in m._meta.indexes]


def drop_indexes() -> None:
    with connection.cursor() as cur:
        for _model, index in _deferred():
            cur.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(index.name)}")


def restore_indexes() -> bool:
    """Create any of the deferrable indexes that is missing, and count the tags' uses again if one was.

    A deferred bulk load does not keep ``Tag.taggings_count`` up to date batch by batch (those scattered
    updates dirty most of the tag table in every transaction); its dropped indexes are the mark that the
    counts are stale, here or after a kill.
    """
    # the index's own CREATE INDEX, run directly: entering Django's SQLite schema editor would also check
    # every foreign key of the database when it leaves (minutes on a large archive)
    editor = connection.schema_editor()
    with connection.cursor() as cur:
        missing = [(model, index) for model, index in _deferred()
                   if index.name not in connection.introspection.get_constraints(cur, model._meta.db_table)]
        if not missing:  # every import starts here: nothing more to do in the usual case
            return False
        with _sort_settings(cur):
            for model, index in missing:
                with transaction.atomic():
                    cur.execute(str(index.create_sql(model, editor)))
    recount_tags()
    return True


def sqlite_pragma(cur: Any, name: str) -> Any:
    """The current value of one SQLite pragma on this cursor's connection."""
    cur.execute(f"PRAGMA {name}")
    return cur.fetchone()[0]


INDEX_SORT_CACHE_KIB = 4096
"""SQLite page cache while it builds an index (its sorter sizes its in-memory runs by the page cache)."""


@contextlib.contextmanager
def _sort_settings(cur: Any) -> Iterator[None]:
    """Settings under which SQLite builds a large index fastest: small sort runs, spilled to a temp file.

    Measured on a million-work archive (the 15.9M-row filter set's (tag, work) index): 31.4 s with the
    archive's usual ``temp_store=MEMORY`` (its in-memory temp files are slow to merge from), 27.4 s with
    temp files but the bulk load's 1.5 GB cache (one huge run, sorted beyond what the CPU caches hold),
    8.8 s with temp files and a 4 MB cache. The temp files (a few hundred MB) go where SQLite puts them
    (``SQLITE_TMPDIR``, else /var/tmp, /usr/tmp, /tmp) and are gone when the index is built.
    """
    if connection.vendor != "sqlite":
        yield
        return
    cache, temp = sqlite_pragma(cur, "cache_size"), sqlite_pragma(cur, "temp_store")
    cur.execute(f"PRAGMA cache_size=-{INDEX_SORT_CACHE_KIB}")
    cur.execute("PRAGMA temp_store=FILE")
    try:
        yield
    finally:
        cur.execute(f"PRAGMA cache_size={int(cache)}")
        cur.execute(f"PRAGMA temp_store={int(temp)}")


def recount_tags() -> None:
    """Set every tag's ``taggings_count`` from the taggings."""
    tag, tagging = Tag._meta.db_table, Tagging._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {tag} SET taggings_count = (SELECT COUNT(*) FROM {tagging} "
                    f"WHERE {tagging}.tag_id = {tag}.id)")


BULK_CACHE_KIB = 1_572_864
"""SQLite page cache of the importing connection in a bulk load (1.5 GB; the indexer's is a third of it).
The process's own cache keeps the tag table and the indexes a load keeps probing in memory even where the
system pages out file pages it thinks cold (a million-work archive is over 4 GB)."""


def _bulk_pragmas(kib: int = BULK_CACHE_KIB) -> None:
    """A bigger page cache for a bulk load's connection (SQLite): its indexes outgrow the default."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA cache_size=-{int(kib)}")


def _checkpoint() -> None:
    """Copy the write-ahead log into the database and truncate it (SQLite, bulk imports).

    With the indexer reading all along, passive checkpoints never get to restart the log, which then
    grows by gigabytes and slows every read; a TRUNCATE checkpoint waits for the readers' short
    transactions and resets it.
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")


BULK_COMMIT = 200_000
"""The bulk indexer commits the index every this many works (and at the end). With its large writer heap
(BULK_WRITER_HEAP) each commit makes about one segment: a million works end up in five segments and tantivy
never has to merge them during the load (merging large segments cost the load a core for minutes), and few,
large segments search and count facets faster than many small ones."""

BULK_WRITER_HEAP = 1_000_000_000
"""Bytes of indexing memory for the bulk indexer's one tantivy thread (a segment is flushed when it is full)."""

INDEXER_NICENESS = 10
"""The bulk indexer runs this much nicer than the store and the parsers: on a machine with few cores it takes
the CPU they leave, and what it has not indexed when the last batch is stored it catches up while the
importer rebuilds the deferred database indexes (one core)."""


def _lower_priority(niceness: int = INDEXER_NICENESS) -> None:
    with contextlib.suppress(OSError):  # not permitted here: run at the same priority
        os.nice(niceness)


def _indexer_main(stop: Any, parent: int, cpu: Any = None) -> None:
    """Index the outbox as the importer fills it, until told to stop (or orphaned by a killed import).

    ``cpu`` (a shared double) is given the CPU seconds this process spent, when it is done.
    """
    from fanshelf.search.sync import follow, open_backend

    _lower_priority()
    _bulk_pragmas(BULK_CACHE_KIB // 3)
    backend = open_backend()
    from fanshelf.search.tantivy_backend import TantivyBackend

    if isinstance(backend, TantivyBackend):
        backend.writer_threads = 1  # the other cores are busy storing and parsing: one indexing thread
        backend.writer_heap = BULK_WRITER_HEAP
    try:
        follow(backend, lambda: stop.is_set() or os.getppid() != parent, commit_every=BULK_COMMIT)
    finally:
        backend.close()
        connections.close_all()
        if cpu is not None:
            cpu.value = time.process_time()  # every thread's, tantivy's indexing thread included


def _strip_location(message: str, location: str) -> str:
    for prefix in (f"{location}: ", f"{location} "):
        if message.startswith(prefix):
            return message[len(prefix):]
    return message


class Importer:
    """Imports posts. ``on_result`` is called with each file's result right after it is committed."""

    def __init__(self, *, bulk: bool = False, batch_size: int = 500, workers: int | None = None,
                 sync_search: bool = True, on_result: Callable[[FileResult], None] | None = None,
                 on_total: Callable[[int], None] | None = None, read_options: Any = None) -> None:
        self.bulk = bulk
        self.read_options = read_options  # fanshelf.ingest.ReadOptions: front-matter mapping, private entries
        # reading options change what a file gives: a file read with other options is not "unchanged"
        self._options_key = _options_key(read_options)
        self.batch_size = batch_size if bulk else 1
        self.workers = workers if workers is not None else ((os.cpu_count() or 1) if bulk else 0)
        self.sync_search = sync_search
        self.on_result = on_result
        self.on_total = on_total
        self.store = Store()
        self._backend: SearchBackend | None = None
        self._indexed = 0
        self.timings: dict[str, float] = dict.fromkeys(
            ("read", "parse_wait", "store", "index", "checkpoint", "restore_indexes", "indexer_wait"), 0.0)
        self.indexer_cpu = 0.0  # CPU seconds of the last bulk import's indexer process

    # ------------------------------------------------------------------ entry points
    def import_paths(self, paths: Sequence[str | os.PathLike[str]]) -> ImportReport:
        found = list(find_sources(paths))
        refs = [r for r in found if not r.skipped]
        if self.on_total:
            self.on_total(len(refs))
        report = self.import_refs(refs, [os.fspath(p) for p in paths], expected=len(refs))
        report.skipped = [r.location for r in found if r.skipped]
        return report

    def import_refs(self, refs: Iterable[SourceRef], paths: list[str] | None = None,
                    stats: Callable[[str], dict[str, int] | None] | None = None,
                    expected: int | None = None) -> ImportReport:
        """Import these posts; ``expected`` (how many there are) lets a large bulk load defer indexes."""
        t0 = time.perf_counter()
        restore_indexes()  # a bulk load killed earlier may have left them dropped
        run = ImportRun.objects.create(started_at=dt.datetime.now(dt.UTC), paths=paths or [])
        report = ImportReport(run_id=run.id)
        self._flush_search(force=True)
        deferred = self.bulk and expected is not None and expected >= max(
            DEFER_INDEXES_MIN, Work.objects.count() // 2)
        if deferred:
            drop_indexes()
        self.store.count_tags = not deferred
        indexer = self._start_indexer() if self.bulk and self.sync_search else None
        batches = self._batches(refs, stats)
        n_batches = 0
        if self.bulk:
            _bulk_pragmas()
        while True:
            t = time.perf_counter()
            batch = next(batches, None)
            self.timings["parse_wait"] += time.perf_counter() - t
            if batch is None:
                break
            t = time.perf_counter()
            self._commit(batch, run, report)
            n_batches += 1
            if self.bulk and n_batches % 10 == 0:
                tc = time.perf_counter()
                _checkpoint()
                self.timings["checkpoint"] += time.perf_counter() - tc
            t2 = time.perf_counter()
            self.timings["store"] += t2 - t
            if indexer is None:
                self._flush_search()
                self.timings["index"] += time.perf_counter() - t2
        t = time.perf_counter()
        if deferred:  # while the indexer catches up on the other core
            restore_indexes()
        t2 = time.perf_counter()
        self.timings["restore_indexes"] = t2 - t
        if indexer is not None:
            stop, proc, cpu = indexer
            stop.set()
            proc.join()
            self.indexer_cpu = cpu.value
        self.timings["indexer_wait"] = time.perf_counter() - t2
        self._flush_search(force=True)
        self.timings["index"] += time.perf_counter() - t
        report.seconds = time.perf_counter() - t0
        report.indexed = self._indexed
        run.finished_at = dt.datetime.now(dt.UTC)
        run.counts = report.counts
        run.save(update_fields=["finished_at", "counts"])
        if self._backend is not None:
            self._backend.close()
            self._backend = None
        return report

    # ------------------------------------------------------------------ stages
    def _read(self, refs: Iterable[SourceRef], stats: Callable[[str], dict[str, int] | None] | None
              ) -> Iterator[list[_Job]]:
        """Read and hash posts; mark the ones stored with the same hash as unchanged (not parsed)."""
        chunk: list[_Job] = []
        size = max(self.batch_size, 64)
        for ref in refs:
            job = _Job(ref)
            if ref.error:
                job.error = ref.error
            else:
                try:
                    job.data = ref.read()
                    job.digest = content_hash(job.data + self._options_key if self._options_key else job.data)
                except FanshelfError as exc:
                    job.error = _strip_location(str(exc), ref.location)
            if stats is not None:
                job.stats = stats(ref.location)
            chunk.append(job)
            if len(chunk) >= size:
                yield self._mark_unchanged(chunk)
                chunk = []
        if chunk:
            yield self._mark_unchanged(chunk)

    @staticmethod
    def _mark_unchanged(jobs: list[_Job]) -> list[_Job]:
        locs = [j.ref.location for j in jobs if j.error is None]
        known = dict(rows_in(f"SELECT location, content_hash FROM {Source._meta.db_table} WHERE location IN ({{marks}})",
                             locs))
        for j in jobs:
            if j.error is None and known.get(j.ref.location) == j.digest:
                j.works = []  # unchanged: Store reports it without parsing
        return jobs

    def _batches(self, refs: Iterable[SourceRef], stats: Callable[[str], dict[str, int] | None] | None
                 ) -> Iterator[list[_Job]]:
        chunks = self._read(refs, stats)
        if self.workers:  # parse in that many worker processes, ahead of the store
            yield from self._parallel(chunks)
            return
        for chunk in chunks:
            for j in chunk:
                if j.error is None and j.works is None:
                    j.works, j.encoding, j.error = _parse((j.ref.location, j.data, self.read_options))
                    if j.error:
                        j.error = _strip_location(j.error, j.ref.location)
            yield from self._group(chunk)

    def _parallel(self, chunks: Iterator[list[_Job]]) -> Iterator[list[_Job]]:
        """Parse in worker processes, a few chunks ahead of the store, so both cores stay busy."""
        from collections import deque

        from fanshelf.taxonomy import default_taxonomy

        default_taxonomy().warm()  # built once here, shared copy-on-write by the forked parsers
        connections.close_all()  # never share a database connection with forked workers
        ctx = mp.get_context("fork")
        ahead: deque[tuple[list[_Job], list[_Job], Iterator[tuple[list[CoreWork] | None, str, str | None]]]]
        ahead = deque()
        with ctx.Pool(self.workers) as pool:

            def finish() -> Iterator[list[_Job]]:
                chunk, todo, results = ahead.popleft()
                for j, (works, enc, err) in zip(todo, results, strict=True):
                    j.works, j.encoding = works, enc
                    j.error = _strip_location(err, j.ref.location) if err else None
                yield from self._group(chunk)

            for chunk in chunks:
                todo = [j for j in chunk if j.error is None and j.works is None]
                ahead.append((chunk, todo, pool.imap(_parse, [(j.ref.location, j.data, self.read_options) for j in todo],
                                                     chunksize=8)))
                if len(ahead) > 4:  # a few chunks in flight: no bubble while the store commits
                    yield from finish()
            while ahead:
                yield from finish()

    def _group(self, chunk: list[_Job]) -> Iterator[list[_Job]]:
        for i in range(0, len(chunk), self.batch_size):
            yield chunk[i:i + self.batch_size]

    def _commit(self, jobs: list[_Job], run: ImportRun, report: ImportReport) -> None:
        now = dt.datetime.now(dt.UTC)
        results: list[FileResult] = []
        good = [j for j in jobs if j.error is None]
        items = [PostItem(j.ref.location, j.digest, j.works or [], size=len(j.data), encoding=j.encoding,
                          mtime=j.ref.mtime, stats=j.stats) for j in good]
        try:
            with transaction.atomic():
                outcomes = self.store.save_batch(items) if items else []
                by_loc = {o.location: o for o in outcomes}
                for j in jobs:
                    if j.error is not None:
                        results.append(FileResult(j.ref.location, "failed", j.error))
                    else:
                        o = by_loc[j.ref.location]
                        results.append(FileResult(j.ref.location, o.outcome, works=len(o.work_ids),
                                                  work_ids=o.work_ids))
                _insert(ImportLogEntry, ("run_id", "location", "outcome", "reason", "works", "at"),
                        [(run.id, r.location[:1024], r.outcome, r.reason, r.works, now) for r in results])
        except Exception as exc:
            count = self.store.count_tags
            self.store = Store()  # its caches may hold ids that were rolled back with the transaction
            self.store.count_tags = count
            if len(jobs) > 1:  # find the culprit: store the batch's posts one by one
                for j in jobs:
                    self._commit([j], run, report)
                return
            r = FileResult(jobs[0].ref.location, "failed", f"could not be stored ({type(exc).__name__}: {exc})")
            results = [r]
            ImportLogEntry.objects.create(run=run, location=r.location[:1024], outcome="failed", reason=r.reason,
                                          at=now)
        for r in results:
            report.results.append(r)
            report.counts[r.outcome] += 1
            report.works += r.works
            if self.on_result:
                self.on_result(r)

    # ------------------------------------------------------------------ search
    def _start_indexer(self) -> tuple[Any, Any, Any]:
        """Bulk mode: a process of its own drains the outbox into the index while this one stores."""
        if self._backend is not None:
            self._backend.close()  # the indexer takes the index writer
            self._backend = None
        connections.close_all()
        ctx = mp.get_context("fork")
        stop = ctx.Event()
        cpu = ctx.Value("d", 0.0)
        proc = ctx.Process(target=_indexer_main, args=(stop, os.getpid(), cpu), name="fanshelf-indexer",
                           daemon=True)
        proc.start()
        return stop, proc, cpu

    _last_flush = 0.0

    def _flush_search(self, force: bool = False) -> None:
        if not self.sync_search:
            return
        now = time.monotonic()
        if not force and now - self._last_flush < (5.0 if self.bulk else 1.0):
            return
        from fanshelf.search.sync import drain, open_backend

        if self._backend is None:
            self._backend = open_backend()
        self._last_flush = now
        self._indexed += drain(self._backend)
