"""Use cases of planning: plans and lines, allocation down the tree, drawing, the catalogue,
supplier requirements, credit profiles and the statistics report. Each is one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.credit import AnnualInspection, CreditListing, CreditProfile
from accounts.models import Organization, User
from core.fsm import ActionRefusedError, log_event, run_transition
from core.permissions import refuse_unless
from planning import postings
from planning.models import (
    ZERO,
    AnnualPlan,
    BudgetLine,
    CatalogueItem,
    FundSource,
    ProjectCatalogue,
    ProjectDraw,
    ReportState,
    StatsReport,
    SupplierRequirement,
)
from planning.permissions import (
    can_allocate,
    can_draw,
    can_generate_report,
    can_keep_catalogue,
    can_keep_credit,
    can_keep_plan,
    can_set_requirement,
)
from planning.reports import report_figures
from projects.models import ServiceProject


def _money(value: Any, field: str) -> Decimal:
    amount = Decimal(value)
    if amount != amount.quantize(Decimal("0.01")) or amount <= 0:
        raise ValidationError({field: _("Enter a positive amount in yuan, to the fen.")})
    return amount


# --- lines and their room ---------------------------------------------------------------------


def line_used(line_id: int, *, except_project: int | None = None) -> Decimal:
    """What is already spoken for on a line: allocated down plus drawn by projects."""
    allocated = BudgetLine.objects.filter(source_id=line_id).aggregate(t=Sum("amount"))["t"]
    draws = ProjectDraw.objects.filter(line_id=line_id)
    if except_project is not None:
        draws = draws.exclude(project_id=except_project)
    drawn = draws.aggregate(t=Sum("amount"))["t"]
    return (allocated or ZERO) + (drawn or ZERO)


def _overdraw_message(line: BudgetLine, wanted: Decimal, free: Decimal) -> str:
    return _(
        "Budget line “%(line)s” of %(bureau)s %(year)s has %(free)s yuan left; %(wanted)s yuan "
        "would overdraw it (预算法第十三条: no spending without a budget)."
    ) % {
        "line": line.name,
        "bureau": line.plan.bureau.name,
        "year": line.plan.year,
        "free": free,
        "wanted": wanted,
    }


def _lock_lines(ids: Iterable[int]) -> dict[int, BudgetLine]:
    # Locked in id order, so two bureaus drawing on the same lines cannot deadlock.
    rows = (
        BudgetLine.objects.select_for_update()
        .select_related("plan__bureau")
        .filter(pk__in=sorted(set(ids)))
        .order_by("pk")
    )
    return {line.pk: line for line in rows}


@transaction.atomic
def plan_create(*, actor: User, year: int, note: str = "") -> AnnualPlan:
    bureau = actor.organization
    if bureau is None:
        raise ActionRefusedError(_("Your account belongs to no organisation."))
    refuse_unless(can_keep_plan(actor, bureau))
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Enter a year between 2000 and 2100.")})
    plan, _created = AnnualPlan.objects.get_or_create(
        bureau=bureau, year=year, defaults={"note": note}
    )
    return plan


@transaction.atomic
def line_add(
    *, actor: User, plan: AnnualPlan, fund_source: str, name: str, amount: Decimal
) -> BudgetLine:
    """A line of the bureau's own money (本级财政, 福彩公益金 …)."""
    refuse_unless(can_keep_plan(actor, plan.bureau))
    if fund_source not in FundSource.values:
        raise ValidationError({"fund_source": _("Choose a fund source from the list.")})
    if not name.strip():
        raise ValidationError({"name": _("Name the budget line.")})
    line = BudgetLine(
        plan=plan,
        fund_source=fund_source,
        name=name.strip(),
        amount=_money(amount, "amount"),
        created_by=actor,
    )
    line.save()
    log_event(plan, "add_line", actor=actor, note=f"{line.name} {line.amount}")
    return line


