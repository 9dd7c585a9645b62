"""`pending` and `reverses` checked by the insert trigger on PostgreSQL, with partial indexes.

Most transfers resolve and reverse nothing; their empty links cost a deferred foreign-key check
and two index entries each. The trigger checks a link when it is written (transfers are never
deleted, so that is all a foreign key did), and the indexes keep only the links that are set.
SQLite keeps its foreign keys and unique index (changing them would rebuild the table).
"""

from pathlib import Path

import django.db.models.deletion
from django.db import migrations, models

from mutua.core.migration_ops import RunVendorSQL

SQL = str(Path(__file__).resolve().parent / "sql")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0006_statement_trigger")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="transfer",
                    name="pending",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        help_text=(
                            "For post and void: the pending transfer it resolves (at most once)."
                        ),
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="resolution",
                        to="ledger.transfer",
                    ),
                ),
                migrations.AlterField(
                    model_name="transfer",
                    name="reverses",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reversals",
                        to="ledger.transfer",
                    ),
                ),
                migrations.AddIndex(
                    model_name="transfer",
                    index=models.Index(
                        condition=models.Q(("reverses__isnull", False)),
                        fields=["reverses"],
                        name="transfer_reversals",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="transfer",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("pending__isnull", False)),
                        fields=("pending",),
                        name="transfer_resolves_once",
                    ),
                ),
            ],
            database_operations=[
                RunVendorSQL(
                    folder=SQL,
                    files={
                        "sqlite": "partial_links_sqlite.sql",
                        "postgresql": "partial_links_postgresql.sql",
                    },
                    reverse_files={
                        "sqlite": "partial_links_reverse_sqlite.sql",
                        "postgresql": "partial_links_reverse_postgresql.sql",
                    },
                ),
            ],
        ),
    ]
