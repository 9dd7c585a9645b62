"""How long the local dollar's report takes over a million transfers, next to a plain SQL aggregate
over the same rows in the same run. A benchmark to run by hand, not a test.

    .venv/bin/python bench/currency.py [--transfers 1000000] [--rounds 3] [--postgres URL]
                                       [--only postgres|sqlite] [--batch-size 2000] [--profile]

Prints one JSON line per database on standard output (progress goes to standard error). Target
(the issue): the full report, LM3 included, within 10 seconds on this 2-core machine.

Each database is a throwaway one (a temporary SQLite file; a new database on the PostgreSQL server
of `--postgres`, default `$DATABASE_URL`, when there is one), migrated with `mutua migrate`, given
one community with its local dollar (`currency_open`) and `MEMBERS` + `MERCHANTS` wallets, then
`--transfers` local-dollar transfers written through `ledger.services.transfers_create` in
unlinked batches, each stamped (`now=`) at a later moment of `DAYS` days. `Economy` decides them
(of a million: 3.0% issuance, each with the dollars that bought it going from cash into the
reserve in the dollar book; 2.0% redemptions by merchants, each with its fee to the community fund,
another 2.0%, and the dollars out of the reserve; 93.0% payments between wallets). It tracks every
balance, so each transfer is affordable: `refused` must be 0.

Then a fresh process times, in turns (`--rounds`), `currency.selectors.report` over the whole
window, the baseline (`BASELINE`: two plain SQL statements over the same rows, a count and sum,
and each account's net change) and `fetch`: the report's own query of the window's movements
(`selectors._movements`, every row in ledger order) fetched and dropped, to show how much of the
report is reading rows.
The report must agree with the baseline (`agrees`: same count, same supply). Figures are medians.
"""

# Random payments are load, not secrets; the SQL below is fixed text.
# ruff: noqa: S311, S608

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any
from urllib.parse import urlsplit

from ledger import emit, in_django, log, postgres_database, profiled, sqlite_value

from mutua.core.tests.databases import mutua_env, run_mutua
from mutua.currency import rates

TRANSFERS = 1_000_000
BATCH_SIZE = 2_000
DAYS = 120
MEMBERS, MERCHANTS = 850, 150
ISSUANCE_SHARE, REDEMPTION_SHARE = 0.03, 0.02
MAX_PAYMENT, MAX_REDEMPTION = 5_000, 20_000  # local cents
TARGET_SECONDS = 10.0
DATABASES = ("postgres", "sqlite")

WINDOW = "ledger_id = %s AND created_at >= %s AND created_at < %s AND kind IN ('posted', 'post')"
BASELINE = (
    f"SELECT count(*), sum(amount) FROM ledger_transfer WHERE {WINDOW}",
    "SELECT account, sum(change) FROM ("
    f"SELECT debit_account_id AS account, -amount AS change FROM ledger_transfer WHERE {WINDOW} "
    f"UNION ALL SELECT credit_account_id, amount FROM ledger_transfer WHERE {WINDOW}"
    ") AS legs GROUP BY account",
)
BASELINE_TEXT = (
    "plain SQL over the window's posted local transfers, all rows fetched: count(*) and "
    "sum(amount); then each account's net change (debit and credit legs by UNION ALL, GROUP BY)"
)
Planned = tuple[uuid.UUID, uuid.UUID, int, str]  # debit, credit, amount, code


@dataclass(frozen=True)
class Accounts:
    issuance: uuid.UUID
    community_fund: uuid.UUID
    reserve: uuid.UUID
    cash: uuid.UUID
    members: tuple[uuid.UUID, ...]
    merchants: tuple[uuid.UUID, ...]


