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
