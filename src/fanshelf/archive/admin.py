"""The Django admin: browse the archive, and wrangle tags for those who prefer a browser.

Tag changes never go straight to the rows: making canonical, merging, unwrangling, renaming and the
meta tag inline all go through :mod:`fanshelf.archive.wrangling`, which keeps every work's filter set,
revision and search outbox right. Edits and deletions of works, creators and series queue the works
they touch for the search index too.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from fanshelf.archive import wrangling
from fanshelf.archive.models import (
    Chapter,
    Collection,
    Creator,
    FilterTagging,
    ImportLogEntry,
    ImportRun,
    IndexOutbox,
    MetaTagging,
    Prompt,
    SerialWork,
    Series,
    Source,
    Tag,
    Tagging,
    Work,
    WorkCreator,
    tag_key,
)

# ------------------------------------------------------------------------------------------ tags


def _tag_change(old: Tag, canonical: bool, merger: Tag | None) -> tuple[str, Tag | None]:
    """What the form asks for: ("", None), ("canonical", None), ("merge", into) or ("unwrangle", None)."""
    if merger is not None and merger.pk != old.merger_id:
        return "merge", merger
    if merger is not None:
        return ("merge", merger) if old.canonical else ("", None)
    if canonical and not old.canonical:
        return "canonical", None
    if not canonical and old.wrangled:
        return "unwrangle", None
    return "", None


class TagForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["type", "name", "canonical", "merger"]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()
        name = " ".join((data.get("name") or "").split())
        canonical = bool(data.get("canonical"))
        merger: Tag | None = data.get("merger")
        if canonical and merger is not None:
            raise ValidationError("A tag is either canonical or a synonym of a canonical tag, not both.")
        type_ = data.get("type") or (self.instance.type if self.instance.pk else None)
        if name and type_:
            clash = Tag.objects.filter(type=type_, key=tag_key(name))
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise ValidationError(f"There is already a tag of this type named {name!r}.")
        old = Tag.objects.get(pk=self.instance.pk) if self.instance.pk else Tag(type=type_, name=name)
        action, into = _tag_change(old, canonical, merger)
        try:
            if action == "merge" and into is not None:
                wrangling.check_merge(old, into)
            elif action == "unwrangle":
                wrangling.check_unwrangle(old)
            elif action == "canonical":
                wrangling.check_wranglable(old)
        except wrangling.WranglingError as exc:
            raise ValidationError(str(exc)) from exc
        return data


class MetaTagFormSet(BaseInlineFormSet):
    """Validates new metatags with the wrangling rules (canonical, same type, no cycle)."""

    def clean(self) -> None:
        super().clean()
        sub: Tag = self.instance  # carries the values the tag form asks for
        if not sub.pk:
            return
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            meta: Tag | None = data.get("meta_tag")
            if meta is None or (form.instance.pk and not form.has_changed()):
                continue
            try:
                wrangling.check_metatag(sub, meta)
            except wrangling.WranglingError as exc:
                form.add_error("meta_tag", str(exc))


class MetaTagInline(admin.TabularInline):
    """The tag's metatags (the tags it is a subtag of)."""

    model = MetaTagging
    fk_name = "sub_tag"
    formset = MetaTagFormSet
    raw_id_fields = ("meta_tag",)
    extra = 1
    verbose_name = "metatag"
    verbose_name_plural = "metatags (this tag is their subtag)"


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    form = TagForm
    list_display = ("name", "type", "canonical", "merger", "taggings_count")
    list_filter = ("type", "canonical")
    search_fields = ("name",)
    raw_id_fields = ("merger",)
    inlines = [MetaTagInline]
    actions = ["make_canonical_action", "unwrangle_action"]
    ordering = ("type", "name")

    def get_readonly_fields(self, request: HttpRequest, obj: Tag | None = None) -> tuple[str, ...]:
        base = ("taggings_count", "from_taxonomy", "created_at")
        return (*base, "type") if obj is not None else base

    def save_model(self, request: HttpRequest, obj: Tag, form: Any, change: bool) -> None:
        """Route canonical/merger/name changes through the wrangling library (filter sets, outbox)."""
        canonical = bool(obj.canonical)
        merger = obj.merger if obj.merger_id is not None else None
        if change:
            old = Tag.objects.get(pk=obj.pk)
        else:  # a new tag has no works yet: create it unwrangled, then wrangle it like any other
            obj.canonical, obj.merger = False, None
            obj.save()
            old = Tag.objects.get(pk=obj.pk)
        action, into = _tag_change(old, canonical, merger)
        n = 0
        try:
            if change and obj.name != old.name:
                wrangling.rename(old, obj.name)
            if action == "merge" and into is not None:
                n = wrangling.merge(old, into)
            elif action == "canonical":
                n = wrangling.make_canonical(old)
            elif action == "unwrangle":
                n = wrangling.unwrangle(old)
        except wrangling.WranglingError as exc:
            messages.error(request, str(exc))
        else:
            if action:
                messages.info(request, f"{old.name}: {_works(n)} re-filtered.")
        obj.refresh_from_db()

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if not isinstance(formset, MetaTagFormSet):
            super().save_formset(request, form, formset, change)
            return
        sub: Tag = form.instance
        n = 0
        try:
            for f in formset.forms:
                data = getattr(f, "cleaned_data", None)
                if not data:
                    continue
                old_id = (MetaTagging.objects.filter(pk=f.instance.pk).values_list("meta_tag_id", flat=True).first()
                          if f.instance.pk else None)
                old_meta = Tag.objects.filter(pk=old_id).first() if old_id is not None else None
                new_meta: Tag | None = data.get("meta_tag")
                if data.get("DELETE"):
                    if old_meta is not None:
                        n += wrangling.remove_metatag(sub, old_meta)
                    continue
                if new_meta is None or (old_meta is not None and old_meta.pk == new_meta.pk):
                    continue
                if old_meta is not None:
                    n += wrangling.remove_metatag(sub, old_meta)
                n += wrangling.add_metatag(sub, new_meta)
        except wrangling.WranglingError as exc:
            messages.error(request, str(exc))
            return
        if n:
            messages.info(request, f"Metatags of {sub.name} changed: {_works(n)} re-filtered.")

    def delete_model(self, request: HttpRequest, obj: Tag) -> None:
        self.delete_queryset(request, Tag.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Tag]) -> None:
        """Deleting tags changes the works tagged with them (and the filter sets they are in)."""
        with transaction.atomic():
            ids = list(queryset.values_list("id", flat=True))
            works = set(Tagging.objects.filter(tag_id__in=ids).values_list("work_id", flat=True))
            works |= set(FilterTagging.objects.filter(tag_id__in=ids).values_list("work_id", flat=True))
            works |= set(Tagging.objects.filter(tag__merger_id__in=ids).values_list("work_id", flat=True))
            queryset.delete()
            wrangling.recompute_filters(works, reindex=works)

    @admin.action(description="Make canonical")
    def make_canonical_action(self, request: HttpRequest, queryset: QuerySet[Tag]) -> None:
        self._bulk(request, queryset, wrangling.make_canonical, "made canonical")

    @admin.action(description="Unwrangle")
    def unwrangle_action(self, request: HttpRequest, queryset: QuerySet[Tag]) -> None:
        self._bulk(request, queryset, wrangling.unwrangle, "unwrangled")

    def _bulk(self, request: HttpRequest, queryset: QuerySet[Tag], op: Any, done: str) -> None:
        tags = works = 0
        for tag in queryset.order_by("id"):
            try:
                works += op(tag)
                tags += 1
            except wrangling.WranglingError as exc:
                messages.error(request, str(exc))
        if tags:
            messages.success(request, f"{tags} tag{'s' if tags != 1 else ''} {done}; {_works(works)} re-filtered.")


