"""AO3's download markup: the preface, chapters and afterword that EPUB and single-file HTML share.

The shape follows the HTML AO3 itself gives for a download, so a reader of AO3 downloads reads
Fanshelf's exports too::

    <div id="preface">
      <h2 class="toc-heading">Preface</h2>
      <p class="message"><b>TITLE</b><br />Originally posted at <a href="URL">URL</a>.</p>  (with a source URL)
      <div class="meta">
        <dl class="tags">
          <dt>Rating:</dt> <dd><a class="tag">Teen And Up Audiences</a></dd>   (AO3's type names, plural
          ... Archive Warning(s), Category/Categories, Fandom(s), Relationship(s),  when more than one;
          Character(s), Additional Tags ...                                           one <a> per tag)
          <dt>Language:</dt> <dd>English</dd>
          <dt>Series:</dt> <dd>Part 2 of <a class="series">TITLE</a></dd>
          <dt>Collections:</dt> <dd><a class="collection">COMMUNITY</a></dd>
          <dt>Prompt:</dt> <dd>#12: TEXT</dd>
          <dt>Stats:</dt> <dd>Published: 2010-07-20 Words: 1,234 Chapters: 2/2</dd>
        </dl>
        <h1>TITLE</h1>
        <div class="byline">by <a class="author">NAME</a>, <a class="author">NAME</a></div>
        <p>Summary</p> <blockquote class="userstuff">...</blockquote>
        <p>Notes</p> <blockquote class="userstuff">...</blockquote>
      </div>
    </div>
    <div id="chapters" class="userstuff">
      <div class="meta group" id="chapter-1"><h2 class="toc-heading">Chapter 1: TITLE</h2></div>
      <div class="userstuff">CHAPTER HTML</div>
      ...                                  (one untitled chapter: only its <div class="userstuff">)
    </div>
    <div id="afterword">                   (when there are end notes)
      <h2 class="toc-heading">Afterword</h2>
      <div class="meta"><div id="endnotes"><p>End Notes</p><blockquote class="userstuff">...</blockquote></div></div>
    </div>

Chapter headings read ``Chapter N`` or ``Chapter N: TITLE``. Summary, notes and end notes are plain
text in the model: paragraphs become ``<p>``, single line breaks ``<br />``. Everything is escaped; chapter
HTML goes through :mod:`fanshelf.export.tree`. Tags and series link to the web archive when
:attr:`ExportInfo.base_url` is known.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from fanshelf.export.common import (
    ExportFile,
    ExportInfo,
    display_date,
    language_code,
    safe_filename,
    tag_groups,
    xml_text,
)
from fanshelf.export.tree import parse_fragment, to_xhtml
from fanshelf.model import Work

__all__ = ["CSS", "afterword", "chapter_heading", "chapter_parts", "export_html", "preface", "text_html"]

CSS = """body { font-family: serif; line-height: 1.5; margin: 0 auto; max-width: 42em; padding: 0 1em; }
h1, h2 { font-family: sans-serif; }
h2.toc-heading { margin-top: 2em; }
dl.tags { display: grid; grid-template-columns: max-content auto; gap: 0.2em 0.8em; }
dl.tags dt { font-weight: bold; }
dl.tags dd { margin: 0; }
blockquote.userstuff { margin: 0.5em 1.5em; }
.byline { font-style: italic; }
.message { font-size: 0.9em; }
"""


def _e(s: str | None) -> str:
    return escape(xml_text(s), quote=True)


def text_html(text: str | None) -> str:
    """Plain text as HTML paragraphs (blank lines part paragraphs, single newlines become <br />)."""
    paras = [p.strip() for p in xml_text(text).split("\n\n")]
    out = []
    for p in paras:
        if not p:
            continue
        lines = [_e(ln.strip()) for ln in p.split("\n") if ln.strip()]
        out.append("<p>" + "<br />\n".join(lines) + "</p>")
    return "\n".join(out)


def _link(cls: str, name: str, href: str | None) -> str:
    if href:
        return f'<a class="{cls}" href="{_e(href)}">{_e(name)}</a>'
    return f'<a class="{cls}">{_e(name)}</a>'


def _stats(work: Work, info: ExportInfo | None) -> str:
    parts: list[str] = []
    published = display_date(work.published)
    if published:
        parts.append(f"Published: {published}")
        updated = display_date(info.updated) if info else None
        if updated and updated > published:
            parts.append(f"{'Completed' if info is None or info.complete else 'Updated'}: {updated}")
    parts.append(f"Words: {work.word_count:,}")
    n = max(1, len(work.chapters))
    expected: str = str(n)
    if info is not None:
        if info.chapters_expected:
            expected = str(info.chapters_expected)
        elif not info.complete:
            expected = "?"
    parts.append(f"Chapters: {n}/{expected}")
    return "\n".join(parts)


def preface(work: Work, info: ExportInfo | None = None, *, endnotes_href: str = "#endnotes") -> str:
    """``<div id="preface">``: tags, title, byline, summary and notes."""
    base = (info.base_url or "").rstrip("/") if info else ""
    out = ['<div id="preface">', '<h2 class="toc-heading">Preface</h2>']
    url = info.source_url if info else None
    if url:
        out.append(f'<p class="message"><b>{_e(work.title)}</b><br />\n'
                   f'Originally posted at <a href="{_e(url)}">{_e(url)}</a>.</p>')
    out.append('<div class="meta">')
    out.append('<dl class="tags">')
    for label, names in tag_groups(work):
        links = ", ".join(_link("tag", n, f"{base}/tags/{quote(n, safe='')}/works" if base else None)
                          for n in names)
        out.append(f"<dt>{label}:</dt>\n<dd>{links}</dd>")
    if work.language:
        out.append(f"<dt>Language:</dt>\n<dd>{_e(work.language)}</dd>")
    sp = work.series_part
    if sp is not None and sp.title:
        href = f"{base}/series?title={quote(sp.title, safe='')}" if base else None
        part = f"Part {sp.part} of " if sp.part else "Part of "
        out.append(f"<dt>Series:</dt>\n<dd>{part}{_link('series', sp.title, href)}</dd>")
    ch = work.challenge
    if ch is not None and ch.community:
        out.append(f"<dt>Collections:</dt>\n<dd>{_link('collection', ch.community, None)}</dd>")
    if ch is not None and (ch.prompt or ch.number):
        text = ": ".join(x for x in (f"#{ch.number}" if ch.number else "", ch.prompt or "") if x)
        out.append(f"<dt>Prompt:</dt>\n<dd>{_e(text)}</dd>")
    out.append(f"<dt>Stats:</dt>\n<dd>{_e(_stats(work, info))}</dd>")
    out.append("</dl>")
    out.append(f"<h1>{_e(work.title)}</h1>")
    creators = [c for c in (xml_text(c).strip() for c in work.creators) if c]
    if creators:
        out.append('<div class="byline">by ' + ", ".join(_link("author", c, None) for c in creators) + "</div>")
    summary = text_html(work.summary)
    if summary:
        out.append("<p>Summary</p>")
        out.append(f'<blockquote class="userstuff">\n{summary}\n</blockquote>')
    notes, end = text_html(work.notes), text_html(work.end_notes)
    if notes or end:
        out.append("<p>Notes</p>")
        if notes:
            out.append(f'<blockquote class="userstuff">\n{notes}\n</blockquote>')
        if end:
            more = "more " if notes else ""
            out.append(f'<div class="endnote-link">See the end of the work for {more}'
                       f'<a href="{_e(endnotes_href)}">notes</a>.</div>')
    out.append("</div>")
    out.append("</div>")
    return "\n".join(out)


def chapter_heading(index: int, title: str | None) -> str:
    title = " ".join(xml_text(title).split())
    return f"Chapter {index}: {title}" if title else f"Chapter {index}"


def chapter_parts(work: Work, *, epub: bool = False) -> list[tuple[str, str]]:
    """``(navigation title, HTML)`` per chapter; the HTML is the chapter's meta and userstuff divs."""
    chapters = work.chapters
    out: list[tuple[str, str]] = []
    single = len(chapters) <= 1 and not (chapters and chapters[0].title and chapters[0].title.strip())
    if not chapters:
        return [(xml_text(work.title), '<div class="userstuff">\n</div>')]
    for i, ch in enumerate(chapters, 1):
        body = to_xhtml(parse_fragment(ch.html), epub=epub)
        content = f'<div class="userstuff">\n{body}\n</div>'
        if single:
            out.append((xml_text(work.title), content))
            continue
        heading = chapter_heading(i, ch.title)
        out.append((heading, f'<div class="meta group" id="chapter-{i}">\n'
                             f'<h2 class="toc-heading">{_e(heading)}</h2>\n</div>\n{content}'))
    return out


