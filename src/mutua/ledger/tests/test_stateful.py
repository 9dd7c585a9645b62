"""The ledger as a state machine (issue 3): random sequences of opens, transfers, holds, posts,
voids, expiries, reversals, linked and unlinked batches, retries with reused ids and closures,
checked after every step against a model of the books kept in plain Python.

TigerBeetle's simulator is the pattern: hypothesis drives the real services on the real database
(SQLite or PostgreSQL), `Model` predicts every result code and every account total on its own, and
the invariants compare the two after each step: the four totals of each account, debits equal to
credits per ledger, no account past its credit line, the number of transfers, and every few steps
(and at the end) `ledger_verify()` finding nothing.

Each hypothesis example runs in a savepoint that is rolled back at its end, with its own community,
so examples never see each other's rows. Time is the model's clock, passed as `now` to every call,
so a hold's timeout and its expiry are deterministic.

The model states the intended behaviour, not the code's. The small tests at the end of this module
pin the four bugs the machine found in the services when it was written (all fixed since).
"""

import copy
import itertools
from collections import defaultdict
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, NamedTuple
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from mutua.community.tests.factories import CommunityFactory
from mutua.core.ids import new_id
from mutua.core.tenancy import community_scope
from mutua.ledger import services
from mutua.ledger.domain import Kind, Result, TransferOutcome, TransferRequest
from mutua.ledger.models import MAX_AMOUNT, Account, AccountKind, Ledger, Transfer
from mutua.ledger.selectors import ledger_verify
from mutua.ledger.tests.conftest import Books, open_books

START = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
LOCAL = ZoneInfo("America/New_York")  # `now` goes to the services in local time, the same instant
MAX_TIMEOUT = services.MAX_TIMEOUT
UNKNOWN = UUID("00000000-0000-4000-8000-000000000000")  # an id nothing in the books has
VERIFY_EVERY = 5  # steps; ledger_verify reads every transfer, the other invariants only accounts
SUCCESS = (Result.OK, Result.EXISTS)
_slugs = itertools.count()


# --- the model ----------------------------------------------------------------------------------


@dataclass
class ModelAccount:
    ledger: str
    credit_limit: int = 0
    unlimited: bool = False
    closed: bool = False
    debits_pending: int = 0
    debits_posted: int = 0
    credits_pending: int = 0
    credits_posted: int = 0

    def totals(self) -> tuple[int, int, int, int]:
        return (self.debits_pending, self.debits_posted, self.credits_pending, self.credits_posted)

    def available(self) -> int:
        return self.credits_posted - self.debits_posted - self.debits_pending + self.credit_limit

    def can_send(self, amount: int) -> bool:
        return self.unlimited or self.available() >= amount


@dataclass
class ModelTransfer:
    request: TransferRequest  # the body that created it: a retry is compared with it
    kind: str  # as stored: posted, pending, post or void (a reversal is stored as posted)
    debit: UUID
    credit: UUID
    amount: int
    created_at: datetime
    timeout_at: datetime | None = None
    resolved: bool = False  # a pending transfer that was posted or voided
    reversed: int = 0  # a posted transfer: how much of it reversals have taken back


