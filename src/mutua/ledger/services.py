"""Writes of the ledger. Every transfer, pending, post, void, reversal and expiry goes through
`transfers_create`, which evaluates a batch under the locks of the accounts it touches and inserts
what passes; the database re-checks every rule (see `models`), so Python here is the fast path and
the friendly error, never the only guard.

Order of work inside one database transaction:
1. read the transfers the requests act on (pending ones to post or void, originals to reverse);
2. lock every account involved, in ascending id order, so two batches can never deadlock;
3. answer retries (`exists` / `id_conflict`) now that concurrent writers of these accounts are done;
4. evaluate each request in order against the accounts' state, which earlier requests of the same
   batch have already moved, and build the transfer with its place in both accounts' hash chains;
5. insert. A linked batch inserts all or nothing; an unlinked one inserts what passed.

Before all that, a single new transfer called outside any transaction on PostgreSQL tries the
database's one-statement path (`statements.transfer_quick`), which does steps 2 to 5 itself when
the answer is `ok`; any other answer comes from the steps above.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid5

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.community.models import Community, Member, Organization
from mutua.core.errors import MutuaError
from mutua.core.ids import new_id
from mutua.core.money import format_amount
from mutua.core.services import audit_record
from mutua.ledger import statements
from mutua.ledger.chain import digest_compute, transfer_hash
from mutua.ledger.domain import (
    Kind,
    Result,
    TransferOutcome,
    TransferRequest,
    TransferRow,
)
from mutua.ledger.models import MAX_AMOUNT, Account, AccountKind, ChainDigest, Ledger, Transfer
from mutua.ledger.statements import LockedAccount, StoredTransfer

EXPIRY_NAMESPACE = UUID("5b0b7a52-3c1e-4c55-9d5e-6a1f2c0e9e11")
MAX_TIMEOUT = 60 * 60 * 24 * 366


@dataclass
class _Account:
    """A locked account row as the batch sees it, moved by each accepted request."""

    row: LockedAccount
    debits_pending: int = 0
    debits_posted: int = 0
    credits_pending: int = 0
    credits_posted: int = 0
    count: int = 0
    head: str = ""

    @classmethod
    def of(cls, row: LockedAccount) -> "_Account":
        return cls(
            row,
            row.debits_pending,
            row.debits_posted,
            row.credits_pending,
            row.credits_posted,
            row.transfer_count,
            row.head_hash,
        )

    def can_send(self, amount: int) -> bool:
        if self.row.unlimited:
            return True
        return self.credits_posted - self.debits_posted - self.debits_pending - amount >= (
            -self.row.credit_limit
        )


@dataclass
class _Batch:
    community: Community
    now: datetime
    actor_id: UUID | None
    accounts: dict[UUID, _Account] = field(default_factory=dict)
    targets: dict[UUID, Transfer] = field(default_factory=dict)
    resolved: set[UUID] = field(default_factory=set)
    reversed_amount: dict[UUID, int] = field(default_factory=dict)
    seen: dict[UUID, str] = field(default_factory=dict)
    id: UUID = field(default_factory=new_id)  # shared by the transfers of one call


class _IdTaken(Exception):
    """The insert hit a unique id: another writer stored one of the batch's ids after we looked."""

    def __init__(self, before: set[UUID]) -> None:
        super().__init__()
        self.before = before


# --- ledgers and accounts ------------------------------------------------------------------------


@transaction.atomic
def ledger_create(*, community: Community, code: str, name: str, scale: int = 2) -> Ledger:
    ledger = Ledger.objects.create(community=community, code=code, name=name, scale=scale)
    audit_record(action="ledger.ledger.created", community_id=community.id, obj=ledger)
    return ledger


@transaction.atomic
def account_open(
    *,
    ledger: Ledger,
    code: str,
    name: str,
    kind: AccountKind,
    member: Member | None = None,
    organization: Organization | None = None,
    credit_limit: int = 0,
    unlimited: bool = False,
    actor: Member | None = None,
) -> Account:
    if credit_limit < 0:
        raise MutuaError(_("A credit limit cannot be negative."), code="invalid_credit_limit")
    if Account.objects.filter(ledger=ledger, code=code).exists():
        raise MutuaError(_("An account with that code already exists."), code="account_exists")
    account = Account.objects.create(
        community_id=ledger.community_id,
        ledger=ledger,
        code=code,
        name=name,
        kind=kind,
        member=member,
        organization=organization,
        credit_limit=credit_limit,
        unlimited=unlimited,
    )
    audit_record(
        action="ledger.account.opened",
        actor=actor,
        community_id=ledger.community_id,
        obj=account,
        data={"code": code, "kind": str(kind)},
    )
    return account


