"""Demurrage: a monthly holding fee on local-dollar wallets, so money keeps moving (Chiemgauer).

The rule, for a community whose currency sets `demurrage_bps` (a yearly rate; 0 means none):

- A month is charged once it has ended: its end is the first instant (UTC) of the next month, and
  it may be charged from then on, never before.
- Charged accounts are the open wallets of the local dollar (member, merchant and organization
  kinds). Funds, issuance and other system accounts are never charged, nor the demurrage fund.
- basis = posted balance at the month's end (posted and post transfers created before it:
  credits - debits) - holds still unresolved at the end (pending transfers the wallet pays, created
  before the end, not posted or voided before it: a hold is never charged) - `demurrage_exempt`.
- fee = basis * demurrage_bps // (10,000 * 12) (`demurrage_fee`): rounded down, the holder keeps
  the remainder. A basis at or below zero, or a fee of zero, charges nothing.
- Each fee is one transfer wallet -> `demurrage_fund` (code `demurrage`), so it is one line on the
  holder's statement (Cyclos' style, not a silent shrinking of balances). The fees go in one
  unlinked batch, made now on the month-end basis: a wallet that has spent the money since is
  refused by the ledger and *skipped* (nothing charged, nothing owed later); the audit entry lists
  it and `demurrage_skipped` finds it again.

Invariants:
- A month is charged at most once per community: the run takes the currency's row lock, returns
  the month's `DemurrageRun` if there is one (unique per community and month, append-only), and
  otherwise writes the fees and the run in one transaction. The fees' ids derive from the
  community, the month and the account (uuid5), so even a replayed batch moves nothing twice.
- `run.accounts` and `run.total` count only what the ledger accepted; the money moved equals
  `run.total` exactly (fees go whole from wallet to fund).
- The preview and the charge compute the same charges from the same month-end figures; later
  transfers do not change a past month's basis.
- Month-end figures are three SQL aggregates grouped by account, whatever the number of wallets.
"""

import re
from datetime import UTC, date, datetime
from typing import NamedTuple
from uuid import UUID, uuid5

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.core.errors import MutuaError, Refused
from mutua.core.services import audit_record
from mutua.currency.models import BPS, Currency, DemurrageRun
from mutua.currency.services import WALLET_KINDS
from mutua.ledger import services as ledger
from mutua.ledger.domain import Kind, Result, TransferRequest
from mutua.ledger.models import Account, Transfer

# Fixed forever: the fees' transfer ids derive from it, which is what makes a replay harmless.
NAMESPACE = UUID("d3c0f1a4-6b8e-4f5e-9a57-2e61c4b7d0a9")
CODE = "demurrage"
MONTHS_PER_YEAR = 12
_POSTED = (Kind.POSTED, Kind.POST)
_CHARGED = (Result.OK, Result.EXISTS)
_MONTH = re.compile(r"(\d{4})-(\d{2})")


class Charge(NamedTuple):
    """One wallet's demurrage for a month, in minor units."""

    account_id: UUID
    code: str
    balance: int  # posted balance at the month's end
    held: int  # holds the wallet pays, unresolved at the month's end
    basis: int  # balance - held - exempt
    fee: int


# --- pure rules -----------------------------------------------------------------------------------


def demurrage_fee(*, basis: int, rate_bps: int) -> int:
    """A month's fee on `basis` at a yearly `rate_bps`: rounded down, the holder keeps the rest."""
    if basis <= 0 or rate_bps <= 0:
        return 0
    return basis * rate_bps // (BPS * MONTHS_PER_YEAR)


def month_parse(text: str) -> date:
    """`2026-10` -> date(2026, 10, 1)."""
    found = _MONTH.fullmatch(text.strip())
    if found is not None and 1 <= int(found[2]) <= MONTHS_PER_YEAR and int(found[1]) >= 1:
        return date(int(found[1]), int(found[2]), 1)
    raise MutuaError(
        _("“%(text)s” is not a month: write it like 2026-10.") % {"text": text},
        code="invalid_month",
    )


def month_end(month: date) -> datetime:
    """The first instant (UTC) of the month after `month`."""
    year, index = divmod(month.year * MONTHS_PER_YEAR + month.month, MONTHS_PER_YEAR)
    return datetime(year, index + 1, 1, tzinfo=UTC)


def charge_id(*, community_id: UUID, month: date, account_id: UUID) -> UUID:
    """The id of a wallet's fee for a month: the same on every run."""
    return uuid5(NAMESPACE, f"{community_id}:{month:%Y-%m}:{account_id}")


# --- reads ----------------------------------------------------------------------------------------


def demurrage_preview(
    *, currency: Currency, month: date, now: datetime | None = None
) -> list[Charge]:
    """What charging `month` would charge (by account code); empty when there is no demurrage."""
    end = _ended(month, now or timezone.now())
    if not currency.demurrage_bps:
        return []
    _fund_check(currency)
    return _charges(currency, end=end)


def demurrage_skipped(*, currency: Currency, month: date) -> list[Charge]:
    """After a month's run: the charges the ledger refused (their holders spent the money)."""
    if not DemurrageRun.objects.filter(community_id=currency.community_id, month=month).exists():
        return []
    charges = _charges(currency, end=month_end(month))
    ids = {c.account_id: _id(currency, month, c.account_id) for c in charges}
    stored = set(Transfer.objects.filter(pk__in=ids.values()).values_list("pk", flat=True))
    return [c for c in charges if ids[c.account_id] not in stored]


