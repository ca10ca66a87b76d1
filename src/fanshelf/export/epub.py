"""EPUB 3 export, in AO3's download markup, with the metadata Calibre reads.

The book holds ``preface.xhtml`` (tags, title, byline, summary, notes: see :mod:`fanshelf.export.ao3html`),
one ``chapter-NNN.xhtml`` per chapter, ``afterword.xhtml`` when there are end notes, an EPUB 3
navigation document and an EPUB 2 ``toc.ncx`` for older readers. The package metadata carries the
title, each creator (``dc:creator`` with the MARC role ``aut``), one ``dc:subject`` per tag (AO3's
order: rating, warnings, categories, fandoms, relationships, characters, additional tags), the summary
as ``dc:description``, the source URL as ``dc:source``, the language, the publication date, the series
both as EPUB 3 ``belongs-to-collection`` (with ``group-position``) and as Calibre's ``calibre:series``
and ``calibre:series_index``. Output is byte-for-byte deterministic: fixed zip dates, an identifier
(``urn:uuid:``, UUID 5) derived from the source URL or the archive id, ``dcterms:modified`` taken from
the work's dates. Remote images become links (an EPUB may not load them); the result passes epubcheck.
"""

from __future__ import annotations

from html import escape

from fanshelf.export.ao3html import CSS, afterword, chapter_parts, document, preface
from fanshelf.export.common import (
    ExportFile,
    ExportInfo,
    book_uuid,
    display_date,
    language_code,
    safe_filename,
    tag_groups,
    xml_text,
    zip_bytes,
)
from fanshelf.model import Work

__all__ = ["MEDIA_TYPE", "epub_members", "export_epub"]

MEDIA_TYPE = "application/epub+zip"
_FALLBACK_MODIFIED = "2000-01-01"

CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""


def _e(s: str | None) -> str:
    return escape(xml_text(s), quote=True)


def _opf(work: Work, info: ExportInfo | None, ident: str, lang: str,
         items: list[tuple[str, str, str, str]], spine: list[str]) -> str:
    meta: list[str] = [f'<dc:identifier id="bookid">{_e(ident)}</dc:identifier>',
                       f'<dc:title id="title">{_e(work.title)}</dc:title>',
                       f"<dc:language>{lang}</dc:language>"]
    creators = [c for c in (xml_text(c).strip() for c in work.creators) if c]
    for i, c in enumerate(creators, 1):
        meta.append(f'<dc:creator id="creator-{i}">{_e(c)}</dc:creator>')
        meta.append(f'<meta refines="#creator-{i}" property="role" scheme="marc:relators">aut</meta>')
    for _label, names in tag_groups(work):
        meta += [f"<dc:subject>{_e(n)}</dc:subject>" for n in names]
    summary = " ".join(xml_text(work.summary).split())
    if summary:
        meta.append(f"<dc:description>{_e(work.summary and xml_text(work.summary).strip())}</dc:description>")
    url = info.source_url if info else None
    if url:
        meta.append(f"<dc:source>{_e(url)}</dc:source>")
    published = display_date(work.published)
    if published:
        meta.append(f"<dc:date>{published}</dc:date>")
    modified = display_date(info.updated if info else None) or published or _FALLBACK_MODIFIED
    meta.append(f'<meta property="dcterms:modified">{modified}T00:00:00Z</meta>')
    sp = work.series_part
    if sp is not None and sp.title and sp.title.strip():
        meta.append(f'<meta property="belongs-to-collection" id="series">{_e(sp.title.strip())}</meta>')
        meta.append('<meta refines="#series" property="collection-type">series</meta>')
        if sp.part:
            meta.append(f'<meta refines="#series" property="group-position">{int(sp.part)}</meta>')
        meta.append(f'<meta name="calibre:series" content="{_e(sp.title.strip())}"/>')
        if sp.part:
            meta.append(f'<meta name="calibre:series_index" content="{int(sp.part)}"/>')
    meta.append('<meta name="generator" content="Fanshelf"/>')
    manifest = "\n    ".join(
        f'<item id="{iid}" href="{href}" media-type="{mt}"' + (f' properties="{props}"' if props else "") + "/>"
        for iid, href, mt, props in items)
    spine_xml = "\n    ".join(f'<itemref idref="{iid}"/>' for iid in spine)
    body = "\n    ".join(meta)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="bookid" '
            f'xml:lang="{lang}">\n'
            f'  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n    {body}\n  </metadata>\n'
            f"  <manifest>\n    {manifest}\n  </manifest>\n"
            f'  <spine toc="ncx">\n    {spine_xml}\n  </spine>\n'
            f"</package>\n")


