"""Local-dollar endpoints of the JSON API, under `/api/v1/currency/`.

Amounts are integers of minor units (cents): local cents, and dollar cents for the reserve.
Exchanges and payments take an `id` chosen by the client: sending the same body again does
nothing twice. Who may do what: members pay from their wallet (or an account they act for) and
ask others for money; credit union officers open wallets, exchange dollars both ways and set
credit lines; officers and admins read the report. `GET /currency/public/{community}` needs no
sign-in: it is what the transparency page shows.
"""

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from mutua.api import Day, error_responses
from mutua.community.models import Community, Member, Organization
from mutua.community.permissions import require, signed_in
from mutua.core.errors import NotFound
from mutua.core.tenancy import community_scope
from mutua.currency import selectors, services
from mutua.currency.models import Exchange, PaymentRequest
from mutua.ledger.models import Account

router = Router(tags=["currency"])
MAX = 10**15
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 422)


class ExchangeInIn(Schema):
    id: UUID = Field(description="Chosen by the client; the idempotency key.")
    account: UUID = Field(description="The wallet that receives the local dollars.")
    dollars: int = Field(gt=0, le=MAX, description="Dollar cents received.")


class ExchangeOutIn(Schema):
    id: UUID
    account: UUID = Field(description="The merchant's or organization's wallet.")
    local: int = Field(gt=0, le=MAX, description="Local cents returned, fee included.")


class ExchangeOut(Schema):
    id: UUID
    kind: str
    account: UUID
    dollars: int
    local: int
    fee: int
    rate_bps: int
    created_at: Any


class PaymentIn(Schema):
    id: UUID
    to: str = Field(description="The payee's handle (a member) or short name (a merchant).")
    amount: int = Field(gt=0, le=MAX)
    memo: str = Field("", max_length=200)
    from_account: UUID | None = Field(None, description="Default: your own wallet.")


class PaymentOut(Schema):
    id: UUID
    result: str
    created_at: Any


class PaymentRequestIn(Schema):
    payer: str = Field(description="The handle of the member asked to pay.")
    amount: int = Field(gt=0, le=MAX)
    memo: str = Field("", max_length=200)
    to_account: UUID | None = Field(None, description="Default: your own wallet.")


class AnswerIn(Schema):
    id: UUID | None = Field(None, description="Accepting: the id of the payment transfer.")


class PaymentRequestOut(Schema):
    id: UUID
    requester: str
    payer: str
    to_account: UUID
    amount: int
    memo: str
    status: str
    transfer_id: UUID | None
    created_at: Any


class LimitIn(Schema):
    limit: int = Field(ge=0, le=MAX)
    reason: str = Field(min_length=1, max_length=300)


class LimitOut(Schema):
    account: UUID
    old_limit: int
    new_limit: int
    reason: str
    changed_by: str
    changed_at: Any


class WalletIn(Schema):
    member: str | None = Field(None, description="A member's handle.")
    organization: str | None = Field(None, description="An organization's short name.")


class WalletOut(Schema):
    id: UUID
    code: str
    name: str
    kind: str


def _account(viewer: Member, account_id: UUID) -> Account:
    account = Account.objects.filter(community_id=viewer.tenant_id, pk=account_id).first()
    if account is None:
        raise NotFound(_("No such account."))
    return account


def _exchange_out(exchange: Exchange) -> dict[str, Any]:
    return {
        "id": exchange.id,
        "kind": exchange.kind,
        "account": exchange.account_id,
        "dollars": exchange.dollars,
        "local": exchange.local,
        "fee": exchange.fee,
        "rate_bps": exchange.rate_bps,
        "created_at": exchange.created_at,
    }


def _request_out(asked: PaymentRequest) -> dict[str, Any]:
    return {
        "id": asked.id,
        "requester": asked.requester.handle,
        "payer": asked.payer.handle,
        "to_account": asked.to_account_id,
        "amount": asked.amount,
        "memo": asked.memo,
        "status": asked.status,
        "transfer_id": asked.transfer_id,
        "created_at": asked.created_at,
    }


@router.post("/wallets", response={201: WalletOut, **error_responses(400, 401, 403, 404, 409, 422)})
def wallet_open(request: HttpRequest, body: WalletIn) -> Any:
    """Open a local-dollar wallet for a member or an organization (credit union officers)."""
    viewer = signed_in(request)
    currency = selectors.currency_of(viewer.tenant)
    member = organization = None
    if body.member:
        member = Member.objects.filter(
            community_id=viewer.tenant_id, handle=body.member.lower()
        ).first()
        if member is None:
            raise NotFound(_("No member has that handle."), code="unknown_handle")
    elif body.organization:
        organization = Organization.objects.filter(
            community_id=viewer.tenant_id, slug=body.organization
        ).first()
        if organization is None:
            raise NotFound(_("No organization has that short name."), code="unknown_handle")
    wallet = services.wallet_open(
        currency=currency, officer=viewer, member=member, organization=organization
    )
    return 201, {"id": wallet.id, "code": wallet.code, "name": wallet.name, "kind": wallet.kind}


