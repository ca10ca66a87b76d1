"""Saved pages of LiveJournal, Dreamwidth, InsaneJournal and blogs: the entry, without the page around it.

The entry's text is found by the classes journal styles and blog engines give it (``entry-content``,
``b-singlepost-body``, ``asset-body``, ``entry_text``, ``post-body``, ``<article>``...); navigation,
sidebars, comments, share and like buttons outside it are never read, and those inside it are removed.
The entry's subject is put above its text (where a post's subject line goes) and its date, poster and
tags come along as hints. The text then reads like any HTML post: ``lj:user`` links become handles, cut
markers are kept, the typed header is parsed.

A page with none of these landmarks is read whole, as a post.
"""

from __future__ import annotations

import html
import re

from fanshelf.ingest.dom import Node, parse_html
from fanshelf.model import RawPost

__all__ = ["read_journal_html"]

# most specific first
_BODY_CLASSES = ("b-singlepost-body", "entry-content", "entry_text", "entrytext", "asset-body", "entry-body",
                 "post-body", "post-content", "entry_content")
_ENTRY_CLASSES = ("b-singlepost", "entry", "hentry", "asset", "post", "entry-wrapper", "entrybox")
_TITLE_CLASSES = ("b-singlepost-title", "entry-title", "asset-name", "subject", "post-title", "entry_subject")
_DATE_CLASSES = ("b-singlepost-author-date", "datetime", "entry-date", "published", "date-header", "entrydate",
                 "date")
_POSTER_CLASSES = ("b-singlepost-author-userinfo", "poster", "entry-poster", "author", "byline", "vcard")
_TAG_CLASSES = ("b-singlepost-tags", "tag", "tags", "ljtags", "entry-tags", "post-labels")
_CHROME_CLASSES = frozenset({
    "comments", "comment", "comment-wrapper", "b-tree", "share", "sharing", "sharedaddy", "entry-share",
    "b-sharethis", "lj-like", "b-xylem", "entry-interaction-links", "entry-management-links", "footer",
    "navigation", "nav", "sidebar", "widget", "ads", "adv", "b-entrypage-header", "entry-readlink",
    "jp-relatedposts", "post-footer", "entry-footer", "b-singlepost-tags", "ljtags", "entry-tags", "tag",
})  # fmt: skip
_CHROME_TAGS = frozenset({"nav", "aside", "form", "footer", "script", "style", "button", "iframe"})
_DATE_RE = re.compile(r"\b(\d{4}-\d{2}-\d{2})|\b([A-Z][a-z]{2,8}\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4})"
                      r"|\b(\d{1,2} [A-Z][a-z]{2,8}\.? \d{4})")


def _first_with_class(root: Node, classes: tuple[str, ...], tag: str | None = None) -> Node | None:
    for cls in classes:
        found = root.find(tag, cls=cls)
        if found is not None:
            return found
    return None


def _entry_body(root: Node) -> Node | None:
    body = _first_with_class(root, _BODY_CLASSES)
    if body is not None:
        return body
    articles = root.find_all("article")
    if articles:
        return max(articles, key=lambda a: len(a.text()))
    return None


def _entry_of(body: Node) -> Node:
    node = body.parent
    while node is not None:
        if node.tag == "article" or node.has_class(*_ENTRY_CLASSES):
            return node
        node = node.parent
    return body.parent or body


def _date(scope: Node) -> str:
    t = scope.find("time")
    if t is not None and t.attrs.get("datetime"):
        return t.attrs["datetime"][:10]
    node = _first_with_class(scope, _DATE_CLASSES)
    if node is None:
        return ""
    if node.attrs.get("title") and _DATE_RE.search(node.attrs["title"]):
        m = _DATE_RE.search(node.attrs["title"])
        return m.group(0) if m else ""
    m = _DATE_RE.search(node.text(" "))
    return m.group(0) if m else ""


def _poster(scope: Node) -> str:
    node = _first_with_class(scope, _POSTER_CLASSES)
    search = node if node is not None else scope
    user = search.find(where=lambda n: bool(n.attrs.get("lj:user")))
    if user is not None:
        return user.attrs["lj:user"].strip()
    if node is not None:
        a = node.find("a")
        name = (a.text() if a is not None else node.text()).strip()
        return re.sub(r"^(?:posted\s+)?by\s+", "", name, flags=re.I)
    return ""


def _tags(scope: Node) -> str:
    node = _first_with_class(scope, _TAG_CLASSES)
    links = node.find_all("a") if node is not None else scope.find_all("a", where=lambda a: a.attrs.get("rel") == "tag")
    return ", ".join(t for t in (a.text() for a in links) if t)


def _currents(scope: Node) -> dict[str, str]:
    """LJ "currents" (Current Mood, Current Music, Current Location) as ``extra:LJ Current ...`` hints."""
    out: dict[str, str] = {}
    for n in scope.find_all(where=lambda n: any(c.startswith(("current-", "b-singlepost-currents-item"))
                                                for c in n.classes)):
        label, sep, value = n.text().partition(":")
        if sep and value.strip() and len(label) <= 40:
            out[f"extra:LJ {label.strip()}"] = value.strip()
    return out


def _is_chrome(n: Node) -> bool:
    return n.tag in _CHROME_TAGS or bool(n.classes & _CHROME_CLASSES) or n.attrs.get("id") in ("comments", "sidebar")


def read_journal_html(text: str, source: str, warnings: list[str], encoding: str) -> RawPost:
    from fanshelf.ingest import read_post

    root = parse_html(text)
    body = _entry_body(root)
    if body is None:
        return read_post(text, source)
    entry = _entry_of(body)
    title_node = _first_with_class(entry, _TITLE_CLASSES) or entry.find(where=lambda n: n.tag in ("h1", "h2", "h3")
                                                                         and n is not body)
    subject = title_node.text() if title_node is not None and title_node not in body.iter() else ""
    hints = {"subject": subject, "date": _date(entry) or _date(root), "poster": _poster(entry),
             "tags": _tags(entry), **_currents(entry)}
    removed = 0
    for n in body.find_all(where=_is_chrome):
        if n.parent is not None:
            n.remove()
            removed += 1
    fragment = (f"<h3>{html.escape(subject)}</h3>\n" if subject else "") + body.inner_html()
    post = read_post(fragment, source)
    post.encoding = encoding
    post.warnings = [*warnings, *post.warnings]
    if removed:
        post.warnings.append(f"{removed} page element{'s' if removed != 1 else ''} (comments, share buttons...) "
                             "removed from the entry")
    post.hints = {k: v for k, v in hints.items() if v}
    return post
