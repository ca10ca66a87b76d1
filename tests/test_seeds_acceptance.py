"""Acceptance: the shared scorer gives 100% on the five real seed posts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, require_shared

pytestmark = pytest.mark.acceptance


def test_seed_score_is_100_percent() -> None:
    shared = require_shared("seeds")
    scorer = shared.parent / "tools" / "score_posts.py"
    exe = Path(sys.executable).with_name("fanshelf")
    cmd = f"{exe} parse --json {{file}}"
    out = subprocess.run([sys.executable, str(scorer), "--cmd", cmd, "--verbose"], capture_output=True,
                         text=True, cwd=ROOT, timeout=300)
    last = out.stdout.strip().splitlines()[-1]
    assert last.startswith("posts: overall 100.0%"), out.stdout
