"""What an evaluation reads from funds: service-record figures and the evidence handed in.

Registered with `evaluation.sources` (evaluation sits above funds and workforce), together with
the workforce register's two figures. Counts, dates, places and titles only: the service records
hold no person.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from evaluation import sources
from funds.models import Deliverable, ServiceRecord, ServiceType
from funds.reach import people_on_file
from projects.models import BeneficiaryCategory, TargetGroup
from workforce import figures as workforce_figures


def _records(contract: Any, as_of: dt.date) -> Any:
    return ServiceRecord.objects.filter(contract=contract, date__lte=as_of)


def service_person_times(contract: Any, as_of: dt.date) -> sources.Measure | None:
    row = _records(contract, as_of).aggregate(n=Count("id"), people=Sum("beneficiary_count"))
    if not row["n"]:
        return None  # nothing recorded yet is "no data", not zero people served
    return sources.Measure(
        value=Decimal(row["people"]),
        how=_("sum of the beneficiaries of the %(n)s service records dated up to %(day)s")
        % {"n": row["n"], "day": as_of.isoformat()},
        source=_("service records (服务台账)"),
    )


def case_count(contract: Any, as_of: dt.date) -> sources.Measure | None:
    if not _records(contract, as_of).exists():
        return None
    n = _records(contract, as_of).filter(service_type=ServiceType.CASE).count()
    return sources.Measure(
        value=Decimal(n),
        how=_("%(n)s casework (个案) service records dated up to %(day)s")
        % {"n": n, "day": as_of.isoformat()},
        source=_("service records (服务台账)"),
    )


def volunteer_times(contract: Any, as_of: dt.date) -> sources.Measure | None:
    figure = workforce_figures.volunteer_person_times(contract, as_of)
    if figure is None:
        return None
    return sources.Measure(
        value=figure.value, how=figure.how, source=_("volunteer register (志愿服务记录)")
    )


def certified_share(contract: Any, as_of: dt.date) -> sources.Measure | None:
    # The share is the supplier's, not the contract's: the register is kept per NGO.
    figure = workforce_figures.certified_share(contract.supplier, as_of)
    if figure is None:
        return None
    return sources.Measure(
        value=figure.value, how=figure.how, source=_("social-worker register (社工名册)")
    )


def deliverables_section(evaluation: Any, as_of: dt.date) -> sources.EvidenceSection:
    qs = Deliverable.objects.filter(milestone__contract_id=evaluation.contract_id)
    if evaluation.milestone_id:
        qs = qs.filter(milestone_id=evaluation.milestone_id)
    rows = [
        [
            d.milestone.name,
            d.title,
            d.submitted_at.date().isoformat(),
            reverse("funds:deliverable_file", args=[d.pk]) if d.file else "",
        ]
        for d in qs.select_related("milestone").order_by("submitted_at", "id")
    ]
    return sources.EvidenceSection(
        title=_("Deliverables handed in"),
        headers=[_("Milestone"), _("Title"), _("Submitted"), _("File")],
        rows=rows,
        note="" if rows else _("No deliverables have been submitted."),
    )


def service_records_section(evaluation: Any, as_of: dt.date) -> sources.EvidenceSection:
    labels = dict(ServiceType.choices)
    totals = (
        _records(evaluation.contract, as_of)
        .values("service_type")
        .annotate(n=Count("id"), people=Sum("beneficiary_count"), hours=Sum("hours"))
        .order_by("service_type")
    )
    rows = [
        [labels.get(r["service_type"], r["service_type"]), r["n"], r["people"], r["hours"]]
        for r in totals
    ]
    return sources.EvidenceSection(
        title=_("Service records up to %(day)s") % {"day": as_of.isoformat()},
        headers=[_("Service type"), _("Records"), _("Person-times"), _("Hours")],
        rows=rows,
        link=reverse("funds:service_records", args=[evaluation.contract_id]),
        link_label=_("Every service record"),
        note="" if rows else _("No service records up to the cut-off date."),
    )


def case_files_section(evaluation: Any, as_of: dt.date) -> sources.EvidenceSection:
    """People on file per category against the project's target groups: counts, never names."""
    on_file = people_on_file(evaluation.contract)
    labels = dict(BeneficiaryCategory.choices)
    targets = {
        g.category: g.count for g in TargetGroup.objects.filter(project_id=evaluation.project_id)
    }
    categories = sorted(set(on_file) | set(targets))
    rows = [[labels.get(c, c), targets.get(c, "—"), on_file.get(c, 0)] for c in categories]
    return sources.EvidenceSection(
        title=_("Case-file register (counts only)"),
        headers=[_("Beneficiary category"), _("Contract target"), _("People on file")],
        rows=rows,
        note=_("Names and ID numbers stay with the NGO; only counts are shown here."),
    )


sources.register_measure("service_person_times", service_person_times)
sources.register_measure("case_count", case_count)
# Workforce sits below evaluation and knows nothing of it; its register answers these two.
sources.register_measure("volunteer_times", volunteer_times)
sources.register_measure("certified_share", certified_share)
sources.register_evidence(deliverables_section)
sources.register_evidence(service_records_section)
sources.register_evidence(case_files_section)
