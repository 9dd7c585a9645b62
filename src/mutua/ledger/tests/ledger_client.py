"""A ledger client in its own process, for the tests that run several at once (`test_concurrency`)
or kill one in the middle of a stream (`test_crash`).

    python -m mutua.ledger.tests.ledger_client COMMAND BOOKS [ARGS...]

with `DJANGO_SETTINGS_MODULE` and `DATABASE_URL` set (`databases.mutua_env`). BOOKS is the JSON file
that `setup` writes and every other command reads:

- `setup BOOKS`: a community with one ledger, an unlimited issuance account, four member wallets
  funded with 10.00 each and a bakery with a credit line of 20.00 and no money.
- `work BOOKS WORKER SEED STEPS OUTCOMES`: a `Worker`'s random requests, one JSON line per answer.
- `stream BOOKS SEED COUNT`: sends `stream_requests` one at a time and prints each id once its
  transfer is committed: the client's acknowledgement.
- `recover BOOKS SEED COUNT ACKED`: what a restarted client does after a crash (see `recover`).
- `dump BOOKS`: the books as they are, as JSON, for the test to judge.

The other half of this module has no Django in it (`Model`, `Worker`, `stream_requests`, the JSON
forms of requests), so the tests import it to work out what the books must hold.
"""

import json
import random
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from mutua.ledger.domain import Kind, Result, TransferRequest

Books = dict[str, Any]

FUNDS = 1_000  # 10.00 in every member wallet at the start
WALLETS = {  # code: credit limit
    "ana": 0,
    "ben": 0,
    "cleo": 0,
    "dan": 0,
    "bakery": 2_000,
}
# Two clients that reuse one id for different bodies; the first two and the third lock disjoint
# accounts, so on PostgreSQL they reach the unique index at the same time instead of queueing.
CONFLICT_PAIRS = [("issuance", "ana"), ("bakery", "ben"), ("cleo", "dan"), ("issuance", "cleo")]


# --- requests as JSON ---------------------------------------------------------------------------


def request_json(request: TransferRequest) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, UUID) else v for k, v in request._asdict().items()}


def request_from_json(data: dict[str, Any]) -> TransferRequest:
    def uuid(key: str) -> UUID | None:
        return UUID(data[key]) if data[key] else None

    return TransferRequest(
        id=UUID(data["id"]),
        kind=Kind(data["kind"]),
        debit_account_id=uuid("debit_account_id"),
        credit_account_id=uuid("credit_account_id"),
        amount=data["amount"],
        code=data["code"],
        memo=data["memo"],
        target_id=uuid("target_id"),
        timeout_seconds=data["timeout_seconds"],
    )


def seeded_id(rng: random.Random) -> UUID:
    return UUID(int=rng.getrandbits(128), version=4)


def account_id(books: Books, code: str) -> UUID:
    return UUID(books["accounts"][code]["id"])


# --- what the books must hold --------------------------------------------------------------------


@dataclass
class Totals:
    balance: int = 0  # credits - debits, posted
    debits_pending: int = 0
    credits_pending: int = 0


class Model:
    """The books as a client works them out from the requests it was told `ok`, starting from
    the books as `setup` left them (funded)."""

    def __init__(self, books: Books) -> None:
        accounts = books["accounts"].values()
        self.totals = {a["id"]: Totals() for a in accounts}
        self.limits = {a["id"]: None if a["unlimited"] else a["credit_limit"] for a in accounts}
        self.moves: dict[UUID, tuple[str, str, int]] = {}  # transfer id: debit, credit, amount
        self.reversed: dict[UUID, int] = defaultdict(int)
        for request in books["funding"]:
            self.apply(request_from_json(request))

    def available(self, account: str) -> int | None:
        """What the account can still send; None for an unlimited one."""
        limit = self.limits[account]
        if limit is None:
            return None
        totals = self.totals[account]
        return totals.balance - totals.debits_pending + limit

    def apply(self, request: TransferRequest) -> None:
        posted, held, released = 0, 0, 0
        if request.kind in (Kind.POSTED, Kind.PENDING):
            debit, credit = str(request.debit_account_id), str(request.credit_account_id)
            amount = request.amount
            posted, held = (amount, 0) if request.kind == Kind.POSTED else (0, amount)
        elif request.kind in (Kind.POST, Kind.VOID):
            debit, credit, released = self.moves[request.target_id]  # type: ignore[index]
            amount = (request.amount or released) if request.kind == Kind.POST else released
            posted = amount if request.kind == Kind.POST else 0
        else:
            credit, debit, original = self.moves[request.target_id]  # type: ignore[index]
            amount = request.amount or original - self.reversed[request.target_id]  # type: ignore[index]
            self.reversed[request.target_id] += amount  # type: ignore[index]
            posted = amount
        self.moves[request.id] = (debit, credit, amount)
        self.totals[debit].balance -= posted
        self.totals[credit].balance += posted
        self.totals[debit].debits_pending += held - released
        self.totals[credit].credits_pending += held - released

    def replay(self, requests: Iterable[TransferRequest]) -> "Model":
        """Apply `ok` requests whose order across clients is unknown: the sums do not depend on
        it, only a resolution needs its pending transfer applied first."""
        for request in sorted(requests, key=lambda r: r.kind not in (Kind.POSTED, Kind.PENDING)):
            self.apply(request)
        return self

    def table(self) -> dict[str, list[int]]:
        return {account: list(astuple(totals)) for account, totals in self.totals.items()}


