"""Template filters of the web app (loaded as builtins)."""

from __future__ import annotations

from urllib.parse import quote

from django import template

register = template.Library()


@register.filter
def tag_url(name: str) -> str:
    return "/tags/" + quote(str(name), safe="")


@register.filter
def creator_url(name: str) -> str:
    return "/creators/" + quote(str(name), safe="")


@register.filter
def collection_url(name: str) -> str:
    return "/collections/" + quote(str(name), safe="")


@register.filter
def number(value: int | None) -> str:
    return f"{value:,}" if isinstance(value, int) else ""


@register.filter
def get(mapping: dict[str, object], key: str) -> object:
    return mapping.get(key) if isinstance(mapping, dict) else None
