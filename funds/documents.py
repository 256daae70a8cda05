"""Payment voucher and ledger PDFs, from bureau-editable templates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import islice
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from documents.rendering import render_pdf
from documents.selectors import template_source
from funds.models import Disbursement

TEMPLATES = Path(__file__).resolve().parent / "document_templates"
LEDGER_PDF_MAX_ROWS = 2000


def voucher(d: Disbursement) -> bytes:
    contract = d.milestone.contract
    context = {
        "d": d,
        "milestone": d.milestone,
        "contract": contract,
        "project": contract.project,
        "now": timezone.now(),
    }
    return render_pdf(
        template_source(key="payment_voucher", bureau=contract.project.bureau), context
    )


def ledger_pdf(qs: Any, head: Any) -> bytes:
    """The filtered ledger as PDF; long ledgers belong in CSV/XLSX, so the PDF stops at a bound."""
    rows = list(islice(qs.iterator(chunk_size=500), LEDGER_PDF_MAX_ROWS + 1))
    context = {
        "entries": rows[:LEDGER_PDF_MAX_ROWS],
        "truncated": len(rows) > LEDGER_PDF_MAX_ROWS,
        "total": sum((e.amount for e in rows[:LEDGER_PDF_MAX_ROWS]), Decimal(0)),
        "head": head,
        "now": timezone.now(),
    }
    return render_pdf(template_source(key="ledger", bureau=None), context)


def sample_voucher_context() -> dict[str, Any]:
    project = SimpleNamespace(
        title="“携手成长、守护阳光”关爱农村留守儿童保护项目",
        code="GM202600001",
        bureau=SimpleNamespace(name="潜江市民政局"),
    )
    contract = SimpleNamespace(
        number="HT-QJ-2026-001",
        supplier=SimpleNamespace(name="武汉爱心天使社会工作服务中心"),
        project=project,
    )
    milestone = SimpleNamespace(name="中期服务成果", sequence=2, amount=Decimal("191200.00"))
    d = SimpleNamespace(
        pk=1,
        amount=Decimal("172080.00"),
        withheld=Decimal("19120.00"),
        calculation="评价得分72.00，按72÷80支付",
        voucher_number="QJ-2027-0042",
        paid_on=dt.date(2027, 7, 20),
        requested_by="王丽",
        approved_by="陈敏",
        paid_by="陈敏",
        get_state_display=lambda: "已支付",
    )
    return {
        "d": d,
        "milestone": milestone,
        "contract": contract,
        "project": project,
        "now": timezone.now(),
    }


def sample_ledger_context() -> dict[str, Any]:
    e = SimpleNamespace(
        seq=1,
        occurred_at=timezone.now(),
        get_kind_display=lambda: "预算下达",
        debit="项目预算",
        credit="预算指标",
        amount=Decimal("500000.00"),
        project=SimpleNamespace(code="GM202600001"),
        memo="",
        hash="ab" * 32,
    )
    return {
        "entries": [e],
        "truncated": False,
        "total": Decimal("500000.00"),
        "head": SimpleNamespace(seq=1, hash="ab" * 32),
        "now": timezone.now(),
    }
