"""AO3's fixed vocabularies: ratings, archive warnings and categories, and the words people write for them."""

from __future__ import annotations

import re

from fanshelf.model import DEFAULT_RATING

_LEVELS = ["Not Rated", "General Audiences", "Teen And Up Audiences", "Mature", "Explicit"]

# written rating word (normalised: casefold, spaces collapsed) -> AO3 rating
_RATING_WORDS: dict[str, str] = {}
for _words, _rating in (
    (["g", "k", "k+", "pg", "gen", "general", "general audiences", "all ages", "for all ages", "everyone",
      "u", "fr7", "g/pg", "pg/g", "e for everyone", "all audiences"], "General Audiences"),
    (["pg-13", "pg13", "pg 13", "pg-15", "pg15", "pg 15", "t", "teen", "teens", "13+", "12", "12+", "teen and up",
      "teen and up audiences", "teen & up", "fr13", "fr15", "14+", "older children", "pg-12", "k+13"],
     "Teen And Up Audiences"),
    (["r", "m", "mature", "ma15+", "ma", "ma15", "light r", "hard r", "soft r", "15+", "16+", "15", "16",
      "fr18", "r-15", "r15", "r-16", "mature audiences"], "Mature"),
    (["nc-17", "nc17", "nc 17", "nc-18", "nc18", "nc 18", "x", "xxx", "explicit", "adult", "adults", "18+",
      "adults only", "adult content", "fr21", "r-18", "r18", "nc-21", "nc21", "18"], "Explicit"),
    (["none", "unrated", "not rated", "n/a", "na", "no rating", "tbd", "?"], "Not Rated"),
):
    for _w in _words:
        _RATING_WORDS[_w] = _rating

_RATING_RE = re.compile(
    r"(?<![\w+\-])(" + "|".join(re.escape(w) for w in sorted(_RATING_WORDS, key=len, reverse=True))
    + r")(?![\w+]|-\d)",
    re.I,
)


_SPACES_RE = re.compile(r"\s+")
_ISH_RE = re.compile(r"(?:(?<=[\w+])[\s-]ish|(?<=[\d+])ish)\b")
_EXPLANATION_RE = re.compile(r"\s*(?:[(\[]|\bfor\b|\bbecause\b|\bdue to\b|\bjust to be safe\b|\bto be safe\b|"
                             r"\bmostly\b|\bat most\b|\bnothing\b|\bno\b|\bnot\b|\s[-\u2013\u2014:;]\s)")


def map_rating(raw: str | None) -> str:
    """``PG`` → General Audiences, ``Mature`` → Mature (not Explicit, unlike AO3's importer),
    ``PG-13/R`` → Mature (the highest of a range), a joke → Not Rated."""
    if not raw:
        return DEFAULT_RATING
    text = _SPACES_RE.sub(" ", raw.casefold()).strip()
    text = _ISH_RE.sub("", text)  # "PG-13ish"
    whole = _RATING_WORDS.get(text.strip(" .!"))
    if whole:
        return whole
    # only the words before an explanation ("R for language", "M (for themes, nothing explicit)") count
    head = _EXPLANATION_RE.split(text, maxsplit=1)[0]
    found = [_RATING_WORDS[m.group(1).casefold()] for m in _RATING_RE.finditer(head)]
    if not found and not head and text[:1] in "([":
        found = [_RATING_WORDS[m.group(1).casefold()] for m in _RATING_RE.finditer(text)]
    if not found:
        return DEFAULT_RATING
    return max(found, key=_LEVELS.index)


WARNING_CCNTUAW = "Creator Chose Not To Use Archive Warnings"
WARNING_NONE = "No Archive Warnings Apply"
WARNING_VIOLENCE = "Graphic Depictions Of Violence"
WARNING_MCD = "Major Character Death"
WARNING_RAPE = "Rape/Non-Con"
WARNING_UNDERAGE = "Underage Sex"