@router.post("/exchanges/in", response={201: ExchangeOut, **WRITE_ERRORS})
def exchange_in(request: HttpRequest, body: ExchangeInIn) -> Any:
    """Dollars received at the credit union: local dollars issued into the wallet."""
    viewer = signed_in(request)
    exchange = services.exchange_in(
        currency=selectors.currency_of(viewer.tenant),
        officer=viewer,
        account=_account(viewer, body.account),
        dollars=body.dollars,
        id=body.id,
    )
    return 201, _exchange_out(exchange)


@router.post("/exchanges/out", response={201: ExchangeOut, **WRITE_ERRORS})
def exchange_out(request: HttpRequest, body: ExchangeOutIn) -> Any:
    """A merchant or organization redeems local dollars: dollars out, less the fee."""
    viewer = signed_in(request)
    exchange = services.exchange_out(
        currency=selectors.currency_of(viewer.tenant),
        officer=viewer,
        account=_account(viewer, body.account),
        local=body.local,
        id=body.id,
    )
    return 201, _exchange_out(exchange)


@router.post(
    "/payments",
    response={201: PaymentOut, 200: PaymentOut, **WRITE_ERRORS},
)
def payment_send(request: HttpRequest, body: PaymentIn) -> Any:
    """Pay a member or merchant by handle (201; 200 if this id was paid already)."""
    viewer = signed_in(request)
    source = _account(viewer, body.from_account) if body.from_account else None
    outcome = services.payment_send(
        payer=viewer,
        to_handle=body.to,
        amount=body.amount,
        memo=body.memo,
        id=body.id,
        from_account=source,
    )
    status = 201 if outcome.result == "ok" else 200
    return status, {
        "id": outcome.id,
        "result": str(outcome.result),
        "created_at": outcome.created_at,
    }


@router.get("/payment-requests", response={200: list[PaymentRequestOut], **error_responses(401)})
def payment_requests(request: HttpRequest) -> Any:
    """Requests you made and requests made of you, newest first."""
    viewer = signed_in(request)
    return [_request_out(r) for r in selectors.requests_for(member=viewer)]


@router.post("/payment-requests", response={201: PaymentRequestOut, **WRITE_ERRORS})
def payment_request_create(request: HttpRequest, body: PaymentRequestIn) -> Any:
    """Ask a member to pay you."""
    viewer = signed_in(request)
    target = _account(viewer, body.to_account) if body.to_account else None
    asked = services.payment_request_create(
        requester=viewer,
        payer_handle=body.payer,
        amount=body.amount,
        memo=body.memo,
        to_account=target,
    )
    return 201, _request_out(asked)


def _answer(request: HttpRequest, request_id: UUID, *, accept: bool, body: AnswerIn | None) -> Any:
    viewer = signed_in(request)
    asked = PaymentRequest.objects.filter(community_id=viewer.tenant_id, pk=request_id).first()
    if asked is None:
        raise NotFound(_("No such request."))
    answered = services.payment_request_answer(
        payer=viewer, request=asked, accept=accept, id=body.id if body else None
    )
    return 200, _request_out(answered)


@router.post(
    "/payment-requests/{request_id}/accept",
    response={200: PaymentRequestOut, **WRITE_ERRORS},
)
def payment_request_accept(request: HttpRequest, request_id: UUID, body: AnswerIn) -> Any:
    """Pay a request made of you."""
    return _answer(request, request_id, accept=True, body=body)


@router.post(
    "/payment-requests/{request_id}/decline",
    response={200: PaymentRequestOut, **WRITE_ERRORS},
)
def payment_request_decline(request: HttpRequest, request_id: UUID) -> Any:
    """Decline a request made of you (or cancel one you made)."""
    return _answer(request, request_id, accept=False, body=None)


@router.put(
    "/accounts/{account_id}/credit-limit",
    response={200: LimitOut, **WRITE_ERRORS},
)
def credit_limit_set(request: HttpRequest, account_id: UUID, body: LimitIn) -> Any:
    """Set a merchant's credit line, with the reason (credit union officers)."""
    viewer = signed_in(request)
    change = services.credit_limit_set(
        currency=selectors.currency_of(viewer.tenant),
        officer=viewer,
        account=_account(viewer, account_id),
        limit=body.limit,
        reason=body.reason,
    )
    return 200, {
        "account": change.account_id,
        "old_limit": change.old_limit,
        "new_limit": change.new_limit,
        "reason": change.reason,
        "changed_by": viewer.handle,
        "changed_at": change.changed_at,
    }


@router.get("/report", response={200: dict[str, Any], **error_responses(400, 401, 403, 422)})
def report(request: HttpRequest, since: Day | None = None, until: Day | None = None) -> Any:
    """The figures of a window of whole days (default: the last 30): `from`/`to` in the body."""
    viewer = signed_in(request)
    currency = selectors.currency_of(viewer.tenant)
    require(viewer, "currency.report", currency)
    start, end = selectors.window(since=since, until=until, today=timezone.now().date())
    return selectors.report_cached(currency=currency, since=start, until=end).headline()


@router.get(
    "/public/{community}", auth=None, response={200: dict[str, Any], **error_responses(404)}
)
def public(request: HttpRequest, community: str) -> Any:
    """What anyone may see: the last 30 days' headline figures and the published digests."""
    found = Community.objects.filter(slug=community).first()
    if found is None:
        raise NotFound(_("No such community."))
    with community_scope(found.id):
        return selectors.transparency(community=found, today=timezone.now().date())
