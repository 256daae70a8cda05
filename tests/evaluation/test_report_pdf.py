"""The evaluation report PDF carries the scores, grade, chart rows, agreement and rectification list in Chinese."""

import pytest
from django.urls import reverse

from evaluation import services
from tests.evaluation.conftest import fill_and_submit, full_marks, to_scoring
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db


def test_report_pdf_contains_the_chinese_text(cast, login):
    sheets = [
        full_marks(个案数="16", 满意度调查="20"),
        full_marks(个案数="16", 满意度调查="20"),
        full_marks(个案数="17", 满意度调查="20"),
    ]
    evaluation = fill_and_submit(to_scoring(cast), sheets)
    services.evaluation_consolidate(
        evaluation=evaluation, actor=cast.lead, summary="个案服务进度偏慢，需加强个案管理"
    )
    services.evaluation_confirm(evaluation=evaluation, actor=cast.staff)
    response = login(cast.ngo).get(reverse("evaluation:report", args=[evaluation.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(pdf_text(response.content).split())
    for expected in (
        "绩效评价报告",
        cast.contract.project.title,
        "86.33",  # 100 - (20 - 16.33) - 10
        "良",
        "整改清单",
        "满意度调查",
        "个案数",
        "个案服务进度偏慢",
        "Krippendorff",
        "产出",
        "效益",
    ):
        assert "".join(expected.split()) in text, expected


def test_the_registered_template_renders_its_sample_for_bureau_edits():
    from documents.registry import get
    from documents.rendering import render_pdf

    kind = get("evaluation_report")
    text = "".join(pdf_text(render_pdf(kind.default_source(), kind.sample_context())).split())
    assert "整改清单" in text and "84.50" in text
