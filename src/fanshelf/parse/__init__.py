"""Find the works in a post: headers, labels and values, story boundaries, footers and duplicate copies.

The parser reads the :class:`~fanshelf.model.Line` list that :mod:`fanshelf.ingest` makes and returns
:class:`ParsedWork` objects holding what the writer wrote; :mod:`fanshelf.wrangle` maps those values
to canonical tags.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from fanshelf.model import Line
from fanshelf.parse.labels import MULTILINE, STRONG, Field, label_key, split_fields
from fanshelf.parse.notes import footer_kind, is_author_note, is_end_mark, is_sig_dash, strip_note_label
from fanshelf.parse.values import Subject, find_part, parse_date, parse_subject

__all__ = ["Field", "ParsedWork", "parse_lines"]


@dataclass(slots=True)
class ParsedWork:
    fields: list[Field] = field(default_factory=list)
    subject: Subject | None = None
    byline_creator: str | None = None
    byline_community: str | None = None
    byline_date: str | None = None
    heading_title: str | None = None
    notes: list[str] = field(default_factory=list)
    end_notes: list[str] = field(default_factory=list)
    chapters: list[tuple[str | None, list[list[Line]]]] = field(default_factory=list)
    footer_extra: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    is_html: bool = False
    mail_from: str | None = None  # the sender's name in a mail header (a creator when nothing else names one)

    def values(self, key: str) -> list[str]:
        return [f.value for f in self.fields if f.key == key and f.value]

    def first(self, key: str) -> str | None:
        vals = self.values(key)
        return vals[0] if vals else None


_WORD = re.compile(r"[^\W_]+")


@functools.lru_cache(maxsize=4096)
def _norm(s: str) -> str:
    """Fold case and punctuation (quotes included) for comparisons: the words, one space apart."""
    return " ".join(_WORD.findall(s.casefold()))


# ----------------------------------------------------------------------------- small predicates
_MINI_HEADER = re.compile(r"^\s*<(b|strong)>(?P<title>[^<]{1,100})</\1>\s*\((?P<info>[^()]{1,150})\)\s*$", re.I)
_RATING_ITEM = re.compile(r"^(?:g|pg|pg-?13|pg-?15|r|nc-?1[78]|t|m|ma|k\+?|x|xxx|teen|mature|explicit|adult|"
                          r"18\+|15\+|13\+|gen|general|not rated|unrated)$", re.I)


def _mini_header(line: Line) -> list[Field] | None:
    """``<b>Scarf</b> (Isaac, Derek; G)``: a bold title with characters and rating, as in drabble round-ups."""
    m = _MINI_HEADER.match(line.html) if line.html.startswith("<") else None
    if m is None:
        return None
    fields = [Field("title", "Title", m.group("title").strip())]
    for part in m.group("info").split(";"):
        part = part.strip()
        if not part:
            continue
        if _RATING_ITEM.match(part):
            fields.append(Field("rating", "Rating", part))
        elif "/" in part or "&" in part:
            fields.append(Field("pairing", "Pairing", part))
        else:
            fields.append(Field("characters", "Characters", part))
    return fields


_local = threading.local()


def _fields_of(line: Line) -> list[Field] | None:
    """The fields of a label line (None for other lines), memoised for the duration of one parse."""
    if line.rule or line.cut or not line.text or len(line.text) > 2000:
        return None
    memo: dict[int, list[Field] | None] | None = getattr(_local, "memo", None)
    key = id(line)
    if memo is not None and key in memo:
        return memo[key]
    found: list[Field] | None = None
    t = line.text
    if ":" in t or "-" in t or "\t" in t or "\u2013" in t or "\u2014" in t or "\uff1a" in t or "   " in t:
        found = split_fields(t, loose=line.origin == "comment")
    if found is None and line.html.startswith("<"):
        found = _mini_header(line)
    if memo is not None:
        memo[key] = found
    return found


_INLINE_FIELD = re.compile(r"(?:^|(?<=[.!?])\s+)(?P<label>fandoms?|rating|pairings?|characters)\s*:\s*(?P<value>[^.!?]+)",
                           re.I)


def _inline_fields(text: str) -> list[Field]:
    """``Fandom: Teen Wolf.`` said inside an intro sentence."""
    return [Field(label_key(m.group("label")), m.group("label"), m.group("value").strip())
            for m in _INLINE_FIELD.finditer(text)]


def _known(fields: list[Field] | None) -> bool:
    return bool(fields) and any(f.key is not None for f in fields or ())


def _next_nonblank(lines: list[Line], i: int) -> int:
    n = len(lines)
    while i < n and lines[i].blank:
        i += 1
    return i


# "by Wren Ashdown", "<strong>By</strong> camelot_ink", "written by kestrel_writes" (no colon)
_BY_NAME = re.compile(r"^\s*(?:(?:a\s+)?(?:story|fic|ficlet|drabble)\s+)?(?:written\s+)?by\s+(?:lj user\s+|user\s+|@)?"
                      r"(?P<creator>[\w.\-']+(?:\s+[A-Z][\w.\-']*){0,3})\s*$", re.I)
_BYLINE_RES = [
    re.compile(r"^\s*(?P<creator>[\w.\-]+)\s+(?:wrote|posted)\s+in\s+(?P<community>[\w.\-]+?)\s*[,.:]?"
               r"(?:\s*(?:on|@|at)\s+(?P<date>[^@]{6,60}?))?\s*[,.:]?\s*$", re.I),
    re.compile(r"^\s*posted by\s+(?P<creator>[\w.\-]+)(?:\s+(?:in|to)\s+(?P<community>[\w.\-]+))?"
               r"(?:\s+on\s+(?P<date>.+?))?\s*[.:]?\s*$", re.I),
    re.compile(r"^\s*(?P<creator>[\w.\-]+)\s+(?:wrote|posted)\s*(?:on\s+(?P<date>.+?))?\s*[,:.]\s*$", re.I),
    _BY_NAME,
]
# a site's navigation bar: "Home · Stories · About", "Home | Fic | Links | Contact"
_NAV_SEP = r"\s*(?:[\u00b7|\u2022\u00bb~/]|::|\s-\s)\s*"
_NAV_RE = re.compile(r"^\s*[\[(]?[\w'&. ]{1,25}[\])]?(?:" + _NAV_SEP + r"[\[(]?[\w'&. ]{1,25}[\])]?){2,}\s*$")
_NAV_WORDS = re.compile(r"\b(?:home|stories|fic|fics|fiction|about|links|contact|archive|index|blog|back|next|previous|"
                        r"fandoms|authors|search|faq|recent|main|news|gallery|updates|guestbook|email|top|rss)\b", re.I)


def is_nav_bar(text: str) -> bool:
    """``Home · Stories · About``: links of a site's menu, not a title or story text."""
    return len(text) <= 200 and bool(_NAV_RE.match(text)) and len(_NAV_WORDS.findall(text)) >= 2