@transaction.atomic
def allocation_make(
    *, actor: User, source: BudgetLine, child: Organization, amount: Decimal, name: str = ""
) -> BudgetLine:
    """下达: pass part of a line to a bureau directly below; it becomes a line of that bureau's
    plan for the same year (上级专项补助) and posts to the ledger."""
    locked = _lock_lines([source.pk])[source.pk]
    refuse_unless(can_allocate(actor, locked, child))
    amount = _money(amount, "amount")
    free = locked.amount - line_used(locked.pk)
    if amount > free:
        raise ActionRefusedError(_overdraw_message(locked, amount, free))
    plan, _created = AnnualPlan.objects.get_or_create(bureau=child, year=locked.plan.year)
    line = BudgetLine.objects.create(
        plan=plan,
        fund_source=FundSource.SUPERIOR_SUBSIDY,
        name=name.strip() or f"{locked.plan.bureau.name}·{locked.name}",
        amount=amount,
        source=locked,
        created_by=actor,
    )
    line.ledger_entry = postings.post_allocation(line=line, actor=actor)
    line.save(update_fields=["ledger_entry"])
    log_event(locked.plan, "allocate", actor=actor, note=f"{locked.name} → {child.name} {amount}")
    return line


@transaction.atomic
def draws_set(
    *, actor: User, project: ServiceProject, draws: list[tuple[BudgetLine, Decimal]]
) -> list[ProjectDraw]:
    """Choose the lines a draft project draws on (replacing earlier choices). Each line is
    locked and checked for room; the old draws are reversed in the ledger, the new ones posted."""
    locked_project = ServiceProject.objects.select_for_update().get(pk=project.pk)
    refuse_unless(can_draw(actor, locked_project))
    wanted: dict[int, Decimal] = {}
    for line, amount in draws:
        wanted[line.pk] = wanted.get(line.pk, ZERO) + _money(amount, "amount")
    old = list(ProjectDraw.objects.filter(project=locked_project).select_related("ledger_entry"))
    lines = _lock_lines([*wanted, *(d.line_id for d in old)])
    total = sum(wanted.values(), ZERO)
    if total > locked_project.budget:
        raise ValidationError(
            {
                "amount": _(
                    "The lines add up to %(total)s yuan, more than the project budget of "
                    "%(budget)s yuan."
                )
                % {"total": total, "budget": locked_project.budget}
            }
        )
    for line_id, amount in wanted.items():
        line = lines[line_id]
        if line.plan.bureau_id != locked_project.bureau_id:
            raise ActionRefusedError(
                _("A project draws only on its own bureau's lines; “%(line)s” is not one.")
                % {"line": line.name}
            )
        free = line.amount - line_used(line_id, except_project=locked_project.pk)
        if amount > free:
            raise ActionRefusedError(_overdraw_message(line, amount, free))
    for draw in old:
        postings.reverse_draw(draw=draw, actor=actor)
        draw.delete()
    made = []
    for line_id, amount in wanted.items():
        draw = ProjectDraw.objects.create(
            project=locked_project, line=lines[line_id], amount=amount
        )
        draw.ledger_entry = postings.post_draw(draw=draw, actor=actor)
        draw.save(update_fields=["ledger_entry"])
        made.append(draw)
    log_event(
        locked_project,
        "draw",
        actor=actor,
        note="; ".join(f"{lines[i].name} {a}" for i, a in wanted.items()),
    )
    return made


def approval_refusal(project: ServiceProject) -> str | None:
    """Asked at 立项: when the bureau keeps a plan for the project's year (or the project already
    draws on lines), the draws must cover the budget exactly, no line may be overdrawn, and when
    a catalogue applies to the bureau the project must be filed under one of its entries."""
    draws = list(ProjectDraw.objects.filter(project=project))
    has_plan = AnnualPlan.objects.filter(
        bureau_id=project.bureau_id, year=project.period_start.year
    ).exists()
    if draws or has_plan:
        total = sum((d.amount for d in draws), ZERO)
        if total != project.budget:
            return _(
                "The project's budget of %(budget)s yuan must be covered by the annual plan's "
                "lines; they cover %(total)s yuan."
            ) % {"budget": project.budget, "total": total}
        lines = _lock_lines(d.line_id for d in draws)
        for draw in draws:
            line = lines[draw.line_id]
            free = line.amount - line_used(line.pk, except_project=project.pk)
            if draw.amount > free:
                return _overdraw_message(line, draw.amount, free)
    # Like the plan, the catalogue binds a bureau from the year it keeps a plan: bureaus that
    # have not started planning in Sanshe approve as before.
    if (draws or has_plan) and catalogue_for(project.bureau).exists():
        picked = ProjectCatalogue.objects.filter(project=project).select_related("item").first()
        if picked is None:
            return _(
                "Choose the purchase catalogue entry (指导性目录) this project is bought under."
            )
        if not catalogue_for(project.bureau).filter(pk=picked.item_id).exists():
            return _("Catalogue entry %(code)s does not apply to this bureau.") % {
                "code": picked.item.code
            }
    return None


