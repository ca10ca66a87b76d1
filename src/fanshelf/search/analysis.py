"""The one text analyser every search backend shares.

Backends never analyse text themselves: they index and query the strings this module produces
(tokens joined by single spaces) with a plain whitespace tokenizer, so a tantivy index and a
PostgreSQL full-text index built from the same strings match identically.

The pipeline, per value: NFKC, casefold, strip accents (NFKD, drop combining marks, NFC), split
into runs of letters/digits (``[^\\W_]+``), drop stopwords and tokens over 40 characters, stem
with the Snowball English stemmer (PyStemmer's C build, which ``snowballstemmer`` picks when it is
installed; its pure-Python stemmer gives the same stems, 15x slower). Stems are memoised, so after
warm-up a 100-word summary costs a regex scan plus one cache hit per word.

Changing anything here changes what is stored in the indexes: bump ``ANALYZER_VERSION`` so that
backends know to reindex.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata

import snowballstemmer

__all__ = ["ANALYZER_VERSION", "GAP", "MAX_TOKEN_LEN", "STOPWORDS", "analyze", "index_text"]

ANALYZER_VERSION = 1
"""Bumped whenever ``analyze`` may give different tokens for the same text (indexes must be rebuilt)."""

GAP = "zzgapzz"
"""Separator token ``index_text`` puts between values, so a phrase never matches across two values."""

MAX_TOKEN_LEN = 40
"""Tokens longer than this (before stemming) are dropped: they are noise (URLs, keyboard mashing)."""

STOPWORDS: frozenset[str] = frozenset(
    {
        "a", "about", "after", "all", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been",
        "before", "being", "between", "both", "but", "by", "could", "did", "do", "does", "doing", "down",
        "during", "each", "few", "for", "from", "had", "has", "have", "having", "he", "her", "here", "hers",
        "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself",
        "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "of", "off", "on", "once", "only",
        "or", "other", "our", "ours", "ourselves", "out", "over", "she", "should", "so", "some", "such",
        "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they",
        "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were",
        "what", "when", "where", "which", "while", "whom", "why", "with", "would", "you", "your", "yours",
        "yourself", "yourselves", "s", "t", "m", "ll", "re", "ve",
    }
)
"""English function words dropped from every value and query (compared after folding, before stemming).

Deliberately absent: words that are also names or titles in fandom (``will``, ``may``, ``who``,
``can``), and the single letters other than ``a``/``i`` and the contraction tails ``s t m ll re ve``
(so ``D/s`` keeps its ``d``).
"""

_TOKEN_RE = re.compile(r"[^\W_]+")
_FIND_TOKENS = _TOKEN_RE.findall

_STEMMER = snowballstemmer.stemmer("english")
_STEM_LOCK = threading.Lock()  # a stemmer object (C or pure Python) keeps per-call state: one call at a time


def _stem_word(word: str) -> str:
    with _STEM_LOCK:
        out = _STEMMER.stemWord(word)
    return out if isinstance(out, str) else word


@functools.lru_cache(maxsize=200_000)
def _term(token: str) -> str | None:
    """The stem of one folded token, or None when it is dropped (stopword, too long, the gap token)."""
    if token in STOPWORDS or len(token) > MAX_TOKEN_LEN or token == GAP:
        return None
    stem = _stem_word(token)
    if not stem or stem == GAP or not _TOKEN_RE.fullmatch(stem):
        return None
    return stem


def _fold(text: str) -> str:
    """NFKC, casefold, strip accents. ASCII takes a fast path giving the same result."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKC", text).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


def analyze(text: str) -> list[str]:
    """The analysed tokens of ``text``, in order: folded, stopwords and long tokens dropped, stemmed.

    Never emits ``GAP``; every token matches ``[^\\W_]+``.
    """
    if not text:
        return []
    out: list[str] = []
    append = out.append
    term = _term
    for token in _FIND_TOKENS(_fold(text)):
        if len(token) <= MAX_TOKEN_LEN:  # checked here too, so long junk never fills the cache
            stem = term(token)
            if stem is not None:
                append(stem)
    return out


@functools.lru_cache(maxsize=100_000)
def _analyze_short(value: str) -> tuple[str, ...]:
    """Tag names, creators and titles repeat across works: analyse each distinct one once."""
    return tuple(analyze(value))


def index_text(*values: str) -> str:
    """The analysed tokens of each value, space-joined, with ``GAP`` between consecutive values.

    Values that analyse to nothing add nothing (no doubled or leading/trailing ``GAP``).
    """
    parts: list[str] = []
    for value in values:
        tokens = _analyze_short(value) if len(value) <= 160 else analyze(value)
        if tokens:
            if parts:
                parts.append(GAP)
            parts.extend(tokens)
    return " ".join(parts)
