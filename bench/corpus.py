"""Synthetic benchmark corpus: posts whose metadata follows the real AO3 data in ../shared/data.

    .venv/bin/python bench/corpus.py [--n 5] [--seed 1] [--shared ../shared]

Everything that is sampled (fandoms, relationships, characters, freeform tags, ratings, warnings, word
counts, kudos/hits/comments/bookmarks, dates, summary and title lengths) is drawn from values observed in
the real data, which is read at run time and cached as a pickle under /tmp/fanshelf-bench-cache (keyed by
the data files' sizes and mtimes). Tag names are facts and come from the data at run time; they are never
written into this file. Titles, author pseuds, summaries and bodies are word salad made from the small
vocabulary below, which is our own: no story text, title or summary from the data reaches a post.

Use from a benchmark::

    sys.path.insert(0, str(REPO / "bench"))
    from corpus import generate, load_distributions
    dist = load_distributions(SHARED)
    for post in generate(100_000, seed=0, dist=dist): ...

``BenchPost.text`` is a plain-text post with a ``Label: value`` header (one label per line) that
``fanshelf.pipeline.parse_bytes`` reads; the body is short (60-250 words): the real length is carried by the
``Word count:`` line so that a benchmark measures the archive, not the parsing of megabytes.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import html
import json
import os
import pickle
import random
import sys
import time
from array import array
from bisect import bisect
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate, islice
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = ROOT.parent / "shared"
CACHE_DIR = Path("/tmp/fanshelf-bench-cache")
CACHE_VERSION = 6

# Knobs that the data cannot give directly (see the notes in ``_build_tables``).
CROSSOVER_RATE = 0.08  # share of works with 2-3 fandoms (the brief asks for 5-10%)
MAX_RELS, MAX_CHARS, MAX_FREEFORMS, MAX_TITLE_WORDS = 4, 8, 15, 6
DUMP_FANDOM_SHARE = 0.20  # mass given to the 2021 dump's fandom tags (weighted by their AO3 work counts)
TAIL_FANDOM_SHARE = 0.10  # mass given to the scourgify fandom list (weighted by its number of alias rows)
FF_FANDOM, FF_OBSERVED = 0.35, 0.25  # freeform source mix; the rest is the 2015 canonical list by count
FF_ALIAS, CHAR_ALIAS, FANDOM_ALIAS = 0.10, 0.05, 0.05  # chance to write a real non-canonical spelling
N_PSEUDS = 20_000
FIRST_DAY, LAST_DAY = dt.date(2008, 1, 1).toordinal(), dt.date(2025, 12, 31).toordinal()
MAX_SUMMARY_WORDS = 1000  # longer summaries (none in the data) are rejected
MAX_TAG_LEN = 150  # AO3's own limit on a tag's length
BAD_TAG_CHARS = frozenset(",;\n\r\t")
RATINGS = ("General Audiences", "Teen And Up Audiences", "Mature", "Explicit", "Not Rated")
MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                      "nov", "dec"), 1)}

# Our own vocabulary for titles, pseuds, summaries and bodies (ordinary English words).
NOUNS = (
    "rain", "river", "window", "letter", "garden", "lantern", "harbor", "morning", "evening", "winter",
    "summer", "autumn", "spring", "city", "road", "bridge", "door", "kitchen", "table", "chair", "kettle",
    "candle", "mirror", "island", "forest", "meadow", "mountain", "valley", "ocean", "shore", "station",
    "train", "platform", "ticket", "map", "compass", "engine", "ship", "sail", "storm", "thunder", "cloud",
    "star", "moon", "sun", "shadow", "light", "fire", "ember", "stone", "brick", "wall", "roof", "tower",
    "castle", "market", "street", "corner", "alley", "library", "book", "page", "ink", "pen", "paper",
    "song", "voice", "whisper", "silence", "promise", "secret", "question", "answer", "reason", "habit",
    "memory", "dream", "wish", "heart", "hand", "shoulder", "coat", "scarf", "glove", "boot", "pocket",
    "key", "lock", "clock", "hour", "minute", "season", "year", "night", "day", "week", "field", "orchard",
    "apple", "bread", "coffee", "tea", "cup", "plate", "spoon", "blanket", "pillow", "room", "hallway",
    "stair", "fence", "gate", "path", "hill", "lake", "pond", "boat", "oar", "net", "fish", "bird", "crow",
    "sparrow", "owl", "fox", "wolf", "horse", "dog", "cat", "rabbit", "deer", "snow", "frost", "wind",
    "feather", "thread", "needle", "button", "ribbon", "photograph", "postcard", "radio", "lamp", "porch",
    "balcony", "attic", "cellar", "bakery", "cafe", "bus", "bicycle", "umbrella", "puddle", "sky",
    "horizon", "echo", "dust", "glass", "honey", "salt", "pepper", "lemon", "orange", "pear", "plum",
    "cherry",
)
ADJECTIVES = (
    "quiet", "small", "bright", "dark", "cold", "warm", "old", "new", "early", "late", "soft", "loud",
    "gentle", "bitter", "sweet", "brave", "tired", "patient", "careful", "hidden", "lost", "broken",
    "golden", "silver", "green", "blue", "grey", "red", "pale", "distant", "near", "narrow", "wide", "long",
    "short", "slow", "quick", "heavy", "empty", "full", "strange", "familiar", "simple", "ordinary",
    "lucky", "stubborn", "honest", "curious", "sleepy", "restless", "hopeful", "wild", "tender", "clumsy",
    "crooked", "faded", "hollow", "rusty", "shy", "silent", "steady", "wooden",
)
VERBS = (
    "waited", "walked", "looked", "turned", "kept", "held", "carried", "opened", "closed", "watched",
    "listened", "followed", "wondered", "remembered", "forgot", "noticed", "laughed", "smiled", "sighed",
    "answered", "asked", "called", "wrote", "read", "found", "left", "stayed", "stood", "sat", "ran",
    "climbed", "crossed", "folded", "poured", "counted", "painted", "mended", "borrowed", "returned",
    "whistled", "hummed", "knocked", "lingered", "wandered",
)
ADVERBS = (
    "slowly", "quietly", "again", "still", "almost", "never", "always", "suddenly", "finally", "softly",
    "carefully", "gladly",
)
PREPOSITIONS = (
    "over", "under", "before", "after", "with", "without", "into", "from", "toward", "across", "behind",
    "beside", "near", "past",
)
TITLE_GLUE = ("of", "the", "in", "and", "for", "on", "to")


@dataclass(frozen=True, slots=True)
class BenchPost:
    name: str  # a unique file-like name, e.g. "bench/0000123.txt"
    text: str  # the post: a plain-text header our parser reads, a blank line, a short body
    stats: dict[str, int]  # kudos, hits, comments, bookmarks (one real work's values, jointly)
    expect: dict[str, object]  # what the header says (title, fandoms, rating, ..., words)


# --------------------------------------------------------------------------------------------------------
# Reading the data


def _data_dir(shared: Path) -> Path:
    shared = Path(shared)
    return shared / "data" if (shared / "data").is_dir() else shared


def _data_files(data: Path) -> list[Path]:
    files = [
        data / "ao3-blurbs-ds9-2022" / "ds9-blurbs.jsonl",
        data / "ao3-metadata-kpop-2025" / "kpop_demon_hunters_metadata.csv",
        data / "ao3-stats-jtrainrva-2023" / "change_df.csv",
        data / "ao3-dump-2021-sample" / "tags-20210226-first2000rows.csv",
        data / "ao3-dump-2021-sample" / "works-20210226-sample999.csv",
        data / "ao3-freeform-tags-2015" / "tags-2015-08.json",
        data / "ao3-taxonomy-scourgify" / "tags.csv",
        data / "ao3-taxonomy-scourgify" / "genres.csv",
        data / "ao3-taxonomy-scourgify" / "characters.csv",
        data / "ao3-taxonomy-scourgify" / "universes.csv",
    ]
    files += sorted((data / "ao3-ships-pudding-2022").glob("*.csv"))
    return files


def _read_csv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


_TAGS: dict[str, str | None] = {}


def _tag(name: str | None) -> str | None:
    """A tag name usable in a header line, or None (empty, too long, or holding , ; or a line break)."""
    if not name:
        return None
    hit = _TAGS.get(name, "")
    if hit != "":
        return hit
    clean: str | None = " ".join(name.split())
    if not clean or len(clean) > MAX_TAG_LEN or not BAD_TAG_CHARS.isdisjoint(clean):
        clean = None
    _TAGS[name] = clean
    return clean


def _int(value: object) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, int):
        return value
    try:
        return int(float(str(value).replace(",", "")))
    except ValueError:
        return 0


_DATE_CACHE: dict[str, int | None] = {}


def _day(text: str) -> int | None:
    """Ordinal day of ``31 May 2022`` or ``14-May-19``; None when unreadable or outside 2008-2025."""
    hit = _DATE_CACHE.get(text, 0)
    if hit != 0:
        return hit
    out: int | None = None
    try:
        parts = text.replace("-", " ").split()
        if len(parts) == 3:
            y = int(parts[2])
            y = y + 2000 if y < 100 else y
            day = dt.date(y, MONTHS[parts[1][:3].lower()], int(parts[0])).toordinal()
            out = day if FIRST_DAY <= day <= LAST_DAY else None
    except (KeyError, ValueError):
        out = None
    _DATE_CACHE[text] = out
    return out


class _Names:
    """Interns tag names of one kind to small ints."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.names: list[str] = []

    def id(self, name: str) -> int:
        i = self.ids.get(name)
        if i is None:
            i = self.ids[name] = len(self.names)
            self.names.append(name)
        return i


