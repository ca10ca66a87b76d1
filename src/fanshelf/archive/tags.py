"""Tag resolution and filter sets: written names → Tag rows, Tag rows → filter ids.

A name is looked up in the database first; a name the database has not seen is classified with the
core taxonomy: a canonical name becomes a canonical tag (fandoms with their metatags), a name the
taxonomy maps to another canonical becomes a synonym of it, anything else an unwrangled tag that a
wrangler can later make canonical or merge (``fanshelf tags``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from fanshelf import model as core
from fanshelf.archive.models import MetaTagging, Tag, TagType, tag_key
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


def metatag_closure(tag_ids: Iterable[int]) -> dict[int, set[int]]:
    """Every metatag (transitively) of each tag id."""
    links: dict[int, list[int]] = {}
    for sub, meta in MetaTagging.objects.values_list("sub_tag_id", "meta_tag_id"):
        links.setdefault(sub, []).append(meta)
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


def filter_ids_for(tag_ids: Iterable[int]) -> dict[int, tuple[int | None, frozenset[int]]]:
    """For each tag id: (its canonical id or None when unwrangled, its filter ids).

    The filter ids of a wrangled tag are its canonical ∪ the canonical's metatags (transitively); an
    unwrangled tag filters as itself until a wrangler makes it canonical or merges it.
    """
    ids = list(tag_ids)
    rows = {t: (c, m) for t, c, m in Tag.objects.filter(id__in=ids).values_list("id", "canonical", "merger_id")}
    canon: dict[int, int | None] = {}
    for tid in ids:
        is_canon, merger = rows.get(tid, (False, None))
        canon[tid] = tid if is_canon else merger
    closure = metatag_closure({c for c in canon.values() if c is not None})
    out: dict[int, tuple[int | None, frozenset[int]]] = {}
    for tid, c in canon.items():
        out[tid] = (c, frozenset({c, *closure.get(c, ())}) if c is not None else frozenset({tid}))
    return out


class TagResolver:
    """Resolves (type, name) to tag ids, creating tags as needed; caches for the life of one import."""

    def __init__(self, taxonomy: Taxonomy | None = None) -> None:
        self.tax = taxonomy or default_taxonomy()
        self._ids: dict[tuple[str, str], int] = {}
        self._filters: dict[int, tuple[int | None, frozenset[int]]] = {}
        self._fixed_done = False

    def known_ids(self) -> dict[tuple[str, str], int]:
        """(type, key) -> id of every tag this resolver has seen."""
        return self._ids

    def clear(self) -> None:
        self._ids.clear()
        self._filters.clear()

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
        """Tag ids for (type, name) pairs; missing tags (and their canonicals/metatags) are created."""
        want = {(t, n.strip()[:150]) for t, n in wanted if n and n.strip()}
        missing = [w for w in want if (w[0], tag_key(w[1])) not in self._ids]
        if missing:
            self._load(missing)
            still = [w for w in missing if (w[0], tag_key(w[1])) not in self._ids]
            if still:
                self._create(still)
        return {w: self._ids[(w[0], tag_key(w[1]))] for w in want}

    def _load(self, pairs: list[tuple[str, str]]) -> None:
        for chunk_start in range(0, len(pairs), 400):
            chunk = pairs[chunk_start:chunk_start + 400]
            cq = Q()
            for type_, name in chunk:
                cq |= Q(type=type_, key=tag_key(name))
            for tid, t, k in Tag.objects.filter(cq).values_list("id", "type", "key"):
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
                chain = self.tax.fandom_metatags(canon_name)
                sub = canon_name
                for meta in chain:  # nearest first: sub → meta1 → meta2 ...
                    metas.append(((type_, tag_key(sub)), (type_, tag_key(meta))))
                    todo.append((type_, meta))
                    sub = meta
        # create canonicals first so synonyms can point at them
        rows = [Tag(type=t, name=name, key=key, canonical=c, from_taxonomy=c and t not in FIXED)
                for (t, key), (name, c, _s) in plan.items()]
        Tag.objects.bulk_create(rows, ignore_conflicts=True)
        self._load([(t, name) for (t, _k), (name, _c, _s) in plan.items()])
        for (t, key), (_name, _c, syn) in plan.items():
            if syn is not None:
                target = self._ids.get((t, tag_key(syn)))
                if target is not None:
                    Tag.objects.filter(id=self._ids[(t, key)], merger__isnull=True, canonical=False).update(
                        merger_id=target)
        links = [MetaTagging(sub_tag_id=self._ids[s], meta_tag_id=self._ids[m])
                 for s, m in metas if s in self._ids and m in self._ids]
        if links:
            MetaTagging.objects.bulk_create(links, ignore_conflicts=True)

    def filters(self, tag_ids: Iterable[int]) -> dict[int, tuple[int | None, frozenset[int]]]:
        ids = set(tag_ids)
        missing = [t for t in ids if t not in self._filters]
        if missing:
            self._filters.update(filter_ids_for(missing))
        return {t: self._filters[t] for t in ids}
