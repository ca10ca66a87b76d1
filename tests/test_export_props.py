"""Property tests: any work gives well-formed exports; Markdown never turns text into HTML; names are safe."""

from __future__ import annotations

import html
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from fanshelf.export import ExportInfo, export_work, html_to_markdown, safe_filename
from fanshelf.export.common import xml_text
from fanshelf.export.markdown import escape_markdown
from fanshelf.model import Challenge, Chapter, SeriesPart, Work

MD = MarkdownIt("commonmark")  # raw HTML on: any html token would be text that became markup
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
name = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20)
TAGS = ["p", "em", "strong", "i", "b", "a", "ul", "ol", "li", "blockquote", "div", "br", "hr", "h1", "h3", "pre",
        "code", "s", "strike", "img", "span", "q", "table", "script", "font"]


@st.composite
def fragments(draw: st.DrawFn) -> str:
    """Tag soup: allowed and disallowed tags, attributes, unclosed and stray tags, odd text."""
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.integers(0, 3))
        tag = draw(st.sampled_from(TAGS))
        if kind == 0:
            attr = draw(st.sampled_from(["", " href='https://e.org/a?b=1&c=2'", " href='javascript:x()'",
                                         " src='http://e.org/i.png' alt='a<b'", " style='x'", " onclick=\"y\""]))
            parts.append(f"<{tag}{attr}>")
        elif kind == 1:
            parts.append(f"</{tag}>")
        else:
            parts.append(html.escape(draw(text)) if draw(st.booleans()) else draw(text))
    return "".join(parts)


@st.composite
def works(draw: st.DrawFn) -> Work:
    n = draw(st.integers(0, 3))
    return Work(
        title=draw(text), creators=draw(st.lists(name, max_size=3)), fandoms=draw(st.lists(name, max_size=2)),
        rating=draw(st.sampled_from(["Not Rated", "Explicit", "General Audiences"])),
        archive_warnings=draw(st.lists(name, max_size=2)), categories=draw(st.lists(name, max_size=2)),
        relationships=draw(st.lists(name, max_size=2)), characters=draw(st.lists(name, max_size=3)),
        additional_tags=draw(st.lists(name, max_size=3)), summary=draw(st.none() | text),
        notes=draw(st.none() | text), end_notes=draw(st.none() | text),
        language=draw(st.sampled_from(["English", "日本語", "Klingon", ""])), word_count=draw(st.integers(0, 10**6)),
        challenge=draw(st.none() | st.builds(Challenge, st.none() | name, st.none() | name, st.none() | name)),
        series_part=draw(st.none() | st.builds(SeriesPart, st.none() | name, st.none() | st.integers(1, 99))),
        published=draw(st.none() | st.dates().map(lambda d: d.isoformat())),
        chapters=[Chapter(draw(st.none() | text), "", draw(fragments())) for _ in range(n)],
    )


def _html_tokens(tokens: list[Any]) -> list[str]:
    out = []
    for t in tokens:
        if t.type in ("html_inline", "html_block"):
            out.append(t.content)
        if t.children:
            out += _html_tokens(t.children)
    return out


def _rendered_text(tokens: list[Any]) -> str:
    out = []
    for t in tokens:
        if t.type in ("text", "code_inline"):
            out.append(t.content)
        elif t.type in ("softbreak", "hardbreak"):
            out.append(" ")
        if t.children:
            out.append(_rendered_text(t.children))
    return "".join(out)


@SETTINGS
@given(text)
def test_markdown_shows_text_as_text(s: str) -> None:
    md = html_to_markdown("<p>" + html.escape(s, quote=False) + "</p>")
    tokens = MD.parse(md)
    assert _html_tokens(tokens) == []
    assert [t.type for t in tokens if t.level == 0 and t.nesting == 1] in ([], ["paragraph_open"])
    # whitespace runs become one space; Markdown trims a paragraph's ends of any Unicode space
    want = re.sub(r"[ \t\n\r\f\v]+", " ", xml_text(s)).strip()
    assert _rendered_text(tokens).strip() == want


@SETTINGS
@given(text)
def test_escaped_text_renders_literally(s: str) -> None:
    s = re.sub(r"[ \t\n\r\f\v]+", " ", xml_text(s)).strip(" ")
    tokens = MD.parse(escape_markdown(s) if not re.match(r"\d+[.)]", s) else s.replace(".", "\\.", 1)
                      .replace(")", "\\)", 1))
    assert _html_tokens(tokens) == []


@SETTINGS
@given(fragments())
def test_markdown_of_any_fragment_has_no_raw_html(fragment: str) -> None:
    md = html_to_markdown(fragment)
    assert _html_tokens(MD.parse(md)) == []
    assert "<script" not in md.lower().replace("\\<script", "")


@SETTINGS
@given(works())
def test_markdown_export_front_matter_round_trips(w: Work) -> None:
    data = export_work(w, "md").data.decode("utf-8")
    assert data.startswith("---\n")
    head, _body = data[4:].split("\n---\n", 1)
    fm = yaml.safe_load(head)
    assert fm["title"] == xml_text(w.title)
    creators = [c for c in (xml_text(c).strip() for c in w.creators) if c]
    assert fm["author"] == (creators[0] if len(creators) == 1 else creators)
    assert fm["fandom"] == [x for x in (xml_text(f).strip() for f in w.fandoms) if x]
    assert fm["tags"] == [x for x in (xml_text(f).strip() for f in w.additional_tags) if x]
    assert fm["rating"] == w.rating
    assert (fm.get("date") or None) == w.published
    assert _html_tokens(MD.parse(_body)) == []


@SETTINGS
@given(works())
def test_json_export_round_trips(w: Work) -> None:
    doc = json.loads(export_work(w, "json", ExportInfo(work_id=3)).data)
    assert doc["format"] == "fanshelf-works" and doc["version"] == 1
    got = doc["works"][0]
    assert got == json.loads(json.dumps(w.to_dict()))
    rebuilt = Work(**{**got, "chapters": [Chapter(**c) for c in got["chapters"]],
                      "challenge": Challenge(**got["challenge"]) if got["challenge"] else None,
                      "series_part": SeriesPart(**got["series_part"]) if got["series_part"] else None})
    assert rebuilt == w


@SETTINGS
@given(works())
def test_epub_and_html_are_wellformed_xml(w: Work) -> None:
    z = zipfile.ZipFile(io.BytesIO(export_work(w, "epub").data))
    for member in z.namelist():
        if member.endswith((".xhtml", ".opf", ".ncx", ".xml")):
            ET.fromstring(z.read(member))
    page = export_work(w, "html").data.decode()
    root = ET.fromstring(page.split("\n", 1)[1])
    assert root.find(".//{http://www.w3.org/1999/xhtml}script") is None


@SETTINGS
@given(text, st.none() | st.integers(1, 10**9), st.sampled_from(["epub", "html", "md", "json"]))
def test_filenames_are_safe(title: str, work_id: int | None, ext: str) -> None:
    fn = safe_filename(Work(title=title), ExportInfo(work_id=work_id), ext)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*\.[a-z]+", fn), fn
    assert len(fn) <= 60 + 1 + 10 + 1 + len(ext)
    assert fn.endswith("." + ext) and not fn.startswith(".") and ".." not in fn
