"""Markdown or HTML with YAML front matter: the AO3-backup shape and personal schemes.

The front matter is read with ``yaml.safe_load`` (no Python objects; YAML aliases are refused, so no
"billion laughs" of anchors) and mapped to AO3 fields (:data:`~fanshelf.ingest.common.META_KEYS`) by a
:class:`Mapping`: which key holds what, and which ``prefix:value`` tags go where. The default mapping
reads the AO3-backup keys (``ao3_url, author, characters, date, fandom, notes, rating, relationship,
summary, tags, title, warnings, series, series_weight``) and their usual synonyms; a personal mapping
file (``fanshelf import --mapping FILE``) adds to it or replaces it. Its format is in ``docs/formats.md``.

The body is Markdown (rendered with markdown-it, CommonMark) unless it is HTML.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from fanshelf.errors import InputError
from fanshelf.ingest.blocks import structured_lines
from fanshelf.ingest.common import META_KEYS, BrokenFile, UnsafeInput, split_items
from fanshelf.ingest.dom import Node, parse_html
from fanshelf.model import Line, RawPost

__all__ = ["DEFAULT_FIELDS", "Mapping", "has_front_matter", "load_mapping", "read_front_matter"]

#: front-matter key (folded: lower case, ``-`` and spaces as ``_``) → META key
DEFAULT_FIELDS: dict[str, str] = {
    "title": "title", "name": "title",
    "author": "creators", "authors": "creators", "creator": "creators", "creators": "creators",
    "pseud": "creators", "by": "creators",
    "fandom": "fandoms", "fandoms": "fandoms",
    "rating": "rating", "rated": "rating",
    "warnings": "archive_warnings", "warning": "archive_warnings", "archive_warnings": "archive_warnings",
    "archive_warning": "archive_warnings",
    "category": "categories", "categories": "categories",
    "relationship": "relationships", "relationships": "relationships", "pairing": "relationships",
    "pairings": "relationships", "ship": "relationships", "ships": "relationships",
    "characters": "characters", "character": "characters",
    "tags": "additional_tags", "additional_tags": "additional_tags", "freeform": "additional_tags",
    "freeforms": "additional_tags",
    "summary": "summary", "description": "summary",
    "notes": "notes", "note": "notes", "author_notes": "notes",
    "end_notes": "end_notes",
    "language": "language", "lang": "language",
    "date": "published", "published": "published", "posted": "published",
    "updated": "updated", "words": "words", "word_count": "words", "wordcount": "words",
    "series": "series", "series_weight": "series_part", "series_part": "series_part",
    "series_index": "series_part",
    "ao3_url": "source_url", "url": "source_url", "source": "source_url", "link": "source_url",
    "collections": "collections", "collection": "collections", "challenge": "collections",
    "prompt": "prompt", "prompt_number": "prompt_number",
}  # fmt: skip

#: tag prefix (folded) → META key, for tags written ``fandom:Stargate`` or ``ship: John/Rodney``
DEFAULT_TAG_PREFIXES: dict[str, str] = {
    "fandom": "fandoms", "pairing": "relationships", "ship": "relationships",
    "relationship": "relationships", "character": "characters", "char": "characters",
    "rating": "rating", "warning": "archive_warnings",
}  # fmt: skip

_SINGLE = frozenset({"title", "rating", "summary", "language", "published", "updated", "words",
                     "series_part", "completed", "chapters_stated", "prompt", "prompt_number"})
#: a ``challenge: {community, prompt, number}`` mapping (Fanshelf's Markdown export) → META keys
_CHALLENGE_KEYS = {"community": "collections", "collection": "collections", "prompt": "prompt",
                   "number": "prompt_number", "prompt_number": "prompt_number"}
_TEXT = frozenset({"summary", "notes", "end_notes"})  # kept whole (never split at commas)
_MAX_FRONT_MATTER = 256 * 1024


def _fold(key: str) -> str:
    return re.sub(r"[\s-]+", "_", key.strip().casefold())


@dataclass(slots=True)
class Mapping:
    """Which front-matter key holds which AO3 field; which tag prefixes name which field."""

    fields: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_FIELDS))
    tag_prefixes: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_TAG_PREFIXES))
    tag_keys: set[str] = field(default_factory=set)  # keys whose values may carry prefixes (default: tags)
    separator: str = ":"
    ignore: set[str] = field(default_factory=set)


def _check_target(where: str, target: Any) -> str:
    if not isinstance(target, str) or (target not in META_KEYS and not target.startswith("extra:")
                                       and target != "ignore"):
        raise InputError(f"{where}: {target!r} is not a field (one of {', '.join(META_KEYS)}, "
                         "'extra:LABEL' or 'ignore')")
    return target


def mapping_from_data(data: Any, source: str = "the mapping") -> Mapping:
    """Build a :class:`Mapping` from parsed YAML (see ``docs/formats.md``); raises InputError if malformed."""
    if data is None:
        return Mapping()
    if not isinstance(data, dict):
        raise InputError(f"{source}: a mapping file is a YAML mapping with 'fields' and/or 'tag_prefixes'")
    unknown = set(data) - {"fields", "tag_prefixes", "tag_keys", "separator", "defaults", "ignore"}
    if unknown:
        raise InputError(f"{source}: unknown section(s) {', '.join(sorted(map(str, unknown)))}")
    keep_defaults = data.get("defaults", True)
    if not isinstance(keep_defaults, bool):
        raise InputError(f"{source}: 'defaults' is true or false")
    m = Mapping() if keep_defaults else Mapping(fields={}, tag_prefixes={})
    for section, target_dict in (("fields", m.fields), ("tag_prefixes", m.tag_prefixes)):
        raw = data.get(section) or {}
        if not isinstance(raw, dict):
            raise InputError(f"{source}: '{section}' maps names to fields")
        for k, v in raw.items():
            target_dict[_fold(str(k))] = _check_target(f"{source}: {section}.{k}", v)
    for section in ("tag_keys", "ignore"):
        raw_list = data.get(section) or []
        if not isinstance(raw_list, list) or not all(isinstance(x, str) for x in raw_list):
            raise InputError(f"{source}: '{section}' is a list of key names")
        getattr(m, section).update(_fold(x) for x in raw_list)
    sep = data.get("separator", ":")
    if not isinstance(sep, str) or not sep.strip() or len(sep) > 3:
        raise InputError(f"{source}: 'separator' is one to three characters, e.g. ':'")
    m.separator = sep
    return m


def load_mapping(path: str | os.PathLike[str]) -> Mapping:
    """Read a mapping file (YAML). Raises :class:`InputError` naming the problem."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as fh:
            raw = fh.read(1024 * 1024 + 1)
    except OSError as exc:
        raise InputError(f"{name}: cannot read the mapping file ({exc.strerror or exc})") from None
    if len(raw) > 1024 * 1024:
        raise InputError(f"{name}: a mapping file of more than 1 MB is not a mapping file")
    try:
        data = yaml.safe_load(raw.decode("utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(f"{name}: the mapping file is not valid YAML ({exc})") from None
    return mapping_from_data(data, name)


# ----------------------------------------------------------------------------------------------------


_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster


def _load_yaml(block: str) -> Any:
    """``safe_load`` without aliases: a front matter needs none, and they allow 'billion laughs'
    (a few lines that expand to gigabytes once walked). Raises UnsafeInput or yaml.YAMLError."""
    if "*" in block:  # an alias needs a '*'; most front matter has none, and skips this scan
        for event in yaml.parse(block, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                raise UnsafeInput("YAML aliases (&anchor / *alias) are not read in front matter")
    return yaml.load(block, Loader=_Loader)


_KEY_LINE_RE = re.compile(r"^[^\s:#-][^:\n]{0,80}:(?:[ \t]|$)")


_FM_END_RE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)


def split_front_matter(text: str) -> tuple[str, str] | None:
    """``(yaml, body)`` when ``text`` opens with a ``---`` front matter block, else None."""
    if not text.startswith("---"):
        return None
    first_nl = text.find("\n")
    if first_nl < 0 or text[:first_nl].strip() != "---":
        return None
    m = _FM_END_RE.search(text, first_nl + 1, first_nl + 1 + _MAX_FRONT_MATTER)
    if m is None:
        return None
    return text[first_nl + 1 : m.start()], text[m.end() :].lstrip("\n")


def has_front_matter(text: str) -> bool:
    """True when ``text`` opens with a ``---`` block whose first line is ``key: value`` (cheap: the
    reader parses the YAML, and reads the file as a plain post when it is not a mapping after all)."""
    parts = split_front_matter(text)
    if parts is None:
        return False
    for line in parts[0].split("\n"):
        if line.strip() and not line.lstrip().startswith("#"):
            return bool(_KEY_LINE_RE.match(line))
    return False


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        out: list[str] = []
        for v in value:
            out.extend(_strings(v))
        return out
    if isinstance(value, dict):
        return [f"{k}: {v}" for k, v in value.items()]
    if isinstance(value, bool):
        return ["yes" if value else "no"]
    if isinstance(value, dt.datetime | dt.date):
        return [value.isoformat()[:10]]
    s = str(value).strip()
    return [s] if s else []


def meta_from_front_matter(data: dict[Any, Any], mapping: Mapping) -> dict[str, list[str]]:
    meta: dict[str, list[str]] = {}

    def put(target: str, values: list[str], *, whole: bool = False) -> None:
        if target == "ignore" or not values:
            return
        items: list[str] = []
        for v in values:
            items.extend([v] if whole or target in _TEXT or target in _SINGLE or target == "title"
                         else split_items(v))
        meta.setdefault(target, []).extend(items)

    tag_keys = mapping.tag_keys or {k for k, t in mapping.fields.items() if t == "additional_tags"}
    for key, value in data.items():
        k = _fold(str(key))
        if k in mapping.ignore:
            continue
        target = mapping.fields.get(k)
        if target == "collections" and isinstance(value, dict):
            for sub, sub_value in value.items():
                to = _CHALLENGE_KEYS.get(_fold(str(sub)))
                if to is not None:
                    put(to, _strings(sub_value), whole=True)
                else:
                    put(f"extra:{key} {sub}", _strings(sub_value), whole=True)
            continue
        values = _strings(value)
        if target is None:
            if values:
                put(f"extra:{str(key).replace('_', ' ')}", [", ".join(values)], whole=True)
            continue
        if k in tag_keys and mapping.tag_prefixes:
            plain: list[str] = []
            # a YAML list gives one tag an item (a tag may hold a comma); a string is split at commas
            for item in (values if isinstance(value, list) else [x for v in values for x in split_items(v)]):
                prefix, sep, rest = item.partition(mapping.separator)
                to = mapping.tag_prefixes.get(_fold(prefix)) if sep and rest.strip() else None
                if to is not None:
                    put(to, [rest.strip()], whole=True)
                else:
                    plain.append(item)
            put(target, plain, whole=True)
            continue
        put(target, values, whole=isinstance(value, list))
    for key in _SINGLE:
        if key in meta:
            meta[key] = meta[key][:1]
    return meta


def read_front_matter(text: str, source: str, mapping: Mapping | None, warnings: list[str],
                      encoding: str) -> RawPost:
    """A decoded document with front matter → a structured :class:`RawPost`."""
    from fanshelf.ingest import looks_like_html

    parts = split_front_matter(text)
    if parts is None:
        raise BrokenFile(f"{source}: the front matter is not closed with '---'")
    block, body = parts
    try:
        data = _load_yaml(block)
    except UnsafeInput as exc:
        raise UnsafeInput(f"{source}: {exc}") from None
    except yaml.YAMLError as exc:
        data = None
        problem = " ".join(str(exc).split())[:200]
        warnings.append(f"the front matter is not valid YAML ({problem}); read as a plain post")
    if not isinstance(data, dict) or not data:
        from fanshelf.ingest import read_post

        post = read_post(text, source)
        post.encoding = encoding
        post.warnings = [*warnings, *post.warnings]
        return post
    meta = meta_from_front_matter(data, mapping or Mapping())
    for key in _TEXT:  # summary and notes are Markdown (as in an AO3 backup): read as text
        if key in meta:
            meta[key] = [_markdown_text(v) for v in meta[key]]
    # Markdown's backslash escapes (``\<b>``: a shown "<b>", as Fanshelf's Markdown export writes it) are no tags
    # nor is code (a fenced block, a `span`) showing markup
    is_html = looks_like_html(_MD_CODE_RE.sub("", _MD_ESCAPE_RE.sub("", body)))
    links: list[str] = []
    if is_html:
        lines: list[Line] = structured_lines(body, warnings, links)
        return RawPost(source=source, lines=lines, is_html=True, encoding=encoding, warnings=warnings,
                       links=links, meta=meta)
    chapters = _markdown_chapters(_markdown(body), warnings, links)
    lines = [ln for _, chapter in chapters for ln in chapter]
    return RawPost(source=source, lines=lines, is_html=True, encoding=encoding, warnings=warnings,
                   links=links, meta=meta, chapters=chapters)


def _markdown_chapters(rendered: str, warnings: list[str], links: list[str]
                       ) -> list[tuple[str | None, list[Line]]]:
    """A Markdown body's chapters: each top-level ``## heading`` starts one (``## Chapter 2: TITLE`` gives
    the title TITLE, as Fanshelf's Markdown export writes them); text before the first is a chapter of its
    own. Without any ``##`` heading the body is one chapter."""
    from fanshelf.ingest.ao3 import chapter_title

    root = parse_html(rendered)
    parts: list[tuple[str | None, list[str]]] = [(None, [])]
    for child in root.children:
        if isinstance(child, Node) and child.tag == "h2":
            parts.append((chapter_title(child.text()) or None, []))
        else:
            parts[-1][1].append(child if isinstance(child, str) else _outer_html(child))
    chapters: list[tuple[str | None, list[Line]]] = []
    for i, (title, pieces) in enumerate(parts):
        lines = structured_lines("".join(pieces), warnings, links)
        if lines or i:  # the text before the first heading only when there is some
            chapters.append((title, lines))
    return chapters or [(None, [])]


def _outer_html(node: Node) -> str:
    wrapper = Node("#frag")
    wrapper.children = [node]
    return wrapper.inner_html()


_MD_ESCAPE_RE = re.compile(r"\\[!-/:-@\[-`{-~]")
_MD_CODE_RE = re.compile(r"^(`{3,}|~{3,})[^\n]*\n.*?^\1[ \t]*$|(`+)[^`\n]+?\2(?!`)", re.M | re.S)
_MD_TEXT: Any = None


def _markdown_text(text: str) -> str:
    """A Markdown summary or note as plain text (escapes undone; a line break stays one; raw HTML is text)."""
    global _MD_TEXT
    if not any(c in text for c in "\\`*_[]<>#+-|~&=!") and "  \n" not in text:
        return text.strip()
    if _MD_TEXT is None:
        from markdown_it import MarkdownIt

        _MD_TEXT = MarkdownIt("commonmark", {"html": False, "breaks": True})
    return _plain(parse_html(str(_MD_TEXT.render(text)))) or text.strip()


_TEXT_BLOCKS = frozenset({"p", "li", "ul", "ol", "blockquote", "pre", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
                          "div"})


def _plain(root: Node) -> str:
    """Rendered Markdown as plain text: a paragraph a block, ``<br>`` a line break; links as their text
    (no journal-name guessing: this is what the text says, not a post's markup)."""
    parts: list[str] = []
    stack: list[Node | str] = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item.replace("\n", " ") if item != "\x00\n" else "\n\n")
            continue
        if item.tag == "br":
            parts.append("\n")
        elif item.tag in _TEXT_BLOCKS:
            parts.append("\n\n")
            stack.append("\x00\n")
            stack.extend(reversed(item.children))
        elif item.tag not in ("script", "style", "img"):
            stack.extend(reversed(item.children))
    paras = [[" ".join(ln.split()) for ln in p.split("\n") if ln.strip()] for p in "".join(parts).split("\n\n")]
    return "\n\n".join("\n".join(p) for p in paras if p)


_MD: Any = None


def _markdown(text: str) -> str:
    global _MD
    if _MD is None:
        from markdown_it import MarkdownIt

        _MD = MarkdownIt("commonmark", {"html": True}).enable("strikethrough")  # ~~x~~, as the export writes <s>
    return str(_MD.render(text))