_DATE_LINE = re.compile(r"^\s*(?:\w+day,?\s+)?[\w ,./\-]{6,40}?\s*(?:(?:at\s+)?\d{1,2}:\d{2}(?::\d{2})?\s*(?:am|pm)?)?"
                        r"\s*$", re.I)


def _read_byline(text: str, work: ParsedWork) -> bool:
    for rx in _BYLINE_RES:
        m = rx.match(text)
        if m:
            gd = m.groupdict()
            work.byline_creator = gd.get("creator")
            work.byline_community = gd.get("community")
            if gd.get("date"):
                work.byline_date = parse_date(gd["date"])
            return True
    text = re.sub(r"^\s*(?:@|on\b|at\b|posted(?:\s+(?:on|at))?\b|date\b)\s*", "", text, flags=re.I)
    if _DATE_LINE.match(text) and re.search(r"\d{4}", text) and parse_date(text):
        work.byline_date = parse_date(text)
        return True
    return False


# ----------------------------------------------------------------------------- mail headers
_MAIL_FIELD = re.compile(
    r"^\s*(?P<name>from|to|cc|bcc|subject|date|sent|reply-to|sender|message-id|newsgroups|organi[sz]ation|"
    r"in-reply-to|references|mime-version|content-[\w-]+|x-[\w-]+|list-[\w-]+|mailing-list|return-path|"
    r"received|precedence|delivered-to|user-agent)\s*:\s*(?P<value>.*)$", re.I)
