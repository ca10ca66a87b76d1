"""``fanshelf import`` with the readers: many works per file, --mapping, --include-private, EPUB zips."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

from fanshelf.archive.importer import Importer
from fanshelf.archive.sources import find_sources
from test_readers_formats import FORMATS, fff_epub, fixture


def test_epub_named_zip_is_one_work_and_epub_in_folder_is_read(tmp_path: Path) -> None:
    (tmp_path / "story.zip").write_bytes(fff_epub())
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "story.epub").write_bytes(fff_epub())
    (tmp_path / "d" / "export.xml").write_bytes(fixture("lj-export.xml"))
    refs = [r for r in find_sources([tmp_path]) if not r.skipped]
    assert sorted(Path(r.location).relative_to(tmp_path).as_posix() for r in refs) == [
        "d/export.xml", "d/story.epub", "story.zip"]


def test_cli_import_with_mapping_and_private_entries(archive: object, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from fanshelf.archive.models import Tag, Work
    from fanshelf.cli import main

    posts = tmp_path / "posts"
    posts.mkdir()
    shutil.copy(FORMATS / "personal-frontmatter.md", posts)
    shutil.copy(FORMATS / "lj-export.xml", posts)
    data = str(archive.data_dir)  # type: ignore[attr-defined]
    res = CliRunner().invoke(main, ["--data", data, "import", str(posts), "--mapping",
                                    str(FORMATS / "personal-mapping.yaml")], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "lj-export.xml (2 works)" in res.output
    w = Work.objects.get(title="The Orchard Wall")
    assert sorted(w.tags.filter(type="Fandom").values_list("name", flat=True)) == ["Merlin (TV)"]
    assert [c.name for c in w.creators.all()] == ["applewise"]
    assert Tag.objects.filter(type="Relationship", name="Gwen/Lancelot (Merlin)").exists()
    # the export again, private entries included: same file, now changed outcome (4 works)
    res = CliRunner().invoke(main, ["--data", data, "import", "--include-private", str(posts / "lj-export.xml")],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert sorted(Work.objects.values_list("title", flat=True)) == [
        "Lanterns", "Paper Boats", "Quiet Hour", "The Orchard Wall", "private musings"]


def test_cli_import_bad_mapping_file(archive: object, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from fanshelf.cli import main

    bad = tmp_path / "m.yaml"
    bad.write_text("fields:\n  verse: fandomz\n")
    res = CliRunner().invoke(main, ["--data", str(archive.data_dir), "import", str(FORMATS),  # type: ignore[attr-defined]
                                    "--mapping", str(bad)])
    assert res.exit_code == 2
    assert "fields.verse: 'fandomz' is not a field" in res.output


def test_zip_of_readers_through_the_importer(archive: object, tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("bundle/ao3.html", fixture("ao3-download.html"))
        zf.writestr("bundle/fff.epub", fff_epub())
        zf.writestr("bundle/efiction.htm", fixture("efiction-printable.html"))
    (tmp_path / "bundle.zip").write_bytes(buf.getvalue())
    report = Importer(sync_search=False).import_paths([str(tmp_path / "bundle.zip")])
    assert [(r.location.split("!/")[1], r.outcome, r.works) for r in report.results] == [
        ("bundle/ao3.html", "created", 1), ("bundle/fff.epub", "created", 1), ("bundle/efiction.htm", "created", 1)]
