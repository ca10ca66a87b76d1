"""Search in PostgreSQL's own full-text index: for deployments where several web servers share one database.

Everything lives in one table, ``fanshelf_search_doc``, created with its indexes on first use (:data:`DDL`,
idempotent, under an advisory lock so that two servers starting at once do not collide) and reached
through Django's default connection with parameterised SQL only. The table is stamped with the schema and
analyser versions; a table stamped otherwise raises :class:`IndexStale` until ``clear()`` (which
``fanshelf reindex`` calls first) recreates it.

Text
    A document's text is stored as a ``tsvector`` built here, in Python, from the strings
    :func:`fanshelf.search.analysis.index_text` gives for each field (title; creators; summary, tag names,
    series and notes): every analysed token becomes a lexeme at its position, weighted ``A`` (title),
    ``B`` (creators) or ``D`` (the rest). The ``GAP`` tokens between values, and one position at the start
    of each field, take a position but store nothing, so a phrase never spans two values or two fields.
    Building the vector ourselves (``%s::tsvector``) instead of with ``to_tsvector('simple', …)`` keeps
    PostgreSQL's parser and the server's locale out of it: the lexemes are exactly the analyser's tokens,
    the strings the tantivy backend indexes, so both backends match alike. (As with ``to_tsvector``, a
    lexeme keeps at most 256 positions and positions stop at 16,383, so a phrase deep inside a huge work
    may fail to match.)

Queries
    ``request.text`` is parsed with :func:`fanshelf.search.query.parse_query` and its node becomes a
    ``tsquery`` built here from single-quoted, escaped lexemes and ``& | ! <->`` (cast with
    ``%s::tsquery``, so it is never parsed as words again). A ``creators`` phrase only matches weight
    ``B`` (``'tok':B``). Categories typed in the query are ignored: the service maps them to ids in
    ``include``. Filters are plain SQL conditions; ``best`` is ``ts_rank`` with title 7 : creators 5 :
    other text 1, then id.

Results
    One statement answers a search (exact total, the page and, when asked, the facets), so all three come
    from one snapshot. With facets the matching rows are materialised once and their ``facet_keys``
    (``tag_id * 8 + facet type``, one array for all seven types) are counted in one pass; without, the
    count and the page are separate sub-selects, so the page can walk a ``(sort column, id)`` index.

Writing
    ``upsert`` COPYs the rows into a temporary table and merges them with one ``INSERT … ON CONFLICT (id)
    DO UPDATE`` in id order (so concurrent writers never deadlock), all in one transaction, or in a
    savepoint of the caller's: writes are durable when the call returns, or when the caller's
    ``transaction.atomic()`` block commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction

from fanshelf.archive.config import ConfigError
from fanshelf.search.analysis import ANALYZER_VERSION, GAP, index_text
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

__all__ = ["DDL", "PAGE_CAP", "SCHEMA_VERSION", "TABLE", "IndexStale", "PostgresBackend", "tsquery_text",
           "tsvector_text"]

TABLE = "fanshelf_search_doc"
SCHEMA_VERSION = 3  # 2: facet ids are the filter set (metatags count); 3: its canonical tags only
"""Bump whenever the table or what is stored in it changes (existing tables must then be rebuilt)."""

_STAMP = f"fanshelf search: schema {SCHEMA_VERSION}, analyzer {ANALYZER_VERSION}"
_STAGE = "fanshelf_search_stage"  # per-session temporary table the rows are COPYed into
_FACET_COLUMNS: tuple[str, ...] = tuple(FACET_TYPES.values())  # rating_ids ... freeform_ids, in FACET_TYPES order
_FACET_NAMES: tuple[str, ...] = tuple(FACET_TYPES)
_KEY_SPAN = 8  # facet_keys hold tag_id * 8 + the facet type's index (0..6)

# sort name -> the column it orders by (ties: id, same direction). Never built from user text.
_SORT_COLUMNS: dict[str, str] = {
    "creator": "creator_key", "title": "title_key", "posted": "posted", "updated": "updated", "words": "words",
    "hits": "hits", "kudos": "kudos", "comments": "comments", "bookmarks": "bookmarks",
}
_INDEXES: dict[str, str] = {
    f"{TABLE}_tsv": f"CREATE INDEX IF NOT EXISTS {TABLE}_tsv ON {TABLE} USING gin (tsv)",
    f"{TABLE}_filter": f"CREATE INDEX IF NOT EXISTS {TABLE}_filter ON {TABLE} USING gin (filter_ids)",
    **{f"{TABLE}_{col}": f"CREATE INDEX IF NOT EXISTS {TABLE}_{col} ON {TABLE} ({col}, id)"
       for col in dict.fromkeys(_SORT_COLUMNS.values())},
}
DDL: tuple[str, ...] = (
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        id bigint PRIMARY KEY,
        revision bigint NOT NULL,
        tsv tsvector NOT NULL,
        filter_ids bigint[] NOT NULL,
        {", ".join(f"{col} bigint[] NOT NULL" for col in _FACET_COLUMNS)},
        facet_keys bigint[] NOT NULL,
        complete boolean NOT NULL,
        crossover boolean NOT NULL,
        chapters bigint NOT NULL,
        words bigint NOT NULL,
        kudos bigint NOT NULL,
        hits bigint NOT NULL,
        comments bigint NOT NULL,
        bookmarks bigint NOT NULL,
        posted timestamptz NOT NULL,
        updated timestamptz NOT NULL,
        language text NOT NULL,
        title_key bigint NOT NULL,
        creator_key bigint NOT NULL
    )""",
    *_INDEXES.values(),
    f"COMMENT ON TABLE {TABLE} IS '{_STAMP}'",
)
"""Everything the backend creates; idempotent. Run in one transaction under an advisory lock."""

