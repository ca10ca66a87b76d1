"""Regression tests for parser and wrangler weaknesses met while writing the demo collection.

Every fixture here is written for this file. Each test names the weakness it pins down (numbered as in
the report that listed them).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanshelf.model import Work
from fanshelf.parse.labels import split_fields
from fanshelf.parse.notes import footer_kind, is_end_mark
from fanshelf.parse.values import find_challenge, find_recipient, parse_subject
from fanshelf.pipeline import parse_bytes
from fanshelf.wrangle import wrangle_pairings
from fanshelf.wrangle.vocab import map_genre, map_rating, map_warnings

STORY = "The kettle clicked off in the empty hub.\n\nNobody came to pour it, so the tea went cold.\n"


def one(text: str, source: str = "post.txt") -> Work:
    works = parse_bytes(text, source=source)
    assert len(works) == 1, [w.title for w in works]
    return works[0]


def header(*lines: str) -> str:
    return "\n".join(lines) + "\n\n" + STORY


def story_text(w: Work) -> str:
    return "\n\n".join(ch.text for ch in w.chapters)


# ----------------------------------------------------------------------------- 1, 2: Series labels
def test_series_label_with_a_part_number_is_a_series_not_a_fandom() -> None:
    w = one(header("Title: Ebb", "Author: gullwing", "Fandom: Torchwood", "Series: Tidewater, part 2",
                   "Rating: PG"))
    assert w.fandoms == ["Torchwood"]
    assert w.series_part is not None
    assert (w.series_part.title, w.series_part.part) == ("Tidewater", 2)


def test_series_label_naming_a_known_fandom_stays_a_fandom() -> None:
    w = one(header("Title: Ebb", "Author: gullwing", "Series: Buffy", "Rating: PG"))
    assert w.fandoms == ["Buffy the Vampire Slayer"]
    assert w.series_part is None


def test_series_label_naming_no_fandom_beside_a_fandom_label_is_the_series() -> None:
    w = one(header("Title: Ebb", "Author: gullwing", "Fandom: Torchwood", "Series: Tidewater", "Part: 3 of 5",
                   "Rating: PG"))
    assert w.fandoms == ["Torchwood"]
    assert w.series_part is not None
    assert (w.series_part.title, w.series_part.part, w.series_part.of) == ("Tidewater", 3, 5)


def test_named_series_without_a_part_number_is_kept() -> None:
    w = one(header("Title: Ebb", "Author: gullwing", "Fandom: Torchwood", "Series: Tidewater", "Rating: PG"))
    assert w.fandoms == ["Torchwood"]
    assert w.series_part is not None
    assert (w.series_part.title, w.series_part.part, w.series_part.of) == ("Tidewater", None, None)


def test_part_of_series_drops_its_own_part_number_when_another_field_gives_the_part() -> None:
    w = one(header("Title: Ebb", "Author: gullwing", "Fandom: Torchwood", "Part of series: Tidewater, part 1",
                   "Part: 2", "Rating: PG"))
    assert w.series_part is not None
    assert (w.series_part.title, w.series_part.part) == ("Tidewater", 2)


# ----------------------------------------------------------------------------- 3, 4: qualifiers and phrases
def test_hyphenated_qualifier_and_trailing_hedge_are_notes_not_names() -> None:
    rels, chars, tags, notes = wrangle_pairings("pre-Owen/Tosh, if you squint")
    assert rels == [("Owen/Tosh", "/")]
    assert chars == []
    assert "Pre-Relationship" in tags
    assert "if you squint" in notes


def test_qualifier_followed_by_a_hedge_leaves_no_character() -> None:
    rels, chars, tags, notes = wrangle_pairings("john/sherlock, pre-slash if you like")
    assert rels == [("john/sherlock", "/")]
    assert chars == []
    assert tags == ["Pre-Slash"]
    assert notes == ["pre-slash if you like"]


def test_hedge_after_a_pairing_is_moved_aside() -> None:
    rels, chars, _tags, notes = wrangle_pairings("Jack/Ianto sort of, Gwen briefly")
    assert rels == [("Jack/Ianto", "/")]
    assert chars == ["Gwen"]
    assert notes == ["Jack/Ianto sort of", "Gwen briefly"]


def test_hyphenated_setting_words_are_not_qualifiers() -> None:
    rels, _chars, _tags, _notes = wrangle_pairings("Post-Hogwarts Harry/Draco")
    assert rels == [("Post-Hogwarts Harry/Draco", "/")]


def test_phrases_around_names_in_a_character_list() -> None:
    w = one(header("Title: Ebb", "Author: gullwing", "Fandom: Torchwood", "Rating: PG",
                   "Characters: Ianto, a little bit of Gwen, a brief cameo from Rhys"))
    assert w.characters == ["Ianto Jones", "Gwen Cooper", "Rhys Williams (Torchwood)"]
    assert "a little bit of Gwen" in w.extra["Pairing notes"]
    assert "a brief cameo from Rhys" in w.extra["Pairing notes"]


def test_cameo_phrase_resolves_a_surname_in_its_fandom() -> None:
    w = one(header("Title: Lab Hours", "Author: gullwing", "Fandom: SGA", "Rating: G",
                   "Characters: Teyla, a cameo by Zelenka"))
    assert w.characters == ["Teyla Emmagan", "Radek Zelenka"]


# ----------------------------------------------------------------------------- 5: hedged genre words
def test_hedged_hurt_comfort_is_one_tag() -> None:
    assert map_genre("hurt/comfort-ish, angst") == ([], ["hurt/comfort", "angst"])
    w = one(header("Title: Ebb", "Author: gullwing", "Fandom: Torchwood", "Rating: PG",
                   "Genre: hurt/comfort-ish, romance/humour"))
    assert w.additional_tags[0] == "Hurt/Comfort"
    assert "Hurt" not in w.additional_tags and "comfort-ish" not in w.additional_tags


# ----------------------------------------------------------------------------- 6: footers
def test_footer_marks_in_several_languages_and_shapes() -> None:
    for end in ("~fin~", "ENDE", "[continued in part 2]", "To be continued in part 2!", "TBC", "(to be continued)"):
        assert footer_kind(end) == "end", end
        assert is_end_mark(end), end
    assert footer_kind("Next: The Long Way Round") == "archive"
    assert footer_kind("Kommentare sind Liebe!") == "feedback"
    assert footer_kind("Continued in the morning, the rain was worse.") != "end"
    assert footer_kind("The end of the pier was slick with rain.") is None


def test_fin_and_next_link_leave_the_story() -> None:
    w = one(header("Title: Ebb", "Author: gullwing", "Fandom: Torchwood", "Rating: PG")
            + "\n~fin~\n\nNext: Flood Tide\n")
    assert story_text(w) == STORY.strip()
    assert w.extra["Next"] == "Flood Tide"


def test_german_end_mark_and_feedback_request() -> None:
    w = one(header("Titel: Ebbe", "Autor: gullwing", "Fandom: Torchwood", "Rating: PG")
            + "\nENDE\n\nKommentare sind Liebe!\n")
    assert story_text(w) == STORY.strip()
    assert w.end_notes == "Kommentare sind Liebe!"


def test_to_be_continued_leaves_the_story() -> None:
    for tail in ("[continued in part 2]", "To be continued in part 2!"):
        w = one(header("Title: Ebb", "Author: gullwing", "Fandom: Torchwood", "Rating: PG") + "\n" + tail + "\n")
        assert story_text(w) == STORY.strip(), tail


def test_mail_signature_is_kept_aside() -> None:
    w = one(header("Title: Ebb", "Author: gullwing", "Fandom: Torchwood", "Rating: PG")
            + "\n--\ngullwing\nhttp://gullwing.example.net/\n")
    assert story_text(w) == STORY.strip()
    assert w.extra["Signature"] == "gullwing\nhttp://gullwing.example.net/"


def test_a_long_passage_after_a_double_dash_is_not_a_signature() -> None:
    tail = "\n".join(f"Line {i} of the last scene, which goes on." for i in range(6))
    w = one(header("Title: Ebb", "Author: gullwing", "Fandom: Torchwood", "Rating: PG") + "\n--\n" + tail + "\n")
    assert "Line 5 of the last scene" in story_text(w)
    assert "Signature" not in w.extra


# ----------------------------------------------------------------------------- 7: mail headers
MAIL = """From: Gull Wing <gullwing@example.net>
To: tidefic@lists.example.net
Subject: [tide_fic] NEW: Flood Tide (2/3) [Owen/Tosh, PG-13]
Date: Tue, 14 Aug 2007 08:15:00 +0100

