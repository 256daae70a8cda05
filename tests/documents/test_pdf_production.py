"""PDFs as production prints them: the vendored font embedded, Chinese wrapped inside A4, and a
bureau's template confined (no files, no network) and bounded (time, size, depth)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from documents import registry
from documents.rendering import FONT_PATH, render_html, render_pdf
from tests.pdf import pdf_text

A4_WIDTH = 595.28
RIGHT_MARGIN = 51.02  # 1.8 cm, PDF_BASE_CSS's @page margin
CJK = re.compile(r"[\u4e00-\u9fff]")


def _lengthen(value: Any) -> Any:
    """Every Chinese string three times as long: names and clauses as long as real ones get."""
    if isinstance(value, str):
        return value * 3 if CJK.search(value) else value
    if isinstance(value, SimpleNamespace):
        return SimpleNamespace(**{k: _lengthen(v) for k, v in vars(value).items()})
    if isinstance(value, dict):
        return {k: _lengthen(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_lengthen(v) for v in value)
    return value


def _words(pdf: bytes, tmp_path) -> list[tuple[int, float, float, str]]:
    """(page, xMax, page width, text) of every word poppler finds."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    xml = subprocess.run(  # noqa: S603 - fixed argv, our own file
        [shutil.which("pdftotext") or "pdftotext", "-bbox", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    words = []
    for page_no, page in enumerate(re.findall(r"<page (.*?)</page>", xml, re.S), start=1):
        width = float(re.search(r'width="([\d.]+)"', page).group(1))
        for x_max, text in re.findall(
            r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>', page
        ):
            words.append((page_no, float(x_max), width, text))
    return words


needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="pdftotext (Debian package poppler-utils) is needed to measure text positions",
)


@needs_poppler
@pytest.mark.parametrize("key", [k.key for k in registry.all_kinds()])
@pytest.mark.parametrize("stretch", [False, True], ids=["sample", "long-names"])
def test_every_shipped_template_stays_inside_the_a4_right_margin(key, stretch, tmp_path):
    kind = registry.get(key)
    context = kind.sample_context()
    pdf = render_pdf(kind.default_source(), _lengthen(context) if stretch else context)
    words = _words(pdf, tmp_path)
    assert words, "no text found"
    assert all(abs(width - A4_WIDTH) < 1 for _, _, width, _ in words)  # A4 portrait
    overflow = [(p, x, t) for p, x, _, t in words if x > A4_WIDTH - RIGHT_MARGIN + 1]
    assert overflow == []


@needs_poppler
def test_a_long_clause_and_a_long_table_cell_wrap(tmp_path):
    clause = "乙方未按本合同约定提供服务或者服务数量质量不符合约定的甲方有权要求其限期整改" * 6
    source = (
        "<html><head><style>{{ base_css }}</style></head><body><p>{{ clause }}</p>"
        "<table><tr><td>{{ name }}</td><td class='num'>{{ amount|cny }}</td></tr></table></body></html>"
    )
    name = "湖北省潜江市熊口镇关爱农村留守儿童与困境儿童社会工作服务中心" * 3
    pdf = render_pdf(source, {"clause": clause, "name": name, "amount": Decimal("468000")})
    words = _words(pdf, tmp_path)
    assert max(x for _, x, _, _ in words) <= A4_WIDTH - RIGHT_MARGIN + 1
    lines = "".join(t for *_, t in words)
    assert clause in lines and name in lines  # wrapped, nothing dropped
    assert len(words) > 8  # really on several lines


def test_the_vendored_font_is_embedded_and_the_text_and_daxie_come_back(tmp_path, monkeypatch):
    # Rendered from an unrelated working directory, as gunicorn under systemd runs it: the font
    # is found by its package path, not relative to the checkout.
    monkeypatch.chdir(tmp_path)
    kind = registry.get("payment_voucher")
    pdf = render_pdf(kind.default_source(), kind.sample_context())
    reader = PdfReader(io.BytesIO(pdf))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts") or [font]
            for d in descendants:
                descriptor = d.get_object().get("/FontDescriptor")
                fonts[str(font["/BaseFont"])] = descriptor.get_object() if descriptor else None
    cjk = [d for name, d in fonts.items() if "WenQuanYi" in name or "Sanshe" in name.title()]
    assert cjk and all(d is not None and "/FontFile2" in d for d in cjk), fonts
    text = "".join(pdf_text(pdf).split())
    assert "支付凭证" in text
    assert "人民币壹拾柒万贰仟零捌拾元整" in text
    assert FONT_PATH.is_file() and (FONT_PATH.parent / "LICENSE-Apache-2.0.txt").is_file()


@pytest.mark.parametrize(
    "snippet",
    [
        '<img src="/etc/passwd"/>',
        '<img src="{media}/evidence/scan.png"/>',
        '<img src="media/evidence/scan.png"/>',
        '<img src="http://169.254.169.254/latest/meta-data/"/>',
        '<style>@import url("{media}/evidence/style.css");</style>',
        '<style>@font-face {{ font-family: X; src: url("{media}/evidence/font.ttf"); }}</style>',
        '<link rel="stylesheet" href="file:///etc/hostname"/>',
    ],
)
def test_a_template_cannot_embed_files_or_addresses(snippet, settings, tmp_path, monkeypatch):
    media = tmp_path / "media"
    (media / "evidence").mkdir(parents=True)
    from PIL import Image

    Image.new("RGB", (20, 20), "red").save(media / "evidence" / "scan.png")
    (media / "evidence" / "style.css").write_text("p { color: red }")
    shutil.copy(FONT_PATH, media / "evidence" / "font.ttf")
    settings.MEDIA_ROOT = media
    monkeypatch.chdir(tmp_path)  # media under the working directory, as in a checkout
    source = "<html><body>" + snippet.format(media=media) + "<p>中标公告</p></body></html>"
    with pytest.raises(ValidationError) as exc:
        render_pdf(source, {})
    assert "只能使用内置字体" in exc.value.messages[0]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(1) }}", "调用自身"),
        ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "秒"),
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}{{ j }}{% endfor %}{% endfor %}",
            "",
        ),
        ("{{ '合同' * 100000000 }}", "字符"),
        ("{{ 9 ** 99999999 }}", "字符"),
    ],
)
def test_runaway_templates_are_stopped_with_a_reason(source, message, settings):
    import time

    settings.SANSHE_TEMPLATE_RENDER_SECONDS = 1
    started = time.monotonic()
    with pytest.raises(ValidationError) as exc:
        render_html(source, {})
    assert time.monotonic() - started < 5
    assert message in exc.value.messages[0]
    assert "停止" in exc.value.messages[0]


def test_a_pathologically_nested_document_is_refused_not_a_500():
    with pytest.raises(ValidationError) as exc:
        render_pdf("<div>" * 3000 + "深" + "</div>" * 3000, {})
    assert "停止" in exc.value.messages[0]
