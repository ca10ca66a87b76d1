"""The one small interface every search backend implements, and the plain data it speaks.

A backend indexes :class:`WorkDocument` objects (built from the database by
:mod:`fanshelf.search.documents`) and answers :class:`SearchRequest` objects with a
:class:`SearchResult`. Text always reaches an engine as analysed tokens (:mod:`fanshelf.search.analysis`)
inside query objects the backend builds itself: user text is never handed to an engine's own parser.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from fanshelf.errors import FanshelfError

__all__ = [
    "FACET_TYPES",
    "PAGE_CAP",
    "FacetCount",
    "IndexStale",
    "SearchBackend",
    "SearchRequest",
    "SearchResult",
    "WorkDocument",
    "sort_key_text",
]

# Facet groups, in display order; the value is the WorkDocument attribute holding the direct canonical ids.
FACET_TYPES: dict[str, str] = {
    "rating": "rating_ids",
    "warning": "warning_ids",
    "category": "category_ids",
    "fandom": "fandom_ids",
    "character": "character_ids",
    "relationship": "relationship_ids",
    "freeform": "freeform_ids",
}
FACET_SIZE = 10
PER_PAGE = 20
PAGE_CAP = 1000  # most hits one page may ask for (both backends clamp per_page to 1..PAGE_CAP)


class IndexStale(FanshelfError):
    """The search index was built by another version of fanshelf (or is damaged): ``fanshelf reindex``."""

    exit_code = 4

# sort name -> default order ("desc" or "asc"); "best" is relevance (score desc).
SORTS: dict[str, str] = {
    "best": "desc", "creator": "asc", "title": "asc", "posted": "desc", "updated": "desc", "words": "desc",
    "hits": "desc", "kudos": "desc", "comments": "desc", "bookmarks": "desc",
}


def sort_key_text(text: str) -> int:
    """A 63-bit integer that orders like the text's first 12 letters/digits (case and accents folded).

    Both backends sort titles and creators by this key, then by id, so they agree exactly.
    """
    # Case folding and NFKD map each character on its own (reordering only combining marks, which are
    # not ASCII), so the letters/digits of a prefix are a prefix of the whole text's: 32 characters that
    # give 12 of them give the same key as the whole text.
    chars = _key_chars(text[:32])
    if len(chars) < 12 and len(text) > 32:
        chars = _key_chars(text)
    key = 0
    for i in range(12):
        c = chars[i] if i < len(chars) else ""
        v = 0 if not c else (1 + int(c) if c.isdigit() else 11 + ord(c) - ord("a"))
        key = key * 37 + v
    return key  # < 37**12 < 2**63


def _key_chars(text: str) -> list[str]:
    import unicodedata

    folded = unicodedata.normalize("NFKD", text.casefold())
    return [c for c in folded if c.isascii() and c.isalnum()][:12]


@dataclass(slots=True)
class WorkDocument:
    """Everything search needs to know about one work (derived from the database, never edited)."""

    id: int
    revision: int
    title: str
    creators: list[str]
    summary: str
    notes: str
    tag_names: list[str]  # every tag's name and, for synonyms, its canonical's name
    series: list[str]
    filter_ids: list[int]  # canonical of each tag ∪ inherited metatags (include/exclude)
    rating_ids: list[int]
    warning_ids: list[int]
    category_ids: list[int]
    fandom_ids: list[int]
    character_ids: list[int]
    relationship_ids: list[int]
    freeform_ids: list[int]
    complete: bool
    crossover: bool
    chapters: int
    words: int
    kudos: int
    hits: int
    comments: int
    bookmarks: int
    posted: dt.datetime
    updated: dt.datetime
    language: str
    title_key: int
    creator_key: int


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """A search: AO3 query text plus filters. Tag ids may be any tags: backends filter on filter ids,
    so a canonical also covers its synonyms and subtags (callers map a synonym to its canonical)."""

    text: str = ""
    include: tuple[int, ...] = ()  # all of these (filter ids)
    exclude: tuple[int, ...] = ()  # none of these (filter ids)
    complete: bool | None = None
    crossover: str = "include"  # include | exclude | only
    single_chapter: bool = False
    words_from: int | None = None
    words_to: int | None = None
    updated_from: dt.date | None = None
    updated_to: dt.date | None = None
    language: str | None = None
    sort: str | None = None  # None: "best" when there is text, else "updated"
    order: str | None = None  # None: the sort's default
    page: int = 1
    per_page: int = PER_PAGE
    facets: bool = True


@dataclass(frozen=True, slots=True)
class FacetCount:
    tag_id: int
    count: int


@dataclass(slots=True)
class SearchResult:
    total: int
    ids: list[int]  # work ids of this page, in order
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)  # FACET_TYPES keys, top 10 each
    page: int = 1
    per_page: int = PER_PAGE
    sort: str = "best"
    order: str = "desc"


class SearchBackend(Protocol):
    name: str

    def upsert(self, docs: Sequence[WorkDocument]) -> None:
        """Add or replace documents (by id). Durable when ``commit()`` returns."""

    def delete(self, ids: Iterable[int]) -> None: ...

    def commit(self) -> None: ...

    def clear(self) -> None:
        """Remove every document (before a rebuild)."""

    def revisions(self) -> dict[int, int]:
        """Every indexed work id with the revision it was indexed at (for ``reindex --check``)."""

    def search(self, request: SearchRequest) -> SearchResult: ...

    def close(self) -> None: ...
