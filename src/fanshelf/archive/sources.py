"""Find the posts to import: files, folders (recursively) and .zip archives, read safely.

Nothing is extracted to disk. A zip member whose name would escape a folder (``../``, an absolute path),
a member larger than the post limit, or one compressed suspiciously well (a zip bomb) is refused as a
per-file failure; its siblings are still read.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from fanshelf.errors import InputError, InputTooLarge
from fanshelf.ingest import MAX_POST_BYTES

__all__ = ["SourceRef", "find_sources"]

SKIP_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
# Inside folders and archives only these are read as posts (a file named on the command line always is).
POST_SUFFIXES = {"", ".txt", ".text", ".html", ".htm", ".xhtml", ".md", ".markdown", ".mdown", ".eml", ".mbox",
                 ".epub", ".xml"}  # EPUBs and journal exports are sniffed by fanshelf.ingest.read_posts


def is_post_name(name: str) -> bool:
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    return suffix in POST_SUFFIXES or not suffix.isascii() or len(suffix) > 9


MAX_RATIO = 200  # uncompressed / compressed size above which a large member is treated as a bomb
MAX_MEMBERS = 100_000


@dataclass
class SourceRef:
    """One post to import: where it is and how to read its bytes."""

    location: str
    read: Callable[[], bytes]
    mtime: float | None = None
    error: str | None = None  # known to be unreadable before reading (reported as a failure)
    skipped: bool = False  # in a folder or archive, but not a post (an image, a .json file…)


def _human(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def _read_path(path: str) -> Callable[[], bytes]:
    def read() -> bytes:
        try:
            st = os.stat(path)
            if not stat.S_ISREG(st.st_mode):
                raise InputError("not a regular file")
            if st.st_size > MAX_POST_BYTES:
                raise InputTooLarge(f"{_human(st.st_size)}; the limit for one post is {_human(MAX_POST_BYTES)}")
            with open(path, "rb") as fh:
                data = fh.read(MAX_POST_BYTES + 1)
        except FileNotFoundError:
            raise InputError("the file vanished before it could be read") from None
        except PermissionError:
            raise InputError("permission denied") from None
        except IsADirectoryError:
            raise InputError("a directory, not a post") from None
        except OSError as exc:
            raise InputError(f"cannot read it ({exc.strerror or exc})") from None
        if len(data) > MAX_POST_BYTES:
            raise InputTooLarge(f"it grew past the limit for one post ({_human(MAX_POST_BYTES)}) while read")
        return data

    return read


def _unsafe_member(name: str) -> bool:
    p = PurePosixPath(name.replace("\\", "/"))
    return p.is_absolute() or ".." in p.parts or (len(name) > 1 and name[1] == ":")


def _zip_sources(path: str) -> Iterator[SourceRef]:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        yield SourceRef(path, _fail, error=f"not a readable zip archive ({exc})")
        return
    with zf:
        infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        yield SourceRef(path, _fail, error=f"the archive holds {len(infos):,} members; the limit is {MAX_MEMBERS:,}")
        return
    for info in infos:
        if info.is_dir():
            continue
        name = info.filename
        loc = f"{path}!/{name}"
        base = PurePosixPath(name.replace("\\", "/")).name
        if base in SKIP_NAMES or base.startswith(".") or "__MACOSX" in name:
            continue
        mtime = dt.datetime(*info.date_time, tzinfo=dt.UTC).timestamp() if info.date_time[0] >= 1980 else None
        if _unsafe_member(name):
            yield SourceRef(loc, _fail, error="unsafe path in the archive (it would escape its folder); not read")
        elif info.file_size > MAX_POST_BYTES:
            yield SourceRef(loc, _fail, error=f"{_human(info.file_size)} uncompressed; the limit for one post is "
                            f"{_human(MAX_POST_BYTES)}")
        elif info.compress_size and info.file_size > 1024 * 1024 and info.file_size / info.compress_size > MAX_RATIO:
            yield SourceRef(loc, _fail, error=f"compressed {info.file_size // max(1, info.compress_size):,}:1 — "
                            "refused as a likely zip bomb")
        elif not is_post_name(base) and not base.lower().endswith(".zip"):
            yield SourceRef(loc, _fail, skipped=True)
        elif base.lower().endswith(".zip"):
            yield SourceRef(loc, _fail, error="an archive inside an archive is not read; unpack it first")
        else:
            yield SourceRef(loc, _read_member(path, name), mtime=mtime)


def _read_member(path: str, name: str) -> Callable[[], bytes]:
    def read() -> bytes:
        try:
            with zipfile.ZipFile(path) as zf, zf.open(name) as fh:
                data = fh.read(MAX_POST_BYTES + 1)  # the stated size can lie: never read past the limit
        except FileNotFoundError:
            raise InputError("the archive vanished before this member could be read") from None
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError) as exc:
            raise InputError(f"cannot read it from the archive ({exc})") from None
        if len(data) > MAX_POST_BYTES:
            raise InputTooLarge(f"more than {_human(MAX_POST_BYTES)} uncompressed (the archive understated it)")
        return data

    return read


def _fail() -> bytes:
    raise InputError("unreadable")


def find_sources(paths: Iterable[str | os.PathLike[str]]) -> Iterator[SourceRef]:
    """Every post under these paths, in a stable order (folders sorted, zip members in archive order)."""
    for raw in paths:
        path = os.path.abspath(os.fspath(raw))
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__MACOSX")
                for f in sorted(files):
                    if f.startswith(".") or f in SKIP_NAMES:
                        continue
                    full = os.path.join(root, f)
                    if is_post_name(f) or f.lower().endswith(".zip"):
                        yield from _file_source(full)
                    else:
                        yield SourceRef(full, _fail, skipped=True)
        elif os.path.exists(path) or os.path.islink(path):
            yield from _file_source(path)
        else:
            yield SourceRef(path, _fail, error="no such file or folder")


def _is_epub(path: str) -> bool:
    """A .zip that is really an EPUB (its ``mimetype`` member says so) is one work, not a folder."""
    try:
        with zipfile.ZipFile(path) as zf, zf.open("mimetype") as fh:
            return fh.read(64).strip() == b"application/epub+zip"
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError, EOFError):
        return False


def _file_source(path: str) -> Iterator[SourceRef]:
    if path.lower().endswith(".zip") and not _is_epub(path):
        yield from _zip_sources(path)
        return
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        mtime = None
    yield SourceRef(path, _read_path(path), mtime=mtime)


def to_path(location: str) -> Path:
    return Path(location.split("!/", 1)[0])
