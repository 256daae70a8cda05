"""Demo evaluations: the social-work template, one confirmed mid-term result, one in scoring.

Runs after procurement's demo; it looks the contracts up through procurement's selectors and
skips a project whose contract is not there. Everything goes through the services, so the
transition logs are real. Idempotent: an evaluation that exists is left alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from evaluation import computed, participation, services, ties
from evaluation.models import (
    Evaluation,
    EvaluationKind,
    Indicator,
    IndicatorSystem,
    ScoreSheet,
)
from evaluation.records import OrganizationTie, TieKind
from evaluation.services import EntryInput, LeafDecision
from funds.models import Milestone
from procurement.selectors import contract_for_project

ASSESSOR_ORG = "荆楚社会服务绩效评估中心"
LEAD = "assessor_lead"
ASSESSORS = ("assessor2", "assessor3", "assessor4")

# Mid-term inputs of the three assessors per leaf (leaves not listed earn full marks).
MID_TERM: dict[str, tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = {
    "绩效目标明确性": ({"level": "较明确"}, {"level": "较明确"}, {"level": "较明确"}),
    "个案数": ({"actual": "31"}, {"actual": "32"}, {"actual": "30"}),
    "小组数": ({"actual": "8"}, {"actual": "8"}, {"actual": "9"}),
    "社区活动场次": ({"actual": "16"}, {"actual": "16"}, {"actual": "16"}),
    "服务人次": ({"actual": "4100"}, {"actual": "4200"}, {"actual": "4000"}),
    "“四卡一袋”建档完整率": ({"actual": "91"}, {"actual": "90"}, {"actual": "94"}),
    "委托监护责任确认书签订率": ({"actual": "95"}, {"actual": "95"}, {"actual": "95"}),
    "“八个一”落实率": ({"actual": "93"}, {"actual": "96"}, {"actual": "94"}),
    "财务合规": ({"count": "1"}, {"count": "1"}, {"count": "2"}),
    "台账及时录入": ({"count": "2"}, {"count": "2"}, {"count": "2"}),
    "服务按期完成率": ({"actual": "90"}, {"actual": "90"}, {"actual": "90"}),
    "典型案例与宣传报道": ({"actual": "1"}, {"actual": "1"}, {"actual": "2"}),
    "长效机制建立": ({"level": "初步建立"}, {"level": "初步建立"}, {"level": "初步建立"}),
    "专业督导与培训次数": ({"actual": "3"}, {"actual": "3"}, {"actual": "3"}),
    "志愿者参与人次": ({"actual": "120"}, {"actual": "130"}, {"actual": "110"}),
    "满意度调查": ({"actual": "92"}, {"actual": "93"}, {"actual": "91"}),
    "服务对象状况改善": ({"score": "4.5"}, {"score": "4.5"}, {"score": "4.5"}),
}
COMMENTS = {
    "个案数": "期中完成个案31个，进度略慢于合同约定的40个。",
    "“八个一”落实率": "抽查3个村月度关爱记录，落实率在93%至96%之间。",
    "财务合规": "发现1至2笔交通费缺少审批签字。",
}
NOTES = {
    "“八个一”落实率": "评估组讨论：以抽查记录为准，三名评估员意见分歧在95%达标线附近。",
    "典型案例与宣传报道": "评估组讨论：一篇县级媒体报道是否计入存在分歧，按均值计分。",
}


def _full_inputs(leaf: Indicator) -> dict[str, Any]:
    if leaf.method == "rubric":
        return {"score": str(leaf.points)}
    if leaf.method == "ratio":
        return {"actual": leaf.params.get("target", "1"), "target": leaf.params.get("target", "1")}
    if leaf.method == "threshold":
        return {"actual": leaf.params["threshold"]}
    if leaf.method == "deduction":
        return {"count": "0"}
    return {"met": True}


def _sheet_inputs(leaves: list[Indicator], index: int) -> dict[int, EntryInput]:
    entries = {}
    for leaf in leaves:
        given = MID_TERM.get(leaf.name)
        inputs = dict(given[index]) if given else _full_inputs(leaf)
        if leaf.method == "ratio":
            inputs.setdefault("target", leaf.params.get("target", "1"))
        entries[leaf.pk] = EntryInput(inputs=inputs, comment=COMMENTS.get(leaf.name, ""))
    return entries


def _commission(
    ctx: dict[str, Any], key: str, staff: str, kind: str, system: IndicatorSystem
) -> Evaluation | None:
    project = ctx["projects"].get(key)
    contract = contract_for_project(project=project) if project is not None else None
    if contract is None:
        return None
    existing = Evaluation.objects.filter(contract=contract, kind=kind).first()
    if existing is not None:
        return None
    users = ctx["users"]
    milestone = (
        Milestone.objects.filter(contract=contract, is_advance=False, requires_evaluation=True)
        .order_by("sequence")
        .first()
    )
    evaluation = services.evaluation_commission(
        project=project,
        actor=users[staff],
        contract=contract,
        milestone=milestone,
        assessor_org=ctx["orgs"][ASSESSOR_ORG],
        lead=users[LEAD],
        system=system,
        kind=kind,
        due_date=timezone.localdate() + dt.timedelta(days=30),
    )
    assignments = services.assessors_assign(
        evaluation=evaluation, actor=users[LEAD], assessors=[users[u] for u in ASSESSORS]
    )
    for assignment in assignments:
        services.assessor_declare(
            assignment=assignment,
            actor=assignment.assessor,
            conflict=False,
            statement="本人与被评估机构及其投标人无利害关系。",
        )
    return services.evaluation_start_scoring(evaluation=evaluation, actor=users[LEAD])


def _score(evaluation: Evaluation, *, submit: int) -> None:
    leaves = list(
        Indicator.objects.filter(system_id=evaluation.system_id, level=3).order_by("position")
    )
    sheets = list(ScoreSheet.objects.filter(evaluation=evaluation).select_related("assessor"))
    order = {name: i for i, name in enumerate(ASSESSORS)}
    sheets.sort(key=lambda s: order.get(s.assessor.username, 99))
    for index, sheet in enumerate(sheets):
        services.sheet_save(sheet=sheet, actor=sheet.assessor, entries=_sheet_inputs(leaves, index))
        if index < submit:
            services.sheet_submit(sheet=sheet, actor=sheet.assessor)


def load(ctx: dict[str, Any]) -> None:
    """Install the template, then evaluate the demo contracts procurement created."""
    system = services.templates_install()[0]
    users = ctx["users"]
    confirmed = _commission(ctx, "qianjiang", "qj_staff", EvaluationKind.MID_TERM, system)
    if confirmed is not None:
        _score(confirmed, submit=len(ASSESSORS))
        leaves = {i.name: i.pk for i in Indicator.objects.filter(system=system, level=3)}
        services.evaluation_consolidate(
            evaluation=confirmed,
            actor=users[LEAD],
            decisions={leaves[name]: LeafDecision(note=note) for name, note in NOTES.items()},
            summary="期中评估：服务数量进度偏慢，建档和“八个一”需加强；财务管理总体规范。",
        )
        services.evaluation_confirm(evaluation=confirmed, actor=users["qj_staff"])
    for key, staff in (("jianli_home", "jl_staff"), ("jiangling_pilot", "jz_staff")):
        scoring = _commission(ctx, key, staff, EvaluationKind.MID_TERM, system)
        if scoring is not None:
            # Two of three sheets are in; the third assessor is still scoring.
            _score(scoring, submit=2)
            break


# --- evidence: runs after funds and beneficiaries, whose records the figures are computed from


def _self_inputs(leaf: Indicator) -> dict[str, Any]:
    """The NGO rates itself a little higher than the assessors will (as NGOs do)."""
    inputs = _full_inputs(leaf)
    return {k: ("yes" if v is True else v) for k, v in inputs.items()}


def load_evidence(ctx: dict[str, Any]) -> None:
    """A final evaluation of the 潜江 contract: contract targets, the NGO's 自评, a survey of
    served households, a declared tie, and scoring open with the data-driven leaves pre-filled."""
    users, orgs = ctx["users"], ctx["orgs"]
    project = ctx["projects"].get("qianjiang")
    contract = contract_for_project(project=project) if project is not None else None
    if (
        contract is None
        or Evaluation.objects.filter(contract=contract, kind=EvaluationKind.FINAL).exists()
    ):
        return
    staff, lead, ngo = users["qj_staff"], users[LEAD], users["aixin"]
    for measure, value, basis in (
        ("service_person_times", "6000", "合同附件一 服务人次不少于6000"),
        ("case_count", "40", "合同附件一 个案不少于40个"),
        ("volunteer_times", "200", "合同附件一 志愿者参与不少于200人次"),
    ):
        computed.contract_target_set(
            contract=contract, actor=staff, measure=measure, value=value, basis=basis
        )
    assessor_org = orgs[ASSESSOR_ORG]
    other_ngo = next(
        (o for o in orgs.values() if o.kind == "ngo" and o.pk != contract.supplier_id), None
    )
    if other_ngo is not None and not OrganizationTie.objects.filter(other=other_ngo).exists():
        ties.tie_record(
            actor=lead,
            organization=assessor_org,
            other=other_ngo,
            kind=TieKind.PAID_WORK,
            detail="2025年为其开展内部督导培训",
            last_date=timezone.localdate() - dt.timedelta(days=200),
        )
    system = IndicatorSystem.objects.get(code="social-work-children", owner=None)
    evaluation = services.evaluation_commission(
        project=project,
        actor=staff,
        contract=contract,
        assessor_org=assessor_org,
        lead=lead,
        system=system,
        kind=EvaluationKind.FINAL,
        due_date=timezone.localdate() + dt.timedelta(days=45),
        cutoff_date=contract.end_date,  # a final evaluation counts to the end of the term
    )
    leaves = list(Indicator.objects.filter(system=system, level=3).order_by("position"))
    participation.self_evaluation_save(
        evaluation=evaluation,
        actor=ngo,
        entries={leaf.pk: (_self_inputs(leaf), "") for leaf in leaves},
        summary="按合同完成各项服务，个案和服务人次达到进度要求，志愿者队伍稳定。",
        submit=True,
    )
    assignments = services.assessors_assign(
        evaluation=evaluation, actor=lead, assessors=[users[u] for u in ASSESSORS]
    )
    for assignment in assignments:
        services.assessor_declare(
            assignment=assignment,
            actor=assignment.assessor,
            conflict=False,
            statement="本人及所在机构与被评估机构无关联关系。",
        )
    try:
        participation.survey_draw(evaluation=evaluation, actor=lead, size=6)
    except ValidationError:  # a demo without case files simply has no survey
        pass
    else:
        answers = ["very", "satisfied", "satisfied", "neutral", "very"]
        for household, overall in zip(
            evaluation.survey.households.order_by("position"), answers, strict=False
        ):
            participation.survey_answer(
                household=household,
                actor=users[ASSESSORS[0]],
                mode="phone",
                reached=True,
                overall=overall,
                would_recommend=overall != "neutral",
                improvement="希望暑假增加活动" if overall == "neutral" else "",
            )
    services.evaluation_start_scoring(evaluation=evaluation, actor=lead)
