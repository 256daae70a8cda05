"""Who may see and act on indicator systems and evaluations. Views, admin and API ask these."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rules.permissions import add_perm

from accounts.models import Role
from core.permissions import ALLOW, Decision, as_predicate, deny
from evaluation.models import (
    NGO_RESULT_STATES,
    RESULT_STATES,
    SHEETS_OPEN_STATES,
    AssessorAssignment,
    AssignmentState,
    Evaluation,
    EvaluationState,
    IndicatorSystem,
    ScoreSheet,
    SheetState,
    SystemState,
)
from procurement.models import Contract

BUREAU_ROLES = (Role.BUREAU_STAFF, Role.BUREAU_FINANCE)
SEES_EVERYTHING = (Role.AUDITOR, Role.ADMIN)


def _active(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _sees_everything(user: Any) -> bool:
    return bool(user.is_superuser or user.role in SEES_EVERYTHING)


# --- indicator systems ------------------------------------------------------------------------


def visible_systems_q(user: Any) -> Q:
    """Methodology is public to every signed-in party once published; drafts to their makers."""
    if not _active(user):
        return Q(pk__in=[])
    if _sees_everything(user) or user.role == Role.ASSESSOR:
        return Q()
    if user.role in BUREAU_ROLES and user.organization_id:
        return Q(state=SystemState.PUBLISHED) | Q(owner_id=user.organization_id)
    return Q(state=SystemState.PUBLISHED)


def can_view_system(user: Any, system: IndicatorSystem) -> Decision:
    if not _active(user):
        return deny(_("Please log in first."))
    if system.state == SystemState.PUBLISHED or _sees_everything(user):
        return ALLOW
    if user.role == Role.ASSESSOR:
        return ALLOW
    if user.role in BUREAU_ROLES and system.owner_id == user.organization_id:
        return ALLOW
    return deny(_("This indicator system is a draft of another organisation."))


def can_create_system(user: Any) -> Decision:
    if not _active(user):
        return deny(_("Please log in first."))
    if user.role != Role.BUREAU_STAFF or not user.organization_id:
        return deny(_("Only bureau staff import indicator systems."))
    return ALLOW


def can_manage_system(user: Any, system: IndicatorSystem) -> Decision:
    """Change, import into or publish a system: its owning bureau's staff (shipped ones: admins)."""
    if not _active(user):
        return deny(_("Please log in first."))
    if system.owner_id is None:
        if user.is_superuser or user.role == Role.ADMIN:
            return ALLOW
        return deny(_("Only administrators maintain the templates shipped with Sanshe."))
    if user.role != Role.BUREAU_STAFF or user.organization_id != system.owner_id:
        return deny(_("Only staff of the owning bureau may change this indicator system."))
    return ALLOW


def can_edit_system(user: Any, system: IndicatorSystem) -> Decision:
    decision = can_manage_system(user, system)
    if not decision:
        return decision
    if system.state != SystemState.DRAFT:
        return deny(_("A published version is frozen; start a new version to change it."))
    return ALLOW


def can_version_system(user: Any, system: IndicatorSystem) -> Decision:
    """Start a new draft version from this one (into the user's own bureau)."""
    decision = can_create_system(user)
    if not decision:
        return decision
    if system.state != SystemState.PUBLISHED:
        return deny(_("Only a published version can be the base of a new version."))
    return ALLOW


# --- evaluations ------------------------------------------------------------------------------


def visible_evaluations_q(user: Any) -> Q:
    """Queryset twin of can_view_evaluation. Joins nothing that repeats an evaluation's row,
    so lists filter by it directly (tests/evaluation/test_list_queries.py)."""
    if not _active(user):
        return Q(pk__in=[])
    if _sees_everything(user):
        return Q()
    if user.role in BUREAU_ROLES and user.organization_id:
        return Q(project__bureau__path__startswith=user.organization.path)
    if user.role == Role.NGO and user.organization_id:
        return Q(contract__supplier_id=user.organization_id)
    if user.role == Role.ASSESSOR:
        # The assignments as a subquery rather than a join: a join multiplies the rows, so every
        # list had to be made distinct by id over all of the centre's evaluations (13 ms a view
        # for a lead of 11,000).
        assigned = AssessorAssignment.objects.filter(
            assessor=user, state__in=[AssignmentState.PENDING, AssignmentState.CLEARED]
        )
        return Q(lead=user) | Q(pk__in=assigned.values("evaluation_id"))
    return Q(pk__in=[])


