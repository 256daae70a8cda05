"""Restore a backup written by `backup`, checked in full before anything live is replaced."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core.backups import (
    BackupRefusedError,
    Staged,
    drop_database,
    read_checked_manifest,
    stage_database,
    stage_media,
    swap_in,
    verify_database,
)


class Command(BaseCommand):
    help = (
        "Check a backup (checksums, staged media, database restored into a new database and"
        " verified), then swap it in; a damaged backup is refused and nothing live changes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, help="Directory written by `backup`.")

    def handle(self, *args: Any, input: str, **options: Any) -> None:
        src = Path(input)
        stamp = timezone.now().strftime("%Y%m%d%H%M%S")
        media = None
        database = None
        try:
            manifest = read_checked_manifest(src)
            self.stdout.write("checksums match")
            media = stage_media(src, manifest, stamp)
            database = stage_database(src, stamp)
            verify_database(database, manifest)
            self.stdout.write("staged database verified (row counts, verify_ledger)")
        except BackupRefusedError as exc:
            if media is not None:
                import shutil

                shutil.rmtree(media, ignore_errors=True)
            if database is not None:
                drop_database(database)
            raise CommandError(f"restore refused, nothing was changed: {exc}") from exc
        kept = swap_in(Staged(media=media, database=database), stamp)
        self.stdout.write(self.style.SUCCESS(f"restored from {src}"))
        for item in kept:
            self.stdout.write(f"previous data kept as {item} (remove it once you are satisfied)")
