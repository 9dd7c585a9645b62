"""Several clients transferring at random between a handful of accounts near their limits, each in
its own process, leave sound books.

Each worker (`ledger_client.Worker`) pays about what the payer had a moment ago, so requests race
for the same money and many are refused with `exceeds_credit_limit`. It also holds, posts and
voids, retries its own requests, and every fourth step sends either a request that every worker
sends (same id, same body) or an id that every worker sends with a body of its own. The books are
then judged against the answers the workers received: each `ok` is one transfer in the books, and
nothing else is.

SQLite serialises the writers (`BEGIN IMMEDIATE`, waiting up to 20 s); PostgreSQL lets writers of
disjoint accounts run at once and queues the rest on the account rows' locks.
"""

import json
import subprocess
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from mutua.core.tests.databases import database_migrate, mutua_env, throwaway_database
from mutua.ledger.domain import Kind, Result
from mutua.ledger.tests.ledger_client import (
    Books,
    Model,
    books_set_up,
    client_command,
    client_run,
    request_from_json,
)

WORKERS = 4
STEPS = 150
SEED = 20240603

Outcome = dict[str, Any]  # attempt, result, request (as JSON)


def run_workers(books_path: Path, folder: Path, env: dict[str, str]) -> list[list[Outcome]]:
    files = [folder / f"worker-{w}.jsonl" for w in range(WORKERS)]
    workers = [
        subprocess.Popen(
            client_command("work", str(books_path), str(w), str(SEED + w), str(STEPS), str(f)),
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w, f in enumerate(files)
    ]
    for worker in workers:
        _out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
    return [[json.loads(line) for line in f.read_text().splitlines()] for f in files]


def funding_outcomes(books: Books) -> list[Outcome]:
    return [{"attempt": "first", "result": "ok", "request": r} for r in books["funding"]]


def test_concurrent_clients_near_their_limits_keep_the_books_sound(tmp_path) -> None:
    with throwaway_database(tmp_path) as url:
        env = mutua_env(tmp_path, url, DJANGO_SETTINGS_MODULE="mutua.settings")
        database_migrate(env)
        books_path, books = books_set_up(tmp_path, env)
        per_worker = run_workers(books_path, tmp_path, env)
        state = json.loads(client_run("dump", str(books_path), env=env))
    answered = [o for worker in per_worker for o in worker]
    outcomes = funding_outcomes(books) + answered

    assert state["verify"] == []
    assert_nothing_overdrawn(books, state)
    assert_money_conserved(books, state)
    assert_every_ok_is_one_transfer_and_nothing_else_is(outcomes, state)
    assert_retries_are_answered_by_what_the_id_holds(outcomes, state)
    for worker in per_worker:
        assert_a_retry_after_ok_is_exists(worker)
    assert_contended_requests_applied_once(outcomes)
    assert_pending_transfers_resolved_at_most_once(outcomes)
    assert state["totals"] == Model(books).replay(ok_requests(answered)).table()
    assert_the_run_went_near_the_limits(books, answered)


def assert_nothing_overdrawn(books: Books, state: dict[str, Any]) -> None:
    limited = [a["id"] for a in books["accounts"].values() if not a["unlimited"]]
    overdrawn = {a: state["available"][a] for a in limited if state["available"][a] < 0}
    assert overdrawn == {}


def assert_money_conserved(books: Books, state: dict[str, Any]) -> None:
    balances = {a: totals[0] for a, totals in state["totals"].items()}
    issuance = books["accounts"]["issuance"]["id"]
    assert sum(balances.values()) == 0
    assert balances[issuance] == -sum(b for a, b in balances.items() if a != issuance)
    debits_pending = sum(totals[1] for totals in state["totals"].values())
    assert debits_pending == sum(totals[2] for totals in state["totals"].values())


def ok_requests(outcomes: list[Outcome]) -> list:
    return [request_from_json(o["request"]) for o in outcomes if o["result"] == Result.OK]


def assert_every_ok_is_one_transfer_and_nothing_else_is(
    outcomes: list[Outcome], state: dict[str, Any]
) -> None:
    oks = Counter(o["request"]["id"] for o in outcomes if o["result"] == Result.OK)
    assert [i for i, n in oks.items() if n > 1] == []  # no id was applied twice
    stored = [transfer_id for transfer_id, _hash in state["transfers"]]
    assert len(stored) == len(set(stored)) == len(oks)
    assert set(stored) == set(oks)


def assert_retries_are_answered_by_what_the_id_holds(
    outcomes: list[Outcome], state: dict[str, Any]
) -> None:
    """`ok` and `exists` only for the body stored under the id, `id_conflict` only for another."""
    stored = dict(state["transfers"])
    wrong = []
    for o in outcomes:
        body_hash = request_from_json(o["request"]).body_hash()
        held = stored.get(o["request"]["id"])
        if o["result"] in (Result.OK, Result.EXISTS) and held != body_hash:
            wrong.append(o)
        if o["result"] == Result.ID_CONFLICT and held in (None, body_hash):
            wrong.append(o)
    assert wrong == []


def assert_a_retry_after_ok_is_exists(worker: list[Outcome]) -> None:
    applied: set[str] = set()
    for o in worker:
        transfer_id = o["request"]["id"]
        if o["attempt"] == "retry" and transfer_id in applied:
            assert o["result"] == Result.EXISTS, o
        if o["result"] in (Result.OK, Result.EXISTS):
            applied.add(transfer_id)


def assert_contended_requests_applied_once(outcomes: list[Outcome]) -> None:
    results: dict[str, list[str]] = defaultdict(list)
    for o in outcomes:
        if o["attempt"] == "contended":
            results[o["request"]["id"]].append(o["result"])
    assert results
    for answers in results.values():
        assert sorted(answers) == ["exists"] * (WORKERS - 1) + ["ok"]


def assert_pending_transfers_resolved_at_most_once(outcomes: list[Outcome]) -> None:
    resolutions = Counter(
        o["request"]["target_id"]
        for o in outcomes
        if o["result"] == Result.OK and o["request"]["kind"] in (Kind.POST, Kind.VOID)
    )
    assert [target for target, n in resolutions.items() if n > 1] == []


def assert_the_run_went_near_the_limits(books: Books, outcomes: list[Outcome]) -> None:
    """The test is only as good as the races it provoked: each kind of answer must have come up,
    and the bakery must have been refused too, for going past its credit line."""
    seen = Counter((o["request"]["kind"], o["result"]) for o in outcomes)
    for kind in Kind.POSTED, Kind.PENDING, Kind.POST, Kind.VOID:
        assert seen[(kind, Result.OK)] > 0, seen
    for result in Result.EXISTS, Result.ID_CONFLICT, Result.PENDING_ALREADY_RESOLVED:
        assert sum(n for (_k, r), n in seen.items() if r == result) > 0, seen
    assert seen[(Kind.POSTED, Result.EXCEEDS_CREDIT_LIMIT)] > STEPS * WORKERS // 20, seen
    bakery = books["accounts"]["bakery"]["id"]
    refused = Counter(
        o["request"]["debit_account_id"]
        for o in outcomes
        if o["result"] == Result.EXCEEDS_CREDIT_LIMIT
    )
    assert refused[bakery] > 0, refused
