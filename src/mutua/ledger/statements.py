"""The fixed SQL of the transfer path: lock accounts, look up ids, insert transfers.

Every transfer goes through these statements, so they are written once, by hand, instead of
being compiled by the ORM on every call (which cost more than the database's own work). On
PostgreSQL a single new transfer may instead be one call of a database function
(`transfer_quick`). They speak both databases: Django stores a UUID on SQLite as 32 hex digits and
a time as naive UTC text, so values pass through `_db` on the way in and `_uuid`/`_time` on the
way out.

The database still checks every row these statements write (`sql/` beside the migrations); this
module only makes the honest writer fast.
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple
from uuid import UUID

from django.db import DatabaseError, connection, transaction
from django.utils.dateparse import parse_datetime

from mutua.ledger.domain import TransferRequest, TransferRow

TRANSFER_COLUMNS = TransferRow._fields
_INSERT_ROWS = 500  # rows per multi-row INSERT on SQLite (its limit is 32,766 parameters)
_COPY_FROM = 20  # PostgreSQL: fewer rows go by INSERT, which needs one round trip less than COPY


class LockedAccount(NamedTuple):
    id: UUID
    ledger_id: UUID
    closed: bool
    unlimited: bool
    credit_limit: int
    debits_pending: int
    debits_posted: int
    credits_pending: int
    credits_posted: int
    transfer_count: int
    head_hash: str


class StoredTransfer(NamedTuple):
    """What a retry needs to know of a transfer already stored under its id."""

    id: UUID
    community_id: UUID
    body_hash: str
    created_at: datetime


def _sqlite() -> bool:
    return connection.vendor == "sqlite"


def db_value(value: Any) -> Any:
    """A query parameter as this database stores it (see `_db`)."""
    return _db(value) if _sqlite() else value


def _db(value: Any) -> Any:
    """A value as Django stores it on SQLite: UUIDs as 32 hex digits, times as naive UTC text
    (PostgreSQL takes values as they are)."""
    if isinstance(value, UUID):
        return value.hex
    if isinstance(value, datetime):
        return str(value.astimezone(UTC).replace(tzinfo=None))
    return value


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)


def _time(value: Any) -> datetime:
    parsed = value if isinstance(value, datetime) else parse_datetime(value)
    assert parsed is not None, value
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _marks(count: int) -> str:
    return ", ".join(["%s"] * count)


def _among(ids: Sequence[UUID], sqlite: bool) -> tuple[str, list[Any]]:
    """`IN (...)` on SQLite; on PostgreSQL one array parameter, so a batch of a thousand ids is
    not a thousand placeholders for the driver to parse."""
    if sqlite:
        return f"IN ({_marks(len(ids))})", [_db(i) for i in ids]
    return "= ANY(%s)", [list(ids)]


def _accounts_query(among: str, sqlite: bool) -> str:
    lock = "" if sqlite else " FOR UPDATE"
    return (
        "SELECT id, ledger_id, closed_at IS NOT NULL, unlimited, credit_limit, debits_pending, "  # noqa: S608 -- fixed text, values are parameters
        "debits_posted, credits_pending, credits_posted, transfer_count, head_hash "
        f"FROM ledger_account WHERE community_id = %s AND id {among} ORDER BY id{lock}"
    )


def _stored_query(among: str) -> str:
    return (
        "SELECT id, community_id, body_hash, created_at FROM ledger_transfer "  # noqa: S608 -- fixed text, values are parameters
        f"WHERE id {among}"
    )


def _accounts(rows: Iterable[Sequence[Any]]) -> list[LockedAccount]:
    return [LockedAccount(_uuid(r[0]), _uuid(r[1]), bool(r[2]), bool(r[3]), *r[4:]) for r in rows]


def _stored(rows: Iterable[Sequence[Any]]) -> dict[UUID, StoredTransfer]:
    stored = (StoredTransfer(_uuid(r[0]), _uuid(r[1]), r[2], _time(r[3])) for r in rows)
    return {s.id: s for s in stored}


@dataclass
class Writing:
    """The transaction of one call of `services.transfers_create`.

    On PostgreSQL, called outside any transaction (an API request, a command), the transaction's
    BEGIN travels with the account locks and its COMMIT with the INSERT: a single transfer takes
    two round trips instead of four, which is most of its cost on a busy server. Otherwise (SQLite,
    or inside a caller's `transaction.atomic`) it is an ordinary atomic block."""

    riding: bool  # BEGIN and COMMIT ride along with our statements
    begun: bool = False
    committed: bool = False

    def begin(self) -> str:
        if not self.riding or self.begun:
            return ""
        self.begun = True
        return "BEGIN; "

    def commit(self) -> str:
        if not self.begun:
            return ""
        self.committed = True
        return "; COMMIT"


@contextmanager
def writing() -> Iterator[Writing]:
    if _sqlite() or connection.in_atomic_block:
        with transaction.atomic():
            yield Writing(riding=False)
        return
    work = Writing(riding=True)
    try:
        yield work
    except BaseException:
        if work.begun:  # also after a failed COMMIT: ROLLBACK outside a transaction is harmless
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
        raise
    if work.begun and not work.committed:
        with connection.cursor() as cursor:
            cursor.execute("COMMIT")


def accounts_lock(
    work: Writing,
    community_id: UUID,
    account_ids: Sequence[UUID],
    transfer_ids: Sequence[UUID],
) -> tuple[list[LockedAccount], dict[UUID, StoredTransfer]]:
    """The community's accounts among `account_ids`, locked in ascending id order, then the
    transfers already stored under `transfer_ids` (`transfers_stored`), read once the locks are
    held so that a concurrent writer of the same accounts has committed.

    PostgreSQL takes the row locks here, and gets both statements in one round trip; SQLite's
    `BEGIN IMMEDIATE` already holds the whole database."""
    if not account_ids:
        return [], transfers_stored(transfer_ids)
    sqlite = _sqlite()
    among, values = _among(account_ids, sqlite)
    community = _db(community_id) if sqlite else community_id
    accounts, params = _accounts_query(among, sqlite), [community, *values]
    if sqlite or not transfer_ids:
        with connection.cursor() as cursor:
            cursor.execute(f"{work.begin()}{accounts}", params)
            if work.begun:
                cursor.nextset()  # past BEGIN
            return _accounts(cursor.fetchall()), transfers_stored(transfer_ids)
    stored, more = _among(transfer_ids, sqlite)
    with connection.cursor() as cursor:
        cursor.execute(f"{work.begin()}{accounts}; {_stored_query(stored)}", [*params, *more])
        if work.begun:
            cursor.nextset()  # past BEGIN
        locked = _accounts(cursor.fetchall())
        cursor.nextset()
        return locked, _stored(cursor.fetchall())


def transfer_quick(
    request: TransferRequest,
    *,
    community_id: UUID,
    code: str,
    batch_id: UUID,
    actor_id: UUID | None,
) -> datetime | None:
    """Write one new transfer in one round trip, if nothing stands in its way; its time, or None.

    The database function `ledger_transfer_quick` (its SQL file beside the migrations tells the
    whole of it) locks the two accounts, takes both chain places and the time under the locks,
    hashes and inserts, all in the statement's own transaction. None, with nothing written, where
    the answer would not be `ok` (the caller's normal path gives the exact one), on SQLite, and
    inside a caller's transaction, where the statement would not commit on its own."""
    if _sqlite() or connection.in_atomic_block:
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT ledger_transfer_quick(%s::uuid, %s::uuid, %s::text, %s::uuid, %s::uuid, "
                "%s::bigint, %s::text, %s::text, %s::text, %s::uuid, %s::uuid)",
                [
                    request.id,
                    community_id,
                    str(request.kind),
                    request.debit_account_id,
                    request.credit_account_id,
                    request.amount,
                    code,
                    request.memo,
                    request.body_hash(),
                    batch_id,
                    actor_id,
                ],
            )
            (created,) = cursor.fetchone()
    except DatabaseError:
        # Nothing was written (the statement was its own transaction). Say another writer stored
        # this id after the function looked: the normal path answers `exists`.
        return None
    return None if created is None else _time(created)


def transfers_stored(ids: Iterable[UUID]) -> dict[UUID, StoredTransfer]:
    """Transfers stored under any of `ids`, in any community (ids are unique everywhere)."""
    ids = list(ids)
    if not ids:
        return {}
    among, values = _among(ids, _sqlite())
    with connection.cursor() as cursor:
        cursor.execute(_stored_query(among), values)
        return _stored(cursor.fetchall())


def transfers_insert(work: Writing, rows: Sequence[TransferRow]) -> None:
    """Insert in order; each row extends chains the rows before it moved. PostgreSQL gets larger
    batches by COPY, which fires the same triggers as INSERT for a fraction of the parsing."""
    if not rows:
        return
    columns = ", ".join(TRANSFER_COLUMNS)
    sqlite = _sqlite()
    with connection.cursor() as cursor:
        if sqlite or len(rows) <= _COPY_FROM:
            for start in range(0, len(rows), _INSERT_ROWS):
                chunk = rows[start : start + _INSERT_ROWS]
                values = ", ".join([f"({_marks(len(TRANSFER_COLUMNS))})"] * len(chunk))
                params = [_db(v) if sqlite else v for row in chunk for v in row]
                commit = work.commit() if start + _INSERT_ROWS >= len(rows) else ""
                cursor.execute(
                    f"INSERT INTO ledger_transfer ({columns}) VALUES {values}{commit}",  # noqa: S608 -- fixed text
                    params,
                )
            return
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY ledger_transfer ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
