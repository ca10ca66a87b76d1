"""What every export format shares: the file it gives, what the archive knows beyond the core work,
safe names, deterministic zips, XML-safe text and the tags of a work in AO3's order."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from fanshelf.errors import FanshelfError
from fanshelf.model import Work

__all__ = [
    "ZIP_DATE",
    "ExportError",
    "ExportFile",
    "ExportInfo",
    "book_uuid",
    "display_date",
    "language_code",
    "safe_filename",
    "slugify",
    "tag_groups",
    "unique_names",
    "work_key",
    "xml_text",
    "zip_bytes",
]

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip can hold: every member gets it (golden files)


class ExportError(FanshelfError):
    """An export cannot be written (unknown format, nothing to export, an unwritable output path)."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class ExportFile:
    """One exported file: a safe file name, its media type and its bytes."""

    filename: str
    media_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class ExportInfo:
    """What the archive knows about a work beyond :class:`~fanshelf.model.Work` (all optional).

    ``work_id`` is the archive's id (file names, the EPUB identifier); ``source`` where the work was
    imported from (a URL or a path); ``updated`` the date it was last updated (YYYY-MM-DD);
    ``chapters_expected`` the planned chapter count (None: as many as there are, or unknown when
    ``complete`` is False); ``base_url`` the web archive's address, for links to tags and series.
    """

    work_id: int | None = None
    source: str | None = None
    updated: str | None = None
    complete: bool = True
    chapters_expected: int | None = None
    base_url: str | None = None

    @property
    def source_url(self) -> str | None:
        """The source when it is a web address (paths of local files are not published)."""
        s = (self.source or "").strip()
        return s if re.match(r"(?i)^https?://[^\s<>\"]+$", s) else None


# ------------------------------------------------------------------------------------------ text
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def xml_text(s: str | None) -> str:
    """Text with the characters XML cannot hold removed (C0 controls but tab/newline, lone surrogates...)."""
    if not s:
        return ""
    return _XML_BAD.sub("", s.replace("\r\n", "\n").replace("\r", "\n"))


def slugify(text: str, max_len: int = 60) -> str:
    """An ASCII slug: accents folded, other letters dropped, words joined by ``-``, lower case."""
    folded = unicodedata.normalize("NFKD", text)
    ascii_ = folded.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")
    if len(slug) > max_len:
        slug = slug[:max_len].rsplit("-", 1)[0] if "-" in slug[:max_len] else slug[:max_len]
    return slug.strip("-")


def work_key(work: Work, info: ExportInfo | None = None) -> str:
    """A stable key for a work: its archive id, else its source, else a hash of what it says."""
    if info is not None and info.work_id is not None:
        return f"fanshelf:work:{info.work_id}"
    if info is not None and info.source:
        return f"fanshelf:source:{info.source}"
    h = hashlib.sha256()
    for part in (work.title, "\x1f".join(work.creators), "\x1f".join(work.fandoms), work.published or "",
                 "".join(ch.html for ch in work.chapters)):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x1e")
    return "fanshelf:sha256:" + h.hexdigest()


def book_uuid(work: Work, info: ExportInfo | None = None) -> str:
    """``urn:uuid:…`` derived from the work's source URL or ids: the same work always gets the same one."""
    url = info.source_url if info is not None else None
    name = url or work_key(work, info)
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def safe_filename(work: Work, info: ExportInfo | None, ext: str) -> str:
    """``slug-of-the-title-ID.ext``: ASCII only, no path separators, never hidden, never empty."""
    slug = slugify(work.title) or "work"
    if info is not None and info.work_id is not None:
        tail = str(info.work_id)
    else:
        tail = work_key(work, info).rsplit(":", 1)[-1][:10]
        tail = hashlib.sha256(tail.encode()).hexdigest()[:8] if not tail.isalnum() else tail
    return f"{slug}-{tail}.{ext}"


