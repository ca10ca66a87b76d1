"""The whole core pipeline in one call: bytes or a file in, :class:`~fanshelf.model.Work` objects out."""

from __future__ import annotations

import os

from fanshelf.ingest import ReadOptions, read_bytes, read_file, read_post, read_posts
from fanshelf.model import RawPost, Work
from fanshelf.parse import parse_lines
from fanshelf.taxonomy import Taxonomy, default_taxonomy
from fanshelf.wrangle import wrangle
from fanshelf.wrangle.meta import apply_hints, wrangle_meta

__all__ = ["parse_bytes", "parse_document", "parse_file", "parse_path", "parse_raw"]


def parse_raw(raw: RawPost, taxonomy: Taxonomy | None = None) -> list[Work]:
    """Parse and wrangle a post that :mod:`fanshelf.ingest` has read."""
    tax = taxonomy or default_taxonomy()
    if raw.work is not None:  # Fanshelf's own JSON export: the work as it was
        return [raw.work]
    if raw.meta is not None:  # a structured format: its fields are known, nothing is guessed
        work = wrangle_meta(raw.meta, raw.chapters if raw.chapters is not None else [(None, raw.lines)], tax,
                            is_html=raw.is_html)
        work.warnings = [*raw.warnings, *work.warnings]
        return [work]
    works = []
    for pw in parse_lines(raw.lines, links=raw.links, is_html=raw.is_html):
        work = wrangle(pw, tax)
        apply_hints(work, raw.hints, tax)
        work.warnings = [*raw.warnings, *work.warnings]
        works.append(work)
    return works


def parse_bytes(data: bytes | str, source: str = "<input>", taxonomy: Taxonomy | None = None) -> list[Work]:
    """Parse one post given as bytes (encoding detected) or text."""
    return parse_raw(read_post(data, source), taxonomy)


def parse_file(path: str | os.PathLike[str], taxonomy: Taxonomy | None = None) -> list[Work]:
    """Parse one post file (plain text or HTML)."""
    return parse_raw(read_file(path), taxonomy)


def parse_document(data: bytes, source: str = "<input>", *, options: ReadOptions | None = None,
                   taxonomy: Taxonomy | None = None) -> list[Work]:
    """Parse a whole file of any format :func:`fanshelf.ingest.read_posts` sniffs (journal exports and pages,
    AO3 downloads, EPUBs, front matter, eFiction pages, Fanshelf JSON, plain posts): every work in it."""
    return [w for raw in read_posts(data, source, options=options) for w in parse_raw(raw, taxonomy)]


def parse_path(path: str | os.PathLike[str], *, options: ReadOptions | None = None,
               taxonomy: Taxonomy | None = None) -> list[Work]:
    """:func:`parse_document` on a file (size checked before reading)."""
    return parse_document(read_bytes(path), os.fspath(path), options=options, taxonomy=taxonomy)
