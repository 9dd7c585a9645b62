"""A community's books as text for tools outside Mutua: beancount for accountants, CSV for sheets.

Both read inside the caller's community scope, take one consistent snapshot of the books (see
`_snapshot`) and stream to a text file object; neither writes to the database.

Beancount (`export_beancount`), checked by beancount's own `bean-check`:
- Each ledger is a commodity named after its code, uppercased and reduced to A-Z and 0-9, starting
  with a letter and 2 to 24 long (`commodity_name`); a name already taken, or one of beancount's
  keywords TRUE, FALSE and NULL, gets `-2`, `-3`, ... in the order the ledgers were made.
- Each account is opened as `Root:Community:Commodity:Kind:Code`, e.g.
  `Liabilities:Riverbend:LD:Member:Ana`. Components are reduced to letters, digits and dashes and
  start with a capital or a digit (`account_component`); a name two accounts would share goes to
  the later-opened one with `-2`, `-3`, ... so earlier accounts keep their names as the books grow.
  The root follows who the money belongs to (`ROOTS`): wallets and escrow are Liabilities (the
  community owes their holders), the reserve is an Asset (money really held), issuance and the
  community's own funds are Equity, fees are Income.
- A transfer debits one account and credits another, and Mutua counts an account's balance as
  credits - debits; beancount counts debits positive. So a posted transfer (kinds `posted` and
  `post`, reversals included) becomes a transaction dated its UTC day with `+amount` on the debit
  account and `-amount` on the credit account, and every beancount balance is the negative of
  Mutua's: Ana holding 12.50 LD shows as `-12.50 LD` on her liability account.
- Pending holds move no posted money: they and the voids that release them are comments only.
- Amounts are integers of minor units written as decimals of the ledger's `scale` (`format_minor`).
- An account opens on its creation day, or on the day of its first transfer if that is earlier
  (transfers may carry an injected time); a closed account keeps `closed:` as metadata rather than
  a `close` directive, because holds placed before closing may still be posted afterwards.
- The file ends with a `balance` assertion for every account, dated the day after the last
  transfer, since beancount checks an assertion at the start of its day. Its amount comes from the
  account's running totals kept by the database triggers, not from the transfers written above, so
  `bean-check` proves that the transfer history adds up to the balances Mutua shows. With `until`,
  only transfers made before it are exported and the assertions hold Mutua's balances at that time.

CSV (`export_csv`): one row per transfer of every kind, oldest first, with a header row. Text that a
spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or return) is prefixed
with `'` (`core.spreadsheets.inert`).
"""

import csv
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TextIO
from uuid import UUID

from django.db import connection, transaction
from django.db.models import Max, Min, QuerySet, Sum

from mutua.community.models import Community
from mutua.core.spreadsheets import inert
from mutua.ledger.models import Account, AccountKind, Ledger, Transfer, TransferKind

ROOTS: dict[str, tuple[str, str]] = {
    AccountKind.MEMBER: ("Liabilities", "Member"),
    AccountKind.MERCHANT: ("Liabilities", "Merchant"),
    AccountKind.ORGANIZATION: ("Liabilities", "Organization"),
    AccountKind.ESCROW: ("Liabilities", "Escrow"),
    AccountKind.LAND_TRUST: ("Liabilities", "LandTrust"),
    AccountKind.RESERVE: ("Assets", "Reserve"),
    AccountKind.ISSUANCE: ("Equity", "Issuance"),
    AccountKind.COMMUNITY_FUND: ("Equity", "CommunityFund"),
    AccountKind.AID_FUND: ("Equity", "AidFund"),
    AccountKind.SYSTEM: ("Equity", "System"),
    AccountKind.FEES: ("Income", "Fees"),
}
BEANCOUNT_KEYWORDS = frozenset({"TRUE", "FALSE", "NULL"})
POSTED_KINDS = (TransferKind.POSTED, TransferKind.POST)
CSV_HEADER = (
    "id",
    "created_at",
    "ledger",
    "kind",
    "debit_account",
    "credit_account",
    "amount",
    "amount_minor",
    "code",
    "memo",
    "pending_id",
    "reverses_id",
)


# --- names and numbers (pure) --------------------------------------------------------------------


def commodity_name(code: str) -> str:
    """A ledger code as a beancount commodity: A-Z and 0-9 only, a letter first, 2 to 24 long."""
    name = re.sub(r"[^A-Z0-9]", "", code.upper())
    if not name[:1].isalpha():
        name = "C" + name
    return name.ljust(2, "X")[:24]


