"""An assessor scores the demo's final evaluation from the evidence, in a real browser."""

from __future__ import annotations

import pytest

from evaluation.models import Evaluation, EvaluationKind, Indicator
from tests.browser.conftest import go, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_assessor_reads_evidence_and_finds_a_data_driven_leaf_prefilled(page, demo, shot):
    evaluation = Evaluation.objects.get(kind=EvaluationKind.FINAL)
    figure = evaluation.computed.get(measure="service_person_times")
    person_times = Indicator.objects.get(pk=figure.indicator_id)
    cases = evaluation.computed.get(measure="case_count")
    log_in(page, "assessor2")
    page.goto(f"{page.base}/evaluation/{evaluation.pk}/")
    go(page, "a:has-text('佐证')")
    body = page.inner_text("main")
    assert "合同附件一 服务人次不少于6000" in body
    assert "已提交的交付成果" in body and "服务对象档案（仅数量）" in body
    assert "社会组织自评" not in body or "自评总分" in body
    # 持证社工占比 from the demo's workforce register: 3 certified of the 5 employed.
    assert "持证社工占比" in body and "60.0" in body
    shot(page, "evaluation-evidence")
    # The service records behind the figure open for the assessor (no 404).
    go(page, "a:has-text('全部服务记录')")
    assert "服务台账" in page.inner_text("main")
    page.go_back()

    page.goto(f"{page.base}/evaluation/{evaluation.pk}/sheet/")
    actual = page.locator(f"input[name='leaf-{person_times.pk}-actual']")
    assert actual.input_value() == format(figure.value.normalize(), "f")
    assert page.locator(f"input[name='leaf-{person_times.pk}-target']").input_value() == "6000"
    assert "系统计算值" in page.locator(f".figure[data-leaf='{person_times.pk}']").inner_text()
    shot(page, "evaluation-sheet-prefilled")

    # Departing from the computed 个案数 without a reason is refused, naming the leaf.
    page.fill(f"input[name='leaf-{cases.indicator_id}-actual']", "41")
    go(page, "button[name=save]")
    assert "个案数" in page.inner_text(".messages")
    page.fill(f"input[name='leaf-{cases.indicator_id}-actual']", "41")
    page.fill(
        f"textarea[name='leaf-{cases.indicator_id}-adjust_reason']", "抽查个案档案41份，台账漏录"
    )
    go(page, "button[name=save]")
    assert "草稿已保存" in page.inner_text(".messages")
    entry = evaluation.sheets.get(assessor__username="assessor2").entries.get(
        indicator_id=cases.indicator_id
    )
    assert entry.inputs["actual"] == "41" and entry.adjust_reason == "抽查个案档案41份，台账漏录"
