"""Writes of the local dollar: setting it up, wallets, exchanges, credit lines, payments, requests.

Every movement of money is a ledger transfer made by `mutua.ledger.services.transfers_create`;
this module decides which transfers, checks who may ask for them, and keeps the records a
credit union needs (exchanges, credit-line changes). Exchanges are one linked batch over both
ledgers: dollars into (or out of) the reserve book and local dollars out of (or back into)
issuance happen together or not at all. Their ids derive from the exchange's id, so a retried
exchange answers with the first one and moves nothing twice.

Exchanges take the currency's row lock first, so two exchanges of one community check the backing
ratio one after the other; payments only take their two accounts' locks (in the ledger).
"""

from typing import NamedTuple
from uuid import UUID, uuid5

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.community.models import Community, Member, Organization
from mutua.community.permissions import may, require
from mutua.community.roles import OrganizationKind
from mutua.core.errors import Conflict, Forbidden, MutuaError, NotFound, Refused
from mutua.core.ids import new_id
from mutua.core.services import audit_record
from mutua.currency import rates, selectors
from mutua.currency.models import (
    CreditLimitChange,
    Currency,
    Exchange,
    ExchangeKind,
    PaymentRequest,
    RequestStatus,
)
from mutua.ledger import services as ledger
from mutua.ledger.domain import TransferOutcome, TransferRequest
from mutua.ledger.messages import linked_refusal_raise, refusal_raise
from mutua.ledger.models import Account, AccountKind, Ledger

# Codes of the accounts a currency needs (the demo's ledger opens the same ones).
ISSUANCE, COMMUNITY_FUND, AID_FUND = "issuance", "community-fund", "aid-fund"
FEE_INCOME, RESERVE, CASH = "fee-income", "usd-reserve", "usd-cash-in"
_SYSTEM = (
    (ISSUANCE, _("Local dollar issuance"), AccountKind.ISSUANCE, True),
    (COMMUNITY_FUND, _("Community fund"), AccountKind.COMMUNITY_FUND, False),
    (AID_FUND, _("Aid fund"), AccountKind.AID_FUND, False),
    (FEE_INCOME, _("Redemption fee income"), AccountKind.FEES, False),
)
_RESERVE_BOOK = (
    (RESERVE, _("Dollar reserve"), AccountKind.RESERVE, False),
    (CASH, _("Dollars exchanged in and out"), AccountKind.SYSTEM, True),
)
WALLET_KINDS = (AccountKind.MEMBER, AccountKind.MERCHANT, AccountKind.ORGANIZATION)


# --- setting up -----------------------------------------------------------------------------------


def _ledger(community: Community, code: str, name: str) -> Ledger:
    found = Ledger.objects.filter(community=community, code=code).first()
    return found or ledger.ledger_create(community=community, code=code, name=name)


def _system_account(book: Ledger, spec: tuple[str, str, AccountKind, bool]) -> Account:
    code, name, kind, unlimited = spec
    found = Account.objects.filter(ledger=book, code=code).first()
    if found is not None:
        return found
    return ledger.account_open(
        ledger=book, code=code, name=str(name), kind=kind, unlimited=unlimited
    )


@transaction.atomic
def currency_open(
    *, community: Community, actor: Member | None = None, **settings: int
) -> Currency:
    """Set up the local dollar: both ledgers and the system accounts (kept if they exist)."""
    existing = Currency.objects.filter(community=community).first()
    if existing is not None:
        return existing
    local = _ledger(community, community.currency_code, community.currency_name)
    dollars = _ledger(community, "USD", _("US dollar reserve"))
    issuance, fund, aid, fees = (_system_account(local, spec) for spec in _SYSTEM)
    reserve, cash = (_system_account(dollars, spec) for spec in _RESERVE_BOOK)
    currency = Currency.objects.create(
        community=community,
        local=local,
        dollars=dollars,
        issuance=issuance,
        community_fund=fund,
        aid_fund=aid,
        fee_income=fees,
        reserve=reserve,
        cash=cash,
        demurrage_fund=aid,
        **settings,
    )
    audit_record(
        action="currency.currency.opened", actor=actor, community_id=community.id, obj=currency
    )
    return currency


