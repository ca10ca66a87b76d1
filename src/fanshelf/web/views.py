"""The pages. Every listing and work page answers HTML, or JSON for ``.json`` / ``Accept: application/json``
(the same view, the same data: :mod:`fanshelf.web.openapi` describes it)."""

from __future__ import annotations

import functools
import json
import math
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, unquote, urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.views.decorators.csrf import csrf_exempt

from fanshelf.archive.models import (
    Collection,
    CollectionItem,
    Creator,
    FilterTagging,
    ImportLogEntry,
    ImportRun,
    MetaTagging,
    Prompt,
    SerialWork,
    Series,
    Tag,
    Work,
    tag_key,
)
from fanshelf.search.base import PER_PAGE, SearchRequest
from fanshelf.web import data
from fanshelf.web import render as fragments
from fanshelf.web.errors import error_response, wants_json
from fanshelf.web.params import (
    SORT_LABELS,
    SORTS,
    BadParam,
    Filters,
    clean,
    page_number,
    parse_filters,
    sort_choice,
)
from fanshelf.wrangle import strip_note_label

F = TypeVar("F", bound=Callable[..., HttpResponse])


def allow(*methods: str) -> Callable[[F], F]:
    """Only these methods (HEAD comes with GET); others get a friendly 405 with an Allow header."""
    allowed = {*methods, *(("HEAD",) if "GET" in methods else ())}

    def wrap(view: F) -> F:
        @functools.wraps(view)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in allowed:
                resp = error_response(request, 405)
                resp.headers["Allow"] = ", ".join(sorted(allowed))
                return resp
            return view(request, *args, **kwargs)

        if "POST" not in methods:  # read-only views change nothing: a POST to one is a 405, not a CSRF 403
            return csrf_exempt(inner)
        return inner  # type: ignore[return-value]

    return wrap


require_GET = allow("GET")


BLOCKLIST_COOKIE = "fanshelf_blocklist"
BLOCKLIST_MAX = 100
_SORT_NAMES = {v: k for k, v in SORTS.items()}


def export_available() -> bool:
    """The download menu shows once ``fanshelf.export`` is importable and a ``download`` URL is wired.

    WIRING EXPORTS (for the lead): add ``path("works/<int:work_id>/download/<str:fmt>", view,
    name="download")`` to urls.py; the menu in work.html (marked DOWNLOAD MENU) then links to it.
    """
    try:
        import fanshelf.export  # noqa: F401
    except ImportError:
        return False
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("download", kwargs={"work_id": 1, "fmt": "epub"})
    except NoReverseMatch:
        return False
    return True


def site_context(request: HttpRequest) -> dict[str, Any]:
    return {"site_name": "Fanshelf", "nav_path": request.path}


# ------------------------------------------------------------------------------------ responding

def respond(request: HttpRequest, template: str, context: dict[str, Any], payload: dict[str, Any],
            status: int = 200) -> HttpResponse:
    if wants_json(request):
        resp: HttpResponse = JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})
    else:
        resp = render(request, template, context, status=status)
    resp.headers["Vary"] = "Accept, Cookie"
    return resp


def _query(request: HttpRequest, **changes: Any) -> str:
    """This request's query string with some parameters replaced (None removes one)."""
    pairs: list[tuple[str, str]] = []
    for k, vs in request.GET.lists():
        if k in changes:
            continue
        pairs.extend((k, v) for v in vs)
    for k, v in changes.items():
        if v is None:
            continue
        pairs.extend((k, x) for x in (v if isinstance(v, list) else [v]))
    return urlencode(pairs)


def pagination(request: HttpRequest, page: int, total: int, per_page: int = PER_PAGE) -> dict[str, Any]:
    pages = max(1, math.ceil(total / per_page)) if total else 1
    base = request.path

    def link(n: int) -> str:
        return f"{base}?{_query(request, page=str(n))}"

    window = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    items: list[dict[str, Any]] = []
    last = 0
    for n in window:
        if n - last > 1:
            items.append({"gap": True})
        items.append({"n": n, "url": link(n), "current": n == page})
        last = n
    return {"page": page, "pages": pages, "items": items if pages > 1 else [],
            "prev": link(page - 1) if page > 1 else None, "next": link(page + 1) if page < pages else None}


