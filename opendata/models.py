"""Stored OCDS releases (written once, never changed) and the records compiled from them.

A `Release` is written when its public event happens (opendata.services.project_releases_sync)
and is append-only like the transition log: a correction is a new release of the same event
with the tag `…Update`, never an edit. The release JSON is kept as text exactly as published,
so a feed page or a bulk file is the stored bytes joined, and its hash is the ETag.

A `Record` is the compiled view of one ocid, recompiled from the stored releases whenever one
is added, so reading a record never compiles anything.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import AppendOnlyError
from projects.models import ServiceProject


class ReleaseQuerySet(models.QuerySet["Release"]):
    # Bulk update/delete would bypass Model.save/delete, so refuse them here too.
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("published releases are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("published releases are append-only")


class Release(models.Model):
    """One published OCDS release: one public event of one project, or a correction of one."""

    project = models.ForeignKey(
        ServiceProject, on_delete=models.PROTECT, related_name="ocds_releases"
    )
    ocid = models.CharField(max_length=100, db_index=True)
    release_id = models.CharField(_("release ID"), max_length=200, unique=True)
    # The event this release reports (e.g. "award-1"); a correction repeats it with revision + 1.
    event = models.CharField(_("event"), max_length=120)
    revision = models.PositiveSmallIntegerField(default=1)
    date = models.DateTimeField(_("release date"), db_index=True)
    tag = models.CharField(_("tag"), max_length=40)
    # SHA-256 of the event's content without id, date and tag: a rebuild that hashes the same
    # is not a correction.
    content_hash = models.CharField(max_length=64)
    # The release exactly as published (UTF-8 JSON text, key order kept).
    data = models.TextField()
    etag = models.CharField(max_length=64)
    published_at = models.DateTimeField(auto_now_add=True)

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("OCDS release")
        verbose_name_plural = _("OCDS releases")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "event", "revision"], name="one_release_per_event_revision"
            )
        ]

    def __str__(self) -> str:
        return self.release_id

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("published releases are append-only")
        self.etag = hashlib.sha256(self.data.encode("utf-8")).hexdigest()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("published releases are append-only")


class Record(models.Model):
    """The OCDS record of one project: its releases linked and compiled (ocdsmerge)."""

    project = models.OneToOneField(
        ServiceProject, on_delete=models.PROTECT, related_name="ocds_record"
    )
    ocid = models.CharField(max_length=100, unique=True)
    # The record as published (without package metadata); recompiled when a release is added.
    data = models.TextField()
    etag = models.CharField(max_length=64)
    # Highest Release.pk compiled into it: the records feed pages by this, so a harvester
    # asking for records changed since its last visit gets exactly those.
    last_release = models.PositiveBigIntegerField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("OCDS record")
        verbose_name_plural = _("OCDS records")
        ordering = ["last_release"]

    def __str__(self) -> str:
        return self.ocid


class FileKind(models.TextChoices):
    RELEASE = "release", pgettext_lazy("OCDS file kind", "release")
    RECORD = "record", _("record package")
    BULK = "bulk", _("bulk release package")


class PublishedFile(models.Model):
    """A prebuilt open-data file kept in the default storage (a mounted volume or S3).

    The public views answer from this row (ETag, Last-Modified, 304) and send the stored bytes,
    so a request never builds anything. Release files are written once; a record's file is
    rewritten when a release of its ocid is added; a year's bulk package is rebuilt by a
    background job (opendata.tasks) when the year's releases change.
    """

    name = models.CharField(max_length=255, unique=True)  # e.g. opendata/bulk/2026.json
    # Where the current bytes are stored: the name with the first hex digits of their hash, so a
    # rebuild writes beside the file being served and the row switches to it in one update.
    path = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=FileKind.choices)
    year = models.PositiveSmallIntegerField(null=True, blank=True, db_index=True)
    etag = models.CharField(max_length=64)  # SHA-256 of the stored bytes
    size = models.PositiveBigIntegerField(default=0)
    modified = models.DateTimeField()  # when the bytes were written: Last-Modified
    # What the file was built from (a release's or record's ETag, or a year's
    # "<count>-<newest release pk>"): the same source again is not rewritten.
    source = models.CharField(max_length=80, blank=True)

    class Meta:
        verbose_name = _("published file")
        verbose_name_plural = _("published files")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
