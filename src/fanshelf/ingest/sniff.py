"""Which reader a file needs, from its content (never its name).

=================  ====================================================================================
``epub``           a zip whose first member ``mimetype`` says ``application/epub+zip``
``zip``            any other zip (read member by member, each sniffed again)
``fanshelf-json``  JSON whose top level has ``"format": "fanshelf-works"``
``journal-xml``    an XML journal export: root ``<livejournal>``/``<dreamwidth>``/``<entries>`` holding
                   ``<entry>`` elements, or one ljdump-style ``<event>``
``front-matter``   a ``---`` YAML block (a mapping) at the very top, then Markdown or HTML
``ao3-html``       an AO3 download (``#preface`` with ``dl.tags``, ``#chapters``), or a Fanshelf export
``efiction``       an eFiction printable page (``viewstory.php?sid=`` with ``chaptertext``/``#pagetitle``)
``journal-html``   a saved page of LiveJournal, Dreamwidth, InsaneJournal or a blog (``<body>`` + an entry)
``post``           anything else: a plain text or HTML post for :func:`fanshelf.ingest.read_post`
=================  ====================================================================================
"""

from __future__ import annotations

import io
import re
import zipfile

__all__ = ["FORMATS", "sniff"]

FORMATS = ("epub", "zip", "fanshelf-json", "journal-xml", "front-matter", "ao3-html", "efiction",
           "journal-html", "post")

_JSON_RE = re.compile(r'^\s*\{[\s\S]{0,4000}?"format"\s*:\s*"fanshelf-works"')
_XML_ROOT_RE = re.compile(
    r"^\s*(?:<\?xml[^>]{0,300}\?>\s*)?(?:<!--[\s\S]{0,2000}?-->\s*|<!DOCTYPE[^>\[]{0,300}(?:\[[\s\S]{0,5000}?\])?\s*>\s*)*"
    r"<([A-Za-z_][\w.:-]{0,40})", re.I)
_JOURNAL_ROOTS = frozenset({"livejournal", "dreamwidth", "insanejournal", "entries", "journal", "ljexport"})
_AO3_RE = re.compile(r"""<div[^>]{0,200}\bid\s*=\s*["']?preface\b[\s\S]{0,20000}?<dl[^>]{0,200}\bclass\s*=\s*["']?tags""",
                     re.I)
_EFICTION_RE = re.compile(r"viewstory\.php\?sid=\d+", re.I)
_EFICTION_MARK_RE = re.compile(r"""class\s*=\s*["']?(?:chaptertext|chaptertitle)|id\s*=\s*["']?pagetitle""", re.I)
_BODY_RE = re.compile(r"<body[\s>]", re.I)
_JOURNAL_SITE_RE = re.compile(r"livejournal\.(?:com|net)|dreamwidth\.org|insanejournal\.com|dwcdn\.org", re.I)
_ENTRY_RE = re.compile(
    r"""class\s*=\s*["'][^"']{0,200}\b(?:entry-content|entry_text|entrytext|asset-body|b-singlepost-body|"""
    r"""post-body|entry-body|hentry|post-content)\b""", re.I)


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            try:
                info = zf.getinfo("mimetype")
            except KeyError:
                return "zip"
            if info.file_size > 200:
                return "zip"
            with zf.open(info) as fh:
                mime = fh.read(201)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError, NotImplementedError):
        return "epub-or-zip-broken"
    return "epub" if mime.strip() == b"application/epub+zip" else "zip"


HEAD_BYTES = 65536  # the bytes sniffed: a file's kind shows in its start


def sniff(data: bytes, head_text: str | None = None) -> str:
    """The format of ``data`` (one of :data:`FORMATS`; ``epub-or-zip-broken`` for an unreadable zip).

    ``head_text`` is the decoded start of the file when the caller has it already.
    """
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _zip_kind(data)
    if head_text is None:
        from fanshelf.ingest import decode

        head_text = decode(data[:HEAD_BYTES])[0]
    head = head_text.lstrip("\ufeff")
    stripped = head.lstrip()
    if stripped.startswith("{"):
        return "fanshelf-json" if _JSON_RE.match(stripped) else "post"
    if stripped.startswith("<"):
        m = _XML_ROOT_RE.match(stripped)
        if m:
            root = m.group(1).lower()
            if root in _JOURNAL_ROOTS and "<entry" in stripped[:65536].lower():
                return "journal-xml"
            if root == "event" and re.search(r"<eventtime>|<event_timestamp>|<itemid>", stripped[:65536]):
                return "journal-xml"
            if root.startswith("livejournal") or root == "ljdump":
                return "journal-xml"
    if head.startswith("---"):
        from fanshelf.ingest.frontmatter import has_front_matter

        if has_front_matter(head):
            return "front-matter"
    if "<" in head and _AO3_RE.search(head):
        return "ao3-html"
    if _EFICTION_RE.search(head) and _EFICTION_MARK_RE.search(head):
        return "efiction"
    if _BODY_RE.search(head) and _ENTRY_RE.search(head):
        return "journal-html"
    return "post"
