"""Fanshelf on the web: server-rendered pages (JavaScript only enhances) and their JSON twins.

``fanshelf serve`` runs it under gunicorn; :mod:`fanshelf.archive.config` holds the Django settings.
"""
