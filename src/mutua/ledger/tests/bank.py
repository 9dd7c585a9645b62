"""The bank test under faults, in the spirit of Jepsen's bank workload: concurrent clients pay each
other through the HTTP API of a gunicorn server while a nemesis kills the server (SIGKILL to its
whole process group) and, on PostgreSQL, the database (`pg_ctl -m immediate stop`), then restarts
them. Afterwards the books must show that nothing was lost, made up or applied twice.

    bank_run(Options(...), folder) -> report     (bench/bank_faults.py and test_bank_faults.py)
    python -m mutua.ledger.tests.bank_books setup|audit ...    (Django: open it, read it back)

The bank: one community with a credit union, `WALLETS` members, each with a local-dollar wallet
bought with `FUNDS` dollar cents at par (`exchange_in`) and a personal API token. A client is a
thread that pays again and again from a random member's wallet (with that member's token: a
member may debit only their own) to another's: mostly small amounts, sometimes the wallet's
`available` just read through the API, give or take a tenth, so that some payments are refused
(`exceeds_credit_limit`). Each payment gets its id before it is first sent, and a transport error,
a timeout or a 5xx sends the same id and body again, with backoff, until an answer comes: 201
`ok` or 200 `exists` acknowledge it, a 422 `exceeds_credit_limit` refuses it. Anything else is
an unexpected answer. A payment still unanswered when the run ends is indeterminate; once the
nemesis has stopped, it is sent again until it is answered (`exists` if it was made unheard).

The nemesis spreads `faults` strikes over the run, evenly with jitter, alternating their kinds
in random order: `server` (kill -9 the gunicorn master and its workers, wait up to a second,
start it again) and, on PostgreSQL, `database` (an immediate shutdown of the bank's own cluster,
which the server outlives, then a restart with crash recovery). Each strike waits for payments
to be on their way, so that it lands mid-request rather than into the clients' backoff. The
run ends within a second after the last strike (planned for the last second, later if restarts
ran slow), whose part stays down past the end, so that every run leaves indeterminate payments
to resolve. The PostgreSQL cluster is the test's
own (initdb in a temporary folder, run as the `postgres` user when we are root, as `.ci/run`
does), with `fsync` on: crashing the suite's database, or one that does not flush, would prove
nothing. On SQLite the database lives inside the server's workers (WAL, `synchronous=NORMAL`), so
killing the server is killing the database in the middle of its writes.

What the run checks (`problems_found`, which lists every problem rather than the first), once
the server and the database are up and quiet:
- every acknowledged payment is in the ledger exactly once (counted by id), with the body sent;
- every payment in the ledger was sent by a client, no refused payment is, and nothing but the
  payments and the opening exchanges is;
- every wallet holds its opening funds plus what acknowledged payments brought minus what they
  took, so the total across the wallets is the opening total;
- every payment ended with an answer, none of them unexpected;
- `mutua ledger verify` and `mutua audit verify` are clean.

What it does not prove: the process kills leave the operating system's page cache alone, so a
commit that reached the kernel but not the disk survives here and might not survive a power cut.
Only fsync, which the cluster keeps on, speaks to that, and this test does not pull the plug.
"""

import http.client
import json
import math
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from glob import glob
from pathlib import Path
from typing import Any, NamedTuple, Protocol
from uuid import uuid4

from mutua.core.tests.databases import database_migrate, mutua_env, run_mutua

CODE = "bank"  # the reason code of every payment the clients make
ACKNOWLEDGED = ("ok", "exists")
REFUSALS = ("exceeds_credit_limit",)
SMALL_PAYMENT = 500  # most payments are 0.01 to 5.00
NEAR_BALANCE_SHARE = 0.25  # the others first read the payer's `available` and pay about that
REQUEST_TIMEOUT = 10.0  # seconds without an answer before the client sends again
BACKOFF_FIRST, BACKOFF_MOST = 0.05, 1.0
MOST_DOWNTIME = 1.0  # seconds a killed server or database stays down
BUSY_WITHIN = 5.0  # seconds a strike waits at most for payments to flow again
RESOLVE_WITHIN = 120.0  # seconds to get an answer for each indeterminate payment after the run


