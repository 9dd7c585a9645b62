"""Writers that skip the account locks still cannot fork a chain (the database refuses)."""

import json
import subprocess
import sys

from mutua.core.tests.databases import database_migrate, mutua_env, throwaway_database
from mutua.ledger.tests.ledger_client import books_set_up


def test_two_raw_writers_cannot_both_extend_a_chain_from_the_same_place(tmp_path) -> None:
    with throwaway_database(tmp_path) as url:
        env = mutua_env(tmp_path, url, DJANGO_SETTINGS_MODULE="mutua.settings")
        database_migrate(env)
        books_set_up(tmp_path, env)
        done = subprocess.run(
            [sys.executable, "-m", "mutua.ledger.tests.raw_writer_race"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["first"] == "committed"
    assert outcome["verify"] == [], outcome
    assert outcome["second"] == "committed" or "chain_broken" in outcome["second"]
