"""Documents from sandboxed Jinja2 templates to HTML and PDF with an embedded CJK font.

Bureaus edit their templates, so templates are untrusted: they run in Jinja2's sandbox with
autoescaping and StrictUndefined (a typo is an error, not a blank), and every failure becomes a
ValidationError with a message a bureau officer can act on.

The font is WenQuanYi Micro Hei (TrueType outlines, which reportlab can embed), installed from
PyPI by the project's own dependencies (package paperang-p2-fonts-cjk); reportlab embeds only
the glyphs a document uses, and pypdf can extract the text back out.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from core.money import amount_in_words

FONT_FAMILY = "SansheCJK"

# Layout every template may include as {{ base_css }}; the font itself is always applied.
PDF_BASE_CSS = """
@page { size: a4 portrait; margin: 2cm 1.8cm; }
body { font-size: 10.5pt; line-height: 1.5; }
h1 { font-size: 16pt; text-align: center; }
h2 { font-size: 12.5pt; }
table { width: 100%; border-collapse: collapse; }
th, td { border: 0.5pt solid #555; padding: 3pt 4pt; }
.num { text-align: right; }
"""


@lru_cache(maxsize=1)
def font_path() -> str:
    path = resources.files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"
    return str(path)


@lru_cache(maxsize=1)
def _default_css() -> str:
    """xhtml2pdf's defaults plus the embedded CJK font for every element, whatever the template says."""
    from xhtml2pdf.default import DEFAULT_CSS

    return (
        DEFAULT_CSS
        + f'@font-face {{ font-family: {FONT_FAMILY}; src: url("{font_path()}"); }}\n'
        + f"html, body, div, p, span, td, th, h1, h2, h3, h4, li, strong, b {{ font-family: {FONT_FAMILY}; }}\n"
    )


def _cny(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return f"¥{Decimal(value).quantize(Decimal('0.01')):,.2f}"


def _daxie(value: Any) -> str:
    return amount_in_words(Decimal(value))


def _date(value: Any, fmt: str = "%Y年%m月%d日") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return str(value.strftime(fmt))


@lru_cache(maxsize=1)
def environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters.update({"cny": _cny, "daxie": _daxie, "date": _date})
    env.globals["base_css"] = PDF_BASE_CSS
    return env


def render_html(source: str, context: dict[str, Any]) -> str:
    """Render a bureau template to HTML; template faults become a ValidationError."""
    try:
        return environment().from_string(source).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise ValidationError(
            _("Template syntax error on line %(line)s: %(error)s")
            % {"line": exc.lineno, "error": exc.message}
        ) from exc
    except jinja2.UndefinedError as exc:
        raise ValidationError(
            _("The template uses a field that does not exist: %(error)s") % {"error": exc.message}
        ) from exc
    except SecurityError as exc:
        raise ValidationError(
            _("The template tried something that is not allowed: %(error)s") % {"error": exc}
        ) from exc
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise ValidationError(
            _("The template could not be rendered: %(error)s") % {"error": exc}
        ) from exc


def html_to_pdf(html: str) -> bytes:
    """Convert HTML to PDF with xhtml2pdf, the CJK font embedded as a subset."""
    from xhtml2pdf import pisa

    out = io.BytesIO()
    result = pisa.CreatePDF(html, dest=out, encoding="utf-8", default_css=_default_css())
    if result.err:
        raise ValidationError(_("The document could not be converted to PDF."))
    return out.getvalue()


def render_pdf(source: str, context: dict[str, Any]) -> bytes:
    return html_to_pdf(render_html(source, context))
