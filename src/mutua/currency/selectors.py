"""Reads of the local dollar: whose wallet is whose, the backing, and the report.

Definitions (the report, the officer dashboard and the public page all use these):
- **community accounts**: every local-dollar account but issuance (wallets of members, merchants
  and organizations, and the community's funds). Issuance is where money enters and leaves.
- **supply** (outstanding local dollars): the sum of the positive balances of community accounts,
  so money drawn on credit lines counts as outstanding too.
- **reserve**: the balance of the reserve account in the dollar book.
- **backing ratio**: reserve ÷ supply.
- **volume** of a window: what moved between two community accounts (posted transfers).
- **velocity**: volume ÷ the average of the daily supply over the window.
- **active accounts**: wallets that sent or received a payment in the window.
- **LM3**: see `circulation` and `docs/currency-lm3.md`.

The heavy reads are a few SQL aggregates over `ledger_transfer` plus one pass over the window's
movements for LM3, so the report stays fast on millions of transfers (`bench/currency.py`).
"""

# The SQL below is fixed text with placeholders; only constants are formatted into it.
# ruff: noqa: S608

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from mutua.community.models import Community, Member, Organization
from mutua.core.errors import NotFound, Refused
from mutua.currency import rates
from mutua.currency.circulation import Movement, local_multiplier
from mutua.currency.models import Currency, PaymentRequest
from mutua.ledger.models import Account, AccountKind, ChainDigest

WALLETS = (AccountKind.MEMBER, AccountKind.MERCHANT, AccountKind.ORGANIZATION)


def currency_of(community: Community) -> Currency:
    found = (
        Currency.objects.filter(community=community)
        .select_related("community", "local", "dollars")
        .first()
    )
    if found is None:
        raise Refused(
            _("The local dollar is not set up yet in this community."), code="no_currency"
        )
    return found


def wallet_of(
    *, currency: Currency, member: Member | None = None, organization: Organization | None = None
) -> Account | None:
    wallets = Account.objects.filter(
        ledger=currency.local, kind__in=WALLETS, closed_at__isnull=True
    )
    if member is not None:
        return wallets.filter(member=member, kind=AccountKind.MEMBER).first()
    return wallets.filter(organization=organization).exclude(kind=AccountKind.MEMBER).first()


def wallet_by_handle(*, currency: Currency, handle: str) -> Account:
    """A member's wallet by their handle, else a merchant's or organization's by its short name."""
    handle = handle.strip().lstrip("@").lower()
    member = Member.objects.filter(community=currency.community, handle=handle).first()
    wallet = None
    if member is not None:
        wallet = wallet_of(currency=currency, member=member)
    else:
        org = Organization.objects.filter(community=currency.community, slug=handle).first()
        if org is not None:
            wallet = wallet_of(currency=currency, organization=org)
    if wallet is None:
        raise NotFound(
            _("No one here has a wallet under “%(handle)s”.") % {"handle": handle},
            code="unknown_handle",
        )
    return wallet


def holder_name(account: Account) -> str:
    if account.member_id is not None:
        return str(account.member.display_name)  # type: ignore[union-attr]
    return account.name


def reserve_and_outstanding(*, currency: Currency) -> tuple[int, int]:
    """The reserve now and the supply now (dollar cents, local cents), from the running totals."""
    reserve = Account.objects.get(pk=currency.reserve_id)
    outstanding = 0
    rows = Account.objects.filter(ledger=currency.local).exclude(pk=currency.issuance_id)
    for posted_in, posted_out in rows.values_list("credits_posted", "debits_posted"):
        outstanding += max(0, posted_in - posted_out)
    return reserve.balance_posted, outstanding


# --- the report -----------------------------------------------------------------------------------


