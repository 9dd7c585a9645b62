"""How fast the ledger moves money: transfers per second through Mutua's services, each figure next
to a baseline measured in the same run on the same machine. A benchmark to run by hand, not a test.

    .venv/bin/python bench/ledger.py [--seconds 10] [--rounds 2] [--postgres URL] [--only NAME]
                                     [--batch-size 1000] [--profile]

Prints one JSON line per configuration on standard output (progress goes to standard error). Each
side of a comparison runs `--seconds` in all, in `--rounds` slices that alternate with the other
side's, so that load coming and going on the machine falls on both.
- `postgres_service_4_clients`: 4 processes call `services.transfer_create` (one transfer per call)
  for `--seconds`; baseline: `pgbench`'s built-in TPC-B-like script, 4 clients, same server.
- `sqlite_service_1_client`: one process calls `services.transfer_create` (SQLite has one writer,
  so more clients would only queue); baseline: the same statements through plain `sqlite3`.
- `postgres_batch_1_client`, `postgres_batch_2_clients`: one or two processes (each on its own half
  of the wallets) call `services.transfers_create` with unlinked batches of `--batch-size`;
  baseline: the same statements through plain `psycopg`, as many processes. Target: 20,000/s.

The `sqlite3`/`psycopg` baselines write what the service writes, with none of its Python around it:
BEGIN (IMMEDIATE on SQLite), SELECT the accounts (FOR UPDATE on PostgreSQL), SELECT the transfer
ids to answer retries, INSERT the transfers with their body and chain hashes, COMMIT; the
database's triggers check and apply each row as they do for the service.

Everything runs in throwaway databases: a temporary SQLite file, and new databases on the server
of `--postgres` (default `$DATABASE_URL`), dropped afterwards. Each is migrated with `mutua migrate`
and given one community, a ledger, an unlimited issuance account and funded wallets: single
payments go between random ones of `WALLETS` wallets, those of batches between `BATCH_WALLETS`
(a batch of 1,000 touches most of them twice). The baselines run on copies of those books, so
both sides start equal. Every line carries `verify_problems` (and `baseline_verify_problems`):
what `selectors.ledger_verify` found afterwards, so the figures are of real, correct work.
"""

# Random payments are load, not secrets; the only subprocess is pgbench, with arguments built here.
# ruff: noqa: S311, S603

import argparse
import cProfile
import io
import json
import multiprocessing as mp
import os
import pstats
import queue
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from glob import glob
from pathlib import Path
from random import Random
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
import psycopg
from psycopg import sql

from mutua.core.hashchain import link_hash
from mutua.core.ids import new_id
from mutua.core.tests.databases import mutua_env, run_mutua
from mutua.ledger.domain import TransferRequest, chain_prev

BATCH_CONFIGURATIONS = {"postgres_batch_1_client": 1, "postgres_batch_2_clients": 2}
CONFIGURATIONS = ("postgres_service_4_clients", "sqlite_service_1_client", *BATCH_CONFIGURATIONS)
WALLETS = 100  # between which single payments go
BATCH_WALLETS = 1000  # between which the payments of batches go
FUNDING = 10**9  # minor units per wallet: no random payment below can run one dry
MAX_PAYMENT = 100
CLIENTS = 4
TARGET_RATIO = {"postgres_service_4_clients": 0.5, "sqlite_service_1_client": 0.25}
BATCH_TARGET_PER_S = 20_000
SPAWN = mp.get_context("spawn")


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Books:
    community_id: uuid.UUID
    ledger_id: uuid.UUID
    wallets: tuple[uuid.UUID, ...]


@dataclass
class Run:
    """What one client did between the start signal and its deadline."""

    started: float
    ended: float = 0.0
    ok: int = 0
    refused: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)  # seconds, one per call


Payment = tuple[uuid.UUID, uuid.UUID, int]  # payer, payee, amount


def payments(seed: int, wallets: tuple[uuid.UUID, ...]) -> Iterator[Payment]:
    """An endless stream of payments between random wallets; the same seed, the same stream."""
    rng = Random(seed)
    while True:
        debit, credit = rng.sample(wallets, 2)
        yield debit, credit, rng.randint(1, MAX_PAYMENT)


