"""Racers on their own database connections: six households asking for aid at once get requests
#1 to #6, and six donations recorded at once get receipts #1 to #6 (`racers.py` runs the races in a
process of its own, on a throwaway database of the suite's kind).

Without `mutua.core.numbering`'s lock, PostgreSQL let two racers read the same highest number, and
the unique constraint then refused the second with a server error; SQLite's single writer
serialises them anyway."""

import json
import subprocess
import sys
from pathlib import Path

from mutua.aid.tests.racers import RACERS
from mutua.core.tests.databases import database_migrate, mutua_env, throwaway_database


def test_racing_households_and_donations_each_get_a_number_of_their_own(tmp_path: Path) -> None:
    with throwaway_database(tmp_path) as url:
        env = mutua_env(tmp_path, url, DJANGO_SETTINGS_MODULE="mutua.settings")
        database_migrate(env)
        done = subprocess.run(
            [sys.executable, "-m", "mutua.aid.tests.racers"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["requests"] == ["ok"] * RACERS, done.stderr[-3000:]
    assert outcome["intakes"] == ["ok"] * RACERS, done.stderr[-3000:]
    assert outcome["request_numbers"] == list(range(1, RACERS + 1))
    assert outcome["intake_numbers"] == list(range(1, RACERS + 1))
