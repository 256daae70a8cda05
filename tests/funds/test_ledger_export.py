"""Auditors export the ledger as CSV, XLSX and PDF, with the chain head and formula-safe cells."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from funds.ledger import ledger_post
from funds.models import LedgerEntry, LedgerHead
from tests.factories.accounts import AuditorFactory, NgoUserFactory
from tests.factories.projects import ServiceProjectFactory
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries():
    project = ServiceProjectFactory(title='=HYPERLINK("http://evil")项目')
    ledger_post(
        kind="budget_appropriated",
        amount=Decimal("500000.00"),
        project=project,
        memo="=cmd|' /C calc'!A0",
    )
    ledger_post(kind="withheld", amount=Decimal("19120.00"), project=project, memo="暂缓支付")
    return project


def test_csv(entries, login):
    response = login(AuditorFactory()).get(reverse("funds:ledger"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "序号" and len(rows) == 3
    assert rows[1][5] == "500000.00"
    assert rows[1][12] == "'=cmd|' /C calc'!A0"
    assert rows[1][7].startswith("'=HYPERLINK")
    assert rows[2][14] == LedgerHead.objects.get().hash


def test_xlsx(entries, login):
    response = login(AuditorFactory()).get(reverse("funds:ledger"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["A1"].value == "序号" and sheet.max_row == 3
    assert sheet["F2"].value == 500000 and sheet["F3"].value == 19120
    assert sheet["F2"].number_format == "#,##0.00"
    assert sheet["M2"].value.startswith("'=") and sheet["H2"].value.startswith("'=HYPERLINK")
    # Typed: the time is a date cell in Beijing time, the sequence a number.
    entry = LedgerEntry.objects.get(seq=1)
    local = timezone.localtime(entry.occurred_at).replace(tzinfo=None)
    assert isinstance(sheet["B2"].value, dt.datetime)
    assert sheet["B2"].value == local.replace(microsecond=0)  # to the second; the CSV is exact
    assert sheet["A3"].value == 2 and sheet["O3"].value == LedgerHead.objects.get().hash


def test_empty_xlsx_keeps_its_header(login):
    response = login(AuditorFactory()).get(reverse("funds:ledger"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 1 and sheet["A1"].value == "序号"


def test_pdf_shows_the_chain_head(entries, login):
    response = login(AuditorFactory()).get(reverse("funds:ledger"), {"format": "pdf"})
    text = pdf_text(response.content)
    assert "资金台账" in text and "¥500,000.00" in text
    assert LedgerHead.objects.get().hash[:16] in text.replace("\n", "")


def test_ngos_cannot_read_the_ledger(entries, login):
    assert login(NgoUserFactory()).get(reverse("funds:ledger")).status_code == 403


def test_verify_from_the_page(entries, login, settings, tmp_path):
    """The page queues the verification; once a worker has run it the page shows the verdict."""
    from core.models import ExportJob
    from core.services import export_job_run

    settings.MEDIA_ROOT = tmp_path
    client = login(AuditorFactory())
    client.post(reverse("export_request"), {"kind": "ledger_verify"})
    export_job_run(job_id=ExportJob.objects.get(kind="ledger_verify").pk)
    body = client.get(reverse("funds:ledger")).content.decode()
    assert "校验通过" in body
