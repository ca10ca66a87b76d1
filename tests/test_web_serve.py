"""``fanshelf serve`` for real: gunicorn in a subprocess, static files with hashed names and a long cache."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from web_site import FIXTURES


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_serve_runs_gunicorn_with_static_files(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "FANSHELF_DATABASE_URL": "", "FANSHELF_SEARCH": "tantivy"}
    env.pop("FANSHELF_SECRET_KEY", None)
    cli = [sys.executable, "-m", "fanshelf.cli", "--data", str(data)]
    subprocess.run([*cli, "import", "-q", str(FIXTURES)], check=True, env=env, capture_output=True)
    port = _free_port()
    proc = subprocess.Popen([*cli, "serve", "--port", str(port), "--workers", "2"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                status, headers, body = _get(base + "/")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        else:
            raise AssertionError("the server did not start")
        assert status == 200 and headers["Server"].startswith("gunicorn")
        html = body.decode()
        assert len(re.findall(r'<li class="blurb"', html)) == 4
        css = re.search(r'href="(/static/fanshelf/fanshelf\.[0-9a-f]{12}\.css)"', html)
        js = re.search(r'src="(/static/fanshelf/fanshelf\.[0-9a-f]{12}\.js)"', html)
        assert css and js, "static files carry hashed names"
        status, headers, body = _get(base + css.group(1))
        assert status == 200 and "immutable" in headers["Cache-Control"] and b"--accent" in body
        assert headers["Content-Type"].startswith("text/css")
        status, headers, _body = _get(base + "/works.json")
        assert status == 200 and headers["Content-Type"] == "application/json"
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert _get(base + "/works/999")[0] == 404
        assert (data / "secret_key").stat().st_mode & 0o777 == 0o600
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        out = proc.communicate(timeout=30)[0].decode(errors="replace")
    assert "Traceback" not in out, out