def batches(
    seed: int, wallets: tuple[uuid.UUID, ...], size: int, share: tuple[int, int] = (0, 1)
) -> Iterator[list[Payment]]:
    """An endless stream of batches of random payments (a wallet may well appear twice). Client
    `c` of `n` (`share`) pays between its own wallets, every n-th from the c-th: writers side by
    side on accounts of their own, as the ledger is meant to scale."""
    client, clients = share
    stream = payments(seed, wallets[client::clients])
    while True:
        yield [next(stream) for _ in range(size)]


# --- processes ------------------------------------------------------------------------------------


def _child(
    env: dict[str, str], job: Callable[..., Any], args: tuple, barrier: Any, out: Any
) -> None:
    """A fresh process on one database: Django set up from `env`, then `job(*args, start=...)`."""
    try:
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutua.settings")
        import django

        django.setup()

        def start() -> float:
            barrier.wait(timeout=300)
            return time.monotonic()

        out.put(("ok", job(*args, start=start)))
    except BaseException as error:  # reported to the parent, which stops the bench
        import traceback

        barrier.abort()
        out.put(("error", f"{error!r}\n{traceback.format_exc()}"))


def in_processes(env: dict[str, str], job: Callable[..., Any], per_process: list[tuple]) -> list:
    """Run `job` in one spawned process per argument tuple, started together; their results."""
    barrier, out = SPAWN.Barrier(len(per_process)), SPAWN.Queue()
    procs = [SPAWN.Process(target=_child, args=(env, job, a, barrier, out)) for a in per_process]
    for proc in procs:
        proc.start()
    replies: list[tuple[str, Any]] = []
    while len(replies) < len(procs):
        try:
            replies.append(out.get(timeout=5))
        except queue.Empty:
            if not any(proc.is_alive() for proc in procs) and out.empty():
                raise RuntimeError(f"{job.__name__}: a process died without a word") from None
    for proc in procs:
        proc.join(timeout=60)
    failures = [text for status, text in replies if status == "error"]
    if failures:
        raise RuntimeError(f"{job.__name__} failed:\n{failures[0]}")
    return [result for _status, result in replies]


def in_django(env: dict[str, str], job: Callable[..., Any], *args: Any) -> Any:
    return in_processes(env, job, [args])[0]


# --- jobs run inside Django -----------------------------------------------------------------------


def setup_books(wallet_count: int, *, start: Callable[[], float]) -> Books:
    from mutua.community.services import community_create
    from mutua.core.tenancy import community_scope
    from mutua.ledger import services
    from mutua.ledger.domain import Result
    from mutua.ledger.models import AccountKind

    community = community_create(
        name="Bench", slug="bench", currency_name="Bench dollar", currency_code="BD"
    )
    with community_scope(community.id):
        ld = services.ledger_create(community=community, code="LD", name="Local dollar")
        issuance = services.account_open(
            ledger=ld, code="issuance", name="Issuance", kind=AccountKind.ISSUANCE, unlimited=True
        )
        wallets = tuple(
            services.account_open(
                ledger=ld, code=f"w{n:05}", name=f"Wallet {n}", kind=AccountKind.MEMBER
            ).id
            for n in range(wallet_count)
        )
        funding = [
            TransferRequest(
                new_id(), debit_account_id=issuance.id, credit_account_id=wallet, amount=FUNDING
            )
            for wallet in wallets
        ]
        for start_at in range(0, len(funding), 1000):
            outcomes = services.transfers_create(
                community=community, requests=funding[start_at : start_at + 1000]
            )
            assert all(o.result == Result.OK for o in outcomes), outcomes
    start()
    return Books(community.id, ld.id, wallets)


def verify(books: Books, *, start: Callable[[], float]) -> int:
    from mutua.core.tenancy import community_scope
    from mutua.ledger.selectors import ledger_verify

    start()
    with community_scope(books.community_id):
        problems = ledger_verify()
    for problem in problems[:5]:
        log(f"verify: {problem.where}: {problem.problem}")
    return len(problems)


