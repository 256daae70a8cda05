"""Documents from sandboxed Jinja2 templates to HTML and PDF with an embedded CJK font.

Bureaus edit their templates, so templates are untrusted input to two engines:

- Jinja2 runs them in its sandbox with autoescaping and StrictUndefined (a typo is an error,
  not a blank), bounded in time, output size and call depth (`_Budget`), so a loop or a
  recursive macro is refused in seconds instead of holding a worker or ending in a 500;
- xhtml2pdf turns the HTML into a PDF under an explicit resource policy: local reads only from
  the font directory, no network, a render deadline and depth limit; a template that points at
  any other file or URL (an uploaded bid, /etc/passwd, a metadata address) is refused by name.

The font is WenQuanYi Micro Hei (Apache-2.0, or GPL-3+ with the font-embedding exception),
vendored in documents/fonts/ as a TrueType subset with its licence, so it is found wherever the
package is installed; reportlab embeds only the glyphs a document uses. Every element wraps
Chinese text between any two characters (-pdf-word-wrap: CJK): a long 甲方 name or a payment
clause wraps inside its line or table cell instead of running off the page.
"""

from __future__ import annotations

import datetime as dt
import io
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from core.money import amount_in_words

FONT_FAMILY = "SansheCJK"
FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_PATH = FONT_DIR / "wqy-microhei-subset.ttf"

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

# Limits for a bureau's template; settings may lower them (tests do) or raise them.
RENDER_SECONDS = 10.0
PDF_SECONDS = 60.0
MAX_HTML_CHARS = 2_000_000
MAX_CALL_DEPTH = 60
MAX_SEQUENCE = 200_000


def font_path() -> str:
    return str(FONT_PATH)


