"""Install the indicator-system templates shipped in evaluation/data/ (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from evaluation.services import templates_install


class Command(BaseCommand):
    help = "Install the social-work indicator-system template as a published system."

    def handle(self, *args: Any, **options: Any) -> None:
        for system in templates_install():
            self.stdout.write(f"{system} ({system.indicators.filter(level=3).count()} leaves)")