def contract_refusal(project: ServiceProject, amount: Decimal) -> str | None:
    """A contract (or amendment) may not bind more than the project's lines cover."""
    drawn = ProjectDraw.objects.filter(project=project).aggregate(t=Sum("amount"))["t"]
    if drawn is not None and amount > drawn:
        return _(
            "A contract of %(amount)s yuan would overdraw the budget lines this project draws on "
            "(%(drawn)s yuan); the bureau must first add budget to the project."
        ) % {"amount": amount, "drawn": drawn}
    return None


# --- catalogue ------------------------------------------------------------------------------


def ancestor_ids(bureau: Organization) -> list[int]:
    return [int(part) for part in bureau.path.strip("/").split("/") if part]


def catalogue_for(bureau: Organization) -> Any:
    """The entries a bureau may pick: those kept by itself and every bureau above it."""
    return CatalogueItem.objects.filter(owner_id__in=ancestor_ids(bureau), is_active=True)


@transaction.atomic
def catalogue_item_add(
    *, actor: User, code: str, name: str, parent: CatalogueItem | None = None
) -> CatalogueItem:
    refuse_unless(can_keep_catalogue(actor))
    bureau = actor.organization
    if bureau is None:  # pragma: no cover - can_keep_catalogue checked it
        raise ActionRefusedError(_("Your account belongs to no organisation."))
    code, name = code.strip().upper(), name.strip()
    if not code or not name:
        raise ValidationError({"code": _("A catalogue entry needs a code and a name.")})
    if parent is not None:
        if not catalogue_for(bureau).filter(pk=parent.pk).exists():
            raise ValidationError({"parent": _("The parent entry does not apply to this bureau.")})
        if not code.startswith(parent.code):
            raise ValidationError(
                {
                    "code": _("A sub-entry's code starts with its parent's code %(p)s.")
                    % {"p": parent.code}
                }
            )
    if (
        catalogue_for(bureau).filter(code=code).exists()
        or CatalogueItem.objects.filter(owner__path__startswith=bureau.path, code=code).exists()
    ):
        raise ValidationError({"code": _("Code %(c)s is already in use.") % {"c": code}})
    return CatalogueItem.objects.create(owner=bureau, code=code, name=name, parent=parent)


@transaction.atomic
def project_catalogue_set(
    *, actor: User, project: ServiceProject, item: CatalogueItem
) -> ProjectCatalogue:
    refuse_unless(can_draw(actor, project))
    if not catalogue_for(project.bureau).filter(pk=item.pk).exists():
        raise ValidationError({"item": _("This entry is not in the bureau's catalogue.")})
    row, _created = ProjectCatalogue.objects.update_or_create(
        project=project, defaults={"item": item}
    )
    return row


# --- supplier requirements and credit ---------------------------------------------------------


@transaction.atomic
def requirement_set(
    *,
    actor: User,
    tender: Any,
    min_rating: str,
    no_current_listing: bool,
    valid_certificate: bool,
) -> SupplierRequirement:
    refuse_unless(can_set_requirement(actor, tender))
    row, _created = SupplierRequirement.objects.update_or_create(
        tender=tender,
        defaults={
            "min_rating": min_rating,
            "no_current_listing": no_current_listing,
            "valid_certificate": valid_certificate,
        },
    )
    log_event(
        tender,
        "supplier_requirement",
        actor=actor,
        note=f"≥{min_rating or '-'} listing:{no_current_listing} cert:{valid_certificate}",
    )
    return row


@transaction.atomic
def credit_profile_save(*, actor: User, ngo: Organization, **fields: Any) -> CreditProfile:
    refuse_unless(can_keep_credit(actor, ngo))
    profile = CreditProfile.objects.filter(organization=ngo).first() or CreditProfile(
        organization=ngo
    )
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save()
    log_event(
        ngo,
        "credit_profile",
        actor=actor,
        note=f"{profile.certificate_number} {profile.certificate_expires} {profile.rating}",
    )
    return profile


