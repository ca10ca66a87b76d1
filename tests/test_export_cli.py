"""Stored works back as core works (``fanshelf.archive.export``) and ``fanshelf export`` on a small archive."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from fanshelf.archive.export import core_work, load_works
from fanshelf.archive.importer import Importer
from fanshelf.archive.models import Work as WorkRow
from fanshelf.cli import main
from fanshelf.errors import FanshelfError
from fanshelf.export.tree import parse_fragment, to_xhtml
from test_export_samples import rich_work, tricky_works

POSTS = Path(__file__).parent / "fixtures" / "posts"


@pytest.fixture
def stocked(archive: Any) -> Any:
    report = Importer().import_paths([str(POSTS)])
    assert not report.failed
    return archive


def _run(cfg: Any, *args: str) -> Result:
    env = {"FANSHELF_DATABASE_URL": cfg.database_url or "", "FANSHELF_SEARCH": cfg.search_backend}
    return CliRunner().invoke(main, ["--data", str(cfg.data_dir), "export", *args], env=env)


def _norm(html: str) -> str:
    return to_xhtml(parse_fragment(html))


def _ids_by_title(title: str) -> list[int]:
    return list(WorkRow.objects.filter(title=title).order_by("id").values_list("id", flat=True))


def test_core_work_gives_back_what_was_stored(archive: Any) -> None:
    """Works written by the store come back field for field, tags by type in AO3's order."""
    from fanshelf.archive.store import PostItem, Store, content_hash

    works = [rich_work()] + [w for _n, w in tricky_works()]
    out = Store().save(PostItem(location="https://example.org/post.html", digest=content_hash(b"x"),
                                works=works))
    assert len(out.work_ids) == len(works)
    loaded = load_works(out.work_ids)
    for w, (got, info) in zip(works, loaded, strict=True):
        assert info.source == "https://example.org/post.html" and info.complete
        assert got.title == w.title and got.creators == list(dict.fromkeys(w.creators))
        assert got.fandoms == (w.fandoms or ["No Fandom"]) and got.rating == w.rating
        assert got.archive_warnings == (w.archive_warnings or ["Creator Chose Not To Use Archive Warnings"])
        for attr in ("categories", "relationships", "characters", "additional_tags"):
            assert getattr(got, attr) == getattr(w, attr), attr
        assert (got.summary, got.notes, got.end_notes) == (w.summary, w.notes, w.end_notes)
        assert (got.language, got.word_count, got.challenge, got.series_part) == (
            w.language, w.word_count, w.challenge, w.series_part)
        if w.published:
            assert got.published == w.published
        assert [(c.title, c.html) for c in got.chapters] == (
            [(c.title, c.html) for c in w.chapters] or [(None, "")])
    rich, _info = loaded[0]
    assert rich.rating_raw == "PG-13" and rich.relationships_raw == ["Jack/Ianto"]
    assert rich.chapters[0].text == "The ledger had forty columns.\n\ntea\n\nrope\n\nKeep it dry."
    assert core_work(out.work_ids[0]) == rich


def test_core_work_of_imported_posts(stocked: Any) -> None:
    """Every imported fixture post loads, with its source, chapters and the tags the archive holds."""
    from fanshelf.archive.models import Tagging

    rows = list(WorkRow.objects.select_related("source").order_by("id"))
    assert len(rows) > 50
    for row, (got, info) in zip(rows, load_works([r.id for r in rows]), strict=True):
        assert info.work_id == row.id and info.source == row.source.location
        assert got.title == row.title and len(got.chapters) == row.chapters_posted
        stored = sorted(Tagging.objects.filter(work=row).values_list("tag__name", flat=True))
        assert sorted([got.rating, *got.archive_warnings, *got.categories, *got.fandoms, *got.relationships,
                       *got.characters, *got.additional_tags]) == stored


def test_core_work_of_a_missing_work(stocked: Any) -> None:
    with pytest.raises(FanshelfError, match="no work #999999 in the archive"):
        core_work(999_999)


def test_export_ids_to_a_folder(stocked: Any, tmp_path: Path) -> None:
    (wid,) = _ids_by_title("An Ordinary Sunday")
    out = tmp_path / "books"
    res = _run(stocked, str(wid), "--format", "epub", "--out", str(out))
    assert res.exit_code == 0, res.output
    assert [p.name for p in out.iterdir()] == [f"an-ordinary-sunday-{wid}.epub"]
    z = zipfile.ZipFile(out / f"an-ordinary-sunday-{wid}.epub")
    opf = z.read("OEBPS/content.opf").decode()
    assert "<dc:creator id=\"creator-1\">penarth_pier</dc:creator>" in opf
    assert "<dc:subject>Jack Harkness/Ianto Jones</dc:subject>" in opf
    preface = z.read("OEBPS/preface.xhtml").decode()
    assert '<dt>Collections:</dt>\n<dd><a class="collection">jack_ianto_las</a></dd>' in preface
    assert "<dt>Prompt:</dt>\n<dd>day of rest</dd>" in preface
    assert "exported 1 work as epub" in res.output


