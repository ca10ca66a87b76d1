"""A small archive for the web tests: tests/fixtures/web imported into the ``archive`` fixture's database."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "web"


def make_site(archive):  # type: ignore[no-untyped-def]
    from django.core.cache import cache

    from fanshelf.archive.importer import Importer
    from fanshelf.web import data

    data.reset_backend()
    cache.clear()
    report = Importer().import_paths([FIXTURES])
    assert report.counts["created"] == 4, report.results
    return archive

