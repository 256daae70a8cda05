"""Verifying the chain from the ledger page is a background job with its progress and verdict
on the page (no request reads the whole chain), and verification goes on from stored
checkpoints while a full one still recomputes every entry."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import ExportJob, ExportState
from funds import ledger as ledger_module
from funds.ledger import ENTRY_COLUMNS, _hash_of, ledger_post, ledger_verify
from funds.models import LedgerCheckpoint, LedgerEntry
from tests.factories.accounts import AuditorFactory
from tests.factories.projects import ServiceProjectFactory
from tests.jobs import work

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def _chain(n: int) -> None:
    project = ServiceProjectFactory()
    for i in range(1, n + 1):
        ledger_post(
            kind="budget_appropriated",
            amount=Decimal(i) + Decimal("0.10"),
            project=project,
            memo=f"第{i}笔 =公式",
            memo_key="reversal" if i % 2 else "",
            memo_args={"seq": str(i), "备注": '引"号'} if i % 2 else {},
        )


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE funds_ledgerentry DISABLE TRIGGER funds_ledger_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE funds_ledgerentry ENABLE TRIGGER funds_ledger_append_only")


@pytest.mark.django_db(transaction=True)
def test_the_page_queues_the_verification_and_shows_its_verdict(login):
    _chain(5)
    client = login(AuditorFactory())
    page = client.get(reverse("funds:ledger")).content.decode()
    assert 'name="kind" value="ledger_verify"' in page
    # The old synchronous link reads no chain any more: every ledger query of the page is bounded.
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("funds:ledger"), {"verify": "1"}).status_code == 200
    reads = [q["sql"] for q in queries.captured_queries if "funds_ledgerentry" in q["sql"]]
    assert reads and all("LIMIT" in sql for sql in reads)

    response = client.post(reverse("export_request"), {"kind": "ledger_verify"})
    assert response.status_code == 302
    job = ExportJob.objects.get(kind="ledger_verify")
    assert job.state == ExportState.QUEUED
    page = client.get(reverse("funds:ledger")).content.decode()
    assert "最近一次校验" in page and job.get_state_display() in page
    work()
    job.refresh_from_db()
    assert (job.state, job.progress, job.rows) == (ExportState.DONE, 100, 5)
    page = client.get(reverse("funds:ledger")).content.decode()
    assert "哈希链校验通过：共5笔。" in page

    _raw("UPDATE funds_ledgerentry SET amount = %s WHERE seq = 4", ["1.00"])
    client.post(reverse("export_request"), {"kind": "ledger_verify", "query": "full=1"})
    work()
    page = client.get(reverse("funds:ledger")).content.decode()
    assert re.search(r"哈希链在第4笔处断裂", page)


# Committed for real: on PostgreSQL the raw tampering disables the append-only trigger, which
# a transaction holding the inserts' pending constraint checks may not do.
@pytest.mark.django_db(transaction=True)
def test_checkpoints_let_verification_start_late_and_full_still_sees_all(monkeypatch):
    monkeypatch.setattr(ledger_module, "CHECKPOINT_EVERY", 3)
    monkeypatch.setattr(ledger_module, "PROGRESS_EVERY", 4)
    _chain(10)
    rows = LedgerEntry.objects.order_by("seq")
    # The fast recipe is the model's recipe, entry by entry.
    for entry, row in zip(rows, rows.values_list(*ENTRY_COLUMNS), strict=True):
        assert _hash_of(row) == entry.compute_hash() == entry.hash

    seen: list[tuple[int, int]] = []
    full = ledger_verify(progress=lambda done, total: seen.append((done, total)))
    assert (full.ok, full.checked, full.start_seq) == (True, 10, 0)
    assert list(LedgerCheckpoint.objects.order_by("seq").values_list("seq", flat=True)) == [3, 6, 9]
    late = ledger_verify(full=False)
    assert (late.ok, late.checked, late.start_seq) == (True, 10, 9)

    # Altered after the last checkpoint: the incremental run sees it.
    _raw("UPDATE funds_ledgerentry SET memo = %s WHERE seq = 10", ["改过"])
    assert (ledger_verify(full=False).ok, ledger_verify(full=False).broken_seq) == (False, 10)
    _raw("UPDATE funds_ledgerentry SET memo = %s WHERE seq = 10", ["第10笔 =公式"])
    # The checkpoint's own entry re-hashed: refused at the checkpoint.
    nine = LedgerEntry.objects.get(seq=9).hash
    _raw("UPDATE funds_ledgerentry SET hash = %s WHERE seq = 9", ["f" * 64])
    result = ledger_verify(full=False)
    assert (result.ok, result.broken_seq) == (False, 9) and "checkpoint" in result.problem
    _raw("UPDATE funds_ledgerentry SET hash = %s WHERE seq = 9", [nine])
    assert ledger_verify(full=False).ok

    # Altered before the checkpoint: only a full verification recomputes it, and it does.
    _raw("UPDATE funds_ledgerentry SET amount = %s WHERE seq = 2", ["9.99"])
    assert ledger_verify(full=False).ok
    result = ledger_verify(full=True)
    assert (result.ok, result.broken_seq) == (False, 2) and "altered" in result.problem
    assert seen and all(total == 10 for _done, total in seen)
