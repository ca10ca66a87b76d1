"""The web app's read side: the search backend (opened once per process), blurbs and work pages as
plain data, fetched in a few queries whatever the number of works (no query per work)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any

from fanshelf.archive.config import ArchiveConfig, current
from fanshelf.archive.models import (
    Chapter,
    CollectionItem,
    SerialWork,
    Tag,
    Tagging,
    TagType,
    Work,
    WorkCreator,
    tag_key,
)
from fanshelf.search.base import SearchBackend

# AO3's order of tag types on a work (header and blurb); the blurb's tag list leaves out the
# rating, category and fandoms, which it shows elsewhere.
TYPE_ORDER = [TagType.RATING, TagType.WARNING, TagType.CATEGORY, TagType.FANDOM, TagType.RELATIONSHIP,
              TagType.CHARACTER, TagType.FREEFORM]
TYPE_LABELS = dict(TagType.choices)
TYPE_PLURALS = {TagType.RATING: "Rating", TagType.WARNING: "Archive Warnings", TagType.CATEGORY: "Categories",
                TagType.FANDOM: "Fandoms", TagType.RELATIONSHIP: "Relationships",
                TagType.CHARACTER: "Characters", TagType.FREEFORM: "Additional Tags"}
BLURB_TAG_TYPES = [TagType.WARNING, TagType.RELATIONSHIP, TagType.CHARACTER, TagType.FREEFORM]
# facet keys of the search layer -> tag types
FACET_TYPES = {"rating": TagType.RATING, "warning": TagType.WARNING, "category": TagType.CATEGORY,
               "fandom": TagType.FANDOM, "relationship": TagType.RELATIONSHIP, "character": TagType.CHARACTER,
               "freeform": TagType.FREEFORM}

_lock = threading.Lock()
_backend: tuple[ArchiveConfig, SearchBackend] | None = None
_reloaded = 0.0


def backend() -> SearchBackend:
    """The search backend of the configured archive, opened once per process (and thread-safe to share)."""
    global _backend, _reloaded
    cfg = current()
    with _lock:
        if _backend is None or _backend[0] != cfg:
            from fanshelf.search.sync import open_backend

            if _backend is not None:
                _backend[1].close()
            _backend = (cfg, open_backend(cfg))
            _reloaded = time.monotonic()
        b = _backend[1]
        # another process (an import) may have committed: look again at most once a second
        now = time.monotonic()
        if now - _reloaded > 1.0:
            _reloaded = now
            index = getattr(b, "_index", None)
            if index is not None:
                index.reload()
    return b


def drain_outbox() -> int:
    """Index the works changed in this process (the admin's edits and wrangling), then let go of the
    index writer so that imports from the command line can take it. Best effort: a busy writer (an
    import is running, and will index them itself) is left alone."""
    import logging

    from fanshelf.search.sync import drain

    b = backend()
    with _lock:
        try:
            n = drain(b)
        except Exception as exc:
            logging.getLogger("fanshelf.web").warning("search index not updated: %s", exc)
            return 0
        finally:
            b.close()
    return n


def reset_backend() -> None:
    """Close the shared backend (after an import from this process, and in tests)."""
    global _backend
    with _lock:
        if _backend is not None:
            _backend[1].close()
            _backend = None


def cache_token() -> str:
    """Identifies the archive in cache keys (tests switch archives inside one process)."""
    cfg = current()
    return f"{cfg.data_dir}|{cfg.database_url or ''}"


# ------------------------------------------------------------------------------------------ tags

def resolve_names(names: Iterable[str]) -> tuple[dict[str, int], list[str]]:
    """Tag names -> filter ids (a synonym gives its canonical), in one query; and the unknown names.

    A name used by tags of several types picks the canonical one, then the most used.
    """
    given = [n for n in names if n.strip()]
    keys = {tag_key(n) for n in given}
    if not keys:
        return {}, []
    best: dict[str, tuple[tuple[int, int], int]] = {}
    for tid, key, canon, merger, count in Tag.objects.filter(key__in=list(keys)).values_list(
            "id", "key", "canonical", "merger_id", "taggings_count"):
        rank = (1 if canon else 0, count)
        fid = tid if canon or merger is None else merger
        if key not in best or rank > best[key][0]:
            best[key] = (rank, fid)
    found = {n: best[tag_key(n)][1] for n in given if tag_key(n) in best}
    unknown = [n for n in given if tag_key(n) not in best]
    return found, unknown


# ---------------------------------------------------------------------------------------- blurbs

def _fmt_dates(w: dict[str, Any]) -> None:
    for k in ("posted_at", "updated_at"):
        v = w.get(k)
        if v is not None and not isinstance(v, str):
            w[k] = v.isoformat()


def attach_extras(works: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Adds series, expected chapters and the work's URL to blurb dicts (two queries for the page)."""
    ids = [w["id"] for w in works]
    if not ids:
        return works
    expected = dict(Work.objects.filter(id__in=ids).values_list("id", "chapters_expected"))
    series: dict[int, list[dict[str, Any]]] = {}
    for wid, sid, title, pos, of in SerialWork.objects.filter(work_id__in=ids).order_by("series_id").values_list(
            "work_id", "series_id", "series__title", "position", "of"):
        series.setdefault(wid, []).append({"id": sid, "title": title, "position": pos, "of": of})
    for w in works:
        w["chapters_expected"] = expected.get(w["id"])
        w["series"] = series.get(w["id"], [])
        w["url"] = f"/works/{w['id']}"
    return works


def load_works(ids: Sequence[int]) -> list[dict[str, Any]]:
    """Blurb dicts (the shape of ``run_search``'s works, plus extras) for these ids, in this order."""
    ids = list(ids)
    if not ids:
        return []
    rows = {w["id"]: w for w in Work.objects.filter(id__in=ids).values(
        "id", "title", "summary", "words", "kudos", "hits", "comments", "bookmarks", "complete", "language",
        "posted_at", "updated_at", "chapters_posted")}
    creators: dict[int, list[str]] = {}
    for wid, name in WorkCreator.objects.filter(work_id__in=ids).order_by("position").values_list(
            "work_id", "creator__name"):
        creators.setdefault(wid, []).append(name)
    tags: dict[int, dict[str, list[str]]] = {}
    for wid, type_, name in Tagging.objects.filter(work_id__in=ids).order_by("id").values_list(
            "work_id", "tag__type", "tag__name"):
        tags.setdefault(wid, {}).setdefault(type_, []).append(name)
    out = []
    for wid in ids:
        w = rows.get(wid)
        if w is None:
            continue
        w = dict(w)
        _fmt_dates(w)
        w["creators"] = creators.get(wid, [])
        w["tags"] = tags.get(wid, {})
        out.append(w)
    return attach_extras(out)


def required_tags(tags: dict[str, list[str]], complete: bool) -> list[dict[str, str]]:
    """AO3's four-square box: rating, warnings, category and completion, each a symbol and its words."""
    ratings = tags.get(TagType.RATING, [])
    rating = ratings[0] if ratings else "Not Rated"
    rk = {"general audiences": ("general", "G"), "teen and up audiences": ("teen", "T"),
          "mature": ("mature", "M"), "explicit": ("explicit", "E")}.get(rating.casefold(), ("notrated", ""))
    warns = tags.get(TagType.WARNING, [])
    keys = [w.casefold() for w in warns]
    if any("not to use" in k for k in keys):
        wk = ("choosenotto", "?", "Creator Chose Not To Use Archive Warnings")
    elif any(k != "no archive warnings apply" for k in keys):
        wk = ("yes", "!", ", ".join(w for w in warns if w.casefold() != "no archive warnings apply"))
    elif keys:
        wk = ("no", "", "No Archive Warnings Apply")
    else:
        wk = ("choosenotto", "?", "No archive warnings given")
    cats = tags.get(TagType.CATEGORY, [])
    names = {"f/f": "femslash", "f/m": "het", "m/m": "slash", "gen": "gen", "multi": "multi", "other": "other"}
    if len(cats) > 1:
        ck = ("multi", "")
    elif cats:
        ck = (names.get(cats[0].casefold(), "other"), "")
    else:
        ck = ("none", "")
    cat_symbols = {"femslash": "♀♀", "het": "♀♂", "slash": "♂♂", "gen": "○", "multi": "∗", "other": "?",
                   "none": ""}
    return [
        {"kind": "rating", "cls": f"rating-{rk[0]}", "symbol": rk[1], "text": rating},
        {"kind": "warnings", "cls": f"warning-{wk[0]}", "symbol": wk[1], "text": wk[2]},
        {"kind": "category", "cls": f"category-{ck[0]}", "symbol": cat_symbols[ck[0]],
         "text": ", ".join(cats) if cats else "No category"},
        {"kind": "iswip", "cls": "complete-yes" if complete else "complete-no", "symbol": "✓" if complete else "…",
         "text": "Complete Work" if complete else "Work in Progress"},
    ]


def decorate(works: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Template helpers for blurbs (kept out of the JSON)."""
    out = []
    for w in works:
        d = dict(w)
        tags = w.get("tags", {})
        d["required"] = required_tags(tags, bool(w.get("complete")))
        d["fandoms"] = tags.get(TagType.FANDOM, [])
        d["tag_groups"] = [(t, tags[t]) for t in BLURB_TAG_TYPES if tags.get(t)]
        exp = w.get("chapters_expected")
        d["chapters_label"] = f"{w.get('chapters_posted', 1)}/{exp if exp else ('?' if not w.get('complete') else w.get('chapters_posted', 1))}"
        d["date"] = (w.get("updated_at") or "")[:10]
        out.append(d)
    return out


# ----------------------------------------------------------------------------------------- works

def work_detail(work: Work) -> dict[str, Any]:
    """Everything a work page shows, as plain data (JSON-ready)."""
    wid = work.id
    creators = list(WorkCreator.objects.filter(work_id=wid).order_by("position")
                    .values_list("creator__name", flat=True))
    tags: dict[str, list[str]] = {}
    for type_, name in Tagging.objects.filter(work_id=wid).order_by("id").values_list("tag__type", "tag__name"):
        tags.setdefault(type_, []).append(name)
    chapters = [{"position": p, "title": t, "words": n, "html": c} for p, t, n, c in
                Chapter.objects.filter(work_id=wid).order_by("position").values_list(
                    "position", "title", "words", "content")]
    series = []
    mine = list(SerialWork.objects.filter(work_id=wid).values_list("series_id", "series__title", "position", "of"))
    if mine:
        parts: dict[int, list[tuple[int, int | None, str]]] = {}
        for sid, owid, pos, title in SerialWork.objects.filter(series_id__in=[m[0] for m in mine]).order_by(
                "series_id", "position", "work_id").values_list("series_id", "work_id", "position", "work__title"):
            parts.setdefault(sid, []).append((owid, pos, title))
        for sid, stitle, pos, of in mine:
            seq = parts.get(sid, [])
            idx = next((i for i, p in enumerate(seq) if p[0] == wid), -1)
            prev = seq[idx - 1] if idx > 0 else None
            nxt = seq[idx + 1] if 0 <= idx < len(seq) - 1 else None
            series.append({"id": sid, "title": stitle, "position": pos, "of": of,
                           "prev": {"id": prev[0], "title": prev[2]} if prev else None,
                           "next": {"id": nxt[0], "title": nxt[2]} if nxt else None})
    collections = [{"name": name or "", "title": title or name or "", "prompt_number": num or "", "prompt": text or ""}
                   for name, title, num, text in CollectionItem.objects.filter(work_id=wid).order_by("id").values_list(
                       "collection__name", "collection__title", "prompt__number", "prompt__text")
                   if name or text]
    return {
        "id": wid, "title": work.title, "creators": creators, "tags": tags,
        "summary": work.summary, "notes": work.notes, "end_notes": work.end_notes, "language": work.language,
        "words": work.words, "chapters_posted": work.chapters_posted,
        "chapters_expected": work.chapters_expected, "complete": work.complete, "crossover": work.crossover,
        "posted_at": work.posted_at.isoformat(), "updated_at": work.updated_at.isoformat(),
        "kudos": work.kudos, "hits": work.hits, "comments": work.comments, "bookmarks": work.bookmarks,
        "revision": work.revision, "series": series, "collections": collections, "chapters": chapters,
        "url": f"/works/{wid}",
    }
