"""Write the ledger's chain head, signed, to the anchor file outside the database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from funds.anchor import anchor_write


class Command(BaseCommand):
    help = "Anchor the ledger's chain head now (tick also does it once a day)."

    def handle(self, *args: Any, **options: Any) -> None:
        anchor = anchor_write()
        self.stdout.write(f"ledger head #{anchor.seq} {anchor.hash} anchored at {anchor.at}")