_DDL_LOCK = 0x46_61_6E_73_53_72_63_68  # pg_advisory_xact_lock key ("FansSrch"): serialises concurrent creators
_DDL_RELATIONS = (TABLE, *_INDEXES)

_COLUMNS = ("id", "revision", "tsv", "filter_ids", *_FACET_COLUMNS, "facet_keys", "complete", "crossover",
            "chapters", "words", "kudos", "hits", "comments", "bookmarks", "posted", "updated", "language",
            "title_key", "creator_key")
_STAGE_DDL = f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGE} (LIKE {TABLE}) ON COMMIT DELETE ROWS"
_COPY = f"COPY {_STAGE} ({', '.join(_COLUMNS)}) FROM STDIN"
_MERGE = (
    f"INSERT INTO {TABLE} ({', '.join(_COLUMNS)}) SELECT {', '.join(_COLUMNS)} FROM {_STAGE} ORDER BY id"
    f" ON CONFLICT (id) DO UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in _COLUMNS if c != 'id')}"
)

# ts_rank weights, in PostgreSQL's order {D, C, B, A}: title 7 : creators 5 : everything else 1 (C is unused).
RANK_WEIGHTS = "{0.142857,0.142857,0.714286,1.0}"

_MAX_POSITION = 16383  # tsvector positions are 14 bits; later ones are clamped to this
_MAX_POSITIONS_PER_LEXEME = 256  # a tsvector keeps no more per lexeme
_MAX_LEXEME_BYTES = 2046  # PostgreSQL's limit on one lexeme
_MAX_TSVECTOR_BYTES = 1_048_575  # PostgreSQL's limit on a tsvector's lexemes and positions together
_INT8 = 2**63 - 1
_MAX_FACET_ID = _INT8 // _KEY_SPAN - 1
_BATCH = 2000  # rows per COPY and merge


# ------------------------------------------------------------------------------------------ text


