"""Make the key pair for encrypted backups: the secret key file for restore, the public key for backup."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core.backup_crypto import new_identity


class Command(BaseCommand):
    help = (
        "Write a new age secret key to --output FILE (mode 0600, same format as age-keygen) and"
        " print its public key, for `backup --encrypt-to`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, help="Where to write the secret key.")

    def handle(self, *args: Any, output: str, **options: Any) -> None:
        path = Path(output)
        secret, public = new_identity()
        text = f"# created: {timezone.now().isoformat()}\n# public key: {public}\n{secret}\n"
        try:
            # O_EXCL: an existing key is never overwritten (backups made to it would be lost).
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError as exc:
            raise CommandError(f"{path} exists; a key file is never overwritten") from exc
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(text)
        self.stdout.write(f"secret key written to {path}: keep it off the server, for restore")
        self.stdout.write(public)
