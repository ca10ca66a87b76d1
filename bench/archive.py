"""Archive benchmark: bulk import and search at 100,000 and 1,000,000 works.

    python bench/archive.py                       # 100k and 1M on SQLite + tantivy
    python bench/archive.py --sizes 100000 --backend postgres --db-url postgresql://…/db
    python bench/archive.py --sizes 20000         # a quick run

For each size: a fresh archive is filled by the bulk importer (parse + store + index, timed together)
with a synthetic corpus whose metadata follows the real distributions in ../shared/data (bench/corpus.py;
made in memory before the clock starts, and timed on its own), then a separate query process (so its
memory is measured alone) times, over many variants each:
 (a) a ranked text query, (b) text + two tag filters + facets, (c) a fandom listing with facets sorted by
date updated, (d) the same excluding a canonical tag with many synonyms. Prints a table and JSON.
Latencies are of the whole search call: the engine, the page's 20 works from the database and facet names.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))
SHARED = ROOT.parent / "shared"


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0


def mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.0f} MB"


def build(n: int, data: Path, db_url: str, backend: str, workers: int, batch: int) -> dict[str, object]:
    import corpus

    from fanshelf.archive.config import configure

    if data.exists():
        shutil.rmtree(data)
    if db_url:
        _reset_pg(db_url)
    configure(data, database_url=db_url, search_backend=backend)
    from fanshelf.archive.importer import Importer
    from fanshelf.archive.sources import SourceRef

    t0 = time.perf_counter()
    dist = corpus.load_distributions(SHARED / "data")
    t_dist = time.perf_counter() - t0
    # The corpus is made before the clock starts (the posts' bytes in memory, ~1.5 KB each): generating
    # it is the benchmark's work, not the importer's, and on a 2-core machine it would take CPU from it.
    t0 = time.perf_counter()
    posts: list[tuple[str, bytes]] = []
    stats: dict[str, dict[str, int]] = {}
    for post in corpus.generate(n, seed=7, dist=dist):
        s = dict(post.stats)
        s["words"] = int(post.expect.get("words") or 0)  # type: ignore[call-overload]
        stats[post.name] = s
        posts.append((post.name, post.text.encode("utf-8")))
    posts.reverse()  # popped from the end: in the order they were made
    t_gen = time.perf_counter() - t0
    print(f"   corpus generated in {t_gen:.1f} s ({sum(len(d) for _n, d in posts) / 1e6:,.0f} MB of posts)",
          file=sys.stderr, flush=True)

    def refs():  # type: ignore[no-untyped-def]
        while posts:  # handed over (and let go of) in order
            name, data_ = posts.pop()
            yield SourceRef(name, (lambda d=data_: d), mtime=None)

    done = [0]
    t_last = [time.perf_counter()]

    def on_result(_r: object) -> None:
        done[0] += 1
        if done[0] % 50_000 == 0:
            now = time.perf_counter()
            print(f"  … {done[0]:,} posts, {50_000 / (now - t_last[0]):,.0f}/s lately", file=sys.stderr, flush=True)
            t_last[0] = now

    imp = Importer(bulk=True, workers=workers, batch_size=batch, on_result=on_result)
    kids0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu0 = time.process_time()
    t1 = time.perf_counter()
    report = imp.import_refs(refs(), ["bench"], stats=lambda loc: stats.pop(loc, None), expected=n)
    secs = time.perf_counter() - t1
    main_cpu = time.process_time() - cpu0
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # the parsers and the indexer, reaped by now
    kids_cpu = kids.ru_utime + kids.ru_stime - kids0.ru_utime - kids0.ru_stime
    print("   main process: " + ", ".join(f"{k} {v:.1f} s" for k, v in imp.timings.items()), file=sys.stderr)
    print(f"   CPU per work: {main_cpu / n * 1000:.3f} ms in the storing process, {kids_cpu / n * 1000:.3f} ms in "
          f"the parsers and the indexer (the indexer's: {imp.indexer_cpu / n * 1000:.3f} ms)", file=sys.stderr)
    from django.db import connection

    from fanshelf.archive.models import Work

    works = Work.objects.count()
    if not db_url:
        with connection.cursor() as cur:
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db_bytes = dir_size(data) - dir_size(data / "index")
    if db_url:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_database_size(current_database())")
            db_bytes = cur.fetchone()[0]
    index_bytes = dir_size(data / "index")
    if backend == "postgres":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_total_relation_size('fanshelf_search_doc')")
            index_bytes = cur.fetchone()[0]
    _make_synonyms()
    return {"works": works, "import_s": round(secs, 1), "import_rate": round(works / secs), "failed":
            report.counts["failed"], "db_bytes": db_bytes, "index_bytes": index_bytes,
            "distributions_s": round(t_dist, 1), "corpus_generation_s": round(t_gen, 1),
            "cpu_ms_per_work_store": round(main_cpu / n * 1000, 3),
            "cpu_ms_per_work_parse_and_index": round(kids_cpu / n * 1000, 3),
            "cpu_ms_per_work_indexer": round(imp.indexer_cpu / n * 1000, 3)}


def host_speed(posts: int = 2000) -> float:
    """CPU milliseconds per corpus post parsed in this process (a yardstick for the machine's speed)."""
    import corpus

    from fanshelf.pipeline import parse_document
    from fanshelf.taxonomy import default_taxonomy

    default_taxonomy().warm()
    texts = [(p.name, p.text.encode("utf-8")) for p in corpus.generate(posts, seed=5)]
    t = time.process_time()
    for name, data in texts:
        parse_document(data, name)
    return round((time.process_time() - t) / len(texts) * 1000, 3)


def _reset_pg(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _make_synonyms() -> None:
    """Wrangle like a tag wrangler would: merge the unwrangled spellings of a big freeform into it."""
    from fanshelf.archive.models import Tag

    if Tag.objects.filter(merger__isnull=False).exists():
        return
    try:
        from fanshelf.archive.wrangling import merge
    except ImportError:
        return
    canon = Tag.objects.filter(type="Freeform", canonical=True).order_by("-taggings_count").first()
    if canon is None:
        return
    stem = canon.key.split()[0][:5]
    cands = list(Tag.objects.filter(type="Freeform", canonical=False, merger__isnull=True,
                                    key__startswith=stem).order_by("-taggings_count")[:10])
    for t in cands:
        merge(t, canon)
    from fanshelf.search.sync import drain, open_backend

    b = open_backend()
    drain(b)
    b.close()


def query_phase(data: Path, db_url: str, backend: str, reps: int) -> dict[str, object]:
    from django.db.models import Count

    from fanshelf.archive.config import configure

    configure(data, database_url=db_url, search_backend=backend, migrate=False)
    from fanshelf.archive.models import Tag
    from fanshelf.search.base import SearchRequest
    from fanshelf.search.service import run_search
    from fanshelf.search.sync import open_backend

    b = open_backend()
    rnd = random.Random(3)
    # every choice is ordered fully (ties by tag key), so both databases time the same queries
    fandoms = list(Tag.objects.filter(type="Fandom", canonical=True).order_by("-taggings_count", "key")
                   .values_list("id", flat=True)[:30])
    freeforms = list(Tag.objects.filter(type="Freeform", canonical=True).order_by("-taggings_count", "key")
                     .values_list("id", flat=True)[:30])
    ratings = list(Tag.objects.filter(type="Rating").order_by("key").values_list("id", flat=True))
    syn = (Tag.objects.filter(canonical=True).annotate(n=Count("synonyms")).order_by("-n", "-taggings_count", "key")
           .values_list("id", "name", "n").first())
    words = _vocabulary(b)
    plans = {
        "a_text": lambda: SearchRequest(text=" ".join(rnd.sample(words, 2)), facets=False),
        "b_text_2filters_facets": lambda: SearchRequest(text=rnd.choice(words),
                                                        include=(rnd.choice(fandoms[:10]),
                                                                 rnd.choice(freeforms[:10] + ratings))),
        "c_fandom_listing": lambda: SearchRequest(include=(rnd.choice(fandoms),), sort="updated"),
        "d_listing_excluding_synonyms": lambda: SearchRequest(include=(rnd.choice(fandoms),), sort="updated",
                                                              exclude=(syn[0],) if syn else ()),
    }
    out: dict[str, object] = {"excluded_canonical": list(syn) if syn else None}
    for name, make in plans.items():
        for _ in range(5):  # warm-up
            run_search(b, make())
        times = []
        totals = []
        for _ in range(reps):
            req = make()
            t = time.perf_counter()
            res = run_search(b, req)
            times.append((time.perf_counter() - t) * 1000)
            totals.append(res.result.total)
        times.sort()
        out[name] = {"p50_ms": round(statistics.median(times), 1),
                     "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
                     "median_hits": int(statistics.median(totals))}
    out.update(_memory())
    if backend == "tantivy":
        out["index_segments"] = b._searcher().num_segments  # type: ignore[attr-defined]
    b.close()
    return out


def _memory() -> dict[str, int]:
    """The query process's peak resident memory and, on Linux, what is resident now, split: its own
    (anonymous) memory and the pages of mapped files (the tantivy index is memory-mapped; those pages are
    the system's cache, shared). The peak is VmHWM where /proc has it: ru_maxrss would also count the
    bench's own peak from before this process was exec'd (Linux keeps it across exec)."""
    out = {"query_process_max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmHWM", "RssAnon", "RssFile"):
                name = "max_rss" if key == "VmHWM" else key.lower()
                out[f"query_process_{name}_mb"] = round(int(value.split()[0]) / 1024)
    except OSError:
        pass
    return out


def _vocabulary(b: object) -> list[str]:
    """Common words of the corpus's titles and summaries (what readers would type)."""
    from fanshelf.archive.models import Work

    counts: dict[str, int] = {}
    for title, summary in Work.objects.order_by("id").values_list("title", "summary")[:2000]:
        for w in f"{title} {summary}".lower().split():
            w = w.strip(".,;:!?\"'()")
            if len(w) > 3 and w.isalpha():
                counts[w] = counts.get(w, 0) + 1
    ranked = sorted(counts, key=lambda w: -counts[w])
    return ranked[5:80] or ["tea"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--backend", choices=["tantivy", "postgres"], default="tantivy")
    ap.add_argument("--db-url", default="", help="PostgreSQL URL (its database is dropped and re-created)")
    ap.add_argument("--data", type=Path, default=Path("/tmp/fanshelf-bench"))
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--query-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.backend == "postgres" and not args.db_url:
        ap.error("--backend postgres needs --db-url")
    if args.query_only:
        print(json.dumps(query_phase(args.data, args.db_url, args.backend, args.reps)))
        return
    if not (SHARED / "data").exists():
        sys.exit(f"bench/archive.py needs {SHARED / 'data'} (the real AO3 metadata the corpus follows)")
    speed = host_speed()
    print(f"== host speed: {speed} ms of CPU per corpus post parsed in one process (lower is faster; "
          "compare runs by it: this machine's has varied 2x)", file=sys.stderr)
    rows = []
    for n in args.sizes:
        data = args.data / f"{args.backend}-{n}"
        print(f"== {n:,} works, {args.backend}, {'PostgreSQL' if args.db_url else 'SQLite'}", file=sys.stderr)
        built = build(n, data, args.db_url, args.backend, args.workers, args.batch)
        print(f"   imported {built['works']:,} works in {built['import_s']} s", file=sys.stderr)
        after = host_speed()
        print(f"== host speed after the import: {after} ms a post", file=sys.stderr)
        from django.db import connections

        connections.close_all()
        q = subprocess.run([sys.executable, __file__, "--query-only", "--data", str(data), "--backend",
                            args.backend, "--db-url", args.db_url, "--reps", str(args.reps)],
                           capture_output=True, text=True, check=True)
        queries = json.loads(q.stdout.strip().splitlines()[-1])
        rows.append({"size": n, "backend": args.backend, "database": "postgresql" if args.db_url else "sqlite",
                     "host_parse_ms_per_post": speed, "host_parse_ms_per_post_after": after, **built, **queries})
        r = rows[-1]
        print(f"\n{n:,} works · {r['backend']} on {r['database']}")
        print(f"  bulk import (parse + store + index): {r['import_rate']:,} works/s ({r['import_s']} s; machine "
              f"speed {r['host_parse_ms_per_post']} ms a post before, {r['host_parse_ms_per_post_after']} after)")
        print(f"  index size: {mb(r['index_bytes'])}   database size: {mb(r['db_bytes'])}")
        for key in ("a_text", "b_text_2filters_facets", "c_fandom_listing", "d_listing_excluding_synonyms"):
            v = r[key]
            print(f"  {key:<30} p50 {v['p50_ms']:>7} ms   p95 {v['p95_ms']:>7} ms   (median hits {v['median_hits']:,})")
        split = (f" (now: {r['query_process_rssanon_mb']:,} MB its own, {r['query_process_rssfile_mb']:,} MB "
                 "of mapped index files)") if "query_process_rssanon_mb" in r else ""
        print(f"  query process max RSS: {r['query_process_max_rss_mb']:,} MB{split}"
              + (f"   index segments: {r['index_segments']}" if "index_segments" in r else ""), flush=True)
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
