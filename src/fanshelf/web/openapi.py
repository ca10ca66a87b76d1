"""The OpenAPI 3 document of the JSON twins (served at ``/openapi.json``).

Every listing and work page answers JSON at its path + ``.json`` (documented here) and also at its
plain path with ``Accept: application/json``. Errors are JSON objects ``{"error": {...}}``.
"""

from __future__ import annotations

from typing import Any

from fanshelf import __version__
from fanshelf.web.params import MAX_INT, MAX_PAGE, MAX_TAGS, SORTS


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(props: dict[str, Any], required: list[str] | None = None, extra: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": props,
                           "required": list(props) if required is None else required}
    if not extra:
        out["additionalProperties"] = False
    return out


S = {"type": "string"}
I0 = {"type": "integer", "minimum": 0}
B = {"type": "boolean"}
NI = {"type": "integer", "nullable": True}
STRS = {"type": "array", "items": S}
DT = {"type": "string", "format": "date-time"}

SCHEMAS: dict[str, Any] = {
    "Error": _obj({"error": _obj({"status": {"type": "integer"}, "title": S, "detail": S,
                                   "limit_bytes": {"type": "integer"}}, ["status", "title", "detail"])}),
    "SeriesRef": _obj({"id": {"type": "integer"}, "title": S, "position": NI, "of": NI}),
    "WorkSummary": _obj({
        "id": {"type": "integer"}, "title": S, "summary": S, "words": I0, "kudos": I0, "hits": I0,
        "comments": I0, "bookmarks": I0, "complete": B, "language": S, "posted_at": DT, "updated_at": DT,
        "chapters_posted": I0, "chapters_expected": NI, "creators": STRS,
        "tags": {"type": "object", "description": "Tag names by type (Rating, ArchiveWarning, Category, Fandom, "
                 "Relationship, Character, Freeform), in the order the work lists them.",
                 "additionalProperties": STRS},
        "series": {"type": "array", "items": _ref("SeriesRef")}, "url": S}),
    "Facet": _obj({"id": {"type": "integer"}, "name": S, "count": I0}),
    "Filters": _obj({
        "q": S, "sort": S, "include": STRS, "exclude": STRS, "words_from": NI, "words_to": NI,
        "date_from": {"type": "string", "format": "date", "nullable": True},
        "date_to": {"type": "string", "format": "date", "nullable": True},
        "complete": S, "crossover": S, "language": S, "page": {"type": "integer"}, "show_hidden": B}),
    "Listing": _obj({
        "total": I0, "page": {"type": "integer", "minimum": 1}, "per_page": {"type": "integer", "minimum": 1},
        "pages": {"type": "integer", "minimum": 1}, "sort": S, "order": {"type": "string", "enum": ["asc", "desc"]},
        "hidden": {"type": "integer", "minimum": 0, "description": "Works hidden by the blocklist cookie."},
        "works": {"type": "array", "items": _ref("WorkSummary")},
        "facets": {"type": "object", "description": "Top tags of each type among all matching works.",
                   "additionalProperties": {"type": "array", "items": _ref("Facet")}},
        "filters": _ref("Filters"),
        "unknown_tags": {"type": "array", "items": S, "description": "Included tag names the archive does not "
                         "know (nothing can match them)."}}),
    "Chapter": _obj({"position": {"type": "integer", "minimum": 1}, "title": S, "words": I0,
                     "html": {"type": "string", "description": "Sanitized HTML (sanitized when imported)."}}),
    "SeriesLink": _obj({"id": {"type": "integer"}, "title": S, "position": NI, "of": NI,
                        "prev": {"nullable": True, "allOf": [_ref("WorkLink")]},
                        "next": {"nullable": True, "allOf": [_ref("WorkLink")]}}),
    "WorkLink": _obj({"id": {"type": "integer"}, "title": S}),
    "CollectionRef": _obj({"name": S, "title": S, "prompt_number": S, "prompt": S}),
    "Work": _obj({
        "id": {"type": "integer"}, "title": S, "creators": STRS,
        "tags": {"type": "object", "additionalProperties": STRS}, "summary": S, "notes": S, "end_notes": S,
        "language": S, "words": I0, "chapters_posted": I0, "chapters_expected": NI, "complete": B,
        "crossover": B, "posted_at": DT, "updated_at": DT, "kudos": I0, "hits": I0, "comments": I0,
        "bookmarks": I0, "revision": {"type": "integer"}, "series": {"type": "array", "items": _ref("SeriesLink")},
        "collections": {"type": "array", "items": _ref("CollectionRef")},
        "chapters": {"type": "array", "items": _ref("Chapter")}, "url": S}),
    "TagInfo": _obj({"name": S, "type": S, "type_label": S, "canonical": B,
                     "merger": {"type": "string", "nullable": True}, "synonyms": STRS, "meta_tags": STRS,
                     "sub_tags": STRS, "works_count": I0,
                     "other_types": {"type": "array", "items": _obj({"name": S, "type": S})}}),
    "CollectionSummary": _obj({"name": S, "title": S, "works": I0, "prompts": I0, "url": S}),
}
SCHEMAS["WorkChapter"] = {"allOf": [_ref("Work"), _obj({
    "chapter": {"type": "integer", "minimum": 1}, "prev_chapter": NI, "next_chapter": NI})]}
