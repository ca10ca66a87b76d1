"""Tag wrangling: making tags canonical, merging synonyms, linking meta/sub tags, undoing it all.

The rules are AO3's (see ../shared/reference/ao3-model.md and :mod:`fanshelf.archive.tags`): a tag is
canonical, a synonym whose ``merger`` is a canonical of the same type, or unwrangled; a work filters by
the canonical of each of its tags and all of that canonical's metatags (transitively), and an
unwrangled tag filters as itself.

Every operation runs in one transaction: the tag rows change, then the filter set of every work the
change can reach is recomputed from scratch (:func:`recompute_filters`); each work whose filter set,
crossover flag or search document changed gets its ``revision`` bumped and an
:class:`~fanshelf.archive.models.IndexOutbox` row, so the search index follows on the next drain.
Each operation returns the number of works whose filtering (filter set or crossover flag) changed.

Ratings, archive warnings and categories are fixed by the archive and cannot be wrangled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, Q

from fanshelf.archive.models import FilterTagging, IndexOutbox, MetaTagging, Tag, Tagging, Work, tag_key
from fanshelf.archive.store import _crossover
from fanshelf.errors import FanshelfError
from fanshelf.taxonomy import Taxonomy, default_taxonomy

__all__ = [
    "TAG_TYPES",
    "TagUse",
    "WranglingError",
    "add_metatag",
    "check_merge",
    "check_metatag",
    "check_unwrangle",
    "check_wranglable",
    "find_tag",
    "load_taxonomy",
    "make_canonical",
    "merge",
    "recompute_filters",
    "reindex_works",
    "remove_metatag",
    "rename",
    "tag_type",
    "type_label",
    "unwrangle",
    "unwrangled",
]

# Tag.type values (fanshelf.archive.models.TagType), spelled out as plain strings for the type checker.
FANDOM = "Fandom"
CHARACTER = "Character"
RELATIONSHIP = "Relationship"
FREEFORM = "Freeform"
RATING = "Rating"
WARNING = "ArchiveWarning"
CATEGORY = "Category"
FIXED_TYPES = frozenset({RATING, WARNING, CATEGORY})

# Friendly names (folded, singular) -> Tag.type.
TAG_TYPES: dict[str, str] = {
    "fandom": FANDOM,
    "character": CHARACTER,
    "relationship": RELATIONSHIP,
    "pairing": RELATIONSHIP,
    "freeform": FREEFORM,
    "additional": FREEFORM,
    "additional tag": FREEFORM,
    "additionaltag": FREEFORM,
    "rating": RATING,
    "warning": WARNING,
    "archive warning": WARNING,
    "archivewarning": WARNING,
    "category": CATEGORY,
}
_TYPE_LABEL = {FANDOM: "fandom", CHARACTER: "character", RELATIONSHIP: "relationship",
               FREEFORM: "additional tag", RATING: "rating", WARNING: "archive warning", CATEGORY: "category"}

_CHUNK = 1000  # works per recompute round (about ten queries each)
_BATCH = 5000  # rows per bulk insert when loading the taxonomy
_IN = 5000  # ids per IN (...) list: well under SQLite's 32,766 variables


class WranglingError(FanshelfError):
    """A wrangling change that the rules do not allow, or a tag that cannot be found."""

    exit_code = 2


@dataclass(frozen=True)
class TagUse:
    """A tag with its use count, as the wrangling queue lists it."""

    id: int
    type: str
    name: str
    uses: int
    canonical: bool
    merger_name: str | None


# ------------------------------------------------------------------------------------------ lookups


def _a(label: str) -> str:
    return f"{'an' if label[:1] in 'aeiou' else 'a'} {label}"


def tag_type(name: str) -> str:
    """A friendly type name (``fandom``, ``additional``, ``Archive Warning``...) -> the ``Tag.type`` value."""
    folded = " ".join(name.replace("_", " ").replace("-", " ").split()).casefold()
    for cand in (folded, folded[:-1] if folded.endswith("s") else folded):
        if cand in TAG_TYPES:
            return TAG_TYPES[cand]
    raise WranglingError(f"unknown tag type {name!r}: use one of fandom, character, relationship, "
                         "freeform (additional), rating, warning, category")


def type_label(type_: str) -> str:
    """The words for a ``Tag.type`` value in messages (``Freeform`` -> ``additional tag``)."""
    return _TYPE_LABEL.get(type_, type_)


def unwrangled(type: str | None = None, *, limit: int = 50, offset: int = 0,
               search: str | None = None) -> list[TagUse]:
    """Tags that are neither canonical nor a synonym, most used first (then by name).

    ``type`` accepts friendly names (see :func:`tag_type`); ``search`` keeps the tags whose name contains
    it (ignoring case and extra spaces).
    """
    qs = Tag.objects.filter(canonical=False, merger__isnull=True)
    if type:
        qs = qs.filter(type=tag_type(type))
    if search and tag_key(search):
        qs = qs.filter(key__contains=tag_key(search))
    qs = qs.order_by("-taggings_count", "name", "id")[max(offset, 0):max(offset, 0) + max(limit, 0)]
    return [TagUse(id=i, type=t, name=n, uses=u, canonical=False, merger_name=None)
            for i, t, n, u in qs.values_list("id", "type", "name", "taggings_count")]


def find_tag(name_or_id: str, type: str | None = None) -> Tag:
    """A tag by id (``123`` or ``#123``) or by name (case and spacing ignored).

    A bare number is tried as an id first, then as a name. A name used by tags of several types needs
    ``type`` (friendly names accepted).
    """
    wanted = tag_type(type) if type else None
    text = name_or_id.strip()
    digits = text[1:] if text.startswith("#") else text
    if digits.isdigit():
        tag = Tag.objects.filter(id=int(digits)).select_related("merger").first()
        if tag is not None and (wanted is None or tag.type == wanted):
            return tag
        if text.startswith("#"):
            kind = f" {type_label(wanted)}" if wanted else ""
            raise WranglingError(f"no{kind} tag has id {digits}")
    key = tag_key(text)
    if not key:
        raise WranglingError("empty tag name")
    qs = Tag.objects.filter(key=key).select_related("merger")
    if wanted:
        qs = qs.filter(type=wanted)
    found = list(qs.order_by("type"))
    if len(found) == 1:
        return found[0]
    if found:
        types = ", ".join(type_label(t.type) for t in found)
        raise WranglingError(f"{text!r} names tags of several types ({types}): give its type")
    kind = f" {type_label(wanted)}" if wanted else ""
    near = Tag.objects.filter(key__contains=key)
    if wanted:
        near = near.filter(type=wanted)
    names = list(near.order_by("-taggings_count", "name").values_list("name", flat=True)[:5])
    hint = f" (did you mean: {'; '.join(names)}?)" if names else ""
    raise WranglingError(f"no{kind} tag named {text!r}{hint}")


# ------------------------------------------------------------------------------------------ the graph


class _Graph:
    """The meta/sub links (sub -> metas), loaded once per operation."""

    def __init__(self, pairs: Iterable[tuple[int, int]] | None = None) -> None:
        if pairs is None:
            pairs = MetaTagging.objects.values_list("sub_tag_id", "meta_tag_id")
        self.metas: dict[int, set[int]] = {}
        for sub, meta in pairs:
            self.metas.setdefault(sub, set()).add(meta)
        self._closure: dict[int, frozenset[int]] = {}

    def ancestors(self, tag_id: int) -> frozenset[int]:
        """Every metatag of tag_id, transitively (including tag_id itself only on a cycle)."""
        got = self._closure.get(tag_id)
        if got is None:
            seen: set[int] = set()
            stack = list(self.metas.get(tag_id, ()))
            while stack:
                m = stack.pop()
                if m not in seen:
                    seen.add(m)
                    stack.extend(self.metas.get(m, ()))
            got = self._closure[tag_id] = frozenset(seen)
        return got

    def path(self, start: int, goal: int) -> list[int] | None:
        """A chain start -> meta -> ... -> goal, or None."""
        parent: dict[int, int] = {}
        frontier = [start]
        seen = {start}
        while frontier:
            nxt: list[int] = []
            for t in frontier:
                for m in sorted(self.metas.get(t, ())):
                    if m == goal:
                        out = [m, t]
                        while out[-1] != start:
                            out.append(parent[out[-1]])
                        return out[::-1]
                    if m not in seen:
                        seen.add(m)
                        parent[m] = t
                        nxt.append(m)
            frontier = nxt
        return None


def _names(ids: Iterable[int]) -> dict[int, str]:
    return dict(Tag.objects.filter(id__in=list(ids)).values_list("id", "name"))


def _chain(ids: list[int]) -> str:
    names = _names(ids)
    return " → ".join(names.get(i, f"#{i}") for i in ids)


# ------------------------------------------------------------------------------------------ checks


def _state(tag: Tag) -> str:
    if tag.canonical:
        return "canonical"
    if tag.merger_id is not None:
        merger = Tag.objects.filter(id=tag.merger_id).values_list("name", flat=True).first()
        return f"a synonym of {merger}"
    return "unwrangled"


def check_wranglable(tag: Tag) -> None:
    """Raise :class:`WranglingError` for ratings, archive warnings and categories (fixed tags)."""
    if tag.type in FIXED_TYPES:
        raise WranglingError(f"{tag.name} is {_a(type_label(tag.type))}: ratings, archive warnings and categories "
                             "are fixed by the archive and cannot be wrangled")


def check_merge(tag: Tag, into: Tag) -> None:
    """Raise :class:`WranglingError` unless ``tag`` may become a synonym of ``into``."""
    check_wranglable(tag)
    if tag.pk == into.pk:
        raise WranglingError(f"cannot merge {tag.name} into itself")
    if tag.type != into.type:
        raise WranglingError(f"cannot merge the {type_label(tag.type)} {tag.name} into the {type_label(into.type)} "
                             f"{into.name}: a synonym must have the type of its canonical")
    if not into.canonical:
        if into.merger_id is not None:
            target = Tag.objects.filter(id=into.merger_id).values_list("name", flat=True).first()
            raise WranglingError(f"{into.name} is not canonical, it is a synonym of {target}: "
                                 f"merge into {target} instead")
        raise WranglingError(f"{into.name} is not canonical (it is unwrangled): make it canonical first")


def check_metatag(sub: Tag, meta: Tag) -> None:
    """Raise :class:`WranglingError` unless ``meta`` may become a metatag of ``sub`` (no cycles)."""
    if sub.pk == meta.pk:
        raise WranglingError(f"{sub.name} cannot be its own metatag")
    if sub.type != meta.type:
        raise WranglingError(f"cannot make the {type_label(meta.type)} {meta.name} a metatag of the "
                             f"{type_label(sub.type)} {sub.name}: meta and sub tags must have the same type")
    for t in (sub, meta):
        check_wranglable(t)
        if not t.canonical:
            raise WranglingError(f"{t.name} is not canonical (it is {_state(t)}): only canonical tags "
                                 "can be meta or sub tags")
    graph = _Graph()
    if sub.pk in graph.ancestors(meta.pk):
        chain = graph.path(meta.pk, sub.pk) or [meta.pk, sub.pk]
        raise WranglingError(f"cannot make {meta.name} a metatag of {sub.name}: {sub.name} is already a "
                             f"metatag of {meta.name} ({_chain(chain)}), and metatags cannot form a cycle")


def check_unwrangle(tag: Tag) -> None:
    """Raise :class:`WranglingError` unless ``tag`` may go back to unwrangled."""
    check_wranglable(tag)
    if tag.canonical:
        syn = list(Tag.objects.filter(merger_id=tag.pk).order_by("name").values_list("name", flat=True)[:6])
        if syn:
            more = ", ..." if len(syn) > 5 else ""
            raise WranglingError(f"{tag.name} has synonyms ({', '.join(syn[:5])}{more}): merge {tag.name} "
                                 "into another canonical (its synonyms follow) or unwrangle them first")


# ------------------------------------------------------------------------------------------ operations


def _lock(*tags: Tag) -> list[Tag]:
    """The current rows of these tags, locked for the transaction (PostgreSQL; SQLite locks on write)."""
    ids = [t.pk for t in tags]
    rows = {t.pk: t for t in Tag.objects.select_for_update().filter(id__in=ids).order_by("id")}
    missing = [t.name for t in tags if t.pk not in rows]
    if missing:
        raise WranglingError(f"tag {missing[0]!r} no longer exists")
    return [rows[i] for i in ids]


def _refresh(*tags: Tag) -> None:
    for t in tags:
        t.refresh_from_db(fields=["name", "key", "canonical", "merger"])


def _tagged(tag_ids: Iterable[int]) -> set[int]:
    ids = list(tag_ids)
    return set(Tagging.objects.filter(tag_id__in=ids).values_list("work_id", flat=True)) if ids else set()


def _filtered_by(tag_ids: Iterable[int]) -> set[int]:
    ids = list(tag_ids)
    return set(FilterTagging.objects.filter(tag_id__in=ids).values_list("work_id", flat=True)) if ids else set()


def make_canonical(tag: Tag) -> int:
    """Make ``tag`` canonical (a synonym leaves its canonical). Returns the number of works re-filtered."""
    with transaction.atomic():
        (cur,) = _lock(tag)
        if cur.canonical:
            return 0
        check_wranglable(cur)
        works = _tagged([cur.pk])
        Tag.objects.filter(id=cur.pk).update(canonical=True, merger_id=None)
        n = recompute_filters(works | _filtered_by([cur.pk]), reindex=works)
    _refresh(tag)
    return n


def merge(tag: Tag, into: Tag) -> int:
    """Make ``tag`` a synonym of the canonical ``into`` (same type).

    When ``tag`` was canonical, its synonyms become synonyms of ``into`` and its meta and sub tags
    become those of ``into``. Returns the number of works re-filtered.
    """
    with transaction.atomic():
        cur, target = _lock(tag, into)
        check_merge(cur, target)
        if cur.merger_id == target.pk and not cur.canonical:
            return 0
        synonyms = set(Tag.objects.filter(merger_id=cur.pk).values_list("id", flat=True)) if cur.canonical else set()
        tagged = _tagged({cur.pk} | synonyms)
        works = tagged | _filtered_by([cur.pk])
        if cur.canonical:
            before = _Graph().ancestors(target.pk)
            was_cyclic = target.pk in before
            if synonyms:
                Tag.objects.filter(id__in=synonyms).update(merger_id=target.pk)
            _move_links(cur.pk, target.pk)
            graph = _Graph()
            if target.pk in graph.ancestors(target.pk) and not was_cyclic:
                chain = graph.path(target.pk, target.pk) or [target.pk, target.pk]
                raise WranglingError(f"merging {cur.name} into {target.name} would make the metatags form a "
                                     f"cycle ({_chain(chain)}): remove one of those links first")
            if graph.ancestors(target.pk) != before:
                works |= _filtered_by([target.pk])
        Tag.objects.filter(id=cur.pk).update(canonical=False, merger_id=target.pk)
        n = recompute_filters(works, reindex=tagged)
    _refresh(tag, into)
    return n


def _move_links(old: int, new: int) -> None:
    rows = list(MetaTagging.objects.filter(Q(sub_tag_id=old) | Q(meta_tag_id=old))
                .values_list("id", "sub_tag_id", "meta_tag_id"))
    if not rows:
        return
    pairs = {(new if s == old else s, new if m == old else m) for _i, s, m in rows}
    MetaTagging.objects.filter(id__in=[i for i, _s, _m in rows]).delete()
    MetaTagging.objects.bulk_create([MetaTagging(sub_tag_id=s, meta_tag_id=m) for s, m in pairs if s != m],
                                    ignore_conflicts=True)


def add_metatag(sub: Tag, meta: Tag) -> int:
    """Make ``meta`` a metatag of ``sub`` (both canonical, same type, no cycle). Returns works re-filtered."""
    with transaction.atomic():
        cur_sub, cur_meta = _lock(sub, meta)
        check_metatag(cur_sub, cur_meta)
        if MetaTagging.objects.filter(sub_tag_id=cur_sub.pk, meta_tag_id=cur_meta.pk).exists():
            return 0
        MetaTagging.objects.create(sub_tag_id=cur_sub.pk, meta_tag_id=cur_meta.pk)
        return recompute_filters(_filtered_by([cur_sub.pk]))


def remove_metatag(sub: Tag, meta: Tag) -> int:
    """Remove the direct link between ``sub`` and its metatag ``meta``. Returns works re-filtered."""
    with transaction.atomic():
        cur_sub, cur_meta = _lock(sub, meta)
        deleted, _ = MetaTagging.objects.filter(sub_tag_id=cur_sub.pk, meta_tag_id=cur_meta.pk).delete()
        if not deleted:
            graph = _Graph()
            chain = graph.path(cur_sub.pk, cur_meta.pk)
            via = f" (it inherits it through {_chain(chain)})" if chain else ""
            raise WranglingError(f"{cur_meta.name} is not a direct metatag of {cur_sub.name}{via}")
        return recompute_filters(_filtered_by([cur_sub.pk]))


def unwrangle(tag: Tag) -> int:
    """Send ``tag`` back to unwrangled (a canonical also loses its meta and sub links; it must have no
    synonyms). Returns the number of works re-filtered."""
    with transaction.atomic():
        (cur,) = _lock(tag)
        if not cur.wrangled:
            return 0
        check_unwrangle(cur)
        tagged = _tagged([cur.pk])
        works = tagged | _filtered_by([cur.pk])
        if cur.canonical:
            MetaTagging.objects.filter(Q(sub_tag_id=cur.pk) | Q(meta_tag_id=cur.pk)).delete()
        Tag.objects.filter(id=cur.pk).update(canonical=False, merger_id=None)
        n = recompute_filters(works, reindex=tagged)
    _refresh(tag)
    return n


def rename(tag: Tag, name: str) -> int:
    """Rename ``tag`` (its type keeps the name unique). Returns the number of works queued for reindexing."""
    new = " ".join(name.split())[:150]
    if not new:
        raise WranglingError("a tag needs a name")
    with transaction.atomic():
        (cur,) = _lock(tag)
        if new == cur.name:
            return 0
        clash = Tag.objects.filter(type=cur.type, key=tag_key(new)).exclude(id=cur.pk).first()
        if clash is not None:
            raise WranglingError(f"another {type_label(cur.type)} is named {clash.name}: merge into it instead")
        Tag.objects.filter(id=cur.pk).update(name=new, key=tag_key(new))
        synonyms = set(Tag.objects.filter(merger_id=cur.pk).values_list("id", flat=True))
        n = reindex_works(_tagged({cur.pk} | synonyms))
    _refresh(tag)
    return n


# ------------------------------------------------------------------------------------------ filter sets


def reindex_works(work_ids: Iterable[int]) -> int:
    """Bump the revision of these works and queue them for the search index, in one transaction (the
    caller's when there is one). Returns how many ids were given."""
    ids = sorted(set(work_ids))
    with transaction.atomic():
        for start in range(0, len(ids), _IN):
            chunk = ids[start:start + _IN]
            Work.objects.filter(id__in=chunk).update(revision=F("revision") + 1)
            IndexOutbox.objects.bulk_create([IndexOutbox(work_id=w) for w in chunk], batch_size=1000)
    return len(ids)


def recompute_filters(work_ids: Iterable[int], *, reindex: Iterable[int] = ()) -> int:
    """Recompute the filter sets and crossover flags of these works from their taggings.

    Works whose filter set (or its inherited flags) or crossover flag changed get new rows, a bumped
    revision and an outbox row; so do the works in ``reindex`` (whose search document changed for
    another reason, e.g. a tag of theirs became canonical). Ids of deleted works are ignored. Runs in
    one transaction (the caller's when there is one); about ten queries per 1,000 works. Returns the
    number of works whose filter set or crossover flag changed.
    """
    force = set(reindex)
    ids = sorted(set(work_ids) | force)
    if not ids:
        return 0
    changed = 0
    with transaction.atomic():
        graph = _Graph()
        for start in range(0, len(ids), _CHUNK):
            changed += _recompute_chunk(ids[start:start + _CHUNK], graph, force)
    return changed


def _recompute_chunk(chunk: list[int], graph: _Graph, force: set[int]) -> int:
    flags = dict(Work.objects.filter(id__in=chunk).values_list("id", "crossover"))  # work -> crossover
    if not flags:
        return 0
    taggings = list(Tagging.objects.filter(work_id__in=list(flags)).values_list("work_id", "tag_id"))
    tags = {tid: (type_, canon, merger) for tid, type_, canon, merger in
            Tag.objects.filter(id__in={t for _w, t in taggings}).values_list("id", "type", "canonical", "merger_id")}
    filt: dict[int, tuple[int | None, frozenset[int], bool]] = {}
    for tid, (type_, canon, merger) in tags.items():
        c = tid if canon else merger
        fset = frozenset({c, *(graph.ancestors(c) - {c})}) if c is not None else frozenset({tid})
        filt[tid] = (c, fset, type_ == FANDOM and c is not None)
    new: dict[int, dict[int, bool]] = {w: {} for w in flags}
    fandom_sets: dict[int, list[frozenset[int]]] = {}
    for wid, tid in taggings:
        if tid not in filt:  # the tag vanished under us
            continue
        c, fset, is_fandom = filt[tid]
        d = new[wid]
        for fid in fset:
            d[fid] = d.get(fid, True) and fid not in (c, tid)
        if is_fandom:
            fandom_sets.setdefault(wid, []).append(fset)
    old: dict[int, dict[int, tuple[int, bool]]] = {w: {} for w in flags}  # work -> tag -> (row id, inh)
    for rid, wid, tid, inh in FilterTagging.objects.filter(work_id__in=list(flags)).values_list(
            "id", "work_id", "tag_id", "inherited"):
        old[wid][tid] = (rid, inh)
    gone: list[int] = []
    flips: dict[bool, list[int]] = {True: [], False: []}
    added: list[FilterTagging] = []
    refiltered: list[int] = []
    for wid in flags:
        before, after = old[wid], new[wid]
        if {t: inh for t, (_r, inh) in before.items()} == after:
            continue
        refiltered.append(wid)
        for tid, (rid, inh) in before.items():
            if tid not in after:
                gone.append(rid)
            elif after[tid] != inh:
                flips[after[tid]].append(rid)
        added += [FilterTagging(work_id=wid, tag_id=t, inherited=inh) for t, inh in after.items() if t not in before]
    # only the rows that differ are written: a merge touches two rows per work, not the whole set
    if gone:
        FilterTagging.objects.filter(id__in=gone).delete()
    for flag, rows in flips.items():
        if rows:
            FilterTagging.objects.filter(id__in=rows).update(inherited=flag)
    if added:
        FilterTagging.objects.bulk_create(added, batch_size=1000)
    cross_now = {w: _crossover(fandom_sets.get(w, [])) for w in flags}
    cross_changed = [w for w in flags if cross_now[w] != flags[w]]
    for flag in (True, False):
        flip = [w for w in cross_changed if cross_now[w] is flag]
        if flip:
            Work.objects.filter(id__in=flip).update(crossover=flag)
    moved = set(refiltered) | set(cross_changed)
    reindex_works(moved | (force & set(flags)))
    return len(moved)


# ------------------------------------------------------------------------------------------ taxonomy


def _fandom_links(tax: Taxonomy, fandoms: Iterable[str]) -> list[tuple[str, str]]:
    """(fandom, nearest metatag) pairs: the transitive reduction of ``fandom_metatags``.

    Fandoms that are each other's metatag (the shipped data has a few such cycles, e.g. Doctor Who and
    Doctor Who & Related Fandoms) are not linked to each other: which one is the metatag is for a
    wrangler to decide. Their subtags are linked to both.
    """
    every: dict[str, frozenset[str]] = {}

    def metas(f: str) -> frozenset[str]:
        got = every.get(f)
        if got is None:
            got = every[f] = frozenset(tax.fandom_metatags(f))
        return got

    def acyclic(f: str) -> set[str]:
        return {m for m in metas(f) if f not in metas(m)}

    out: list[tuple[str, str]] = []
    for f in fandoms:
        up = acyclic(f)
        implied: set[str] = set()
        for m in up:
            implied |= acyclic(m)
        out += [(f, m) for m in sorted(up - implied)]
    return out


def _insert_canonicals(rows: list[tuple[str, str, str]]) -> int:
    """INSERT (type, key, name) canonical taxonomy tags, skipping existing ones; returns how many were new.

    INSERT ... ON CONFLICT DO NOTHING, as an ``executemany`` (SQLite) or one INSERT ... SELECT FROM
    unnest(arrays) per batch (PostgreSQL): several times faster than ``bulk_create`` for the ~80,000
    tags of the shipped taxonomy, and the row count says how many were really new even when another
    process adds tags meanwhile.
    """
    if not rows:
        return 0
    meta = Tag._meta
    cols = ["type", "name", "key", "canonical", "merger", "taggings_count", "from_taxonomy", "created_at"]
    names = ", ".join(connection.ops.quote_name(meta.get_field(c).column) for c in cols)
    now = connection.ops.adapt_datetimefield_value(dt.datetime.now(dt.UTC))
    table = connection.ops.quote_name(meta.db_table)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":  # one statement per batch: arrays, unnested
            cur.execute(f"INSERT INTO {table} ({names}) SELECT u.t, u.n, u.k, true, NULL, 0, true, %s "
                        "FROM unnest(%s::varchar[], %s::varchar[], %s::varchar[]) AS u(t, n, k) "
                        "ON CONFLICT DO NOTHING",
                        [now, [r[0] for r in rows], [r[2] for r in rows], [r[1] for r in rows]])
        else:
            cur.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(cols))}) "
                            "ON CONFLICT DO NOTHING",
                            [(type_, name, key, True, None, 0, True, now) for type_, key, name in rows])
        return max(cur.rowcount, 0)


