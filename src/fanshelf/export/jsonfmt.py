"""JSON export: ``{"format": "fanshelf-works", "version": 1, "works": [Work.to_dict(), ...]}``.

Each entry of ``works`` is exactly :meth:`fanshelf.model.Work.to_dict`, so a reader rebuilds the works
field for field. When the archive knows more (its id, the source, dates), an ``archive`` array parallel
to ``works`` carries it: ``{"id", "source", "updated", "complete", "chapters_expected"}`` per work.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from fanshelf.export.common import ExportFile, ExportInfo, safe_filename
from fanshelf.model import Work

__all__ = ["FORMAT_NAME", "VERSION", "dumps", "export_json", "export_json_bundle", "works_document"]

FORMAT_NAME = "fanshelf-works"
VERSION = 1


def works_document(works: Sequence[Work], infos: Sequence[ExportInfo | None] | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {"format": FORMAT_NAME, "version": VERSION, "works": [w.to_dict() for w in works]}
    if infos and any(i is not None for i in infos):
        doc["archive"] = [
            None if i is None else {"id": i.work_id, "source": i.source, "updated": i.updated,
                                    "complete": i.complete, "chapters_expected": i.chapters_expected}
            for i in infos]
    return doc


def dumps(doc: Any) -> bytes:
    """Pretty, stable JSON in UTF-8 (ASCII escapes only when the text holds lone surrogates)."""
    try:
        return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(doc, ensure_ascii=True, indent=2) + "\n").encode("ascii")


def export_json(work: Work, info: ExportInfo | None = None) -> ExportFile:
    return ExportFile(safe_filename(work, info, "json"), "application/json",
                      dumps(works_document([work], [info])))


def export_json_bundle(works: Sequence[Work], infos: Sequence[ExportInfo | None], filename: str) -> ExportFile:
    return ExportFile(filename, "application/json", dumps(works_document(works, infos)))