_MAIL_ADDRESS = re.compile(r"<?[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+>?")


def _mail_header(lines: list[Line], i: int, work: ParsedWork) -> int | None:
    """A ``From:/To:/Subject:/Date:`` block (a mailing-list post): read it and return the index after it."""
    j = i
    found: list[tuple[str, str]] = []
    while j < len(lines) and not lines[j].blank and not lines[j].rule:
        m = _MAIL_FIELD.match(lines[j].text)
        if m is None:
            if found and lines[j].text[:1].isspace():  # a folded header line
                j += 1
                continue
            break
        found.append((m.group("name").casefold(), m.group("value").strip()))
        j += 1
    names = {n for n, _ in found}
    if len(found) < 2 or not names & {"from", "subject"} or (j < len(lines) and not lines[j].blank
                                                             and not lines[j].rule):
        return None
    for name, value in found:
        if name == "subject" and value and work.subject is None:
            work.subject = parse_subject(value, mail=True) or parse_subject(value, require_kind=False, mail=True)
        elif name in ("date", "sent") and work.byline_date is None:
            work.byline_date = parse_date(value)
        elif name == "from" and value:
            who = _MAIL_ADDRESS.sub(" ", value).strip(" \"'()<>")
            if not who:
                addr = _MAIL_ADDRESS.search(value)
                who = addr.group(0).strip("<>").split("@")[0] if addr else ""
            work.mail_from = who or None
    return j


# ----------------------------------------------------------------------------- front matter and comments
def _front_matter(lines: list[Line], i: int) -> tuple[list[Field], int] | None:
    if i >= len(lines) or lines[i].text.strip() != "---":
        return None
    for j in range(i + 1, min(len(lines), i + 200)):
        if lines[j].text.strip() in ("---", "..."):
            block = "\n".join(ln.text for ln in lines[i + 1:j])
            try:
                data = yaml.safe_load(block)
            except yaml.YAMLError:
                return None
            if not isinstance(data, dict) or not data:
                return None
            out: list[Field] = []
            for k, v in data.items():
                label = str(k).replace("_", " ")
                key = label_key(label)
                for val in _yaml_values(v):
                    out.append(Field(key, label, val))
            return out, j + 1
    return None


def _yaml_values(v: Any) -> list[str]:
    if v is None:
        return []
    if isinstance(v, list):
        vals = [str(x) for x in v if x is not None and str(x).strip()]
        return [", ".join(vals)] if vals else []
    return [str(v).strip()]


# ----------------------------------------------------------------------------- the header
def _block_is_short(lines: list[Line], i: int) -> bool:
    """The run of non-label text lines starting at i is short enough to continue a header value.

    A run ended by a blank line may be up to 6 lines (1,200 characters); one ended by another label at
    most 3 lines (500 characters), since a story pasted straight after a header can be followed by a
    second copy of that header.
    """
    n = chars = 0
    while i < len(lines):
        ln = lines[i]
        if ln.blank or ln.rule or ln.cut:
            return n <= 6 and chars <= 1200
        if _known(_fields_of(ln)):
            return n <= 3 and chars <= 500
        n += 1
        chars += len(ln.text)
        if n > 6:
            return False
        i += 1
    return n <= 6 and chars <= 1200


def _is_header_start(lines: list[Line], i: int) -> bool:
    """A label line of a strong family followed by more known labels: a header begins here."""
    fs = _fields_of(lines[i])
    if not fs or not any(f.key in STRONG for f in fs):
        return False
    keys = {f.key for f in fs if f.key}
    if len(keys) >= 2:
        return True
    j, seen = i + 1, 0
    while j < len(lines) and seen < 4:
        ln = lines[j]
        j += 1
        if ln.blank:
            continue
        seen += 1
        nfs = _fields_of(ln)
        if _known(nfs):
            keys |= {f.key for f in nfs or () if f.key}
            if len(keys) >= 2:
                return True
        elif "title" in keys and seen == 1:
            return False
    return False


