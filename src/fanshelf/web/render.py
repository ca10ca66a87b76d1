"""The hottest fragments (blurbs, the required-tags box, facet rows) built in Python: a listing page has
20 blurbs and some 70 filter rows, and Django's template engine would spend most of the request on them.

Every value is escaped (like :func:`django.utils.html.format_html`, without its lazy-string overhead);
only fragments built here pass unescaped into others. The markup is pinned by tests/golden/web_blurb.html.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from html import escape
from typing import Any
from urllib.parse import quote

from django.utils.safestring import SafeString


def _e(value: Any) -> str:
    if isinstance(value, SafeString):
        return value
    if type(value) is int:
        return str(value)
    return escape(str(value))


@lru_cache(maxsize=65536)
def _tag_a(name: str) -> str:
    """A tag link (names repeat across blurbs and requests: built once per process)."""
    return f'<a class="tag" href="{escape(tag_url(name))}">{escape(name)}</a>'


@lru_cache(maxsize=65536)
def _tag_li(cls: str, name: str) -> str:
    return f'<li class="{cls}">{_tag_a(name)}</li>'


@lru_cache(maxsize=65536)
def _creator_a(name: str) -> str:
    return f'<a rel="author" href="{escape(creator_url(name))}">{escape(name)}</a>'


@lru_cache(maxsize=65536)
def _esc(text: str) -> str:
    return escape(text)


def format_html(template: str, *args: Any) -> SafeString:
    return SafeString(template.format(*[_e(a) for a in args]))


def format_html_join(sep: str, template: str, rows: Iterable[Iterable[Any]]) -> SafeString:
    return SafeString(sep.join(template.format(*[_e(a) for a in row]) for row in rows))


def tag_url(name: str) -> str:
    return "/tags/" + quote(name, safe="")


def creator_url(name: str) -> str:
    return "/creators/" + quote(name, safe="")


def _n(v: Any) -> str:
    return f"{v:,}" if isinstance(v, int) else ""


def required_html(required: list[dict[str, str]]) -> SafeString:
    return _required(tuple((r["kind"], r["cls"], r["text"], r["symbol"]) for r in required))


@lru_cache(maxsize=4096)
def _required(rows: tuple[tuple[str, str, str, str], ...]) -> SafeString:
    items = format_html_join(
        "\n", '<li><span class="req {} {}" title="{}"><span class="sym" aria-hidden="true">{}</span>'
        '<span class="sr-only">{}</span></span></li>', ((kind, cls, text, sym, text) for kind, cls, text, sym in rows))
    return format_html('<ul class="required-tags" aria-label="Required tags">\n{}\n</ul>', items)


def _linebreaksbr(text: str) -> SafeString:
    return format_html_join("<br>", "{}", ((line,) for line in text.replace("\r\n", "\n").split("\n")))


def blurb_html(w: dict[str, Any]) -> SafeString:
    """One ``<li class="blurb">`` (AO3's blurb) for a decorated work dict (:func:`data.decorate`)."""
    wid = w["id"]
    creators = SafeString(", ".join(_creator_a(c) for c in w["creators"]))
    heading = format_html('<h3 class="heading" id="work-{}-title"><a href="/works/{}">{}</a>{}</h3>', wid, wid,
                          w["title"], format_html(' <span class="by">by</span> {}', creators)
                          if w["creators"] else "")
    fandoms = SafeString(", ".join(_tag_a(t) for t in w["fandoms"]))
    parts = [
        format_html('<li class="blurb" data-work-id="{}">\n<div class="blurb-header">\n{}\n<div class="blurb-heading">'
                    '\n{}\n<p class="fandoms"><span class="sr-only">Fandoms: </span>{}</p>\n</div>\n'
                    '<p class="datetime"><span class="sr-only">Updated </span><time datetime="{}">{}</time></p>'
                    '\n</div>', wid, required_html(w["required"]), heading, fandoms or "No fandom",
                    w["date"], w["date"]),
    ]
    if w["tag_groups"]:
        tags = SafeString("\n".join(_tag_li(type_.lower(), t) for type_, names in w["tag_groups"] for t in names))
        parts.append(format_html('<ul class="tags commas" aria-label="Tags">\n{}\n</ul>', tags))
    if w.get("summary"):
        parts.append(format_html('<blockquote class="summary userstuff"><span class="sr-only">Summary: </span>{}'
                                 '</blockquote>', _linebreaksbr(w["summary"])))
    if w.get("series"):
        parts.append(format_html('<ul class="series">{}</ul>', format_html_join(
            "", '<li>Part <strong>{}</strong> of <a href="/series/{}">{}</a></li>',
            ((s["position"] if s["position"] is not None else "?", s["id"], s["title"]) for s in w["series"]))))
    stats = [("Language", w.get("language", "")), ("Words", _n(w.get("words"))), ("Chapters", w["chapters_label"])]
    stats += [(label, _n(w.get(key))) for label, key in (("Kudos", "kudos"), ("Hits", "hits")) if w.get(key)]
    # each label stays with its value when the line wraps (a <div> per pair, as HTML allows in a <dl>)
    parts.append(format_html('<dl class="stats">\n{}\n</dl>\n</li>', format_html_join(
        "\n", "<div><dt>{}:</dt><dd>{}</dd></div>", stats)))
    return SafeString("\n".join(parts))


def blurbs_html(works: list[dict[str, Any]]) -> SafeString:
    return SafeString("\n".join(blurb_html(w) for w in works))


def facet_rows_html(key: str, rows: list[dict[str, Any]]) -> SafeString:
    """The rows of one tag type in the filter sidebar: name (count), include and exclude checkboxes."""
    out = []
    k = _esc(key)
    for i, r in enumerate(rows, 1):
        name = _esc(r["name"])
        count = f' <span class="n">({_n(r["count"])})</span>' if r["count"] is not None else ""
        inc = " checked" if r["include"] else ""
        exc = " checked" if r["exclude"] else ""
        out.append(
            f'<tr><th scope="row" class="facet-name">{name}{count}</th>\n'
            f'<td><input type="checkbox" name="include" value="{name}" id="inc-{k}-{i}"{inc}>'
            f'<label class="sr-only" for="inc-{k}-{i}">Include {name}</label></td>\n'
            f'<td><input type="checkbox" name="exclude" value="{name}" id="exc-{k}-{i}"{exc}>'
            f'<label class="sr-only" for="exc-{k}-{i}">Exclude {name}</label></td></tr>')
    return SafeString("\n".join(out))


# ------------------------------------------------------------------------------- chapter headings

_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_NUMBER = (rf"\d+|[ivxl]+|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ]?(?:{_UNITS}))?|{_UNITS}|"
           r"ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|hundred|(?:the\s+)?"
           r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|final)")
# "Chapter One", "Ch. 3", "Part 2", "Part IV", "Chapter the Last", "Book Two: …": already says which chapter
_NUMBERED = re.compile(rf"(?i)\s*(?:chapter|chap\.?|ch\.?|part|pt\.?|book|section)\s*#?\s*(?:{_NUMBER})(?![\w'’])")
# "3. The Roof", "3 - The Roof": the chapter's own number in front of its title
_LEADING_NUMBER = re.compile(r"\s*(\d+)\s*[.:)\-–—]\s*(\S.*)", re.S)


def chapter_heading(position: int, title: str) -> str:
    """"Chapter 2: The Roof"; a title that already says which chapter or part it is ("Chapter Two",
    "Part 2", "Ch. 2: The Roof") stays as it is, and "2. The Roof" becomes "Chapter 2: The Roof"."""
    title = title.strip()
    if not title:
        return f"Chapter {position}"
    if _NUMBERED.match(title):
        return title
    m = _LEADING_NUMBER.fullmatch(title)
    if m and int(m.group(1)) == position:
        title = m.group(2)
    return f"Chapter {position}: {title}"
