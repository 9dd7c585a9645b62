"""Ledger endpoints of the JSON API, under `/api/v1/ledger/`.

Amounts are integers of minor units (cents). The client chooses each transfer's `id` (a UUID) and
keeps it: sending the same body again answers `exists` and applies nothing; the same id with
another body answers `id_conflict`.

A single transfer answers 201 (`ok`), 200 (`exists`) or an error with the result as its `code`
(409 for `id_conflict`, 422 for the rest). A batch answers 200 with one result per transfer;
`linked: true` applies all or none.

Who may do what (decided in `mutua.community.permissions`): a member may debit only accounts
they own (their wallet, or their organization's when they act for it); a credit union officer
may debit any account. Crediting needs only that the account exists in the community.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from mutua.api import Instant, error_responses
from mutua.community.models import Member
from mutua.community.permissions import may, require, signed_in
from mutua.core.errors import Forbidden, NotFound
from mutua.ledger import selectors, services
from mutua.ledger.domain import Kind, Result, TransferOutcome, TransferRequest
from mutua.ledger.messages import refusal_raise
from mutua.ledger.models import Account, Transfer

router = Router(tags=["ledger"])

CODE_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"


class TransferIn(Schema):
    id: UUID = Field(description="Chosen by the client; the idempotency key.")
    debit_account: UUID
    credit_account: UUID
    amount: int = Field(gt=0, le=10**15, description="Minor units (cents).")
    code: str = Field("payment", pattern=CODE_PATTERN, description="Reason code.")
    memo: str = Field("", max_length=200)
    pending: bool = Field(False, description="Hold the amount until posted or voided.")
    timeout_seconds: int | None = Field(None, gt=0, le=366 * 24 * 3600)


class BatchIn(Schema):
    transfers: list[TransferIn] = Field(min_length=1, max_length=8190)
    linked: bool = Field(False, description="All or nothing.")


class ResolveIn(Schema):
    id: UUID = Field(description="The id of the new post, void or reversal transfer.")
    amount: int = Field(0, ge=0, le=10**15, description="0 means all of it.")
    memo: str = Field("", max_length=200)


class ResultOut(Schema):
    id: UUID
    result: Result
    created_at: datetime | None = None


class BatchOut(Schema):
    results: list[ResultOut]


class AccountOut(Schema):
    id: UUID
    code: str
    name: str
    kind: str
    ledger: str
    scale: int
    balance: int = Field(description="Posted: credits minus debits.")
    pending_in: int
    pending_out: int
    available: int = Field(description="What it can still send: balance - holds + credit limit.")
    credit_limit: int
    closed: bool


class StatementLineOut(Schema):
    id: UUID
    created_at: datetime
    kind: str
    code: str
    memo: str
    amount: int
    change: int = Field(description="+ credited, - debited (posted amounts only).")
    balance: int = Field(description="Posted balance after this transfer.")
    debit_account: UUID
    credit_account: UUID


def _account(viewer: Member, account_id: UUID, action: str = "ledger.account.view") -> Account:
    account = (
        Account.objects.filter(community_id=viewer.tenant_id, pk=account_id)
        .select_related("ledger")
        .first()
    )
    if account is None:
        raise NotFound(_("No such account."))
    require(viewer, action, account)
    return account


def _account_out(account: Account) -> dict[str, Any]:
    return {
        "id": account.id,
        "code": account.code,
        "name": account.name,
        "kind": account.kind,
        "ledger": account.ledger.code,
        "scale": account.ledger.scale,
        "balance": account.balance_posted,
        "pending_in": account.credits_pending,
        "pending_out": account.debits_pending,
        "available": account.available,
        "credit_limit": account.credit_limit,
        "closed": account.closed_at is not None,
    }


def _request_of(item: TransferIn) -> TransferRequest:
    return TransferRequest(
        id=item.id,
        kind=Kind.PENDING if item.pending else Kind.POSTED,
        debit_account_id=item.debit_account,
        credit_account_id=item.credit_account,
        amount=item.amount,
        code=item.code,
        memo=item.memo,
        timeout_seconds=item.timeout_seconds,
    )


def _may_debit(viewer: Member, items: list[TransferIn]) -> None:
    ids = {item.debit_account for item in items}
    accounts = {a.id: a for a in Account.objects.filter(community_id=viewer.tenant_id, pk__in=ids)}
    for account_id in ids:
        account = accounts.get(account_id)
        if account is not None and not may(viewer, "ledger.account.debit", account):
            raise Forbidden(_("You may only pay from accounts you hold."))


def _single(outcome: TransferOutcome) -> tuple[int, dict[str, Any]]:
    refusal_raise(outcome)
    return (201 if outcome.result == Result.OK else 200), outcome._asdict()


@router.post(
    "/transfers",
    response={
        200: ResultOut | BatchOut,
        201: ResultOut,
        **error_responses(400, 401, 403, 409, 422),
    },
    summary="Make one transfer, or a batch",
)
def transfers_create(request: HttpRequest, body: TransferIn | BatchIn) -> Any:
    viewer = signed_in(request)
    items = body.transfers if isinstance(body, BatchIn) else [body]
    _may_debit(viewer, items)
    outcomes = services.transfers_create(
        community=viewer.tenant,
        requests=[_request_of(i) for i in items],
        linked=isinstance(body, BatchIn) and body.linked,
        actor=viewer,
    )
    if isinstance(body, BatchIn):
        return 200, {"results": [o._asdict() for o in outcomes]}
    return _single(outcomes[0])


def _resolve(request: HttpRequest, transfer_id: UUID, body: ResolveIn, kind: Kind) -> Any:
    viewer = signed_in(request)
    target = Transfer.objects.filter(community_id=viewer.tenant_id, pk=transfer_id).first()
    if target is None:
        raise NotFound(_("No such transfer."))
    # Posting and voiding act for either party of the hold; a reversal takes money back from the
    # account that was credited, so it needs the right to debit that account.
    sides = (
        [target.credit_account]
        if kind == Kind.REVERSE
        else [target.debit_account, target.credit_account]
    )
    if not any(may(viewer, "ledger.account.debit", side) for side in sides):
        raise Forbidden(_("You may only act on transfers of accounts you hold."))
    outcome = services.transfer_create(
        community=viewer.tenant,
        actor=viewer,
        request=TransferRequest(
            id=body.id, kind=kind, target_id=transfer_id, amount=body.amount, memo=body.memo
        ),
    )
    return _single(outcome)


@router.post(
    "/transfers/{transfer_id}/post",
    response={200: ResultOut, 201: ResultOut, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="Post a pending transfer",
)
def transfer_post(request: HttpRequest, transfer_id: UUID, body: ResolveIn) -> Any:
    return _resolve(request, transfer_id, body, Kind.POST)


@router.post(
    "/transfers/{transfer_id}/void",
    response={200: ResultOut, 201: ResultOut, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="Void a pending transfer",
)
def transfer_void(request: HttpRequest, transfer_id: UUID, body: ResolveIn) -> Any:
    return _resolve(request, transfer_id, body, Kind.VOID)


@router.post(
    "/transfers/{transfer_id}/reverse",
    response={200: ResultOut, 201: ResultOut, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="Reverse a transfer",
)
def transfer_reverse(request: HttpRequest, transfer_id: UUID, body: ResolveIn) -> Any:
    return _resolve(request, transfer_id, body, Kind.REVERSE)


@router.get(
    "/accounts",
    response={200: list[AccountOut], **error_responses(401)},
    summary="The accounts you may see",
)
def accounts(request: HttpRequest) -> Any:
    viewer = signed_in(request)
    rows = Account.objects.filter(community_id=viewer.tenant_id).select_related("ledger")
    return [
        _account_out(a)
        for a in rows.order_by("ledger__code", "code")
        if may(viewer, "ledger.account.view", a)
    ]


@router.get(
    "/accounts/{account_id}", response={200: AccountOut, **error_responses(401, 403, 404, 422)}
)
def account_get(request: HttpRequest, account_id: UUID) -> Any:
    return _account_out(_account(signed_in(request), account_id))


@router.get(
    "/accounts/{account_id}/transfers",
    response={200: list[StatementLineOut], **error_responses(401, 403, 404, 422)},
    summary="History with running balance",
)
def account_transfers(
    request: HttpRequest,
    account_id: UUID,
    since: Instant | None = None,
    until: Instant | None = None,
) -> Any:
    account = _account(signed_in(request), account_id)
    return [
        {
            "id": line.transfer.id,
            "created_at": line.transfer.created_at,
            "kind": line.transfer.kind,
            "code": line.transfer.code,
            "memo": line.transfer.memo,
            "amount": line.transfer.amount,
            "change": line.change,
            "balance": line.balance,
            "debit_account": line.transfer.debit_account_id,
            "credit_account": line.transfer.credit_account_id,
        }
        for line in selectors.account_history(account=account, since=since, until=until)
    ]