def service_singles(
    books: Books, seconds: float, seed: int, profile: bool, *, start: Callable[[], float]
) -> Run:
    """One client: `transfer_create`, one payment per call, until the deadline."""
    from mutua.community.models import Community
    from mutua.core.tenancy import community_scope
    from mutua.ledger.domain import Result
    from mutua.ledger.services import transfer_create

    community = Community.objects.get(id=books.community_id)
    stream = payments(seed, books.wallets[:WALLETS])

    def request() -> TransferRequest:
        debit, credit, amount = next(stream)
        return TransferRequest(
            new_id(), debit_account_id=debit, credit_account_id=credit, amount=amount, code="bench"
        )

    with community_scope(community.id):
        if profile and seed == 0:
            profiled(
                lambda: [
                    transfer_create(community=community, request=request()) for _ in range(200)
                ],
                "200 single transfers",
            )
        run = Run(start())
        while time.monotonic() < run.started + seconds:
            began = time.perf_counter()
            try:
                outcome = transfer_create(community=community, request=request())
            except Exception as error:  # a deadlock or timeout is a finding: count it, go on
                run.errors += 1
                log(f"transfer_create raised {error!r}")
            else:
                run.ok += outcome.result == Result.OK
                run.refused += outcome.result != Result.OK
            run.latencies.append(time.perf_counter() - began)
    run.ended = time.monotonic()
    return run


def service_batches(
    books: Books,
    seconds: float,
    size: int,
    seed: int,
    share: tuple[int, int],
    profile: bool,
    *,
    start: Callable[[], float],
) -> Run:
    """One client: `transfers_create` with unlinked batches of `size`, until the deadline."""
    from mutua.community.models import Community
    from mutua.core.tenancy import community_scope
    from mutua.ledger.domain import Result
    from mutua.ledger.services import transfers_create

    community = Community.objects.get(id=books.community_id)
    stream = batches(seed, books.wallets[:BATCH_WALLETS], size, share)

    def batch() -> list[TransferRequest]:
        return [
            TransferRequest(
                new_id(), debit_account_id=d, credit_account_id=c, amount=a, code="bench"
            )
            for d, c, a in next(stream)
        ]

    with community_scope(community.id):
        if profile and seed == 0:
            profiled(
                lambda: transfers_create(community=community, requests=batch()),
                f"one batch of {size}",
            )
        run = Run(start())
        while time.monotonic() < run.started + seconds:
            requests = batch()
            began = time.perf_counter()
            try:
                outcomes = transfers_create(community=community, requests=requests)
            except Exception as error:  # a finding: count the batch's transfers, go on
                run.errors += len(requests)
                log(f"transfers_create raised {error!r}")
            else:
                run.ok += sum(o.result == Result.OK for o in outcomes)
                run.refused += sum(o.result != Result.OK for o in outcomes)
            run.latencies.append(time.perf_counter() - began)
    run.ended = time.monotonic()
    return run


def profiled(call: Callable[[], Any], what: str) -> None:
    """Run `call` once under cProfile and log where its time went (not part of the figures)."""
    profile = cProfile.Profile()
    profile.runcall(call)
    for order in ("tottime", "cumulative"):
        text = io.StringIO()
        pstats.Stats(profile, stream=text).sort_stats(order).print_stats(20)
        log(f"profile of {what}, by {order}:\n{text.getvalue()}")


# --- baselines: the same statements through the plain drivers -------------------------------------

TRANSFER_COLUMNS = (
    "id",
    "community_id",
    "ledger_id",
    "debit_account_id",
    "credit_account_id",
    "amount",
    "kind",
    "code",
    "memo",
    "body_hash",
    "created_at",
    "debit_seq",
    "credit_seq",
    "debit_prev_hash",
    "credit_prev_hash",
    "hash",
)
ACCOUNT_COLUMNS = (
    "id, unlimited, credit_limit, debits_pending, debits_posted, credits_posted, transfer_count, "
    "head_hash"
)


@dataclass
class Chain:
    """An account as a baseline sees it: room to send, and its place in its hash chain."""

    available: float
    count: int
    head: str

    @classmethod
    def of(cls, row: tuple) -> "Chain":
        _id, unlimited, limit, d_pending, d_posted, c_posted, count, head = row
        available = float("inf") if unlimited else c_posted - d_posted - d_pending + limit
        return cls(available, count, head)