def _quote(token: str) -> str:
    """A lexeme as tsvector/tsquery input: single-quoted, with quotes doubled and backslashes escaped."""
    if "'" in token or "\\" in token:
        token = token.replace("\\", "\\\\").replace("'", "''")
    return f"'{token}'"


def tsvector_text(doc: WorkDocument) -> str:
    """The ``tsvector`` input for a document: each analysed token at its position with its field's weight.

    Positions run on across fields; a ``GAP`` token (between two values of a field) and the start of each
    field take a position but store nothing, so no two tokens of different values are adjacent.
    """
    fields = (
        ("A", (doc.title,)),
        ("B", doc.creators),
        ("D", (doc.summary, *doc.tag_names, *doc.series, doc.notes)),
    )
    entries: dict[str, list[str]] = {}  # lexeme -> ["<position><weight>", ...]
    pos = 0
    for weight, values in fields:
        text = index_text(*values)
        if not text:
            continue
        pos += 1  # the hole between fields
        for token in text.split(" "):
            pos += 1
            if token == GAP:
                continue
            lst = entries.get(token)
            if lst is None:
                entries[token] = [f"{pos}{weight}"]
            else:
                lst.append(f"{pos}{weight}")
    clamped = pos > _MAX_POSITION
    parts: list[str] = []
    size = 0
    for token, lst in entries.items():
        nbytes = len(token.encode())
        if not token or nbytes > _MAX_LEXEME_BYTES:
            continue
        if clamped:  # as PostgreSQL does: later positions all become the last one
            lst = list(dict.fromkeys(f"{min(int(p[:-1]), _MAX_POSITION)}{p[-1]}" for p in lst))
        lst = lst[:_MAX_POSITIONS_PER_LEXEME]
        size += nbytes + (nbytes & 1) + 2 + 2 * len(lst)  # what PostgreSQL counts against its limit
        if size > _MAX_TSVECTOR_BYTES:
            break  # an enormous work: the lexemes first seen are kept, the rest would not fit
        parts.append(f"{_quote(token)}:{','.join(lst)}")
    return " ".join(parts)


_FIELD_WEIGHTS = {"creators": "B", "title": "A"}


def _lexeme(token: str, weight: str) -> str:
    if not token or len(token.encode()) > _MAX_LEXEME_BYTES:
        token = GAP  # never stored (see tsvector_text): matches nothing
    return _quote(token) + (f":{weight}" if weight else "")


def tsquery_text(node: Node) -> str:
    """The ``tsquery`` input for a parsed query node (only lexemes from analysed tokens, and operators)."""
    if isinstance(node, Phrase):
        weight = _FIELD_WEIGHTS.get(node.field or "", "")
        if not node.tokens:
            return "!" + _lexeme("", "")  # no tokens: no condition (GAP is never stored, so this matches all)
        lexemes = [_lexeme(t, weight) for t in node.tokens]
        return lexemes[0] if len(lexemes) == 1 else "(" + " <-> ".join(lexemes) + ")"
    if isinstance(node, Not):
        return "!" + tsquery_text(node.child)
    joiner = " & " if isinstance(node, And) else " | "
    assert isinstance(node, And | Or)
    return "(" + joiner.join(tsquery_text(child) for child in node.children) + ")"


# --------------------------------------------------------------------------------------- helpers


def _clean_text(value: str) -> str:
    return value.replace("\x00", "")


def _ids(values: Iterable[int]) -> list[int]:
    """Distinct ids, first occurrence first (a work counts once per facet id)."""
    return list(dict.fromkeys(int(v) for v in values))


