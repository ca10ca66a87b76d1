"""Read-side helpers over the archive's tables (plain data out) for the faces and tests."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from fanshelf.archive.models import CollectionItem, Prompt, Work
from fanshelf.archive.store import prompt_key

__all__ = ["prompts_matching", "works_for_prompt"]


def prompts_matching(text: str) -> list[Prompt]:
    """Every prompt with this text (case, quotes and punctuation ignored), in any community."""
    return list(Prompt.objects.filter(key=prompt_key(text)).select_related("collection").order_by("id"))


def works_for_prompt(text: str, number: str | None = None) -> list[dict[str, Any]]:
    """The works written for a prompt, whatever community they were posted to, oldest first."""
    q = Q(prompt__key=prompt_key(text))
    if number:
        q &= Q(prompt__number=number)
    ids = CollectionItem.objects.filter(q).values_list("work_id", flat=True)
    return [{"id": w.id, "title": w.title, "posted_at": w.posted_at}
            for w in Work.objects.filter(id__in=ids).order_by("posted_at", "id")]
