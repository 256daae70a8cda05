"""Load (or reload) the demo data set: real bureaus, NGOs and projects at every stage."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.module_loading import import_string

from core.workdays import CalendarNotCoveredError


class Command(BaseCommand):
    help = "Load the demo data set. Safe to run again; --reset wipes the database first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="Delete all data first and start over."
        )

    def handle(self, *args: Any, reset: bool = False, **options: Any) -> None:
        if reset:
            # The ledger and transition log refuse row deletes; flush truncates whole tables.
            call_command("flush", interactive=False, verbosity=0)
            self.stdout.write("database wiped")
        ctx: dict[str, Any] = {"stdout": self.stdout}
        try:
            with transaction.atomic():
                for path in settings.SANSHE_DEMO_LOADERS:
                    import_string(path)(ctx)
                    self.stdout.write(f"loaded {path.rsplit('.', 2)[0]}")
        except CalendarNotCoveredError as exc:
            # The demo acts today and sets real statutory deadlines (a result's 10-working-day
            # appeal period, a contract's 7-day filing): late in December they fall in the next
            # year. Its holiday arrangement is never invented here; nothing was saved.
            raise CommandError(
                f"{exc} (load_demo: nothing was saved; record the arrangement, then run it again)"
            ) from exc
        self.stdout.write(
            self.style.SUCCESS("Demo data ready. Logins are listed on the login page.")
        )
