"""Acceptance: the AO3-backup folder (319 Markdown works with AO3 front matter) imports completely.

Every work's fandoms, relationships, characters, rating, warnings, summary and notes must equal its front
matter after wrangling: the canonical names the taxonomy gives for the front-matter values. Runs on
SQLite and PostgreSQL (the ``archive`` fixture); prints and records the per-fandom count.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import require_shared

BACKUP = "data/fic-text/thedeadparrot-ao3backup"


def _dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for it in items:
        if it.casefold() not in seen:
            seen.add(it.casefold())
            out.append(it)
    return out


def _markdown_text(value: str | None) -> str:
    """The backup's summaries and notes are Markdown: their text (escapes undone, links as their text,
    a paragraph a block, a line break kept), rendered by markdown-it on its own."""
    import html
    import re

    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark", {"breaks": True}).render(value or "")
    rendered = re.sub(r"<br\s*/?>\s*", "\n", rendered)
    rendered = re.sub(r"</?(?:p|li|ul|ol|blockquote|h[1-6]|pre|hr)[^>]*>", "\n\n", rendered)
    text = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    paras = [[" ".join(ln.split()) for ln in p.split("\n") if ln.strip()] for p in text.split("\n\n")]
    return "\n\n".join("\n".join(p) for p in paras if p)


def expected_for(fm: dict[str, Any]) -> dict[str, Any]:
    """What the front matter says, each name through the taxonomy (independently of the reader)."""
    from fanshelf.taxonomy import default_taxonomy, split_relationship

    tax = default_taxonomy()
    fandoms = _dedupe([tax.fandom(f) or f for f in fm["fandom"]])

    def person(name: str) -> str:
        return tax.character(name, fandoms) or name

    rels = []
    for rel in fm["relationship"]:
        kind, people = split_relationship(rel)
        if not kind:
            rels.append(rel)
            continue
        resolved = [person(p) for p in people]
        rels.append(tax.relationship(resolved, kind) or (" & " if kind == "&" else "/").join(resolved))
    return {
        "fandoms": sorted(fandoms),
        "relationships": sorted(_dedupe(rels)),
        "characters": sorted(_dedupe([person(c) for c in fm["characters"]])),
        "rating": fm["rating"],
        "warnings": sorted(w.strip() for w in fm["warnings"].split(",")),
        "summary": _markdown_text(fm["summary"]),
        "notes": _markdown_text(fm["notes"]),
        "title": fm["title"],
        "author": fm["author"],
    }


def _front_matter(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    end = text.index("\n---\n", 4)
    data = yaml.safe_load(text[4:end])
    assert isinstance(data, dict)
    return data


@pytest.mark.acceptance
def test_ao3_backup_imports_every_work_with_its_front_matter(archive: object, tmp_path: Path) -> None:
    from fanshelf.archive.importer import Importer
    from fanshelf.archive.models import Tagging, TagType, Work, WorkCreator

    folder = require_shared(BACKUP)
    files = sorted(folder.glob("*.md"))
    assert len(files) == 319
    report = Importer(sync_search=False).import_paths([str(folder)])
    assert report.failed == 0, [r.reason for r in report.results if r.outcome == "failed"]
    md = [r for r in report.results if r.location.endswith(".md")]
    # the folder also holds the repository's licence (a .txt file, imported as a post like any other)
    assert {Path(r.location).name for r in report.results if r not in md} == {"LICENSE-repo-GPL-3.0.txt"}
    assert [r.outcome for r in md] == ["created"] * 319
    assert sum(r.works for r in md) == 319

    by_loc = {Path(r.location).name: r.work_ids for r in md}
    stored: dict[int, dict[str, list[str]]] = {}
    for work_id, ttype, name in Tagging.objects.values_list("work_id", "tag__type", "tag__name"):
        stored.setdefault(work_id, {}).setdefault(ttype, []).append(name)
    works = {w.id: w for w in Work.objects.all()}
    creators: dict[int, list[str]] = {}
    for work_id, name in WorkCreator.objects.order_by("work_id", "position").values_list("work_id", "creator__name"):
        creators.setdefault(work_id, []).append(name)
    per_fandom: Counter[str] = Counter()
    mismatches: list[str] = []
    for path in files:
        fm = _front_matter(path)
        exp = expected_for(fm)
        ids = by_loc[path.name]
        assert len(ids) == 1, path.name
        w = works[ids[0]]
        tags = stored.get(w.id, {})
        got = {
            "fandoms": sorted(tags.get(TagType.FANDOM, [])),
            "relationships": sorted(tags.get(TagType.RELATIONSHIP, [])),
            "characters": sorted(tags.get(TagType.CHARACTER, [])),
            "rating": (tags.get(TagType.RATING) or [""])[0],
            "warnings": sorted(tags.get(TagType.WARNING, [])),
            "summary": w.summary,
            "notes": w.notes,
            "title": w.title,
            "author": ", ".join(creators.get(w.id, [])),
        }
        for key, value in exp.items():
            if got[key] != value:
                mismatches.append(f"{path.name} {key}: stored {got[key]!r}, front matter {value!r}")
        for fandom in exp["fandoms"]:
            per_fandom[fandom] += 1
    assert not mismatches, "\n".join(mismatches[:40])

    lines = [f"{n:4d}  {fandom}" for fandom, n in sorted(per_fandom.items(), key=lambda kv: (-kv[1], kv[0]))]
    print(f"\nAO3 backup: {len(files)} works, per fandom (a crossover counts in each):\n" + "\n".join(lines))
    out = os.environ.get("FANSHELF_RECORD_DIR")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        (Path(out) / "ao3-backup-per-fandom.json").write_text(json.dumps(dict(per_fandom.most_common()), indent=1))
