"""Readers for the values writers put after labels: word counts, dates, parts, challenges, subjects."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date

from fanshelf.model import Challenge, SeriesPart
from fanshelf.parse.fold import re_lower

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
}
_DRABBLES = {"drabble": 100, "double drabble": 200, "triple drabble": 300, "quadruple drabble": 400,
             "half drabble": 50, "drabblet": 50}

_NUM = r"\d{1,3}(?:[,.\u00a0 ]\d{3})+|\d+(?:\.\d+)?"


_GROUPED_RE = re.compile(r"\d{1,3}(?:[,.]\d{3})+")
_GROUP_SEP_RE = re.compile(r"[,.]")
_TIMES_RE = re.compile(r"(" + _NUM + r")\s*(?:words?\s*)?[x×*]\s*(\d+)")
_TIMES_DRABBLES_RE = re.compile(r"(\d+)\s*[x×*]\s*(" + "|".join(sorted(_DRABBLES, key=len, reverse=True)) + r")")
_COUNT_RE = re.compile(r"(" + _NUM + r")\s*(k\b)?")


def _to_number(s: str, k: bool = False) -> float:
    s = s.replace("\u00a0", "").replace(" ", "")
    if _GROUPED_RE.fullmatch(s):
        return float(_GROUP_SEP_RE.sub("", s))
    val = float(s.replace(",", "."))
    return val * 1000 if k else val


def parse_word_count(value: str) -> int | None:
    """``1,198 words`` → 1198, ``~ 28.000`` → 28000, ``1.5k`` → 1500, ``100 x 3`` → 300, ``drabble`` → 100."""
    v = value.casefold().strip()
    if not v:
        return None
    m = _TIMES_RE.search(v)
    if m:
        return int(_to_number(m.group(1)) * int(m.group(2)))
    m = _TIMES_DRABBLES_RE.search(v)
    if m:
        return int(m.group(1)) * _DRABBLES[m.group(2)]
    m = _COUNT_RE.search(v)
    if m:
        return round(_to_number(m.group(1), bool(m.group(2))))
    for word in sorted(_DRABBLES, key=len, reverse=True):
        if re.search(r"\b" + word + r"s?\b", v):
            n = re.search(r"\b(" + "|".join(_NUMBER_WORDS) + r")\s+" + word, v)
            return _DRABBLES[word] * (_NUMBER_WORDS[n.group(1)] if n else 1)
    return None


_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}
_MONTHS.update({k[:3]: v for k, v in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_MON = "|".join(sorted(_MONTHS, key=len, reverse=True))


def _mkdate(y: int, m: int, d: int) -> str | None:
    if y < 100:
        y += 2000 if y < 50 else 1900
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


_ISO_DATE_RE = re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b")
_DAY_MONTH_RE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?[\s.-]+(" + _MON + r")\.?,?[\s.-]+(\d{4})\b")
_MONTH_DAY_RE = re.compile(r"\b(" + _MON + r")\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_NUMERIC_DATE_RE = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")


def parse_date(value: str) -> str | None:
    """ISO, ``12 March 2009``, ``March 12th, 2009``, ``Mar. 12 2009``, ``2009/03/12`` → ``YYYY-MM-DD``."""
    v = value.casefold()
    m = _ISO_DATE_RE.search(v)
    if m:
        return _mkdate(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _DAY_MONTH_RE.search(v)
    if m:
        return _mkdate(int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1)))
    m = _MONTH_DAY_RE.search(v)
    if m:
        return _mkdate(int(m.group(3)), _MONTHS[m.group(1)], int(m.group(2)))
    m = _NUMERIC_DATE_RE.search(v)
    if m:  # day-first unless that is impossible
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        return _mkdate(y, b, a) if b <= 12 else _mkdate(y, a, b)
    return None


def parse_us_date(value: str) -> str | None:
    """A month-first numeric date as FanFiction.net writes it (``05-21-07``, ``5/21/2007``); else :func:`parse_date`."""
    m = re.fullmatch(r"\s*(\d{1,2})[-/](\d{1,2})[-/](\d{2}|\d{4})\s*", value)
    if m:
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        return _mkdate(y, a, b) if a <= 12 else _mkdate(y, b, a)
    return parse_date(value)


# ----------------------------------------------------------------------------- series parts
_PART_NUM = r"(\d{1,3}|" + "|".join(_NUMBER_WORDS) + r")"
_PART_RES = [
    re.compile(r"\b(?:part|chapter|ch\.?|pt\.?)\s*" + _PART_NUM + r"\s*(?:/|of)\s*" + _PART_NUM + r"\b", re.I),
    re.compile(r"[(\[]\s*(\d{1,3})\s*/\s*(\d{1,3})\s*[)\]]"),
    re.compile(r"(?:^|\s)(\d{1,3})\s*(?:/|of)\s*(\d{1,3})(?:\s*$|\s*[\[(:])", re.I),
    re.compile(r"\b(?:part|chapter)\s*[:#]?\s*" + _PART_NUM + r"\b(?!\s*[/-]\s*\d)", re.I),
]


def _num(s: str) -> int:
    return int(s) if s.isdigit() else _NUMBER_WORDS[s.casefold()]


@dataclass(slots=True)
class PartMatch:
    part: int
    of: int | None
    start: int
    end: int


_DATE_GOES_ON_RE = re.compile(r"\s*/\s*\d")


def find_part(text: str) -> PartMatch | None:
    """``Part 2/4``, ``(3/3)``, ``Chapter: Three``, ``2 of 4``; a date such as ``(12/03)`` is not a part."""
    for i, rx in enumerate(_PART_RES):
        m = rx.search(text)
        if not m:
            continue
        part = _num(m.group(1))
        of = _num(m.group(2)) if i < 3 else None
        if of is not None and (part < 1 or part > of or of > 200 or m.group(1).startswith("0")):
            continue
        after = text[m.end():m.end() + 3]
        if _DATE_GOES_ON_RE.match(after):  # 12/03/2009
            continue
        return PartMatch(part, of, m.start(), m.end())
    return None


def series_part(text: str, title: str | None) -> SeriesPart | None:
    pm = find_part(text)
    if pm is None or (pm.part == 1 and pm.of == 1):
        return None
    return SeriesPart(title=title, part=pm.part, of=pm.of)


# ----------------------------------------------------------------------------- challenges
_SITES = {"lj", "livejournal", "dw", "dreamwidth", "ij", "insanejournal", "tumblr", "ao3", "ff.net", "ffnet",
          "fanfiction.net", "the", "a", "an", "my", "this", "that", "last", "it"}
_COMMUNITY = r"([A-Za-z0-9][A-Za-z0-9_\-]{2,40})"
_PROMPT_NUM_RE = re.compile(
    r"\b(?:challenge|prompt|round|week|drabble|ficathon|fest|theme|table|claim|day|night|square|card)\s*"
    r"(?:no\.?|number|#)?\s*#?"
    r"\s*(\d{1,5})\b(?:\s*[-\u2013\u2014:]+\s*|\s*,\s*|\s+)?(?P<prompt>[^,.;!?()\n]*)", re.I)
_QUOTED_PROMPT_RE = re.compile(
    r"\bprompts?\b[^\"\u201c\u201d'\u2018]{0,40}?[\"\u201c\u2018']([^\"\u201d\u2019]+?)[\"\u201d\u2019](?!\w)", re.I)
_WRITTEN_FOR_RE = re.compile(
    r"\b(?:written|posted|made|created)?\s*for\s+(?:the\s+)?" + _COMMUNITY
    + r"(?:'s)?\s+(?:over\s+)?(?:on|at|@)\s+(?:lj|livejournal|dw|dreamwidth|ij|insanejournal)\b", re.I)
_AT_COMMUNITY_RE = re.compile(r"(?:\bat|\bon|\bover at|\bfor|@)\s+" + _COMMUNITY + r"\s*[.!]?\s*$", re.I)
_COMMUNITY_WORD_RE = re.compile(r"\b" + _COMMUNITY + r"\s+(?:challenge|community|comm|ficathon|fest)\b", re.I)


def _clean_prompt(s: str) -> str | None:
    s = s.strip()
    if re.fullmatch(r"\(([^()]*)\)", s):  # "(Day 3: Borrowed clothes)" → its inside
        s = s[1:-1].strip()
    s = s.strip("\"'\u201c\u201d\u2018\u2019 ").strip()
    s = re.sub(r"[.!,;:]+$", "", s).strip().strip("\"'\u201c\u201d\u2018\u2019 ").strip()
    if not s or s.casefold() in {"the", "a", "an", "prompt"}:
        return None
    return s


# a person the work is for (a gift), not a community: "Gift for lemonpip", "for lemonpip, who wanted ..."
_RECIPIENT_RES = [
    re.compile(r"\b(?:gift|present|treat|pinch[- ]?hit|written|made|fic)?\s*for\s+(?:lj user\s+|user\s+|@)?"
               r"(?P<name>[A-Za-z0-9][\w.\-]{1,40}?)\s*,?\s+who\s+(?:wanted|asked|requested|prompted|wished|"
               r"likes?|loves?|deserves?|needed)\b", re.I),
    re.compile(r"\b(?:gift|present|treat|pinch[- ]?hit)\s+(?:fic\s+)?for\s+(?:lj user\s+|user\s+|@)?"
               r"(?P<name>[A-Za-z0-9][\w.\-]{1,40}?)(?=[\s,.;:!)]|$)", re.I),
    re.compile(r"\b(?:requested|prompted|asked for)\s+by\s+(?:lj user\s+|user\s+|@)?"
               r"(?P<name>[A-Za-z0-9][\w.\-]{1,40}?)(?=[\s,.;:!)]|$)", re.I),
]


# words in a community's name ("ds9_holiday_exchange", "sga_flashfic"): such a name is not a person's
_COMMUNITY_NAME_RE = re.compile(r"exchange|swap|fest|ficathon|challenge|comm\b|_comm|drabble|prompt|fic_|_fic|flashfic|"
                                r"bingo|bang|week|holiday|santa|_list|ficlet|100|table|claim", re.I)


_RECIPIENT_NEEDS = (("for", "who"), ("for",), ("by",))  # words each of _RECIPIENT_RES cannot match without
_NOT_RECIPIENTS = _SITES | {"everyone", "all", "you", "me", "him", "her", "them"}


@functools.lru_cache(maxsize=4096)
def find_recipient(text: str) -> tuple[str, int, int] | None:
    """The person a gift is for, and where the phrase naming them is: (name, start, end)."""
    low = re_lower(text)
    for rx, needs in zip(_RECIPIENT_RES, _RECIPIENT_NEEDS, strict=True):
        if not all(word in low for word in needs):
            continue
        m = rx.search(text)
        if m and m.group("name").casefold() not in _NOT_RECIPIENTS \
                and not _COMMUNITY_NAME_RE.search(m.group("name")):
            return m.group("name"), m.start(), m.end("name")
    return None


_NOT_A_PROMPT = re.compile(
    r"^(?:(?:in|for|at|on|from|of|the|a|an|my|this|'s|s|and|round|year|edition|swap|exchange|fest|ficathon|"
    r"challenge|comm|community|gift|written|fic|\d{4}|\d{4}/\d{2,4}|#?\d{1,3}|[\W_])\s*)*$", re.I)


def _is_community(name: str) -> bool:
    return name.casefold() not in _SITES and ("_" in name or name.islower())


_DIGIT_RE = re.compile(r"\d")
_FOR_COMMUNITY_RE = re.compile(r"\b(?:for|at|on|in)\s+(?:the\s+)?([A-Za-z0-9]+_[A-Za-z0-9_]+)\b")
_LEADING_NUM_RE = re.compile(r"^\s*#?\s*(\d{1,5})\s*[-\u2013\u2014:,.)]\s*(?P<prompt>.*)$")


def find_challenge(text: str, *, labelled: bool = False, links: list[str] | None = None) -> Challenge | None:
    """Read challenge and prompt statements.

    ``Written for Challenge 503 - Second chances``, ``Prompt #419 - Loss, at slashthedrabble``,
    ``for tea_and_rift on LJ; prompt was "Snow."``. ``labelled`` says the
    text is the value of a Prompt/Written for label, so a bare value is the prompt itself.
    """
    ch = Challenge()
    rec = find_recipient(text)
    recipient = rec[0] if rec else None
    if rec:  # the person a gift is for is neither the prompt nor the community
        text = (text[:rec[1]] + " " + text[rec[2]:]).strip(" ,;")
    low = re_lower(text)  # for cheap tests that skip searches bound to fail
    m = _PROMPT_NUM_RE.search(text) if _DIGIT_RE.search(text) else None
    if m:
        ch.number = m.group(1)
        rest = m.group("prompt") or ""
        rest = re.split(r"\s+(?:at|on|for|over at|from)\s+\S+\s*$", rest.strip(), maxsplit=1, flags=re.I)[0]
        ch.prompt = _clean_prompt(rest)
        tail = text[m.end():]
        cm = _AT_COMMUNITY_RE.search(tail) or _AT_COMMUNITY_RE.search(text)
        if cm and _is_community(cm.group(1)):
            ch.community = cm.group(1)
    qm = _QUOTED_PROMPT_RE.search(text) if "prompt" in low else None
    if qm and (ch.prompt is None or re.match(r"prompts?\b", ch.prompt, re.I)):
        ch.prompt = _clean_prompt(qm.group(1))
    wm = _WRITTEN_FOR_RE.search(text) if "for" in low else None
    if wm and ch.community is None and _is_community(wm.group(1)):
        ch.community = wm.group(1)
    if ch.community is None and labelled:
        lead = re.match(r"^\s*([A-Za-z0-9]+_[A-Za-z0-9_]+)\b", text)
        if lead:
            ch.community = lead.group(1)
    if ch.community is None and "_" in text:  # the community names these two find have an underscore
        fm = _FOR_COMMUNITY_RE.search(text)
        if fm:
            ch.community = fm.group(1)
    if ch.community is None and "_" in text:
        cw = _COMMUNITY_WORD_RE.search(text)
        if cw and "_" in cw.group(1):
            ch.community = cw.group(1)
    if ch.community is None and links:
        low = text.casefold()
        for name in links:
            if recipient is not None and name.casefold() == recipient.casefold():
                continue
            if name.casefold() in low and re.search(r"\b(?:for|at|on)\s+" + re.escape(name), text, re.I):
                ch.community = name
                break
    if labelled and ch.number is None:
        lm = _LEADING_NUM_RE.match(text)
        if lm:
            ch.number = lm.group(1)
            text = lm.group("prompt")
            ch.prompt = None
    if labelled and ch.prompt is None:
        value = re.sub(r"^\s*(?:(?:written|posted|made)\s+)?for\s+(?:the\s+)?(?=\S)", "", text, flags=re.I)
        value = re.sub(r"^\W*who\s+(?:wanted|asked for|requested|prompted(?:\s+for)?|wished for|asked)\s*", "",
                       value, flags=re.I)
        if ch.community:
            value = re.sub(r"(?:\b(?:in|at|on|for|over at)\s+)?(?:the\s+)?" + re.escape(ch.community)
                           + r"(?:'s)?\b", " ", value)
        value = re.sub(r"\b(?:over\s+)?(?:on|at)\s+(?:lj|livejournal|dw|dreamwidth)\b", "", value, flags=re.I)
        value = re.sub(r",?\s*who (?:asked|requested|wanted) for\b", "", value, flags=re.I)
        value = re.sub(r"\s+(?:challenge|ficathon|fest)\s*[.!]?\s*$", "", value, flags=re.I) if ch.community else value
        # what is left after the community: a list ("Jadzia/Kira, games, rain") stays whole, but
        # trailing leftovers ("rain, 2009", "rain,  on LJ") go
        pieces = [p for p in re.split(r"\s*,\s*", value)]
        while len(pieces) > 1 and _NOT_A_PROMPT.match(pieces[-1]):
            pieces.pop()
        value = ", ".join(pieces)
        value = re.sub(r"^\s*(?:the\s+)?(?:prompt|challenge)\s*(?:was|is|of)?\s*", "", value, flags=re.I)
        value = re.sub(r"\s{2,}", " ", value).strip()
        ch.prompt = _clean_prompt(value) if len(value) < 200 and not _NOT_A_PROMPT.match(value) else None
    if ch.prompt is None and ch.number is None and ch.community is None:
        return None
    return ch


# ----------------------------------------------------------------------------- subject lines
_SUBJECT_KIND = (r"(?:fic|fics|ficlet|ficlets|drabble|drabbles|double drabble|fanfic|fan fic|fanfiction|new fic"
                 r"|story|one-?shot|oneshot|fic post|triple drabble|poem|vignette)")
_SUBJECT_RE = re.compile(r"^\s*(?:(?P<fandom>[^:\"\u201c]{1,60}?)\s+)?" + _SUBJECT_KIND
                         + r"\s*(?:[:\-\u2013\u2014]\s*|\s+(?=[\"\u201c]))(?P<rest>.+)$", re.I)
_BY_RE = re.compile(r",?\s+by\s+(?P<author>[\w.\-]+)\s*(?=[(\[]|$)", re.I)


# words before "fic:" that describe the post, not its fandom: "New flash fic:", "Another quick drabble:"
_DESCRIPTORS_RE = re.compile(
    r"^(?:(?:new|a|an|my|the|another|one|more|quick|short|little|tiny|mini|flash|bonus|late|belated|first|last|"
    r"final|silly|random|holiday|birthday|christmas|xmas|advent|gift|exchange|challenge|prompt|request|"
    r"requested|comment|crack|old|repost|reposted|rec|wip|multi-?chapter|multi-?fandom|\d+)\b[\s,!:-]*)+",
    re.I)


def is_descriptor(words: str) -> bool:
    """True when ``words`` (before "fic:") only describe the post: "New flash", "another quick"."""
    m = _DESCRIPTORS_RE.match(words)
    return m is not None and not words[m.end():].strip(" -[]")


def strip_descriptors(words: str) -> str:
    """``New flash Torchwood`` → ``Torchwood`` (the caller checks the result is a known fandom)."""
    return _DESCRIPTORS_RE.sub("", words).strip(" -[]")


@dataclass(slots=True)
class Subject:
    title: str | None = None
    fandom: str | None = None
    rating: str | None = None
    pairing: str | None = None
    author: str | None = None
    tags: list[str] | None = None
    part_text: str | None = None
    community: str | None = None  # a list or community name in brackets at the start ("[sga_slash] ...")


_RATING_WORD = re.compile(r"^(?:g|pg|pg-?13|pg-?15|r|nc-?17|nc-?18|t|m|ma|k\+?|x|xxx|gen|teen|mature|explicit"
                          r"|adult|18\+|15\+|13\+|nc17|pg13)$", re.I)


_LIST_TAG_RE = re.compile(r"^\s*\[\s*(?P<name>[A-Za-z0-9][\w.\-]{1,40})\s*\]\s*")
_MAIL_PREFIX_RE = re.compile(r"^\s*(?:(?:re|fwd?|aw|sv)\s*:\s*|\[?new\]?\s*[:!\-]\s*)+", re.I)


def parse_subject(line: str, *, require_kind: bool = True, mail: bool = False) -> Subject | None:
    """``Fic: TITLE (RATING) [PAIRING]``, ``FANDOM Fic: "TITLE"``, ``TITLE 2/4 [FANDOM: PAIRING]``,
    ``TITLE, by AUTHOR (RATING) [TAG]``; for a mail subject (``mail``) also ``[list_name] NEW: TITLE``,
    where the list name is the community."""
    community = None
    if mail:
        line = _MAIL_PREFIX_RE.sub("", line)
    lm = _LIST_TAG_RE.match(line)
    if lm and ("_" in lm.group("name") or (mail and lm.group("name").islower())):
        community = lm.group("name")
        line = line[lm.end():]
    if mail:
        line = _MAIL_PREFIX_RE.sub("", line)
    m = _SUBJECT_RE.match(line)
    subj = Subject(community=community)
    if m:
        rest = m.group("rest").strip()
        if m.group("fandom"):
            fan = m.group("fandom").strip(" -[]")
            if fan and not is_descriptor(fan):
                subj.fandom = fan
    elif require_kind:
        return None
    else:
        rest = line.strip()
    for bm in re.finditer(r"\[([^\]]+)\]", rest):
        inner = bm.group(1).strip()
        if ":" in inner:
            fan, _, pair = inner.partition(":")
            subj.fandom = subj.fandom or fan.strip()
            subj.pairing = pair.strip() or None
            continue
        # "[McKay/Sheppard, PG-13]", "[Zelenka, gen]": ratings, pairings and the rest (names, categories,
        # tags — the wrangler tells them apart) item by item
        items = [x.strip() for x in re.split(r"\s*[,;]\s*", inner) if x.strip()]
        pairs = [x for x in items if "/" in x or "&" in x]
        for item in items:
            if item in pairs:
                continue
            if _RATING_WORD.match(item) and item.casefold() != "gen" and (len(item) > 1 or item.isupper()):
                subj.rating = subj.rating or item
            else:
                subj.tags = [*(subj.tags or []), item]
        if pairs:
            subj.pairing = ", ".join(pairs) if subj.pairing is None else f"{subj.pairing}, {', '.join(pairs)}"
    rest = re.sub(r"\[[^\]]*\]", " ", rest)
    for pm in re.finditer(r"\(([^)]+)\)", rest):
        inner = pm.group(1).strip()
        if _RATING_WORD.match(inner):
            subj.rating = inner
        elif find_part("(" + inner + ")"):
            subj.part_text = inner
    rest = re.sub(r"\(([^)]+)\)", lambda mm: " " if (_RATING_WORD.match(mm.group(1).strip())
                                                     or find_part("(" + mm.group(1) + ")")) else mm.group(0), rest)
    bym = _BY_RE.search(rest)
    if bym:
        subj.author = bym.group("author")
        rest = rest[:bym.start()] + rest[bym.end():]
    pm3 = re.search(r"[\s,;:-]((?:part|chapter|pt\.?|ch\.?)\s*\d{1,3}(?:\s*(?:/|of)\s*\d{1,3})?)\s*$", rest, re.I)
    if pm3 and find_part(pm3.group(1)):  # "Title, part 1/3", "Title - Chapter 2 of 4"
        subj.part_text = subj.part_text or pm3.group(1)
        rest = rest[:pm3.start()]
    pm2 = re.search(r"\s(\d{1,3}\s*/\s*\d{1,3})\s*$", rest)
    if pm2 and find_part(pm2.group(1)):
        subj.part_text = pm2.group(1)
        rest = rest[:pm2.start()]
    title = rest.strip().strip(",;:-").strip()
    qm = re.fullmatch(r"[\"\u201c'](.+?)[\"\u201d']", title)
    if qm:
        title = qm.group(1).strip()
    subj.title = title or None
    return subj
