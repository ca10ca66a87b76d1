"""The exporters on core works: EPUB package and metadata, AO3 download markup, Markdown, JSON, bundles."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
import zipfile

import pytest
import yaml

from fanshelf.export import (
    FORMATS,
    ExportError,
    ExportInfo,
    export_bundle,
    export_files,
    export_work,
    html_to_markdown,
)
from fanshelf.export.common import book_uuid, safe_filename, slugify
from fanshelf.export.tree import parse_fragment, plain_text, to_xhtml
from fanshelf.model import Chapter, Work
from test_export_samples import RICH_INFO, rich_work, tricky_works

OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"
XH = "{http://www.w3.org/1999/xhtml}"


def _zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def _opf(data: bytes) -> ET.Element:
    return ET.fromstring(_zip(data).read("OEBPS/content.opf"))


# ------------------------------------------------------------------------------------------ EPUB
def test_epub_container_layout() -> None:
    f = export_work(rich_work(), "epub", RICH_INFO)
    assert f.filename == "the-lighthouse-keepers-ledger-42.epub"
    assert f.media_type == "application/epub+zip"
    z = _zip(f.data)
    infos = z.infolist()
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    assert z.read("mimetype") == b"application/epub+zip"
    assert f.data[30:38] == b"mimetype" and not infos[0].extra  # the OCF rule: first, uncompressed, no extra
    assert [i.filename for i in infos] == [
        "mimetype", "META-INF/container.xml", "OEBPS/content.opf", "OEBPS/nav.xhtml", "OEBPS/toc.ncx",
        "OEBPS/style.css", "OEBPS/preface.xhtml", "OEBPS/chapter-001.xhtml", "OEBPS/chapter-002.xhtml",
        "OEBPS/afterword.xhtml"]
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    for name in z.namelist():
        if name.endswith((".xhtml", ".opf", ".ncx", ".xml")):
            ET.fromstring(z.read(name))  # well-formed XML


def test_epub_is_deterministic_and_identified_by_source() -> None:
    a = export_work(rich_work(), "epub", RICH_INFO).data
    assert a == export_work(rich_work(), "epub", RICH_INFO).data
    ident = _opf(a).find(f"{OPF}metadata/{DC}identifier")
    assert ident is not None and ident.text == book_uuid(rich_work(), RICH_INFO)
    assert ident.text == "urn:uuid:" + __import__("uuid").uuid5(
        __import__("uuid").NAMESPACE_URL, "https://harbour-lights.dreamwidth.org/1234.html").__str__()
    # no source: the archive id decides; neither: the content does
    assert book_uuid(rich_work(), ExportInfo(work_id=1)) != book_uuid(rich_work(), ExportInfo(work_id=2))
    assert book_uuid(rich_work()) == book_uuid(rich_work())
    other = rich_work()
    other.title = "Another"
    assert book_uuid(other) != book_uuid(rich_work())


def test_epub_metadata_in_calibre_form() -> None:
    opf = _opf(export_work(rich_work(), "epub", RICH_INFO).data)
    md = opf.find(f"{OPF}metadata")
    assert md is not None
    assert opf.get("version") == "3.0"
    assert [e.text for e in md.findall(f"{DC}title")] == ["The Lighthouse Keeper’s Ledger"]
    assert [e.text for e in md.findall(f"{DC}creator")] == ["harbour_lights", "second_mate"]
    roles = {m.get("refines"): m.text for m in md.findall(f"{OPF}meta") if m.get("property") == "role"}
    assert roles == {"#creator-1": "aut", "#creator-2": "aut"}
    assert [e.text for e in md.findall(f"{DC}subject")] == [
        "Teen And Up Audiences", "No Archive Warnings Apply", "M/M", "Torchwood", "Jack Harkness/Ianto Jones",
        "Jack Harkness", "Ianto Jones", "Fluff", "Tea & Biscuits"]
    assert md.findtext(f"{DC}description") == "Ianto keeps the books.\nJack keeps interrupting."
    assert md.findtext(f"{DC}source") == "https://harbour-lights.dreamwidth.org/1234.html"
    assert md.findtext(f"{DC}language") == "en"
    assert md.findtext(f"{DC}date") == "2009-05-04"
    props = {(m.get("property"), m.get("refines")): m.text for m in md.findall(f"{OPF}meta") if m.get("property")}
    assert props[("dcterms:modified", None)] == "2009-06-01T00:00:00Z"
    assert props[("belongs-to-collection", None)] == "Harbour Stories"
    assert props[("collection-type", "#series")] == "series"
    assert props[("group-position", "#series")] == "2"
    named = {m.get("name"): m.get("content") for m in md.findall(f"{OPF}meta") if m.get("name")}
    assert named["calibre:series"] == "Harbour Stories"
    assert named["calibre:series_index"] == "2"


def test_epub_preface_chapters_afterword_in_ao3_markup() -> None:
    z = _zip(export_work(rich_work(), "epub", RICH_INFO).data)
    pre = ET.fromstring(z.read("OEBPS/preface.xhtml"))
    dl = pre.find(f".//{XH}dl[@class='tags']")
    assert dl is not None
    pairs = []
    for el in dl:
        if el.tag == f"{XH}dt":
            pairs.append([el.text, None])
        else:
            pairs[-1][1] = "".join(el.itertext())
    assert pairs == [
        ["Rating:", "Teen And Up Audiences"], ["Archive Warning:", "No Archive Warnings Apply"],
        ["Category:", "M/M"], ["Fandom:", "Torchwood"], ["Relationship:", "Jack Harkness/Ianto Jones"],
        ["Characters:", "Jack Harkness, Ianto Jones"], ["Additional Tags:", "Fluff, Tea & Biscuits"],
        ["Language:", "English"], ["Series:", "Part 2 of Harbour Stories"], ["Collections:", "harbour_fest"],
        ["Prompt:", "#7: a ledger"],
        ["Stats:", "Published: 2009-05-04\nCompleted: 2009-06-01\nWords: 57\nChapters: 2/2"]]
    assert [a.text for a in dl.iter(f"{XH}a") if a.get("class") == "tag"][-1] == "Tea & Biscuits"
    assert pre.findtext(f".//{XH}h1") == "The Lighthouse Keeper’s Ledger"
    byline = pre.find(f".//{XH}div[@class='byline']")
    assert byline is not None and "".join(byline.itertext()) == "by harbour_lights, second_mate"
    quotes = pre.findall(f".//{XH}blockquote[@class='userstuff']")
    assert ["".join(q.itertext()).strip() for q in quotes] == [
        "Ianto keeps the books.\nJack keeps interrupting.", "Written for a weekend prompt."]
    ch1 = ET.fromstring(z.read("OEBPS/chapter-001.xhtml"))
    chapters = ch1.find(f".//{XH}div[@id='chapters']")
    assert chapters is not None
    assert chapters.findtext(f".//{XH}h2[@class='toc-heading']") == "Chapter 1: Arrivals"
    ch2 = ET.fromstring(z.read("OEBPS/chapter-002.xhtml"))
    assert ch2.findtext(f".//{XH}h2[@class='toc-heading']") == "Chapter 2"
    # the remote image became a link: an EPUB may not load remote resources
    assert ch2.find(f".//{XH}img") is None
    link = ch2.find(f".//{XH}a[@class='image']")
    assert link is not None and link.get("href") == "http://example.com/lamp.png" and link.text == "[image: a lamp]"
    after = ET.fromstring(z.read("OEBPS/afterword.xhtml"))
    assert "".join(after.find(f".//{XH}div[@id='endnotes']").itertext()).split() == [  # type: ignore[union-attr]
        "End", "Notes", "Thanks", "for", "reading!"]


def test_epub_without_chapters_summary_or_fandom_still_complete() -> None:
    w = Work(title="A Header Only")
    z = _zip(export_work(w, "epub").data)
    assert "OEBPS/chapter-001.xhtml" in z.namelist() and "OEBPS/afterword.xhtml" not in z.namelist()
    md = ET.fromstring(z.read("OEBPS/content.opf")).find(f"{OPF}metadata")
    assert md is not None and md.find(f"{DC}description") is None and md.find(f"{DC}creator") is None
    assert md.findtext(f"{DC}language") == "en"
    props = {m.get("property"): m.text for m in md.findall(f"{OPF}meta")}
    assert props["dcterms:modified"] == "2000-01-01T00:00:00Z"


def test_single_untitled_chapter_has_no_chapter_heading() -> None:
    w = Work(title="One Shot", chapters=[Chapter(None, "", "<p>Only this.</p>")])
    html = export_work(w, "html").data.decode()
    assert "toc-heading\">Chapter" not in html
    assert '<div id="chapters" class="userstuff">\n<div class="userstuff">\n<p>Only this.</p>\n</div>' in html


# ------------------------------------------------------------------------------------------ HTML
def test_html_is_one_wellformed_document_in_ao3_shape() -> None:
    f = export_work(rich_work(), "html", RICH_INFO)
    assert f.filename == "the-lighthouse-keepers-ledger-42.html"
    assert f.media_type.startswith("text/html")
    doc = ET.fromstring(f.data.split(b"\n", 1)[1])  # after <!DOCTYPE html>
    ids = [d.get("id") for d in doc.iter(f"{XH}div") if d.get("id") in ("preface", "chapters", "afterword")]
    assert ids == ["preface", "chapters", "afterword"]
    heads = [h.text for h in doc.iter(f"{XH}h2") if h.get("class") == "toc-heading"]
    assert heads == ["Preface", "Chapter 1: Arrivals", "Chapter 2", "Afterword"]
    img = doc.find(f".//{XH}img")
    assert img is not None and img.get("src") == "http://example.com/lamp.png" and img.get("alt") == "a lamp"
    assert doc.find(f".//{XH}p[@class='message']/{XH}a").get("href") == RICH_INFO.source  # type: ignore[union-attr]


def test_html_escapes_everything_from_metadata() -> None:
    w = dict(tricky_works())["markup-in-tags"]
    text = export_work(w, "html").data.decode()
    assert "<script>" not in text and "<Chips>" not in text and "<c>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "Fish &amp; &lt;Chips&gt; &quot;Tonight&quot;" in text
    ET.fromstring(text.split("\n", 1)[1])


def test_base_url_links_tags_and_series() -> None:
    info = ExportInfo(work_id=42, base_url="https://fics.example.org/")
    text = export_work(rich_work(), "html", info).data.decode()
    assert '<a class="tag" href="https://fics.example.org/tags/Tea%20%26%20Biscuits/works">Tea &amp; Biscuits</a>' in text
    assert 'href="https://fics.example.org/series?title=Harbour%20Stories"' in text


# ------------------------------------------------------------------------------------------ tree
@pytest.mark.parametrize(("html", "xhtml"), [
    ("<p>a<p>b", "<p>a</p>\n<p>b</p>"),
    ("text<br>more", "<p>text<br />\nmore</p>"),
    ("<p>x <em>y <div>z</div> w", "<p>x <em>y </em></p>\n<div>\nz</div>\n<p> w</p>"),
    ("<li>one<li>two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
    ("<ul>loose<li>x</li></ul>", "<ul>\n<li>loose</li>\n<li>x</li>\n</ul>"),
    ("<a href='https://a.org/'>x<a href='https://b.org/'>y</a></a>",
     '<p><a href="https://a.org/">x</a><a href="https://b.org/">y</a></p>'),
    ("<a href='javascript:alert(1)' onclick='x()'>j</a>", "<p><a>j</a></p>"),
    ("<p style='color:red' class='c'>s</p>", "<p>s</p>"),
    ("<script>alert(1)</script><p>ok</p>", "<p>ok</p>"),
    ("<strike>old</strike>", "<p><s>old</s></p>"),
    ("<font color=red>plain</font>", "<p>plain</p>"),
    ("<img src='javascript:x'><img src='http://e.org/a.png' alt='&quot;q&quot;'>",
     '<p><img src="http://e.org/a.png" alt="&quot;q&quot;" /></p>'),
    ("a\x00b\x0bc", "<p>abc</p>"),
    ("</p></div>stray ends", "<p>stray ends</p>"),
])
def test_tree_normalizes_html(html: str, xhtml: str) -> None:
    assert to_xhtml(parse_fragment(html)) == xhtml


def test_tree_flattens_deep_nesting() -> None:
    html = "<div>" * 5000 + "deep" + "</div>" * 5000
    out = to_xhtml(parse_fragment(html))
    assert out.count("<div>") <= 70 and "deep" in out


def test_plain_text() -> None:
    assert plain_text(parse_fragment("<p>one  two<br>three</p><hr><p>four</p>")) == "one two\nthree\n\n* * *\n\nfour"


# ------------------------------------------------------------------------------------------ Markdown
@pytest.mark.parametrize(("html", "md"), [
    ("<p>Plain text.</p>", "Plain text."),
    ("<p>A <em>b</em> <strong>c</strong> <s>d</s> <code>e`f</code></p>", "A *b* **c** ~~d~~ ``e`f``"),
    ("<p>one<br>two</p>", "one  \ntwo"),
    ("<p>*not* _em_ <b>1 < 2 & 3 > 2</b></p>", "\\*not\\* \\_em\\_ **1 \\< 2 \\& 3 \\> 2**"),
    ("<p>1. not a list</p><p># not a heading</p><p>- nor this</p>",
     "1\\. not a list\n\n\\# not a heading\n\n\\- nor this"),
    ("<ul><li>a</li><li>b<ul><li>c</li></ul></li></ul>", "- a\n- b\n\n  - c"),
    ("<ol><li>x</li><li>y</li></ol>", "1. x\n2. y"),
    ("<blockquote><p>q1</p><p>q2</p></blockquote>", "> q1\n>\n> q2"),
    ("<h1>Big</h1><h2>Small</h2>", "### Big\n\n#### Small"),
    ("<hr>", "* * *"),
    ("<pre>a\n  b ``` c</pre>", "````\na\n  b ``` c\n````"),
    ("<p><a href='https://e.org/x_(y)' title='t \"q\"'>link [1]</a></p>",
     '[link \\[1\\]](<https://e.org/x_(y)> "t \\"q\\"")'),
    ("<p><img src='https://e.org/i.png' alt='pic*'></p>", "![pic\\*](<https://e.org/i.png>)"),
    ("<p><a href='javascript:x'>js</a></p>", "js"),
    ("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", "\\<script\\>alert(1)\\</script\\>"),
])
def test_html_to_markdown(html: str, md: str) -> None:
    assert html_to_markdown(html) == md


def _split_front(text: str) -> tuple[dict[str, object], str]:
    assert text.startswith("---\n")
    head, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(head), body


def test_markdown_front_matter_in_ao3_backup_shape() -> None:
    f = export_work(rich_work(), "md", RICH_INFO)
    assert f.filename == "the-lighthouse-keepers-ledger-42.md"
    fm, body = _split_front(f.data.decode())
    assert list(fm) == ["title", "author", "fandom", "rating", "warnings", "category", "relationship",
                        "characters", "tags", "language", "summary", "notes", "end_notes", "date", "series",
                        "series_weight", "challenge", "source"]
    assert fm == {
        "title": "The Lighthouse Keeper’s Ledger", "author": ["harbour_lights", "second_mate"],
        "fandom": ["Torchwood"], "rating": "Teen And Up Audiences", "warnings": "No Archive Warnings Apply",
        "category": ["M/M"], "relationship": ["Jack Harkness/Ianto Jones"],
        "characters": ["Jack Harkness", "Ianto Jones"], "tags": ["Fluff", "Tea & Biscuits"],
        "language": "English", "summary": "Ianto keeps the books.  \nJack keeps interrupting.",
        "notes": "Written for a weekend prompt.", "end_notes": "Thanks for reading\\!".replace("\\", ""),
        "date": "2009-05-04", "series": ["Harbour Stories"], "series_weight": "2",
        "challenge": {"community": "harbour_fest", "prompt": "a ledger", "number": "7"},
        "source": "https://harbour-lights.dreamwidth.org/1234.html"}
    assert body == ("\n## Chapter 1: Arrivals\n\nThe ledger had *forty* columns.\n\n- tea\n- rope\n\n> Keep it dry."
                    "\n\n## Chapter 2\n\nJack read the last page twice.  \nThen he laughed.\n\n"
                    "![a lamp](<http://example.com/lamp.png>)\n")


def test_markdown_single_author_and_ao3_url() -> None:
    w = Work(title="Solo", creators=["only_one"], chapters=[Chapter(None, "", "<p>Body.</p>")])
    fm, body = _split_front(export_work(w, "md", ExportInfo(
        source="https://archiveofourown.org/works/123")).data.decode())
    assert fm["author"] == "only_one" and fm["ao3_url"] == "https://archiveofourown.org/works/123"
    assert "date" not in fm and "series" not in fm and body == "\nBody.\n"


# ------------------------------------------------------------------------------------------ JSON
def test_json_is_work_to_dict() -> None:
    f = export_work(rich_work(), "json", RICH_INFO)
    doc = json.loads(f.data)
    assert doc["format"] == "fanshelf-works" and doc["version"] == 1
    assert doc["works"] == [json.loads(json.dumps(rich_work().to_dict()))]
    assert doc["archive"] == [{"id": 42, "source": RICH_INFO.source, "updated": "2009-06-01", "complete": True,
                               "chapters_expected": None}]
    assert "archive" not in json.loads(export_work(rich_work(), "json").data)


# ------------------------------------------------------------------------------------------ bundles, names
def test_bundle_zip_of_per_work_files_with_unique_names() -> None:
    works = [rich_work(), rich_work(), Work(title="雪")]
    b = export_bundle(works, "epub", name="my-search")
    assert b.filename == "my-search-epub.zip" and b.media_type == "application/zip"
    names = _zip(b.data).namelist()
    assert len(names) == 3 and len(set(names)) == 3
    assert names[0] == names[1].replace("-2.epub", ".epub") and names[1].endswith("-2.epub")
    assert names[2].startswith("work-") and names[2].endswith(".epub")
    assert b.data == export_bundle(works, "epub", name="my-search").data
    for fmt in ("json", "ao3-json"):
        doc = json.loads(export_bundle(works, fmt).data)
        assert len(doc["works"]) == 3
    csv_text = export_bundle(works, "ao3-csv").data.decode()
    assert len(csv_text.strip().split("\r\n")) == 4


def test_export_files_and_errors() -> None:
    files = export_files([rich_work(), Work(title="Other")], "md", [RICH_INFO, ExportInfo(work_id=7)])
    assert [f.filename for f in files] == ["the-lighthouse-keepers-ledger-42.md", "other-7.md"]
    with pytest.raises(ExportError, match="unknown export format"):
        export_work(rich_work(), "pdf")
    with pytest.raises(ExportError, match="nothing to export"):
        export_bundle([], "epub")


def test_every_format_on_every_tricky_work() -> None:
    for _name, w in tricky_works():
        for fmt in FORMATS:
            f = export_work(w, fmt)
            assert f.data and "/" not in f.filename and not f.filename.startswith(".")


@pytest.mark.parametrize(("title", "expect"), [
    ("Ünïcödé Snow", "unicode-snow-9.epub"), ("雪の日", "work-9.epub"), ("../../etc/passwd", "etc-passwd-9.epub"),
    ("  ", "work-9.epub"), ("CON", "con-9.epub"), ("a" * 300, "a" * 60 + "-9.epub"),
])
def test_safe_filename(title: str, expect: str) -> None:
    assert safe_filename(Work(title=title), ExportInfo(work_id=9), "epub") == expect


def test_slugify_cuts_at_a_word() -> None:
    assert slugify("the quick brown fox jumps over the lazy dog " * 3, max_len=20) == "the-quick-brown-fox"