class Economy:
    """A deterministic stream of affordable transfers: it keeps every wallet's balance and the
    reserve's, as the ledger will, so no transfer it plans can be refused."""

    def __init__(self, accounts: Accounts, *, seed: int, rate_bps: int, fee_bps: int) -> None:
        self.accounts, self.rate_bps, self.fee_bps = accounts, rate_bps, fee_bps
        self.rng = Random(seed)
        self.wallets = accounts.members + accounts.merchants
        self.balance = dict.fromkeys(self.wallets, 0)
        self.reserve = 0
        self.local = 0  # local-dollar transfers planned

    def batches(self, transfers: int, size: int) -> Iterator[list[Planned]]:
        """Day one, the credit union exchanges dollars into every wallet; then batches of `size`
        local-dollar transfers (one more if a redemption ends it) with the dollar-book transfers
        that go with them, until `transfers` local ones are planned."""
        yield [t for wallet in self.wallets for t in self.issue(wallet)]
        while self.local < transfers:
            goal = min(self.local + size, transfers)
            planned: list[Planned] = []
            while self.local < goal:
                roll = self.rng.random()
                if roll < ISSUANCE_SHARE:
                    planned += self.issue(self.rng.choice(self.wallets))
                elif roll < ISSUANCE_SHARE + REDEMPTION_SHARE:
                    planned += self.redeem() or self.pay()
                else:
                    planned += self.pay()
            yield planned

    def issue(self, wallet: uuid.UUID) -> list[Planned]:
        dollars = self.rng.randint(2_000, 50_000)
        local = rates.issued_for(dollars=dollars, rate_bps=self.rate_bps)
        self.balance[wallet] += local
        self.reserve += dollars
        self.local += 1
        a = self.accounts
        return [(a.cash, a.reserve, dollars, "exchange_in"), (a.issuance, wallet, local, "issue")]

    def redeem(self) -> list[Planned]:
        merchant = self.rng.choice(self.accounts.merchants)
        if self.balance[merchant] < 1_000:
            return []
        local = self.rng.randint(1_000, min(self.balance[merchant], MAX_REDEMPTION))
        paid = rates.redemption(local=local, rate_bps=self.rate_bps, fee_bps=self.fee_bps)
        if paid.dollars > self.reserve:
            return []
        self.balance[merchant] -= local
        self.reserve -= paid.dollars
        self.local += 2
        a = self.accounts
        return [
            (merchant, a.issuance, paid.retired, "exchange_out"),
            (merchant, a.community_fund, paid.fee, "redemption_fee"),
            (a.reserve, a.cash, paid.dollars, "exchange_out"),
        ]

    def pay(self) -> list[Planned]:
        """Members mostly pay merchants; merchants pay members (wages) and each other."""
        rng = self.rng
        for _attempt in range(50):
            payer = rng.choice(self.wallets)
            if self.balance[payer] > 0:
                break
        else:
            return self.issue(rng.choice(self.wallets))
        payees = self.accounts.merchants if rng.random() < 0.6 else self.accounts.members
        payee = rng.choice(payees)
        while payee == payer:
            payee = rng.choice(self.wallets)
        amount = min(self.balance[payer], rng.randint(1, MAX_PAYMENT))
        self.balance[payer] -= amount
        self.balance[payee] += amount
        self.local += 1
        return [(payer, payee, amount, "payment")]


@dataclass(frozen=True)
class Books:
    community_id: uuid.UUID
    since: datetime
    until: datetime
    local: int  # local-dollar transfers accepted
    dollars: int  # dollar-book transfers accepted
    refused: int
    write_seconds: float


# --- jobs run inside Django (`ledger.in_django`) --------------------------------------------------


