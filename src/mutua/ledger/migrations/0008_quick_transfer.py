"""`ledger_transfer_quick`: a single transfer in one round trip on PostgreSQL (see the SQL file)."""

from pathlib import Path

from django.db import migrations

from mutua.core.migration_ops import RunVendorSQL

SQL = str(Path(__file__).resolve().parent / "sql")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0007_partial_links")]

    operations = [
        RunVendorSQL(
            folder=SQL,
            files={
                "sqlite": "quick_transfer_sqlite.sql",
                "postgresql": "quick_transfer_postgresql.sql",
            },
            reverse_files={"postgresql": "quick_transfer_reverse_postgresql.sql"},
        ),
    ]
