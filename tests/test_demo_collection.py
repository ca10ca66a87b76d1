"""The demo collection (``src/fanshelf/examples``): what every new user sees first must keep its promises.

Each post parses into the works it means (title, creators, fandoms, rating), and the whole folder
imports with no failures into an archive with several fandoms, challenges, a prompt filled three
times, a named series in order, a multi-work post and a story posted in three parts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import fanshelf
from fanshelf.pipeline import parse_file

EXAMPLES = Path(fanshelf.__file__).resolve().parent / "examples"

TW, DW, SGA, SH = "Torchwood", "Doctor Who", "Stargate Atlantis", "Sherlock (TV)"
DS9, BTVS, HP = "Star Trek: Deep Space Nine", "Buffy the Vampire Slayer", "Harry Potter - J. K. Rowling"
G, T, M, E = "General Audiences", "Teen And Up Audiences", "Mature", "Explicit"

# file -> the works it holds: (title, creators, fandoms, rating)
EXPECTED: dict[str, list[tuple[str, list[str], list[str], str]]] = {
    "01-tw-tea-at-midnight.txt": [("Tea at Midnight", ["kettleandrift"], [TW], G)],
    "02-tw-sunday-roast-dashes.txt": [("Sunday Roast", ["pennywhistle"], [TW], G)],
    "03-tw-harbour-lights-1-low-tide.htm": [("Low Tide", ["owlery_lane"], [TW], G)],
    "04-tw-harbour-lights-2-slack-water.txt": [("Slack Water", ["owlery_lane"], [TW], T)],
    "05-tw-harbour-lights-3-spring-tide.htm": [("Spring Tide", ["owlery_lane"], [TW], T)],
    "06-tw-lighthouse-drabble.txt": [("Keeper", ["kettleandrift"], [TW], G)],
    "07-dw-four-companions-drabbles.txt": [
        ("Temp", ["tardis_in_the_attic"], [DW], G),
        ("Night Shift", ["tardis_in_the_attic"], [DW], G),
        ("Chips", ["tardis_in_the_attic"], [DW], G),
        ("Fish Custard, Again", ["tardis_in_the_attic"], [DW], G),
    ],
    "08-dw-femslash-week-borrowed-coat.html": [("Borrowed Coat", ["starlit_scribbler"], [DW], T)],
    "09-dw-clockmakers-apprentice-1-of-4.txt": [("The Clockmaker's Apprentice", ["quietcartographer"], [DW], T)],
    "10-sga-salt-road-part-1.txt": [("The Salt Road", ["kestrel_writes"], [SGA], T)],
    "11-sga-salt-road-part-2.txt": [("The Salt Road", ["kestrel_writes"], [SGA], T)],
    "12-sga-salt-road-part-3.txt": [("The Salt Road", ["kestrel_writes"], [SGA], T)],
    "13-sga-lost-and-found-allcaps.txt": [("What the Tide Leaves", ["mossandmarigold"], [SGA], G)],
    "14-sga-lighthouse-drabble.txt": [("Beacon", ["lindenleaf"], [SGA], G)],
    "15-sherlock-the-kettle-disclaimer.txt": [("the kettle is a crime scene", ["penny_dreadful77"], [SH], G)],
    "16-sherlock-mrs-hudson-typos.html": [("The Upstairs Tenants", ["halcyon_daze"], [SH], G)],
    "17-sherlock-german-molly.txt": [("Drei Tassen Kaffee", ["lindenleaf"], [SH], G)],
    "18-sherlock-paperwork-posted-twice.txt": [("Paperwork", ["grumpy_gremlin"], [SH], G)],
    "19-ds9-storyinfo-plain-simple.html": [("Plain, Simple", ["Velvet Fog"], [DS9], M)],
    "20-ds9-kira-odo-one-line-labels.txt": [("Shapes", ["ficmonkey"], [DS9], G)],
    "21-ds9-jadzia-kira-columns.txt": [("The Long Game", ["tealights"], [DS9], T)],
    "22-go-yaml-front-matter.txt": [("Six Thousand Years of Breakfast", ["inkstained_owl"], ["Good Omens (TV)"], E)],
    "23-go-rain-ficlet.htm": [("Forecast", ["mossandmarigold"], ["Good Omens - Neil Gaiman & Terry Pratchett"], G)],
    "24-btvs-willow-tara-lj.htm": [("Seed Catalogue", ["rubberduckie_fic"], [BTVS], T)],
    "25-btvs-giles-dawn-one-line.txt": [("Tea and Sympathy", ["bookwyrm_ellie"], [BTVS], G)],
    "26-btvs-spanish-faith.txt": [("La última patrulla", ["halcyon_daze"], [BTVS], T)],
    "27-hp-herbology-cp1252.txt": [("Herbology for Beginners", ["thistledown"], [HP], G)],
    "28-hp-burrow-separate-lines.txt": [("The Clock at the Burrow", ["tealights"], [HP], G)],
    "29-hp-ffnet-mcgonagall.txt": [("The Transfiguration of Teacups", ["quietcartographer"], [HP], G)],
    "30-merlin-lanterns.html": [("Lanterns", ["camelot_ink"], ["Merlin (TV)"], T)],
    "31-orig-mapmakers-daughter.html": [("The Mapmaker's Daughter", ["Wren Ashdown"], ["Original Work"], G)],
    "32-orig-last-train.txt": [("The Last Train to Harwick", ["sparrowgrass"], ["Original Work"], M)],
    "33-tw-dw-crossover-waiting-room.txt": [("The Waiting Room", ["tardis_in_the_attic"], [DW, TW], G)],
}

SALT_ROAD = ["10-sga-salt-road-part-1.txt", "11-sga-salt-road-part-2.txt", "12-sga-salt-road-part-3.txt"]
LIGHTHOUSE_FILLS = {"Keeper", "Night Shift", "Beacon"}  # drabble_a_day prompt #47, three posts, three fandoms


def post_files() -> list[str]:
    return sorted(p.name for p in EXAMPLES.iterdir() if p.suffix in {".txt", ".html", ".htm", ".md"})


def test_the_folder_holds_exactly_the_expected_posts() -> None:
    assert post_files() == sorted(EXPECTED)
    assert len(EXPECTED) >= 32
    assert (EXAMPLES / "README.rst").is_file()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_post_parses_into_its_intended_works(name: str) -> None:
    works = parse_file(EXAMPLES / name)
    got = [(w.title, w.creators, w.fandoms, w.rating) for w in works]
    assert got == EXPECTED[name]
    for w in works:
        assert w.chapters and w.word_count >= 90, "every work has a real story"
        assert w.header, "the header was read"
        text = "\n".join(c.text for c in w.chapters)
        for junk in ("Title:", "Rating:", "Feedback is", "Tags:", "~fin~", "<script", "lj-cut"):
            assert junk not in text, f"{junk!r} leaked into the story of {w.title!r}"


def test_collection_spread() -> None:
    works = [w for name in EXPECTED for w in parse_file(EXAMPLES / name)]
    creators = {c for w in works for c in w.creators}
    years = {int(w.published[:4]) for w in works if w.published}
    assert len(creators) >= 8
    assert min(years) == 2003 and max(years) == 2015
    assert {"English", "Español", "Deutsch"} <= {w.language for w in works}
    assert {G, T, M, E} <= {w.rating for w in works}
    assert sum(w.word_count for w in works) >= 15_000
    assert sum("Major Character Death" in w.archive_warnings for w in works) >= 2
    assert sum(w.archive_warnings == ["No Archive Warnings Apply"] for w in works) >= 10


def test_shapes_the_collection_exercises() -> None:
    def one(name: str):  # type: ignore[no-untyped-def]
        (w,) = parse_file(EXAMPLES / name)
        return w

    assert "decoded as windows-1252" in one("27-hp-herbology-cp1252.txt").warnings
    assert "\u201c" in one("27-hp-herbology-cp1252.txt").chapters[0].text  # curly quotes survive decoding
    assert "second copy of the header and story removed" in one("18-sherlock-paperwork-posted-twice.txt").warnings
    assert one("16-sherlock-mrs-hudson-typos.html").characters[0] == "Mrs. Hudson (Sherlock Holmes)"  # "Charaters:"
    assert one("15-sherlock-the-kettle-disclaimer.txt").relationships == ["Sherlock Holmes/John Watson"]
    assert one("05-tw-harbour-lights-3-spring-tide.htm").archive_warnings == ["Major Character Death"]
    assert one("04-tw-harbour-lights-2-slack-water.txt").relationships == [
        "Owen Harper/Toshiko Sato", "Jack Harkness/Ianto Jones"]
    assert one("26-btvs-spanish-faith.txt").language == "Español"
    assert one("17-sherlock-german-molly.txt").language == "Deutsch"
    wip = one("09-dw-clockmakers-apprentice-1-of-4.txt").series_part
    assert wip is not None and (wip.part, wip.of) == (1, 4)
    ch = one("13-sga-lost-and-found-allcaps.txt").challenge
    assert ch is not None and (ch.community, ch.number, ch.prompt) == ("sga_flashfic", "212", "lost and found")
    ch = one("08-dw-femslash-week-borrowed-coat.html").challenge
    assert ch is not None and (ch.community, ch.prompt) == ("dw_femslash_week", "borrowed clothes")


def test_the_three_part_story_parses_as_parts_one_two_three() -> None:
    parts = [parse_file(EXAMPLES / name) for name in SALT_ROAD]
    for i, (w,) in enumerate(parts, 1):
        assert w.title == "The Salt Road" and w.creators == ["kestrel_writes"]
        assert w.series_part is not None and (w.series_part.part, w.series_part.of) == (i, 3)


def test_the_multi_work_post_gives_four_drabbles_with_their_own_prompts() -> None:
    works = parse_file(EXAMPLES / "07-dw-four-companions-drabbles.txt")
    assert [w.word_count for w in works] == [100, 100, 100, 100]
    assert [(w.challenge.community, w.challenge.number) for w in works if w.challenge] == [
        ("drabble_a_day", "31"), ("drabble_a_day", "47"), ("drabble_a_day", "8"), ("drabble_a_day", "52")]
    assert [w.characters[0] for w in works] == ["Donna Noble", "Martha Jones", "Rose Tyler", "Amy Pond (Doctor Who)"]


# ----------------------------------------------------------------------------- the archive
def test_the_demo_collection_imports_and_keeps_its_promises(archive: object) -> None:
    from fanshelf.archive.importer import Importer
    from fanshelf.archive.models import CollectionItem, Prompt, Series, Tag, Work
    from fanshelf.archive.queries import works_for_prompt

    report = Importer(sync_search=False).import_paths([EXAMPLES])
    assert report.failed == 0, [(r.location, r.reason) for r in report.results if r.outcome == "failed"]
    by_name = {Path(r.location).name: r for r in report.results}
    assert sorted(by_name) == sorted(EXPECTED)  # >= 30 source posts, every one imported
    assert [Path(p).name for p in report.skipped] == ["README.rst"]

    # each post's intended titles are there
    for name, works in EXPECTED.items():
        titles = set(Work.objects.filter(id__in=by_name[name].work_ids).values_list("title", flat=True))
        assert {t for t, *_ in works} == titles, name

    # at least five fandoms with works
    fandoms = set(Tag.objects.filter(type="Fandom", taggings__isnull=False).values_list("name", flat=True))
    assert {TW, DW, SGA, SH, DS9, BTVS, HP, "Original Work"} <= fandoms

    # several challenge collections; one prompt filled by three works from three posts
    collections = set(CollectionItem.objects.values_list("collection__name", flat=True))
    assert {"drabble_a_day", "sga_flashfic", "dw_femslash_week", "ds9_ficathon", "good_omens_ficlets"} <= collections
    lighthouse = Prompt.objects.get(collection__name="drabble_a_day", number="47")
    assert lighthouse.text == "Lighthouse"
    assert {i.work.title for i in lighthouse.fills.select_related("work")} == LIGHTHOUSE_FILLS
    assert {w["title"] for w in works_for_prompt("lighthouse", "47")} == LIGHTHOUSE_FILLS

    # the named series, in order
    series = Series.objects.get(title="Harbour Lights")
    parts = [(sw.position, sw.work.title) for sw in series.serial_works.select_related("work").order_by("position")]
    assert parts == [(1, "Low Tide"), (2, "Slack Water"), (3, "Spring Tide")]

    # the multi-work post
    assert by_name["07-dw-four-companions-drabbles.txt"].works == 4

    # the story posted in three parts: every part imported, under the one title
    for name in SALT_ROAD:
        assert by_name[name].outcome == "created"
        assert set(Work.objects.filter(id__in=by_name[name].work_ids).values_list("title", flat=True)) == {
            "The Salt Road"}
