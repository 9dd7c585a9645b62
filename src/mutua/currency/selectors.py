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
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

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
from mutua.ledger.statements import db_value

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

    def figures(self) -> dict[str, Any]:
        """The headline with the series the pages chart."""
        return {
            **self.headline(),
            "daily": self.daily,
            "monthly": self.monthly,
            "flows": self.flows,
        }

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


def _rows(sql: str, params: list[Any]) -> Iterator[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, [db_value(p) for p in params])
        while chunk := cursor.fetchmany(20_000):
            yield from chunk


def _key(column: str) -> str:
    """Accounts are keyed by their id as text: hashing `UUID` objects costs more than the rest."""
    return column if connection.vendor == "sqlite" else f"{column}::text"


def _day_text() -> str:
    if connection.vendor == "sqlite":
        return "substr(created_at, 1, 10)"  # Django keeps UTC text: YYYY-MM-DD HH:MM:SS
    return "((created_at AT TIME ZONE 'UTC')::date)::text"


def _accounts(currency: Currency) -> tuple[dict[str, str], str]:
    """Every local account's key with its category (a wallet's kind, or "fund"); and issuance's."""
    kinds = dict(
        _rows(
            f"SELECT {_key('id')}, kind FROM ledger_account WHERE ledger_id = %s",
            [currency.local_id],
        )
    )
    issuance = next(k for k, kind in kinds.items() if kind == AccountKind.ISSUANCE)
    return {k: _category(kind) for k, kind in kinds.items()}, issuance


_POSTED = "kind IN ('posted', 'post')"


@dataclass
class _Pass:
    """What one ordered pass over the window's movements gathers beside LM3."""

    categories: dict[str, str]
    issuance: str
    transfers: int = 0
    net: dict[date, dict[str, int]] = field(default_factory=dict)
    volume: dict[date, int] = field(default_factory=lambda: defaultdict(int))
    redeemed: dict[date, int] = field(default_factory=lambda: defaultdict(int))
    flows: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    parties: set[str] = field(default_factory=set)

    def movements(self, rows: Iterator[tuple[Any, ...]]) -> Iterator[Movement]:
        day_text, day = None, date.min
        today: dict[str, int] = defaultdict(int)
        categories, issuance, flows, parties = (
            self.categories,
            self.issuance,
            self.flows,
            self.parties,
        )
        for debit, credit, amount, text in rows:
            if text != day_text:
                day_text, day, today = text, date.fromisoformat(text), defaultdict(int)
                self.net[day] = today
            self.transfers += 1
            today[debit] -= amount
            today[credit] += amount
            if credit == issuance:
                self.redeemed[day] += amount
            elif debit != issuance:
                self.volume[day] += amount
                flows[categories[debit], categories[credit]] += amount
                parties.add(debit)
                parties.add(credit)
            yield Movement(debit, credit, amount)

    def active(self) -> int:
        return sum(1 for k in self.parties if self.categories[k] in WALLETS)


def report(*, currency: Currency, since: datetime, until: datetime) -> Report:
    """The figures of the window [since, until) (supply and reserve as of `until`), from two
    aggregates and one ordered pass over the window's movements."""
    categories, issuance = _accounts(currency)
    opening = _balances(currency, before=since)
    gathered = _Pass(categories, issuance)
    multiplier = local_multiplier(
        movements=gathered.movements(_movements(currency, since=since, until=until)),
        opening=cast(Mapping[Hashable, int], opening),  # Mapping is invariant in its keys
        community={k for k in categories if k != issuance},
        issuance=issuance,
    )
    days = _daily_supply(opening, gathered.net, issuance, since=since, until=until)
    reserve = _reserve_at(currency, until)
    supply = days[-1]["supply"]
    average = sum(d["supply"] for d in days) / len(days)
    volume = sum(gathered.volume.values())
    backing = rates.backing_bps(reserve=reserve, outstanding=supply)
    return Report(
        since=since,
        until=until,
        supply=supply,
        reserve=reserve,
        backing_ratio=None if backing is None else backing / rates.BPS,
        volume=volume,
        velocity=round(volume / average, 4) if average else None,
        active_accounts=gathered.active(),
        lm3=multiplier.lm3,
        r1=multiplier.r1,
        r2=multiplier.r2,
        r3=multiplier.r3,
        redemptions=sum(gathered.redeemed.values()),
        transfers=gathered.transfers,
        daily=_with_reserve(currency, days, since=since),
        monthly=_monthly(days, gathered.volume, gathered.redeemed),
        flows=[
            {"from": a, "to": b, "amount": amount}
            for (a, b), amount in sorted(gathered.flows.items(), key=lambda f: -f[1])
        ],
    )


REPORT_SECONDS = 120


def report_cached(*, currency: Currency, since: datetime, until: datetime) -> Report:
    """`report`, kept two minutes: pages and the API would otherwise recount the window on every
    view (about 4 s per million transfers). The command and `bench/currency.py` use `report`."""
    key = f"mutua.currency.report.{currency.pk}.{since.isoformat()}.{until.isoformat()}"
    found = cache.get(key)
    if found is None:
        found = report(currency=currency, since=since, until=until)
        cache.set(key, found, REPORT_SECONDS)
    return found


def _category(kind: str) -> str:
    return kind if kind in WALLETS else "fund"


def _balances(currency: Currency, *, before: datetime) -> dict[str, int]:
    """Posted balance of every local account just before `before`."""
    balances: dict[str, int] = defaultdict(int)
    sql = (
        f"SELECT {_key('debit_account_id')}, {_key('credit_account_id')}, SUM(amount) "
        f"FROM ledger_transfer WHERE ledger_id = %s AND created_at < %s AND {_POSTED} "
        "GROUP BY debit_account_id, credit_account_id"
    )
    for debit, credit, total in _rows(sql, [currency.local_id, before]):
        amount = int(total)  # PostgreSQL sums bigints as numeric
        balances[debit] -= amount
        balances[credit] += amount
    return balances


def _daily_supply(
    opening: dict[str, int],
    net: dict[date, dict[str, int]],
    issuance: str,
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
        f"SELECT {_key('debit_account_id')}, {_key('credit_account_id')}, amount, {_day_text()} "
        f"FROM ledger_transfer WHERE ledger_id = %s AND created_at >= %s AND created_at < %s "
        f"AND {_POSTED} ORDER BY created_at, id"
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
    sql = (
        f"SELECT {_day_text()}, SUM(CASE WHEN credit_account_id = %s THEN amount ELSE -amount END) "
        f"FROM ledger_transfer WHERE created_at >= %s AND {_POSTED} "
        "AND (credit_account_id = %s OR debit_account_id = %s) GROUP BY 1"
    )
    key = currency.reserve_id
    for when, change in _rows(sql, [key, since, key, key]):
        changes[date.fromisoformat(when)] += int(change)
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
    days: list[dict[str, Any]], volume: dict[date, int], redeemed: dict[date, int]
) -> list[dict[str, Any]]:
    months: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # supply sum, days, vol, red
    for entry in days:
        month = months[entry["day"].isoformat()[:7]]
        month[0] += entry["supply"]
        month[1] += 1
        month[2] += volume.get(entry["day"], 0)
        month[3] += redeemed.get(entry["day"], 0)
    return [
        {
            "month": name,
            "volume": moved,
            "redeemed": out,
            "average_supply": total // count,
            "velocity": round(moved / (total / count), 4) if total else None,
        }
        for name, (total, count, moved, out) in sorted(months.items())
    ]


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
        **found.figures(),
        "daily": [{**d, "day": d["day"].isoformat()} for d in found.daily],
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