def _read_header(lines: list[Line], i: int, work: ParsedWork, line_mode: bool = False) -> int:
    """Read labelled lines from i; return the index of the first line after the header."""
    n = len(lines)
    last: Field | None = None
    last_idx = -1
    seen_known = False
    j = i
    while j < n:
        ln = lines[j]
        if ln.blank:
            j += 1
            continue
        if ln.rule or ln.cut:
            break
        fs = _fields_of(ln)
        if fs is not None:
            if not _known(fs):
                k = _next_nonblank(lines, j + 1)
                ahead = k < n and _known(_fields_of(lines[k]))
                if not (seen_known or ahead) or len(fs[0].value) > 300:
                    break
            else:
                seen_known = True
            # a label with an empty value takes the next line(s) as its value
            work.fields.extend(fs)
            last, last_idx = work.fields[-1], j
            j += 1
            continue
        # not a label line: a part marker, the title repeated, a continuation, or the story
        if len(ln.text) <= 40 and re.fullmatch(r"\(?\s*(?:part|chapter)\s+\S+(?:\s*(?:/|of)\s*\S+)?\s*\)?",
                                               ln.text.strip(), re.I) and find_part(ln.text) \
                and not _next_chapter_follows(lines, j):
            work.fields.append(Field("part", "Part", ln.text.strip(" ()")))
            last, last_idx = work.fields[-1], j
            j += 1
            continue
        if seen_known and _is_title_repeat(ln.text, work.first("title")):
            j += 1
            break
        if _CHAPTER_RE.match(ln.text):  # "Chapter One: Ten Past Four": the story begins
            break
        if last is not None and last_idx == j - 1 and (
            not last.value
            or (not line_mode and (last.key in MULTILINE or last.key is None) and _block_is_short(lines, j))
        ):
            joined = f"{last.value}\n{ln.text}" if last.value else ln.text
            work.fields[-1] = last = Field(last.key, last.label, joined)
            last_idx = j
            j += 1
            continue
        break
    # trailing blank lines stay outside
    return j


def _next_chapter_follows(lines: list[Line], j: int) -> bool:
    """A bare "Chapter One" under the header is the first chapter's heading, not a part marker, when the
    post goes on to "Chapter Two" (the next number) further down."""
    pm = find_part(lines[j].text)
    if pm is None or pm.of is not None or not re.match(r"\s*\(?\s*chapter\b", lines[j].text, re.I):
        return False
    for ln in lines[j + 1:]:
        if _CHAPTER_RE.match(ln.text) and re.match(r"\s*chapter\b", ln.text, re.I):
            nxt = find_part(ln.text)
            if nxt is not None and nxt.part == pm.part + 1:
                return True
    return False


def _paragraphs_from(lines: list[Line], i: int, line_mode: bool) -> tuple[list[Line], int]:
    """The paragraph that starts at i (after blanks): its lines and the index after it."""
    i = _next_nonblank(lines, i)
    if i >= len(lines):
        return [], i
    if line_mode or lines[i].rule or lines[i].cut:
        return [lines[i]], i + 1
    j = i
    while j < len(lines) and not lines[j].blank and not lines[j].rule and not lines[j].cut:
        j += 1
    return lines[i:j], j


def _line_mode(lines: list[Line]) -> bool:
    """True for posts whose paragraphs are single lines with no blank lines between them."""
    nonblank = sum(1 for ln in lines if not ln.blank)
    blank = len(lines) - nonblank
    return nonblank >= 6 and blank * 5 < nonblank


def _title_of(work: ParsedWork) -> str | None:
    t = work.first("title")
    if t:
        return t
    if work.subject and work.subject.title:
        return work.subject.title
    return work.heading_title


_TITLE_SUFFIX_RE = re.compile(r"^(?: by \w+| part \w+| \d+ \d+| chapter \w+)")


def _is_title_repeat(text: str, title: str | None) -> bool:
    if not title:
        return False
    a, b = _norm(text), _norm(title)
    if not a or not b:
        return False
    if a == b:
        return True
    return a.startswith(b) and len(a) - len(b) < 40 and bool(_TITLE_SUFFIX_RE.match(a[len(b):]))


