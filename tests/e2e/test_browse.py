"""A reader's paths through the web app in real Chromium: browse, search, filter, block, read.

The archive's own database is the oracle: each listing must show exactly the works that the tags say.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from .conftest import MULTI_CHAPTER_TITLE, PHONE, Facts, Server
from .helpers import (
    BLURB,
    HIDDEN_RE,
    all_listing_ids,
    blurb_ids,
    css_str,
    filter_box,
    goto,
    query_of,
    submit_filters,
    tag_url,
)

# the three chapters of tests/e2e/posts/e2e-lighthouse-chapters.txt begin so
CHAPTER_OPENINGS = ("The tower stood on a spit of black rock", "They sat with their backs to the lamp",
                    "The last entry was a single line")


def _pick_exclusion(f: Facts, within: set[int]) -> str:
    """A canonical tag that some, but not all, of these works carry (so excluding it removes some)."""
    for kind in (f.characters, f.freeforms, f.relationships):
        for name, _ in kind:
            hit = f.tag_works(name) & within
            if 0 < len(hit) < len(within):
                return name
    pytest.fail(f"no tag splits the {len(within)} works of the chosen fandom: the demo archive is too uniform")


def _fandom(f: Facts, most: int = 40) -> str:
    """The biggest canonical fandom with at least 3 works and at most `most` (few pages to walk)."""
    for name, n in f.fandoms:
        if 3 <= n <= most:
            return name
    pytest.fail(f"no fandom with 3..{most} works in the demo archive: {f.fandoms[:5]}")


def test_demo_collection_imports_cleanly(server: Server) -> None:
    out = server.import_output
    assert " 0 failed" in out or not out, f"the demo collection did not import cleanly:\n{out[-3000:]}"
    f = server.facts()
    assert f.works >= 20, f"only {f.works} works in the e2e archive"


def test_home_page(page: Any, server: Server) -> None:
    f = server.facts()
    goto(page, server.url + "/")
    assert page.locator("h1").count() >= 1, "the home page has no <h1>"
    body = page.locator("body").inner_text()
    # fandoms with counts: the biggest fandom is named with its number of works
    top, n = f.fandoms[0]
    assert top in body, f"the home page does not name the biggest fandom {top!r}"
    rows = page.eval_on_selector_all(
        f'a[href$="{tag_url(top)}"]',
        "els => els.filter(a => !a.closest('li.blurb')).map(a => (a.closest('li') || a.parentElement).innerText)")
    assert rows, f"the home page does not link the fandom {top!r} outside the work blurbs"
    assert any(re.search(rf"(?<![\d,]){n}(?![\d,])", r) for r in rows), (
        f"the home page's entry for {top!r} does not show its count {n} (the works its link leads to, sub tags "
        f"included): {rows}")
    # recent works: blurbs that lead to work pages
    assert page.locator(BLURB).count() >= 1, "the home page lists no recent works (li.blurb[data-work-id])"
    assert page.locator('a[href="/works"], a[href^="/works?"]').count() >= 1, "no link from home to /works"
    if f.collections:
        assert page.locator('a[href^="/collections"]').count() >= 1, "the home page has no link to the challenges"


def test_search_form_leads_to_listing(page: Any, server: Server) -> None:
    f = server.facts()
    wid = next(i for i, t in f.work_titles.items() if t == MULTI_CHAPTER_TITLE)
    goto(page, server.url + "/search")
    box = page.locator('main form input[name="q"]').first
    assert box.count() == 1, "the search page has no input[name=q] in its main form"
    box.fill("ledger")
    with page.expect_navigation(wait_until="domcontentloaded"):
        box.press("Enter")
    assert page.url.split("?")[0].endswith("/works"), f"the search form went to {page.url}, not /works"
    assert query_of(page).get("q") == ["ledger"], page.url
    ids = blurb_ids(page)
    assert wid in ids, f"searching 'ledger' did not find {MULTI_CHAPTER_TITLE!r} (work {wid}); got {ids}"
    # the query shows again in the sidebar ("search within results")
    assert page.locator('form#filters input[name="q"]').input_value() == "ledger"


def test_search_help_documents_the_syntax(page: Any, server: Server) -> None:
    goto(page, server.url + "/search")
    text = page.locator("main").inner_text()
    for what in ("OR", '"', "words>", "creator:"):
        assert what in text, f"the search help does not show {what!r}"


def test_filter_include_then_exclude(page: Any, server: Server) -> None:
    f = server.facts()
    fandom = _fandom(f)
    expected = f.tag_works(fandom)
    goto(page, server.url + "/works")
    total = len(all_listing_ids(page, server.url, "/works"))
    assert total == f.works, f"/works lists {total} works over its pages; the archive has {f.works}"
    goto(page, server.url + "/works")
    filter_box(page, "include", fandom).check()
    submit_filters(page)
    assert query_of(page).get("include") == [fandom], page.url
    got = set(all_listing_ids(page, server.url, page.url.removeprefix(server.url).split("&page=")[0]))
    assert got == expected, (f"including {fandom!r}: listed {sorted(got)}, expected {sorted(expected)} "
                             f"(missing {sorted(expected - got)}, extra {sorted(got - expected)})")
    # the sidebar now counts within the results: no facet count exceeds the number of results
    counts = [int(c.replace(",", "")) for c in re.findall(r"\((\d[\d,]*)\)", page.locator("form#filters").inner_text())]
    assert counts and max(counts) <= len(expected), f"facet counts {counts} exceed the {len(expected)} results"
    excl = _pick_exclusion(f, expected)
    goto(page, server.url + "/works?" + urlencode({"include": fandom}))
    filter_box(page, "exclude", excl).check()
    submit_filters(page)
    q = query_of(page)
    assert q.get("include") == [fandom] and q.get("exclude") == [excl], page.url
    want = expected - f.tag_works(excl)
    got = set(all_listing_ids(page, server.url, page.url.removeprefix(server.url).split("&page=")[0]))
    assert got == want, (f"including {fandom!r} and excluding {excl!r}: listed {sorted(got)}, expected "
                         f"{sorted(want)}")
    # the ticked boxes stay ticked on the result page
    assert filter_box(page, "include", fandom).is_checked()
    assert filter_box(page, "exclude", excl).is_checked()


def test_sidebar_counts_match_the_archive(page: Any, server: Server) -> None:
    f = server.facts()
    fandom = _fandom(f)
    goto(page, server.url + "/works?" + urlencode({"include": fandom}))
    box = filter_box(page, "include", fandom)
    label = box.evaluate("el => (el.closest('tr, li, label') || el.parentElement).innerText")
    n = len(f.tag_works(fandom))
    assert f"({n})" in label or f" {n}" in label, f"the {fandom!r} checkbox's label {label!r} lacks its count {n}"
    # its accessible name says what it does
    name = box.evaluate("el => el.labels && el.labels.length ? el.labels[0].textContent : el.getAttribute('aria-label')")
    assert name and fandom in name, f"the include checkbox of {fandom!r} has no label naming the tag: {name!r}"


@pytest.mark.parametrize("sort", ["words", "title"])
def test_sort(page: Any, server: Server, sort: str) -> None:
    f = server.facts()
    goto(page, server.url + f"/works?sort={sort}")
    ids = blurb_ids(page)
    assert len(ids) >= 3
    if sort == "words":
        words = [f.work_words[i] for i in ids]
        assert words == sorted(words, reverse=True), f"sort=words is not by word count, most first: {words}"
    else:
        titles = [f.work_titles[i].casefold() for i in ids]
        assert titles[0] <= titles[-1], f"sort=title is not alphabetical: {titles}"
    assert page.locator('form#filters select[name="sort"]').input_value() == sort


@pytest.mark.parametrize(("query", "label"), [
    ({"complete": "false"}, "works in progress"),
    ({"complete": "true"}, "complete works"),
    ({"crossover": "only"}, "crossovers only"),
    ({"crossover": "exclude"}, "no crossovers"),
    ({"words_from": "300", "words_to": "700"}, "300-700 words"),
    ({"language": "Deutsch"}, "language Deutsch"),
])
def test_more_filters(page: Any, server: Server, query: dict[str, str], label: str) -> None:
    f = server.facts()

    def keep(i: int) -> bool:
        complete, crossover, language = f.work_flags[i]
        tests: dict[str, Callable[[str], bool]] = {
            "complete": lambda v: complete == (v == "true"),
            "crossover": lambda v: crossover == (v == "only"),
            "words_from": lambda v: f.work_words[i] >= int(v),
            "words_to": lambda v: f.work_words[i] <= int(v),
            "language": lambda v: language == v}
        return all(tests[k](v) for k, v in query.items())

    want = {i for i in f.work_titles if keep(i)}
    got = set(all_listing_ids(page, server.url, "/works?" + urlencode(query)))
    assert got == want, f"{label} ({urlencode(query)}): listed {sorted(got)}, expected {sorted(want)}"
    # the sidebar shows the filter as set
    for k, v in query.items():
        assert page.locator(f'form#filters [name="{k}"]').first.input_value() == v, f"the sidebar lost {k}={v}"


def test_listing_works_without_javascript(browser: Any, server: Server) -> None:
    f = server.facts()
    fandom = _fandom(f)
    ctx = browser.new_context(java_script_enabled=False, viewport=PHONE)
    try:
        page = ctx.new_page()
        goto(page, server.url + "/works")
        filter_box(page, "include", fandom).check()
        submit_filters(page)
        got = set(blurb_ids(page))
        assert got and got <= f.tag_works(fandom), f"without JavaScript, including {fandom!r} listed {sorted(got)}"
    finally:
        ctx.close()


def test_blocklist_hides_and_shows(page: Any, server: Server) -> None:
    f = server.facts()
    # a character tag on several works (blocking a fandom would be too blunt a test)
    name = next((n for n, c in f.characters if 2 <= c < f.works // 2), None) or f.freeforms[0][0]
    blocked = f.tag_works(name)
    goto(page, server.url + "/blocklist")
    form = page.locator('form:has(input[name="action"][value="add"]):has(input[name="tag"])').first
    assert form.count() == 1, "the blocklist page has no form with input[name=tag] and action=add"
    form.locator('input[name="tag"]').fill(name)
    with page.expect_navigation(wait_until="domcontentloaded"):
        form.locator('button[type=submit], input[type=submit], button:not([type])').first.click()
    assert name in page.locator("body").inner_text(), f"the blocklist page does not list {name!r} after adding it"
    cookie = {c["name"]: c["value"] for c in page.context.cookies()}.get("fanshelf_blocklist")
    assert cookie, "no fanshelf_blocklist cookie after blocking a tag"

    goto(page, server.url + "/works")
    text = page.locator("body").inner_text()
    m = HIDDEN_RE.search(text)
    assert m, f"/works does not say 'N works hidden by your filters' after blocking {name!r}"
    assert int(m.group(1).replace(",", "")) == len(blocked), (
        f"/works says {m.group(0)!r}; blocking {name!r} hides {len(blocked)} works")
    shown = set(all_listing_ids(page, server.url, "/works"))
    assert not shown & blocked, f"blocked works still listed: {sorted(shown & blocked)}"
    assert len(shown) == f.works - len(blocked)

    goto(page, server.url + "/works")
    link = page.locator('a[href*="show_hidden=1"]').first
    assert link.count() == 1, "the 'works hidden' notice has no link with show_hidden=1"
    with page.expect_navigation(wait_until="domcontentloaded"):
        link.click()
    assert query_of(page).get("show_hidden") == ["1"]
    shown = set(all_listing_ids(page, server.url, page.url.removeprefix(server.url).split("&page=")[0]))
    assert blocked <= shown, f"show_hidden=1 still hides {sorted(blocked - shown)}"

    # the blocklist follows the reader to a tag page too
    fandom = f.fandoms[0][0]
    goto(page, server.url + tag_url(fandom))
    assert not set(blurb_ids(page)) & blocked, f"the tag page of {fandom!r} lists blocked works"

    # unblock: the notice goes away
    goto(page, server.url + "/blocklist")
    remove = page.locator(f'form:has(input[name="tag"][value="{css_str(name)}"]):has(input[name="action"]'
                          '[value="remove"])').first
    assert remove.count() == 1, f"the blocklist page has no remove form for {name!r}"
    with page.expect_navigation(wait_until="domcontentloaded"):
        remove.locator('button, input[type=submit]').first.click()
    goto(page, server.url + "/works")
    assert not HIDDEN_RE.search(page.locator("body").inner_text()), "works still hidden after unblocking"


def test_read_a_multi_chapter_work(page: Any, server: Server) -> None:
    f = server.facts()
    wid = next(i for i, t in f.work_titles.items() if t == MULTI_CHAPTER_TITLE)
    assert f.multi_chapter == (wid, 3), f"the three-chapter test work was imported as {f.multi_chapter}"
    goto(page, f"{server.url}/works/{wid}")
    body = page.locator("body").inner_text()
    assert MULTI_CHAPTER_TITLE in page.locator("h1").first.inner_text()
    assert CHAPTER_OPENINGS[0] in body and CHAPTER_OPENINGS[1] not in body, "the work page is not chapter 1 alone"
    for tag in ("Stargate Atlantis", "John Sheppard/Rodney McKay", "Teyla Emmagan", "General Audiences"):
        assert tag in body, f"the work page's tags header lacks {tag!r}"
    assert "Rodney finds an Ancient logbook" in body, "the work page lacks the summary"
    index = page.locator(f'a[href$="/works/{wid}/chapters/2"], a[href$="/works/{wid}/chapters/3"]')
    assert index.count() >= 2, "the work page has no chapter index linking /chapters/2 and /chapters/3"
    assert page.locator(f'a[href*="/works/{wid}?view=full"], a[href*="view=full"]').count() >= 1, \
        "the work page has no link to the whole work (?view=full)"

    nxt = page.locator("a[rel~=next]").first
    assert nxt.count() == 1, "chapter 1 has no a[rel=next]"
    with page.expect_navigation(wait_until="domcontentloaded"):
        nxt.click()
    assert page.url.endswith(f"/works/{wid}/chapters/2"), page.url
    body = page.locator("body").inner_text()
    assert CHAPTER_OPENINGS[1] in body and CHAPTER_OPENINGS[0] not in body
    assert page.locator("a[rel~=prev]").count() >= 1, "chapter 2 has no a[rel=prev]"
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator("a[rel~=next]").first.click()
    assert page.url.endswith(f"/works/{wid}/chapters/3"), page.url
    assert CHAPTER_OPENINGS[2] in page.locator("body").inner_text()
    assert page.locator("a[rel~=next]").count() == 0, "the last chapter has an a[rel=next]"
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator("a[rel~=prev]").first.click()
    assert page.url.endswith(f"/works/{wid}/chapters/2"), page.url

    goto(page, f"{server.url}/works/{wid}/chapters/1")
    assert page.locator("a[rel~=prev]").count() == 0, "chapter 1 has an a[rel=prev]"
    goto(page, f"{server.url}/works/{wid}/chapters/4", status=404)

    goto(page, f"{server.url}/works/{wid}?view=full")
    body = page.locator("body").inner_text()
    assert all(o in body for o in CHAPTER_OPENINGS), "?view=full does not show all three chapters"
    assert [body.index(o) for o in CHAPTER_OPENINGS] == sorted(body.index(o) for o in CHAPTER_OPENINGS)


READER_SETTINGS = "#reader-settings, [data-reader-settings], .reader-settings, form#reader"


def _reader_style(page: Any) -> dict[str, str]:
    style: dict[str, str] = page.evaluate("""() => {
        const el = document.querySelector('#chapters .userstuff') || document.querySelector(
            '.chapter .userstuff, #chapters, .chapter, [role=article], article, main');
        const cs = getComputedStyle(el);
        const bs = getComputedStyle(document.body);
        return {font: cs.fontSize + ' ' + cs.fontFamily + ' ' + cs.lineHeight + ' ' + cs.maxWidth,
                colours: bs.backgroundColor + ' ' + bs.color + ' ' + cs.backgroundColor + ' ' + cs.color,
                root: document.documentElement.className + ' ' + JSON.stringify(document.documentElement.dataset)};
    }""")
    return style


def test_reader_settings_persist_after_reload(page: Any, server: Server) -> None:
    f = server.facts()
    wid = next(i for i, t in f.work_titles.items() if t == MULTI_CHAPTER_TITLE)
    goto(page, f"{server.url}/works/{wid}")
    panel = page.locator(READER_SETTINGS).first
    assert panel.count() == 1, f"the work page has no reader settings ({READER_SETTINGS})"
    opener = page.locator("summary, button[aria-controls]").filter(has_text="settings")
    if not panel.locator("select, input, button").first.is_visible() and opener.count():
        opener.first.click()
    before = _reader_style(page)
    changed = False
    for sel in panel.locator("select").all():
        opts = sel.locator("option").all()
        current = sel.input_value()
        # the last choice that differs (usually the most visible: extra large, dark, wide)
        other = next((o.get_attribute("value") for o in reversed(opts)
                      if o.get_attribute("value") not in (current, None)), None)
        if other is not None:
            sel.select_option(other)
            changed = True
    if not changed:
        for ctl in panel.locator("input[type=radio]:not(:checked), button").all():
            if ctl.is_visible():
                ctl.click()
                changed = True
                break
    assert changed, "found no reader setting to change"
    page.wait_for_timeout(200)
    after = _reader_style(page)
    assert after["font"] != before["font"], f"the reader settings did not change the text's font/size/width: {after}"
    assert after["colours"] != before["colours"], f"the reader settings did not change the colours: {after}"
    page.reload(wait_until="domcontentloaded")
    page.wait_for_timeout(200)
    assert _reader_style(page) == after, "the reader settings were lost on reload"
    # and they follow the reader to another chapter
    goto(page, f"{server.url}/works/{wid}/chapters/2")
    page.wait_for_timeout(200)
    assert _reader_style(page) == after, "the reader settings do not apply on the next chapter"


def test_tag_page(page: Any, server: Server) -> None:
    f = server.facts()
    fandom = _fandom(f)
    goto(page, server.url + tag_url(fandom))
    assert fandom in page.locator("h1").first.inner_text()
    ids = set(blurb_ids(page))
    assert ids and ids <= f.tag_works(fandom), f"the tag page of {fandom!r} lists works not tagged so: {ids}"


def test_tag_links_with_a_slash_work(page: Any, server: Server) -> None:
    """A relationship's name holds '/': its link from a work page must reach its tag page."""
    f = server.facts()
    wid = next(i for i, t in f.work_titles.items() if t == MULTI_CHAPTER_TITLE)
    goto(page, f"{server.url}/works/{wid}")
    link = page.locator('a[href^="/tags/"]', has_text="John Sheppard/Rodney McKay").first
    assert link.count() == 1, "the work page does not link its relationship tag"
    with page.expect_navigation(wait_until="domcontentloaded") as nav:
        link.click()
    assert nav.value is not None and nav.value.status == 200, f"{link} led to {page.url} ({nav.value})"
    assert "John Sheppard/Rodney McKay" in page.locator("h1").first.inner_text()
    assert wid in blurb_ids(page)


