"""On PostgreSQL, check the chain inside the UPDATE that moves the account, so that writers which
do not lock the accounts first cannot both extend a chain from the same place."""

from pathlib import Path

from django.db import migrations

from mutua.core.migration_ops import RunVendorSQL

SQL = str(Path(__file__).resolve().parent / "sql")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_chain_check_after_insert")]

    operations = [
        RunVendorSQL(
            folder=SQL,
            files={"sqlite": "chain_claim_sqlite.sql", "postgresql": "chain_claim_postgresql.sql"},
            reverse_files={
                "sqlite": "chain_claim_sqlite.sql",
                "postgresql": "chain_check_postgresql.sql",
            },
        ),
    ]