def raw_transfer(
    books: Books, chains: dict[Any, Chain], payment: tuple, now: datetime
) -> dict[str, Any] | None:
    """The row the service would write for a posted payment (None if the payer cannot pay),
    moving both accounts' chains as the database's trigger will. Mirrors
    `services.transfer_content`; `ledger_verify` on the result proves it does."""
    debit, credit, amount = payment
    d, c = chains[debit], chains[credit]
    if d.available < amount:
        return None
    request = TransferRequest(
        new_id(), debit_account_id=debit, credit_account_id=credit, amount=amount, code="bench"
    )
    row = {
        "id": request.id,
        "community_id": books.community_id,
        "ledger_id": books.ledger_id,
        "debit_account_id": debit,
        "credit_account_id": credit,
        "amount": amount,
        "kind": "posted",
        "code": "bench",
        "memo": "",
        "body_hash": request.body_hash(),
        "created_at": now,
        "debit_seq": d.count + 1,
        "credit_seq": c.count + 1,
        "debit_prev_hash": d.head,
        "credit_prev_hash": c.head,
    }
    content = {
        "id": str(request.id),
        "ledger": str(books.ledger_id),
        "debit": str(debit),
        "credit": str(credit),
        "amount": amount,
        "kind": "posted",
        "code": "bench",
        "memo": "",
        "pending": None,
        "reverses": None,
        "timeout_at": None,
        "created_at": now.isoformat(),
        "debit_seq": d.count + 1,
        "credit_seq": c.count + 1,
    }
    row["hash"] = link_hash(chain_prev(d.head, c.head), content)
    d.available, c.available = d.available - amount, c.available + amount
    d.count, c.count, d.head, c.head = d.count + 1, c.count + 1, row["hash"], row["hash"]
    return row