@dataclass
class Model:
    """The books as the specification reads: what each request should answer, and what it moves."""

    accounts: dict[UUID, ModelAccount] = field(default_factory=dict)
    transfers: dict[UUID, ModelTransfer] = field(default_factory=dict)

    def apply(
        self, requests: list[TransferRequest], *, linked: bool, now: datetime
    ) -> list[Result]:
        """Results of one batch; the books move unless a linked batch fails."""
        trial = copy.deepcopy(self)
        before = set(self.transfers)  # a batch acts only on transfers that existed before it
        results = [trial._evaluate(r, before, now) for r in requests]
        if linked and any(result not in SUCCESS for result in results):
            # nothing is written, so a copy of a request made earlier in the batch exists no more
            return [
                Result.LINKED_EVENT_FAILED
                if res == Result.OK or (res == Result.EXISTS and r.id not in before)
                else res
                for r, res in zip(requests, results, strict=True)
            ]
        self.accounts, self.transfers = trial.accounts, trial.transfers
        return results

    def predict(
        self, requests: list[TransferRequest], *, linked: bool, now: datetime
    ) -> list[Result]:
        return copy.deepcopy(self).apply(requests, linked=linked, now=now)

    def holds(self) -> list[UUID]:
        return [tid for tid, t in self.transfers.items() if t.kind == Kind.PENDING]

    def due(self, now: datetime) -> list[UUID]:
        return [
            tid
            for tid, t in self.transfers.items()
            if t.kind == Kind.PENDING and not t.resolved and t.timeout_at and t.timeout_at <= now
        ]

    def _evaluate(self, r: TransferRequest, before: set[UUID], now: datetime) -> Result:
        if r.id in self.transfers:
            return Result.EXISTS if self.transfers[r.id].request == r else Result.ID_CONFLICT
        if r.kind in (Kind.POSTED, Kind.PENDING):
            return self._new(r, now)
        if r.timeout_seconds is not None:  # only a hold has a time limit
            return Result.TIMEOUT_INVALID
        target = self.transfers.get(r.target_id) if r.target_id in before else None
        if r.kind in (Kind.POST, Kind.VOID):
            return self._resolve(r, target, now)
        return self._reverse(r, target, now)

    def _new(self, r: TransferRequest, now: datetime) -> Result:
        if not 0 < r.amount <= MAX_AMOUNT:
            return Result.AMOUNT_MUST_BE_POSITIVE
        if r.debit_account_id == r.credit_account_id:
            return Result.ACCOUNTS_MUST_BE_DIFFERENT
        debit = self.accounts.get(r.debit_account_id)  # type: ignore[arg-type]
        credit = self.accounts.get(r.credit_account_id)  # type: ignore[arg-type]
        if debit is None or credit is None:
            return Result.ACCOUNT_NOT_FOUND
        if debit.ledger != credit.ledger:
            return Result.LEDGER_MISMATCH
        if debit.closed or credit.closed:
            return Result.ACCOUNT_CLOSED
        timeout = r.timeout_seconds
        if timeout is not None and (r.kind != Kind.PENDING or not 0 < timeout <= MAX_TIMEOUT):
            return Result.TIMEOUT_INVALID
        if not debit.can_send(r.amount):
            return Result.EXCEEDS_CREDIT_LIMIT
        timeout_at = now + timedelta(seconds=timeout) if timeout else None
        self._record(r, str(r.kind), r.amount, now, timeout_at=timeout_at)
        return Result.OK

    def _resolve(self, r: TransferRequest, hold: ModelTransfer | None, now: datetime) -> Result:
        if hold is None or hold.kind != Kind.PENDING:
            return Result.PENDING_NOT_FOUND
        if hold.resolved:
            return Result.PENDING_ALREADY_RESOLVED
        if r.kind == Kind.POST and hold.timeout_at is not None and hold.timeout_at <= now:
            return Result.PENDING_EXPIRED  # a void still releases an expired hold
        amount = hold.amount if r.kind == Kind.VOID else (r.amount or hold.amount)
        if amount <= 0:
            return Result.AMOUNT_MUST_BE_POSITIVE
        if amount > hold.amount:
            return Result.EXCEEDS_PENDING_AMOUNT
        hold.resolved = True
        self.accounts[hold.debit].debits_pending -= hold.amount
        self.accounts[hold.credit].credits_pending -= hold.amount
        self._record(r, str(r.kind), amount, now, accounts=(hold.debit, hold.credit))
        return Result.OK

    def _reverse(self, r: TransferRequest, original: ModelTransfer | None, now: datetime) -> Result:
        if original is None or original.kind not in (Kind.POSTED, Kind.POST):
            return Result.ORIGINAL_NOT_FOUND
        remaining = original.amount - original.reversed
        amount = r.amount or remaining
        if not 0 < amount <= remaining:
            return Result.EXCEEDS_ORIGINAL_AMOUNT  # a negative amount too, as the service answers
        payer, payee = self.accounts[original.credit], self.accounts[original.debit]
        if payer.closed or payee.closed:
            return Result.ACCOUNT_CLOSED
        if not payer.can_send(amount):
            return Result.EXCEEDS_CREDIT_LIMIT
        original.reversed += amount
        self._record(r, Kind.POSTED, amount, now, accounts=(original.credit, original.debit))
        return Result.OK

    def _record(
        self,
        r: TransferRequest,
        kind: str,
        amount: int,
        now: datetime,
        *,
        accounts: tuple[UUID, UUID] | None = None,
        timeout_at: datetime | None = None,
    ) -> None:
        debit_id, credit_id = accounts or (r.debit_account_id, r.credit_account_id)
        debit, credit = self.accounts[debit_id], self.accounts[credit_id]  # type: ignore[index]
        if kind == Kind.PENDING:
            debit.debits_pending += amount
            credit.credits_pending += amount
        elif kind in (Kind.POSTED, Kind.POST):
            debit.debits_posted += amount
            credit.credits_posted += amount
        self.transfers[r.id] = ModelTransfer(r, kind, debit_id, credit_id, amount, now, timeout_at)