def _ended(month: date, now: datetime) -> datetime:
    if month.day != 1:
        raise MutuaError(_("A month is given by its first day."), code="invalid_month")
    end = month_end(month)
    if now < end:
        raise Refused(
            _("%(month)s is not over: it can be charged from %(end)s (UTC).")
            % {"month": f"{month:%Y-%m}", "end": f"{end:%Y-%m-%d}"},
            code="month_not_over",
        )
    return end


def _fund_check(currency: Currency) -> None:
    if currency.demurrage_fund_id is None:
        raise Refused(
            _("Choose the fund that receives demurrage before charging it."),
            code="no_demurrage_fund",
        )


def _wallets(currency: Currency) -> QuerySet[Account]:
    wallets = Account.objects.filter(
        ledger_id=currency.local_id, kind__in=WALLET_KINDS, closed_at__isnull=True
    )
    if currency.demurrage_fund_id is not None:  # a fund is never charged, even a wallet
        wallets = wallets.exclude(pk=currency.demurrage_fund_id)
    return wallets


def _charges(currency: Currency, *, end: datetime) -> list[Charge]:
    wallets = dict(_wallets(currency).order_by("code").values_list("id", "code"))
    credits, debits, held = _month_end_figures(currency, end=end)
    charges = []
    for account_id, code in wallets.items():
        balance = credits.get(account_id, 0) - debits.get(account_id, 0)
        hold = held.get(account_id, 0)
        basis = balance - hold - currency.demurrage_exempt
        fee = demurrage_fee(basis=basis, rate_bps=currency.demurrage_bps)
        if fee > 0:
            charges.append(Charge(account_id, code, balance, hold, basis, fee))
    return charges


def _month_end_figures(
    currency: Currency, *, end: datetime
) -> tuple[dict[UUID, int], dict[UUID, int], dict[UUID, int]]:
    """Per wallet, as of `end`: posted credits, posted debits, and unresolved holds it pays."""
    wallets = _wallets(currency).values("pk")
    before = Transfer.objects.filter(ledger_id=currency.local_id, created_at__lt=end)
    posted = before.filter(kind__in=_POSTED)
    resolved = Transfer.objects.filter(pending=OuterRef("pk"), created_at__lt=end)
    holds = before.filter(kind=Kind.PENDING, debit_account__in=wallets).exclude(Exists(resolved))
    return (
        _sum_by(posted.filter(credit_account__in=wallets), "credit_account_id"),
        _sum_by(posted.filter(debit_account__in=wallets), "debit_account_id"),
        _sum_by(holds, "debit_account_id"),
    )


def _sum_by(transfers: QuerySet[Transfer], account: str) -> dict[UUID, int]:
    rows = transfers.order_by().values(account).annotate(total=Sum("amount"))
    return {row[account]: int(row["total"]) for row in rows}


def _id(currency: Currency, month: date, account_id: UUID) -> UUID:
    return charge_id(community_id=currency.community_id, month=month, account_id=account_id)


# --- the charge -----------------------------------------------------------------------------------


@transaction.atomic
def demurrage_charge(
    *, currency: Currency, month: date, now: datetime | None = None
) -> DemurrageRun:
    """Charge `month`'s demurrage once; a month charged already returns its run unchanged."""
    now = now or timezone.now()
    end = _ended(month, now)
    locked = Currency.objects.select_for_update().select_related("community").get(pk=currency.pk)
    done = DemurrageRun.objects.filter(community_id=locked.community_id, month=month).first()
    if done is not None:
        return done
    if not locked.demurrage_bps:
        raise Refused(_("This community charges no demurrage."), code="no_demurrage")
    _fund_check(locked)
    charges = _charges(locked, end=end)
    results = _fees_transfer(locked, month, charges, now=now)
    return _run_record(locked, month, list(zip(charges, results, strict=True)), now=now)


def _run_record(
    currency: Currency, month: date, outcomes: list[tuple[Charge, Result]], *, now: datetime
) -> DemurrageRun:
    """The month's run, counting only what the ledger accepted, and its audit entry."""
    charged = [c for c, result in outcomes if result in _CHARGED]
    run = DemurrageRun.objects.create(
        community_id=currency.community_id,
        month=month,
        accounts=len(charged),
        total=sum(c.fee for c in charged),
        charged_at=now,
    )
    skipped = [
        {"account": c.code, "fee": c.fee, "result": str(result)}
        for c, result in outcomes
        if result not in _CHARGED
    ]
    audit_record(
        action="currency.demurrage.charged",
        actor=None,
        community_id=currency.community_id,
        obj=run,
        data={
            "month": f"{month:%Y-%m}",
            "rate_bps": currency.demurrage_bps,
            "exempt": currency.demurrage_exempt,
            "accounts": run.accounts,
            "total": run.total,
            "skipped": skipped,
        },
        now=now,
    )
    return run


def _fees_transfer(
    currency: Currency, month: date, charges: list[Charge], *, now: datetime
) -> list[Result]:
    """One unlinked batch: a refused fee leaves the others standing."""
    if not charges:
        return []
    assert currency.demurrage_fund_id is not None  # checked by `_fund_check`
    memo = _("Demurrage %(month)s") % {"month": f"{month:%Y-%m}"}
    requests = [
        TransferRequest(
            id=_id(currency, month, charge.account_id),
            debit_account_id=charge.account_id,
            credit_account_id=currency.demurrage_fund_id,
            amount=charge.fee,
            code=CODE,
            memo=str(memo),
        )
        for charge in charges
    ]
    outcomes = ledger.transfers_create(community=currency.community, requests=requests, now=now)
    return [outcome.result for outcome in outcomes]