def _assignment(user: Any, evaluation: Evaluation) -> AssessorAssignment | None:
    return evaluation.assignments.filter(assessor_id=user.pk).first()


def is_lead(user: Any, evaluation: Evaluation) -> bool:
    return bool(_active(user) and evaluation.lead_id == user.pk)


def _is_buyer(user: Any, evaluation: Evaluation) -> bool:
    return bool(
        _active(user)
        and user.role == Role.BUREAU_STAFF
        and user.organization_id == evaluation.project.bureau_id
    )


def can_view_evaluation(user: Any, evaluation: Evaluation) -> Decision:
    if not _active(user):
        return deny(_("Please log in first."))
    if _sees_everything(user):
        return ALLOW
    if user.role in BUREAU_ROLES:
        if user.organization_id and evaluation.project.bureau.is_within(user.organization):
            return ALLOW
        return deny(_("This evaluation belongs to another bureau."))
    if user.role == Role.NGO:
        if user.organization_id == evaluation.contract.supplier_id:
            return ALLOW
        return deny(_("This evaluation concerns another organisation."))
    if user.role == Role.ASSESSOR:
        if is_lead(user, evaluation):
            return ALLOW
        assignment = _assignment(user, evaluation)
        if assignment is not None and assignment.state != AssignmentState.CONFLICTED:
            return ALLOW
        return deny(_("You are not an assessor of this evaluation."))
    return deny(_("You are not involved in this evaluation."))


def can_see_materials(user: Any, evaluation: Evaluation) -> Decision:
    """An assessor sees nothing of the evaluation before declaring no conflict of interest."""
    if user.role == Role.ASSESSOR and not is_lead(user, evaluation):
        assignment = _assignment(user, evaluation)
        if assignment is None or assignment.state != AssignmentState.CLEARED:
            return deny(_("Declare your conflicts of interest first."))
    return can_view_evaluation(user, evaluation)


def can_commission_evaluation(user: Any, project: Any) -> Decision:
    if not _active(user):
        return deny(_("Please log in first."))
    if user.role != Role.BUREAU_STAFF or user.organization_id != project.bureau_id:
        return deny(_("Only staff of the purchasing bureau commission evaluations."))
    return ALLOW


def can_lead_evaluation(user: Any, evaluation: Evaluation) -> Decision:
    if not is_lead(user, evaluation):
        return deny(_("Only the assessor lead of this evaluation may do this."))
    return ALLOW


def can_assign_assessors(user: Any, evaluation: Evaluation) -> Decision:
    decision = can_lead_evaluation(user, evaluation)
    if not decision:
        return decision
    if evaluation.state != EvaluationState.COMMISSIONED:
        return deny(_("Assessors can only be assigned before scoring starts."))
    return ALLOW


def can_declare_interests(user: Any, assignment: AssessorAssignment) -> Decision:
    if not _active(user) or assignment.assessor_id != user.pk:
        return deny(_("Only the assessor concerned makes this declaration."))
    return ALLOW


def can_edit_sheet(user: Any, sheet: ScoreSheet) -> Decision:
    if not _active(user) or sheet.assessor_id != user.pk:
        return deny(_("Only its assessor may fill in a score sheet."))
    if sheet.state != SheetState.DRAFT or sheet.evaluation.state != EvaluationState.SCORING:
        return deny(_("This score sheet has been submitted."))
    return ALLOW


def can_view_sheet(user: Any, sheet: ScoreSheet) -> Decision:
    """Sheets are secret between assessors (and from everyone else) until all are submitted."""
    if _active(user) and sheet.assessor_id == user.pk:
        return ALLOW
    if sheet.evaluation.state not in SHEETS_OPEN_STATES:
        return deny(_("Score sheets stay sealed until every assessor has submitted."))
    if user.role == Role.NGO:
        return deny(_("Individual score sheets are not shown to the evaluated organisation."))
    return can_see_materials(user, sheet.evaluation)


