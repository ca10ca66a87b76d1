from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(Path(__file__).resolve().parent))


def require_shared(sub: str = "") -> Path:
    """The ../shared folder, or a loud skip (an error under CI, which must have it)."""
    path = SHARED / sub
    if path.exists():
        return path
    msg = f"ACCEPTANCE TEST NOT RUN: {path} is absent (it holds the seeds and real data beside the repo)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(msg + "; CI must have it")
    pytest.skip(msg)


# ----------------------------------------------------------------------------- archive databases
# Every storage and search test runs on SQLite and on PostgreSQL. PostgreSQL comes from
# FANSHELF_TEST_DATABASE_URL (``.ci/run`` starts a throwaway cluster and sets it); each test gets a fresh
# database cloned from a migrated template, and a fresh SQLite file copied from a migrated one.
PG_ENV = "FANSHELF_TEST_DATABASE_URL"
DB_KINDS = ["sqlite", "postgres"]


def pg_base_url() -> str:
    url = os.environ.get(PG_ENV, "")
    if url:
        return url
    msg = f"POSTGRESQL TESTS NOT RUN: set {PG_ENV} (scripts/pg-throwaway.sh start DIR prints one)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(msg + "; CI must run them")
    pytest.skip(msg)


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(pg_base_url(), autocommit=True) as conn:
        conn.execute(sql)


def _with_db(url: str, name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


class _Templates:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.sqlite: Path | None = None
        self.pg: str | None = None
        self.counter = 0


@pytest.fixture(scope="session")
def _db_templates(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    t = _Templates(tmp_path_factory.mktemp("db-templates"))
    yield t
    if t.pg:
        from django.db import connections

        connections.close_all()
        _pg_admin(f'DROP DATABASE IF EXISTS "{t.pg}"')


def fresh_archive(kind: str, data_dir: Path, templates: _Templates):  # type: ignore[no-untyped-def]
    """Configure the archive on a fresh, migrated database of this kind, data in data_dir."""
    import shutil

    from django.db import connections

    from fanshelf.archive.config import configure

    if kind == "sqlite":
        if templates.sqlite is None:
            tdir = templates.root / "sqlite"
            configure(tdir, database_url="")
            connections.close_all()
            templates.sqlite = tdir / "fanshelf.sqlite3"
        data_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(templates.sqlite, data_dir / "fanshelf.sqlite3")
        return configure(data_dir, database_url="", search_backend="tantivy", migrate=False)
    base = pg_base_url()
    if templates.pg is None:
        name = f"fanshelf_tmpl_{os.getpid()}"
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}"')
        _pg_admin(f'CREATE DATABASE "{name}"')
        configure(templates.root / "pg", database_url=_with_db(base, name))
        connections.close_all()
        templates.pg = name
    templates.counter += 1
    name = f"fanshelf_t_{os.getpid()}_{templates.counter}"
    connections.close_all()
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}"')
    _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{templates.pg}"')
    return configure(data_dir, database_url=_with_db(base, name), search_backend="tantivy", migrate=False)


def drop_archive(cfg) -> None:  # type: ignore[no-untyped-def]
    from django.db import connections

    connections.close_all()
    if cfg.database_url:
        name = cfg.database_url.rsplit("/", 1)[-1]
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=DB_KINDS)
def archive(request: pytest.FixtureRequest, tmp_path: Path, _db_templates: _Templates):  # type: ignore[no-untyped-def]
    """A configured, empty archive on SQLite and on PostgreSQL (data folder: tmp_path / "data")."""
    cfg = fresh_archive(request.param, tmp_path / "data", _db_templates)
    yield cfg
    drop_archive(cfg)


def pytest_configure(config: pytest.Config) -> None:
    """Set Django up before test modules import the archive's models (each test then picks its database)."""
    import tempfile

    from fanshelf.archive.config import configure

    configure(Path(tempfile.mkdtemp(prefix="fanshelf-boot-")), database_url="", search_backend="tantivy",
              migrate=False)


# ---------------------------------------------------------------------------------------- web tests


@pytest.fixture
def site(archive):  # type: ignore[no-untyped-def]
    """The four-work web archive of tests/fixtures/web (tests/web_site.py)."""
    from web_site import make_site

    return make_site(archive)


@pytest.fixture
def client():  # type: ignore[no-untyped-def]
    """Django's in-process test client."""
    from django.test import Client

    return Client()