@dataclass
class Report:
    since: datetime
    until: datetime
    supply: int
    reserve: int
    backing_ratio: float | None
    volume: int
    velocity: float | None
    active_accounts: int
    lm3: float | None
    r1: int
    r2: int
    r3: int
    redemptions: int
    transfers: int
    daily: list[dict[str, Any]] = field(default_factory=list)
    monthly: list[dict[str, Any]] = field(default_factory=list)
    flows: list[dict[str, Any]] = field(default_factory=list)

    def headline(self) -> dict[str, Any]:
        return {
            "from": self.since.date().isoformat(),
            "to": (self.until - timedelta(microseconds=1)).date().isoformat(),
            "supply": self.supply,
            "reserve": self.reserve,
            "backing_ratio": self.backing_ratio,
            "volume": self.volume,
            "velocity": self.velocity,
            "active_accounts": self.active_accounts,
            "lm3": self.lm3,
            "r1": self.r1,
            "r2": self.r2,
            "r3": self.r3,
            "redemptions": self.redemptions,
            "transfers": self.transfers,
        }


def _db(value: Any) -> Any:
    if connection.vendor == "sqlite":
        if isinstance(value, UUID):
            return value.hex
        if isinstance(value, datetime):
            return str(value.astimezone(UTC).replace(tzinfo=None))
    return value


def _rows(sql: str, params: list[Any]) -> Iterator[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, [_db(p) for p in params])
        while chunk := cursor.fetchmany(20_000):
            yield from chunk


