"""Map what the writer wrote to canonical AO3-style tags, giving :class:`~fanshelf.model.Work` objects."""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable, Sequence

from fanshelf.model import (
    NO_FANDOM,
    UNTITLED,
    Challenge,
    Chapter,
    Line,
    SeriesPart,
    Work,
)
from fanshelf.parse import ParsedWork
from fanshelf.parse.labels import norm_label
from fanshelf.parse.values import (
    find_challenge,
    find_part,
    find_recipient,
    parse_date,
    parse_word_count,
    strip_descriptors,
)
from fanshelf.taxonomy import Taxonomy
from fanshelf.wrangle.vocab import CATEGORY_WORDS, map_genre, map_rating, map_warnings, unhedge

__all__ = ["count_words", "strip_note_label", "wrangle", "wrangle_pairings"]

_EXTRA_KEYS = {"disclaimer", "beta", "spoilers", "feedback", "archive", "dedication", "warnings", "language",
               "date", "part", "series", "recipient"}

_WORD_RE = re.compile(r"[^\W_]+(?:['\u2019\-][^\W_]+)*")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def count_words(text: str) -> int:
    """Words are runs of letters and digits; an apostrophe or hyphen inside joins (``don't``, ``well-known``);
    punctuation alone is no word; each Chinese/Japanese/Korean character counts as one word."""
    cjk = len(_CJK_RE.findall(text)) if _CJK_RE.search(text) else 0
    if cjk:
        text = _CJK_RE.sub(" ", text)
    # no word spans whitespace, and a run of letters and digits alone is one word: only the other
    # whitespace-separated tokens ("don't", "end.") need the pattern
    tokens = text.split()
    others = [tok for tok in tokens if not tok.isalnum()]
    plain = len(tokens) - len(others)
    return plain + (len(_WORD_RE.findall(" ".join(others))) if others else 0) + cjk


# "End notes:", "A/N:", "Author's note -" in front of a note that the page labels itself
_NOTE_LABEL_RE = re.compile(r"(?i)\s*(?:(?:end|final|closing)\s*notes?|(?:author|writer)s?['\u2019]?s?\s+notes?|"
                            r"a\s*/\s*n|a\.n\.|an(?=\s*:)|notes?)\s*(?::\s*|(?:--?|\u2013|\u2014)\s+)")


def strip_note_label(text: str) -> str:
    """A note without the label its writer typed in front of it ("End notes: Thanks!" -> "Thanks!")."""
    m = _NOTE_LABEL_RE.match(text)
    return text[m.end():] if m else text


