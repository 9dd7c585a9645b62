"""The pantry's rules in the database: levels moved by movements only, never negative; history
(movements, request events, picks, hours) append-only; allocation runs kept as they ran."""

from pathlib import Path

from django.db import migrations

from mutua.core.migration_ops import AppendOnly, RunVendorSQL

SQL = str(Path(__file__).resolve().parent / "sql")


class Migration(migrations.Migration):
    dependencies = [("aid", "0001_initial")]

    operations = [
        AppendOnly("aid_stockmovement"),
        AppendOnly("aid_requestevent"),
        AppendOnly("aid_pick"),
        AppendOnly("aid_hourslog"),
        RunVendorSQL(
            folder=SQL,
            files={"sqlite": "stock_sqlite.sql", "postgresql": "stock_postgresql.sql"},
            reverse={
                "sqlite": [
                    "DROP TRIGGER IF EXISTS aid_movement_apply",
                    "DROP TRIGGER IF EXISTS aid_level_fixed",
                    "DROP TRIGGER IF EXISTS aid_level_no_delete",
                    "DROP TRIGGER IF EXISTS aid_run_kept",
                    "DROP TRIGGER IF EXISTS aid_run_no_delete",
                ],
                "postgresql": [
                    "DROP TRIGGER IF EXISTS aid_movement_apply ON aid_stockmovement",
                    "DROP TRIGGER IF EXISTS aid_level_fixed ON aid_stocklevel",
                    "DROP TRIGGER IF EXISTS aid_run_kept ON aid_allocationrun",
                    "DROP FUNCTION IF EXISTS aid_movement_apply()",
                    "DROP FUNCTION IF EXISTS aid_level_fixed()",
                    "DROP FUNCTION IF EXISTS aid_run_kept()",
                ],
            },
        ),
    ]
