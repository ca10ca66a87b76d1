"""Round trips: a work exported to EPUB, HTML, Markdown or JSON and read back is the same work.

Property test over generated works: tag values are canonical names that the shipped taxonomy maps to
themselves (checked here), plus free-form additional tags; text holds Unicode and ``& < > "``; 1-5
chapters of paragraphs, line breaks, emphasis, links, lists, block quotes, headings and rules. Every field
a user cares about must come back equal (see ``user_view``). Markdown moves chapter headings down two
levels (``<h3>`` → ``<h5>``) so that ``##`` only starts chapters: that is the one documented loss here.

Then an AO3 download (HTML, and the AO3-style EPUB the reader tests build) → parse → EPUB → parse keeps
every tag, and the same through the archive (import, ``core_work``, EPUB, import into a second archive).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from fanshelf.export import export_work
from fanshelf.model import ARCHIVE_WARNINGS, CATEGORIES, RATINGS, Challenge, Chapter, SeriesPart, Work
from fanshelf.pipeline import parse_document
from fanshelf.taxonomy import default_taxonomy, split_relationship
from fanshelf.wrangle import count_words
from fanshelf.wrangle.vocab import map_rating, map_warnings
from test_readers_formats import ao3_epub

from conftest import drop_archive, fresh_archive

TAX = default_taxonomy()
FORMATS = ("epub", "html", "md", "json")
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                          HealthCheck.filter_too_much])


# ------------------------------------------------------------------------------------------ the vocabulary
def _pool() -> list[tuple[str, str, list[str]]]:
    """(fandom, relationship, its characters) from the shipped taxonomy's most used relationships, kept
    only when fandom, characters and relationship are canonical names that map to themselves."""
    rels = TAX._data["rels"].split("\t")
    out: list[tuple[str, str, list[str]]] = []
    for rel in rels[:600]:
        kind, people = split_relationship(rel)
        if not kind:
            continue
        fandoms = TAX.character_fandoms(people[0])
        if not fandoms or TAX.fandom(fandoms[0]) != fandoms[0]:
            continue
        fandom = fandoms[0]
        if any(TAX.character(p, [fandom]) != p for p in people):
            continue
        if (TAX.relationship(people, kind) or (" & " if kind == "&" else "/").join(people)) != rel:
            continue
        out.append((fandom, rel, people))
        if len(out) >= 120:
            break
    return out


POOL = _pool()
FREEFORMS = [t for t in TAX._data["freeforms"].split("\t")[:80] if TAX.freeform(t) == t]
LANGUAGES = ["English", "Deutsch", "Français", "日本語", "Русский", "Español"]


def test_the_vocabulary_is_canonical() -> None:
    """What the generator draws maps to itself (else a round trip could not be exact)."""
    assert len(POOL) >= 50 and len(FREEFORMS) >= 40
    assert all(map_rating(r) == r for r in RATINGS)
    for w in ARCHIVE_WARNINGS:
        assert map_warnings(w) == ([w], [])


# ------------------------------------------------------------------------------------------ generated text
_CHARS = st.characters(whitelist_categories=("Lu", "Ll", "Lo", "Nd", "Po", "Ps", "Pe", "Pd", "Sm", "Sc", "So"),
                       blacklist_characters="\ufffe\uffff\u00ad")
_SPECIAL = st.sampled_from(["&", "<b>", "a<b", "x>y", '"q"', "&amp;", "*star*", "_u_", "#1", "[x](y)", "\\",
                            "`c`", "Zoë", "雪の日", "—", "1.", "+", "-", "|", "~", "=", "!"])
_word = st.one_of(st.text(_CHARS, min_size=1, max_size=8), _SPECIAL)
_lead = st.text(st.characters(whitelist_categories=("Lu", "Ll", "Lo")), min_size=1, max_size=8)


@st.composite
def _words(draw: st.DrawFn, min_size: int = 1, max_size: int = 6) -> list[str]:
    """Words of a line: the first starts with a letter (a line of only ``*``/``-`` would be a rule)."""
    first = draw(_lead) + draw(st.text(_CHARS, max_size=4))
    return [first, *draw(st.lists(_word, min_size=min_size - 1, max_size=max_size - 1))]


def _line(min_size: int = 1, max_size: int = 6) -> st.SearchStrategy[str]:
    return _words(min_size, max_size).map(" ".join)


def _text_field() -> st.SearchStrategy[str | None]:
    """Summary/notes: None, or paragraphs (a blank line apart) of lines."""
    para = st.lists(_line(), min_size=1, max_size=3).map("\n".join)
    return st.none() | st.lists(para, min_size=1, max_size=3).map("\n\n".join)


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@st.composite
def _inline(draw: st.DrawFn) -> tuple[str, str]:
    """(text, HTML) of one line: words, some in <em>/<strong>, maybe a link, in the readers' normal form."""
    words = draw(_words())
    texts: list[str] = []
    htmls: list[str] = []
    for i, word in enumerate(words):
        kind = draw(st.sampled_from(["plain"] * 8 + ["em", "strong", "s", "code", "link"])) if i else "plain"
        texts.append(word)
        if kind == "em":
            htmls.append(f"<em>{_esc(word)}</em>")
        elif kind in ("strong", "s", "code"):
            htmls.append(f"<{kind}>{_esc(word)}</{kind}>")
        elif kind == "link":
            htmls.append(f'<a href="https://example.org/w/{i}?a=1&amp;b=2" rel="nofollow noopener">{_esc(word)}</a>')
        else:
            htmls.append(_esc(word))
    return " ".join(texts), " ".join(htmls)


