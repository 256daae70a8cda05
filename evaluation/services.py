"""Use cases of performance evaluation. Each is one transaction and leaves a log row.

Size: about thirty short use cases from commission to result, each found by its name; they
share the sheet and result helpers at the bottom.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, OrgKind, Role, User
from core.fsm import (
    ActionRefusedError,
    check_transition,
    log_event,
    log_transition,
    run_transition,
)
from core.permissions import refuse_unless
from core.workdays import add_workdays
from evaluation import computed as data_driven
from evaluation import consolidation
from evaluation.indicators import (
    NodeSpec,
    load_template,
    save_specs,
    specs_from_rows,
    specs_from_system,
    validate_tree,
)
from evaluation.models import (
    RESULT_CONFIRMED_STATES,
    SHEETS_OPEN_STATES,
    Appeal,
    AssessorAssignment,
    AssignmentState,
    ConsolidationMethod,
    Evaluation,
    EvaluationKind,
    EvaluationResult,
    EvaluationState,
    Indicator,
    IndicatorSystem,
    LeafResult,
    ScoreEntry,
    ScoreSheet,
    SheetState,
    SystemState,
    grade_for,
)
from evaluation.permissions import (
    can_assign_assessors,
    can_commission_evaluation,
    can_consolidate_evaluation,
    can_create_system,
    can_edit_sheet,
    can_edit_system,
    can_version_system,
)
from evaluation.records import ChangeKind, ChangeRecord, OrganizationTie, TieKind
from evaluation.resources import read_workbook
from evaluation.scoring import check_range, score_leaf, to_decimal
from evaluation.signals import evaluation_commissioned, evaluation_confirmed
from evaluation.ties import independence_refusal
from procurement import selectors as procurement_selectors
from procurement.models import Contract
from projects.models import ServiceProject

APPEAL_WORKING_DAYS = 10
SHIPPED_TEMPLATES = ("social_work",)


# --- indicator systems ------------------------------------------------------------------------


def _next_version(code: str) -> int:
    latest = IndicatorSystem.objects.filter(code=code).aggregate(v=Max("version"))["v"]
    return (latest or 0) + 1


def _create_system(
    *,
    code: str,
    name: str,
    description: str,
    owner: Organization | None,
    actor: User | None,
    specs: list[NodeSpec],
) -> IndicatorSystem:
    problems = validate_tree(specs)
    if problems:
        raise ValidationError(problems)
    system = IndicatorSystem.objects.create(
        code=code,
        name=name,
        description=description,
        version=_next_version(code),
        owner=owner,
        created_by=actor,
    )
    save_specs(system, specs)
    log_event(system, "create", actor=actor, created=True)
    return system


@transaction.atomic
def system_import(
    *, actor: User, content: bytes, name: str, code: str, description: str = ""
) -> IndicatorSystem:
    """Import a workbook as a new draft system (or a new version of the bureau's `code`).

    A bad workbook raises ValidationError listing every problem; nothing is saved.
    """
    refuse_unless(can_create_system(actor))
    others = IndicatorSystem.objects.filter(code=code).exclude(owner_id=actor.organization_id)
    if others.exists():
        raise ValidationError({"code": _("This code belongs to another organisation's system.")})
    specs, problems = read_workbook(content)
    problems += validate_tree(specs) if specs or not problems else []
    if problems:
        raise ValidationError(problems)
    return _create_system(
        code=code,
        name=name,
        description=description,
        owner=actor.organization,
        actor=actor,
        specs=specs,
    )


@transaction.atomic
def system_replace(*, system: IndicatorSystem, actor: User, content: bytes) -> IndicatorSystem:
    """Replace a draft version's tree from a workbook (all or nothing)."""
    locked = IndicatorSystem.objects.select_for_update().get(pk=system.pk)
    refuse_unless(can_edit_system(actor, locked))
    specs, problems = read_workbook(content)
    problems += validate_tree(specs) if specs or not problems else []
    if problems:
        raise ValidationError(problems)
    save_specs(locked, specs)
    log_event(locked, "replace_tree", actor=actor, note=_("Indicators replaced from a workbook"))
    return locked


@transaction.atomic
def system_new_version(*, system: IndicatorSystem, actor: User) -> IndicatorSystem:
    """Editing a published system: copy it into a new draft version owned by the actor's bureau."""
    refuse_unless(can_version_system(actor, system))
    code = system.code
    if system.owner_id != actor.organization_id:
        # A bureau adapting someone else's system gets its own line of versions.
        code = f"{system.code}-{actor.organization_id}"[:40]
    return _create_system(
        code=code,
        name=system.name,
        description=system.description,
        owner=actor.organization,
        actor=actor,
        specs=specs_from_system(system),
    )


@transaction.atomic
def system_publish(*, system: IndicatorSystem, actor: User) -> IndicatorSystem:
    """Freeze a draft version so evaluations can use it."""
    return run_transition(system, "publish", actor=actor, update_fields=["published_at"])


@transaction.atomic
def templates_install(*, actor: User | None = None) -> list[IndicatorSystem]:
    """Install the shipped social-work template(s) as published systems (idempotent)."""
    installed = []
    for name in SHIPPED_TEMPLATES:
        data = load_template(name)
        existing = IndicatorSystem.objects.filter(code=data["code"], owner=None).first()
        if existing is not None:
            installed.append(existing)
            continue
        system = _create_system(
            code=data["code"],
            name=data["name"],
            description=data.get("description", ""),
            owner=None,
            actor=actor,
            specs=specs_from_rows(data["rows"]),
        )
        # Shipped templates are published by the platform itself, not by a bureau user.
        system.publish()
        system.save(update_fields=["state", "published_at"])
        log_transition(
            system,
            "publish",
            source=SystemState.DRAFT,
            target=SystemState.PUBLISHED,
            actor=actor,
            note=_("Template shipped with Sanshe"),
        )
        installed.append(system)
    return installed


# --- commissioning and assessors -------------------------------------------------------------


def organizations_involved(project: ServiceProject, contract: Contract) -> set[int]:
    """Organisations that bid for, hold or are tied to the project's contract."""
    return procurement_selectors.organizations_involved(project=project) | {contract.supplier_id}


@transaction.atomic
def evaluation_commission(
    *,
    project: ServiceProject,
    actor: User,
    contract: Contract,
    assessor_org: Organization,
    lead: User,
    system: IndicatorSystem,
    kind: str = EvaluationKind.MID_TERM,
    due_date: dt.date | None = None,
    milestone: Any = None,
    min_assessors: int = 3,
    spread_threshold: Decimal = Decimal("30.00"),
    cutoff_date: dt.date | None = None,
) -> Evaluation:
    """Commission a third-party evaluation of a contract (or one milestone of it)."""
    refuse_unless(can_commission_evaluation(actor, project))
    errors: dict[str, str] = {}
    if contract.project_id != project.pk:
        errors["contract"] = _("The contract does not belong to this project.")
    if milestone is not None and milestone.contract_id != contract.pk:
        errors["milestone"] = _("The milestone does not belong to this contract.")
    elif (
        milestone is not None
        and Evaluation.objects.filter(milestone=milestone)
        .exclude(state__in=RESULT_CONFIRMED_STATES)
        .exists()
    ):
        # A re-evaluation (after rectification) waits until the running one has a result.
        errors["milestone"] = _("This milestone already has an evaluation in progress.")
    if assessor_org.kind != OrgKind.ASSESSOR:
        errors["assessor_org"] = _("Choose a third-party assessor organisation.")
    elif assessor_org.pk in organizations_involved(project, contract):
        errors["assessor_org"] = _(
            "%(org)s bid for, holds or is related to this contract and cannot evaluate it."
        ) % {"org": assessor_org.name}
    elif refusal := independence_refusal(assessor_org, contract.supplier):
        errors["assessor_org"] = refusal
    if lead.role != Role.ASSESSOR or lead.organization_id != assessor_org.pk:
        errors["lead"] = _("The lead must be an assessor of the commissioned organisation.")
    if system.state != SystemState.PUBLISHED:
        errors["system"] = _("Only a published indicator system can be used.")
    if min_assessors < 3:
        errors["min_assessors"] = _("At least three assessors are required.")
    if due_date is not None and due_date < timezone.localdate():
        errors["due_date"] = _("The due date cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    evaluation = Evaluation.objects.create(
        project=project,
        contract=contract,
        milestone=milestone,
        assessor_org=assessor_org,
        lead=lead,
        system=system,
        kind=kind,
        due_date=due_date,
        min_assessors=min_assessors,
        spread_threshold=spread_threshold,
        commissioned_by=actor,
        cutoff_date=cutoff_date,
    )
    log_event(evaluation, "commission", actor=actor, created=True)
    evaluation_commissioned.send(sender=Evaluation, evaluation=evaluation)
    return evaluation


@transaction.atomic
def assessors_assign(
    *, evaluation: Evaluation, actor: User, assessors: Iterable[User]
) -> list[AssessorAssignment]:
    """The lead adds assessors; each must then declare conflicts of interest."""
    locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    refuse_unless(can_assign_assessors(actor, locked))
    # A tie declared since the commission still stops the organisation's assessors.
    refusal = independence_refusal(locked.assessor_org, locked.contract.supplier)
    if refusal:
        raise ValidationError([refusal])
    created = []
    problems = []
    for user in assessors:
        if user.role != Role.ASSESSOR or user.organization_id != locked.assessor_org_id:
            problems.append(
                _("%(user)s is not an assessor of %(org)s.")
                % {"user": user, "org": locked.assessor_org}
            )
            continue
        if locked.assignments.filter(assessor=user).exists():
            problems.append(_("%(user)s is already on this evaluation.") % {"user": user})
            continue
        assignment = AssessorAssignment.objects.create(evaluation=locked, assessor=user)
        log_event(assignment, "assign", actor=actor, created=True)
        created.append(assignment)
    if problems:
        raise ValidationError(problems)
    return created


@transaction.atomic
def assessor_declare(
    *,
    assignment: AssessorAssignment,
    actor: User,
    conflict: bool,
    statement: str = "",
    ties: Iterable[str] = (),
) -> AssessorAssignment:
    """回避声明: a conflict withdraws the assessor; none lets them see the materials.

    `ties` are organisation ties the assessor reports (same legal representative, shared staff,
    paid work for the NGO in the last three years): each is recorded in the assessor
    organisation's profile and withdraws the assessor."""
    ties = [t for t in ties if t in TieKind.values]
    if ties:
        conflict = True
        names = "、".join(str(TieKind(t).label) for t in ties)
        statement = f"{names}。{statement.strip()}".strip("。") if statement.strip() else names
        evaluation = assignment.evaluation
        for kind in ties:
            OrganizationTie.objects.create(
                organization_id=evaluation.assessor_org_id,
                other_id=evaluation.contract.supplier_id,
                kind=kind,
                detail=_("declared by %(user)s on evaluation #%(pk)s")
                % {"user": actor, "pk": evaluation.pk},
                last_date=timezone.localdate() if kind == TieKind.PAID_WORK else None,
                recorded_by=actor,
            )
    if conflict and not statement.strip():
        raise ValidationError({"statement": _("Describe the conflict of interest.")})
    return run_transition(
        assignment,
        "declare_conflict" if conflict else "declare_no_conflict",
        actor=actor,
        note=statement.strip(),
        statement=statement.strip(),
        update_fields=["declaration", "declared_at"],
    )


@transaction.atomic
def evaluation_start_scoring(*, evaluation: Evaluation, actor: User) -> Evaluation:
    """Open scoring: each cleared assessor gets a blank sheet with one entry per leaf."""
    started = run_transition(evaluation, "start_scoring", actor=actor)
    leaves = list(Indicator.objects.filter(system_id=started.system_id, level=3))
    for assignment in started.assignments.filter(state=AssignmentState.CLEARED):
        sheet = ScoreSheet.objects.create(evaluation=started, assessor_id=assignment.assessor_id)
        ScoreEntry.objects.bulk_create(ScoreEntry(sheet=sheet, indicator=leaf) for leaf in leaves)
    # Data-driven leaves: the figures as at the cut-off are kept and start every sheet.
    data_driven.freeze_and_prefill(started)
    return started


# --- score sheets -----------------------------------------------------------------------------


@dataclass
class EntryInput:
    inputs: dict[str, Any]
    comment: str = ""
    evidence: UploadedFile[Any] | None = None
    adjust_reason: str = ""  # why the inputs depart from the figure Sanshe computed


def _entry_state(entry: ScoreEntry) -> dict[str, Any]:
    return {
        "inputs": entry.inputs,
        "score": None if entry.score is None else str(entry.score),
        "comment": entry.comment,
        "adjust_reason": entry.adjust_reason,
    }


@transaction.atomic
def sheet_save(*, sheet: ScoreSheet, actor: User, entries: Mapping[int, EntryInput]) -> ScoreSheet:
    """Save a draft: compute each leaf's score from its inputs; every bad leaf is reported."""
    locked = ScoreSheet.objects.select_for_update().get(pk=sheet.pk)
    refuse_unless(can_edit_sheet(actor, locked))
    rows = {e.indicator_id: e for e in locked.entries.select_related("indicator")}
    figures = {c.indicator_id: c for c in locked.evaluation.computed.all()}
    errors: list[str] = []
    changed = []
    for indicator_id, given in entries.items():
        entry = rows.get(indicator_id)
        if entry is None:
            continue
        leaf = entry.indicator
        refusal = data_driven.check_adjustment(
            leaf, figures.get(leaf.pk), given.inputs, given.adjust_reason
        )
        if refusal:
            errors.append(refusal)
            continue
        # A ratio's target comes pre-filled on the form: without an actual the leaf is unscored.
        blank = all(v in (None, "") for k, v in given.inputs.items() if k != "target")
        try:
            score = (
                None
                if blank
                else score_leaf(
                    method=leaf.method, points=leaf.points, params=leaf.params, inputs=given.inputs
                )
            )
        except ValidationError as exc:
            errors.append(f"{leaf.name}: {' '.join(exc.messages)}")
            continue
        before = _entry_state(entry)
        entry.inputs = {k: v for k, v in given.inputs.items() if v not in (None, "")}
        entry.score = score
        entry.comment = given.comment
        adjusted = data_driven.departs(leaf, figures.get(leaf.pk), entry.inputs)
        entry.adjust_reason = given.adjust_reason.strip() if adjusted else ""
        if given.evidence is not None:
            entry.evidence_file = given.evidence
        after = _entry_state(entry)
        if after != before or given.evidence is not None:
            changed.append((entry, before, after))
    if errors:
        raise ValidationError(errors)
    for entry, _before, _after in changed:
        entry.save()
    # Every version of every entry is kept: the sheet's history is read from these rows.
    ChangeRecord.objects.bulk_create(
        ChangeRecord(
            evaluation_id=locked.evaluation_id,
            kind=ChangeKind.SHEET_ENTRY,
            sheet=locked,
            indicator_id=entry.indicator_id,
            before=before,
            after=after,
            reason=entry.adjust_reason,
            actor=actor,
        )
        for entry, before, after in changed
    )
    return locked


@transaction.atomic
def sheet_submit(*, sheet: ScoreSheet, actor: User) -> ScoreSheet:
    """Submit a complete sheet; the last one in closes scoring and unseals the sheets."""
    submitted = run_transition(sheet, "submit", actor=actor, update_fields=["submitted_at"])
    evaluation = Evaluation.objects.select_for_update().get(pk=submitted.evaluation_id)
    if evaluation.all_sheets_submitted():
        run_transition(evaluation, "close_scoring", actor=actor, note=_("All sheets submitted"))
    return submitted


# --- consolidation ----------------------------------------------------------------------------


@dataclass
class Comparison:
    """Every assessor's score per leaf, with spread, flag and the computed consolidated score."""

    leaves: list[Indicator]
    sheets: list[ScoreSheet]
    matrix: np.ndarray[Any, np.dtype[np.int64]]
    computed: list[Decimal]
    spread: list[Decimal]
    flagged: list[bool]
    alpha: Decimal | None
    method: str


def compare(evaluation: Evaluation) -> Comparison:
    """Build the comparison from the submitted sheets (two queries); sealed while scoring."""
    if evaluation.state not in SHEETS_OPEN_STATES:
        raise ActionRefusedError(_("Score sheets stay sealed until every assessor has submitted."))
    leaves = list(
        Indicator.objects.filter(system_id=evaluation.system_id, level=3).order_by("position")
    )
    sheets = list(
        evaluation.sheets.filter(state=SheetState.SUBMITTED)
        .select_related("assessor")
        .prefetch_related("entries")
        .order_by("id")
    )
    col = {leaf.pk: j for j, leaf in enumerate(leaves)}
    matrix = np.zeros((len(sheets), len(leaves)), dtype=np.int64)
    for i, sheet in enumerate(sheets):
        for entry in sheet.entries.all():
            if entry.indicator_id in col and entry.score is not None:
                matrix[i, col[entry.indicator_id]] = consolidation.hundredths(entry.score)
    points = np.array([consolidation.hundredths(leaf.points) for leaf in leaves], dtype=np.int64)
    if not sheets:
        raise ActionRefusedError(_("No score sheet has been submitted."))
    result = consolidation.consolidate(
        matrix[None, :, :], points, evaluation.spread_threshold, agreement=False
    )
    return Comparison(
        leaves=leaves,
        sheets=sheets,
        matrix=matrix,
        computed=[consolidation.from_hundredths(v) for v in result.scores[0]],
        spread=[consolidation.from_hundredths(v) for v in result.spread[0]],
        flagged=[bool(f) for f in result.flagged[0]],
        alpha=consolidation.agreement_alpha(matrix, points),
        method=ConsolidationMethod.TRIMMED_MEAN if result.trimmed else ConsolidationMethod.MEAN,
    )


@dataclass
class LeafDecision:
    """The lead's override and/or note for one leaf; a flagged leaf needs the note.

    `reason` says why a leaf changes from the previous result (kept in the change history); in a
    re-review it is required for a leaf the appeal did not dispute."""

    note: str = ""
    score: Decimal | None = None
    reason: str = ""


def _leaf_state(row: LeafResult | None) -> dict[str, Any]:
    if row is None:
        return {}
    return {"score": f"{row.score:.2f}", "note": row.note, "overridden": row.overridden}


def previous_decisions(evaluation: Evaluation) -> dict[int, LeafDecision]:
    """The current result's notes and overrides: where a return or a re-review starts from."""
    result = evaluation.results.filter(is_current=True).first()
    if result is None:
        return {}
    return {
        row.indicator_id: LeafDecision(note=row.note, score=row.score if row.overridden else None)
        for row in result.leaves.all()
    }


def _build_result(
    *,
    evaluation: Evaluation,
    actor: User,
    decisions: Mapping[int, LeafDecision],
    summary: str,
    round_: int,
    disputed: set[int] | None = None,
) -> EvaluationResult:
    """A new result from the sheets and the lead's decisions; leaves the lead did not touch
    keep the previous result's note and override. With `disputed` (a re-review), a leaf outside
    it may change only with a reason."""
    comparison = compare(evaluation)
    previous = evaluation.results.filter(is_current=True).first()
    before = {row.indicator_id: row for row in previous.leaves.all()} if previous else {}
    inherited = previous_decisions(evaluation)
    errors: list[str] = []
    leaf_rows = []
    total = Decimal("0.00")
    for leaf, computed, spread, flagged in zip(
        comparison.leaves, comparison.computed, comparison.spread, comparison.flagged, strict=True
    ):
        decision = decisions.get(leaf.pk) or inherited.get(leaf.pk) or LeafDecision()
        note = decision.note.strip()
        score = computed
        if decision.score is not None:
            try:
                score = check_range(to_decimal(decision.score, leaf.name), leaf.points)
            except ValidationError as exc:
                errors.append(f"{leaf.name}: {' '.join(exc.messages)}")
                continue
            if score != computed and not note:
                errors.append(
                    _("%(leaf)s: an override needs a justification.") % {"leaf": leaf.name}
                )
        if flagged and not note:
            errors.append(
                _(
                    "%(leaf)s: the assessors differ by %(spread)s points; record the discussion or a justified override."
                )
                % {"leaf": leaf.name, "spread": spread}
            )
        old = before.get(leaf.pk)
        if (
            disputed is not None
            and leaf.pk not in disputed
            and old is not None
            and score != old.score
            and not decision.reason.strip()
        ):
            errors.append(
                _(
                    "%(leaf)s was not disputed in the appeal; give a reason for changing its score from %(old)s to %(new)s."
                )
                % {"leaf": leaf.name, "old": old.score, "new": score}
            )
        total += score
        leaf_rows.append(
            LeafResult(
                indicator=leaf,
                score=score,
                computed=computed,
                spread=spread,
                flagged=flagged,
                overridden=score != computed,
                note=note,
            )
        )
    if errors:
        raise ValidationError(errors)
    evaluation.results.filter(is_current=True).update(is_current=False)
    result = EvaluationResult.objects.create(
        evaluation=evaluation,
        round=round_,
        total=total,
        grade=grade_for(total),
        method=comparison.method,
        assessor_count=len(comparison.sheets),
        agreement_alpha=comparison.alpha,
        summary=summary.strip(),
        consolidated_by=actor,
    )
    for row in leaf_rows:
        row.result = result
    LeafResult.objects.bulk_create(leaf_rows)
    # Each leaf whose score, note or override changed gets a version in the history.
    reasons = {pk: d.reason.strip() for pk, d in decisions.items()}
    ChangeRecord.objects.bulk_create(
        ChangeRecord(
            evaluation=evaluation,
            kind=ChangeKind.LEAF_DECISION,
            indicator_id=row.indicator_id,
            round=round_,
            before=_leaf_state(before.get(row.indicator_id)),
            after=_leaf_state(row),
            reason=reasons.get(row.indicator_id, ""),
            actor=actor,
        )
        for row in leaf_rows
        if _leaf_state(row) != _leaf_state(before.get(row.indicator_id))
        and (row.note or row.overridden or row.indicator_id in before)
    )
    return result


@transaction.atomic
def evaluation_consolidate(
    *,
    evaluation: Evaluation,
    actor: User,
    decisions: Mapping[int, LeafDecision] | None = None,
    summary: str = "",
) -> EvaluationResult:
    """The lead consolidates the sheets into a result (again, until the bureau confirms it)."""
    locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    refuse_unless(can_consolidate_evaluation(actor, locked))
    if locked.state == EvaluationState.APPEALED:
        raise ActionRefusedError(_("Under appeal the lead re-reviews instead."))
    # Every result is kept: a consolidation after a return is a new round in the history.
    round_ = (locked.results.aggregate(r=Max("round"))["r"] or 0) + 1
    result = _build_result(
        evaluation=locked, actor=actor, decisions=decisions or {}, summary=summary, round_=round_
    )
    run_transition(
        evaluation,
        "consolidate",
        actor=actor,
        total=result.total,
        update_fields=["total_score", "grade"],
        note=_("Total %(total)s") % {"total": result.total},
    )
    return result


def appeal_deadline_from(day: dt.date) -> dt.date:
    """The last day to appeal: ten working days on the official PRC calendar."""
    return add_workdays(day, APPEAL_WORKING_DAYS)


@transaction.atomic
def evaluation_confirm(*, evaluation: Evaluation, actor: User, note: str = "") -> Evaluation:
    """The bureau confirms the current result; the NGO may appeal it within the period."""
    today = timezone.localdate()
    deadline = (
        None if evaluation.state == EvaluationState.RE_REVIEWED else appeal_deadline_from(today)
    )
    confirmed = run_transition(
        evaluation,
        "confirm",
        actor=actor,
        note=note,
        appeal_deadline=deadline,
        update_fields=["confirmed_at", "appeal_deadline"],
    )
    EvaluationResult.objects.filter(evaluation=confirmed, is_current=True).update(
        confirmed_at=confirmed.confirmed_at
    )
    evaluation_confirmed.send(sender=Evaluation, evaluation=confirmed)
    return confirmed


@transaction.atomic
def evaluation_return(*, evaluation: Evaluation, actor: User, note: str) -> Evaluation:
    """The bureau sends a consolidated result back to the lead, saying why."""
    if not note.strip():
        raise ValidationError({"note": _("Say why the result goes back to the lead.")})
    return run_transition(evaluation, "return_for_review", actor=actor, note=note.strip())


@transaction.atomic
def evaluation_appeal(
    *,
    evaluation: Evaluation,
    actor: User,
    reason: str,
    disputed: Iterable[int] = (),
) -> Appeal:
    """申诉: the NGO appeals the confirmed result once, within the appeal period, naming the
    indicators it disputes (the re-review may change only those without a further reason)."""
    allowed = check_transition(evaluation, "appeal", actor)
    refuse_unless(allowed)
    if not reason.strip():
        raise ValidationError({"reason": _("State the grounds of the appeal.")})
    ids = {int(pk) for pk in disputed}
    leaves = list(Indicator.objects.filter(system_id=evaluation.system_id, level=3, pk__in=ids))
    if not ids:
        raise ValidationError({"disputed": _("Name the indicators you dispute.")})
    if len(leaves) != len(ids):
        raise ValidationError(
            {"disputed": _("Only scored (三级) indicators of this evaluation can be disputed.")}
        )
    names = "、".join(leaf.name for leaf in leaves)
    appealed = run_transition(
        evaluation, "appeal", actor=actor, note=f"{reason.strip()}（{names}）"
    )
    appeal = Appeal.objects.create(evaluation=appealed, filed_by=actor, reason=reason.strip())
    appeal.disputed.set(leaves)
    return appeal


@transaction.atomic
def evaluation_re_review(
    *,
    evaluation: Evaluation,
    actor: User,
    response: str,
    decisions: Mapping[int, LeafDecision] | None = None,
    summary: str = "",
) -> EvaluationResult:
    """The lead answers the appeal with a new result; the first result stays in history."""
    if not response.strip():
        raise ValidationError({"response": _("Answer the grounds of the appeal.")})
    locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    refuse_unless(can_consolidate_evaluation(actor, locked))
    if locked.state != EvaluationState.APPEALED:
        raise ActionRefusedError(_("Only an appealed result is re-reviewed."))
    round_ = (locked.results.aggregate(r=Max("round"))["r"] or 0) + 1
    appeal = Appeal.objects.filter(evaluation=locked).first()
    disputed = set(appeal.disputed.values_list("pk", flat=True)) if appeal else set()
    result = _build_result(
        evaluation=locked,
        actor=actor,
        decisions=decisions or {},
        summary=summary,
        round_=round_,
        disputed=disputed,
    )
    run_transition(
        evaluation,
        "re_review",
        actor=actor,
        total=result.total,
        update_fields=["total_score", "grade"],
        note=response.strip(),
    )
    Appeal.objects.filter(evaluation=locked).update(
        response=response.strip(), responded_at=timezone.now()
    )
    return result


@transaction.atomic
def evaluation_publish(*, evaluation: Evaluation, actor: User) -> Evaluation:
    """公开 the confirmed result once the appeal period is over."""
    return run_transition(evaluation, "publish", actor=actor, update_fields=["published_at"])