def wallet_open(
    *,
    currency: Currency,
    officer: Member,
    member: Member | None = None,
    organization: Organization | None = None,
) -> Account:
    """A local-dollar wallet for a member, or for an organization (a merchant's if a business)."""
    require(officer, "ledger.account.open", currency)
    if (member is None) == (organization is None):
        raise MutuaError(_("Open a wallet for one member or one organization."), code="invalid")
    if member is not None:
        code, name, kind = f"member-{member.handle}", member.display_name, AccountKind.MEMBER
    else:
        assert organization is not None
        merchant = organization.kind == OrganizationKind.BUSINESS
        prefix, kind = (
            ("merchant", AccountKind.MERCHANT) if merchant else ("org", AccountKind.ORGANIZATION)
        )
        code, name = f"{prefix}-{organization.slug}", organization.name
    holder = member or organization
    require(officer, "ledger.account.open", holder)
    if selectors.wallet_of(currency=currency, member=member, organization=organization):
        raise Conflict(_("This wallet is open already."), code="wallet_exists")
    return ledger.account_open(
        ledger=currency.local,
        code=code,
        name=name,
        kind=kind,
        member=member,
        organization=organization,
        actor=officer,
    )


class Settings(NamedTuple):
    """What a community decides about its local dollar (basis points, minor units)."""

    rate_bps: int  # dollar cents per 100 local cents: 9,500 = 95 cents buy a local dollar
    redemption_fee_bps: int
    min_backing_bps: int
    demurrage_bps: int  # a year; 0 = none
    demurrage_exempt: int
    demurrage_fund: str  # "aid_fund" or "community_fund"


_LIMITS = {
    "rate_bps": (1, 10 * rates.BPS, _("The rate must be above 0 and at most 10 dollars.")),
    "redemption_fee_bps": (0, rates.BPS - 1, _("The redemption fee must be under 100%.")),
    "min_backing_bps": (0, 10 * rates.BPS, _("The minimum backing must be between 0 and 1000%.")),
    "demurrage_bps": (0, rates.BPS, _("Demurrage must be between 0 and 100% a year.")),
    "demurrage_exempt": (0, 10**15, _("The exempt balance cannot be negative.")),
}


@transaction.atomic
def currency_settings_set(*, currency: Currency, officer: Member, settings: Settings) -> Currency:
    """Change the rate, fee, minimum backing and demurrage; logged with the old and new values."""
    require(officer, "currency.settings", currency)
    problems: dict[str, list[str]] = {}
    for name, (low, high, message) in _LIMITS.items():
        if not low <= getattr(settings, name) <= high:
            problems[name] = [str(message)]
    if settings.demurrage_fund not in ("aid_fund", "community_fund"):
        problems["demurrage_fund"] = [_("Demurrage goes to the aid fund or the community fund.")]
    if problems:
        raise MutuaError(_("Some settings are out of range."), code="invalid", fields=problems)
    locked = Currency.objects.select_for_update().get(pk=currency.pk)
    old = {name: getattr(locked, name) for name in Settings._fields if name != "demurrage_fund"}
    fund = locked.aid_fund if settings.demurrage_fund == "aid_fund" else locked.community_fund
    Currency.objects.filter(pk=locked.pk).update(
        **{k: v for k, v in settings._asdict().items() if k != "demurrage_fund"},
        demurrage_fund=fund,
    )
    locked.refresh_from_db()
    audit_record(
        action="currency.settings.changed",
        actor=officer,
        obj=locked,
        data={"old": old, "new": settings._asdict()},
    )
    return locked


# --- exchanges ------------------------------------------------------------------------------------


def _check_backing(currency: Currency, *, reserve_change: int, outstanding_change: int) -> None:
    reserve, outstanding = selectors.reserve_and_outstanding(currency=currency)
    before = rates.backing_bps(reserve=reserve, outstanding=outstanding)
    after = rates.backing_bps(
        reserve=reserve + reserve_change, outstanding=outstanding + outstanding_change
    )
    if not rates.backing_allows(before=before, after=after, minimum_bps=currency.min_backing_bps):
        raise Refused(
            _(
                "Refused: this exchange would take the backing ratio to %(after)s, below the "
                "community's minimum of %(minimum)s."
            )
            % {"after": _percent(after), "minimum": _percent(currency.min_backing_bps)},
            code="below_minimum_backing",
        )


def _percent(bps: int | None) -> str:
    return "—" if bps is None else f"{bps / 100:.2f}%"


def _exchange_start(
    currency: Currency,
    officer: Member,
    account: Account,
    *,
    id: UUID,
    kind: ExchangeKind,
    amount: int,
) -> Exchange | None:
    """What both exchanges check first, under the currency's lock: who asks, for which wallet,
    and whether this id was already exchanged (then that exchange is the answer)."""
    require(officer, "currency.exchange", currency)
    require(officer, "ledger.account.view", account)
    Currency.objects.select_for_update().get(pk=currency.pk)
    done = Exchange.objects.filter(pk=id).first()
    if done is not None:
        if done.kind != kind:
            raise Conflict(_("That id was already used for another exchange."), code="id_conflict")
        return done
    if amount <= 0:
        raise MutuaError(_("The amount must be more than zero."), code="amount_must_be_positive")
    _wallet_check(currency, account)
    return None


