"""AO3-import-ready JSON and CSV: AO3's limits are respected, and every work over them is named."""

from __future__ import annotations

import csv
import io
import json

from fanshelf.export import ExportInfo, check_limits, export_bundle, export_work
from fanshelf.export.ao3 import CHAPTER_MAX, LIMITS, fit_work
from fanshelf.export.tree import parse_fragment, plain_text
from fanshelf.model import Chapter, Work
from test_export_samples import RICH_INFO, rich_work


def _over_everything() -> Work:
    return Work(
        title="T" * 300,
        creators=["first_writer", "second writer", "third", "bad!name"],
        fandoms=["Torchwood"],
        characters=[f"Character {i}" for i in range(40)],
        additional_tags=[f"tag {i}" for i in range(40)] + ["x" * 200 + " y", "Comma, Separated", "Star*Trek"],
        summary="s" * 1300,
        notes="n" * 5001,
        end_notes="e" * 6000,
        chapters=[Chapter("Long", "", "<p>" + "word " * 120_000 + "</p>"),
                  Chapter(None, "", "".join(f"<p>line {i}</p>" for i in range(60_000)))],
    )


def test_limits_are_the_documented_ones() -> None:
    assert LIMITS["title"] == 255 and LIMITS["summary"] == 1250 and LIMITS["notes"] == 5000
    assert LIMITS["chapter"] == 510_000 and LIMITS["chapters"] == 200
    assert LIMITS["tag"] == 150 and LIMITS["tags"] == 75


def test_a_work_within_limits_has_no_issues() -> None:
    assert check_limits(rich_work()) == []


def test_fit_work_applies_every_limit() -> None:
    f = fit_work(_over_everything())
    assert len(f.title) == 255 and f.title.endswith("…")
    assert len(f.summary) == 1250 and len(f.notes) == 5000 and len(f.endnotes) == 5000
    tags = f.fandoms + f.relationships + f.characters + f.additional_tags
    assert len(tags) == 75 and f.fandoms == ["Torchwood"] and len(f.characters) == 40
    assert all(len(t) <= 150 for t in tags)
    assert all(not any(c in t for c in ",*<>^{}=`\\%") for t in tags)
    assert all(len(html) <= CHAPTER_MAX for _t, html in f.chapters)
    titles = [t for t, _h in f.chapters]
    assert titles == ["Long (part 1)", "Long (part 2)", "Chapter 2 (part 1)", "Chapter 2 (part 2)",
                      "Chapter 2 (part 3)"]
    # nothing is lost in the split: the parts hold the chapters' text, in order
    text = " ".join(plain_text(parse_fragment(h)) for _t, h in f.chapters).split()
    assert text == ["word"] * 120_000 + [w for i in range(60_000) for w in ("line", str(i))]
    by_field: dict[str, list[str]] = {}
    for i in f.issues:
        by_field.setdefault(i.field, []).append(i.action)
    assert by_field == {"title": ["cut"], "summary": ["cut"], "notes": ["cut"], "endnotes": ["cut"],
                        "additional_tags": ["cut", "changed", "changed"], "tags": ["dropped"],
                        "chapter": ["split", "split"], "creators": ["none"]}
    creator_msgs = [i.message for i in f.issues if i.field == "creators"]
    assert creator_msgs == ["4 creators; AO3's importer takes 2 (author and co-author): third, bad!name left out"]


def test_bad_creator_name_is_reported() -> None:
    w = Work(title="x", creators=["good_name", "bad!name"])
    msgs = [i.message for i in check_limits(w)]
    assert msgs == ["creator name 'bad!name' is not one AO3 accepts (1-100 letters, digits, spaces, _ - @ . and "
                    "at least one ASCII letter or digit)"]


def test_too_many_chapters_is_reported_not_fixed() -> None:
    w = Work(title="x", chapters=[Chapter(None, "", f"<p>{i}</p>") for i in range(201)])
    issues = check_limits(w)
    assert [(i.field, i.actual, i.action) for i in issues] == [("chapters", 201, "none")]


def test_ao3_json_names_works_over_the_limits() -> None:
    works = [rich_work(), _over_everything()]
    doc = json.loads(export_bundle(works, "ao3-json", [RICH_INFO, ExportInfo(work_id=9)]).data)
    assert doc["format"] == "fanshelf-ao3-import" and doc["limits"]["summary"] == 1250
    assert [e["id"] for e in doc["exceeding"]] == ["9"]
    assert any(m == "summary has 1,300 characters; AO3 allows 1,250" for m in doc["exceeding"][0]["issues"])
    first = doc["works"][0]
    assert first["fandoms"] == "Torchwood" and first["additional_tags"] == "Fluff, Tea & Biscuits"
    assert first["external_author_name"] == "harbour_lights" and first["external_coauthor_name"] == "second_mate"
    assert first["chapter_urls"] == [RICH_INFO.source] and first["language_code"] == "en"
    assert first["collection_names"] == "harbour_fest"
    assert first["fanshelf"]["series"] == {"title": "Harbour Stories", "part": 2, "of": 3}
    assert [c["title"] for c in first["chapters"]] == ["Arrivals", ""]
    assert first["issues"] == []


def test_ao3_csv_rows() -> None:
    f = export_bundle([rich_work(), _over_everything()], "ao3-csv", [RICH_INFO, ExportInfo(work_id=9)])
    assert f.filename == "fanshelf-export.ao3.csv" and f.media_type.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(f.data.decode())))
    assert rows[0]["id"] == "42" and rows[0]["creators"] == "harbour_lights, second_mate"
    assert rows[0]["prompt"] == "#7: a ledger" and rows[0]["series"] == "Harbour Stories"
    assert rows[0]["series_part"] == "2" and rows[0]["chapters"] == "2" and rows[0]["issues"] == ""
    assert rows[1]["id"] == "9" and len(rows[1]["title"]) == 255 and "split into 2 chapters" in rows[1]["issues"]
    assert rows[1]["chapters"] == "5"


def test_single_work_ao3_file_name() -> None:
    assert export_work(rich_work(), "ao3-json", RICH_INFO).filename == "the-lighthouse-keepers-ledger-42.ao3.json"
    assert export_work(rich_work(), "ao3-csv", RICH_INFO).filename == "the-lighthouse-keepers-ledger-42.ao3.csv"
