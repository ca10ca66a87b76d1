"""The archive's commands: ``fanshelf import``, ``fanshelf search``, ``fanshelf reindex``.

Thin: each parses options, configures the archive and calls the library; errors of the one hierarchy
(:class:`~fanshelf.errors.FanshelfError`) become a message on stderr and their exit code.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from fanshelf.errors import FanshelfError

F = TypeVar("F", bound=Callable[..., Any])


def _configure(ctx: click.Context) -> Any:
    from fanshelf.archive.config import configure

    obj = ctx.find_root().obj or {}
    return configure(obj.get("data"))


def _fail(exc: FanshelfError) -> None:
    click.echo(f"fanshelf: {exc}", err=True)
    sys.exit(exc.exit_code)


STYLE = {"created": "green", "updated": "cyan", "unchanged": "dim", "failed": "red"}


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--bulk", is_flag=True, help="Large imports: parse in parallel, store batches of posts per "
              "transaction, update the search index less often.")
@click.option("--quiet", "-q", is_flag=True, help="Print only failures and the summary.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per file, then a summary object.")
@click.option("--mapping", type=click.Path(dir_okay=False, path_type=str), metavar="FILE",
              help="A YAML file mapping your front-matter keys and tag prefixes to AO3 fields (docs/formats.md).")
@click.option("--include-private", is_flag=True, help="Also import private and friends-only entries of "
              "journal exports (skipped by default).")
@click.pass_context
def import_(ctx: click.Context, paths: tuple[str, ...], bulk: bool, quiet: bool, as_json: bool,
            mapping: str | None = None, include_private: bool = False) -> None:
    """Import posts from files, folders (recursively) and .zip archives into the archive.

    Re-importing is safe: posts whose bytes are unchanged are skipped, changed ones are updated in place.
    Each file's outcome is reported as created, updated, unchanged or failed (with the reason); a bad
    file never stops the others. Exit status 1 when any file failed.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    try:
        from fanshelf.ingest import ReadOptions
        from fanshelf.ingest.frontmatter import load_mapping

        read_options = ReadOptions(include_private=include_private,
                                   mapping=load_mapping(mapping) if mapping else None)
        _configure(ctx)
        from fanshelf.archive.importer import FileResult, Importer

        console = Console(stderr=as_json)
        progress = Progress(TextColumn("importing"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[rate]:>9}"), TimeRemainingColumn(), console=console,
                            transient=True, disable=not console.is_terminal)
        task = progress.add_task("import", total=None, rate="")
        start = dt.datetime.now()

        def on_total(n: int) -> None:
            progress.update(task, total=n)

        def on_result(r: FileResult) -> None:
            done = progress.tasks[0].completed + 1
            secs = max((dt.datetime.now() - start).total_seconds(), 1e-6)
            progress.update(task, advance=1, rate=f"{done / secs:,.0f}/s")
            if as_json:
                click.echo(json.dumps({"location": r.location, "outcome": r.outcome, "reason": r.reason,
                                       "works": r.work_ids}, ensure_ascii=False))
            elif r.outcome == "failed":
                progress.console.print(f"[red]failed[/red]    {r.location}: {r.reason}", highlight=False,
                                       markup=True, soft_wrap=True)
            elif not quiet:
                progress.console.print(f"[{STYLE[r.outcome]}]{r.outcome:<10}[/]{r.location}"
                                       + (f" ({r.works} works)" if r.works > 1 else ""), highlight=False,
                                       soft_wrap=True)

        with progress:
            report = Importer(bulk=bulk, on_result=on_result, on_total=on_total,
                              read_options=read_options).import_paths(list(paths))
    except FanshelfError as exc:
        _fail(exc)
        return
    c = report.counts
    summary = (f"{len(report.results)} files in {report.seconds:.1f} s: {c['created']} created, "
               f"{c['updated']} updated, {c['unchanged']} unchanged, {c['failed']} failed")
    if report.skipped:
        kinds = sorted({os.path.splitext(p)[1].lower() or p for p in report.skipped})
        summary += f"; {len(report.skipped)} files skipped as not posts ({', '.join(kinds[:6])})"
    if as_json:
        click.echo(json.dumps({"summary": c, "files": len(report.results), "seconds": round(report.seconds, 3),
                               "skipped": report.skipped, "run": report.run_id}))
    else:
        click.echo(summary)
    if report.failed:
        sys.exit(1)


