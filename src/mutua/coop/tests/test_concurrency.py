"""Racers on their own database connections: the last three loaves go to exactly three of five
members ordering at once, and a voucher taken at two tills at once pays out only once (`racers.py`
runs the race in a process of its own, on a throwaway database of the suite's kind).

The offers' row locks (and their CHECK) and the voucher's row lock serialise the racers; SQLite
does so with its single writer (`BEGIN IMMEDIATE`), PostgreSQL with the row locks."""

import json
import subprocess
import sys
from pathlib import Path

from mutua.core.tests.databases import database_migrate, mutua_env, throwaway_database


def test_racing_members_and_tills_never_oversell_or_overspend(tmp_path: Path) -> None:
    with throwaway_database(tmp_path) as url:
        env = mutua_env(tmp_path, url, DJANGO_SETTINGS_MODULE="mutua.settings")
        database_migrate(env)
        done = subprocess.run(
            [sys.executable, "-m", "mutua.coop.tests.racers"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert sorted(outcome["orders"]) == ["not_available"] * 2 + ["ok"] * 3
    assert (outcome["ordered"], outcome["lines"]) == (3, 3)
    assert sorted(outcome["vouchers"]) == ["exceeds_voucher", "ok"]
    assert (outcome["remaining"], outcome["spends"]) == (300, 1)
    assert outcome["verify"] == 0
