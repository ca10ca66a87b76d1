"""The AO3-style query language users type, parsed into plain objects the backends turn into queries.

Grammar (lenient: any input parses, stray operators and parentheses are ignored)::

    query   := and_expr
    and_expr:= or_expr ( ["AND" | "&&"] or_expr )*       whitespace is AND
    or_expr := unary ( ("OR" | "||") unary )*            OR binds tighter: ``a b OR c`` = a AND (b OR c)
    unary   := ("NOT" | "-")* primary
    primary := "(" and_expr ")" | "quoted phrase" | word | shortcut

Words and phrases are run through :func:`fanshelf.search.analysis.analyze`; a word that analyses to
several tokens (``piece-by-piece``, ``Jack/Ianto``) is a phrase. Shortcuts (``words>1000``,
``sort:kudos``, ``creator:NAME``, ``m/m`` ...) are read out of the text. Nothing the user types ever
reaches an engine raw: a :class:`Phrase` holds analysed tokens only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from fanshelf.search.analysis import analyze

__all__ = [
    "CATEGORIES",
    "MAX_DEPTH",
    "MAX_QUERY_CHARS",
    "MAX_TERMS",
    "SORTS",
    "And",
    "Node",
    "Not",
    "Or",
    "ParsedQuery",
    "Phrase",
    "Range",
    "describe",
    "parse_query",
]

SORTS = ("best", "creator", "title", "posted", "updated", "words", "hits", "kudos", "comments", "bookmarks")
CATEGORIES = ("M/M", "F/F", "F/M", "Gen", "Multi", "Other")
MAX_QUERY_CHARS = 2000
MAX_TERMS = 64
MAX_DEPTH = 8
_MAX_COUNT = 10**15  # numbers in shortcuts are clamped to this (safe as i64 and as a float)


@dataclass(frozen=True, slots=True)
class Phrase:
    """Analysed tokens that must appear in this order (one token: a single word)."""

    tokens: tuple[str, ...]
    field: str | None = None  # None: all text fields; "creators" for creator:NAME


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


Node = Phrase | And | Or | Not


@dataclass(frozen=True, slots=True)
class Range:
    """Inclusive bounds; None is unbounded. ``lo > hi`` is possible and matches nothing."""

    lo: int | None = None
    hi: int | None = None


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    node: Node | None  # None: no text condition (match all)
    words: Range | None = None
    kudos: Range | None = None
    hits: Range | None = None
    comments: Range | None = None
    bookmarks: Range | None = None
    sort: str | None = None  # one of SORTS
    order: str | None = None  # "asc" | "desc" | None (the backend's default for that sort)
    categories: tuple[str, ...] = ()  # from CATEGORIES

    def is_empty(self) -> bool:
        """No text condition and no filter, sort or category: the query asks for nothing in particular."""
        return (
            self.node is None
            and self.words is None
            and self.kudos is None
            and self.hits is None
            and self.comments is None
            and self.bookmarks is None
            and self.sort is None
            and self.order is None
            and not self.categories
        )


# ---------------------------------------------------------------------------------------------- lexing

_LEX_RE = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<quote>["“”„](?P<body>[^"“”„]*)["“”„]?)
    | (?P<lp>\()
    | (?P<rp>\))
    | (?P<op>\|\||&&)
    | (?P<word>(?:[^\s"“”„()|&]|\|(?!\|)|&(?!&))+)
    """,
    re.VERBOSE,
)
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")

