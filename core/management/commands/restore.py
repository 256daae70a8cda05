"""Restore a backup written by `backup`: the database replaces the current one, media is unpacked."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from core.management.commands.backup import pg_args, pg_env


class Command(BaseCommand):
    help = "Restore the database and media files from a backup directory (replaces current data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, help="Directory written by `backup`.")

    def handle(self, *args: Any, input: str, **options: Any) -> None:
        src = Path(input)
        manifest = json.loads((src / "manifest.json").read_text())
        if manifest["vendor"] != connection.vendor:
            raise CommandError(
                f"backup is for {manifest['vendor']}, this database is {connection.vendor}"
            )
        db = settings.DATABASES["default"]
        connection.close()
        if connection.vendor == "postgresql":
            pg_restore = shutil.which("pg_restore")
            if not pg_restore:
                raise CommandError("pg_restore is not installed")
            subprocess.run(  # noqa: S603 - argv built from settings, no shell
                [
                    pg_restore,
                    *pg_args(db),
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "-d",
                    str(db["NAME"]),
                    str(src / "database.pgdump"),
                ],
                check=True,
                env=pg_env(db),
            )
        else:
            source = sqlite3.connect(str(src / "database.sqlite3"))
            target = sqlite3.connect(str(db["NAME"]))
            with target:
                source.backup(target)
            source.close()
            target.close()
        media = Path(settings.MEDIA_ROOT)
        if media.exists():
            shutil.rmtree(media)
        with tarfile.open(src / "media.tar.gz", "r:gz") as tar:
            tar.extractall(media.parent, filter="data")
            unpacked = media.parent / "media"
            if unpacked != media and unpacked.exists():
                unpacked.rename(media)
        self.stdout.write(self.style.SUCCESS(f"restored from {src}"))
