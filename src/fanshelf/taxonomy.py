"""The shipped AO3-style tag taxonomy: fandoms, characters, relationships and freeform tags.

The data file ``data/taxonomy.json.gz`` is built by ``scripts/build_taxonomy.py`` from third-party
tables (see ``data/TAXONOMY-SOURCES.txt``) plus a small curated supplement. Loading it is cheap:
the big alias tables are kept as tab-joined strings and only turned into dictionaries the first
time a method needs them.

Layout of the JSON object (all keys optional except ``fandoms``; see ``from_data``)::

    fandoms      [canonical fandom name, ...]                   (index = fandom id)
    fandom_counts[int, ...]                                      usage counts, parallel to fandoms
    fandom_keys  "key\\tkey..."  fandom_ids [id, ...]             loose-normalised alias -> fandom id
    fandom_meta  [child, meta, child, meta, ...]                 direct metatag edges
    common       [fandom id, ...]                                 names made of common English words
    abbrevs      {"TW": id, ...}                                  curated abbreviations (case-sensitive)
    text_names   "Name\\tName..." text_ids [id, ...]               names searched for in free text
    chars        [canonical character name, ...]                  (index = character id)
    char_keys    "key\\tkey..."  char_ids [id, ...]               normalised canonical/alias -> char id
    char_short   "key\\tkey..."  char_short_ids [id, ...]         curated short names / nicknames
    char_fandoms [char, fandom, count, ...]                       membership with usage counts
    rels         "A/B\\tA & B..."  rel_counts [int, ...]          canonical relationship tags
    freeforms    "Tag\\tTag..."  ff_keys "key\\t..."  ff_ids [id]   freeform alias -> canonical
"""

from __future__ import annotations

import functools
import gzip
import importlib.resources
import json
import os
import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

__all__ = ["Taxonomy", "default_taxonomy", "loose", "normalize"]

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
    }
)
_WS = re.compile(r"\s+")
_MEMO_MAX = 200_000  # answers a Taxonomy remembers per lookup kind before it starts over
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
_STRIP = " \t\r\n\"'.,;:!?*_~-=+#|/\\<>\u00a0\u2192"
_NON_WORD = re.compile(r"[\W_]+")
_PAREN_SUFFIX = re.compile(r"\s*\(([^()]*)\)\s*$")
_TOKEN = re.compile(r"[^\W_](?:[\w'\-]*[^\W_])?")
_FANDOM_NOISE = re.compile(r"^(?:fandom\s*:\s*)|(?:\s*-\s*fandom|\s+fandom)$", re.IGNORECASE)
_DISCLAIMER_CUES = re.compile(
    r"\b(?:own|owns|owned|belong|belongs|property|disclaimer|copyright|rights|fandom|fandoms|"
    r"characters|crossover|fic|fanfic|fanfiction|borrow|borrowing|playing|sandbox|sandpit)\b|\u00a9|\(c\)",
    re.IGNORECASE,
)
_SKIP_TOKENS = frozenset(
    {
        "the",
        "of",
        "and",
        "a",
        "an",
        "no",
        "de",
        "da",
        "di",
        "du",
        "van",
        "von",
        "der",
        "la",
        "le",
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "sir",
        "st",
        "jr",
        "sr",
        "ii",
        "iii",
    }
)


def _remembered(memo: dict[K, V], key: K, compute: Callable[[], V]) -> V:
    """``memo[key]``, computed once (a memo that outgrows ``_MEMO_MAX`` starts over)."""
    if key in memo:
        return memo[key]
    if len(memo) >= _MEMO_MAX:
        memo.clear()
    memo[key] = value = compute()
    return value


@functools.lru_cache(maxsize=1 << 16)
def normalize(name: str) -> str:
    """Lookup key: NFKC, straight quotes, casefold, collapsed whitespace, no surrounding punctuation."""
    s = unicodedata.normalize("NFKC", name).translate(_QUOTES).casefold()
    return _WS.sub(" ", s).strip(_STRIP)


@functools.lru_cache(maxsize=1 << 16)
def loose(name: str) -> str:
    """A looser key (used for fandoms): ``normalize`` with every run of punctuation turned into a space."""
    return _NON_WORD.sub(" ", normalize(name)).strip()


