"""Keep the search index derived from the database: drain the outbox, rebuild, check for divergence.

Every change to a work writes an :class:`~fanshelf.archive.models.IndexOutbox` row in the same
transaction. ``drain()`` indexes those works and only then deletes the rows it handled, so a crash at
any moment leaves either pending rows (indexed on the next drain) or an index already up to date.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from fanshelf.archive.config import ArchiveConfig, current
from fanshelf.archive.models import IndexOutbox, Work
from fanshelf.archive.sql import IN_CHUNK
from fanshelf.search.base import SearchBackend
from fanshelf.search.documents import build_documents, iter_all_documents

__all__ = ["Divergence", "check", "drain", "open_backend", "rebuild"]


def open_backend(cfg: ArchiveConfig | None = None, *, recreate: bool = False) -> SearchBackend:
    """The configured search backend (tantivy in the data folder, or PostgreSQL's own tables).

    ``recreate`` (for a rebuild) starts a tantivy index afresh when the existing one is stale or broken.
    """
    cfg = cfg or current()
    if cfg.search_backend == "postgres":
        from fanshelf.search.postgres_backend import PostgresBackend

        return PostgresBackend()
    from fanshelf.search.tantivy_backend import TantivyBackend

    return TantivyBackend(cfg.index_dir, recreate=recreate)


def drain(backend: SearchBackend, batch: int = 5000) -> int:
    """Index every work named in the outbox; returns how many outbox rows were handled."""
    handled = 0
    while True:
        # the PostgreSQL index lives in the database: its rows and the outbox change in one transaction
        with transaction.atomic() if backend.name == "postgres" else contextlib.nullcontext():
            rows = list(IndexOutbox.objects.order_by("id").values_list("id", "work_id")[:batch])
            if not rows:
                return handled
            top = rows[-1][0]
            ids = _index_rows(backend, rows)
            backend.commit()
            IndexOutbox.objects.filter(id__lte=top, work_id__in=ids).delete()
        handled += len(rows)


def _index_rows(backend: SearchBackend, rows: list[tuple[int, int]]) -> set[int]:
    """Index (or remove from the index) the works these outbox rows name, uncommitted; their work ids."""
    ids = {w for _i, w in rows}
    docs = build_documents(ids)
    if docs:
        backend.upsert(docs)
    gone = ids - {d.id for d in docs}
    if gone:
        backend.delete(gone)
    return ids


def follow(backend: SearchBackend, done: Callable[[], bool], *, commit_every: int = 50_000, batch: int = 5000,
           idle: float = 0.3) -> int:
    """Index the outbox as it fills (a bulk load's indexer) until ``done()`` and the outbox is empty.

    The index is committed only once ``commit_every`` rows were indexed (and at the end), and their outbox
    rows are deleted only after that commit: few, large segments, and a crash still loses nothing (rows
    not yet committed are indexed again by the next drain). Returns how many outbox rows were handled.
    """
    handled = 0
    if backend.name == "postgres":  # its index lives in the database: each batch commits with its outbox rows
        while True:
            finishing = done()
            n = drain(backend, batch)
            handled += n
            if n == 0:
                if finishing:
                    return handled
                time.sleep(idle)
    pending: list[int] = []  # outbox rows indexed but not yet committed
    last = 0
    while True:
        finishing = done()  # read before looking: rows stored before done() turned true are seen below
        rows = list(IndexOutbox.objects.filter(id__gt=last).order_by("id").values_list("id", "work_id")[:batch])
        if rows:
            last = rows[-1][0]
            _index_rows(backend, rows)
            pending.extend(i for i, _w in rows)
        if pending and (len(pending) >= commit_every or (not rows and finishing)):
            backend.commit()
            for start in range(0, len(pending), IN_CHUNK):
                _delete_outbox_rows(pending[start:start + IN_CHUNK], idle)
            handled += len(pending)
            pending = []
        if not rows:
            if finishing and not pending:
                return handled
            time.sleep(idle)


def _delete_outbox_rows(row_ids: list[int], idle: float) -> None:
    """Delete these outbox rows, waiting while another connection (the importer) holds the write lock."""
    from django.db import OperationalError

    while True:
        try:
            IndexOutbox.objects.filter(id__in=row_ids).delete()
            return
        except OperationalError as exc:
            if "locked" not in str(exc).lower():
                raise
            time.sleep(idle)


def rebuild(backend: SearchBackend, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the index from the database; returns the number of works indexed."""
    # on PostgreSQL the rebuild is one transaction: other servers go on seeing the old index until it ends
    with transaction.atomic() if backend.name == "postgres" else contextlib.nullcontext():
        top = IndexOutbox.objects.order_by("-id").values_list("id", flat=True).first()
        backend.clear()
        n = 0
        for docs in iter_all_documents():
            backend.upsert(docs)
            n += len(docs)
            if progress:
                progress(len(docs))
        backend.commit()
        if top is not None:
            IndexOutbox.objects.filter(id__lte=top).delete()
    return n


@dataclass
class Divergence:
    missing: list[int] = field(default_factory=list)  # in the database, not in the index
    extra: list[int] = field(default_factory=list)  # in the index, not in the database
    stale: list[int] = field(default_factory=list)  # indexed at an older revision
    pending: int = 0  # outbox rows not yet indexed (expected after a crash; not a divergence)
    works: int = 0
    indexed: int = 0

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.stale)


def check(backend: SearchBackend) -> Divergence:
    """Compare the index with the database, allowing for works still waiting in the outbox."""
    pending = set(IndexOutbox.objects.values_list("work_id", flat=True))
    db = dict(Work.objects.values_list("id", "revision"))
    idx = backend.revisions()
    d = Divergence(pending=len(pending), works=len(db), indexed=len(idx))
    for wid, rev in db.items():
        if wid in pending:
            continue
        got = idx.get(wid)
        if got is None:
            d.missing.append(wid)
        elif got != rev:
            d.stale.append(wid)
    d.extra = sorted(w for w in idx if w not in db and w not in pending)
    d.missing.sort()
    d.stale.sort()
    return d
