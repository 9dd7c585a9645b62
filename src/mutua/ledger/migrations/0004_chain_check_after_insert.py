"""Check the hash chains in the AFTER INSERT trigger, so multi-row inserts (batches) chain right.

On PostgreSQL the AFTER row triggers of one INSERT statement run at its end; a BEFORE check of
the second row of a batch saw the account before the first row had moved it.
"""

from pathlib import Path

from django.db import migrations

from mutua.core.migration_ops import RunVendorSQL

SQL = str(Path(__file__).resolve().parent / "sql")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_chain_digest")]

    operations = [
        RunVendorSQL(
            folder=SQL,
            files={"sqlite": "chain_check_sqlite.sql", "postgresql": "chain_check_postgresql.sql"},
            reverse={
                "sqlite": [
                    "DROP TRIGGER IF EXISTS ledger_transfer_check",
                    "DROP TRIGGER IF EXISTS ledger_transfer_apply",
                ],
                "postgresql": [
                    "DROP TRIGGER IF EXISTS ledger_transfer_check ON ledger_transfer",
                    "DROP TRIGGER IF EXISTS ledger_transfer_apply ON ledger_transfer",
                ],
            },
            reverse_files={"sqlite": "ledger_sqlite.sql", "postgresql": "ledger_postgresql.sql"},
        ),
    ]