def test_creator_and_collection_pages(page: Any, server: Server) -> None:
    f = server.facts()
    goto(page, f"{server.url}/creators/{quote(f.creators[0], safe='')}")
    assert f.creators[0] in page.locator("h1").first.inner_text()
    assert page.locator(BLURB).count() >= 1
    goto(page, server.url + "/collections")
    assert f.collections, "the demo archive has no challenge works"
    link = page.locator('a[href^="/collections/"]', has_text=f.collections[0]).first
    assert link.count() == 1, f"/collections does not link {f.collections[0]!r}"
    with page.expect_navigation(wait_until="domcontentloaded"):
        link.click()
    assert f.collections[0] in page.locator("h1").first.inner_text()
    assert page.locator(f'{BLURB}, a[href^="/works/"]').count() >= 1, "the challenge page shows no works"


def test_json_twins(server: Server) -> None:
    f = server.facts()
    wid = next(i for i, t in f.work_titles.items() if t == MULTI_CHAPTER_TITLE)
    a = server.json("/works.json")
    status, headers, body = server.get("/works", accept="application/json")
    assert status == 200 and headers.get("Content-Type", "").startswith("application/json")
    assert json.loads(body) == a
    w = server.json(f"/works/{wid}.json")
    assert MULTI_CHAPTER_TITLE in json.dumps(w)
    status, headers, _ = server.get("/works/999999999.json")
    assert status == 404 and headers.get("Content-Type", "").startswith("application/json")


