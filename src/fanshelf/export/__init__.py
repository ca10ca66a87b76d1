"""Exports: core :class:`~fanshelf.model.Work` objects in, files out (pure: no Django, no I/O).

Formats (see docs/export.md):

``epub``      EPUB 3 in AO3's download markup, with the metadata Calibre reads (:mod:`.epub`)
``html``      one HTML file in AO3's download markup (:mod:`.ao3html`)
``md``        Markdown with YAML front matter, in the shape of an AO3 backup (:mod:`.markdown`)
``json``      ``{"format": "fanshelf-works", "version": 1, "works": [Work.to_dict(), ...]}`` (:mod:`.jsonfmt`)
``ao3-json``  AO3 import API entries, fitted to AO3's limits, with the issues found (:mod:`.ao3`)
``ao3-csv``   the same as one CSV row per work, without chapter text (:mod:`.ao3`)

:func:`export_work` gives one work's file; :func:`export_bundle` many works as one file: a zip of
per-work files for ``epub``, ``html`` and ``md``, one document for the others. Every output is
deterministic (same works, same bytes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fanshelf.export.ao3 import Issue, check_limits, export_ao3_csv, export_ao3_json
from fanshelf.export.ao3html import export_html
from fanshelf.export.common import ExportError, ExportFile, ExportInfo, safe_filename, unique_names, zip_bytes
from fanshelf.export.epub import export_epub
from fanshelf.export.jsonfmt import export_json, export_json_bundle
from fanshelf.export.markdown import export_markdown, html_to_markdown
from fanshelf.model import Work

__all__ = [
    "FORMATS",
    "PER_WORK_FORMATS",
    "ExportError",
    "ExportFile",
    "ExportInfo",
    "Issue",
    "check_limits",
    "export_bundle",
    "export_files",
    "export_work",
    "html_to_markdown",
    "safe_filename",
]

FORMATS = ("epub", "html", "md", "json", "ao3-json", "ao3-csv")
PER_WORK_FORMATS = ("epub", "html", "md")  # a bundle of these is a zip of one file per work

_ONE: dict[str, Callable[[Work, ExportInfo | None], ExportFile]] = {
    "epub": export_epub,
    "html": export_html,
    "md": export_markdown,
    "json": export_json,
    "ao3-json": lambda w, i: export_ao3_json([w], [i]),
    "ao3-csv": lambda w, i: export_ao3_csv([w], [i]),
}


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})")


def _infos(works: Sequence[Work], infos: Sequence[ExportInfo | None] | None) -> list[ExportInfo | None]:
    if infos is None:
        return [None] * len(works)
    if len(infos) != len(works):
        raise ValueError("infos must be as many as works")
    return list(infos)


def export_work(work: Work, fmt: str, info: ExportInfo | None = None) -> ExportFile:
    """One work as one file of format ``fmt``."""
    _check_format(fmt)
    return _ONE[fmt](work, info)


def export_files(works: Sequence[Work], fmt: str, infos: Sequence[ExportInfo | None] | None = None
                 ) -> list[ExportFile]:
    """One file per work, with file names made unique among them."""
    _check_format(fmt)
    files = [_ONE[fmt](w, i) for w, i in zip(works, _infos(works, infos), strict=True)]
    names = unique_names(f.filename for f in files)
    return [ExportFile(n, f.media_type, f.data) for n, f in zip(names, files, strict=True)]


def export_bundle(works: Sequence[Work], fmt: str, infos: Sequence[ExportInfo | None] | None = None,
                  *, name: str = "fanshelf-export") -> ExportFile:
    """Many works as one file: ``NAME-FMT.zip`` of per-work files (epub, html, md), or one
    ``NAME.json`` / ``NAME.ao3.json`` / ``NAME.ao3.csv`` document. ``name`` must be a safe file stem."""
    _check_format(fmt)
    if not works:
        raise ExportError("nothing to export: no works")
    inf = _infos(works, infos)
    if fmt in PER_WORK_FORMATS:
        files = export_files(works, fmt, inf)
        return ExportFile(f"{name}-{fmt}.zip", "application/zip",
                          zip_bytes((f.filename, f.data, fmt != "epub") for f in files))
    if fmt == "json":
        return export_json_bundle(works, inf, f"{name}.json")
    if fmt == "ao3-json":
        return export_ao3_json(works, inf, f"{name}.ao3.json")
    return export_ao3_csv(works, inf, f"{name}.ao3.csv")
