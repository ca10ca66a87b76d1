"""Header labels: the families of words writers put before a colon, and how to recognise them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# key -> spellings (compared after :func:`norm_label`). Keys are the parser's field names.
FAMILIES: dict[str, tuple[str, ...]] = {
    "title": ("title", "story title", "fic title", "title of story", "work title", "name of fic"),
    "author": (
        "author", "authors", "author(s)", "by", "writer", "writers", "written by", "creator",
        "creators", "pseud", "author name",
    ),
    "fandom": ("fandom", "fandoms", "fandom(s)", "universe", "canon", "source", "show", "series"),
    "fandom_pairing": (
        "fandom/pairing", "fandom/pairings", "fandom / pairing", "fandom/characters", "fandom & pairing",
        "fandom and pairing",
    ),
    "characters_pairings": (
        "characters/pairings", "characters/pairing", "character/pairing", "characters/pairing(s)",
        "pairings/characters", "pairing/characters", "pairing/character", "characters & pairings",
        "characters and pairings", "pairing & characters", "characters/relationships",
        "pairing(s)/character(s)", "character(s)/pairing(s)",
    ),
    "pairing": (
        "pairing", "pairings", "pairing(s)", "relationship", "relationships", "relationship(s)", "ship",
        "ships", "ship(s)", "couple", "couples", "romance",
    ),
    "characters": (
        "character", "characters", "character(s)", "featuring", "cast", "main characters", "starring",
    ),
    "rating": ("rating", "ratings", "rated", "rating/warnings", "age rating"),
    "warnings": (
        "warning", "warnings", "warning(s)", "content notes", "content note", "content warning",
        "content warnings", "spoilers/warnings", "warnings/spoilers", "trigger warning", "trigger warnings",
        "archive warning", "archive warnings", "cw", "tw", "cw/tw", "triggers",
    ),
    "words": (
        "word count", "wordcount", "words", "length", "size", "word count (approx)", "wc", "w/c", "count",
        "word-count", "wordcount (approx)", "approximate word count",
    ),
    "summary": ("summary", "description", "blurb", "teaser", "synopsis", "story summary"),
    "notes": (
        "a/n", "an", "a/ns", "author's note", "author's notes", "authors note", "authors notes",
        "author notes", "author note", "notes", "note", "author's note(s)", "notes from the author",
    ),
    "disclaimer": ("disclaimer", "disclaimers", "disclaim"),
    "beta": ("beta", "betas", "beta'd by", "betaed by", "beta reader", "beta readers", "beta'd", "betaed"),
    "genre": ("genre", "genres", "category", "categories", "type", "genre/category", "category/genre"),
    "spoilers": ("spoilers", "spoiler", "timeline", "setting", "spoilers for", "time frame", "timeframe"),
    "prompt": (
        "prompt", "prompts", "written for", "for", "challenge", "request", "requested by", "challenge/prompt",
        "prompt/challenge", "fest", "gift for", "recipient", "prompt used", "prompt(s)",
    ),
    "feedback": ("feedback", "comments", "concrit", "reviews"),
    "archive": ("archive", "archiving", "archived"),
    "dedication": ("dedication", "dedicated to", "dedicated"),
    "part": ("part", "chapter", "chapters", "part/chapter", "parts", "chapter title"),
    "date": ("date", "posted", "published", "date posted", "date written", "written on", "posted on"),
    "tags": ("tags", "additional tags", "freeform tags", "freeforms", "keywords", "story tags"),
    "language": ("language",),
    "series": ("series title", "series name", "arc", "part of series", "series/arc"),
}

# Families whose value may run on over several lines.
MULTILINE = frozenset({"summary", "notes", "disclaimer", "warnings", "dedication", "prompt", "feedback",
                       "archive", "spoilers", "beta"})
# Families strong enough to start a new header in the middle of a post.
STRONG = frozenset({"title", "author", "fandom", "fandom_pairing", "characters_pairings", "pairing",
                    "characters", "rating", "words", "summary", "warnings", "genre"})

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})


def norm_label(label: str) -> str:
    s = label.translate(_QUOTES).casefold().strip()
    s = re.sub(r"\s+", " ", s)
    s = re.sub(r"\s*/\s*", "/", s)
    return s.strip(" .*_~-")


_LOOKUP: dict[str, str] = {norm_label(sp): key for key, spellings in FAMILIES.items() for sp in spellings}
_FUZZY_CANDIDATES = tuple(k for k in _LOOKUP if len(k) >= 5)


def _within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by one insertion, deletion, substitution or adjacent swap."""
    la, lb = len(a), len(b)
    if abs(la - lb) > 1 or a == b:
        return a == b
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1:] == b[i + 1:]:
            return True
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2:] == b[i + 2:]
    if la > lb:
        return a[i + 1:] == b[i:]
    return a[i:] == b[i + 1:]


