"""Check and apply transfers once per statement on PostgreSQL, so a batch costs little per row.

The row triggers made the database's share of a 1,000-transfer batch about 120 µs a row; the
statement trigger checks the batch as a set and moves each account once. The foreign keys from
transfers to accounts, ledger and community become part of that check (on SQLite they stay), and
the single-column indexes that composite indexes already cover go on both databases.
"""

from pathlib import Path

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from mutua.core.migration_ops import RunVendorSQL

SQL = str(Path(__file__).resolve().parent / "sql")


def _unconstrained(model: str, on_delete=django.db.models.deletion.PROTECT) -> models.ForeignKey:
    return models.ForeignKey(
        db_constraint=False,
        db_index=False,
        on_delete=on_delete,
        related_name="+",
        to=model,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0001_initial"),
        ("ledger", "0005_chain_claim_in_update"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="transfer",
                    name="community",
                    field=_unconstrained("community.community"),
                ),
                migrations.AlterField(
                    model_name="transfer",
                    name="ledger",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="transfers",
                        to="ledger.ledger",
                    ),
                ),
                migrations.AlterField(
                    model_name="transfer",
                    name="debit_account",
                    field=_unconstrained("ledger.account"),
                ),
                migrations.AlterField(
                    model_name="transfer",
                    name="credit_account",
                    field=_unconstrained("ledger.account"),
                ),
            ],
            database_operations=[
                RunVendorSQL(
                    folder=SQL,
                    files={
                        "sqlite": "statement_apply_sqlite.sql",
                        "postgresql": "statement_apply_postgresql.sql",
                    },
                    reverse_files={
                        "sqlite": "statement_apply_reverse_sqlite.sql",
                        "postgresql": "statement_apply_reverse_postgresql.sql",
                    },
                ),
            ],
        ),
    ]
