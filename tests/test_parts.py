"""Chapters across posts: "Part 2/3" posts become one multi-chapter work (pure merge and the archive)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from fanshelf.archive.importer import Importer
from fanshelf.model import Chapter, SeriesPart, Work
from fanshelf.parse.values import parse_subject
from fanshelf.parts import Part, is_part, merge_parts, part_key, work_from_dict
from fanshelf.pipeline import parse_bytes

PART = """{subject}
Author: tidewright
Fandom: Stargate Atlantis
Rating: {rating}
Pairing: John/Rodney
{extra}
{body}
"""

BODIES = {
    1: "The puddle jumper coughed twice and settled on the pier, and Rodney refused to get out.",
    2: "By the second day the generator had opinions, and John had started naming the lights.",
    3: "When the city finally sang back to them, neither of them said a word about it for hours.",
}


def write_part(folder: Path, n: int, *, rating: str = "PG", extra: str = "", body: str | None = None,
               subject: str | None = None) -> Path:
    p = folder / f"long-road-{n}.txt"
    p.write_text(PART.format(subject=subject or f"Fic: The Long Tide, part {n}/3 (PG)", rating=rating,
                             extra=extra, body=body or BODIES[n]), encoding="utf-8")
    return p


def run(paths: list[Path]) -> object:
    return Importer(sync_search=False).import_paths([str(p) for p in paths])


# ----------------------------------------------------------------------------- pure


def test_subject_part_marker_is_not_title() -> None:
    s = parse_subject("Fic: The Long Tide, part 1/3 (PG)")
    assert s is not None and s.title == "The Long Tide" and s.part_text
    s = parse_subject("Fic: Harbour Lights - Chapter 2 of 5 [SGA: John/Rodney]")
    assert s is not None and s.title == "Harbour Lights"


def test_parts_of_a_story_are_parts_and_share_a_key() -> None:
    keys = set()
    for n in (1, 2, 3):
        (w,) = parse_bytes(PART.format(subject=f"Fic: The Long Tide, part {n}/3 (PG)", rating="PG", extra="",
                                       body=BODIES[n]))
        assert is_part(w), w.series_part
        keys.add(part_key(w))
    assert len(keys) == 1


def test_named_series_and_one_shots_are_whole_works() -> None:
    named = Work(title="Lantern", creators=["a"], series_part=SeriesPart("Harbour Lights", 2, None))
    oneshot = Work(title="Lantern", creators=["a"], series_part=SeriesPart("Lantern", 1, 1))
    plain = Work(title="Lantern", creators=["a"])
    assert not is_part(named) and not is_part(oneshot) and not is_part(plain)
    assert is_part(Work(title="Lantern (2/3)", creators=["a"], series_part=SeriesPart("Lantern", 2, 3)))


def _work(n: int, **kw: object) -> Work:
    base: dict[str, object] = {"title": "Tide", "creators": ["a"], "series_part": SeriesPart("Tide", n, 3),
                               "chapters": [Chapter(None, f"text {n}", f"<p>text {n}</p>")], "word_count": 2}
    base.update(kw)
    return Work(**base)  # type: ignore[arg-type]


def test_merge_orders_chapters_and_unions_tags() -> None:
    parts = [
        Part(3, 3, _work(3, end_notes="thanks for reading", published="2009-03-03", additional_tags=["Angst"])),
        Part(1, 3, _work(1, summary="The sea comes in.", rating="Teen And Up Audiences", published="2009-01-01",
                         archive_warnings=["Creator Chose Not To Use Archive Warnings"])),
        Part(2, 3, _work(2, rating="Mature", archive_warnings=["Major Character Death"], additional_tags=["Fluff"])),
    ]
    w, complete, expected = merge_parts(parts)
    assert [c.text for c in w.chapters] == ["text 1", "text 2", "text 3"]
    assert [c.title for c in w.chapters] == ["Part 1", "Part 2", "Part 3"]
    assert (complete, expected) == (True, 3)
    assert w.rating == "Mature" and w.archive_warnings == ["Major Character Death"]
    assert w.additional_tags == ["Angst", "Fluff"] or w.additional_tags == ["Fluff", "Angst"]
    assert w.summary == "The sea comes in." and w.end_notes == "thanks for reading"
    assert w.published == "2009-01-01" and w.word_count == 6 and w.series_part is None
    w2, complete2, _ = merge_parts(parts[:2])
    assert not complete2 and [c.text for c in w2.chapters] == ["text 1", "text 3"]


@given(st.permutations([1, 2, 3, 4]))
def test_merge_is_independent_of_arrival_order(order: list[int]) -> None:
    parts = [Part(n, 4, _work(n, additional_tags=[f"tag{n}"])) for n in order]
    w, complete, _ = merge_parts(parts)
    assert [c.text for c in w.chapters] == ["text 1", "text 2", "text 3", "text 4"]
    assert complete and sorted(w.additional_tags) == ["tag1", "tag2", "tag3", "tag4"]


def test_work_from_dict_round_trips() -> None:
    w = _work(2, challenge=None, extra={"beta": "x"}, summary="s")
    assert work_from_dict(w.to_dict()) == w


# ----------------------------------------------------------------------------- archive


def test_parts_imported_out_of_order_make_one_work(archive: object, tmp_path: Path) -> None:
    from fanshelf.archive.models import Chapter as ChapterRow
    from fanshelf.archive.models import Source
    from fanshelf.archive.models import Work as WorkRow
    from fanshelf.search.sync import check, drain, open_backend

    p3 = write_part(tmp_path, 3)
    r = run([p3])
    assert r.counts["created"] == 1  # type: ignore[attr-defined]
    (story,) = WorkRow.objects.all()
    assert story.chapters_posted == 1 and not story.complete and story.chapters_expected == 3
    sid = story.id
    p1, p2 = write_part(tmp_path, 1), write_part(tmp_path, 2, rating="R")
    r = run([p1, p2, p3])
    assert r.counts == {"created": 2, "updated": 0, "unchanged": 1, "failed": 0}  # type: ignore[attr-defined]
    assert {tuple(x.work_ids) for x in r.results} == {(sid,)}  # type: ignore[attr-defined]
    (story,) = WorkRow.objects.all()
    assert story.id == sid and story.complete and story.chapters_posted == 3
    assert story.title == "The Long Tide"
    texts = list(ChapterRow.objects.filter(work=story).order_by("position").values_list("content", flat=True))
    assert [BODIES[n][:20] in t for n, t in zip((1, 2, 3), texts, strict=True)] == [True, True, True]
    assert set(story.tags.filter(type="Rating").values_list("name", flat=True)) == {"Mature"}
    assert story.words == sum(len(b.split()) for b in BODIES.values())
    # a changed part updates the same work in place
    rev = story.revision
    write_part(tmp_path, 2, body="The generator stopped having opinions and started having tantrums instead.")
    r = run([p1, p2, p3])
    assert r.counts == {"created": 0, "updated": 1, "unchanged": 2, "failed": 0}  # type: ignore[attr-defined]
    story = WorkRow.objects.get()
    assert story.revision > rev and "tantrums" in ChapterRow.objects.get(work=story, position=2).content
    # a part that stops being a part leaves the story (which becomes incomplete) and is a work of its own
    write_part(tmp_path, 3, subject="Fic: Another Tide Entirely (PG)")
    run([p3])
    works = {w.title: w for w in WorkRow.objects.all()}
    assert set(works) == {"The Long Tide", "Another Tide Entirely"}
    assert works["The Long Tide"].id == sid and not works["The Long Tide"].complete
    assert works["The Long Tide"].chapters_posted == 2
    assert Source.objects.filter(location__startswith="parts:").count() == 1
    backend = open_backend()
    drain(backend)
    assert check(backend).ok
    from fanshelf.search.base import SearchRequest
    from fanshelf.search.service import run_search

    hits = run_search(backend, SearchRequest(text="tide")).to_dict()
    assert sorted(h["title"] for h in hits["works"]) == ["Another Tide Entirely", "The Long Tide"]


def test_parts_by_different_creators_stay_apart(archive: object, tmp_path: Path) -> None:
    from fanshelf.archive.models import Work as WorkRow

    (tmp_path / "a").mkdir()
    a = write_part(tmp_path / "a", 1)
    b = tmp_path / "other.txt"
    b.write_text(PART.replace("tidewright", "saltmarsh").format(subject="Fic: The Long Tide, part 2/3 (PG)",
                                                                 rating="PG", extra="", body=BODIES[2]))
    run([a, b])
    assert WorkRow.objects.count() == 2
