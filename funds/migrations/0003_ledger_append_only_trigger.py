"""On PostgreSQL the database itself refuses UPDATE and DELETE on ledger rows.

The model layer already refuses them; the trigger also stops raw SQL, admin shells and other
programs. SQLite (the embedded demo database) relies on the model layer alone.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION funds_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only: post a reversing entry instead (% on %)', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS funds_ledger_append_only ON funds_ledgerentry;
CREATE TRIGGER funds_ledger_append_only BEFORE UPDATE OR DELETE ON funds_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION funds_ledger_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS funds_ledger_append_only ON funds_ledgerentry;
DROP FUNCTION IF EXISTS funds_ledger_append_only();
"""


def forwards(apps, schema_editor):
    # The chain head exists from the start, so the first two appends cannot race to create it.
    apps.get_model("funds", "LedgerHead").objects.get_or_create(pk=1)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("funds", "0002_ledger_milestones_disbursements")]
    operations = [migrations.RunPython(forwards, backwards)]
