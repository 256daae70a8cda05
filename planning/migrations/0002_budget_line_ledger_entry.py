"""Allocated lines keep the ledger entry they posted, so the ledger's bureau filter finds it.

Allocations made before this migration are linked to their entry by the memo the posting wrote
(giving bureau「line」→ receiving bureau「line」) and the amount; an entry whose bureau was renamed
since is matched by amount and time instead (posted in the same transaction as the line)."""

import datetime as dt

import django.db.models.deletion
from django.db import migrations, models


def link_existing_allocations(apps, schema_editor):
    BudgetLine = apps.get_model("planning", "BudgetLine")
    LedgerEntry = apps.get_model("funds", "LedgerEntry")
    taken = set()
    lines = BudgetLine.objects.filter(
        source__isnull=False, ledger_entry__isnull=True
    ).select_related("plan__bureau", "source__plan__bureau")
    for line in lines.order_by("pk"):
        entries = LedgerEntry.objects.filter(
            kind="budget_allocated", project__isnull=True, amount=line.amount
        ).exclude(pk__in=taken)
        memo = (
            f"{line.source.plan.bureau.name}「{line.source.name}」→ "
            f"{line.plan.bureau.name}「{line.name}」"
        )[:300]
        entry = entries.filter(memo=memo).order_by("seq").first()
        if entry is None:
            window = (
                line.created_at - dt.timedelta(minutes=1),
                line.created_at + dt.timedelta(minutes=1),
            )
            near = list(entries.filter(occurred_at__range=window).order_by("seq")[:2])
            entry = near[0] if len(near) == 1 else None
        if entry is not None:
            taken.add(entry.pk)
            # A plain UPDATE of the line (the ledger entry itself is never changed).
            BudgetLine.objects.filter(pk=line.pk).update(ledger_entry=entry)


class Migration(migrations.Migration):
    dependencies = [
        ("funds", "0006_ledger_kinds_of_both_branches"),
        ("planning", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="budgetline",
            name="ledger_entry",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="allocated_line",
                to="funds.ledgerentry",
            ),
        ),
        migrations.RunPython(link_existing_allocations, migrations.RunPython.noop),
    ]