def _works(n: int) -> str:
    return f"{n} work{'s' if n != 1 else ''}"


# ------------------------------------------------------------------------------------------ works


class ChapterInline(admin.TabularInline):
    model = Chapter
    fields = ("position", "title", "words")
    readonly_fields = ("position", "title", "words")
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _queue(work_ids: list[int]) -> None:
    """Bump these works' revisions and queue them for the search index."""
    wrangling.reindex_works(work_ids)


def _delete_works(work_ids: list[int]) -> None:
    """Delete works, keeping tag use counts and the search outbox right."""
    with transaction.atomic():
        counts: dict[int, int] = {}
        for tid in Tagging.objects.filter(work_id__in=work_ids).values_list("tag_id", flat=True):
            counts[tid] = counts.get(tid, 0) + 1
        for tid, n in counts.items():
            Tag.objects.filter(id=tid, taggings_count__gte=n).update(taggings_count=F("taggings_count") - n)
        Work.objects.filter(id__in=work_ids).delete()
        IndexOutbox.objects.bulk_create([IndexOutbox(work_id=w) for w in work_ids])


@admin.register(Work)
class WorkAdmin(admin.ModelAdmin):
    list_display = ("title", "words", "updated_at", "complete")
    list_filter = ("complete", "crossover", "language")
    search_fields = ("title",)
    date_hierarchy = "updated_at"
    readonly_fields = ("source", "source_index", "raw_header", "parser_warnings", "words", "chapters_posted",
                       "crossover", "revision", "changed_at")
    inlines = [ChapterInline]

    def save_model(self, request: HttpRequest, obj: Work, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change:
                _queue([obj.pk])
                obj.refresh_from_db(fields=["revision"])
            else:
                IndexOutbox.objects.create(work_id=obj.pk)

    def delete_model(self, request: HttpRequest, obj: Work) -> None:
        _delete_works([obj.pk])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Work]) -> None:
        _delete_works(list(queryset.values_list("id", flat=True)))


