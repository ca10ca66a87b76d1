"""WSGI entry point: ``fanshelf.web.wsgi:application`` (the data folder from ``FANSHELF_DATA``)."""

from __future__ import annotations

from django.core.handlers.wsgi import WSGIHandler

from fanshelf.archive.config import configure

configure(migrate=False)

from django.core.wsgi import get_wsgi_application  # noqa: E402

application: WSGIHandler = get_wsgi_application()
