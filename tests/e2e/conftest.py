"""End-to-end fixtures: a real `fanshelf serve` over an imported demo archive, driven by Debian's Chromium.

The session starts one server (``fanshelf --data DIR serve --port P`` in a subprocess) on a data folder
filled from the demo collection (``src/fanshelf/examples/``; ``tests/fixtures/posts`` while it is still
small) plus the harness's own posts in ``tests/e2e/posts/`` (a three-chapter work), and stops it at the end.

Environment:
  FANSHELF_E2E_URL        test an already running server instead (no import, no start); FANSHELF_E2E_DB: its SQLite file
  FANSHELF_CHROMIUM       the browser binary (default /usr/bin/chromium; Playwright's own builds are never used)
  FANSHELF_AXE            axe.min.js (default .cache/axe/node_modules/axe-core/axe.min.js, from
                          scripts/ci-web-deps.sh)
  FANSHELF_SCREENSHOTS    where screenshots go (default tests/e2e/screenshots/, gitignored)

Missing tools skip with a loud reason locally and fail under CI=true.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
EXAMPLES = ROOT / "src" / "fanshelf" / "examples"
FIXTURE_POSTS = ROOT / "tests" / "fixtures" / "posts"
OWN_POSTS = HERE / "posts"
CHROMIUM = os.environ.get("FANSHELF_CHROMIUM", "/usr/bin/chromium")
AXE = Path(os.environ.get("FANSHELF_AXE", str(ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js")))
SCREENSHOTS = Path(os.environ.get("FANSHELF_SCREENSHOTS", str(HERE / "screenshots")))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
POST_SUFFIXES = {".txt", ".html", ".htm", ".eml", ".mbox", ".xml", ".md"}
UPLOAD_LIMIT_MB = 8
MULTI_CHAPTER_TITLE = "The Lighthouse Keeper's Ledger"  # tests/e2e/posts/e2e-lighthouse-chapters.txt


def missing(what: str) -> None:
    """Skip loudly, or fail when CI=true (CI must run these tests)."""
    msg = f"WEB E2E TEST NOT RUN: {what}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(msg + " (CI must have it: bash scripts/ci-web-deps.sh)", pytrace=False)
    pytest.skip(msg)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: end-to-end test of the web app in a real browser/server")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


# ----------------------------------------------------------------------------- the archive's facts
@dataclass
class Facts:
    """What the test archive holds, read straight from its database (the oracle for the pages)."""

    works: int = 0
    multi_chapter: tuple[int, int] | None = None  # (work id, chapters)
    fandoms: list[tuple[str, int]] = field(default_factory=list)  # canonical fandoms by filter count
    freeforms: list[tuple[str, int]] = field(default_factory=list)  # canonical additional tags
    characters: list[tuple[str, int]] = field(default_factory=list)
    relationships: list[tuple[str, int]] = field(default_factory=list)
    collections: list[str] = field(default_factory=list)
    creators: list[str] = field(default_factory=list)
    work_titles: dict[int, str] = field(default_factory=dict)
    work_words: dict[int, int] = field(default_factory=dict)
    work_flags: dict[int, tuple[bool, bool, str]] = field(default_factory=dict)  # complete, crossover, language
    tag_types: dict[str, str] = field(default_factory=dict)
    _tag_works: dict[str, set[int]] = field(default_factory=dict)

    def tag_works(self, name: str) -> set[int]:
        """The works a filter on this canonical tag finds (its own, its synonyms' and its sub tags')."""
        return set(self._tag_works.get(name, set()))


def read_facts(db: Path) -> Facts:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        f = Facts()
        f.works = con.execute("SELECT count(*) FROM archive_work").fetchone()[0]
        f.work_titles = dict(con.execute("SELECT id, title FROM archive_work"))
        f.work_words = dict(con.execute("SELECT id, words FROM archive_work"))
        f.work_flags = {i: (bool(c), bool(x), lang) for i, c, x, lang in con.execute(
            "SELECT id, complete, crossover, language FROM archive_work")}
        f.tag_types = dict(con.execute("SELECT name, type FROM archive_tag WHERE canonical"))
        row = con.execute("SELECT w.id, count(c.id) FROM archive_work w JOIN archive_chapter c ON c.work_id = w.id "
                          "WHERE w.title = ? GROUP BY w.id", (MULTI_CHAPTER_TITLE,)).fetchone()
        if row is None:
            row = con.execute("SELECT work_id, count(*) n FROM archive_chapter GROUP BY work_id HAVING n > 2 "
                              "ORDER BY n DESC LIMIT 1").fetchone()
        f.multi_chapter = (row[0], row[1]) if row else None

        def by_type(kind: str) -> list[tuple[str, int]]:
            return [(n, c) for n, c in con.execute(
                "SELECT t.name, count(DISTINCT ft.work_id) c FROM archive_tag t JOIN archive_filtertagging ft "
                "ON ft.tag_id = t.id WHERE t.type = ? AND t.canonical GROUP BY t.id ORDER BY c DESC, t.name",
                (kind,))]

        f.fandoms, f.freeforms = by_type("Fandom"), by_type("Freeform")
        f.characters, f.relationships = by_type("Character"), by_type("Relationship")
        for name, wid in con.execute("SELECT t.name, ft.work_id FROM archive_tag t JOIN archive_filtertagging ft "
                                     "ON ft.tag_id = t.id"):
            f._tag_works.setdefault(name, set()).add(wid)
        f.collections = [r[0] for r in con.execute(
            "SELECT c.name FROM archive_collection c JOIN archive_collectionitem i ON i.collection_id = c.id "
            "GROUP BY c.id ORDER BY count(*) DESC, c.name")]
        f.creators = [r[0] for r in con.execute(
            "SELECT c.name FROM archive_creator c JOIN archive_workcreator wc ON wc.creator_id = c.id "
            "GROUP BY c.id ORDER BY count(*) DESC, c.name")]
        return f
    finally:
        con.close()


def demo_sources() -> list[Path]:
    """The demo collection (or the fixture posts while it holds fewer than 20 posts) and our own posts."""
    demo = [p for p in EXAMPLES.glob("**/*") if p.is_file() and p.suffix.lower() in POST_SUFFIXES] \
        if EXAMPLES.exists() else []
    return [EXAMPLES if len(demo) >= 20 else FIXTURE_POSTS, OWN_POSTS]


# ----------------------------------------------------------------------------- the server
@dataclass
class Server:
    url: str
    db: Path | None  # the SQLite database behind it (the tests' oracle)
    log: Path | None = None
    import_output: str = ""
    upload_limit_mb: int = 64

    def facts(self) -> Facts:
        """What the archive holds now (read afresh: an upload test adds works)."""
        if self.db is None:
            missing("FANSHELF_E2E_URL is set without FANSHELF_E2E_DB (the SQLite file the tests read facts from)")
        assert self.db is not None
        return read_facts(self.db)

    def get(self, path: str, accept: str = "text/html", timeout: float = 20) -> tuple[int, dict[str, str], bytes]:
        req = urllib.request.Request(self.url + path, headers={"Accept": accept})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, dict(r.headers.items()), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers.items()), e.read()

    def json(self, path: str) -> Any:
        status, _, body = self.get(path, accept="application/json")
        assert status == 200, f"GET {path} (JSON) answered {status}: {body[:300]!r}"
        return json.loads(body)

    def log_tail(self, n: int = 4000) -> str:
        if self.log is None or not self.log.exists():
            return ""
        return self.log.read_text(errors="replace")[-n:]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fanshelf_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "fanshelf"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "fanshelf.cli"]


def clean_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("FANSHELF_DATABASE_URL", None)  # the e2e archive is always SQLite + tantivy in its own folder
    env.pop("FANSHELF_DATA", None)
    env["PYTHONUNBUFFERED"] = "1"
    env["FANSHELF_MAX_UPLOAD_MB"] = str(UPLOAD_LIMIT_MB)  # small, so the 413 test sends little
    return env


def wait_http(url: str, proc: subprocess.Popen[bytes] | None, log: Path | None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log else ""
            raise RuntimeError(f"`fanshelf serve` exited with {proc.returncode} before answering:\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError) as e:
            last = str(e)
        time.sleep(0.25)
    raise RuntimeError(f"{url} did not answer 200 within {timeout:.0f} s ({last})")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    given = os.environ.get("FANSHELF_E2E_URL", "").rstrip("/")
    if given:
        wait_http(given + "/", None, None, timeout=10)
        db = os.environ.get("FANSHELF_E2E_DB")
        yield Server(given, Path(db) if db else None)
        return
    help_ = subprocess.run([*fanshelf_cmd(), "serve", "--help"], capture_output=True, text=True, env=clean_env())
    if help_.returncode != 0:
        missing("`fanshelf serve` is not available yet (src/fanshelf/cli_web.py): "
                + (help_.stderr.strip().splitlines() or ["?"])[-1])
    data = tmp_path_factory.mktemp("e2e-archive") / "data"
    imp = subprocess.run([*fanshelf_cmd(), "--data", str(data), "import", *map(str, demo_sources())],
                         capture_output=True, text=True, env=clean_env(), timeout=300)
    if imp.returncode not in (0, 1) or not (data / "fanshelf.sqlite3").exists():
        pytest.fail(f"importing the demo collection failed ({imp.returncode}):\n{imp.stdout[-2000:]}\n"
                    f"{imp.stderr[-2000:]}", pytrace=False)
    port = free_port()
    log = data.parent / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([*fanshelf_cmd(), "--data", str(data), "serve", "--host", "127.0.0.1",
                                 "--port", str(port)], stdout=out, stderr=subprocess.STDOUT, env=clean_env(),
                                start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + "/", proc, log)
        yield Server(url, data / "fanshelf.sqlite3", log, imp.stdout + imp.stderr, UPLOAD_LIMIT_MB)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait(timeout=5)


# ----------------------------------------------------------------------------- the browser
@pytest.fixture(scope="package")  # Playwright's loop ends with the package: in-process Django tests may follow
def browser() -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the Python package playwright is not installed (pip install -e .[dev])")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class PageErrors(list[str]):
    pass


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport=DESKTOP)
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Iterator[Any]:
    """A desktop-width page; uncaught JavaScript errors fail the test."""
    p = context.new_page()
    errors = PageErrors()
    p.on("pageerror", lambda exc: errors.append(str(exc)))
    p.js_errors = errors
    yield p
    assert not errors, f"uncaught JavaScript errors: {errors}"


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        missing(f"axe-core is not installed at {AXE} (bash scripts/ci-web-deps.sh)")
    return AXE.read_text()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in [*SCREENSHOTS.glob("*.png"), *SCREENSHOTS.glob("axe-*.json")]:  # no stale pictures
        old.unlink()
    return SCREENSHOTS
