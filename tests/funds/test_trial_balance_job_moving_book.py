"""A trial-balance job whose book keeps moving while it reads (postings between its
statements) reads again, and at the last try reads everything in one snapshot: the stored
tables are one state of the book, with the head they were read at."""

from decimal import Decimal

import pytest
from django.urls import reverse

from core.models import ExportJob, ExportState
from funds import book_jobs
from funds.ledger import ledger_post
from funds.models import LedgerHead
from tests.factories.accounts import AuditorFactory
from tests.factories.projects import ServiceProjectFactory
from tests.jobs import work

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media")]


def test_a_moving_book_is_read_again_then_in_one_snapshot(login, monkeypatch):
    project = ServiceProjectFactory()
    ledger_post(kind="budget_appropriated", amount=Decimal("1.00"), project=project)
    reads = []
    real_head = book_jobs._head

    def head_after_a_posting() -> int:
        # Every second read of the head (the check after the tables) sees a new posting, as
        # when payments are booked while the job reads.
        reads.append(real_head())
        if len(reads) % 2 == 0:
            ledger_post(kind="budget_appropriated", amount=Decimal("1.00"), project=project)
            return real_head()
        return reads[-1]

    monkeypatch.setattr(book_jobs, "_head", head_after_a_posting)
    client = login(AuditorFactory())
    client.post(reverse("export_request"), {"kind": "trial_balance", "query": ""})
    work()

    job = ExportJob.objects.get(kind="trial_balance")
    assert job.state == ExportState.DONE, job.error
    # Two tries saw the head move; the third read in one snapshot.
    assert len(reads) == 2 * (book_jobs.TRIES - 1) + 1
    page = client.get(reverse("funds:trial_balance")).content.decode()
    head = reads[-1]
    assert f"当时台账链头为第{head}笔" in page
    # The snapshot's figures: the entries up to that head, every check holding.
    assert LedgerHead.objects.get(pk=1).seq == head
    assert f"¥{head:.2f}" in page and "各项核对均成立" in job.summary