def _timestamp(value: dt.datetime) -> dt.datetime:
    """Whole seconds (as the tantivy backend keeps them, so date sorts tie alike); naive is UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.replace(microsecond=0)


def _in_int8(value: int) -> bool:
    return -_INT8 <= value <= _INT8


def _clamp(value: int) -> int:
    return max(-_INT8, min(_INT8, int(value)))


def _merge_range(lo: int | None, hi: int | None, rng: Range | None) -> tuple[int | None, int | None]:
    if rng is not None:
        if rng.lo is not None:
            lo = rng.lo if lo is None else max(lo, rng.lo)
        if rng.hi is not None:
            hi = rng.hi if hi is None else min(hi, rng.hi)
    return lo, hi


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


class _Where:
    """SQL conditions with named parameters (``%(pN)s``); values never enter the SQL text."""

    def __init__(self) -> None:
        self.conds: list[str] = []
        self.params: dict[str, Any] = {}

    def param(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"%({name})s"

    def add(self, sql: str, *values: Any) -> None:
        self.conds.append(sql.format(*(self.param(v) for v in values)))

    def range(self, column: str, lo: int | None, hi: int | None) -> None:
        if lo is not None:
            self.add(f"{column} >= {{}}", _clamp(lo))
        if hi is not None:
            self.add(f"{column} <= {{}}", _clamp(hi))

    def sql(self) -> str:
        return " AND ".join(self.conds) if self.conds else "TRUE"


def _where(request: SearchRequest, parsed: ParsedQuery, tsquery: str | None) -> _Where:
    w = _Where()
    if tsquery is not None:
        w.params["q"] = tsquery
        w.conds.append("tsv @@ %(q)s::tsquery")
    include = _ids(request.include)
    if include:
        if not all(_in_int8(i) for i in include):
            w.add("FALSE")
        else:
            w.add("filter_ids @> {}::bigint[]", sorted(set(include)))
    exclude = sorted({i for i in _ids(request.exclude) if _in_int8(i)})
    if exclude:
        w.add("NOT (filter_ids && {}::bigint[])", exclude)
    if request.complete is not None:
        w.add("complete = {}", bool(request.complete))
    if request.crossover == "exclude":
        w.add("NOT crossover")
    elif request.crossover == "only":
        w.add("crossover")
    elif request.crossover != "include":
        raise ValueError(f"crossover must be include, exclude or only, not {request.crossover!r}")
    if request.single_chapter:
        w.add("chapters = 1")
    w.range("words", *_merge_range(request.words_from, request.words_to, parsed.words))
    for name in ("kudos", "hits", "comments", "bookmarks"):
        w.range(name, *_merge_range(None, None, getattr(parsed, name)))
    if request.updated_from is not None:
        w.add("updated >= {}", _day_start(request.updated_from))
    if request.updated_to is not None and request.updated_to < dt.date.max:
        w.add("updated < {}", _day_start(request.updated_to) + dt.timedelta(days=1))
    if request.language:
        if "\x00" in request.language:
            w.add("FALSE")  # no stored language holds a NUL (PostgreSQL text cannot)
        else:
            w.add("language = {}", request.language.casefold())
    return w


def _sort_order(request: SearchRequest, parsed: ParsedQuery) -> tuple[str, str]:
    """The sort and order asked for (request, then query text, then defaults); ValueError when unknown."""
    sort = request.sort or parsed.sort or ("best" if parsed.node is not None else "updated")
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}: one of {', '.join(SORTS)}")
    order = request.order or parsed.order or SORTS[sort]
    if order not in ("asc", "desc"):
        raise ValueError(f"order must be asc or desc, not {order!r}")
    return sort, order


def _constant_score(node: Node | None) -> bool:
    """True when no positive text term can score a hit, so ``best`` is simply id order."""
    if node is None or isinstance(node, Not):
        return True
    return isinstance(node, And) and all(isinstance(c, Not) for c in node.children)


# --------------------------------------------------------------------------------------- backend


def _facets(rows: Iterable[tuple[int, int]]) -> dict[str, list[FacetCount]]:
    found: dict[str, list[tuple[int, int]]] = {name: [] for name in _FACET_NAMES}
    for key, n in rows:
        found[_FACET_NAMES[int(key) % _KEY_SPAN]].append((-int(n), int(key) // _KEY_SPAN))
    return {name: [FacetCount(tag, -n) for n, tag in sorted(counts)[:FACET_SIZE]] for name, counts in found.items()}


class PostgresBackend:
    """The :class:`~fanshelf.search.base.SearchBackend` on PostgreSQL (Django's default connection)."""

    name = "postgres"

    def __init__(self) -> None:
        self._ready: set[tuple[str, str, str]] = set()  # databases whose table is known to be in place

    # ----------------------------------------------------------------------------- schema

    def _ensure(self) -> None:
        """Create the table and indexes if any is missing (checked once per database and backend object).

        Raises :class:`IndexStale` when the table was made by another schema or analyser version.
        """
        settings = connection.settings_dict
        key = (str(settings.get("HOST", "")), str(settings.get("PORT", "")), str(settings.get("NAME", "")))
        if key in self._ready:
            return
        if connection.vendor != "postgresql":
            raise ConfigError("the postgres search backend needs a PostgreSQL database (FANSHELF_DATABASE_URL)")
        with connection.cursor() as cur:
            cur.execute(
                "SELECT obj_description(to_regclass(%s), 'pg_class'),"
                " (SELECT count(*) FROM unnest(%s::text[]) r WHERE to_regclass(r) IS NOT NULL)",
                [TABLE, list(_DDL_RELATIONS)])
            row = cur.fetchone()
        assert row is not None
        stamp, present = row
        if present and stamp != _STAMP:
            raise IndexStale(f"the search table {TABLE} was built by another version of fanshelf ({stamp!r}, "
                             f"need {_STAMP!r}): run `fanshelf reindex` to rebuild it")
        if present != len(_DDL_RELATIONS):
            self._create(drop=False)
            if connection.in_atomic_block:
                return  # made inside the caller's transaction, which may yet roll back: look again next time
        self._ready.add(key)

    @staticmethod
    def _create(*, drop: bool) -> None:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_DDL_LOCK])
            if drop:
                cur.execute(f"DROP TABLE IF EXISTS {TABLE}")
                cur.execute(f"DROP TABLE IF EXISTS pg_temp.{_STAGE}")  # this session's, shaped like the old one
            for stmt in DDL:
                cur.execute(stmt)

    # ----------------------------------------------------------------------------- writing

    def upsert(self, docs: Sequence[WorkDocument]) -> None:
        """Add or replace documents by id, in one transaction (a savepoint inside the caller's)."""
        if not docs:
            return
        self._ensure()
        latest = {doc.id: doc for doc in docs}  # a repeated id: the last one wins
        rows = [self._row(latest[i]) for i in sorted(latest)]
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(_STAGE_DDL)
            for start in range(0, len(rows), _BATCH):
                cur.execute(f"TRUNCATE {_STAGE}")  # empty even inside a long outer transaction
                with connection.wrap_database_errors, cur.cursor.copy(_COPY) as copy:
                    for row in rows[start:start + _BATCH]:
                        copy.write_row(row)
                cur.execute(_MERGE)

    @staticmethod
    def _row(doc: WorkDocument) -> tuple[Any, ...]:
        facet_ids = [_ids(getattr(doc, col)) for col in _FACET_COLUMNS]
        facet_keys = [tag * _KEY_SPAN + t for t, tags in enumerate(facet_ids) for tag in tags
                      if 0 <= tag <= _MAX_FACET_ID]
        return (
            doc.id, doc.revision, tsvector_text(doc), _ids(doc.filter_ids), *facet_ids, facet_keys,
            bool(doc.complete), bool(doc.crossover), doc.chapters, doc.words, doc.kudos, doc.hits, doc.comments,
            doc.bookmarks, _timestamp(doc.posted), _timestamp(doc.updated), _clean_text(doc.language).casefold(),
            doc.title_key, doc.creator_key,
        )

    def delete(self, ids: Iterable[int]) -> None:
        wanted = sorted({i for i in _ids(ids) if _in_int8(i)})
        if not wanted:
            return
        self._ensure()
        with transaction.atomic(), connection.cursor() as cur:
            for start in range(0, len(wanted), 10_000):
                cur.execute(f"DELETE FROM {TABLE} WHERE id = ANY(%s::bigint[])", [wanted[start:start + 10_000]])

    def commit(self) -> None:
        """Nothing to do, normally: each write commits itself, or, inside the caller's ``atomic()``
        block, becomes durable when that block commits. Only a connection with autocommit switched off
        (and no atomic block) is committed here."""
        if not connection.in_atomic_block and not connection.get_autocommit():
            connection.commit()

    def clear(self) -> None:
        """Remove every document (TRUNCATE); a table of another version is dropped and made anew."""
        try:
            self._ensure()
        except IndexStale:
            self._create(drop=True)
            return
        with connection.cursor() as cur:
            cur.execute(f"TRUNCATE {TABLE}")

    def revisions(self) -> dict[int, int]:
        self._ensure()
        with connection.cursor() as cur:
            cur.execute(f"SELECT id, revision FROM {TABLE}")
            return {int(i): int(r) for i, r in cur.fetchall()}

    def close(self) -> None:
        """Nothing to release: the connection is Django's, shared with the rest of the archive."""

    # ----------------------------------------------------------------------------- searching

    def search(self, request: SearchRequest) -> SearchResult:
        self._ensure()
        parsed = parse_query(request.text)
        sort, order = _sort_order(request, parsed)
        page = max(1, int(request.page))
        per_page = min(max(1, int(request.per_page)), PAGE_CAP)
        tsquery = tsquery_text(parsed.node) if parsed.node is not None else None
        where = _where(request, parsed, tsquery)
        cond = where.sql()
        params = where.params
        params["limit"] = per_page
        params["offset"] = min((page - 1) * per_page, _INT8)
        if sort != "best":
            key = _SORT_COLUMNS[sort]
        elif _constant_score(parsed.node):
            key = "0::float4"  # nothing to score: id order
        else:
            params["weights"] = RANK_WEIGHTS
            key = "ts_rank(%(weights)s::float4[], tsv, %(q)s::tsquery)"
        direction = "DESC" if order == "desc" else "ASC"
        if request.facets:
            top = " UNION ALL ".join(
                f"(SELECT fk, n FROM f WHERE mod(fk, {_KEY_SPAN}) = {t} ORDER BY n DESC, fk LIMIT {FACET_SIZE})"
                for t in range(len(_FACET_COLUMNS)))
            sql = (
                f"WITH m AS MATERIALIZED (SELECT id, {key} AS k, facet_keys FROM {TABLE} WHERE {cond}),"
                " f AS MATERIALIZED (SELECT fk, count(*) AS n FROM (SELECT unnest(facet_keys) AS fk FROM m) AS u"
                " GROUP BY fk)"
                " SELECT (SELECT count(*) FROM m),"
                f" ARRAY(SELECT id FROM m ORDER BY k {direction}, id {direction} LIMIT %(limit)s OFFSET %(offset)s),"
                f" ARRAY(SELECT ARRAY[fk, n] FROM ({top}) AS top)"
            )
        else:
            sql = (
                f"SELECT (SELECT count(*) FROM {TABLE} WHERE {cond}),"
                f" ARRAY(SELECT id FROM {TABLE} WHERE {cond}"
                f" ORDER BY {key} {direction}, id {direction} LIMIT %(limit)s OFFSET %(offset)s), NULL"
            )
        with connection.cursor() as cur:
            cur.execute(sql, params)
            row = cur.fetchone()
        assert row is not None
        total, ids, facet_rows = row
        return SearchResult(total=int(total), ids=[int(i) for i in ids or ()],
                            facets=_facets(facet_rows or ()) if request.facets else {},
                            page=page, per_page=per_page, sort=sort, order=order)
