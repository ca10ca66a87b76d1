"""Django app configuration of the archive."""

from __future__ import annotations

from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "fanshelf.archive"
    label = "archive"
    verbose_name = "Fanshelf archive"
    default_auto_field = "django.db.models.BigAutoField"