def _start_work(lines: list[Line], i: int, work: ParsedWork, line_mode: bool, *, first: bool) -> int:
    """Read the pre-header (subject line, byline, intro), the header and the notes; return the story start."""
    n = len(lines)
    i = _next_nonblank(lines, i)
    fm = _front_matter(lines, i) if first else None
    if fm is not None:
        work.fields.extend(fm[0])
        i = fm[1]
    # headers found in HTML comments come first in the line list
    while i < n and lines[i].origin == "comment":
        fs = _fields_of(lines[i])
        if fs:
            work.fields.extend(fs)
        elif work.fields and lines[i].text:
            last = work.fields[-1]
            work.fields[-1] = Field(last.key, last.label, f"{last.value} {lines[i].text}".strip())
        i += 1
    i = _next_nonblank(lines, i)
    while i < n and is_nav_bar(lines[i].text):
        i = _next_nonblank(lines, i + 1)
    mail_end = _mail_header(lines, i, work)
    if mail_end is not None:
        i = _next_nonblank(lines, mail_end)
    # pre-header lines: subject, byline, heading, intro paragraphs — only when a header follows soon
    pre_limit = 4
    k = i
    while k < n and pre_limit > 0 and not _is_header_start(lines, k):
        ln = lines[k]
        if not ln.blank:
            pre_limit -= 1
        k += 1
    header_at = k if k < n and _is_header_start(lines, k) else None
    if header_at is None and i < n and _known(_fields_of(lines[i])):
        header_at = i
    if header_at is not None:  # a known label before the strong header start opens the header
        for k in range(i, header_at):
            if _known(_fields_of(lines[k])):
                header_at = k
                break
    if header_at is not None:
        weak: str | None = None  # the line a subject was guessed from, with no "Fic:" or brackets to go by
        while i < header_at:
            ln = lines[i]
            if ln.blank or ln.rule or ln.cut or is_nav_bar(ln.text):
                i += 1
                continue
            if ln.heading and weak is not None:  # a heading is a better title than a guessed plain line
                work.notes.append(weak)
                work.subject, weak = None, None
            subj = parse_subject(ln.text)
            if subj is not None and (work.subject is None or weak is not None):
                if weak is not None:  # a real subject line after a guessed one: the guess was an intro line
                    work.notes.append(weak)
                    weak = None
                work.subject = subj
            elif _read_byline(ln.text, work):
                pass
            elif work.subject is None and (ln.heading or (len(ln.text) <= 120 and not is_author_note(ln.text)
                                                          and not re.search(r"[.!?]\s*$", ln.text))):
                work.subject = parse_subject(ln.text, require_kind=False)
                weak = None if ln.heading else ln.text
            else:
                work.notes.append(ln.text)
                work.fields.extend(_inline_fields(ln.text))
            i += 1
        if work.fields or fm is None:
            i = _read_header(lines, header_at, work, line_mode)
    elif not work.fields and i < n and lines[i].heading and len(lines[i].text) <= 150:
        work.heading_title = lines[i].text
        i += 1
        # a personal site's page: the heading, then "by NAME" and a rule before the story
        for _ in range(3):
            k = _next_nonblank(lines, i)
            if k >= n:
                break
            ln = lines[k]
            if ln.rule or ln.cut or is_sig_dash(ln.text):
                i = k + 1
            elif work.byline_creator is None and len(ln.text) <= 80 and _BY_NAME.match(ln.text):
                _read_byline(ln.text, work)
                i = k + 1
            else:
                break
    if work.subject is not None and work.subject.community:
        work.byline_community = work.byline_community or work.subject.community
    if not work.fields and work.subject is None:
        return i
    # unlabelled author's notes between header and story
    notes_label_last = bool(work.fields) and work.fields[-1].key in ("notes", "prompt", "disclaimer")
    title = _title_of(work)
    for _ in range(4):
        para, nxt = _paragraphs_from(lines, i, line_mode)
        if not para:
            break
        if para[0].rule or para[0].cut or (len(para) == 1 and is_sig_dash(para[0].text)):
            i = nxt
            continue
        text = " ".join(ln.text for ln in para)
        if len(para) == 1 and _is_title_repeat(text, title):
            i = nxt
            continue
        if len(text) < 1500 and (is_author_note(text) or (notes_label_last and _note_continues(text))
                                 or _addressed_before_rule(text, lines, nxt)):
            work.notes.append("\n".join(ln.text for ln in para))
            i = nxt
            continue
        break
    return i