SCHEMAS["TagPage"] = {"allOf": [_ref("Listing"), _obj({"tag": _ref("TagInfo")})]}
SCHEMAS["CreatorPage"] = _obj({
    "creator": _obj({"name": S}), "total": I0, "page": {"type": "integer"}, "per_page": {"type": "integer"},
    "pages": {"type": "integer"}, "hidden": I0, "works": {"type": "array", "items": _ref("WorkSummary")}})
SCHEMAS["SeriesPage"] = _obj({"series": _obj({"id": {"type": "integer"}, "title": S}), "total": I0,
                              "works": {"type": "array", "items": _ref("WorkSummary")}})
SCHEMAS["CollectionList"] = _obj({"collections": {"type": "array", "items": _ref("CollectionSummary")},
                                  "total": I0})
SCHEMAS["CollectionPage"] = _obj({
    "collection": _obj({"name": S, "title": S}),
    "prompts": {"type": "array", "items": _obj({"number": S, "text": S, "works": {
        "type": "array", "items": {"type": "integer"}}})},
    "works": {"type": "array", "items": _ref("WorkSummary")},
    "unprompted": {"type": "array", "items": {"type": "integer"}}})
SCHEMAS["ImportReport"] = _obj({
    "id": {"type": "integer"}, "started_at": DT, "finished_at": {"type": "string", "format": "date-time",
                                                                  "nullable": True},
    "counts": {"type": "object", "additionalProperties": I0},
    "files": {"type": "array", "items": _obj({"location": S, "outcome": {
        "type": "string", "enum": ["created", "updated", "unchanged", "failed"]}, "reason": S, "works": I0})}})
SCHEMAS["Home"] = _obj({"recent": {"type": "array", "items": _ref("WorkSummary")},
                        "fandoms": {"type": "array", "items": _ref("Facet")}, "total": I0,
                        "collections": {"type": "array", "items": _ref("CollectionSummary")}})


def _json(schema: str, text: str) -> dict[str, Any]:
    return {"description": text, "content": {"application/json": {"schema": _ref(schema)}}}


ERRORS = {"400": _json("Error", "A query parameter has a value that cannot be used."),
          "404": _json("Error", "No such page.")}
PAGE = {"name": "page", "in": "query", "required": False, "description": "1-based page number (20 works a page).",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}}
SHOW_HIDDEN = {"name": "show_hidden", "in": "query", "required": False,
               "description": "1 (or true, on, yes): also show works with tags of the blocklist cookie; "
               "any other value hides them.", "schema": {"type": "string"}}
SORT = {"name": "sort", "in": "query", "required": False, "schema": {"type": "string", "enum": ["", *SORTS]},
        "description": "Sort order (default: best match with query text, else date updated)."}


def _or_empty(schema: dict[str, Any]) -> dict[str, Any]:
    """The value, or an empty string (a form field left blank: no filter)."""
    return {"anyOf": [schema, {"type": "string", "maxLength": 0}]}


def _q(name: str, schema: dict[str, Any], text: str, *, array: bool = False) -> dict[str, Any]:
    p: dict[str, Any] = {"name": name, "in": "query", "required": False, "description": text, "schema": schema}
    if array:
        p["schema"] = {"type": "array", "items": schema}
        p["description"] += f" At most {MAX_TAGS} (more is a 400)."
        p["style"], p["explode"] = "form", True
    return p


