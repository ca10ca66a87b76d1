"""Every fixture post in tests/fixtures/posts parses to its expected works."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fanshelf.pipeline import parse_file

from expectations import check_post

POSTS = Path(__file__).parent / "fixtures" / "posts"
CASES = sorted(p for p in POSTS.glob("[0-9][0-9][0-9]*") if p.suffix in (".txt", ".html"))


def _expected(post: Path) -> Path:
    return post.with_name(post.name.split("_")[0].split(".")[0] + ".expected.json")


@pytest.mark.parametrize("post", CASES, ids=[p.name for p in CASES])
def test_fixture_post(post: Path) -> None:
    expected = json.loads(_expected(post).read_text(encoding="utf-8"))
    got = [w.to_dict() for w in parse_file(post)]
    problems = check_post(expected, got)
    assert not problems, "\n".join(problems)


def test_corpus_size() -> None:
    assert len(CASES) >= 60
    assert all(_expected(p).exists() for p in CASES)
