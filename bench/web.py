"""Web benchmark: `fanshelf serve` over a 100,000-work archive, loaded with wrk.

    python bench/web.py                         # 100k works (built once, cached under /tmp), 20 s a scenario
    python bench/web.py --works 2000 --duration 5   # a smoke run
    python bench/web.py --rebuild --workers 3 --connections 16
    nice -n 19 python bench/web.py --build-only     # make the 100k archive now, measure later

The archive is filled like bench/archive.py does (its build(): the synthetic corpus of bench/corpus.py,
whose metadata follows ../shared/data, through the bulk importer) and kept in
/tmp/fanshelf-bench-web/sqlite-N for the next run (``--rebuild`` makes it afresh). Then `fanshelf serve`
runs on 127.0.0.1 and wrk (apt ``wrk``; scripts/ci-web-deps.sh installs it) drives it with a Lua script
that picks a varied URL for each request, for three scenarios:

  (1) listing: /works filtered by a fandom, with or without a second included tag and an excluded tag,
      under a varied sort, sometimes page 2-3 (the listing always computes the sidebar's facets);
  (2) work:    /works/<id> for ids drawn from the whole archive;
  (3) home:    /.

Each scenario gets a short warm-up, then a measured run; the script prints p50/p95/p99 latency and
requests/s (and any non-2xx answers or socket errors), next to the targets for this 2-core machine:
listing p95 < 100 ms and >= 100 req/s, work page >= 300 req/s. Nothing is asserted: it prints.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))
SHARED = ROOT.parent / "shared"
DEFAULT_ROOT = Path("/tmp/fanshelf-bench-web")
MARKER = "bench-web.json"
SORTS = ("updated", "updated", "kudos", "hits", "words", "published", "title", "bookmarks")
TARGETS = {"listing": {"p95_ms": 100.0, "rps": 100.0}, "work": {"rps": 300.0}}

LUA = r"""
local paths = %(paths)s
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(%(seed)d + 7919 * tid)
end