def _day(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _accounts(currency: Currency) -> tuple[dict[Any, str], Any]:
    """Every local account's key as the database gives it, with its kind; and issuance's key."""
    kinds = {}
    for key, kind in _rows(
        "SELECT id, kind FROM ledger_account WHERE ledger_id = %s", [currency.local_id]
    ):
        kinds[key] = kind
    issuance = next(k for k, kind in kinds.items() if kind == AccountKind.ISSUANCE)
    return kinds, issuance


_POSTED = "kind IN ('posted', 'post')"


def report(*, currency: Currency, since: datetime, until: datetime) -> Report:
    """The figures of the window [since, until) (supply and reserve as of `until`)."""
    kinds, issuance = _accounts(currency)
    opening = _balances(currency, before=since)
    daily_net = _daily_net(currency, since=since, until=until)
    days = _daily_supply(opening, daily_net, issuance, since=since, until=until)
    movements = _movements(currency, since=since, until=until)
    volume, transfers = 0, 0
    flows: dict[tuple[str, str], int] = defaultdict(int)
    active: set[Any] = set()
    monthly_volume: dict[str, int] = defaultdict(int)
    monthly_redeemed: dict[str, int] = defaultdict(int)

    def stream() -> Iterator[Movement]:
        nonlocal volume, transfers
        for debit, credit, amount, day in movements:
            transfers += 1
            if credit == issuance:
                monthly_redeemed[str(day)[:7]] += amount
            elif debit != issuance:
                volume += amount
                monthly_volume[str(day)[:7]] += amount
                flows[_category(kinds[debit]), _category(kinds[credit])] += amount
                active.update(k for k in (debit, credit) if kinds[k] in WALLETS)
            yield Movement(debit, credit, amount)

    community = [k for k in kinds if k != issuance]
    multiplier = local_multiplier(
        movements=stream(), opening=opening, community=set(community), issuance=issuance
    )
    reserve = _reserve_at(currency, until)
    supply = (
        days[-1]["supply"] if days else sum(max(0, b) for k, b in opening.items() if k != issuance)
    )
    average = sum(d["supply"] for d in days) / len(days) if days else 0
    backing = rates.backing_bps(reserve=reserve, outstanding=supply)
    return Report(
        since=since,
        until=until,
        supply=supply,
        reserve=reserve,
        backing_ratio=None if backing is None else backing / rates.BPS,
        volume=volume,
        velocity=round(volume / average, 4) if average else None,
        active_accounts=len(active),
        lm3=multiplier.lm3,
        r1=multiplier.r1,
        r2=multiplier.r2,
        r3=multiplier.r3,
        redemptions=_redeemed(currency, since=since, until=until),
        transfers=transfers,
        daily=_with_reserve(currency, days, since=since),
        monthly=_monthly(days, monthly_volume, monthly_redeemed),
        flows=[
            {"from": a, "to": b, "amount": amount}
            for (a, b), amount in sorted(flows.items(), key=lambda f: -f[1])
        ],
    )


def _category(kind: str) -> str:
    return kind if kind in WALLETS else "fund"


def _balances(currency: Currency, *, before: datetime) -> dict[Any, int]:
    """Posted balance of every local account just before `before`."""
    balances: dict[Any, int] = defaultdict(int)
    sql = (
        "SELECT debit_account_id, credit_account_id, SUM(amount) FROM ledger_transfer "
        f"WHERE ledger_id = %s AND created_at < %s AND {_POSTED} "
        "GROUP BY debit_account_id, credit_account_id"
    )
    for debit, credit, total in _rows(sql, [currency.local_id, before]):
        amount = int(total)  # PostgreSQL sums bigints as numeric
        balances[debit] -= amount
        balances[credit] += amount
    return balances


def _daily_net(
    currency: Currency, *, since: datetime, until: datetime
) -> dict[date, dict[Any, int]]:
    net: dict[date, dict[Any, int]] = defaultdict(lambda: defaultdict(int))
    day = (
        "DATE(created_at)"
        if connection.vendor == "sqlite"
        else "(created_at AT TIME ZONE 'UTC')::date"
    )
    sql = (
        f"SELECT {day}, debit_account_id, credit_account_id, SUM(amount) FROM ledger_transfer "
        f"WHERE ledger_id = %s AND created_at >= %s AND created_at < %s AND {_POSTED} "
        f"GROUP BY 1, debit_account_id, credit_account_id"
    )
    for when, debit, credit, total in _rows(sql, [currency.local_id, since, until]):
        amount = int(total)
        net[_day(when)][debit] -= amount
        net[_day(when)][credit] += amount
    return net


def _daily_supply(
    opening: dict[Any, int],
    net: dict[date, dict[Any, int]],
    issuance: Any,
    *,
    since: datetime,
    until: datetime,
) -> list[dict[str, Any]]:
    balances = {k: v for k, v in opening.items() if k != issuance}
    supply = sum(max(0, b) for b in balances.values())
    days, day = [], since.astimezone(UTC).date()
    last = (until - timedelta(microseconds=1)).astimezone(UTC).date()
    while day <= last:
        for account, change in net.get(day, {}).items():
            if account == issuance:
                continue
            old = balances.get(account, 0)
            balances[account] = old + change
            supply += max(0, old + change) - max(0, old)
        days.append({"day": day, "supply": supply})
        day += timedelta(days=1)
    return days


def _movements(
    currency: Currency, *, since: datetime, until: datetime
) -> Iterator[tuple[Any, ...]]:
    sql = (
        "SELECT debit_account_id, credit_account_id, amount, created_at FROM ledger_transfer "
        f"WHERE ledger_id = %s AND created_at >= %s AND created_at < %s AND {_POSTED} "
        "ORDER BY created_at, id"
    )
    return _rows(sql, [currency.local_id, since, until])


def _reserve_at(currency: Currency, moment: datetime) -> int:
    sql = (
        "SELECT COALESCE(SUM(CASE WHEN credit_account_id = %s THEN amount ELSE -amount END), 0) "
        f"FROM ledger_transfer WHERE created_at < %s AND {_POSTED} "
        "AND (credit_account_id = %s OR debit_account_id = %s)"
    )
    reserve = currency.reserve_id
    return int(next(_rows(sql, [reserve, moment, reserve, reserve]))[0])


def _with_reserve(
    currency: Currency, days: list[dict[str, Any]], *, since: datetime
) -> list[dict[str, Any]]:
    """Each day's closing reserve and backing ratio beside its supply."""
    reserve = _reserve_at(currency, since)
    changes: dict[date, int] = defaultdict(int)
    day = (
        "DATE(created_at)"
        if connection.vendor == "sqlite"
        else "(created_at AT TIME ZONE 'UTC')::date"
    )
    sql = (
        f"SELECT {day}, SUM(CASE WHEN credit_account_id = %s THEN amount ELSE -amount END) "
        f"FROM ledger_transfer WHERE created_at >= %s AND {_POSTED} "
        "AND (credit_account_id = %s OR debit_account_id = %s) GROUP BY 1"
    )
    key = currency.reserve_id
    for when, change in _rows(sql, [key, since, key, key]):
        changes[_day(when)] += int(change)
    out = []
    for entry in days:
        reserve += changes.get(entry["day"], 0)
        backing = rates.backing_bps(reserve=reserve, outstanding=entry["supply"])
        out.append(
            {
                **entry,
                "reserve": reserve,
                "backing": None if backing is None else backing / rates.BPS,
            }
        )
    return out


def _monthly(
    days: list[dict[str, Any]], volume: dict[str, int], redeemed: dict[str, int]
) -> list[dict[str, Any]]:
    months: dict[str, list[int]] = defaultdict(list)
    for entry in days:
        months[entry["day"].isoformat()[:7]].append(entry["supply"])
    return [
        {
            "month": month,
            "volume": volume.get(month, 0),
            "redeemed": redeemed.get(month, 0),
            "average_supply": sum(s) // len(s),
            "velocity": round(volume.get(month, 0) / (sum(s) / len(s)), 4) if sum(s) else None,
        }
        for month, s in sorted(months.items())
    ]


def _redeemed(currency: Currency, *, since: datetime, until: datetime) -> int:
    """Local dollars that went back to issuance in the window: redeemed, whoever recorded it."""
    sql = (
        "SELECT COALESCE(SUM(amount), 0) FROM ledger_transfer WHERE ledger_id = %s "
        f"AND created_at >= %s AND created_at < %s AND {_POSTED} AND credit_account_id = %s"
    )
    return int(next(_rows(sql, [currency.local_id, since, until, currency.issuance_id]))[0])


def requests_for(*, member: Member) -> list[PaymentRequest]:
    """Requests the member made or was asked to pay, newest first (the last 100)."""
    found = PaymentRequest.objects.filter(Q(payer=member) | Q(requester=member))
    return list(found.select_related("requester", "payer").order_by("-created_at")[:100])


TRANSPARENCY_SECONDS = 600


def transparency(*, community: Community, today: date) -> dict[str, Any]:
    """The public page's figures: the last 30 days, and the published chain digests. Cached for
    ten minutes, so that anyone may open the page without making the server count every time."""
    key = f"mutua.currency.transparency.{community.pk}.{today.isoformat()}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    currency = currency_of(community)
    since, until = window(since=None, until=None, today=today)
    found = report(currency=currency, since=since, until=until)
    digests = ChainDigest.objects.filter(ledger__in=[currency.local_id, currency.dollars_id])
    figures = {
        "community": community.name,
        "currency": currency.local.code,
        "scale": currency.local.scale,
        **found.headline(),
        "daily": [{**d, "day": d["day"].isoformat()} for d in found.daily],
        "monthly": found.monthly,
        "flows": found.flows,
        "digests": [
            {
                "ledger": d.ledger.code,
                "taken_at": d.taken_at.isoformat(),
                "transfers": d.transfer_count,
                "digest": d.digest,
            }
            for d in digests.select_related("ledger").order_by("-taken_at")[:14]
        ],
    }
    cache.set(key, figures, TRANSPARENCY_SECONDS)
    return figures


def window(*, since: date | None, until: date | None, today: date) -> tuple[datetime, datetime]:
    """[since, until] as whole UTC days; default: the last 30 days up to today."""
    end = until or today
    start = since or end - timedelta(days=29)
    if start > end:
        raise Refused(_("The window starts after it ends."), code="invalid_window")
    return (
        datetime.combine(start, time.min, tzinfo=UTC),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC),
    )