def _path(name: str, schema: dict[str, Any], text: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": text, "schema": schema}


def _get(summary: str, schema: str, params: list[dict[str, Any]], errors: tuple[str, ...] = ("404",),
         op: str = "") -> dict[str, Any]:
    responses: dict[str, Any] = {"200": _json(schema, summary)}
    responses.update({k: ERRORS[k] for k in errors})
    # gunicorn (like most proxies) refuses request lines over 8 KB itself, with a short HTML page
    responses["414"] = {"description": "The URL is longer than the server accepts (8 KB)."}
    return {"get": {"summary": summary, "operationId": op, "parameters": params, "responses": responses}}


LISTING_PARAMS = [
    _q("q", {"type": "string"}, "AO3 query language: words (AND), \"phrases\", OR, NOT/-word, "
       "words>1000, creator:NAME, m/m. Searches within the results of the other filters."),
    SORT,
    _q("include", {"type": "string"}, "Only works with this tag (a name; a canonical covers its "
       "synonyms and sub tags). Repeatable: all of them.", array=True),
    _q("exclude", {"type": "string"}, "No works with this tag. Repeatable.", array=True),
    _q("words_from", _or_empty({"type": "integer", "minimum": 0, "maximum": MAX_INT}), "Fewest words."),
    _q("words_to", _or_empty({"type": "integer", "minimum": 0, "maximum": MAX_INT}), "Most words."),
    _q("date_from", _or_empty({"type": "string", "format": "date"}), "Updated on or after (YYYY-MM-DD)."),
    _q("date_to", _or_empty({"type": "string", "format": "date"}), "Updated on or before (YYYY-MM-DD)."),
    _q("complete", {"type": "string", "enum": ["", "true", "false"]}, "Completion status."),
    _q("crossover", {"type": "string", "enum": ["", "include", "exclude", "only"]}, "Crossovers."),
    _q("language", {"type": "string"}, "Language name, e.g. English."),
    PAGE, SHOW_HIDDEN,
]
WORK_ID = _path("work_id", {"type": "integer", "minimum": 1}, "The work's id.")
NAME = {"type": "string", "minLength": 1}


def document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Fanshelf", "version": __version__,
                 "description": "The JSON twin of every listing and work page of a Fanshelf archive. Each path "
                 "below is the page's path + .json; the page's own path answers the same JSON to "
                 "`Accept: application/json`. Errors are `{\"error\": {status, title, detail}}`."},
        "paths": {
            "/index.json": _get("Home page: recent works, top fandoms with counts, challenges.", "Home", [],
                                (), "home"),
            "/works.json": _get("Works matching the filters, 20 a page, with facet counts.", "Listing",
                                LISTING_PARAMS, ("400",), "works"),
            "/works/{work_id}.json": _get("A work with all its chapters.", "Work", [WORK_ID], op="work"),
            "/works/{work_id}/chapters/{chapter}.json": _get(
                "A work with one chapter (1-based).", "WorkChapter",
                [WORK_ID, _path("chapter", {"type": "integer", "minimum": 1}, "Chapter number (1-based).")],
                op="chapter"),
            "/tags/{name}.json": _get("A tag (its synonyms, meta and sub tags) and its works.", "TagPage",
                                      [_path("name", NAME, "Tag name."), SORT, PAGE, SHOW_HIDDEN],
                                      ("400", "404"), "tag"),
            "/creators/{name}.json": _get("A creator's works, newest first.", "CreatorPage",
                                          [_path("name", NAME, "Creator name."), PAGE, SHOW_HIDDEN],
                                          ("400", "404"), "creator"),
            "/series/{series_id}.json": _get("A series' works in order.", "SeriesPage",
                                             [_path("series_id", {"type": "integer", "minimum": 1}, "Series id.")],
                                             op="series"),
            "/collections.json": _get("Challenges and collections with counts.", "CollectionList", [], (),
                                      "collections"),
            "/collections/{name}.json": _get("A challenge: its prompts and the works filling each.",
                                             "CollectionPage", [_path("name", NAME, "Collection name.")],
                                             op="collection"),
            "/works/{work_id}/download/{fmt}": {"get": {
                "summary": "A work as a file to download: EPUB 3, single-file HTML, Markdown with YAML front "
                           "matter, or fanshelf-works JSON.",
                "operationId": "download",
                "parameters": [WORK_ID, _path("fmt", {"type": "string", "enum": ["epub", "html", "md", "json"]},
                                              "The file format.")],
                "responses": {
                    "200": {"description": "The file, as an attachment.", "content": {
                        "application/epub+zip": {"schema": {"type": "string", "format": "binary"}},
                        "text/html": {"schema": {"type": "string"}},
                        "text/markdown": {"schema": {"type": "string"}},
                        "application/json": {"schema": {"type": "object"}}}},
                    # a download is not a JSON endpoint: its errors are HTML pages unless JSON is asked for
                    "404": {"description": "No such work or format: an HTML page, or JSON for "
                                           "Accept: application/json.", "content": {
                                               "text/html": {"schema": {"type": "string"}},
                                               **ERRORS["404"]["content"]}},
                    "414": {"description": "The URL is longer than the server accepts (8 KB)."}}}},
            "/import/{run_id}.json": _get("The per-file report of an import.", "ImportReport",
                                          [_path("run_id", {"type": "integer", "minimum": 1}, "Import run id.")],
                                          op="import_report"),
        },
        "components": {"schemas": SCHEMAS},
    }