@admin.register(Creator)
class CreatorAdmin(admin.ModelAdmin):
    list_display = ("name", "external")
    list_filter = ("external",)
    search_fields = ("name",)
    readonly_fields = ("key",)

    def save_model(self, request: HttpRequest, obj: Creator, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change:  # creator names are in the search documents
                _queue(list(WorkCreator.objects.filter(creator_id=obj.pk).values_list("work_id", flat=True)))

    def delete_model(self, request: HttpRequest, obj: Creator) -> None:
        with transaction.atomic():
            _queue(list(WorkCreator.objects.filter(creator_id=obj.pk).values_list("work_id", flat=True)))
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Creator]) -> None:
        with transaction.atomic():
            _queue(list(WorkCreator.objects.filter(creator__in=queryset).values_list("work_id", flat=True)))
            super().delete_queryset(request, queryset)


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ("title",)
    search_fields = ("title",)
    readonly_fields = ("key",)

    def save_model(self, request: HttpRequest, obj: Series, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change:  # series titles are in the search documents
                _queue(list(SerialWork.objects.filter(series_id=obj.pk).values_list("work_id", flat=True)))

    def delete_model(self, request: HttpRequest, obj: Series) -> None:
        with transaction.atomic():
            _queue(list(SerialWork.objects.filter(series_id=obj.pk).values_list("work_id", flat=True)))
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Series]) -> None:
        with transaction.atomic():
            _queue(list(SerialWork.objects.filter(series__in=queryset).values_list("work_id", flat=True)))
            super().delete_queryset(request, queryset)


class PromptInline(admin.TabularInline):
    model = Prompt
    fields = ("number", "text")
    extra = 0


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ("name", "title")
    search_fields = ("name", "title")
    inlines = [PromptInline]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        from fanshelf.archive.store import prompt_key

        for f in formset.forms:  # the matching key follows the text
            if getattr(f, "cleaned_data", None) and not f.cleaned_data.get("DELETE"):
                f.instance.key = prompt_key(f.instance.text or "")
        super().save_formset(request, form, formset, change)


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("location", "size", "encoding", "imported_at", "updated_at")
    search_fields = ("location",)
    date_hierarchy = "imported_at"
    readonly_fields = ("location", "content_hash", "size", "encoding", "imported_at", "updated_at")


class ImportLogEntryInline(admin.TabularInline):
    model = ImportLogEntry
    fields = ("location", "outcome", "reason", "works", "at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("__str__", "started_at", "finished_at")
    readonly_fields = ("started_at", "finished_at", "paths", "counts")
    inlines = [ImportLogEntryInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
