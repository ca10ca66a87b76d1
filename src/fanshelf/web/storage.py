"""Static files with hashed names (long cache), compressed by whitenoise at ``collectstatic``."""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Before ``collectstatic`` has run (tests, tools) plain names are used instead of failing."""

    manifest_strict = False

    def url(self, name: str | None, force: bool = False) -> str:
        try:
            return str(super().url(name, force))
        except ValueError:
            return str(FileSystemStorage.url(self, name))
