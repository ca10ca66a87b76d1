"""``fanshelf serve``: the archive on the web, under gunicorn (static files by whitenoise)."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from fanshelf.errors import FanshelfError


def _loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1", "[::1]")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Worker processes (default: 2 × CPU cores).")
@click.option("--threads", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Threads per worker (more than 1 selects gunicorn's gthread workers).")
@click.option("--allowed-host", "allowed", multiple=True, metavar="NAME",
              help="A host name the site answers to (repeatable; also FANSHELF_ALLOWED_HOSTS). Default: "
                   "the loopback names and --host.")
@click.option("--timeout", default=60, show_default=True, type=click.IntRange(5, 3600),
              help="Seconds a request may take (imports of large uploads take longest).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int | None, threads: int, allowed: tuple[str, ...],
          timeout: int) -> None:
    """Serve the archive on the web (a production server: gunicorn, not Django's runserver).

    Pages for browsing, searching, reading and importing, with a JSON twin of every listing and work
    page (described at /openapi.json). Binds 127.0.0.1:8000 by default; put a TLS-terminating proxy in
    front of it to publish it. The Django admin (tag wrangling) is at /admin/.
    """
    hosts = [h for h in os.environ.get("FANSHELF_ALLOWED_HOSTS", "").split(",") if h.strip()]
    hosts += list(allowed)
    if hosts or not _loopback(host):
        base = ["127.0.0.1", "localhost", "[::1]"]
        if host not in ("0.0.0.0", "::"):
            base.append(host if ":" not in host else f"[{host}]")
        os.environ["FANSHELF_ALLOWED_HOSTS"] = ",".join(dict.fromkeys([*base, *hosts]))
    try:
        from fanshelf.archive.config import configure

        obj = ctx.find_root().obj or {}
        cfg = configure(obj.get("data"))
        _prepare()
    except FanshelfError as exc:
        click.echo(f"fanshelf: {exc}", err=True)
        sys.exit(exc.exit_code)
    if host in ("0.0.0.0", "::") and not hosts:
        click.echo("fanshelf: note: only requests for the loopback names are answered; name the public host "
                   "with --allowed-host NAME", err=True)
    n = workers or 2 * (os.cpu_count() or 1)
    click.echo(f"Fanshelf serving {cfg.data_dir} on http://{host}:{port}/ ({n} workers"
               + (f" × {threads} threads" if threads > 1 else "") + "); Ctrl-C stops it", err=True)
    _run({"bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}", "workers": n, "threads": threads,
             "worker_class": "gthread" if threads > 1 else "sync", "timeout": timeout, "preload_app": True,
             "accesslog": "-", "errorlog": "-", "loglevel": "info", "limit_request_line": 8190,
             "forwarded_allow_ips": "127.0.0.1"})


def _prepare() -> None:
    """Collect the static files (hashed names) and open the search index once, to fail early."""
    from django.core.management import call_command
    from django.db import connections

    call_command("collectstatic", interactive=False, verbosity=0)
    from fanshelf.search.sync import open_backend

    open_backend().close()
    connections.close_all()  # never share a connection with the forked workers


def _application() -> Any:
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def _run(options: dict[str, Any]) -> None:
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return _application()

    Server().run()