@transaction.atomic
def account_close(*, account: Account, actor: Member | None = None) -> Account:
    """Close an account to new transfers; holds already placed can still be posted or voided."""
    if account.closed_at is None:
        Account.objects.filter(pk=account.pk).update(closed_at=timezone.now())
        account.refresh_from_db()
        audit_record(action="ledger.account.closed", actor=actor, obj=account)
    return account


@transaction.atomic
def account_limit_set(*, account: Account, credit_limit: int) -> tuple[int, int]:
    """Set an account's credit line; (old, new). A line cannot drop below what is already drawn
    on it (the account's CHECK constraint says so too)."""
    if credit_limit < 0:
        raise MutuaError(_("A credit limit cannot be negative."), code="invalid_credit_limit")
    row = Account.objects.select_for_update().get(pk=account.pk)
    drawn = max(0, row.debits_posted + row.debits_pending - row.credits_posted)
    if credit_limit < drawn:
        raise MutuaError(
            _("The account already uses %(drawn)s of its credit line; the limit cannot be lower.")
            % {"drawn": format_amount(drawn, scale=row.ledger.scale)},
            code="limit_below_drawn",
        )
    Account.objects.filter(pk=row.pk).update(credit_limit=credit_limit)
    account.credit_limit = credit_limit
    return row.credit_limit, credit_limit


# --- transfers ------------------------------------------------------------------------------------


def transfer_create(
    *,
    community: Community,
    request: TransferRequest,
    actor: Member | None = None,
    now: datetime | None = None,
) -> TransferOutcome:
    return transfers_create(community=community, requests=[request], actor=actor, now=now)[0]


def transfers_create(
    *,
    community: Community,
    requests: Sequence[TransferRequest],
    linked: bool = False,
    actor: Member | None = None,
    now: datetime | None = None,
) -> list[TransferOutcome]:
    """Apply a batch; one outcome per request, in order. See the module docstring."""
    if len(requests) == 1 and now is None:
        quick = _transfer_quick(community, requests[0], actor)
        if quick is not None:
            return [quick]
    try:
        return _transfers_apply(community, requests, linked=linked, actor=actor, now=now)
    except _IdTaken as taken:
        # Rolled back whole (or to the savepoint of an enclosing transaction). A writer that took
        # one of our ids after we looked makes this a retry; anything else is a real error.
        if set(statements.transfers_stored(r.id for r in requests)) - taken.before:
            return _retry_as_existing(requests, community)
        raise taken.__cause__ from None  # type: ignore[misc]


def _transfer_quick(
    community: Community, request: TransferRequest, actor: Member | None
) -> TransferOutcome | None:
    """A single new transfer (posted, or a hold without a time limit) in one round trip, where
    the database can take it whole (`statements.transfer_quick`); None sends it down the normal
    path, which also answers every refusal and retry."""
    if request.kind not in (Kind.POSTED, Kind.PENDING) or request.timeout_seconds is not None:
        return None
    if request.debit_account_id is None or request.credit_account_id is None:
        return None
    created = statements.transfer_quick(
        request,
        community_id=community.id,
        code=request.code or _default_code(request),
        batch_id=new_id(),
        actor_id=actor.pk if actor is not None else None,
    )
    return None if created is None else TransferOutcome(request.id, Result.OK, created)


def _transfers_apply(
    community: Community,
    requests: Sequence[TransferRequest],
    *,
    linked: bool,
    actor: Member | None,
    now: datetime | None,
) -> list[TransferOutcome]:
    if now is not None:
        _not_before_a_digest(community, now)
    with statements.writing() as work:
        return _transfers_write(work, community, requests, linked=linked, actor=actor, now=now)


def _not_before_a_digest(community: Community, now: datetime) -> None:
    """A transfer dated (`now=`, for demos and tests) before a published digest would rewrite
    history that was already vouched for: refused. Transfers stamped by the clock never are."""
    if ChainDigest.objects.filter(community=community, taken_at__gt=now).exists():
        raise MutuaError(
            _("A transfer cannot be dated before a published digest of the books."),
            code="before_digest",
        )


