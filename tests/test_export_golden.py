"""Golden files: one EPUB's package document, navigation and preface, and one HTML export, byte for byte.

After an intended change of the output, rewrite them with
``FANSHELF_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_export_golden.py`` and review the diff.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from fanshelf.export import export_work
from test_export_samples import RICH_INFO, rich_work

GOLDEN = Path(__file__).parent / "golden" / "export"


def _epub_member(name: str) -> bytes:
    data = export_work(rich_work(), "epub", RICH_INFO).data
    return zipfile.ZipFile(io.BytesIO(data)).read(f"OEBPS/{name}")


CASES = {
    "content.opf": lambda: _epub_member("content.opf"),
    "nav.xhtml": lambda: _epub_member("nav.xhtml"),
    "preface.xhtml": lambda: _epub_member("preface.xhtml"),
    "chapter-001.xhtml": lambda: _epub_member("chapter-001.xhtml"),
    "work.html": lambda: export_work(rich_work(), "html", RICH_INFO).data,
}


@pytest.mark.parametrize("name", list(CASES))
def test_golden(name: str) -> None:
    got = CASES[name]()
    path = GOLDEN / name
    if os.environ.get("FANSHELF_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(got)
    assert path.exists(), f"{path} is missing: run with FANSHELF_UPDATE_GOLDEN=1 to write it"
    assert got.decode() == path.read_text(encoding="utf-8")
