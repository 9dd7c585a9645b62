"""Run as a process (`python -m mutua.ledger.tests.own_transaction`) on books set up by
`ledger_client setup`: calls `transfers_create` outside any transaction, as a request or a command
does, and prints one JSON line of what it saw. See `test_own_transaction`."""

import json
from typing import Any


def in_transaction() -> bool:
    from django.db import connection

    if connection.vendor == "sqlite":
        return bool(connection.connection.in_transaction)
    from psycopg.pq import TransactionStatus

    return connection.connection.info.transaction_status != TransactionStatus.IDLE


def main() -> None:
    import django

    django.setup()
    from django.db import IntegrityError

    from mutua.core.ids import new_id
    from mutua.core.tenancy import community_scope, scopes_disabled
    from mutua.ledger import services
    from mutua.ledger.domain import TransferRequest, TransferRow
    from mutua.ledger.models import Account

    with scopes_disabled():
        issuance = Account.objects.get(code="issuance")
        ana, ben = Account.objects.exclude(pk=issuance.pk).order_by("code")[:2]
    community = issuance.community
    seen: dict[str, Any] = {}

    def pay(debit: Account, credit: Account, amount: int) -> str:
        request = TransferRequest(
            new_id(), debit_account_id=debit.id, credit_account_id=credit.id, amount=amount
        )
        return str(services.transfer_create(community=community, request=request).result)

    def balances() -> list[int]:
        return [Account.objects.get(pk=a.pk).balance_posted for a in (ana, ben)]

    with community_scope(community.id):
        start = balances()
        seen["paid"] = pay(issuance, ana, 500)
        seen["open_after_paying"] = in_transaction()
        seen["refused"] = pay(ben, ana, 10**12)
        seen["open_after_refusing"] = in_transaction()
        build = services._build

        def off_the_chain(*args: Any, **kwargs: Any) -> TransferRow:
            row: TransferRow = build(*args, **kwargs)
            return row._replace(debit_prev_hash="f" * 64)

        services._build = off_the_chain  # type: ignore[assignment]
        try:
            pay(ana, ben, 200)
            seen["broken_write"] = "accepted"
        except IntegrityError as error:
            seen["broken_write"] = str(error).splitlines()[0]
        services._build = build
        seen["open_after_refusal_by_the_database"] = in_transaction()
        seen["moved"] = [b - s for b, s in zip(balances(), start, strict=True)]
        seen["paid_again"] = pay(ana, ben, 200)
        seen["open_at_the_end"] = in_transaction()
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