Title: Flood Tide
Author: gullwing
Fandom: Torchwood
Rating: PG-13

--

""" + STORY


def test_mail_header_block_is_read_not_a_second_work() -> None:
    w = one(MAIL)
    assert w.title == "Flood Tide"
    assert w.creators == ["gullwing"]
    assert w.fandoms == ["Torchwood"]
    assert w.published == "2007-08-14"
    assert w.extra["Community"] == "tide_fic"
    assert w.series_part is not None and (w.series_part.part, w.series_part.of) == (2, 3)
    assert story_text(w) == STORY.strip()  # the bare "--" under the header is gone


def test_mail_subject_fills_in_what_the_header_leaves_out() -> None:
    w = one("From: Gull Wing <gullwing@example.net>\nSubject: Re: [tide_fic] FIC: Slack Water (PG)\n"
            "Date: 2 March 2005\n\nFandom: Torchwood\nPairing: Owen/Tosh\n\n" + STORY)
    assert w.title == "Slack Water"
    assert w.creators == ["Gull Wing"]  # nobody else is named: the sender
    assert w.rating == "General Audiences"
    assert w.published == "2005-03-02"
    assert w.extra["Community"] == "tide_fic"


def test_a_letter_opening_a_story_is_not_a_mail_header() -> None:
    text = ("To: whoever finds this\nFrom: the keeper of the north light\n"
            "The lamp went out again last night, and I am writing by candle.\n\nThe gulls have been no help.\n")
    w = one(text)
    assert w.title == "Untitled Imported Work"
    assert w.creators == []
    assert story_text(w) == text.strip()


# ----------------------------------------------------------------------------- 8: bylines
def test_byline_with_date_on_the_next_line_and_subject_after_it() -> None:
    w = one("gullwing wrote in tide_fic,\n@ 2008-11-02 21:40:00\n\nFic: Neap (PG)\n\n"
            "Title: Neap\nFandom: Torchwood\nRating: PG\n\n" + STORY)
    assert w.creators == ["gullwing"]
    assert w.published == "2008-11-02"
    assert w.notes is None  # the subject line is a subject, not a note
    assert w.extra["Community"] == "tide_fic"


def test_byline_with_an_inline_date() -> None:
    w = one("gullwing wrote in tide_fic on November 2nd, 2008\n\nTitle: Neap\nFandom: Torchwood\nRating: PG\n\n"
            + STORY)
    assert w.creators == ["gullwing"]
    assert w.published == "2008-11-02"
    assert w.extra["Community"] == "tide_fic"


# ----------------------------------------------------------------------------- 9: subject-line brackets
def test_subject_brackets_split_into_ratings_pairings_and_the_rest() -> None:
    s = parse_subject("Fic: Lab Hours [Zelenka, gen]")
    assert s is not None and s.tags == ["Zelenka", "gen"]
    s = parse_subject("Fic: Flood Tide [Owen/Tosh, PG-13]")
    assert s is not None and (s.pairing, s.rating, s.tags) == ("Owen/Tosh", "PG-13", None)
    s = parse_subject("[tide_fic] Fic: Flood Tide")
    assert s is not None and (s.community, s.title) == ("tide_fic", "Flood Tide")


def test_subject_bracket_names_are_characters_and_categories() -> None:
    w = one("Fic: Lab Hours [Zelenka, gen]\nFandom: SGA\nRating: G\nAuthor: gullwing\n\n" + STORY)
    assert w.characters == ["Radek Zelenka"]
    assert w.categories == ["Gen"]
    assert w.additional_tags == []
    w = one("Fic: The Beat [Lestrade, Donovan] (PG)\nFandom: Sherlock\nAuthor: gullwing\n\n" + STORY)
    assert w.characters == ["Greg Lestrade", "Sally Donovan"]
    assert w.additional_tags == []


def test_subject_bracket_naming_the_fandom_is_no_tag() -> None:
    w = one("Fic: The Kettle [Sherlock] (PG)\nFandom: Sherlock\nAuthor: gullwing\n\n" + STORY)
    assert w.fandoms == ["Sherlock (TV)"]
    assert w.additional_tags == []


def test_subject_bracket_words_that_are_tags_stay_tags() -> None:
    w = one("Fic: The Kettle [angst, schmoop] (PG)\nFandom: Sherlock\nAuthor: gullwing\n\n" + STORY)
    assert w.additional_tags == ["Angst", "Schmoop"]


# ----------------------------------------------------------------------------- 10: labels in other scripts
def test_label_with_non_ascii_letters_stays_in_the_header() -> None:
    w = one(header("Titel: Ebbe", "Autor: gullwing", "Fandom: Torchwood", "Wörter: ca. 450", "Rating: PG",
                   "Größe: klein"))
    assert w.title == "Ebbe"
    assert w.creators == ["gullwing"]
    assert w.stated_word_count == 450
    assert w.extra["Größe"] == "klein"
    assert story_text(w) == STORY.strip()
    fields = split_fields("Título: La marea")
    assert fields is not None and fields[0].key == "title"


# ----------------------------------------------------------------------------- 11: challenge values
def test_challenge_day_number_and_prompt() -> None:
    ch = find_challenge("fanfic_advent, Day 3: Lanterns", labelled=True)
    assert ch is not None and (ch.community, ch.number, ch.prompt) == ("fanfic_advent", "3", "Lanterns")
    ch = find_challenge("fanfic_advent (Day 12: Snowed in)", labelled=True)
    assert ch is not None and (ch.community, ch.number, ch.prompt) == ("fanfic_advent", "12", "Snowed in")


def test_gift_recipient_is_neither_prompt_nor_community() -> None:
    ch = find_challenge("Gift for pinecone in the smallship_swap 2010", labelled=True)
    assert ch is not None and (ch.community, ch.prompt) == ("smallship_swap", None)
    assert find_recipient("Gift for pinecone in the smallship_swap 2010") == ("pinecone", 0, 17)
    ch = find_challenge("For pinecone, who wanted Jadzia and Kira at a card table.", labelled=True,
                        links=["pinecone"])
    assert ch is not None and (ch.community, ch.prompt) == (None, "Jadzia and Kira at a card table")
    assert find_challenge("For pinecone, who wanted a quiet ending.", links=["pinecone"]) is None
    assert find_recipient("Requested by pinecone.") == ("pinecone", 0, 21)
    assert find_recipient("Written for ds9_holiday_exchange, who asked for snow") is None  # a community


def test_challenge_with_a_year_has_no_prompt() -> None:
    ch = find_challenge("smallship_swap 2010", labelled=True)
    assert ch is not None and (ch.community, ch.prompt) == ("smallship_swap", None)


def test_request_keeps_its_list() -> None:
    ch = find_challenge("Jadzia/Kira, card games, a station power cut", labelled=True)
    assert ch is not None and ch.prompt == "Jadzia/Kira, card games, a station power cut"
    ch = find_challenge("rain, for tide_fic on LJ", labelled=True)  # leftovers after the community still go
    assert ch is not None and (ch.community, ch.prompt) == ("tide_fic", "rain")


def test_community_named_challenge_gives_its_theme_as_prompt() -> None:
    ch = find_challenge("Written for the tide_fic Lost Things challenge", labelled=True)
    assert ch is not None and (ch.community, ch.prompt) == ("tide_fic", "Lost Things")


def test_recipient_label_and_challenge_in_a_header() -> None:
    w = one(header("Title: Tongo Night", "Author: gullwing", "Fandom: DS9", "Rating: G",
                   "Challenge: smallship_swap 2010", "Recipient: pinecone",
                   "Request: Jadzia/Kira, card games, a station power cut"))
    assert w.challenge is not None
    assert (w.challenge.community, w.challenge.prompt) == (
        "smallship_swap", "Jadzia/Kira, card games, a station power cut")
    assert w.extra["Recipient"] == "pinecone"


# ----------------------------------------------------------------------------- 12: a note above a rule
def test_note_for_a_recipient_above_a_rule_is_a_note() -> None:
    w = one("Title: Tongo Night\nAuthor: gullwing\nFandom: DS9\nRating: G\n\n"
            "For pinecone, with thanks for the lovely prompt.\n\n----\n\n" + STORY)
    assert w.notes == "For pinecone, with thanks for the lovely prompt."
    assert story_text(w) == STORY.strip()


def test_story_paragraph_above_a_rule_stays_in_the_story() -> None:
    w = one("Title: Tongo Night\nAuthor: gullwing\nFandom: DS9\nRating: G\n\n"
            "The bar was loud and Quark was louder.\n\n----\n\n" + STORY)
    assert story_text(w).startswith("The bar was loud")


# ----------------------------------------------------------------------------- 13: STORYINFO comments
def test_lowercase_unknown_label_in_a_comment_header_is_its_own_field() -> None:
    doc = ("<html><!-- STORYINFO\ntitle: Hem\nauthor: Grey Heron\nemail: heron@example.org\nfandom: DS9\n"
           "rating: PG\n-->\n<body><h1>Hem</h1><p>Garak pinned the hem and said nothing.</p>"
           "<p>Julian waited him out.</p></body></html>")
    w = one(doc, "hem.html")
    assert w.creators == ["Grey Heron"]
    assert w.extra["email"] == "heron@example.org"


# ----------------------------------------------------------------------------- 14, 15: personal sites and blogs
def test_personal_site_byline_and_rule_under_the_heading() -> None:
    doc = ("<html><body><h1>The Cartographer</h1><p>by Ada Fenwick</p><hr>"
           "<p>Every morning her father drew the coast again.</p><p>Every morning it moved.</p></body></html>")
    w = one(doc, "page.html")
    assert w.title == "The Cartographer"
    assert w.creators == ["Ada Fenwick"]
    assert story_text(w).startswith("Every morning her father")


def test_nav_bar_recogniser() -> None:
    from fanshelf.parse import is_nav_bar

    assert is_nav_bar("Home · Stories · About")
    assert is_nav_bar("Home | Fic | Links | Contact")
    assert not is_nav_bar("Rain · wind · the long road home")
    assert not is_nav_bar("She walked home, and then about the town, and back.")


def test_blog_nav_bar_is_no_title_and_bold_by_is_a_byline() -> None:
    doc = ('<html><body><div><a href="/">Home</a> · <a href="/fic">Stories</a> · <a href="/me">About</a></div>'
           "<h2>Lamplight</h2><p><strong>By</strong> candle_ink</p>"
           "<p><strong>Fandom:</strong> Merlin<br><strong>Rating:</strong> PG</p>"
           "<p>The lamps went out one by one.</p><p>Arthur lit them again.</p></body></html>")
    w = one(doc, "blog.html")
    assert w.title == "Lamplight"
    assert w.creators == ["candle_ink"]
    assert w.notes is None
    assert story_text(w).startswith("The lamps went out")


# ----------------------------------------------------------------------------- 16: FanFiction.net stat line
def test_ffnet_stat_line() -> None:
    w = one("Teacups and Tortoises\nBy: gullwing\n\n"
            "Rated: K+ - English - Humor/Friendship - Hermione G. & Minerva M. - Words: 2,048 - Reviews: 9 - "
            "Published: 06-30-08 - Status: Complete - id: 424242\n\n" + STORY)
    assert w.rating == "General Audiences"
    assert w.stated_word_count == 2048
    assert w.published == "2008-06-30"
    assert w.language == "English"
    assert w.characters == ["Hermione Granger", "Minerva McGonagall"]
    assert w.fandoms == ["Harry Potter - J. K. Rowling"]
    assert w.additional_tags == ["Humor", "Friendship"]


def test_ffnet_stat_line_fields() -> None:
    fields = split_fields("Rated: Fiction T - English - Angst/Hurt/Comfort - [Harry P., Draco M.] Ron W. - "
                          "Chapters: 3 - Words: 9,001 - Published: 12/25/2009")
    assert fields is not None
    got = [(f.key, f.value) for f in fields]
    assert got == [("rating", "Fiction T"), ("language", "English"), ("genre", "Angst, Hurt/Comfort"),
                   ("pairing", "Harry P./Draco M."), ("characters", "Ron W."), (None, "3"), ("words", "9,001"),
                   ("date", "2009-12-25")]


# ----------------------------------------------------------------------------- 17: explained ratings
def test_rating_explanation_does_not_raise_the_rating() -> None:
    assert map_rating("M (for themes, nothing explicit)") == "Mature"
    assert map_rating("PG-13 (for one swear word, not R)") == "Teen And Up Audiences"
    assert map_rating("R - nothing explicit") == "Mature"
    assert map_rating("(R)") == "Mature"
    assert map_rating("PG-13ish") == "Teen And Up Audiences"
    assert map_rating("nothing explicit") == "Not Rated"
    assert map_rating("PG-13/R") == "Mature"


# ----------------------------------------------------------------------------- 18: fandom values
def test_original_fiction_spellings() -> None:
    for value in ("Original", "original fiction", "orig", "Orig fic"):
        w = one(header("Title: Ebb", "Author: gullwing", f"Fandom: {value}", "Rating: PG"))
        assert w.fandoms == ["Original Work"], value


def test_crossover_written_as_one_value() -> None:
    for value in ("Doctor Who / Torchwood", "Doctor Who, Torchwood", "Doctor Who & Torchwood",
                  "Doctor Who and Torchwood (crossover)", "Doctor Who x Torchwood"):
        w = one(header("Title: Ebb", "Author: gullwing", f"Fandom: {value}", "Rating: PG"))
        assert w.fandoms == ["Doctor Who", "Torchwood"], value


# ----------------------------------------------------------------------------- 19: "X fic:" subjects
def test_fic_subject_words_that_describe_the_post_are_no_fandom() -> None:
    w = one("New flash fic: Lanterns (PG)\nFandom: Merlin\nAuthor: gullwing\n\n" + STORY)
    assert w.fandoms == ["Merlin (TV)"]
    w = one("ORIGINAL FIC: The Last Ferry (PG)\nFandom: Merlin\nAuthor: gullwing\n\n" + STORY)
    assert w.fandoms == ["Merlin (TV)"]  # a stated fandom wins over the subject line
    w = one("ORIGINAL FIC: The Last Ferry (PG)\nAuthor: gullwing\nRating: PG\n\n" + STORY)
    assert w.fandoms == ["Original Work"]
    w = one("New SGA fic: Salt (PG)\nAuthor: gullwing\nRating: PG\n\n" + STORY)
    assert w.fandoms == ["Stargate Atlantis"]
    s = parse_subject("Flash Gordon fic: Rockets")
    assert s is not None and s.fandom == "Flash Gordon"


# ----------------------------------------------------------------------------- 20: one chapter heading
def test_chapter_heading_on_top_of_the_story_is_the_chapter_title() -> None:
    w = one(header("Title: Ebb", "Author: gullwing", "Fandom: Torchwood", "Rating: PG")
            .replace("\n\n" + STORY, "\n\nChapter One: Half Past Nine\n\n" + STORY))
    assert w.extra == {}
    assert [c.title for c in w.chapters] == ["Chapter One: Half Past Nine"]
    assert w.chapters[0].text == STORY.strip()
    w = one("Title: Ebb\nAuthor: gullwing\nFandom: Torchwood\nRating: PG\nPart II: The Turn\n\n" + STORY)
    assert [c.title for c in w.chapters] == ["Part II: The Turn"]
    assert "Part II" not in w.extra


# ----------------------------------------------------------------------------- 21: warning qualifiers
def test_parenthesised_warning_qualifiers_are_not_tags() -> None:
    assert map_warnings("Character death (canon, off-page)") == (["Major Character Death"], [])
    assert map_warnings("death fic (canon-compliant)") == (["Major Character Death"], ["canon-compliant"])
    assert map_warnings("violence (not graphic, well, brief)") == (["Graphic Depictions Of Violence"], [])
    assert map_warnings("(violence)") == (["Graphic Depictions Of Violence"], [])
    assert map_warnings("none (well, some gore)") == (["Graphic Depictions Of Violence"], [])
    assert map_warnings("Choose not to warn (noncon)") == (
        ["Creator Chose Not To Use Archive Warnings", "Rape/Non-Con"], [])


# ----------------------------------------------------------------------------- properties of the new recognisers
WORDS = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll"), max_codepoint=0x24F),
                min_size=3, max_size=12)
OPENERS = ["Morning", "Later", "Outside", "Meanwhile", "Afterwards", "Somewhere"]  # paragraphs differ
SENTENCES = st.lists(WORDS, min_size=4, max_size=12).map(lambda ws: " ".join(ws).capitalize() + ".")
MAIL_LINES = st.lists(st.sampled_from([
    "From: {w} <{w}@example.org>", "To: {w}@lists.example.org", "Subject: [{w}_list] NEW: {w} (1/2) [{w}/{w}, PG]",
    "Date: 3 May 2006", "X-Mailer: {w}", "Subject: Re: {w}",
]), min_size=1, max_size=5)
TAILS = st.sampled_from(["", "\n--\n{w}\n", "\n~fin~\n\nNext: {w}\n", "\nTo be continued in part 2!\n", "\nENDE\n",
                         "\n[continued in part 2]\n", "\nKommentare sind Liebe!\n"])
TOPS = st.sampled_from(["", "Home · Stories · About\n\n", "{w} wrote in {w}_fic,\n@ 2007-01-02 10:00:00\n\n",
                        "Rated: K+ - English - Humor - {w} G. - Words: 1,000 - Published: 01-02-07\n\n",
                        "Chapter One: {w}\n\n"])


def _fill(template: str, word: str) -> str:
    return template.replace("{w}", word)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MAIL_LINES, TOPS, st.lists(SENTENCES, min_size=2, max_size=6), TAILS, WORDS)
def test_new_recognisers_never_crash_and_never_lose_story_text(mail: list[str], top: str, paras: list[str],
                                                               tail: str, word: str) -> None:
    head = "\n".join(_fill(m, word) for m in mail) + "\n\n" + _fill(top, word)
    paras = [f"{OPENERS[i]} {p[0].lower()}{p[1:]}" for i, p in enumerate(paras)]
    text = head + "Title: Ebb\nAuthor: gullwing\nFandom: Torchwood\nRating: PG\n\n" + "\n\n".join(paras) + "\n" \
        + _fill(tail, word)
    works = parse_bytes(text)
    assert works
    body = "\n".join(story_text(w) for w in works)
    for p in paras:
        assert p in body, (p, text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_subject_and_challenge_readers_never_raise(text: str) -> None:
    parse_subject(text, mail=True)
    parse_subject(text, require_kind=False)
    find_challenge(text, labelled=True, links=["pinecone"])
    find_recipient(text)
    split_fields("Rated: K+ - " + text)
    wrangle_pairings(text)
    map_rating(text)
    map_warnings(text)


# ----------------------------------------------------------------------------- 22: "Chapter One" under the header
def test_bare_chapter_one_under_the_header_is_a_chapter_when_chapter_two_follows() -> None:
    """"Chapter One" on its own line right after the header was read as a part marker: the work became
    part 1 of a false series named after itself and lost its first chapter heading."""
    second = "The next morning the kettle had been labelled twice.\n"
    for one_, two in (("Chapter One", "Chapter Two"), ("Chapter 1", "Chapter 2"), ("CHAPTER ONE", "Chapter two")):
        w = one(f"Title: Ebb\nAuthor: gullwing\nFandom: Torchwood\nRating: PG\n\n{one_}\n\n{STORY}\n{two}\n\n"
                + second)
        assert w.series_part is None, (one_, w.series_part)
        assert [c.title for c in w.chapters] == [one_, two]
        assert w.chapters[0].text == STORY.strip() and w.chapters[1].text == second.strip()
    # with nothing after it, a bare "Chapter 3" under the header still marks the third post of a story
    w = one("Title: Ebb\nAuthor: gullwing\nFandom: Torchwood\nRating: PG\n\nChapter 3\n\n" + STORY)
    assert w.series_part is not None and w.series_part.part == 3
    # a "Part 1/2" marker stays a part marker
    w = one("Title: Ebb\nAuthor: gullwing\nFandom: Torchwood\nRating: PG\n\nPart 1/2\n\n" + STORY)
    assert w.series_part is not None and (w.series_part.part, w.series_part.of) == (1, 2)