_COUNT_FIELDS = {
    "words": "words",
    "word_count": "words",
    "wordcount": "words",
    "kudos": "kudos",
    "kudos_count": "kudos",
    "hits": "hits",
    "comments": "comments",
    "comments_count": "comments",
    "bookmarks": "bookmarks",
    "bookmarks_count": "bookmarks",
}
_NUM = r"\d[\d,]*"
_COUNT_RE = re.compile(
    rf"(?P<field>{'|'.join(sorted(_COUNT_FIELDS, key=len, reverse=True))})"
    rf"(?:(?P<cmp>:?(?:>=|<=|>|<|≥|≤))(?P<n>{_NUM})|:(?P<a>{_NUM})(?:-(?P<b>{_NUM}))?)"
    r"[.,;:!?]*",
    re.IGNORECASE | re.ASCII,
)
_SORT_RE = re.compile(r"sort:(?P<dir>[<>]?)(?P<name>[a-z_]*)", re.IGNORECASE | re.ASCII)
_SORT_ORDERS = {">": "desc", "<": "asc"}
_SORT_NAMES = {
    "best": "best",
    "relevance": "best",
    "creator": "creator",
    "author": "creator",
    "title": "title",
    "date": "updated",
    "updated": "updated",
    "posted": "posted",
    "created": "posted",
    "words": "words",
    "hits": "hits",
    "kudos": "kudos",
    "comments": "comments",
    "bookmarks": "bookmarks",
}
_CATEGORY_RE = re.compile(r"(?P<a>[mf])/(?P<b>[mf])[.,;!?]*", re.IGNORECASE | re.ASCII)
_CATEGORY_NAMES = {"mm": "M/M", "ff": "F/F", "fm": "F/M", "mf": "F/M"}

# Token kinds.
_LP, _RP, _AND, _OR, _NOT, _TERM, _EFFECT = range(7)


@dataclass(slots=True)
class _Acc:
    """What the shortcuts set, gathered while parsing."""

    ranges: dict[str, Range] = field(default_factory=dict)
    sort: str | None = None
    order: str | None = None
    categories: list[str] = field(default_factory=list)


# Shortcut effects, applied to the accumulator when the parser reaches them un-negated.
@dataclass(frozen=True, slots=True)
class _RangeEffect:
    name: str
    range: Range


@dataclass(frozen=True, slots=True)
class _SortEffect:
    sort: str
    order: str | None


@dataclass(frozen=True, slots=True)
class _CategoryEffect:
    category: str


_Effect = _RangeEffect | _SortEffect | _CategoryEffect
_Token = tuple[int, Phrase | _Effect | None]


def _number(text: str) -> int:
    digits = text.replace(",", "")
    if len(digits) > 16:
        return _MAX_COUNT
    return min(int(digits), _MAX_COUNT)


def _count_effect(m: re.Match[str]) -> _RangeEffect:
    name = _COUNT_FIELDS[m["field"].lower()]
    if m["cmp"] is not None:
        n = _number(m["n"])
        cmp = m["cmp"].lstrip(":")
        if cmp == ">":
            rng = Range(lo=n + 1)
        elif cmp in (">=", "≥"):
            rng = Range(lo=n)
        elif cmp == "<":
            rng = Range(hi=n - 1)
        else:
            rng = Range(hi=n)
    else:
        a = _number(m["a"])
        b = _number(m["b"]) if m["b"] is not None else a
        rng = Range(lo=min(a, b), hi=max(a, b))
    return _RangeEffect(name, rng)


def _phrase(text: str, field_name: str | None = None) -> Phrase | None:
    tokens = analyze(text)
    return Phrase(tuple(tokens), field_name) if tokens else None


def _classify_word(word: str) -> _Token | None:
    """A bare word (no leading dashes): an operator, a shortcut or a text term."""
    if word in ("OR", "||"):
        return (_OR, None)
    if word in ("AND", "&&"):
        return (_AND, None)
    if word == "NOT":
        return (_NOT, None)
    lower = word[:9].lower()
    if lower[:1] in "wkhcb" and (m := _COUNT_RE.fullmatch(word)) is not None:
        return (_EFFECT, _count_effect(m))
    if lower.startswith("sort:"):
        m = _SORT_RE.match(word)
        sort = _SORT_NAMES.get(m["name"].lower()) if m is not None else None
        if m is None or sort is None:
            return None  # unknown sort: left out, not an error
        return (_EFFECT, _SortEffect(sort, _SORT_ORDERS.get(m["dir"])))
    if (m := _CATEGORY_RE.fullmatch(word)) is not None:
        return (_EFFECT, _CategoryEffect(_CATEGORY_NAMES[(m["a"] + m["b"]).lower()]))
    if lower.startswith("creator:"):
        return (_TERM, _phrase(word[8:], "creators"))
    if lower.startswith("author:"):
        return (_TERM, _phrase(word[7:], "creators"))
    return (_TERM, _phrase(word))


