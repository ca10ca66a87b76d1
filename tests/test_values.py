"""Value readers and vocabularies: word counts, dates, parts, challenges, subjects, ratings, warnings."""

from __future__ import annotations

import pytest

from fanshelf.parse.labels import label_key, split_fields
from fanshelf.parse.values import find_challenge, find_part, parse_date, parse_subject, parse_word_count
from fanshelf.wrangle import count_words, wrangle_pairings
from fanshelf.wrangle.vocab import map_genre, map_rating, map_warnings


@pytest.mark.parametrize(("written", "count"), [
    ("500", 500), ("1,198 words", 1198), ("~1130 words", 1130), ("~ 28.000", 28000), ("1.5k", 1500),
    ("100 x 3", 300), ("drabble", 100), ("double drabble", 200), ("3 x drabble", 300), ("approx. 2,500", 2500),
    ("about 900 words", 900), ("none given", None),
])
def test_word_counts(written: str, count: int | None) -> None:
    assert parse_word_count(written) == count


@pytest.mark.parametrize(("written", "iso"), [
    ("2002-01-12", "2002-01-12"), ("12 March 2009", "2009-03-12"), ("March 12th, 2009", "2009-03-12"),
    ("Mar. 3 2010", "2010-03-03"), ("25/12/2008", "2008-12-25"), ("someday", None),
])
def test_dates(written: str, iso: str | None) -> None:
    assert parse_date(written) == iso


@pytest.mark.parametrize(("text", "part", "of"), [
    ("Part 2/4", 2, 4), ("(3/3)", 3, 3), ("Chapter: Three", 3, None), ("2 of 4", 2, 4), ("part two of five", 2, 5),
])
def test_parts(text: str, part: int, of: int | None) -> None:
    pm = find_part(text)
    assert pm is not None and (pm.part, pm.of) == (part, of)


@pytest.mark.parametrize("text", ["(12/03/2009)", "(12/03)", "Posted 2009", "(03/12)"])
def test_dates_are_not_parts(text: str) -> None:
    assert find_part(text) is None


def test_challenges() -> None:
    ch = find_challenge("Written for Challenge 503 - Second chances")
    assert ch is not None and (ch.number, ch.prompt, ch.community) == ("503", "Second chances", None)
    ch = find_challenge("Prompt #419 - Loss, at slashthedrabble.", labelled=True)
    assert ch is not None and (ch.number, ch.prompt, ch.community) == ("419", "Loss", "slashthedrabble")
    ch = find_challenge('Made for rain_and_rift over on LiveJournal; our prompt was "First Snow."')
    assert ch is not None and (ch.prompt, ch.community) == ("First Snow", "rain_and_rift")
    ch = find_challenge('This one answers an LJ challenge whose prompt was "old letters".')
    assert ch is not None and (ch.prompt, ch.community) == ("old letters", None)
    assert find_challenge("He walked home in the rain.") is None


def test_subject_lines() -> None:
    s = parse_subject("Fic: Tea at Midnight (PG) [Jack/Ianto]")
    assert s is not None and (s.title, s.rating, s.pairing) == ("Tea at Midnight", "PG", "Jack/Ianto")
    s = parse_subject('Torchwood Fic: "Rain on Roath"')
    assert s is not None and (s.title, s.fandom) == ("Rain on Roath", "Torchwood")
    s = parse_subject("Lanterns 2/4 [Merlin: Merlin/Arthur]", require_kind=False)
    assert s is not None and (s.title, s.fandom, s.pairing, s.part_text) == ("Lanterns", "Merlin", "Merlin/Arthur", "2/4")
    s = parse_subject("Small Hours, by someone_else (R) [angst]", require_kind=False)
    assert s is not None and (s.title, s.author, s.rating, s.tags) == ("Small Hours", "someone_else", "R", ["angst"])
    assert parse_subject("It was a dark night.") is None