def visible_sheets_q(user: Any) -> Q:
    """Queryset twin of can_view_sheet: one's own sheets, others' only once all are in."""
    if not _active(user) or user.role == Role.NGO:
        return Q(pk__in=[])
    opened = Q(
        evaluation__state__in=SHEETS_OPEN_STATES,
        evaluation__in=Evaluation.objects.filter(visible_evaluations_q(user)).values("pk"),
    )
    return Q(assessor_id=user.pk) | opened


def can_view_comparison(user: Any, evaluation: Evaluation) -> Decision:
    if evaluation.state not in SHEETS_OPEN_STATES:
        return deny(_("Score sheets stay sealed until every assessor has submitted."))
    if _active(user) and user.role == Role.NGO:
        return deny(_("Individual score sheets are not shown to the evaluated organisation."))
    return can_see_materials(user, evaluation)


def can_consolidate_evaluation(user: Any, evaluation: Evaluation) -> Decision:
    decision = can_lead_evaluation(user, evaluation)
    if not decision:
        return decision
    if evaluation.state not in (
        EvaluationState.SUBMITTED,
        EvaluationState.CONSOLIDATED,
        EvaluationState.APPEALED,
    ):
        return deny(_("The result can only be consolidated when every sheet is in."))
    return ALLOW


def can_confirm_evaluation(user: Any, evaluation: Evaluation) -> Decision:
    if not _is_buyer(user, evaluation):
        return deny(_("Only staff of the purchasing bureau confirm evaluation results."))
    return ALLOW


def can_appeal_evaluation(user: Any, evaluation: Evaluation) -> Decision:
    if not (
        _active(user)
        and user.role == Role.NGO
        and user.organization_id == evaluation.contract.supplier_id
    ):
        return deny(_("Only the evaluated organisation may appeal."))
    return ALLOW


def can_view_result(user: Any, evaluation: Evaluation) -> Decision:
    if evaluation.state not in RESULT_STATES:
        return deny(_("There is no consolidated result yet."))
    if _active(user) and user.role == Role.NGO and evaluation.state not in NGO_RESULT_STATES:
        return deny(_("The result is shown once the bureau confirms it."))
    return can_see_materials(user, evaluation)


def can_view_analysis(user: Any) -> Decision:
    if not _active(user):
        return deny(_("Please log in first."))
    if _sees_everything(user) or (user.role in BUREAU_ROLES and user.organization_id):
        return ALLOW
    return deny(_("The analysis is for bureaus and auditors."))


# --- evidence, self-evaluation, survey and ties (one rule per thing) ---------------------------


def assesses_contract(user: Any, contract: Any) -> bool:
    """The user leads, or is a cleared assessor of, an evaluation of this contract."""
    if not _active(user) or user.role != Role.ASSESSOR:
        return False
    return Evaluation.objects.filter(
        Q(lead_id=user.pk)
        | Q(assignments__assessor_id=user.pk, assignments__state=AssignmentState.CLEARED),
        contract_id=contract.pk,
    ).exists()


def assessed_contracts_q(user: Any) -> Any:
    """Ids of the contracts `user` assesses (a subquery), for the funds API's querysets."""
    if not _active(user) or user.role != Role.ASSESSOR:
        return Contract.objects.none().values("pk")
    return Evaluation.objects.filter(
        Q(lead_id=user.pk)
        | Q(assignments__assessor_id=user.pk, assignments__state=AssignmentState.CLEARED)
    ).values("contract_id")


def can_read_contract_evidence(user: Any, contract: Any) -> Decision:
    """Deliverables, service records and case-file counts of a contract, for its assessors.

    Asked by the funds app's permission functions through `funds.gates` (deliverable files, the
    service-record page); only counts ever cross from the case-file register."""
    if assesses_contract(user, contract):
        return ALLOW
    return deny(_("Only the assessors of an evaluation of this contract read its evidence."))


def can_view_evidence(user: Any, evaluation: Evaluation) -> Decision:
    """The evaluation's evidence page: whoever may see its materials, the NGO included."""
    return can_see_materials(user, evaluation)


def can_set_contract_targets(user: Any, contract: Any) -> Decision:
    if not (
        _active(user)
        and user.role == Role.BUREAU_STAFF
        and user.organization_id == contract.project.bureau_id
    ):
        return deny(_("Only staff of the purchasing bureau record the contract's targets."))
    return ALLOW