def strip_suffix(name: str) -> str:
    """``Rhys Williams (Torchwood)`` -> ``Rhys Williams``."""
    return _PAREN_SUFFIX.sub("", name).strip() or name


def short_names(canonical: str) -> set[str]:
    """Normalised keys a character is commonly called by: full name, name without suffix, its words."""
    base = strip_suffix(canonical)
    keys = {normalize(canonical), normalize(base)}
    for tok in _TOKEN.findall(unicodedata.normalize("NFKC", base).translate(_QUOTES)):
        t = normalize(tok)
        if len(t) >= 2 and t not in _SKIP_TOKENS:
            keys.add(t)
    keys.discard("")
    return keys


def split_relationship(tag: str) -> tuple[str, list[str]]:
    """``A/B`` -> ("/", [A, B]); ``A & B`` -> ("&", [A, B]); anything else -> ("", [tag])."""
    if "/" in tag:
        return "/", [p.strip() for p in tag.split("/") if p.strip()]
    if " & " in tag:
        return "&", [p.strip() for p in tag.split(" & ") if p.strip()]
    return "", [tag]


def _rel_key(kind: str, members: Iterable[str]) -> tuple[str, frozenset[str]]:
    return kind, frozenset(normalize(strip_suffix(m)) for m in members)


def _split(blob: Any) -> list[str]:
    if isinstance(blob, str):
        return blob.split("\t") if blob else []
    if isinstance(blob, list):
        return [str(x) for x in blob]
    return []


def _ints(blob: Any) -> list[int]:
    """Int lists are stored as JSON lists or, for the big ones, comma-joined strings (parsed lazily)."""
    if isinstance(blob, str):
        return [int(x) for x in blob.split(",")] if blob else []
    return [int(x) for x in blob] if isinstance(blob, list) else []


