"""The URLs (docs/web.md; the contract with the end-to-end tests is briefs/web-contract.md)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import path, re_path

from fanshelf.web import views

J = r"(?P<fmt>\.json)?"

urlpatterns = [
    path("", views.home, name="home"),
    re_path(rf"^index{J}$", views.home),
    re_path(rf"^works{J}$", views.works, name="works"),
    path("search", views.search_form, name="search"),
    re_path(rf"^works/(?P<work_id>[0-9]+){J}$", views.work, name="work"),
    re_path(rf"^works/(?P<work_id>[0-9]+)/chapters/(?P<chapter>[0-9]+){J}$", views.work, name="chapter"),
    path("works/<int:work_id>/download/<str:fmt>", views.download, name="download"),
    re_path(rf"^tags/(?P<name>.+?){J}$", views.tag, name="tag"),
    re_path(rf"^creators/(?P<name>.+?){J}$", views.creator, name="creator"),
    re_path(rf"^series/(?P<series_id>[0-9]+){J}$", views.series, name="series"),
    re_path(rf"^collections{J}$", views.collections, name="collections"),
    re_path(rf"^collections/(?P<name>.+?){J}$", views.collection, name="collection"),
    path("blocklist", views.blocklist, name="blocklist"),
    path("import", views.import_view, name="import"),
    re_path(rf"^import/(?P<run_id>[0-9]+){J}$", views.import_report, name="import_report"),
    path("openapi.json", views.openapi, name="openapi"),
    path("admin/", admin.site.urls),
]

handler400 = "fanshelf.web.errors.bad_request"
handler403 = "fanshelf.web.errors.permission_denied"
handler404 = "fanshelf.web.errors.not_found"
handler500 = "fanshelf.web.errors.server_error"
