"""Plain SQL for the bulk paths: the ORM's per-query and per-row work costs more than narrow rows do."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

__all__ = ["IN_CHUNK", "MAX_PARAMS", "rows_in"]

MAX_PARAMS = 999
"""Most bound values one statement carries (SQLite's oldest limit; PostgreSQL takes 65,535)."""
IN_CHUNK = 900
"""Most values one ``IN (...)`` list takes (under :data:`MAX_PARAMS`, leaving room for a few more)."""


def rows_in(sql: str, values: Sequence[Any], *, chunk: int = IN_CHUNK) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` (one ``{marks}`` placeholder for the list) for these values, ``chunk`` at a time.

    The values are always bound as parameters, never written into the SQL.
    """
    out: list[tuple[Any, ...]] = []
    with connection.cursor() as cur:
        for start in range(0, len(values), chunk):
            part = list(values[start:start + chunk])
            cur.execute(sql.format(marks=", ".join(["%s"] * len(part))), part)
            out.extend(cur.fetchall())
    return out
