"""The co-op's rule that CHECK constraints cannot hold: voucher spends are append-only."""

from django.db import migrations

from mutua.core.migration_ops import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("coop", "0001_initial")]

    operations = [AppendOnly("coop_voucherspend")]
