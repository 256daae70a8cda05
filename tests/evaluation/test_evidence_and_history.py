"""Assessors score from evidence: targets from the contract, figures computed from Sanshe's own
records (adjustable only with a reason), deliverables, service records and case-file counts
through the permission functions; every version kept; an appeal names what it disputes."""

import datetime as dt
from decimal import Decimal as Dec

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import AppendOnlyError, TransitionLog
from evaluation import computed, services
from evaluation.models import EvaluationState, Indicator, ScoreEntry, ScoreSheet
from evaluation.records import ChangeKind, ChangeRecord, ComputedIndicator, ContractTarget
from evaluation.services import EntryInput, LeafDecision
from funds.models import Deliverable, ServiceRecord
from tests.evaluation.conftest import commission, fill_and_submit, full_marks, to_scoring
from tests.factories.accounts import AssessorFactory, AuditorFactory, NgoUserFactory
from tests.factories.beneficiaries import BeneficiaryFactory
from tests.factories.evaluation import SMALL_TREE, IndicatorSystemFactory
from tests.factories.funds import MilestoneFactory

pytestmark = pytest.mark.django_db

# The small tree with 个案数 computed from the service records (target from the contract).
DATA_TREE = [
    dict(row, params="target=40; measure=case_count") if row["path"].endswith("个案数") else row
    for row in SMALL_TREE
]


def _records(contract, n_case: int, day: dt.date) -> None:
    for i in range(n_case):
        ServiceRecord.objects.create(
            contract=contract,
            date=day,
            place="渔洋镇",
            service_type="case",
            beneficiary_category="left_behind_child",
            beneficiary_count=1,
            hours=Dec("1.5"),
            social_worker=f"社工{i}",
        )


@pytest.fixture
def data_cast(cast):
    cast.system = IndicatorSystemFactory(rows=DATA_TREE)
    return cast


def _leaf(evaluation, name):
    return Indicator.objects.get(system=evaluation.system, name=name)


def test_data_driven_leaf_is_prefilled_from_records_as_at_cutoff_with_contract_target(data_cast):
    cast = data_cast
    cutoff = dt.date.today() - dt.timedelta(days=10)
    _records(cast.contract, 24, cutoff - dt.timedelta(days=1))
    _records(cast.contract, 5, cutoff + dt.timedelta(days=1))  # after the cut-off: not counted
    computed.contract_target_set(
        contract=cast.contract, actor=cast.staff, measure="case_count", value="30", basis="第三条"
    )
    evaluation = to_scoring(cast, cutoff_date=cutoff)
    leaf = _leaf(evaluation, "个案数")
    figure = ComputedIndicator.objects.get(evaluation=evaluation, indicator=leaf)
    assert (figure.value, figure.target) == (Dec("24.00"), Dec("30.00"))
    assert cast.contract.number in figure.target_source and "第三条" in figure.target_source
    assert cutoff.isoformat() in figure.how
    for entry in ScoreEntry.objects.filter(sheet__evaluation=evaluation, indicator=leaf):
        assert entry.inputs == {"actual": "24", "target": "30"}
        assert entry.score == Dec("16.00")  # 24 ÷ 30 × 20
    assert TransitionLog.objects.filter(transition="set_evaluation_target").exists()


