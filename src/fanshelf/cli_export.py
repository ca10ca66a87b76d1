"""``fanshelf export``: works from the archive as EPUB, HTML, Markdown, JSON or AO3-import files.

Thin: picks the works (ids, or every hit of a search), loads them (:mod:`fanshelf.archive.export`),
calls the pure exporters (:mod:`fanshelf.export`) and writes the files.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from fanshelf.errors import FanshelfError

if TYPE_CHECKING:
    from fanshelf.export import ExportInfo
    from fanshelf.model import Work

_EXT = {"epub": ".epub", "html": ".html", "md": ".md", "json": ".json", "ao3-json": ".json", "ao3-csv": ".csv"}


def _write(path: Path, data: bytes) -> None:
    """Write atomically: a temporary file beside the target, renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".fanshelf-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _search_ids(query: str, include: tuple[str, ...], exclude: tuple[str, ...], complete: bool | None,
                language: str | None, limit: int | None) -> list[int]:
    from fanshelf.search.base import PAGE_CAP, SearchRequest
    from fanshelf.search.service import resolve_tags, run_search
    from fanshelf.search.sync import drain, open_backend

    backend = open_backend()
    ids: list[int] = []
    try:
        drain(backend)
        page = 1
        while True:
            req = SearchRequest(text=query, include=tuple(resolve_tags(list(include))),
                                exclude=tuple(resolve_tags(list(exclude))), complete=complete,
                                language=language, page=page, per_page=PAGE_CAP, facets=False)
            result = run_search(backend, req).result
            ids += result.ids
            if not result.ids or len(ids) >= result.total or (limit and len(ids) >= limit):
                break
            page += 1
    finally:
        backend.close()
    return ids[:limit] if limit else ids


@click.command("export")
@click.argument("work_ids", nargs=-1, type=int)
@click.option("--search", "query", metavar="QUERY", default=None,
              help='Export every work this search finds (AO3 query language; "" for all works).')
@click.option("--tag", "-t", "include", multiple=True, metavar="NAME", help="With --search: only works with "
              "this tag (a canonical covers its synonyms and subtags). Repeatable.")
@click.option("--exclude", "-x", multiple=True, metavar="NAME", help="With --search: no works with this tag.")
@click.option("--complete/--incomplete", default=None, help="With --search: completion status.")
@click.option("--language", help="With --search: only works in this language.")
@click.option("--limit", type=click.IntRange(min=1), help="With --search: at most this many works.")
@click.option("--format", "fmt", required=True,
              type=click.Choice(["epub", "html", "md", "json", "ao3-json", "ao3-csv"]),
              help="epub, html (AO3 download markup), md (Markdown + YAML front matter), json (fanshelf-works), "
                   "ao3-json / ao3-csv (AO3 import, within AO3's limits).")
@click.option("--out", "out", required=True, metavar="PATH",
              help="A file (FILE.epub, FILE.json...: one work, or the one document of json/ao3-json/ao3-csv), "
                   "FILE.zip (a zip of one file per work), a folder (created; one file per work), or - "
                   "for standard output.")
@click.pass_context
def export(ctx: click.Context, work_ids: tuple[int, ...], query: str | None, include: tuple[str, ...],
           exclude: tuple[str, ...], complete: bool | None, language: str | None, limit: int | None,
           fmt: str, out: str) -> None:
    """Export works: WORK_ID... or every hit of --search QUERY, as --format to --out.

    \b
    fanshelf export 12 --format epub --out book.epub
    fanshelf export --search "jack ianto" --tag Torchwood --format epub --out torchwood.zip
    fanshelf export --search "" --format ao3-csv --out everything.csv
    """
    from fanshelf.cli_archive import _configure, _fail

    if bool(work_ids) == (query is not None):
        raise click.UsageError("give WORK_IDs or --search QUERY (one of them)")
    if query is None and (include or exclude or complete is not None or language or limit):
        raise click.UsageError("--tag, --exclude, --complete, --language and --limit go with --search")
    try:
        _configure(ctx)
        from fanshelf.archive.export import load_works
        from fanshelf.export import PER_WORK_FORMATS, ExportError, export_bundle, export_files, export_work

        ids = list(work_ids) if work_ids else _search_ids(query or "", include, exclude, complete, language,
                                                           limit)
        if not ids:
            raise ExportError("nothing to export: the search found no works")
        loaded = load_works(ids)
        works = [w for w, _i in loaded]
        infos = [i for _w, i in loaded]
        target = Path(out)
        suffix = target.suffix.lower()
        written: list[tuple[str, int]] = []
        if out == "-":
            if len(works) > 1 and fmt in PER_WORK_FORMATS:
                raise ExportError(f"{len(works)} works cannot go to standard output as {fmt}: give --out "
                                  "FILE.zip or a folder")
            f = export_work(works[0], fmt, infos[0]) if len(works) == 1 else export_bundle(works, fmt, infos)
            sys.stdout.buffer.write(f.data)
            sys.stdout.buffer.flush()
            written.append(("-", len(f.data)))
        elif suffix == ".zip":
            f = export_bundle(works, fmt, infos, name=_stem(target))
            if fmt not in PER_WORK_FORMATS:
                from fanshelf.export.common import zip_bytes

                f = type(f)(target.name, "application/zip", zip_bytes([(f.filename, f.data, True)]))
            _write(target, f.data)
            written.append((str(target), len(f.data)))
        elif suffix == _EXT[fmt] and not target.is_dir():
            if fmt in PER_WORK_FORMATS and len(works) > 1:
                raise ExportError(f"{len(works)} works cannot go into one {suffix} file: give --out FILE.zip "
                                  "or a folder")
            f = export_work(works[0], fmt, infos[0]) if len(works) == 1 else export_bundle(works, fmt, infos)
            _write(target, f.data)
            written.append((str(target), len(f.data)))
        else:
            if target.exists() and not target.is_dir():
                raise ExportError(f"{target} exists and is not a folder (for a file, name it *{_EXT[fmt]} "
                                  "or *.zip)")
            files = (export_files(works, fmt, infos) if fmt in PER_WORK_FORMATS
                     else [export_bundle(works, fmt, infos)])
            for f in files:
                _write(target / f.filename, f.data)
                written.append((str(target / f.filename), len(f.data)))
        if fmt in ("ao3-json", "ao3-csv"):
            _report_limits(works, infos)
    except FanshelfError as exc:
        _fail(exc)
        return
    except OSError as exc:
        click.echo(f"fanshelf: cannot write {out}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    total = sum(n for _p, n in written)
    where = written[0][0] if len(written) == 1 else f"{len(written)} files in {out}"
    click.echo(f"exported {len(works)} work{'s' if len(works) != 1 else ''} as {fmt} to {where} "
               f"({total / 1e6:.2f} MB)", err=out == "-")


def _stem(path: Path) -> str:
    from fanshelf.export.common import slugify

    return slugify(path.stem) or "fanshelf-export"


def _report_limits(works: list[Work], infos: list[ExportInfo]) -> None:
    from fanshelf.export import check_limits

    over = [(i, w, check_limits(w)) for w, i in zip(works, infos, strict=True)]
    over = [(i, w, issues) for i, w, issues in over if issues]
    if not over:
        click.echo("every work is within AO3's limits", err=True)
        return
    click.echo(f"{len(over)} work{'s' if len(over) != 1 else ''} went over AO3's limits (fitted in the export):",
               err=True)
    for info, work, issues in over:
        click.echo(f"  #{info.work_id} {work.title}", err=True)
        for issue in issues:
            click.echo(f"      {issue.action}: {issue.message}", err=True)
