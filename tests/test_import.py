"""``fanshelf import``: idempotent imports, per-file outcomes, hostile input (on SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from fanshelf.archive.importer import Importer
from fanshelf.archive.sources import find_sources

from conftest import require_shared

POST = """Title: {title}
Author: quillfeather
Fandom: Torchwood
Rating: PG-13
Pairing: Jack/Ianto
Prompt: {prompt}
Summary: A short summary written for the import tests.

The Hub was quiet for once, and the coffee machine hummed to itself in the dark.

Nobody noticed the rift alarm until it had been ringing for a full minute.
"""


def write_post(path: Path, title: str, prompt: str = "lost keys") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(POST.format(title=title, prompt=prompt), encoding="utf-8")
    return path


def run(paths: list[Path | str], **kw: object) -> object:
    return Importer(sync_search=False, **kw).import_paths([str(p) for p in paths])  # type: ignore[arg-type]


def outcomes(report: object) -> dict[str, tuple[str, str]]:
    return {Path(r.location).name if "!/" not in r.location else r.location.split("!/")[1]:
            (r.outcome, r.reason) for r in report.results}  # type: ignore[attr-defined]


def test_seeds_import_twice_then_unchanged(archive: object) -> None:
    from fanshelf.archive.models import Tag, Work
    from fanshelf.archive.queries import works_for_prompt

    seeds = require_shared("seeds")
    first = run([seeds])
    assert first.counts == {"created": 5, "updated": 0, "unchanged": 0, "failed": 0}  # type: ignore[attr-defined]
    assert len(first.skipped) == 5  # type: ignore[attr-defined]  # the expected.json files are not posts
    assert Work.objects.count() == 5
    second = run([seeds])
    assert second.counts == {"created": 0, "updated": 0, "unchanged": 5, "failed": 0}  # type: ignore[attr-defined]
    assert Work.objects.count() == 5
    titles = set(Work.objects.values_list("title", flat=True))
    assert "Losing Jack" in titles and "The Promise Of Normality" in titles
    torchwood = Tag.objects.get(type="Fandom", name="Torchwood")
    assert torchwood.canonical and torchwood.taggings_count == 5
    janto = Tag.objects.get(type="Relationship", name="Jack Harkness/Ianto Jones")
    assert janto.taggings_count >= 3
    # "Second chances" holds the works written for that prompt, in whichever community they were posted
    fills = {w["title"] for w in works_for_prompt("Second Chances")}
    assert fills == {"Give me one reason", "The Promise Of Normality"}
    assert {w["title"] for w in works_for_prompt("loss")} == {"Losing Jack"}


def test_changed_file_updates_in_place(archive: object, tmp_path: Path) -> None:
    from fanshelf.archive.models import Work

    p = write_post(tmp_path / "in" / "a.txt", "Coffee and Rifts")
    r1 = run([p])
    (wid,) = r1.results[0].work_ids  # type: ignore[attr-defined]
    rev = Work.objects.get(id=wid).revision
    write_post(p, "Coffee and Rifts, Revised")
    r2 = run([p])
    assert outcomes(r2) == {"a.txt": ("updated", "")}
    assert r2.results[0].work_ids == [wid]  # type: ignore[attr-defined]
    w = Work.objects.get(id=wid)
    assert w.title == "Coffee and Rifts, Revised" and w.revision == rev + 1
    assert Work.objects.count() == 1


def test_folder_recursion_and_zip(archive: object, tmp_path: Path) -> None:
    from fanshelf.archive.models import Work

    write_post(tmp_path / "lib" / "one.txt", "First Light")
    write_post(tmp_path / "lib" / "deep" / "two.html", "Second Light")
    (tmp_path / "lib" / "cover.jpg").write_bytes(b"\xff\xd8\xff")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("posts/three.txt", POST.format(title="Third Light", prompt="x"))
        zf.writestr("posts/notes.json", "{}")
    (tmp_path / "lib" / "more.zip").write_bytes(buf.getvalue())
    r = run([tmp_path / "lib"])
    assert r.counts["created"] == 3 and r.counts["failed"] == 0  # type: ignore[attr-defined]
    assert set(Work.objects.values_list("title", flat=True)) == {"First Light", "Second Light", "Third Light"}
    assert any(s.endswith("cover.jpg") for s in r.skipped)  # type: ignore[attr-defined]
    r2 = run([tmp_path / "lib"])
    assert r2.counts["unchanged"] == 3  # type: ignore[attr-defined]


def _zip(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in entries.items():
            zf.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), data, compress_type=method)
    return buf.getvalue()


def test_hostile_input_is_reported_per_file_and_loses_nothing(archive: object, tmp_path: Path) -> None:
    from fanshelf.archive.models import ImportLogEntry, Work

    inbox = tmp_path / "inbox"
    good = write_post(inbox / "good.txt", "Still Here")
    run([good])
    stored = set(Work.objects.values_list("id", flat=True))
    # a zip with ../ and absolute paths, and a good member beside them
    (inbox / "evil.zip").write_bytes(_zip({
        "../../escape.txt": POST.format(title="Escapee", prompt="x").encode(),
        "/etc/passwd.txt": b"root:x:0:0",
        "fine.txt": POST.format(title="Fine Member", prompt="x").encode(),
    }))
    # a zip bomb: 60 MB of zeros compressed to a few KB
    (inbox / "bomb.zip").write_bytes(_zip({"bomb.txt": b"\0" * (60 * 1024 * 1024)}))
    # a 100 MB file (sparse: costs no disk), binary junk, an empty file
    with open(inbox / "huge.txt", "wb") as fh:
        fh.truncate(100 * 1024 * 1024)
    (inbox / "junk.txt").write_bytes(os.urandom(4096))
    (inbox / "corrupt.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    vanishing = write_post(inbox / "vanishing.txt", "Now You See It")
    refs = list(find_sources([inbox]))
    vanishing.unlink()  # gone between listing and reading
    rep = Importer(sync_search=False).import_refs(refs)
    got = outcomes(rep)
    assert got["../../escape.txt"][0] == "failed" and "unsafe path" in got["../../escape.txt"][1]
    assert got["/etc/passwd.txt"][0] == "failed" and "unsafe path" in got["/etc/passwd.txt"][1]
    assert got["fine.txt"] == ("created", "")
    assert got["bomb.txt"][0] == "failed" and ("bomb" in got["bomb.txt"][1] or "limit" in got["bomb.txt"][1])
    assert got["huge.txt"][0] == "failed" and "100.0 MB" in got["huge.txt"][1] and "limit" in got["huge.txt"][1]
    assert got["junk.txt"][0] == "failed" and got["junk.txt"][1]
    assert got["corrupt.zip"][0] == "failed" and "zip" in got["corrupt.zip"][1]
    assert got["vanishing.txt"][0] == "failed" and "vanished" in got["vanishing.txt"][1]
    assert got["good.txt"] == ("unchanged", "")
    assert stored <= set(Work.objects.values_list("id", flat=True))
    assert Work.objects.count() == 2  # the good post and the fine zip member
    failed = ImportLogEntry.objects.filter(outcome="failed").count()
    assert failed == rep.counts["failed"] == 7  # type: ignore[attr-defined]


def test_bulk_mode_matches_normal_mode(archive: object, tmp_path: Path) -> None:
    from fanshelf.archive.models import FilterTagging, Tagging, Work

    for i in range(30):
        write_post(tmp_path / "many" / f"p{i:02}.txt", f"Story Number {i}", prompt=f"prompt {i % 3}")
    (tmp_path / "many" / "bad.txt").write_bytes(b"\x00\x01\x02" * 500)
    r = run([tmp_path / "many"], bulk=True, workers=2, batch_size=8)
    assert r.counts["created"] == 30 and r.counts["failed"] == 1  # type: ignore[attr-defined]
    assert Work.objects.count() == 30
    assert Tagging.objects.count() == 30 * Tagging.objects.filter(work_id=Work.objects.first().id).count()
    assert FilterTagging.objects.filter(tag__name="Torchwood").count() == 30
    r2 = run([tmp_path / "many"], bulk=True, workers=2, batch_size=8)
    assert r2.counts["unchanged"] == 30  # type: ignore[attr-defined]


@pytest.mark.parametrize("search_backend", ["tantivy", "postgres"])
def test_bulk_import_with_its_indexer_process_leaves_the_index_complete(
        archive: object, tmp_path: Path, search_backend: str) -> None:
    """The bulk indexer runs beside the store in a process of its own (niced, committing rarely): when the
    import returns, every work is indexed and the outbox is empty."""
    from fanshelf.archive.config import configure
    from fanshelf.archive.models import IndexOutbox, Work
    from fanshelf.search.base import SearchRequest
    from fanshelf.search.sync import check, open_backend

    if search_backend == "postgres":
        if not archive.database_url:  # type: ignore[attr-defined]
            pytest.skip("the PostgreSQL search backend runs on the PostgreSQL database only")
        configure(archive.data_dir, database_url=archive.database_url,  # type: ignore[attr-defined]
                  search_backend="postgres", migrate=False)
    for i in range(25):
        write_post(tmp_path / "bulk" / f"p{i:02}.txt", f"Indexed Alongside {i}")
    rep = Importer(bulk=True, workers=2, batch_size=4).import_paths([tmp_path / "bulk"])
    assert rep.counts["created"] == 25 and Work.objects.count() == 25
    assert IndexOutbox.objects.count() == 0
    backend = open_backend()
    try:
        d = check(backend)
        assert d.ok and d.indexed == 25 and d.pending == 0
        assert backend.search(SearchRequest(text="indexed alongside")).total == 25
    finally:
        backend.close()


def test_cli_import_reports_and_exit_status(archive: object, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from fanshelf.cli import main

    if archive.database_url:  # type: ignore[attr-defined]
        pytest.skip("the CLI test configures its own SQLite data folder")
    ok = write_post(tmp_path / "cli" / "ok.txt", "Command Line")
    bad = tmp_path / "cli" / "bad.txt"
    bad.write_bytes(os.urandom(2000))
    data = str(archive.data_dir)  # type: ignore[attr-defined]
    res = CliRunner().invoke(main, ["--data", data, "import", str(ok), str(bad)],
                             env={"FANSHELF_DATABASE_URL": "", "FANSHELF_SEARCH": "tantivy"})
    assert res.exit_code == 1, res.output
    assert "created" in res.output and "ok.txt" in res.output
    assert "failed" in res.output and "bad.txt" in res.output
    assert "2 files" in res.output and "1 created" in res.output and "1 failed" in res.output


def test_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    env = dict(os.environ, FANSHELF_DATA=str(tmp_path / "d"),
               FANSHELF_DATABASE_URL="postgresql://someone:hunter2@127.0.0.1:1/nothing")
    res = subprocess.run([sys.executable, "-c", "from fanshelf.cli import main; main()", "search", "x"],
                         env=env, capture_output=True, text=True)
    assert res.returncode == 1
    assert res.stderr.startswith("fanshelf: cannot open the database postgresql://someone@127.0.0.1:1/nothing")
    assert "hunter2" not in res.stderr and "Traceback" not in res.stderr


def test_large_bulk_load_defers_and_restores_indexes(archive: object, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import connection
    from django.db.models import Count

    from fanshelf.archive import importer
    from fanshelf.archive.models import FilterTagging, Tag, Tagging, Work

    def names() -> set[str]:
        with connection.cursor() as cur:
            return {n for m in (Tagging, FilterTagging, Work)
                    for n in connection.introspection.get_constraints(cur, m._meta.db_table)}

    def counts_right() -> bool:
        real = dict(Tagging.objects.values("tag_id").annotate(n=Count("id")).values_list("tag_id", "n"))
        return all(real.get(t, 0) == n for t, n in Tag.objects.values_list("id", "taggings_count"))

    wanted = {ix.name for m in (Tagging, FilterTagging, Work) for ix in m._meta.indexes}
    assert wanted <= names()
    monkeypatch.setattr(importer, "DEFER_INDEXES_MIN", 1)
    seen: list[bool] = []
    original = importer.Importer._commit

    def spy(self: object, *a: object) -> None:
        seen.append(wanted <= names())
        original(self, *a)  # type: ignore[arg-type]

    monkeypatch.setattr(importer.Importer, "_commit", spy)
    for i in range(6):
        write_post(tmp_path / "bulk" / f"b{i}.txt", f"Bulk {i}")
    r = Importer(sync_search=False, bulk=True, workers=0, batch_size=2).import_paths([tmp_path / "bulk"])
    assert r.counts["created"] == 6 and Work.objects.count() == 6
    assert seen and not any(seen)  # dropped during the load
    assert wanted <= names()  # and built again at the end
    assert counts_right() and Tag.objects.get(name="Torchwood").taggings_count == 6  # counted at the end
    importer.drop_indexes()  # as a killed bulk load leaves them
    Tag.objects.update(taggings_count=0)  # with the counts of its batches missing
    monkeypatch.setattr(importer.Importer, "_commit", original)
    Importer(sync_search=False).import_paths([tmp_path / "bulk"])
    assert wanted <= names() and counts_right()


def test_index_rebuild_puts_the_connections_settings_back(archive: object) -> None:
    """restore_indexes() builds under its own sort settings (SQLite) and leaves the connection as it was."""
    from django.db import connection

    from fanshelf.archive import importer
    from fanshelf.archive.models import FilterTagging, Tagging

    def pragmas() -> tuple[object, ...]:
        if connection.vendor != "sqlite":
            return ()
        with connection.cursor() as cur:
            return importer.sqlite_pragma(cur, "cache_size"), importer.sqlite_pragma(cur, "temp_store")

    importer._bulk_pragmas()
    before = pragmas()
    importer.drop_indexes()
    seen: list[tuple[object, ...]] = []
    with connection.cursor() as cur, importer._sort_settings(cur):
        seen.append(pragmas())
    assert importer.restore_indexes() is True
    assert pragmas() == before
    if connection.vendor == "sqlite":
        assert seen == [(-importer.INDEX_SORT_CACHE_KIB, 1)]  # temp_store FILE while sorting
    with connection.cursor() as cur:
        for model in (Tagging, FilterTagging):
            names = connection.introspection.get_constraints(cur, model._meta.db_table)
            assert model._meta.indexes[0].name in names
    assert importer.restore_indexes() is False  # nothing left to build


def test_follow_with_rare_commits_indexes_everything_and_empties_the_outbox(archive: object, tmp_path: Path) -> None:
    """The bulk indexer's loop (commits only every N rows) ends where a commit-per-batch drain ends."""
    from fanshelf.archive.models import IndexOutbox, Work
    from fanshelf.search.base import SearchRequest
    from fanshelf.search.sync import check, follow, open_backend

    paths = [write_post(tmp_path / "posts" / f"p{i}.txt", f"Rare commit {i}") for i in range(7)]
    run(paths)
    assert IndexOutbox.objects.count() == 7
    gone = Work.objects.order_by("id").first()
    assert gone is not None
    gone_id = gone.id
    gone.delete()
    IndexOutbox.objects.create(work_id=gone_id)  # a deleted work: its outbox row removes it from the index
    backend = open_backend()
    calls = []

    def done() -> bool:  # the load "finishes" on the third look at the outbox
        calls.append(1)
        return len(calls) >= 3

    try:
        assert follow(backend, done, commit_every=3, batch=2, idle=0.01) == 8
        assert IndexOutbox.objects.count() == 0
        d = check(backend)
        assert d.ok and d.pending == 0 and d.indexed == 6
        assert backend.search(SearchRequest(text="rare commit")).total == 6
    finally:
        backend.close()