@click.command()
@click.argument("query", required=False, default="")
@click.option("--tag", "-t", "include", multiple=True, metavar="NAME", help="Only works with this tag "
              "(any type; a canonical covers its synonyms and subtags). Repeatable.")
@click.option("--exclude", "-x", multiple=True, metavar="NAME", help="No works with this tag. Repeatable.")
@click.option("--complete/--incomplete", default=None, help="Completion status.")
@click.option("--crossover", type=click.Choice(["include", "exclude", "only"]), default="include")
@click.option("--single-chapter", is_flag=True)
@click.option("--words-from", type=int)
@click.option("--words-to", type=int)
@click.option("--updated-from", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--updated-to", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--language")
@click.option("--sort", type=click.Choice(["best", "creator", "title", "posted", "updated", "words", "hits",
                                           "kudos", "comments", "bookmarks"]))
@click.option("--order", type=click.Choice(["asc", "desc"]))
@click.option("--page", type=int, default=1)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (works and facets).")
@click.pass_context
def search(ctx: click.Context, query: str, include: tuple[str, ...], exclude: tuple[str, ...],
           complete: bool | None, crossover: str, single_chapter: bool, words_from: int | None,
           words_to: int | None, updated_from: dt.datetime | None, updated_to: dt.datetime | None,
           language: str | None, sort: str | None, order: str | None, page: int, as_json: bool) -> None:
    """Search the archive as on AO3: QUERY is free text (AND by default; "phrases", OR, NOT or -word;
    words>1000, kudos>10, sort:words, creator:NAME, m/m), the options filter.

    Prints 20 works a page and the top tags of each type (facets) with their counts.
    """
    try:
        _configure(ctx)
        from fanshelf.search.base import SearchRequest
        from fanshelf.search.service import resolve_tags, run_search
        from fanshelf.search.sync import drain, open_backend

        backend = open_backend()
        try:
            drain(backend)
            req = SearchRequest(
                text=query, include=tuple(resolve_tags(list(include))), exclude=tuple(resolve_tags(list(exclude))),
                complete=complete, crossover=crossover, single_chapter=single_chapter, words_from=words_from,
                words_to=words_to, updated_from=updated_from.date() if updated_from else None,
                updated_to=updated_to.date() if updated_to else None, language=language, sort=sort, order=order,
                page=page)
            named = run_search(backend, req)
        finally:
            backend.close()
    except FanshelfError as exc:
        _fail(exc)
        return
    if as_json:
        click.echo(json.dumps(named.to_dict(), ensure_ascii=False, indent=2))
        return
    r = named.result
    first = (r.page - 1) * r.per_page + 1
    click.echo(f"{r.total:,} works" + (f", {first}–{first + len(r.ids) - 1} shown" if r.ids else "")
               + f" (sort: {r.sort} {r.order})")
    for w in named.works:
        by = f" by {', '.join(w['creators'])}" if w["creators"] else ""
        fandoms = ", ".join(w["tags"].get("Fandom", []))
        click.echo(f"  #{w['id']:<7} {w['title']}{by} [{fandoms}] {w['words']:,} words, "
                   f"updated {w['updated_at'][:10]}")
    for kind, counts in named.facets.items():
        if counts:
            click.echo(f"{kind}: " + ", ".join(f"{c['name']} ({c['count']})" for c in counts))


@click.command()
@click.option("--check", is_flag=True, help="Only compare the index with the database; exit 1 on divergence.")
@click.pass_context
def reindex(ctx: click.Context, check: bool) -> None:
    """Rebuild the search index from the database (or, with --check, look for divergence)."""
    try:
        _configure(ctx)
        from fanshelf.search import sync

        backend = sync.open_backend(recreate=not check)
        try:
            if check:
                d = sync.check(backend)
                click.echo(f"{d.works:,} works in the database, {d.indexed:,} in the index, {d.pending:,} "
                           f"waiting in the outbox; missing {len(d.missing)}, stale {len(d.stale)}, "
                           f"extra {len(d.extra)}")
                if not d.ok:
                    for label, ids in (("missing", d.missing), ("stale", d.stale), ("extra", d.extra)):
                        if ids:
                            click.echo(f"  {label}: " + ", ".join(map(str, ids[:20]))
                                       + (" …" if len(ids) > 20 else ""))
                    click.echo("the index has diverged: run `fanshelf reindex`", err=True)
                    sys.exit(1)
                return
            n = sync.rebuild(backend)
        finally:
            backend.close()
    except FanshelfError as exc:
        _fail(exc)
        return
    click.echo(f"reindexed {n:,} works")
