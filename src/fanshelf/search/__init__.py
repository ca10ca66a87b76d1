"""Search: the shared text analyser and the AO3-style query language (pure core, no engine imports)."""

from __future__ import annotations
