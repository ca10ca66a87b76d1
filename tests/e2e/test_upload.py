"""Uploading posts through /import (a zip, or several files) and reading the per-file report."""

from __future__ import annotations

import http.client
import re
import uuid
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from .conftest import Server
from .helpers import blurb_ids, goto

GOOD = """Title: A Kettle for the Night Shift
Author: harness_uploader
Fandom: Doctor Who
Rating: G
Characters: Donna Noble

Donna put the kettle on at three in the morning because the console room was cold and the Doctor was
sulking, and somebody on this ship had to be the grown-up. The kettle, which was older than several
empires, sang in a key that did not exist on Earth.
"""

SECOND = """Title: Postcards from Nowhere Particular
Author: harness_uploader
Fandom: Doctor Who
Rating: T

Every planet had a gift shop. Martha bought a postcard at each one and never sent any of them, because
there was no post office that delivered to the year she had left.
"""


def _upload(page: Any, server: Server, files: list[Path]) -> str:
    goto(page, server.url + "/import")
    form = page.locator('form[enctype="multipart/form-data"]').first
    assert form.count() == 1, "/import has no multipart form"
    assert (form.get_attribute("method") or "").lower() == "post"
    inp = form.locator('input[type=file][name="files"]')
    assert inp.count() == 1, "/import's form has no input[type=file][name=files]"
    assert inp.get_attribute("multiple") is not None, "the file input does not take several files (multiple)"
    inp.set_input_files([str(p) for p in files])
    with page.expect_navigation(wait_until="domcontentloaded") as nav:
        form.locator("button[type=submit], input[type=submit], button:not([type])").first.click()
    assert nav.value is not None and nav.value.status == 200, f"the upload answered {nav.value and nav.value.status}"
    assert re.search(r"/import/\d+$", page.url), f"the upload did not redirect to /import/<run id>: {page.url}"
    return str(page.locator("body").inner_text())


def _row(page: Any, name: str) -> str:
    """The report's row (table row or list item) that names this file."""
    row = page.locator("tr, li").filter(has_text=name).last
    assert row.count() == 1, f"the import report has no row for {name!r}"
    return str(row.inner_text())


def test_upload_a_zip_and_read_the_report(page: Any, server: Server, tmp_path: Path) -> None:
    (tmp_path / "kettle.txt").write_text(GOOD)
    (tmp_path / "noise.txt").write_bytes(bytes(range(256)) * 12)
    z = tmp_path / f"upload-{uuid.uuid4().hex[:8]}.zip"  # a new name each run: the server may be long-lived
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(tmp_path / "kettle.txt", "posts/kettle.txt")
        zf.write(tmp_path / "noise.txt", "posts/noise.txt")
    before = server.facts().works
    _upload(page, server, [z])
    assert re.search(r"\bcreated\b", _row(page, "kettle.txt"), re.I), _row(page, "kettle.txt")
    bad = _row(page, "noise.txt")
    assert re.search(r"\bfailed\b", bad, re.I), f"the binary file's row does not say failed: {bad!r}"
    assert re.search(r"binary|not a text", bad, re.I), f"the failed row gives no reason: {bad!r}"
    assert server.facts().works == before + 1
    # the new work is found at once (the search index was updated)
    goto(page, server.url + "/works?" + urlencode({"q": "night shift kettle"}))
    f = server.facts()
    wid = next(i for i, t in f.work_titles.items() if t == "A Kettle for the Night Shift")
    assert wid in blurb_ids(page), "the uploaded work is not found by a search right after the import"
    # the report page stays: reload shows the same report
    goto(page, page.url)


def test_upload_files_then_again_unchanged(page: Any, server: Server, tmp_path: Path) -> None:
    name = f"postcards-{uuid.uuid4().hex[:8]}.txt"  # a new name each run: the server may be a long-lived one
    a = tmp_path / name
    a.write_text(SECOND)
    b = tmp_path / f"kettle2-{uuid.uuid4().hex[:8]}.html"
    b.write_text("<html><body><p>" + GOOD.replace("Night Shift", "Day Shift").replace("\n\n", "</p><p>")
                 .replace("\n", "<br>\n") + "</p></body></html>")
    text = _upload(page, server, [a, b])
    assert re.search(r"\bcreated\b", _row(page, name), re.I), text[-800:]
    assert re.search(r"\bcreated\b", _row(page, b.name), re.I), text[-800:]
    # the same file again: nothing new, the report says unchanged
    _upload(page, server, [a])
    assert re.search(r"\bunchanged\b", _row(page, name), re.I), _row(page, name)


def test_upload_too_big_is_a_friendly_413(server: Server) -> None:
    """A body over the limit is refused from its Content-Length alone, before it is read (no body sent)."""
    host, port = server.url.removeprefix("http://").split(":")
    _, headers, _ = server.get("/import")
    cookie = headers.get("Set-Cookie", "")
    token = re.search(r"csrftoken=([^;]+)", cookie)
    conn = http.client.HTTPConnection(host, int(port), timeout=20)
    try:
        conn.putrequest("POST", "/import")
        conn.putheader("Content-Type", "multipart/form-data; boundary=e2eboundary")
        conn.putheader("Content-Length", str((server.upload_limit_mb + 1) * 1024 * 1024))
        conn.putheader("Accept", "text/html")
        conn.putheader("Referer", server.url + "/import")
        if token:
            conn.putheader("Cookie", f"csrftoken={token.group(1)}")
            conn.putheader("X-CSRFToken", token.group(1))
        conn.endheaders()
        try:
            r = conn.getresponse()
        except TimeoutError:
            raise AssertionError("the server waited for the over-limit body instead of refusing it at once") from None
        page = r.read().decode("utf-8", "replace")
        assert r.status == 413, f"an upload over the {server.upload_limit_mb} MB limit answered {r.status}"
        assert "text/html" in (r.getheader("Content-Type") or ""), "the 413 is not an HTML page"
        assert "<h1" in page and re.search(r"\d+ MB", page), "the 413 page does not tell the limit"
    finally:
        conn.close()


def test_uploads_with_the_same_file_name_keep_both_works(page: Any, server: Server, tmp_path: Path) -> None:
    """Two readers' different posts that happen to share a file name are two works: the second must not
    replace the first (re-importing the very same content is what 'unchanged'/'updated' is for)."""
    name = f"story-{uuid.uuid4().hex[:8]}.txt"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = tmp_path / "a" / name, tmp_path / "b" / name
    first.write_text("Title: The Brass Compass\nAuthor: harness_alice\nFandom: Doctor Who\nRating: G\n\n"
                     "The compass pointed at whatever the holder had lost most recently, which was usually tea.\n")
    second.write_text("Title: A Lift Between Floors\nAuthor: harness_bob\nFandom: Torchwood\nRating: G\n\n"
                      "The lift stopped between the third and fourth floors and Ianto sighed at the ceiling.\n")
    _upload(page, server, [first])
    _upload(page, server, [second])
    titles = set(server.facts().work_titles.values())
    assert "A Lift Between Floors" in titles
    assert "The Brass Compass" in titles, (
        f"uploading a different file also named {name!r} replaced the earlier work 'The Brass Compass' "
        f"(the report says: {_row(page, name)!r})")
