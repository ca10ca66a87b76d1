"""Errors as friendly pages with the right status (and JSON for JSON requests); never a traceback."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

TITLES = {
    400: ("Bad request", "The address asks for something this archive does not understand."),
    403: ("Forbidden", "This request was refused."),
    404: ("Not found", "There is nothing at this address. The work or tag may have been removed, or the "
          "link may be mistyped."),
    405: ("Method not allowed", "This page cannot be used that way."),
    413: ("Upload too large", "The files sent are larger than this archive accepts in one upload."),
    500: ("Something went wrong", "The archive hit an error while building this page. It has been "
          "logged; please try again in a moment."),
}


def wants_json(request: HttpRequest) -> bool:
    """A JSON request: a path ending in ``.json``, or an Accept header preferring JSON to HTML."""
    if request.path.endswith(".json"):
        return True
    accept = request.META.get("HTTP_ACCEPT", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(request: HttpRequest, status: int, detail: str = "", **extra: Any) -> HttpResponse:
    title, text = TITLES.get(status, TITLES[500])
    if wants_json(request):
        body: dict[str, Any] = {"error": {"status": status, "title": title, "detail": detail or text}}
        body["error"].update(extra)
        return JsonResponse(body, status=status)
    try:
        html = loader.render_to_string("error.html", {"status": status, "title": title, "text": text,
                                                      "detail": detail, **extra}, request=request)
    except Exception:  # the error page itself must never fail
        html = f"<!doctype html><html lang=en><title>{status} {title}</title><h1>{title}</h1>"
    return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_response(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_response(request, 403, "The form's security check failed (CSRF). Reload the page, "
                          "allow cookies for this site, and send the form again.")


def too_large(request: HttpRequest, limit: int) -> HttpResponse:
    mb = limit // (1024 * 1024)
    return error_response(request, 413, f"Uploads are limited to {mb} MB in all. Split the files into "
                          "smaller batches, or import large collections with `fanshelf import` on the server.",
                          limit_bytes=limit)
