"""What the register tells an evaluation: case-file completeness and the survey's households.

Registered with `evaluation.sources`; evaluation never imports this app (tests/beneficiaries/
test_isolation.py). A figure and masked references cross, never a name or an ID number.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from beneficiaries.models import CHILD_CATEGORIES, Beneficiary
from core.masking import mask_name
from evaluation import sources


def _on_file(contract: Any, as_of: dt.date) -> Any:
    return Beneficiary.objects.filter(contract=contract, created_at__date__lte=as_of)


def file_completeness(contract: Any, as_of: dt.date) -> sources.Measure | None:
    """Share of files holding what the service needs: birth, village, and a child's guardian."""
    files = _on_file(contract, as_of).filter(erased_at__isnull=True)
    total = files.count()
    if not total:
        return None
    complete = (
        files.exclude(birth_year__isnull=True)
        .exclude(village="")
        .exclude(Q(category__in=CHILD_CATEGORIES) & (Q(guardian_name="") | Q(guardian_phone="")))
        .count()
    )
    percent = (Decimal(100) * complete / total).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return sources.Measure(
        value=percent,
        how=_(
            "%(complete)s of %(total)s case files opened up to %(day)s hold the year of birth, "
            "the village and, for a child, the guardian and the guardian's mobile"
        )
        % {"complete": complete, "total": total, "day": as_of.isoformat()},
        source=_("case-file register (服务对象档案)"),
    )


def households(contract: Any, as_of: dt.date) -> list[sources.Household]:
    """One household per case file (the guardian's family for a child), masked."""
    rows = (
        _on_file(contract, as_of)
        .filter(erased_at__isnull=True)
        .order_by("id")
        .values_list("id", "name", "guardian_name", "category", "village")
    )
    return [
        sources.Household(
            reference=f"{mask_name(guardian if category in CHILD_CATEGORIES and guardian else name)}"
            f" · #{pk}",
            village=village,
        )
        for pk, name, guardian, category, village in rows
    ]


sources.register_measure("file_completeness", file_completeness)
sources.register_population(households)