def _dedupe(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for it in items:
        it = it.strip()
        k = it.casefold()
        if it and k not in seen:
            seen.add(k)
            out.append(it)
    return out


_SPACES_RE = re.compile(r"\s+")
_QUOTED_RE = re.compile(r"[\"\u201c'\u2018](.+?)[\"\u201d'\u2019]")


@functools.lru_cache(maxsize=1 << 16)
def _clean_value(s: str) -> str:
    s = _SPACES_RE.sub(" ", s).strip()
    s = s.strip(" .,;:")
    qm = _QUOTED_RE.fullmatch(s)
    return qm.group(1).strip() if qm else s


def _split_list(value: str, *, amp: bool = False) -> list[str]:
    return list(_split_items(value, amp))


_ITEM_SEPARATORS = {amp: re.compile(r"\s*(?:[,;\n]|\band\b|\bplus\b" + (r"|&" if amp else "") + r")\s*")
                    for amp in (False, True)}


@functools.lru_cache(maxsize=1 << 14)
def _split_items(value: str, amp: bool) -> tuple[str, ...]:
    return tuple(p for p in (_clean_value(x) for x in _ITEM_SEPARATORS[amp].split(value)) if p)


_INITIAL_RE = re.compile(r"(?P<first>[^\W\d_][\w'\-]+)\s+(?P<initial>[A-Z])\.?")


def _first_if_initial(name: str) -> str:
    """``Hermione G.`` → ``Hermione``; other names unchanged."""
    m = _INITIAL_RE.fullmatch(name.strip())
    return m.group("first") if m else name


ORIGINAL_WORK = "Original Work"
_ORIGINAL_RE = re.compile(r"(?:original|orig\.?|original (?:fiction|fic|work|story|stories|characters?|universe)|"
                          r"orig(?:inal)?[ -]?fic|ofic)", re.I)

# ----------------------------------------------------------------------------- pairings
_QUALIFIER_RE = re.compile(
    r"^(?:(?:implied|background|mentioned|past|eventual|established|one-?sided|unrequited|hints? of|hinted|"
    r"slight|a little(?: bit)? of|a bit of|some|minor|referenced|brief|onesided|light|vague|possible|"
    r"requited|former|future|pre-?slash|pre)\s+)+",
    re.I,
)
# a qualifier joined to a name by a hyphen: "pre-Owen/Tosh", "past-Jack/Ianto"
_HYPHEN_QUALIFIER_RE = re.compile(r"^(?P<qual>pre|past|implied|eventual|future|former|background)-"
                                  r"(?=[^\W\d_][^\s/&]*\s*(?:[/&]|$))", re.I)
# hedges that qualify a pairing or a name rather than naming anyone: "if you squint", "sort of", "-ish"
_HEDGE_RE = re.compile(r"(?:^|\s+)(?P<hedge>(?:if\b|sort of\b|kind of\b|maybe\b|sorta\b|kinda\b|ish\b|more or less\b|"
                       r"depending\b|in passing\b|briefly\b|mentioned\b|only\b|at the end\b|at a stretch\b).*)$",
                       re.I)
# phrases around a character's name in a list: "a little bit of Gwen", "a cameo from Zelenka", "Owen, briefly"
# a hedge that is the whole item ("if you squint", "briefly"); "mentioned Gwen" is a qualifier, not this
_LEADING_HEDGE_RE = re.compile(r"(?:if|sort of|kind of|maybe|sorta|kinda|ish|more or less|depending)\b|"
                               r"(?:only\s+)?(?:briefly|mentioned|in passing|at a stretch)\s*$", re.I)
_CHAR_PHRASE_RE = re.compile(
    r"^(?:(?:with\s+)?(?:an?\s+)?(?:(?:little|tiny|brief|short|quick)\s+)?(?:cameos?|appearances?|guest appearances?|"
    r"mentions?|hints?|glimpses?|spots?)\s+(?:from|by|of)\s+|(?:a\s+)?(?:little\s+)?(?:bit|touch|dash|smidge|spot)\s+"
    r"of\s+|(?:and\s+|plus\s+)?(?:special\s+)?guest(?:[\s-]starring)?\s+|(?:also\s+)?(?:featuring|starring)\s+)",
    re.I)
_HYPHEN_QUALIFIER_TAGS = {"pre": "Pre-Relationship"}


def _unqualify(item: str, notes: list[str], tags: list[str]) -> str:
    """Move qualifiers and hedges off a pairing or character item ("pre-Owen/Tosh, if you squint",
    "a cameo from Zelenka", "Gwen, briefly") into ``notes``; return the bare name(s), or "" when none is left."""
    item = item.strip()
    hm = _HEDGE_RE.search(item)
    if hm and (hm.start() > 0 or _LEADING_HEDGE_RE.match(item)):
        notes.append(item)
        item = item[:hm.start()].strip() if hm.start() > 0 else ""
        item = _TRAILING_PUNCT_RE.sub("", item)
        if not item:
            return ""
    if item.casefold() in _PAIR_TAGS or item.casefold() in _NO_PAIRING:
        return item
    pm = _CHAR_PHRASE_RE.match(item)
    if pm and item[pm.end():].strip():
        notes.append(item)
        item = item[pm.end():].strip()
    qm = _QUALIFIER_RE.match(item)
    if qm:
        qual = qm.group(0).strip()
        if _PRESLASH_RE.fullmatch(qual):
            tags.append("Pre-Slash")
        notes.append(f"{qual} {item[qm.end():]}".strip())
        item = item[qm.end():].strip()
    xm = _HYPHEN_QUALIFIER_RE.match(item)
    if xm:
        qual = xm.group("qual").casefold()
        notes.append(item)
        if qual in _HYPHEN_QUALIFIER_TAGS and ("/" in item or "&" in item):
            tags.append(_HYPHEN_QUALIFIER_TAGS[qual])
        item = item[xm.end():].strip()
    item = _ISH_RE.sub("", item).strip()
    return item


_TRAILING_PUNCT_RE = re.compile(r"[\s,;:-]+$")
_PRESLASH_RE = re.compile(r"pre-?slash", re.I)
_ISH_RE = re.compile(r"[\s-]+ish$", re.I)
_PAREN_RE = re.compile(r"\(([^()]*)\)")
_PAIRING_SEP_RE = re.compile(r"\s*(?:[,;\n]|\band\b|\bwith\b|\bplus\b|\bwhile\b|\+)\s*", re.I)
_CENTRIC_RE = re.compile(r"(.+?)[\s-]+centric", re.I)
_X_RE = re.compile(r"\s[xX]\s")
_SLASH_RE = re.compile(r"\s*/\s*")
_X_PAIR_RE = re.compile(r"\s+[xX]\s+")
_AMP_RE = re.compile(r"\s*&\s*")


_NO_PAIRING = {"gen", "none", "n/a", "na", "no pairing", "no pairings", "nada", "none really", "no ship",
               "nope", "not really", "no romance"}
_PAIR_TAGS = {"ensemble": "Ensemble", "pre-slash": "Pre-Slash", "preslash": "Pre-Slash", "team": "Team",
              "gen": "Gen", "friendship": "Friendship"}


def wrangle_pairings(value: str) -> tuple[list[tuple[str, str]], list[str], list[str], list[str]]:
    """Split a pairing line: (relationships as (written, kind)), characters, additional tags, notes.

    Splits on ``,`` ``;`` `` and `` `` with ``, never on ``/`` or ``&``; qualifiers ("implied", parentheses)
    are moved aside as notes.
    """
    notes: list[str] = []

    def _paren(m: re.Match[str]) -> str:
        note = m.group(1).strip()
        notes.append(note)
        if note.casefold() in _PAIR_TAGS:
            tags.append(_PAIR_TAGS[note.casefold()])
        return " "

    rels: list[tuple[str, str]] = []
    chars: list[str] = []
    tags: list[str] = []
    text = _PAREN_RE.sub(_paren, value)
    for raw_item in _PAIRING_SEP_RE.split(text):
        item = _clean_value(raw_item)
        if not item:
            continue
        item = _unqualify(item, notes, tags)
        if not item:
            continue
        low = item.casefold()
        if low in _NO_PAIRING:
            if low == "gen":
                tags.append("Gen")
            continue
        if low in _PAIR_TAGS:
            tags.append(_PAIR_TAGS[low])
            continue
        cm = _CENTRIC_RE.fullmatch(item)
        if cm:
            chars.append(cm.group(1).strip())
            tags.append(f"{cm.group(1).strip()}-centric")
            continue
        if "/" in item or "&" in item or _X_RE.search(item):
            kind = "&" if "&" in item and "/" not in item else "/"
            item = _SLASH_RE.sub("/", item)
            item = _X_PAIR_RE.sub("/", item)
            item = _AMP_RE.sub(" & ", item)
            rels.append((item, kind))
        else:
            chars.append(item)
    return rels, chars, tags, notes


_TRAILING_PAREN_RE = re.compile(r"\s*\([^)]*\)\s*$")


def _surname(name: str) -> str:
    base = _TRAILING_PAREN_RE.sub("", name).strip()
    base = base.split("|")[0].strip()
    parts = base.split()
    return (parts[-1] if parts else name).casefold()


# ----------------------------------------------------------------------------- the work
_BY_USER_RE = re.compile(r"^(?:by|lj user|user)\s+", re.I)
_FANDOM_PAIRING_SEP_RE = re.compile(r"\s*(?:[,;:]|\s[-\u2013\u2014]\s)\s*")
_ANY_PAREN_RE = re.compile(r"\([^)]*\)")
_SLASH_OR_AMP_RE = re.compile(r"/|&")
_PARTNER_SEP_RE = re.compile(r"\s*/\s*|\s*&\s*")
_CROSSOVER_NOTE_RE = re.compile(r"\(\s*(?:crossover|fusion|x-?over|au)\s*\)", re.I)
_FANDOM_SEP_RE = re.compile(r"\s*(?:[,;\n]|\band\b|/|&|\+|\s[xX]\s|\bcrossover\b|\bfusion\b)\s*", re.I)


class _Builder:
    def __init__(self, pw: ParsedWork, tax: Taxonomy) -> None:
        self.pw = pw
        self.tax = tax
        self.work = Work()
        self._title_part = ""  # the title as written when it carried a part number ("Title (2/4)")
        self._pair_tags: list[str] = []  # additional tags found in pairing lines ("Pre-Slash")
        self._label_series: list[str] = []  # "Series:" values that name a series, not a fandom
        self._people_notes: list[str] = []  # qualifiers moved off pairings and characters
        self._subject_tags: list[str] = []  # the subject line's bracketed words that are tags or categories

    def build(self) -> Work:
        pw, w = self.pw, self.work
        w.warnings.extend(pw.warnings)
        w.header = "\n".join(f"{f.label}: {f.value}" for f in pw.fields)
        self._title()
        self._creators()
        self._fandoms_and_people()
        self._rating_warnings_tags()
        w.summary = "\n".join(pw.values("summary")) or None
        notes = [strip_note_label(n) for n in [*pw.values("notes"), *pw.notes]]
        w.notes = "\n\n".join(n for n in notes if n) or None
        w.end_notes = "\n\n".join(n for n in map(strip_note_label, pw.end_notes) if n) or None
        lang = pw.first("language")
        if lang:
            w.language = _clean_value(lang)
        words = pw.first("words")
        w.stated_word_count = parse_word_count(words) if words else None
        date = pw.first("date")
        w.published = (parse_date(date) if date else None) or pw.byline_date
        self._challenge()
        self._series()
        self._chapters()
        self._extra()
        if not pw.fields and pw.subject is None and pw.heading_title is None:
            w.warnings.append("no header found: the whole post is the story")
        return w

    # -- title and creators
    def _title(self) -> None:
        pw, w = self.pw, self.work
        title = pw.first("title") or (pw.subject.title if pw.subject else None) or pw.heading_title
        if title:
            title = _clean_value(title.replace("\n", " "))
            pm = find_part(title)
            if pm is not None and pm.start > 0:
                self._title_part = title
                title = title[:pm.start].rstrip(" ,:-([\u2013\u2014")
        w.title = (title or UNTITLED)[:255] or UNTITLED

    def _creators(self) -> None:
        pw = self.pw
        names: list[str] = []
        for v in pw.values("author"):
            names.extend(_split_list(v, amp=True))
        if pw.subject and pw.subject.author:
            names.append(pw.subject.author)
        if pw.byline_creator:
            names.append(pw.byline_creator)
        if not names and pw.mail_from:
            names.append(pw.mail_from)
        cleaned = [_BY_USER_RE.sub("", n).strip("@ ") for n in names]
        self.work.creators = _dedupe(cleaned)

    # -- fandoms, relationships, characters
    def _fandoms_and_people(self) -> None:
        pw, w, tax = self.pw, self.work, self.tax
        fandom_values = self._fandom_label_values()
        pairing_values = list(pw.values("pairing"))
        char_values = list(pw.values("characters"))
        for v in pw.values("fandom_pairing"):
            parts = _FANDOM_PAIRING_SEP_RE.split(v, maxsplit=1)
            fandom_values.append(parts[0])
            if len(parts) > 1:
                pairing_values.append(parts[1])
        for v in pw.values("characters_pairings"):
            pairing_values.append(v)
        if pw.subject and pw.subject.fandom and not fandom_values:  # a stated Fandom: wins over "X fic:"
            sf = pw.subject.fandom
            if not self._fandom_items(sf, known_only=True) and self._fandom_items(strip_descriptors(sf),
                                                                                 known_only=True):
                sf = strip_descriptors(sf)  # "New SGA fic:"
            fandom_values.append(sf)
        if pw.subject and pw.subject.pairing and not pairing_values:
            pairing_values.append(pw.subject.pairing)

        fandoms: list[str] = []
        for v in fandom_values:
            fandoms.extend(self._fandom_items(v))
        fandoms = _dedupe(fandoms)

        rels_written: list[tuple[str, str]] = []
        written_chars: list[str] = []
        tags: list[str] = []
        for v in pairing_values:
            r, c, t, notes = wrangle_pairings(v)
            rels_written.extend(r)
            written_chars.extend(c)
            tags.extend(t)
            self._people_notes.extend(n for n in notes if self._one_fandom(n) is None)  # "(Good Omens)" is no note
        for v in char_values:
            for item in _split_list(_ANY_PAREN_RE.sub(" ", v), amp=True):
                item = _unqualify(item, self._people_notes, tags)
                if not item:
                    continue
                if "/" in item:
                    rels_written.append((_SLASH_RE.sub("/", item), "/"))
                else:
                    written_chars.append(item)

        names_in_rels = [n.strip() for raw, _k in rels_written for n in _SLASH_OR_AMP_RE.split(raw) if n.strip()]
        if not fandoms:
            fandoms = self._infer_fandoms([_first_if_initial(n) for n in [*written_chars, *names_in_rels]])
        w.fandoms = fandoms or [NO_FANDOM]
        scope = [f for f in fandoms if f != NO_FANDOM]
        written_chars.extend(self._sort_subject_tags(scope))

        def resolve(name: str) -> str:
            name = _clean_value(name)
            found = tax.character(name, scope)
            im = _INITIAL_RE.fullmatch(name) if found is None and scope else None
            if im:  # "Hermione G." as FanFiction.net writes names: the first name, if the surname fits
                cand = tax.character(im.group("first"), scope)
                if cand and _surname(cand)[:1] == im.group("initial").casefold():
                    found = cand
            return found or name

        relationships: list[str] = []
        rel_chars: list[str] = []
        for raw, kind in rels_written:
            people = [resolve(n) for n in _PARTNER_SEP_RE.split(raw) if n.strip()]
            rel_chars.extend(people)
            canonical = tax.relationship(people, kind) if len(people) > 1 else None
            if canonical is None:
                ordered = sorted(people, key=_surname)
                canonical = (" & " if kind == "&" else "/").join(ordered)
            relationships.append(canonical)
        w.relationships_raw = _dedupe(raw for raw, _k in rels_written)
        w.relationships = _dedupe(relationships)
        w.characters = _dedupe([*(resolve(c) for c in written_chars), *rel_chars])
        self._pair_tags = tags

    def _sort_subject_tags(self, scope: list[str]) -> list[str]:
        """Bracketed words in the subject line ("[Zelenka, gen]", "[Sherlock]"): categories and tags stay for
        the tag pass (``self._subject_tags``), a fandom already named is dropped, characters are returned."""
        chars: list[str] = []
        for t in (self.pw.subject.tags or []) if self.pw.subject else []:
            low = t.casefold()
            if low in CATEGORY_WORDS or low in {"het", "slash", "femslash", "gen"}:
                self._subject_tags.append(t)
                continue
            fandom = self._one_fandom(t)
            if fandom is not None and fandom in scope:
                continue
            if scope and fandom is None and self.tax.character(t, scope):
                chars.append(t)
                continue
            self._subject_tags.append(t)
        return chars

    def _fandom_label_values(self) -> list[str]:
        """Values of fandom labels. ``Series:`` is both a fandom label ("Series: Buffy") and a series one
        ("Series: Harbour Lights, part 2"): with a part number, or naming no known fandom while another
        label names the fandom, it is the series (kept in ``self._label_series``)."""
        fandom_fields = [f for f in self.pw.fields if f.key == "fandom" and f.value]
        others = any(norm_label(f.label) != "series" for f in fandom_fields) or bool(
            self.pw.values("fandom_pairing"))
        out: list[str] = []
        for f in fandom_fields:
            if norm_label(f.label) == "series" and (
                find_part(f.value) is not None
                or re.search(r"\bseries\b", f.value, re.I)
                or (others and not self._fandom_items(f.value, known_only=True))
            ):
                self._label_series.append(f.value)
                continue
            out.append(f.value)
        return out

    def _fandom_items(self, value: str, *, known_only: bool = False) -> list[str]:
        value = _clean_value(_CROSSOVER_NOTE_RE.sub(" ", value))
        pieces = [_clean_value(item).strip("()[]{} ") for item in _FANDOM_SEP_RE.split(value)]
        pieces = [p for p in pieces if p and p.casefold() not in {"crossover", "fusion", "x-over", "xover"}]
        split = [self._one_fandom(p) for p in pieces]
        # a crossover written as one value: every piece a known fandom wins over an alias of the whole
        if len(pieces) > 1 and all(split):
            return _dedupe(f for f in split if f)
        whole = self._one_fandom(value)
        if whole:
            return [whole]
        if known_only:
            return [f for f in split if f]
        return [f or p for f, p in zip(split, pieces, strict=True)]

    def _one_fandom(self, name: str) -> str | None:
        found = self.tax.fandom(name)
        if found is None and _ORIGINAL_RE.fullmatch(name.strip()):
            found = ORIGINAL_WORK
        return found

    def _infer_fandoms(self, names: Sequence[str]) -> list[str]:
        pw, tax = self.pw, self.tax
        sources: list[tuple[str, str]] = []
        for v in pw.values("disclaimer"):
            sources.append(("the disclaimer", v))
        if pw.subject and pw.subject.tags:
            sources.append(("the subject line", " ".join(pw.subject.tags)))
        for label, text in sources:
            found = tax.find_fandoms_in(text)
            if found:
                self.work.warnings.append(f"fandom inferred from {label}: {', '.join(found)}")
                return found
        if names:
            found = tax.infer_fandoms_from_characters(names)
            if found:
                self.work.warnings.append(f"fandom inferred from the characters: {', '.join(found)}")
                return found
        texts = [*pw.values("notes"), *pw.notes, *pw.values("summary"), *pw.values("tags")]
        if pw.byline_community:
            texts.append(pw.byline_community)
        for text in texts:
            found = tax.find_fandoms_in(text)
            if found:
                self.work.warnings.append(f"fandom inferred from the notes: {', '.join(found)}")
                return found
        return []

    # -- rating, warnings, categories, tags
    def _rating_warnings_tags(self) -> None:
        pw, w = self.pw, self.work
        rating_raw = pw.first("rating") or (pw.subject.rating if pw.subject else None)
        w.rating_raw = _clean_value(rating_raw) if rating_raw else None
        w.rating = map_rating(rating_raw)
        warn_values = pw.values("warnings")
        warnings, warn_tags = map_warnings(" ; ".join(warn_values) if warn_values else None)
        w.archive_warnings = warnings
        categories: list[str] = []
        tags: list[str] = []
        for v in pw.values("genre"):
            cats, rest = map_genre(v)
            categories.extend(cats)
            tags.extend(rest)
        for v in pw.values("tags"):
            for item in _split_list(v):
                cats, rest = map_genre(item) if item.casefold() in {"slash", "het", "femslash", "gen"} else ([], [item])
                categories.extend(cats)
                tags.extend(rest)
        if self._subject_tags:
            for t in self._subject_tags:
                cats, rest = map_genre(t)
                categories.extend(cats)
                tags.extend(rest)
        tags.extend(self._pair_tags)
        tags.extend(warn_tags)
        w.categories = _dedupe(categories)
        w.additional_tags = _dedupe(self._freeform(t) for t in tags if t.casefold() not in {"gen"})

    def _freeform(self, tag: str) -> str:
        tag = _clean_value(tag)
        found = self.tax.freeform(tag)
        if found is None:
            bare = unhedge(tag)
            found = self.tax.freeform(bare) if bare != tag else None
        return found or tag

    # -- challenge and series
    def _challenge(self) -> None:
        pw = self.pw
        found: Challenge | None = None
        candidates: list[tuple[str, bool]] = [(v, True) for v in pw.values("prompt")]
        candidates += [(v, False) for v in [*pw.values("recipient"), *pw.values("notes"), *pw.notes,
                                             *pw.values("summary")]]
        candidates += [(f.value, False) for f in pw.fields if f.key is None]
        for text, labelled in candidates:
            ch = find_challenge(text, labelled=labelled, links=pw.links)
            if ch is None:
                continue
            if found is None:
                found = ch
            else:
                found.prompt = found.prompt or ch.prompt
                found.number = found.number or ch.number
                found.community = found.community or ch.community
        if found is not None and found.community is None:
            found.community = pw.byline_community or self._community_from_links()
        self.work.challenge = found

    def _recipients(self) -> list[str]:
        """People the work is a gift for: ``Recipient:``/``Gift for:`` labels and "a gift for NAME" phrases."""
        names: list[str] = []
        for v in self.pw.values("recipient"):
            m = re.match(r"\s*(?:lj user\s+|user\s+|@)?([\w.\-]+)", v)
            if m:
                names.append(m.group(1))
        for v in [*self.pw.values("prompt"), *self.pw.values("dedication"), *self.pw.values("notes"), *self.pw.notes]:
            rec = find_recipient(v)
            if rec:
                names.append(rec[0])
        return _dedupe(names)

    def _community_from_links(self) -> str | None:
        """The one community linked in the post (an ``lj:user`` or journal link that is not a creator)."""
        creators = {c.casefold() for c in [*self.work.creators, *self._recipients()]}
        names = _dedupe(n for n in self.pw.links if n.casefold() not in creators)
        return names[0] if len(names) == 1 else None

    def _series(self) -> None:
        pw, w = self.pw, self.work
        series_title = pw.first("series") or (self._label_series[0] if self._label_series else None)
        if series_title:
            spm = find_part(series_title)
            bare = _clean_value(series_title[:spm.start]) if spm is not None and spm.start > 0 else ""
            series_title = bare or series_title
        texts = [*pw.values("part"), self._title_part,
                 pw.subject.part_text if pw.subject and pw.subject.part_text else ""]
        for text in texts:
            if not text:
                continue
            pm = find_part(text) or find_part(f"part {text}")
            if pm is None:
                continue
            if pm.part == 1 and pm.of == 1:
                return
            w.series_part = SeriesPart(title=_clean_value(series_title) if series_title else w.title,
                                       part=pm.part, of=pm.of)
            return
        written = pw.first("series") or (self._label_series[0] if self._label_series else None)
        if written:
            pm = find_part(written)
            if pm is not None and not (pm.part == 1 and pm.of == 1):
                w.series_part = SeriesPart(title=_clean_value(written[:pm.start]) or w.title,
                                           part=pm.part, of=pm.of)
            elif pm is None and series_title:  # a named series, no part number given
                w.series_part = SeriesPart(title=_clean_value(series_title), part=None, of=None)

    # -- body
    def _chapters(self) -> None:
        pw, w = self.pw, self.work
        total = 0
        for title, paras in pw.chapters:
            texts: list[str] = []
            htmls: list[str] = []
            for p in paras:
                t, h = _render_paragraph(p, pw.is_html)
                texts.append(t)
                htmls.append(h)
            text = "\n\n".join(texts)
            total += count_words(text)
            w.chapters.append(Chapter(title=title, text=text, html="\n".join(htmls)))
        w.word_count = total

    def _extra(self) -> None:
        pw, w = self.pw, self.work
        for f in pw.fields:
            if (f.key is None or f.key in _EXTRA_KEYS) and f.value:
                label = f.label
                w.extra[label] = f"{w.extra[label]}\n{f.value}" if label in w.extra else f.value
        if pw.byline_community:
            w.extra.setdefault("Community", pw.byline_community)
        recipients = self._recipients()
        if recipients and not pw.values("recipient"):
            w.extra.setdefault("Recipient", ", ".join(recipients))
        if self._people_notes:
            w.extra.setdefault("Pairing notes", "; ".join(_dedupe(self._people_notes)))
        for k, v in pw.footer_extra.items():
            w.extra.setdefault(k, v)


def _looks_wrapped(p: list[Line]) -> bool:
    return len(p) > 1 and all(45 <= len(ln.text) <= 100 for ln in p[:-1])


def _render_paragraph(p: list[Line], is_html: bool) -> tuple[str, str]:
    if len(p) == 1 and p[0].rule:
        return p[0].text, "<hr />"
    joiner_t, joiner_h = ("\n", "<br />\n")
    if not is_html and _looks_wrapped(p):
        joiner_t, joiner_h = " ", " "
    text = joiner_t.join(ln.text for ln in p)
    inner = joiner_h.join(ln.html if ln.html else html.escape(ln.text, quote=False) for ln in p)
    return text, f"<p>{inner}</p>"


def wrangle(pw: ParsedWork, taxonomy: Taxonomy) -> Work:
    """One parsed work → one :class:`Work` with canonical tags."""
    return _Builder(pw, taxonomy).build()