def sqlite_singles(
    path: str, books: Books, seconds: float, seed: int, *, start: Callable[[], float]
) -> Run:
    """Plain `sqlite3`, one payment per transaction, with the PRAGMAs of Mutua's settings."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=20)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        conn.execute(f"PRAGMA {pragma}")
    insert = (
        f"INSERT INTO ledger_transfer ({', '.join(TRANSFER_COLUMNS)}) "  # noqa: S608 -- constants
        f"VALUES ({', '.join('?' * len(TRANSFER_COLUMNS))})"
    )
    accounts = (
        f"SELECT {ACCOUNT_COLUMNS} FROM ledger_account "  # noqa: S608 -- constants
        "WHERE community_id = ? AND id IN (?, ?) ORDER BY id"
    )
    stream = payments(seed, books.wallets[:WALLETS])
    run = Run(start())
    while time.monotonic() < run.started + seconds:
        debit, credit, amount = next(stream)
        began = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        rows = conn.execute(accounts, (books.community_id.hex, debit.hex, credit.hex)).fetchall()
        chains = {uuid.UUID(row[0]): Chain.of(row) for row in rows}
        row = raw_transfer(books, chains, (debit, credit, amount), datetime.now(UTC))
        if row is not None:
            conn.execute(
                "SELECT id, body_hash FROM ledger_transfer WHERE id IN (?)", (row["id"].hex,)
            )
            conn.execute(insert, [sqlite_value(row[column]) for column in TRANSFER_COLUMNS])
        conn.execute("COMMIT")
        run.latencies.append(time.perf_counter() - began)
        run.ok += row is not None
        run.refused += row is None
    run.ended = time.monotonic()
    conn.close()
    return run


def sqlite_value(value: Any) -> Any:
    """As Django stores it on SQLite: UUIDs as 32 hex digits, times as naive UTC text."""
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, datetime):
        return str(value.astimezone(UTC).replace(tzinfo=None))
    return value


def postgres_batches(
    url: str,
    books: Books,
    seconds: float,
    size: int,
    seed: int,
    share: tuple[int, int],
    *,
    start: Callable[[], float],
) -> Run:
    """Plain `psycopg`: per batch, lock the accounts in id order, look up the ids, insert every
    row (`executemany`, which psycopg pipelines), commit."""
    insert = sql.SQL("INSERT INTO ledger_transfer ({}) VALUES ({})").format(
        sql.SQL(", ").join(map(sql.Identifier, TRANSFER_COLUMNS)),
        sql.SQL(", ").join(sql.Placeholder() * len(TRANSFER_COLUMNS)),
    )
    accounts = sql.SQL(
        "SELECT {} FROM ledger_account WHERE community_id = %s AND id = ANY(%s) "
        "ORDER BY id FOR UPDATE"
    ).format(sql.SQL(ACCOUNT_COLUMNS))
    stream = batches(seed, books.wallets[:BATCH_WALLETS], size, share)
    with psycopg.connect(url) as conn:
        run = Run(start())
        while time.monotonic() < run.started + seconds:
            batch = next(stream)
            began = time.perf_counter()
            with conn.transaction(), conn.cursor() as cursor:
                ids = sorted({account for d, c, _a in batch for account in (d, c)})
                cursor.execute(accounts, (books.community_id, ids))
                chains = {row[0]: Chain.of(row) for row in cursor.fetchall()}
                now = datetime.now(UTC)
                rows = [raw_transfer(books, chains, payment, now) for payment in batch]
                fresh = [row for row in rows if row is not None]
                cursor.execute(
                    "SELECT id, body_hash FROM ledger_transfer WHERE id = ANY(%s)",
                    ([row["id"] for row in fresh],),
                )
                cursor.executemany(insert, [[r[c] for c in TRANSFER_COLUMNS] for r in fresh])
            run.latencies.append(time.perf_counter() - began)
            run.ok += len(fresh)
            run.refused += len(rows) - len(fresh)
    run.ended = time.monotonic()
    return run


# --- pgbench --------------------------------------------------------------------------------------


def pgbench_path() -> str:
    found = shutil.which("pgbench") or next(
        iter(sorted(glob("/usr/lib/postgresql/*/bin/pgbench"), reverse=True)), None
    )
    if found is None:
        raise SystemExit("pgbench not found: install postgresql-client")
    return found


@contextmanager
def pgbench_database(server: str) -> Iterator[Callable[[float, Path], Run]]:
    """A database of its own initialised for pgbench's TPC-B-like script at scale `CLIENTS`;
    yields a function that runs the script with `CLIENTS` clients for some seconds."""
    config = dj_database_url.parse(server)
    with postgres_database(server, "pgbench") as url:
        name = urlsplit(url).path.lstrip("/")
        env = {**os.environ, "PGPASSWORD": str(config["PASSWORD"] or "")}
        connect = [
            pgbench_path(),
            *("-h", str(config["HOST"] or "127.0.0.1"), "-p", str(config["PORT"] or 5432)),
            *("-U", str(config["USER"])),
        ]
        init = [*connect, "-i", "-q", "-s", str(CLIENTS), name]
        subprocess.run(init, env=env, check=True, capture_output=True, timeout=600)

        def run(seconds: float, folder: Path) -> Run:
            folder.mkdir()
            clients = ("-c", str(CLIENTS), "-j", str(CLIENTS), "-T", str(max(1, round(seconds))))
            done = subprocess.run(
                [*connect, *clients, "-l", name],
                env=env,
                check=True,
                capture_output=True,
                text=True,
                timeout=seconds + 600,
                cwd=folder,
            )
            return pgbench_run(done.stdout, folder)

        yield run


def pgbench_run(output: str, folder: Path) -> Run:
    """pgbench's own figures as a `Run`: its transactions over the time its tps implies."""
    tps = re.search(r"tps = ([\d.]+) \((?:without|excluding)", output)
    count = re.search(r"number of transactions actually processed: (\d+)", output)
    if tps is None or count is None:
        raise RuntimeError(f"no tps in pgbench's output:\n{output}")
    latencies = []  # -l writes "client tx latency_us script epoch epoch_us" per transaction
    for log_file in folder.glob("pgbench_log.*"):
        lines = log_file.read_text().splitlines()
        latencies += [int(line.split()[2]) / 1e6 for line in lines]
    ok = int(count.group(1))
    return Run(0.0, ok / float(tps.group(1)), ok=ok, latencies=latencies)


# --- databases ------------------------------------------------------------------------------------


@contextmanager
def postgres_database(server: str, label: str, template: str | None = None) -> Iterator[str]:
    """A new database on `server`'s PostgreSQL (a copy of `template`, if given), dropped after."""
    name = f"mutua_bench_{label}_{uuid.uuid4().hex[:8]}"
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template is not None:
        create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(create)
    try:
        yield urlsplit(server)._replace(path=f"/{name}").geturl()
    finally:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        for attempt in range(10):
            try:
                with psycopg.connect(server, autocommit=True) as admin:
                    admin.execute(drop)
                break
            except psycopg.errors.InsufficientPrivilege:
                # an autovacuum worker (the server's own role) is in it: it leaves by itself
                time.sleep(1 + attempt)


