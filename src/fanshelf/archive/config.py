"""Configure Django for Fanshelf as a library: one data folder, SQLite (WAL) or PostgreSQL.

``configure()`` is called by every face (CLI, web, tests) before touching the models. The data folder
(``--data DIR`` / ``FANSHELF_DATA``, default ``~/.local/share/fanshelf``) holds the SQLite database
``fanshelf.sqlite3`` and the search index ``index/``. ``FANSHELF_DATABASE_URL`` (``postgresql://…``)
selects PostgreSQL instead of SQLite; the search index stays in the data folder.
"""

from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from fanshelf.errors import FanshelfError

__all__ = ["ArchiveConfig", "ConfigError", "DatabaseUnavailable", "configure", "current", "database_settings", "default_data_dir"]

_LOCK = threading.Lock()
_CURRENT: ArchiveConfig | None = None


class ConfigError(FanshelfError):
    """The data folder or database URL cannot be used."""

    exit_code = 2


@dataclass(frozen=True)
class ArchiveConfig:
    data_dir: Path
    database_url: str | None  # None: SQLite in data_dir
    search_backend: str  # "tantivy" or "postgres"

    @property
    def vendor(self) -> str:
        return "postgresql" if self.database_url else "sqlite"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "fanshelf.sqlite3"


def default_data_dir() -> Path:
    env = os.environ.get("FANSHELF_DATA")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "fanshelf"


def database_settings(cfg: ArchiveConfig) -> dict[str, Any]:
    """Django's ``DATABASES["default"]`` for a configuration."""
    if cfg.database_url is None:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(cfg.sqlite_path),
            "OPTIONS": {
                # WAL: readers never block the writer; NORMAL is durable against a killed process.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY; "
                # the write-ahead log is truncated back to 64 MB after checkpoints (long imports)
                "PRAGMA journal_size_limit=67108864",
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
            "CONN_MAX_AGE": None,  # one connection per thread (the web server's workers keep theirs)
        }
    url = urlsplit(cfg.database_url)
    if url.scheme not in ("postgres", "postgresql", "postgresql+psycopg"):
        raise ConfigError(f"FANSHELF_DATABASE_URL must be a postgresql:// URL, not {url.scheme or 'empty'}://")
    name = unquote(url.path.lstrip("/"))
    if not name:
        raise ConfigError("FANSHELF_DATABASE_URL names no database (postgresql://user@host:port/NAME)")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(url.username or ""),
        "PASSWORD": unquote(url.password or ""),
        "HOST": url.hostname or "",
        "PORT": str(url.port or ""),
        "CONN_MAX_AGE": None,
    }


def secret_key(data_dir: Path) -> str:
    """``FANSHELF_SECRET_KEY``, else a random key kept in ``DATA/secret_key`` (made once, mode 600)."""
    env = os.environ.get("FANSHELF_SECRET_KEY")
    if env:
        return env
    path = data_dir / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    import secrets

    key = secrets.token_urlsafe(50)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    return key


def allowed_hosts() -> list[str]:
    """``FANSHELF_ALLOWED_HOSTS`` (comma separated), else the loopback names."""
    env = os.environ.get("FANSHELF_ALLOWED_HOSTS", "")
    hosts = [h.strip() for h in env.split(",") if h.strip()]
    return hosts or ["127.0.0.1", "localhost", "[::1]", "testserver"]


MAX_UPLOAD_MB = 64


