"""The ``fanshelf`` command line: a thin face over the library core."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from fanshelf import __version__
from fanshelf.errors import FanshelfError
from fanshelf.model import Work


class _Group(click.Group):
    """Turns database errors that escape a command (a lost server, a full disk) into a message."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if not type(exc).__module__.startswith(("django.db", "psycopg", "sqlite3")):
                raise
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            click.echo(f"fanshelf: database error: {first}", err=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fanshelf")
@click.option("--data", "data", metavar="DIR", envvar="FANSHELF_DATA", default=None,
              help="The archive's data folder (SQLite database and search index). Default: $FANSHELF_DATA or "
                   "~/.local/share/fanshelf. FANSHELF_DATABASE_URL=postgresql://… selects PostgreSQL.")
@click.pass_context
def main(ctx: click.Context, data: str | None) -> None:
    """Fanshelf: a self-hosted fanfiction archive.

    Turns fanfic posts as their writers typed them (LiveJournal and Dreamwidth posts, mailing-list mails,
    personal sites, old archives) into clean works in AO3's vocabulary: fandoms, rating, archive warnings,
    categories, relationships, characters, additional tags, summary, notes, series and challenges.
    """
    ctx.obj = {"data": data}


def _summary(work: Work, index: int, total: int) -> str:
    lines = []
    head = f"Work {index}/{total}: " if total > 1 else ""
    lines.append(f"{head}{work.title}" + (f" by {', '.join(work.creators)}" if work.creators else ""))

    def row(label: str, value: Any) -> None:
        if value:
            lines.append(f"  {label + ':':<18}{value}")

    row("Fandoms", ", ".join(work.fandoms))
    row("Rating", work.rating + (f" (written: {work.rating_raw})" if work.rating_raw else ""))
    row("Archive warnings", ", ".join(work.archive_warnings))
    row("Categories", ", ".join(work.categories))
    row("Relationships", ", ".join(work.relationships))
    row("Characters", ", ".join(work.characters))
    row("Additional tags", ", ".join(work.additional_tags))
    if work.challenge:
        ch = work.challenge
        row("Challenge", " / ".join(x for x in (ch.community, f"#{ch.number}" if ch.number else None,
                                                ch.prompt) if x))
    if work.series_part:
        sp = work.series_part
        row("Series", f"{sp.title or ''} part {sp.part}" + (f" of {sp.of}" if sp.of else ""))
    row("Published", work.published)
    words = f"{work.word_count:,}" + (f" (stated: {work.stated_word_count:,})" if work.stated_word_count else "")
    row("Words", words)
    row("Chapters", len(work.chapters) if len(work.chapters) > 1 else None)
    row("Summary", (work.summary or "").replace("\n", " ")[:200])
    row("Notes", (work.notes or "").replace("\n", " ")[:200])
    row("End notes", (work.end_notes or "").replace("\n", " ")[:200])
    for k, v in work.extra.items():
        row(k, v.replace("\n", " ")[:120])
    if work.chapters:
        first = work.chapters[0].text.strip().split("\n")[0]
        row("Story begins", first[:100] + ("…" if len(first) > 100 else ""))
    for w in work.warnings:
        lines.append(f"  ! {w}")
    return "\n".join(lines)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=str))
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON: for one FILE an array with one object per work; for several, an object "
                   "mapping each file to its array.")
def parse(files: tuple[str, ...], as_json: bool) -> None:
    """Parse fanfic posts and archives and print the works found in each FILE.

    Plain text and HTML posts, saved journal pages, journal XML exports, AO3 downloads, EPUBs, files
    with YAML front matter, eFiction pages and Fanshelf JSON are read (the kind is sniffed).

    The encoding is detected (UTF-8, Windows-1252, Latin-1). Without --json a readable summary is
    printed; with --json the documented work objects (see docs/parse.md). A file that cannot be read
    is reported on stderr and makes the exit status non-zero; the other files are still parsed.
    """
    from fanshelf.pipeline import parse_path

    failed = 0
    results: dict[str, list[dict[str, Any]]] = {}
    for path in files:
        try:
            works = parse_path(path)
        except FanshelfError as exc:
            click.echo(f"fanshelf: {path}: {exc}", err=True)
            failed = max(failed, exc.exit_code)
            continue
        if as_json:
            results[path] = [w.to_dict() for w in works]
        else:
            if len(files) > 1:
                click.echo(f"== {path}")
            for i, w in enumerate(works, 1):
                click.echo(_summary(w, i, len(works)))
            click.echo()
    if as_json:
        payload: Any = next(iter(results.values())) if len(files) == 1 else results
        if results or len(files) > 1:
            click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    if failed:
        sys.exit(failed)


@main.command()
def demo() -> None:
    """Parse the bundled example posts and print what Fanshelf finds in them."""
    from importlib.resources import files as res_files

    from fanshelf.pipeline import parse_bytes

    folder = res_files("fanshelf") / "examples"
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith((".txt", ".html", ".htm")):
            continue
        click.echo(f"== {entry.name}")
        works = parse_bytes(entry.read_bytes(), entry.name)
        for i, w in enumerate(works, 1):
            click.echo(_summary(w, i, len(works)))
        click.echo()


from fanshelf.cli_archive import import_, reindex, search  # noqa: E402  (the archive's commands)

main.add_command(import_)
main.add_command(search)
main.add_command(reindex)
from fanshelf.cli_export import export  # noqa: E402  (fanshelf export)

main.add_command(export)
from fanshelf.cli_web import serve  # noqa: E402  (the web server)

main.add_command(serve)
try:
    from fanshelf.cli_tags import tags

    main.add_command(tags)
except ImportError:  # pragma: no cover
    pass

if __name__ == "__main__":  # pragma: no cover
    main()
