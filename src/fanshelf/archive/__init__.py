"""The archive layer: storage on Django (SQLite or PostgreSQL), imports, tag wrangling and search.

Call :func:`fanshelf.archive.config.configure` first; then :mod:`fanshelf.archive.store`,
:mod:`fanshelf.archive.importer`, :mod:`fanshelf.archive.wrangling` and :mod:`fanshelf.search`.
"""