def _nav(title: str, lang: str, entries: list[tuple[str, str]]) -> str:
    lis = "\n".join(f'<li><a href="{href}">{_e(label)}</a></li>' for label, href in entries)
    body = (f'<nav epub:type="toc" id="toc">\n<h1>{_e(title)}</h1>\n<ol>\n{lis}\n</ol>\n</nav>')
    return document(title, lang, body, xml_decl=True)


def _ncx(title: str, ident: str, entries: list[tuple[str, str]]) -> str:
    points = "\n".join(
        f'    <navPoint id="nav-{i}" playOrder="{i}">\n      <navLabel><text>{_e(label)}</text></navLabel>\n'
        f'      <content src="{href}"/>\n    </navPoint>' for i, (label, href) in enumerate(entries, 1))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">\n'
            f'  <head>\n    <meta name="dtb:uid" content="{_e(ident)}"/>\n    <meta name="dtb:depth" content="1"/>\n'
            f'    <meta name="dtb:totalPageCount" content="0"/>\n    <meta name="dtb:maxPageNumber" content="0"/>\n'
            f"  </head>\n  <docTitle><text>{_e(title)}</text></docTitle>\n"
            f"  <navMap>\n{points}\n  </navMap>\n</ncx>\n")


def epub_members(work: Work, info: ExportInfo | None = None) -> list[tuple[str, bytes, bool]]:
    """The book's files as ``(path, bytes, compress)``, in zip order (``mimetype`` first, stored)."""
    lang = language_code(work.language)
    ident = book_uuid(work, info)
    title = xml_text(work.title).strip() or "Untitled"
    css_link = '<link rel="stylesheet" type="text/css" href="style.css" />\n'
    files: list[tuple[str, str]] = []  # (name under OEBPS, text)
    nav_entries: list[tuple[str, str]] = [("Preface", "preface.xhtml")]
    after = afterword(work)
    files.append(("preface.xhtml", document(
        f"{title}: Preface", lang,
        preface(work, info, endnotes_href="afterword.xhtml#endnotes" if after else "#preface"),
        head_extra=css_link, xml_decl=True)))
    for i, (label, html) in enumerate(chapter_parts(work, epub=True), 1):
        name = f"chapter-{i:03d}.xhtml"
        body = f'<div id="chapters" class="userstuff">\n{html}\n</div>'
        files.append((name, document(label, lang, body, head_extra=css_link, xml_decl=True)))
        nav_entries.append((label, name))
    if after:
        files.append(("afterword.xhtml", document(f"{title}: Afterword", lang, after, head_extra=css_link,
                                                  xml_decl=True)))
        nav_entries.append(("Afterword", "afterword.xhtml"))
    items: list[tuple[str, str, str, str]] = [
        ("nav", "nav.xhtml", "application/xhtml+xml", "nav"),
        ("ncx", "toc.ncx", "application/x-dtbncx+xml", ""),
        ("css", "style.css", "text/css", ""),
    ]
    spine: list[str] = []
    for name, _text in files:
        iid = name.rsplit(".", 1)[0]
        items.append((iid, name, "application/xhtml+xml", ""))
        spine.append(iid)
    opf = _opf(work, info, ident, lang, items, spine)
    members: list[tuple[str, bytes, bool]] = [
        ("mimetype", b"application/epub+zip", False),
        ("META-INF/container.xml", CONTAINER.encode(), True),
        ("OEBPS/content.opf", opf.encode("utf-8"), True),
        ("OEBPS/nav.xhtml", _nav(title, lang, nav_entries).encode("utf-8"), True),
        ("OEBPS/toc.ncx", _ncx(title, ident, nav_entries).encode("utf-8"), True),
        ("OEBPS/style.css", CSS.encode("utf-8"), True),
    ]
    members += [(f"OEBPS/{name}", text.encode("utf-8"), True) for name, text in files]
    return members


def export_epub(work: Work, info: ExportInfo | None = None) -> ExportFile:
    """The work as an EPUB 3 book."""
    return ExportFile(safe_filename(work, info, "epub"), MEDIA_TYPE, zip_bytes(epub_members(work, info)))
