"""The listing's query parameters: parsed and checked (a bad value is a 400, never a 500)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

# the URL's sort names -> the search layer's
SORTS = {"best": "best", "updated": "updated", "published": "posted", "title": "title", "author": "creator",
         "words": "words", "kudos": "kudos", "hits": "hits", "comments": "comments", "bookmarks": "bookmarks"}
SORT_LABELS = {"best": "Best match", "updated": "Date updated", "published": "Date posted", "title": "Title",
               "author": "Creator", "words": "Word count", "kudos": "Kudos", "hits": "Hits",
               "comments": "Comments", "bookmarks": "Bookmarks"}
MAX_PAGE = 5000
MAX_INT = 2_000_000_000
MAX_TAGS = 50
MAX_TEXT = 1000


class BadParam(ValueError):
    """A query parameter has a value the app cannot use."""


def clean(text: str) -> str:
    """Drops control characters (NUL and friends) that no name or query contains."""
    return "".join(c for c in text if c >= " " or c in "\t\n")


def _int(q: QueryDict, name: str, lo: int, hi: int) -> int | None:
    raw = q.get(name, "").strip()
    if not raw:
        return None
    try:
        v = int(raw.replace(",", ""))
    except ValueError:
        raise BadParam(f"{name} must be a whole number, not {raw[:40]!r}") from None
    if not lo <= v <= hi:
        raise BadParam(f"{name} must be between {lo:,} and {hi:,}")
    return v


def _date(q: QueryDict, name: str) -> dt.date | None:
    raw = q.get(name, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise BadParam(f"{name} must be a date as YYYY-MM-DD, not {raw[:40]!r}") from None


def _choice(q: QueryDict, name: str, choices: tuple[str, ...]) -> str:
    raw = q.get(name, "").strip()
    if raw and raw not in choices:
        raise BadParam(f"{name} must be one of {', '.join(c for c in choices if c)}")
    return raw


def _names(q: QueryDict, name: str) -> list[str]:
    out: list[str] = []
    for raw in q.getlist(name):
        v = " ".join(clean(raw).split())[:150]
        if v and v not in out:
            out.append(v)
    if len(out) > MAX_TAGS:
        raise BadParam(f"at most {MAX_TAGS} {name} tags")
    return out


@dataclass
class Filters:
    q: str = ""
    sort: str = ""
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    words_from: int | None = None
    words_to: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    complete: str = ""
    crossover: str = ""
    language: str = ""
    page: int = 1
    show_hidden: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"q": self.q, "sort": self.sort, "include": self.include, "exclude": self.exclude,
                "words_from": self.words_from, "words_to": self.words_to,
                "date_from": self.date_from.isoformat() if self.date_from else None,
                "date_to": self.date_to.isoformat() if self.date_to else None,
                "complete": self.complete, "crossover": self.crossover, "language": self.language,
                "page": self.page, "show_hidden": self.show_hidden}

    @property
    def active(self) -> bool:
        """Any filter beyond the page and sort."""
        return bool(self.q or self.include or self.exclude or self.words_from is not None
                    or self.words_to is not None or self.date_from or self.date_to or self.complete
                    or self.crossover or self.language)


def parse_filters(q: QueryDict) -> Filters:
    f = Filters()
    f.q = clean(q.get("q", "")).strip()[:MAX_TEXT]
    f.sort = _choice(q, "sort", ("", *SORTS))
    f.include = _names(q, "include")
    f.exclude = _names(q, "exclude")
    f.words_from = _int(q, "words_from", 0, MAX_INT)
    f.words_to = _int(q, "words_to", 0, MAX_INT)
    f.date_from = _date(q, "date_from")
    f.date_to = _date(q, "date_to")
    f.complete = _choice(q, "complete", ("", "true", "false"))
    f.crossover = _choice(q, "crossover", ("", "include", "exclude", "only"))
    f.language = " ".join(clean(q.get("language", "")).split())[:64]
    f.page = page_number(q)
    f.show_hidden = q.get("show_hidden", "") in ("1", "true", "on", "yes")
    return f


def page_number(q: QueryDict) -> int:
    if "page" in q and not q.get("page", "").strip():
        raise BadParam("page must be a whole number from 1")
    return _int(q, "page", 1, MAX_PAGE) or 1


def sort_choice(q: QueryDict) -> str:
    return _choice(q, "sort", ("", *SORTS))