_WARNING_WORDS: dict[str, str] = {}
for _words, _warning in (
    (["creator chose not to use archive warnings", "choose not to use archive warnings",
      "chose not to use archive warnings", "cnw", "ccntuaw", "choose not to warn", "chose not to warn",
      "author chose not to warn", "author chooses not to warn", "creator chose not to warn"], WARNING_CCNTUAW),
    (["no archive warnings apply", "none", "no warnings", "no warning", "n/a", "na", "nothing", "nada",
      "none apply", "no warnings apply", "not applicable", "none really", "none that i can think of"],
     WARNING_NONE),
    (["graphic depictions of violence", "violence", "graphic violence", "gore", "graphic gore", "violent",
      "some gore", "blood and gore", "gory"], WARNING_VIOLENCE),
    (["major character death", "mcd", "character death", "death fic", "deathfic", "death", "main character death",
      "major character death (temporary)"], WARNING_MCD),
    (["rape/non-con", "rape", "non-con", "noncon", "non con", "nonconsensual", "non-consensual", "dub-con/non-con",
      "rape/noncon", "rape / non-con"], WARNING_RAPE),
    (["underage sex", "underage", "underage sexual content", "chan"], WARNING_UNDERAGE),
):
    for _w in _words:
        _WARNING_WORDS[_w] = _warning


_ITEM_SEP_RE = re.compile(r"\s*(?:[,;\n]|\.(?:\s+|$)|\?\s+|!\s+|\band\b|\bplus\b)\s*")


def _split_items(text: str) -> list[str]:
    """Split a list on commas, semicolons, full stops, ' and ' — never on '/' or '&'."""
    parts = _ITEM_SEP_RE.split(text)
    return [p.strip(" .!?\"'()[]") for p in parts if p and p.strip(" .!?\"'()[]")]


_QUALIFIER_PAREN_RE = re.compile(r"(?<=[^\s(,;])\s*\(([^()]*)\)")
_PAREN_RE = re.compile(r"\(([^()]*)\)")
_MILD_RE = re.compile(r"^(?:some|mild|implied|references to|mentions of|brief|minor|mentioned)\s+")


def map_warnings(raw: str | None) -> tuple[list[str], list[str]]:
    """Archive warnings and the other words (which become additional tags)."""
    if raw is None:
        return [WARNING_CCNTUAW], []
    text = _SPACES_RE.sub(" ", raw).strip()
    # a parenthesis after a word qualifies it ("Character death (canon, off-page)"): archive warnings
    # named inside it count, words saying how it is shown ("off-page", "brief") are dropped, the rest
    # ("canon-compliant") are tags; one standing alone ("(violence)") is read like the rest
    qualified: list[str] = []
    qualifier_tags: list[str] = []

    def _qualifier(m: re.Match[str]) -> str:
        for item in _split_items(m.group(1)):
            w = _WARNING_WORDS.get(item.casefold())
            if w and w not in qualified:
                qualified.append(w)
            elif not w and not _HOW_SHOWN.fullmatch(item) and item.casefold() not in _FILLERS \
                    and len(item.split()) <= 4:
                qualifier_tags.append(item)
        return " "

    text = _QUALIFIER_PAREN_RE.sub(_qualifier, text).strip()
    text = _PAREN_RE.sub(r", \1", text)
    whole = _WARNING_WORDS.get(text.casefold().strip(" .!"))
    if whole:
        return _merge_warnings([whole], qualified), qualifier_tags
    warnings: list[str] = []
    others: list[str] = []
    for item in _split_items(text):
        key = item.casefold()
        key = _MILD_RE.sub("", key)
        w = _WARNING_WORDS.get(key) or _WARNING_WORDS.get(item.casefold())
        if w:
            if w not in warnings:
                warnings.append(w)
        elif len(item.split()) <= 6:
            others.append(item)
    return _merge_warnings(warnings, qualified), [*others, *qualifier_tags]


