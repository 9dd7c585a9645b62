"""The ledger's rules in the database: append-only transfers, checks and running totals by trigger."""

from pathlib import Path

from django.db import migrations

from mutua.core.migration_ops import AppendOnly, RunVendorSQL

SQL = str(Path(__file__).resolve().parent / "sql")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [
        AppendOnly("ledger_transfer"),
        RunVendorSQL(
            folder=SQL,
            files={"sqlite": "ledger_sqlite.sql", "postgresql": "ledger_postgresql.sql"},
            reverse={
                "sqlite": [
                    "DROP TRIGGER IF EXISTS ledger_transfer_check",
                    "DROP TRIGGER IF EXISTS ledger_transfer_apply",
                ],
                "postgresql": [
                    "DROP TRIGGER IF EXISTS ledger_transfer_check ON ledger_transfer",
                    "DROP TRIGGER IF EXISTS ledger_transfer_apply ON ledger_transfer",
                    "DROP FUNCTION IF EXISTS ledger_transfer_check()",
                    "DROP FUNCTION IF EXISTS ledger_transfer_apply()",
                ],
            },
        ),
    ]
