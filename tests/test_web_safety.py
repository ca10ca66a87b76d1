"""Web safety: security headers, CSRF, upload limits, friendly error pages (HTML and JSON), no tracebacks."""

from __future__ import annotations

import json
import re

import pytest


@pytest.mark.parametrize("url", ["/", "/works", "/works/1", "/works/1.json", "/nowhere", "/openapi.json",
                                 "/works?page=x"])
def test_security_headers(site, client, url) -> None:  # type: ignore[no-untyped-def]
    r = client.get(url)
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp and "default-src 'self'" in csp
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    assert r["X-Frame-Options"] == "DENY"
    assert "camera=()" in r["Permissions-Policy"]


def test_settings_are_production_settings(archive) -> None:  # type: ignore[no-untyped-def]
    from django.conf import settings

    assert settings.DEBUG is False
    assert settings.SECRET_KEY and settings.SECRET_KEY != "fanshelf-local-only-not-secret"
    loaders = settings.TEMPLATES[0].get("OPTIONS", {}).get("loaders")
    assert loaders is None  # Django picks the cached loader when DEBUG is off


def test_secret_key_is_kept_private(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from fanshelf.archive.config import secret_key

    monkeypatch.delenv("FANSHELF_SECRET_KEY", raising=False)
    key = secret_key(tmp_path)
    assert len(key) > 40 and secret_key(tmp_path) == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_csrf_is_required_on_forms(site) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    r = strict.post("/blocklist", {"tag": "Angst", "action": "add"})
    assert r.status_code == 403
    html = r.content.decode()
    assert "security check failed (CSRF)" in html and "Traceback" not in html
    assert strict.post("/import", {}).status_code == 403
    # with the token from the form it works
    page = strict.get("/blocklist").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    r = strict.post("/blocklist", {"tag": "Angst", "action": "add", "csrfmiddlewaretoken": token.group(1)})
    assert r.status_code == 302
    for form in re.findall(r"<form[^>]*method=\"post\"[^>]*>.*?</form>", page, re.S):
        assert "csrfmiddlewaretoken" in form


def test_upload_too_large_is_a_clear_413(site, client) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import override_settings

    with override_settings(FANSHELF_MAX_UPLOAD_BYTES=1000):
        r = client.post("/import", {"files": [SimpleUploadedFile("big.txt", b"x" * 5000, "text/plain")]})
        assert r.status_code == 413
        assert "Upload too large" in r.content.decode()
        r = client.post("/import", {"files": [SimpleUploadedFile("big.txt", b"x" * 5000)]},
                        HTTP_ACCEPT="application/json")
        assert r.status_code == 413 and json.loads(r.content)["error"]["limit_bytes"] == 1000
    from fanshelf.archive.models import Work

    assert Work.objects.count() == 4  # nothing was imported


def test_not_found_pages(site, client) -> None:  # type: ignore[no-untyped-def]
    for url in ("/nowhere", "/works/424242", "/works/99999999999999999999999", "/tags/No%20Such",
                "/collections/none", "/series/77", "/import/55"):
        r = client.get(url)
        assert r.status_code == 404, url
        html = r.content.decode()
        assert "Not found" in html and "Traceback" not in html and '<html lang="en">' in html
    for url in ("/works/424242.json", "/nowhere.json", "/tags/x.json"):
        r = client.get(url)
        assert r.status_code == 404 and r["Content-Type"] == "application/json"
        assert json.loads(r.content)["error"]["status"] == 404
    r = client.get("/nowhere", HTTP_ACCEPT="application/json")
    assert json.loads(r.content)["error"]["title"] == "Not found"


def test_wrong_method_is_405(site, client) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/works")
    assert r.status_code == 405 and "GET" in r["Allow"] and "Method not allowed" in r.content.decode()
    assert client.head("/works").status_code == 200
    assert client.delete("/blocklist").status_code == 405


def test_server_errors_are_friendly(site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    from fanshelf.web import data

    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals")

    monkeypatch.setattr(data, "work_detail", boom)
    c = Client(raise_request_exception=False)
    r = c.get("/works/2")
    assert r.status_code == 500
    html = r.content.decode()
    assert "Something went wrong" in html and "secret internals" not in html and "Traceback" not in html
    r = c.get("/works/2.json")
    assert r.status_code == 500 and json.loads(r.content)["error"]["status"] == 500


def test_disallowed_host_is_400(site, client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/", HTTP_HOST="evil.example")
    assert r.status_code == 400 and "Bad request" in r.content.decode()


def test_blocklist_redirect_stays_on_site(site, client) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/blocklist", {"tag": "Angst", "action": "add", "next": "https://evil.example/"})
    assert r["Location"] == "/blocklist"
    r = client.post("/blocklist", {"tag": "Angst", "action": "remove", "next": "/works?page=1"})
    assert r["Location"] == "/works?page=1"
    r = client.post("/blocklist", {"tag": "Angst", "action": "remove", "next": "//evil.example/"})
    assert r["Location"] == "/blocklist"
