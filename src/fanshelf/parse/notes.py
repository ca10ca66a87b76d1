"""Tell author's notes and footer junk apart from story text."""

from __future__ import annotations

import re

from fanshelf.parse.fold import re_lower

_NOTE_START = re.compile(
    r"^\s*[(\[]?\s*(?:a/?n|a\.n\.|author'?s?'? ?notes?|notes?|ps|p\.s\.|edit|eta|disclaimer|warning)\b\s*[:.\-)\]]",
    re.I,
)
# words and phrases that talk about a story (each a regex fragment starting with a plain ASCII letter)
_META_WORDS = (
    "fic", "fics", "ficlet", "ficlets", "drabbles?", "songfic", "beta", "betas", "beta'd", "betaed", "beta-read",
    "unbeta'd", "unbetaed", "prompt", "prompts", "challenge", "written for", "this story", "this fic", "this piece",
    "title is", "title comes", "title from", "title taken", "thanks to", "thank you", "enjoy", "inspired by",
    "dedicated to", "hope you", "my first", "spoilers?", "canon", "sequel", "prequel", "feedback", "concrit",
    "lyrics", "one-?shot", "fandom", "pov", "ooc", "don'?t own", "do not own", "belongs? to", "crossposted",
    "cross-posted", "mistakes are", "all mistakes", "my own", "songfic", "ficathon", "comment fic", "kudos",
    "typos?", "apologies", "I wrote", "wrote this", "wrote it", "mods?", "exchange", "gift", "recipient", "dear",
    "happy birthday",
)


def _by_first_letter(alternatives: tuple[str, ...]) -> str:
    """``(?:fic|fics|drabbles?|…)`` regrouped as ``(?:f(?:ic|ics)|d(?:rabbles?)|…)``, for a case-insensitive
    pattern: the same matches (two groups never start with the same letter and each keeps its order), but
    ``re`` tries a few first letters at each position instead of every alternative."""
    groups: dict[str, list[str]] = {}
    for alt in alternatives:
        assert alt[:1].isascii() and alt[:1].isalpha() and alt[1:2] not in ("?", "*", "+", "{"), alt
        groups.setdefault(alt[0].lower(), []).append(alt[1:])
    return "(?:" + "|".join(f"{first}(?:{'|'.join(rests)})" for first, rests in groups.items()) + ")"


_META = re.compile(r"\b" + _by_first_letter(_META_WORDS) + r"\b", re.I)
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|I'd|I'll|my|me|we're|our)\b")
_QUOTE_START = re.compile(r"^\s*[\"\u201c\u201d'\u2018\u2019\u00ab\u2014\-]")


def is_author_note(text: str) -> bool:
    """A paragraph that talks about the story ("I", "my beta", "not a songfic") rather than narrating it."""
    if not text.strip() or _QUOTE_START.match(text):
        return False
    if _NOTE_START.match(text):
        return True
    metas = _META.finditer(text)  # two meta words, or one and a first person
    if next(metas, None) is None:
        return False
    return next(metas, None) is not None or bool(_FIRST_PERSON.search(text))


_END_MARK = re.compile(r"^[\W_]*(?:the end|end|fin|finis|finito|owari|end of (?:story|fic|part \w+)|the end\?|"
                       r"ende|das ende|fim|koniec|konec|einde|slutt?|loppu)[\W_]*$", re.I)
# "To be continued in part 2!", "[continued in part 2]", "TBC": the part ends here, more comes elsewhere
_TBC = re.compile(r"^[\W_]*(?:(?:to be )?continued(?:\s+(?:in|on|with|next)\s+(?:the\s+)?"
                  r"(?:part|chapter|next|sequel|story|week|time)\b.{0,30}?)?|tbc|more (?:to come|soon)|"
                  r"fortsetzung folgt|continuar[áa]|[àa] suivre|continua)[\W_]*$", re.I)
