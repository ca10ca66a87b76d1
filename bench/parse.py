"""Parse + wrangle throughput on seed-sized posts (about 6 KB), on one core.

    .venv/bin/python bench/parse.py [--seconds 5] [--dir FOLDER]

By default the posts are the bundled examples and our fixture posts, each padded with generated story
paragraphs to about 6 KB (no third-party text). ``--dir ../shared/seeds`` measures the real seeds as they are.
Prints posts/second and MB/second.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from fanshelf.ingest import read_post
from fanshelf.parse import parse_lines
from fanshelf.taxonomy import default_taxonomy
from fanshelf.wrangle import wrangle

ROOT = Path(__file__).resolve().parent.parent
WORDS = ["the", "rain", "kept", "on", "falling", "over", "city", "while", "he", "waited", "by", "door", "and",
         "thought", "about", "long", "drive", "home", "whether", "she", "would", "call", "before", "morning"]


def _story(rng: random.Random, size: int) -> str:
    paras = []
    n = 0
    while n < size:
        p = " ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 90))).capitalize() + "."
        paras.append(p)
        n += len(p) + 2
    return "\n\n".join(paras)


def corpus(folder: Path | None) -> list[bytes]:
    if folder is not None:
        return [p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix in (".txt", ".html")]
    rng = random.Random(7)
    posts = []
    sources = sorted((ROOT / "tests" / "fixtures" / "posts").glob("*.txt"))
    sources += sorted((ROOT / "src" / "fanshelf" / "examples").glob("*.txt"))
    for p in sources:
        data = p.read_bytes()
        if len(data) < 6000:
            data = data + b"\n\n" + _story(rng, 6000 - len(data)).encode()
        posts.append(data)
    return posts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--dir", type=Path, default=None)
    args = ap.parse_args()
    posts = corpus(args.dir)
    tax = default_taxonomy()
    size = sum(len(p) for p in posts)
    # warm up (caches, regex compilation)
    for data in posts:
        raw = read_post(data)
        for pw in parse_lines(raw.lines, links=raw.links, is_html=raw.is_html):
            wrangle(pw, tax)
    done = 0
    nbytes = 0
    start = time.perf_counter()
    while time.perf_counter() - start < args.seconds:
        for data in posts:
            raw = read_post(data)
            for pw in parse_lines(raw.lines, links=raw.links, is_html=raw.is_html):
                wrangle(pw, tax)
            done += 1
            nbytes += len(data)
    elapsed = time.perf_counter() - start
    print(f"posts: {len(posts)} distinct, mean size {size / len(posts) / 1024:.1f} KB")
    print(f"parse + wrangle: {done / elapsed:,.0f} posts/s, {nbytes / elapsed / 1e6:.1f} MB/s (one core)")


if __name__ == "__main__":
    main()