def _lex(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    terms = 0
    matches = list(_LEX_RE.finditer(text))
    i = 0
    while i < len(matches) and terms < MAX_TERMS:
        m = matches[i]
        i += 1
        kind = m.lastgroup
        if kind == "ws":
            continue
        if kind == "lp":
            tokens.append((_LP, None))
        elif kind == "rp":
            tokens.append((_RP, None))
        elif kind == "op":
            tokens.append((_OR if m.group() == "||" else _AND, None))
        elif kind == "quote":
            tokens.append((_TERM, _phrase(m["body"])))
            terms += 1
        else:
            word = m.group()
            nxt = matches[i] if i < len(matches) and matches[i].start() == m.end() else None
            stripped = word.lstrip("-")
            if not stripped and (nxt is None or nxt.lastgroup not in ("quote", "lp")):
                continue  # a dash on its own is punctuation, not NOT
            tokens.extend([(_NOT, None)] * (len(word) - len(stripped)))
            if not stripped:
                continue  # -"phrase" or -(group): the NOT applies to what follows
            if nxt is not None and nxt.lastgroup == "quote" and stripped.lower() in ("creator:", "author:"):
                tokens.append((_TERM, _phrase(nxt["body"], "creators")))
                i += 1
                terms += 1
                continue
            if len(stripped) != len(word) and stripped in ("OR", "AND", "NOT"):
                tok: _Token | None = (_TERM, _phrase(stripped))  # "-OR" is a negated word, not an operator
            else:
                tok = _classify_word(stripped)
            if tok is not None:
                tokens.append(tok)
            terms += 1
    return _balance(tokens)


def _balance(tokens: list[_Token]) -> list[_Token]:
    """Drop unmatched parentheses, and pairs nested deeper than MAX_DEPTH (their contents stay)."""
    drop: set[int] = set()
    stack: list[int] = []
    for idx, (kind, _) in enumerate(tokens):
        if kind == _LP:
            stack.append(idx)
        elif kind == _RP:
            if stack:
                opened = stack.pop()
                if len(stack) >= MAX_DEPTH:
                    drop.add(opened)
                    drop.add(idx)
            else:
                drop.add(idx)
    drop.update(stack)
    if not drop:
        return tokens
    return [tok for idx, tok in enumerate(tokens) if idx not in drop]


# --------------------------------------------------------------------------------------------- parsing


def _dedupe(nodes: list[Node]) -> list[Node]:
    seen: set[Node] = set()
    out: list[Node] = []
    for node in nodes:
        if node not in seen:
            seen.add(node)
            out.append(node)
    return out


def _combine(kind: type[And] | type[Or], children: list[Node | None]) -> Node | None:
    """An And or Or of the children: nested ones of the same kind flattened, duplicates and Nones dropped."""
    flat: list[Node] = []
    for child in children:
        if isinstance(child, kind):
            flat.extend(child.children)
        elif child is not None:
            flat.append(child)
    flat = _dedupe(flat)
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


def _and(children: list[Node | None]) -> Node | None:
    return _combine(And, children)


def _or(children: list[Node | None]) -> Node | None:
    return _combine(Or, children)


def _not(child: Node | None) -> Node | None:
    if child is None:
        return None
    if isinstance(child, Not):
        return child.child
    return Not(child)


class _Parser:
    __slots__ = ("acc", "i", "tokens")

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.acc = _Acc()

    def _kind(self) -> int | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def parse_and(self, negated: bool) -> Node | None:
        children: list[Node | None] = []
        while (kind := self._kind()) is not None and kind != _RP:
            if kind in (_AND, _OR):  # explicit AND is the default; an OR with nothing on its left is stray
                self.i += 1
                continue
            children.append(self.parse_or(negated))
        return _and(children)

    def parse_or(self, negated: bool) -> Node | None:
        children = [self.parse_unary(negated)]
        while self._kind() == _OR:
            while self._kind() == _OR:
                self.i += 1
            if self._kind() in (None, _RP, _AND):
                break
            children.append(self.parse_unary(negated))
        return _or(children)

    def parse_unary(self, negated: bool) -> Node | None:
        flip = False
        while self._kind() == _NOT:
            flip = not flip
            self.i += 1
        if self._kind() in (None, _RP, _OR, _AND):
            return None  # NOT of nothing
        node = self.parse_primary(negated ^ flip)
        return _not(node) if flip else node

    def parse_primary(self, negated: bool) -> Node | None:
        kind, payload = self.tokens[self.i]
        self.i += 1
        if kind == _LP:
            node = self.parse_and(negated)
            if self._kind() == _RP:
                self.i += 1
            return node
        if isinstance(payload, Phrase):
            return payload
        if payload is not None and not negated:  # a negated shortcut is dropped, never applied backwards
            self._apply(payload)
        return None

    def _apply(self, effect: _Effect) -> None:
        acc = self.acc
        if isinstance(effect, _RangeEffect):
            old = acc.ranges.get(effect.name)
            acc.ranges[effect.name] = effect.range if old is None else _intersect(old, effect.range)
        elif isinstance(effect, _SortEffect):
            acc.sort, acc.order = effect.sort, effect.order
        elif effect.category not in acc.categories:
            acc.categories.append(effect.category)


def _intersect(a: Range, b: Range) -> Range:
    lo = b.lo if a.lo is None else a.lo if b.lo is None else max(a.lo, b.lo)
    hi = b.hi if a.hi is None else a.hi if b.hi is None else min(a.hi, b.hi)
    return Range(lo, hi)


def _clean(text: str) -> str:
    text = text[:MAX_QUERY_CHARS]
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)[:MAX_QUERY_CHARS]
    return _CONTROL_RE.sub(" ", text)