# --- a client streaming one transfer at a time (the crash test) -----------------------------------


def stream_requests(books: Books, seed: int, count: int) -> list[TransferRequest]:
    """A client's requests, each valid after those before it, so that sent in order they are all
    `ok`. The same books and seed give the same requests, ids included."""
    rng, model = random.Random(seed), Model(books)
    holds: list[UUID] = []
    reversible: list[UUID] = []
    requests = []
    for _ in range(count):
        request = _stream_next(rng, model, books, holds, reversible)
        model.apply(request)
        if request.kind == Kind.PENDING:
            holds.append(request.id)
        elif request.kind in (Kind.POSTED, Kind.POST):
            reversible.append(request.id)
        requests.append(request)
    return requests


def _stream_next(
    rng: random.Random, model: Model, books: Books, holds: list[UUID], reversible: list[UUID]
) -> TransferRequest:
    new, roll = seeded_id(rng), rng.random()
    if roll < 0.15 and holds:
        hold = holds.pop(rng.randrange(len(holds)))
        if rng.random() < 0.3:
            return TransferRequest(new, Kind.VOID, target_id=hold)
        amount = rng.choice([0, rng.randint(1, model.moves[hold][2])])
        return TransferRequest(new, Kind.POST, target_id=hold, amount=amount)
    if roll < 0.22 and reversible:
        original = reversible.pop(rng.randrange(len(reversible)))
        _debit, credit, amount = model.moves[original]
        available = model.available(credit)
        if available is None or available >= amount:
            return TransferRequest(new, Kind.REVERSE, target_id=original)
    wallets = [account_id(books, code) for code in WALLETS]
    payers = [w for w in wallets if (model.available(str(w)) or 0) > 0]
    if roll < 0.35 or not payers:
        issuance, wallet = account_id(books, "issuance"), rng.choice(wallets)
        return TransferRequest(new, Kind.POSTED, issuance, wallet, rng.randint(1, 500), "issue")
    debit = rng.choice(payers)
    credit = rng.choice([a for a in [*wallets, account_id(books, "issuance")] if a != debit])
    available = model.available(str(debit)) or 0
    amount = available if rng.random() < 0.3 else rng.randint(1, available)
    kind = Kind.PENDING if rng.random() < 0.3 else Kind.POSTED
    return TransferRequest(new, kind, debit, credit, amount, "pay")


# --- a client among several, near the accounts' limits (the concurrency test) ---------------------


def contended_request(books: Books, k: int) -> TransferRequest:
    """The k-th request that every worker sends, same id and body: as if a client retried it
    while its first attempt was still in flight. Always valid, so exactly one worker gets `ok`."""
    rng = random.Random(f"contended-{k}")
    wallet = account_id(books, list(WALLETS)[k % len(WALLETS)])
    amount = rng.randint(1, 100)
    return TransferRequest(
        seeded_id(rng), Kind.POSTED, account_id(books, "issuance"), wallet, amount, "contended"
    )


def conflict_request(books: Books, k: int, worker: int) -> TransferRequest:
    """The k-th id that every worker sends with a body of its own: at most one is applied."""
    debit, credit = CONFLICT_PAIRS[worker % len(CONFLICT_PAIRS)]
    rng = random.Random(f"conflict-{k}")
    return TransferRequest(
        seeded_id(rng),
        Kind.POSTED,
        account_id(books, debit),
        account_id(books, credit),
        1,
        "conflict",
    )


