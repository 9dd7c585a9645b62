"""The art app's rules that CHECK constraints cannot hold (SQL beside this file, one per database):
photos, hand-offs, confirmations, sales and provenance events are append-only; only a hand-off's
two parties confirm it; a published artwork's terms are fixed; an edition's original investor,
token and splitter are set once."""

from pathlib import Path

from django.db import migrations

from mutua.core.migration_ops import AppendOnly, RunVendorSQL

SQL = str(Path(__file__).resolve().parent / "sql")


class Migration(migrations.Migration):
    dependencies = [("art", "0001_initial")]

    operations = [
        AppendOnly("art_photo"),
        AppendOnly("art_handoff"),
        AppendOnly("art_handoffconfirmation"),
        AppendOnly("art_sale"),
        AppendOnly("art_provenanceevent"),
        RunVendorSQL(
            folder=SQL,
            files={"sqlite": "art_sqlite.sql", "postgresql": "art_postgresql.sql"},
            reverse={
                "sqlite": [
                    "DROP TRIGGER IF EXISTS art_confirm_party",
                    "DROP TRIGGER IF EXISTS art_terms_fixed",
                    "DROP TRIGGER IF EXISTS art_edition_fixed",
                ],
                "postgresql": [
                    "DROP TRIGGER IF EXISTS art_confirm_party ON art_handoffconfirmation",
                    "DROP TRIGGER IF EXISTS art_terms_fixed ON art_artwork",
                    "DROP TRIGGER IF EXISTS art_edition_fixed ON art_edition",
                ],
            },
        ),
    ]