def parse_query(text: str) -> ParsedQuery:
    """Parse what a user typed into the search box. Never raises; see the module docstring."""
    if not isinstance(text, str):
        return ParsedQuery(None)
    parser = _Parser(_lex(_clean(text)))
    node = parser.parse_and(False)
    acc = parser.acc
    ranges = acc.ranges
    return ParsedQuery(
        node,
        words=ranges.get("words"),
        kudos=ranges.get("kudos"),
        hits=ranges.get("hits"),
        comments=ranges.get("comments"),
        bookmarks=ranges.get("bookmarks"),
        sort=acc.sort,
        order=acc.order,
        categories=tuple(acc.categories),
    )


# ------------------------------------------------------------------------------------------- describing


def _describe_node(node: Node) -> str:
    if isinstance(node, Phrase):
        text = node.tokens[0] if len(node.tokens) == 1 else '"' + " ".join(node.tokens) + '"'
        return f"{node.field}:{text}" if node.field else text
    if isinstance(node, Not):
        return "NOT " + _describe_node(node.child)
    joiner = " AND " if isinstance(node, And) else " OR "
    return "(" + joiner.join(_describe_node(child) for child in node.children) + ")"


def _describe_range(name: str, rng: Range) -> str:
    if rng.lo is not None and rng.hi is not None:
        return f"{name} = {rng.lo}" if rng.lo == rng.hi else f"{name} {rng.lo}–{rng.hi}"
    if rng.lo is not None:
        return f"{name} ≥ {rng.lo}"
    if rng.hi is not None:
        return f"{name} ≤ {rng.hi}"
    return f"{name}: any"


def describe(q: ParsedQuery) -> str:
    """A short human description, e.g. ``text: (jack AND ianto) · words ≥ 1001 · sort: kudos desc``."""
    parts: list[str] = []
    if q.node is not None:
        parts.append("text: " + _describe_node(q.node))
    for name in ("words", "kudos", "hits", "comments", "bookmarks"):
        rng: Range | None = getattr(q, name)
        if rng is not None:
            parts.append(_describe_range(name, rng))
    if q.categories:
        parts.append("categories: " + ", ".join(q.categories))
    if q.sort is not None:
        parts.append(f"sort: {q.sort} {q.order}" if q.order else f"sort: {q.sort}")
    return " · ".join(parts) if parts else "everything"