def test_export_one_work_to_a_file_and_to_stdout(stocked: Any, tmp_path: Path) -> None:
    (wid,) = _ids_by_title("An Ordinary Sunday")
    res = _run(stocked, str(wid), "--format", "md", "--out", str(tmp_path / "sunday.md"))
    assert res.exit_code == 0, res.output
    text = (tmp_path / "sunday.md").read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: An Ordinary Sunday\nauthor: penarth_pier\nfandom:\n- Torchwood\n")
    res = _run(stocked, str(wid), "--format", "json", "--out", "-")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["works"][0]["title"] == "An Ordinary Sunday" and doc["archive"][0]["id"] == wid


def test_export_a_search_as_a_zip(stocked: Any, tmp_path: Path) -> None:
    env = {"FANSHELF_DATABASE_URL": stocked.database_url or "", "FANSHELF_SEARCH": stocked.search_backend}
    found = CliRunner().invoke(main, ["--data", str(stocked.data_dir), "search", "", "--tag", "Torchwood",
                                      "--json"], env=env)
    total = json.loads(found.stdout)["total"]
    assert total >= 5
    res = _run(stocked, "--search", "", "--tag", "Torchwood", "--format", "epub", "--out",
               str(tmp_path / "torchwood.zip"))
    assert res.exit_code == 0, res.output
    names = zipfile.ZipFile(tmp_path / "torchwood.zip").namelist()
    assert len(names) == total and all(n.endswith(".epub") for n in names) and len(set(names)) == total
    res = _run(stocked, "--search", "", "--tag", "Torchwood", "--limit", "2", "--format", "json", "--out",
               str(tmp_path / "two.zip"))
    assert res.exit_code == 0, res.output
    z = zipfile.ZipFile(tmp_path / "two.zip")
    assert z.namelist() == ["two.json"]
    assert len(json.loads(z.read("two.json"))["works"]) == 2


def test_export_everything_for_ao3_reports_limits(stocked: Any, tmp_path: Path) -> None:
    res = _run(stocked, "--search", "", "--format", "ao3-csv", "--out", str(tmp_path / "all.csv"))
    assert res.exit_code == 0, res.output
    lines = (tmp_path / "all.csv").read_bytes().split(b"\r\n")
    assert lines[0].startswith(b"id,title,creators,fandoms")
    assert "every work is within AO3's limits" in res.output or "went over AO3's limits" in res.output
    res = _run(stocked, "--search", "", "--format", "ao3-json", "--out", str(tmp_path / "out"))
    assert res.exit_code == 0, res.output
    doc = json.loads((tmp_path / "out" / "fanshelf-export.ao3.json").read_bytes())
    assert doc["format"] == "fanshelf-ao3-import" and len(doc["works"]) == WorkRow.objects.count()


def test_export_bundle_is_deterministic(stocked: Any, tmp_path: Path) -> None:
    ids = [str(i) for i in WorkRow.objects.order_by("id").values_list("id", flat=True)[:5]]
    for n in (1, 2):
        assert _run(stocked, *ids, "--format", "html", "--out", str(tmp_path / f"b{n}.zip")).exit_code == 0
    assert (tmp_path / "b1.zip").read_bytes() == (tmp_path / "b2.zip").read_bytes()
    assert len(zipfile.ZipFile(io.BytesIO((tmp_path / "b1.zip").read_bytes())).namelist()) == 5


@pytest.mark.parametrize(("args", "message", "code"), [
    ([], "give WORK_IDs or --search QUERY", 2),
    (["1", "--search", "x"], "give WORK_IDs or --search QUERY", 2),
    (["1", "--tag", "Torchwood"], "go with --search", 2),
    (["999999"], "no work #999999 in the archive", 2),
    (["--search", "zzzznotthere"], "nothing to export", 2),
    (["--search", "", "--tag", "No Such Tag At All"], "no tag named", 2),
])
def test_export_errors(stocked: Any, tmp_path: Path, args: list[str], message: str, code: int) -> None:
    res = _run(stocked, *args, "--format", "epub", "--out", str(tmp_path / "x"))
    assert res.exit_code == code, res.output
    assert message in res.output


def test_many_works_refuse_one_epub_file(stocked: Any, tmp_path: Path) -> None:
    ids = [str(i) for i in WorkRow.objects.order_by("id").values_list("id", flat=True)[:2]]
    res = _run(stocked, *ids, "--format", "epub", "--out", str(tmp_path / "one.epub"))
    assert res.exit_code == 2 and "cannot go into one .epub file" in res.output
    assert not (tmp_path / "one.epub").exists()
