"""The bank test under faults, short (`bank` has the design; `bench/bank_faults.py` runs it long).

It runs on the kind of database the suite runs on, so that CI's SQLite pass and PostgreSQL pass
each run it once and neither skips it: on SQLite the nemesis kills the server, inside whose
workers the database lives; on PostgreSQL it kills the server and, in a cluster of the test's
own, the database. Four clients pay for 25 seconds through four strikes, the last of which keeps
its part down past the end, so that some payments are left unanswered and must be resolved.

Besides the books being exact (`problems` empty), the test checks that it tested something:
strikes of each kind happened, payments were acknowledged and refused, some were sent again, and
some were still unanswered at the end. A second test shows that the checks find each kind of
disagreement between the books and what the clients were told.
"""

import os
from contextlib import ExitStack

import pytest

from mutua.core.tests.databases import database_migrate, mutua_env, throwaway_database
from mutua.ledger.tests.bank import (
    Options,
    Payment,
    Wallet,
    balance_problems,
    bank_run,
    problems_found,
)

BACKEND = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postg") else "sqlite"
SECONDS, CLIENTS, FAULTS = 25.0, 4, 4


@pytest.mark.parametrize("backend", [BACKEND])
def test_payments_through_server_and_database_kills_keep_the_books_exact(
    tmp_path, backend: str
) -> None:
    with ExitStack() as stack:
        migrated = None
        if backend == "postgresql":  # the cluster gets a copy of the suite's migrated database
            migrated = stack.enter_context(throwaway_database(tmp_path))
            database_migrate(mutua_env(tmp_path / "template", migrated))
        options = Options(
            backend=backend, seconds=SECONDS, clients=CLIENTS, faults=FAULTS, migrated=migrated
        )
        report = bank_run(options, tmp_path / "run")

    assert report["problems"] == [], report
    assert report["server_kills"] + report["database_kills"] == FAULTS
    assert report["database_kills"] == (FAULTS // 2 if backend == "postgresql" else 0)
    assert report["acknowledged"] >= 20
    assert report["refused"] > 0
    assert report["retries"] > 0
    assert report["indeterminate"] > 0
    assert report["ledger_payments"] == report["acknowledged"] + sum(
        n for answer, n in report["indeterminate_resolved"].items() if answer in ("ok", "exists")
    )
    assert report["total_after"] == report["total"]


def test_the_checks_name_every_way_the_books_can_disagree_with_the_clients() -> None:
    """`problems_found` on books made up to be wrong: without it finding these, a clean run
    would prove nothing."""
    bank = {
        "wallets": [
            {"handle": h, "account": f"acct-{h}", "token": "", "funds": 1_000} for h in "abc"
        ],
        "total": 3_000,
        "setup_transfers": 3,
    }
    lost, twice, refused, unheard, fine = (
        Payment("lost", 0, 1, 100, answer="ok"),
        Payment("twice", 1, 2, 50, answer="exists"),
        Payment("refused", 2, 0, 5_000, answer="exceeds_credit_limit"),
        Payment("unheard", 0, 2, 10),
        Payment("fine", 2, 1, 20, answer="ok"),
    )
    ledger = {
        "payments": [
            ["twice", "acct-b", "acct-c", 50],
            ["refused", "acct-c", "acct-a", 5_000],
            ["fine", "acct-c", "acct-b", 25],  # not the amount that was sent
            ["phantom", "acct-a", "acct-b", 7],
        ],
        "counts": {"twice": 2, "refused": 1, "fine": 1, "phantom": 1},
        "other_transfers": 4,
        "balances": {"acct-a": 1_000, "acct-b": 1_000, "acct-c": 1_000},
    }

    problems = problems_found(bank, [lost, twice, refused, unheard, fine], ledger)

    assert problems == [
        "acknowledged lost is stored 0 times",
        "acknowledged twice is stored 2 times",
        "refused, answered exceeds_credit_limit, is in the ledger",
        "unheard ended without an answer",
        "acknowledged fine is stored as ['acct-c', 'acct-b', 25], not ['acct-c', 'acct-b', 20]",
        "phantom is in the ledger but no client sent it",
        "4 transfers besides the payments, 3 at the opening",
        "wallet a holds 1000, the acknowledged payments say 900",
        "wallet b holds 1000, the acknowledged payments say 1070",
        "wallet c holds 1000, the acknowledged payments say 1030",
    ]
    assert balance_problems([Wallet("a", "acct-a", "", 0)], [], {"acct-a": 1, "acct-b": 2}, 0) == [
        "wallet a holds 1, the acknowledged payments say 0",
        "the wallets hold 3 in all, not 0",
    ]
