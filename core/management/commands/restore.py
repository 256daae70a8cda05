"""Restore a backup written by `backup`, checked in full before anything live is replaced."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core.backup_crypto import decrypt_backup
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
        parser.add_argument(
            "--identity",
            metavar="FILE",
            help="For an encrypted backup: the age secret key file (or OpenSSH private key).",
        )

    def handle(self, *args: Any, input: str, identity: str | None, **options: Any) -> None:
        src = Path(input)
        stamp = timezone.now().strftime("%Y%m%d%H%M%S")
        plain = src
        media = None
        database = None
        try:
            manifest = read_checked_manifest(src)
            self.stdout.write("checksums match")
            if manifest.get("encryption"):
                if not identity:
                    raise BackupRefusedError(
                        "the backup is encrypted (age, to "
                        + ", ".join(manifest["encryption"]["recipients"])
                        + "); give --identity FILE with the matching secret key"
                    )
                plain = decrypt_backup(src, manifest, Path(identity))
                self.stdout.write("decrypted; the contents match their checksums")
            elif identity:
                # Expecting an encrypted backup and finding a readable one means it is not the
                # backup that was written (encryption is never dropped by Sanshe itself).
                raise BackupRefusedError(
                    "--identity was given but this backup is not encrypted: refusing a backup"
                    " that is not what was expected"
                )
            media = stage_media(plain, manifest, stamp)
            database = stage_database(plain, stamp)
            verify_database(database, manifest)
            self.stdout.write("staged database verified (row counts, verify_ledger)")
        except BackupRefusedError as exc:
            if media is not None:
                shutil.rmtree(media, ignore_errors=True)
            if database is not None:
                drop_database(database)
            raise CommandError(f"restore refused, nothing was changed: {exc}") from exc
        finally:
            if plain != src:  # the decrypted copy: staged by now, or refused
                shutil.rmtree(plain, ignore_errors=True)
        kept = swap_in(Staged(media=media, database=database), stamp)
        self.stdout.write(self.style.SUCCESS(f"restored from {src}"))
        for item in kept:
            self.stdout.write(f"previous data kept as {item} (remove it once you are satisfied)")