def _transfers_write(
    work: statements.Writing,
    community: Community,
    requests: Sequence[TransferRequest],
    *,
    linked: bool,
    actor: Member | None,
    now: datetime | None,
) -> list[TransferOutcome]:
    batch = _Batch(
        community=community,
        now=(now or timezone.now()).astimezone(UTC),
        actor_id=actor.pk if actor is not None else None,
    )
    _load_targets(batch, requests)
    existing = _lock_accounts(work, batch, requests)
    if now is None:  # stamped once the locks are held, so times follow each account's chain
        batch.now = timezone.now().astimezone(UTC)
    built: list[tuple[TransferRequest, Result, TransferRow | None]] = []
    for request in requests:
        result, row = _evaluate(batch, request, existing)
        built.append((request, result, row))
    failed = any(result not in (Result.OK, Result.EXISTS) for _r, result, _t in built)
    if linked and failed:
        # Nothing of the batch is written: only transfers stored before it still `exist`.
        return [
            TransferOutcome(r.id, res, _created(community, existing, r.id))
            if res not in (Result.OK, Result.EXISTS) or r.id in existing
            else TransferOutcome(r.id, Result.LINKED_EVENT_FAILED)
            for r, res, _t in built
        ]
    fresh = [t for _r, res, t in built if res == Result.OK and t is not None]
    try:
        statements.transfers_insert(work, fresh)
    except IntegrityError as error:
        raise _IdTaken(set(existing)) from error
    written = {t.id: t.created_at for t in fresh}
    return [
        TransferOutcome(
            r.id,
            res,
            t.created_at if t is not None else _created(community, existing, r.id, written),
        )
        for r, res, t in built
    ]


def _created(
    community: Community,
    existing: dict[UUID, StoredTransfer],
    transfer_id: UUID,
    written: dict[UUID, datetime] | None = None,
) -> datetime | None:
    if transfer_id in (written or {}):
        return written[transfer_id]  # type: ignore[index]
    found = existing.get(transfer_id)
    if found is None or found.community_id != community.id:
        return None
    return found.created_at


def _retry_as_existing(
    requests: Sequence[TransferRequest], community: Community
) -> list[TransferOutcome]:
    existing = statements.transfers_stored(r.id for r in requests)
    return [
        TransferOutcome(
            r.id,
            _idempotent_result(existing[r.id], r.body_hash(), community)
            if r.id in existing
            else Result.LINKED_EVENT_FAILED,
            _created(community, existing, r.id),
        )
        for r in requests
    ]


def _idempotent_result(stored: StoredTransfer, body_hash: str, community: Community) -> Result:
    ours = stored.community_id == community.id
    return Result.EXISTS if ours and stored.body_hash == body_hash else Result.ID_CONFLICT


def _load_targets(batch: _Batch, requests: Sequence[TransferRequest]) -> None:
    target_ids = {r.target_id for r in requests if r.target_id is not None}
    if not target_ids:
        return
    targets = Transfer.objects.filter(community=batch.community, id__in=target_ids)
    batch.targets = {t.id: t for t in targets}


def _accounts_of(batch: _Batch, request: TransferRequest) -> tuple[UUID | None, UUID | None]:
    if request.kind in (Kind.POSTED, Kind.PENDING):
        return request.debit_account_id, request.credit_account_id
    target = batch.targets.get(request.target_id) if request.target_id else None
    if target is None:
        return None, None
    if request.kind == Kind.REVERSE:
        return target.credit_account_id, target.debit_account_id
    return target.debit_account_id, target.credit_account_id


def _lock_accounts(
    work: statements.Writing, batch: _Batch, requests: Sequence[TransferRequest]
) -> dict[UUID, StoredTransfer]:
    """Lock the accounts; then what is already stored under the requests' ids."""
    ids = sorted({a for r in requests for a in _accounts_of(batch, r) if a is not None}, key=str)
    rows, existing = statements.accounts_lock(
        work, batch.community.id, ids, [r.id for r in requests]
    )
    batch.accounts = {row.id: _Account.of(row) for row in rows}
    pending_ids = [t.id for t in batch.targets.values() if t.kind == Kind.PENDING]
    if pending_ids:
        batch.resolved = set(
            Transfer.objects.filter(pending_id__in=pending_ids).values_list("pending_id", flat=True)
        )
    original_ids = [t.id for t in batch.targets.values() if t.kind in (Kind.POSTED, Kind.POST)]
    if original_ids:
        sums = (
            Transfer.objects.filter(reverses_id__in=original_ids)
            .values("reverses_id")
            .annotate(total=Sum("amount"))
        )
        batch.reversed_amount = {row["reverses_id"]: row["total"] for row in sums}
    return existing


