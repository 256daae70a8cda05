"""Payment voucher and ledger PDFs, from bureau-editable templates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import islice
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from core.text import printable
from documents.rendering import render_pdf
from documents.selectors import template_source
from funds.models import Disbursement
from funds.selectors import ledger_totals

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
        "entries": [_printed(e) for e in rows[:LEDGER_PDF_MAX_ROWS]],
        "truncated": len(rows) > LEDGER_PDF_MAX_ROWS,
        # Per event kind over the whole filtered ledger: a sum across kinds means nothing.
        "totals": ledger_totals(qs),
        "head": head,
        "now": timezone.localtime(),
    }
    return render_pdf(template_source(key="ledger", bureau=None), context)


def _printed(entry: Any) -> SimpleNamespace:
    """An entry as the PDF prints it: names in the reader's language, local time with zone,
    text without control characters (older rows may hold some)."""
    return SimpleNamespace(
        seq=entry.seq,
        time=timezone.localtime(entry.occurred_at).strftime("%Y-%m-%d %H:%M %z"),
        kind=entry.get_kind_display(),
        debit=entry.debit_label(),
        credit=entry.credit_label(),
        amount=entry.amount,
        project=printable(entry.project.code if entry.project_id is not None else None),
        memo=printable(entry.memo_text()),
        hash=entry.hash,
    )


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
        time=timezone.localtime().strftime("%Y-%m-%d %H:%M %z"),
        kind="预算下达",
        debit="项目预算",
        credit="预算指标",
        amount=Decimal("500000.00"),
        project="GM202600001",
        memo="项目GM202600001预算下达",
        hash="ab" * 32,
    )
    return {
        "entries": [e],
        "truncated": False,
        "totals": [("预算下达", Decimal("500000.00"))],
        "head": SimpleNamespace(seq=1, hash="ab" * 32),
        "now": timezone.now(),
    }