function request()
  return wrk.format("GET", paths[math.random(#paths)], {["Accept"] = "text/html"})
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "bytes": %%d, "p50_us": %%d, "p90_us": %%d, "p95_us": %%d, ' ..
    '"p99_us": %%d, "max_us": %%d, "mean_us": %%.1f, "status_errors": %%d, "connect_errors": %%d, ' ..
    '"read_errors": %%d, "write_errors": %%d, "timeouts": %%d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency.max, latency.mean, e.status, e.connect, e.read,
    e.write, e.timeout))
end
"""


# ----------------------------------------------------------------------------- the archive
def ensure_archive(n: int, data: Path, rebuild: bool, import_workers: int) -> dict[str, object]:
    marker = data / MARKER
    if not rebuild and marker.exists() and (data / "fanshelf.sqlite3").exists():
        info: dict[str, object] = json.loads(marker.read_text())
        if info.get("works_asked") == n:
            print(f"== reusing the archive in {data} ({info['works']:,} works; --rebuild to make it afresh)",
                  file=sys.stderr)
            return info
    if not (SHARED / "data").exists():
        sys.exit(f"bench/web.py needs {SHARED / 'data'} (the real AO3 metadata the corpus follows)")
    print(f"== building an archive of {n:,} works in {data} (bench/archive.py's build)", file=sys.stderr)
    # in a child process, so that this one never holds Django or the database open
    code = (f"import sys, json; sys.path[:0] = [{str(ROOT / 'bench')!r}, {str(ROOT / 'src')!r}]; "
            "import archive; from pathlib import Path; "
            f"r = archive.build({n}, Path({str(data)!r}), '', 'tantivy', {import_workers}, 1000); "
            "from django.db import connections; connections.close_all(); print('BUILT ' + json.dumps(r))")
    env = _env()
    out = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env, check=True)
    built = json.loads(next(ln for ln in out.stdout.splitlines() if ln.startswith("BUILT "))[6:])
    info = {"works_asked": n, **built}
    marker.write_text(json.dumps(info))
    print(f"   imported {built['works']:,} works in {built['import_s']} s", file=sys.stderr)
    return info


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("FANSHELF_DATABASE_URL", None)
    env.pop("FANSHELF_DATA", None)
    return env


# ----------------------------------------------------------------------------- the URLs
def make_urls(db: Path, seed: int, count: int) -> dict[str, list[str]]:
    rnd = random.Random(seed)
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        def top(kind: str, k: int) -> list[str]:
            return [r[0] for r in con.execute(
                "SELECT name FROM archive_tag WHERE type = ? AND canonical AND merger_id IS NULL "
                "ORDER BY taggings_count DESC LIMIT ?", (kind, k))]

        fandoms = top("Fandom", 60)
        freeforms = top("Freeform", 40)
        characters = top("Character", 40)
        ratings = top("Rating", 5)
        warnings = top("ArchiveWarning", 6)
        ids = [r[0] for r in con.execute("SELECT id FROM archive_work ORDER BY random() LIMIT ?", (count * 4,))]
    finally:
        con.close()
    if not fandoms or not ids:
        sys.exit(f"{db} holds no works or no canonical fandoms")
    listing = []
    for _ in range(count):
        q: list[tuple[str, str]] = [("include", rnd.choice(fandoms[:20] if rnd.random() < 0.7 else fandoms))]
        r = rnd.random()
        if r < 0.35:
            q.append(("include", rnd.choice(freeforms + characters + ratings)))
        if rnd.random() < 0.5:
            q.append(("exclude", rnd.choice(freeforms[:15] + warnings + ratings)))
        q.append(("sort", rnd.choice(SORTS)))
        if rnd.random() < 0.15:
            q.append(("page", str(rnd.randint(2, 3))))
        listing.append("/works?" + urlencode(q, quote_via=quote))
    return {"listing": listing, "work": [f"/works/{i}" for i in ids], "home": ["/"]}


# ----------------------------------------------------------------------------- the server
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data: Path, port: int, workers: int | None, log: Path) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).parent / "fanshelf"
    cmd = [str(exe) if exe.exists() else "fanshelf", "--data", str(data), "serve", "--host", "127.0.0.1",
           "--port", str(port)]
    if workers:
        cmd += ["--workers", str(workers)]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=_env(), start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"`fanshelf serve` exited ({proc.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
        with contextlib.suppress(OSError, urllib.error.URLError), \
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as r:
            if r.status == 200:
                return proc
        time.sleep(0.3)
    stop_server(proc)
    sys.exit("`fanshelf serve` did not answer within 120 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def server_rss_mb(proc: subprocess.Popen[bytes]) -> int:
    """Resident memory of the server's whole process group (master and workers)."""
    out = subprocess.run(["ps", "-o", "rss=", "-g", str(proc.pid)], capture_output=True, text=True).stdout
    return sum(int(x) for x in out.split() if x.isdigit()) // 1024


def check_urls(base: str, urls: list[str], k: int = 5) -> float:
    """Fetch a few of a scenario's URLs once: they must answer 200 (a flood of 400s would look fast)."""
    times = []
    for u in urls[:k]:
        t = time.perf_counter()
        try:
            with urllib.request.urlopen(urllib.request.Request(base + u, headers={"Accept": "text/html"}),
                                        timeout=60) as r:
                body = r.read()
                assert r.status == 200
        except urllib.error.HTTPError as e:
            sys.exit(f"GET {u} answered {e.code}: {e.read()[:300]!r}")
        times.append(time.perf_counter() - t)
        if u.startswith("/works?") and b"blurb" not in body and b"No works" not in body:
            print(f"   note: {u} shows no blurbs", file=sys.stderr)
    return max(times)


# ----------------------------------------------------------------------------- wrk
def run_wrk(base: str, urls: list[str], seconds: float, connections: int, threads: int, seed: int,
            tmp: Path) -> dict[str, float]:
    script = tmp / f"paths-{seed}.lua"
    lua_list = "{" + ",".join(json.dumps(u) for u in urls) + "}"
    script.write_text(LUA % {"paths": lua_list, "seed": seed})
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
           "--timeout", "30s", "-s", str(script), base]
    out = subprocess.run(cmd, capture_output=True, text=True)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if out.returncode != 0 or line is None:
        sys.exit(f"wrk failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    r = json.loads(line[8:])
    secs = r["duration_us"] / 1e6
    errors = r["status_errors"] + r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"]
    return {"requests": r["requests"], "rps": round(r["requests"] / secs, 1),
            "p50_ms": round(r["p50_us"] / 1000, 1), "p90_ms": round(r["p90_us"] / 1000, 1),
            "p95_ms": round(r["p95_us"] / 1000, 1), "p99_ms": round(r["p99_us"] / 1000, 1),
            "max_ms": round(r["max_us"] / 1000, 1), "mean_ms": round(r["mean_us"] / 1000, 1),
            "kb_per_response": round(r["bytes"] / max(1, r["requests"]) / 1024, 1),
            "non_2xx": r["status_errors"], "socket_errors": errors - r["status_errors"]}


def verdict(name: str, r: dict[str, float]) -> str:
    t = TARGETS.get(name)
    if not t:
        return ""
    parts = []
    if "p95_ms" in t:
        parts.append(f"p95 {'<' if r['p95_ms'] < t['p95_ms'] else '>='} {t['p95_ms']:.0f} ms")
    if "rps" in t:
        parts.append(f"{'>=' if r['rps'] >= t['rps'] else '<'} {t['rps']:.0f} req/s")
    ok = (r["p95_ms"] < t.get("p95_ms", float("inf"))) and r["rps"] >= t.get("rps", 0)
    return ("meets target: " if ok else "MISSES target: ") + ", ".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--works", type=int, default=100_000)
    ap.add_argument("--data", type=Path, default=None, help=f"archive folder (default {DEFAULT_ROOT}/sqlite-N)")
    ap.add_argument("--rebuild", action="store_true", help="build the archive afresh even when cached")
    ap.add_argument("--duration", type=float, default=20, help="measured seconds per scenario")
    ap.add_argument("--warmup", type=float, default=3, help="warm-up seconds per scenario")
    ap.add_argument("--connections", type=int, default=4,
                    help="concurrent connections (closed loop: latency ≈ connections / throughput)")
    ap.add_argument("--threads", type=int, default=1, help="wrk threads")
    ap.add_argument("--workers", type=int, default=None, help="`fanshelf serve --workers` (default: its own)")
    ap.add_argument("--import-workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--urls", type=int, default=2000, help="distinct listing URLs")
    ap.add_argument("--scenarios", nargs="+", default=["listing", "work", "home"],
                    choices=["listing", "work", "home"])
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--build-only", action="store_true", help="build (or check) the cached archive and stop")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench/web.py needs wrk (apt-get install wrk, or bash scripts/ci-web-deps.sh)")
    data = args.data or DEFAULT_ROOT / f"sqlite-{args.works}"
    built = ensure_archive(args.works, data, args.rebuild, args.import_workers)
    if args.build_only:
        print(json.dumps(built))
        return
    urls = make_urls(data / "fanshelf.sqlite3", args.seed, args.urls)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="fanshelf-bench-web-") as tmpd:
        tmp = Path(tmpd)
        log = data / "serve.log"  # kept for a look after the run
        t0 = time.perf_counter()
        proc = start_server(data, port, args.workers, log)
        print(f"== fanshelf serve up on {base} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        results: dict[str, dict[str, float]] = {}
        try:
            for i, name in enumerate(args.scenarios):
                first = check_urls(base, urls[name])
                print(f"== {name}: {len(urls[name]):,} URLs (first fetches ≤ {first * 1000:.0f} ms); warm-up "
                      f"{args.warmup:.0f} s, then {args.duration:.0f} s with {args.connections} connections",
                      file=sys.stderr)
                if args.warmup > 0:
                    run_wrk(base, urls[name], args.warmup, args.connections, args.threads, args.seed + 100 + i, tmp)
                results[name] = run_wrk(base, urls[name], args.duration, args.connections, args.threads,
                                        args.seed + i, tmp)
            rss = server_rss_mb(proc)
        finally:
            stop_server(proc)
    print(f"\nfanshelf serve · {built['works']:,} works (SQLite + tantivy) · wrk {args.connections} connections, "
          f"{args.duration:.0f} s a scenario · {os.cpu_count()} CPUs")
    labels = {"listing": "(1) filtered listing + facets", "work": "(2) work page", "home": "(3) home page"}
    for name, r in results.items():
        print(f"  {labels[name]:<31} p50 {r['p50_ms']:>7} ms  p95 {r['p95_ms']:>7} ms  p99 {r['p99_ms']:>7} ms"
              f"  {r['rps']:>8,.1f} req/s  ({r['requests']:,} requests, {r['kb_per_response']} KB each"
              + (f", {r['non_2xx']} non-2xx" if r["non_2xx"] else "")
              + (f", {r['socket_errors']} socket errors" if r["socket_errors"] else "") + ")")
        v = verdict(name, r)
        if v:
            print(f"  {'':<31} {v}")
    print(f"  server RSS (all processes) after the run: {rss:,} MB   (server log: {data / 'serve.log'})")
    print(json.dumps({"works": built["works"], "connections": args.connections, "duration_s": args.duration,
                      "server_rss_mb": rss, **results}))


if __name__ == "__main__":
    main()