def _evaluate(
    batch: _Batch, request: TransferRequest, existing: dict[UUID, StoredTransfer]
) -> tuple[Result, TransferRow | None]:
    body_hash = request.body_hash()
    if request.id in batch.seen:
        return (Result.EXISTS if batch.seen[request.id] == body_hash else Result.ID_CONFLICT), None
    if request.id in existing:
        return _idempotent_result(existing[request.id], body_hash, batch.community), None
    if request.kind in (Kind.POSTED, Kind.PENDING):
        checked = _check_new(batch, request)
    elif request.timeout_seconds is not None:
        checked = Result.TIMEOUT_INVALID  # only a hold has a time limit
    elif request.kind in (Kind.POST, Kind.VOID):
        checked = _check_resolution(batch, request)
    else:
        checked = _check_reversal(batch, request)
    if isinstance(checked, Result):
        return checked, None
    batch.seen[request.id] = body_hash  # only an accepted request takes its id in this batch
    return Result.OK, _build(batch, request, *checked)


Checked = tuple[str, int, Transfer | None] | Result


def _check_new(batch: _Batch, request: TransferRequest) -> Checked:
    if not 0 < request.amount <= MAX_AMOUNT:
        return Result.AMOUNT_MUST_BE_POSITIVE
    if request.debit_account_id == request.credit_account_id:
        return Result.ACCOUNTS_MUST_BE_DIFFERENT
    debit = batch.accounts.get(request.debit_account_id)  # type: ignore[arg-type]
    credit = batch.accounts.get(request.credit_account_id)  # type: ignore[arg-type]
    if debit is None or credit is None:
        return Result.ACCOUNT_NOT_FOUND
    if debit.row.ledger_id != credit.row.ledger_id:
        return Result.LEDGER_MISMATCH
    if debit.row.closed or credit.row.closed:
        return Result.ACCOUNT_CLOSED
    timeout = request.timeout_seconds
    if timeout is not None and (request.kind != Kind.PENDING or not 0 < timeout <= MAX_TIMEOUT):
        return Result.TIMEOUT_INVALID
    if not debit.can_send(request.amount):
        return Result.EXCEEDS_CREDIT_LIMIT
    return str(request.kind), request.amount, None


def _check_resolution(batch: _Batch, request: TransferRequest) -> Checked:
    pending = batch.targets.get(request.target_id) if request.target_id else None
    if pending is None or pending.kind != Kind.PENDING:
        return Result.PENDING_NOT_FOUND
    if pending.id in batch.resolved:
        return Result.PENDING_ALREADY_RESOLVED
    if (
        request.kind == Kind.POST
        and pending.timeout_at is not None
        and pending.timeout_at <= batch.now
    ):
        return Result.PENDING_EXPIRED
    amount = request.amount or pending.amount
    if request.kind == Kind.VOID:
        amount = pending.amount
    elif not 0 < amount <= pending.amount:
        return Result.EXCEEDS_PENDING_AMOUNT if amount > 0 else Result.AMOUNT_MUST_BE_POSITIVE
    batch.resolved.add(pending.id)
    return str(request.kind), amount, pending


def _check_reversal(batch: _Batch, request: TransferRequest) -> Checked:
    original = batch.targets.get(request.target_id) if request.target_id else None
    if original is None or original.kind not in (Kind.POSTED, Kind.POST):
        return Result.ORIGINAL_NOT_FOUND
    remaining = original.amount - batch.reversed_amount.get(original.id, 0)
    amount = request.amount or remaining
    if amount <= 0 or amount > remaining:
        return Result.EXCEEDS_ORIGINAL_AMOUNT
    debit = batch.accounts[original.credit_account_id]
    if debit.row.closed or batch.accounts[original.debit_account_id].row.closed:
        return Result.ACCOUNT_CLOSED
    if not debit.can_send(amount):
        return Result.EXCEEDS_CREDIT_LIMIT
    batch.reversed_amount[original.id] = batch.reversed_amount.get(original.id, 0) + amount
    return str(Kind.POSTED), amount, original