# ------------------------------------------------------------------------------------ blocklist

def read_blocklist(request: HttpRequest) -> list[str]:
    raw = request.COOKIES.get(BLOCKLIST_COOKIE, "")
    if not raw:
        return []
    try:
        names = json.loads(unquote(raw))
    except ValueError:
        return []
    if not isinstance(names, list):
        return []
    out: list[str] = []
    for n in names[:BLOCKLIST_MAX]:
        if isinstance(n, str):
            n = " ".join(clean(n).split())[:150]
            if n and n not in out:
                out.append(n)
    return out


def write_blocklist(response: HttpResponse, names: list[str]) -> None:
    value = quote(json.dumps(names[:BLOCKLIST_MAX], ensure_ascii=False, separators=(",", ":")), safe="")
    response.set_cookie(BLOCKLIST_COOKIE, value, max_age=10 * 365 * 24 * 3600, samesite="Lax", httponly=True)


# -------------------------------------------------------------------------------------- listings

def _listing(request: HttpRequest, f: Filters, *, extra_include: tuple[int, ...] = (),
             per_page: int = PER_PAGE, facets: bool = True) -> dict[str, Any]:
    """Runs a filtered search with the blocklist; the data of a listing page (JSON-ready part first)."""
    from fanshelf.search.service import run_search

    blocked = read_blocklist(request)
    ids, _unknown = data.resolve_names([*f.include, *f.exclude, *blocked])
    unknown_include = [n for n in f.include if n not in ids]
    include = tuple(dict.fromkeys([*extra_include, *(ids[n] for n in f.include if n in ids)]))
    exclude = tuple(dict.fromkeys(ids[n] for n in f.exclude if n in ids))
    blocked_ids = tuple(ids[n] for n in blocked if n in ids)
    req = SearchRequest(
        text=f.q, include=include,
        exclude=tuple(dict.fromkeys([*exclude, *blocked_ids])) if not f.show_hidden else exclude,
        complete=None if not f.complete else f.complete == "true", crossover=f.crossover or "include",
        words_from=f.words_from, words_to=f.words_to, updated_from=f.date_from, updated_to=f.date_to,
        language=f.language or None, sort=SORTS.get(f.sort) if f.sort else None, page=f.page, per_page=per_page,
        facets=facets)
    backend = data.backend()
    if unknown_include:  # a tag the archive does not know: nothing can match it
        from fanshelf.search.base import SearchResult
        from fanshelf.search.service import NamedResult

        named = NamedResult(SearchResult(total=0, ids=[], page=f.page, per_page=per_page,
                                         sort=req.sort or "updated", order="desc"))
    else:
        named = run_search(backend, req)
    hidden = 0
    if blocked_ids and not f.show_hidden and not unknown_include:
        everything = backend.search(replace(req, exclude=exclude, facets=False, per_page=1, page=1))
        hidden = max(0, everything.total - named.result.total)
    works = data.attach_extras(named.works)
    r = named.result
    return {
        "total": r.total, "page": r.page, "per_page": r.per_page,
        "pages": max(1, math.ceil(r.total / r.per_page)) if r.total else 1,
        "sort": _SORT_NAMES.get(r.sort, r.sort), "order": r.order, "hidden": hidden,
        "works": works, "facets": named.facets, "filters": f.to_dict(), "unknown_tags": unknown_include,
        "blocked": blocked,
    }


