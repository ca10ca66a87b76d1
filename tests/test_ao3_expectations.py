"""AO3's importer test expectations (from ao3-model.md), wherever AO3 is right, on posts we wrote."""

from __future__ import annotations

import pytest

from fanshelf.pipeline import parse_bytes

FULL_HEADER = """Title: Paper Boats
Summary: Two sisters race boats down the gutter after a storm.
Date: 2002-01-12
Fandom: Buffy the Vampire Slayer
Rating: Explicit
Warnings: Underage Sex
Characters: Willow Rosenberg, Tara Maclay
Pairings: Willow Rosenberg/Tara Maclay
Category: F/F
Tags: rain, paper boats
Author's notes: A tiny thing for a rainy week.
Chapter title: The Gutter Race

The rain had stopped by four, and the gutters along the street ran fast and brown.
Willow folded the first boat from a page of old homework and set it on the water.
"""


def test_full_header_fields() -> None:
    [w] = parse_bytes(FULL_HEADER)
    assert w.title == "Paper Boats"
    assert w.summary == "Two sisters race boats down the gutter after a storm."
    assert w.published == "2002-01-12"
    assert w.fandoms == ["Buffy the Vampire Slayer"]
    assert w.rating == "Explicit"
    assert w.archive_warnings == ["Underage Sex"]
    assert w.characters == ["Willow Rosenberg", "Tara Maclay"]
    assert len(w.relationships) == 1
    assert w.categories == ["F/F"]
    assert [t.casefold() for t in w.additional_tags] == ["rain", "paper boats"]
    assert w.notes == "A tiny thing for a rainy week."
    assert w.chapters[0].text.startswith("The rain had stopped by four")
    assert "Title:" not in w.chapters[0].text


def test_no_header_invents_nothing() -> None:
    [w] = parse_bytes("The kettle boiled. Nobody came to take it off the stove.\n\nIt boiled on.\n")
    assert w.title == "Untitled Imported Work"
    assert w.fandoms == ["No Fandom"]
    assert w.rating == "Not Rated"
    assert w.archive_warnings == ["Creator Chose Not To Use Archive Warnings"]
    assert w.creators == [] and w.relationships == [] and w.characters == [] and w.additional_tags == []
    assert w.summary is None and w.challenge is None and w.series_part is None


def test_lj_post_with_chrome() -> None:
    post = (
        "<b>Title:</b> Crossword<br /><b>Fandom:</b> Lewis<br /><b>Pairing:</b> Lewis/Hathaway<br />"
        "Rating: PG<br />Warnings: None<br />Summary: The last clue is always the hardest.<br />"
        "Note: For a friend who does the Saturday puzzle.<br /><br />"
        "<p>Lewis left the paper on the table with one clue unsolved.</p><p>Hathaway solved it before the kettle boiled.</p>"
        "<p>Location: the kitchen<br />Mood: sleepy<br />Music: the radio<br />Tags: fic, lewis</p>"
    )
    [w] = parse_bytes(post)
    assert w.fandoms in (["Lewis (TV)"], ["Lewis"])
    assert w.rating == "General Audiences"
    assert w.archive_warnings == ["No Archive Warnings Apply"]
    assert w.relationships_raw == ["Lewis/Hathaway"]
    assert w.summary == "The last clue is always the hardest."
    assert w.notes == "For a friend who does the Saturday puzzle."
    body = w.chapters[0].text + w.chapters[0].html
    for chrome in ("Location:", "Mood:", "Music:", "Tags:"):
        assert chrome not in body


def test_storyinfo_comment_header() -> None:
    post = ("<html><body><!-- STORYINFO title: Lamplight fandom: Merlin date: 2010-01-11 "
            "summary: A lamp is lit. wordcount: 12,034 -->\n<p>The lamp was lit at dusk.</p></body></html>")
    [w] = parse_bytes(post)
    assert w.title == "Lamplight"
    assert w.fandoms == ["Merlin (TV)"]
    assert w.published == "2010-01-11"
    assert w.summary == "A lamp is lit."
    assert w.stated_word_count == 12034
    assert w.chapters[0].text == "The lamp was lit at dusk."


@pytest.mark.parametrize("line", ["Title : X", "Title:X", "TITLE: X", "<strong>Title:</strong> X<br />",
                                  "<b>Title</b>: X<br />"])
def test_title_label_forms(line: str) -> None:
    [w] = parse_bytes(f"{line}\nRating: PG\n\nShe walked home.\n")
    assert w.title == "X"


def test_encodings_never_fail() -> None:
    post = "Title: Caf\xe9 \x93Noir\x94\nRating: PG\x00\n\nShe said \x91hello\x92 \x96 and left.\n".encode("latin-1")
    [w] = parse_bytes(post)
    assert w.title == "Café “Noir”"
    assert "‘hello’ – and left" in w.chapters[0].text
