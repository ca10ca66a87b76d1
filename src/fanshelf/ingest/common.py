"""What every reader shares: options, errors, the AO3 field names of ``RawPost.meta``, HTML → lines."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element

import defusedxml
from defusedxml.ElementTree import fromstring

from fanshelf.errors import InputError
from fanshelf.model import Line

if TYPE_CHECKING:
    from fanshelf.ingest.frontmatter import Mapping

__all__ = [
    "META_KEYS",
    "BrokenFile",
    "ReadOptions",
    "UnsafeInput",
    "fragment_lines",
    "split_items",
]

#: The keys of ``RawPost.meta`` (each a list of strings; single-valued ones hold one item). ``subjects`` is
#: an unsorted tag list (EPUB ``dc:subject``) that wrangling sorts into fandoms, ratings, tags...
META_KEYS = (
    "title", "creators", "fandoms", "rating", "archive_warnings", "categories", "relationships",
    "characters", "additional_tags", "summary", "notes", "end_notes", "language", "published", "updated",
    "completed", "words", "chapters_stated", "series", "series_part", "source_url", "collections", "prompt",
    "prompt_number", "subjects",
)  # fmt: skip


class BrokenFile(InputError):
    """The file is of a known format but broken: truncated, missing parts, malformed XML or JSON."""


class UnsafeInput(InputError):
    """The file tries something hostile: entity expansion, external entities, a zip bomb, ``../`` paths."""


def safe_xml(data: bytes | str, refused: str) -> Element:
    """Parse XML with entity declarations and external references refused (billion laughs, XXE).

    Those raise :class:`UnsafeInput` with the message ``refused`` and the kind of construct; malformed XML
    raises :class:`xml.etree.ElementTree.ParseError` for the caller to explain.
    """
    try:
        root: Element = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise UnsafeInput(f"{refused} ({type(exc).__name__})") from None
    return root


@dataclass(slots=True)
class ReadOptions:
    """How :func:`fanshelf.ingest.read_posts` reads.

    ``include_private``: keep private and friends-only journal entries (skipped by default).
    ``mapping``: front-matter keys and tag prefixes of a personal scheme (see ``docs/formats.md``).
    """

    include_private: bool = False
    mapping: Mapping | None = None
    max_bytes: int = 20 * 1024 * 1024
    max_member_bytes: int = 20 * 1024 * 1024  # any one file read from inside an EPUB


_SPLIT_RE = re.compile(r"\s*[,;\n]\s*")


def split_items(value: str) -> list[str]:
    """``"A, B; C"`` → ``["A", "B", "C"]`` (commas, semicolons, newlines; never ``and`` or ``/``)."""
    return [p.strip() for p in _SPLIT_RE.split(value) if p.strip()]


def fragment_lines(fragment: str, warnings: list[str], links: list[str] | None = None) -> list[Line]:
    """An HTML fragment → sanitized :class:`Line` objects (as ``read_post`` makes them for HTML)."""
    from fanshelf.ingest import _clean_text, _html_lines

    return _html_lines(_clean_text(fragment, warnings), warnings, links if links is not None else [])


def html_to_text(fragment: str) -> str:
    """An HTML fragment (a summary, a note) → plain text, one paragraph per line."""
    lines = fragment_lines(fragment, [])
    out: list[str] = []
    for ln in lines:
        if ln.rule:
            continue
        if not ln.text:
            if out and out[-1] != "":
                out.append("")
            continue
        out.append(ln.text)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)