@st.composite
def _paragraph(draw: st.DrawFn) -> tuple[str, str]:
    lines = draw(st.lists(_inline(), min_size=1, max_size=3))
    return "\n".join(t for t, _ in lines), "<p>" + "<br />\n".join(h for _, h in lines) + "</p>"


@st.composite
def _list(draw: st.DrawFn, depth: int = 0) -> tuple[str, str]:
    """A list in the readers' normal form: an item of one line is ``<li>TEXT</li>``; an item holding a
    nested list is ``<li><p>TEXT</p>\n<ul>...</ul>\n</li>``."""
    kind = draw(st.sampled_from(["ul", "ol"]))
    texts: list[str] = []
    items: list[str] = []
    for text, html in draw(st.lists(_inline(), min_size=1, max_size=3)):
        texts.append(text)
        if depth < 2 and draw(st.integers(0, 4)) == 0:
            sub_text, sub_html = draw(_list(depth + 1))
            texts.append(sub_text)
            items.append(f"<li><p>{html}</p>\n{sub_html}\n</li>")
        else:
            items.append(f"<li>{html}</li>")
    return "\n\n".join(texts), f"<{kind}>\n" + "\n".join(items) + f"\n</{kind}>"


@st.composite
def _block(draw: st.DrawFn, depth: int = 0) -> tuple[str, str]:
    kinds = ["p"] * 5 + ["list", "list", "blockquote", "h", "hr", "pre"]
    kind = draw(st.sampled_from(kinds if depth < 2 else ["p", "list"]))
    if kind == "p":
        return draw(_paragraph())
    if kind == "list":
        return draw(_list())
    if kind == "blockquote":  # paragraphs, lists, quotes
        first = draw(_paragraph())
        inner = [first, *draw(st.lists(_block(depth + 1).filter(lambda b: b[1] != "<hr />"), max_size=2))]
        return "\n\n".join(t for t, _ in inner), "<blockquote>\n" + "\n".join(h for _, h in inner) + "\n</blockquote>"
    if kind == "hr":
        return "---", "<hr />"
    if kind == "pre":  # preformatted: spaces and line breaks kept in the HTML, collapsed in the text
        lines = draw(st.lists(st.tuples(st.integers(0, 4), _line()), min_size=1, max_size=3))
        raw = "\n".join(" " * n + ln for n, ln in lines).lstrip(" ")
        return " ".join(raw.split()), f"<pre>{_esc(raw)}</pre>"
    level = draw(st.integers(1, 6))
    words = draw(_line())
    return words, f"<h{level}>{_esc(words)}</h{level}>"


@st.composite
def _chapter(draw: st.DrawFn, index: int) -> Chapter:
    first = draw(_paragraph())  # a chapter starts with a paragraph (a first heading equal to the title goes)
    blocks = [first, *draw(st.lists(_block(), max_size=4))]
    while blocks[-1][1] == "<hr />":
        blocks.pop()
    title = draw(st.none() | _line(1, 4))
    return Chapter(title=title, text="\n\n".join(t for t, _ in blocks), html="\n".join(h for _, h in blocks))


def _name() -> st.SearchStrategy[str]:
    """A creator or community name (commas too: the Markdown export writes such a name as a list)."""
    return st.text(st.characters(whitelist_categories=("Lu", "Ll", "Lo", "Nd"), whitelist_characters="_-.,;"),
                   min_size=1, max_size=16).filter(lambda s: s[0].isalnum())