# a paragraph addressed to someone: "For pinecone, with thanks", "Dear Sam:", "Happy holidays, Sam!"
_ADDRESS_RE = re.compile(
    r"^\s*(?:(?:for|to|dear|hi|hello|hey)\s+(?!(?:the|a|an|his|her|my|their|our|its|some|all|be|me|him|them|us|"
    r"what|when|where|how|this|that)\b)(?:lj user\s+|@)?[\w.\-]+(?:\s+[\w.\-]+)?\s*[,!:;\u2014\u2013]|"
    r"(?:happy|merry)\s+\w+|(?:a\s+)?(?:gift|present|treat) for\b|this (?:one |story |fic )?is for\b|"
    r"(?:many\s+)?thanks? (?:to|you)\b|with thanks\b)", re.I)


def _addressed_before_rule(text: str, lines: list[Line], nxt: int) -> bool:
    """A short paragraph addressed to someone ("For lemonpip, with thanks…") just above a rule: a note."""
    k = _next_nonblank(lines, nxt)
    return (len(text) <= 600 and bool(_ADDRESS_RE.match(text)) and k < len(lines)
            and (lines[k].rule or lines[k].cut or is_sig_dash(lines[k].text)))


def _note_continues(text: str) -> bool:
    return bool(re.search(r"\b(?:I|my|me)\b", text)) and not re.match(r"^\s*[\"\u201c']", text)


# ----------------------------------------------------------------------------- the body
def _split_paragraphs(body: list[Line], line_mode: bool) -> list[list[Line]]:
    paras: list[list[Line]] = []
    cur: list[Line] = []
    for ln in body:
        if ln.blank or ln.cut:
            if cur:
                paras.append(cur)
                cur = []
            continue
        if ln.rule or line_mode:
            if cur:
                paras.append(cur)
                cur = []
            paras.append([ln])
            continue
        cur.append(ln)
    if cur:
        paras.append(cur)
    return paras


def _para_text(p: list[Line]) -> str:
    return " ".join(ln.text for ln in p)


def _strip_signature(paras: list[list[Line]], work: ParsedWork) -> None:
    """A mail signature (``--`` then up to four short lines) at the very end goes to ``footer_extra``."""
    for idx in range(len(paras) - 1, max(-1, len(paras) - 4), -1):
        p = paras[idx]
        for k, ln in enumerate(p):
            if not is_sig_dash(ln.text):
                continue
            tail = [x.text for x in p[k + 1:]] + [x.text for q in paras[idx + 1:] for x in q]
            if len(tail) > 4 or any(len(t) > 100 for t in tail) or (k == 0 and idx == 0):
                return
            if tail:
                work.footer_extra["Signature"] = "\n".join(t.strip() for t in tail)
            del paras[idx + 1:]
            if k == 0:
                del paras[idx]
            else:
                paras[idx] = p[:k]
            return


def _strip_footer(paras: list[list[Line]], work: ParsedWork) -> None:
    """Remove footer junk from the end of the story; feedback requests and thanks become end notes."""
    _strip_signature(paras, work)
    end_notes: list[str] = []
    # everything after a closing "The End"/rule near the end is end matter
    tail_start = None
    for idx in range(len(paras) - 1, max(-1, len(paras) - 9), -1):
        t = _para_text(paras[idx])
        if (paras[idx][0].rule and idx > 0) or is_end_mark(t):
            after = paras[idx + 1:]
            if sum(len(_para_text(p)) for p in after) < 1500:
                tail_start = idx
            break
    if tail_start is not None:
        for p in paras[tail_start + 1:]:
            note = _take_footer(p, [footer_kind(ln.text) for ln in p], work)
            if note:
                end_notes.append(note)
        del paras[tail_start:]
    while paras:
        p = paras[-1]
        if p[0].rule:
            paras.pop()
            continue
        kinds = _footer_kinds(p)
        if kinds is None:
            break
        note = _take_footer(p, kinds, work)
        if note:
            end_notes.insert(0, note)
        paras.pop()
    if end_notes:
        work.end_notes = [*end_notes, *work.end_notes]


