"""Hostile and broken input for every reader: a clear per-file ``InputError`` subclass, nothing else lost."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanshelf.errors import InputError, InputTooLarge
from fanshelf.ingest import BrokenFile, ReadOptions, UnsafeInput, read_posts
from fanshelf.pipeline import parse_raw
from test_readers_formats import CONTAINER, ao3_epub, fff_epub, fixture, make_epub, opf, works_of, xhtml

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE x [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
"""


def test_billion_laughs_in_a_journal_export() -> None:
    data = (LAUGHS + "<livejournal><entry><itemid>1</itemid><subject>&lol4;</subject><event>x</event>"
            "</entry></livejournal>").encode()
    with pytest.raises(UnsafeInput, match="declares entities or external references"):
        read_posts(data, "laughs.xml")


def test_external_entity_in_a_journal_export() -> None:
    data = (XXE + "<livejournal><entry><itemid>1</itemid><subject>&secret;</subject><event>x</event>"
            "</entry></livejournal>").encode()
    with pytest.raises(UnsafeInput, match="declares entities"):
        read_posts(data, "xxe.xml")


def test_truncated_and_malformed_journal_exports() -> None:
    whole = fixture("lj-export.xml")
    with pytest.raises(BrokenFile, match="truncated"):
        read_posts(whole[: len(whole) // 2], "cut.xml")
    with pytest.raises(BrokenFile, match="not well-formed XML"):
        read_posts(b"<livejournal><entry><event>x</event></entry><entry></livejournal>", "bad.xml")
    with pytest.raises(BrokenFile, match="without entries"):
        read_posts(b"<livejournal><entry><subject>no event</subject></entry></livejournal>", "empty.xml")


def test_all_private_export_fails_clearly() -> None:
    data = b"<livejournal><entry><event>mine</event><security>private</security></entry></livejournal>"
    with pytest.raises(InputError, match="all 1 entries are private or friends-only; import them with --include-private"):
        read_posts(data, "private.xml")
    assert len(read_posts(data, "private.xml", options=ReadOptions(include_private=True))) == 1


def test_export_whose_bytes_do_not_match_the_declared_encoding() -> None:
    data = ('<?xml version="1.0" encoding="utf-8"?><livejournal><entry><itemid>1</itemid>'
            "<subject>Caf\u00e9 au lait</subject><event>Un caf\u00e9, s'il vous pla\u00eet.</event>"
            "</entry></livejournal>").encode("latin-1")
    (post,) = read_posts(data, "latin1.xml")
    (work,) = parse_raw(post)
    assert work.title == "Caf\u00e9 au lait"
    assert work.chapters[0].text == "Un caf\u00e9, s'il vous pla\u00eet."
    assert work.warnings == ["the XML's declared encoding does not match its bytes "
                             "(3 byte(s) that are not valid UTF-8 decoded as windows-1252)"]


def test_html_page_declaring_the_wrong_charset_is_read() -> None:
    page = fixture("dw-entry-page.html").decode().replace("Holmes lit", "Holmes lit \u00e0 la fois")
    data = page.replace("charset=utf-8", "charset=iso-8859-1").encode("utf-8")
    (work,) = works_of(data)
    assert work.chapters[0].text.startswith("Holmes lit \u00e0 la fois")


# ----------------------------------------------------------------------------------------------- EPUB
def _epub_with(files: Mapping[str, str | bytes], **kw: object) -> bytes:
    return make_epub(files, **kw)  # type: ignore[arg-type]


def test_epub_without_container_or_opf() -> None:
    with pytest.raises(BrokenFile, match=r"no container file \(META-INF/container.xml\)"):
        read_posts(_epub_with({"OEBPS/a.xhtml": xhtml("x")}, container=False), "a.epub")
    with pytest.raises(BrokenFile, match=r"no package \(OPF\) file \(OEBPS/content.opf\)"):
        read_posts(_epub_with({"OEBPS/a.xhtml": xhtml("x")}), "b.epub")


def test_epub_with_bad_xml() -> None:
    with pytest.raises(BrokenFile, match=r"container file .* is not well-formed XML"):
        read_posts(_epub_with({}, container="<container><rootfiles>"), "c.epub")
    with pytest.raises(BrokenFile, match=r"package \(OPF\) file .* is not well-formed XML"):
        read_posts(_epub_with({"OEBPS/content.opf": "<package><metadata>"}), "d.epub")


def test_epub_entities_refused() -> None:
    bomb = LAUGHS + CONTAINER.format(opf="&lol4;").split("?>", 1)[1]
    with pytest.raises(UnsafeInput, match="declares entities"):
        read_posts(_epub_with({}, container=bomb), "e.epub")
    evil_opf = XXE + opf("<dc:title>&secret;</dc:title>", [("a", "a.xhtml")]).split("?>", 1)[1]
    with pytest.raises(UnsafeInput, match="declares entities"):
        read_posts(_epub_with({"OEBPS/content.opf": evil_opf, "OEBPS/a.xhtml": xhtml("x")}), "f.epub")


def test_epub_paths_leaving_the_container() -> None:
    escape = opf("<dc:title>t</dc:title>", [("a", "../../etc/passwd")])
    with pytest.raises(UnsafeInput, match="leaves the container"):
        read_posts(_epub_with({"OEBPS/content.opf": escape}), "g.epub")
    with pytest.raises(UnsafeInput, match="leaves the container"):
        read_posts(_epub_with({}, container=CONTAINER.format(opf="../content.opf")), "h.epub")
    absolute = opf("<dc:title>t</dc:title>", [("a", "/etc/passwd")])
    with pytest.raises(UnsafeInput, match="leaves the container"):
        read_posts(_epub_with({"OEBPS/content.opf": absolute}), "i.epub")
    remote = opf("<dc:title>t</dc:title>", [("a", "https://example.org/a.xhtml")])
    with pytest.raises(UnsafeInput, match="outside the container"):
        read_posts(_epub_with({"OEBPS/content.opf": remote}), "j.epub")


def test_epub_zip_bomb_member() -> None:
    files: dict[str, str | bytes] = {"OEBPS/content.opf": opf("<dc:title>t</dc:title>", [("a", "a.xhtml")]),
             "OEBPS/a.xhtml": b"<p>" + b" " * (8 * 1024 * 1024) + b"</p>"}
    with pytest.raises(UnsafeInput, match="refused as a zip bomb"):
        read_posts(_epub_with(files), "bomb.epub")
    small = ReadOptions(max_member_bytes=1000)
    files["OEBPS/a.xhtml"] = xhtml("<p>" + "word " * 400 + "</p>")
    with pytest.raises(UnsafeInput, match="the limit is 1,000"):
        read_posts(_epub_with(files), "big.epub", options=small)


def test_epub_spine_missing_member_and_empty_spine() -> None:
    files = {"OEBPS/content.opf": opf("<dc:title>t</dc:title>", [("a", "missing.xhtml")])}
    with pytest.raises(BrokenFile, match=r"no content document \(OEBPS/missing.xhtml\)"):
        read_posts(_epub_with(files), "k.epub")
    files = {"OEBPS/content.opf": opf("<dc:title>t</dc:title>", [])}
    with pytest.raises(BrokenFile, match="has no spine"):
        read_posts(_epub_with(files), "l.epub")


def test_truncated_epub() -> None:
    data = fff_epub()
    with pytest.raises(BrokenFile, match="damaged or truncated"):
        read_posts(data[: len(data) - 200], "cut.epub")


# ----------------------------------------------------------------------------------------------- others
def test_front_matter_aliases_and_bad_yaml() -> None:
    bomb = "---\na: &a [x, x, x]\nb: &b [*a, *a, *a]\ntitle: *b\n---\n\ntext\n"
    with pytest.raises(UnsafeInput, match="YAML aliases"):
        read_posts(bomb.encode(), "bomb.md")
    # unreadable YAML is not front matter: the file is read as a plain post, nothing lost
    (post,) = read_posts(b"---\ntitle: [unclosed\n---\n\nText.\n", "odd.md")
    assert post.meta is None and [ln.text for ln in post.lines][-1] == "Text."


def test_fanshelf_json_problems() -> None:
    with pytest.raises(BrokenFile, match="version 2; this Fanshelf reads version 1"):
        read_posts(b'{"format": "fanshelf-works", "version": 2, "works": []}', "v2.json")
    with pytest.raises(BrokenFile, match="work 1: unknown field"):
        read_posts(b'{"format": "fanshelf-works", "version": 1, "works": [{"titel": "x"}]}', "typo.json")
    with pytest.raises(BrokenFile, match="'fandoms' must be a list of strings"):
        read_posts(b'{"format": "fanshelf-works", "version": 1, "works": [{"fandoms": "x"}]}', "type.json")
    whole = json.dumps({"format": "fanshelf-works", "version": 1, "works": [{"title": "x" * 50}]}).encode()
    with pytest.raises(BrokenFile, match="truncated"):
        read_posts(whole[:-10], "cut.json")
    html = '{"format": "fanshelf-works", "version": 1, "works": [{"chapters": [{"title": null, "text": "t", ' \
           '"html": "<p onclick=\\"x()\\">t<script>alert(1)</script></p>"}]}]}'
    (post,) = read_posts(html.encode(), "xss.json")
    assert post.work is not None and post.work.chapters[0].html == "<p>t</p>"


def test_zip_member_escaping_and_oversized() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../../evil.txt", "Title: x\n\ntext")
    with pytest.raises(UnsafeInput, match="unsafe path"):
        read_posts(buf.getvalue(), "evil.zip")
    inner = buf.getvalue()
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w") as zf:
        zf.writestr("inner.zip", inner)
    with pytest.raises(InputError, match="an archive inside an archive is not read"):
        read_posts(outer.getvalue(), "nested.zip")
    with pytest.raises(InputTooLarge):
        read_posts(b"x" * 2000, "big.txt", options=ReadOptions(max_bytes=1000))


SAMPLES = ["ao3-download.html", "lj-entry-page.html", "dw-entry-page.html", "lj-export.xml",
           "efiction-printable.html", "personal-frontmatter.md"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([*SAMPLES, "ao3.epub", "fff.epub"]), st.floats(0.0, 1.0), st.binary(max_size=40))
def test_truncated_or_garbled_files_fail_cleanly(name: str, cut: float, junk: bytes) -> None:
    """Any cut of any sample, with junk appended, reads or fails with an InputError: never anything else."""
    data = {"ao3.epub": ao3_epub, "fff.epub": fff_epub}.get(name, lambda: fixture(name))()
    data = data[: int(len(data) * cut)] + junk
    try:
        for raw in read_posts(data, name):
            parse_raw(raw)
    except InputError:
        pass


def test_import_of_broken_files_is_per_file(archive: object, tmp_path: Path) -> None:
    from fanshelf.archive.importer import Importer

    (tmp_path / "good.epub").write_bytes(fff_epub())
    (tmp_path / "bomb.xml").write_text(LAUGHS + "<livejournal><entry><event>&lol4;</event></entry></livejournal>")
    (tmp_path / "broken.epub").write_bytes(make_epub({"OEBPS/a.xhtml": xhtml("x")}))
    (tmp_path / "export.xml").write_bytes(fixture("lj-export.xml"))
    report = Importer(sync_search=False).import_paths([str(tmp_path)])
    got = {Path(r.location).name: (r.outcome, r.works, r.reason) for r in report.results}
    assert got["good.epub"][:2] == ("created", 1)
    assert got["export.xml"][:2] == ("created", 2)
    assert got["bomb.xml"][0] == "failed" and "declares entities" in got["bomb.xml"][2]
    assert got["broken.epub"][0] == "failed" and "no package (OPF) file" in got["broken.epub"][2]