@st.composite
def works(draw: st.DrawFn) -> Work:
    picks = draw(st.lists(st.sampled_from(POOL), min_size=0, max_size=3, unique_by=lambda p: p[1]))
    fandoms = list(dict.fromkeys(f for f, _, _ in picks)) or [draw(st.sampled_from(POOL))[0]]
    relationships = [r for _, r, _ in picks]
    characters = list(dict.fromkeys(c for _, _, people in picks for c in people))
    characters = draw(st.permutations(characters)) if characters else []
    for c in characters:  # each maps to itself in this work's fandoms too
        assume(TAX.character(c, fandoms) == c)
    free = draw(st.lists(st.sampled_from(FREEFORMS) | _line(1, 3), max_size=4, unique_by=str.casefold))
    free = [t for t in free if TAX.freeform(t) in (None, t) and not re.match(
        r"(?i)\s*(fandom|pairing|ship|relationship|character|char|rating|warning)\s*:", t)]
    chapters = [draw(_chapter(i)) for i in range(1, draw(st.integers(1, 5)) + 1)]
    # "No Archive Warnings Apply" goes with no other warning (the vocabulary drops it from a mix)
    warnings = draw(st.just(["No Archive Warnings Apply"]) | st.lists(
        st.sampled_from([x for x in ARCHIVE_WARNINGS if x != "No Archive Warnings Apply"]),
        min_size=1, max_size=2, unique=True))
    challenge = draw(st.none() | st.builds(
        Challenge, st.none() | _name(), st.none() | _line(1, 4).filter(lambda s: not s.startswith("#")),
        st.none() | st.integers(1, 999).map(str)))
    if challenge is not None and not (challenge.community or challenge.prompt or challenge.number):
        challenge = None
    return Work(
        title=draw(_line(1, 5)),
        creators=draw(st.lists(_name(), min_size=1, max_size=3, unique_by=str.casefold)),
        fandoms=fandoms,
        rating=draw(st.sampled_from(RATINGS)),
        archive_warnings=warnings,
        categories=draw(st.lists(st.sampled_from(CATEGORIES), max_size=3, unique=True)),
        relationships=relationships,
        characters=characters,
        additional_tags=free,
        summary=draw(_text_field()),
        notes=draw(_text_field()),
        end_notes=draw(_text_field()),
        language=draw(st.sampled_from(LANGUAGES)),
        series_part=draw(st.none() | st.builds(SeriesPart, _line(1, 4), st.none() | st.integers(1, 60))),
        challenge=challenge,
        published=draw(st.none() | st.dates().filter(lambda d: d.year >= 1900).map(lambda d: d.isoformat())),
        chapters=chapters,
        word_count=sum(count_words(ch.text) for ch in chapters),
    )


# ------------------------------------------------------------------------------------------ comparing
def user_view(w: Work) -> dict[str, Any]:
    """Every field a user cares about."""
    return {
        "title": w.title, "creators": w.creators, "fandoms": w.fandoms, "rating": w.rating,
        "archive_warnings": w.archive_warnings, "categories": w.categories, "relationships": w.relationships,
        "characters": w.characters, "additional_tags": w.additional_tags, "summary": w.summary,
        "notes": w.notes, "end_notes": w.end_notes, "language": w.language,
        "series": (w.series_part.title, w.series_part.part) if w.series_part else None,
        "challenge": (w.challenge.community, w.challenge.number, w.challenge.prompt) if w.challenge else None,
        "published": w.published,
        "chapters": [(c.title, c.text, c.html) for c in w.chapters],
        "word_count": w.word_count,
    }


_HEADING = re.compile(r"<(/?)h([1-6])>")


def expected(w: Work, fmt: str) -> dict[str, Any]:
    view = user_view(w)
    if fmt == "md":  # headings inside chapters move down two levels (## starts a chapter)
        view["chapters"] = [(t, text, _HEADING.sub(lambda m: f"<{m[1]}h{min(6, int(m[2]) + 2)}>", h))
                            for t, text, h in view["chapters"]]
    return view


def read_back(data: bytes, source: str) -> Work:
    works = parse_document(data, source)
    assert len(works) == 1
    return works[0]


@pytest.mark.parametrize("fmt", FORMATS)
@SETTINGS
@given(w=works())
def test_round_trip(fmt: str, w: Work) -> None:
    back = read_back(export_work(w, fmt).data, f"work.{fmt}")
    assert user_view(back) == expected(w, fmt)


def test_round_trip_example() -> None:
    """One hand-written work through every format (a readable failure before the generated ones)."""
    w = Work(title='Tea & <Biscuits> "at" Midnight', creators=["harbour_lights", "second.mate"],
             fandoms=["Torchwood"], rating="Teen And Up Audiences", archive_warnings=["No Archive Warnings Apply"],
             categories=["M/M"], relationships=["Jack Harkness/Ianto Jones"],
             characters=["Jack Harkness", "Ianto Jones"], additional_tags=["Fluff", "Tea, with biscuits & <jam>"],
             summary="Ianto keeps *the* books.\nJack keeps interrupting.\n\n1. A list? No.",
             notes="# not a heading", end_notes=None, language="English",
             series_part=SeriesPart("Harbour Stories", None), challenge=Challenge("harbour_fest", "a ledger", "7"),
             published="2009-05-04",
             chapters=[Chapter("Arrivals", "", "<p>The ledger had <em>forty</em> columns &amp; a &lt;tab&gt;.</p>\n"
                                                "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<blockquote>\n<p>quoted</p>\n"
                                                "</blockquote>\n<hr />\n<p>After.</p>"),
                       Chapter(None, "", "<p>Second.</p>")])
    w.chapters[0].text = "The ledger had forty columns & a <tab>.\n\none\n\ntwo\n\nquoted\n\n---\n\nAfter."
    w.chapters[1].text = "Second."
    w.word_count = sum(count_words(c.text) for c in w.chapters)
    for fmt in FORMATS:
        assert user_view(read_back(export_work(w, fmt).data, f"x.{fmt}")) == expected(w, fmt), fmt


