"""LiveJournal and Dreamwidth journal exports (XML, many entries per file).

Read: LJ/DW's own export (``<livejournal>`` of ``<entry>`` elements: ``itemid``, ``eventtime``,
``subject``, ``event``, ``security``, ``allowmask``...), the same under ``<dreamwidth>``/``<entries>``,
and ljdump's one-entry files (root ``<event>`` with ``props/taglist``). Each entry is a post: its HTML body
is read like any post (its typed header parsed), with the subject above it; the entry's date, poster,
tags, URL and security level come along as hints. Private and friends-only (``usemask``) entries are
skipped unless :attr:`ReadOptions.include_private` is set.

The XML goes through ``defusedxml`` (entity declarations and external references are refused, never
expanded or fetched). A file whose bytes do not match its declared encoding is read again from the
detected encoding (with a warning); truncated or malformed XML fails with the line it broke at.
"""

from __future__ import annotations

import html
import re
from xml.etree.ElementTree import Element, ParseError

from fanshelf.errors import InputError
from fanshelf.ingest.common import BrokenFile, ReadOptions, safe_xml
from fanshelf.model import RawPost

__all__ = ["read_journal_xml"]

_PUBLIC = frozenset({"", "public"})
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")


def _parse(data: bytes, source: str, warnings: list[str]) -> Element:
    try:
        return safe_xml(data, f"{source}: the XML declares entities or external references, which are not "
                              "read (a possible 'billion laughs' or XXE attack)")
    except ParseError as exc:
        first = exc
    msg = str(first)
    if "invalid token" in msg or "encoding" in msg:
        # bytes that do not match the declared encoding: read them as what they are
        from fanshelf.ingest import _clean_text, _decode_raw

        raw_text, enc, notes = _decode_raw(data)
        text = _clean_text(raw_text, [])
        try:
            again = safe_xml(_XML_DECL_RE.sub("", text, count=1),
                             f"{source}: the XML declares entities or external references")
        except ParseError:
            pass
        else:
            how = "; ".join(notes) or f"decoded as {enc}"
            warnings.append(f"the XML's declared encoding does not match its bytes ({how})")
            return again
    if "no element found" in msg or "unclosed token" in msg:
        raise BrokenFile(f"{source}: the journal export is truncated ({msg})") from None
    raise BrokenFile(f"{source}: the journal export is not well-formed XML ({msg})") from None


def _child_text(el: Element, *names: str) -> str:
    for name in names:
        found = el.find(name)
        if found is not None and (found.text or len(found)):
            return "".join(found.itertext()).strip()
    return ""


def _tags(entry: Element) -> str:
    for path in ("taglist", "props/taglist", "tags", "props/tags"):
        found = entry.find(path)
        if found is not None:
            items = [" ".join("".join(t.itertext()).split()) for t in found if len(found)]
            if items:
                return ", ".join(i for i in items if i)
            return " ".join("".join(found.itertext()).split())
    return ""


def _entries(root: Element) -> list[Element]:
    if root.tag == "event" and root.find("event") is not None:
        return [root]
    return [el for el in root.iter() if el.tag in ("entry", "item") and el.find("event") is not None]


def read_journal_xml(data: bytes, source: str, opts: ReadOptions) -> list[RawPost]:
    from fanshelf.ingest import read_post

    warnings: list[str] = []
    root = _parse(data, source, warnings)
    entries = _entries(root)
    if not entries:
        raise BrokenFile(f"{source}: a journal export without entries (no <entry> with an <event>)")
    posts: list[RawPost] = []
    skipped = 0
    for n, entry in enumerate(entries, 1):
        security = _child_text(entry, "security", "props/security").casefold()
        if security not in _PUBLIC and not opts.include_private:
            skipped += 1
            continue
        itemid = _child_text(entry, "itemid", "ditemid", "jitemid") or str(n)
        subject = " ".join(_child_text(entry, "subject").split())
        body = _child_text(entry, "event")
        fragment = (f"<h3>{html.escape(subject)}</h3>\n" if subject else "") + body
        post = read_post(fragment, f"{source}#entry-{itemid}", max_bytes=opts.max_bytes)
        hints = {
            "subject": subject,
            "date": _child_text(entry, "eventtime", "logtime")[:10],
            "poster": _child_text(entry, "poster", "postername", "props/poster"),
            "tags": _tags(entry),
            "url": _child_text(entry, "url"),
            "community": _child_text(entry, "journal", "community"),
            "security": security if security not in _PUBLIC else "",
        }
        post.hints = {k: v for k, v in hints.items() if v}
        posts.append(post)
    if not posts:
        raise InputError(f"{source}: all {skipped} entries are private or friends-only; import them with "
                         "--include-private")
    if skipped:
        warnings.append(f"{skipped} private or friends-only entr{'y' if skipped == 1 else 'ies'} of this export "
                        "skipped (--include-private imports them)")
    for post in posts:
        post.warnings = [*warnings, *post.warnings]
    return posts
