"""The contract every search backend passes (tantivy, PostgreSQL): same documents in, same answers out.

The works below are invented for these tests (titles, summaries, names, tags); ids of tags are small
made-up numbers, named in ``NAMES`` for readability. Filters, sorts, pages and facets are checked
against a plain-Python model of the contract (``model``); what text matches is written out by hand.

The contract, as these tests pin it down:

* every sort breaks ties by work id, in the sort's direction (``best`` desc: score desc, id desc);
* titles and creators sort by ``sort_key_text`` (base.py), dates by whole seconds;
* facets: the 10 direct-canonical ids with most matching works per type, count desc then id asc,
  counted over every match (not just the page);
* a page past the end is empty and still gives the total.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from fanshelf.search.base import FACET_TYPES, SORTS, SearchBackend, SearchRequest, WorkDocument, sort_key_text
from fanshelf.search.query import Range, parse_query

from conftest import drop_archive, fresh_archive, pg_base_url

UTC = dt.UTC
BACKENDS = ["tantivy", "postgres"]

# ------------------------------------------------------------------------------------------ the tags

NAMES: dict[int, str] = {
    # ratings, warnings, categories
    1: "General Audiences", 2: "Teen And Up Audiences", 3: "Mature",
    10: "No Archive Warnings Apply", 11: "Creator Chose Not To Use Archive Warnings",
    20: "Gen", 21: "M/M", 22: "F/F", 23: "F/M",
    # fandoms: 99 is the metatag of 100; 105 a subtag of 100; 450 a synonym of 100
    99: "Maritime Tales (Umbrella)", 100: "The Lighthouse Chronicles", 101: "Copper Skies",
    102: "Orchard Academy", 105: "Lighthouse Chronicles: Tidewater", 450: "Lighthouse Chron",
    # characters, relationships
    200: "Mara Quill", 201: "Tobin Ash", 202: "Sela Varn", 203: "Idris Kell", 204: "Pip Orchard",
    300: "Mara Quill/Tobin Ash", 301: "Sela Varn & Idris Kell",
    # freeforms: more than ten of them, so the facet is cut
    400: "Fluff", 401: "Angst", 402: "Hurt/Comfort", 403: "Found Family", 404: "Slow Burn",
    405: "Road Trip", 406: "Bakery", 407: "Snow", 408: "Letters", 409: "Ghosts",
    410: "Marigold Crowns", 411: "Amber Tide", 412: "Glass Garden", 413: "Rain", 414: "Picnics",
}
META = {100: [99], 105: [100, 99]}  # canonical -> its metatags (inherited by filter ids)
SYNONYM_OF = {450: 100}


def day(y: int, m: int, d: int, hh: int = 12, mm: int = 0, ss: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, ss, tzinfo=UTC)


def work(wid: int, title: str, *, creators: tuple[str, ...] = ("Quill Hand",), summary: str = "", notes: str = "",
         series: tuple[str, ...] = (), rating: int = 1, warning: int = 10, categories: tuple[int, ...] = (20,),
         fandoms: tuple[int, ...] = (100,), characters: tuple[int, ...] = (), relationships: tuple[int, ...] = (),
         freeforms: tuple[int, ...] = (), complete: bool = True, chapters: int = 1, words: int = 500,
         kudos: int = 0, hits: int = 0, comments: int = 0, bookmarks: int = 0,
         posted: dt.datetime | None = None, updated: dt.datetime | None = None, language: str = "English",
         revision: int = 1) -> WorkDocument:
    """A document as documents.py would build it: tags by id (a synonym id gives its canonical)."""
    tagged = [rating, warning, *categories, *fandoms, *characters, *relationships, *freeforms]
    names: list[str] = []
    filters: set[int] = set()
    for tid in tagged:
        names.append(NAMES[tid])
        canon = SYNONYM_OF.get(tid, tid)
        if canon != tid:
            names.append(NAMES[canon])
        filters.add(canon)
        filters.update(META.get(canon, ()))
    direct_fandoms = list(dict.fromkeys(SYNONYM_OF.get(f, f) for f in fandoms))
    posted = posted or day(2020, 1, 1) + dt.timedelta(days=wid)
    return WorkDocument(
        id=wid, revision=revision, title=title, creators=list(creators), summary=summary, notes=notes,
        tag_names=names, series=list(series), filter_ids=sorted(filters), rating_ids=[rating],
        warning_ids=[warning], category_ids=list(categories), fandom_ids=direct_fandoms,
        character_ids=list(characters), relationship_ids=list(relationships), freeform_ids=list(freeforms),
        complete=complete, crossover=len(direct_fandoms) > 1, chapters=chapters, words=words, kudos=kudos,
        hits=hits, comments=comments, bookmarks=bookmarks, posted=posted, updated=updated or posted,
        language=language, title_key=sort_key_text(title), creator_key=sort_key_text(creators[0] if creators else ""))


CORPUS: list[WorkDocument] = [
    # "marigold" in one field each: title, summary, a tag name, a creator name, a series title
    work(1, "Marigold at Dawn", summary="A keeper counts the boats before breakfast.", characters=(200,),
         relationships=(300,), freeforms=(400, 401), words=1200, kudos=15, hits=300, comments=2, bookmarks=1,
         categories=(21,)),
    work(2, "Lantern Keeping", creators=("Tern Ashby",),
         summary="She plants marigold seeds along the cliff path every spring.", characters=(202,),
         freeforms=(400, 402), words=800, kudos=9, hits=120, rating=2, categories=(22,)),
    work(3, "Salt and Stone", creators=("Wren Holloway",), summary="Two keepers argue about the fog horn.",
         freeforms=(410, 403), words=3000, kudos=40, hits=900, comments=12, bookmarks=6),
    work(4, "Rope Bridges", creators=("marigold_writes",), summary="A long walk across the gorge at noon.",
         fandoms=(101,), characters=(201,), freeforms=(405,), words=5000, kudos=11, hits=400, complete=False,
         chapters=3),
    work(5, "Low Tide Letters", creators=("Wren Holloway",), series=("The Marigold Letters",),
         summary="Notes left in a bottle, one per week.", freeforms=(408, 400), words=700, kudos=3),
    # stemming and accents
    work(6, "Night Shift", creators=("Tern Ashby",), summary="Tobin runs the harbour ferry alone at night.",
         characters=(201,), freeforms=(401,), words=2500, kudos=22, hits=800, rating=3, warning=11),
    work(7, "Café Noël", creators=("Élodie Marsh",), summary="Hot cocoa and a quiet café after the storm.",
         fandoms=(102,), characters=(204,), freeforms=(406, 407), words=950, kudos=30, hits=1000,
         language="Français"),
    # a phrase, and the same words apart
    work(8, "Morning Tally", creators=("Quill Hand",), summary="They met at the silver harbor before sunrise.",
         freeforms=(404,), words=4000, kudos=18, hits=650, comments=4),
    work(9, "Evening Bell", creators=("Ivo Penn",), summary="The silver bell rang across the harbor all evening.",
         freeforms=(404, 413), words=4000, kudos=18, hits=500, comments=4),
    # two tag names side by side: a phrase must not run from one into the next
    work(10, "Greenhouse", creators=("Ivo Penn",), summary="Panes and pots.", freeforms=(411, 412), words=600,
         kudos=5, fandoms=(102,)),
    # OR / NOT
    work(11, "Weeds", creators=("Tern Ashby",), summary="A thistle grew in the marigold bed by the steps.",
         freeforms=(413, 414), words=1500, kudos=7, hits=90),
    work(12, "Thistle Down", creators=("Ivo Penn",), summary="Seeds drifting over the moor.", freeforms=(413,),
         words=1500, kudos=7, hits=90, complete=False, chapters=5),
    # languages
    work(13, "Der Leuchtturm", creators=("Jonas Brell",), summary="Ein Wärter zählt die Möwen.", language="Deutsch",
         freeforms=(409,), words=2100, kudos=2, hits=60),
    work(14, "La Marea", creators=("Inés Robla",), summary="La marea sube despacio.", language="Español",
         freeforms=(409, 407), words=2100, kudos=2, hits=60),
    # crossovers, a synonym and a subtag of fandom 100
    work(15, "Two Skies", creators=("Quill Hand",), summary="A lighthouse under a copper sky.", fandoms=(100, 101),
         characters=(200, 201), relationships=(300,), freeforms=(400, 405), words=6100, kudos=55, hits=2000,
         comments=20, bookmarks=15, chapters=7, categories=(21, 20)),
    work(16, "Orchard Skies", creators=("Sable Quist",), summary="Apples carried by airship.", fandoms=(101, 102),
         characters=(204,), freeforms=(406,), words=3300, kudos=8, hits=350, complete=False, chapters=2),
    work(17, "By Another Name", creators=("Sable Quist",), summary="The keeper is called by a nickname.",
         fandoms=(450,), characters=(203,), relationships=(301,), freeforms=(402, 403), words=1800, kudos=12,
         hits=410, rating=2, categories=(23,)),
    work(18, "Tidewater Tales", creators=("Sable Quist",), summary="Small stories from the tidal flats.",
         fandoms=(105,), characters=(202, 203), relationships=(301,), freeforms=(403, 409), words=900, kudos=12,
         hits=410, chapters=4, complete=False),
    # ties: titles with one sort key, equal counts, one creator, one date
    work(19, "Untitled", creators=("Nell Ravine",), summary="Drafts from a notebook.", words=2000, kudos=4,
         hits=100, freeforms=(400,), posted=day(2021, 3, 3), updated=day(2021, 3, 3)),
    work(20, "untitled", creators=("Nell Ravine",), summary="More drafts from a notebook.", words=2000, kudos=4,
         hits=100, freeforms=(401,), posted=day(2021, 3, 3), updated=day(2021, 3, 3)),
    work(21, "Untitled!", creators=("nell ravine",), summary="The last drafts.", words=2000, kudos=4, hits=100,
         freeforms=(402,), posted=day(2021, 3, 3), updated=day(2021, 3, 3)),
    # date boundaries (UTC days)
    work(22, "Late Post", creators=("Ivo Penn",), summary="Written just before midnight.", words=1001, kudos=10,
         freeforms=(407,), posted=day(2021, 6, 1), updated=day(2021, 6, 30, 23, 59, 59)),
    work(23, "Early Post", creators=("Ivo Penn",), summary="Written just after midnight.", words=999, kudos=11,
         freeforms=(408,), posted=day(2021, 6, 1), updated=day(2021, 7, 1, 0, 0, 0)),
    # more bulk for sorts and facets
    work(24, "Anchors", creators=("Oda Finch",), summary="Chains and rust.", rating=3, freeforms=(401, 404),
         words=12000, kudos=140, hits=5000, comments=60, bookmarks=40, chapters=12, categories=(21,)),
    work(25, "Beacon", creators=("Oda Finch",), summary="A signal fire on the ridge.", fandoms=(101,),
         freeforms=(405, 408, 414), words=450, kudos=1, hits=20, rating=2),
    work(26, "Ciphers", creators=("Yara Stell",), summary="Codes hidden in a recipe book.", fandoms=(102,),
         characters=(204,), freeforms=(406, 414), words=7700, kudos=66, hits=3100, comments=9, bookmarks=9,
         chapters=9, complete=False),
    work(27, "Driftwood", creators=("Yara Stell",), summary="Things the sea returns.", freeforms=(400, 413),
         words=1000, kudos=10, hits=250, bookmarks=2),
    work(28, "Eddies", creators=("Yara Stell",), summary="Small currents near the pier.", freeforms=(401, 411),
         words=5000, kudos=11, hits=250, bookmarks=2, rating=3, warning=11, categories=(22,)),
    work(29, "Foghorn", creators=("Quill Hand",), summary="Two long notes and one short.", freeforms=(402,),
         words=5001, kudos=10, hits=70, chapters=2),
    work(30, "Gulls", creators=(), summary="Nobody signed this one.", freeforms=(400, 407, 409), words=300,
         kudos=0, hits=5, language="English"),
]
BY_ID = {d.id: d for d in CORPUS}
ALL_IDS = set(BY_ID)
MARIGOLD = {1, 2, 3, 4, 5, 11}


# -------------------------------------------------------------------------------------------- the model


def _in(value: int, rng: Range | None) -> bool:
    return rng is None or ((rng.lo is None or value >= rng.lo) and (rng.hi is None or value <= rng.hi))


def model(docs: list[WorkDocument], req: SearchRequest, matching: set[int] | None = None,
          ) -> tuple[int, list[int], dict[str, list[tuple[int, int]]], str, str]:
    """What the contract says a backend answers, for a request whose text matches ``matching`` (None:
    the text has no words). ``best`` is not modelled: with ``best``, ids come back sorted by id desc
    (use it only where every score ties)."""
    parsed = parse_query(req.text)
    words = Range(req.words_from, req.words_to)
    out = []
    for d in docs:
        if matching is not None and d.id not in matching:
            continue
        if any(t not in d.filter_ids for t in req.include) or any(t in d.filter_ids for t in req.exclude):
            continue
        if req.complete is not None and d.complete != req.complete:
            continue
        if (req.crossover == "exclude" and d.crossover) or (req.crossover == "only" and not d.crossover):
            continue
        if req.single_chapter and d.chapters != 1:
            continue
        if not (_in(d.words, words) and _in(d.words, parsed.words) and _in(d.kudos, parsed.kudos)
                and _in(d.hits, parsed.hits) and _in(d.comments, parsed.comments)
                and _in(d.bookmarks, parsed.bookmarks)):
            continue
        upd = d.updated.astimezone(UTC).date()
        if (req.updated_from and upd < req.updated_from) or (req.updated_to and upd > req.updated_to):
            continue
        if req.language and d.language.casefold() != req.language.casefold():
            continue
        out.append(d)
    sort = req.sort or parsed.sort or ("best" if parsed.node is not None else "updated")
    order = req.order or parsed.order or SORTS[sort]
    key: Callable[[WorkDocument], tuple[int, int]] = {
        "best": lambda d: (0, d.id),
        "title": lambda d: (d.title_key, d.id),
        "creator": lambda d: (d.creator_key, d.id),
        "posted": lambda d: (int(d.posted.timestamp()), d.id),
        "updated": lambda d: (int(d.updated.timestamp()), d.id),
    }.get(sort, lambda d: (getattr(d, sort), d.id))
    out.sort(key=key, reverse=order == "desc")
    page = max(1, req.page)
    start = (page - 1) * req.per_page
    facets = {}
    for name, attr in FACET_TYPES.items():
        counts = Counter(t for d in out for t in getattr(d, attr))
        facets[name] = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    return len(out), [d.id for d in out[start:start + req.per_page]], facets, sort, order


def facet_pairs(result_facets: dict) -> dict[str, list[tuple[int, int]]]:  # type: ignore[type-arg]
    return {k: [(f.tag_id, f.count) for f in v] for k, v in result_facets.items()}


# ------------------------------------------------------------------------------------------- fixtures


def open_backend(kind: str, tmp: Path, templates) -> tuple[SearchBackend, Callable[[], None]]:  # type: ignore[no-untyped-def]
    if kind == "tantivy":
        from fanshelf.search.tantivy_backend import TantivyBackend

        tb = TantivyBackend(tmp / "idx", writer_heap=15_000_000)
        return tb, tb.close
    pg_base_url()  # skips (or fails under CI) when there is no PostgreSQL to test on
    try:
        from fanshelf.search.postgres_backend import PostgresBackend
    except ImportError as exc:
        pytest.skip(f"POSTGRESQL SEARCH BACKEND NOT TESTED: fanshelf.search.postgres_backend does not import ({exc})")
    cfg = fresh_archive("postgres", tmp / "data", templates)
    pb = PostgresBackend()

    def cleanup() -> None:
        pb.close()
        drop_archive(cfg)

    return pb, cleanup


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path, _db_templates) -> Iterator[SearchBackend]:  # type: ignore[no-untyped-def]
    """An empty backend of each kind."""
    b, cleanup = open_backend(request.param, tmp_path, _db_templates)
    yield b
    cleanup()


@pytest.fixture(scope="module")
def _tantivy_corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchBackend]:
    b, cleanup = open_backend("tantivy", tmp_path_factory.mktemp("corpus"), None)
    b.upsert(CORPUS)
    b.commit()
    yield b
    cleanup()


@pytest.fixture(params=BACKENDS)
def loaded(request: pytest.FixtureRequest, tmp_path: Path, _db_templates) -> Iterator[SearchBackend]:  # type: ignore[no-untyped-def]
    """A backend holding CORPUS, not to be written to (tantivy's is shared by the module's tests)."""
    if request.param == "tantivy":
        yield request.getfixturevalue("_tantivy_corpus")
        return
    b, cleanup = open_backend(request.param, tmp_path, _db_templates)
    b.upsert(CORPUS)
    b.commit()
    yield b
    cleanup()


def ids_of(b: SearchBackend, text: str = "", **kw: object) -> set[int]:
    res = b.search(SearchRequest(text=text, per_page=1000, facets=False, **kw))  # type: ignore[arg-type]
    assert res.total == len(res.ids)
    return set(res.ids)


def check_model(b: SearchBackend, req: SearchRequest, matching: set[int] | None = None,
                docs: list[WorkDocument] = CORPUS) -> None:
    total, ids, facets, sort, order = model(docs, req, matching)
    res = b.search(req)
    assert (res.total, res.ids, res.sort, res.order) == (total, ids, sort, order), req
    if req.facets:
        assert facet_pairs(res.facets) == facets, req
    else:
        assert not res.facets


# ------------------------------------------------------------------------------------------- text


def test_field_matches_and_creator_shortcut(loaded: SearchBackend) -> None:
    assert ids_of(loaded, "marigold") == MARIGOLD  # title, summary, tag name, creator, series, summary
    assert ids_of(loaded, "MARIGOLDS") == MARIGOLD
    assert ids_of(loaded, "creator:marigold") == {4}
    assert ids_of(loaded, "author:marigold_writes") == {4}
    assert ids_of(loaded, "creator:wren") == {3, 5}
    assert ids_of(loaded, '"marigold letters"') == {5}  # series
    assert ids_of(loaded, '"marigold crowns"') == {3}  # tag name
    assert ids_of(loaded, "lighthouse chronicles") == {1, 2, 3, 5, 6, 8, 9, 11, 12, 13, 14, 15, 17, 18, 19,
                                                       20, 21, 22, 23, 24, 27, 28, 29, 30}  # fandom name
    assert ids_of(loaded, "tidewater") == {18}  # the subtag's own name
    assert ids_of(loaded, '"lighthouse chron"') == {17}  # the synonym's own name (stems differ)
    assert ids_of(loaded, "chron") == {17}
    assert ids_of(loaded, "zanzibarquux") == set()


def test_stemming_accents_and_case(loaded: SearchBackend) -> None:
    assert ids_of(loaded, "running") == {6}  # indexed "runs"
    assert ids_of(loaded, "ferries") == {6}
    assert ids_of(loaded, "cafe noel") == {7}
    assert ids_of(loaded, "CAFÉ") == {7}
    assert ids_of(loaded, "élodie") == {7}
    assert ids_of(loaded, "warter") == {13}  # "Wärter"
    assert ids_of(loaded, "Möwen") == {13}


def test_phrases(loaded: SearchBackend) -> None:
    assert ids_of(loaded, '"silver harbor"') == {8}
    assert ids_of(loaded, "silver harbor") == {8, 9}
    assert ids_of(loaded, '"harbor silver"') == set()
    assert ids_of(loaded, '"amber tide"') == {10, 28}
    assert ids_of(loaded, "tide glass") == {10}
    assert ids_of(loaded, '"tide glass"') == set()  # the end of one tag name and the start of the next
    assert ids_of(loaded, '"hurt/comfort"') == {2, 17, 21, 29}
    assert ids_of(loaded, "piece-by-piece") == set()


def test_boolean_queries(loaded: SearchBackend) -> None:
    assert ids_of(loaded, "marigold OR thistle") == MARIGOLD | {12}
    assert ids_of(loaded, "marigold || thistle") == MARIGOLD | {12}
    assert ids_of(loaded, "marigold thistle") == {11}
    assert ids_of(loaded, "marigold AND thistle") == {11}
    assert ids_of(loaded, "marigold -thistle") == MARIGOLD - {11}
    assert ids_of(loaded, "marigold NOT thistle") == MARIGOLD - {11}
    assert ids_of(loaded, "-marigold") == ALL_IDS - MARIGOLD
    assert ids_of(loaded, "-marigold -thistle") == ALL_IDS - MARIGOLD - {12}
    assert ids_of(loaded, "NOT (marigold OR fluff)") == ALL_IDS - MARIGOLD - {1, 2, 5, 15, 19, 27, 30}
    assert ids_of(loaded, "(silver OR thistle) -harbor") == {12, 11}
    assert ids_of(loaded, "keeper (fog OR nickname)") == {3, 17}
    assert ids_of(loaded, "marigold OR -thistle") == ALL_IDS - {12}


def test_only_negative_query_sorts_by_id(loaded: SearchBackend) -> None:
    res = loaded.search(SearchRequest(text="-marigold", per_page=50, facets=False))
    assert res.sort == "best"
    assert res.ids == sorted(ALL_IDS - MARIGOLD, reverse=True)


def test_best_match_ranking(loaded: SearchBackend) -> None:
    res = loaded.search(SearchRequest(text="marigold", facets=False))
    assert (res.sort, res.order) == ("best", "desc")
    rank = {wid: i for i, wid in enumerate(res.ids)}
    assert set(rank) == MARIGOLD
    for summary_only in (2, 11):
        assert rank[1] < rank[summary_only]  # title
        assert rank[4] < rank[summary_only]  # creator


def test_shortcuts_in_text(loaded: SearchBackend) -> None:
    for text in ("words>1000", "kudos>10", "words:1000-5000", "words<1000 kudos>=5", "hits:90", "comments>=4",
                 "bookmarks>5", "words>1000 kudos>10 sort:words", "sort:>kudos", "sort:<title", "sort:creator",
                 "sort:hits", "sort:comments", "sort:bookmarks", "sort:posted", "sort:<updated", "words:1,000-2,000",
                 "words>999999999999999999", "words:5000-1000"):
        check_model(loaded, SearchRequest(text=text, per_page=50), None)
    check_model(loaded, SearchRequest(text="marigold words>1000 sort:words"), MARIGOLD)
    check_model(loaded, SearchRequest(text="marigold sort:<title", per_page=3, page=2), MARIGOLD)
    check_model(loaded, SearchRequest(text="keeper kudos:10-20 sort:kudos"), {1, 3, 17})


# -------------------------------------------------------------------------------------------- filters


def test_include_exclude_filter_ids(loaded: SearchBackend) -> None:
    fandom_100 = {d.id for d in CORPUS if 100 in d.filter_ids}
    assert {17, 18} <= fandom_100  # tagged with the synonym, and with the subtag
    assert ids_of(loaded, include=(100,)) == fandom_100
    assert ids_of(loaded, include=(99,)) == fandom_100  # the metatag
    assert ids_of(loaded, include=(105,)) == {18}
    assert ids_of(loaded, include=(100, 101)) == {15}
    assert ids_of(loaded, include=(100, 203)) == {17, 18}
    assert ids_of(loaded, exclude=(100,)) == ALL_IDS - fandom_100
    assert ids_of(loaded, exclude=(101, 102)) == fandom_100 - {15}
    assert ids_of(loaded, include=(101,), exclude=(102,)) == {4, 15, 25}
    assert ids_of(loaded, include=(999_999,)) == set()
    assert ids_of(loaded, exclude=(999_999,)) == ALL_IDS
    assert ids_of(loaded, "marigold", include=(400,)) == {1, 2, 5}


def test_flags_ranges_dates_language(loaded: SearchBackend) -> None:
    for kw in ({"complete": True}, {"complete": False}, {"crossover": "exclude"}, {"crossover": "only"},
               {"single_chapter": True}, {"words_from": 1000}, {"words_to": 999}, {"words_from": 1000, "words_to": 2000},
               {"words_from": 3000, "words_to": 1000},
               {"updated_from": dt.date(2021, 6, 30), "updated_to": dt.date(2021, 6, 30)},
               {"updated_from": dt.date(2021, 7, 1)}, {"updated_to": dt.date(2021, 6, 30)},
               {"language": "english"}, {"language": "ESPAÑOL"}, {"language": "Klingon"},
               {"complete": False, "crossover": "only", "words_from": 3000}):
        check_model(loaded, SearchRequest(per_page=50, **kw), None)
    assert ids_of(loaded, updated_from=dt.date(2021, 6, 30), updated_to=dt.date(2021, 6, 30)) == {22}
    assert ids_of(loaded, updated_from=dt.date(2021, 7, 1), updated_to=dt.date(2021, 7, 1)) == {23}
    assert ids_of(loaded, crossover="only") == {15, 16}
    assert ids_of(loaded, language="deutsch") == {13}
    # request bounds and typed bounds intersect
    assert ids_of(loaded, "words:1000-5000", words_from=2000, words_to=9000) == {3, 4, 6, 8, 9, 13, 14, 16, 19,
                                                                                 20, 21, 28}
    check_model(loaded, SearchRequest(text="words>1500", words_to=2500, per_page=50), None)


# -------------------------------------------------------------------------------------- sorts and pages


@pytest.mark.parametrize("sort", list(SORTS))
def test_every_sort_both_orders(loaded: SearchBackend, sort: str) -> None:
    for order in ("asc", "desc", None):
        if sort == "best":
            # every hit scores alike without words: id order
            res = loaded.search(SearchRequest(sort="best", order=order, per_page=50, facets=False))
            assert res.ids == sorted(ALL_IDS, reverse=order != "asc")
            continue
        check_model(loaded, SearchRequest(sort=sort, order=order, per_page=50, facets=False))
        check_model(loaded, SearchRequest(sort=sort, order=order, per_page=7, page=3, facets=False))
        check_model(loaded, SearchRequest(text="-zanzibarquux", sort=sort, order=order, per_page=4, page=2,
                                          facets=False), ALL_IDS)


def test_default_sorts(loaded: SearchBackend) -> None:
    res = loaded.search(SearchRequest(facets=False))
    assert (res.sort, res.order, res.per_page, res.page) == ("updated", "desc", 20, 1)
    res = loaded.search(SearchRequest(text="keeper", facets=False))
    assert (res.sort, res.order) == ("best", "desc")
    res = loaded.search(SearchRequest(text="keeper sort:title", facets=False))
    assert (res.sort, res.order) == ("title", "asc")
    res = loaded.search(SearchRequest(text="keeper sort:title", sort="kudos", facets=False))
    assert (res.sort, res.order) == ("kudos", "desc")
    res = loaded.search(SearchRequest(text="sort:>title", order="asc", facets=False))
    assert (res.sort, res.order) == ("title", "asc")


def test_title_and_creator_ties(loaded: SearchBackend) -> None:
    res = loaded.search(SearchRequest(text="drafts", sort="title", facets=False))
    assert res.ids == [19, 20, 21]  # one sort key: by id
    res = loaded.search(SearchRequest(text="drafts", sort="title", order="desc", facets=False))
    assert res.ids == [21, 20, 19]
    res = loaded.search(SearchRequest(sort="creator", per_page=3, page=1, facets=False))
    assert res.ids == [30, 7, 14]  # no creator first, then "Élodie Marsh", "Inés Robla" (accents folded)
    res = loaded.search(SearchRequest(text="drafts", sort="creator", facets=False))
    assert res.ids == [19, 20, 21]  # "Nell Ravine", "Nell Ravine", "nell ravine"
    for per_page in (1, 2, 3, 5):  # a tie group straddling pages is cut the same way every time
        pages = [loaded.search(SearchRequest(sort="creator", per_page=per_page, page=p, facets=False)).ids
                 for p in range(1, 31 // per_page + 2)]
        flat = [i for p in pages for i in p]
        assert flat == model(CORPUS, SearchRequest(sort="creator", per_page=100))[1]


PEBBLES = [work(100 + i, f"Stone Circle {i % 4}", creators=(f"Stone Keeper {i % 3}",),
                summary="A smooth grey pebble." if i < 45 else "A rough stone.", fandoms=(101,),
                freeforms=(400 + i % 12,), words=1000 + (i % 7) * 100, kudos=i % 5, hits=i % 9,
                posted=day(2022, 1, 1 + i % 20)) for i in range(60)]


def test_pagination(backend: SearchBackend) -> None:
    backend.upsert(PEBBLES)
    backend.commit()
    every = []
    for page in (1, 2, 3):
        res = backend.search(SearchRequest(text="pebble", page=page, facets=False))
        assert res.total == 45
        assert len(res.ids) == (20 if page < 3 else 5)
        every += res.ids
    # every hit scores alike (same text): best match is id desc, across pages
    assert every == sorted(range(100, 145), reverse=True)
    res = backend.search(SearchRequest(text="pebble", page=4))
    assert (res.total, res.ids, res.page) == (45, [], 4)
    res = backend.search(SearchRequest(text="pebble", page=10**6, facets=False))
    assert (res.total, res.ids) == (45, [])
    res = backend.search(SearchRequest(text="pebble", page=0, facets=False))
    assert res.page == 1 and len(res.ids) == 20
    for sort in ("words", "title", "creator", "kudos", "posted"):
        for order in ("asc", "desc"):
            for page in (1, 2, 3, 4):
                check_model(backend, SearchRequest(text="pebble", sort=sort, order=order, page=page,
                                                   facets=page == 2), set(range(100, 145)), PEBBLES)


def test_wide_ties_in_best_match_and_facets(backend: SearchBackend) -> None:
    """Ties far wider than a page: 150 hits score alike below 10 better ones, and 130 freeforms are
    counted once each below 5 counted twice."""
    docs = [work(1000 + i, f"Gravel {i}", summary="A smooth grey pebble pebble." if i % 16 == 0 else
                 "A smooth grey pebble.", freeforms=(400,), words=100 + i) for i in range(160)]
    for i, d in enumerate(docs[:130]):
        d.freeform_ids = [400, 2000 + (i * 37) % 130] + ([2500 + i // 2] if i < 10 else [])
    backend.upsert(docs)
    backend.commit()
    best = [d.id for d in docs if d.id % 16 == 1000 % 16][::-1]
    rest = sorted((d.id for d in docs if d.id not in best), reverse=True)
    pages = [backend.search(SearchRequest(text="pebble", page=p, facets=False)).ids for p in range(1, 10)]
    assert [i for p in pages for i in p] == best + rest
    assert backend.search(SearchRequest(text="pebble", page=5, per_page=17, facets=False)).ids == (
        best + rest)[68:85]
    res = backend.search(SearchRequest(text="pebble", per_page=1))
    assert [(f.tag_id, f.count) for f in res.facets["freeform"]] == [
        (400, 160), (2500, 2), (2501, 2), (2502, 2), (2503, 2), (2504, 2), (2000, 1), (2001, 1), (2002, 1),
        (2003, 1)]


# -------------------------------------------------------------------------------------------- facets


def test_facets(loaded: SearchBackend) -> None:
    res = loaded.search(SearchRequest(per_page=1))
    assert list(res.facets) == list(FACET_TYPES)
    assert len(res.facets["freeform"]) == 10  # 15 distinct freeforms: cut to 10
    assert [(f.tag_id, f.count) for f in res.facets["fandom"]] == [(100, 23), (101, 4), (102, 4), (105, 1)]
    assert [(f.tag_id, f.count) for f in res.facets["rating"]] == [(1, 24), (2, 3), (3, 3)]
    for req, matching in ((SearchRequest(), None), (SearchRequest(text="keeper", sort="hits"), {1, 3, 17}),
                          (SearchRequest(include=(100,), complete=True), None),
                          (SearchRequest(exclude=(400,), crossover="exclude"), None),
                          (SearchRequest(text="marigold OR thistle", sort="title"), MARIGOLD | {12}),
                          (SearchRequest(text="words>1000 sort:kudos", page=2, per_page=5), None)):
        check_model(loaded, req, matching)
    res = loaded.search(SearchRequest(text="zanzibarquux"))
    assert res.total == 0 and res.ids == []
    assert res.facets == {k: [] for k in FACET_TYPES}
    assert loaded.search(SearchRequest(facets=False)).facets == {}


def test_tantivy_facets_side_by_side_equal_one_call(loaded: SearchBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    """The two facet aggregations tantivy runs in parallel give what one aggregation gives."""
    if loaded.name != "tantivy":
        pytest.skip("tantivy only")
    import fanshelf.search.tantivy_backend as tb

    reqs = [SearchRequest(), SearchRequest(text="keeper"), SearchRequest(include=(100,)),
            SearchRequest(exclude=(400,), sort="kudos")]
    threaded = [loaded.search(r).facets for r in reqs]
    monkeypatch.setattr(tb, "_facet_pool", lambda: None)
    assert [loaded.search(r).facets for r in reqs] == threaded


# -------------------------------------------------------------------------------------- writing


def test_upsert_replaces_delete_clear_revisions(backend: SearchBackend) -> None:
    assert backend.revisions() == {}
    backend.upsert(CORPUS[:10])
    backend.commit()
    assert backend.revisions() == {d.id: 1 for d in CORPUS[:10]}
    backend.upsert(CORPUS[5:15])  # overlapping: replaces 6..10
    backend.commit()
    assert backend.search(SearchRequest(facets=False)).total == 15
    new = replace(BY_ID[1], title="Quince at Dusk", revision=2)
    backend.upsert([new])
    backend.commit()
    assert ids_of(backend, "marigold") == {2, 3, 4, 5, 11}
    assert ids_of(backend, "quince") == {1}
    assert backend.revisions()[1] == 2
    backend.upsert([replace(new, revision=3), replace(new, revision=4, title="Medlar")])  # the last one wins
    backend.commit()
    assert backend.revisions()[1] == 4 and ids_of(backend, "quince") == set() and ids_of(backend, "medlar") == {1}
    assert backend.search(SearchRequest(facets=False)).total == 15
    backend.delete([2, 3, 999])
    backend.commit()
    assert ids_of(backend, "marigold") == {4, 5, 11}
    assert set(backend.revisions()) == set(range(1, 16)) - {2, 3}
    backend.clear()
    backend.upsert([BY_ID[30]])
    backend.commit()
    assert backend.revisions() == {30: 1}
    backend.clear()
    backend.commit()
    assert backend.revisions() == {}
    assert backend.search(SearchRequest()).total == 0
    backend.upsert([])
    backend.delete([])
    backend.commit()


# --------------------------------------------------------------------------------- backends agree

AGREE_REQUESTS: list[SearchRequest] = [
    SearchRequest(),
    SearchRequest(text="marigold"),
    SearchRequest(text="pebble", page=2),
    SearchRequest(text="pebble stone"),
    SearchRequest(text='"grey pebble"', sort="words", page=2, per_page=10),
    SearchRequest(text="keeper OR pebble", sort="title"),
    SearchRequest(text="keeper OR pebble", sort="title", order="desc", page=2, per_page=7),
    SearchRequest(text="keeper OR pebble", sort="creator", page=3, per_page=9),
    SearchRequest(text="keeper OR pebble", sort="creator", order="desc", page=2, per_page=9),
    SearchRequest(text="-pebble", sort="updated"),
    SearchRequest(text="-pebble -marigold"),
    SearchRequest(text="NOT stone", sort="posted", order="asc", page=2),
    SearchRequest(text="silver harbor"),
    SearchRequest(text='"silver harbor"'),
    SearchRequest(text='"tide glass"'),
    SearchRequest(text="creator:stone sort:kudos", page=2),
    SearchRequest(text="creator:quill"),
    SearchRequest(text="running OR ferries"),
    SearchRequest(text="cafe"),
    SearchRequest(text="words>1000 sort:words"),
    SearchRequest(text="words:1000-1500 sort:<words", per_page=15, page=2),
    SearchRequest(text="kudos>10 sort:>hits"),
    SearchRequest(text="hits<5 sort:comments"),
    SearchRequest(text="bookmarks>=1 sort:<bookmarks"),
    SearchRequest(sort="kudos", order="asc", page=3, per_page=10),
    SearchRequest(sort="hits", page=2, per_page=25),
    SearchRequest(sort="comments"),
    SearchRequest(sort="bookmarks", order="asc"),
    SearchRequest(sort="posted", page=4, per_page=10),
    SearchRequest(sort="updated", order="asc", page=2),
    SearchRequest(sort="title", page=5, per_page=8),
    SearchRequest(sort="creator", page=2, per_page=30),
    SearchRequest(include=(100,), sort="words"),
    SearchRequest(include=(101,), exclude=(400, 401), sort="title"),
    SearchRequest(include=(403,), complete=False),
    SearchRequest(exclude=(101,), crossover="exclude", sort="kudos"),
    SearchRequest(crossover="only", sort="title"),
    SearchRequest(single_chapter=True, sort="hits", page=2),
    SearchRequest(words_from=1200, words_to=4000, sort="words", order="asc"),
    SearchRequest(updated_from=dt.date(2021, 6, 30), updated_to=dt.date(2022, 1, 10), sort="updated"),
    SearchRequest(language="ENGLISH", sort="bookmarks", page=3),
    SearchRequest(text="pebble", page=9),
    SearchRequest(text="marigold OR pebble", include=(400,), sort="best", order="asc"),
]


def test_backends_agree(tmp_path: Path, _db_templates) -> None:  # type: ignore[no-untyped-def]
    docs = CORPUS + PEBBLES
    tb, tclose = open_backend("tantivy", tmp_path / "t", _db_templates)
    try:
        pb, pclose = open_backend("postgres", tmp_path / "p", _db_templates)
    except BaseException:
        tclose()
        raise
    try:
        for b in (tb, pb):
            b.upsert(docs)
            b.commit()
        assert tb.revisions() == pb.revisions()
        for req in AGREE_REQUESTS:
            rt, rp = tb.search(req), pb.search(req)
            assert (rt.total, rt.page, rt.per_page, rt.sort, rt.order) == (
                rp.total, rp.page, rp.per_page, rp.sort, rp.order), req
            if rt.sort == "best":
                assert set(rt.ids) == set(rp.ids), req
            else:
                assert rt.ids == rp.ids, req
            assert facet_pairs(rt.facets) == facet_pairs(rp.facets), req
    finally:
        pclose()
        tclose()


# ------------------------------------------------------------------------------------- tantivy only


def test_tantivy_persists_and_rejects_a_stale_index(tmp_path: Path) -> None:
    from fanshelf.errors import FanshelfError
    from fanshelf.search.tantivy_backend import VERSION_FILE, IndexStale, TantivyBackend

    b = TantivyBackend(tmp_path / "idx", writer_heap=15_000_000)
    b.upsert(CORPUS)
    b.commit()
    b.close()
    b = TantivyBackend(tmp_path / "idx")
    assert ids_of(b, "marigold") == MARIGOLD
    b.close()
    (tmp_path / "idx" / VERSION_FILE).write_text('{"schema_version": 0}')
    with pytest.raises(IndexStale, match="fanshelf reindex") as exc:
        TantivyBackend(tmp_path / "idx")
    assert isinstance(exc.value, FanshelfError)
    b = TantivyBackend(tmp_path / "idx", recreate=True)
    assert b.revisions() == {}
    b.close()
    assert TantivyBackend(tmp_path / "idx").revisions() == {}


def test_tantivy_reader_while_another_writes(tmp_path: Path) -> None:
    import time

    from fanshelf.search.tantivy_backend import IndexBusy, TantivyBackend

    writer = TantivyBackend(tmp_path / "idx", writer_heap=15_000_000)
    writer.upsert(CORPUS[:5])
    reader = TantivyBackend(tmp_path / "idx")
    assert reader.search(SearchRequest()).total == 0  # nothing committed yet; the reader needs no writer
    with pytest.raises(IndexBusy):
        reader.upsert(CORPUS[5:6])
    with pytest.raises(IndexBusy):
        TantivyBackend(tmp_path / "idx", recreate=True)  # never wipes an index being written
    writer.commit()
    deadline = time.monotonic() + 10
    while reader.search(SearchRequest(facets=False)).total != 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ids_of(reader, "marigold") == {1, 2, 3, 4, 5}
    writer.close()
    reader.upsert(CORPUS[5:6])  # the lock is free again
    reader.commit()
    reader.close()
