"""Templates render in a sandbox to PDFs whose Chinese text a reader (and pypdf) can get back."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from documents.rendering import render_html, render_pdf
from tests.pdf import pdf_text

SOURCE = (
    "<html><head><style>{{ base_css }}</style></head><body><h1>中标（成交）公告</h1>"
    "<p>{{ project }}</p><p>中标金额：{{ amount|cny }}，大写：{{ amount|daxie }}</p></body></html>"
)


def test_pdf_contains_the_chinese_text_with_an_embedded_font():
    pdf = render_pdf(
        SOURCE,
        {"project": "“携手成长、守护阳光”关爱农村留守儿童保护项目", "amount": Decimal("500000")},
    )
    text = pdf_text(pdf)
    assert "中标（成交）公告" in text
    assert "携手成长、守护阳光" in text
    assert "伍拾万元整" in text
    assert "¥500,000.00" in text
    assert b"/FontFile2" in pdf  # a TrueType font program is embedded, not just named
    assert len(pdf) < 200_000  # a subset, not the whole 5 MB font


def test_autoescape_keeps_markup_out():
    html = render_html("<p>{{ name }}</p>", {"name": "<script>alert(1)</script>"})
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ project", "语法错误"),
        ("{{ projcet }}", "不存在"),
        ("{{ ''.__class__.__mro__ }}", "不允许"),
    ],
)
def test_broken_or_hostile_templates_are_refused_with_a_reason(source, message):
    with pytest.raises(ValidationError) as exc:
        render_html(source, {"project": "x"})
    assert message in exc.value.messages[0]
