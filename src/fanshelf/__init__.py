"""Fanshelf: turn hand-made fanfic posts into clean, structured AO3-style works."""

from __future__ import annotations

__version__ = "0.1.0"