def _rel_characters(rel: str) -> list[str]:
    """The characters named in a relationship tag (``A/B``, ``A & B (Fandom)``)."""
    base, disamb = rel, ""
    if rel.endswith(")") and " (" in rel:
        base, _, tail = rel.rpartition(" (")
        disamb = " (" + tail
    if "/" not in base and "&" not in base:
        return []
    parts = [p.strip() for p in base.replace("&", "/").split("/")]
    out = []
    for p in parts:
        if p and len(p) < 80:
            out.append(p + disamb if disamb and not p.endswith(")") else p)
    return out


def _counts(values: Iterable[int], lo: int, hi: int) -> tuple[list[int], list[float]]:
    """Empirical distribution of the values in [lo, hi] (values outside are rejected, not clipped)."""
    c = Counter(v for v in values if lo <= v <= hi)
    keys = sorted(c)
    return keys, [float(c[k]) for k in keys]


def _build_tables(data: Path) -> dict[str, Any]:
    """Read every source once; return plain builtin tables (pickled as the cache)."""
    fandoms, rels, chars, ffs = _Names(), _Names(), _Names(), _Names()
    fandom_obs: defaultdict[int, float] = defaultdict(float)  # works per fandom (ships, blurbs, kpop, dump)
    fandom_dump: Counter[int] = Counter()  # 2021 dump: AO3 work counts of fandom tags
    fandom_tail: Counter[int] = Counter()  # scourgify: alias rows per fandom
    rel_by_f: defaultdict[int, array[int]] = defaultdict(lambda: array("i"))
    char_by_f: defaultdict[int, array[int]] = defaultdict(lambda: array("i"))
    ff_text_by_f: defaultdict[int, list[str]] = defaultdict(list)  # ships: raw comma-joined tag strings
    ff_count_by_f: defaultdict[int, Counter[str]] = defaultdict(Counter)  # blurbs: raw tag names
    day_by_f: defaultdict[int, array[int]] = defaultdict(lambda: array("i"))
    cofandoms: defaultdict[int, array[int]] = defaultdict(lambda: array("i"))
    rel_w: Counter[int] = Counter()
    char_w: Counter[int] = Counter()
    ff_canon: Counter[int] = Counter()  # 2015 canonical counts (+ 2021 dump freeform counts)
    n_rels: list[int] = []
    n_chars: list[int] = []
    n_ffs: list[int] = []
    n_fandoms: list[int] = []
    summary_len: list[int] = []
    title_len: list[int] = []
    rating_warn: Counter[tuple[str, tuple[str, ...]]] = Counter()
    stats = array("q")  # flat (words, kudos, hits, comments, bookmarks) rows
    authors: Counter[str] = Counter()  # works per (first) author, blurbs and kpop: the rank curve of pseuds
    kpop_authors: Counter[str] = Counter()
    info: dict[str, Any] = {}

    def warn_list(items: Iterable[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(w for w in (_tag(x.strip()) for x in items) if w))

    def add_rating(rating: str, warnings: tuple[str, ...]) -> None:
        if rating in RATINGS:
            rating_warn[(rating, warnings)] += 1

    # -- blurbs (Star Trek: DS9, 2022): the richest per-work source
    blurb_multi = 0
    blurb_rows = 0
    with (data / "ao3-blurbs-ds9-2022" / "ds9-blurbs.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            blurb_rows += 1
            fl = [fandoms.id(f) for f in (_tag(x) for x in r.get("fandoms") or []) if f]
            n_fandoms.append(len(fl))
            blurb_multi += len(fl) > 1
            rl = [rels.id(x) for x in (_tag(x) for x in r.get("relationships") or []) if x]
            cl = [chars.id(x) for x in (_tag(x) for x in r.get("characters") or []) if x]
            fl_ff = r.get("freeforms") or []
            n_rels.append(len(r.get("relationships") or []))
            n_chars.append(len(r.get("characters") or []))
            n_ffs.append(len(r.get("freeforms") or []))
            summary_len.append(len((r.get("summary") or "").split()))
            title_len.append(len((r.get("title") or "").split()))
            if r.get("authors"):
                authors[r["authors"][0]] += 1
            add_rating(r.get("rating") or "", warn_list(r.get("warnings") or []))
            day = _day(r.get("date") or "")
            if 0 < len(fl) <= 3:  # attribute the tags to the work's fandoms (not to 40-fandom crossovers)
                w = 1.0 / len(fl)
                for f in fl:
                    fandom_obs[f] += w
                    rel_by_f[f].extend(rl)
                    char_by_f[f].extend(cl)
                    ff_count_by_f[f].update(fl_ff)
                    if day is not None:
                        day_by_f[f].append(day)
                    cofandoms[f].extend(g for g in fl if g != f)
            for x in rl:
                rel_w[x] += 1
            for x in cl:
                char_w[x] += 1
            words = _int(r.get("words"))
            if words > 0:
                stats.extend((words, _int(r.get("kudos")), _int(r.get("hits")), _int(r.get("comments")),
                              _int(r.get("bookmarks"))))
    info["blurb_crossover_share"] = blurb_multi / max(blurb_rows, 1)

    # -- ships (the Pudding, 2022): fandom, first relationship, rating, warnings, freeforms, date
    warn_raw: dict[str, tuple[str, ...]] = {}
    for path in sorted((data / "ao3-ships-pudding-2022").glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as fh:
            rows = csv.reader(fh)
            head = {k: i for i, k in enumerate(next(rows, []))}
            cols = [head.get(k, -1) for k in ("fandom", "relationship", "tags", "rating", "warnings", "datetime")]
            if min(cols) < 0:
                continue
            fi, ri, ti, rai, wi, di = cols
            width = max(cols) + 1
            for row in rows:
                if len(row) < width:
                    continue
                fname = _tag(row[fi])
                if not fname:
                    continue
                f = fandoms.id(fname)
                fandom_obs[f] += 1
                rel = _tag(row[ri])
                if rel:
                    x = rels.id(rel)
                    rel_by_f[f].append(x)
                    rel_w[x] += 1
                if row[ti]:
                    ff_text_by_f[f].append(row[ti])
                    n_ffs.append(row[ti].count(",") + 1)
                else:
                    n_ffs.append(0)
                warns = warn_raw.get(row[wi])
                if warns is None:
                    warns = warn_raw[row[wi]] = warn_list(row[wi].split(","))
                add_rating(row[rai].strip(), warns)
                day = _day(row[di])
                if day is not None:
                    day_by_f[f].append(day)

    # freeforms seen per fandom (counted in C: a million occurrences), then interned once per distinct name
    for f, texts in ff_text_by_f.items():
        ff_count_by_f[f].update(",".join(texts).split(","))
    ff_by_f: dict[int, tuple[array[int], array[int]]] = {}
    ff_obs_counts: Counter[int] = Counter()
    raw_id: dict[str, int] = {}  # raw name -> freeform id, -1 when unusable
    get_raw = raw_id.get
    for f, counts in ff_count_by_f.items():
        merged: defaultdict[int, int] = defaultdict(int)
        for raw, c in counts.items():
            fid = get_raw(raw)
            if fid is None:
                clean = _tag(raw)
                fid = raw_id[raw] = ffs.id(clean) if clean else -1
            if fid >= 0:
                merged[fid] += c
        if merged:
            ff_by_f[f] = (array("i", merged.keys()), array("i", merged.values()))
            ff_obs_counts.update(merged)

    # -- KPop Demon Hunters (2025): ships (mixed canonical / non-canonical forms), stats, dates
    kpop = list(_read_csv(data / "ao3-metadata-kpop-2025" / "kpop_demon_hunters_metadata.csv"))
    suffixes: Counter[str] = Counter()
    for r in kpop:
        for s in (r.get("ships") or "").split("; "):
            if s.endswith(")") and " (" in s:
                suffixes[s.rpartition(" (")[2][:-1]] += 1
    kname = _tag(suffixes.most_common(1)[0][0]) if suffixes else None
    for r in kpop:
        ships = [s for s in (_tag(s) for s in (r.get("ships") or "").split("; ")) if s]
        n_rels.append(len(ships))
        if r.get("authors"):
            kpop_authors[r["authors"].split(",")[0]] += 1
        words = _int(r.get("words"))
        if words > 0:
            stats.extend((words, _int(r.get("kudos")), _int(r.get("hits")), _int(r.get("comments")),
                          _int(r.get("bookmarks"))))
        if kname is None:
            continue
        f = fandoms.id(kname)
        fandom_obs[f] += 1
        for s in ships:
            x = rels.id(s)
            rel_by_f[f].append(x)
            rel_w[x] += 1
        day = _day(r.get("date") or "")
        if day is not None:
            day_by_f[f].append(day)

    # -- change_df (jtrainrva, 2023): joint stats of 10.8k works (one row per work)
    seen: set[str] = set()
    crossovers = 0
    for r in _read_csv(data / "ao3-stats-jtrainrva-2023" / "change_df.csv"):
        if r["id"] in seen:
            continue
        seen.add(r["id"])
        crossovers += r.get("crossover") == "True"
        words = _int(r.get("words"))
        if words > 0:
            stats.extend((words, _int(r.get("kudos")), _int(r.get("hits")), _int(r.get("comments")),
                          _int(r.get("bookmarks"))))
    info["change_df_crossover_share"] = crossovers / max(len(seen), 1)

    # -- 2021 OTW dump: tag counts (first 2,000 tags) and the ratings / warnings / fandoms of 999 works.
    # Its works are filtered to > 5k words, so their word counts are not used (they would skew the length).
    dump_tags = {r["id"]: r for r in _read_csv(data / "ao3-dump-2021-sample" / "tags-20210226-first2000rows.csv")}
    for r in dump_tags.values():
        name, count = _tag(r["name"]), _int(r["cached_count"])
        if not name or count <= 0:
            continue
        if r["type"] == "Fandom":
            fandom_dump[fandoms.id(name)] += count
        elif r["type"] == "Freeform":
            ff_canon[ffs.id(name)] += count
    dump_char_counts = {r["name"]: _int(r["cached_count"]) for r in dump_tags.values() if r["type"] == "Character"}
    for r in _read_csv(data / "ao3-dump-2021-sample" / "works-20210226-sample999.csv"):
        tags = [dump_tags[t] for t in r["tags"].split("+") if t in dump_tags]
        rating = [t["name"] for t in tags if t["type"] == "Rating"]
        if rating:
            add_rating(rating[0], warn_list(t["name"] for t in tags if t["type"] == "ArchiveWarning"))
        for t in tags:
            if t["type"] == "Fandom" and _tag(t["name"]):
                fandom_obs[fandoms.id(t["name"])] += 1

    # -- 2015 canonical freeforms with their work counts
    with (data / "ao3-freeform-tags-2015" / "tags-2015-08.json").open(encoding="utf-8") as fh:
        for name, count in json.load(fh).items():
            clean = _tag(html.unescape(name))
            if clean and not clean.isdigit():
                ff_canon[ffs.id(clean)] += max(int(count), 1)

    # -- scourgify: real alias spellings (synonyms for wrangling) and a long tail of fandom names
    def aliases(paths: list[Path], ids: dict[str, int], rel_kind: str = "alias") -> dict[int, list[str]]:
        out: defaultdict[int, list[str]] = defaultdict(list)
        for p in paths:
            with p.open(newline="", encoding="utf-8") as fh:
                for master, name, rel in (row for row in csv.reader(fh) if len(row) == 3):
                    i = ids.get(master)
                    if i is None or rel != rel_kind:
                        continue
                    a = _tag(name)
                    if a and a != master:
                        out[i].append(a)
        return dict(out)

    sc = data / "ao3-taxonomy-scourgify"
    for r in _read_csv(sc / "universes.csv"):
        m = _tag(r["master"])
        if m:
            fandom_tail[fandoms.id(m)] += 1
    ff_alias = aliases([sc / "tags.csv", sc / "genres.csv"], ffs.ids)
    char_alias = aliases([sc / "characters.csv"], chars.ids)
    fandom_alias = aliases([sc / "universes.csv"], fandoms.ids)

    # -- characters of relationships, and relationship characters into the fandom pools
    rel_chars: list[list[int]] = [[chars.id(c) for c in _rel_characters(name)] for name in rels.names]
    for f, pool in rel_by_f.items():
        cp = char_by_f[f]
        for x in pool:
            cp.extend(rel_chars[x])
    for name, count in dump_char_counts.items():
        clean = _tag(name)
        if clean and count > 0:
            char_w[chars.id(clean)] += max(1, count // 1000)
    for cl in rel_chars:
        for c in cl:
            char_w[c] += 1

    # -- fandom weights: observed works + the dump's AO3 counts + the scourgify tail, mixed by share
    nf = len(fandoms.names)
    obs_total = sum(fandom_obs.values()) or 1.0
    dump_total = sum(fandom_dump.values()) or 1
    tail_total = sum(fandom_tail.values()) or 1
    obs_share = 1.0 - DUMP_FANDOM_SHARE - TAIL_FANDOM_SHARE
    fandom_w = [
        obs_share * fandom_obs.get(i, 0.0) / obs_total
        + DUMP_FANDOM_SHARE * fandom_dump[i] / dump_total
        + TAIL_FANDOM_SHARE * fandom_tail[i] / tail_total
        for i in range(nf)
    ]
    all_days = array("i")
    for days in day_by_f.values():
        all_days.extend(days)
    rw = sorted(rating_warn.items())
    info["sources"] = {"blurbs": blurb_rows, "kpop": len(kpop), "change_df": len(seen), "stats_rows": len(stats) // 5}
    return {
        "fandoms": fandoms.names,
        "fandom_w": fandom_w,
        "fandom_alias": fandom_alias,
        "cofandoms": {f: a for f, a in cofandoms.items() if a},
        "rels": rels.names,
        "rel_w": [float(rel_w[i]) for i in range(len(rels.names))],
        "rel_by_f": {f: a for f, a in rel_by_f.items() if a},
        "rel_chars": [tuple(c) for c in rel_chars],
        "chars": chars.names,
        "char_w": [float(char_w[i]) for i in range(len(chars.names))],
        "char_by_f": {f: a for f, a in char_by_f.items() if a},
        "char_alias": char_alias,
        "ffs": ffs.names,
        "ff_canon": sorted(ff_canon.items()),
        "ff_obs": (array("i", ff_obs_counts.keys()), array("i", ff_obs_counts.values())),
        "ff_by_f": ff_by_f,
        "ff_alias": ff_alias,
        "day_by_f": {f: a for f, a in day_by_f.items() if len(a) >= 20},
        "days": all_days,
        "n_rels": _counts(n_rels, 0, MAX_RELS),
        "n_chars": _counts(n_chars, 0, MAX_CHARS),
        "n_ffs": _counts(n_ffs, 0, MAX_FREEFORMS),
        "n_fandoms": _counts(n_fandoms, 2, 3),
        "summary_len": _counts(summary_len, 0, MAX_SUMMARY_WORDS),
        "title_len": _counts(title_len, 1, MAX_TITLE_WORDS),
        "rating_warn": [k for k, _ in rw],
        "rating_warn_w": [float(v) for _, v in rw],
        "stats": stats,
        "author_curve": sorted(list(authors.values()) + list(kpop_authors.values()), reverse=True),
        "info": info,
    }


# --------------------------------------------------------------------------------------------------------
# The distributions


def _cum(weights: list[float]) -> tuple[list[float], float]:
    cum = list(accumulate(weights))
    return cum, (cum[-1] if cum else 0.0)


def _weighted(ids: Iterable[int], counts: Iterable[int]) -> tuple[list[int], list[float], float]:
    """Ids with cumulative weights, for ``ids[bisect(cum, random() * total)]``."""
    cum = list(accumulate(float(c) for c in counts))
    return list(ids), cum, (cum[-1] if cum else 0.0)


def _salad(rng: random.Random, n_words: int) -> tuple[str, array[int], array[int]]:
    """A long run of our own word salad, the offset of each word in it, and the words that start a sentence
    early enough that :data:`MAX_SUMMARY_WORDS` more words follow."""
    words: list[str] = []
    starts = array("i")
    while len(words) < n_words + MAX_SUMMARY_WORDS:
        if len(words) < n_words:
            starts.append(len(words))
        kind = rng.random()
        if kind < 0.4:
            adj = rng.choice(ADJECTIVES)
            art = "the" if rng.random() < 0.5 else ("an" if adj[0] in "aeiou" else "a")
            s = [art, adj, rng.choice(NOUNS), rng.choice(VERBS), rng.choice(PREPOSITIONS), "the", rng.choice(NOUNS)]
        elif kind < 0.7:
            s = [rng.choice(NOUNS), rng.choice(VERBS), rng.choice(ADVERBS), "and", "the", rng.choice(NOUNS),
                 rng.choice(VERBS), rng.choice(PREPOSITIONS), "the", rng.choice(ADJECTIVES), rng.choice(NOUNS)]
        else:
            s = ["the", rng.choice(NOUNS), rng.choice(VERBS), rng.choice(PREPOSITIONS), "the",
                 rng.choice(ADJECTIVES), rng.choice(NOUNS) + ",", "and", rng.choice(ADVERBS), rng.choice(VERBS)]
        s[0] = s[0].capitalize()
        s[-1] += "."
        words.extend(s)
    text = " ".join(words) + " "
    offs = array("i", [0])
    pos = 0
    for w in words:
        pos += len(w) + 1
        offs.append(pos)
    return text, offs, starts


def _pseuds(rng: random.Random, n: int) -> list[str]:
    """``n`` distinct generated pseuds (in random order: rank 0 is the most prolific)."""
    out: dict[str, None] = {}
    while len(out) < n:
        a, b = rng.choice(ADJECTIVES), rng.choice(NOUNS)
        style = rng.random()
        if style < 0.3:
            name = a + b
        elif style < 0.5:
            name = f"{a}_{b}"
        elif style < 0.7:
            name = f"{b}{rng.randrange(1, 1000)}"
        elif style < 0.85:
            name = f"{a.capitalize()}{b.capitalize()}"
        else:
            name = f"{b}_of_{rng.choice(NOUNS)}s"
        out[name] = None
    return list(out)


class Distributions:
    """Everything the generator samples from, loaded once (see :func:`load_distributions`)."""

    def __init__(self, tables: dict[str, Any], load_seconds: float = 0.0, cached: bool = False) -> None:
        t = tables
        self.tables = t
        self.load_seconds = load_seconds
        self.cached = cached
        self.info: dict[str, Any] = t["info"]
        self.fandoms: list[str] = t["fandoms"]
        self.fandom_cum, self.fandom_total = _cum(t["fandom_w"])
        self.fandom_alias: dict[int, list[str]] = t["fandom_alias"]
        self.cofandoms: dict[int, array[int]] = t["cofandoms"]
        self.rels: list[str] = t["rels"]
        self.rel_cum, self.rel_total = _cum(t["rel_w"])
        self.rel_by_f: dict[int, array[int]] = t["rel_by_f"]
        self.rel_chars: list[tuple[int, ...]] = t["rel_chars"]
        self.chars: list[str] = t["chars"]
        self.char_cum, self.char_total = _cum(t["char_w"])
        self.char_by_f: dict[int, array[int]] = t["char_by_f"]
        self.char_alias: dict[int, list[str]] = t["char_alias"]
        self.ffs: list[str] = t["ffs"]
        self.ff_canon_ids = [i for i, _ in t["ff_canon"]]
        self.ff_canon_cum, self.ff_canon_total = _cum([float(w) for _, w in t["ff_canon"]])
        self.ff_obs = _weighted(*t["ff_obs"])
        self.ff_by_f = {f: _weighted(ids, counts) for f, (ids, counts) in t["ff_by_f"].items()}
        self.ff_alias: dict[int, list[str]] = t["ff_alias"]
        self.day_by_f: dict[int, array[int]] = t["day_by_f"]
        self.days: array[int] = t["days"]
        self.n_rels = (t["n_rels"][0], _cum(t["n_rels"][1])[0])
        self.n_chars = (t["n_chars"][0], _cum(t["n_chars"][1])[0])
        self.n_ffs = (t["n_ffs"][0], _cum(t["n_ffs"][1])[0])
        self.n_fandoms = (t["n_fandoms"][0], _cum(t["n_fandoms"][1])[0])
        self.summary_len = (t["summary_len"][0], _cum(t["summary_len"][1])[0])
        self.title_len = (t["title_len"][0], _cum(t["title_len"][1])[0])
        self.rating_warn: list[tuple[str, tuple[str, ...]]] = t["rating_warn"]
        self.rating_warn_cum = _cum(t["rating_warn_w"])[0]
        self.stats: array[int] = t["stats"]
        # our own text: fixed seeds, so every run writes the same words
        self.salad, self.salad_offs, self.sentence_starts = _salad(random.Random(0x5A1AD), 120_000)
        self.pseuds = _pseuds(random.Random(0x9E5D), N_PSEUDS)
        # works per pseud: the real rank curve of works per author (Zipf-like), stretched to N_PSEUDS ranks
        curve: list[int] = t["author_curve"] or [1]
        self.pseud_cum = list(accumulate(float(curve[k * len(curve) // N_PSEUDS]) for k in range(N_PSEUDS)))
        self.title_words = [w.capitalize() for w in NOUNS + ADJECTIVES]
        self.dates = {d: dt.date.fromordinal(d).isoformat() for d in range(FIRST_DAY, LAST_DAY + 1)}

    def summary(self) -> str:
        src = self.info.get("sources", {})
        return (
            f"fandoms {len(self.fandoms):,} | characters {len(self.chars):,} | relationships {len(self.rels):,} "
            f"| freeforms {len(self.ffs):,} (2015 canonical {len(self.ff_canon_ids):,}) | stats rows "
            f"{src.get('stats_rows', 0):,} | loaded in {self.load_seconds:.2f}s"
            f" ({'cache' if self.cached else 'cold'})"
        )

    # -- posts -------------------------------------------------------------------------------------------

    def stream(self, seed: int) -> Iterator[BenchPost]:
        """An endless, deterministic stream of posts for ``seed`` (the hot loop: everything is a local)."""
        rng = random.Random(seed)
        rand = rng.random
        fandom_names, fandom_cum, fandom_total = self.fandoms, self.fandom_cum, self.fandom_total
        fandom_alias, cofandoms = self.fandom_alias, self.cofandoms
        rel_names, rel_cum, rel_total, rel_by_f, rel_chars = (self.rels, self.rel_cum, self.rel_total,
                                                             self.rel_by_f, self.rel_chars)
        char_names, char_cum, char_total, char_by_f, char_alias = (self.chars, self.char_cum, self.char_total,
                                                                   self.char_by_f, self.char_alias)
        ff_names, ff_by_f, ff_alias = self.ffs, self.ff_by_f, self.ff_alias
        ff_obs_ids, ff_obs_cum, ff_obs_total = self.ff_obs
        ff_canon_ids, ff_canon_cum, ff_canon_total = self.ff_canon_ids, self.ff_canon_cum, self.ff_canon_total
        rating_warn, rw_cum = self.rating_warn, self.rating_warn_cum
        rw_total = rw_cum[-1]
        stats, n_stats = self.stats, len(self.stats) // 5
        day_by_f, all_days, dates = self.day_by_f, self.days, self.dates
        (fn_vals, fn_cum), (nr_vals, nr_cum), (nc_vals, nc_cum), (nf_vals, nf_cum), (ns_vals, ns_cum), (
            nt_vals, nt_cum) = (self.n_fandoms, self.n_rels, self.n_chars, self.n_ffs, self.summary_len,
                                self.title_len)
        fn_t, nr_t, nc_t, nf_t, ns_t, nt_t = fn_cum[-1], nr_cum[-1], nc_cum[-1], nf_cum[-1], ns_cum[-1], nt_cum[-1]
        title_words, n_title_words = self.title_words, len(self.title_words)
        pseuds, pseud_cum = self.pseuds, self.pseud_cum
        pseud_total = pseud_cum[-1]
        salad, offs, starts = self.salad, self.salad_offs, self.sentence_starts
        n_starts = len(starts)

        def words(n: int) -> str:
            i = starts[int(rand() * n_starts)]
            text = salad[offs[i]:offs[i + n] - 1]
            return text if text[-1] == "." else text.rstrip(",") + "."

        index = 0
        while True:
            # fandoms (Zipf-like head; a few crossovers, partners from co-tagged fandoms when known)
            f0 = bisect(fandom_cum, rand() * fandom_total)
            fids = [f0]
            if rand() < CROSSOVER_RATE:
                want = fn_vals[bisect(fn_cum, rand() * fn_t)]
                co = cofandoms.get(f0)
                for _ in range(8):
                    if co and rand() < 0.5:
                        g = co[int(rand() * len(co))]
                    else:
                        g = bisect(fandom_cum, rand() * fandom_total)
                    if g not in fids:
                        fids.append(g)
                        if len(fids) >= want:
                            break
            nfids = len(fids)
            fandoms = []
            for f in fids:
                al = fandom_alias.get(f)
                fandoms.append(al[int(rand() * len(al))] if al and rand() < FANDOM_ALIAS else fandom_names[f])
            # relationships: seen with the work's fandoms where known
            rids: list[int] = []
            for _ in range(nr_vals[bisect(nr_cum, rand() * nr_t)]):
                pool = rel_by_f.get(fids[int(rand() * nfids)] if nfids > 1 else f0)
                x = pool[int(rand() * len(pool))] if pool else bisect(rel_cum, rand() * rel_total)
                if x not in rids:
                    rids.append(x)
            relationships = [rel_names[x] for x in rids]
            # characters: those of the relationships, then more from the fandoms' pools
            nc = nc_vals[bisect(nc_cum, rand() * nc_t)]
            cids: list[int] = []
            for x in rids:
                for c in rel_chars[x]:
                    if c not in cids:
                        cids.append(c)
            tries = 2 * nc
            while len(cids) < nc and tries:
                tries -= 1
                pool = char_by_f.get(fids[int(rand() * nfids)] if nfids > 1 else f0)
                c = pool[int(rand() * len(pool))] if pool else bisect(char_cum, rand() * char_total)
                if c not in cids:
                    cids.append(c)
            characters = []
            for c in cids:
                al = char_alias.get(c)
                characters.append(al[int(rand() * len(al))] if al and rand() < CHAR_ALIAS else char_names[c])
            # freeforms: the fandom's own tags, anyone's tags, and the 2015 canonical list by work count
            fset: dict[str, None] = {}
            fpool = ff_by_f.get(f0) if ff_by_f else None
            for _ in range(nf_vals[bisect(nf_cum, rand() * nf_t)]):
                r = rand()
                if r < FF_FANDOM and fpool:
                    x = fpool[0][bisect(fpool[1], rand() * fpool[2])]
                elif r < FF_FANDOM + FF_OBSERVED:
                    x = ff_obs_ids[bisect(ff_obs_cum, rand() * ff_obs_total)]
                else:
                    x = ff_canon_ids[bisect(ff_canon_cum, rand() * ff_canon_total)]
                al = ff_alias.get(x)
                fset[al[int(rand() * len(al))] if al and rand() < FF_ALIAS else ff_names[x]] = None
            freeforms = list(fset)
            rating, warnings = rating_warn[bisect(rw_cum, rand() * rw_total)]
            j = 5 * int(rand() * n_stats)
            nwords, kudos, hits, comments, bookmarks = stats[j:j + 5]
            days = day_by_f.get(f0) or all_days
            date = dates[days[int(rand() * len(days))]]
            # our own words: title, pseud, summary, body
            nt = nt_vals[bisect(nt_cum, rand() * nt_t)]
            tw = [title_words[int(rand() * n_title_words)] for _ in range(nt)]
            if nt >= 3 and rand() < 0.5:
                tw[1] = TITLE_GLUE[int(rand() * len(TITLE_GLUE))]
            title = " ".join(tw)
            author = pseuds[bisect(pseud_cum, rand() * pseud_total)]
            ns = ns_vals[bisect(ns_cum, rand() * ns_t)]
            summary = words(ns) if ns else ""
            paras = 2 + int(rand() * 4)
            total = 60 + int(rand() * 191)  # body words, 60-250
            per = total // paras
            body = "\n\n".join([words(per) for _ in range(paras - 1)] + [words(total - per * (paras - 1))])

            head = [f"Title: {title}", f"Author: {author}", "Fandom: " + ", ".join(fandoms), f"Rating: {rating}"]
            if warnings:
                head.append("Warnings: " + ", ".join(warnings))
            if relationships:
                head.append("Pairing: " + ", ".join(relationships))
            if characters:
                head.append("Characters: " + ", ".join(characters))
            if freeforms:
                head.append("Tags: " + ", ".join(freeforms))
            head.append(f"Word count: {nwords}")
            head.append(f"Date: {date}")
            if summary:
                head.append(f"Summary: {summary}")
            yield BenchPost(
                f"bench/{index:07d}.txt",
                "\n".join(head) + "\n\n" + body + "\n",
                {"kudos": kudos, "hits": hits, "comments": comments, "bookmarks": bookmarks},
                {"title": title, "author": author, "fandoms": fandoms, "rating": rating, "warnings": list(warnings),
                 "relationships": relationships, "characters": characters, "freeforms": freeforms,
                 "words": nwords, "date": date, "summary": summary},
            )
            index += 1


# --------------------------------------------------------------------------------------------------------
# Public API


def _cache_path(data: Path) -> Path:
    h = hashlib.sha256(f"v{CACHE_VERSION}|{data.resolve()}".encode())
    for p in _data_files(data):
        st = p.stat()
        h.update(f"|{p.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return CACHE_DIR / f"dist-{h.hexdigest()[:20]}.pickle"


def load_distributions(shared: Path = DEFAULT_SHARED) -> Distributions:
    """Read ``shared/data`` (or ``shared`` itself when it is the data folder) into :class:`Distributions`.

    The parsed tables are cached as a pickle under /tmp/fanshelf-bench-cache, keyed by the data files'
    sizes and mtimes, so a second call (in any process) takes well under a second.
    """
    start = time.perf_counter()
    data = _data_dir(shared)
    if not (data / "ao3-ships-pudding-2022").is_dir():
        raise FileNotFoundError(f"{data} does not hold the shared AO3 data (ao3-ships-pudding-2022/ missing)")
    cache = _cache_path(data)
    tables: dict[str, Any] | None = None
    if cache.exists():
        try:
            with cache.open("rb") as fh:
                tables = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            tables = None
    cached = tables is not None
    if tables is None:
        tables = _build_tables(data)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        try:
            CACHE_DIR.mkdir(parents=True, exist_ok=True)
            with tmp.open("wb") as fh:
                pickle.dump(tables, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, cache)
        except OSError as exc:  # no cache: every load is a cold one, but it still works
            print(f"corpus: cannot write the cache {cache}: {exc}", file=sys.stderr)
            tmp.unlink(missing_ok=True)
    dist = Distributions(tables, cached=cached)
    dist.load_seconds = time.perf_counter() - start
    return dist


def generate(n: int, seed: int = 0, dist: Distributions | None = None,
             shared: Path = DEFAULT_SHARED) -> Iterator[BenchPost]:
    """``n`` posts, the same for the same ``(n, seed)`` (the first k of n are those of ``generate(k, seed)``).

    The distributions are loaded (from the cache when there is one) when this is called, not when the first
    post is taken.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    d = dist if dist is not None else load_distributions(shared)
    return islice(d.stream(seed), n)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5, help="posts to print")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--rate", type=int, default=0, metavar="N", help="also time generating N posts")
    args = ap.parse_args(argv)
    dist = load_distributions(args.shared)
    for post in generate(args.n, args.seed, dist):
        print(f"===== {post.name}  {post.stats}")
        print(post.text)
    print(dist.summary())
    if args.rate:
        start = time.perf_counter()
        for _ in generate(args.rate, args.seed, dist):
            pass
        elapsed = time.perf_counter() - start
        print(f"generated {args.rate:,} posts in {elapsed:.2f}s: {args.rate / elapsed:,.0f} posts/s", file=sys.stderr)


if __name__ == "__main__":
    main()