def load_taxonomy(taxonomy: Taxonomy | None = None, *,
                  progress: Callable[[int], None] | None = None) -> int:
    """Create the taxonomy's canonical tags (fandoms, characters, relationships, additional tags) and the
    metatags of its fandoms, in one transaction. Existing tags are left as they are (an unwrangled or
    synonym tag of the same name stays so), and a new fandom is linked only to metatags that are
    canonical. No work's filter set changes: new tags have no works. ``progress`` receives the number of
    tags handled after each batch. Returns the number of tags created.
    """
    tax = taxonomy or default_taxonomy()
    groups: list[tuple[str, Iterable[str]]] = [
        (FANDOM, tax.fandoms),
        (CHARACTER, tax.characters),
        (RELATIONSHIP, sorted(set(tax._relmap().values()))),
        (FREEFORM, sorted(set(tax._ffmap().values()))),
    ]
    wanted: dict[tuple[str, str], str] = {}
    original: dict[str, str] = {}  # fandom name as created -> as the taxonomy spells it
    for type_, names in groups:
        for name in names:
            clean = " ".join(name.split())
            key = tag_key(clean)
            if key and len(clean) <= 150 and (type_, key) not in wanted:
                wanted[(type_, key)] = clean
                if type_ == FANDOM:
                    original[clean] = name
    created = 0
    with transaction.atomic():
        existing: set[tuple[str, str]] = set()
        for type_ in (FANDOM, CHARACTER, RELATIONSHIP, FREEFORM):
            existing.update((type_, k) for k in Tag.objects.filter(type=type_).values_list("key", flat=True))
        new = [(t, k, n) for (t, k), n in wanted.items() if (t, k) not in existing]
        for start in range(0, len(new), _BATCH):
            batch = new[start:start + _BATCH]
            created += _insert_canonicals(batch)
            if progress:
                progress(len(batch))
        new_fandoms = {n for t, _k, n in new if t == FANDOM}
        if new_fandoms:
            ids = {k: (i, c) for i, k, c in Tag.objects.filter(type=FANDOM).values_list("id", "key", "canonical")}
            links: list[MetaTagging] = []
            for name, meta_name in _fandom_links(tax, sorted(original[f] for f in new_fandoms)):
                sub = ids.get(tag_key(name))
                meta = ids.get(tag_key(meta_name))
                if sub is not None and meta is not None and meta[1] and meta[0] != sub[0]:
                    links.append(MetaTagging(sub_tag_id=sub[0], meta_tag_id=meta[0]))
            MetaTagging.objects.bulk_create(links, batch_size=_BATCH, ignore_conflicts=True)
    return created
