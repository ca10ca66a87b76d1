"""The web pages' finish: chapter headings that do not repeat themselves, notes without their typed
label, stats that keep label and value together, the tag page's box, the home page's order."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

STATIC = Path(__file__).resolve().parent.parent / "src" / "fanshelf" / "web" / "static" / "fanshelf"
TEMPLATES = STATIC.parent.parent / "templates"


def work_id(client: Any, title: str) -> int:
    import json

    return next(w["id"] for w in json.loads(client.get("/works.json").content)["works"] if w["title"] == title)


# ------------------------------------------------------------------------------------ chapter headings

@pytest.mark.parametrize(("position", "title", "heading"), [
    (2, "The Roof", "Chapter 2: The Roof"),
    (2, "", "Chapter 2"),
    (2, "   ", "Chapter 2"),
    (1, "Chapter One", "Chapter One"),
    (3, "Chapter Three", "Chapter Three"),
    (1, "Chapter One: Ten Past Four", "Chapter One: Ten Past Four"),
    (21, "Chapter Twenty-One", "Chapter Twenty-One"),
    (2, "Chapter 2", "Chapter 2"),
    (2, "CHAPTER II", "CHAPTER II"),
    (4, "Ch. 4 - The Stairs", "Ch. 4 - The Stairs"),
    (9, "Chapter the Last", "Chapter the Last"),
    (2, "Part 2", "Part 2"),  # a story put together from parts posted separately
    (4, "Part IV", "Part IV"),
    (2, "Book Two: Ice", "Book Two: Ice"),
    (2, "2. The Roof", "Chapter 2: The Roof"),  # its own number in front: said once
    (3, "2. The Roof", "Chapter 3: 2. The Roof"),  # another number: kept
    (1, "Partings", "Chapter 1: Partings"),  # words that merely begin like "Part"/"Chapter"
    (1, "Chapterhouse", "Chapter 1: Chapterhouse"),
    (1, "Part Ivy", "Chapter 1: Part Ivy"),
    (1, "Part One's End", "Chapter 1: Part One's End"),
    (5, "1984", "Chapter 5: 1984"),
])
def test_chapter_heading(position: int, title: str, heading: str) -> None:
    from fanshelf.web.render import chapter_heading

    assert chapter_heading(position, title) == heading


def test_work_page_does_not_say_chapter_twice(site, client) -> None:  # type: ignore[no-untyped-def]
    from fanshelf.archive.models import Chapter, Work

    wid = work_id(client, "Lamplight")
    Chapter.objects.filter(work_id=wid, position=1).update(title="Chapter One")
    Chapter.objects.filter(work_id=wid, position=2).update(title="Part 2")
    Work.objects.filter(id=wid).update(revision=41)
    for url in (f"/works/{wid}", f"/works/{wid}?view=full"):
        html = client.get(url).content.decode()
        assert "Chapter 1: Chapter One" not in html and "Chapter 2: Part 2" not in html
        assert f'<a href="/works/{wid}/chapters/1" aria-current="page">Chapter One</a>' in html or \
            '<a href="#chapter-1">Chapter One</a>' in html
        assert '<h2 class="chapter-title" id="chapter-1-title">Chapter One</h2>' in html
    assert ">Part 2</a>" in client.get(f"/works/{wid}").content.decode()  # the chapter index


# ------------------------------------------------------------------------------------------------ notes

NOTES_POST = """Title: The Night Porter
Author: quiet_tester
Fandom: Torchwood
Rating: G
Notes: A/N: Written on the night bus home.

Ianto counted the stopwatches twice, because once was never enough for a man who liked things tidy.

He left the third one running, just to see who would notice.

