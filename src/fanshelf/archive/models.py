"""The archive's tables, after AO3's model (see ../shared/reference/ao3-model.md in the team docs).

Works have chapters, creators and taggings; tags are typed and wrangled (canonical, synonym via
``merger``, meta/sub links); every work has a denormalised filter set (the canonical of each of its tags
and all their metatags) used to include and exclude tags; series, collections (challenges and prompt
communities) with prompts; the source each work came from; an import log; and the search outbox.
"""

from __future__ import annotations

import functools

from django.db import models


class TagType:
    """AO3's tag types (the stored values are AO3's class names)."""

    RATING = "Rating"
    WARNING = "ArchiveWarning"
    CATEGORY = "Category"
    FANDOM = "Fandom"
    RELATIONSHIP = "Relationship"
    CHARACTER = "Character"
    FREEFORM = "Freeform"
    choices: list[tuple[str, str]] = [
        (RATING, "Rating"), (WARNING, "Archive Warning"), (CATEGORY, "Category"), (FANDOM, "Fandom"),
        (RELATIONSHIP, "Relationship"), (CHARACTER, "Character"), (FREEFORM, "Additional Tag")]


@functools.lru_cache(maxsize=1 << 17)
def tag_key(name: str) -> str:
    """Tag names are unique per type, ignoring case and surrounding/duplicate spaces."""
    return " ".join(name.split()).casefold()


class Tag(models.Model):
    type = models.CharField(max_length=20, choices=TagType.choices)
    name = models.CharField(max_length=150)
    key = models.CharField(max_length=150, editable=False)
    canonical = models.BooleanField(default=False)
    merger = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="synonyms",
                               help_text="The canonical tag this tag is a synonym of.")
    taggings_count = models.PositiveIntegerField(default=0)
    from_taxonomy = models.BooleanField(default=False, help_text="Loaded from the bundled taxonomy.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["type", "key"], name="tag_unique_type_key")]
        indexes = [models.Index(fields=["type", "canonical", "merger"]),
                   models.Index(fields=["key"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.key = tag_key(self.name)
        super().save(*args, **kwargs)

    @property
    def wrangled(self) -> bool:
        return self.canonical or self.merger_id is not None


class MetaTagging(models.Model):
    """``sub_tag`` belongs to the family of ``meta_tag`` (Torchwood → Doctor Who universe)."""

    meta_tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="sub_links")
    sub_tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="meta_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meta_tag", "sub_tag"], name="metatagging_unique")]


class Creator(models.Model):
    """A pseud, or an external author named in an imported header."""

    name = models.CharField(max_length=255)
    key = models.CharField(max_length=255, unique=True)
    external = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class Source(models.Model):
    """One imported file (or member of a zip), by path or URL, with the hash of its bytes."""

    location = models.CharField(max_length=1024, unique=True)
    content_hash = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(default=0)
    encoding = models.CharField(max_length=32, blank=True)
    imported_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.location


class Series(models.Model):
    title = models.CharField(max_length=255)
    key = models.CharField(max_length=255, unique=True)

    class Meta:
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return self.title


class Collection(models.Model):
    """A challenge or prompt community (an LJ community, a fest); works join it through items."""

    name = models.CharField(max_length=255, unique=True, help_text="Community or challenge name, as written.")
    title = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return self.title or self.name


