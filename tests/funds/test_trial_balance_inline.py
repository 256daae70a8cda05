"""A contract's or project's trial balance is still computed with the page (a few dozen
entries: milliseconds at provincial scale), with the same figures as the book's functions."""

from decimal import Decimal

import pytest
from django.urls import reverse

from core.models import ExportJob
from funds import books
from funds.ledger import ledger_post
from funds.models import LedgerEntry
from tests.factories.accounts import AuditorFactory
from tests.factories.projects import ServiceProjectFactory

pytestmark = pytest.mark.django_db


def test_a_project_is_computed_inline_with_the_books_figures(login):
    project = ServiceProjectFactory()
    for amount in ("1200.40", "33.33"):
        ledger_post(kind="budget_appropriated", amount=Decimal(amount), project=project)
    ledger_post(kind="budget_appropriated", amount=Decimal("9.99"), project=ServiceProjectFactory())
    client = login(AuditorFactory())
    page = client.get(reverse("funds:trial_balance"), {"project": project.pk}).content.decode()

    book = books.trial_balance(LedgerEntry.objects.filter(project=project))
    assert book.total_debit == Decimal("1233.73") and len(book.lines) == 2
    for line in book.lines:
        assert line.label in page and f"¥{line.debit:,.2f}" in page
    assert "借贷平衡" in page and "成立" in page and "¥9.99" not in page
    assert 'value="trial_balance"' not in page
    assert not ExportJob.objects.exists()
