"""Back up the database and uploaded files into one directory that `restore` checks and reads.

With --encrypt-to the files are written to a private temporary directory first and only their
age-encrypted copies reach the backup directory (core.backup_crypto).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from core.backup_crypto import SCHEME, SUFFIX, BackupKeyError, encrypt_files, load_recipients
from core.backups import count_rows, pg_args, pg_env, write_manifest


class Command(BaseCommand):
    help = "Write a consistent backup of the database and media files to --output DIR."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, help="Directory to create the backup in.")
        parser.add_argument(
            "--encrypt-to",
            action="append",
            default=[],
            metavar="RECIPIENT",
            help=(
                "Encrypt the backup with age to this public key (age1…, ssh-ed25519 …) or to"
                " the keys in this file; repeatable. `restore --identity` needs a secret key."
            ),
        )

    def handle(self, *args: Any, output: str, encrypt_to: list[str], **options: Any) -> None:
        out = Path(output)
        try:
            recipients, recipient_texts = load_recipients(encrypt_to)
        except BackupKeyError as exc:
            raise CommandError(f"--encrypt-to: {exc}") from exc
        out.mkdir(parents=True, exist_ok=True)
        if (out / "manifest.json").exists():
            raise CommandError(f"{out} already holds a backup; choose a new directory")
        if not recipients:
            self._write(out, out, None)
            return
        # The plaintext never reaches the backup directory (often a mounted, shared disk).
        plain = Path(tempfile.mkdtemp(prefix="sanshe-backup-"))
        try:
            self._write(plain, out, (recipients, recipient_texts))
        finally:
            shutil.rmtree(plain, ignore_errors=True)

    def _write(self, work: Path, out: Path, encrypt: tuple[list[Any], list[str]] | None) -> None:
        """Dump and archive into `work`; the manifest (and sealed copies if asked) into `out`."""
        db = settings.DATABASES["default"]
        files = []
        if connection.vendor == "postgresql":
            pg_dump = shutil.which("pg_dump")
            if not pg_dump:
                raise CommandError("pg_dump is not installed")
            # Row counts and dump from one snapshot, so a backup taken while the site is busy
            # still matches its own manifest.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                counts = count_rows(cursor)
                subprocess.run(  # noqa: S603 - argv built from settings, no shell
                    [
                        pg_dump,
                        *pg_args(db),
                        "-Fc",
                        f"--snapshot={snapshot}",
                        "-f",
                        str(work / "database.pgdump"),
                        str(db["NAME"]),
                    ],
                    check=True,
                    env=pg_env(db),
                )
            files.append("database.pgdump")
        elif connection.vendor == "sqlite":
            # The online backup API copies a consistent snapshot even while the app writes.
            source = sqlite3.connect(str(db["NAME"]))
            target = sqlite3.connect(str(work / "database.sqlite3"))
            with target:
                source.backup(target)
            counts = count_rows(target.cursor())  # the copy itself, not the live file
            source.close()
            target.close()
            files.append("database.sqlite3")
        else:
            raise CommandError(f"unsupported database {connection.vendor}")
        extra: dict[str, Any] = {
            "created_at": timezone.now().isoformat(),
            "vendor": connection.vendor,
            "database": str(db["NAME"]),
            "row_counts": counts,
        }
        storage = settings.STORAGES["default"]["BACKEND"]
        if str(storage).endswith("FileSystemStorage"):
            media = Path(settings.MEDIA_ROOT)
            with tarfile.open(work / "media.tar.gz", "w:gz") as tar:
                if media.exists():
                    tar.add(media, arcname="media")
            files.append("media.tar.gz")
            extra["media_files"] = (
                sum(1 for p in media.rglob("*") if p.is_file()) if media.exists() else 0
            )
        else:
            # An object store keeps its own copies (bucket versioning, replication): see
            # docs/operations.md. The database backup still names every file it refers to.
            extra["media"] = f"not included: uploads live in {storage}"
        if encrypt is not None:
            recipients, texts = encrypt
            extra["encryption"] = {
                "scheme": SCHEME,
                "recipients": texts,
                "contents": encrypt_files(work, files, out, recipients),
            }
            files = [name + SUFFIX for name in files]
        write_manifest(out, files, extra)
        sealed = f", encrypted to {len(encrypt[1])} key(s)" if encrypt else ""
        self.stdout.write(self.style.SUCCESS(f"backup written to {out}{sealed}"))
