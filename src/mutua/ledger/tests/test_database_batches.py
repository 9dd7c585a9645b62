"""A multi-row INSERT is checked as a whole and refused as a whole, going around the service.

On PostgreSQL one statement trigger checks a batch of more than a few rows as a set (see
migrations/sql/statement_apply_postgresql.sql); SQLite checks row by row. These tests write
batches of 12 rows, enough for the set path, with plain SQL.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from mutua.core.hashchain import link_hash
from mutua.core.ids import new_id
from mutua.ledger.chain import transfer_content
from mutua.ledger.domain import TransferRow, chain_prev
from mutua.ledger.models import Account, Transfer
from mutua.ledger.selectors import ledger_verify

pytestmark = pytest.mark.django_db

Leg = tuple[Account, Account, int]


def chained_rows(books, legs: Sequence[Leg], **change: object) -> list[TransferRow]:
    """Rows for `legs`, each extending both accounts' chains; `change` alters the 7th row."""
    heads: dict = {}
    rows = []
    for number, (debit, credit, amount) in enumerate(legs, start=1):
        for account in (debit, credit):
            if account.id not in heads:
                account.refresh_from_db()
                heads[account.id] = (account.transfer_count, account.head_hash)
        (d_count, d_head), (c_count, c_head) = heads[debit.id], heads[credit.id]
        row = TransferRow(
            id=new_id(),
            community_id=books.community.id,
            ledger_id=books.ld.id,
            debit_account_id=debit.id,
            credit_account_id=credit.id,
            amount=amount,
            kind="posted",
            code="raw",
            memo="",
            pending_id=None,
            reverses_id=None,
            timeout_at=None,
            batch_id=new_id(),
            body_hash="x" * 64,
            created_at=datetime.now(UTC),
            created_by_id=None,
            debit_seq=d_count + 1,
            credit_seq=c_count + 1,
            debit_prev_hash=d_head,
            credit_prev_hash=c_head,
            hash="",
        )
        if number == 7:
            row = row._replace(**change)  # type: ignore[arg-type]
        row = row._replace(
            hash=link_hash(
                chain_prev(row.debit_prev_hash, row.credit_prev_hash), transfer_content(row)
            )
        )
        heads[debit.id] = (row.debit_seq, row.hash)
        heads[credit.id] = (row.credit_seq, row.hash)
        rows.append(row)
    return rows


def insert_raw(rows: Sequence[TransferRow]) -> None:
    """One multi-row INSERT in plain SQL."""
    fields = {f.attname: f for f in Transfer._meta.concrete_fields}
    columns = TransferRow._fields
    values = [fields[c].get_db_prep_value(getattr(r, c), connection) for r in rows for c in columns]
    one = f"({', '.join(['%s'] * len(columns))})"
    sql = (
        f"INSERT INTO ledger_transfer ({', '.join(columns)}) VALUES {', '.join([one] * len(rows))}"  # noqa: S608 -- constants
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, values)


def round_trip(books, times: int = 6) -> list[Leg]:
    """From issuance to Ana and on to Ben, `times` over: 2 x `times` legs."""
    return [(books.issuance, books.ana, 100), (books.ana, books.ben, 40)] * times


def totals(*accounts: Account) -> list[tuple[int, int, int]]:
    for account in accounts:
        account.refresh_from_db()
    return [(a.debits_posted, a.credits_posted, a.transfer_count) for a in accounts]


def test_a_batch_moves_every_account_once_per_leg(books) -> None:
    insert_raw(chained_rows(books, round_trip(books)))
    assert totals(books.issuance, books.ana, books.ben) == [
        (600, 0, 6),
        (240, 600, 12),
        (0, 240, 6),
    ]
    assert ledger_verify() == []


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({"debit_prev_hash": "f" * 64}, "chain_broken"),
        ({"credit_seq": 99}, "chain_broken"),
        ({"community_id": new_id()}, "ledger_mismatch"),
        ({"reverses_id": new_id()}, "reversal_mismatch"),
    ],
)
def test_one_bad_row_refuses_the_whole_batch(books, change, refusal) -> None:
    before = totals(books.issuance, books.ana, books.ben)
    with pytest.raises(DatabaseError, match=refusal):
        insert_raw(chained_rows(books, round_trip(books), **change))
    assert totals(books.issuance, books.ana, books.ben) == before
    assert not Transfer.objects.exists()


def test_a_batch_between_ledgers_is_refused(books) -> None:
    from mutua.ledger import services
    from mutua.ledger.models import AccountKind

    usd = services.ledger_create(community=books.community, code="USD", name="Dollar reserve")
    reserve = services.account_open(
        ledger=usd, code="reserve", name="Reserve", kind=AccountKind.RESERVE, unlimited=True
    )
    legs = round_trip(books)
    legs[6] = (reserve, books.ana, 100)
    with pytest.raises(DatabaseError, match="ledger_mismatch"):
        insert_raw(chained_rows(books, legs))


def test_a_batch_that_overdraws_an_account_is_refused(books) -> None:
    legs = round_trip(books)
    legs.append((books.ben, books.ana, 241))  # Ben holds 240
    with pytest.raises(IntegrityError):
        insert_raw(chained_rows(books, legs))
    assert totals(books.ben) == [(0, 0, 0)]


def test_an_account_with_transfers_cannot_be_deleted(books) -> None:
    books.pay(books.issuance, books.ana, 100)
    with (
        pytest.raises(IntegrityError, match="account_in_use"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM ledger_account WHERE code = 'ana'")
    assert Account.objects.filter(code="ana").exists()
