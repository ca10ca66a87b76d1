"""Property tests: the parser never raises, and what it outputs is safe."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanshelf.errors import InputError
from fanshelf.pipeline import parse_bytes

LABELS = ["Title", "Author", "Fandom", "Pairing", "Rating", "Warnings", "Summary", "A/N", "Word count",
          "Characters/Pairings", "Written for", "Disclaimer", "Genre", "Tags", "Mood", "Part"]
PIECES = st.one_of(
    st.text(max_size=80),
    st.sampled_from(LABELS).map(lambda s: f"{s}: "),
    st.sampled_from(["\n", "\n\n", "---\n", "The End\n", "Comments welcome!\n", "(2/4)", "[Jack/Ianto]",
                     "PG-13/R", "~1.5k words", "Prompt #3 - Rain, at some_comm", "<b>Title:</b>", "<br />",
                     "<p>", "</p>", "<lj-cut>", "<hr>", "<!-- STORYINFO title: x fandom: y -->", "\u00a0"]),
)
POSTS = st.lists(PIECES, max_size=40).map("".join)
HOSTILE = st.lists(st.one_of(
    st.text(max_size=30),
    st.sampled_from([
        "<script>alert(1)</script>", '<a href="javascript:alert(1)">x</a>', '<img src=x onerror="alert(1)">',
        "<iframe src=//evil></iframe>", "<svg onload=alert(1)>", '<p onclick="x()">', "<style>*{}</style>",
        '<a href="java&#115;cript:alert(1)">y</a>', '<a href=" JaVaScRiPt:alert(1)">z</a>', "<b>Title:</b> T<br>",
        "<div>", "</div>", "<br /><br />", "<p>", "<object data=x>", '<form action="javascript:x">',
    ]),
), max_size=30).map(lambda parts: "<html><body>" + "".join(parts))

_BAD = re.compile(r"<\s*(script|iframe|style|object|embed|form)\b|\son\w+\s*=|javascript:", re.I)


def _check_safe(works: list) -> None:  # type: ignore[type-arg]
    assert works
    for w in works:
        for ch in w.chapters:
            import html as _html
            assert not _BAD.search(_html.unescape(ch.html)), ch.html


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(POSTS)
def test_parse_never_raises_on_post_like_text(text: str) -> None:
    works = parse_bytes(text)
    assert all(w.title for w in works)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_parse_never_raises_on_arbitrary_text(text: str) -> None:
    parse_bytes(text)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_parse_or_are_refused_clearly(data: bytes) -> None:
    try:
        parse_bytes(data)
    except InputError as exc:
        assert str(exc)


@settings(max_examples=200, deadline=None)
@given(HOSTILE)
def test_sanitized_output_is_safe(doc: str) -> None:
    _check_safe(parse_bytes(doc))
