"""What only the PostgreSQL search backend has: its table, two connections at once, hostile text in SQL.

The behaviour both backends share is in ``test_search_contract.py``. These tests need a PostgreSQL server
(FANSHELF_TEST_DATABASE_URL); without one they skip loudly (and fail under CI=true).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from fanshelf.search.base import SearchRequest, WorkDocument, sort_key_text

from conftest import drop_archive, fresh_archive, pg_base_url

HOSTILE = [
    "'", "''", "\\", "\\'", "'\\", "a'b", "a\\b", "a & b", "a | b", "!a", "a <-> b", "a <2> b", "a:*", "a:B",
    "(a", "a)", "((((a", "'a' & 'b'", "!!!", "&|!:*<->()", "\x00", "a\x00b", "rain\x00 river", '"', '"a',
    "-", "--rain", "NOT", "OR", "AND", "|| &&", "creator:", 'creator:"', "creator:'x'", "words>", "sort:",
    "é'\\ü", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\u200b\u2028", "%s", "%(q)s", "%%", "{}", "$$", "$1", "; DROP TABLE x; --",
    "rain " * 2000, "'\\" * 5000, "x" * 10_000, "(" * 3000 + "rain" + ")" * 3000,
]


@pytest.fixture
def pg(tmp_path: Path, _db_templates: Any) -> Iterator[Any]:
    pg_base_url()  # a loud skip without a server
    cfg = fresh_archive("postgres", tmp_path / "data", _db_templates)
    yield cfg
    drop_archive(cfg)


def doc(wid: int, title: str = "", *, creators: tuple[str, ...] = ("anon",), summary: str = "",
        tags: tuple[str, ...] = (), fandoms: tuple[int, ...] = (), revision: int = 1) -> WorkDocument:
    when = dt.datetime(2020, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=wid)
    return WorkDocument(
        id=wid, revision=revision, title=title, creators=list(creators), summary=summary, notes="",
        tag_names=list(tags), series=[], filter_ids=list(fandoms), rating_ids=[], warning_ids=[],
        category_ids=[], fandom_ids=list(fandoms), character_ids=[], relationship_ids=[], freeform_ids=[],
        complete=True, crossover=False, chapters=1, words=1000, kudos=0, hits=0, comments=0, bookmarks=0,
        posted=when, updated=when, language="English", title_key=sort_key_text(title),
        creator_key=sort_key_text(creators[0] if creators else ""))


def relations() -> set[str]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT relname FROM pg_class WHERE relname LIKE 'fanshelf_search_doc%%'")
        return {r[0] for r in cur.fetchall()}


def ids(backend: Any, text: str = "", **kw: Any) -> list[int]:
    return list(backend.search(SearchRequest(text=text, facets=False, sort="title", **kw)).ids)


def in_threads(n: int, target: Callable[[int], None]) -> None:
    """Run target(0..n-1) at once, each on its own thread (so its own Django connection); re-raise errors."""
    from django.db import connection

    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            target(i)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors


# ------------------------------------------------------------------------------------------ the table


def test_table_and_indexes_are_created_on_first_use_and_idempotent(pg: Any) -> None:
    from fanshelf.search.postgres_backend import DDL, PostgresBackend

    assert relations() == set()
    backend = PostgresBackend()
    assert backend.search(SearchRequest()).total == 0  # a search on a fresh database creates the table
    made = relations()
    assert {"fanshelf_search_doc", "fanshelf_search_doc_pkey", "fanshelf_search_doc_tsv",
            "fanshelf_search_doc_filter", "fanshelf_search_doc_updated", "fanshelf_search_doc_title_key"} <= made
    from django.db import connection

    with connection.cursor() as cur:  # running the DDL again changes nothing
        for stmt in DDL:
            cur.execute(stmt)
    backend2 = PostgresBackend()
    backend2.upsert([doc(1, "Rain")])
    assert relations() == made
    assert backend.revisions() == {1: 1}


def test_an_index_dropped_later_is_recreated_by_a_new_backend(pg: Any) -> None:
    from django.db import connection

    from fanshelf.search.postgres_backend import PostgresBackend

    PostgresBackend().upsert([doc(1, "Rain")])
    with connection.cursor() as cur:
        cur.execute("DROP INDEX fanshelf_search_doc_tsv")
    PostgresBackend().revisions()
    assert "fanshelf_search_doc_tsv" in relations()


def test_table_made_in_a_rolled_back_transaction_is_made_again(pg: Any) -> None:
    from django.db import transaction

    from fanshelf.search.postgres_backend import PostgresBackend

    backend = PostgresBackend()

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        backend.upsert([doc(1, "Rain")])
        raise Boom
    assert relations() == set()
    backend.upsert([doc(2, "River")])  # the same object notices the table is gone
    assert backend.revisions() == {2: 1}


def test_writes_join_the_callers_transaction(pg: Any) -> None:
    from django.db import transaction

    from fanshelf.search.postgres_backend import PostgresBackend

    backend = PostgresBackend()
    backend.upsert([doc(1, "Rain")])

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        backend.upsert([doc(2, "River")])
        backend.delete([1])
        backend.commit()  # inside an atomic block: durable only when the block commits
        raise Boom
    assert backend.revisions() == {1: 1}


def test_a_table_of_another_version_is_stale_until_clear(pg: Any) -> None:
    from django.db import connection

    from fanshelf.search.postgres_backend import IndexStale, PostgresBackend

    PostgresBackend().upsert([doc(1, "Rain")])
    with connection.cursor() as cur:
        cur.execute("COMMENT ON TABLE fanshelf_search_doc IS 'fanshelf search: schema 0, analyzer 0'")
    backend = PostgresBackend()
    with pytest.raises(IndexStale, match="reindex"):
        backend.search(SearchRequest(text="rain"))
    backend.clear()  # what `fanshelf reindex` does first: the table is made anew
    assert backend.revisions() == {}
    backend.upsert([doc(2, "River")])
    assert ids(backend, "river") == [2]


def test_upserts_in_one_outer_transaction(pg: Any) -> None:
    from django.db import transaction

    from fanshelf.search.postgres_backend import PostgresBackend

    backend = PostgresBackend()
    with transaction.atomic():
        for rev in range(1, 4):  # the staging table is emptied between calls, not only at commit
            backend.upsert([doc(1, f"Rain {rev}", revision=rev), doc(2, "River", revision=rev)])
        backend.commit()
    assert backend.revisions() == {1: 3, 2: 3}


def test_upsert_replaces_and_a_repeated_id_keeps_the_last(pg: Any) -> None:
    from fanshelf.search.postgres_backend import PostgresBackend

    backend = PostgresBackend()
    backend.upsert([doc(1, "Rain", revision=1), doc(1, "River", revision=2)])
    assert backend.revisions() == {1: 2}
    assert ids(backend, "river") == [1] and ids(backend, "rain") == []
    backend.clear()
    assert backend.revisions() == {}


# ------------------------------------------------------------------------------------- concurrency


def test_two_connections_creating_the_table_at_once(pg: Any) -> None:
    from fanshelf.search.postgres_backend import PostgresBackend

    in_threads(4, lambda i: PostgresBackend().upsert([doc(10 + i, f"Story {i}")]))
    assert PostgresBackend().revisions() == {10: 1, 11: 1, 12: 1, 13: 1}


def test_two_connections_writing_overlapping_batches(pg: Any) -> None:
    from fanshelf.search.postgres_backend import PostgresBackend

    backend = PostgresBackend()
    backend.clear()

    def write(i: int) -> None:
        # opposite orders in the two threads: rows are written in id order, so they never deadlock
        order = range(1, 301) if i == 0 else range(300, 0, -1)
        for _round in range(3):
            backend.upsert([doc(w, f"Rain {w}", revision=10 + i) for w in order])

    in_threads(2, write)
    revs = backend.revisions()
    assert sorted(revs) == list(range(1, 301))
    assert set(revs.values()) <= {10, 11}


def test_a_write_on_one_connection_is_seen_by_another_without_commit(pg: Any) -> None:
    from fanshelf.search.postgres_backend import PostgresBackend

    backend = PostgresBackend()
    backend.upsert([doc(1, "Lantern harbor")])
    seen: list[list[int]] = []
    in_threads(1, lambda _i: seen.append(ids(PostgresBackend(), "lantern")))
    assert seen == [[1]]


# ------------------------------------------------------------------------------------- hostile text


def test_hostile_queries_never_reach_sql_raw(pg: Any) -> None:
    from fanshelf.search.postgres_backend import PostgresBackend

    backend = PostgresBackend()
    backend.upsert([doc(1, "Rain river", summary="a b it's"), doc(2, "'\\ & | ! <-> :* ()")])
    for text in HOSTILE:
        res = backend.search(SearchRequest(text=text, language=text[:50] or None))
        assert res.total >= 0
        res = backend.search(SearchRequest(text=text, sort="best", facets=False))
        assert res.total in (0, 1, 2), text
    assert ids(backend, "rain\x00") == [1]


def test_hostile_documents_are_stored_and_found(pg: Any) -> None:
    from fanshelf.search.postgres_backend import PostgresBackend

    backend = PostgresBackend()
    docs = [doc(i + 1, text, creators=(text,), summary=text, tags=(text, text)) for i, text in enumerate(HOSTILE)]
    docs[0].language = "en\x00gb"
    backend.upsert(docs)
    assert len(backend.revisions()) == len(HOSTILE)
    assert ids(backend, "rain") == sorted(
        (d.id for d in docs if "rain" in d.title.lower()), key=lambda i: (docs[i - 1].title_key, i))
    assert ids(backend, '"Unicode"') == [d.id for d in docs if d.title == "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"]


def test_an_enormous_work_is_cut_to_fit_a_tsvector(pg: Any) -> None:
    from fanshelf.search.postgres_backend import PostgresBackend

    backend = PostgresBackend()
    junk = " ".join(f"q{i:029d}" for i in range(40_000))  # 40,000 distinct 30-letter words: over 1 MB
    backend.upsert([doc(1, "Enormous", summary="first words " + junk), doc(2, "Small", summary="first")])
    assert ids(backend, "first") == [1, 2]
    assert ids(backend, "enormous") == [1]
    assert ids(backend, f"q{0:029d}") == [1]


def test_lexemes_with_quotes_and_backslashes_round_trip(pg: Any) -> None:
    """Our tokens are letters and digits, but the quoting must hold for anything."""
    from django.db import connection

    from fanshelf.search.postgres_backend import _quote, tsquery_text
    from fanshelf.search.query import And, Not, Or, Phrase

    odd = ["it's", "a\\b", "''", "\\\\'", "x:*", "a & b", "<->", "!(", "é"]
    with connection.cursor() as cur:
        for tok in odd:
            node = And((Phrase((tok,)), Or((Phrase((tok, "z"), "creators"), Not(Phrase(("q",)))))))
            cur.execute("SELECT %s::tsvector @@ %s::tsquery, (%s::tsvector)::text",
                        [f"{_quote(tok)}:1B 'z':2B", tsquery_text(node), f"{_quote(tok)}:1"])
            matched, text = cur.fetchone()
            assert matched, tok
            cur.execute("SELECT unnest(tsvector_to_array(%s::tsvector))", [text])
            assert cur.fetchone()[0] == tok


def test_odd_lexemes_survive_copy(pg: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through upsert's COPY too: pretend the analyser let quotes and backslashes through."""
    from fanshelf.search import postgres_backend
    from fanshelf.search.postgres_backend import PostgresBackend, tsquery_text
    from fanshelf.search.query import Phrase

    monkeypatch.setattr(postgres_backend, "index_text", lambda *values: " ".join(" ".join(values).split()))
    backend = PostgresBackend()
    backend.upsert([doc(1, "it's a\\b '' \\' x:* <-> !( \\t", creators=())])
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT tsvector_to_array(tsv) FROM fanshelf_search_doc")
        assert sorted(cur.fetchone()[0]) == sorted(["it's", "a\\b", "''", "\\'", "x:*", "<->", "!(", "\\t"])
        for phrase in [("it's", "a\\b"), ("\\'",), ("!(", "\\t")]:
            cur.execute("SELECT count(*) FROM fanshelf_search_doc WHERE tsv @@ %s::tsquery",
                        [tsquery_text(Phrase(phrase))])
            assert cur.fetchone()[0] == 1, phrase


# --------------------------------------------------------------------------- how text is laid out


def test_phrases_never_span_two_fields_or_values_and_creator_is_weight_b(pg: Any) -> None:
    from fanshelf.search.postgres_backend import PostgresBackend

    backend = PostgresBackend()
    backend.upsert([
        doc(1, "Quiet lantern", creators=("Harbor Fox",), tags=("Angst", "Fluff")),
        doc(2, "Lantern harbor", creators=("Quiet Fox",)),
    ])
    assert ids(backend, '"lantern harbor"') == [2]  # doc 1: title's end then creator's start
    assert ids(backend, '"angst fluff"') == []  # two tags
    assert ids(backend, "creator:harbor") == [1]
    assert ids(backend, 'creator:"quiet fox"') == [2]
    assert ids(backend, "creator:lantern") == []
    assert ids(backend, "fox -creator:quiet") == [1]