End notes: Thanks for reading this far!
"""


def test_the_wrangler_drops_a_typed_label_in_front_of_notes() -> None:
    from fanshelf.pipeline import parse_bytes
    from fanshelf.wrangle import strip_note_label

    (w,) = parse_bytes(NOTES_POST)
    assert w.notes == "Written on the night bus home."
    assert w.end_notes == "Thanks for reading this far!"
    cases = {"End notes: Thanks!": "Thanks!", "Endnotes:\nThanks": "Thanks", "A/N: a": "a", "A.N. - b": "b",
             "AN: c": "c", "Author's Note: d": "d", "Authors notes: e": "e", "Author\u2019s notes \u2014 f": "f",
             "Final notes: g": "g", "Note: h": "h", "End Note: ": "",
             # not labels
             "Notes-wise, fine": "Notes-wise, fine", "Note to self: buy milk": "Note to self: buy milk",
             "Anne: hello": "Anne: hello", "An apple a day": "An apple a day", "Notable: yes": "Notable: yes"}
    for given, want in cases.items():
        assert strip_note_label(given) == want, given


def test_notes_imported_with_their_label_show_it_once(site, client) -> None:  # type: ignore[no-untyped-def]
    from fanshelf.archive.models import Work

    wid = work_id(client, "Lamplight")
    Work.objects.filter(id=wid).update(notes="Author's note: For a friend.", end_notes="End notes: Thank you.",
                                       revision=42)
    one = client.get(f"/works/{wid}").content.decode()
    assert '<h2 id="notes-heading">Notes:</h2><blockquote class="userstuff"><p>For a friend.</p>' in one
    two = client.get(f"/works/{wid}/chapters/2").content.decode()
    assert '<h2 id="end-notes-heading">End notes:</h2><blockquote class="userstuff"><p>Thank you.</p>' in two
    assert "End notes: Thank you" not in two
    # the JSON keeps what is stored
    assert client.get(f"/works/{wid}.json").json()["end_notes"] == "End notes: Thank you."


# ------------------------------------------------------------------------------------------------ stats

def test_stats_keep_each_label_with_its_value(site, client) -> None:  # type: ignore[no-untyped-def]
    listing = client.get("/works").content.decode()
    assert re.search(r"<div><dt>Chapters:</dt><dd>\d+/[\d?]+</dd></div>", listing)
    assert "<div><dt>Words:</dt><dd>" in listing
    page = client.get(f"/works/{work_id(client, 'Lamplight')}").content.decode()
    stats = page[page.index('<dl class="stats">'):page.index("</dl></dd>")]
    pairs = re.findall(r"<div><dt>([^<]+):</dt><dd>", stats)
    assert pairs[:1] == ["Published"] and "Words" in pairs and "Chapters" in pairs
    assert stats.count("<dt>") == len(pairs)  # every pair wrapped
    css = (STATIC / "fanshelf.css").read_text()
    assert re.search(r"dl\.stats > div \{[^}]*white-space: nowrap", css)


# ---------------------------------------------------------------------------------------------- search

def test_search_sort_choices_fit_a_phone(site, client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/search").content.decode()
    select = html[html.index('<select id="s-sort"'):]
    options = re.findall(r"<option[^>]*>([^<]*)</option>", select[:select.index("</select>")])
    assert options[0] == "Automatic" and len(options) == 11
    assert max(map(len, options)) <= 20, options
    assert 'aria-describedby="s-sort-hint"' in html and 'id="s-sort-hint"' in html


# --------------------------------------------------------------------------------------------- tag page

def test_tag_page_has_its_relations_beside_the_works(site, client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/tags/Doctor%20Who").content.decode()
    box = html[html.index('<aside class="tag-box box"'):html.index("</aside>")]
    assert "<dt>Sub tags</dt>" in box and 'href="/tags/Torchwood">Torchwood</a>' in box
    assert 'href="/works?include=Doctor%20Who"' in box
    # block it from here: a CSRF-protected form that comes back to this page
    assert 'name="csrfmiddlewaretoken"' in box and 'name="next" value="/tags/Doctor%20Who"' in box
    assert html.index("</aside>") < html.index('<ol class="work index">')  # phones: the box, then the works
    assert '<h1 id="tag-heading">Doctor Who</h1>' in html
    r = client.post("/blocklist", {"tag": "Doctor Who", "action": "add", "next": "/tags/Doctor%20Who"})
    assert r.status_code == 302 and r["Location"] == "/tags/Doctor%20Who"
    # a tag with no relations says so instead of an empty box
    plain = client.get("/tags/Angst").content.decode()
    assert "No synonyms, meta tags or sub tags." in plain


# -------------------------------------------------------------------------------------------- home page

def test_home_puts_fandoms_and_challenges_before_the_recent_works(site, client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/").content.decode()
    assert html.index('id="fandoms-heading"') < html.index('id="challenges-heading"') < html.index(
        'id="recent-heading"')
    css = (STATIC / "fanshelf.css").read_text()
    # wide screens: the side column on the right of the recent works
    assert ".home-side { grid-column: 2; grid-row: 1; }" in css


def test_tag_links_leave_room_to_tap(site) -> None:  # type: ignore[no-untyped-def]
    css = (STATIC / "fanshelf.css").read_text()
    rule = re.search(r"ul\.commas a, ul\.tags a\.tag \{([^}]*)\}", css)
    assert rule and "display: inline-block" in rule.group(1) and "padding: 0.15rem 0" in rule.group(1)
