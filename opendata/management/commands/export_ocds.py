"""Write the bulk files: one release package per year and one record package, streamed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models.functions import ExtractYear

from opendata.models import Record, Release
from opendata.ocds import base_uri, dumps, iso, package_meta


class Command(BaseCommand):
    help = (
        "Export the stored OCDS releases as one release package per year "
        "(releases-<year>.json) and all records as record-package.json. Nothing is rebuilt: "
        "the stored text is copied, a batch at a time, so memory stays flat."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, help="Directory to write the files into.")

    def handle(self, *args: Any, output: str, **options: Any) -> None:
        out = Path(output)
        out.mkdir(parents=True, exist_ok=True)
        years = (
            Release.objects.annotate(year=ExtractYear("date"))
            .values_list("year", flat=True)
            .order_by("year")
            .distinct()
        )
        total = 0
        for year in years:
            releases = Release.objects.filter(date__year=year).order_by("pk")
            newest = releases.order_by("-published_at").values_list("published_at", flat=True)[0]
            uri = f"{base_uri()}/opendata/bulk/{year}.json"
            total += self._write(
                out / f"releases-{year}.json",
                package_meta(uri, published=iso(newest)),
                "releases",
                releases.values_list("data", flat=True).iterator(chunk_size=500),
            )
        records = Record.objects.order_by("last_release")
        newest_record = records.order_by("-updated_at").values_list("updated_at", flat=True)
        head = package_meta(
            f"{base_uri()}/opendata/record-package.json",
            published=iso(newest_record[0]) if newest_record else "",
        )
        count = self._write(
            out / "record-package.json",
            head,
            "records",
            records.values_list("data", flat=True).iterator(chunk_size=100),
        )
        self.stdout.write(self.style.SUCCESS(f"{total} releases, {count} records written to {out}"))

    @staticmethod
    def _write(path: Path, head: dict[str, Any], key: str, items: Any) -> int:
        count = 0
        with path.open("w", encoding="utf-8") as f:
            f.write(dumps(head)[:-1] + f',"{key}":[')
            for text in items:
                f.write(("," if count else "") + text)
                count += 1
            f.write("]}")
        return count
