"""The pure search core: the shared analyser and the AO3-style query parser."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from snowballstemmer.english_stemmer import EnglishStemmer

from fanshelf.search.analysis import GAP, MAX_TOKEN_LEN, STOPWORDS, analyze, index_text
from fanshelf.search.query import (
    CATEGORIES,
    MAX_TERMS,
    SORTS,
    And,
    Node,
    Not,
    Or,
    ParsedQuery,
    Phrase,
    Range,
    describe,
    parse_query,
)

TOKEN_RE = re.compile(r"^[^\W_]+$")


def w(word: str, field: str | None = None) -> Phrase:
    """The Phrase a single word parses to."""
    return Phrase(tuple(analyze(word)), field)


def node(text: str) -> Node | None:
    return parse_query(text).node


# ---------------------------------------------------------------------------------------------- analysis


def test_accents_case_and_compatibility_forms_fold() -> None:
    assert analyze("Pokémon") == analyze("pokemon") == analyze("POKEMON") == ["pokemon"]
    assert analyze("Café naïve") == analyze("cafe naive")
    assert analyze("ＦＬＵＦＦ") == analyze("fluff")  # fullwidth, via NFKC
    assert analyze("ﬁnal") == analyze("final")  # ligature
    assert analyze("Straße") == analyze("strasse")  # casefold


def test_stemming_shares_stems() -> None:
    (run,) = analyze("run")
    assert analyze("running") == analyze("runs") == analyze("RUNS") == [run]
    assert analyze("kisses") == analyze("kissing") == analyze("kiss")


_PURE_STEMMER = EnglishStemmer()  # snowballstemmer's own pure-Python stemmer


def test_the_c_stemmer_is_used() -> None:
    """PyStemmer (Snowball compiled to C) is a dependency: the pure-Python one stems ~15x slower."""
    import Stemmer

    from fanshelf.search import analysis

    assert isinstance(analysis._STEMMER, Stemmer.Stemmer)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz'", min_size=1, max_size=18))
def test_c_and_pure_python_stemmers_agree(word: str) -> None:
    """Indexes built with either stemmer match the same queries: the two give the same stems."""
    from fanshelf.search.analysis import _stem_word

    assert _stem_word(word) == _PURE_STEMMER.stemWord(word)


def test_stemmers_agree_on_fandom_words() -> None:
    from fanshelf.search.analysis import _stem_word

    words = ["hurt", "comfort", "angst", "fluff", "kissing", "friendship", "relationships", "happily",
             "generously", "sacrificed", "ianto's", "doctor's", "regeneration", "companions", "tardis",
             "hopefulness", "skies", "dying", "lying", "emotionally", "hopelessly", "consolidated"]
    assert [_stem_word(x) for x in words] == [_PURE_STEMMER.stemWord(x) for x in words]


def test_splitting_on_non_alphanumerics() -> None:
    assert analyze("Jack/Ianto") == ["jack", "ianto"]
    piece = analyze("piece")
    assert analyze("piece-by-piece") == piece + piece  # "by" is a stopword
    assert analyze("Valentine's") == analyze("Valentine")  # the "s" tail is a stopword
    assert analyze("don't") == analyze("don")
    assert analyze("snake_case") == ["snake", "case"]
    assert analyze("...!!!  ") == []


def test_digits_stay() -> None:
    assert analyze("503") == ["503"]
    assert analyze("Chapter 12 of 30") == [*analyze("chapter"), "12", "30"]


def test_stopwords() -> None:
    assert 80 <= len(STOPWORDS) <= 150
    assert {"a", "an", "and", "the", "of", "to", "in", "is", "it", "or", "not", "no", "s", "t"} <= STOPWORDS
    assert not {"will", "may", "who", "can"} & STOPWORDS  # names and titles in fandom
    assert analyze("The Man Who Would Be King") == [*analyze("man"), "who", *analyze("king")]
    assert analyze("and or not the of") == []


def test_token_length_cap() -> None:
    assert analyze("x" * MAX_TOKEN_LEN) == ["x" * MAX_TOKEN_LEN]
    assert analyze("x" * (MAX_TOKEN_LEN + 1)) == []
    assert analyze("y" * 500 + " fluff") == ["fluff"]


def test_index_text_puts_gap_between_values() -> None:
    assert index_text("Jack Harkness", "Ianto Jones") == " ".join(
        [*analyze("Jack Harkness"), GAP, *analyze("Ianto Jones")]
    )
    assert index_text("Jack Harkness", "Ianto Jones") == "jack hark zzgapzz ianto jone"
    assert index_text("Fluff") == "fluff"
    assert index_text() == ""


def test_index_text_values_analysing_to_nothing_add_no_gap() -> None:
    assert index_text("", "the", "Jack", "of", "  ", "Ianto", "!!") == f"jack {GAP} ianto"
    assert index_text("the", "") == ""


def test_gap_never_comes_from_user_text() -> None:
    assert GAP == "zzgapzz"
    assert analyze("zzgapzz ZZGAPZZ Zzgapzz zzgapzzes") == []
    assert index_text("zzgapzz", "a zzgapzz b") == "b"
    assert node(GAP) is None
    assert node(f'"jack {GAP} ianto"') == Phrase(("jack", "ianto"))


def test_a_summary_analyses_consistently() -> None:
    summary = (
        "After the Battle of Canary Wharf, Ianto Jones arrives in Cardiff with nothing but a suitcase "
        "and a secret. Jack Harkness doesn't ask questions; he never has. But the Rift is opening, "
        "the Weevils are restless, and Owen is convinced the new guy is hiding something in the "
        "archives. Slow burn, eventual Jack/Ianto, canon-typical violence, 503 kudos of hurt/comfort "
        "and a truly unreasonable number of coffee-related puns. Written for the Torchwood Big Bang "
        "2009, beta'd by the wonderful people of the comm; all mistakes are mine, so please enjoy and "
        "leave a comment."
    )
    assert 90 <= len(summary.split()) <= 110
    first = analyze(summary)
    for _ in range(200):  # the warm (cached) path gives the same tokens
        assert analyze(summary) == first
    assert all(TOKEN_RE.match(t) and t not in STOPWORDS for t in first if t != "503")
    assert first[:3] == [*analyze("battle"), "canari", "wharf"]
    assert "503" in first


# --------------------------------------------------------------------------------------- query: boolean


def test_whitespace_ands() -> None:
    assert node("jack ianto") == And((w("jack"), w("ianto")))
    assert node("Jack AND Ianto") == node("jack && ianto") == node("jack ianto")


def test_or_binds_tighter_than_and() -> None:
    assert node("torchwood jack OR ianto") == And((w("torchwood"), Or((w("jack"), w("ianto")))))
    assert node("jack OR ianto torchwood") == And((Or((w("jack"), w("ianto"))), w("torchwood")))
    assert node("jack || ianto") == Or((w("jack"), w("ianto")))
    assert node("jack OR ianto OR owen") == Or((w("jack"), w("ianto"), w("owen")))
    assert node("jack AND ianto OR owen") == And((w("jack"), Or((w("ianto"), w("owen")))))


def test_lowercase_operators_are_words() -> None:
    assert node("jack or ianto") == And((w("jack"), w("ianto")))  # "or" is a stopword
    assert node("not fluff") == w("fluff")
    assert node("Or") is None


def test_not_and_minus() -> None:
    assert node("NOT angst") == Not(w("angst"))
    assert node("-angst") == Not(w("angst"))
    assert node("fluff -angst") == And((w("fluff"), Not(w("angst"))))
    assert node('fluff -"major character death"') == And(
        (w("fluff"), Not(Phrase(tuple(analyze("major character death")))))
    )
    assert node("fluff -(angst OR death)") == And((w("fluff"), Not(Or((w("angst"), w("death"))))))
    assert node("fluff NOT (angst OR death)") == node("fluff -(angst OR death)")


def test_double_negation_cancels() -> None:
    assert node("NOT NOT fluff") == w("fluff")
    assert node("--fluff") == w("fluff")
    assert node("NOT (NOT fluff)") == w("fluff")


def test_only_negations_are_allowed() -> None:
    assert node("-angst") == Not(w("angst"))
    assert node("-angst -death") == And((Not(w("angst")), Not(w("death"))))


def test_minus_inside_a_word_is_not_negation() -> None:
    assert node("canon-typical") == Phrase(tuple(analyze("canon typical")))
    assert node("fluff - angst") == And((w("fluff"), w("angst")))  # a lone dash is punctuation


def test_parentheses_group() -> None:
    assert node("(jack OR ianto) (owen OR tosh)") == And(
        (Or((w("jack"), w("ianto"))), Or((w("owen"), w("tosh"))))
    )
    assert node("fluff (jack ianto)") == And((w("fluff"), w("jack"), w("ianto")))  # flattened
    assert node("(jack OR ianto) OR owen") == Or((w("jack"), w("ianto"), w("owen")))


def test_unbalanced_parentheses_are_ignored() -> None:
    assert node("jack) OR (ianto") == Or((w("jack"), w("ianto")))
    assert node("((jack OR ianto) owen") == And((Or((w("jack"), w("ianto"))), w("owen")))
    assert node("jack OR (ianto owen") == And((Or((w("jack"), w("ianto"))), w("owen")))
    assert node(")))(((") is None


def test_deep_parentheses_are_flattened() -> None:
    assert node("(" * 500 + "fluff" + ")" * 500) == w("fluff")
    deep = "fluff"
    for word in ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven"):
        deep = f"{word} OR ({deep})"
    q = parse_query(deep)
    assert q.node is not None
    assert _depth(q.node) <= 2 * 8 + 2
    assert len(_phrases(q.node)) == 12


def test_quoted_phrases() -> None:
    assert node('"slow burn"') == Phrase(tuple(analyze("slow burn")))
    assert node('"the end of the world"') == Phrase(tuple(analyze("end world")))
    assert node('"fluff"') == w("fluff")
    assert node('"the of"') is None
    assert node('""') is None
    assert node('“slow burn” fluff') == And((Phrase(tuple(analyze("slow burn"))), w("fluff")))


def test_unbalanced_quote_takes_the_rest() -> None:
    assert node('fluff "slow burn OR angst') == And((w("fluff"), Phrase(tuple(analyze("slow burn angst")))))


def test_multi_token_word_is_a_phrase() -> None:
    assert node("Jack/Ianto") == Phrase(("jack", "ianto"))
    assert node("piece-by-piece") == Phrase(tuple(analyze("piece piece")))


def test_collapse_rules() -> None:
    assert node("the") is None
    assert node("the fluff") == w("fluff")
    assert node("fluff OR the") == w("fluff")
    assert node("the OR of") is None
    assert node("NOT the") is None
    assert node("NOT") is None
    assert node("fluff NOT") == w("fluff")
    assert node("OR fluff OR") == w("fluff")
    assert node("fluff fluff") == w("fluff")
    assert node("() fluff ( )") == w("fluff")


def test_stopword_only_queries_match_all() -> None:
    for text in ("", "   ", "the", "and or not", "a AND the", "!!!", '"of the"', "-the", "\x00\x01"):
        q = parse_query(text)
        assert q.node is None, text
        assert q.is_empty(), text


# ------------------------------------------------------------------------------------- query: shortcuts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("words>1000", Range(1001, None)),
        ("words<500", Range(None, 499)),
        ("words>=1000", Range(1000, None)),
        ("words<=1000", Range(None, 1000)),
        ("words:1000-5000", Range(1000, 5000)),
        ("words:1000", Range(1000, 1000)),
        ("words>1,000", Range(1001, None)),
        ("words:1,000-10,000", Range(1000, 10000)),
        ("WORDS>1000", Range(1001, None)),
        ("Words:>1000", Range(1001, None)),
        ("word_count:>1000", Range(1001, None)),
        ("words>1000 words<5000", Range(1001, 4999)),
        ("words<5000 words>1000", Range(1001, 4999)),
        ("words:5000-1000", Range(1000, 5000)),
    ],
)
def test_words_shortcut(text: str, expected: Range) -> None:
    q = parse_query(text)
    assert q.words == expected
    assert q.node is None


@pytest.mark.parametrize("name", ["kudos", "hits", "comments", "bookmarks"])
def test_count_shortcuts_for_every_field(name: str) -> None:
    assert getattr(parse_query(f"{name}>10"), name) == Range(11, None)
    assert getattr(parse_query(f"{name}<10"), name) == Range(None, 9)
    assert getattr(parse_query(f"{name}>=10"), name) == Range(10, None)
    assert getattr(parse_query(f"{name}<=10"), name) == Range(None, 10)
    assert getattr(parse_query(f"{name}:10-20"), name) == Range(10, 20)
    assert getattr(parse_query(f"{name}:10"), name) == Range(10, 10)
    assert getattr(parse_query(f"{name.upper()}>1,500 {name}<2000"), name) == Range(1501, 1999)


def test_shortcuts_anywhere_and_removed_from_text() -> None:
    q = parse_query("fluff words>1000 jack/ianto kudos>=50 (angst OR hurt) sort:kudos")
    assert q.node == And((w("fluff"), Phrase(("jack", "ianto")), Or((w("angst"), w("hurt")))))
    assert q.words == Range(1001, None)
    assert q.kudos == Range(50, None)
    assert q.sort == "kudos"
    assert q.hits is None and q.comments is None and q.bookmarks is None


def test_contradictory_ranges_stay_contradictory() -> None:
    assert parse_query("words<100 words>200").words == Range(201, 99)


def test_negated_shortcuts_are_dropped_not_inverted() -> None:
    for text in ("-words>1000", "NOT words>1000", "-(words>1000)", "-m/m", "NOT sort:kudos"):
        assert parse_query(text).is_empty(), text
    assert parse_query("NOT NOT words>1000").words == Range(1001, None)


def test_malformed_shortcuts_are_text() -> None:
    assert parse_query("words>").words is None
    assert parse_query("words>lots").words is None
    assert node("words>lots") == Phrase(tuple(analyze("words lots")))


def test_huge_numbers_are_clamped() -> None:
    q = parse_query("words>" + "9" * 500)
    assert q.words is not None and q.words.lo is not None and 10**12 < q.words.lo <= 2**63 - 1


@pytest.mark.parametrize(
    ("text", "sort", "order"),
    [
        ("sort:words", "words", None),
        ("sort:kudos", "kudos", None),
        ("sort:>words", "words", "desc"),
        ("sort:<words", "words", "asc"),
        ("sort:title", "title", None),
        ("sort:creator", "creator", None),
        ("sort:author", "creator", None),
        ("sort:date", "updated", None),
        ("sort:updated", "updated", None),
        ("sort:posted", "posted", None),
        ("sort:created", "posted", None),
        ("sort:hits", "hits", None),
        ("sort:comments", "comments", None),
        ("sort:bookmarks", "bookmarks", None),
        ("sort:relevance", "best", None),
        ("sort:best", "best", None),
        ("SORT:>Kudos", "kudos", "desc"),
        ("sort:kudos sort:<title", "title", "asc"),
    ],
)
def test_sort_shortcut(text: str, sort: str, order: str | None) -> None:
    q = parse_query(text)
    assert (q.sort, q.order) == (sort, order)
    assert q.sort in SORTS
    assert q.node is None


def test_unknown_sort_is_ignored() -> None:
    q = parse_query("fluff sort:nonsense sort: sort:>")
    assert q.sort is None and q.order is None
    assert q.node == w("fluff")


def test_creator_shortcut() -> None:
    assert node("creator:someone") == w("someone", "creators")
    assert node("author:someone") == w("someone", "creators")
    assert node("Creator:SomeOne fluff") == And((w("someone", "creators"), w("fluff")))
    assert node('creator:"Blue Lantern"') == Phrase(tuple(analyze("blue lantern")), "creators")
    assert node("creator:blue_lantern") == Phrase(tuple(analyze("blue lantern")), "creators")
    assert node('creator:"Blue Lantern') == Phrase(tuple(analyze("blue lantern")), "creators")
    assert node("-creator:someone fluff") == And((Not(w("someone", "creators")), w("fluff")))
    assert node("creator:") is None
    assert node("creator: fluff") == w("fluff")


def test_categories() -> None:
    q = parse_query("M/M f/f fluff m/f F/M m/m")
    assert q.categories == ("M/M", "F/F", "F/M")
    assert q.node == w("fluff")
    assert set(q.categories) <= set(CATEGORIES)
    assert parse_query("gen multi other").categories == ()
    assert parse_query("M/M/F").categories == ()


def test_is_empty() -> None:
    assert parse_query("").is_empty()
    assert not parse_query("fluff").is_empty()
    assert not parse_query("words>10").is_empty()
    assert not parse_query("sort:kudos").is_empty()
    assert not parse_query("m/m").is_empty()
    assert ParsedQuery(None).is_empty()


def test_describe() -> None:
    q = parse_query("jack ianto words>1000 sort:>kudos")
    assert describe(q) == "text: (jack AND ianto) · words ≥ 1001 · sort: kudos desc"
    assert describe(parse_query("")) == "everything"
    assert describe(parse_query("-angst words:10-20 hits:5 kudos<3 m/m sort:title")) == (
        "text: NOT angst · words 10–20 · kudos ≤ 2 · hits = 5 · categories: M/M · sort: title"
    )
    assert describe(parse_query('creator:"blue lantern" OR "slow burn"')) == (
        'text: (creators:"blue lantern" OR "slow burn")'
    )


# ------------------------------------------------------------------------------------- limits, hostile


def test_huge_input_is_capped() -> None:
    q = parse_query("fluff " * 100_000)
    assert q.node == w("fluff")
    many = " ".join(f"word{i}" for i in range(500))
    q = parse_query(many)
    assert q.node is not None
    assert len(_phrases(q.node)) == MAX_TERMS
    assert parse_query("x" * 1_000_000 + " fluff").node is None  # only the first 2,000 characters count


def test_no_engine_syntax_survives() -> None:
    q = parse_query('title:"x" AND body:(y~2) OR z^3 field:[a TO b] \'; DROP TABLE works; -- *:* \\')
    assert q.node is not None
    for phrase in _phrases(q.node):
        assert all(TOKEN_RE.match(t) for t in phrase.tokens)


# ---------------------------------------------------------------------------------------------- helpers


def _phrases(n: Node) -> list[Phrase]:
    if isinstance(n, Phrase):
        return [n]
    if isinstance(n, Not):
        return _phrases(n.child)
    return [p for c in n.children for p in _phrases(c)]


def _depth(n: Node) -> int:
    if isinstance(n, Phrase):
        return 1
    if isinstance(n, Not):
        return 1 + _depth(n.child)
    return 1 + max(_depth(c) for c in n.children)


def _check_node(n: Node) -> None:
    if isinstance(n, Phrase):
        assert n.tokens, n
        assert n.field in (None, "creators")
        for token in n.tokens:
            assert TOKEN_RE.match(token), token
            assert token != GAP
        return
    if isinstance(n, Not):
        assert not isinstance(n.child, Not)
        _check_node(n.child)
        return
    assert isinstance(n, And | Or)
    assert len(n.children) >= 2
    assert len(set(n.children)) == len(n.children)
    for child in n.children:
        assert type(child) is not type(n)  # nested And-in-And / Or-in-Or are flattened
        _check_node(child)


def _check_query(q: ParsedQuery) -> None:
    assert isinstance(q, ParsedQuery)
    if q.node is not None:
        _check_node(q.node)
        assert len(_phrases(q.node)) <= MAX_TERMS
        assert _depth(q.node) <= 40
    assert q.sort is None or q.sort in SORTS
    assert q.order in (None, "asc", "desc")
    assert set(q.categories) <= set(CATEGORIES)
    for rng in (q.words, q.kudos, q.hits, q.comments, q.bookmarks):
        assert rng is None or isinstance(rng, Range)
    assert isinstance(describe(q), str)
    assert q.is_empty() == (describe(q) == "everything")


# ------------------------------------------------------------------------------------------- properties

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

PIECES = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            " ", "  ", "OR", "AND", "NOT", "||", "&&", "-", "--", "(", ")", '"', "“", "”", "or", "and",
            "not", "the", "fluff", "Jack/Ianto", "piece-by-piece", "Pokémon", "words>1,000", "words<",
            "kudos:10-20", "hits>=5", "comments<=3", "bookmarks:7", "sort:>kudos", "sort:", "sort:nope",
            "creator:", 'creator:"', "author:x", "m/m", "F/M", "zzgapzz", "\x00", "\u200b", "\n",
            "9" * 30, "ﬁ", "ß",
        ]
    ),
)
QUERIES = st.lists(PIECES, max_size=30).map(" ".join) | st.lists(PIECES, max_size=30).map("".join)


@FAST
@given(st.text())
def test_parse_never_raises_on_any_text(text: str) -> None:
    _check_query(parse_query(text))


@FAST
@given(QUERIES)
def test_parse_never_raises_on_operator_soup(text: str) -> None:
    _check_query(parse_query(text))


@FAST
@given(st.text())
def test_analyze_tokens_are_clean(text: str) -> None:
    tokens = analyze(text)
    for token in tokens:
        assert TOKEN_RE.match(token), token
        assert token != GAP
    assert index_text(text) == " ".join(tokens)


@FAST
@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_fast_path_matches_unicode_path(text: str) -> None:
    # appending a non-ASCII character sends the same text down the full Unicode path
    assert analyze(text + " é") == [*analyze(text), "e"]


@FAST
@given(st.text(max_size=300).map(lambda s: re.sub(r'["“”„]', " ", unicodedata.normalize("NFKC", s))))
def test_quoted_phrase_tokens_are_the_index_tokens(text: str) -> None:
    # what a phrase query asks for is exactly what index_text stores for the same text
    n = node(f'"{text}"')
    tokens = analyze(text)
    if tokens:
        assert n == Phrase(tuple(tokens))
        assert " ".join(tokens) in index_text(text)
    else:
        assert n is None


@FAST
@given(st.lists(st.text(max_size=20), max_size=6))
def test_index_text_gaps(values: list[str]) -> None:
    out = index_text(*values)
    nonempty = [analyze(v) for v in values if analyze(v)]
    assert out == f" {GAP} ".join(" ".join(t) for t in nonempty)
    assert out.split().count(GAP) == max(0, len(nonempty) - 1)


# ---------------------------------------------------------------------------- sort keys
def _sort_key_whole(text: str) -> int:
    """sort_key_text as specified: the first 12 ASCII letters/digits of the whole folded text."""
    import unicodedata

    folded = unicodedata.normalize("NFKD", text.casefold())
    chars = [c for c in folded if c.isascii() and c.isalnum()][:12]
    key = 0
    for i in range(12):
        c = chars[i] if i < len(chars) else ""
        key = key * 37 + (0 if not c else (1 + int(c) if c.isdigit() else 11 + ord(c) - ord("a")))
    return key


_KEY_ALPHABET = st.sampled_from([*"abcXYZ019 -'.", "\u00c4", "\u00df", "\ufb01", "\u0301", "\u00bd", "\u2167",
                                 "\u00e9", "\u4e00", "\U0001f600"])


@settings(max_examples=500, deadline=None)
@given(st.lists(_KEY_ALPHABET, max_size=80).map("".join))
def test_sort_key_text_reads_only_a_prefix_but_keys_the_whole_text(text: str) -> None:
    from fanshelf.search.base import sort_key_text

    assert sort_key_text(text) == _sort_key_whole(text)


def test_sort_key_text_orders_folded_text() -> None:
    from fanshelf.search.base import sort_key_text

    assert sort_key_text("Ärger") == sort_key_text("arger")
    assert sort_key_text("ﬁsh " * 20) == sort_key_text("fish " * 20)
    assert sort_key_text("a" * 31 + "\u0301" * 40 + "bcdefghijklmn") == _sort_key_whole(
        "a" * 31 + "\u0301" * 40 + "bcdefghijklmn")
    assert sort_key_text("Apple") < sort_key_text("banana") < sort_key_text("Zebra")
