"""What the register tells an evaluation: case-file completeness and the survey's households.

Registered with `evaluation.sources`; evaluation never imports this app (tests/beneficiaries/
test_isolation.py). A figure and masked references cross, never a name or an ID number.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from beneficiaries.figures import follow_ups, four_cards_counts
from beneficiaries.models import CHILD_CATEGORIES, Beneficiary, RiskClass
from core.masking import mask_name
from evaluation import sources


def _on_file(contract: Any, as_of: dt.date) -> Any:
    return Beneficiary.objects.filter(contract=contract, created_at__date__lte=as_of)


def file_completeness(contract: Any, as_of: dt.date) -> sources.Measure | None:
    """Share of files whose four cards and bag (四卡一袋) are complete, computed from the cards."""
    complete, total = four_cards_counts(_on_file(contract, as_of))
    if not total:
        return None
    percent = (Decimal(100) * complete / total).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return sources.Measure(
        value=percent,
        how=_(
            "%(complete)s of %(total)s case files opened up to %(day)s have all four cards "
            "filled in (basic information with the year of birth, village and a child's guardian "
            "and mobile; a child's home-school contact card; the pairing card; at least one "
            "growth record) and at least one paper in the file bag"
        )
        % {"complete": complete, "total": total, "day": as_of.isoformat()},
        source=_("case-file register (服务对象档案)"),
    )


def case_work_section(evaluation: Any, as_of: dt.date) -> sources.EvidenceSection | None:
    """四卡一袋 and follow-up visits on the contract: counts per risk class, never a person."""
    files = _on_file(evaluation.contract, as_of)
    complete, total = four_cards_counts(files)
    if not total:
        return None
    today = timezone.localdate()
    by_class: dict[str, list[int]] = {r.name: [0, 0] for r in RiskClass.objects.all()}
    rows_in = files.filter(erased_at__isnull=True).prefetch_related("risk_classes")
    due = {f.beneficiary.pk: f for f in follow_ups(files)}
    for b in rows_in:
        for risk in b.risk_classes.all():
            counts = by_class.setdefault(risk.name, [0, 0])
            counts[0] += 1
            if b.pk in due and due[b.pk].overdue(today):
                counts[1] += 1
    rows: list[list[Any]] = [[_("Four cards and a bag complete (四卡一袋齐全)"), total, complete]]
    rows += [
        [_("Risk class %(name)s: overdue for a follow-up visit") % {"name": name}, n, overdue]
        for name, (n, overdue) in by_class.items()
        if n
    ]
    return sources.EvidenceSection(
        title=_("Case work (counts only)"),
        headers=[pgettext("case files", "What"), _("People on file"), _("Of whom")],
        rows=rows,
        note=_(
            "Counted on %(day)s from the NGO's case files; names and ID numbers stay with the NGO."
        )
        % {"day": today.isoformat()},
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
sources.register_evidence(case_work_section)