@transaction.atomic
def inspection_record(
    *, actor: User, ngo: Organization, year: int, result: str, note: str = ""
) -> AnnualInspection:
    refuse_unless(can_keep_credit(actor, ngo))
    row, _created = AnnualInspection.objects.update_or_create(
        organization=ngo, year=year, defaults={"result": result, "note": note}
    )
    row.full_clean()
    log_event(ngo, "annual_inspection", actor=actor, note=f"{year} {result}")
    return row


@transaction.atomic
def listing_add(
    *, actor: User, ngo: Organization, kind: str, listed_on: dt.date, authority: str, reason: str
) -> CreditListing:
    refuse_unless(can_keep_credit(actor, ngo))
    row = CreditListing(
        organization=ngo, kind=kind, listed_on=listed_on, authority=authority, reason=reason
    )
    row.full_clean()
    row.save()
    log_event(ngo, "listed", actor=actor, note=f"{kind} {listed_on} {reason}")
    return row


@transaction.atomic
def listing_remove(*, actor: User, listing: CreditListing, removed_on: dt.date) -> CreditListing:
    locked = CreditListing.objects.select_for_update().get(pk=listing.pk)
    refuse_unless(can_keep_credit(actor, locked.organization))
    if locked.removed_on is not None:
        raise ActionRefusedError(_("This listing was already removed."))
    if removed_on < locked.listed_on:
        raise ValidationError({"removed_on": _("Removal cannot come before the listing.")})
    locked.removed_on = removed_on
    locked.save(update_fields=["removed_on"])
    log_event(
        locked.organization,
        "delisted",
        actor=actor,
        note=f"{locked.kind} {removed_on}",
    )
    return locked


# --- statistics report ------------------------------------------------------------------------


@transaction.atomic
def report_generate(*, actor: User, year: int, quarter: int) -> StatsReport:
    """Compute the figures now. A draft of the period is regenerated in place; after submission
    the next version starts (the submitted one stays as it was)."""
    bureau = actor.organization
    if bureau is None:
        raise ActionRefusedError(_("Your account belongs to no organisation."))
    refuse_unless(can_generate_report(actor, bureau))
    if quarter not in (0, 1, 2, 3, 4):
        raise ValidationError({"quarter": _("Choose a quarter from 1 to 4, or 0 for the year.")})
    # Lock the bureau row: two officers generating at once would otherwise race for a version.
    Organization.objects.select_for_update().get(pk=bureau.pk)
    latest = (
        StatsReport.objects.filter(bureau=bureau, year=year, quarter=quarter)
        .order_by("-version")
        .first()
    )
    data = report_figures(bureau=bureau, year=year, quarter=quarter)
    now = timezone.now()
    if latest is not None and latest.state == ReportState.DRAFT:
        StatsReport.objects.filter(pk=latest.pk).update(
            data=data, generated_by=actor, generated_at=now
        )
        latest.refresh_from_db()
        log_event(latest, "regenerate", actor=actor)
        return latest
    if latest is not None and latest.state == ReportState.REVIEWED:
        raise ActionRefusedError(
            _("Version %(v)s is being reviewed; return it to draft before generating again.")
            % {"v": latest.version}
        )
    version = (
        StatsReport.objects.filter(bureau=bureau, year=year, quarter=quarter).aggregate(
            v=Max("version")
        )["v"]
        or 0
    ) + 1
    report = StatsReport.objects.create(
        bureau=bureau,
        year=year,
        quarter=quarter,
        version=version,
        data=data,
        generated_by=actor,
        generated_at=now,
    )
    log_event(report, "generate", actor=actor, created=True)
    return report


@transaction.atomic
def report_review(*, actor: User, report: StatsReport) -> StatsReport:
    return run_transition(report, "review", actor=actor, by=actor, update_fields=["reviewed_by"])


@transaction.atomic
def report_return(*, actor: User, report: StatsReport, note: str) -> StatsReport:
    if not note.strip():
        raise ValidationError({"note": _("Say what must be corrected.")})
    return run_transition(report, "return_to_draft", actor=actor, note=note)


@transaction.atomic
def report_submit(*, actor: User, report: StatsReport) -> StatsReport:
    return run_transition(
        report,
        "submit",
        actor=actor,
        by=actor,
        at=timezone.now(),
        update_fields=["submitted_by", "submitted_at"],
    )
