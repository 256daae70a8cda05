"""Recompute the ledger's hash chain, compare it with the last anchor, and check the books."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from funds.books import reconcile
from funds.ledger import ledger_verify
from funds.models import LedgerEntry
from procurement.models import Contract


class Command(BaseCommand):
    help = (
        "Verify the ledger's SHA-256 chain (from the latest checkpoint, or every entry with "
        "--full) against the last anchor, then the book's invariants; exit non-zero naming the "
        "first broken entry or contract."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--full",
            action="store_true",
            help="Recompute every entry's hash, not only those after the latest checkpoint.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = ledger_verify(full=options["full"])
        if not result.ok:
            raise CommandError(f"ledger broken at entry #{result.broken_seq}: {result.problem}")
        since = f" (recomputed after checkpoint #{result.start_seq})" if result.start_seq else ""
        self.stdout.write(f"chain OK: {result.checked} entries{since}, chain head {result.head}")
        books = reconcile(LedgerEntry.objects.all(), Contract.objects.all())
        for check in books.checks:
            mark = "OK " if check.ok else "BROKEN"
            self.stdout.write(f"{mark} {check.key}: {check.label}")
        problem = books.first_problem()
        if problem is not None:
            subject, finding = problem
            raise CommandError(f"books broken at {subject}: {finding}")
        self.stdout.write(self.style.SUCCESS("ledger OK: chain and invariants hold"))
