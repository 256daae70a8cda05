"""The ledger is append-only and its hash chain names the first altered, deleted or inserted entry."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from core.models import AppendOnlyError
from funds.ledger import ledger_post, ledger_reverse, ledger_verify
from funds.models import LedgerEntry
from tests.factories.projects import ServiceProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def chain():
    project = ServiceProjectFactory()
    for amount in ("500000.00", "143400.00", "143400.00", "172080.00", "19120.00"):
        ledger_post(
            kind="budget_appropriated", amount=Decimal(amount), project=project, memo="潜江"
        )
    return project


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE funds_ledgerentry DISABLE TRIGGER funds_ledger_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE funds_ledgerentry ENABLE TRIGGER funds_ledger_append_only")


def test_an_intact_chain_verifies(chain):
    result = ledger_verify()
    assert result.ok and result.checked == 5
    call_command("verify_ledger", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_an_altered_amount_is_named(chain):
    _raw("UPDATE funds_ledgerentry SET amount = %s WHERE seq = 3", ["1.00"])
    result = ledger_verify()
    assert (result.ok, result.broken_seq) == (False, 3)
    assert "altered" in result.problem
    with pytest.raises(CommandError, match="#3"):
        call_command("verify_ledger")


def test_a_deleted_entry_is_named(chain):
    _raw("DELETE FROM funds_ledgerentry WHERE seq = 2")
    result = ledger_verify()
    assert (result.ok, result.broken_seq) == (False, 3)


def test_a_deleted_last_entry_is_caught_by_the_head(chain):
    _raw("DELETE FROM funds_ledgerentry WHERE seq = 5")
    assert not ledger_verify().ok


def test_an_inserted_entry_is_named(chain):
    last = LedgerEntry.objects.get(seq=5)
    _raw("UPDATE funds_ledgerentry SET seq = seq + 100 WHERE seq >= 4")
    _raw(
        "INSERT INTO funds_ledgerentry (seq, occurred_at, kind, debit, credit, amount, project_id,"
        " memo, prev_hash, hash, recipe, memo_key, memo_args)"
        " VALUES (4, %s, 'disbursement_paid', 'x', 'y', 99999.00, %s, '伪造', %s, %s, 2, '', '{}')",
        [last.occurred_at, chain.pk, LedgerEntry.objects.get(seq=3).hash, "f" * 64],
    )
    result = ledger_verify()
    assert not result.ok and result.broken_seq == 4


def test_the_model_layer_refuses_updates_and_deletes(chain):
    entry = LedgerEntry.objects.get(seq=1)
    entry.memo = "改"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(seq=1).update(memo="改")
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.all().delete()


def test_a_correction_is_a_reversing_entry(chain):
    original = LedgerEntry.objects.get(seq=4)
    reversal = ledger_reverse(entry=original, actor=None, memo="录入错误")
    assert (reversal.debit, reversal.credit, reversal.amount) == (
        original.credit,
        original.debit,
        original.amount,
    )
    assert reversal.seq == 6 and ledger_verify().ok


@pytest.mark.postgres
def test_postgres_trigger_refuses_raw_sql(chain):
    from django.db import DatabaseError, transaction

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE funds_ledgerentry SET amount = 1 WHERE seq = 1")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM funds_ledgerentry WHERE seq = 1")
