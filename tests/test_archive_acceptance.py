"""Acceptance on the real seed posts: import, tags, challenge collections and search, on both databases
and (on PostgreSQL) both search backends."""

from __future__ import annotations

from pathlib import Path

import pytest

from fanshelf.archive.importer import Importer

from conftest import require_shared


def _backends(archive: object) -> list[object]:
    from fanshelf.search.tantivy_backend import TantivyBackend

    out: list[object] = [TantivyBackend(archive.index_dir)]  # type: ignore[attr-defined]
    if archive.database_url:  # type: ignore[attr-defined]
        from fanshelf.search.postgres_backend import PostgresBackend

        out.append(PostgresBackend())
    return out


@pytest.fixture
def seeded(archive: object) -> object:
    seeds = require_shared("seeds")
    report = Importer().import_paths([str(seeds)])
    assert report.counts["created"] == 5
    again = Importer().import_paths([str(seeds)])
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 5, "failed": 0}
    from fanshelf.search.sync import drain

    for b in _backends(archive):
        if b.name == "postgres":  # type: ignore[attr-defined]
            from fanshelf.search.sync import rebuild

            rebuild(b)  # type: ignore[arg-type]
        else:
            drain(b)  # type: ignore[arg-type]
        b.close()  # type: ignore[attr-defined]
    return archive


def _titles(backend: object, **kw: object) -> list[str]:
    from fanshelf.search.base import SearchRequest
    from fanshelf.search.service import run_search

    res = run_search(backend, SearchRequest(**kw))  # type: ignore[arg-type]
    return [w["title"] for w in res.works]


def test_seed_tags_and_collections(seeded: object) -> None:
    from fanshelf.archive.models import Collection, Tag, Work
    from fanshelf.archive.queries import works_for_prompt

    assert Work.objects.count() == 5
    fandom = Tag.objects.get(type="Fandom", key="torchwood")
    assert fandom.canonical and fandom.taggings_count == 5
    assert Tag.objects.filter(type="Fandom", key="doctor who", canonical=True).exists()  # its metatag
    assert {w["title"] for w in works_for_prompt("second chances")} == {"Give me one reason",
                                                                       "The Promise Of Normality"}
    assert set(Collection.objects.values_list("name", flat=True)) >= {"slashthedrabble", "jack_ianto_las"}
    losing = Work.objects.get(title="Losing Jack")
    item = losing.collection_items.get()
    assert item.collection.name == "slashthedrabble" and item.prompt.number == "419"
    assert "Title" in losing.raw_header and losing.source.content_hash


@pytest.mark.parametrize("backend_index", [0, 1])
def test_seed_search(seeded: object, backend_index: int) -> None:
    from fanshelf.search.service import resolve_tags

    backends = _backends(seeded)
    if backend_index >= len(backends):
        pytest.skip("the PostgreSQL search backend runs on the PostgreSQL database only")
    b = backends[backend_index]
    try:
        assert _titles(b, text="second chance") == ["Give me one reason", "The Promise Of Normality"] or \
            set(_titles(b, text="second chance")) == {"Give me one reason", "The Promise Of Normality"}
        assert _titles(b, text='"Losing Jack"') == ["Losing Jack"]
        assert set(_titles(b, text="jack -ianto")) == set(_titles(b, text="jack")) - set(_titles(b, text="ianto"))
        assert "Losing Jack" not in _titles(b, text="torchwood -losing")
        assert set(_titles(b, text="goodbye OR valentine")) == {"Some Were Born to Sing the Blues",
                                                                "He Bared His Heart on Valentine's Day"}
        janto = resolve_tags(["Jack Harkness/Ianto Jones"])
        with_janto = set(_titles(b, include=tuple(janto)))
        assert len(with_janto) >= 3
        all_five = _titles(b, include=tuple(resolve_tags(["Doctor Who"])))  # a metatag covers Torchwood
        assert len(all_five) == 5
        assert _titles(b, exclude=tuple(resolve_tags(["Torchwood"]))) == []
        by_words = _titles(b, sort="words")
        assert len(by_words) == 5 and by_words[0] == "Give me one reason"
    finally:
        b.close()  # type: ignore[attr-defined]


def test_readme_search_command(seeded: object, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from fanshelf.cli import main

    if seeded.database_url:  # type: ignore[attr-defined]
        pytest.skip("the CLI test uses the SQLite data folder")
    res = CliRunner().invoke(main, ["--data", str(seeded.data_dir), "search", "Ianto", "--tag", "Torchwood",  # type: ignore[attr-defined]
                                    "--json"], env={"FANSHELF_DATABASE_URL": "", "FANSHELF_SEARCH": "tantivy"})
    assert res.exit_code == 0, res.output
    import json

    data = json.loads(res.output)
    assert data["total"] >= 3 and data["facets"]["fandom"][0]["name"] == "Torchwood"
