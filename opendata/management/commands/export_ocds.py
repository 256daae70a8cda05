"""Write release-package.json and record-package.json for everything published."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from opendata.ocds import PUBLISHER
from opendata.packages import build_packages


class Command(BaseCommand):
    help = "Export OCDS 1.1 release and record packages for every published project."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", required=True, help="Directory to write the two files into."
        )

    def handle(self, *args: Any, output: str, **options: Any) -> None:
        out = Path(output)
        out.mkdir(parents=True, exist_ok=True)
        releases, records = build_packages(base_uri=PUBLISHER["uri"])
        for name, data in (("release-package.json", releases), ("record-package.json", records)):
            (out / name).write_text(
                json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(releases['releases'])} releases, {len(records['records'])} records written to {out}"
            )
        )
