"""The fanshelf command line, run in-process."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from fanshelf.cli import main
from fanshelf.errors import InputTooLarge
from fanshelf.pipeline import parse_file

POST = "Title: Small Hours\nFandom: Torchwood\nPairing: Jack/Ianto\nRating: PG-13\n\nThe Hub was quiet.\n\nThe End\n"


@pytest.fixture
def post(tmp_path: Path) -> Path:
    p = tmp_path / "post.txt"
    p.write_text(POST, encoding="utf-8")
    return p


def test_help_explains_itself() -> None:
    runner = CliRunner()
    out = runner.invoke(main, ["--help"]).output
    assert "fanfiction archive" in out and "parse" in out
    out = runner.invoke(main, ["parse", "--help"]).output
    assert "--json" in out and "encoding is detected" in out


def test_parse_json_one_file_is_an_array(post: Path) -> None:
    res = CliRunner().invoke(main, ["parse", "--json", str(post)])
    assert res.exit_code == 0
    works = json.loads(res.output)
    assert isinstance(works, list) and len(works) == 1
    w = works[0]
    assert w["title"] == "Small Hours"
    assert w["relationships"] == ["Jack Harkness/Ianto Jones"]
    assert w["rating"] == "Teen And Up Audiences" and w["rating_raw"] == "PG-13"
    assert w["chapters"][0]["text"] == "The Hub was quiet."
    expected_keys = ["title", "creators", "fandoms", "rating", "rating_raw", "archive_warnings", "categories",
                     "relationships", "relationships_raw", "characters", "additional_tags", "summary", "notes",
                     "end_notes", "language", "word_count", "stated_word_count", "challenge", "series_part",
                     "published", "chapters", "extra", "warnings", "header"]
    assert sorted(w) == sorted(expected_keys)


def test_parse_json_several_files(post: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.txt"
    other.write_text("Just a story.\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["parse", "--json", str(post), str(other)])
    data = json.loads(res.output)
    assert set(data) == {str(post), str(other)}


def test_summary_output(post: Path) -> None:
    res = CliRunner().invoke(main, ["parse", str(post)])
    assert res.exit_code == 0
    assert "Small Hours" in res.output and "Jack Harkness/Ianto Jones" in res.output


def test_unreadable_input_is_a_message_and_nonzero_exit(tmp_path: Path, post: Path) -> None:
    missing = tmp_path / "nope.txt"
    res = CliRunner().invoke(main, ["parse", str(missing)])
    assert res.exit_code != 0
    binary = tmp_path / "img.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)
    res = CliRunner().invoke(main, ["parse", "--json", str(binary), str(post)])
    assert res.exit_code == 2
    assert "not a text or HTML post" in res.stderr
    assert "Traceback" not in res.output + res.stderr
    assert str(post) in json.loads(res.stdout)


def test_huge_file_refused_in_bounded_memory(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    tracemalloc.start()
    with pytest.raises(InputTooLarge, match=r"50\.0 MB"):
        parse_file(big)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 5 * 1024 * 1024
    res = CliRunner().invoke(main, ["parse", str(big)])
    assert res.exit_code == 3 and "limit" in res.stderr


def test_demo_runs() -> None:
    res = CliRunner().invoke(main, ["demo"])
    assert res.exit_code == 0
    assert "Tea at Midnight" in res.output and "Lanterns" in res.output
