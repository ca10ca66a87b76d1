"""Where a post uploaded on ``/import`` is stored: its source location.

The importer keys every post by its location (a path on disk for ``fanshelf import``): the same location
with the same bytes is *unchanged*, with other bytes it is *updated* in place. Uploaded files have no
path, only a name, and two readers' different posts may well both be called ``story.txt``. So the
location of an upload is chosen once its bytes are known:

1. ``upload:NAME`` when nothing is stored under that name yet;
2. the stored location (``upload:NAME`` or ``upload:NAME~HASH``) holding these very bytes: *unchanged*;
3. the stored location whose works have the same title and creators as the upload's (a revised version
   of the same story, a part of the same story): *updated*, keeping its work ids;
4. otherwise a new location ``upload:NAME~HASH`` (the first 8 hex digits of the SHA-256 of its bytes):
   a different story that happens to share the name is *created* beside the first, never replacing it.

A file that cannot be parsed goes to ``upload:NAME~HASH`` too (the report says why it failed), so that
it never touches what is stored under its name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from fanshelf.archive.models import Source, Work, WorkCreator, WorkPart, tag_key
from fanshelf.archive.sources import SourceRef
from fanshelf.archive.store import content_hash
from fanshelf.errors import FanshelfError
from fanshelf.model import Work as CoreWork

__all__ = ["HASH_DIGITS", "choose_location", "located", "work_identities"]

HASH_DIGITS = 8
_TITLE_MAX = 255  # Work.title's length in the database

Identity = tuple[str, ...]


def _identity(title: str, creators: Iterable[str]) -> Identity:
    return ("work", tag_key(title[:_TITLE_MAX]), *sorted({tag_key(c)[:255] for c in creators if c.strip()}))


def work_identities(works: Iterable[CoreWork]) -> set[Identity]:
    """What makes parsed works "the same story": title and creators (case and spacing folded); for a
    part of a story posted in parts, the story it belongs to."""
    from fanshelf.parts import part_key

    out: set[Identity] = set()
    for w in works:
        key = part_key(w)
        out.add(("part", key) if key is not None else _identity(w.title, w.creators))
    return out


def _stored_identities(source_ids: list[int]) -> dict[int, set[Identity]]:
    """The identities of the works (and parts) stored from these sources, in three queries."""
    out: dict[int, set[Identity]] = {sid: set() for sid in source_ids}
    works = {wid: (sid, title) for wid, sid, title in
             Work.objects.filter(source_id__in=source_ids).values_list("id", "source_id", "title")}
    creators: dict[int, list[str]] = {}
    for wid, name in WorkCreator.objects.filter(work_id__in=list(works)).values_list("work_id", "creator__name"):
        creators.setdefault(wid, []).append(name)
    for wid, (sid, title) in works.items():
        out[sid].add(_identity(title, creators.get(wid, [])))
    for sid, key in WorkPart.objects.filter(source_id__in=source_ids).values_list("source_id", "key"):
        out[sid].add(("part", key))
    return out


def _parse(data: bytes, location: str) -> list[CoreWork] | None:
    """The works in an upload, as the importer will read them; None when it cannot be read."""
    from fanshelf.ingest import read_posts
    from fanshelf.pipeline import parse_raw

    try:
        return [w for raw in read_posts(data, location) for w in parse_raw(raw)]
    except FanshelfError:
        return None
    except Exception:  # a parser bug: the importer reports it; here it only means "not the same story"
        return None


def choose_location(base: str, data: bytes) -> str:
    """The source location for an upload whose plain location would be ``base`` (``upload:NAME``)."""
    digest = content_hash(data)
    variant = re.compile(re.escape(base) + f"~[0-9a-f]{{{HASH_DIGITS}}}")
    rows = [(sid, loc, h) for sid, loc, h in
            Source.objects.filter(location__startswith=base).order_by("id").values_list("id", "location",
                                                                                       "content_hash")
            if loc == base or variant.fullmatch(loc)]
    if not rows:
        return base
    for _sid, loc, h in rows:
        if h == digest:
            return loc  # these very bytes: unchanged
    own = f"{base}~{digest[:HASH_DIGITS]}"
    works = _parse(data, base)
    if not works:
        return own
    mine = work_identities(works)
    stored = _stored_identities([sid for sid, _loc, _h in rows])
    rows.sort(key=lambda r: r[1] != base)  # the plain name first
    for sid, loc, _h in rows:
        if stored[sid] & mine:
            return loc  # the same story, revised: updated in place
    return base if all(loc != base for _sid, loc, _h in rows) else own


def located(refs: Iterable[SourceRef], prefix: str) -> Iterator[SourceRef]:
    """The refs found in the upload folder ``prefix`` (a path ending in a separator), each with its
    location chosen (lazily: one post's bytes are held at a time, until the importer takes them)."""
    for ref in refs:
        base = "upload:" + ref.location[len(prefix):]
        if ref.error:
            yield SourceRef(base, ref.read, mtime=ref.mtime, error=ref.error)
            continue
        try:
            data = ref.read()
        except FanshelfError:  # the importer reads it again and reports why it failed
            yield SourceRef(base, ref.read, mtime=ref.mtime)
            continue
        yield SourceRef(choose_location(base, data), _bytes(data), mtime=ref.mtime)


def _bytes(data: bytes) -> Callable[[], bytes]:
    def read() -> bytes:
        return data

    return read