def log(message: str) -> None:
    print(f"bank: {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the database ---------------------------------------------------------------------------------


class Database(Protocol):
    url: str
    kind: str

    def crash(self) -> None: ...
    def start(self) -> None: ...


@dataclass
class SqliteFile:
    """The bank in one SQLite file; it cannot crash apart from the server that writes it."""

    url: str
    kind: str = "sqlite"

    def crash(self) -> None:
        raise NotImplementedError("SQLite runs inside the server: kill the server instead")

    def start(self) -> None:
        pass


class PostgresCluster:
    """A throwaway PostgreSQL cluster of our own, so that crashing it disturbs no one else's
    database. Its files belong to `postgres` when we are root (the server refuses to run as
    root), and the commands run as that user, as `.ci/run` does."""

    kind = "postgresql"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.bin = Path(sorted(glob("/usr/lib/postgresql/*/bin"), key=_version)[-1])
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/bank"

    def _run(self, program: str, *args: str) -> None:
        owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run(
            [*owner, str(self.bin / program), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{program} {' '.join(args)} failed:\n{done.stdout}{done.stderr}")

    def create(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "bank")

    def copy_from(self, url: str) -> None:
        """Load a dump of another database (schema and rows) into the empty `bank`."""
        dump = subprocess.run(
            [str(self.bin / "pg_dump"), "--no-owner", "--no-privileges", "-d", url],
            capture_output=True,
            timeout=120,
            check=True,
        )
        subprocess.run(
            [str(self.bin / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url],
            input=dump.stdout,
            capture_output=True,
            timeout=120,
            check=True,
        )

    def start(self) -> None:
        # fsync and synchronous_commit stay at their defaults (on): acknowledged means durable.
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        log_file = str(self.folder / "postgres.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log_file, "-w", "-o", options, "start")

    def crash(self) -> None:
        """Every server process ends at once, without a checkpoint: the next start recovers
        from the write-ahead log, as after a crash."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "stop")


def _version(path: str) -> tuple[int, ...]:
    return tuple(int(part) for part in Path(path).parent.name.split(".") if part.isdigit())


@contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    # Under /tmp itself: pytest's folders are closed to other users, and `postgres` is one.
    folder = Path(tempfile.mkdtemp(prefix="mutua-bank-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    cluster = PostgresCluster(folder)
    try:
        cluster.create()
        yield cluster
    finally:
        with suppress(RuntimeError):  # it was down already, or never started
            cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


# --- the server -----------------------------------------------------------------------------------


class Server:
    """gunicorn serving Mutua as in production, in a process group of its own so that one
    signal reaches the master and every worker."""

    def __init__(self, env: dict[str, str], folder: Path, workers: int) -> None:
        self.env, self.workers = env, workers
        self.port = free_port()
        self.log_path = folder / "gunicorn.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def host(self) -> tuple[str, int]:
        return "127.0.0.1", self.port

    def start(self) -> None:
        command = [sys.executable, "-m", "gunicorn", "mutua.wsgi"]
        # --preload: the master imports Mutua once and forks its workers, so a restart takes one
        # import, not one per worker (Mutua opens no connection at import, so none is shared).
        command += ["-b", f"127.0.0.1:{self.port}", "-w", str(self.workers), "--preload"]
        with open(self.log_path, "ab") as log_file:
            self.process = subprocess.Popen(
                command,
                env=self.env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_until_serving()

    def _wait_until_serving(self) -> None:
        for _ in range(600):
            if self.process is not None and self.process.poll() is not None:
                break
            try:
                connection = http.client.HTTPConnection(*self.host, timeout=2)
                connection.request("GET", "/api/v1/me")
                connection.getresponse().read()
                connection.close()
                return
            except (OSError, http.client.HTTPException):
                time.sleep(0.05)
        raise RuntimeError(f"gunicorn did not start; see {self.log_path}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        self.process.wait(timeout=30)
        self.process = None


@contextmanager
def served(env: dict[str, str], folder: Path, workers: int) -> Iterator[Server]:
    server = Server(env, folder, workers)
    server.start()
    try:
        yield server
    finally:
        server.kill(signal.SIGTERM)


# --- the clients ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Wallet:
    handle: str
    account: str
    token: str
    funds: int


@dataclass
class Payment:
    """One payment as its client knows it: the id is chosen before the first attempt."""

    id: str
    payer: int  # index into the bank's wallets
    payee: int
    amount: int
    attempts: int = 0
    answer: str | None = None  # "ok", "exists", a refusal's code, or "unexpected ..."; None: none
    waited: float = 0.0  # seconds from the first attempt to the answer

    def body(self, wallets: list[Wallet]) -> dict[str, Any]:
        return {
            "id": self.id,
            "debit_account": wallets[self.payer].account,
            "credit_account": wallets[self.payee].account,
            "amount": self.amount,
            "code": CODE,
        }


class Api:
    """One HTTP request per connection (gunicorn's sync workers close it anyway); a transport
    error or a 5xx raises `Unanswered`."""

    def __init__(self, host: tuple[str, int]) -> None:
        self.host = host

    def call(
        self, method: str, path: str, token: str, body: Any = None, timeout: float = REQUEST_TIMEOUT
    ) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        connection = http.client.HTTPConnection(*self.host, timeout=timeout)
        try:
            payload = None if body is None else json.dumps(body)
            connection.request(method, "/api/v1" + path, body=payload, headers=headers)
            response = connection.getresponse()
            status, data = response.status, response.read()
        except (OSError, http.client.HTTPException) as error:
            raise Unanswered(repr(error)) from error
        finally:
            connection.close()
        if status >= 500:
            raise Unanswered(f"HTTP {status}")
        try:
            return status, json.loads(data)
        except ValueError:  # not JSON: `answer_of` reports it as unexpected
            return status, data.decode(errors="replace")


class Unanswered(Exception):
    """The server did not answer, or answered that it could not (5xx): send the request again."""


def answer_of(status: int, data: Any) -> str:
    if status in (200, 201) and isinstance(data, dict) and data.get("result") in ACKNOWLEDGED:
        return str(data["result"])
    code = data.get("code") if isinstance(data, dict) else None
    if status == 422 and code in REFUSALS:
        return str(code)
    return f"unexpected HTTP {status} {code or data!r}"


@dataclass
class Tally:
    """What the clients did; each client keeps its own, summed at the end."""

    payments: list[Payment] = field(default_factory=list)
    reads: int = 0


class Flight:
    """How many payments are on their way to the server right now, and how many were answered
    so far: the nemesis strikes when payments are flowing, not into a pause."""

    def __init__(self) -> None:
        self._lock, self._count, self.answered = threading.Lock(), 0, 0

    @contextmanager
    def one(self) -> Iterator[None]:
        with self._lock:
            self._count += 1
        try:
            yield
            with self._lock:
                self.answered += 1
        finally:
            with self._lock:
                self._count -= 1

    @property
    def count(self) -> int:
        return self._count

    def wait_busy(self, answered_before: int, most: float) -> None:
        """Until a payment was answered since `answered_before` and one is on its way (the
        clients are back from their backoff), or `most` seconds pass."""
        until = time.monotonic() + most
        while time.monotonic() < until and not (self.answered > answered_before and self._count):
            time.sleep(0.005)


class End:
    """When the clients stop (monotonic seconds). With faults, the nemesis sets it as it makes
    its last strike, so that the strike lands just before it however late it comes."""

    def __init__(self, at: float) -> None:
        self.at = at

    def left(self) -> float:
        return self.at - time.monotonic()


def payment_send(
    api: Api, payment: Payment, wallets: list[Wallet], end: End, flight: Flight
) -> None:
    """Send the payment, and again with the same id and body after every non-answer, until it
    is answered or the end comes; then it stays indeterminate (`answer` None)."""
    backoff, token = BACKOFF_FIRST, wallets[payment.payer].token
    first = time.monotonic()
    while end.left() > 0:
        payment.attempts += 1
        # At the end the client stops waiting: what it sent may still be applied, unheard.
        timeout = min(REQUEST_TIMEOUT, max(0.2, end.left()))
        try:
            with flight.one():
                status, data = api.call(
                    "POST", "/ledger/transfers", token, payment.body(wallets), timeout
                )
        except Unanswered:
            time.sleep(backoff * random.uniform(0.5, 1.5))
            backoff = min(backoff * 2, BACKOFF_MOST)
            continue
        payment.answer, payment.waited = answer_of(status, data), time.monotonic() - first
        return


def available_read(api: Api, wallet: Wallet) -> int | None:
    try:
        status, data = api.call("GET", f"/ledger/accounts/{wallet.account}", wallet.token)
    except Unanswered:
        return None
    return int(data["available"]) if status == 200 else None


def client_run(
    api: Api, wallets: list[Wallet], seed: int, end: End, flight: Flight, tally: Tally
) -> None:
    """Pay from random wallets to others until the end."""
    rng = random.Random(seed)
    while end.left() > 0:
        payer, payee = rng.sample(range(len(wallets)), 2)
        amount = rng.randint(1, SMALL_PAYMENT)
        if rng.random() < NEAR_BALANCE_SHARE:
            tally.reads += 1
            available = available_read(api, wallets[payer])
            if available is not None:
                amount = max(1, available + rng.randint(-available // 10 - 1, available // 10 + 1))
        payment = Payment(str(uuid4()), payer, payee, amount)
        tally.payments.append(payment)
        payment_send(api, payment, wallets, end, flight)


# --- the nemesis ----------------------------------------------------------------------------------


class Strike(NamedTuple):
    at: float  # seconds into the run
    kind: str  # "server" or "database"
    down: float  # seconds it stays down before it is started again (the last: after the end)
    lead: float | None = None  # the last strike: seconds before the end


@dataclass(frozen=True)
class Fault:
    at: float  # seconds into the run when it struck
    kind: str
    down: float
    in_flight: int  # payments on their way when it struck


def fault_plan(rng: random.Random, kinds: list[str], count: int, seconds: float) -> list[Strike]:
    """`count` strikes, their kinds alternating in random order. The last one is planned for
    the run's last second; the run ends `lead` after it, with its part still down, so that the
    clients stop with payments unanswered: the indeterminate ones, resolved afterwards. The
    others fall one in each equal slice of the time before, at a random point of its middle
    half."""
    order = [kinds[n % len(kinds)] for n in range(count)]
    rng.shuffle(order)
    if not order:
        return []
    slice_ = (seconds - 1) / (count - 1) if count > 1 else 0.0
    plan = [
        Strike(slice_ * (n + rng.uniform(0.25, 0.75)), kind, rng.uniform(0, MOST_DOWNTIME))
        for n, kind in enumerate(order[:-1])
    ]
    lead = rng.uniform(0.5, 1.0)
    return [*plan, Strike(seconds - lead, order[-1], rng.uniform(0, MOST_DOWNTIME), lead)]


def nemesis_run(
    plan: list[Strike],
    server: Server,
    database: Database,
    started: float,
    end: End,
    flight: Flight,
    faults: list[Fault],
) -> None:
    """Strike as planned; each struck part is running again before the next strike."""
    answered = flight.answered
    for strike in plan:
        time.sleep(max(0.0, started + strike.at - time.monotonic()))
        flight.wait_busy(answered, BUSY_WITHIN)
        if strike.lead is not None:
            end.at = time.monotonic() + strike.lead
        at, in_flight = time.monotonic() - started, flight.count
        stop, start = (
            (server.kill, server.start)
            if strike.kind == "server"
            else (database.crash, database.start)
        )
        stop()
        time.sleep(strike.down + (max(0.0, end.left()) if strike.lead is not None else 0.0))
        start()
        answered = flight.answered
        faults.append(Fault(round(at, 2), strike.kind, round(strike.down, 2), in_flight))
        log(f"{strike.kind} killed at {at:.1f} s with {in_flight} payment(s) in flight")


# --- the run --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    backend: str  # "sqlite" or "postgresql"
    seconds: float = 30.0
    clients: int = 4
    wallets: int = 8
    faults: int = 4
    funds: int = 10_000  # dollar cents per wallet at the start
    workers: int = 3  # gunicorn workers
    seed: int = 0
    # A migrated PostgreSQL database to copy the schema from, instead of running every migration
    # in the cluster (tens of seconds): the test gives one of the suite's.
    migrated: str | None = None


@contextmanager
def database_for(backend: str, folder: Path) -> Iterator[Database]:
    if backend == "postgresql":
        with postgres_cluster() as cluster:
            yield cluster
    else:
        yield SqliteFile(f"sqlite:///{folder / 'bank.sqlite3'}")


def bank_open(
    env: dict[str, str], database: Database, folder: Path, options: Options
) -> dict[str, Any]:
    log(f"migrating and opening {options.wallets} wallets")
    if isinstance(database, SqliteFile):
        database_migrate(env)  # a copy of a migrated file, once one is made in this process
    elif isinstance(database, PostgresCluster) and options.migrated:
        database.copy_from(options.migrated)
    else:
        run_mutua("migrate", "--noinput", "-v", "0", env=env)
    path = folder / "bank.json"
    django_run("setup", str(path), str(options.wallets), str(options.funds), env=env)
    return dict(json.loads(path.read_text()))


def bank_run(options: Options, folder: Path) -> dict[str, Any]:
    """Open the bank, pay under faults, resolve what was left unanswered, audit; the report."""
    folder.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        database = stack.enter_context(database_for(options.backend, folder))
        env = mutua_env(folder / "home", database.url, MUTUA_ALLOWED_HOSTS="127.0.0.1")
        env["DJANGO_SETTINGS_MODULE"] = "mutua.settings"
        bank = bank_open(env, database, folder, options)
        wallets = [Wallet(**w) for w in bank["wallets"]]
        server = stack.enter_context(served(env, folder, options.workers))
        log(f"{options.clients} clients for {options.seconds:g} s, {options.faults} faults")
        tally, faults, elapsed = load_under_faults(options, wallets, server, database)
        indeterminate = [p for p in tally.payments if p.answer is None]
        log(f"resolving {len(indeterminate)} indeterminate payment(s)")
        resolve(Api(server.host), indeterminate, wallets)
        ledger = json.loads(django_run("audit", str(folder / "bank.json"), env=env))
    return report(options, bank, tally, faults, elapsed, indeterminate, ledger)


def load_under_faults(
    options: Options, wallets: list[Wallet], server: Server, database: Database
) -> tuple[Tally, list[Fault], float]:
    rng = random.Random(options.seed)
    kinds = ["server", "database"] if database.kind == "postgresql" else ["server"]
    plan = fault_plan(rng, kinds, options.faults, options.seconds)
    api, flight, faults = Api(server.host), Flight(), []
    tallies = [Tally() for _ in range(options.clients)]
    started = time.monotonic()
    end = End(math.inf if plan else started + options.seconds)
    threads = [
        threading.Thread(
            target=client_run, args=(api, wallets, rng.getrandbits(64), end, flight, tally)
        )
        for tally in tallies
    ]
    nemesis = threading.Thread(
        target=nemesis_run, args=(plan, server, database, started, end, flight, faults)
    )
    for thread in [*threads, nemesis]:
        thread.start()
    nemesis.join()  # a struck part is back up before the nemesis ends
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    tally = Tally(
        payments=[p for t in tallies for p in t.payments],
        reads=sum(t.reads for t in tallies),
    )
    return tally, faults, elapsed


def resolve(api: Api, payments: list[Payment], wallets: list[Wallet]) -> None:
    """Send each indeterminate payment again, now that nothing is failing, until it is answered:
    `exists` if it was made before, else `ok` or a refusal, as for any payment."""
    flight = Flight()
    for payment in payments:
        payment_send(api, payment, wallets, End(time.monotonic() + RESOLVE_WITHIN), flight)


# --- the checks -----------------------------------------------------------------------------------


def problems_found(
    bank: dict[str, Any], payments: list[Payment], ledger: dict[str, Any]
) -> list[str]:
    """Every way the books disagree with what the clients were told."""
    wallets = [Wallet(**w) for w in bank["wallets"]]
    stored: dict[str, list] = {row[0]: row[1:] for row in ledger["payments"]}
    counts: dict[str, int] = ledger["counts"]
    problems = []
    for p in payments:
        body = [wallets[p.payer].account, wallets[p.payee].account, p.amount]
        if p.answer in ACKNOWLEDGED:
            if counts.get(p.id, 0) != 1:
                problems.append(f"acknowledged {p.id} is stored {counts.get(p.id, 0)} times")
            elif stored[p.id] != body:
                problems.append(f"acknowledged {p.id} is stored as {stored[p.id]}, not {body}")
        elif p.id in stored:
            problems.append(f"{p.id}, answered {p.answer}, is in the ledger")
        if p.answer is None or p.answer.startswith("unexpected"):
            problems.append(f"{p.id} ended {p.answer or 'without an answer'}")
    sent = {p.id for p in payments}
    problems += [f"{i} is in the ledger but no client sent it" for i in stored if i not in sent]
    if ledger["other_transfers"] != bank["setup_transfers"]:
        problems.append(
            f"{ledger['other_transfers']} transfers besides the payments, "
            f"{bank['setup_transfers']} at the opening"
        )
    problems += balance_problems(wallets, payments, ledger["balances"], bank["total"])
    return problems


def balance_problems(
    wallets: list[Wallet], payments: list[Payment], balances: dict[str, int], total: int
) -> list[str]:
    expected = {w.account: w.funds for w in wallets}
    for p in payments:
        if p.answer in ACKNOWLEDGED:
            expected[wallets[p.payer].account] -= p.amount
            expected[wallets[p.payee].account] += p.amount
    problems = [
        f"wallet {w.handle} holds {balances[w.account]}, the acknowledged payments say "
        f"{expected[w.account]}"
        for w in wallets
        if balances[w.account] != expected[w.account]
    ]
    if sum(balances.values()) != total:
        problems.append(f"the wallets hold {sum(balances.values())} in all, not {total}")
    return problems


def report(
    options: Options,
    bank: dict[str, Any],
    tally: Tally,
    faults: list[Fault],
    elapsed: float,
    late: list[Payment],
    ledger: dict[str, Any],
) -> dict[str, Any]:
    """The figures of the run, and `problems`: empty when the books are right. `late` are the
    payments left unanswered at the end, resolved since; the other answers came under faults."""
    unanswered = {p.id for p in late}
    timely = [p for p in tally.payments if p.id not in unanswered]
    answers = Counter(
        "acknowledged" if p.answer in ACKNOWLEDGED else "refused" if p.answer in REFUSALS else "-"
        for p in timely
    )
    problems = problems_found(bank, tally.payments, ledger)
    verified = ledger["verify"]
    problems += [f"{name} verify: {v['output']}" for name, v in verified.items() if not v["clean"]]
    kinds = Counter(f.kind for f in faults)
    return {
        "backend": options.backend,
        "seconds": round(elapsed, 1),
        "clients": options.clients,
        "wallets": options.wallets,
        "server_kills": kinds["server"],
        "database_kills": kinds["database"],
        "payments": len(tally.payments),
        "attempts": sum(p.attempts for p in tally.payments),
        "retries": sum(p.attempts - 1 for p in tally.payments if p.attempts),
        "acknowledged": answers["acknowledged"],
        "acknowledged_per_s": round(answers["acknowledged"] / elapsed, 1),
        "refused": answers["refused"],
        "exists_on_retry": sum(p.answer == "exists" for p in timely),
        **waits(timely),
        "indeterminate": len(late),
        "indeterminate_resolved": dict(Counter(str(p.answer) for p in late)),
        "balance_reads": tally.reads,
        "ledger_payments": len(ledger["payments"]),
        "total": bank["total"],
        "total_after": sum(ledger["balances"].values()),
        "in_flight_at_faults": [f.in_flight for f in faults],
        "ledger_verify": verified["ledger"]["output"],
        "audit_verify": verified["audit"]["output"],
        "problems": problems,
    }


def waits(payments: list[Payment]) -> dict[str, float]:
    """How long clients waited for their answers, retries and restarts included."""
    waited = sorted(p.waited for p in payments if p.answer is not None)
    if not waited:
        return {}
    return {
        "wait_p50_ms": round(waited[len(waited) // 2] * 1000, 1),
        "wait_p99_ms": round(waited[-(-len(waited) * 99 // 100) - 1] * 1000, 1),
        "wait_max_s": round(waited[-1], 2),
    }


# --- the Django side (`bank_books`), in a process of its own --------------------------------------


def django_run(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "mutua.ledger.tests.bank_books", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bank {args[0]} failed:\n{done.stderr}")
    return done.stdout
