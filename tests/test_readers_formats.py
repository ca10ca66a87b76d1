"""``fanshelf.ingest.read_posts``: each archive format, sniffed from content, read into exact works."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from fanshelf.ingest import ReadOptions, read_posts, sanitize_html
from fanshelf.ingest.frontmatter import load_mapping
from fanshelf.ingest.sniff import sniff
from fanshelf.model import Work
from fanshelf.pipeline import parse_raw

FORMATS = Path(__file__).parent / "fixtures" / "formats"


def fixture(name: str) -> bytes:
    return (FORMATS / name).read_bytes()


def works_of(data: bytes, source: str = "<test>", **opts: Any) -> list[Work]:
    return [w for raw in read_posts(data, source, options=ReadOptions(**opts)) for w in parse_raw(raw)]


def one(data: bytes, **opts: Any) -> Work:
    works = works_of(data, **opts)
    assert len(works) == 1
    return works[0]


# ----------------------------------------------------------------------------------------------- EPUBs
CONTAINER = """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="{opf}" media-type="application/oebps-package+xml"/></rootfiles>
</container>"""


def make_epub(files: Mapping[str, str | bytes], *, opf: str = "OEBPS/content.opf",
              container: str | bool | None = None,
              mimetype: bytes = b"application/epub+zip") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), mimetype)
        if container is not False:
            zf.writestr("META-INF/container.xml", container if isinstance(container, str) else CONTAINER.format(opf=opf))
        for name, data in files.items():
            zf.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def opf(metadata: str, items: list[tuple[str, str]]) -> str:
    manifest = "".join(f'<item id="{i}" href="{h}" media-type="application/xhtml+xml"/>' for i, h in items)
    spine = "".join(f'<itemref idref="{i}"/>' for i, _ in items)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="2.0" unique-identifier="id">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">{metadata}</metadata>
<manifest>{manifest}</manifest><spine>{spine}</spine></package>"""


