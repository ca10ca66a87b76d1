"""``fanshelf tags``: the tag wrangling commands (a thin face over :mod:`fanshelf.archive.wrangling`).

Each changing command prints what changed and how many works were re-filtered, then brings the search
index up to date by draining the outbox (the outbox keeps the works pending if that cannot be done now:
the next ``fanshelf import`` or ``fanshelf reindex`` picks them up).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any

import click

from fanshelf.errors import FanshelfError

__all__ = ["tags"]

TYPE_HELP = "Tag type: fandom, character, relationship, freeform (additional), rating, warning or category."


def _configure(ctx: click.Context) -> None:
    from fanshelf.archive.config import configure

    obj = ctx.find_root().obj or {}
    configure(obj.get("data"))


def _fail(exc: FanshelfError) -> None:
    click.echo(f"fanshelf: {exc}", err=True)
    sys.exit(exc.exit_code)


def _type_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--type", "-t", "type_", metavar="TYPE", help=TYPE_HELP)(f)


def _works(n: int) -> str:
    return f"{n} work{'s' if n != 1 else ''} re-filtered"


def _update_index() -> None:
    """Drain the search outbox; when that cannot be done now, warn (the outbox keeps the works pending)."""
    try:
        from fanshelf.search.sync import drain, open_backend

        backend = open_backend()
    except (ImportError, FanshelfError) as exc:
        _not_indexed(exc)
        return
    try:
        drain(backend)
    except FanshelfError as exc:
        _not_indexed(exc)
    finally:
        backend.close()


def _not_indexed(exc: Exception) -> None:
    click.echo(f"warning: the search index was not updated ({exc}); the changed works stay queued for the "
               "next `fanshelf import` or `fanshelf reindex`", err=True)


def _run(ctx: click.Context, action: Callable[[], str], *, index: bool = True) -> None:
    """Configure, run one wrangling action (it imports the library and returns the message), report,
    update the search index."""
    try:
        _configure(ctx)
        message = action()
    except FanshelfError as exc:
        _fail(exc)
        return
    click.echo(message)
    if index:
        _update_index()


@click.group()
def tags() -> None:
    """Wrangle tags: list the unwrangled ones, make canonicals, merge synonyms, link metatags.

    A work filters by the canonical of each of its tags and all of that canonical's metatags, so
    searching for a canonical also finds its synonyms and subtags. NAME may be a tag's name (case and
    spacing ignored) or its id (as `tags list` shows it); use --type when a name is used by several types.
    """


@tags.command("list")
@_type_option
@click.option("--limit", "-n", type=click.IntRange(min=1), default=50, show_default=True,
              help="How many tags to show.")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many tags first.")
@click.option("--search", "-s", metavar="TEXT", help="Only tags whose name contains TEXT.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_context
def list_(ctx: click.Context, type_: str | None, limit: int, offset: int, search: str | None,
          as_json: bool) -> None:
    """List unwrangled tags (neither canonical nor a synonym), most used first."""
    try:
        _configure(ctx)
        from fanshelf.archive.wrangling import unwrangled

        rows = unwrangled(type_, limit=limit, offset=offset, search=search)
    except FanshelfError as exc:
        _fail(exc)
        return
    if as_json:
        click.echo(json.dumps([{"id": r.id, "type": r.type, "name": r.name, "uses": r.uses} for r in rows],
                              ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("No unwrangled tags" + (" match." if (type_ or search or offset) else "."))
        return
    from rich.console import Console
    from rich.table import Table

    from fanshelf.archive.wrangling import type_label

    table = Table(title="Unwrangled tags, most used first", title_justify="left")
    table.add_column("id", justify="right", style="dim")
    table.add_column("type")
    table.add_column("name", overflow="fold")
    table.add_column("uses", justify="right")
    for r in rows:
        table.add_row(str(r.id), type_label(r.type), r.name, f"{r.uses:,}")
    Console(highlight=False, soft_wrap=False).print(table)


@tags.command()
@click.argument("name")
@_type_option
@click.pass_context
def canonical(ctx: click.Context, name: str, type_: str | None) -> None:
    """Make the tag NAME canonical (a synonym leaves its canonical)."""
    def action() -> str:
        from fanshelf.archive import wrangling

        tag = wrangling.find_tag(name, type_)
        if tag.canonical:
            return f"{tag.name} is already canonical; nothing changed"
        was = tag.merger.name if tag.merger_id is not None else None
        n = wrangling.make_canonical(tag)
        left = f" (no longer a synonym of {was})" if was else ""
        return f"{tag.name} is now canonical{left}; {_works(n)}"

    _run(ctx, action)


@tags.command()
@click.argument("name")
@click.argument("into")
@_type_option
@click.pass_context
def merge(ctx: click.Context, name: str, into: str, type_: str | None) -> None:
    """Make NAME a synonym of the canonical tag INTO.

    When NAME was canonical, its synonyms and its meta and sub tags move to INTO.
    """
    def action() -> str:
        from fanshelf.archive import wrangling

        tag = wrangling.find_tag(name, type_)
        target = wrangling.find_tag(into, type_ or tag.type)
        if tag.merger_id == target.pk and not tag.canonical:
            return f"{tag.name} is already a synonym of {target.name}; nothing changed"
        synonyms = tag.synonyms.count() if tag.canonical else 0
        n = wrangling.merge(tag, target)
        moved = f" (with its {synonyms} synonym{'s' if synonyms != 1 else ''})" if synonyms else ""
        return f"{tag.name} is now a synonym of {target.name}{moved}; {_works(n)}"

    _run(ctx, action)


@tags.command()
@click.argument("sub")
@click.argument("meta")
@_type_option
@click.option("--remove", is_flag=True, help="Remove the link instead of adding it.")
@click.pass_context
def meta(ctx: click.Context, sub: str, meta: str, type_: str | None, remove: bool) -> None:
    """Make META a metatag of SUB (both canonical, same type): works tagged SUB also filter as META."""
    def action() -> str:
        from fanshelf.archive import wrangling

        sub_tag = wrangling.find_tag(sub, type_)
        meta_tag = wrangling.find_tag(meta, type_ or sub_tag.type)
        if remove:
            n = wrangling.remove_metatag(sub_tag, meta_tag)
            return f"{sub_tag.name} is no longer a subtag of {meta_tag.name}; {_works(n)}"
        n = wrangling.add_metatag(sub_tag, meta_tag)
        return f"{sub_tag.name} is now a subtag of {meta_tag.name}; {_works(n)}"

    _run(ctx, action)


@tags.command()
@click.argument("name")
@_type_option
@click.pass_context
def unwrangle(ctx: click.Context, name: str, type_: str | None) -> None:
    """Send the tag NAME back to unwrangled (a canonical also loses its meta and sub tags)."""
    def action() -> str:
        from fanshelf.archive import wrangling

        tag = wrangling.find_tag(name, type_)
        if not tag.wrangled:
            return f"{tag.name} is not wrangled; nothing changed"
        n = wrangling.unwrangle(tag)
        return f"{tag.name} is unwrangled again; {_works(n)}"

    _run(ctx, action)


@tags.command("load-taxonomy")
@click.pass_context
def load_taxonomy(ctx: click.Context) -> None:
    """Create the canonical tags of the bundled taxonomy (fandoms with their metatags, characters,
    relationships, additional tags). Existing tags are left as they are; running it again is harmless."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    def action() -> str:
        from fanshelf.archive.wrangling import load_taxonomy as load

        console = Console(stderr=True)
        start = time.perf_counter()
        with Progress(TextColumn("loading the taxonomy"), BarColumn(), MofNCompleteColumn(), console=console,
                      transient=True, disable=not console.is_terminal) as progress:
            task = progress.add_task("load", total=None)
            n = load(progress=lambda k: progress.advance(task, k))
        return f"{n:,} canonical tag{'s' if n != 1 else ''} created in {time.perf_counter() - start:.1f} s"

    _run(ctx, action, index=False)
