from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(Path(__file__).resolve().parent))


def require_shared(sub: str = "") -> Path:
    """The ../shared folder, or a loud skip (an error under CI, which must have it)."""
    path = SHARED / sub
    if path.exists():
        return path
    msg = f"ACCEPTANCE TEST NOT RUN: {path} is absent (it holds the seeds and real data beside the repo)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(msg + "; CI must have it")
    pytest.skip(msg)