@lru_cache(maxsize=4096)
def label_key(label: str) -> str | None:
    """The family key of a written label, tolerating one typo in labels of five letters or more."""
    n = norm_label(label)
    key = _LOOKUP.get(n)
    if key is not None:
        return key
    if len(n) >= 5:
        for cand in _FUZZY_CANDIDATES:
            if _within_one_edit(n, cand):
                return _LOOKUP[cand]
    return None


# A label: up to 5 words of letters (with ' / & ( ) . -), then a separator.
_LABEL = r"[A-Za-z][A-Za-z'\u2019/&() .\-]{0,38}?"
_ENUM = r"(?:(?:\d{1,2}|#\d{1,2})[.):]?\s+)?"  # "1. Title: X" in numbered round-ups
_COLON_RE = re.compile(r"^\s*" + _ENUM + r"(?P<label>" + _LABEL + r")\s*[:\uff1a]\s*(?P<value>.*)$")
_DASH_RE = re.compile(r"^\s*(?P<label>" + _LABEL + r")\s+[-\u2013\u2014]{1,2}\s+(?P<value>.+)$")
_PAD_RE = re.compile(r"^\s*(?P<label>[A-Za-z][A-Za-z'/ ]{1,20}?)(?:\t+|\s{3,})(?P<value>\S.*)$")

_ALL_LABELS = sorted(_LOOKUP, key=len, reverse=True)
# Known labels met inside a line, after a sentence break, a pipe or a run of spaces.
_INLINE_RE = re.compile(
    r"(?:(?<=[.;|!?])\s+|\s+\|\s+|\s{2,}|\t+)(?P<label>"
    + "|".join(re.escape(lbl).replace("'", "['\u2019]") for lbl in _ALL_LABELS)
    + r")\s*:\s*",
    re.IGNORECASE,
)
_INLINE_LOOSE_RE = re.compile(
    r"(?:^|\s+)(?P<label>"
    + "|".join(re.escape(lbl).replace("'", "['\u2019]") for lbl in _ALL_LABELS)
    + r")\s*:\s*",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Field:
    key: str | None  # None: a label we do not know (kept in ``extra``)
    label: str  # as written
    value: str


def _clean_label(label: str) -> str:
    return re.sub(r"\s+", " ", label).strip(" *_~")


def _plausible_unknown(label: str) -> bool:
    words = label.split()
    return 1 <= len(words) <= 4 and len(label) <= 30 and label[:1].isupper()


def split_fields(text: str, *, loose: bool = False) -> list[Field] | None:
    """Read ``text`` as one or more ``Label: value`` fields; None when it is not a label line.

    ``loose`` (for headers in HTML comments) splits at any known label followed by a colon.
    """
    m = _COLON_RE.match(text)
    dash = False
    if m is None:
        m = _DASH_RE.match(text)
        dash = True
    if m is None:
        m = _PAD_RE.match(text)
        if m is None or label_key(m.group("label")) is None or norm_label(m.group("label")) in {"for", "by"}:
            return None
        dash = True
    label = _clean_label(m.group("label"))
    key = label_key(label)
    if key is None and (dash or not _plausible_unknown(label)):
        return None
    value = m.group("value").strip()
    fields: list[Field] = []
    splitter = _INLINE_LOOSE_RE if loose else _INLINE_RE
    pos = 0
    parts: list[tuple[str, int, int]] = []
    for im in splitter.finditer(value):
        if label_key(im.group("label")) is None:
            continue
        parts.append((im.group("label"), im.start(), im.end()))
    cur_label, cur_key = label, key
    for lbl, start, end in parts:
        seg = value[pos:start].strip()
        fields.append(Field(cur_key, cur_label, seg if loose else seg.rstrip(".;|").strip()))
        cur_label, cur_key, pos = _clean_label(lbl), label_key(lbl), end
    last = value[pos:].strip()
    if parts:
        last = last.rstrip(";|").strip()
    fields.append(Field(cur_key, cur_label, last))
    return fields
