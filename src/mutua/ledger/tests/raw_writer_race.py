"""Two raw writers race to extend the same account chains, neither locking the accounts first.

Run as a process (`python -m mutua.ledger.tests.raw_writer_race`) on a database set up by
`ledger_client setup`; prints one JSON line: what each writer got, and what verify found.
The first writer inserts and waits; the second reads the same heads and inserts from there; then
the first commits. Whatever the database does (queue the second, or refuse it), the books must
verify: no two transfers may claim the same place in a chain.
"""

import json
import threading
import time
from typing import Any
from uuid import UUID


def raw_insert(connection: Any, community_id: Any, debit: Any, credit: Any) -> None:
    """Insert a transfer with plain SQL, extending both chains from the heads it reads now."""
    from mutua.core.hashchain import link_hash
    from mutua.core.ids import new_id
    from mutua.ledger.chain import transfer_content
    from mutua.ledger.domain import chain_prev
    from mutua.ledger.models import Account, Transfer

    with connection.cursor() as cursor:
        rows = {}
        for account_id in (debit, credit):
            cursor.execute(
                "SELECT ledger_id, transfer_count, head_hash FROM ledger_account WHERE id = %s",
                [Account._meta.pk.get_db_prep_value(account_id, connection)],
            )
            rows[account_id] = cursor.fetchone()
        t = Transfer(
            id=new_id(),
            community_id=community_id,
            ledger_id=UUID(str(rows[debit][0])),  # SQLite gives hex, PostgreSQL a UUID
            debit_account_id=debit,
            credit_account_id=credit,
            amount=1,
            kind="posted",
            code="race",
            body_hash="r" * 64,
            debit_seq=rows[debit][1] + 1,
            credit_seq=rows[credit][1] + 1,
            debit_prev_hash=rows[debit][2],
            credit_prev_hash=rows[credit][2],
        )
        t.hash = link_hash(chain_prev(t.debit_prev_hash, t.credit_prev_hash), transfer_content(t))
        fields = [f for f in Transfer._meta.concrete_fields]
        columns = ", ".join(f.column for f in fields)
        values = [f.get_db_prep_value(getattr(t, f.attname), connection) for f in fields]
        placeholders = ", ".join(["%s"] * len(fields))
        cursor.execute(
            f"INSERT INTO ledger_transfer ({columns}) VALUES ({placeholders})",  # noqa: S608
            values,
        )


def main() -> None:
    import django

    django.setup()
    from django.db import connections

    from mutua.core.tenancy import scopes_disabled
    from mutua.ledger.models import Account
    from mutua.ledger.selectors import ledger_verify

    with scopes_disabled():
        issuance = Account.objects.get(code="issuance")
        wallet = Account.objects.exclude(pk=issuance.pk).order_by("code").first()
    assert wallet is not None
    outcomes: dict[str, str] = {}
    first = connections.create_connection("default")
    first.set_autocommit(False)
    raw_insert(first, issuance.community_id, issuance.id, wallet.id)

    def second_writer() -> None:
        second = connections.create_connection("default")
        try:
            second.set_autocommit(False)
            raw_insert(second, issuance.community_id, issuance.id, wallet.id)
            second.commit()
            outcomes["second"] = "committed"
        except Exception as error:  # the database refusing is one of the right answers
            outcomes["second"] = f"refused: {error}"
        finally:
            second.close()

    racer = threading.Thread(target=second_writer)
    racer.start()
    time.sleep(1.0)  # the second writer has read the old heads and is waiting to write
    first.commit()
    outcomes["first"] = "committed"
    first.close()
    racer.join(timeout=60)
    with scopes_disabled():
        outcomes["verify"] = [f"{p.where}: {p.problem}" for p in ledger_verify()]  # type: ignore[assignment]
    print(json.dumps(outcomes))


if __name__ == "__main__":
    main()