def unique_names(names: Iterable[str]) -> list[str]:
    """The names, with ``-2``, ``-3``... added before the extension of repeats."""
    seen: set[str] = set()
    out: list[str] = []
    for name in names:
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        cand, n = name, 1
        while cand in seen:
            n += 1
            cand = f"{stem}-{n}.{ext}" if dot else f"{stem}-{n}"
        seen.add(cand)
        out.append(cand)
    return out


# ------------------------------------------------------------------------------------------ zips
def zip_bytes(members: Iterable[tuple[str, bytes, bool]]) -> bytes:
    """A zip of ``(name, data, compress)`` members, in order, byte-for-byte reproducible."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data, compress in members:
            zi = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            zi.create_system = 3
            zi.external_attr = 0o100644 << 16
            zi.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            zf.writestr(zi, data, compresslevel=6 if compress else None)
    return buf.getvalue()


# ------------------------------------------------------------------------------------------ metadata
# (label singular, label plural, Work attribute) in the order AO3 shows tags.
TAG_TYPES: tuple[tuple[str, str, str], ...] = (
    ("Rating", "Ratings", "rating"),
    ("Archive Warning", "Archive Warnings", "archive_warnings"),
    ("Category", "Categories", "categories"),
    ("Fandom", "Fandoms", "fandoms"),
    ("Relationship", "Relationships", "relationships"),
    ("Character", "Characters", "characters"),
    ("Additional Tags", "Additional Tags", "additional_tags"),
)


def tag_groups(work: Work) -> list[tuple[str, list[str]]]:
    """``(label, names)`` for each tag type the work has, in AO3's order, labels as AO3 writes them."""
    out: list[tuple[str, list[str]]] = []
    for singular, plural, attr in TAG_TYPES:
        value = getattr(work, attr)
        names = [value] if isinstance(value, str) else list(value)
        names = [n for n in dict.fromkeys(xml_text(n).strip() for n in names) if n]
        if names:
            out.append((singular if len(names) == 1 else plural, names))
    return out


_LANGS = {
    "english": "en", "español": "es", "spanish": "es", "français": "fr", "french": "fr", "deutsch": "de",
    "german": "de", "italiano": "it", "italian": "it", "português": "pt", "portuguese": "pt",
    "português brasileiro": "pt-BR", "nederlands": "nl", "dutch": "nl", "русский": "ru", "russian": "ru",
    "polski": "pl", "polish": "pl", "suomi": "fi", "finnish": "fi", "svenska": "sv", "swedish": "sv",
    "norsk": "no", "norwegian": "no", "dansk": "da", "danish": "da", "čeština": "cs", "czech": "cs",
    "magyar": "hu", "hungarian": "hu", "türkçe": "tr", "turkish": "tr", "ελληνικά": "el", "greek": "el",
    "עברית": "he", "hebrew": "he", "العربية": "ar", "arabic": "ar", "中文-普通话 國語": "zh", "中文": "zh",
    "chinese": "zh", "日本語": "ja", "japanese": "ja", "한국어": "ko", "korean": "ko", "tiếng việt": "vi",
    "vietnamese": "vi", "bahasa indonesia": "id", "indonesian": "id", "català": "ca", "catalan": "ca",
    "cymraeg": "cy", "welsh": "cy", "gaeilge": "ga", "irish": "ga", "latina": "la", "latin": "la",
    "українська": "uk", "ukrainian": "uk", "română": "ro", "romanian": "ro", "esperanto": "eo",
}


def language_code(language: str | None) -> str:
    """A BCP 47 tag for AO3's language names (``English`` → ``en``); ``und`` when unknown."""
    name = " ".join((language or "").split()).casefold()
    if name in _LANGS:
        return _LANGS[name]
    if re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})*", name):
        return name
    return "und"


def display_date(value: str | None) -> str | None:
    """``YYYY-MM-DD`` from a date or timestamp string, or None."""
    m = re.match(r"\s*(\d{4}-\d{2}-\d{2})", value or "")
    return m.group(1) if m else None
