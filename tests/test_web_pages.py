"""The web app in-process (Django's test client) on a four-work archive, on SQLite and PostgreSQL:
pages, JSON twins, filters, the blocklist, the import page, the OpenAPI document and golden HTML."""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from web_site import FIXTURES, make_site

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("FANSHELF_UPDATE_GOLDEN") == "1"


def get_json(client: Any, url: str, status: int = 200) -> Any:
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code, r.content[:300])
    assert r["Content-Type"] == "application/json"
    return json.loads(r.content)


def ids_of(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<li class="blurb" data-work-id="(\d+)"', html)]


def work_id(client: Any, title: str) -> int:
    works = get_json(client, "/works.json")["works"]
    return next(w["id"] for w in works if w["title"] == title)


# ----------------------------------------------------------------------------------------------- pages

@pytest.mark.parametrize("url", ["/", "/works", "/search", "/collections", "/blocklist", "/import",
                                 "/creators/ember_quill", "/tags/Torchwood", "/collections/tardis_drabbles"])
def test_pages_answer_html(site, client, url) -> None:  # type: ignore[no-untyped-def]
    r = client.get(url)
    assert r.status_code == 200
    assert r["Content-Type"] == "text/html; charset=utf-8"
    html = r.content.decode()
    assert html.startswith("<!doctype html>") and '<html lang="en">' in html
    assert '<main id="main"' in html and "<h1" in html
    assert "<script>" not in html and " style=" not in html  # no inline script or style (CSP)


def test_listing_blurbs_and_sidebar(site, client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/works").content.decode()
    assert len(ids_of(html)) == 4
    assert '<form id="filters" action="/works" method="get">' in html
    # include/exclude checkboxes with counts for every tag type
    assert 'name="include" value="Torchwood"' in html and 'name="exclude" value="Torchwood"' in html
    assert "Torchwood <span class=\"n\">(2)</span>" in html
    for label in ("Rating", "Archive Warnings", "Categories", "Fandoms", "Relationships", "Characters",
                  "Additional Tags"):
        assert f"<summary>{label}</summary>" in html
    # every form control has a label
    controls = re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', html)
    for cid in controls:
        assert f'for="{cid}"' in html, cid


def test_home_lists_recent_works_fandoms_and_challenges(site, client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/").content.decode()
    assert len(ids_of(html)) == 4
    assert 'href="/tags/Torchwood">Torchwood</a> <span class="n">2</span>' in html
    assert 'href="/collections/tardis_drabbles"' in html
    data = get_json(client, "/index.json")
    # counts are what following the link finds: Torchwood works count under their metatags too
    counts = {f["name"]: f["count"] for f in data["fandoms"]}
    assert data["total"] == 4 and counts["Torchwood"] == 2
    assert counts["Doctor Who"] == get_json(client, "/works.json?include=Doctor+Who")["total"]
    assert counts["Doctor Who & Related Fandoms"] == counts["Doctor Who"]
    assert data["collections"][0]["name"] == "tardis_drabbles"


# ------------------------------------------------------------------------------------------- JSON twins

def test_json_twin_by_suffix_and_accept_header(site, client) -> None:  # type: ignore[no-untyped-def]
    a = get_json(client, "/works.json?sort=title")
    r = client.get("/works?sort=title", HTTP_ACCEPT="application/json")
    assert r["Content-Type"] == "application/json"
    assert json.loads(r.content) == a
    assert [w["title"] for w in a["works"]] == ["Lamplight", "Morning Shift", "Paper Boats", "Storm Glass"]
    assert a["total"] == 4 and a["page"] == 1 and a["pages"] == 1 and a["sort"] == "title" and a["hidden"] == 0
    first = a["works"][0]
    assert first["creators"] == ["ember_quill"] and first["words"] > 0
    assert first["tags"]["Fandom"] == ["Torchwood"]
    assert first["series"] == [{"id": first["series"][0]["id"], "title": "Night Shifts", "position": 1, "of": 2}]
    assert set(a["facets"]) == {"rating", "warning", "category", "fandom", "character", "relationship", "freeform"}


def test_work_json(site, client) -> None:  # type: ignore[no-untyped-def]
    wid = work_id(client, "Lamplight")
    w = get_json(client, f"/works/{wid}.json")
    assert w["title"] == "Lamplight" and w["creators"] == ["ember_quill"]
    assert [c["position"] for c in w["chapters"]] == [1, 2]
    assert w["summary"].startswith("Two people keep the lights on")
    assert w["series"][0]["next"]["title"] == "Morning Shift" and w["series"][0]["prev"] is None
    ch = get_json(client, f"/works/{wid}/chapters/2.json")
    assert ch["chapter"] == 2 and ch["prev_chapter"] == 1 and ch["next_chapter"] is None
    assert len(ch["chapters"]) == 1 and "Up there the city" in ch["chapters"][0]["html"]
    via_accept = client.get(f"/works/{wid}", HTTP_ACCEPT="application/json")
    assert json.loads(via_accept.content) == w


# ---------------------------------------------------------------------------------------------- filters

@pytest.mark.parametrize(("query", "titles"), [
    ("include=Torchwood", {"Lamplight", "Morning Shift"}),
    ("exclude=Torchwood", {"Paper Boats", "Storm Glass"}),
    ("include=Doctor+Who", {"Lamplight", "Morning Shift", "Paper Boats", "Storm Glass"}),  # + its sub tag
    ("include=Torchwood&include=General+Audiences", {"Morning Shift"}),
    ("include=jack+harkness%2Fianto+jones", {"Lamplight", "Morning Shift"}),  # any case
    ("q=paper", {"Paper Boats"}),
    ("q=lights&include=Torchwood", {"Lamplight", "Morning Shift"}),
    ("words_from=60", {"Lamplight"}),
    ("words_to=34", {"Paper Boats", "Storm Glass"}),
    ("date_from=2010-01-01", {"Storm Glass"}),
    ("date_to=2009-01-31", {"Lamplight"}),
    ("crossover=only", set()),
    ("complete=true", {"Lamplight", "Morning Shift", "Paper Boats", "Storm Glass"}),
    ("language=English", {"Lamplight", "Morning Shift", "Paper Boats", "Storm Glass"}),
    ("include=No+Such+Tag", set()),
    ("exclude=No+Such+Tag", {"Lamplight", "Morning Shift", "Paper Boats", "Storm Glass"}),
    ("q=&sort=&words_from=&date_from=&complete=&crossover=", {"Lamplight", "Morning Shift", "Paper Boats",
                                                               "Storm Glass"}),
])
def test_filters(site, client, query, titles) -> None:  # type: ignore[no-untyped-def]
    data = get_json(client, f"/works.json?{query}")
    assert {w["title"] for w in data["works"]} == titles
    assert data["total"] == len(titles)
    html = client.get(f"/works?{query}").content.decode()
    assert len(ids_of(html)) == len(titles)


def test_unknown_included_tag_is_reported(site, client) -> None:  # type: ignore[no-untyped-def]
    data = get_json(client, "/works.json?include=No+Such+Tag")
    assert data["unknown_tags"] == ["No Such Tag"]
    assert "No tag named “No Such Tag”" in client.get("/works?include=No+Such+Tag").content.decode()


def test_filter_choices_stay_in_the_form(site, client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/works?include=Torchwood&exclude=Angst&words_from=10&complete=true&sort=words"
                      "&q=kettle").content.decode()
    assert 'name="include" value="Torchwood" id="inc-fandom-1" checked' in html
    assert re.search(r'name="exclude" value="Angst" id="exc-[a-z]+-\d+" checked', html)
    assert 'name="words_from" value="10"' in html
    assert '<option value="true" selected>' in html and '<option value="words" selected>' in html
    assert 'id="f-q" type="search" name="q" value="kettle"' in html


def test_sorting(site, client) -> None:  # type: ignore[no-untyped-def]
    def titles(sort: str) -> list[str]:
        return [w["title"] for w in get_json(client, f"/works.json?sort={sort}")["works"]]

    assert titles("published") == ["Storm Glass", "Paper Boats", "Morning Shift", "Lamplight"]
    assert titles("words")[0] == "Lamplight"
    assert titles("author") == ["Paper Boats", "Lamplight", "Morning Shift", "Storm Glass"] or \
        titles("author")[0] == "Paper Boats"


@pytest.mark.parametrize("query", ["page=abc", "page=0", "page=999999", "words_from=x", "words_to=-5",
                                   "date_from=2020-13-45", "date_to=yesterday", "sort=bogus",
                                   "complete=maybe", "crossover=sometimes"])
def test_bad_parameters_are_400(site, client, query) -> None:  # type: ignore[no-untyped-def]
    r = client.get(f"/works?{query}")
    assert r.status_code == 400
    assert "Bad request" in r.content.decode() and "Traceback" not in r.content.decode()
    err = get_json(client, f"/works.json?{query}", 400)["error"]
    assert err["status"] == 400 and err["detail"]


def test_page_past_the_end_is_empty(site, client) -> None:  # type: ignore[no-untyped-def]
    data = get_json(client, "/works.json?page=7")
    assert data["works"] == [] and data["total"] == 4


def test_control_characters_are_harmless(site, client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/works.json?q=%00tea%01&include=Torch%00wood&language=%00").status_code == 200
    assert client.get("/tags/%00").status_code == 404
    assert client.get("/creators/a%00b.json").status_code == 404


# ---------------------------------------------------------------------------------------- work pages

def test_work_page_chapters_and_navigation(site, client) -> None:  # type: ignore[no-untyped-def]
    wid = work_id(client, "Lamplight")
    html = client.get(f"/works/{wid}").content.decode()
    assert '<h1 class="title" id="work-title">Lamplight</h1>' in html
    assert "The building hummed after midnight" in html and "Up there the city" not in html
    assert f'<a rel="next" href="/works/{wid}/chapters/2">' in html and 'rel="prev"' not in html
    assert 'id="chapter-index"' in html and "Written for a friend" in html  # notes on chapter 1
    assert "Thank you for reading" not in html  # end notes after the last chapter
    two = client.get(f"/works/{wid}/chapters/2").content.decode()
    assert "Up there the city" in two and f'<a rel="prev" href="/works/{wid}/chapters/1">' in two
    assert 'rel="next"' not in two and "Thank you for reading" in two
    full = client.get(f"/works/{wid}?view=full").content.decode()
    assert "The building hummed" in full and "Up there the city" in full
    assert client.get(f"/works/{wid}/chapters/3").status_code == 404
    assert client.get(f"/works/{wid}/chapters/0").status_code == 404
    # the series: next part
    nxt = work_id(client, "Morning Shift")
    assert f'<a href="/works/{nxt}" class="series-next">Morning Shift →</a>' in html
    # reader settings: hidden until the script shows them; the page reads fine without it
    assert '<div id="reader-settings" class="reader-settings" hidden>' in html


def test_work_page_cache_follows_revisions(site, client) -> None:  # type: ignore[no-untyped-def]
    from fanshelf.archive.models import Work

    wid = work_id(client, "Paper Boats")
    assert "Paper Boats" in client.get(f"/works/{wid}").content.decode()
    Work.objects.filter(id=wid).update(title="Paper Ships", revision=99)
    assert "Paper Ships" in client.get(f"/works/{wid}").content.decode()


def test_imported_html_is_shown_sanitized(site, client) -> None:  # type: ignore[no-untyped-def]
    wid = work_id(client, "Storm Glass")
    html = client.get(f"/works/{wid}").content.decode()
    body = html[html.index('<div id="chapters"'):]
    assert "The barometer on the wall" in body
    assert "onclick" not in body and "<script" not in body and "javascript:" not in body
    assert "onerror" not in body and 'alt="a gull"' in body


def test_summary_is_escaped(site, client) -> None:  # type: ignore[no-untyped-def]
    from fanshelf.archive.models import Work

    wid = work_id(client, "Paper Boats")
    Work.objects.filter(id=wid).update(summary='<img src=x onerror="alert(1)">', revision=50)
    for url in (f"/works/{wid}", "/works"):
        html = client.get(url).content.decode()
        assert '<img src=x onerror' not in html and "&lt;img src=x onerror=" in html


# ------------------------------------------------------------------------------- tags, creators & co

def test_tag_page(site, client) -> None:  # type: ignore[no-untyped-def]
    from fanshelf.archive.models import Tag, TagType

    canon = Tag.objects.get(type=TagType.RELATIONSHIP, name="Jack Harkness/Ianto Jones")
    Tag.objects.create(type=TagType.RELATIONSHIP, name="Janto", merger=canon)
    url = "/tags/" + quote("Jack Harkness/Ianto Jones", safe="")
    html = client.get(url).content.decode()
    assert "<h1 id=\"tag-heading\">Jack Harkness/Ianto Jones</h1>" in html and len(ids_of(html)) == 2
    assert 'href="/tags/Janto">Janto</a>' in html
    data = get_json(client, url + ".json")
    assert data["tag"]["synonyms"] == ["Janto"] and data["tag"]["canonical"] and data["total"] == 2
    syn = get_json(client, "/tags/Janto.json")
    assert syn["tag"]["merger"] == "Jack Harkness/Ianto Jones" and syn["total"] == 2
    assert get_json(client, "/works.json?include=Janto")["total"] == 2  # a synonym filters as its canonical
    dw = get_json(client, "/tags/Doctor%20Who.json")
    assert "Torchwood" in dw["tag"]["sub_tags"] and dw["total"] == 4
    tw = get_json(client, "/tags/Torchwood.json")
    assert "Doctor Who" in tw["tag"]["meta_tags"]
    assert get_json(client, "/tags/Nothing%20Here.json", 404)["error"]["status"] == 404


def test_creator_series_and_collection_pages(site, client) -> None:  # type: ignore[no-untyped-def]
    c = get_json(client, "/creators/ember_quill.json")
    assert c["total"] == 2 and [w["title"] for w in c["works"]] == ["Morning Shift", "Lamplight"]
    assert client.get("/creators/nobody_here").status_code == 404
    lamp = get_json(client, f"/works/{work_id(client, 'Lamplight')}.json")
    s = get_json(client, f"/series/{lamp['series'][0]['id']}.json")
    assert s["series"]["title"] == "Night Shifts" and [w["title"] for w in s["works"]] == ["Lamplight",
                                                                                           "Morning Shift"]
    coll = get_json(client, "/collections/tardis_drabbles.json")
    assert coll["prompts"] == [{"number": "7", "text": "boats", "works": [work_id(client, "Paper Boats")]}]
    html = client.get("/collections/tardis_drabbles").content.decode()
    assert "Prompt #7: boats" in html and len(ids_of(html)) == 1
    assert get_json(client, "/collections.json")["collections"][0]["name"] == "tardis_drabbles"


# ------------------------------------------------------------------------------------------- blocklist

def test_blocklist_hides_works_and_counts_them(site, client) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/blocklist", {"tag": "torchwood", "action": "add"})
    assert r.status_code == 302 and r["Location"] == "/blocklist"
    assert "fanshelf_blocklist" in r.cookies
    assert "Torchwood" in client.get("/blocklist").content.decode()
    data = get_json(client, "/works.json")
    assert data["total"] == 2 and data["hidden"] == 2
    assert {w["title"] for w in data["works"]} == {"Paper Boats", "Storm Glass"}
    html = client.get("/works").content.decode()
    assert "2 works hidden by your filters" in html and 'href="/works?show_hidden=1"' in html
    assert len(ids_of(client.get("/works?show_hidden=1").content.decode())) == 4
    assert get_json(client, "/tags/Doctor%20Who.json")["hidden"] == 2
    assert get_json(client, "/creators/ember_quill.json")["hidden"] == 2
    # a canonical covers its sub tags: blocking Doctor Who hides the Torchwood works too
    client.post("/blocklist", {"tag": "Doctor Who", "action": "add"})
    data = get_json(client, "/works.json")
    assert data["total"] == 0 and data["hidden"] == 4
    client.post("/blocklist", {"tag": "Doctor Who", "action": "remove"})
    client.post("/blocklist", {"tag": "Torchwood", "action": "remove"})
    assert get_json(client, "/works.json")["hidden"] == 0


def test_blocklist_refuses_unknown_tags_and_bad_actions(site, client) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/blocklist", {"tag": "Not A Tag", "action": "add"})
    assert r.status_code == 400 and "There is no tag named" in r.content.decode()
    assert client.post("/blocklist", {"tag": "Angst", "action": "explode"}).status_code == 400
    client.cookies["fanshelf_blocklist"] = "%%%not-json"
    assert get_json(client, "/works.json")["total"] == 4  # a damaged cookie is ignored


# ---------------------------------------------------------------------------------------------- import

def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return buf.getvalue()


def test_import_upload_and_report(archive, client) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fanshelf.web import data

    data.reset_backend()
    post = (FIXTURES / "03-prompt-fill.txt").read_bytes()
    other = (FIXTURES / "02-lamplight-part2.txt").read_bytes()
    files = [SimpleUploadedFile("paper.txt", post, "text/plain"),
             SimpleUploadedFile("../../etc/evil.txt", other, "text/plain"),
             SimpleUploadedFile("bundle.zip", _zip({"a/storm.html": (FIXTURES / "04-hostile.html").read_bytes(),
                                                    "../escape.txt": post}), "application/zip"),
             SimpleUploadedFile("binary.txt", b"\x00\x01\x02" * 100, "text/plain")]
    r = client.post("/import", {"files": files})
    assert r.status_code == 302 and re.fullmatch(r"/import/\d+", r["Location"])
    report = get_json(client, r["Location"] + ".json")
    outcomes = {e["location"]: e["outcome"] for e in report["files"]}
    assert outcomes["upload:paper.txt"] == "created"
    assert outcomes["upload:evil.txt"] == "created"  # the name is reduced to its last part
    assert outcomes["upload:bundle.zip!/a/storm.html"] == "created"
    assert outcomes["upload:bundle.zip!/../escape.txt"] == "failed"
    assert outcomes["upload:binary.txt"] == "failed"
    assert report["counts"] == {"created": 3, "updated": 0, "unchanged": 0, "failed": 2}
    html = client.get(r["Location"]).content.decode()
    assert "unsafe path" in html and "upload:paper.txt" in html
    assert get_json(client, "/works.json")["total"] == 3  # searchable at once
    # the same file again: unchanged
    r2 = client.post("/import", {"files": [SimpleUploadedFile("paper.txt", post, "text/plain")]})
    assert get_json(client, r2["Location"] + ".json")["counts"]["unchanged"] == 1
    assert "Import #" in client.get("/import").content.decode()


def test_import_without_files_is_400(archive, client) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/import", {})
    assert r.status_code == 400 and "Choose one or more files" in r.content.decode()


# ---------------------------------------------------------------------------------------------- OpenAPI

def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _check(doc: dict[str, Any], schema: dict[str, Any], value: Any, where: str) -> None:
    """A small validator for the subset of JSON Schema the document uses."""
    schema = _resolve(doc, schema)
    if value is None:
        assert schema.get("nullable"), f"{where}: null not allowed"
        return
    for part in schema.get("allOf", []):
        _check(doc, part, value, where)
    kind = schema.get("type")
    types = {"object": dict, "array": list, "string": str, "boolean": bool, "integer": int}
    if kind:
        assert isinstance(value, types[kind]) and not (kind == "integer" and isinstance(value, bool)), \
            f"{where}: {value!r} is not {kind}"
    if "enum" in schema:
        assert value in schema["enum"], where
    if kind == "integer" and "minimum" in schema:
        assert value >= schema["minimum"], where
    if kind == "object":
        for key in schema.get("required", []):
            assert key in value, f"{where}: missing {key}"
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                _check(doc, sub, value[key], f"{where}.{key}")
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for key, v in value.items():
                if key not in schema.get("properties", {}):
                    _check(doc, extra, v, f"{where}.{key}")
    if kind == "array":
        for i, v in enumerate(value):
            _check(doc, schema["items"], v, f"{where}[{i}]")


def test_openapi_describes_every_json_answer(site, client) -> None:  # type: ignore[no-untyped-def]
    doc = get_json(client, "/openapi.json")
    assert doc["openapi"].startswith("3.")
    lamp = work_id(client, "Lamplight")
    series_id = get_json(client, f"/works/{lamp}.json")["series"][0]["id"]
    client.post("/blocklist", {"tag": "Angst", "action": "add"})
    samples = {
        "/index.json": "/index.json", "/works.json": "/works.json?include=Torchwood&q=lights",
        "/works/{work_id}.json": f"/works/{lamp}.json",
        "/works/{work_id}/chapters/{chapter}.json": f"/works/{lamp}/chapters/2.json",
        "/tags/{name}.json": "/tags/Torchwood.json", "/creators/{name}.json": "/creators/ember_quill.json",
        "/series/{series_id}.json": f"/series/{series_id}.json", "/collections.json": "/collections.json",
        "/collections/{name}.json": "/collections/tardis_drabbles.json",
    }
    from fanshelf.archive.models import ImportRun

    samples["/import/{run_id}.json"] = f"/import/{ImportRun.objects.order_by('-id').first().id}.json"
    assert set(samples) | {"/works/{work_id}/download/{fmt}"} == set(doc["paths"])
    for path, url in samples.items():
        op = doc["paths"][path]["get"]
        _check(doc, op["responses"]["200"]["content"]["application/json"]["schema"], get_json(client, url), url)
    _check(doc, {"$ref": "#/components/schemas/Error"}, get_json(client, "/works/999999.json", 404), "404")
    _check(doc, {"$ref": "#/components/schemas/Error"}, get_json(client, "/works.json?page=x", 400), "400")


# ----------------------------------------------------------------------------------------------- golden

def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs (FANSHELF_UPDATE_GOLDEN=1 rewrites it)"


def test_golden_blurb_and_work_header(site, client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/works?sort=title").content.decode()
    start = html.index('<li class="blurb" data-work-id="1">')
    blurb = html[start:html.index("</li>\n", html.index('<dl class="stats">', start)) + 6]
    _golden("web_blurb.html", blurb)
    page = client.get("/works/1").content.decode()
    header = page[page.index('<div class="work-meta-wrap">'):page.index('<nav class="chapter-index"')]
    _golden("web_work_header.html", header)


# ----------------------------------------------------------------------------------------------- admin

def test_admin_is_mounted_and_its_changes_reach_the_index(site, client) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import User

    from fanshelf.archive.models import IndexOutbox, Work

    r = client.get("/admin/")
    assert r.status_code == 302 and r["Location"].startswith("/admin/login/")
    assert client.get("/admin/login/").status_code == 200
    user = User.objects.create_superuser("wrangler", "w@example.org", "pw-for-tests-only")
    client.force_login(user)
    assert client.get("/admin/archive/tag/").status_code == 200
    wid = work_id(client, "Paper Boats")
    Work.objects.filter(id=wid).update(title="Paper Submarines", revision=7)
    IndexOutbox.objects.create(work_id=wid)
    assert get_json(client, "/works.json?q=submarines")["total"] == 0
    assert client.post("/admin/logout/").status_code < 400  # any successful admin POST drains the outbox
    assert get_json(client, "/works.json?q=submarines")["total"] == 1
    assert not IndexOutbox.objects.exists()


def test_postgres_search_backend(archive, client) -> None:  # type: ignore[no-untyped-def]
    """The same pages on PostgreSQL's own full-text search instead of tantivy."""
    if archive.vendor != "postgresql":
        pytest.skip("the PostgreSQL search backend runs on the PostgreSQL database only")
    from fanshelf.archive.config import configure

    configure(archive.data_dir, database_url=archive.database_url, search_backend="postgres", migrate=False)
    make_site(archive)
    assert get_json(client, "/works.json")["total"] == 4
    assert {w["title"] for w in get_json(client, "/works.json?include=Torchwood")["works"]} == {
        "Lamplight", "Morning Shift"}
    assert get_json(client, "/works.json?q=kettle")["total"] == 1
    client.post("/blocklist", {"tag": "Doctor Who", "action": "add"})
    data = get_json(client, "/works.json")
    assert data["total"] == 0 and data["hidden"] == 4
    assert len(ids_of(client.get("/works?show_hidden=1").content.decode())) == 4
