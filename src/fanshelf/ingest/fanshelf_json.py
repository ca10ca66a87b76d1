"""Fanshelf's own JSON export: ``{"format": "fanshelf-works", "version": 1, "works": [Work.to_dict(), ...]}``.

Each work comes back exactly as it was exported (nothing is parsed or wrangled again). Unknown keys in a
work are refused, as are a newer version, a wrong type or a missing field, each with a clear message.
"""

from __future__ import annotations

import json
import re
from dataclasses import fields
from typing import Any

from fanshelf.ingest.common import BrokenFile
from fanshelf.model import Challenge, Chapter, RawPost, SeriesPart, Work

__all__ = ["VERSION", "read_fanshelf_json", "work_from_dict"]

VERSION = 1
_WORK_FIELDS = {f.name: f for f in fields(Work)}
_LIST_FIELDS = {"creators", "fandoms", "archive_warnings", "categories", "relationships", "relationships_raw",
                "characters", "additional_tags", "warnings"}
_STR_FIELDS = {"title", "rating", "language", "header"}
_OPT_STR_FIELDS = {"rating_raw", "summary", "notes", "end_notes", "published"}
_MAX_DEPTH = 50
_VOID_SPELLING = re.compile(r"<(br|hr)\s*/>")


def _err(source: str, where: str, problem: str) -> BrokenFile:
    return BrokenFile(f"{source}: {where}: {problem}")


def _str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def work_from_dict(d: Any, source: str = "<input>", where: str = "work") -> Work:
    """A :class:`Work` from ``Work.to_dict()`` output; :class:`BrokenFile` naming the bad field."""
    if not isinstance(d, dict):
        raise _err(source, where, "not an object")
    unknown = set(d) - set(_WORK_FIELDS)
    if unknown:
        raise _err(source, where, f"unknown field(s) {', '.join(sorted(unknown))}")
    kw: dict[str, Any] = {}
    for name, value in d.items():
        if name in _LIST_FIELDS:
            if not _str_list(value):
                raise _err(source, where, f"'{name}' must be a list of strings")
        elif name in _STR_FIELDS:
            if not isinstance(value, str):
                raise _err(source, where, f"'{name}' must be a string")
        elif name in _OPT_STR_FIELDS:
            if value is not None and not isinstance(value, str):
                raise _err(source, where, f"'{name}' must be a string or null")
        elif name in ("word_count",):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise _err(source, where, f"'{name}' must be a whole number")
        elif name == "stated_word_count":
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise _err(source, where, f"'{name}' must be a whole number or null")
        elif name == "extra":
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise _err(source, where, "'extra' must map names to strings")
            value = dict(value)
        elif name == "challenge":
            if value is not None:
                if not isinstance(value, dict) or set(value) - {"community", "prompt", "number"}:
                    raise _err(source, where, "'challenge' must be an object of community, prompt, number")
                value = Challenge(**value)
        elif name == "series_part":
            if value is not None:
                if not isinstance(value, dict) or set(value) - {"title", "part", "of"}:
                    raise _err(source, where, "'series_part' must be an object of title, part, of")
                value = SeriesPart(**value)
        elif name == "chapters":
            if not isinstance(value, list):
                raise _err(source, where, "'chapters' must be a list")
            chapters = []
            for i, ch in enumerate(value, 1):
                if not isinstance(ch, dict) or set(ch) != {"title", "text", "html"} or not isinstance(
                        ch["text"], str) or not isinstance(ch["html"], str) or not (
                        ch["title"] is None or isinstance(ch["title"], str)):
                    raise _err(source, where, f"chapter {i} must be an object of title, text, html")
                chapters.append(Chapter(title=ch["title"], text=ch["text"], html=ch["html"]))
            value = chapters
        kw[name] = value
    return Work(**kw)


def read_fanshelf_json(text: str, source: str, warnings: list[str], encoding: str) -> list[RawPost]:
    from fanshelf.ingest import sanitize_html

    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        problem = "not valid JSON" if text.rstrip().endswith("}") else "truncated"
        raise BrokenFile(f"{source}: a Fanshelf export that is {problem} ({exc.msg}, line {exc.lineno})") from None
    except RecursionError:
        raise BrokenFile(f"{source}: JSON nested too deeply") from None
    if not isinstance(doc, dict) or doc.get("format") != "fanshelf-works":
        raise BrokenFile(f"{source}: not a Fanshelf export (no \"format\": \"fanshelf-works\")")
    version = doc.get("version")
    if version != VERSION:
        raise BrokenFile(f"{source}: a Fanshelf export of version {version!r}; this Fanshelf reads version {VERSION}")
    works = doc.get("works")
    if not isinstance(works, list):
        raise BrokenFile(f"{source}: the export's 'works' must be a list")
    posts = []
    for i, d in enumerate(works, 1):
        work = work_from_dict(d, source, f"work {i}")
        for ch in work.chapters:  # an edited export is untrusted HTML like any other
            clean = sanitize_html(ch.html)
            # kept as written when sanitizing changed nothing but the spelling of void tags (<br /> → <br>)
            if _VOID_SPELLING.sub(r"<\1>", ch.html) != clean:
                ch.html = clean
        posts.append(RawPost(source=f"{source}#work-{i}", lines=[], is_html=True, encoding=encoding,
                             warnings=list(warnings), work=work))
    return posts
