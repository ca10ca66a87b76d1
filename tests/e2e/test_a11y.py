"""Accessibility (axe-core: no serious or critical violation) and screenshots of the main pages.

axe-core's default rules (WCAG 2.0/2.1/2.2 A and AA, best practices) and WCAG 2.2's target-size (off by
default in axe) must find nothing serious or critical; rules listed in helpers.ADVISORY would only be
reported as warnings. Every finding is written to axe-PAGE-SHAPE.json beside the screenshots.
Each page is checked at desktop (1280 px) and phone (375 px) widths, in light and dark colour schemes,
and photographed (full page) into $FANSHELF_SCREENSHOTS or tests/e2e/screenshots/ for a human to look at.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from .conftest import DESKTOP, MULTI_CHAPTER_TITLE, PHONE, Facts, Server
from .helpers import ADVISORY, describe, goto, run_axe, tag_url


def _work(f: Facts) -> str:
    return f"/works/{next(i for i, t in f.work_titles.items() if t == MULTI_CHAPTER_TITLE)}"


PAGES: dict[str, Callable[[Facts], str]] = {
    "home": lambda f: "/",
    "listing": lambda f: "/works",
    "listing-filtered": lambda f: "/works?include=" + quote(f.fandoms[0][0]) + "&sort=words",
    "work": _work,
    "chapter": lambda f: _work(f) + "/chapters/2",
    "tag": lambda f: tag_url(f.fandoms[0][0]),
    "search": lambda f: "/search",
    "collections": lambda f: "/collections",
    "collection": lambda f: "/collections/" + quote(f.collections[0], safe=""),
    "creator": lambda f: "/creators/" + quote(f.creators[0], safe=""),
    "import": lambda f: "/import",
    "blocklist": lambda f: "/blocklist",
    "not-found": lambda f: "/works/999999999",
}
WIDTHS = {"desktop": DESKTOP, "phone": PHONE}
SHAPES = [f"{w}-{s}" for s in ("light", "dark") for w in WIDTHS]
# the pages the issue names are checked in every shape; the others (same templates, other states) once
MAIN = ("home", "listing", "work", "tag", "search", "collection", "import")
CASES = [(shape, name) for shape in SHAPES for name in PAGES if name in MAIN or shape == "desktop-light"]
BAD = ("serious", "critical")


@pytest.fixture(scope="module")
def shaped_context(request: pytest.FixtureRequest, browser: Any) -> Any:
    width, scheme = request.param.split("-")
    ctx = browser.new_context(viewport=WIDTHS[width], color_scheme=scheme,
                              device_scale_factor=1, is_mobile=width == "phone", has_touch=width == "phone")
    ctx.set_default_timeout(10_000)
    ctx.fanshelf_shape = width + ("-dark" if scheme == "dark" else "")
    yield ctx
    ctx.close()


@pytest.mark.parametrize(("shaped_context", "name"), CASES, indirect=["shaped_context"],
                         ids=[f"{s}-{n}" for s, n in CASES])
def test_axe_and_screenshot(name: str, shaped_context: Any, server: Server, axe_source: str,
                            screenshots: Path) -> None:
    f = server.facts()
    path = PAGES[name](f)
    page = shaped_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Content Security" in m.text
            else None)
    try:
        goto(page, server.url + path, status=404 if name == "not-found" else 200)
        page.wait_for_load_state("load")
        page.screenshot(path=str(screenshots / f"{name}-{shaped_context.fanshelf_shape}.png"), full_page=True)
        # nothing may stick out sideways (a phone reader would have to scroll left and right)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        found = run_axe(page, axe_source)
        if found:
            (screenshots / f"axe-{name}-{shaped_context.fanshelf_shape}.json").write_text(json.dumps(
                [{k: v[k] for k in ("id", "impact", "help", "helpUrl")}
                 | {"nodes": [{"target": n.get("target"), "html": n.get("html", "")[:300],
                               "summary": n.get("failureSummary", "")} for n in v.get("nodes", [])]}
                 for v in found], indent=1))
        violations = [v for v in found if v.get("impact") in BAD and v["id"] not in ADVISORY]
        advice = [v for v in found if v["id"] in ADVISORY]
        if advice:
            warnings.warn(f"axe advice on {path} ({shaped_context.fanshelf_shape}):\n{describe(advice)}",
                          stacklevel=1)
        assert not violations, f"axe on {path} ({shaped_context.fanshelf_shape}):\n{describe(violations)}"
        assert overflow <= 1, f"{path} is {overflow}px wider than the {shaped_context.fanshelf_shape} viewport"
        assert not errors, f"JavaScript/CSP errors on {path}: {errors}"
    finally:
        page.close()