def _footer_kinds(p: list[Line]) -> list[str] | None:
    """The footer kind of each line of a paragraph, or None as soon as one line is story text."""
    kinds: list[str] = []
    for ln in p:
        kind = footer_kind(ln.text)
        if kind is None:
            return None
        kinds.append(kind)
    return kinds


def _take_footer(p: list[Line], kinds: Sequence[str | None], work: ParsedWork) -> str | None:
    """Keep a footer paragraph's LJ chrome in ``footer_extra``; return what belongs in the end notes."""
    keep: list[str] = []
    for ln, kind in zip(p, kinds, strict=True):
        if kind == "chrome":
            label, _, value = ln.text.partition(":")
            if value.strip():
                work.footer_extra[f"LJ {label.strip()}"] = value.strip()
        elif kind in ("feedback", None):
            keep.append(ln.text)
        elif kind == "note":
            keep.append(strip_note_label(ln.text))
        elif kind == "archive":  # "Next: Flood Tide": where the series goes on, kept aside
            nm = re.match(r"^\s*(?P<open>[\[(])?\s*(next|previous|prev)\b[^:]{0,20}:\s*(?P<to>\S.*?)"
                          r"(?(open)[\])]?)\s*$", ln.text, re.I)
            if nm:
                label = "Next" if nm.group(2).casefold() == "next" else "Previous"
                work.footer_extra.setdefault(label, nm.group("to"))
    return "\n".join(keep) or None


def _dedupe_paragraphs(paras: list[list[Line]], work: ParsedWork) -> None:
    """A story pasted twice: cut the second copy."""
    if len(paras) < 4:
        return
    texts = [_para_text(p).strip() for p in paras]
    first = texts[0]
    if len(first) < 20:
        return
    for k in range(2, len(texts)):
        if texts[k] == first:
            span = min(3, len(texts) - k)
            if texts[k:k + span] == texts[:span] and (len(texts) - k) >= 0.5 * k:
                del paras[k:]
                work.warnings.append("second copy of the story removed")
                return


_CHAPTER_RE = re.compile(
    r"^\s*(?:chapter|part|ch\.)\s+(?:\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|[ivxlc]{1,6})"
    r"\b\s*(?:[:.\-\u2013\u2014]\s*(?P<title>.{0,100}))?$", re.I)


def _split_chapters(paras: list[list[Line]]) -> list[tuple[str | None, list[list[Line]]]]:
    marks = [idx for idx, p in enumerate(paras) if len(p) == 1 and _CHAPTER_RE.match(p[0].text)]
    if marks == [0] and len(paras) > 1:  # one chapter heading on top of the story: its title
        return [(paras[0][0].text.strip(), paras[1:])]
    if len(marks) < 2:
        return [(None, paras)]
    chapters: list[tuple[str | None, list[list[Line]]]] = []
    if marks[0] > 0:
        chapters.append((None, paras[:marks[0]]))
    for a, b in zip(marks, [*marks[1:], len(paras)], strict=True):
        chapters.append((paras[a][0].text.strip(), paras[a + 1:b]))
    return [c for c in chapters if c[1]]


def _finish_body(body: list[Line], work: ParsedWork, line_mode: bool) -> None:
    paras = _split_paragraphs(body, line_mode)
    _dedupe_paragraphs(paras, work)
    _strip_footer(paras, work)
    title = _title_of(work)
    while paras and len(paras[0]) == 1 and (paras[0][0].rule or is_sig_dash(paras[0][0].text)
                                            or _is_title_repeat(paras[0][0].text, title)):
        paras.pop(0)
    work.chapters = _split_chapters(paras)


def _header_signature(work: ParsedWork) -> dict[str, str]:
    sig: dict[str, str] = {}
    for f in work.fields:
        if f.key and f.value:
            sig.setdefault(f.key, _norm(f.value))
    return sig