@lru_cache(maxsize=1)
def _default_css() -> str:
    """xhtml2pdf's defaults plus the embedded CJK font and CJK wrapping for every element."""
    from xhtml2pdf.default import DEFAULT_CSS  # late: heavy, loaded on first PDF

    return (
        DEFAULT_CSS
        + f'@font-face {{ font-family: {FONT_FAMILY}; src: url("{font_path()}"); }}\n'
        + f"html, body, div, p, span, td, th, h1, h2, h3, h4, li, strong, b {{ font-family: {FONT_FAMILY}; }}\n"
        + "html, body, div, p, span, td, th, h1, h2, h3, h4, h5, h6, li, strong, b, em, i, a"
        " { -pdf-word-wrap: CJK; }\n"
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


class RenderLimitError(Exception):
    """A template went past a time, size or depth limit."""


@dataclass
class _Budget:
    deadline: float
    depth: int = 0
    max_depth: int = MAX_CALL_DEPTH

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise RenderLimitError("time")


_budget: ContextVar[_Budget | None] = ContextVar("sanshe_template_budget", default=None)


def _tick() -> None:
    budget = _budget.get()
    if budget is not None:
        budget.tick()


def _bounded_range(*args: int) -> Iterator[int]:
    # The sandbox caps one range at 100,000 items; nested loops still multiply, so each step
    # checks the clock.
    if len(range(*args)) > MAX_SEQUENCE:
        raise RenderLimitError("size")
    for i in range(*args):
        _tick()
        yield i


class _BoundedSandbox(SandboxedEnvironment):
    """Jinja's sandbox, with every call, loop step and `*`/`**`/`+` checked against a budget."""

    intercepted_binops = frozenset({"*", "**", "+"})

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        budget = _budget.get()
        if budget is None:
            return super().call(__context, __obj, *args, **kwargs)
        budget.tick()
        budget.depth += 1
        try:
            if budget.depth > budget.max_depth:
                raise RenderLimitError("depth")
            return super().call(__context, __obj, *args, **kwargs)
        finally:
            budget.depth -= 1

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _tick()
        if operator == "**" and isinstance(right, int | float) and abs(right) > 100:
            raise RenderLimitError("size")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                sized = isinstance(seq, str | list | tuple) and isinstance(n, int)
                if sized and len(seq) * n > MAX_HTML_CHARS:
                    raise RenderLimitError("size")
        return super().call_binop(context, operator, left, right)


@lru_cache(maxsize=1)
def environment() -> SandboxedEnvironment:
    env = _BoundedSandbox(autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters.update({"cny": _cny, "daxie": _daxie, "date": _date})
    env.globals["base_css"] = PDF_BASE_CSS
    env.globals["range"] = _bounded_range
    return env


def _limit(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def _limit_message(kind: str) -> str:
    if kind == "time":
        return _(
            "The template took longer than %(seconds)s seconds to render and was stopped;"
            " check it for loops that never end."
        ) % {"seconds": int(_limit("SANSHE_TEMPLATE_RENDER_SECONDS", RENDER_SECONDS))}
    if kind == "depth":
        return _(
            "The template calls its macros more than %(depth)s levels deep and was stopped;"
            " check it for a macro that calls itself."
        ) % {"depth": MAX_CALL_DEPTH}
    return _(
        "The template produces more than %(chars)s characters and was stopped;"
        " a document is never that long."
    ) % {"chars": f"{MAX_HTML_CHARS:,}"}


def render_html(source: str, context: dict[str, Any]) -> str:
    """Render a bureau template to HTML; faults and runaway templates become a ValidationError."""
    seconds = _limit("SANSHE_TEMPLATE_RENDER_SECONDS", RENDER_SECONDS)
    token = _budget.set(_Budget(deadline=time.monotonic() + seconds))
    try:
        template = environment().from_string(source)
        parts: list[str] = []
        size = 0
        for chunk in template.generate(**context):
            size += len(chunk)
            if size > MAX_HTML_CHARS:
                raise RenderLimitError("size")
            _tick()
            parts.append(chunk)
        return "".join(parts)
    except RenderLimitError as exc:
        raise ValidationError(_limit_message(str(exc))) from exc
    except RecursionError as exc:
        raise ValidationError(_limit_message("depth")) from exc
    except MemoryError as exc:
        raise ValidationError(_limit_message("size")) from exc
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
    except (TypeError, ValueError, ArithmeticError, OverflowError) as exc:
        raise ValidationError(
            _("The template could not be rendered: %(error)s") % {"error": exc}
        ) from exc
    finally:
        _budget.reset(token)


@dataclass
class _Resources:
    """xhtml2pdf's link_callback: the vendored font resolves, every other reference is noted."""

    refused: list[str] = field(default_factory=list)

    def __call__(self, uri: Any, rel: Any) -> str:
        text = str(uri or "")
        try:
            if Path(text).resolve() == FONT_PATH:
                return str(FONT_PATH)
        except (OSError, ValueError):
            pass
        self.refused.append(text[:120])
        # An empty inline resource: nothing is read, and the render is refused afterwards.
        return "data:text/plain;base64,"


def _policy() -> Any:
    from xhtml2pdf.config.resources import ResourceAccessPolicy  # late: heavy, loaded on first PDF

    # Local reads confined to the font directory, no network at all; the render itself bounded.
    return ResourceAccessPolicy.server(
        base_dir=None,
        extra_roots=(FONT_DIR,),
        allow_remote=False,
        max_render_seconds=_limit("SANSHE_PDF_RENDER_SECONDS", PDF_SECONDS),
        max_document_bytes=MAX_HTML_CHARS * 4,
        max_depth=100,
    )


def html_to_pdf(html: str) -> bytes:
    """Convert HTML to PDF with xhtml2pdf, the CJK font embedded as a subset."""
    # late: heavy, loaded on first PDF
    from xhtml2pdf import pisa
    from xhtml2pdf.config.resources import RenderLimitError as PdfLimitError

    out = io.BytesIO()
    resources = _Resources()
    try:
        result = pisa.CreatePDF(
            html,
            dest=out,
            encoding="utf-8",
            default_css=_default_css(),
            link_callback=resources,
            resource_policy=_policy(),
        )
    except PdfLimitError as exc:
        raise ValidationError(
            _(
                "The document is too large or too deeply nested to convert to PDF"
                " within %(seconds)s seconds and was stopped."
            )
            % {"seconds": int(_limit("SANSHE_PDF_RENDER_SECONDS", PDF_SECONDS))}
        ) from exc
    except RecursionError as exc:
        raise ValidationError(_limit_message("depth")) from exc
    if resources.refused:
        raise ValidationError(
            _(
                "The template refers to a file or address (%(uri)s); documents may use only the"
                " built-in font, not pictures, files or web addresses."
            )
            % {"uri": resources.refused[0]}
        )
    if result.err:
        raise ValidationError(_("The document could not be converted to PDF."))
    return out.getvalue()


def render_pdf(source: str, context: dict[str, Any]) -> bytes:
    return html_to_pdf(render_html(source, context))