def xhtml(body: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head><body>{body}</body></html>"""


def ao3_epub() -> bytes:
    """AO3's EPUB layout: the same preface as the HTML download, one XHTML file per chapter, an afterword."""
    page = fixture("ao3-download.html").decode()
    preface = page[page.index('<div id="preface">'):page.index('<div id="chapters"')]
    chapters = page[page.index('<div id="chapters"'):page.index('<div id="afterword">')]
    afterword = page[page.index('<div id="afterword">'):page.index("</body>")]
    files = {
        "OEBPS/preface.xhtml": xhtml(preface),
        "OEBPS/chapter1.xhtml": xhtml(chapters),
        "OEBPS/afterword.xhtml": xhtml(afterword),
        "OEBPS/content.opf": opf('<dc:title>The Lighthouse Keeper\'s Ledger</dc:title><dc:creator opf:role="aut">'
                                 "quillfeather</dc:creator><dc:language>en</dc:language>",
                                 [("preface", "preface.xhtml"), ("c1", "chapter1.xhtml"), ("after", "afterword.xhtml")]),
    }
    return make_epub(files)


FFF_META = """<dc:title>Ships in the Night</dc:title>
<dc:creator opf:role="aut">harbourmaster</dc:creator>
<dc:subject>FanFiction</dc:subject><dc:subject>Star Trek: The Original Series</dc:subject>
<dc:subject>Teen And Up Audiences</dc:subject><dc:subject>Kirk/Spock</dc:subject>
<dc:subject>Hurt/Comfort</dc:subject><dc:subject>Completed</dc:subject>
<dc:description>&lt;p&gt;Two captains, one &lt;b&gt;harbour&lt;/b&gt;.&lt;/p&gt;</dc:description>
<dc:date opf:event="publication">2014-05-06</dc:date>
<dc:date opf:event="modification">2014-06-01</dc:date>
<dc:language>en</dc:language>
<dc:identifier opf:scheme="URL">https://www.fanfiction.net/s/1234567/1/</dc:identifier>
<dc:source>https://www.fanfiction.net/s/1234567/1/</dc:source>
<meta name="calibre:series" content="Harbour Nights"/>
<meta name="calibre:series_index" content="3.0"/>"""


def fff_epub() -> bytes:
    files = {
        "OEBPS/title_page.xhtml": xhtml("<h3>Ships in the Night</h3><p>by harbourmaster</p><b>Rating:</b> T"),
        "OEBPS/file0001.xhtml": xhtml("<h3>Chapter One: Fog</h3><p>The fog came in over the <i>Enterprise</i>.</p>"),
        "OEBPS/file0002.xhtml": xhtml("<h3>Chapter Two: Bells</h3><p>Spock counted the bells.</p><p>There were eight.</p>"),
        "OEBPS/content.opf": opf(FFF_META, [("t", "title_page.xhtml"), ("f1", "file0001.xhtml"),
                                            ("f2", "file0002.xhtml")]),
    }
    return make_epub(files)


# ----------------------------------------------------------------------------------------------- sniffing
@pytest.mark.parametrize(("name", "kind"), [
    ("ao3-download.html", "ao3-html"),
    ("lj-entry-page.html", "journal-html"),
    ("dw-entry-page.html", "journal-html"),
    ("lj-export.xml", "journal-xml"),
    ("efiction-printable.html", "efiction"),
    ("personal-frontmatter.md", "front-matter"),
])
def test_sniff_by_content(name: str, kind: str) -> None:
    assert sniff(fixture(name)) == kind


def test_sniff_zip_epub_json_and_plain() -> None:
    assert sniff(ao3_epub()) == "epub"
    assert sniff(make_epub({}, mimetype=b"text/plain")) == "zip"
    assert sniff(b'{"format": "fanshelf-works", "version": 1, "works": []}') == "fanshelf-json"
    assert sniff(b'{"format": "something-else"}') == "post"
    assert sniff(b"Title: A\nFandom: B\n\nText.") == "post"
    assert sniff(b"---\n\nNot front matter, a rule.\n---\n") == "post"


# ----------------------------------------------------------------------------------------------- AO3
AO3_EXPECTED: dict[str, Any] = {
    "title": "The Lighthouse Keeper's Ledger",
    "creators": ["quillfeather", "tidewriter"],
    "fandoms": ["Torchwood", "Pride and Prejudice - Jane Austen"],
    "rating": "Teen And Up Audiences",
    "archive_warnings": ["No Archive Warnings Apply"],
    "categories": ["M/M", "Gen"],
    "relationships": ["Jack Harkness/Ianto Jones", "Gwen Cooper & Rhys Williams (Torchwood)"],
    "relationships_raw": ["Jack Harkness/Ianto Jones", "Gwen Cooper & Rhys Williams"],
    "characters": ["Jack Harkness", "Ianto Jones", "Original Characters"],
    "additional_tags": ["Lighthouses", "Fluff and Angst", "Bookkeeping, but make it romantic"],
    "summary": "Ianto keeps the accounts of a lighthouse that should not exist.\n\nJack keeps turning up in them.",
    "notes": "Written for the winter fest. Thanks to my patient beta.",
    "end_notes": "Thank you for reading to the last column.",
    "language": "English",
    "stated_word_count": 1024,
    "published": "2012-12-01",
}


def _check_ao3(w: Work) -> None:
    d = w.to_dict()
    for key, value in AO3_EXPECTED.items():
        assert d[key] == value, key
    assert d["series_part"] == {"title": "Coastal Records", "part": 2, "of": None}
    assert d["extra"]["Updated"] == "2012-12-08"
    assert d["extra"]["Chapters"] == "2/2"
    assert d["challenge"] == {"community": "Torchwood Winter Fest 2012", "prompt": None, "number": None}
    assert [c.title for c in w.chapters] == ["Debits", "Credits"]  # the "Chapter N: " prefix stripped
    assert w.chapters[0].html == (
        "<p><em>Chapter notes:</em></p>\n<p>The first column.</p>\n"
        "<p>The ledger was bound in green cloth and smelled of <em>salt</em>.</p>\n"
        "<p>Ianto wrote the date at the top of the page, then the weather, then nothing at all.</p>\n"
        "<p><em>Chapter end notes:</em></p>\n<p>More soon.</p>")
    assert w.chapters[1].html == (
        "<p>By the second week the columns balanced, which was how he knew something was wrong.</p>\n<hr />\n"
        "<p>Jack signed the last line with a flourish that took up half the page.</p>")


def test_ao3_html_download() -> None:
    w = one(fixture("ao3-download.html"))
    _check_ao3(w)
    assert w.extra["Source"] == "https://archiveofourown.org/works/4242424"


def test_ao3_epub_reads_like_the_html_download() -> None:
    w = one(ao3_epub())
    _check_ao3(w)


def test_fanficfare_epub() -> None:
    w = one(fff_epub())
    assert w.title == "Ships in the Night"
    assert w.creators == ["harbourmaster"]
    assert w.fandoms == ["Star Trek: The Original Series"]
    assert w.rating == "Teen And Up Audiences"
    assert w.relationships == ["James T. Kirk/Spock"]
    assert w.additional_tags == ["Hurt/Comfort"]
    assert w.summary == "Two captains, one harbour."
    assert w.published == "2014-05-06"
    assert w.extra["Updated"] == "2014-06-01"
    assert w.extra["Source"] == "https://www.fanfiction.net/s/1234567/1/"
    assert w.series_part is not None and (w.series_part.title, w.series_part.part) == ("Harbour Nights", 3)
    assert [(c.title, c.html) for c in w.chapters] == [
        ("Chapter One: Fog", "<p>The fog came in over the <i>Enterprise</i>.</p>"),
        ("Chapter Two: Bells", "<p>Spock counted the bells.</p>\n<p>There were eight.</p>"),
    ]


# ----------------------------------------------------------------------------------------------- eFiction
def test_efiction_printable() -> None:
    w = one(fixture("efiction-printable.html"))
    assert (w.title, w.creators, w.fandoms) == ("The Keeper's Daughter", ["lampwick"], ["Pride and Prejudice"])
    assert (w.rating, w.rating_raw) == ("Teen And Up Audiences", "PG-13")
    assert w.characters == ["Elizabeth Bennet", "Charlotte Lucas"]
    assert w.additional_tags == ["Drama", "Friendship"]
    assert w.archive_warnings == ["Creator Chose Not To Use Archive Warnings"]
    assert w.summary == "A lighthouse, a storm, and a daughter who keeps better records than her father."
    assert w.stated_word_count == 64
    assert w.extra["eFiction story"] == "317"
    assert [c.title for c in w.chapters] == ["Fair Weather", "Foul Weather"]
    assert w.chapters[0].text == ("Chapter notes:\n\nAuthor's Notes: My first story here.\n\n"
                                  "Elizabeth wrote the weather in the log each morning.\n\n"
                                  "Charlotte read it back to her each night.")
    assert "Disclaimer" not in " ".join(c.text for c in w.chapters)


# ----------------------------------------------------------------------------------------------- journals
def test_livejournal_page_without_chrome() -> None:
    w = one(fixture("lj-entry-page.html"))
    assert (w.title, w.creators, w.fandoms) == ("Salt and Ledgers", ["tidewriter"], ["Torchwood"])
    assert w.relationships == ["Jack Harkness/Ianto Jones"]
    assert w.published == "2010-06-12"
    assert w.challenge is not None
    assert (w.challenge.community, w.challenge.prompt) == ("harbour_prompts", "low tide")
    text = w.chapters[0].text
    assert text == ("Ianto counted the boats twice, because the first count came out wrong.\n\n"
                    "Jack leaned on the harbour rail and said the sea was only borrowing them.\n\n"
                    "By evening every boat was back, and the ledger balanced to the penny.")
    assert w.extra["LJ Tags"] == "fic, fandom: torchwood"
    assert "2 page elements (comments, share buttons...) removed from the entry" in w.warnings


def test_dreamwidth_page() -> None:
    w = one(fixture("dw-entry-page.html"))
    assert (w.title, w.creators) == ("Three Small Lamps", ["quietgarden"])
    assert w.fandoms == ["Sherlock Holmes - Arthur Conan Doyle"]
    assert w.published == "2011-11-05"
    assert w.stated_word_count == 120
    assert w.chapters[0].text.endswith("The third lamp they left dark, for the cat.")
    assert "Oh, the cat!" not in w.chapters[0].text and "Page Summary" not in w.chapters[0].text
    assert w.extra["LJ Tags"] == "fic, holmes"


def test_journal_export_skips_private_entries_unless_asked() -> None:
    works = works_of(fixture("lj-export.xml"))
    assert [w.title for w in works] == ["Paper Boats", "Lanterns"]
    boats, lanterns = works
    assert boats.creators == ["pier_folder"] and boats.published == "2008-02-14"
    assert boats.relationships == ["John Sheppard/Rodney McKay"] and boats.rating == "Teen And Up Audiences"
    assert boats.extra["Source"] == "https://pier-folder.livejournal.com/101.html"
    assert boats.extra["LJ Tags"] == "fandom: stargate atlantis, fic"
    assert "2 private or friends-only entries of this export skipped (--include-private imports them)" in boats.warnings
    assert lanterns.fandoms == ["Stargate Atlantis"] and lanterns.published == "2008-03-01"
    everything = works_of(fixture("lj-export.xml"), include_private=True)
    assert [w.title for w in everything] == ["Paper Boats", "private musings", "Quiet Hour", "Lanterns"]
    assert everything[1].extra["Security"] == "private" and everything[2].extra["Security"] == "usemask"


# ----------------------------------------------------------------------------------------------- front matter
def test_personal_front_matter_with_mapping_file() -> None:
    mapping = load_mapping(FORMATS / "personal-mapping.yaml")
    w = one(fixture("personal-frontmatter.md"), mapping=mapping)
    assert (w.title, w.creators, w.fandoms) == ("The Orchard Wall", ["applewise"], ["Merlin (TV)"])
    assert (w.rating, w.rating_raw) == ("Teen And Up Audiences", "teen")
    assert w.relationships == ["Arthur Pendragon/Merlin", "Gwen/Lancelot (Merlin)"]
    assert w.characters == ["Gwaine (Merlin)", "Morgana (Merlin)", "Gaius (Merlin)"]
    assert w.archive_warnings == ["No Archive Warnings Apply"]
    assert w.additional_tags == ["Families of Choice", "Autumn"]
    assert w.summary == "Merlin keeps finding apples on the wrong side of the wall."
    assert w.notes == "For my sister.\n\nUnbeta'd, all mistakes mine."
    assert w.published == "2013-10-05"
    assert w.extra == {"Status": "complete"}
    assert w.chapters[0].html == (
        "<p>Merlin found the first apple on the <em>kitchen</em> side of the wall, which was impossible.</p>\n"
        "<p>He found the second in his boot.</p>\n<hr />\n"
        "<p>By the third, Arthur had started a list, and Gwaine had started a betting pool.</p>")


def test_personal_front_matter_without_mapping_keeps_unknown_keys() -> None:
    w = one(fixture("personal-frontmatter.md"))
    assert w.title == "The Orchard Wall"  # "name" is a default synonym
    assert w.creators == []
    assert w.extra["penname"] == "applewise" and w.extra["verse"] == "Merlin (TV)"


AO3_BACKUP_SHAPE = """---
ao3_url: https://archiveofourown.org/works/1
author: lanternlight
characters:
- Rodney McKay
- John Sheppard
date: '2009-01-02'
fandom:
- Stargate Atlantis
notes: ''
rating: Mature
relationship:
- John Sheppard/Rodney McKay
series:
- Puddlejumper Days
series_weight: '2'
summary: Short.
tags:
- Humor
title: Jumper Maintenance
warnings: Graphic Depictions Of Violence, Creator Chose Not To Use Archive Warnings
---

Rodney said the jumper was *fine*, which it was not\\-quite.
"""


def test_ao3_backup_shape() -> None:
    w = one(AO3_BACKUP_SHAPE.encode())
    assert w.fandoms == ["Stargate Atlantis"] and w.rating == "Mature"
    assert w.archive_warnings == ["Graphic Depictions Of Violence", "Creator Chose Not To Use Archive Warnings"]
    assert w.characters == ["Rodney McKay", "John Sheppard"]
    assert w.relationships == ["John Sheppard/Rodney McKay"]
    assert w.series_part is not None and (w.series_part.title, w.series_part.part) == ("Puddlejumper Days", 2)
    assert w.notes is None and w.summary == "Short."
    assert w.extra["Source"] == "https://archiveofourown.org/works/1"
    assert w.chapters[0].html == "<p>Rodney said the jumper was <em>fine</em>, which it was not-quite.</p>"


def test_mapping_file_errors_name_the_problem(tmp_path: Path) -> None:
    from fanshelf.errors import InputError

    bad = tmp_path / "m.yaml"
    bad.write_text("fields:\n  verse: fandomz\n")
    with pytest.raises(InputError, match=r"fields\.verse: 'fandomz' is not a field"):
        load_mapping(bad)
    bad.write_text("feilds: {}\n")
    with pytest.raises(InputError, match="unknown section"):
        load_mapping(bad)
    bad.write_text("fields: [a, b\n")
    with pytest.raises(InputError, match="not valid YAML"):
        load_mapping(bad)
    with pytest.raises(InputError, match="cannot read the mapping file"):
        load_mapping(tmp_path / "missing.yaml")


# ----------------------------------------------------------------------------------------------- JSON, zips
def test_fanshelf_json_round_trip() -> None:
    works = works_of(fixture("ao3-download.html")) + works_of(fixture("lj-entry-page.html"))
    doc: dict[str, Any] = {"format": "fanshelf-works", "version": 1, "works": [w.to_dict() for w in works]}
    back = works_of(json.dumps(doc).encode())
    # the HTML of an export is untrusted like any other: it is sanitized again, and kept as written when
    # that changes nothing (but the spelling of <br /> and <hr />), so a round trip is exact
    assert [w.to_dict() for w in back] == [w.to_dict() for w in works]
    assert back[0].chapters[1].html.count("<hr />") == 1
    doc["works"][0]["chapters"][1]["html"] += '<script>alert(1)</script><p onclick="x()">hi</p>'
    (hostile,) = works_of(json.dumps(doc).encode())[:1]
    assert hostile.chapters[1].html == sanitize_html(doc["works"][0]["chapters"][1]["html"])
    assert "script" not in hostile.chapters[1].html and "onclick" not in hostile.chapters[1].html


def test_zip_of_formats_reads_each_member_by_content() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a/download.bin", fixture("ao3-download.html"))
        zf.writestr("b/story.epub", fff_epub())
        zf.writestr("c/export", fixture("lj-export.xml"))
        zf.writestr("d/cover.png", b"\x89PNG\r\n\x1a\n" + bytes(64))
    titles = [w.title for w in works_of(buf.getvalue(), "bundle.zip")]
    assert titles == ["The Lighthouse Keeper's Ledger", "Ships in the Night", "Paper Boats", "Lanterns"]
