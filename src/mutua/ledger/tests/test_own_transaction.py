"""Called outside any transaction (an API request, a command), `transfers_create` opens and ends
its own, and never leaves one open, whatever happens. On PostgreSQL its BEGIN and COMMIT ride
along with its statements (`statements.Writing`), and a single new transfer is one statement
(`statements.transfer_quick`); the suite's tests run inside a transaction of their own, so this
one runs in another process on a database of its own."""

import json
import subprocess
import sys

from mutua.core.tests.databases import database_migrate, mutua_env, throwaway_database
from mutua.ledger.tests.ledger_client import books_set_up


def test_transfers_outside_a_transaction_commit_refuse_and_roll_back_cleanly(tmp_path) -> None:
    with throwaway_database(tmp_path) as url:
        env = mutua_env(tmp_path, url, DJANGO_SETTINGS_MODULE="mutua.settings")
        database_migrate(env)
        books_set_up(tmp_path, env)
        done = subprocess.run(
            [sys.executable, "-m", "mutua.ledger.tests.own_transaction"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["paid"] == "ok" and seen["refused"] == "exceeds_credit_limit"
    assert "chain_broken" in seen["broken_write"]
    assert seen["moved"] == [500, 0]  # the refused write moved nothing
    assert seen["paid_again"] == "ok"
    assert not any(v for k, v in seen.items() if k.startswith("open_")), seen
    # A single payment: one statement on PostgreSQL (the quick path); SQLite takes the normal one.
    assert seen["quick"] == "ok" and seen["quick_stored_as_asked"]
    if seen["vendor"] == "postgresql":
        assert seen["statements_for_one_payment"] == 1
    else:
        assert seen["statements_for_one_payment"] >= 2
    assert seen["quick_retry"] == "exists" and seen["quick_other_body"] == "id_conflict"
    assert seen["quick_too_much"] == "exceeds_credit_limit"
    assert seen["quick_same_account"] == "accounts_must_be_different"
    assert seen["quick_hold"] == "ok" and seen["quick_hold_voided"] == "ok"
    assert seen["verify"] == []  # every hash the database wrote is the one verify computes
