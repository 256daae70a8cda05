"""Back up the database and uploaded files into one directory that `restore` reads back."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone


def pg_env(db: Any) -> dict[str, str]:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def pg_args(db: Any) -> list[str]:
    args = ["-h", str(db.get("HOST") or "127.0.0.1"), "-p", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    return args


class Command(BaseCommand):
    help = "Write a consistent backup of the database and media files to --output DIR."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, help="Directory to create the backup in.")

    def handle(self, *args: Any, output: str, **options: Any) -> None:
        out = Path(output)
        out.mkdir(parents=True, exist_ok=True)
        db = settings.DATABASES["default"]
        if connection.vendor == "postgresql":
            pg_dump = shutil.which("pg_dump")
            if not pg_dump:
                raise CommandError("pg_dump is not installed")
            subprocess.run(  # noqa: S603 - argv built from settings, no shell
                [
                    pg_dump,
                    *pg_args(db),
                    "-Fc",
                    "-f",
                    str(out / "database.pgdump"),
                    str(db["NAME"]),
                ],
                check=True,
                env=pg_env(db),
            )
        elif connection.vendor == "sqlite":
            # The online backup API copies a consistent snapshot even while the app writes.
            source = sqlite3.connect(str(db["NAME"]))
            target = sqlite3.connect(str(out / "database.sqlite3"))
            with target:
                source.backup(target)
            source.close()
            target.close()
        else:
            raise CommandError(f"unsupported database {connection.vendor}")
        media = Path(settings.MEDIA_ROOT)
        with tarfile.open(out / "media.tar.gz", "w:gz") as tar:
            if media.exists():
                tar.add(media, arcname="media")
        manifest = {
            "created_at": timezone.now().isoformat(),
            "vendor": connection.vendor,
            "database": str(db["NAME"]),
        }
        (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
        self.stdout.write(self.style.SUCCESS(f"backup written to {out}"))
