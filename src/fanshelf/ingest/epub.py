"""EPUB files: AO3's downloads (their preface XHTML is read by :mod:`fanshelf.ingest.ao3`) and EPUBs made by
FanFicFare or Calibre (metadata from the OPF package: ``dc:title``, ``dc:creator``, ``dc:subject`` tags,
``dc:description``, ``dc:date``, ``dc:language``, ``calibre:series`` + ``calibre:series_index``, the
source URL from ``dc:source``/``dc:identifier``; one chapter per spine document).

Hostile or broken EPUBs fail with a message naming the problem: every member read is capped (size and
compression ratio), paths that leave the container (``../``, absolute) are refused, XML is parsed with
``defusedxml`` (no entity declarations, no external entities or DTDs fetched), and a missing
``META-INF/container.xml``, OPF or spine document is reported as such.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element, ParseError

from fanshelf.ingest.common import (
    BrokenFile,
    ReadOptions,
    UnsafeInput,
    fragment_lines,
    html_to_text,
    safe_xml,
)
from fanshelf.ingest.dom import Node, parse_html
from fanshelf.model import Line, RawPost

__all__ = ["read_epub"]

MAX_MEMBERS = 5_000
MAX_RATIO = 100
_SKIP_DOC_RE = re.compile(r"(?:^|/)(?:title_?page|log_?page|toc_?page|cover|nav|toc)[^/]*$", re.I)
_NS = {
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _Epub:
    def __init__(self, data: bytes, source: str, opts: ReadOptions) -> None:
        self.source = source
        self.opts = opts
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise BrokenFile(f"{source}: a damaged or truncated EPUB ({exc})") from None
        if len(infos) > MAX_MEMBERS:
            raise UnsafeInput(f"{source}: the EPUB holds {len(infos):,} files; the limit is {MAX_MEMBERS:,}")
        self.infos = {i.filename: i for i in infos}
        self.total = 0

    def read(self, name: str, what: str) -> bytes:
        p = posixpath.normpath(name)
        if name.startswith("/") or p.startswith("../") or p == ".." or "\\" in name or (len(name) > 1 and name[1] == ":"):
            raise UnsafeInput(f"{self.source}: the EPUB's {what} path {name!r} leaves the container")
        info = self.infos.get(p) or self.infos.get(name)
        if info is None:
            raise BrokenFile(f"{self.source}: the EPUB has no {what} ({name}); a broken container")
        cap = self.opts.max_member_bytes
        if info.file_size > cap:
            raise UnsafeInput(f"{self.source}: the EPUB's {what} ({name}) is {info.file_size:,} bytes "
                              f"uncompressed; the limit is {cap:,}")
        if info.compress_size and info.file_size > 1024 * 1024 and info.file_size / info.compress_size > MAX_RATIO:
            raise UnsafeInput(f"{self.source}: the EPUB's {what} ({name}) is compressed "
                              f"{info.file_size // info.compress_size:,}:1, refused as a zip bomb")
        try:
            with self.zf.open(info) as fh:
                data = fh.read(cap + 1)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError) as exc:
            raise BrokenFile(f"{self.source}: cannot read the EPUB's {what} ({name}): {exc}") from None
        if len(data) > cap:
            raise UnsafeInput(f"{self.source}: the EPUB's {what} ({name}) is larger than the archive says "
                              f"(over {cap:,} bytes)")
        self.total += len(data)
        if self.total > self.opts.max_bytes * 4:
            raise UnsafeInput(f"{self.source}: the EPUB unpacks to more than {self.opts.max_bytes * 4:,} bytes")
        return data

    def xml(self, name: str, what: str) -> Element:
        data = self.read(name, what)
        try:
            return safe_xml(data, f"{self.source}: the EPUB's {what} ({name}) declares entities or external "
                                  "references, which are not read")
        except (ParseError, ValueError) as exc:
            raise BrokenFile(f"{self.source}: the EPUB's {what} ({name}) is not well-formed XML ({exc})") from None


def _opf_path(ep: _Epub) -> str:
    root = ep.xml("META-INF/container.xml", "container file")
    for el in root.iter():
        if _local(el.tag) == "rootfile":
            path = el.get("full-path")
            if path and (el.get("media-type") in (None, "application/oebps-package+xml")):
                return unquote(path)
    raise BrokenFile(f"{ep.source}: the EPUB's container file names no package (OPF) file")


def _text(el: Element) -> str:
    return " ".join("".join(el.itertext()).split())


def _metadata(opf: Element) -> tuple[dict[str, list[str]], list[str]]:
    """(meta, subjects) from the OPF's metadata."""
    meta: dict[str, list[str]] = {}
    subjects: list[str] = []
    md = next((el for el in opf if _local(el.tag) == "metadata"), None)
    if md is None:
        return meta, subjects
    dates: list[tuple[str, str]] = []
    urls: list[str] = []
    for el in md.iter():
        name = _local(el.tag)
        value = _text(el)
        if name == "title" and value and "title" not in meta:
            meta["title"] = [value]
        elif name == "creator" and value:
            role = el.get(f"{{{_NS['opf']}}}role") or el.get("role") or "aut"
            if role in ("aut", ""):
                meta.setdefault("creators", []).append(value)
        elif name == "subject" and value:
            subjects.append(value)
        elif name == "description" and value:
            raw = "".join(el.itertext())
            meta["summary"] = [html_to_text(raw) if "<" in raw else raw.strip()]
        elif name == "date" and value:
            event = el.get(f"{{{_NS['opf']}}}event") or el.get("event") or ""
            dates.append((event, value))
        elif name == "language" and value:
            meta["language"] = [_language(value)]
        elif name in ("source", "identifier") and re.match(r"https?://", value):
            urls.append(value)
        elif name == "meta":
            key = el.get("name") or el.get("property") or ""
            content = el.get("content") or value
            if key == "calibre:series" and content:
                meta["series"] = [content]
            elif key == "calibre:series_index" and content:
                meta["series_part"] = [content.split(".")[0] if content.endswith(".0") else content]
            elif key == "belongs-to-collection" and content and "series" not in meta:
                meta["series"] = [content]
            elif key == "group-position" and content and "series_part" not in meta:
                meta["series_part"] = [content]
            elif key == "dcterms:modified" and content:
                meta["updated"] = [content[:10]]
    if dates:
        pub = [v for e, v in dates if e in ("publication", "original-publication", "creation")]
        meta["published"] = [(pub or [dates[0][1]])[0][:10]]
        mod = [v for e, v in dates if e == "modification"]
        if mod:
            meta["updated"] = [mod[0][:10]]
    if urls:
        meta["source_url"] = [urls[0]]
    return meta, subjects


