"""Run as a process (`python -m mutua.ledger.tests.own_transaction`) on books set up by
`ledger_client setup`: calls `transfers_create` outside any transaction, as a request or a command
does, and prints one JSON line of what it saw. See `test_own_transaction`.

There, on PostgreSQL, a single new transfer takes the quick path (`statements.transfer_quick`:
one statement); every answer but `ok` comes from the normal path, and so does every batch."""

import json
from typing import Any

MEMO = 'a "quoted" \\ memo\n\té\u2028☃🥕\x01'  # what JSON escapes, and what it leaves alone


def in_transaction() -> bool:
    from django.db import connection

    if connection.vendor == "sqlite":
        return bool(connection.connection.in_transaction)
    from psycopg.pq import TransactionStatus

    return connection.connection.info.transaction_status != TransactionStatus.IDLE


def main() -> None:
    import django

    django.setup()
    from django.db import IntegrityError, connection

    from mutua.core.ids import new_id
    from mutua.core.tenancy import community_scope, scopes_disabled
    from mutua.ledger import services
    from mutua.ledger.domain import TransferRequest, TransferRow
    from mutua.ledger.models import Account
    from mutua.ledger.selectors import ledger_verify

    with scopes_disabled():
        issuance = Account.objects.get(code="issuance")
        ana, ben = Account.objects.exclude(pk=issuance.pk).order_by("code")[:2]
    community = issuance.community
    seen: dict[str, Any] = {}

    def request(debit: Account, credit: Account, amount: int, **fields: Any) -> TransferRequest:
        fields.setdefault("id", new_id())
        return TransferRequest(
            debit_account_id=debit.id, credit_account_id=credit.id, amount=amount, **fields
        )

    def pay(debit: Account, credit: Account, amount: int, **fields: Any) -> str:
        asked = request(debit, credit, amount, **fields)
        return str(services.transfer_create(community=community, request=asked).result)

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
        try:  # a batch: the quick path of a single transfer does not call _build
            batch = [request(ana, ben, 150), request(ana, ben, 50)]
            services.transfers_create(community=community, requests=batch)
            seen["broken_write"] = "accepted"
        except IntegrityError as error:
            seen["broken_write"] = str(error).splitlines()[0]
        services._build = build
        seen["open_after_refusal_by_the_database"] = in_transaction()
        seen["moved"] = [b - s for b, s in zip(balances(), start, strict=True)]
        seen["paid_again"] = pay(ana, ben, 200)
        seen["open_at_the_end"] = in_transaction()
        seen.update(quick(community, request, pay, ana, ben))
        seen["vendor"] = connection.vendor
        seen["verify"] = [str(problem) for problem in ledger_verify()]
    print(json.dumps(seen))


def quick(community: Any, request: Any, pay: Any, ana: Any, ben: Any) -> dict[str, Any]:
    """One payment in as few statements as the database allows, then the answers only the normal
    path gives (retries, refusals), a hold and its void; none leaves a transaction open."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mutua.community.roles import Role
    from mutua.community.tests.factories import member_with
    from mutua.core.ids import new_id
    from mutua.ledger import services
    from mutua.ledger.chain import transfer_hash
    from mutua.ledger.domain import Kind, TransferRequest
    from mutua.ledger.models import Transfer

    seen: dict[str, Any] = {}
    paid = new_id()
    asked = request(ana, ben, 25, id=paid, memo=MEMO, code="rent")
    payer = member_with(Role.MEMBER, community=community, handle="payer")
    with CaptureQueriesContext(connection) as statements:
        outcome = services.transfer_create(community=community, request=asked, actor=payer)
    seen["quick"] = str(outcome.result)
    seen["statements_for_one_payment"] = len(statements)
    stored = Transfer.objects.get(pk=paid)
    seen["quick_stored_as_asked"] = (
        stored.memo == MEMO
        and stored.code == "rent"
        and stored.amount == 25
        and stored.created_at == outcome.created_at
        and stored.created_by_id == payer.pk
        and stored.hash == transfer_hash(stored)
    )
    seen["quick_retry"] = pay(ana, ben, 25, id=paid, memo=MEMO, code="rent")
    seen["quick_other_body"] = pay(ana, ben, 26, id=paid, memo=MEMO, code="rent")
    seen["quick_too_much"] = pay(ben, ana, 10**12)
    seen["quick_same_account"] = pay(ana, ana, 1)
    hold = new_id()
    seen["quick_hold"] = pay(ben, ana, 40, id=hold, kind=Kind.PENDING)
    void = TransferRequest(new_id(), kind=Kind.VOID, target_id=hold)
    seen["quick_hold_voided"] = str(
        services.transfer_create(community=community, request=void).result
    )
    seen["open_after_quick"] = in_transaction()
    return seen


if __name__ == "__main__":
    main()
