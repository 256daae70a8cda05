"""Publish the releases of every project that are not stored yet (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from opendata.files import missing_files_write
from opendata.releases import published_projects
from opendata.services import project_releases_sync


class Command(BaseCommand):
    help = (
        "Write the OCDS release of every public event not yet published (each dated by its "
        "event) and a correction release for any event whose data changed, then every "
        "release or record file not yet in storage and the bulk packages of the years whose "
        "releases changed. Run once after upgrading, and whenever a publication may have "
        "been missed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        written = projects = 0
        for project in published_projects().iterator(chunk_size=200):
            written += len(project_releases_sync(project=project))
            projects += 1
        files = missing_files_write()
        self.stdout.write(
            self.style.SUCCESS(
                f"{written} releases written for {projects} projects; {files} files stored"
            )
        )