_LANGS = {"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español", "it": "Italiano",
          "ru": "Русский", "ja": "日本語", "zh": "中文", "pt": "Português", "pl": "Polski", "nl": "Nederlands"}


def _language(code: str) -> str:
    return _LANGS.get(code.split("-")[0].casefold(), code) if len(code) <= 8 else code


def _spine(ep: _Epub, opf: Element, opf_dir: str) -> list[str]:
    manifest: dict[str, tuple[str, str]] = {}
    spine_ids: list[str] = []
    for el in opf.iter():
        name = _local(el.tag)
        if name == "item" and el.get("id") and el.get("href"):
            manifest[el.get("id", "")] = (el.get("href", ""), el.get("media-type", ""))
        elif name == "itemref" and el.get("idref") and el.get("linear", "yes") != "no":
            spine_ids.append(el.get("idref", ""))
    if not spine_ids:
        raise BrokenFile(f"{ep.source}: the EPUB's package file has no spine (no reading order)")
    paths: list[str] = []
    for idref in spine_ids:
        if idref not in manifest:
            raise BrokenFile(f"{ep.source}: the EPUB's spine names {idref!r}, which its manifest lacks")
        href, media = manifest[idref]
        if media and "html" not in media:
            continue
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            raise UnsafeInput(f"{ep.source}: the EPUB's spine points outside the container ({href})")
        raw = unquote(parts.path)
        if raw.startswith("/"):
            raise UnsafeInput(f"{ep.source}: the EPUB's content path {raw!r} leaves the container")
        full = posixpath.normpath(posixpath.join(opf_dir, raw)) if opf_dir else posixpath.normpath(raw)
        if full.startswith("../") or full == "..":
            raise UnsafeInput(f"{ep.source}: the EPUB's content path {raw!r} leaves the container")
        paths.append(full)
    return paths


def _body(doc: Node) -> Node:
    return doc.find("body") or doc


def read_epub(data: bytes, source: str, opts: ReadOptions) -> RawPost:
    from fanshelf.ingest import decode
    from fanshelf.ingest.ao3 import is_ao3_document, read_ao3_tree

    ep = _Epub(data, source, opts)
    opf_name = _opf_path(ep)
    opf = ep.xml(opf_name, "package (OPF) file")
    if _local(opf.tag) != "package":
        raise BrokenFile(f"{source}: the EPUB's package file ({opf_name}) is not an OPF package")
    meta, subjects = _metadata(opf)
    warnings: list[str] = []
    docs: list[tuple[str, Node]] = []
    for path in _spine(ep, opf, posixpath.dirname(opf_name)):
        text, _enc = decode(ep.read(path, "content document"))
        docs.append((path, parse_html(text)))
    if not docs:
        raise BrokenFile(f"{source}: the EPUB's spine holds no (X)HTML documents")
    combined = parse_html("<html><body>" + "".join(_body(d).inner_html() for _, d in docs) + "</body></html>")
    if is_ao3_document(combined):
        post = read_ao3_tree(combined, source, warnings, "utf-8")
        if post.meta is not None:
            for key, value in meta.items():  # the OPF fills what the preface lacks (a source URL...)
                post.meta.setdefault(key, value)
        return post
    links: list[str] = []
    chapters: list[tuple[str | None, list[Line]]] = []
    for path, doc in docs:
        if _SKIP_DOC_RE.search(path) and len(docs) > 1:
            continue
        body = _body(doc)
        heading = body.find(where=lambda n: n.tag in ("h1", "h2", "h3"))
        title = heading.text() if heading is not None else None
        if heading is not None:
            heading.remove()
        lines = fragment_lines(body.inner_html(), warnings, links)
        if lines:
            chapters.append((title or None, lines))
    if not chapters:
        raise BrokenFile(f"{source}: the EPUB holds no text")
    if subjects:
        meta["subjects"] = subjects
    body_lines = [ln for _, lines in chapters for ln in lines]
    return RawPost(source=source, lines=body_lines, is_html=True, encoding="utf-8", warnings=warnings, links=links,
                   meta=meta, chapters=chapters)