@transaction.atomic
def exchange_in(
    *, currency: Currency, officer: Member, account: Account, dollars: int, id: UUID
) -> Exchange:
    """Record `dollars` cents received from the wallet's holder and issue local dollars to it."""
    done = _exchange_start(currency, officer, account, id=id, kind=ExchangeKind.IN, amount=dollars)
    if done is not None:
        return done
    local = rates.issued_for(dollars=dollars, rate_bps=currency.rate_bps)
    if local <= 0:
        raise MutuaError(_("That buys less than one local cent."), code="amount_too_small")
    _check_backing(currency, reserve_change=dollars, outstanding_change=local)
    memo = _("Exchange in")
    outcomes = ledger.transfers_create(
        community=currency.community,
        requests=[
            _request(id, "dollars", currency.cash, currency.reserve, dollars, "exchange_in", memo),
            _request(id, "local", currency.issuance, account, local, "exchange_in", memo),
        ],
        linked=True,
        actor=officer,
    )
    linked_refusal_raise(outcomes)
    return _exchange_record(currency, officer, id, ExchangeKind.IN, account, dollars, local, 0)


@transaction.atomic
def exchange_out(
    *, currency: Currency, officer: Member, account: Account, local: int, id: UUID
) -> Exchange:
    """A merchant or organization returns `local` cents; it is paid dollars less the fee."""
    done = _exchange_start(currency, officer, account, id=id, kind=ExchangeKind.OUT, amount=local)
    if done is not None:
        return done
    if account.kind == AccountKind.MEMBER:
        raise Refused(
            _("Local dollars are redeemed by merchants and organizations, not members."),
            code="redemption_not_for_members",
        )
    paid = rates.redemption(
        local=local, rate_bps=currency.rate_bps, fee_bps=currency.redemption_fee_bps
    )
    _check_backing(currency, reserve_change=-paid.dollars, outstanding_change=-paid.retired)
    memo = _("Exchange out")
    requests = [
        _request(id, "retired", account, currency.issuance, paid.retired, "exchange_out", memo),
        _request(
            id, "dollars", currency.reserve, currency.cash, paid.dollars, "exchange_out", memo
        ),
    ]
    if paid.fee:
        fee = _request(
            id, "fee", account, currency.community_fund, paid.fee, "redemption_fee", memo
        )
        requests.insert(1, fee)
    if not paid.dollars:
        requests = [r for r in requests if r.amount]
    linked_refusal_raise(
        ledger.transfers_create(
            community=currency.community, requests=requests, linked=True, actor=officer
        )
    )
    return _exchange_record(
        currency, officer, id, ExchangeKind.OUT, account, paid.dollars, local, paid.fee
    )


def _wallet_check(currency: Currency, account: Account) -> None:
    if account.ledger_id != currency.local_id or account.kind not in WALLET_KINDS:
        raise MutuaError(_("Exchanges are made with a wallet."), code="not_a_wallet")


def _request(
    parent: UUID, part: str, debit: Account, credit: Account, amount: int, code: str, memo: str
) -> TransferRequest:
    return TransferRequest(
        id=uuid5(parent, part),
        debit_account_id=debit.id,
        credit_account_id=credit.id,
        amount=amount,
        code=code,
        memo=str(memo),
    )


def _exchange_record(
    currency: Currency,
    officer: Member,
    id: UUID,
    kind: ExchangeKind,
    account: Account,
    dollars: int,
    local: int,
    fee: int,
) -> Exchange:
    exchange = Exchange.objects.create(
        id=id,
        community=currency.community,
        kind=kind,
        account=account,
        dollars=dollars,
        local=local,
        fee=fee,
        rate_bps=currency.rate_bps,
        officer=officer,
    )
    audit_record(
        action=f"currency.exchange.{kind}",
        actor=officer,
        obj=exchange,
        data={"account": account.code, "dollars": dollars, "local": local, "fee": fee},
    )
    return exchange


# --- credit lines ---------------------------------------------------------------------------------


@transaction.atomic
def credit_limit_set(
    *, currency: Currency, officer: Member, account: Account, limit: int, reason: str
) -> CreditLimitChange:
    """Give a merchant a line of mutual credit (or change or end it); logged with the reason."""
    require(officer, "currency.credit_limit", currency)
    require(officer, "ledger.account.view", account)
    if account.ledger_id != currency.local_id or account.kind != AccountKind.MERCHANT:
        raise MutuaError(_("Credit lines are for merchants' wallets."), code="not_a_merchant")
    if not reason.strip():
        raise MutuaError(_("Say why the credit line changes."), code="reason_required")
    old, new = ledger.account_limit_set(account=account, credit_limit=limit)
    change = CreditLimitChange.objects.create(
        community=currency.community,
        account=account,
        old_limit=old,
        new_limit=new,
        reason=reason.strip(),
        changed_by=officer,
    )
    audit_record(
        action="currency.credit_limit.changed",
        actor=officer,
        obj=change,
        data={"account": account.code, "old": old, "new": new, "reason": change.reason},
    )
    return change