def afterword(work: Work) -> str | None:
    """``<div id="afterword">`` with the end notes, or None when the work has none."""
    end = text_html(work.end_notes)
    if not end:
        return None
    return "\n".join(['<div id="afterword">', '<h2 class="toc-heading">Afterword</h2>', '<div class="meta">',
                      '<div id="endnotes">', "<p>End Notes</p>",
                      f'<blockquote class="userstuff">\n{end}\n</blockquote>', "</div>", "</div>", "</div>"])


def document(title: str, lang: str, body: str, *, head_extra: str = "", xml_decl: bool = False) -> str:
    """A whole XHTML5 document (also read by HTML parsers); ``xml_decl``: an EPUB content document."""
    decl = '<?xml version="1.0" encoding="UTF-8"?>\n' if xml_decl else ""
    ns = ' xmlns:epub="http://www.idpf.org/2007/ops"' if xml_decl else ""  # EPUB content documents only
    return (f'{decl}<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml"{ns} '
            f'xml:lang="{lang}" lang="{lang}">\n'
            f'<head>\n<meta charset="UTF-8" />\n<title>{_e(title)}</title>\n{head_extra}</head>\n'
            f"<body>\n{body}\n</body>\n</html>\n")


def export_html(work: Work, info: ExportInfo | None = None) -> ExportFile:
    """The work as one HTML file in AO3's download markup."""
    parts = [preface(work, info), '<div id="chapters" class="userstuff">']
    parts += [html for _nav, html in chapter_parts(work)]
    parts.append("</div>")
    after = afterword(work)
    if after:
        parts.append(after)
    head = '<meta name="generator" content="Fanshelf" />\n<style type="text/css">\n' + CSS + "</style>\n"
    body = '<div id="main">\n' + "\n".join(parts) + "\n</div>"
    html = document(work.title, language_code(work.language), body, head_extra=head)
    return ExportFile(safe_filename(work, info, "html"), "text/html; charset=utf-8", html.encode("utf-8"))