def test_adjusting_a_computed_figure_needs_a_reason_shown_in_the_comparison(data_cast, login):
    cast = data_cast
    _records(cast.contract, 24, dt.date.today() - dt.timedelta(days=1))
    evaluation = to_scoring(cast)
    leaf = _leaf(evaluation, "个案数")
    sheet = ScoreSheet.objects.filter(evaluation=evaluation).order_by("id").first()
    with pytest.raises(ValidationError, match="个案数"):
        services.sheet_save(
            sheet=sheet,
            actor=sheet.assessor,
            entries={leaf.pk: EntryInput(inputs={"actual": "26", "target": "40"})},
        )
    services.sheet_save(
        sheet=sheet,
        actor=sheet.assessor,
        entries={
            leaf.pk: EntryInput(
                inputs={"actual": "26", "target": "40"}, adjust_reason="2个转介个案台账漏录"
            )
        },
    )
    entry = ScoreEntry.objects.get(sheet=sheet, indicator=leaf)
    assert (entry.score, entry.adjust_reason) == (Dec("13.00"), "2个转介个案台账漏录")
    change = ChangeRecord.objects.get(sheet=sheet, indicator=leaf)
    assert change.before["inputs"] == {"actual": "24", "target": "40"}
    assert change.reason == "2个转介个案台账漏录" and change.actor == sheet.assessor
    # The sheet page shows the figure and how it was computed.
    page = login(sheet.assessor).get(reverse("evaluation:sheet", args=[evaluation.pk]))
    assert "24.00" in page.content.decode() and "adjust_reason" in page.content.decode()
    # Fill the rest, submit all: the comparison shows the adjustment and its reason.
    scores = full_marks()
    scores.pop("个案数")
    fill_and_submit(evaluation, [scores] * 3)
    body = login(cast.lead).get(reverse("evaluation:comparison", args=[evaluation.pk]))
    assert "2个转介个案台账漏录" in body.content.decode()


def test_no_source_means_no_data_not_a_number(cast):
    cast.system = IndicatorSystemFactory(
        rows=[
            dict(row, params="target=200; measure=volunteer_times")
            if row["path"].endswith("个案数")
            else row
            for row in SMALL_TREE
        ]
    )
    evaluation = to_scoring(cast)
    figure = ComputedIndicator.objects.get(evaluation=evaluation)
    assert figure.value is None and not figure.has_data
    entry = ScoreEntry.objects.filter(sheet__evaluation=evaluation, indicator=figure.indicator)
    assert all(e.inputs == {} and e.score is None for e in entry)


def test_assessors_read_deliverables_service_records_and_counts_not_names(cast, login):
    milestone = MilestoneFactory(contract=cast.contract)
    deliverable = Deliverable.objects.create(
        milestone=milestone,
        title="中期服务报告",
        file=SimpleUploadedFile("report.pdf", b"%PDF-1.4 report"),
        submitted_by=cast.ngo,
    )
    _records(cast.contract, 3, dt.date.today() - dt.timedelta(days=1))
    child = BeneficiaryFactory(
        organization=cast.contract.supplier, contract=cast.contract, name="王小明"
    )
    evaluation = to_scoring(cast, milestone=milestone)
    assessor = cast.assessors[0]
    stranger = AssessorFactory(organization=cast.assessor_org)
    records = reverse("funds:service_records", args=[cast.contract.pk])
    file_url = reverse("funds:deliverable_file", args=[deliverable.pk])
    evidence = reverse("evaluation:evidence", args=[evaluation.pk])
    # Role matrix: assigned assessors and lead read; an assessor of the same organisation who is
    # not on the evaluation, and another NGO, get 404.
    for user, code in [
        (assessor, 200),
        (cast.lead, 200),
        (cast.staff, 200),
        (cast.ngo, 200),
        (AuditorFactory(), 200),
        (stranger, 404),
        (NgoUserFactory(), 404),
    ]:
        assert login(user).get(records).status_code == code, user
        # A protected file answers 403 to a reader without the right (core.files).
        assert login(user).get(file_url).status_code == (code if code == 200 else 403), user
    page = login(assessor).get(evidence)
    body = page.content.decode()
    assert page.status_code == 200
    assert "中期服务报告" in body and file_url in body and records in body
    assert "王小明" not in body and child.id_number not in body
    assert login(stranger).get(evidence).status_code == 404
    assert login(NgoUserFactory()).get(evidence).status_code == 404
    # The service records' page shows no names either, and no import form to an assessor.
    body = login(assessor).get(records).content.decode()
    assert "王小明" not in body and 'name="file"' not in body
    assert login(assessor).post(records, {"single": "1"}).status_code == 403
    # The API lists the contract's service records for the assessor, nothing for a stranger.
    client = APIClient()
    client.force_authenticate(assessor)
    listed = client.get("/api/v1/service-records/", {"contract": cast.contract.pk})
    assert listed.status_code == 200 and listed.data["count"] == 3
    client.force_authenticate(stranger)
    assert client.get("/api/v1/service-records/").data["count"] == 0