_CHROME = re.compile(
    r"^\s*(?:tags?|location|mood|music|current (?:mood|music|location)|entry tags|filed under|labels|posted in|"
    r"share(?: this)?|link|reply|leave a comment|post a new comment|add to memories|track this|tell a friend|"
    r"flag|edit entry|next entry|previous entry|\d+ comments?|comments? \(\d+\)|\(?\d+ comments? - leave a "
    r"comment\)?)\b(?:\s*[:\-].*)?\s*$|"
    r"^\s*(?:share(?: this)?(?: on \w+)?|tweet(?: this)?|facebook|tumblr|reblog|like|pin it|email this|print)"
    r"(?:(?:\s*[\u00b7|\-\u2022/,]\s*|\s+)(?:share(?: this)?(?: on \w+)?|tweet(?: this)?|facebook|tumblr|reblog|like|"
    r"pin it|email this|print))*\s*$",
    re.I,
)
# Footer patterns come in two parts, tried as one would be: the alternatives anchored at the start of the
# line (a match is cheap), and the ones that may match anywhere, searched only when the line holds one of
# the words without which none of them can match.
_FEEDBACK_AT_START = re.compile(
    r"\s*(?:comments?|feedback|reviews?|concrit)\s*[.!:?]*\s*[(:;)\-\w]{0,4}\s*$|"
    r"\s*(?:many |big |huge )?thanks?(?: so much| again)? (?:to|you)\b|"
    r"\s*(?:thanks|thank you)[.!]*\s*$",
    re.I,
)
_FEEDBACK_ANYWHERE = re.compile(
    r"\b(?:comments?|feedback|concrit|reviews?|kudos|con-?crit)\b.{0,60}\b(?:welcome|love|loved|appreciated|"
    r"adored|please|always|encouraged|treasured|cherished|make my day|wanted|desired|craved)\b|"
    r"thanks? (?:you )?(?:so much )?for reading|hope you (?:all )?(?:enjoyed|liked)|let me know what you think|"
    r"please (?:comment|review|leave)|(?:feedback|comments?) (?:is|are) (?:love|loved|welcome)|makes? my day|"
    r"\b(?:kommentare?|reviews?|feedback|kritik|comentarios?|reviews?|commentaires?|rese[\u00f1n]as?)\b.{0,40}"
    r"\b(?:liebe|willkommen|erw\u00fcnscht|gern gesehen|bienvenid[oa]s?|agradec\w*|bienvenus?|appr\u00e9ci\u00e9s?)\b",
    re.I,
)
_FEEDBACK_WORDS = ("comment", "feedback", "concrit", "con-crit", "review", "kudos", "for reading", "hope you",
                   "let me know", "please ", "my day", "kommentar", "kritik", "comentario", "rese\u00f1", "resen")
_ARCHIVE_AT_START = re.compile(
    r"\s*archived at|"
    r"\s*(?:next|previous|prev|back to|go to)\b.{0,40}\b(?:part|chapter|index|masterlist|story)|"
    r"\s*(?:<<|\u00ab)|\s*continued in\b|\s*part \d+ (?:is )?here|"
    r"\s*(?:\[|\()?\s*(?:next|previous|prev)\s*(?:part|chapter)?\s*(?:\]|\))?\s*$|"
    r"\s*(?:\[|\()?\s*(?:next|previous|prev|back|up|index)\s*(?:part|chapter|story|fic)?\s*(?::|>>|\u00bb|-+>)",
    re.I,
)
_ARCHIVE_ANYWHERE = re.compile(
    r"this (?:story|fic) (?:is )?(?:also )?archived|also (?:posted|available|archived) (?:at|on)|"
    r"cross-?posted (?:to|at|on)|originally posted|(?:>>|\u00bb)\s*$|masterlist",
    re.I,
)
_ARCHIVE_WORDS = ("archived", "also ", "posted", ">>", "\u00bb", "masterlist")


def _is_archive(s: str, low: str) -> bool:
    """Links and archive notes: "Archived at…", "Next: Flood Tide", "masterlist", "<< Part 1"."""
    return bool(_ARCHIVE_AT_START.match(s)) or (any(w in low for w in _ARCHIVE_WORDS)
                                                and bool(_ARCHIVE_ANYWHERE.search(s)))


def _is_feedback(s: str, low: str) -> bool:
    """Feedback requests and thanks: "Comments are love!", "Thanks for reading"."""
    return bool(_FEEDBACK_AT_START.match(s)) or (any(w in low for w in _FEEDBACK_WORDS)
                                                 and bool(_FEEDBACK_ANYWHERE.search(s)))


_END_NOTE_LABEL = re.compile(r"^\s*(?:a/?n|author'?s? notes?|end ?notes?|notes?|ps|p\.s\.)\s*[:.\-]\s*", re.I)


def footer_kind(line: str) -> str | None:
    """``end`` (The End, Fin), ``chrome`` (LJ Tags/Mood/Music), ``archive`` (links, archived at…),
    ``feedback`` (requests and thanks), ``note`` (an A/N label), or None for story text."""
    s = line.strip()
    if not s:
        return None
    if (len(s) <= 30 and _END_MARK.match(s)) or (len(s) <= 70 and _TBC.match(s)):
        return "end"
    if len(s) <= 300 and _CHROME.match(s):
        return "chrome"
    if len(s) <= 300:
        low = re_lower(s)
        if _is_archive(s, low):
            return "archive"
        if _is_feedback(s, low):
            return "feedback"
    if _END_NOTE_LABEL.match(s):
        return "note"
    return None


def is_end_mark(line: str) -> bool:
    """``The End``, ``Fin``, ``~fin~``."""
    s = line.strip()
    return (len(s) <= 30 and bool(_END_MARK.match(s))) or (len(s) <= 70 and bool(_TBC.match(s)))


_SIG_DASH = re.compile(r"^\s*--\s*$")


def is_sig_dash(line: str) -> bool:
    """``--`` alone on a line: a mail signature's delimiter (or, after a header, its end)."""
    return bool(_SIG_DASH.match(line))


def strip_note_label(text: str) -> str:
    return _END_NOTE_LABEL.sub("", text, count=1).strip()