class Prompt(models.Model):
    """A prompt: number and text, in a collection (or in none when the header names no community)."""

    collection = models.ForeignKey(Collection, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="prompts")
    number = models.CharField(max_length=32, blank=True)
    text = models.CharField(max_length=500, blank=True)
    key = models.CharField(max_length=500, editable=False, db_index=True,
                           help_text="The prompt text folded for matching across communities.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["collection", "number", "key"], name="prompt_unique")]

    def __str__(self) -> str:
        return " ".join(x for x in (f"#{self.number}" if self.number else "", self.text) if x)


class Work(models.Model):
    title = models.CharField(max_length=255)
    summary = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    end_notes = models.TextField(blank=True)
    language = models.CharField(max_length=64, default="English")
    words = models.PositiveIntegerField(default=0)
    stated_words = models.PositiveIntegerField(null=True, blank=True)
    chapters_posted = models.PositiveIntegerField(default=1)
    chapters_expected = models.PositiveIntegerField(null=True, blank=True)
    complete = models.BooleanField(default=True)
    crossover = models.BooleanField(default=False)
    posted_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    kudos = models.PositiveIntegerField(default=0)
    hits = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
    bookmarks = models.PositiveIntegerField(default=0)
    rating_raw = models.CharField(max_length=255, blank=True)
    # where it came from
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="works")
    source_index = models.PositiveIntegerField(default=0, help_text="Position of the work in its source post.")
    raw_header = models.TextField(blank=True)
    parser_warnings = models.JSONField(default=list, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    # the search index is derived from this revision; bumped by every change
    revision = models.PositiveIntegerField(default=1)
    changed_at = models.DateTimeField(auto_now=True)

    creators = models.ManyToManyField(Creator, through="WorkCreator", related_name="works")
    tags = models.ManyToManyField(Tag, through="Tagging", related_name="works")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "source_index"], name="work_unique_source_pos")]
        indexes = [models.Index(fields=["updated_at", "id"]), models.Index(fields=["posted_at"])]

    def __str__(self) -> str:
        return self.title


class Chapter(models.Model):
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="chapters", db_index=False)
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=255, blank=True)
    content = models.TextField(help_text="Sanitized HTML.")
    words = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["work", "position"]
        constraints = [models.UniqueConstraint(fields=["work", "position"], name="chapter_unique_position")]


class WorkPart(models.Model):
    """One part of a story posted over several posts ("Part 2/4"): the parsed part, kept so the whole
    work can be put together again, in part order, whenever a part arrives, changes or goes."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="parts")
    source_index = models.PositiveIntegerField(default=0)
    key = models.CharField(max_length=900, db_index=True, help_text="Creators and title, folded.")
    part = models.PositiveIntegerField()
    of = models.PositiveIntegerField(null=True, blank=True)
    data = models.JSONField(help_text="The work parsed from this part (Work.to_dict()).")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "source_index"], name="workpart_unique_source_pos")]


class WorkCreator(models.Model):
    work = models.ForeignKey(Work, on_delete=models.CASCADE, db_index=False)  # (work, creator) is unique
    creator = models.ForeignKey(Creator, on_delete=models.CASCADE)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["work", "creator"], name="workcreator_unique")]


class Tagging(models.Model):
    # indexed by the unique (work, tag) and the (tag, work) index: no separate FK indexes
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="taggings", db_index=False)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="taggings", db_index=False)
    written = models.CharField(max_length=255, blank=True, help_text="The value as the header wrote it.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["work", "tag"], name="tagging_unique")]
        indexes = [models.Index(fields=["tag", "work"])]


class FilterTagging(models.Model):
    """Denormalised filter set: the canonical of each tag of the work ∪ all their metatags."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="filter_taggings", db_index=False)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="filter_taggings", db_index=False)
    inherited = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["work", "tag"], name="filtertagging_unique")]
        indexes = [models.Index(fields=["tag", "work"])]


class SerialWork(models.Model):
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="serial_works")
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="serial_works")
    position = models.PositiveIntegerField(null=True, blank=True)
    of = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["series", "position", "work"]
        constraints = [models.UniqueConstraint(fields=["series", "work"], name="serialwork_unique")]


class CollectionItem(models.Model):
    """A work in a collection, filling a prompt when the header named one."""

    collection = models.ForeignKey(Collection, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="items")
    prompt = models.ForeignKey(Prompt, null=True, blank=True, on_delete=models.CASCADE, related_name="fills")
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="collection_items")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["work", "collection", "prompt"], name="collectionitem_unique")]


class ImportRun(models.Model):
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    paths = models.JSONField(default=list)
    counts = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"import #{self.pk} at {self.started_at:%Y-%m-%d %H:%M}"


class ImportLogEntry(models.Model):
    OUTCOMES = [("created", "created"), ("updated", "updated"), ("unchanged", "unchanged"), ("failed", "failed")]
    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="entries")
    location = models.CharField(max_length=1024)
    outcome = models.CharField(max_length=16, choices=OUTCOMES)
    reason = models.TextField(blank=True)
    works = models.PositiveIntegerField(default=0)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["run", "outcome"])]


class IndexOutbox(models.Model):
    """A work whose search document must be rewritten, written in the transaction that changed it."""

    work_id = models.BigIntegerField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