# --- what the machine sends ---------------------------------------------------------------------

ours = Bundle("ours")  # this community's local-dollar accounts: the issuance account and wallets
wallets = Bundle("wallets")  # the wallets: the machine may close them
strangers = Bundle("strangers")  # another ledger's account, another community's, an unknown id


class Portion(StrEnum):
    """An amount relative to the books, which the rule works out when it sends the request: of
    the hold to post, of what is left of the payment to reverse, or (for a new transfer) of what
    its debit account can still send, so that the edges of every limit are tried."""

    ALL = "all"  # amount 0: for a post or a reversal, all of it
    EXACT = "exact"  # the whole amount, spelled out
    PART = "part"
    ONE_MORE = "one more"
    NEGATIVE = "negative"


class Pick(NamedTuple):
    """Which earlier transfer a post, void, reversal or retry names: the `n`-th (wrapping around)
    of the `pool`: `live` ones it can still act on (holds not resolved, payments not wholly
    reversed), `created` ones (resolved or reversed too), or `any` id sent so far, failed or not,
    or another community's, or one nothing has."""

    pool: str
    n: int


class Spec(NamedTuple):
    """A request before the rule gives it a fresh id and turns a `Pick` and a `Portion` into a
    transfer id and an amount."""

    kind: Kind
    debit: UUID | None = None
    credit: UUID | None = None
    amount: int | Portion = 0
    target: Pick | None = None
    timeout: int | None = None