def populate(transfers: int, batch_size: int, *, start: Callable[[], float]) -> Books:
    """One community, its local dollar and wallets, and `transfers` local-dollar transfers."""
    from mutua.community.services import community_create
    from mutua.core.ids import new_id
    from mutua.core.tenancy import community_scope
    from mutua.currency.services import currency_open
    from mutua.ledger.domain import Result, TransferRequest
    from mutua.ledger.services import transfers_create

    community = community_create(
        name="Bench", slug="bench", currency_name="Bench dollar", currency_code="BD"
    )
    until = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    since = until - timedelta(days=DAYS)
    with community_scope(community.id):
        currency = currency_open(community=community)
        accounts = wallets_open(currency)
        economy = Economy(
            accounts, seed=1, rate_bps=currency.rate_bps, fee_bps=currency.redemption_fee_bps
        )
        expected = 1 + -(-max(0, transfers - len(economy.wallets)) // batch_size)
        local = dollars = refused = 0
        began = start()
        for n, planned in enumerate(economy.batches(transfers, batch_size)):
            requests = [
                TransferRequest(new_id(), debit_account_id=d, credit_account_id=c, amount=a, code=k)
                for d, c, a, k in planned
            ]
            now = since + (n + 0.5) * timedelta(days=DAYS) / expected
            outcomes = transfers_create(community=community, requests=requests, now=now)
            for (debit, *_rest), outcome in zip(planned, outcomes, strict=True):
                if outcome.result != Result.OK:
                    refused += 1
                elif debit in (accounts.cash, accounts.reserve):
                    dollars += 1
                else:
                    local += 1
            if n % 50 == 0 or economy.local >= transfers:
                per_s = local / max(time.monotonic() - began, 1e-9)
                log(f"wrote {local:,} local-dollar transfers ({per_s:,.0f}/s), {refused} refused")
    return Books(community.id, since, until, local, dollars, refused, time.monotonic() - began)


def wallets_open(currency: Any) -> Accounts:
    """`MEMBERS` member and `MERCHANTS` merchant wallets: ledger accounts on the local book."""
    from mutua.ledger.models import AccountKind
    from mutua.ledger.services import account_open

    def opened(prefix: str, kind: AccountKind, count: int) -> tuple[uuid.UUID, ...]:
        return tuple(
            account_open(
                ledger=currency.local, code=f"{prefix}-{n:04}", name=f"{prefix} {n}", kind=kind
            ).id
            for n in range(count)
        )

    return Accounts(
        issuance=currency.issuance_id,
        community_fund=currency.community_fund_id,
        reserve=currency.reserve_id,
        cash=currency.cash_id,
        members=opened("member", AccountKind.MEMBER, MEMBERS),
        merchants=opened("merchant", AccountKind.MERCHANT, MERCHANTS),
    )


def measure(books: Books, rounds: int, profile: bool, *, start: Callable[[], float]) -> dict:
    """The report and the baseline in turns, `rounds` times each, on a fresh connection."""
    from django.db import connection

    from mutua.community.models import Community
    from mutua.core.tenancy import community_scope
    from mutua.currency import selectors

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does soon after a bulk load
            cursor.execute("VACUUM ANALYZE ledger_transfer")
    start()
    with community_scope(books.community_id):
        currency = selectors.currency_of(Community.objects.get(id=books.community_id))
        params = [currency.local_id, books.since, books.until]
        if connection.vendor == "sqlite":
            params = [sqlite_value(p) for p in params]
        if profile:
            profiled(lambda: report_of(currency, books), "one report")
        load = os.getloadavg()[0]
        timed: dict[str, list[float]] = {"report": [], "baseline": [], "fetch": []}
        for n in range(rounds):
            began = time.perf_counter()
            found = report_of(currency, books)
            timed["report"].append(time.perf_counter() - began)
            began = time.perf_counter()
            count, total, nets = baseline(params)
            timed["baseline"].append(time.perf_counter() - began)
            began = time.perf_counter()
            movements = selectors._movements(currency, since=books.since, until=books.until)
            fetched = sum(1 for _row in movements)
            timed["fetch"].append(time.perf_counter() - began)
            log(f"round {n + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in timed.items()))
        supply = sum(max(0, net) for key, net in nets.items() if str(key) != issuance(currency))
        agrees = found.transfers == count == fetched and found.supply == supply
        return {
            "timed": timed,
            "headline": found.headline(),
            "baseline_count": count,
            "baseline_sum": total,
            "agrees": agrees,
            "load_1min": [round(load, 2), round(os.getloadavg()[0], 2)],
        }


def report_of(currency: Any, books: Books) -> Any:
    from mutua.currency import selectors

    return selectors.report(currency=currency, since=books.since, until=books.until)


def issuance(currency: Any) -> str:
    """The issuance account's key as the database gives it (a UUID, or hex text on SQLite)."""
    from django.db import connection

    key = currency.issuance_id
    return key.hex if connection.vendor == "sqlite" else str(key)


def baseline(params: list[Any]) -> tuple[int, int, dict[Any, int]]:
    """The plain SQL of `BASELINE`: (count, sum, each account's net change)."""
    count_sum, per_account = BASELINE
    count, total = next(rows(count_sum, params))
    nets = {account: int(net) for account, net in rows(per_account, params * 2)}
    return count, int(total or 0), nets


def rows(sql: str, params: list[Any]) -> Iterator[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(20_000):
            yield from chunk


# --- databases and the result line ----------------------------------------------------------------


def bench(name: str, env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    log(f"{name}: migrating {urlsplit(env['DATABASE_URL']).path}")
    run_mutua("migrate", "--no-input", env=env)
    log(f"{name}: writing {args.transfers:,} transfers in batches of {args.batch_size:,}")
    books: Books = in_django(env, populate, args.transfers, args.batch_size)
    log(f"{name}: {args.rounds} x (report, then baseline, then fetch) in a fresh process")
    measured = in_django(env, measure, books, args.rounds, args.profile)
    timed = measured["timed"]
    seconds = statistics.median(timed["report"])
    baseline_seconds = statistics.median(timed["baseline"])
    return {
        "name": f"{name}_currency_report",
        "transfers": measured["headline"]["transfers"],
        "seconds": round(seconds, 3),
        "best_seconds": round(min(timed["report"]), 3),
        "runs_seconds": [round(s, 3) for s in timed["report"]],
        "baseline": BASELINE_TEXT,
        "baseline_seconds": round(baseline_seconds, 3),
        "baseline_best_seconds": round(min(timed["baseline"]), 3),
        "ratio": round(seconds / baseline_seconds, 2) if baseline_seconds else None,
        "fetch_seconds": round(statistics.median(timed["fetch"]), 3),
        "target_seconds": TARGET_SECONDS,
        "target_met": seconds <= TARGET_SECONDS,
        "agrees": measured["agrees"],
        "baseline_count": measured["baseline_count"],
        "refused": books.refused,
        "dollar_transfers": books.dollars,
        "write_seconds": round(books.write_seconds, 1),
        "write_per_s": round((books.local + books.dollars) / books.write_seconds),
        "load_1min": measured["load_1min"],
        "headline": measured["headline"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transfers", type=int, default=TRANSFERS, help="local ones (1,000,000)")
    parser.add_argument("--rounds", type=int, default=3, help="report/baseline turns (3)")
    parser.add_argument("--postgres", help="server URL (default: $DATABASE_URL)")
    parser.add_argument("--only", choices=DATABASES, help="one database only")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="(2,000)")
    parser.add_argument("--profile", action="store_true", help="first log a cProfile of a report")
    args = parser.parse_args()
    # Interrupted by a signal, unwind so that the throwaway databases are dropped.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    server = args.postgres or os.environ.get("DATABASE_URL", "")
    chosen = [args.only] if args.only else list(DATABASES)
    with tempfile.TemporaryDirectory(prefix="mutua-bench-") as tmp:
        folder = Path(tmp)
        if "postgres" in chosen:
            if server.startswith("postg"):
                with postgres_database(server, "currency") as url:
                    emit(bench("postgres", mutua_env(folder / "home", url), args))
            else:
                log("no PostgreSQL: give --postgres URL or set DATABASE_URL")
        if "sqlite" in chosen:
            url = f"sqlite:///{folder / 'currency.sqlite3'}"
            emit(bench("sqlite", mutua_env(folder / "home", url), args))


if __name__ == "__main__":
    main()