def test_return_starts_from_previous_notes_and_overrides_and_keeps_every_version(cast, login):
    evaluation = fill_and_submit(to_scoring(cast), [full_marks(个案数="16")] * 3)
    leaf = _leaf(evaluation, "个案数")
    services.evaluation_consolidate(
        evaluation=evaluation,
        actor=cast.lead,
        decisions={leaf.pk: LeafDecision(note="核实转介个案2个", score=Dec("18"))},
    )
    services.evaluation_return(evaluation=evaluation, actor=cast.staff, note="请补充满意度佐证")
    # The comparison page offers the previous note and override.
    page = login(cast.lead).get(reverse("evaluation:comparison", args=[evaluation.pk]))
    row = next(r for r in page.context["rows"] if r["leaf"].pk == leaf.pk)
    assert (row["note"], row["override"]) == ("核实转介个案2个", "18.00")
    # Consolidating again without touching the leaf keeps them.
    result = services.evaluation_consolidate(evaluation=evaluation, actor=cast.lead)
    kept = result.leaves.get(indicator=leaf)
    assert (kept.score, kept.note, kept.overridden) == (Dec("18.00"), "核实转介个案2个", True)
    assert [r.round for r in evaluation.results.order_by("round")] == [1, 2]
    changes = ChangeRecord.objects.filter(evaluation=evaluation, kind=ChangeKind.LEAF_DECISION)
    assert [(c.round, c.after["score"]) for c in changes] == [(1, "18.00")]
    with pytest.raises(AppendOnlyError):
        changes.first().delete()
    with pytest.raises(AppendOnlyError):
        changes.update(reason="x")
    history = login(cast.lead).get(reverse("evaluation:changes", args=[evaluation.pk]))
    assert history.status_code == 200 and "核实转介个案2个" in history.content.decode()
    assert (
        login(cast.ngo).get(reverse("evaluation:changes", args=[evaluation.pk])).status_code == 403
    )


def test_re_review_changes_only_disputed_leaves_unless_a_reason_is_given(cast, monkeypatch):
    evaluation = fill_and_submit(to_scoring(cast), [full_marks(个案数="16", 满意度调查="20")] * 3)
    cases, satisfaction = _leaf(evaluation, "个案数"), _leaf(evaluation, "满意度调查")
    services.evaluation_consolidate(
        evaluation=evaluation,
        actor=cast.lead,
        decisions={satisfaction.pk: LeafDecision(note="问卷回收率低，下调", score=Dec("15"))},
    )
    services.evaluation_confirm(evaluation=evaluation, actor=cast.staff)
    with pytest.raises(ValidationError, match=r"dispute|异议|申诉"):
        services.evaluation_appeal(evaluation=evaluation, actor=cast.ngo, reason="不服")
    services.evaluation_appeal(
        evaluation=evaluation, actor=cast.ngo, reason="转介个案未计入", disputed=[cases.pk]
    )
    # The previous override on 满意度调查 (15) is kept although the lead only touches 个案数.
    result = services.evaluation_re_review(
        evaluation=evaluation,
        actor=cast.lead,
        response="申诉成立",
        decisions={cases.pk: LeafDecision(note="核实后计入", score=Dec("18"))},
    )
    assert result.leaves.get(indicator=satisfaction).score == Dec("15.00")
    assert result.total == Dec("18") + Dec("15") + Dec("20") + Dec("20") + Dec("10")
    evaluation.refresh_from_db()
    assert evaluation.state == EvaluationState.RE_REVIEWED


