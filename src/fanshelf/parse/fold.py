"""Cheap substring tests that stand in front of expensive case-insensitive searches."""

from __future__ import annotations

# The characters besides A-Z that ``re.IGNORECASE`` matches with an ASCII letter (and that ``str.lower``
# does not turn into that one letter): dotted and dotless I, the long s, the Kelvin sign.
_RE_I_EXTRA = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def re_lower(text: str) -> str:
    """``text`` in lowercase such that ``word in re_lower(text)`` holds wherever a case-insensitive pattern's
    literal ``word`` (ASCII, lowercase) matches in ``text``: a test that can skip a search bound to fail."""
    if not text.isascii() and ("\u0130" in text or "\u0131" in text or "\u017f" in text or "\u212a" in text):
        text = text.translate(_RE_I_EXTRA)
    return text.lower()
