"""Exchanges, credit-line changes and demurrage runs are history: never updated or deleted."""

from django.db import migrations

from mutua.core.migration_ops import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("currency", "0001_initial")]

    operations = [
        AppendOnly("currency_exchange"),
        AppendOnly("currency_creditlimitchange"),
        AppendOnly("currency_demurragerun"),
    ]