@pytest.mark.parametrize(("written", "rating"), [
    ("G", "General Audiences"), ("K+", "General Audiences"), ("PG", "General Audiences"),
    ("for all ages", "General Audiences"), ("PG-13", "Teen And Up Audiences"), ("pg 13", "Teen And Up Audiences"),
    ("PG13", "Teen And Up Audiences"), ("T", "Teen And Up Audiences"), ("13+", "Teen And Up Audiences"),
    ("Teen And Up", "Teen And Up Audiences"), ("R", "Mature"), ("M", "Mature"), ("Mature", "Mature"),
    ("MA15+", "Mature"), ("Light R", "Mature"), ("16+", "Mature"), ("NC-17", "Explicit"), ("NC17", "Explicit"),
    ("XXX", "Explicit"), ("Adult", "Explicit"), ("18+", "Explicit"), ("Adults Only", "Explicit"),
    ("PG-13/R", "Mature"), ("NC17, eventually", "Explicit"), ("R for language", "Mature"), ("None", "Not Rated"),
    ("Unrated", "Not Rated"), ("tame", "Not Rated"), ("Rated Y for Yikes", "Not Rated"), ("", "Not Rated"),
])
def test_ratings(written: str, rating: str) -> None:
    assert map_rating(written) == rating


def test_warnings() -> None:
    assert map_warnings(None) == (["Creator Chose Not To Use Archive Warnings"], [])
    assert map_warnings("None") == (["No Archive Warnings Apply"], [])
    assert map_warnings("n/a")[0] == ["No Archive Warnings Apply"]
    assert map_warnings("MCD, angst")[0] == ["Major Character Death"]
    assert map_warnings("MCD, angst")[1] == ["angst"]
    assert map_warnings("noncon; violence")[0] == ["Rape/Non-Con", "Graphic Depictions Of Violence"]
    assert map_warnings("Underage")[0] == ["Underage Sex"]
    assert map_warnings("Choose Not To Use Archive Warnings")[0] == ["Creator Chose Not To Use Archive Warnings"]


def test_genres() -> None:
    assert map_genre("Slash, AU, angst") == (["M/M"], ["AU", "angst"])
    assert map_genre("General/Angst") == (["Gen"], ["Angst"])
    assert map_genre("Hurt/Comfort") == ([], ["Hurt/Comfort"])
    assert map_genre("femslash") == (["F/F"], [])


def test_pairings_never_split_on_slash_or_ampersand() -> None:
    rels, chars, _tags, notes = wrangle_pairings("Jack/Ianto (mostly friends, a hint more) and Ianto/Lisa")
    assert rels == [("Jack/Ianto", "/"), ("Ianto/Lisa", "/")]
    assert chars == [] and notes == ["mostly friends, a hint more"]
    rels, chars, _tags, _ = wrangle_pairings("Jack, Ianto; Jack/Ianto")
    assert rels == [("Jack/Ianto", "/")] and chars == ["Jack", "Ianto"]
    rels, chars, tags, notes = wrangle_pairings("implied Sam & Dean, Castiel-centric")
    assert rels == [("Sam & Dean", "&")] and chars == ["Castiel"] and "Castiel-centric" in tags
    assert wrangle_pairings("gen")[0] == [] and wrangle_pairings("none")[0] == []


def test_labels() -> None:
    assert label_key("Characters/Pairings") == "characters_pairings"
    assert label_key("Tilte") == "title" and label_key("Raiting") == "rating"
    assert label_key("Beta'd by") == "beta" and label_key("Word Count") == "words"
    fields = split_fields("Fandom: Buffy. Characters: Spike, Xander. Rating: PG")
    assert fields is not None
    assert [(f.key, f.value) for f in fields] == [("fandom", "Buffy"), ("characters", "Spike, Xander"),
                                                 ("rating", "PG")]
    assert split_fields("He said - nothing at all") is None
    assert split_fields("Title : X")[0].value == "X"  # type: ignore[index]
    assert split_fields("TITLE:X")[0].value == "X"  # type: ignore[index]


def test_word_counting() -> None:
    assert count_words("Don't stop — well-known words... 42") == 5
    assert count_words("") == 0