def _same_header(a: ParsedWork, b: ParsedWork) -> bool:
    sa, sb = _header_signature(a), _header_signature(b)
    common = set(sa) & set(sb)
    if len(common) < 2 or any(sa[k] != sb[k] for k in common):
        return False
    return not ("title" in sb and "title" not in sa)


def _story_key(work: ParsedWork) -> tuple[str, int]:
    """The folded opening of a work's story (about 600 characters) and the story's length."""
    head: list[str] = []
    size = total = 0
    for _, paras in work.chapters:
        for p in paras:
            t = _para_text(p)
            total += len(t)
            if size < 600:
                head.append(t)
                size += len(t)
    return _norm(" ".join(head))[:400], total


def _same_story(a: tuple[str, int], b: tuple[str, int]) -> bool:
    if not b[1]:
        return True
    if not a[1]:
        return False
    head = min(len(a[0]), len(b[0]))
    return a[0][:head] == b[0][:head] and min(a[1], b[1]) >= 0.6 * max(a[1], b[1])


_QUOTE_OR_BANG = re.compile(r"[\"'\u201c\u201d!?]")
_DIVIDER = re.compile(r"^(?:[\W_]\s*){3,60}$|^(?=.*[oOxX])(?=.*[a-z])(?=.*[A-Z])[oOxX0~*.\-\s]{5,40}$")


def _mark_dividers(lines: list[Line]) -> list[Line]:
    """Lines made only of symbols (``———``, ``~*~*~``) or ``oOoOo``-style dividers are rules."""
    out = lines
    for idx, ln in enumerate(lines):
        t = ln.text.strip()
        if not ln.rule and 3 <= len(t) <= 60 and _DIVIDER.match(t) and not _QUOTE_OR_BANG.search(t):
            if out is lines:
                out = list(lines)
            out[idx] = Line(ln.text, ln.html, rule=True, cut=ln.cut, heading=ln.heading, origin=ln.origin)
    return out


def _inherit(works: list[ParsedWork]) -> None:
    """Later works of a post share what the post states once: its byline, and a fandom said only once."""
    first = works[0]
    first_fandoms = [f for f in first.fields if f.key == "fandom"]
    for w in works[1:]:
        w.byline_creator = w.byline_creator or first.byline_creator
        w.byline_community = w.byline_community or first.byline_community
        w.byline_date = w.byline_date or first.byline_date
        if first_fandoms and not any(f.key in ("fandom", "fandom_pairing") for f in w.fields):
            w.fields.extend(first_fandoms)


def parse_lines(lines: list[Line], *, links: list[str] | None = None, is_html: bool = False) -> list[ParsedWork]:
    """Find every work in a post."""
    lines = _mark_dividers(lines)
    _local.memo = {}
    try:
        return _parse(lines, links or [], is_html)
    finally:
        _local.memo = None


def _parse(lines: list[Line], links: list[str], is_html: bool) -> list[ParsedWork]:
    line_mode = _line_mode(lines)
    works: list[ParsedWork] = []
    i = 0
    n = len(lines)
    first = True
    while i < n:
        work = ParsedWork(links=list(links or []), is_html=is_html)
        start = _start_work(lines, i, work, line_mode, first=first)
        j = start
        while j < n and not _is_header_start(lines, j):
            j += 1
        end = j
        if j < n:
            # a subject line or heading just before the next header belongs to it
            k = j - 1
            while k > start and lines[k].blank:
                k -= 1
            if k > start and (lines[k].heading or parse_subject(lines[k].text) is not None or lines[k].rule):
                end = k
        _finish_body(lines[start:end], work, line_mode)
        if works and _same_header(works[-1], work) and _same_story(_story_key(works[-1]), _story_key(work)):
            kept = works[-1]
            kept.warnings.append("second copy of the header and story removed")
            for note in work.end_notes:
                if note not in kept.end_notes:
                    kept.end_notes.append(note)
        elif work.fields or work.subject or work.chapters or not works:
            works.append(work)
        if end <= i:  # never loop without progress
            end = i + 1
        i = end
        first = False
    if not works:
        works.append(ParsedWork(links=list(links or []), is_html=is_html))
    _inherit(works)
    return works