def django_settings(cfg: ArchiveConfig, db: dict[str, Any]) -> dict[str, Any]:
    """Every Django setting of Fanshelf (the library, the admin and the web app)."""
    web = Path(__file__).resolve().parent.parent / "web"
    with contextlib.suppress(OSError):
        (cfg.data_dir / "static").mkdir(exist_ok=True)  # whitenoise looks there (filled by `fanshelf serve`)
    return dict(
        DEBUG=False,  # always: errors are friendly pages, never tracebacks
        SECRET_KEY=secret_key(cfg.data_dir),
        ALLOWED_HOSTS=allowed_hosts(),
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "django.contrib.admin",
            "django.contrib.sessions",
            "django.contrib.messages",
            "django.contrib.staticfiles",
            "fanshelf.archive",
        ],
        MIDDLEWARE=[
            "fanshelf.web.middleware.SecurityHeadersMiddleware",
            "django.middleware.security.SecurityMiddleware",
            "whitenoise.middleware.WhiteNoiseMiddleware",
            "fanshelf.web.middleware.UploadLimitMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
            "fanshelf.web.middleware.AdminIndexMiddleware",
        ],
        ROOT_URLCONF="fanshelf.web.urls",
        TEMPLATES=[{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [str(web / "templates")],
            "APP_DIRS": True,  # the admin's templates; DEBUG off: the cached loader
            "OPTIONS": {"context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fanshelf.web.views.site_context",
            ], "builtins": ["fanshelf.web.templatetags"]},
        }],
        STATIC_URL="/static/",
        STATIC_ROOT=str(cfg.data_dir / "static"),
        STATICFILES_DIRS=[str(web / "static")],
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "fanshelf.web.storage.StaticStorage"},
        },
        WHITENOISE_MAX_AGE=3600,
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                            "OPTIONS": {"MAX_ENTRIES": 2000}}},
        SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        CSRF_COOKIE_SAMESITE="Lax",
        CSRF_FAILURE_VIEW="fanshelf.web.errors.csrf_failure",
        SECURE_CONTENT_TYPE_NOSNIFF=True,
        SECURE_REFERRER_POLICY="same-origin",
        SECURE_CROSS_ORIGIN_OPENER_POLICY="same-origin",
        X_FRAME_OPTIONS="DENY",
        FANSHELF_MAX_UPLOAD_BYTES=int(os.environ.get("FANSHELF_MAX_UPLOAD_MB", MAX_UPLOAD_MB)) * 1024 * 1024,
        DATA_UPLOAD_MAX_NUMBER_FILES=2000,
        FILE_UPLOAD_MAX_MEMORY_SIZE=2 * 1024 * 1024,
        DATABASES={"default": db},
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        USE_TZ=True,
        TIME_ZONE="UTC",
        LANGUAGE_CODE="en",
        USE_I18N=False,
        MIGRATION_MODULES={},
        LOGGING_CONFIG=None,
    )


def _resolve(data_dir: str | os.PathLike[str] | None, database_url: str | None,
             search_backend: str | None) -> ArchiveConfig:
    ddir = Path(data_dir).expanduser() if data_dir else default_data_dir()
    url = database_url if database_url is not None else os.environ.get("FANSHELF_DATABASE_URL")
    url = url or None  # "" selects SQLite explicitly
    backend = search_backend or os.environ.get("FANSHELF_SEARCH") or "tantivy"
    if backend not in ("tantivy", "postgres"):
        raise ConfigError(f"unknown search backend {backend!r}: use tantivy or postgres")
    if backend == "postgres" and not url:
        raise ConfigError("the postgres search backend needs a PostgreSQL database (FANSHELF_DATABASE_URL)")
    return ArchiveConfig(ddir, url, backend)


def configure(data_dir: str | os.PathLike[str] | None = None, database_url: str | None = None,
              search_backend: str | None = None, *, migrate: bool = True) -> ArchiveConfig:
    """Set Django up for this data folder and database (once per process; later calls switch database).

    Creates the data folder and brings the schema up to date (``migrate``). Switching to another
    configuration in the same process (tests do) closes the old connection and opens the new one.
    """
    global _CURRENT
    cfg = _resolve(data_dir, database_url, search_backend)
    try:
        cfg.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create the data folder {cfg.data_dir}: {exc.strerror}") from exc
    with _LOCK:
        import django
        from django.conf import settings

        db = database_settings(cfg)
        if not settings.configured:
            settings.configure(**django_settings(cfg, db))
            django.setup()
        elif cfg != _CURRENT:
            from django.db import connections

            connections.close_all()
            new = connections.configure_settings({"default": db})
            connections.settings["default"] = new["default"]
            with contextlib.suppress(AttributeError):  # no connection was opened in this thread yet
                del connections["default"]
        _CURRENT = cfg
    if migrate:
        from django.core.management import call_command
        from django.db import DatabaseError

        try:
            call_command("migrate", verbosity=0, interactive=False)
        except DatabaseError as exc:
            where = _redacted(cfg.database_url) if cfg.database_url else str(cfg.sqlite_path)
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DatabaseUnavailable(f"cannot open the database {where}: {reason}") from exc
    return cfg


class DatabaseUnavailable(ConfigError):
    """The database cannot be reached or opened."""

    exit_code = 1


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    user = f"{parts.username}@" if parts.username else ""
    return f"{parts.scheme}://{user}{host}{port}{parts.path}"


def current() -> ArchiveConfig:
    """The active configuration (``configure()`` must have been called)."""
    if _CURRENT is None:
        raise ConfigError("the archive is not configured: call fanshelf.archive.config.configure() first")
    return _CURRENT