def _build(
    batch: _Batch, request: TransferRequest, kind: str, amount: int, target: Transfer | None
) -> TransferRow:
    debit_id, credit_id = _accounts_of(batch, request)
    debit, credit = batch.accounts[debit_id], batch.accounts[credit_id]  # type: ignore[index]
    resolves = request.kind in (Kind.POST, Kind.VOID)
    row = TransferRow(
        id=request.id,
        community_id=batch.community.id,
        ledger_id=debit.row.ledger_id,
        debit_account_id=debit.row.id,
        credit_account_id=credit.row.id,
        amount=amount,
        kind=kind,
        code=request.code or _default_code(request),
        memo=request.memo,
        pending_id=target.id if resolves and target else None,
        reverses_id=target.id if request.kind == Kind.REVERSE and target else None,
        timeout_at=(
            batch.now + timedelta(seconds=request.timeout_seconds)
            if request.timeout_seconds
            else None
        ),
        batch_id=batch.id,
        body_hash=batch.seen[request.id],  # hashed once, by _evaluate
        created_at=batch.now,
        created_by_id=batch.actor_id,
        debit_seq=debit.count + 1,
        credit_seq=credit.count + 1,
        debit_prev_hash=debit.head,
        credit_prev_hash=credit.head,
        hash="",
    )
    row = TransferRow(*row[:-1], hash=transfer_hash(row))
    released = target.amount if resolves and target else 0
    _move(debit, credit, kind, amount, released, row.hash)
    return row


def _default_code(request: TransferRequest) -> str:
    return {Kind.POST: "post", Kind.VOID: "void", Kind.REVERSE: "reversal"}.get(
        request.kind, "transfer"
    )


def _move(
    debit: _Account, credit: _Account, kind: str, amount: int, released: int, head: str
) -> None:
    """What the database trigger does to the two rows, mirrored for the rest of the batch."""
    pending = amount if kind == Kind.PENDING else 0
    posted = amount if kind in (Kind.POSTED, Kind.POST) else 0
    debit.debits_pending += pending - released
    credit.credits_pending += pending - released
    debit.debits_posted += posted
    credit.credits_posted += posted
    for side in (debit, credit):
        side.count += 1
        side.head = head


# --- published digests --------------------------------------------------------------------------


@transaction.atomic
def chain_digest_publish(*, ledger: Ledger, at: datetime) -> ChainDigest:
    """Record the digest of every chain head as of `at` (once per ledger and moment).

    Take it for a moment safely in the past (the daily command uses the last midnight), so that no
    transfer stamped before `at` is still on its way to commit.
    """
    existing = ChainDigest.objects.filter(ledger=ledger, taken_at=at).first()
    if existing is not None:
        return existing
    digest, count = digest_compute(ledger=ledger, at=at)
    published = ChainDigest.objects.create(
        community_id=ledger.community_id,
        ledger=ledger,
        taken_at=at,
        transfer_count=count,
        digest=digest,
    )
    audit_record(
        action="ledger.digest.published",
        community_id=ledger.community_id,
        obj=published,
        data={"digest": digest, "transfers": count},
    )
    return published


# --- expiry ------------------------------------------------------------------------------------


def pending_expire(*, community: Community, now: datetime | None = None) -> int:
    """Void every pending transfer whose timeout has passed. Safe to run twice: the void's id is
    derived from the pending transfer's, so a second run answers `exists`."""
    now = now or timezone.now()
    due = Transfer.objects.filter(
        community=community, kind=Kind.PENDING, timeout_at__lte=now, resolution__isnull=True
    ).values_list("id", flat=True)
    requests = [
        TransferRequest(
            id=uuid5(EXPIRY_NAMESPACE, str(pending_id)),
            kind=Kind.VOID,
            target_id=pending_id,
            code="expired",
        )
        for pending_id in due
    ]
    expired = 0
    for start in range(0, len(requests), 500):
        outcomes = transfers_create(
            community=community, requests=requests[start : start + 500], now=now
        )
        expired += sum(1 for o in outcomes if o.result == Result.OK)
    return expired


@transaction.atomic
def account_rename(*, account: Account, name: str, code: str) -> Account:
    """Give an account a new name and code (a departing member's wallet takes their pseudonym).
    Transfers and hashes refer to the account by id, so the chains and balances are untouched."""
    clash = Account.objects.filter(ledger_id=account.ledger_id, code=code).exclude(pk=account.pk)
    if clash.exists():
        raise MutuaError(_("An account with that code already exists."), code="account_exists")
    Account.objects.filter(pk=account.pk).update(name=name, code=code)
    account.refresh_from_db()
    audit_record(action="ledger.account.renamed", obj=account, data={"code": code})
    return account
