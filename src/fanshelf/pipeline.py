"""The whole core pipeline in one call: bytes or a file in, :class:`~fanshelf.model.Work` objects out."""

from __future__ import annotations

import os

from fanshelf.ingest import read_file, read_post
from fanshelf.model import RawPost, Work
from fanshelf.parse import parse_lines
from fanshelf.taxonomy import Taxonomy, default_taxonomy
from fanshelf.wrangle import wrangle

__all__ = ["parse_bytes", "parse_file", "parse_raw"]


def parse_raw(raw: RawPost, taxonomy: Taxonomy | None = None) -> list[Work]:
    """Parse and wrangle a post that :mod:`fanshelf.ingest` has read."""
    tax = taxonomy or default_taxonomy()
    works = []
    for pw in parse_lines(raw.lines, links=raw.links, is_html=raw.is_html):
        work = wrangle(pw, tax)
        work.warnings = [*raw.warnings, *work.warnings]
        works.append(work)
    return works


def parse_bytes(data: bytes | str, source: str = "<input>", taxonomy: Taxonomy | None = None) -> list[Work]:
    """Parse one post given as bytes (encoding detected) or text."""
    return parse_raw(read_post(data, source), taxonomy)


def parse_file(path: str | os.PathLike[str], taxonomy: Taxonomy | None = None) -> list[Work]:
    """Parse one post file (plain text or HTML)."""
    return parse_raw(read_file(path), taxonomy)