def account_component(text: str) -> str:
    """Text as one component of a beancount account name: a capital or digit first, then
    letters, digits and dashes."""
    part = re.sub(r"[^A-Za-z0-9-]", "-", text)
    if not part[:1].isalnum():
        part = "X" + part
    return part[0].upper() + part[1:]


def unique_name(name: str, taken: set[str], *, max_length: int | None = None) -> str:
    """`name`, or the first of `name-2`, `name-3`, ... not in `taken`; claims it in `taken`."""
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        suffix = f"-{number}"
        stem = name if max_length is None else name[: max_length - len(suffix)]
        candidate = stem + suffix
    taken.add(candidate)
    return candidate


def format_minor(amount: int, scale: int) -> str:
    """Minor units as a plain decimal with exactly `scale` places: (-1250, 2) -> "-12.50"."""
    return format(Decimal(amount).scaleb(-scale), "f")


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


# --- beancount -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Opened:
    account: Account
    name: str
    commodity: str
    scale: int
    day: date


def export_beancount(*, community: Community, out: TextIO, until: datetime | None = None) -> None:
    """Write the community's books as a beancount file that `bean-check` accepts. See the module
    docstring for the mapping."""
    with _snapshot():
        transfers = Transfer.objects.filter(community=community)
        if until is not None:
            transfers = transfers.filter(created_at__lt=until)
        ledgers = list(Ledger.objects.filter(community=community).order_by("id"))
        taken = set(BEANCOUNT_KEYWORDS)
        commodities = {
            ledger.id: unique_name(commodity_name(ledger.code), taken, max_length=24)
            for ledger in ledgers
        }
        opened = _open_accounts(community, transfers, commodities, until)
        end = _assertion_day(community, transfers, opened, until)
        _write_header(out, community, ledgers, commodities, opened, end)
        _write_transfers(out, transfers, opened)
        _write_balances(out, opened, _balances(opened, transfers, until), end)


def _assertion_day(
    community: Community,
    transfers: QuerySet[Transfer],
    opened: dict[UUID, _Opened],
    until: datetime | None,
) -> date:
    """The day after everything exported happened: an assertion checks the start of its day."""
    days = [o.day for o in opened.values()]
    last = transfers.aggregate(last=Max("created_at"))["last"]
    if last is not None:
        days.append(utc_day(last))
    return max(days, default=utc_day(until or community.created_at)) + timedelta(days=1)


