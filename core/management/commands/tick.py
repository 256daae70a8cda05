"""Run every registered time-driven job once (close bidding at the deadline, flag late payments)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from core.ticks import run_all


class Command(BaseCommand):
    help = "Run time-driven transitions and checks once; schedule it every few minutes."

    def handle(self, *args: Any, **options: Any) -> None:
        for line in run_all(timezone.now()):
            if line:
                self.stdout.write(line)
