"""What the case work adds up to: 四卡一袋 completeness per file and follow-up visits due.

Each function costs a fixed number of queries however many files there are. Pages of the NGO
read the per-file rows; other apps get counts only (registrations at the bottom of
`evaluation_sources.py` and in `apps.py`), never a name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, Max, Min, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import (
    CHILD_CATEGORIES,
    Beneficiary,
    CaseDocument,
    FollowUpVisit,
    GrowthRecord,
)

# The four cards and the bag, in the order the files are kept (民政 practice for 留守儿童).
PARTS = (
    ("basic", _("Basic information card (基本信息卡)")),
    ("home_school", _("Home-school contact card (家校联系卡)")),
    ("pairing", _("Pairing card (结对帮扶卡)")),
    ("growth", _("Growth record card (成长记录卡)")),
    ("bag", _("File bag (档案袋)")),
)


@dataclass(frozen=True)
class FourCards:
    """Which parts of one file are complete; the home-school card applies to children only."""

    parts: dict[str, bool | None]  # None: does not apply to this person

    @property
    def complete(self) -> bool:
        return all(v is not False for v in self.parts.values())

    @property
    def missing(self) -> list[str]:
        labels = dict(PARTS)
        return [str(labels[key]) for key, done in self.parts.items() if done is False]


def with_card_facts(qs: QuerySet[Beneficiary]) -> QuerySet[Beneficiary]:
    """The annotations and joins `four_cards` reads, in the same query as the files."""
    return qs.select_related("home_school_card", "pairing_card").annotate(
        has_growth=Exists(GrowthRecord.objects.filter(beneficiary=OuterRef("pk"))),
        has_documents=Exists(CaseDocument.objects.filter(beneficiary=OuterRef("pk"))),
    )


def _card(beneficiary: Beneficiary, name: str) -> Any:
    # A reverse one-to-one raises when there is no card; select_related cached the miss.
    return getattr(beneficiary, name, None)


def basic_complete(beneficiary: Beneficiary) -> bool:
    """The basic-information card: year of birth, village and, for a child, the guardian."""
    if beneficiary.birth_year is None or not beneficiary.village:
        return False
    if beneficiary.category in CHILD_CATEGORIES:
        return bool(beneficiary.guardian_name and beneficiary.guardian_phone)
    return True


def four_cards(beneficiary: Beneficiary) -> FourCards:
    """Completeness of one file (read from `with_card_facts`, else one query per part)."""
    home_school = _card(beneficiary, "home_school_card")
    pairing = _card(beneficiary, "pairing_card")
    has_growth = getattr(beneficiary, "has_growth", None)
    if has_growth is None:
        has_growth = beneficiary.growth_records.exists()
    has_documents = getattr(beneficiary, "has_documents", None)
    if has_documents is None:
        has_documents = beneficiary.documents.exists()
    return FourCards(
        {
            "basic": basic_complete(beneficiary),
            "home_school": (home_school is not None and home_school.is_complete)
            if beneficiary.category in CHILD_CATEGORIES
            else None,
            "pairing": pairing is not None and pairing.is_complete,
            "growth": bool(has_growth),
            "bag": bool(has_documents),
        }
    )


def four_cards_counts(files: QuerySet[Beneficiary]) -> tuple[int, int]:
    """(complete, total) among the files given, erased ones left out (nothing left to check)."""
    rows = list(with_card_facts(files.filter(erased_at__isnull=True)))
    return sum(four_cards(b).complete for b in rows), len(rows)


@dataclass(frozen=True)
class FollowUp:
    beneficiary: Beneficiary
    every_days: int
    last_visit: dt.date | None
    due: dt.date

    def overdue(self, today: dt.date) -> bool:
        return self.due < today

    def days_overdue(self, today: dt.date) -> int:
        return max(0, (today - self.due).days)


def follow_ups(files: QuerySet[Beneficiary]) -> list[FollowUp]:
    """Every file with a risk class, with its cadence (the shortest of its classes), the last
    visit and the day the next is due (counted from the file's opening before the first)."""
    last = (
        FollowUpVisit.objects.filter(beneficiary=OuterRef("pk"))
        .order_by()
        .values("beneficiary")
        .annotate(m=Max("visited_on"))
        .values("m")
    )
    rows = (
        files.filter(erased_at__isnull=True, risk_classes__isnull=False)
        .annotate(every=Min("risk_classes__visit_every_days"), last=Subquery(last))
        .select_related("contract")
        .order_by("village", "id")
    )
    found = []
    for b in rows:
        start = b.last or timezone.localdate(b.created_at)
        found.append(
            FollowUp(b, b.every, b.last, start + dt.timedelta(days=b.every))  # type: ignore[attr-defined]
        )
    return found


def overdue_follow_ups(files: QuerySet[Beneficiary], today: dt.date) -> list[FollowUp]:
    return sorted(
        (f for f in follow_ups(files) if f.overdue(today)), key=lambda f: (f.due, f.beneficiary.pk)
    )
