"""Typed dataclasses shared by every stage of the pipeline.

``ingest`` turns bytes into a :class:`RawPost` (a list of :class:`Line`), ``parse`` finds the works in
it and ``wrangle`` maps the written values to canonical AO3-style tags, giving :class:`Work` objects.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

RATINGS = (
    "General Audiences",
    "Teen And Up Audiences",
    "Mature",
    "Explicit",
    "Not Rated",
)
DEFAULT_RATING = "Not Rated"

ARCHIVE_WARNINGS = (
    "Creator Chose Not To Use Archive Warnings",
    "No Archive Warnings Apply",
    "Graphic Depictions Of Violence",
    "Major Character Death",
    "Rape/Non-Con",
    "Underage Sex",
)
DEFAULT_WARNING = "Creator Chose Not To Use Archive Warnings"

CATEGORIES = ("Gen", "F/M", "M/M", "F/F", "Multi", "Other")
NO_FANDOM = "No Fandom"
UNTITLED = "Untitled Imported Work"


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a post.

    ``text`` is plain text (entities decoded, whitespace collapsed, no tags); ``html`` is the same line as
    sanitized inline HTML (``<em>``, ``<strong>``, links...). An empty ``text`` is a paragraph break.
    ``rule`` marks a horizontal rule (``<hr>``, ``---``, ``***``); ``cut`` an LJ cut marker;
    ``heading`` a line that was an HTML heading (``<h1>``..``<h6>``); ``origin`` is ``"body"`` or
    ``"comment"`` (a header found in an HTML comment such as ``<!-- STORYINFO ... -->``).
    """

    text: str
    html: str = ""
    rule: bool = False
    cut: bool = False
    heading: bool = False
    origin: str = "body"

    @property
    def blank(self) -> bool:
        return not self.text.strip() and not self.rule and not self.cut


@dataclass(slots=True)
class RawPost:
    """A post as read from a file: its lines, and what reading it found out."""

    source: str
    lines: list[Line]
    is_html: bool = False
    encoding: str = "utf-8"
    warnings: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # LJ user / community names seen in links, in order
    # Structured formats (AO3 downloads, EPUB metadata, front matter, Fanshelf JSON) know their fields:
    # ``meta`` holds them under AO3 names (see ``fanshelf.ingest.META_KEYS``) and ``chapters`` the body,
    # one (title, lines) pair per chapter; the work is then built from them, not by the header parser.
    meta: dict[str, list[str]] | None = None
    chapters: list[tuple[str | None, list[Line]]] | None = None
    # Facts the page or export states outside the post (journal poster, entry date, subject, tags):
    # fallbacks for what the post's own header does not say.
    hints: dict[str, str] = field(default_factory=dict)
    work: Work | None = None  # a ready :class:`Work` (Fanshelf's own JSON export): taken as it is


@dataclass(slots=True)
class Challenge:
    community: str | None = None
    prompt: str | None = None
    number: str | None = None


@dataclass(slots=True)
class SeriesPart:
    title: str | None = None
    part: int | None = None
    of: int | None = None


@dataclass(slots=True)
class Chapter:
    title: str | None
    text: str
    html: str


@dataclass(slots=True)
class Work:
    title: str = UNTITLED
    creators: list[str] = field(default_factory=list)
    fandoms: list[str] = field(default_factory=list)
    rating: str = DEFAULT_RATING
    rating_raw: str | None = None
    archive_warnings: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    relationships: list[str] = field(default_factory=list)
    relationships_raw: list[str] = field(default_factory=list)
    characters: list[str] = field(default_factory=list)
    additional_tags: list[str] = field(default_factory=list)
    summary: str | None = None
    notes: str | None = None
    end_notes: str | None = None
    language: str = "English"
    word_count: int = 0
    stated_word_count: int | None = None
    challenge: Challenge | None = None
    series_part: SeriesPart | None = None
    published: str | None = None
    chapters: list[Chapter] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    header: str = ""  # the header as written: one "Label: value" line per field the parser read

    def to_dict(self) -> dict[str, Any]:
        """Plain data in the documented JSON shape (field order kept)."""
        return asdict(self)
