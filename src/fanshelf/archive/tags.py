"""Tag resolution and filter sets: written names → Tag rows, Tag rows → filter ids.

A name is looked up in the database first; a name the database has not seen is classified with the
core taxonomy: a canonical name becomes a canonical tag (fandoms with their metatags), a name the
taxonomy maps to another canonical becomes a synonym of it, anything else an unwrangled tag that a
wrangler can later make canonical or merge (``fanshelf tags``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection

from fanshelf import model as core
from fanshelf.archive.models import MetaTagging, Tag, TagType, tag_key
from fanshelf.archive.sql import rows_in
from fanshelf.taxonomy import Taxonomy, default_taxonomy

__all__ = ["FIXED_SYNONYMS", "TagResolver", "filter_ids_for", "metatag_closure"]

# Spellings of fixed tags that AO3's own data uses.
FIXED_SYNONYMS: dict[tuple[str, str], str] = {
    (TagType.WARNING, "Choose Not To Use Archive Warnings"): "Creator Chose Not To Use Archive Warnings",
    (TagType.WARNING, "Underage"): "Underage Sex",
}
FIXED: dict[str, tuple[str, ...]] = {
    TagType.RATING: core.RATINGS,
    TagType.WARNING: core.ARCHIVE_WARNINGS,
    TagType.CATEGORY: core.CATEGORIES,
}


def metatag_links() -> dict[int, list[int]]:
    """sub tag id -> its direct metatag ids."""
    links: dict[int, list[int]] = {}
    for sub, meta in MetaTagging.objects.values_list("sub_tag_id", "meta_tag_id"):
        links.setdefault(sub, []).append(meta)
    return links


def metatag_closure(tag_ids: Iterable[int], links: dict[int, list[int]] | None = None) -> dict[int, set[int]]:
    """Every metatag (transitively) of each tag id."""
    if links is None:
        links = metatag_links()
    out: dict[int, set[int]] = {}
    for tid in tag_ids:
        seen: set[int] = set()
        stack = list(links.get(tid, ()))
        while stack:
            m = stack.pop()
            if m not in seen and m != tid:
                seen.add(m)
                stack.extend(links.get(m, ()))
        out[tid] = seen
    return out


def filter_ids_for(tag_ids: Iterable[int], links: dict[int, list[int]] | None = None
                   ) -> dict[int, tuple[int | None, frozenset[int]]]:
    """For each tag id: (its canonical id or None when unwrangled, its filter ids).

    The filter ids of a wrangled tag are its canonical ∪ the canonical's metatags (transitively); an
    unwrangled tag filters as itself until a wrangler makes it canonical or merges it.
    """
    ids = list(tag_ids)
    rows: dict[int, tuple[bool, int | None]] = {
        t: (bool(c), m) for t, c, m in rows_in(
            f"SELECT id, canonical, merger_id FROM {Tag._meta.db_table} WHERE id IN ({{marks}})", ids)}
    canon: dict[int, int | None] = {}
    for tid in ids:
        is_canon, merger = rows.get(tid, (False, None))
        canon[tid] = tid if is_canon else merger
    closure = metatag_closure({c for c in canon.values() if c is not None}, links)
    out: dict[int, tuple[int | None, frozenset[int]]] = {}
    for tid, c in canon.items():
        out[tid] = (c, frozenset({c, *closure.get(c, ())}) if c is not None else frozenset({tid}))
    return out


def _insert_tags(rows: list[tuple[str, str, str, bool, bool]]) -> None:
    """Create tags (type, name, key, canonical, from_taxonomy); existing ones are left as they are."""
    if not rows:
        return
    now = Tag._meta.get_field("created_at").get_db_prep_save(dt.datetime.now(dt.UTC), connection)
    with connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {Tag._meta.db_table} (type, name, key, canonical, from_taxonomy, taggings_count, "
            "created_at) VALUES (%s, %s, %s, %s, %s, 0, %s) ON CONFLICT DO NOTHING",
            [(*r, now) for r in rows])


class TagResolver:
    """Resolves (type, name) to tag ids, creating tags as needed; caches for the life of one import."""

    def __init__(self, taxonomy: Taxonomy | None = None) -> None:
        self.tax = taxonomy or default_taxonomy()
        self._ids: dict[tuple[str, str], int] = {}
        # (type, name as written) -> id: the names a bulk load repeats skip normalising and keying
        self._written: dict[tuple[str, str], int] = {}
        self._filters: dict[int, tuple[int | None, frozenset[int]]] = {}
        self._fixed_done = False
        self._links: dict[int, list[int]] | None = None

    def known_ids(self) -> dict[tuple[str, str], int]:
        """(type, key) -> id of every tag this resolver has seen."""
        return self._ids

    def clear(self) -> None:
        self._ids.clear()
        self._written.clear()
        self._filters.clear()
        self._links = None

    # -- classification by the taxonomy
    def _classify(self, type_: str, name: str) -> tuple[bool, str | None]:
        """(canonical?, canonical name it is a synonym of)."""
        if type_ in FIXED:
            if name in FIXED[type_]:
                return True, None
            syn = FIXED_SYNONYMS.get((type_, name))
            return False, syn
        canon: str | None = None
        if type_ == TagType.FANDOM:
            canon = self.tax.fandom(name) if name != core.NO_FANDOM else name
        elif type_ == TagType.CHARACTER:
            canon = self.tax.character(name)
        elif type_ == TagType.FREEFORM:
            canon = self.tax.freeform(name)
        elif type_ == TagType.RELATIONSHIP:
            from fanshelf.taxonomy import split_relationship

            kind, members = split_relationship(name)
            if kind and len(members) >= 2:
                known = [self.tax.character(m) for m in members]
                if all(known):
                    canon = self.tax.relationship([k for k in known if k], kind) or (
                        name if known == members else None)
        if canon is None:
            return False, None
        if canon == name:
            return True, None
        return False, canon

    def ensure_fixed(self) -> None:
        if self._fixed_done:
            return
        for type_, names in FIXED.items():
            self.resolve_many([(type_, n) for n in names])
        self.resolve_many(list(FIXED_SYNONYMS))
        self._fixed_done = True

    def resolve_many(self, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """Tag ids for (type, name) pairs; missing tags (and their canonicals/metatags) are created.

        Keyed by (type, name stripped and clipped to 150 characters); blank names are left out.
        """
        want = {(t, n.strip()[:150]) for t, n in wanted if n and n.strip()}
        keyed = {w: (w[0], tag_key(w[1])) for w in want}
        ids = self._ids
        missing = [w for w, k in keyed.items() if k not in ids]
        if missing:
            self._load(missing)
            still = [w for w in missing if keyed[w] not in ids]
            if still:
                self._create(still)
        return {w: ids[k] for w, k in keyed.items()}

    def resolve_written(self, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """Like :meth:`resolve_many`, keyed by the pairs exactly as given (blank names left out).

        A bulk load asks for the same few thousand names batch after batch: those are one lookup each.
        """
        written = self._written
        out: dict[tuple[str, str], int] = {}
        new: list[tuple[str, str]] = []
        for w in wanted:
            tid = written.get(w)
            if tid is None:
                new.append(w)
            else:
                out[w] = tid
        if new:
            resolved = self.resolve_many(new)
            for w in new:
                tid = resolved.get((w[0], w[1].strip()[:150]))
                if tid is not None:
                    written[w] = out[w] = tid
        return out

    def _load(self, pairs: list[tuple[str, str]]) -> None:
        wanted = {(t, tag_key(n)) for t, n in pairs}
        keys = sorted({k for _t, k in wanted})
        for tid, t, k in rows_in(f"SELECT id, type, key FROM {Tag._meta.db_table} WHERE key IN ({{marks}})", keys):
            if (t, k) in wanted:
                self._ids[(t, k)] = tid

    def _create(self, pairs: list[tuple[str, str]]) -> None:
        plan: dict[tuple[str, str], tuple[str, bool, str | None]] = {}
        metas: list[tuple[tuple[str, str], tuple[str, str]]] = []
        todo = list(pairs)
        while todo:
            type_, name = todo.pop()
            k = (type_, tag_key(name))
            if k in plan or k in self._ids:
                continue
            is_canon, syn = self._classify(type_, name)
            plan[k] = (name, is_canon, syn)
            if syn is not None:
                todo.append((type_, syn))
            canon_name = name if is_canon else syn
            if type_ == TagType.FANDOM and canon_name and canon_name != core.NO_FANDOM:
                # every (transitive) metatag is linked directly: the closure is the same, and a fandom
                # with two separate metatags never gets a false link between them
                for meta in self.tax.fandom_metatags(canon_name):
                    if tag_key(meta) != tag_key(canon_name):
                        metas.append(((type_, tag_key(canon_name)), (type_, tag_key(meta))))
                        todo.append((type_, meta))
        # create canonicals first so synonyms can point at them
        _insert_tags([(t, name, key, c, bool(c and t not in FIXED)) for (t, key), (name, c, _s) in plan.items()])
        self._load([(t, name) for (t, _k), (name, _c, _s) in plan.items()])
        merges = []
        for (t, key), (_name, _c, syn) in plan.items():
            if syn is not None:
                target = self._ids.get((t, tag_key(syn)))
                if target is not None:
                    merges.append((target, self._ids[(t, key)], False))
        if merges:  # one statement for the batch (an ORM update per synonym costs a query each)
            with connection.cursor() as cur:
                cur.executemany(f"UPDATE {Tag._meta.db_table} SET merger_id = %s "
                                "WHERE id = %s AND merger_id IS NULL AND canonical = %s", merges)
        links = [MetaTagging(sub_tag_id=self._ids[s], meta_tag_id=self._ids[m])
                 for s, m in metas if s in self._ids and m in self._ids]
        if links:
            MetaTagging.objects.bulk_create(links, ignore_conflicts=True)
            self._links = None

    def filters(self, tag_ids: Iterable[int]) -> dict[int, tuple[int | None, frozenset[int]]]:
        ids = set(tag_ids)
        missing = [t for t in ids if t not in self._filters]
        if missing:
            if self._links is None:
                self._links = metatag_links()
            self._filters.update(filter_ids_for(missing, self._links))
        return {t: self._filters[t] for t in ids}