def _sidebar(f: Filters, facets: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = []
    for key, type_ in data.FACET_TYPES.items():
        rows = [{"name": c["name"], "count": c["count"], "include": c["name"] in f.include,
                 "exclude": c["name"] in f.exclude} for c in facets.get(key, [])]
        groups.append({"key": key, "label": data.TYPE_PLURALS[type_], "rows": rows,
                       "html": fragments.facet_rows_html(key, rows)})
    # chosen tags that are not among the facets still show, checked
    shown = {r["name"] for g in groups for r in g["rows"]}
    extra = [{"name": n, "count": None, "include": n in f.include, "exclude": n in f.exclude}
             for n in [*f.include, *f.exclude] if n not in shown]
    if extra:
        groups.append({"key": "other", "label": "Other tags", "rows": extra,
                       "html": fragments.facet_rows_html("other", extra)})
    return groups


def _listing_context(request: HttpRequest, f: Filters, result: dict[str, Any]) -> dict[str, Any]:
    return {
        "f": f, "result": result, "works": result["works"], "blurbs": _blurbs(result["works"]),
        "sidebar": _sidebar(f, result["facets"]), "sorts": list(SORT_LABELS.items()),
        "pager": pagination(request, result["page"], result["total"], result["per_page"]),
        "show_hidden_url": f"{request.path}?{_query(request, show_hidden='1', page=None)}",
        "hide_hidden_url": f"{request.path}?{_query(request, show_hidden=None, page=None)}",
        "first": (result["page"] - 1) * result["per_page"] + 1 if result["works"] else 0,
        "last": (result["page"] - 1) * result["per_page"] + len(result["works"]),
    }


def _blurbs(works: list[dict[str, Any]]) -> SafeString:
    return fragments.blurbs_html(data.decorate(works))


def _bad(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(request, 400, str(exc))


@require_GET
def works(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    try:
        f = parse_filters(request.GET)
        result = _listing(request, f)
    except (BadParam, ValueError) as exc:
        return _bad(request, exc)
    if wants_json(request):
        return respond(request, "", {}, _public(result))
    ctx = _listing_context(request, f, result)
    ctx["title"] = "Works"
    return respond(request, "works.html", ctx, _public(result))


def _public(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "blocked"}


HOME_TTL = 5  # seconds the front page's data is reused by a worker (facets over the whole archive)


@require_GET
def home(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    f = Filters()
    key = f"home:{data.cache_token()}:{id(data.backend())}:{json.dumps(read_blocklist(request))}"
    cached = cache.get(key)
    if cached is None:
        cached = (_listing(request, f, per_page=10), _collections(limit=8))
        cache.set(key, cached, HOME_TTL)
    result, collections = cached
    ctx = {"works": result["works"], "blurbs": _blurbs(result["works"]), "result": result,
           "fandoms": result["facets"].get("fandom", []), "collections": collections}
    return respond(request, "home.html", ctx, {
        "recent": result["works"], "fandoms": result["facets"].get("fandom", []),
        "total": result["total"], "collections": collections})


@require_GET
def search_form(request: HttpRequest) -> HttpResponse:
    return render(request, "search.html", {"sorts": list(SORT_LABELS.items())})


# -------------------------------------------------------------------------------------- work page

def _work_or_404(work_id: str) -> Work | None:
    if len(work_id) > 18:
        return None
    return Work.objects.filter(id=int(work_id)).first()


@require_GET
def work(request: HttpRequest, work_id: str, fmt: str | None = None, chapter: str | None = None) -> HttpResponse:
    as_json = wants_json(request)
    if len(work_id) > 18 or (chapter is not None and len(chapter) > 9):
        return error_response(request, 404)
    view = request.GET.get("view", "")
    full = view == "full"
    row = Work.objects.filter(id=int(work_id)).values_list("revision", "chapters_posted").first()
    if row is None:
        return error_response(request, 404)
    n = int(chapter) if chapter is not None else None
    key = f"work:{data.cache_token()}:{work_id}:{row[0]}:{n}:{int(full)}:{int(as_json)}"
    body = cache.get(key)
    if body is None:
        w = Work.objects.get(id=int(work_id))
        detail = data.work_detail(w)
        count = len(detail["chapters"])
        if n is not None and not 1 <= n <= count:
            return error_response(request, 404)
        if as_json:
            payload = detail
            if n is not None:
                payload = {**detail, "chapter": n, "chapters": [detail["chapters"][n - 1]],
                           "prev_chapter": n - 1 if n > 1 else None, "next_chapter": n + 1 if n < count else None}
            body = json.dumps(payload, ensure_ascii=False).encode()
        else:
            body = loader.render_to_string("work.html", _work_context(detail, n, full), request=None).encode()
        cache.set(key, body, 3600)
    ctype = "application/json" if as_json else "text/html; charset=utf-8"
    resp = HttpResponse(body, content_type=ctype)
    resp.headers["Vary"] = "Accept"
    return resp


def _work_context(detail: dict[str, Any], n: int | None, full: bool) -> dict[str, Any]:
    chapters = [{**c, "heading": fragments.chapter_heading(c["position"], c["title"])} for c in detail["chapters"]]
    count = len(chapters)
    multi = count > 1
    if full or not multi:
        shown, current = chapters, None
    else:
        current = n or 1
        shown = [chapters[current - 1]]
    tags = detail["tags"]
    header = [(t, data.TYPE_PLURALS[t] if len(tags.get(t, [])) > 1 else data.TYPE_LABELS[t], tags[t])
              for t in data.TYPE_ORDER if tags.get(t)]
    base = f"/works/{detail['id']}"
    return {
        "w": detail, "header": header, "shown": shown, "chapters": chapters, "multi": multi, "full": full or not multi,
        "current": current, "count": count,
        "prev_url": (f"{base}/chapters/{current - 1}" if current and current > 1 else None),
        "next_url": (f"{base}/chapters/{current + 1}" if current and current < count else None),
        "required_html": fragments.required_html(data.required_tags(tags, detail["complete"])),
        "chapters_label": data.decorate([{**detail, "tags": tags}])[0]["chapters_label"],
        # a label the writer typed in front of a note ("End notes: …") is not shown twice (works imported
        # before the wrangler dropped it keep it in the database)
        "notes": strip_note_label(detail["notes"] or ""), "end_notes": strip_note_label(detail["end_notes"] or ""),
        "show_notes": not current or current == 1,
        "show_end_notes": not current or current == count,
        "export_available": export_available(),
        "download_formats": [("epub", "EPUB"), ("html", "HTML"), ("md", "Markdown"), ("json", "JSON")],
        "title": detail["title"], "nav_path": base,
    }


# ------------------------------------------------------------------------------------ tags & co

def _tag_rows(name: str) -> list[Tag]:
    rows = list(Tag.objects.filter(key=tag_key(name)).select_related("merger"))
    rows.sort(key=lambda t: (not t.canonical, -t.taggings_count, t.id))
    return rows


@require_GET
def tag(request: HttpRequest, name: str, fmt: str | None = None) -> HttpResponse:
    name = clean(name)
    rows = _tag_rows(name) if name.strip() else []
    if not rows:
        return error_response(request, 404, f"No tag named {name!r} in this archive.")
    t = rows[0]
    canon = t if t.canonical or t.merger_id is None else t.merger
    assert canon is not None
    synonyms = list(Tag.objects.filter(merger_id=canon.id).order_by("name").values_list("name", flat=True))
    metas = list(MetaTagging.objects.filter(sub_tag_id=canon.id).order_by("meta_tag__name")
                 .values_list("meta_tag__name", flat=True))
    subs = list(MetaTagging.objects.filter(meta_tag_id=canon.id).order_by("sub_tag__name")
                .values_list("sub_tag__name", flat=True))
    try:
        f = Filters(page=page_number(request.GET), sort=sort_choice(request.GET),
                    show_hidden=request.GET.get("show_hidden", "") in ("1", "true", "on", "yes"))
        result = _listing(request, f, extra_include=(canon.id,), facets=False)
    except (BadParam, ValueError) as exc:
        return _bad(request, exc)
    info = {"name": t.name, "type": t.type, "type_label": data.TYPE_LABELS.get(t.type, t.type),
            "canonical": t.canonical, "merger": t.merger.name if t.merger_id and t.merger else None,
            "synonyms": synonyms, "meta_tags": metas, "sub_tags": subs, "works_count": result["total"],
            "other_types": [{"name": o.name, "type": o.type} for o in rows[1:]]}
    payload = {"tag": info, **_public(result)}
    ctx = {"tag": info, "canon": canon.name, **_listing_context(request, f, result), "title": t.name}
    return respond(request, "tag.html", ctx, payload)


@require_GET
def creator(request: HttpRequest, name: str, fmt: str | None = None) -> HttpResponse:
    name = clean(name)
    c = Creator.objects.filter(key=tag_key(name)[:255]).first() if name.strip() else None
    if c is None:
        return error_response(request, 404, f"No creator named {name!r} in this archive.")
    try:
        page = page_number(request.GET)
    except BadParam as exc:
        return _bad(request, exc)
    blocked = read_blocklist(request)
    show_hidden = request.GET.get("show_hidden", "") in ("1", "true", "on", "yes")
    qs = Work.objects.filter(workcreator__creator_id=c.id)
    hidden = 0
    if blocked and not show_hidden:
        ids, _unknown = data.resolve_names(blocked)
        if ids:
            total_all = qs.count()
            qs = qs.exclude(id__in=FilterTagging.objects.filter(tag_id__in=list(ids.values())).values("work_id"))
            hidden = total_all - qs.count()
    total = qs.count()
    ids_page = list(qs.order_by("-updated_at", "-id").values_list("id", flat=True)
                    [(page - 1) * PER_PAGE: page * PER_PAGE])
    ws = data.load_works(ids_page)
    payload = {"creator": {"name": c.name}, "total": total, "page": page, "per_page": PER_PAGE,
               "pages": max(1, math.ceil(total / PER_PAGE)), "hidden": hidden, "works": ws}
    ctx = {"creator": c, "result": payload, "works": ws, "blurbs": _blurbs(ws), "title": c.name,
           "pager": pagination(request, page, total),
           "show_hidden_url": f"{request.path}?{_query(request, show_hidden='1', page=None)}",
           "first": (page - 1) * PER_PAGE + 1 if ws else 0, "last": (page - 1) * PER_PAGE + len(ws)}
    return respond(request, "creator.html", ctx, payload)


@require_GET
def series(request: HttpRequest, series_id: str, fmt: str | None = None) -> HttpResponse:
    s = Series.objects.filter(id=int(series_id)).first() if len(series_id) < 18 else None
    if s is None:
        return error_response(request, 404)
    ids = list(SerialWork.objects.filter(series_id=s.id).order_by("position", "work_id")
               .values_list("work_id", flat=True)[:1000])
    ws = data.load_works(ids)
    payload = {"series": {"id": s.id, "title": s.title}, "total": len(ws), "works": ws}
    return respond(request, "series.html", {"series": s, "works": ws, "blurbs": _blurbs(ws), "title": s.title},
                   payload)


def _collections(limit: int | None = None) -> list[dict[str, Any]]:
    qs = Collection.objects.annotate(n_works=Count("items__work", distinct=True),
                                     n_prompts=Count("prompts", distinct=True)).order_by("-n_works", "name")
    rows = qs.values("name", "title", "n_works", "n_prompts")
    if limit:
        rows = rows[:limit]
    return [{"name": r["name"], "title": r["title"] or r["name"], "works": r["n_works"], "prompts": r["n_prompts"],
             "url": "/collections/" + quote(r["name"], safe="")} for r in rows]


@require_GET
def collections(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    rows = _collections()
    return respond(request, "collections.html", {"collections": rows, "title": "Collections"},
                   {"collections": rows, "total": len(rows)})


def _prompt_sort(p: dict[str, Any]) -> tuple[int, int, str, str]:
    num = p["number"] or ""
    m = re.match(r"\d+", num)
    return (0 if m else 1, int(m.group()) if m else 0, num, p["text"])


@require_GET
def collection(request: HttpRequest, name: str, fmt: str | None = None) -> HttpResponse:
    name = clean(name)
    c = Collection.objects.filter(name=name).first() if name.strip() else None
    if c is None:
        return error_response(request, 404, f"No collection named {name!r} in this archive.")
    items = list(CollectionItem.objects.filter(collection_id=c.id).values_list("prompt_id", "work_id")[:2000])
    ws = {w["id"]: w for w in data.load_works(sorted({wid for _p, wid in items}))}
    prompts = {p["id"]: {**p, "works": []} for p in Prompt.objects.filter(collection_id=c.id)
               .values("id", "number", "text")}
    loose: list[dict[str, Any]] = []
    for pid, wid in items:
        if wid not in ws:
            continue
        (prompts[pid]["works"] if pid in prompts else loose).append(ws[wid])
    plist = sorted(prompts.values(), key=_prompt_sort)
    payload = {"collection": {"name": c.name, "title": c.title or c.name},
               "prompts": [{"number": p["number"], "text": p["text"], "works": [w["id"] for w in p["works"]]}
                           for p in plist],
               "works": list(ws.values()), "unprompted": [w["id"] for w in loose]}
    ctx = {"collection": c, "prompts": [{**p, "blurbs": _blurbs(p["works"])} for p in plist],
           "loose": loose, "loose_blurbs": _blurbs(loose), "total": len(ws), "title": c.title or c.name}
    return respond(request, "collection.html", ctx, payload)


# ------------------------------------------------------------------------------------- blocklist

@allow("GET", "POST")
def blocklist(request: HttpRequest) -> HttpResponse:
    names = read_blocklist(request)
    message = ""
    if request.method == "POST":
        action = request.POST.get("action", "add")
        name = " ".join(clean(request.POST.get("tag", "")).split())[:150]
        if action not in ("add", "remove") or not name:
            return error_response(request, 400, "Give a tag name and the action add or remove.")
        if action == "add":
            found, _unknown = data.resolve_names([name])
            if not found:
                ctx = {"names": names, "error": f"There is no tag named “{name}” in this archive.",
                       "value": name, "title": "Blocked tags"}
                return render(request, "blocklist.html", ctx, status=400)
            canonical = Tag.objects.filter(id=found[name]).values_list("name", flat=True).first() or name
            if canonical not in names and name not in names:
                if len(names) >= BLOCKLIST_MAX:
                    return error_response(request, 400, f"At most {BLOCKLIST_MAX} blocked tags.")
                names.append(canonical)
        else:
            names = [n for n in names if tag_key(n) != tag_key(name)]
        nxt = request.POST.get("next", "")
        target = nxt if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts=None) and nxt.startswith(
            "/") else "/blocklist"
        resp = HttpResponseRedirect(target)
        write_blocklist(resp, names)
        return resp
    return respond(request, "blocklist.html", {"names": names, "message": message, "title": "Blocked tags"},
                   {"blocked": names})


# ---------------------------------------------------------------------------------------- import

_SAFE_NAME = re.compile(r"[^\w.\- ]+")


def _safe_name(name: str, taken: set[str]) -> str:
    base = _SAFE_NAME.sub("_", os.path.basename(name.replace("\\", "/"))).strip(" .")[:120] or "upload"
    out, i = base, 1
    while out in taken:
        i += 1
        stem, dot, ext = base.rpartition(".")
        out = f"{stem}-{i}.{ext}" if dot else f"{base}-{i}"
    taken.add(out)
    return out


@allow("GET", "POST")
def import_view(request: HttpRequest) -> HttpResponse:
    limit = settings.FANSHELF_MAX_UPLOAD_BYTES
    runs = list(ImportRun.objects.order_by("-id").values("id", "started_at", "counts")[:10])
    ctx = {"title": "Import", "limit_mb": limit // (1024 * 1024), "runs": runs}
    if request.method == "GET":
        return render(request, "import.html", ctx)
    files = request.FILES.getlist("files")
    if not files:
        return render(request, "import.html", {**ctx, "error": "Choose one or more files (or a .zip) to import."},
                      status=400)
    if sum(f.size or 0 for f in files) > limit:
        from fanshelf.web.errors import too_large

        return too_large(request, limit)
    from fanshelf.archive.importer import Importer
    from fanshelf.archive.sources import find_sources
    from fanshelf.web.uploads import located

    with tempfile.TemporaryDirectory(prefix="fanshelf-upload-") as tmp:
        taken: set[str] = set()
        for up in files:
            dest = Path(tmp) / _safe_name(up.name or "upload", taken)
            with open(dest, "wb") as fh:
                for chunk in up.chunks():
                    fh.write(chunk)
        refs = [ref for ref in find_sources(sorted(str(Path(tmp) / n) for n in taken)) if not ref.skipped]
        if not refs:
            return render(request, "import.html", {**ctx, "error": "None of the files is a post Fanshelf can read "
                                                   "(text, HTML, e-mail, or a .zip of them)."}, status=400)
        try:
            # an upload's location (upload:NAME, or upload:NAME~HASH for another story of the same
            # name) is chosen from its content: fanshelf.web.uploads
            report = Importer().import_refs(located(refs, tmp + os.sep), [f"upload:{n}" for n in sorted(taken)])
        except Exception as exc:  # another import holding the index, a full disk...
            return error_response(request, 500, f"The import could not run: {type(exc).__name__}.")
        finally:
            data.reset_backend()
    return HttpResponseRedirect(f"/import/{report.run_id}")


@require_GET
def import_report(request: HttpRequest, run_id: str, fmt: str | None = None) -> HttpResponse:
    run = ImportRun.objects.filter(id=int(run_id)).first() if len(run_id) < 18 else None
    if run is None:
        return error_response(request, 404)
    entries = list(ImportLogEntry.objects.filter(run_id=run.id).order_by("id").values(
        "location", "outcome", "reason", "works"))
    counts = {k: 0 for k in ("created", "updated", "unchanged", "failed")}
    for e in entries:
        counts[e["outcome"]] = counts.get(e["outcome"], 0) + 1
    payload = {"id": run.id, "started_at": run.started_at.isoformat(),
               "finished_at": run.finished_at.isoformat() if run.finished_at else None,
               "counts": counts, "files": entries}
    return respond(request, "import_report.html", {"run": run, "entries": entries, "counts": counts,
                                                   "title": f"Import #{run.id}"}, payload)


# ------------------------------------------------------------------------------------- the rest

@require_GET
def openapi(request: HttpRequest) -> HttpResponse:
    from fanshelf.web.openapi import document

    return JsonResponse(document(), json_dumps_params={"ensure_ascii": False})


__all__ = ["blocklist", "collection", "collections", "creator", "home", "import_report", "import_view",
           "openapi", "search_form", "series", "tag", "work", "works"]


# ------------------------------------------------------------------------------------ downloads

DOWNLOAD_FORMATS = ("epub", "html", "md", "json")


@require_GET
def download(request: HttpRequest, work_id: int, fmt: str) -> HttpResponse:
    """One work as an e-book or document (``fanshelf.export``), as an attachment."""
    from fanshelf.archive.export import load_works
    from fanshelf.export import export_work
    from fanshelf.export.common import ExportError

    if fmt not in DOWNLOAD_FORMATS:
        return error_response(request, 404, f"no download format {fmt!r}; use one of {', '.join(DOWNLOAD_FORMATS)}")
    try:
        ((work, info),) = load_works([int(work_id)])
    except (ExportError, ValueError):
        return error_response(request, 404)
    out = export_work(work, fmt, info)
    resp = HttpResponse(out.data, content_type=out.media_type)
    resp["Content-Disposition"] = f"attachment; filename=\"{out.filename}\"; filename*=UTF-8''{quote(out.filename)}"
    resp["Cache-Control"] = "private, max-age=60"
    return resp