# --- payments -------------------------------------------------------------------------------------


def _own_wallet(currency: Currency, member: Member) -> Account:
    wallet = selectors.wallet_of(currency=currency, member=member)
    if wallet is None:
        raise Refused(
            _("You have no wallet yet: ask the credit union to open one."), code="no_wallet"
        )
    return wallet


def payment_send(
    *,
    payer: Member,
    to_handle: str,
    amount: int,
    memo: str = "",
    id: UUID,
    from_account: Account | None = None,
) -> TransferOutcome:
    """Pay a member or merchant by handle, from the payer's wallet (or an account they act for)."""
    currency = selectors.currency_of(payer.tenant)
    source = from_account or _own_wallet(currency, payer)
    if not may(payer, "ledger.account.debit", source):
        raise Forbidden(_("You may not pay from this account."), code="forbidden")
    payee = selectors.wallet_by_handle(currency=currency, handle=to_handle)
    if payee.id == source.id:
        raise MutuaError(_("You cannot pay yourself."), code="accounts_must_be_different")
    outcome = ledger.transfer_create(
        community=currency.community,
        request=TransferRequest(
            id=id,
            debit_account_id=source.id,
            credit_account_id=payee.id,
            amount=amount,
            code="payment",
            memo=memo,
        ),
        actor=payer,
    )
    refusal_raise(outcome)
    return outcome


@transaction.atomic
def payment_request_create(
    *,
    requester: Member,
    payer_handle: str,
    amount: int,
    memo: str = "",
    to_account: Account | None = None,
) -> PaymentRequest:
    """Ask a member to pay the requester's wallet (or an account the requester acts for)."""
    currency = selectors.currency_of(requester.tenant)
    target = to_account or _own_wallet(currency, requester)
    if not may(requester, "ledger.account.debit", target):
        raise Forbidden(_("You may not ask for payment into this account."), code="forbidden")
    payer = Member.objects.filter(
        community=currency.community, handle=payer_handle.strip().lower()
    ).first()
    if payer is None:
        raise NotFound(
            _("No one here has the handle “%(handle)s”.") % {"handle": payer_handle.strip()},
            code="unknown_handle",
        )
    if payer.pk == requester.pk:
        raise MutuaError(_("You cannot ask yourself for money."), code="accounts_must_be_different")
    if amount <= 0:
        raise MutuaError(_("The amount must be more than zero."), code="amount_must_be_positive")
    asked = PaymentRequest.objects.create(
        community=currency.community,
        requester=requester,
        to_account=target,
        payer=payer,
        amount=amount,
        memo=memo,
    )
    audit_record(action="currency.payment_request.created", actor=requester, obj=asked)
    return asked


@transaction.atomic
def payment_request_answer(
    *, payer: Member, request: PaymentRequest, accept: bool, id: UUID | None = None
) -> PaymentRequest:
    """The payer pays a request (`accept`) or declines it; the requester may cancel it."""
    locked = PaymentRequest.objects.select_for_update().get(pk=request.pk)
    is_payer, is_requester = locked.payer_id == payer.pk, locked.requester_id == payer.pk
    if not is_payer and not (is_requester and not accept):
        raise NotFound(_("Not found."))
    if locked.status != RequestStatus.OPEN:
        raise Conflict(_("This request was answered already."), code="request_answered")
    transfer_id = None
    if accept:
        transfer_id = id or new_id()
        _pay_request(payer, locked, transfer_id)
    status = (
        RequestStatus.PAID
        if accept
        else (RequestStatus.DECLINED if is_payer else RequestStatus.CANCELLED)
    )
    PaymentRequest.objects.filter(pk=locked.pk).update(
        status=status, transfer_id=transfer_id, answered_at=timezone.now()
    )
    locked.refresh_from_db()
    audit_record(action=f"currency.payment_request.{status}", actor=payer, obj=locked)
    return locked


def _pay_request(payer: Member, asked: PaymentRequest, transfer_id: UUID) -> None:
    currency = selectors.currency_of(payer.tenant)
    source = _own_wallet(currency, payer)
    outcome = ledger.transfer_create(
        community=currency.community,
        request=TransferRequest(
            id=transfer_id,
            debit_account_id=source.id,
            credit_account_id=asked.to_account_id,
            amount=asked.amount,
            code="payment",
            memo=asked.memo,
        ),
        actor=payer,
    )
    refusal_raise(outcome)
