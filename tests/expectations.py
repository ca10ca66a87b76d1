"""Compare parser output with an expected-parse file (our own comparer, used by the fixture tests).

An expected file is a JSON array with one object per work. Only the fields present are checked. Text is
compared after folding case, quotes, dashes and whitespace; lists compare as sets; ``{"any_of": [...]}``
gives alternatives. Test-only keys: ``body_first``/``body_last`` (start and end of the story text),
``warnings_contains``, ``body_not_contains``.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

_FOLD = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
    "\u2026": "...", "\u00a0": " ", "`": "'",
})


def fold_text(value: Any) -> str:
    """Case, quotes, dashes and whitespace folded."""
    if value is None:
        return ""
    s = unicodedata.normalize("NFKC", html.unescape(str(value))).translate(_FOLD).casefold()
    return " ".join(s.split())


def fold(value: Any) -> str:
    """fold_text, and one pair of enclosing quotes and a trailing full stop dropped (for values)."""
    s = fold_text(value)
    for _ in range(2):
        if len(s) >= 2 and s[0] == s[-1] and s[0] in "\"'":
            s = s[1:-1].strip()
        if s.endswith(".") and not s.endswith("..."):
            s = s[:-1].rstrip()
    return s


def _alts(expected: Any) -> list[Any]:
    if isinstance(expected, dict) and set(expected) == {"any_of"}:
        return list(expected["any_of"])
    return [expected]


def _strip_tags(s: str) -> str:
    return re.sub(r"<[^>]+>", " ", s)


def _body(work: dict[str, Any]) -> str:
    return "\n\n".join(ch["text"] for ch in work.get("chapters") or [])


def check_work(exp: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """Mismatches between one expected work and one parsed work, as readable lines."""
    problems: list[str] = []
    for key, want in exp.items():
        if key.startswith("_"):
            continue
        if key in ("body_first", "body_last"):
            body = fold_text(_body(got))
            ok = any((body.startswith(fold_text(a)) if key == "body_first" else body.endswith(fold_text(a)))
                     for a in _alts(want))
            if not ok:
                snippet = body[:60] if key == "body_first" else body[-60:]
                problems.append(f"{key}: expected {want!r}, got {snippet!r}")
            continue
        if key == "warnings_contains":
            text = fold(" | ".join(got.get("warnings") or []))
            for w in want:
                if fold(w) not in text:
                    problems.append(f"warnings: expected to mention {w!r}, got {got.get('warnings')!r}")
            continue
        if key == "body_not_contains":
            blob = "\n".join(f"{c['text']}\n{c['html']}" for c in got.get("chapters") or []).casefold()
            for w in want:
                if w.casefold() in blob:
                    problems.append(f"body contains {w!r}")
            continue
        have = got.get(key)
        if isinstance(want, list):
            have_set = {fold(x) for x in (have or [])}
            remaining = set(have_set)
            missing = []
            for item in want:
                match = next((fold(a) for a in _alts(item) if fold(a) in remaining), None)
                if match is None:
                    missing.append(item)
                else:
                    remaining.discard(match)
            if missing or remaining:
                problems.append(f"{key}: expected {want!r}, got {have!r}")
        elif isinstance(want, dict) and set(want) != {"any_of"}:
            if key == "extra":
                have_d = {fold(k): fold(v) for k, v in (have or {}).items()}
                for k, v in want.items():
                    if have_d.get(fold(k)) not in [fold(a) for a in _alts(v)]:
                        problems.append(f"extra[{k!r}]: expected {v!r}, got {(have or {}).get(k)!r}")
                continue
            if not isinstance(have, dict):
                problems.append(f"{key}: expected {want!r}, got {have!r}")
                continue
            for k, v in want.items():
                if not any(fold(a) == fold(have.get(k)) for a in _alts(v)):
                    problems.append(f"{key}.{k}: expected {v!r}, got {have.get(k)!r}")
        elif want is None:
            if have not in (None, [], {}):
                problems.append(f"{key}: expected null, got {have!r}")
        elif key == "summary" or key in ("notes", "end_notes"):
            if not any(fold(a) == fold(_strip_tags(have or "")) for a in _alts(want)):
                problems.append(f"{key}: expected {want!r}, got {have!r}")
        else:
            if not any(fold(a) == fold(have) for a in _alts(want)):
                problems.append(f"{key}: expected {want!r}, got {have!r}")
    return problems


def check_post(expected: list[dict[str, Any]], got: list[dict[str, Any]]) -> list[str]:
    problems = []
    if len(expected) != len(got):
        problems.append(f"work count: expected {len(expected)}, got {len(got)} "
                        f"({[w.get('title') for w in got]})")
    for i, exp in enumerate(expected):
        work = got[i] if i < len(got) else {}
        problems.extend(f"work[{i}] {p}" for p in check_work(exp, work))
    return problems
