"""Header labels: the families of words writers put before a colon, and how to recognise them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# key -> spellings (compared after :func:`norm_label`). Keys are the parser's field names.
FAMILIES: dict[str, tuple[str, ...]] = {
    "title": ("title", "story title", "fic title", "title of story", "work title", "name of fic", "titel", "título",
              "titulo", "titre"),
    "author": (
        "author", "authors", "author(s)", "by", "writer", "writers", "written by", "creator",
        "creators", "pseud", "author name", "autor", "autorin", "autora", "auteur", "autore",
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
        "ships", "ship(s)", "couple", "couples", "romance", "paarung", "pairings/paarung", "pareja", "parejas",
    ),
    "characters": (
        "character", "characters", "character(s)", "featuring", "cast", "main characters", "starring",
        "charaktere", "figuren", "personajes", "personnages", "personaggi",
    ),
    "rating": ("rating", "ratings", "rated", "rating/warnings", "age rating"),
    "warnings": (
        "warning", "warnings", "warning(s)", "content notes", "content note", "content warning",
        "content warnings", "spoilers/warnings", "warnings/spoilers", "trigger warning", "trigger warnings",
        "archive warning", "archive warnings", "cw", "tw", "cw/tw", "triggers", "warnungen", "warnung",
        "advertencias", "advertencia", "avertissement", "avertissements",
    ),
    "words": (
        "word count", "wordcount", "words", "length", "size", "word count (approx)", "wc", "w/c", "count",
        "word-count", "wordcount (approx)", "approximate word count", "wörter", "wortanzahl", "wortzahl",
        "palabras", "mots", "parole",
    ),
    "summary": ("summary", "description", "blurb", "teaser", "synopsis", "story summary", "zusammenfassung",
                "inhalt", "resumen", "résumé", "sumario"),
    "notes": (
        "a/n", "an", "a/ns", "author's note", "author's notes", "authors note", "authors notes",
        "author notes", "author note", "notes", "note", "author's note(s)", "notes from the author",
    ),
    "disclaimer": ("disclaimer", "disclaimers", "disclaim"),
    "beta": ("beta", "betas", "beta'd by", "betaed by", "beta reader", "beta readers", "beta'd", "betaed"),
    "genre": ("genre", "genres", "category", "categories", "type", "genre/category", "category/genre"),
    "spoilers": ("spoilers", "spoiler", "timeline", "setting", "spoilers for", "time frame", "timeframe"),
    "prompt": (
        "prompt", "prompts", "written for", "for", "challenge", "request", "challenge/prompt",
        "prompt/challenge", "fest", "prompt used", "prompt(s)", "exchange", "event",
    ),
    # the person a gift is for: not a prompt (AO3's "gift" recipients)
    "recipient": ("recipient", "recipients", "gift for", "requested by", "a gift for", "present for"),
    "feedback": ("feedback", "comments", "concrit", "reviews"),
    "archive": ("archive", "archiving", "archived"),
    "dedication": ("dedication", "dedicated to", "dedicated"),
    "part": ("part", "chapter", "chapters", "part/chapter", "parts", "chapter title"),
    "date": ("date", "posted", "published", "date posted", "date written", "written on", "posted on"),
    "tags": ("tags", "additional tags", "freeform tags", "freeforms", "keywords", "story tags"),
    "language": ("language", "sprache", "idioma", "langue"),
    "series": ("series title", "series name", "arc", "part of series", "series/arc"),
}

# Families whose value may run on over several lines.
MULTILINE = frozenset({"summary", "notes", "disclaimer", "warnings", "dedication", "prompt", "feedback",
                       "archive", "spoilers", "beta"})
# Families strong enough to start a new header in the middle of a post.
STRONG = frozenset({"title", "author", "fandom", "fandom_pairing", "characters_pairings", "pairing",
                    "characters", "rating", "words", "summary", "warnings", "genre"})

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})


_SPACES = re.compile(r"\s+")
_SLASH = re.compile(r"\s*/\s*")


def norm_label(label: str) -> str:
    s = label.translate(_QUOTES).casefold().strip()
    s = _SPACES.sub(" ", s)
    s = _SLASH.sub("/", s)
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
_LABEL = r"[^\W\d_](?:[^\W\d_]|['\u2019/&() .\-]){0,38}?"  # letters of any script
_ENUM = r"(?:(?:\d{1,2}|#\d{1,2})[.):]?\s+)?"  # "1. Title: X" in numbered round-ups
_COLON_RE = re.compile(r"^\s*" + _ENUM + r"(?P<label>" + _LABEL + r")\s*[:\uff1a]\s*(?P<value>.*)$")
_DASH_RE = re.compile(r"^\s*(?P<label>" + _LABEL + r")\s+[-\u2013\u2014]{1,2}\s+(?P<value>.+)$")
_PAD_RE = re.compile(r"^\s*(?P<label>[^\W\d_](?:[^\W\d_]|['/ ]){1,20}?)(?:\t+|\s{3,})(?P<value>\S.*)$")

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


_CHAPTER_LABEL_RE = re.compile(
    r"(?:chapter|part|ch\.?|kapitel|cap[ií]tulo|chapitre)\s+(?:one|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|[ivxlc]{1,6}|eins|uno|un)",
    re.I)


@dataclass(frozen=True, slots=True)
class Field:
    key: str | None  # None: a label we do not know (kept in ``extra``)
    label: str  # as written
    value: str


def _clean_label(label: str) -> str:
    return _SPACES.sub(" ", label).strip(" *_~")


def _plausible_unknown(label: str) -> bool:
    words = label.split()
    return 1 <= len(words) <= 4 and len(label) <= 30 and label[:1].isupper()


# FanFiction.net's story line: "Rated: K+ - English - Humor/Friendship - Hermione G. & Minerva M. - Words: 1,234 - ..."
_STAT_LINE_RE = re.compile(r"^\s*Rated\s*:\s*(?:Fiction\s+)?\S{1,4}\s+-\s+\S.*?\s+-\s+\S.*$", re.I)
_STAT_LABEL_RE = re.compile(r"^(?P<label>[^\W\d_][\w ]{0,20}?)\s*:\s*(?P<value>.*)$")
_FFN_GENRES = {"romance", "humor", "drama", "poetry", "adventure", "mystery", "horror", "parody", "angst",
               "supernatural", "suspense", "sci-fi", "fantasy", "spiritual", "tragedy", "western", "crime", "family",
               "hurt/comfort", "friendship", "general"}
_FFN_KEYS = {"rated": "rating", "words": "words", "published": "date", "language": "language", "genre": "genre",
             "characters": "characters"}


def _stat_line_fields(text: str) -> list[Field] | None:
    """The fields of a FanFiction.net story line, whose labels are not all written."""
    segs = [seg.strip() for seg in re.split(r"\s+-\s+", text.strip()) if seg.strip()]
    labelled = [_STAT_LABEL_RE.match(seg) for seg in segs]
    if sum(1 for lm in labelled if lm) < 2:
        return None
    from fanshelf.parse.values import parse_us_date  # values imports nothing from here

    fields: list[Field] = []
    unlabelled = 0
    for seg, lm in zip(segs, labelled, strict=True):
        if lm:
            label, value = _clean_label(lm.group("label")), lm.group("value").strip()
            key = _FFN_KEYS.get(label.casefold())
            if key == "date":
                value = parse_us_date(value) or value
            fields.append(Field(key, label, value))
            continue
        unlabelled += 1
        pieces = re.sub(r"(?i)hurt/comfort", "Hurt-Comfort", seg).split("/")
        if unlabelled == 1 and re.fullmatch(r"[^\W\d_]+", seg):
            fields.append(Field("language", "Language", seg))
        elif all(p.strip().casefold().replace("hurt-comfort", "hurt/comfort") in _FFN_GENRES for p in pieces):
            fields.append(Field("genre", "Genre", ", ".join(p.strip().replace("Hurt-Comfort", "Hurt/Comfort")
                                                           for p in pieces)))
        elif re.fullmatch(r"complete|in-progress|incomplete", seg, re.I):
            fields.append(Field(None, "Status", seg))
        else:
            pairs = re.findall(r"\[([^\]]+)\]", seg)
            for pair in pairs:
                fields.append(Field("pairing", "Pairing", "/".join(x.strip() for x in pair.split(","))))
            rest = re.sub(r"\[[^\]]*\]", ",", seg).strip(" ,")
            if rest:
                fields.append(Field("characters", "Characters", rest))
    return fields


def split_fields(text: str, *, loose: bool = False) -> list[Field] | None:
    """Read ``text`` as one or more ``Label: value`` fields; None when it is not a label line.

    ``loose`` (for headers in HTML comments) splits at any known label followed by a colon.
    """
    if _STAT_LINE_RE.match(text):
        stat = _stat_line_fields(text)
        if stat is not None:
            return stat
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
    if _CHAPTER_LABEL_RE.fullmatch(label):  # "Chapter One: Ten Past Four" is a chapter heading, not a label
        return None
    key = label_key(label)
    # in a comment header (``loose``) writers use lowercase labels: "email: ...", "site: ..."
    if key is None and (dash or not (_plausible_unknown(label) or (
            loose and re.fullmatch(r"[^\W\d_][\w\-]{1,20}", label) and m.group("value").strip()))):
        return None
    value = m.group("value").strip()
    fields: list[Field] = []
    splitter = _INLINE_LOOSE_RE if loose else _INLINE_RE
    pos = 0
    parts: list[tuple[str, int, int]] = []
    for im in splitter.finditer(value) if ":" in value else ():  # every inline label ends in a colon
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