_FILLERS = {"well", "though", "but", "also", "maybe", "probably", "really", "just", "i guess", "i think", "and",
            "or", "so", "eh", "kinda", "sorta", "very", "sort of", "kind of", "hmm", "yes", "no", "not really",
            "i suppose", "ish", "ok", "okay"}
# how a warned-for thing is shown: qualifiers, not tags
_HOW_SHOWN = re.compile(
    r"(?:(?:mostly|very|only|all|it's|its|it is|is|very much|pretty|fairly|not|non|nothing)[\s-]+)*"
    r"(?:off[\s-]?(?:page|screen|camera|stage)|on[\s-]?(?:page|screen)|graphic|explicit|detailed|brief(?:ly)?|"
    r"mild|minor|temporary|temp|implied|mentioned|referenced|in passing|past|background|sort of|kind of|ish|"
    r"not really|fade to black|sort-of|vague|canon(?:ical)?|canon death|it's canon|it happens in canon)", re.I)


def _merge_warnings(warnings: list[str], more: list[str]) -> list[str]:
    out = [*warnings, *(w for w in more if w not in warnings)]
    if len(out) > 1 and WARNING_NONE in out:
        out.remove(WARNING_NONE)
    return out or [WARNING_CCNTUAW]


CATEGORY_WORDS: dict[str, str] = {
    "gen": "Gen", "general": "Gen", "slash": "M/M", "m/m": "M/M", "mm": "M/M", "m/m slash": "M/M",
    "het": "F/M", "f/m": "F/M", "m/f": "F/M", "femslash": "F/F", "femmeslash": "F/F", "femslash.": "F/F",
    "f/f": "F/F", "ff": "F/F", "multi": "Multi", "poly": "Multi", "polyamory": "Multi", "ot3": "Multi",
    "threesome": "Multi", "moresome": "Multi", "other": "Other", "preslash": "M/M", "pre-slash": "M/M",
    "slashy": "M/M", "yaoi": "M/M", "shonen-ai": "M/M", "shounen-ai": "M/M", "yuri": "F/F", "shoujo-ai": "F/F",
}
_KEEP_AS_TAG = {"pre-slash", "preslash", "threesome", "polyamory", "moresome"}


# genre words written with a slash that are one tag, not two
_SLASH_COMPOUNDS = {"hurt/comfort", "h/c", "comfort/hurt", "angst/fluff", "fluff/angst", "whump/comfort",
                    "hurt/no comfort", "friends/lovers", "enemies/lovers"}
_HEDGE_SUFFIX_RE = re.compile(r"(?:[\s-]*ish|\s*\(?-?ish\)?|\s+(?:sort of|kind of|sorta|kinda))$", re.I)
_HEDGE_PREFIX_RE = re.compile(r"^(?:sort of|kind of|sorta|kinda|a bit of|a little|some|slight|mild|light)\s+", re.I)


def unhedge(item: str) -> str:
    """``hurt/comfort-ish``, ``sort of angst`` → the tag they hedge (``hurt/comfort``, ``angst``)."""
    bare = _HEDGE_PREFIX_RE.sub("", _HEDGE_SUFFIX_RE.sub("", item.strip())).strip()
    return bare or item.strip()


def map_genre(raw: str) -> tuple[list[str], list[str]]:
    """Categories and the remaining genre words (for additional tags)."""
    cats: list[str] = []
    rest: list[str] = []
    for item in _split_items(raw):
        pieces = [item]
        bare = unhedge(item)
        if bare.casefold().replace(" / ", "/") in _SLASH_COMPOUNDS:
            pieces = [bare]
        elif item.casefold() not in CATEGORY_WORDS and "/" in item:
            pieces = [p.strip() for p in item.split("/") if p.strip()]
        for piece in pieces:
            cat = CATEGORY_WORDS.get(piece.casefold())
            if cat:
                if cat not in cats:
                    cats.append(cat)
                if piece.casefold() in _KEEP_AS_TAG:
                    rest.append(piece)
            else:
                rest.append(piece)
    return cats, rest