@contextmanager
def _snapshot() -> Iterator[None]:
    """Read every query of an export in one transaction that sees one snapshot, so balances read
    first cannot miss a transfer written while the export streams. PostgreSQL's default READ
    COMMITTED would not, hence REPEATABLE READ (which never blocks writers). A SQLite transaction
    reads one snapshot anyway, but Mutua begins them IMMEDIATE, so there writers wait for the
    export, which takes well under their 20 s timeout for a community's books. Inside a caller's
    transaction, the caller has chosen."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _open_accounts(
    community: Community,
    transfers: QuerySet[Transfer],
    commodities: dict[UUID, str],
    until: datetime | None,
) -> dict[UUID, _Opened]:
    """Every account the export shows, named, in the order they were opened."""
    first = _first_transfer_days(transfers)
    accounts = Account.objects.filter(community=community).select_related("ledger")
    community_part = account_component(community.slug)
    taken: set[str] = set()
    opened: dict[UUID, _Opened] = {}
    for account in accounts.order_by("created_at", "id"):
        if until is not None and account.created_at >= until and account.id not in first:
            continue
        root, kind_part = ROOTS.get(account.kind, ("Equity", account_component(account.kind)))
        commodity = commodities[account.ledger_id]
        parts = [root, community_part, commodity, kind_part, account_component(account.code)]
        day = min(utc_day(account.created_at), first.get(account.id, date.max))
        opened[account.id] = _Opened(
            account, unique_name(":".join(parts), taken), commodity, account.ledger.scale, day
        )
    return opened


def _first_transfer_days(transfers: QuerySet[Transfer]) -> dict[UUID, date]:
    first: dict[UUID, date] = {}
    for side in ("debit_account", "credit_account"):
        rows = transfers.order_by().values(side).annotate(first=Min("created_at"))
        for row in rows:
            day = utc_day(row["first"])
            first[row[side]] = min(day, first.get(row[side], day))
    return first


def _write_header(
    out: TextIO,
    community: Community,
    ledgers: list[Ledger],
    commodities: dict[UUID, str],
    opened: dict[UUID, _Opened],
    end: date,
) -> None:
    out.write(f"; The books of {community.slug}, exported by Mutua.\n")
    out.write("; Balances are Mutua's with the sign flipped: debits count positive here.\n")
    out.write(f"option {quoted('title')} {quoted(community.name)}\n")
    for ledger in ledgers:
        out.write(f"option {quoted('operating_currency')} {quoted(commodities[ledger.id])}\n")
    for ledger in ledgers:
        days = [o.day for o in opened.values() if o.account.ledger_id == ledger.id]
        day = min(days, default=end)
        out.write(f"\n{day} commodity {commodities[ledger.id]}\n")
        out.write(f"  name: {quoted(ledger.name)}\n  code: {quoted(ledger.code)}\n")
    out.write("\n")
    for o in sorted(opened.values(), key=lambda o: (o.day, o.name)):
        out.write(f"{o.day} open {o.name} {o.commodity}\n")
        out.write(f"  id: {quoted(str(o.account.id))}\n  code: {quoted(o.account.code)}\n")
        if o.account.closed_at is not None:
            out.write(f"  closed: {utc_day(o.account.closed_at)}\n")


def _write_transfers(
    out: TextIO, transfers: QuerySet[Transfer], opened: dict[UUID, _Opened]
) -> None:
    for t in transfers.order_by("created_at", "id").iterator(chunk_size=2000):
        debit, credit = opened[t.debit_account_id], opened[t.credit_account_id]
        amount = f"{format_minor(t.amount, debit.scale)} {debit.commodity}"
        day = utc_day(t.created_at)
        if t.kind == TransferKind.PENDING:
            out.write(f"\n; {day} hold {t.id}: {amount} from {debit.name} to {credit.name}")
            out.write(" (pending, not in any balance)\n")
            continue
        if t.kind == TransferKind.VOID:
            out.write(f"\n; {day} void {t.id}: hold {t.pending_id} released, nothing moved\n")
            continue
        narration = f"{t.code}: {t.memo}" if t.memo else t.code
        out.write(f"\n{day} * {quoted(narration)}\n  id: {quoted(str(t.id))}\n")
        if t.pending_id is not None:
            out.write(f"  pending: {quoted(str(t.pending_id))}\n")
        if t.reverses_id is not None:
            out.write(f"  reverses: {quoted(str(t.reverses_id))}\n")
        out.write(f"  {debit.name}  {amount}\n")
        out.write(f"  {credit.name}  -{amount}\n")


def _balances(
    opened: dict[UUID, _Opened], transfers: QuerySet[Transfer], until: datetime | None
) -> dict[UUID, int]:
    """Mutua's posted balance (credits - debits) of each account: its running totals, or, for a
    past moment, the sums of its posted transfers before it."""
    if until is None:
        return {a: o.account.credits_posted - o.account.debits_posted for a, o in opened.items()}
    balances = dict.fromkeys(opened, 0)
    posted = transfers.filter(kind__in=POSTED_KINDS).order_by()
    for side, sign in (("credit_account", 1), ("debit_account", -1)):
        for row in posted.values(side).annotate(total=Sum("amount")):
            balances[row[side]] += sign * row["total"]
    return balances


def _write_balances(
    out: TextIO, opened: dict[UUID, _Opened], balances: dict[UUID, int], end: date
) -> None:
    out.write(f"\n; Mutua's posted balances at the start of {end}, sign flipped.\n")
    for account_id, o in sorted(opened.items(), key=lambda item: item[1].name):
        amount = format_minor(-balances[account_id], o.scale)
        out.write(f"{end} balance {o.name} {amount} {o.commodity}\n")


# --- CSV -----------------------------------------------------------------------------------------


def export_csv(*, community: Community, out: TextIO) -> None:
    """Write one row per transfer (every kind), oldest first, under a header row."""
    with _snapshot():
        ledgers = {ledger.id: ledger for ledger in Ledger.objects.filter(community=community)}
        codes = dict(Account.objects.filter(community=community).values_list("id", "code"))
        transfers = Transfer.objects.filter(community=community).order_by("created_at", "id")
        writer = csv.writer(out)
        writer.writerow(CSV_HEADER)
        for t in transfers.iterator(chunk_size=2000):
            ledger = ledgers[t.ledger_id]
            writer.writerow(
                [
                    t.id,
                    t.created_at.astimezone(UTC).isoformat(),
                    *_cells([ledger.code]),
                    t.kind,
                    *_cells([codes[t.debit_account_id], codes[t.credit_account_id]]),
                    format_minor(t.amount, ledger.scale),
                    t.amount,
                    *_cells([t.code, t.memo]),
                    t.pending_id or "",
                    t.reverses_id or "",
                ]
            )


def _cells(texts: Iterable[str]) -> list[str]:
    """Free text made inert for spreadsheets (`core.spreadsheets`)."""
    return [inert(text) for text in texts]
