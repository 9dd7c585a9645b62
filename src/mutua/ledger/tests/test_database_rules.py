"""The database refuses bad writes itself, even from code that goes around the ORM."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from mutua.core.ids import new_id
from mutua.ledger.chain import transfer_content
from mutua.ledger.domain import Kind
from mutua.ledger.models import Transfer

pytestmark = pytest.mark.django_db


def raw_transfer(
    books,
    debit,
    credit,
    amount,
    *,
    kind="posted",
    ledger=None,
    pending=None,
    reverses=None,
    debit_prev_hash=None,
) -> None:
    """Insert a transfer with plain SQL, extending both chains correctly."""
    debit.refresh_from_db()
    credit.refresh_from_db()
    t = Transfer(
        id=new_id(),
        community=books.community,
        ledger=ledger or books.ld,
        debit_account=debit,
        credit_account=credit,
        amount=amount,
        kind=kind,
        code="raw",
        pending_id=pending,
        reverses_id=reverses,
        body_hash="x" * 64,
        debit_seq=debit.transfer_count + 1,
        credit_seq=credit.transfer_count + 1,
        debit_prev_hash=debit_prev_hash or debit.head_hash,
        credit_prev_hash=credit.head_hash,
        hash="h" * 64,
    )
    t.created_at = t.created_at
    columns = [
        "id",
        "community_id",
        "ledger_id",
        "debit_account_id",
        "credit_account_id",
        "amount",
        "kind",
        "code",
        "memo",
        "pending_id",
        "reverses_id",
        "timeout_at",
        "batch_id",
        "body_hash",
        "created_at",
        "created_by_id",
        "debit_seq",
        "credit_seq",
        "debit_prev_hash",
        "credit_prev_hash",
        "hash",
    ]
    fields = {f.attname: f for f in Transfer._meta.concrete_fields}
    values = [fields[c].get_db_prep_value(getattr(t, c), connection) for c in columns]
    sql = (  # the column names are the constants above, never input
        f"INSERT INTO ledger_transfer ({', '.join(columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, values)


def test_raw_sql_moves_the_balances_too(books) -> None:
    raw_transfer(books, books.issuance, books.ana, 500)
    assert books.balance(books.ana) == 500


def test_an_overdraft_past_the_limit_is_refused(books) -> None:
    raw_transfer(books, books.issuance, books.ana, 500)
    with pytest.raises(IntegrityError):
        raw_transfer(books, books.ana, books.ben, 501)
    raw_transfer(books, books.bakery, books.ben, 5_000)  # within the bakery's credit line
    with pytest.raises(IntegrityError):
        raw_transfer(books, books.bakery, books.ben, 1)
    assert books.balance(books.ana) == 500 and books.balance(books.ben) == 5_000


@pytest.mark.parametrize("amount", [0, -5])
def test_zero_or_negative_amounts_are_refused(books, amount) -> None:
    with pytest.raises(IntegrityError):
        raw_transfer(books, books.issuance, books.ana, amount)


def test_a_transfer_between_ledgers_is_refused(books) -> None:
    from mutua.ledger import services
    from mutua.ledger.models import AccountKind

    usd = services.ledger_create(community=books.community, code="USD", name="Dollar reserve")
    reserve = services.account_open(
        ledger=usd, code="reserve", name="Reserve", kind=AccountKind.RESERVE, unlimited=True
    )
    with pytest.raises(DatabaseError, match="ledger_mismatch"):
        raw_transfer(books, reserve, books.ana, 100)


def test_a_transfer_that_skips_the_hash_chain_is_refused(books) -> None:
    raw_transfer(books, books.issuance, books.ana, 100)
    with pytest.raises(DatabaseError, match="chain_broken"):
        raw_transfer(books, books.issuance, books.ana, 100, debit_prev_hash="f" * 64)
    assert books.balance(books.ana) == 100


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_transfer SET amount = 1",
        "DELETE FROM ledger_transfer",
    ],
)
def test_transfers_cannot_be_edited_or_deleted(books, statement) -> None:
    books.pay(books.issuance, books.ana, 700)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert books.balance(books.ana) == 700


def test_a_pending_transfer_is_resolved_at_most_once(books) -> None:
    books.pay(books.issuance, books.ana, 1_000)
    hold = new_id()
    books.pay(books.ana, books.ben, 400, kind=Kind.PENDING, id=hold)
    raw_transfer(books, books.ana, books.ben, 400, kind="void", pending=hold)
    with pytest.raises(IntegrityError):
        raw_transfer(books, books.ana, books.ben, 100, kind="post", pending=hold)
    books.ana.refresh_from_db()
    assert (books.ana.debits_pending, books.ana.debits_posted) == (0, 0)


def test_a_reversal_of_a_transfer_that_is_not_there_is_refused(books) -> None:
    books.pay(books.issuance, books.ana, 1_000)
    with pytest.raises(DatabaseError, match="reversal_mismatch"):
        raw_transfer(books, books.ana, books.issuance, 100, reverses=new_id())
    assert books.balance(books.ana) == 1_000


def test_posting_more_than_was_held_is_refused(books) -> None:
    books.pay(books.issuance, books.ana, 1_000)
    hold = new_id()
    books.pay(books.ana, books.ben, 400, kind=Kind.PENDING, id=hold)
    with pytest.raises(DatabaseError, match="pending_mismatch"):
        raw_transfer(books, books.ana, books.ben, 401, kind="post", pending=hold)


def test_transfer_content_covers_the_amount(books) -> None:
    books.pay(books.issuance, books.ana, 100)
    transfer = Transfer.objects.get()
    assert transfer_content(transfer)["amount"] == 100
