"""Export throughput: works/second and MB/second for each format, on one core.

    .venv/bin/python bench/export.py [--works 200] [--words 5000] [--chapters 1] [--seconds 3]
    .venv/bin/python bench/export.py --data DIR [--works 500]      # works from an archive instead

By default the works are bench/corpus.py posts (AO3-like metadata drawn from ../shared/data), parsed by
the pipeline, their chapters padded with generated paragraphs (our own word list, no third-party text) to
``--words`` words in ``--chapters`` chapters. With ``--data`` the first ``--works`` works of that archive
are loaded (fanshelf.archive.export) and exported as they are. For each format: works/s, MB/s of output,
and MB/s of chapter HTML read; then one bundle (a zip of every work's EPUB).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from fanshelf.export import FORMATS, ExportInfo, export_bundle, export_work
from fanshelf.model import Chapter, Work

ROOT = Path(__file__).resolve().parent.parent
WORDS = ["the", "lamp", "kept", "on", "burning", "over", "harbour", "while", "she", "waited", "by", "door", "and",
         "thought", "about", "long", "walk", "home", "whether", "he", "would", "write", "before", "morning"]


def _paragraphs(rng: random.Random, words: int) -> str:
    out, n = [], 0
    while n < words:
        k = rng.randint(30, 120)
        text = " ".join(rng.choice(WORDS) for _ in range(k)).capitalize()
        if rng.random() < 0.2:
            text = text.replace(" she ", " <em>she</em> ", 1)
        out.append(f"<p>{text}.</p>")
        n += k
    return "\n".join(out)


def corpus_works(n: int, words: int, chapters: int, seed: int) -> list[tuple[Work, ExportInfo | None]]:
    sys.path.insert(0, str(ROOT / "bench"))
    from corpus import generate  # type: ignore[import-not-found]

    from fanshelf.pipeline import parse_bytes

    rng = random.Random(seed)
    out: list[tuple[Work, ExportInfo | None]] = []
    for i, post in enumerate(generate(n, seed=seed)):
        for w in parse_bytes(post.text.encode("utf-8"), post.name):
            per = max(1, words // chapters)
            w.chapters = [Chapter(f"Part {k}" if chapters > 1 else None, "", _paragraphs(rng, per))
                          for k in range(1, chapters + 1)]
            w.word_count = per * chapters
            out.append((w, ExportInfo(work_id=i + 1, source=f"https://example.org/{i}.html")))
    return out[:n]


def archive_works(data: str, n: int) -> list[tuple[Work, ExportInfo | None]]:
    from fanshelf.archive.config import configure

    configure(data)
    from fanshelf.archive.export import load_works
    from fanshelf.archive.models import Work as Row

    ids = list(Row.objects.order_by("id").values_list("id", flat=True)[:n])
    return [(w, i) for w, i in load_works(ids)]


def measure(items: list[tuple[Work, ExportInfo | None]], fmt: str, seconds: float) -> tuple[float, float, float]:
    html_bytes = sum(len(c.html.encode()) for w, _i in items for c in w.chapters)
    done = out_bytes = 0
    start = time.perf_counter()
    while True:
        for w, info in items:
            out_bytes += len(export_work(w, fmt, info).data)
        done += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            break
    works = done * len(items)
    return works / elapsed, out_bytes / elapsed / 1e6, done * html_bytes / elapsed / 1e6


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--works", type=int, default=200)
    ap.add_argument("--words", type=int, default=5000, help="words per work (corpus works)")
    ap.add_argument("--chapters", type=int, default=1, help="chapters per work (corpus works)")
    ap.add_argument("--seconds", type=float, default=3.0, help="time per format")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", help="export works from this archive instead of generated ones")
    ap.add_argument("--formats", default=",".join(FORMATS))
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    items = (archive_works(args.data, args.works) if args.data
             else corpus_works(args.works, args.words, args.chapters, args.seed))
    if not items:
        sys.exit("no works to export")
    html_mb = sum(len(c.html.encode()) for w, _i in items for c in w.chapters) / 1e6
    words = sum(w.word_count for w, _i in items) / len(items)
    print(f"{len(items)} works ({'archive ' + args.data if args.data else 'bench corpus'}), "
          f"{html_mb:.1f} MB of chapter HTML, {words:,.0f} words a work on average, "
          f"loaded in {time.perf_counter() - t0:.1f} s")
    print(f"{'format':<9} {'works/s':>9} {'MB/s out':>9} {'MB/s html':>10}")
    for fmt in args.formats.split(","):
        rate, mb_out, mb_in = measure(items, fmt, args.seconds)
        print(f"{fmt:<9} {rate:>9,.0f} {mb_out:>9.1f} {mb_in:>10.1f}")
    start = time.perf_counter()
    bundle = export_bundle([w for w, _i in items], "epub", [i for _w, i in items])
    secs = time.perf_counter() - start
    print(f"epub bundle of {len(items)} works: {len(bundle.data) / 1e6:.1f} MB in {secs:.2f} s "
          f"({len(items) / secs:,.0f} works/s)")


if __name__ == "__main__":
    main()
