"""schemathesis against /openapi.json of the running server: no 5xx, no response outside the schema.

Run through schemathesis's CLI in a subprocess (its pytest plugin's lazy fixtures do not work with the
pytest we use), bounded to FANSHELF_SCHEMATHESIS_EXAMPLES (25) examples an operation, deterministic seed,
so that it takes about a minute. The checks: not_a_server_error, response_schema_conformance,
content_type_conformance, over positive and negative (invalid) inputs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import Server, missing

MAX_EXAMPLES = int(os.environ.get("FANSHELF_SCHEMATHESIS_EXAMPLES", "25"))
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"


def _schemathesis() -> str:
    exe = Path(sys.executable).parent / "schemathesis"
    if exe.exists():
        return str(exe)
    found = shutil.which("schemathesis")
    if not found:
        missing("schemathesis is not installed (pip install -e .[dev])")
    assert found is not None
    return found


def test_openapi_document(server: Server) -> None:
    status, headers, body = server.get("/openapi.json", accept="application/json")
    assert status == 200 and headers.get("Content-Type", "").startswith("application/json")
    doc = json.loads(body)
    assert str(doc.get("openapi", "")).startswith("3."), doc.get("openapi")
    paths = set(doc.get("paths", {}))
    # every JSON twin of the contract is described
    for want in ("/works.json", "/works/{}.json", "/works/{}/chapters/{}.json", "/tags/{}.json",
                 "/creators/{}.json", "/collections.json", "/collections/{}.json", "/import/{}.json"):
        shapes = {_shape(p) for p in paths}
        assert want in shapes, f"/openapi.json does not describe {want}: {sorted(paths)}"


def _shape(path: str) -> str:
    import re

    return re.sub(r"\{[^}]+\}", "{}", path)


def test_schemathesis_finds_no_server_error_or_schema_violation(server: Server, tmp_path: Path) -> None:
    cmd = [_schemathesis(), "run", server.url + "/openapi.json", "--url", server.url,
           "--checks", CHECKS, "--max-examples", str(MAX_EXAMPLES), "--seed", "20261123",
           "--generation-database", "none", "--no-shrink", "--workers", "2", "--request-timeout", "20",
           "--no-color", "--report", "junit", "--report-junit-path", str(tmp_path / "schemathesis.xml")]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=tmp_path,
                         env={**os.environ, "SCHEMATHESIS_TELEMETRY": "false"})
    out = run.stdout + run.stderr
    assert run.returncode == 0, f"schemathesis found problems ({run.returncode}):\n{out[-12000:]}"
    assert "passed" in out.lower() or "no issues found" in out.lower(), out[-3000:]
