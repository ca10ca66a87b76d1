""":func:`read_posts`: one file's bytes → the posts in it, by the reader its content calls for."""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath

from fanshelf.errors import InputError, InputTooLarge
from fanshelf.ingest.common import BrokenFile, ReadOptions, UnsafeInput
from fanshelf.ingest.sniff import HEAD_BYTES, sniff
from fanshelf.model import RawPost

__all__ = ["read_posts"]

MAX_ZIP_MEMBERS = 10_000
MAX_ZIP_RATIO = 200


def read_posts(data: bytes, source: str = "<input>", *, options: ReadOptions | None = None) -> list[RawPost]:
    """Sniff ``data`` and read every post in it (a journal export holds many; most files one).

    Raises :class:`~fanshelf.errors.InputError` (or a subclass: ``InputTooLarge``, ``BrokenFile``,
    ``UnsafeInput``) with a message naming the problem; nothing is half-read.
    """
    from fanshelf.ingest import _binary_check, _clean_text, _decode_raw, _post_of, _too_large, read_post

    opts = options or ReadOptions()
    data = bytes(data)
    if len(data) > opts.max_bytes:
        raise _too_large(source, len(data), opts.max_bytes)
    # a file no longer than what sniff() reads is decoded once, for sniff() and the reader
    decoded: tuple[str, str, list[str], str] | None = None
    if len(data) <= HEAD_BYTES and not data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raw_text, encoding, warnings = _decode_raw(data)
        decoded = raw_text, encoding, warnings, _clean_text(raw_text, warnings)
    kind = sniff(data, decoded[3] if decoded is not None else None)
    if kind == "epub":
        from fanshelf.ingest.epub import read_epub

        return [read_epub(data, source, opts)]
    if kind == "epub-or-zip-broken":
        raise BrokenFile(f"{source}: a zip (or EPUB) archive that cannot be opened: it is damaged or truncated")
    if kind == "zip":
        return _read_zip(data, source, opts)
    if kind == "post":
        if decoded is None:
            return [read_post(data, source, max_bytes=opts.max_bytes)]
        raw_text, encoding, warnings, text = decoded
        _binary_check(data, raw_text, source)
        return [_post_of(text, source, encoding, warnings)]
    if decoded is None:
        raw_text, encoding, warnings = _decode_raw(data)
        text = _clean_text(raw_text, warnings)
    else:
        raw_text, encoding, warnings, text = decoded
    if kind == "fanshelf-json":
        from fanshelf.ingest.fanshelf_json import read_fanshelf_json

        return read_fanshelf_json(text, source, warnings, encoding)
    if kind == "journal-xml":
        from fanshelf.ingest.journal_xml import read_journal_xml

        return read_journal_xml(data, source, opts)
    if kind == "front-matter":
        from fanshelf.ingest.frontmatter import read_front_matter

        return [read_front_matter(text, source, opts.mapping, warnings, encoding)]
    if kind == "ao3-html":
        from fanshelf.ingest.ao3 import read_ao3_html

        return [read_ao3_html(text, source, warnings, encoding)]
    if kind == "efiction":
        from fanshelf.ingest.efiction import read_efiction

        return [read_efiction(text, source, warnings, encoding)]
    if kind == "journal-html":
        from fanshelf.ingest.journal_html import read_journal_html

        return [read_journal_html(text, source, warnings, encoding)]
    raise AssertionError(f"unknown format {kind}")  # pragma: no cover


def _read_zip(data: bytes, source: str, opts: ReadOptions) -> list[RawPost]:
    """A zip given as bytes (``sources.py`` opens zips on disk itself): every member, sniffed."""
    posts: list[RawPost] = []
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BrokenFile(f"{source}: not a readable zip archive ({exc})") from None
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > MAX_ZIP_MEMBERS:
            raise UnsafeInput(f"{source}: the archive holds {len(infos):,} members; the limit is {MAX_ZIP_MEMBERS:,}")
        for info in infos:
            name = info.filename
            p = PurePosixPath(name.replace("\\", "/"))
            loc = f"{source}!/{name}"
            if p.is_absolute() or ".." in p.parts:
                raise UnsafeInput(f"{loc}: unsafe path in the archive (it would escape its folder)")
            if p.name.startswith(".") or "__MACOSX" in p.parts:
                continue
            if info.file_size > opts.max_bytes:
                raise InputTooLarge(f"{loc}: {info.file_size:,} bytes uncompressed; the limit is {opts.max_bytes:,}")
            if info.compress_size and info.file_size > 1024 * 1024 and info.file_size / info.compress_size > MAX_ZIP_RATIO:
                raise UnsafeInput(f"{loc}: compressed {info.file_size // info.compress_size:,}:1, refused as a zip bomb")
            try:
                with zf.open(info) as fh:
                    member = fh.read(opts.max_bytes + 1)
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError) as exc:
                raise BrokenFile(f"{loc}: cannot read it from the archive ({exc})") from None
            if len(member) > opts.max_bytes:
                raise InputTooLarge(f"{loc}: larger than the archive says (over {opts.max_bytes:,} bytes)")
            if member.startswith(b"PK") and sniff(member) != "epub":
                raise InputError(f"{loc}: an archive inside an archive is not read; unpack it first")
            try:
                posts.extend(read_posts(member, loc, options=opts))
            except InputError as exc:
                if "not a text or HTML post" in str(exc):
                    continue  # an image or other binary member: not a post
                raise
    return posts