def test_bulk_inserts_and_in_lists_span_many_statements(archive: object) -> None:
    """_insert writes every row whatever the batch's size (narrow rows go many to a statement, wide
    rows one a statement) and rows_in reads IN lists longer than one statement takes."""
    import datetime as dt

    from django.db import transaction

    from fanshelf.archive import store
    from fanshelf.archive.models import Tag, Tagging, Work
    from fanshelf.archive.sql import IN_CHUNK, MAX_PARAMS, rows_in

    now = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    with transaction.atomic():
        wids = store._allocate_ids(Work, 3)
        store._insert(Work, store._WORK_COLUMNS, [
            tuple({"id": wid, "title": f"Work {wid}", "raw_header": "Title: it's 100% \"quoted\"", "posted_at": now,
                   "updated_at": now, "changed_at": now}.get(
                c, store._WORK_DEFAULTS[c]) for c in store._WORK_COLUMNS) for wid in wids])
        Tag.objects.bulk_create([Tag(type="Freeform", name=f"tag {i}", key=f"tag {i}") for i in range(1200)])
        tids = list(Tag.objects.order_by("id").values_list("id", flat=True))
        per = MAX_PARAMS // 3
        rows = [(wid, tid, f"written {tid} 50% ?") for wid in wids for tid in tids[: per + 7]]
        store._insert(Tagging, ("work_id", "tag_id", "written"), rows)
    got = set(Tagging.objects.values_list("work_id", "tag_id", "written"))
    assert got == set(rows) and len(rows) == 3 * (per + 7)
    assert Work.objects.get(id=wids[0]).raw_header == "Title: it's 100% \"quoted\""
    table = Tag._meta.db_table
    found = rows_in(f"SELECT id FROM {table} WHERE id IN ({{marks}}) ORDER BY id", [*tids, -1, -2])
    assert [r[0] for r in found] == sorted(tids) and len(tids) > IN_CHUNK
    assert rows_in(f"SELECT id FROM {table} WHERE id IN ({{marks}})", []) == []
