"""Human numbers for records (aid request #12, donation receipt #40): one past the highest in
their scope, without gaps in normal use.

Reading the highest number and inserting the next is a race: two transactions that read at the same
time pick the same number, and the unique constraint on (scope, number) then refuses the second
with an error the person sees. `number_next` serialises it per scope for the rest of the caller's
transaction: on PostgreSQL by a transaction-scoped advisory lock on the scope, on SQLite by the
database's single writer (Mutua's transactions begin IMMEDIATE). The unique constraint stays the
backstop.

Lock order: take a number before any ledger account lock in the same transaction, as the audit
log's chain lock is taken, so that two numbered operations can never wait on each other's
accounts.
"""

from typing import Any

from django.db import connection, models, transaction
from django.db.models import Max


def number_next(model: type[models.Model], *, field: str = "number", **scope: Any) -> int:
    """The next number of `model` rows matching `scope`; call it inside the transaction that
    inserts the row."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_next must run inside the transaction that uses the number")
    if connection.vendor == "postgresql":
        key = ":".join([model._meta.db_table, *(f"{name}={scope[name]}" for name in sorted(scope))])
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"number:{key}"])
    highest = model._default_manager.filter(**scope).aggregate(n=Max(field))["n"]
    return (highest or 0) + 1