class Worker:
    """Chooses requests: payments and holds of about what the payer has (read a moment before, so
    often stale), posts and voids of its own holds, a second resolution of a resolved hold,
    issuance, retries of its own earlier requests, and every fourth step a contended or a
    conflicting request (see above). `available` reads an account's current `available`."""

    def __init__(
        self, books: Books, worker: int, seed: int, available: Callable[[UUID], int]
    ) -> None:
        self.books, self.worker, self.available = books, worker, available
        self.rng = random.Random(seed)
        self.wallets = [account_id(books, code) for code in WALLETS]
        self.sent: list[TransferRequest] = []
        self.holds: list[UUID] = []  # own pending transfers, not yet resolved
        self.resolved: list[UUID] = []

    def next_request(self, step: int) -> tuple[str, TransferRequest]:
        """The attempt (first, retry, contended or conflict) and the request."""
        if step % 8 == 0:
            return "contended", contended_request(self.books, step // 8)
        if step % 8 == 4:
            return "conflict", conflict_request(self.books, step // 8, self.worker)
        roll, new = self.rng.random(), seeded_id(self.rng)
        if roll < 0.10 and self.sent:
            return "retry", self.rng.choice(self.sent)
        if roll < 0.25 and self.holds:
            hold = self.holds.pop(self.rng.randrange(len(self.holds)))
            self.resolved.append(hold)
            kind = self.rng.choice([Kind.POST, Kind.POST, Kind.VOID])
            amount = self.rng.choice([0, 1]) if kind == Kind.POST else 0
            return "first", TransferRequest(new, kind, target_id=hold, amount=amount)
        if roll < 0.28 and self.resolved:
            again = self.rng.choice(self.resolved)
            return "first", TransferRequest(new, Kind.VOID, target_id=again)
        if roll < 0.35:
            issuance, wallet = account_id(self.books, "issuance"), self.rng.choice(self.wallets)
            return "first", TransferRequest(new, Kind.POSTED, issuance, wallet, 100, "issue")
        bakery = account_id(self.books, "bakery")  # pays twice as often: it has a credit line
        debit = self.rng.choice([*self.wallets, bakery])
        credit = self.rng.choice([w for w in self.wallets if w != debit])
        kind = Kind.PENDING if roll < 0.50 else Kind.POSTED
        return "first", TransferRequest(new, kind, debit, credit, self._near(debit), "pay")

    def _near(self, debit: UUID) -> int:
        available = self.available(debit)
        if available <= 0:
            return self.rng.randint(1, 100)
        return max(1, round(available * self.rng.uniform(0.5, 1.2)))

    def answered(self, attempt: str, request: TransferRequest, result: Result) -> None:
        if attempt == "first":
            self.sent.append(request)
        if result == Result.OK and request.kind == Kind.PENDING:
            self.holds.append(request.id)


# --- running the commands from a test ------------------------------------------------------------


def client_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "mutua.ledger.tests.ledger_client", *args]


def client_run(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        client_command(*args), env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"ledger_client {args[0]} failed:\n{done.stderr}"
    return done.stdout


def books_set_up(folder: Path, env: dict[str, str]) -> tuple[Path, Books]:
    path = folder / "books.json"
    client_run("setup", str(path), env=env)
    return path, json.loads(path.read_text())


# --- the commands (Django from here on) ----------------------------------------------------------


def setup(path: Path) -> None:
    from mutua.community.services import community_create
    from mutua.core.ids import new_id
    from mutua.core.tenancy import community_scope
    from mutua.ledger import services
    from mutua.ledger.models import AccountKind

    community = community_create(
        name="Riverbend", slug="riverbend", currency_name="River dollar", currency_code="RD"
    )
    with community_scope(community.id):
        ledger = services.ledger_create(community=community, code="RD", name="River dollar")
        issuance = services.account_open(
            ledger=ledger,
            code="issuance",
            name="Issuance",
            kind=AccountKind.ISSUANCE,
            unlimited=True,
        )
        accounts = [issuance] + [
            services.account_open(
                ledger=ledger,
                code=code,
                name=code.title(),
                kind=AccountKind.MERCHANT if limit else AccountKind.MEMBER,
                credit_limit=limit,
            )
            for code, limit in WALLETS.items()
        ]
        funding = [
            TransferRequest(new_id(), Kind.POSTED, issuance.id, a.id, FUNDS, "funding")
            for a in accounts
            if a.kind == AccountKind.MEMBER
        ]
        for request in funding:  # one at a time: the tests are about concurrency, not batches
            outcome = services.transfer_create(community=community, request=request)
            assert outcome.result == Result.OK, outcome
    books = {
        "community": str(community.id),
        "accounts": {
            a.code: {"id": str(a.id), "credit_limit": a.credit_limit, "unlimited": a.unlimited}
            for a in accounts
        },
        "funding": [request_json(r) for r in funding],
    }
    path.write_text(json.dumps(books, indent=1))


def work(books: Books, worker: int, seed: int, steps: int, outcomes: Path) -> None:
    from mutua.community.models import Community
    from mutua.core.tenancy import community_scope
    from mutua.ledger.models import Account
    from mutua.ledger.services import transfer_create

    community = Community.objects.get(id=books["community"])
    with community_scope(community.id), outcomes.open("w") as out:
        client = Worker(books, worker, seed, lambda a: Account.objects.get(id=a).available)
        for step in range(steps):
            attempt, request = client.next_request(step)
            result = transfer_create(community=community, request=request).result
            client.answered(attempt, request, result)
            line = {"attempt": attempt, "result": str(result), "request": request_json(request)}
            out.write(json.dumps(line) + "\n")


def stream(books: Books, seed: int, count: int) -> None:
    from mutua.community.models import Community
    from mutua.core.tenancy import community_scope
    from mutua.ledger.services import transfer_create

    community = Community.objects.get(id=books["community"])
    with community_scope(community.id):
        for request in stream_requests(books, seed, count):
            result = transfer_create(community=community, request=request).result
            if result != Result.OK:
                sys.exit(f"{request.id} was answered {result}, not ok")
            print(request.id, flush=True)


def recover(books: Books, seed: int, count: int, acked: int) -> dict[str, Any]:
    """After a crash: verify, find which requests are in the books, send the acknowledged ones
    again (they must change nothing), then send the rest of the stream."""
    from mutua.community.models import Community
    from mutua.core.tenancy import community_scope
    from mutua.ledger.models import Transfer
    from mutua.ledger.selectors import ledger_verify
    from mutua.ledger.services import transfer_create

    community = Community.objects.get(id=books["community"])
    requests = stream_requests(books, seed, count)

    def send(batch: list[TransferRequest]) -> list[str]:
        return [str(transfer_create(community=community, request=r).result) for r in batch]

    with community_scope(community.id):
        stored = set(Transfer.objects.values_list("id", flat=True))
        report = {
            "verify_before": [list(p) for p in ledger_verify()],
            "transfers_before": len(stored),
            "present": [i for i, r in enumerate(requests) if r.id in stored],
        }
        before = _totals()
        report["acked"] = send(requests[:acked])
        report["acked_changed_nothing"] = _totals() == before
        report["rest"] = send(requests[acked:])
        report["verify_after"] = [list(p) for p in ledger_verify()]
        report["totals"] = _totals()
    return report


def _totals() -> dict[str, list[int]]:
    from mutua.ledger.models import Account

    return {
        str(a.id): [a.balance_posted, a.debits_pending, a.credits_pending]
        for a in Account.objects.all()
    }


def dump(books: Books) -> dict[str, Any]:
    from mutua.core.tenancy import community_scope
    from mutua.ledger.models import Account, Transfer
    from mutua.ledger.selectors import ledger_verify

    with community_scope(UUID(books["community"])):
        return {
            "verify": [list(p) for p in ledger_verify()],
            "totals": _totals(),
            "available": {str(a.id): a.available for a in Account.objects.all()},
            "transfers": [
                [str(i), body_hash]
                for i, body_hash in Transfer.objects.values_list("id", "body_hash")
            ],
        }


def main(command: str, books_path: str, *args: str) -> None:
    import django

    django.setup()
    if command == "setup":
        setup(Path(books_path))
        return
    books = json.loads(Path(books_path).read_text())
    if command == "work":
        work(books, int(args[0]), int(args[1]), int(args[2]), Path(args[3]))
    elif command == "stream":
        stream(books, int(args[0]), int(args[1]))
    elif command == "recover":
        print(json.dumps(recover(books, int(args[0]), int(args[1]), int(args[2]))))
    elif command == "dump":
        print(json.dumps(dump(books)))
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main(*sys.argv[1:])