def test_error_pages(page: Any, server: Server) -> None:
    goto(page, server.url + "/works/999999999", status=404)
    assert page.locator("h1").count() >= 1 and page.locator('a[href="/"]').count() >= 1, \
        "the 404 page is not a friendly page with a way home"
    goto(page, server.url + "/works?sort=sideways", status=400)
    goto(page, server.url + "/works?page=zero", status=400)
    status, _, _ = server.get("/no/such/page")
    assert status == 404
    # a POST without the CSRF token is refused with a friendly 403
    resp = page.request.post(server.url + "/blocklist", form={"tag": "x", "action": "add"},
                             headers={"Accept": "text/html"})
    assert resp.status == 403, f"POST /blocklist without CSRF answered {resp.status}"


def test_keyboard_skip_link(page: Any, server: Server) -> None:
    """The first Tab reaches a visible "skip to content" link that moves focus to the main content."""
    goto(page, server.url + "/works")
    page.keyboard.press("Tab")
    first = page.evaluate("() => [document.activeElement.tagName, document.activeElement.getAttribute('href'),"
                          " document.activeElement.innerText]")
    assert first[0] == "A" and (first[1] or "").startswith("#"), f"the first Tab lands on {first}"
    assert page.locator(":focus").is_visible(), "the skip link stays invisible when focused"
    page.keyboard.press("Enter")
    target = (first[1] or "#")[1:]
    assert page.evaluate("id => document.activeElement.id === id || "
                         "document.getElementById(id).contains(document.activeElement)", target), \
        "Enter on the skip link does not move focus into the main content"


def test_static_files_hashed_and_long_cached(server: Server) -> None:
    _, _, body = server.get("/")
    hrefs = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', body.decode())
    assert hrefs, "the home page links no /static/ CSS or JS"
    for h in hrefs:
        assert re.search(r"\.[0-9a-f]{8,}\.(?:css|js)$", h), f"{h} has no content hash in its name"
        status, headers, _ = server.get(h, accept="*/*")
        cache = headers.get("Cache-Control", "")
        m = re.search(r"max-age=(\d+)", cache)
        assert status == 200 and m and int(m.group(1)) >= 30 * 86400, f"{h}: {status}, Cache-Control {cache!r}"


def test_json_errors(server: Server) -> None:
    for path, want in (("/works.json?sort=sideways", 400), ("/works.json?page=0", 400),
                       ("/tags/No%20Such%20Tag%20Anywhere.json", 404)):
        status, headers, body = server.get(path, accept="application/json")
        assert status == want, f"{path} answered {status}, expected {want}"
        assert headers.get("Content-Type", "").startswith("application/json"), f"{path}: {headers}"
        assert "error" in json.loads(body), f"{path}: {body[:200]!r}"