def test_re_review_of_an_undisputed_leaf_needs_a_reason(cast):
    evaluation = fill_and_submit(to_scoring(cast), [full_marks(个案数="16")] * 3)
    cases, finance = _leaf(evaluation, "个案数"), _leaf(evaluation, "财务合规")
    services.evaluation_consolidate(evaluation=evaluation, actor=cast.lead)
    services.evaluation_confirm(evaluation=evaluation, actor=cast.staff)
    services.evaluation_appeal(
        evaluation=evaluation, actor=cast.ngo, reason="个案数", disputed=[cases.pk]
    )
    with pytest.raises(ValidationError, match="财务合规"):
        services.evaluation_re_review(
            evaluation=evaluation,
            actor=cast.lead,
            response="复核",
            decisions={finance.pk: LeafDecision(note="补查发现问题", score=Dec("16"))},
        )
    result = services.evaluation_re_review(
        evaluation=evaluation,
        actor=cast.lead,
        response="复核",
        decisions={
            finance.pk: LeafDecision(
                note="补查发现问题", score=Dec("16"), reason="复核中发现两笔无票据支出"
            )
        },
    )
    assert result.leaves.get(indicator=finance).score == Dec("16.00")
    change = ChangeRecord.objects.get(evaluation=evaluation, indicator=finance, round=2)
    assert change.reason == "复核中发现两笔无票据支出" and change.actor == cast.lead


def test_sheet_history_of_others_stays_sealed_while_scoring(cast, login):
    evaluation = to_scoring(cast)
    leaf = _leaf(evaluation, "财务合规")
    first, second = ScoreSheet.objects.filter(evaluation=evaluation).order_by("id")[:2]
    services.sheet_save(
        sheet=first, actor=first.assessor, entries={leaf.pk: EntryInput(inputs={"count": "3"})}
    )
    page = login(second.assessor).get(reverse("evaluation:changes", args=[evaluation.pk]))
    assert page.status_code == 200 and list(page.context["changes"]) == []
    page = login(first.assessor).get(reverse("evaluation:changes", args=[evaluation.pk]))
    assert len(page.context["changes"]) == 1


def test_commission_date_cutoff_defaults_to_milestone_due_date(cast):
    milestone = MilestoneFactory(contract=cast.contract)
    evaluation = commission(cast, milestone=milestone)
    assert evaluation.as_of() == milestone.due_date
    assert ContractTarget.objects.count() == 0


def test_report_sets_self_score_against_assessed_and_shows_computed_figures(data_cast):
    from evaluation import participation
    from evaluation.report import render_report, report_context
    from tests.pdf import pdf_text

    cast = data_cast
    _records(cast.contract, 24, dt.date.today() - dt.timedelta(days=1))
    evaluation = commission(cast)
    leaves = Indicator.objects.filter(system=evaluation.system, level=3)
    participation.self_evaluation_save(
        evaluation=evaluation,
        actor=cast.ngo,
        entries={
            leaf.pk: (
                {"score": str(leaf.points), "actual": "40", "target": "40", "count": "0"}
                | {"met": "yes", "actual": "40" if leaf.method == "ratio" else "24"},
                "",
            )
            for leaf in leaves
        },
        submit=True,
    )
    for a in services.assessors_assign(
        evaluation=evaluation, actor=cast.lead, assessors=cast.assessors[:3]
    ):
        services.assessor_declare(assignment=a, actor=a.assessor, conflict=False)
    services.evaluation_start_scoring(evaluation=evaluation, actor=cast.lead)
    scores = full_marks()
    scores.pop("个案数")
    fill_and_submit(evaluation, [scores] * 3)
    result = services.evaluation_consolidate(evaluation=evaluation, actor=cast.lead)
    context = report_context(evaluation, result)
    cases = next(r for r in context["rows"] if r["name"] == "个案数")
    assert (cases["self_score"], cases["score"]) == ("20.00", "12.00")  # 24 ÷ 40 × 20
    assert context["figures"][0]["value"] == "24.00" and "24" in context["figures"][0]["how"]
    text = "".join(pdf_text(render_report(evaluation)).split())
    assert "自评" in text and "根据系统记录计算的指标" in text
