"""The gardens' rules that CHECK constraints cannot hold: the harvest log is append-only."""

from django.db import migrations

from mutua.core.migration_ops import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("gardens", "0001_initial")]

    operations = [AppendOnly("gardens_harvest")]
