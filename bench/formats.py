"""Format benchmark: how fast each archive format is read, and each export written, in works per second.

    python bench/formats.py                 # every section, default sizes
    python bench/formats.py --copies 100    # fewer files per format (quicker)
    python bench/formats.py --only import   # one section

Section "import" — per format (AO3-backup front matter from ../shared when present, and synthetic files
made from tests/fixtures/formats: AO3 HTML download, AO3 EPUB, FanFicFare EPUB, eFiction page, saved LJ
and DW pages, an LJ XML export, front matter with a personal mapping, Fanshelf JSON):
  * parse: ``read_posts`` + ``parse_raw`` in this process (the core, no database), works/s;
  * import: ``Importer`` (one process, no bulk mode, search index updated) into a fresh SQLite archive,
    works/s of the whole run.
Section "export" — per export format (EPUB first), 200 corpus works of 5,000 words (bench/export.py):
works/s, MB/s written, MB/s of chapter HTML.
Prints a table, then the figures as JSON.

Add a section: write ``def section_NAME(args) -> list[dict]`` (rows with "format" and numeric fields)
and list it in ``SECTIONS``; the table and the JSON pick it up.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))
SHARED = ROOT.parent / "shared"
FORMATS = ROOT / "tests" / "fixtures" / "formats"
AO3_BACKUP = SHARED / "data" / "fic-text" / "thedeadparrot-ao3backup"


# ----------------------------------------------------------------------------------------- inputs
def _samples() -> dict[str, tuple[bytes, str]]:
    """format -> (one file's bytes, file suffix)."""
    from test_readers_formats import ao3_epub, fff_epub  # the EPUB builders of the reader tests

    def f(name: str) -> bytes:
        return (FORMATS / name).read_bytes()

    from fanshelf.ingest import read_posts
    from fanshelf.pipeline import parse_raw

    works = [w.to_dict() for raw in read_posts(f("ao3-download.html"), "x") for w in parse_raw(raw)]
    js = json.dumps({"format": "fanshelf-works", "version": 1, "works": works}).encode()
    return {
        "ao3-html": (f("ao3-download.html"), ".html"),
        "ao3-epub": (ao3_epub(), ".epub"),
        "fanficfare-epub": (fff_epub(), ".epub"),
        "efiction": (f("efiction-printable.html"), ".html"),
        "lj-page": (f("lj-entry-page.html"), ".html"),
        "dw-page": (f("dw-entry-page.html"), ".html"),
        "lj-xml-export": (f("lj-export.xml"), ".xml"),
        "front-matter+mapping": (f("personal-frontmatter.md"), ".md"),
        "fanshelf-json": (js, ".json"),
    }


def _vary(data: bytes, i: int, suffix: str) -> bytes:
    """Copy i of a sample: distinct bytes (so no file is 'unchanged'), same shape."""
    if suffix in (".epub",):
        return data  # a zip: its bytes stay, the import hashes by location + content anyway
    if suffix == ".json":
        return data.replace(b"Lighthouse", f"Lighthouse {i}".encode(), 1)
    return data + f"\n<!-- copy {i} -->\n".encode() if suffix != ".md" else data + f"\n\ncopy {i}\n".encode()


def _folders(tmp: Path, copies: int) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for fmt, (data, suffix) in _samples().items():
        d = tmp / fmt
        d.mkdir()
        for i in range(copies):
            (d / f"{i:05d}{suffix}").write_bytes(_vary(data, i, suffix))
        out[fmt] = d
    if AO3_BACKUP.exists():
        d = tmp / "ao3-backup-md"
        d.mkdir()
        for p in sorted(AO3_BACKUP.glob("*.md")):
            shutil.copy(p, d / p.name)
        out["ao3-backup-md (319 real)"] = d
    return out


# ----------------------------------------------------------------------------------------- sections
def section_import(args: argparse.Namespace) -> list[dict[str, Any]]:
    from fanshelf.archive.config import configure
    from fanshelf.ingest import ReadOptions, read_posts
    from fanshelf.ingest.frontmatter import load_mapping
    from fanshelf.pipeline import parse_raw
    from fanshelf.taxonomy import default_taxonomy

    default_taxonomy().warm()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="fanshelf-bench-formats-") as t:
        tmp = Path(t)
        (tmp / "in").mkdir()
        folders = _folders(tmp / "in", args.copies)
        mapping = load_mapping(FORMATS / "personal-mapping.yaml")
        for fmt, folder in folders.items():
            opts = ReadOptions(mapping=mapping if "mapping" in fmt else None)
            files = sorted(folder.iterdir())
            datas = [(p.name, p.read_bytes()) for p in files]
            t0 = time.perf_counter()
            n_works = 0
            for name, data in datas:
                for raw in read_posts(data, name, options=opts):
                    n_works += len(parse_raw(raw))
            parse_s = time.perf_counter() - t0

            configure(tmp / f"archive-{len(rows)}")
            from fanshelf.archive.importer import Importer

            t0 = time.perf_counter()
            # the files by name: a folder's .json files are not read as posts (only named ones are)
            report = Importer(read_options=opts).import_paths([str(p) for p in files])
            import_s = time.perf_counter() - t0
            assert report.failed == 0, [r.reason for r in report.results if r.outcome == "failed"][:3]
            rows.append({"format": fmt, "files": len(files), "works": n_works,
                         "parse works/s": round(n_works / parse_s, 1),
                         "import works/s": round(report.works / import_s, 1)})
            print(f"  {fmt}: done", file=sys.stderr)
    return rows


def section_export(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Export rate per format (EPUB first) on 200 corpus works of 5,000 words, with bench/export.py."""
    sys.path.insert(0, str(ROOT / "bench"))
    from export import corpus_works, measure

    items = corpus_works(200, 5000, 1, 1)
    rows = []
    for fmt in ("epub", "html", "md", "json", "ao3-json", "ao3-csv"):
        works_s, out_mb_s, html_mb_s = measure(items, fmt, 3.0)
        rows.append({"format": fmt, "works": len(items), "export works/s": round(works_s, 1),
                     "MB/s written": round(out_mb_s, 1), "MB/s of chapter HTML": round(html_mb_s, 1)})
        print(f"  export {fmt}: done", file=sys.stderr)
    return rows


SECTIONS: dict[str, Callable[[argparse.Namespace], list[dict[str, Any]]]] = {
    "import": section_import,
    "export": section_export,
}


def _table(title: str, rows: list[dict[str, Any]]) -> str:
    if not rows:
        return f"{title}: nothing measured"
    cols = list(rows[0])
    widths = [max(len(c), *(len(f"{r.get(c, '')}") for r in rows)) for c in cols]
    line = "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cols, widths, strict=True)))
    out = [title, line, "-" * len(line)]
    for r in rows:
        out.append("  ".join(f"{r.get(c, '')}".ljust(w) if i == 0 else f"{r.get(c, '')}".rjust(w)
                             for i, (c, w) in enumerate(zip(cols, widths, strict=True))))
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--copies", type=int, default=300, help="files per synthetic format (default 300)")
    ap.add_argument("--only", choices=sorted(SECTIONS), action="append", help="run only this section (repeatable)")
    args = ap.parse_args()
    results: dict[str, list[dict[str, Any]]] = {}
    for name in args.only or list(SECTIONS):
        results[name] = SECTIONS[name](args)
        print(_table(f"\n== {name} ==", results[name]))
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
