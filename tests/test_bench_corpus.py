"""The synthetic benchmark corpus (bench/corpus.py): deterministic, real-looking metadata, parseable posts."""

from __future__ import annotations

import importlib
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from fanshelf.pipeline import parse_bytes

from conftest import require_shared

BENCH = Path(__file__).resolve().parents[1] / "bench"
LABELS = ("Title", "Author", "Fandom", "Rating", "Warnings", "Pairing", "Characters", "Tags", "Word count",
          "Date", "Summary")


@pytest.fixture(scope="module")
def corpus() -> ModuleType:
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    return importlib.import_module("corpus")


@pytest.fixture(scope="module")
def dist(corpus: ModuleType) -> Any:
    data = require_shared("data")  # == Path(__file__).parents[1].parent / "shared" / "data"
    return corpus.load_distributions(data)


@pytest.fixture(scope="module")
def posts(corpus: ModuleType, dist: Any) -> list[Any]:
    return list(corpus.generate(2000, seed=11, dist=dist))


def _header(text: str) -> list[str]:
    return text.split("\n\n", 1)[0].split("\n")


def test_deterministic(corpus: ModuleType, dist: Any) -> None:
    a = list(corpus.generate(300, seed=5, dist=dist))
    b = list(corpus.generate(300, seed=5, dist=dist))
    assert a == b
    assert list(corpus.generate(40, seed=5, dist=dist)) == a[:40]  # a prefix of the longer run
    c = list(corpus.generate(300, seed=6, dist=dist))
    assert [p.text for p in a] != [p.text for p in c]


def test_n_respected(corpus: ModuleType, dist: Any) -> None:
    assert list(corpus.generate(0, seed=1, dist=dist)) == []
    got = list(corpus.generate(137, seed=1, dist=dist))
    assert len(got) == 137
    assert len({p.name for p in got}) == 137
    with pytest.raises(ValueError):
        corpus.generate(-1, dist=dist)


def test_cached_load_is_fast(corpus: ModuleType, dist: Any) -> None:
    start = time.perf_counter()
    again = corpus.load_distributions(require_shared("data"))
    assert time.perf_counter() - start < 1.0
    assert again.cached
    assert len(again.fandoms) == len(dist.fandoms)


def test_distribution_sanity(posts: list[Any]) -> None:
    n = len(posts)
    first = Counter(p.expect["fandoms"][0] for p in posts)
    assert len(first) >= 50
    top_share = first.most_common(1)[0][1] / n
    assert 0.02 <= top_share <= 0.60, first.most_common(5)
    crossovers = sum(len(p.expect["fandoms"]) > 1 for p in posts) / n
    assert 0.03 <= crossovers <= 0.15
    assert all(1 <= len(p.expect["fandoms"]) <= 3 for p in posts)
    ratings = Counter(p.expect["rating"] for p in posts)
    assert len(ratings) >= 4, ratings
    words = [p.expect["words"] for p in posts]
    assert 1_000 <= statistics.median(words) <= 20_000
    assert max(words) > 50_000  # the long tail is there
    assert all(0 <= len(p.expect["relationships"]) <= 4 for p in posts)
    assert all(0 <= len(p.expect["freeforms"]) <= 15 for p in posts)
    assert sum(bool(p.expect["relationships"]) for p in posts) > n / 2
    assert statistics.mean(len(p.expect["freeforms"]) for p in posts) > 3
    assert statistics.mean(len(p.expect["characters"]) for p in posts) > 1.5
    years = Counter(int(p.expect["date"][:4]) for p in posts)
    assert min(years) >= 2008 and max(years) <= 2025 and len(years) >= 10
    assert len({p.expect["author"] for p in posts}) > 500
    for p in posts:
        assert set(p.stats) == {"kudos", "hits", "comments", "bookmarks"}
        assert all(isinstance(v, int) and v >= 0 for v in p.stats.values())


def test_header_lines(posts: list[Any]) -> None:
    for p in posts:
        head = _header(p.text)
        labels = [line.split(":", 1)[0] for line in head]
        assert labels[:4] == ["Title", "Author", "Fandom", "Rating"]
        assert set(labels) <= set(LABELS) and len(labels) == len(set(labels))
        assert all(line.split(": ", 1)[1] for line in head)  # an empty list's line is left out
        for key, value in p.expect.items():
            items = value if isinstance(value, list) else [value]
            for item in items:
                assert "\n" not in str(item) and "\r" not in str(item), (p.name, key)
                if key in ("fandoms", "relationships", "characters", "freeforms", "warnings"):
                    assert item and "," not in item and ";" not in item, (p.name, key, item)
        body = p.text.split("\n\n", 1)[1].split()
        assert 60 <= len(body) <= 250


def test_own_words_only(corpus: ModuleType, posts: list[Any]) -> None:
    """Titles, summaries and bodies are word salad from our vocabulary: nothing from the data's stories."""
    vocab = {w.lower() for w in (*corpus.NOUNS, *corpus.ADJECTIVES, *corpus.VERBS, *corpus.ADVERBS,
                                 *corpus.PREPOSITIONS, *corpus.TITLE_GLUE, "the", "a", "an", "and")}
    for p in posts[:300]:
        text = " ".join([p.expect["title"], p.expect["summary"], p.text.split("\n\n", 1)[1]])
        assert set(re.findall(r"[a-z]+", text.lower())) <= vocab, p.name


def test_posts_parse(corpus: ModuleType, dist: Any) -> None:
    for post in corpus.generate(50, seed=3, dist=dist):
        works = parse_bytes(post.text.encode(), post.name)
        assert len(works) == 1, post.name
        assert works[0].title == post.expect["title"]
        assert works[0].fandoms, post.name