def mostly(common: st.SearchStrategy[Any], rare: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`rare` about one draw in eight; shrinks towards `common`."""
    return st.sampled_from([common] * 7 + [rare]).flatmap(lambda strategy: strategy)


two_accounts = mostly(
    st.lists(ours, min_size=2, max_size=2, unique=True),
    st.tuples(ours | strangers, ours | strangers),  # the same account twice, or a stranger
)
edge_amounts = st.sampled_from([0, -1, MAX_AMOUNT, MAX_AMOUNT + 1])  # all refused but MAX_AMOUNT
amounts = mostly(st.integers(1, 2_000), edge_amounts)
hold_amounts = mostly(st.integers(1, 800), edge_amounts)
portions = st.sampled_from(Portion)
picks = st.builds(
    Pick, st.sampled_from(["live", "live", "live", "created", "any"]), st.integers(0, 40)
)
hold_timeouts = mostly(
    st.sampled_from([1, 60, None, 3_600, MAX_TIMEOUT]), st.sampled_from([-1, 0, MAX_TIMEOUT + 1])
)
posted_timeouts = mostly(st.none(), st.just(60))  # a posted transfer with a timeout is refused
act_timeouts = posted_timeouts  # a post, void or reversal with a timeout is refused too
ticks = st.sampled_from([1, 60, 61, 3_600, 86_400, MAX_TIMEOUT + 1])
JUST_BEFORE = "a microsecond before"
moments = st.none() | st.sampled_from(["at it", JUST_BEFORE])


def _new(
    kind: Kind, accounts: tuple[UUID, UUID], amount: int | Portion, timeout: int | None
) -> Spec:
    return Spec(kind, *accounts, amount=amount, timeout=timeout)


def _act(kind: Kind, target: Pick, amount: int | Portion, timeout: int | None) -> Spec:
    return Spec(kind, amount=amount, target=target, timeout=timeout)


specs = st.one_of(
    st.builds(_new, st.just(Kind.POSTED), two_accounts, amounts, posted_timeouts),
    st.builds(_new, st.just(Kind.PENDING), two_accounts, hold_amounts, hold_timeouts),
    st.builds(_act, st.just(Kind.POST), picks, portions, act_timeouts),
    st.builds(_act, st.just(Kind.VOID), picks, st.just(0), act_timeouts),
    st.builds(_act, st.just(Kind.REVERSE), picks, portions, act_timeouts),
)
batches = st.lists(specs, min_size=2, max_size=4)
repeats = st.none() | st.sampled_from(["same body", "other body"])


class LedgerMachine(RuleBasedStateMachine):
    """One community's books driven through the services, step by step, beside a `Model`."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = START
        self.model = Model()
        self.bodies: dict[UUID, TransferRequest] = {}  # per id: what created it, or was sent last
        self.steps = 0
        self.unchecked = False  # the database was called and the invariants have not run since
        self.stack = ExitStack()
        try:
            self.stack.enter_context(transaction.atomic())  # rolled back in teardown
            self._open_books()
        except BaseException:
            self.stack.close()
            raise

    def _open_books(self) -> None:
        """Two members with money and a merchant with a credit line; an issuance account;
        an account on another ledger; and another community's books."""
        n = next(_slugs)
        self.alien = _alien_books(n, self.clock)
        self.community = CommunityFactory(slug=f"stateful-{n}")
        self.stack.enter_context(community_scope(self.community.id))
        self.ld = services.ledger_create(community=self.community, code="LD", name="Local dollar")
        xb = services.ledger_create(community=self.community, code="XB", name="Exchange book")
        self.issuance = self._open(self.ld, "issuance", AccountKind.ISSUANCE, unlimited=True)
        self.foreign = self._open(xb, "xb-reserve", AccountKind.RESERVE, unlimited=True)
        self.first_wallets = [
            self._open(self.ld, "ana", AccountKind.MEMBER),
            self._open(self.ld, "ben", AccountKind.MEMBER),
            self._open(self.ld, "bakery", AccountKind.MERCHANT, credit_limit=2_000),
        ]
        ana, ben, _bakery = self.first_wallets
        self._send([Spec(Kind.POSTED, self.issuance, ana, 3_000)])
        self._send([Spec(Kind.POSTED, self.issuance, ben, 1_500)])

    def _open(self, ledger: Ledger, code: str, kind: AccountKind, **kw: Any) -> UUID:
        account = services.account_open(ledger=ledger, code=code, name=code, kind=kind, **kw)
        self.model.accounts[account.id] = ModelAccount(
            ledger.code, kw.get("credit_limit", 0), kw.get("unlimited", False)
        )
        return account.id

    def teardown(self) -> None:
        try:
            if not self.unchecked:  # else a step failed: its error is the one to report
                assert ledger_verify() == []
        finally:
            transaction.set_rollback(True)
            self.stack.close()

    # --- what the account bundles start with ---

    @initialize(targets=(ours, wallets))
    def first_wallets_(self) -> Any:
        return multiple(*self.first_wallets)

    @initialize(target=ours)
    def issuance_(self) -> UUID:
        return self.issuance

    @initialize(target=strangers)
    def strangers_(self) -> Any:
        return multiple(self.foreign, self.alien.wallet, UNKNOWN)

    # --- rules ---

    @rule(targets=(ours, wallets), merchant=st.booleans(), credit_limit=st.integers(0, 5_000))
    def open_account(self, merchant: bool, credit_limit: int) -> UUID:
        code = f"wallet-{len(self.model.accounts)}"
        if merchant:
            return self._open(self.ld, code, AccountKind.MERCHANT, credit_limit=credit_limit)
        return self._open(self.ld, code, AccountKind.MEMBER)

    @rule(credit=wallets, amount=st.integers(1, 5_000))
    def issue(self, credit: UUID, amount: int) -> None:
        """Money into a wallet, so that wallets have something to spend."""
        self._send([Spec(Kind.POSTED, self.issuance, credit, amount)])

    @rule(pair=two_accounts, amount=amounts, timeout=posted_timeouts)
    def transfer(self, pair: tuple[UUID, UUID], amount: int, timeout: int | None) -> None:
        self._send([_new(Kind.POSTED, pair, amount, timeout)])

    @rule(pair=two_accounts, amount=hold_amounts, timeout=hold_timeouts)
    def hold(self, pair: tuple[UUID, UUID], amount: int, timeout: int | None) -> None:
        self._send([_new(Kind.PENDING, pair, amount, timeout)])

    @precondition(lambda self: self.model.holds())
    @rule(pending=picks, portion=portions)
    def post(self, pending: Pick, portion: Portion) -> None:
        self._send([_act(Kind.POST, pending, portion, None)])

    @precondition(lambda self: self.model.holds())
    @rule(pending=picks)
    def void(self, pending: Pick) -> None:
        self._send([_act(Kind.VOID, pending, 0, None)])

    @rule(original=picks, portion=portions)
    def reverse(self, original: Pick, portion: Portion) -> None:
        self._send([_act(Kind.REVERSE, original, portion, None)])

    @rule(
        pair=two_accounts, one_more=st.booleans(), kind=st.sampled_from([Kind.POSTED, Kind.PENDING])
    )
    def spend_everything(self, pair: tuple[UUID, UUID], one_more: bool, kind: Kind) -> None:
        """Exactly what the debit account can still send, or one more: the edge of its limit."""
        self._send([_new(kind, pair, Portion.ONE_MORE if one_more else Portion.EXACT, None)])

    @rule(seconds=ticks, to_a_timeout=moments)
    def tick(self, seconds: int, to_a_timeout: str | None) -> None:
        self._advance(seconds, to_a_timeout)

    @rule(seconds=ticks, to_a_timeout=moments)
    def expire(self, seconds: int, to_a_timeout: str | None) -> None:
        """Time passes and the expiry job runs."""
        self._advance(seconds, to_a_timeout)
        self._expire()

    def _expire(self) -> None:
        """Run the expiry job twice: the second run finds nothing."""
        voids = [_expiry_void(pending_id) for pending_id in self.model.due(self.clock)]
        assert self.model.apply(voids, linked=False, now=self.clock) == [Result.OK] * len(voids)
        self.unchecked = True
        now = self.local_now()
        assert services.pending_expire(community=self.community, now=now) == len(voids)
        assert services.pending_expire(community=self.community, now=now) == 0
        for void in voids:
            event(f"expiry {void.kind}: {Result.OK}")
            self.bodies[void.id] = void

    @rule(specs=batches, spoiler=st.none() | st.integers(0, 4), repeat=repeats)
    def linked_batch(self, specs: list[Spec], spoiler: int | None, repeat: str | None) -> None:
        """All or nothing: requests the books accept, and maybe (at position `spoiler`) one they
        refuse, which fails them all."""
        requests = [self._request(spec) for spec in specs]
        valid: list[TransferRequest] = []
        for r in requests:
            if self.model.predict([*valid, r], linked=True, now=self.clock)[-1] == Result.OK:
                valid.append(r)
        wallet = next(w for w in self.first_wallets if not self.model.accounts[w].closed)
        while len(valid) < 2:
            valid.append(self._request(Spec(Kind.POSTED, self.issuance, wallet, 1)))
        if spoiler is not None:
            refused = [r for r in requests if r not in valid]
            refused.append(self._request(Spec(Kind.POSTED, wallet, self.issuance, 0)))
            valid.insert(spoiler % (len(valid) + 1), refused[0])
        self._batch(valid, repeat, linked=True)

    @rule(specs=batches, repeat=repeats)
    def unlinked_batch(self, specs: list[Spec], repeat: str | None) -> None:
        """Each request on its own: what passes is written, in order."""
        self._batch([self._request(spec) for spec in specs], repeat, linked=False)

    @rule(sent=picks, change=st.sampled_from(["nothing", "memo", "amount", "kind"]))
    def retry(self, sent: Pick, change: str) -> None:
        """An id used before, again: with the same body `exists` (or if it failed, it is simply
        tried again), with another body `id_conflict`."""
        request = self.bodies[self._pick(sent, None)]
        if change == "memo":
            request = request._replace(memo=request.memo + "+")
        elif change == "amount":
            request = request._replace(amount=request.amount + 1)
        elif change == "kind":
            request = request._replace(kind=Kind.POST if request.kind == Kind.VOID else Kind.VOID)
        self._send([request])

    @precondition(lambda self: not any(a.closed for a in self.model.accounts.values()))
    @rule(wallet=wallets)
    def close(self, wallet: UUID) -> None:
        self.model.accounts[wallet].closed = True
        self.unchecked = True
        closed = services.account_close(account=Account.objects.get(id=wallet))
        assert closed.closed_at is not None

    def _advance(self, seconds: int, to_a_timeout: str | None) -> None:
        """On by `seconds`, or to the moment the next open hold times out (or a microsecond
        before it), where posting it starts to fail and expiry starts to void it."""
        at = self._next_timeout() if to_a_timeout else None
        if at is None:
            self.clock += timedelta(seconds=seconds)
        else:
            self.clock = at - timedelta(microseconds=to_a_timeout == JUST_BEFORE)

    def local_now(self) -> datetime:
        return self.clock.astimezone(LOCAL)

    def _next_timeout(self) -> datetime | None:
        """When the next hold still open times out, if one will."""
        holds = [self.model.transfers[t] for t in self.model.holds()]
        later = [h.timeout_at for h in holds if h.timeout_at and not h.resolved]
        return min((at for at in later if at > self.clock), default=None)

    # --- turning specs into requests ---

    def _request(self, spec: Spec) -> TransferRequest:
        target = self._pick(spec.target, spec.kind) if spec.target is not None else None
        amount = spec.amount
        if isinstance(amount, Portion):
            amount = self._portion(spec, target, amount)
        return TransferRequest(
            id=new_id(),
            kind=spec.kind,
            debit_account_id=spec.debit,
            credit_account_id=spec.credit,
            amount=amount,
            code="stateful",
            target_id=target,
            timeout_seconds=spec.timeout,
        )

    def _pick(self, pick: Pick, kind: Kind | None) -> UUID:
        transfers = self.model.transfers
        if kind in (Kind.POST, Kind.VOID):
            created = self.model.holds()
            live = [t for t in created if not transfers[t].resolved]
            anything = [*self.bodies, self.alien.hold, UNKNOWN]
        elif kind == Kind.REVERSE:
            created = [t for t in transfers if transfers[t].kind in (Kind.POSTED, Kind.POST)]
            live = [t for t in created if transfers[t].reversed < transfers[t].amount]
            anything = [*self.bodies, self.alien.payment, UNKNOWN]
        else:  # a retry: of a transfer written, or of any request sent
            created = live = list(transfers)
            anything = list(self.bodies)
        pools = {"live": [live, created, anything], "created": [created, anything]}
        pool = next(p for p in [*pools.get(pick.pool, []), anything] if p)
        return pool[pick.n % len(pool)]

    def _portion(self, spec: Spec, target: UUID | None, portion: Portion) -> int:
        transfer = self.model.transfers.get(target)  # type: ignore[arg-type]
        whole = 100 if transfer is None else transfer.amount - transfer.reversed
        debit = self.model.accounts.get(spec.debit)  # type: ignore[arg-type]
        if spec.kind in (Kind.POSTED, Kind.PENDING):
            whole = 1_000 if debit is None or debit.unlimited else debit.available()
        return {
            Portion.ALL: 0,
            Portion.EXACT: whole,
            Portion.PART: max(whole // 2, 1),
            Portion.ONE_MORE: whole + 1,
            Portion.NEGATIVE: -1,
        }[portion]

    # --- sending and checking ---

    def _batch(self, requests: list[TransferRequest], repeat: str | None, *, linked: bool) -> None:
        if repeat is not None:  # the client sends its first request again in the same batch
            first = requests[0]
            again = first if repeat == "same body" else first._replace(memo="another body")
            requests = [*requests, again]
        results = self._send(requests, linked=linked)
        if linked and not all(result in SUCCESS for result in results):
            assert Result.OK not in results

    def _send(
        self, batch: list[Spec] | list[TransferRequest], *, linked: bool = False
    ) -> list[Result]:
        """Send a batch and check each outcome against the model's prediction."""
        requests = [r if isinstance(r, TransferRequest) else self._request(r) for r in batch]
        before = set(self.model.transfers)
        expected = self.model.apply(requests, linked=linked, now=self.clock)
        self.unchecked = True
        outcomes = services.transfers_create(
            community=self.community, requests=requests, linked=linked, now=self.local_now()
        )
        assert [o.id for o in outcomes] == [r.id for r in requests]
        assert [o.result for o in outcomes] == expected
        for r, outcome in zip(requests, outcomes, strict=True):
            event(f"{'linked ' if linked else ''}{r.kind}: {outcome.result}")
            self._check_created_at(outcome, before)
            created = self.model.transfers.get(r.id)
            self.bodies[r.id] = created.request if created else r
        return expected

    def _check_created_at(self, outcome: TransferOutcome, before: set[UUID]) -> None:
        if outcome.result == Result.OK:
            assert outcome.created_at == self.clock
        elif outcome.result == Result.EXISTS and outcome.id in before:
            # (test_a_copy_in_its_own_batch_tells_when_it_was_created covers copies in a batch)
            assert outcome.created_at == self.model.transfers[outcome.id].created_at

    # --- invariants ---

    @invariant()
    def books_are_sound(self) -> None:
        rows = {a.id: a for a in Account.objects.filter(community=self.community)}
        assert set(rows) == set(self.model.accounts)
        sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for account_id, expected in self.model.accounts.items():
            row = rows[account_id]
            totals = (row.debits_pending, row.debits_posted, row.credits_pending)
            totals += (row.credits_posted,)
            assert totals == expected.totals(), row.code
            assert row.unlimited or row.available >= 0, row.code
            sums[expected.ledger] = [
                a + b for a, b in zip(sums[expected.ledger], totals, strict=True)
            ]
        for ledger, (held_out, paid_out, held_in, paid_in) in sums.items():
            assert (held_out, paid_out) == (held_in, paid_in), ledger  # debits equal credits
        stored = Transfer.objects.filter(community=self.community).count()
        assert stored == len(self.model.transfers)
        self.steps += 1
        if self.steps % VERIFY_EVERY == 0:
            assert ledger_verify() == []
        self.unchecked = False


def _expiry_void(pending_id: UUID) -> TransferRequest:
    """The void `pending_expire` sends: its id derives from the hold's, so a rerun is `exists`."""
    return TransferRequest(
        id=uuid5(services.EXPIRY_NAMESPACE, str(pending_id)),
        kind=Kind.VOID,
        target_id=pending_id,
        code="expired",
    )


class _Alien(NamedTuple):
    wallet: UUID
    hold: UUID
    payment: UUID


def _alien_books(n: int, now: datetime) -> _Alien:
    """Another community with a wallet, a payment and a hold: none of it is this community's."""
    community = CommunityFactory(slug=f"stateful-alien-{n}")
    with community_scope(community.id):
        books = open_books(community)
        payment = TransferRequest(new_id(), Kind.POSTED, books.issuance.id, books.ana.id, 500)
        hold = TransferRequest(new_id(), Kind.PENDING, books.ana.id, books.ben.id, 100)
        outcomes = services.transfers_create(community=community, requests=[payment, hold], now=now)
        assert [o.result for o in outcomes] == [Result.OK, Result.OK]
    return _Alien(books.ana.id, hold.id, payment.id)


@pytest.mark.django_db
def test_the_books_stay_sound_under_random_operations() -> None:
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


# --- what the machine found: the service differs from the model here; each test passes when fixed


def _transfers(
    books: Books, *requests: TransferRequest, linked: bool = False
) -> list[TransferOutcome]:
    return services.transfers_create(
        community=books.community, requests=list(requests), linked=linked, now=START
    )


@pytest.mark.django_db
def test_a_post_or_reversal_with_a_timeout_is_refused_not_a_crash(books: Books) -> None:
    payment = TransferRequest(new_id(), Kind.POSTED, books.issuance.id, books.ana.id, 1_000)
    hold = TransferRequest(new_id(), Kind.PENDING, books.ana.id, books.ben.id, 300)
    _transfers(books, payment, hold)
    fine = TransferRequest(new_id(), Kind.POSTED, books.ana.id, books.ben.id, 100)
    post = TransferRequest(new_id(), Kind.POST, target_id=hold.id, timeout_seconds=60)
    reversal = TransferRequest(new_id(), Kind.REVERSE, target_id=payment.id, timeout_seconds=60)
    outcomes = _transfers(books, fine, post, reversal)  # unlinked: the payment still goes through
    assert [o.result for o in outcomes] == [
        Result.OK,
        Result.TIMEOUT_INVALID,
        Result.TIMEOUT_INVALID,
    ]


@pytest.mark.django_db
def test_a_failed_request_leaves_its_id_free_in_its_batch(books: Books) -> None:
    too_much = TransferRequest(new_id(), Kind.POSTED, books.ben.id, books.ana.id, 1)  # ben has 0
    twice = _transfers(books, too_much, too_much)
    fixed = too_much._replace(debit_account_id=books.issuance.id)
    corrected = _transfers(books, too_much, fixed)
    assert [o.result for o in twice + corrected] == [
        Result.EXCEEDS_CREDIT_LIMIT,
        Result.EXCEEDS_CREDIT_LIMIT,
        Result.EXCEEDS_CREDIT_LIMIT,
        Result.OK,
    ]


@pytest.mark.django_db
def test_a_failed_linked_batch_does_not_answer_exists_for_a_copy(books: Books) -> None:
    pay = TransferRequest(new_id(), Kind.POSTED, books.issuance.id, books.ana.id, 100)
    refused = TransferRequest(new_id(), Kind.POSTED, books.ben.id, books.ana.id, 1)
    outcomes = _transfers(books, pay, pay, refused, linked=True)
    assert not Transfer.objects.filter(id=pay.id).exists()
    assert [o.result for o in outcomes] == [
        Result.LINKED_EVENT_FAILED,
        Result.LINKED_EVENT_FAILED,
        Result.EXCEEDS_CREDIT_LIMIT,
    ]


@pytest.mark.django_db
def test_a_copy_in_its_own_batch_tells_when_it_was_created(books: Books) -> None:
    pay = TransferRequest(new_id(), Kind.POSTED, books.issuance.id, books.ana.id, 100)
    outcomes = _transfers(books, pay, pay)
    assert [(o.result, o.created_at) for o in outcomes] == [
        (Result.OK, START),
        (Result.EXISTS, START),
    ]
