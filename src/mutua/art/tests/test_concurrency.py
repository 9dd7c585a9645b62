"""Racers on their own database connections: four investors buying the same edition's first sale
get one sale, and four buying the same listing get one resale; the ledger, the provenance logs and
the chain agree afterwards (`racers.py` runs the race in a process of its own, on a throwaway
database of the suite's kind).

The edition's row lock serialises the racers (`sales._edition_locked`); SQLite does so with its
single writer (`BEGIN IMMEDIATE`), PostgreSQL with the row lock."""

import json
import subprocess
import sys
from pathlib import Path

from mutua.core.tests.databases import database_migrate, mutua_env, throwaway_database


def test_racing_investors_buy_an_edition_once(tmp_path: Path) -> None:
    with throwaway_database(tmp_path) as url:
        env = mutua_env(tmp_path, url, DJANGO_SETTINGS_MODULE="mutua.settings")
        database_migrate(env)
        done = subprocess.run(
            [sys.executable, "-m", "mutua.art.tests.racers"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert sorted(outcome["first_sales"]) == ["ok"] + ["sold"] * 3
    assert sorted(outcome["resales"]) == ["not_open"] * 3 + ["ok"]
    assert outcome["sales"] == {"1": 1, "2": 2}
    assert all(holder.startswith("racer") for holder in outcome["holders"])
    assert outcome["ledger"] == 0
    assert outcome["art"] == []
