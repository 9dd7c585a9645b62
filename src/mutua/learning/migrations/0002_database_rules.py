"""The workshops' rules that CHECK constraints cannot hold: the seats held by registered and
offered registrations never exceed the session's capacity (also when the capacity is lowered), and
attendance, payouts and reminders are append-only."""

from pathlib import Path

from django.db import migrations

from mutua.core.migration_ops import AppendOnly, RunVendorSQL

SQL = str(Path(__file__).resolve().parent / "sql")


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_initial")]

    operations = [
        AppendOnly("learning_attendance"),
        AppendOnly("learning_payout"),
        AppendOnly("learning_reminder"),
        RunVendorSQL(
            folder=SQL,
            files={"sqlite": "seats_sqlite.sql", "postgresql": "seats_postgresql.sql"},
            reverse={
                "sqlite": [
                    "DROP TRIGGER IF EXISTS learning_seats_insert",
                    "DROP TRIGGER IF EXISTS learning_seats_update",
                    "DROP TRIGGER IF EXISTS learning_capacity_update",
                ],
                "postgresql": [
                    "DROP TRIGGER IF EXISTS learning_seats_held ON learning_registration",
                    "DROP TRIGGER IF EXISTS learning_capacity_kept ON learning_session",
                    "DROP FUNCTION IF EXISTS learning_seats_held()",
                    "DROP FUNCTION IF EXISTS learning_capacity_kept()",
                ],
            },
        ),
    ]
