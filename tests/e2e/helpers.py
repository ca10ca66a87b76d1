"""Small helpers shared by the end-to-end tests (page navigation, the filter sidebar, axe)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

BLURB = "li.blurb[data-work-id]"
HIDDEN_RE = re.compile(r"(\d[\d,]*)\s+works?\s+(?:is\s+|are\s+)?hidden by your filters", re.I)


def tag_url(name: str) -> str:
    return "/tags/" + quote(name, safe="")


def goto(page: Any, url: str, status: int = 200) -> Any:
    resp = page.goto(url, wait_until="domcontentloaded")
    assert resp is not None, f"no response for {url}"
    assert resp.status == status, f"GET {url} answered {resp.status}, expected {status}"
    return resp


def blurb_ids(page: Any) -> list[int]:
    return [int(x) for x in page.eval_on_selector_all(BLURB, "els => els.map(e => e.dataset.workId)")]


def all_listing_ids(page: Any, base: str, url: str, max_pages: int = 20) -> list[int]:
    """Every work id of a listing, following its pages (``page=N``) until one adds nothing new."""
    sep = "&" if "?" in url else "?"
    ids: list[int] = []
    for n in range(1, max_pages + 1):
        goto(page, f"{base}{url}{sep}page={n}" if n > 1 else f"{base}{url}")
        got = blurb_ids(page)
        if not got or set(got) <= set(ids):
            break
        ids.extend(got)
    return ids


def query_of(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)  # blank values (empty text boxes) left out


def filter_box(page: Any, kind: str, name: str) -> Any:
    """The include/exclude checkbox of a tag in the sidebar (opening a collapsed section if need be)."""
    box = page.locator(f'form#filters input[name="{kind}"][value="{css_str(name)}"]')
    assert box.count() == 1, (f'the filter sidebar has {box.count()} checkboxes input[name={kind}][value="{name}"]'
                              f" (expected exactly one)")
    if not box.is_visible():
        # a collapsed <details> (or a JS-toggled section): open what hides it
        box.evaluate("el => { for (let p = el.parentElement; p; p = p.parentElement) "
                     "if (p.tagName === 'DETAILS') p.open = true; }")
        if not box.is_visible():
            toggles = page.locator("form#filters summary, form#filters button[aria-expanded=false]")
            for i in range(toggles.count()):
                if box.is_visible():
                    break
                t = toggles.nth(i)
                if t.is_visible():
                    t.click()
    return box


def submit_filters(page: Any) -> None:
    btn = page.locator('form#filters button[type=submit], form#filters input[type=submit], '
                       'form#filters button:not([type])').first
    assert btn.count() == 1, "form#filters has no submit button"
    with page.expect_navigation(wait_until="domcontentloaded"):
        btn.click()


def css_str(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def inject_axe(page: Any, source: str) -> None:
    """Evaluate axe-core in the page (through the DevTools protocol, so the app's CSP does not refuse it)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate("src => { (0, eval)(src); }", source)
    assert page.evaluate("() => typeof window.axe !== 'undefined'"), "axe-core did not load in the page"


# axe's rules that are off by default and that we run too: WCAG 2.2's 2.5.8 target size (enforced since
# tag links in comma lists got room to tap, and the phone header's rows were spaced apart)
EXTRA_RULES = ("target-size",)
# rules only reported as advice (a warning), not failed: none at present
ADVISORY: tuple[str, ...] = ()


def run_axe(page: Any, source: str) -> list[dict[str, Any]]:
    """axe-core's default rule set (WCAG 2.0/2.1/2.2 A and AA, best practices) plus the EXTRA_RULES."""
    inject_axe(page, source)
    result: dict[str, Any] = page.evaluate(
        "rules => axe.run(document, {resultTypes: ['violations'],"
        " rules: Object.fromEntries(rules.map(r => [r, {enabled: true}]))})", list(EXTRA_RULES))
    return list(result["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    out = []
    for v in violations:
        nodes = v.get("nodes", [])
        where = "; ".join(" ".join(n.get("target", [])) + (f" ({n['failureSummary'].splitlines()[-1].strip()})"
                                                            if n.get("failureSummary") else "")
                          for n in nodes[:4])
        out.append(f"[{v['impact']}] {v['id']}: {v['help']} — {len(nodes)} node(s): {where}")
    return "\n".join(out)