def migrated_books(env: dict[str, str], wallet_count: int = WALLETS) -> Books:
    log(f"migrating {urlsplit(env['DATABASE_URL']).path} and opening {wallet_count} wallets")
    run_mutua("migrate", "--no-input", env=env)
    return in_django(env, setup_books, wallet_count)


# --- configurations -------------------------------------------------------------------------------


def p99_ms(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return round(ordered[max(0, -(-len(ordered) * 99 // 100) - 1)] * 1000, 2) if ordered else 0.0


def summary(rounds: list[list[Run]]) -> dict[str, Any]:
    """Transfers per second over the rounds (each as long as its slowest client), and more."""
    runs = [run for runs in rounds for run in runs]
    wall = sum(max(r.ended for r in runs) - min(r.started for r in runs) for runs in rounds)
    ok = sum(r.ok for r in runs)
    return {
        "per_s": round(ok / wall, 1),
        "p99_ms": p99_ms([x for r in runs for x in r.latencies]),
        "transfers": ok,
        "refused": sum(r.refused for r in runs),
        "errors": sum(r.errors for r in runs),
    }


def alternate(
    args: argparse.Namespace,
    service: Callable[[int], list[Run]],
    baseline: Callable[[int], list[Run]],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Service, baseline, service, baseline ...: load that comes and goes on the machine then
    falls on both sides instead of on one. Each side is given `round` 0, 1, ..."""
    ours, theirs = [], []
    for n in range(args.rounds):
        ours.append(service(n))
        theirs.append(baseline(n))
    return summary(ours), summary(theirs)


def line(
    name: str, service: dict[str, Any], baseline: str, baseline_per_s: float, **extra: Any
) -> dict[str, Any]:
    return {
        "name": name,
        "transfers_per_s": service["per_s"],
        "p99_ms": service["p99_ms"],
        "baseline": baseline,
        "baseline_per_s": baseline_per_s,
        "ratio": round(service["per_s"] / baseline_per_s, 3) if baseline_per_s else None,
        "transfers": service["transfers"],
        "refused": service["refused"],
        "errors": service["errors"],
        **extra,
    }


def bench_postgres_service(
    env: dict[str, str], books: Books, args: argparse.Namespace, folder: Path
) -> dict[str, Any]:
    name = "postgres_service_4_clients"
    seconds = args.seconds / args.rounds
    log(f"{name}: {args.rounds} x ({CLIENTS} processes for {seconds:g} s, then pgbench)")
    with pgbench_database(args.server) as pgbench:
        service, baseline = alternate(
            args,
            lambda n: in_processes(
                env,
                service_singles,
                [(books, seconds, n * CLIENTS + c, args.profile) for c in range(CLIENTS)],
            ),
            lambda n: [pgbench(seconds, folder / f"pgbench-{n}")],
        )
    result = line(
        name,
        service,
        f"pgbench -c {CLIENTS} -j {CLIENTS} tpcb-like, scale {CLIENTS}",
        baseline["per_s"],
        baseline_p99_ms=baseline["p99_ms"],
        p99_of="transfer",
        clients=CLIENTS,
    )
    return target(result, ratio=TARGET_RATIO[name]) | {
        "verify_problems": in_django(env, verify, books)
    }


def bench_postgres_batch(
    env: dict[str, str], raw_url: str, books: Books, args: argparse.Namespace, name: str
) -> dict[str, Any]:
    clients = BATCH_CONFIGURATIONS[name]
    size, seconds = args.batch_size, args.seconds / args.rounds
    log(f"{name}: {args.rounds} x ({clients} x batches of {size} for {seconds:g} s, then psycopg)")

    def each(n: int) -> list[tuple[int, tuple[int, int]]]:
        return [(n * clients + c, (c, clients)) for c in range(clients)]

    service, baseline = alternate(
        args,
        lambda n: in_processes(
            env,
            service_batches,
            [(books, seconds, size, seed, share, args.profile) for seed, share in each(n)],
        ),
        lambda n: in_processes(
            env,
            postgres_batches,
            [(raw_url, books, seconds, size, seed, share) for seed, share in each(n)],
        ),
    )
    result = line(
        name,
        service,
        f"the same statements through psycopg, batches of {size}, {clients} client(s)",
        baseline["per_s"],
        baseline_p99_ms=baseline["p99_ms"],
        batch_size=size,
        p99_of=f"batch of {size}",
        clients=clients,
    )
    result["target_per_s"] = BATCH_TARGET_PER_S
    result["target_met"] = result["transfers_per_s"] >= BATCH_TARGET_PER_S
    return result | verified(env, raw_url, books)


def bench_sqlite_service(folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    name = "sqlite_service_1_client"
    path, copy = folder / "ledger.sqlite3", folder / "baseline.sqlite3"
    env = mutua_env(folder / "home", f"sqlite:///{path}")
    books = migrated_books(env)
    source, duplicate = sqlite3.connect(path), sqlite3.connect(copy)
    source.backup(duplicate)
    source.close()
    duplicate.close()
    seconds = args.seconds / args.rounds
    log(f"{name}: {args.rounds} x (1 process for {seconds:g} s, then sqlite3)")
    service, baseline = alternate(
        args,
        lambda n: [in_django(env, service_singles, books, seconds, n, args.profile)],
        lambda n: [in_django(env, sqlite_singles, str(copy), books, seconds, n)],
    )
    result = line(
        name,
        service,
        "the same statements through plain sqlite3, 1 client",
        baseline["per_s"],
        baseline_p99_ms=baseline["p99_ms"],
        p99_of="transfer",
        clients=1,
    )
    return target(result, ratio=TARGET_RATIO[name]) | verified(env, f"sqlite:///{copy}", books)


def target(result: dict[str, Any], *, ratio: float) -> dict[str, Any]:
    return result | {"target_ratio": ratio, "target_met": (result["ratio"] or 0) >= ratio}


def verified(env: dict[str, str], baseline_url: str, books: Books) -> dict[str, int]:
    log("verifying the books of the service and of the baseline")
    return {
        "verify_problems": in_django(env, verify, books),
        "baseline_verify_problems": in_django({**env, "DATABASE_URL": baseline_url}, verify, books),
    }


def emit(result: dict[str, Any]) -> None:
    print(json.dumps(result), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per side and configuration")
    parser.add_argument("--rounds", type=int, default=2, help="alternations of the two sides (2)")
    parser.add_argument("--postgres", help="server URL (default: $DATABASE_URL)")
    parser.add_argument("--only", action="append", choices=CONFIGURATIONS, help="repeatable")
    parser.add_argument("--batch-size", type=int, default=1000, help="postgres_batch_* (1000)")
    parser.add_argument(
        "--profile", action="store_true", help="first log a cProfile of one batch / 200 transfers"
    )
    args = parser.parse_args()
    # Interrupted by a signal, unwind so that the throwaway databases are dropped.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    args.server = args.postgres or os.environ.get("DATABASE_URL", "")
    chosen = args.only or list(CONFIGURATIONS)
    with tempfile.TemporaryDirectory(prefix="mutua-bench-") as tmp:
        folder = Path(tmp)
        if {"postgres_service_4_clients", *BATCH_CONFIGURATIONS} & set(chosen):
            if args.server.startswith("postg"):
                bench_postgres(folder, args, chosen)
            else:
                log("no PostgreSQL: give --postgres URL or set DATABASE_URL")
        if "sqlite_service_1_client" in chosen:
            emit(bench_sqlite_service(folder, args))


def bench_postgres(folder: Path, args: argparse.Namespace, chosen: list[str]) -> None:
    with postgres_database(args.server, "ledger") as url:
        env = mutua_env(folder / "home", url)
        batched = [name for name in BATCH_CONFIGURATIONS if name in chosen]
        books = migrated_books(env, BATCH_WALLETS if batched else WALLETS)
        with postgres_database(args.server, "raw", template=urlsplit(url).path[1:]) as raw_url:
            if "postgres_service_4_clients" in chosen:
                emit(bench_postgres_service(env, books, args, folder))
            for name in batched:
                emit(bench_postgres_batch(env, raw_url, books, args, name))


if __name__ == "__main__":
    main()