# ------------------------------------------------------------------------------------------ AO3 downloads
FIXTURES = Path(__file__).parent / "fixtures" / "formats"


def _tags(w: Work) -> dict[str, Any]:
    view = user_view(w)
    del view["word_count"]  # a download states its words; the text read back counts its own
    return view


@pytest.mark.parametrize("source", ["ao3-download.html", "ao3.epub"])
def test_ao3_download_to_epub_keeps_every_tag(source: str) -> None:
    data = ao3_epub() if source.endswith(".epub") else (FIXTURES / source).read_bytes()
    first = read_back(data, source)
    assert first.relationships == ["Jack Harkness/Ianto Jones", "Gwen Cooper & Rhys Williams (Torchwood)"]
    assert first.challenge == Challenge("Torchwood Winter Fest 2012", None, None)
    assert [c.title for c in first.chapters] == ["Debits", "Credits"]
    again = read_back(export_work(first, "epub").data, "again.epub")
    assert _tags(again) == _tags(first)
    assert again.word_count == first.word_count
    # and once more: an export of an export is the same file
    assert export_work(again, "epub").data == export_work(first, "epub").data


def _stored_tags(w: Work) -> dict[str, Any]:
    """``_tags`` of a work loaded from the archive: its chapter text is derived from the stored HTML
    (``fanshelf.export.tree.plain_text``), which writes a rule as ``* * *`` where readers write ``---``."""
    view = _tags(w)
    view["chapters"] = [(t, "\n\n".join("---" if p == "* * *" else p for p in text.split("\n\n")), h)
                        for t, text, h in view["chapters"]]
    return view


def test_ao3_download_through_the_archive(archive: Any, tmp_path: Path, _db_templates: Any) -> None:
    from fanshelf.archive.export import core_work
    from fanshelf.archive.importer import Importer
    from fanshelf.archive.models import Work as StoredWork

    first = read_back((FIXTURES / "ao3-download.html").read_bytes(), "ao3-download.html")
    Importer(sync_search=False).import_paths([FIXTURES / "ao3-download.html"])
    (stored_id,) = StoredWork.objects.values_list("id", flat=True)
    stored = core_work(stored_id)
    assert _stored_tags(stored) == _tags(first)
    book = tmp_path / "book.epub"
    book.write_bytes(export_work(stored, "epub").data)
    assert _tags(read_back(book.read_bytes(), "book.epub")) == _tags(first)
    # a second, fresh archive imports the book: the same tags
    second = fresh_archive("postgres" if archive.database_url else "sqlite", tmp_path / "second", _db_templates)
    try:
        Importer(sync_search=False).import_paths([book])
        (second_id,) = StoredWork.objects.values_list("id", flat=True)
        assert _stored_tags(core_work(second_id)) == _tags(first)
    finally:
        drop_archive(second)


@pytest.mark.parametrize("fmt", ["epub", "html", "md"])
def test_source_url_comes_back(fmt: str) -> None:
    from fanshelf.export import ExportInfo

    w = Work(title="T", chapters=[Chapter(None, "x", "<p>x</p>")])
    for url in ("https://harbour.dreamwidth.org/12.html", "https://archiveofourown.org/works/42"):
        back = read_back(export_work(w, fmt, ExportInfo(source=url)).data, f"x.{fmt}")
        assert back.extra["Source"] == url


def test_markdown_chapters_and_challenge_written_by_hand() -> None:
    doc = (b"---\ntitle: Two Parts\nauthor: scribe\nfandom: [Torchwood]\n"
           b'challenge: {community: tw_fest, number: 3}\nsummary: "A \\\\*starred\\\\* line\\n\\nand _more_"\n---\n\n'
           b"## Chapter 1: Morning\n\nFirst.\n\n- a\n- b\n\n## Evening\n\n> quoted\n")
    w = read_back(doc, "hand.md")
    assert w.challenge == Challenge("tw_fest", None, "3")
    assert w.summary == "A *starred* line\n\nand more"
    assert [(c.title, c.html) for c in w.chapters] == [
        ("Morning", "<p>First.</p>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
        ("Evening", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
    ]
