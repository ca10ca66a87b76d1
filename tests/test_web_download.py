"""The work page's download menu: each format is served as an attachment that reads back as the work."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest


def _a_work(client: Any) -> dict[str, Any]:
    return client.get("/works.json?sort=title").json()["works"][0]  # type: ignore[no-any-return]


def test_work_page_offers_the_download_menu(site, client) -> None:  # type: ignore[no-untyped-def]
    w = _a_work(client)
    html = client.get(f"/works/{w['id']}").content.decode()
    for fmt in ("epub", "html", "md", "json"):
        assert f'href="/works/{w["id"]}/download/{fmt}"' in html


@pytest.mark.parametrize("fmt, media", [("epub", "application/epub+zip"), ("html", "text/html"),
                                        ("md", "text/markdown"), ("json", "application/json")])
def test_download_each_format(site, client, fmt: str, media: str) -> None:  # type: ignore[no-untyped-def]
    from fanshelf.pipeline import parse_document

    w = _a_work(client)
    r = client.get(f"/works/{w['id']}/download/{fmt}")
    assert r.status_code == 200 and r["Content-Type"].startswith(media)
    assert r["Content-Disposition"].startswith("attachment; filename=")
    if fmt == "epub":
        assert zipfile.ZipFile(io.BytesIO(r.content)).read("mimetype") == b"application/epub+zip"
    (back,) = parse_document(r.content, f"download.{fmt}")
    assert back.title == w["title"]


def test_download_errors(site, client) -> None:  # type: ignore[no-untyped-def]
    w = _a_work(client)
    assert client.get(f"/works/{w['id']}/download/pdf").status_code == 404
    assert client.get("/works/999999/download/epub").status_code == 404
    assert client.post(f"/works/{w['id']}/download/epub").status_code in (403, 405)
