#!/usr/bin/env python3
"""Build ``src/fanshelf/data/taxonomy.json.gz`` from the third-party tables in ``../shared/data``.

Usage: ``python scripts/build_taxonomy.py [DATA_DIR] [--out PATH]`` (DATA_DIR defaults to
``../shared/data`` relative to the repository root). Only the standard library is needed, plus PyYAML
when it is installed (for the ao3backup front matter; a tiny fallback parser is used otherwise).
The lookup keys are computed with ``fanshelf.taxonomy.normalize``/``loose`` so build and runtime agree.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from fanshelf.taxonomy import (  # noqa: E402
    _COMMON_WORDS,
    Taxonomy,
    loose,
    normalize,
    split_relationship,
    strip_suffix,
)

OUT = ROOT / "src" / "fanshelf" / "data" / "taxonomy.json.gz"
SOURCES = ROOT / "src" / "fanshelf" / "data" / "TAXONOMY-SOURCES.txt"
CURATED = ROOT / "scripts" / "taxonomy_curated.json"

CURATED_WEIGHT = 100  # usage count credited to a curated (fandom, character) pair
MIN_BLURB = 3  # a DS9-blurb character must appear in this many single-fandom works
UMBRELLA_MEDIA = 5  # a scourgify fandom group with this many media is an umbrella, not one canon
MIN_SHIP = 2  # a relationship member must appear in this many ship rows
MIN_KPOP_SHIP = 5


def read_csv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def front_matter(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8", errors="replace")
    if not text.startswith("---"):
        return {}
    end = text.find("\n---", 3)
    if end < 0:
        return {}
    head = text[3:end]
    try:
        import yaml

        data = yaml.safe_load(head)
        return data if isinstance(data, dict) else {}
    except ImportError:  # pragma: no cover - fallback for a bare interpreter
        return _tiny_yaml(head)


def _tiny_yaml(head: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    key = ""
    for line in head.splitlines():
        if line.startswith("- ") and key:
            cur = out.setdefault(key, [])
            if isinstance(cur, list):
                cur.append(line[2:].strip().strip("'\""))
        elif re.match(r"^[A-Za-z_]+:", line):
            key, _, val = line.partition(":")
            out[key] = val.strip().strip("'\"") if val.strip() and val.strip() != "[]" else []
    return out


def as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value if v]
    if isinstance(value, str) and value:
        return [value]
    return []


def prose_common_words(folder: Path) -> Counter[str]:
    """Lower-case word frequencies of the ao3backup bodies (used only to flag common-word fandom names)."""
    counts: Counter[str] = Counter()
    for md in sorted(folder.glob("*.md")):
        text = md.read_text(encoding="utf-8", errors="replace")
        body = text.split("\n---", 1)[-1]
        counts.update(w for w in re.findall(r"\b[a-z][a-z']+\b", body))
    return counts


class Builder:
    def __init__(self, data: Path) -> None:
        self.data = data
        self.curated: dict[str, Any] = json.loads(CURATED.read_text(encoding="utf-8"))
        self.fandoms: list[str] = []
        self.fid: dict[str, int] = {}
        self.fcount: Counter[int] = Counter()
        self.fkeys: dict[str, int] = {}
        self.fmeta: set[tuple[int, int]] = set()
        self.fmeta_ao3: set[tuple[int, int]] = set()
        self.chars: list[str] = []
        self.cid: dict[str, int] = {}
        self.ckeys: dict[str, set[int]] = defaultdict(set)
        self.cbase: dict[str, set[int]] = defaultdict(set)
        self.cshort: set[tuple[str, int]] = set()
        self.memb: Counter[tuple[int, int]] = Counter()
        self.rels: Counter[str] = Counter()
        self.warnings: list[str] = []

    # -- helpers
    def add_fandom(self, name: str) -> int:
        if name not in self.fid:
            self.fid[name] = len(self.fandoms)
            self.fandoms.append(name)
        return self.fid[name]

    def add_char(self, name: str) -> int:
        if name not in self.cid:
            self.cid[name] = len(self.chars)
            self.chars.append(name)
            self.ckeys[normalize(name)].add(self.cid[name])
            self.cbase[normalize(strip_suffix(name))].add(self.cid[name])
        return self.cid[name]

    def find_fandom(self, name: str) -> int | None:
        if name in self.fid:
            return self.fid[name]
        return self.fkeys.get(loose(name))

    def find_char(self, name: str, create: bool = False) -> int | None:
        if name in self.cid:
            return self.cid[name]
        key = normalize(name)
        ids = self.ckeys.get(key)
        if ids and len(ids) == 1:
            return next(iter(ids))
        base = self.cbase.get(normalize(strip_suffix(name)))
        if not ids and base and len(base) == 1:
            return next(iter(base))
        if create and not ids and (" " in name.strip() or "(" in name):
            return self.add_char(name)
        return None

    # -- fandoms
    def build_fandoms(self, observed: Counter[str]) -> None:
        rows = list(read_csv(self.data / "ao3-taxonomy-scourgify" / "universes.csv"))
        rows = [r for r in rows if r.get("rel") in {"alias", "media", "related"}]
        masters = sorted({r["master"] for r in rows})
        media: dict[str, list[str]] = defaultdict(list)
        for r in rows:
            if r["rel"] == "media":
                media[r["master"]].append(r["name"])
        curated_canon = {f["canonical"] for f in self.curated["fandoms"]}
        rename: dict[str, str] = {}
        for m in masters:
            seen = [n for n in media.get(m, []) if observed[n] > 0]
            # the AO3 canonical really used on works beats scourgify's grouping name, unless the group is an
            # umbrella of many media (DC Comics: Superboy, Man of Steel, Green Arrow...), none of them its name
            if seen and len(media[m]) < UMBRELLA_MEDIA:
                rename[m] = max(seen, key=lambda n: observed[n])
            for n in media.get(m, []):
                if n in curated_canon:
                    rename[m] = n
        canon = {m: rename.get(m, m) for m in masters}
        for m in masters:
            self.add_fandom(canon[m])
        related = [r for r in rows if r["rel"] == "related"]
        for r in related:
            child = self.add_fandom(r["name"])
            parent = self.fid[canon[r["master"]]]
            if child != parent:
                self.fmeta.add((child, parent))
        for m in masters:  # an umbrella's media are canonicals of their own, under the umbrella
            if len(media[m]) >= UMBRELLA_MEDIA:
                for n in media[m]:
                    child = self.add_fandom(n)
                    self.fkeys[loose(n)] = child
                    self.fmeta.add((child, self.fid[canon[m]]))
        # keys: aliases first, then canonical names (win), then curated (win over all)
        for r in rows:
            if r["rel"] in {"alias", "media"}:
                self.fkeys.setdefault(loose(r["name"]), self.fid[canon[r["master"]]])
        for m, c in canon.items():
            if c != m:
                self.fkeys[loose(m)] = self.fid[c]
        for name, i in self.fid.items():
            hijacked = loose(name) in self.fkeys and self.fandoms[self.fkeys[loose(name)]] != name
            if (hijacked and (name in canon.values() or name not in canon)) or loose(name) not in self.fkeys:
                self.fkeys[loose(name)] = i
        for name in sorted(observed):  # observed AO3 names that are aliases stay aliases
            if loose(name) not in self.fkeys:
                self.fkeys[loose(name)] = self.add_fandom(name)
            self.fcount[self.fkeys[loose(name)]] += observed[name]
        for f in self.curated["fandoms"]:
            i = self.add_fandom(f["canonical"])
            known = f["canonical"] in masters or f["canonical"] in {r["name"] for r in related}
            if not known and f["canonical"] not in rename.values():
                self.warnings.append(f"curated fandom {f['canonical']!r} is not in universes.csv")
            for alias in [f["canonical"], *f.get("aliases", []), *f.get("abbreviations", [])]:
                self.fkeys[loose(alias)] = i
            for meta in f.get("metatags", []):
                mid = self.find_fandom(meta)
                if mid is None:
                    self.warnings.append(f"unknown metatag {meta!r}")
                elif mid != i:
                    self.fmeta.add((i, mid))
        self.rename = rename

    def metatags_df(self) -> None:
        """AO3's own (tag, metatag) pairs; they win over scourgify's "related" guesses, which sometimes
        point the other way (Doctor Who & Related Fandoms is the metatag of Doctor Who, not its sub tag)."""
        for r in read_csv(self.data / "ao3-stats-jtrainrva-2023" / "metatags_df.csv"):
            a, b = self.fid.get(r["Tag Name"]), self.fid.get(r["Metatag Name"])
            if a is not None and b is not None and a != b:
                self.fmeta.add((a, b))
                self.fmeta.discard((b, a))
                self.fmeta_ao3.add((a, b))

    def break_meta_cycles(self) -> None:
        """A metatag graph must have no cycle: drop the edges that close one (AO3's own pairs last)."""
        children: dict[int, list[int]] = defaultdict(list)
        for a, b in sorted(self.fmeta, key=lambda e: (e in self.fmeta_ao3, e)):
            children[a].append(b)
        state: dict[int, int] = {}  # 1: on the path, 2: done
        for root in sorted(children):
            if state.get(root):
                continue
            stack = [(root, iter(children[root]))]
            state[root] = 1
            while stack:
                node, it = stack[-1]
                nxt = next(it, None)
                if nxt is None:
                    state[node] = 2
                    stack.pop()
                elif state.get(nxt) == 1:
                    self.fmeta.discard((node, nxt))
                    self.warnings.append(f"metatag cycle broken: {self.fandoms[node]!r} -> {self.fandoms[nxt]!r}")
                elif not state.get(nxt):
                    state[nxt] = 1
                    stack.append((nxt, iter(children.get(nxt, ()))))

    # -- characters
    def build_characters(self) -> None:
        replace: dict[str, str] = self.curated.get("replace_characters", {})
        rows = list(read_csv(self.data / "ao3-taxonomy-scourgify" / "characters.csv"))
        for r in rows:
            if r.get("rel") != "alias":
                continue
            master = replace.get(r["master"], r["master"])
            cid = self.add_char(master)
            self.ckeys[normalize(r["name"])].add(cid)
        for old, new in replace.items():
            self.ckeys[normalize(old)] = {self.add_char(new)}
        for f in self.curated["fandoms"]:
            fid = self.fid[f["canonical"]]
            for pos, (name, shorts) in enumerate(f.get("characters", {}).items()):
                if name not in self.cid and normalize(name) not in self.ckeys:
                    self.warnings.append(f"curated character {name!r} is not in characters.csv")
                cid = self.add_char(name)
                self.memb[(cid, fid)] += CURATED_WEIGHT - 2 * min(pos, 20)
                for s in shorts:
                    self.cshort.add((normalize(s), cid))
        # "Name (Fandom)" suffix
        for name, cid in list(self.cid.items()):
            m = re.search(r"\(([^()]+)\)\s*$", name)
            if m:
                sfid = self.find_fandom(m.group(1))
                if sfid is not None:
                    self.memb[(cid, sfid)] += 1

    def count_members(self, pairs: Iterable[tuple[str, str]], minimum: int, create: bool) -> None:
        seen: Counter[tuple[str, str]] = Counter(pairs)
        for (fandom, char), n in seen.items():
            if n < minimum:
                continue
            fid = self.find_fandom(fandom)
            if fid is None:
                continue
            cid = self.find_char(char, create=create)
            if cid is not None:
                self.memb[(cid, fid)] += n

    def works(self) -> Counter[str]:
        """Read every works source once: observed fandoms, memberships, relationships."""
        observed: Counter[str] = Counter()
        self._blurb_pairs: list[tuple[str, str]] = []
        self._parrot_pairs: list[tuple[str, str]] = []
        self._ship_pairs: list[tuple[str, str]] = []
        for line in (self.data / "ao3-blurbs-ds9-2022" / "ds9-blurbs.jsonl").open(encoding="utf-8"):
            w = json.loads(line)
            fans = as_list(w.get("fandoms"))
            observed.update(fans)
            self.rels.update(r for r in as_list(w.get("relationships")) if split_relationship(r)[0])
            if len(fans) == 1:
                self._blurb_pairs += [(fans[0], c) for c in as_list(w.get("characters"))]
        for md in sorted((self.data / "fic-text" / "thedeadparrot-ao3backup").glob("*.md")):
            fm = front_matter(md)
            fans = as_list(fm.get("fandom"))
            observed.update(fans)
            rels = [r for r in as_list(fm.get("relationship")) if split_relationship(r)[0]]
            self.rels.update(rels)
            if len(fans) == 1:
                self._parrot_pairs += [(fans[0], c) for c in as_list(fm.get("characters"))]
                for r in rels:
                    self._parrot_pairs += [(fans[0], c) for c in split_relationship(r)[1]]
        for path in sorted((self.data / "ao3-ships-pudding-2022").glob("*.csv")):
            for row in read_csv(path):
                fandom, rel = row.get("fandom", ""), row.get("relationship", "")
                if not fandom or not rel:
                    continue
                observed[fandom] += 1
                kind, members = split_relationship(rel)
                if kind:
                    self.rels[rel] += 1
                    self._ship_pairs += [(fandom, c) for c in members]
        kpop: Counter[str] = Counter()
        for row in read_csv(self.data / "ao3-metadata-kpop-2025" / "kpop_demon_hunters_metadata.csv"):
            kpop.update(s.strip() for s in row.get("ships", "").split(";") if s.strip())
        for rel, n in kpop.items():
            if n >= MIN_KPOP_SHIP and rel.endswith("(KPop Demon Hunters)") and split_relationship(rel)[0]:
                self.rels[rel] += n
        return observed

    def memberships(self) -> None:
        self.count_members(self._blurb_pairs, MIN_BLURB, create=True)
        self.count_members(self._parrot_pairs, 1, create=True)
        self.count_members(self._ship_pairs, MIN_SHIP, create=False)

    def curated_rels(self) -> None:
        for f in self.curated["fandoms"]:
            for rel in f.get("relationships", []):
                if rel not in self.rels:
                    self.warnings.append(f"curated relationship {rel!r} not seen in the works data")
                self.rels[rel] += 10_000

    # -- freeforms
    def freeforms(self) -> tuple[list[str], list[str], list[int]]:
        canon: dict[str, int] = {}
        order: list[str] = []

        def cid(name: str) -> int:
            if name not in canon:
                canon[name] = len(order)
                order.append(name)
            return canon[name]

        keys: list[str] = []
        ids: list[int] = []
        for name, aliases in self.curated.get("freeforms", {}).items():
            i = cid(name)
            for a in aliases:
                keys.append(normalize(a))
                ids.append(i)
        for fname in ("genres.csv", "tags.csv"):
            for r in read_csv(self.data / "ao3-taxonomy-scourgify" / fname):
                if r.get("rel") != "alias":
                    continue
                keys.append(normalize(r["name"]))
                ids.append(cid(r["master"]))
        tags2015 = json.loads(
            (self.data / "ao3-freeform-tags-2015" / "tags-2015-08.json").read_text(encoding="utf-8")
        )
        for name in sorted(tags2015, key=lambda t: -int(tags2015[t])):
            if int(tags2015[name]) >= 5:
                cid(name)
        # canonical names first (they win), then aliases; duplicates dropped (first wins)
        keys = [normalize(c) for c in order] + keys
        ids = list(range(len(order))) + ids
        seen: set[str] = set()
        out_k: list[str] = []
        out_i: list[int] = []
        for k, i in zip(keys, ids, strict=True):
            if k and k not in seen and "\t" not in k:
                seen.add(k)
                out_k.append(k)
                out_i.append(i)
        return order, out_k, out_i

    # -- output
    def pack(self, common_words: Counter[str]) -> dict[str, Any]:
        meta_flat = [x for pair in sorted(self.fmeta) for x in pair]
        curated_text: list[tuple[str, int]] = []
        abbrevs: dict[str, int] = {}
        for f in self.curated["fandoms"]:
            i = self.fid[f["canonical"]]
            for a in f.get("abbreviations", []):
                abbrevs[a] = i
            for a in f.get("aliases", []):
                if len(loose(a).replace(" ", "")) >= 5 and ":" not in a.split()[0]:
                    curated_text.append((a, i))
        text_pairs = [(n, i) for i, n in enumerate(self.fandoms)] + curated_text
        text_pairs = [(n, i) for n, i in text_pairs if len(loose(n).replace(" ", "")) >= 5 and "\t" not in n]

        def is_common(name: str) -> bool:
            toks = re.findall(r"[^\W_]+", name.casefold())
            return bool(toks) and all(t in _COMMON_WORDS or common_words[t] >= 3 for t in toks)

        common = sorted({i for n, i in text_pairs if is_common(n)})
        ck_keys: list[str] = []
        ck_ids: list[int] = []
        for key, ids in sorted(self.ckeys.items()):
            for cid in sorted(ids):
                if "\t" not in key and key:
                    ck_keys.append(key)
                    ck_ids.append(cid)
        memb_flat: list[int] = []
        for (cid, fid), n in sorted(self.memb.items()):
            memb_flat += [cid, fid, n]
        rels = [r for r, _ in sorted(self.rels.items(), key=lambda kv: (-kv[1], kv[0])) if "\t" not in r]
        ff, ff_keys, ff_ids = self.freeforms()
        for i, name in enumerate(self.fandoms):
            self.fkeys.setdefault(loose(name), i)
        fkeys = sorted((k, i) for k, i in self.fkeys.items() if k and "\t" not in k)
        return {
            "v": 1,
            "full_keys": True,
            "fandoms": self.fandoms,
            "fandom_counts": [self.fcount[i] for i in range(len(self.fandoms))],
            "fandom_keys": "\t".join(k for k, _ in fkeys),
            "fandom_ids": [i for _, i in fkeys],
            "fandom_meta": meta_flat,
            "common": common,
            "abbrevs": abbrevs,
            "text_names": "\t".join(n for n, _ in text_pairs),
            "text_ids": [i for _, i in text_pairs],
            "chars": "\t".join(self.chars),
            "char_keys": "\t".join(ck_keys),
            "char_ids": ck_ids,
            "char_short": "\t".join(k for k, _ in sorted(self.cshort)),
            "char_short_ids": [i for _, i in sorted(self.cshort)],
            "char_fandoms": memb_flat,
            "rels": "\t".join(rels),
            "freeforms": "\t".join(ff),
            "ff_keys": "\t".join(ff_keys),
            "ff_ids": ff_ids,
        }


SOURCES_TEXT = """Fanshelf taxonomy (taxonomy.json.gz): sources and licences
============================================================

taxonomy.json.gz is generated by scripts/build_taxonomy.py from the data below plus
scripts/taxonomy_curated.json (facts only: canonical tag names, abbreviations and short names,
written for Fanshelf). Tag names are those of the Archive of Our Own, wrangled by the volunteers
of the Organization for Transformative Works (OTW). No story text is included.

1. scourgify 1.12.0 (PyPI), scourgify/defaults/ao3/ - universes.csv, characters.csv, tags.csv,
   genres.csv: alias -> canonical tables built from the OTW 2021 tag dump.
   Author: elfensky. Licence: MIT. Notice:

{scourgify}
2. the-pudding/fanfic (GitHub), tasks/output/combinedTags/ - AO3 relationship, fandom and tag
   names of top works for 67 relationship tags (2022). Author: The Pudding. Licence: MIT.

3. OTW "Selective data dump for fan statisticians" (2021-02-26), via scourgify above; released by
   the Organization for Transformative Works for public reuse.

4. weyturner/ao3-tagging (GitHub), data/raw/star-trek-deep-space-nine-20220601/ - AO3 work blurbs
   of the Star Trek: Deep Space Nine tag (2022): only fandom, character and relationship tag names
   and their co-occurrence counts are used. Code licence GPL-2.0; the AO3 content belongs to its
   authors.

5. thedeadparrot/ao3backup (GitHub), backup/content/posts/ - only the AO3 front matter tag names
   (fandom, characters, relationship) and lower-case word frequencies (to flag fandom names that
   are ordinary English words) are used; no text. Author: thedeadparrot. Repository licence GPL-3.0.

6. jtrainrva/ao3_analysis (GitHub), relational/metatags_df.csv - (tag, metatag) pairs queried
   from AO3 in November 2023 (only fandom pairs are used). No licence stated; facts about AO3 tags.

7. Xodarap/ao3-stats (GitHub, blob 664c6b1) - KPop Demon Hunters relationship tag names (2025).
   No licence stated; facts about AO3 tags.

8. ceejbot/ao3tags (GitHub), tags.json - AO3 canonical freeform tag names with work counts (2015).
   Author: C J Silverio (ceejbot). Licence: ISC.
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("data", nargs="?", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args(argv)
    data = Path(args.data)
    t0 = time.perf_counter()
    b = Builder(data)
    observed = b.works()
    b.build_fandoms(observed)
    b.metatags_df()
    b.break_meta_cycles()  # every metatag edge is in by now
    b.build_characters()
    b.memberships()
    b.curated_rels()
    common_words = prose_common_words(data / "fic-text" / "thedeadparrot-ao3backup")
    packed = b.pack(common_words)
    for key in ("fandom_ids", "text_ids", "char_ids", "char_fandoms", "ff_ids", "fandom_meta"):
        packed[key] = ",".join(map(str, packed[key]))
    raw = json.dumps(packed, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
    if out.resolve() == OUT.resolve():
        notice = (data / "ao3-taxonomy-scourgify" / "LICENSE-scourgify.txt").read_text(encoding="utf-8")
        SOURCES.write_text(
            SOURCES_TEXT.replace(
                "{scourgify}", "".join("   " + ln if ln.strip() else ln for ln in notice.splitlines(True))
            ),
            encoding="utf-8",
        )
    for w in b.warnings:
        print("warning:", w, file=sys.stderr)
    t1 = time.perf_counter()
    Taxonomy.load(out)
    t2 = time.perf_counter()
    print(
        f"{len(b.fandoms)} fandoms, {len(b.chars)} characters, {len(b.memb)} memberships, {len(b.rels)} rels; "
        f"{out.stat().st_size / 1e6:.2f} MB ({len(raw) / 1e6:.1f} MB raw); built in {t1 - t0:.1f}s, "
        f"loads in {(t2 - t1) * 1000:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
