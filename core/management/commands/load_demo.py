"""Load (or reload) the demo data set: real bureaus, NGOs and projects at every stage."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils.module_loading import import_string


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
        with transaction.atomic():
            for path in settings.SANSHE_DEMO_LOADERS:
                import_string(path)(ctx)
                self.stdout.write(f"loaded {path.rsplit('.', 2)[0]}")
        self.stdout.write(
            self.style.SUCCESS("Demo data ready. Logins are listed on the login page.")
        )
