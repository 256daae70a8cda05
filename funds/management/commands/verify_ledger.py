"""Recompute the ledger's hash chain and name the first entry that does not match."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from funds.ledger import ledger_verify


class Command(BaseCommand):
    help = "Verify the ledger's SHA-256 chain; exit non-zero naming the first broken entry."

    def handle(self, *args: Any, **options: Any) -> None:
        result = ledger_verify()
        if not result.ok:
            raise CommandError(f"ledger broken at entry #{result.broken_seq}: {result.problem}")
        self.stdout.write(
            self.style.SUCCESS(f"ledger OK: {result.checked} entries, chain head {result.head}")
        )
