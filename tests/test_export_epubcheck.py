"""Every EPUB Fanshelf writes passes epubcheck and opens in Calibre's metadata reader (ebook-meta).

Both tools come from Debian (``scripts/ci-formats-deps.sh`` installs them). Without them these tests skip
with a loud reason; under CI=true they fail instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from fanshelf.export import ExportInfo, export_work
from fanshelf.model import Work
from test_export_samples import RICH_INFO, tricky_works

DC = "{http://purl.org/dc/elements/1.1/}"
OPF = "{http://www.idpf.org/2007/opf}"
WORKS = dict(tricky_works())


def _require(tool: str) -> list[str]:
    """The command line that runs ``tool``, or a loud skip (a failure under CI)."""
    if tool == "epubcheck":
        jar = Path("/usr/share/java/epubcheck.jar")
        java = shutil.which("java")
        if jar.exists() and java:  # Debian's /usr/bin/epubcheck is the jar itself (run through binfmt)
            # C1 only and the serial collector: half the CPU time of a default JVM for a short check
            return [java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(jar)]
    path = shutil.which(tool)
    if path:
        return [path]
    msg = f"EXPORT CHECK NOT RUN: {tool} is not installed (bash scripts/ci-formats-deps.sh installs it)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(msg + "; CI must have it")
    pytest.skip(msg)


def _info(name: str) -> ExportInfo | None:
    return RICH_INFO if name == "rich" else None


@pytest.mark.parametrize("name", list(WORKS))
def test_epubcheck_accepts(name: str, tmp_path: Path) -> None:
    cmd = _require("epubcheck")
    path = tmp_path / f"{name}.epub"
    path.write_bytes(export_work(WORKS[name], "epub", _info(name)).data)
    run = subprocess.run([*cmd, str(path)], capture_output=True, text=True, timeout=300)
    out = run.stdout + run.stderr
    m = re.search(r"Messages: (\d+) fatals? / (\d+) errors? / (\d+) warnings?", out)
    assert m is not None, out
    assert (m.group(1), m.group(2)) == ("0", "0"), out
    assert run.returncode == 0, out
    assert m.group(3) == "0", "epubcheck warnings:\n" + out


def _calibre_opf(cmd: list[str], work: Work, info: ExportInfo | None, tmp_path: Path) -> ET.Element:
    path = tmp_path / "book.epub"
    path.write_bytes(export_work(work, "epub", info).data)
    opf = tmp_path / "calibre.opf"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run([*cmd, str(path), "--to-opf", str(opf)], capture_output=True, text=True, timeout=300,
                         env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    md = ET.parse(opf).getroot().find(f"{OPF}metadata")
    assert md is not None
    return md


def _series(md: ET.Element) -> tuple[str | None, str | None]:
    named = {m.get("name"): m.get("content") for m in md.findall(f"{OPF}meta")}
    return named.get("calibre:series"), named.get("calibre:series_index")


@pytest.mark.parametrize(("name", "title", "creators", "tags", "series"), [
    ("rich", "The Lighthouse Keeper’s Ledger", ["harbour_lights", "second_mate"],
     ["Teen And Up Audiences", "No Archive Warnings Apply", "M/M", "Torchwood", "Jack Harkness/Ianto Jones",
      "Jack Harkness", "Ianto Jones", "Fluff", "Tea & Biscuits"], ("Harbour Stories", "2")),
    ("unicode", "Ünïcödé — 雪の日 🌨️ «quotes»", ["日本の作者", "Zoë"],
     ["General Audiences", "東方Project", "Ça va", "雪"], (None, None)),
    ("markup-in-tags", 'Fish & <Chips> "Tonight"', ["a&b <c>"],
     ["Mature", "Doctor Who & Related Fandoms", "Rose Tyler & Tenth Doctor", "<script>alert(1)</script>",
      "a > b & c < d"], (None, None)),
    ("empty-summary-no-fandom", "Untitled", [], ["Not Rated"], (None, None)),
    ("many-chapters", "Thirty Nights", ["night_owl"], ["Not Rated", "Supernatural"], ("Nights", "1")),
])
def test_calibre_reads_metadata(name: str, title: str, creators: list[str], tags: list[str],
                                series: tuple[str | None, str | None], tmp_path: Path) -> None:
    cmd = _require("ebook-meta")
    md = _calibre_opf(cmd, WORKS[name], _info(name), tmp_path)
    assert md.findtext(f"{DC}title") == title
    got_creators = [c.text for c in md.findall(f"{DC}creator")]
    assert got_creators == (creators or ["Unknown"])  # Calibre names a book without creators "Unknown"
    assert [s.text for s in md.findall(f"{DC}subject")] == tags
    assert _series(md) == series
    if name == "rich":
        assert md.findtext(f"{DC}description") == "Ianto keeps the books.\nJack keeps interrupting."
        assert md.findtext(f"{DC}language") == "eng"
        assert (md.findtext(f"{DC}date") or "").startswith("2009-05-04")
    if name == "empty-summary-no-fandom":
        assert md.find(f"{DC}description") is None