def can_self_evaluate(user: Any, evaluation: Evaluation) -> Decision:
    """自评: the evaluated NGO, before the assessors start scoring."""
    if not (
        _active(user)
        and user.role == Role.NGO
        and user.organization_id == evaluation.contract.supplier_id
    ):
        return deny(_("Only the evaluated organisation fills in the self-evaluation."))
    if evaluation.state != EvaluationState.COMMISSIONED:
        return deny(_("The self-evaluation closes when the assessors start scoring."))
    return ALLOW


def can_view_self_evaluation(user: Any, evaluation: Evaluation) -> Decision:
    """The NGO always; the assessors, bureau and auditors once it is submitted."""
    if (
        _active(user)
        and user.role == Role.NGO
        and user.organization_id == evaluation.contract.supplier_id
    ):
        return ALLOW
    return can_see_materials(user, evaluation)


def can_draw_survey(user: Any, evaluation: Evaluation) -> Decision:
    decision = can_lead_evaluation(user, evaluation)
    if not decision:
        return decision
    if evaluation.state not in (EvaluationState.COMMISSIONED, EvaluationState.SCORING):
        return deny(_("The survey sample is drawn before scoring ends."))
    return ALLOW


def can_record_survey_answer(user: Any, evaluation: Evaluation) -> Decision:
    """The lead or a cleared assessor enters answers while the sheets are open."""
    if evaluation.state not in (EvaluationState.COMMISSIONED, EvaluationState.SCORING):
        return deny(_("Survey answers are entered before scoring ends."))
    if is_lead(user, evaluation):
        return ALLOW
    if not _active(user) or user.role != Role.ASSESSOR:
        return deny(_("Only the assessors of this evaluation enter survey answers."))
    assignment = _assignment(user, evaluation)
    if assignment is None or assignment.state != AssignmentState.CLEARED:
        return deny(_("Only the assessors of this evaluation enter survey answers."))
    return ALLOW


def can_view_survey(user: Any, evaluation: Evaluation) -> Decision:
    return can_see_materials(user, evaluation)


def can_record_ties(user: Any, organization: Any) -> Decision:
    """An assessor organisation's ties are declared by its own people (or an administrator)."""
    if not _active(user):
        return deny(_("Please log in first."))
    if user.is_superuser or user.role == Role.ADMIN:
        return ALLOW
    if user.role == Role.ASSESSOR and user.organization_id == organization.pk:
        return ALLOW
    return deny(_("Only the assessor organisation itself declares its ties."))


def can_view_ties(user: Any, organization: Any) -> Decision:
    if not _active(user):
        return deny(_("Please log in first."))
    if _sees_everything(user) or user.role in BUREAU_ROLES:
        return ALLOW
    if user.organization_id == organization.pk:
        return ALLOW
    return deny(_("Ties are shown to the organisation, bureaus and auditors."))


def can_view_changes(user: Any, evaluation: Evaluation) -> Decision:
    """The change history: the evaluation's assessors, bureau and auditors (sealed sheets stay
    sealed: selectors.change_history filters them); not the NGO, like the individual sheets."""
    if _active(user) and user.role == Role.NGO:
        return deny(_("Individual score sheets are not shown to the evaluated organisation."))
    return can_see_materials(user, evaluation)


def visible_ties_q(user: Any) -> Q:
    """Queryset twin of can_view_ties."""
    if not _active(user):
        return Q(pk__in=[])
    if _sees_everything(user) or user.role in BUREAU_ROLES:
        return Q()
    return Q(organization_id=user.organization_id)


def can_record_acceptance_opinion(user: Any, milestone: Any) -> Decision:
    if not (
        _active(user)
        and user.role == Role.BUREAU_STAFF
        and user.organization_id == milestone.contract.project.bureau_id
    ):
        return deny(_("Only staff of the purchasing bureau record acceptance."))
    return ALLOW


add_perm("evaluation.view_indicatorsystem", as_predicate(can_view_system))
add_perm("evaluation.change_indicatorsystem", as_predicate(can_edit_system))
add_perm("evaluation.view_evaluation", as_predicate(can_view_evaluation))
add_perm("evaluation.confirm_evaluation", as_predicate(can_confirm_evaluation))
add_perm("evaluation.appeal_evaluation", as_predicate(can_appeal_evaluation))
add_perm("evaluation.view_scoresheet", as_predicate(can_view_sheet))