class Taxonomy:
    """Canonical-tag lookups. Build with ``Taxonomy.load()`` or ``Taxonomy.from_data({...})``."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data
        self.fandoms: list[str] = _split(data.get("fandoms"))
        counts = _ints(data.get("fandom_counts"))
        self._fandom_counts = counts if len(counts) == len(self.fandoms) else [0] * len(self.fandoms)
        self._fandom_id = {name: i for i, name in enumerate(self.fandoms)}
        self.characters: list[str] = _split(data.get("chars"))
        self._char_id = {name: i for i, name in enumerate(self.characters)}
        abbrevs = data.get("abbrevs") or {}
        self._abbrevs: dict[str, int] = {str(k): int(v) for k, v in abbrevs.items()}
        # lazily built
        self._fandom_keys: dict[str, int] | None = None
        self._meta: dict[int, list[int]] | None = None
        self._text_index: dict[str, list[tuple[int, dict[tuple[str, ...], list[tuple[int, bool]]]]]] | None = None
        self._char_keys: dict[str, list[int]] | None = None
        self._char_fandoms: dict[int, dict[int, int]] | None = None
        self._fandom_chars: dict[int, dict[int, int]] | None = None
        self._short_index: dict[int, dict[str, list[int]]] = {}
        self._char_short: dict[int, set[str]] | None = None
        self._char_aliases: dict[int, set[str]] | None = None
        self._rels: dict[tuple[str, frozenset[str]], str] | None = None
        self._freeforms: dict[str, str] | None = None
        self._short_fandoms: dict[str, list[int]] | None = None
        # answers already given (a taxonomy never changes once built; written values repeat a lot)
        self._memo_fandom: dict[str, str | None] = {}
        self._memo_character: dict[tuple[str, tuple[str, ...]], str | None] = {}

    # ------------------------------------------------------------------ construction
    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> Taxonomy:
        """Load a taxonomy file (gzip'd JSON); without a path, the shipped one (cached)."""
        if path is None:
            return default_taxonomy()
        with open(path, "rb") as fh:
            raw = fh.read()
        return cls._from_bytes(raw)

    @classmethod
    def _from_bytes(cls, raw: bytes) -> Taxonomy:
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise ValueError("taxonomy file must hold a JSON object")
        return cls(data)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Taxonomy:
        """Build from a mapping. Besides the packed layout (module docstring) a friendly form is accepted::

        {"fandoms": {"Torchwood": {"aliases": ["TW"], "abbreviations": ["TW"],
                                   "metatags": ["Doctor Who"], "count": 10}},
         "characters": {"Jack Harkness": {"aliases": ["Captain Jack"], "short": ["Jack"],
                                          "fandoms": {"Torchwood": 50}}},
         "relationships": ["Jack Harkness/Ianto Jones"],
         "freeforms": {"Angst": ["angsty"]}}
        """
        if isinstance(data.get("fandoms"), Mapping) or "characters" in data or "relationships" in data:
            return cls(pack_friendly(data))
        return cls(data)

    # ------------------------------------------------------------------ fandoms
    def _fkeys(self) -> dict[str, int]:
        if self._fandom_keys is None:
            keys = _split(self._data.get("fandom_keys"))
            ids = _ints(self._data.get("fandom_ids"))
            table = dict(zip(keys, ids, strict=False))
            if not self._data.get("full_keys"):  # the shipped file already lists every canonical's key
                for i, name in enumerate(self.fandoms):
                    table.setdefault(loose(name), i)
            for abbr, i in self._abbrevs.items():
                table[loose(abbr)] = i
            self._fandom_keys = table
        return self._fandom_keys

    def fandom(self, name: str) -> str | None:
        """Written fandom name, alias or abbreviation -> canonical fandom (case/space/punctuation-insensitive)."""
        return _remembered(self._memo_fandom, name, lambda: self._fandom(name))

    def _fandom(self, name: str) -> str | None:
        table = self._fkeys()
        candidates = [name]
        cleaned = _FANDOM_NOISE.sub("", name.strip()).strip()
        candidates.append(cleaned)
        m = _PAREN_SUFFIX.search(cleaned)
        if m:
            candidates.append(cleaned[: m.start()])
        for cand in candidates:
            key = loose(cand)
            if key and key in table:
                return self.fandoms[table[key]]
        return None

    def _metas(self) -> dict[int, list[int]]:
        if self._meta is None:
            flat = _ints(self._data.get("fandom_meta"))
            meta: dict[int, list[int]] = {}
            for i in range(0, len(flat) - 1, 2):
                meta.setdefault(flat[i], []).append(flat[i + 1])
            self._meta = meta
        return self._meta

    def fandom_metatags(self, canonical: str) -> list[str]:
        """Transitive metatags of a canonical fandom, nearest first (``Torchwood`` -> ``[Doctor Who]``)."""
        fid = self._fandom_id.get(canonical)
        if fid is None:
            return []
        meta = self._metas()
        out: list[int] = []
        seen = {fid}
        frontier = [fid]
        while frontier:
            nxt: list[int] = []
            for f in frontier:
                for m in meta.get(f, ()):
                    if m not in seen:
                        seen.add(m)
                        out.append(m)
                        nxt.append(m)
            frontier = nxt
        return [self.fandoms[i] for i in out]

    def _text(self) -> dict[str, list[tuple[int, dict[tuple[str, ...], list[tuple[int, bool]]]]]]:
        """first word -> [(length in words, {words: [(fandom id, made of common words)]})], longest first."""
        if self._text_index is None:
            common = set(_ints(self._data.get("common")))
            names = _split(self._data.get("text_names"))
            ids = _ints(self._data.get("text_ids"))
            pairs: list[tuple[str, int]] = list(zip(names, ids, strict=False))
            if "text_names" not in self._data:
                pairs = [(n, i) for i, n in enumerate(self.fandoms)]
            by_first: dict[str, dict[int, dict[tuple[str, ...], list[tuple[int, bool]]]]] = {}
            for name, fid in pairs:
                toks = tuple(_words_cf(name))
                if not toks or len(loose(name).replace(" ", "")) < 5:
                    continue
                by_len = by_first.setdefault(toks[0], {})
                by_len.setdefault(len(toks), {}).setdefault(toks, []).append(
                    (fid, fid in common or _all_common(toks)))
            self._text_index = {first: sorted(by_len.items(), key=lambda e: -e[0])
                                for first, by_len in by_first.items()}
        return self._text_index

    def find_fandoms_in(self, text: str) -> list[str]:
        """Canonical fandoms named in free text (a disclaimer, a note), in order of appearance.

        Whole-word matches of canonical names (and curated long aliases) of at least 5 characters,
        case-insensitively; at each position the longest name wins. Names made only of common English
        words ("Love", "Doctor Who", "Supernatural") must be quoted or written exactly in their
        capitalisation, not starting a sentence, in a text that reads like a disclaimer. Curated
        abbreviations ("TW", "SPN") match only as whole words written exactly (capitals).
        """
        if not text:
            return []
        norm = unicodedata.normalize("NFKC", text).translate(_QUOTES)
        words = [(m.group(), m.start(), m.end()) for m in re.finditer(r"[^\W_]+", norm)]
        folded = [w.casefold() for w, _, _ in words]
        index = self._text()
        cue = _DISCLAIMER_CUES.search(norm) is not None
        found: list[int] = []
        i = 0
        while i < len(words):
            matched = 0
            abbr = self._abbrevs.get(words[i][0])
            if abbr is not None and _abbr_ok(norm, words[i][1], words[i][2]):
                found.append(abbr)
                matched = 1
            hit = False
            for n, table in index.get(folded[i], ()):
                if i + n > len(words):
                    continue
                for fid, is_common in table.get(tuple(folded[i : i + n]), ()):
                    start, end = words[i][1], words[i + n - 1][2]
                    if is_common and not _common_ok(norm, start, end, self.fandoms[fid], cue):
                        continue
                    found.append(fid)
                    matched = max(matched, n)
                    hit = True
                    break
                if hit:
                    break
            i += matched or 1
        out: list[str] = []
        for fid in found:
            name = self.fandoms[fid]
            if name not in out:
                out.append(name)
        return out

    # ------------------------------------------------------------------ characters
    def _ckeys(self) -> dict[str, list[int]]:
        if self._char_keys is None:
            table: dict[str, list[int]] = {}
            if not self._data.get("full_keys"):
                for i, name in enumerate(self.characters):
                    table.setdefault(normalize(name), []).append(i)
            keys = _split(self._data.get("char_keys"))
            ids = _ints(self._data.get("char_ids"))
            for key, cid in zip(keys, ids, strict=False):
                lst = table.get(key)
                if lst is None:
                    table[key] = [cid]
                elif cid not in lst:
                    lst.append(cid)
            self._char_keys = table
        return self._char_keys

    def _memberships(self) -> tuple[dict[int, dict[int, int]], dict[int, dict[int, int]]]:
        if self._char_fandoms is None or self._fandom_chars is None:
            flat = _ints(self._data.get("char_fandoms"))
            by_char: dict[int, dict[int, int]] = {}
            by_fandom: dict[int, dict[int, int]] = {}
            for i in range(0, len(flat) - 2, 3):
                c, f, n = flat[i], flat[i + 1], flat[i + 2]
                by_char.setdefault(c, {})[f] = by_char.get(c, {}).get(f, 0) + n
                by_fandom.setdefault(f, {})[c] = by_fandom.get(f, {}).get(c, 0) + n
            self._char_fandoms, self._fandom_chars = by_char, by_fandom
        return self._char_fandoms, self._fandom_chars

    def _extra_keys(self) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
        if self._char_short is None or self._char_aliases is None:
            short: dict[int, set[str]] = {}
            for key, cid in zip(
                _split(self._data.get("char_short")), _ints(self._data.get("char_short_ids")), strict=False
            ):
                short.setdefault(cid, set()).add(key)
            aliases: dict[int, set[str]] = {}
            for key, cids in self._ckeys().items():
                for cid in cids:
                    aliases.setdefault(cid, set()).add(key)
            self._char_short, self._char_aliases = short, aliases
        return self._char_short, self._char_aliases

    def _fandom_short_index(self, fid: int) -> dict[str, list[int]]:
        idx = self._short_index.get(fid)
        if idx is None:
            idx = {}
            members = self._memberships()[1].get(fid, {})
            short, aliases = self._extra_keys()
            for cid in members:
                keys = short_names(self.characters[cid]) | short.get(cid, set())
                for alias in aliases.get(cid, ()):
                    keys.add(alias)
                    keys.add(normalize(strip_suffix(alias)))
                for key in keys:
                    idx.setdefault(key, []).append(cid)
            self._short_index[fid] = idx
        return idx

    def _pick(self, cands: Iterable[int], fids: Sequence[int]) -> int | None:
        members = self._memberships()[1]
        score: dict[int, int] = {}
        for cid in cands:
            score[cid] = max(score.get(cid, 0), sum(members.get(f, {}).get(cid, 0) for f in fids))
        if not score:
            return None
        ranked = sorted(score.items(), key=lambda kv: -kv[1])
        if len(ranked) == 1:
            return ranked[0][0]
        (best, top), (_, second) = ranked[0], ranked[1]
        if top > 0 and top >= 3 * second:
            return best
        return None

    def _resolve_in(self, key: str, fids: Sequence[int]) -> int | None:
        members = self._memberships()[1]
        cands = {c for c in self._ckeys().get(key, ()) if any(c in members.get(f, {}) for f in fids)}
        for f in fids:
            cands.update(self._fandom_short_index(f).get(key, ()))
        if not cands and key.endswith(")"):
            base = normalize(strip_suffix(key))
            for f in fids:
                cands.update(self._fandom_short_index(f).get(base, ()))
        return self._pick(cands, fids) if cands else None

    def character(self, name: str, fandoms: Sequence[str] = ()) -> str | None:
        """Resolve a written character name within the given canonical fandoms (see module notes)."""
        scope = tuple(fandoms)
        return _remembered(self._memo_character, (name, scope), lambda: self._character(name, scope))

    def _character(self, name: str, fandoms: Sequence[str]) -> str | None:
        key = normalize(name)
        if not key:
            return None
        fids = [self._fandom_id[f] for f in fandoms if f in self._fandom_id]
        if fids:
            got = self._resolve_in(key, fids)
            if got is None:
                wider: list[int] = []
                for f in fandoms:
                    for m in self.fandom_metatags(f):
                        mid = self._fandom_id[m]
                        if mid not in fids and mid not in wider:
                            wider.append(mid)
                if wider:
                    got = self._resolve_in(key, wider)
            if got is not None:
                return self.characters[got]
        exact = self._ckeys().get(key, [])
        if len(exact) == 1 and (not fids or " " in key):
            return self.characters[exact[0]]
        return None

    def character_fandoms(self, canonical: str) -> list[str]:
        """Fandoms a canonical character belongs to, most likely (highest usage) first."""
        cid = self._char_id.get(canonical)
        if cid is None:
            return []
        fan = self._memberships()[0].get(cid, {})
        ranked = sorted(fan.items(), key=lambda kv: (-kv[1], -self._fandom_counts[kv[0]], kv[0]))
        return [self.fandoms[f] for f, _ in ranked]

    def infer_fandoms_from_characters(self, names: Sequence[str]) -> list[str]:
        """The one fandom in which most of these written names resolve; ``[]`` if none or no clear winner."""
        members = self._memberships()[1]
        keys = [normalize(n) for n in names if normalize(n)]
        if not keys:
            return []
        candidates: set[int] = set()
        for key in keys:
            for cid in self._ckeys().get(key, ()):
                candidates.update(self._memberships()[0].get(cid, {}))
            base = normalize(strip_suffix(key))
            for fid in self._fandoms_with_short(base):
                candidates.add(fid)
        scores: list[tuple[int, int, int]] = []
        for fid in candidates:
            hits = 0
            weight = 0
            for key in keys:
                got = self._resolve_in(key, [fid])
                if got is not None:
                    hits += 1
                    weight += members.get(fid, {}).get(got, 0)
            if hits:
                scores.append((hits, weight, fid))
        if not scores:
            return []
        scores.sort(key=lambda s: (-s[0], -s[1]))
        best = scores[0]
        if len(scores) > 1 and scores[1][0] == best[0] and best[1] < 1.5 * scores[1][1]:
            return []
        return [self.fandoms[best[2]]]

    def _fandoms_with_short(self, key: str) -> list[int]:
        """Fandoms having a member reachable by this short key (an index built once, lazily)."""
        if self._short_fandoms is None:
            built: dict[str, list[int]] = {}
            for fid in self._memberships()[1]:
                for k in self._fandom_short_index(fid):
                    built.setdefault(k, []).append(fid)
            self._short_fandoms = built
        return self._short_fandoms.get(key, [])

    # ------------------------------------------------------------------ relationships
    def _relmap(self) -> dict[tuple[str, frozenset[str]], str]:
        if self._rels is None:
            table: dict[tuple[str, frozenset[str]], str] = {}
            for rel in _split(self._data.get("rels")):  # most used first
                kind, members = split_relationship(rel)
                if kind and len(members) >= 2:
                    table.setdefault(_rel_key(kind, members), rel)
            self._rels = table
        return self._rels

    def relationship(self, characters: Sequence[str], kind: str = "/") -> str | None:
        """Known canonical relationship tag for these canonical characters (order-insensitive)."""
        kind = "&" if kind.strip() == "&" else "/"
        if len(characters) < 2:
            return None
        return self._relmap().get(_rel_key(kind, characters))

    # ------------------------------------------------------------------ freeforms
    def _ffmap(self) -> dict[str, str]:
        if self._freeforms is None:
            canon = _split(self._data.get("freeforms"))
            table: dict[str, str] = {}
            if not self._data.get("full_keys"):
                table = {normalize(c): c for c in canon}
            keys = _split(self._data.get("ff_keys"))
            ids = _ints(self._data.get("ff_ids"))
            for key, i in zip(keys, ids, strict=False):
                table.setdefault(key, canon[i])
            self._freeforms = table
        return self._freeforms

    def freeform(self, name: str) -> str | None:
        """Canonical additional tag for a freeform/genre word (``angst`` -> ``Angst``, ``AU`` -> ``Alternate Universe``)."""
        key = normalize(name)
        return self._ffmap().get(key) if key else None

    def warm(self) -> Taxonomy:
        """Build every lazily built table now (before forking parser processes, so they share them)."""
        self._fkeys()
        self._metas()
        self._text()
        self._ckeys()
        self._memberships()
        self._extra_keys()
        self._relmap()
        self._ffmap()
        self._fandoms_with_short("")
        return self

    def __repr__(self) -> str:
        return f"<Taxonomy {len(self.fandoms)} fandoms, {len(self.characters)} characters>"


# ---------------------------------------------------------------------- free-text helpers
# Very common English words: a fandom named only with these ("Love", "Home", "Doctor Who") is matched in
# free text only under the stricter rules of ``_common_ok``. The build adds a corpus-derived flag too.
_COMMON_TEXT = """a about after again all also always am an and any are as at away back be because been before
    being best big black blue boy boys but by call came can case child children city come could cross
    dark day days dead death dear doctor does dog done down dream each end even ever every eyes face
    fall family far father feel fire first for found free friend friends from game get girl girls give
    go going gold golden good great green had hand hands happy hard has have he head heart her here
    heroes him his home house how i if in into is it just keep kid kids king kiss know last life light
    like line little live long look lost love made make man many me men might mind more most mother much
    must my name never new next night no not nothing now of off old on once one only or other our out
    over own part people place play power queen real red right road room run said same say see she
    should show side sky so some something son soul star stars start still stop story sun take tell than
    that the their them then there these they thing things think this those through time to together
    too town true turn two under up upon us very walk want war was water way we well went were what
    when where which while white who why will wind with without woman women word words work world would
    year years yes yet you young your supernatural"""
_COMMON_WORDS: frozenset[str] = frozenset(_COMMON_TEXT.split())


def _words_cf(name: str) -> list[str]:
    return [
        w.casefold() for w in re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", name).translate(_QUOTES))
    ]


def _all_common(toks: tuple[str, ...]) -> bool:
    return all(t in _COMMON_WORDS for t in toks)


def _abbr_ok(text: str, start: int, end: int) -> bool:
    """An abbreviation must stand alone: not glued to letters/digits or inside a longer token."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or after.isalnum() or before in "-/" or after in "-/")


def _quoted(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 2) : start].strip()
    after = text[end : end + 2].strip()
    return bool(before) and bool(after) and before[-1] in "'\"*_<[" and after[0] in "'\"*_>]"


def _common_ok(text: str, start: int, end: int, canonical: str, cue: bool) -> bool:
    if _quoted(text, start, end):
        return True
    written = _words_cf(text[start:end])
    if [w for w in re.findall(r"[^\W_]+", text[start:end])] != re.findall(r"[^\W_]+", canonical)[
        : len(written)
    ]:
        return False  # not written in the canonical's own capitalisation
    if not cue:
        return False
    prefix = text[:start].rstrip()
    return bool(prefix) and prefix[-1] not in ".!?\n" and not text[:start].endswith("\n")


def pack_friendly(data: Mapping[str, Any]) -> dict[str, Any]:
    """Turn the friendly ``from_data`` form into the packed layout."""
    fandoms: list[str] = []
    fid: dict[str, int] = {}

    def f_id(name: str) -> int:
        if name not in fid:
            fid[name] = len(fandoms)
            fandoms.append(name)
        return fid[name]

    fdata = data.get("fandoms") or {}
    if not isinstance(fdata, Mapping):
        fdata = {str(n): {} for n in fdata}
    counts: dict[int, int] = {}
    keys: list[str] = []
    ids: list[int] = []
    meta: list[int] = []
    abbrevs: dict[str, int] = {}
    common: list[int] = []
    text_names: list[str] = []
    text_ids: list[int] = []
    for name, info in fdata.items():
        i = f_id(str(name))
        info = info or {}
        counts[i] = int(info.get("count", 0))
        text_names.append(str(name))
        text_ids.append(i)
        for alias in info.get("aliases", ()):
            keys.append(loose(alias))
            ids.append(i)
        for abbr in info.get("abbreviations", ()):
            abbrevs[str(abbr)] = i
        for m in info.get("metatags", ()):
            meta += [i, f_id(str(m))]
        if info.get("common"):
            common.append(i)
    chars: list[str] = []
    char_keys: list[str] = []
    char_ids: list[int] = []
    short: list[str] = []
    short_ids: list[int] = []
    memb: list[int] = []
    for cid, (name, info) in enumerate((data.get("characters") or {}).items()):
        chars.append(str(name))
        info = info or {}
        for alias in info.get("aliases", ()):
            char_keys.append(normalize(alias))
            char_ids.append(cid)
        for s in info.get("short", ()):
            short.append(normalize(s))
            short_ids.append(cid)
        fans = info.get("fandoms", {})
        if not isinstance(fans, Mapping):
            fans = {f: 1 for f in fans}
        for fname, n in fans.items():
            memb += [cid, f_id(str(fname)), int(n)]
    ff_canon: list[str] = []
    ff_keys: list[str] = []
    ff_ids: list[int] = []
    for i, (canon, aliases) in enumerate((data.get("freeforms") or {}).items()):
        ff_canon.append(str(canon))
        for alias in aliases or ():
            ff_keys.append(normalize(alias))
            ff_ids.append(i)
    return {
        "fandoms": fandoms,
        "fandom_counts": [counts.get(i, 0) for i in range(len(fandoms))],
        "fandom_keys": "\t".join(keys),
        "fandom_ids": ids,
        "fandom_meta": meta,
        "abbrevs": abbrevs,
        "common": common,
        "text_names": "\t".join(text_names),
        "text_ids": text_ids,
        "chars": chars,
        "char_keys": "\t".join(char_keys),
        "char_ids": char_ids,
        "char_short": "\t".join(short),
        "char_short_ids": short_ids,
        "char_fandoms": memb,
        "rels": "\t".join(str(r) for r in data.get("relationships") or ()),
        "freeforms": "\t".join(ff_canon),
        "ff_keys": "\t".join(ff_keys),
        "ff_ids": ff_ids,
    }


@functools.cache
def default_taxonomy() -> Taxonomy:
    """The shipped taxonomy, loaded once."""
    raw = importlib.resources.files("fanshelf").joinpath("data/taxonomy.json.gz").read_bytes()
    return Taxonomy._from_bytes(raw)
