"""Works from structured metadata: AO3 downloads, EPUB metadata, front matter (see :mod:`fanshelf.ingest`).

A structured reader knows each field exactly (a list of fandoms, a rating, the chapters), so nothing is
guessed from text here: every value is only mapped to its canonical name with the same taxonomy
lookups and AO3 vocabulary (:func:`~fanshelf.wrangle.vocab.map_rating`, ``map_warnings``) the header
path uses. Items are never split further: ``Pride and Prejudice`` stays one fandom.

:func:`apply_hints` fills what a post's own header left out from what the page or export around it
said (journal poster, entry date, subject, tags).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from fanshelf.model import (
    ARCHIVE_WARNINGS,
    CATEGORIES,
    NO_FANDOM,
    RATINGS,
    UNTITLED,
    Challenge,
    Chapter,
    Line,
    SeriesPart,
    Work,
)
from fanshelf.parse.values import parse_date, parse_word_count
from fanshelf.taxonomy import Taxonomy, split_relationship
from fanshelf.wrangle import _dedupe, _render_paragraph, count_words
from fanshelf.wrangle.vocab import map_rating, map_warnings

__all__ = ["apply_hints", "chapters_from_lines", "wrangle_meta"]

_WS = re.compile(r"\s+")
_TEXT_KEYS = frozenset({"summary", "notes", "end_notes"})


def _one(meta: Mapping[str, Sequence[str]], key: str) -> str | None:
    vals = [v for v in meta.get(key, ()) if v and v.strip()]
    return vals[0].strip() if vals else None


def _items(meta: Mapping[str, Sequence[str]], key: str) -> list[str]:
    return _dedupe(_WS.sub(" ", v).strip() for v in meta.get(key, ()) if v and v.strip())


def _text(meta: Mapping[str, Sequence[str]], key: str) -> str | None:
    """A text field (summary, notes): its parts as written, a blank line between them."""
    return "\n\n".join(v.strip() for v in meta.get(key, ()) if v and v.strip()) or None


def _paragraphs(lines: Iterable[Line]) -> list[list[Line]]:
    paras: list[list[Line]] = []
    cur: list[Line] = []
    for ln in lines:
        if ln.blank or ln.cut:
            if cur:
                paras.append(cur)
                cur = []
        elif ln.rule or ln.origin == "block":  # a rule, or a list/quote/heading kept whole (ingest.blocks)
            if cur:
                paras.append(cur)
                cur = []
            paras.append([ln])
        else:
            cur.append(ln)
    if cur:
        paras.append(cur)
    return paras


def chapters_from_lines(chapters: Sequence[tuple[str | None, Sequence[Line]]], is_html: bool = True
                        ) -> tuple[list[Chapter], int]:
    """Render (title, lines) chapters as :class:`Chapter` objects; also return the word count."""
    out: list[Chapter] = []
    total = 0
    for title, lines in chapters:
        texts: list[str] = []
        htmls: list[str] = []
        for p in _paragraphs(lines):
            t, h = (p[0].text, p[0].html) if p[0].origin == "block" else _render_paragraph(p, is_html)
            texts.append(t)
            htmls.append(h)
        text = "\n\n".join(texts)
        total += count_words(text)
        out.append(Chapter(title=title, text=text, html="\n".join(htmls)))
    return out, total


def wrangle_meta(meta: Mapping[str, Sequence[str]], chapters: Sequence[tuple[str | None, Sequence[Line]]],
                 taxonomy: Taxonomy, *, is_html: bool = True) -> Work:
    """One work from AO3-labelled fields (``fanshelf.ingest.META_KEYS``) and its chapters."""
    tax = taxonomy
    w = Work()
    title = _one(meta, "title")
    w.title = (_WS.sub(" ", title) if title else UNTITLED)[:255] or UNTITLED
    if meta.get("subjects"):
        meta = _sort_subjects(meta, tax)
    w.creators = _items(meta, "creators")
    fandoms = _dedupe(tax.fandom(f) or f for f in _items(meta, "fandoms"))
    w.fandoms = fandoms or [NO_FANDOM]
    scope = [f for f in fandoms if f != NO_FANDOM]

    def resolve(name: str) -> str:
        return tax.character(name, scope) or name

    w.characters = _dedupe(resolve(c) for c in _items(meta, "characters"))
    rels: list[str] = []
    for raw in _items(meta, "relationships"):
        kind, people = split_relationship(raw)
        if not kind:
            rels.append(raw)
            continue
        resolved = [resolve(p) for p in people]
        rels.append(tax.relationship(resolved, kind) or (" & " if kind == "&" else "/").join(resolved))
    w.relationships = _dedupe(rels)
    w.relationships_raw = _items(meta, "relationships")
    rating = _one(meta, "rating")
    w.rating_raw = rating
    w.rating = map_rating(rating)
    warn_values = _items(meta, "archive_warnings")
    warnings, warn_tags = map_warnings(" ; ".join(warn_values) if warn_values else None)
    w.archive_warnings = warnings
    cats = {c.casefold(): c for c in CATEGORIES}
    w.categories = _dedupe(cats[c.casefold()] for c in _items(meta, "categories") if c.casefold() in cats)
    w.additional_tags = _dedupe(tax.freeform(t) or t for t in [*_items(meta, "additional_tags"), *warn_tags])
    w.summary = _text(meta, "summary")
    w.notes = _text(meta, "notes")
    w.end_notes = _text(meta, "end_notes")
    lang = _one(meta, "language")
    if lang:
        w.language = lang
    words = _one(meta, "words")
    w.stated_word_count = parse_word_count(words) if words else None
    published = _one(meta, "published")
    w.published = parse_date(published) if published else None
    series = _items(meta, "series")
    if series:
        parts = list(meta.get("series_part", ()))
        number = parts[0].strip() if parts else ""
        w.series_part = SeriesPart(title=series[0], part=int(number) if number.isdigit() else None)
    for key, label in (("source_url", "Source"), ("updated", "Updated"), ("completed", "Completed"),
                       ("chapters_stated", "Chapters")):
        vals = _items(meta, key)
        if vals:
            w.extra[label] = ", ".join(vals)
    collections = _items(meta, "collections")
    prompt, prompt_number = _one(meta, "prompt"), _one(meta, "prompt_number")
    if collections or prompt or prompt_number:  # AO3's Collections and Prompt rows, front matter's challenge
        w.challenge = Challenge(community=collections[0] if collections else None, prompt=prompt,
                                number=prompt_number)
    if len(collections) > 1:
        w.extra["Collections"] = ", ".join(collections)
    for key, extra_vals in meta.items():
        if key.startswith("extra:") and extra_vals:
            w.extra[key[6:]] = "\n".join(extra_vals)
    for extra_series in series[1:]:
        w.extra.setdefault("Also in series", extra_series)
    if chapters and w.title != UNTITLED:  # the title written again as the text's first heading
        first_title, first_lines = chapters[0]
        start = next((i for i, ln in enumerate(first_lines) if not ln.blank), None)
        if start is not None and first_lines[start].heading and \
                first_lines[start].text.casefold().strip() == w.title.casefold():
            chapters = [(first_title, first_lines[start + 1:]), *chapters[1:]]
    w.chapters, w.word_count = chapters_from_lines(chapters, is_html)
    w.header = "\n".join(f"{key.removeprefix('extra:')}: {', '.join(v.replace(chr(10), ' ') for v in vals)}"
                         for key, vals in meta.items() if vals and key not in _TEXT_KEYS)
    return w


_NOT_TAGS = frozenset({"fanfiction", "fan fiction", "fanfic", "fic", "completed", "complete", "in-progress",
                       "in progress", "wip", "fiction"})


def _sort_subjects(meta: Mapping[str, Sequence[str]], tax: Taxonomy) -> dict[str, list[str]]:
    """EPUB ``dc:subject`` tags are one mixed list (FanFicFare puts fandom, rating, genre, characters,
    ships... there): AO3 ratings, warnings and categories by name, fandoms and characters the taxonomy
    knows, ``A/B`` and ``A & B`` as relationships, the rest as additional tags."""
    out = {k: list(v) for k, v in meta.items() if k != "subjects"}
    ratings = {r.casefold(): r for r in RATINGS}
    warns = {x.casefold(): x for x in ARCHIVE_WARNINGS}
    cats = {c.casefold(): c for c in CATEGORIES}
    fandoms = [tax.fandom(f) or f for f in out.get("fandoms", [])]
    for subject in _items(meta, "subjects"):
        low = subject.casefold()
        if low in _NOT_TAGS:
            continue
        if low in ratings:
            out.setdefault("rating", [ratings[low]])
        elif low in warns:
            out.setdefault("archive_warnings", []).append(warns[low])
        elif low in cats:
            out.setdefault("categories", []).append(cats[low])
        elif (fandom := tax.fandom(subject)) is not None:
            out.setdefault("fandoms", []).append(fandom)
            fandoms.append(fandom)
        elif tax.freeform(subject) is not None:
            out.setdefault("additional_tags", []).append(subject)
        elif split_relationship(subject)[0] and len(subject) < 150:
            out.setdefault("relationships", []).append(subject)
        elif tax.character(subject, fandoms) is not None:
            out.setdefault("characters", []).append(subject)
        else:
            out.setdefault("additional_tags", []).append(subject)
    return out


_TAG_PREFIX_RE = re.compile(r"^\s*(fandom|pairing|ship|relationship|character|rating)\s*:\s*(.+)$", re.I)


def apply_hints(work: Work, hints: Mapping[str, str], taxonomy: Taxonomy) -> None:
    """Fill a parsed work's gaps from what surrounded the post (journal page or export)."""
    if not hints:
        return
    poster = hints.get("poster")
    if poster and not work.creators:
        work.creators = [poster]
    date = hints.get("date")
    if date and not work.published:
        work.published = parse_date(date)
    subject = hints.get("subject")
    if subject and work.title == UNTITLED:
        work.title = _WS.sub(" ", subject).strip()[:255] or UNTITLED
    community = hints.get("community")
    if community:
        work.extra.setdefault("Community", community)
    for key, label in (("url", "Source"), ("security", "Security"), ("tags", "LJ Tags")):
        if hints.get(key):
            work.extra.setdefault(label, hints[key])
    for key, value in hints.items():
        if key.startswith("extra:") and value:
            work.extra.setdefault(key[6:], value)
    tags = [t.strip() for t in hints.get("tags", "").split(",") if t.strip()]
    if work.fandoms == [NO_FANDOM]:
        found = [taxonomy.fandom(m.group(2)) or m.group(2).strip() for t in tags
                 if (m := _TAG_PREFIX_RE.match(t)) and m.group(1).lower() == "fandom"]
        if not found:
            found = _dedupe(f for t in tags if (f := taxonomy.fandom(t)))
        if found:
            work.fandoms = _dedupe(found)
            work.warnings.append(f"fandom taken from the journal tags: {', '.join(work.fandoms)}")
